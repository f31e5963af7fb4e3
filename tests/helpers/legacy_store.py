"""The session store's schema 1–5 exactly as GaitCoach wrote it before Alembic (a
verbatim copy of the old ``app/session/migrations.py``), to build real old-schema SQLite
files in tests: ``make_legacy_db(path, version)``.

The schema version lives in ``PRAGMA user_version`` (0 = empty file). ``MIGRATIONS[i]``
takes a database at version ``i`` to ``i + 1``; :func:`migrate` runs each pending one in
its own transaction together with the version bump, so a failure leaves the file at the
last good version. Never edit a released migration: append a new one.
"""

from __future__ import annotations

import sqlite3
from typing import Callable



def _v1_initial(db: sqlite3.Connection) -> None:
    """Runners, sessions (id = folder name) and protocol blocks."""
    db.execute("""
        CREATE TABLE runners (
            id           INTEGER PRIMARY KEY,
            name         TEXT NOT NULL,
            birth_year   INTEGER,
            height_cm    REAL,
            notes        TEXT NOT NULL DEFAULT '',
            created_utc  TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE sessions (
            id               TEXT PRIMARY KEY,
            runner_id        INTEGER REFERENCES runners(id) ON DELETE SET NULL,
            name             TEXT NOT NULL DEFAULT '',
            notes            TEXT NOT NULL DEFAULT '',
            state            TEXT NOT NULL,
            started_utc      TEXT,
            duration_s       REAL,
            view             TEXT,
            facing           TEXT,
            template         TEXT,
            thresholds_json  TEXT NOT NULL DEFAULT '{}',
            summary_json     TEXT NOT NULL DEFAULT '{}',
            folder           TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE blocks (
            session_id    TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            idx           INTEGER NOT NULL,
            kind          TEXT NOT NULL CHECK (kind IN
                              ('baseline', 'retraining', 'faded', 'retention', 'free')),
            name          TEXT NOT NULL DEFAULT '',
            start_s       REAL NOT NULL,
            end_s         REAL,
            summary_json  TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (session_id, idx)
        )""")


def _v2_video_and_missing(db: sqlite3.Connection) -> None:
    """The video file name (from session.json), when sync last saw the folder missing,
    and an index for "a runner's sessions, newest first"."""
    db.execute("ALTER TABLE sessions ADD COLUMN video TEXT")
    db.execute("ALTER TABLE sessions ADD COLUMN missing_since_utc TEXT")
    db.execute("CREATE INDEX sessions_by_runner ON sessions(runner_id, started_utc)")
    db.execute("CREATE UNIQUE INDEX runners_by_name ON runners(name COLLATE NOCASE)")


def _v3_runner_templates(db: sqlite3.Connection) -> None:
    """Protocol templates saved with a runner (TOML text, app/protocol/templates.py)."""
    db.execute("""
        CREATE TABLE runner_templates (
            runner_id    INTEGER NOT NULL REFERENCES runners(id) ON DELETE CASCADE,
            name         TEXT NOT NULL,
            toml         TEXT NOT NULL,
            updated_utc  TEXT NOT NULL,
            PRIMARY KEY (runner_id, name)
        )""")


def _v4_programmes_and_load(db: sqlite3.Connection) -> None:
    """Exercise programmes kept with a runner (their items in order), the runner's ticks
    of home practice, and the weekly load log (app/session/plan_store.py)."""
    db.execute("""
        CREATE TABLE programmes (
            id               INTEGER PRIMARY KEY,
            runner_id        INTEGER NOT NULL REFERENCES runners(id) ON DELETE CASCADE,
            created_utc      TEXT NOT NULL,
            updated_utc      TEXT NOT NULL,
            baseline_date    TEXT NOT NULL,
            reassess_due     TEXT NOT NULL,
            primary_fault    TEXT,
            chain            TEXT,
            template         TEXT,
            plan             TEXT,
            source           TEXT NOT NULL DEFAULT '',
            source_session   TEXT,
            notes            TEXT NOT NULL DEFAULT '',
            picture_json     TEXT NOT NULL DEFAULT '{}',
            active           INTEGER NOT NULL DEFAULT 1
        )""")
    db.execute("CREATE INDEX programmes_by_runner ON programmes(runner_id, active, created_utc)")
    db.execute("""
        CREATE TABLE programme_items (
            programme_id  INTEGER NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
            idx           INTEGER NOT NULL,
            exercise_id   TEXT NOT NULL,
            sets          INTEGER NOT NULL,
            reps          INTEGER,
            seconds       INTEGER,
            per_side      INTEGER NOT NULL DEFAULT 0,
            per_week      INTEGER NOT NULL DEFAULT 3,
            note          TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (programme_id, idx)
        )""")
    db.execute("""
        CREATE TABLE practice_log (
            id            INTEGER PRIMARY KEY,
            programme_id  INTEGER NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
            exercise_id   TEXT NOT NULL,
            day           TEXT NOT NULL,
            result_json   TEXT NOT NULL DEFAULT '{}',
            created_utc   TEXT NOT NULL,
            UNIQUE (programme_id, exercise_id, day)
        )""")
    db.execute("""
        CREATE TABLE load_log (
            runner_id    INTEGER NOT NULL REFERENCES runners(id) ON DELETE CASCADE,
            week_start   TEXT NOT NULL,
            volume       REAL NOT NULL CHECK (volume >= 0),
            unit         TEXT NOT NULL CHECK (unit IN ('km', 'min')),
            pain         INTEGER NOT NULL CHECK (pain BETWEEN 0 AND 10),
            notes        TEXT NOT NULL DEFAULT '',
            updated_utc  TEXT NOT NULL,
            PRIMARY KEY (runner_id, week_start)
        )""")


def _v5_runner_targets(db: sqlite3.Connection) -> None:
    """The target cadence kept with each runner (issue 11: a target set for one runner
    carried over to the next through the global settings): value, where it came from (a
    few words: "typed in Setup", "baseline 170 spm + 7.5 %", "guided session") and when."""
    db.execute("""
        CREATE TABLE runner_targets (
            runner_id    INTEGER PRIMARY KEY REFERENCES runners(id) ON DELETE CASCADE,
            target_spm   REAL NOT NULL,
            origin       TEXT NOT NULL DEFAULT '',
            set_utc      TEXT NOT NULL
        )""")


#: MIGRATIONS[i] upgrades version i to i + 1.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _v1_initial,
    _v2_video_and_missing,
    _v3_runner_templates,
    _v4_programmes_and_load,
    _v5_runner_targets,
)
LATEST_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, target: int = LATEST_VERSION) -> int:
    """Bring ``db`` (opened in autocommit mode, ``isolation_level=None``) up to ``target``;
    returns the version it had before. A file from a newer app raises UserError."""
    before = schema_version(db)
    if before > LATEST_VERSION:
        raise RuntimeError(f"The session database was written by a newer GaitCoach "
                           f"(schema {before}; this version reads up to {LATEST_VERSION}).")
    for version in range(before, target):
        db.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version + 1:d}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return before


def make_legacy_db(path, version: int) -> sqlite3.Connection:
    """A new SQLite file at ``path`` at schema ``version`` (1..5), opened the way the old
    store opened it (autocommit, foreign keys on, WAL). The caller closes it."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA journal_mode = WAL")
    migrate(db, target=version)
    return db
