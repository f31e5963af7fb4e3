"""Programmes, home-practice ticks and the load log in the session store (schema v4,
``app/session/migrations.py``): tables ``programmes`` + ``programme_items``,
``practice_log`` and ``load_log``.

:class:`PlanStore` works on an open :class:`app.session.store.SessionStore` and its
engine (usable from any thread). A runner has at most one
*active* programme; saving a new one keeps the older ones as history. Bad ids and values
raise :class:`app.errors.UserError` with one sentence.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

import sqlalchemy as sa

from app.errors import UserError
from app.plan.load import LoadWeek, Reassessment, check_entry, monday, reassessment
from app.plan.programme import Programme
from app.session import schema as t
from app.session.records import utc_now
from app.session.store import _json, upsert  # the store's forgiving JSON reader, its upsert

_P, _I, _PL, _L = t.programmes, t.programme_items, t.practice_log, t.load_log


class PlanStore:
    """The plan tables of one open session store (any thread, like the store)."""

    def __init__(self, store) -> None:  # noqa: ANN001 - app.session.store.SessionStore
        self.store = store

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
        with self.store._tx() as c:
            pid = prog.id
            owner = None if pid is None else c.execute(
                sa.select(_P.c.runner_id).where(_P.c.id == pid)).scalar()
            if owner is not None and owner == runner_id:
                c.execute(_P.update().where(_P.c.id == pid).values(**cols))
            else:
                c.execute(_P.update().where(_P.c.runner_id == runner_id).values(active=0))
                pid = c.execute(_P.insert().values(runner_id=runner_id, created_utc=now, active=1,
                                                   **cols)).inserted_primary_key[0]
            c.execute(_I.delete().where(_I.c.programme_id == pid))
            items = [dict(programme_id=pid, idx=i, exercise_id=it.exercise_id, sets=it.dose.sets,
                          reps=it.dose.reps, seconds=it.dose.seconds, per_side=int(it.dose.per_side),
                          per_week=it.dose.per_week, note=it.note) for i, it in enumerate(prog.items)]
            if items:
                c.execute(_I.insert(), items)
        return self.programme(int(pid))

    def programme(self, programme_id: int) -> Programme:
        row = self.store._one(sa.select(_P).where(_P.c.id == programme_id))
        if row is None:
            raise UserError(f"There is no programme with id {programme_id}.")
        items = self.store._all(sa.select(_I).where(_I.c.programme_id == programme_id).order_by(_I.c.idx))
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
        row = self.store._one(sa.select(_P.c.id).where(_P.c.runner_id == runner_id, _P.c.active == 1)
                              .order_by(_P.c.created_utc.desc(), _P.c.id.desc()).limit(1))
        return None if row is None else self.programme(int(row["id"]))

    def programmes(self, runner_id: int) -> list[Programme]:
        """All the runner's programmes, newest first."""
        rows = self.store._all(sa.select(_P.c.id).where(_P.c.runner_id == runner_id)
                               .order_by(_P.c.created_utc.desc(), _P.c.id.desc()))
        return [self.programme(int(r["id"])) for r in rows]

    def runner_of(self, programme_id: int) -> int:
        row = self.store._one(sa.select(_P.c.runner_id).where(_P.c.id == programme_id))
        if row is None:
            raise UserError(f"There is no programme with id {programme_id}.")
        return int(row["runner_id"])

    # ------------------------------------------------------------ home practice
    def tick(self, programme_id: int, exercise_id: str, day: _dt.date,
             result: dict[str, Any] | None = None) -> None:
        """Mark ``exercise_id`` done on ``day`` (again: replaces the result)."""
        prog = self.programme(programme_id)
        prog.item(exercise_id)
        with self.store._tx() as c:
            upsert(c, _PL, dict(programme_id=programme_id, exercise_id=exercise_id, day=day.isoformat(),
                                result_json=json.dumps(result or {}), created_utc=utc_now()),
                   ("programme_id", "exercise_id", "day"), update=("result_json",))

    def untick(self, programme_id: int, exercise_id: str, day: _dt.date) -> None:
        with self.store._tx() as c:
            c.execute(_PL.delete().where(_PL.c.programme_id == programme_id,
                                         _PL.c.exercise_id == exercise_id, _PL.c.day == day.isoformat()))

    def ticks(self, programme_id: int, since: _dt.date | None = None,
              until: _dt.date | None = None) -> dict[tuple[str, _dt.date], dict]:
        """(exercise id, day) -> stored result, for days in [since, until]."""
        rows = self.store._all(sa.select(_PL.c.exercise_id, _PL.c.day, _PL.c.result_json).where(
            _PL.c.programme_id == programme_id, _PL.c.day >= (since or _dt.date.min).isoformat(),
            _PL.c.day <= (until or _dt.date.max).isoformat()))
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
        with self.store._tx() as c:
            upsert(c, _L, dict(runner_id=runner_id, week_start=wk.isoformat(), volume=float(volume),
                               unit=unit, pain=int(pain), notes=notes, updated_utc=utc_now()),
                   ("runner_id", "week_start"))
        return LoadWeek(wk, float(volume), unit, int(pain), notes)

    def delete_load(self, runner_id: int, week: _dt.date) -> None:
        with self.store._tx() as c:
            c.execute(_L.delete().where(_L.c.runner_id == runner_id,
                                        _L.c.week_start == monday(week).isoformat()))

    def load_log(self, runner_id: int) -> list[LoadWeek]:
        """The runner's weeks, oldest first."""
        rows = self.store._all(sa.select(_L).where(_L.c.runner_id == runner_id).order_by(_L.c.week_start))
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

