"""Migrating a clinic-sized SQLite store of schema 3 (the last pre-Alembic schema most
stations ran) to the current schema, with figures: every row of every old table kept
(each column the old schema had, compared value by value), the time the first open
takes, and that the migrated store then opens without migrating (issue 14).

The v3 file is written by the old migration code (``tests/helpers/legacy_store.py``):
``--runners`` runners, ``--sessions`` sessions with 4 protocol blocks each and a
summary, and a saved template per runner.

Run: ``.venv/bin/python -m tests.benchmarks.bench_migration [--runners 60]
[--sessions 3000] [--version 3]``.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from app.session import migrations
from app.session.store import open_store
from tests.helpers.legacy_store import make_legacy_db

KINDS = ("baseline", "retraining", "faded", "retention")


def fill(db: sqlite3.Connection, runners: int, sessions: int, version: int) -> None:
    db.executemany("INSERT INTO runners (id, name, birth_year, height_cm, notes, created_utc) VALUES (?, ?, ?, ?, ?, ?)",
                   [(i + 1, f"Runner {i + 1:03d}", 1960 + i % 45, 150.0 + i % 50, "knee ✓" if i % 3 else "",
                     f"2025-{1 + i % 12:02d}-01T08:00:00Z") for i in range(runners)])
    rows, blocks = [], []
    for k in range(sessions):
        sid = f"2026{1 + k % 12:02d}{1 + k % 28:02d}-{k:06d}-s{k:05d}"
        summary = json.dumps({"cadence_spm": 160 + k % 20, "n_steps": 300 + k % 50,
                              "metrics": {"overstride_cm": {"mean": 9.5 + k % 7 / 10}}})
        row = (sid, (k % runners) + 1 if k % 10 else None, f"run {k}", "note" if k % 4 else "",
               "complete" if k % 25 else "recovered", f"2026-01-01T{k % 24:02d}:00:00Z", 600.0 + k % 60,
               "side" if k % 5 else "rear", "right", "cadence" if k % 2 else None, "{}", summary, f"/data/{sid}")
        if version >= 2:
            row += ("video.mp4", None if k % 50 else "2026-02-01T00:00:00Z")
        rows.append(row)
        blocks += [(sid, i, KINDS[i], f"block {i}", i * 150.0, (i + 1) * 150.0,
                    json.dumps({"cadence_spm": 160 + i})) for i in range(4)]
    cols = "id, runner_id, name, notes, state, started_utc, duration_s, view, facing, template, " \
           "thresholds_json, summary_json, folder" + (", video, missing_since_utc" if version >= 2 else "")
    db.executemany(f"INSERT INTO sessions ({cols}) VALUES ({', '.join('?' * len(rows[0]))})", rows)
    db.executemany("INSERT INTO blocks (session_id, idx, kind, name, start_s, end_s, summary_json) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)", blocks)
    if version >= 3:
        db.executemany("INSERT INTO runner_templates VALUES (?, ?, ?, ?)",
                       [(i + 1, "mine", f'title = "plan {i}"', "2026-01-02T00:00:00Z") for i in range(runners)])
    db.commit()


def snapshot(path: Path, tables: dict[str, list[str]] | None = None) -> dict[str, list[tuple]]:
    """Every row of ``tables`` (name -> columns; default: every table, all columns)."""
    db = sqlite3.connect(path)
    try:
        if tables is None:
            names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                              "AND name NOT LIKE 'sqlite_%'")]
            tables = {t: [r[1] for r in db.execute(f"PRAGMA table_info({t})")] for t in names}
        return {t: sorted(db.execute(f"SELECT {', '.join(cols)} FROM {t}").fetchall(), key=repr)
                for t, cols in tables.items()}
    finally:
        db.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runners", type=int, default=60)
    ap.add_argument("--sessions", type=int, default=3000)
    ap.add_argument("--version", type=int, default=3, choices=range(1, 6))
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-migration-") as tmp:
        path = Path(tmp) / f"v{args.version}.db"
        db = make_legacy_db(path, args.version)
        fill(db, args.runners, args.sessions, args.version)
        db.close()
        db = sqlite3.connect(path)
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                          "AND name NOT LIKE 'sqlite_%'")]
        old_cols = {t: [r[1] for r in db.execute(f"PRAGMA table_info({t})")] for t in names}
        db.close()
        before = snapshot(path, old_cols)
        size = path.stat().st_size
        t0 = time.perf_counter()
        with open_store(path) as s:
            with s.engine.connect() as c:
                version = migrations.schema_version(c)
        first_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        open_store(path).close()
        again_s = time.perf_counter() - t0
        after = snapshot(path, old_cols)
        after_sets = {t: set(rows) for t, rows in after.items()}
        kept = {t: sum(1 for r in before[t] if r in after_sets[t]) for t in before}
        print(f"schema {args.version} SQLite file, {size / 1e6:.1f} MB: "
              + ", ".join(f"{t} {len(before[t])}" for t in before))
        print(f"first open migrated it to schema {version} in {first_s:.2f} s; "
              f"opening it again took {again_s * 1000:.0f} ms")
        lost = {t: len(before[t]) - kept[t] for t in before if len(before[t]) != kept[t]}
        print("every row kept, every old column equal" if not lost and all(
            len(before[t]) == len(after[t]) for t in before) else f"ROWS LOST OR CHANGED: {lost}")
        with open_store(path) as s:
            runner = s.list_runners()[0]
            n_sessions = len(s.list_sessions())
        print(f"the migrated store lists {n_sessions} sessions; runner {runner.name!r} has uid "
              f"{runner.uid[:8]}… and version {runner.version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
