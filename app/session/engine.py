"""SQLAlchemy engines for the session store: the embedded SQLite file (default) or a
clinic's PostgreSQL server, and URLs shown without their password.

SQLite: foreign keys on, WAL journal (readers never block the writer), a busy timeout
of ``BUSY_TIMEOUT_S`` for a second writer, and explicit transactions: ``BEGIN`` for
reads, ``BEGIN IMMEDIATE`` for writes (set ``conn.info["write"]``) so two writers
queue instead of failing on a lock upgrade. PostgreSQL (psycopg 3): a connect timeout
of ``CONNECT_TIMEOUT_S``, pooled connections checked before use (a restarted server is
reconnected to, not reported as an error).
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

BUSY_TIMEOUT_S = 5.0
CONNECT_TIMEOUT_S = 5


def sqlite_url(path: str | os.PathLike[str]) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def normalise_url(url: str) -> sa.URL:
    """``postgresql://`` and ``postgres://`` use psycopg 3 (the driver we ship)."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u


def display_url(url: str | sa.URL) -> str:
    """The URL as shown to people and written to logs: never with its password."""
    try:
        u = url if isinstance(url, sa.URL) else make_url(url)
    except Exception:  # noqa: BLE001 - not a URL at all: show nothing secret
        return "(an unreadable database URL)"
    u = u.set(drivername=u.drivername.split("+")[0])
    return u.render_as_string(hide_password=True)


def scrub(text: str, url: str | sa.URL | None) -> str:
    """``text`` (an error message) with the URL's password replaced by ***."""
    if url is None:
        return text
    try:
        pw = (url if isinstance(url, sa.URL) else make_url(url)).password
    except Exception:  # noqa: BLE001
        return text
    return text.replace(str(pw), "***") if pw else text


def create_engine(url: str | sa.URL) -> sa.Engine:
    u = normalise_url(str(url) if isinstance(url, str) else url.render_as_string(hide_password=False))
    if u.get_backend_name() == "sqlite":
        engine = sa.create_engine(u, connect_args={"timeout": BUSY_TIMEOUT_S,
                                                   "check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    if u.get_backend_name() == "postgresql":
        return sa.create_engine(u, pool_pre_ping=True, pool_size=2, max_overflow=4,
                                connect_args={"connect_timeout": CONNECT_TIMEOUT_S,
                                              "application_name": "gaitcoach"})
    return sa.create_engine(u)


def _sqlite_connect(dbapi_conn, _record) -> None:  # noqa: ANN001 - sqlite3.Connection
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")
