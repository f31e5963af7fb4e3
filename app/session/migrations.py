"""Schema migrations of the session store with Alembic (``app/session/alembic/versions``),
on SQLite and PostgreSQL alike; see docs/SESSION_FORMAT.md.

:func:`upgrade` brings a database to the newest revision in one transaction that holds
the upgrade lock (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock), so two
stations or processes opening a fresh store at once migrate it once, and a failure
leaves the database as it was.

SQLite files written before Alembic (schema 1–5) carry their version in ``PRAGMA
user_version`` and no ``alembic_version`` table: they are stamped at the matching
revision first, then upgraded, keeping every row. After an upgrade the SQLite file's
``user_version`` is set to :data:`LATEST_VERSION`, so an older GaitCoach (which reads up
to schema 5) refuses it with its "newer GaitCoach" sentence instead of misreading it.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from app.errors import UserError

#: Alembic revision of each pre-Alembic schema version (PRAGMA user_version 1..5).
LEGACY_REVISIONS = {1: "0001_v1", 2: "0002_v2", 3: "0003_v3", 4: "0004_v4", 5: "0005_v5"}
HEAD = "0007_runner_sync"
LATEST_VERSION = 7
_PG_LOCK_KEY = 0x6A17C0AC  # advisory lock id: "gaitcoach store upgrade"
_SCRIPT_DIR = Path(__file__).with_name("alembic")


def _config(conn: sa.Connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPT_DIR))
    cfg.attributes["connection"] = conn
    return cfg


def current_revision(conn: sa.Connection) -> str | None:
    """The revision stamped in ``alembic_version`` (None: not an Alembic-managed store)."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def schema_version(conn: sa.Connection) -> int:
    """The schema number: 1..5 for a pre-Alembic SQLite file, else the Alembic revision's
    (their number prefix), 0 for an empty database."""
    rev = current_revision(conn)
    if rev is not None:
        return int(rev.split("_", 1)[0])
    if conn.dialect.name == "sqlite":
        return int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)
    return 0


def upgrade(engine: sa.Engine) -> int:
    """Migrate the store behind ``engine`` to :data:`HEAD`; returns the schema number it
    had before. A store written by a newer GaitCoach raises UserError."""
    with engine.connect() as conn:  # the usual case, without loading Alembic: up to date
        with conn.begin():
            if current_revision(conn) == HEAD:
                return LATEST_VERSION
    from alembic import command
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    with engine.connect() as conn:
        conn.info["write"] = True  # SQLite: BEGIN IMMEDIATE (see app/session/engine.py)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            before = schema_version(conn)
            rev = current_revision(conn)
            cfg = _config(conn)
            if rev is None and before:
                if before not in LEGACY_REVISIONS:
                    raise _newer(before)
                command.stamp(cfg, LEGACY_REVISIONS[before])
            elif rev is not None:
                try:
                    ScriptDirectory.from_config(cfg).get_revision(rev)
                except CommandError:
                    raise _newer(rev) from None
            if (rev or "") != HEAD:
                command.upgrade(cfg, HEAD)
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql(f"PRAGMA user_version = {LATEST_VERSION:d}")
        conn.info.pop("write", None)
    return before


def _newer(found: object) -> UserError:
    return UserError(f"The session database was written by a newer GaitCoach (schema {found}; "
                     f"this version reads up to {LATEST_VERSION}).")
