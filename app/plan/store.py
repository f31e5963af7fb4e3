"""Programmes, home-practice ticks and the load log in the session store (schema v4,
``app/session/migrations.py``): tables ``programmes`` + ``programme_items``,
``practice_log`` and ``load_log``.

:class:`PlanStore` works on an open :class:`app.session.store.SessionStore` and its
connection (same thread rule: one connection per thread). A runner has at most one
*active* programme; saving a new one keeps the older ones as history. Bad ids and values
raise :class:`app.errors.UserError` with one sentence.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from app.errors import UserError
from app.plan.load import LoadWeek, Reassessment, check_entry, monday, reassessment
from app.plan.programme import Programme
from app.session.records import utc_now
from app.session.store import _json  # the store's forgiving JSON-object reader


class PlanStore:
    """The plan tables of one open session store (use on the store's thread)."""

    def __init__(self, store) -> None:  # noqa: ANN001 - app.session.store.SessionStore
        self.store = store
        self._db = store._db  # same package family: the store owns the one connection

    # ------------------------------------------------------------ programmes
    def save_programme(self, runner_id: int, prog: Programme) -> Programme:
        """Store ``prog`` with the runner: update it when it has an id of this runner,
        else insert it as the runner's active programme (older ones become history)."""
        self.store.get_runner(runner_id)
        now = utc_now()
        cols = {"baseline_date": prog.baseline_date, "reassess_due": prog.reassess_due,
                "primary_fault": prog.primary, "chain": prog.chain, "template": prog.template,
                "plan": prog.plan, "source": prog.source, "source_session": prog.source_session,
                "notes": prog.notes, "picture_json": json.dumps(dict(prog.picture)),
                "updated_utc": now}
        with self.store._tx() as db:
            pid = prog.id
            row = None if pid is None else db.execute(
                "SELECT runner_id FROM programmes WHERE id = ?", (pid,)).fetchone()
            if row is not None and row["runner_id"] == runner_id:
                db.execute(f"UPDATE programmes SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?",
                           (*cols.values(), pid))
            else:
                db.execute("UPDATE programmes SET active = 0 WHERE runner_id = ?", (runner_id,))
                cols.update(runner_id=runner_id, created_utc=now, active=1)
                cur = db.execute(f"INSERT INTO programmes ({', '.join(cols)}) VALUES "
                                 f"({', '.join('?' * len(cols))})", tuple(cols.values()))
                pid = int(cur.lastrowid)
            db.execute("DELETE FROM programme_items WHERE programme_id = ?", (pid,))
            db.executemany(
                "INSERT INTO programme_items (programme_id, idx, exercise_id, sets, reps, seconds,"
                " per_side, per_week, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(pid, i, it.exercise_id, it.dose.sets, it.dose.reps, it.dose.seconds,
                  int(it.dose.per_side), it.dose.per_week, it.note) for i, it in enumerate(prog.items)])
        return self.programme(pid)

    def programme(self, programme_id: int) -> Programme:
        row = self._db.execute("SELECT * FROM programmes WHERE id = ?", (programme_id,)).fetchone()
        if row is None:
            raise UserError(f"There is no programme with id {programme_id}.")
        items = self._db.execute("SELECT * FROM programme_items WHERE programme_id = ? ORDER BY idx",
                                 (programme_id,)).fetchall()
        return Programme.from_json({
            "id": row["id"], "created": row["created_utc"][:10], "baseline_date": row["baseline_date"],
            "reassess_due": row["reassess_due"], "primary": row["primary_fault"],
            "chain": row["chain"], "template": row["template"], "plan": row["plan"],
            "source": row["source"], "source_session": row["source_session"],
            "notes": row["notes"], "picture": _json(row["picture_json"]),
            "exercises": [{"exercise": r["exercise_id"], "sets": r["sets"], "reps": r["reps"],
                           "seconds": r["seconds"], "per_side": bool(r["per_side"]),
                           "per_week": r["per_week"], "note": r["note"]} for r in items]})

    def active_programme(self, runner_id: int) -> Programme | None:
        """The runner's current programme, or None."""
        row = self._db.execute("SELECT id FROM programmes WHERE runner_id = ? AND active = 1 "
                               "ORDER BY created_utc DESC, id DESC LIMIT 1", (runner_id,)).fetchone()
        return None if row is None else self.programme(int(row["id"]))

    def programmes(self, runner_id: int) -> list[Programme]:
        """All the runner's programmes, newest first."""
        rows = self._db.execute("SELECT id FROM programmes WHERE runner_id = ? "
                                "ORDER BY created_utc DESC, id DESC", (runner_id,)).fetchall()
        return [self.programme(int(r["id"])) for r in rows]

    def runner_of(self, programme_id: int) -> int:
        row = self._db.execute("SELECT runner_id FROM programmes WHERE id = ?", (programme_id,)).fetchone()
        if row is None:
            raise UserError(f"There is no programme with id {programme_id}.")
        return int(row["runner_id"])

    # ------------------------------------------------------------ home practice
    def tick(self, programme_id: int, exercise_id: str, day: _dt.date,
             result: dict[str, Any] | None = None) -> None:
        """Mark ``exercise_id`` done on ``day`` (again: replaces the result)."""
        prog = self.programme(programme_id)
        prog.item(exercise_id)
        with self.store._tx() as db:
            db.execute("INSERT INTO practice_log (programme_id, exercise_id, day, result_json, created_utc)"
                       " VALUES (?, ?, ?, ?, ?) ON CONFLICT (programme_id, exercise_id, day) DO UPDATE"
                       " SET result_json = excluded.result_json",
                       (programme_id, exercise_id, day.isoformat(), json.dumps(result or {}), utc_now()))

    def untick(self, programme_id: int, exercise_id: str, day: _dt.date) -> None:
        with self.store._tx() as db:
            db.execute("DELETE FROM practice_log WHERE programme_id = ? AND exercise_id = ? AND day = ?",
                       (programme_id, exercise_id, day.isoformat()))

    def ticks(self, programme_id: int, since: _dt.date | None = None,
              until: _dt.date | None = None) -> dict[tuple[str, _dt.date], dict]:
        """(exercise id, day) -> stored result, for days in [since, until]."""
        rows = self._db.execute("SELECT exercise_id, day, result_json FROM practice_log "
                                "WHERE programme_id = ? AND day >= ? AND day <= ?",
                                (programme_id, (since or _dt.date.min).isoformat(),
                                 (until or _dt.date.max).isoformat())).fetchall()
        return {(r["exercise_id"], _dt.date.fromisoformat(r["day"])): _json(r["result_json"]) for r in rows}

    # ------------------------------------------------------------ load log
    def set_load(self, runner_id: int, week: _dt.date, volume: float, unit: str, pain: int,
                 notes: str = "") -> LoadWeek:
        """Enter (or replace) one week of the runner's load log; ``week`` may be any day
        of it (stored as its Monday)."""
        self.store.get_runner(runner_id)
        problems = check_entry(volume, unit, pain)
        if problems:
            raise UserError(" ".join(problems))
        wk = monday(week)
        with self.store._tx() as db:
            db.execute("INSERT OR REPLACE INTO load_log (runner_id, week_start, volume, unit, pain,"
                       " notes, updated_utc) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (runner_id, wk.isoformat(), float(volume), unit, int(pain), notes, utc_now()))
        return LoadWeek(wk, float(volume), unit, int(pain), notes)

    def delete_load(self, runner_id: int, week: _dt.date) -> None:
        with self.store._tx() as db:
            db.execute("DELETE FROM load_log WHERE runner_id = ? AND week_start = ?",
                       (runner_id, monday(week).isoformat()))

    def load_log(self, runner_id: int) -> list[LoadWeek]:
        """The runner's weeks, oldest first."""
        rows = self._db.execute("SELECT * FROM load_log WHERE runner_id = ? ORDER BY week_start",
                                (runner_id,)).fetchall()
        return [LoadWeek(_dt.date.fromisoformat(r["week_start"]), float(r["volume"]), r["unit"],
                         int(r["pain"]), r["notes"]) for r in rows]

    # ------------------------------------------------------------ reassessment
    def reassessment(self, runner_id: int, today: _dt.date | None = None) -> Reassessment | None:
        """The active programme's reassessment state (None without a programme)."""
        prog = self.active_programme(runner_id)
        if prog is None:
            return None
        sessions = []
        for s in self.store.list_sessions(runner_id):
            if s.started is not None and s.id != prog.source_session:
                sessions.append((s.id, s.started.astimezone().date()))
        return reassessment(_dt.date.fromisoformat(prog.baseline_date),
                            _dt.date.fromisoformat(prog.reassess_due), sessions, today)

