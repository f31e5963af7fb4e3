"""A real PostgreSQL server for the tests: ``initdb`` in a temporary folder, listening on
127.0.0.1 (a random free port) and a Unix socket in that folder only, stopped at the end.

Debian's ``postgresql`` package puts the binaries in ``/usr/lib/postgresql/<major>/bin``
(scripts/bootstrap.sh installs it when run as root). ``initdb`` refuses to run as root, so
as root the server runs as the ``postgres`` user the package creates, in a folder owned by
that user (../shared/docs/FIELD_NOTES.md). ``stop()``/``start()`` let a fault test take
the server away and bring it back on the same port with the same data.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

INSTALL_HINT = ("PostgreSQL server binaries were not found (looked in /usr/lib/postgresql/*/bin "
                "and on PATH). Install Debian's server: sudo apt-get install -y postgresql "
                "(scripts/bootstrap.sh does it when run as root).")


def find_bindir() -> Path | None:
    """The newest installed PostgreSQL's bin folder that has initdb and pg_ctl."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    if which and shutil.which("pg_ctl"):
        return Path(os.path.realpath(which)).parent
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """One throw-away cluster. ``url(db)`` is a postgresql:// URL for database ``db``
    (user ``gaitcoach`` with a password, over TCP on 127.0.0.1)."""

    USER = "gaitcoach"

    def __init__(self) -> None:
        self.bindir = find_bindir()
        if self.bindir is None:
            raise RuntimeError(INSTALL_HINT)
        self.port = _free_port()
        self.password = "pw-" + uuid.uuid4().hex[:12]
        self.root = Path(tempfile.mkdtemp(prefix="gaitcoach-pg-"))
        self.data = self.root / "data"
        self._as = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")  # created by Debian's package
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-A", "scram-sha-256", "-U", "postgres",
                  "--pwfile", self._pwfile(), "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as fh:
            fh.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                     f"unix_socket_directories = '{self.data}'\nfsync = off\n"
                     "max_connections = 60\nlog_min_messages = warning\n")
        self.start()
        self._sql(f"CREATE ROLE {self.USER} LOGIN CREATEDB PASSWORD '{self.password}'")

    def _pwfile(self) -> str:
        p = self.root / "pw"
        p.write_text(self.password + "\n")
        if self._as:
            pw = pwd.getpwnam("postgres")
            os.chown(p, pw.pw_uid, pw.pw_gid)
        os.chmod(p, 0o600)
        return str(p)

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        r = subprocess.run([*self._as, str(self.bindir / tool), *args], capture_output=True,
                           text=True, timeout=120, cwd=self.root)
        if check and r.returncode != 0:
            raise RuntimeError(f"{tool} failed ({r.returncode}): {r.stderr.strip() or r.stdout.strip()}")
        return r

    def _sql(self, sql: str, db: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                             password=self.password, dbname=db, autocommit=True) as conn:
            conn.execute(sql)

    # ------------------------------------------------------------------ control
    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.data / "server.log"),
                  "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    @property
    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def close(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    # ------------------------------------------------------------------ databases
    def create_database(self, name: str | None = None) -> str:
        """A new empty database owned by the test user; returns its URL."""
        name = name or "gc_" + uuid.uuid4().hex[:10]
        self._sql(f"CREATE DATABASE {name} OWNER {self.USER}")
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self._sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def url(self, db: str) -> str:
        return f"postgresql://{self.USER}:{self.password}@127.0.0.1:{self.port}/{db}"

    def wait_ready(self, timeout_s: float = 30.0) -> None:
        import psycopg

        deadline = time.monotonic() + timeout_s
        while True:
            try:
                psycopg.connect(host="127.0.0.1", port=self.port, user="postgres",
                                password=self.password, dbname="postgres", connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
