"""The programme: a retraining template plus 3–6 exercises, proposed from the clinical
picture and edited by the clinician (add, remove, dosage).

:func:`propose` picks, for the primary fault, exercises from the library that serve it
(and its compensations), covering the stages in order — isolated loading → functional
movement → running-specific — because a new running pattern needs the strength to hold
it. A runner with no primary fault gets a short general programme (optional).

A :class:`Programme` is immutable; the edit methods return a new one. JSON round-trips
(:meth:`Programme.to_json` / :meth:`Programme.from_json`) — the session store keeps it
with the runner (``app.session.plan_store``). Qt-free.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from app.errors import UserError
from app.exercise.library import STAGES, Dose, Exercise, ExerciseLibrary
from app.plan.faults import CHAINS, FAULTS

#: Weeks from the baseline to the reassessment.
REASSESS_WEEKS = 6
MIN_ITEMS, MAX_ITEMS, DEFAULT_ITEMS = 3, 6, 5
GENERAL = "general"


@dataclass(frozen=True, slots=True)
class ProgrammeItem:
    """One exercise with its dose and a note for the runner."""

    exercise_id: str
    dose: Dose
    note: str = ""

    def to_json(self) -> dict:
        return {"exercise": self.exercise_id, **self.dose.to_json(), "note": self.note}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "ProgrammeItem":
        dose = Dose(int(d["sets"]), _opt_int(d.get("reps")), _opt_int(d.get("seconds")),
                    bool(d.get("per_side", False)), int(d.get("per_week", 3)))
        return cls(str(d["exercise"]), dose, str(d.get("note") or ""))


def _opt_int(v: Any) -> int | None:
    return None if v is None else int(v)


@dataclass(frozen=True)
class Programme:
    """What the runner does between assessments. Dates are ISO ``YYYY-MM-DD``.

    ``primary``: the primary fault id (None: no primary fault); ``template``: the
    retraining protocol template (``protocols/templates``) and ``plan`` its multi-session
    plan when one is shipped; ``picture``: the clinical picture's JSON it came from.
    """

    items: tuple[ProgrammeItem, ...]
    created: str
    baseline_date: str
    reassess_due: str
    primary: str | None = None
    chain: str | None = None
    template: str | None = None
    plan: str | None = None
    source: str = ""
    source_session: str | None = None
    notes: str = ""
    picture: Mapping[str, Any] = field(default_factory=dict)
    id: int | None = None

    # ------------------------------------------------------------------ reading
    @property
    def exercise_ids(self) -> tuple[str, ...]:
        return tuple(i.exercise_id for i in self.items)

    def item(self, exercise_id: str) -> ProgrammeItem:
        for it in self.items:
            if it.exercise_id == exercise_id:
                return it
        raise UserError(f"The programme has no exercise {exercise_id!r}.")

    @property
    def focus_text(self) -> str:
        """'Primary fault: pelvic drop — retraining template hip_drop' or the no-fault line."""
        if self.primary is None:
            return "No primary fault: a general strength programme to keep running well."
        f = FAULTS.get(self.primary)
        label = f.label if f else self.primary
        tmpl = f" — retraining template “{self.template}”" if self.template else ""
        return f"Primary fault: {label.lower()}{tmpl}"

    # ------------------------------------------------------------------ editing
    def with_exercise(self, ex: Exercise, dose: Dose | None = None, note: str = "") -> "Programme":
        """Add ``ex`` (its library dose unless ``dose``) at its stage's place."""
        if ex.id in self.exercise_ids:
            raise UserError(f"{ex.name} is already in the programme.")
        if len(self.items) >= 12:
            raise UserError("A programme holds at most 12 exercises.")
        return replace(self, items=self.items + (ProgrammeItem(ex.id, dose or ex.dose, note),))

    def without(self, exercise_id: str) -> "Programme":
        self.item(exercise_id)
        return replace(self, items=tuple(i for i in self.items if i.exercise_id != exercise_id))

    def with_dose(self, exercise_id: str, *, sets: int | None = None, reps: int | None = None,
                  seconds: int | None = None, per_week: int | None = None,
                  note: str | None = None) -> "Programme":
        """Change the dose of one exercise; UserError with a sentence when out of range.
        Giving ``reps`` drops ``seconds`` and the other way round."""
        it = self.item(exercise_id)
        d = it.dose
        if reps is not None:
            d = replace(d, reps=reps, seconds=None)
        if seconds is not None:
            d = replace(d, seconds=seconds, reps=None)
        if sets is not None:
            d = replace(d, sets=sets)
        if per_week is not None:
            d = replace(d, per_week=per_week)
        problems = d.problems()
        if problems:
            raise UserError(f"Dose of {exercise_id}: {'; '.join(problems)}.")
        new = replace(it, dose=d, note=it.note if note is None else note)
        return replace(self, items=tuple(new if i is it else i for i in self.items))

    def moved(self, exercise_id: str, delta: int) -> "Programme":
        """Move one exercise up (delta < 0) or down the list."""
        items = list(self.items)
        i = items.index(self.item(exercise_id))
        j = max(0, min(len(items) - 1, i + delta))
        items.insert(j, items.pop(i))
        return replace(self, items=tuple(items))

    # ------------------------------------------------------------------ JSON
    def to_json(self) -> dict:
        return {"format": 1, "id": self.id, "created": self.created,
                "baseline_date": self.baseline_date, "reassess_due": self.reassess_due,
                "primary": self.primary, "chain": self.chain, "template": self.template,
                "plan": self.plan, "source": self.source, "source_session": self.source_session,
                "notes": self.notes, "exercises": [i.to_json() for i in self.items],
                "picture": dict(self.picture)}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "Programme":
        try:
            items = tuple(ProgrammeItem.from_json(x) for x in d.get("exercises") or ())
            return cls(items=items, created=str(d["created"]), baseline_date=str(d["baseline_date"]),
                       reassess_due=str(d["reassess_due"]), primary=d.get("primary"),
                       chain=d.get("chain"), template=d.get("template"), plan=d.get("plan"),
                       source=str(d.get("source") or ""), source_session=d.get("source_session"),
                       notes=str(d.get("notes") or ""), picture=dict(d.get("picture") or {}),
                       id=d.get("id"))
        except (KeyError, TypeError, ValueError) as exc:
            raise UserError(f"The stored programme cannot be read ({exc}).") from None


# ---------------------------------------------------------------------------- proposal
def reassess_date(baseline: _dt.date) -> _dt.date:
    """The reassessment due date: 6 weeks after the baseline."""
    return baseline + _dt.timedelta(weeks=REASSESS_WEEKS)


def _score(ex: Exercise, primary: str, comps: list[str], others: list[str]) -> float:
    s = 3.0 if primary in ex.serves else 0.0
    s += sum(1.0 for c in comps if c in ex.serves)
    s += sum(0.5 for o in others if o in ex.serves)
    return s + (0.25 if ex.coached else 0.0)


def select_exercises(library: ExerciseLibrary, primary: str | None, comps: list[str] = (),
                     others: list[str] = (), count: int = DEFAULT_ITEMS) -> list[Exercise]:
    """``count`` exercises (3–6) for ``primary`` (None: general ones), one per stage first
    (isolated → functional → running-specific), then by how many flagged faults each
    serves; returned in stage order."""
    count = max(MIN_ITEMS, min(MAX_ITEMS, count))
    comps, others = list(comps), list(others)
    if primary is None:
        pool = [(1.0 + (0.25 if e.coached else 0.0), e) for e in library if GENERAL in e.serves]
        count = MIN_ITEMS
    else:
        pool = [(_score(e, primary, comps, others), e) for e in library]
        pool = [(s, e) for s, e in pool if s >= 3.0]
        if len(pool) < MIN_ITEMS:  # too few for the fault itself: its chain's exercises
            chain = FAULTS[primary].chain
            mates = [f.id for f in FAULTS.values() if f.chain == chain and f.id != primary]
            extra = [(1.0 + sum(0.5 for m in mates if m in e.serves), e) for e in library
                     if any(m in e.serves for m in mates) and e not in [x for _, x in pool]]
            pool += sorted(extra, key=lambda t: -t[0])[:MIN_ITEMS - len(pool)]
    pool.sort(key=lambda t: (-t[0], t[1].id))
    chosen: list[Exercise] = []
    for stage in STAGES:  # the best of each stage first
        best = next((e for _, e in pool if e.stage == stage and e not in chosen), None)
        if best is not None and len(chosen) < count:
            chosen.append(best)
    for _, e in pool:
        if len(chosen) >= count:
            break
        if e not in chosen:
            chosen.append(e)
    chosen.sort(key=lambda e: STAGES.index(e.stage))
    return chosen


def propose(picture, library: ExerciseLibrary, *, today: _dt.date | None = None,  # noqa: ANN001
            baseline: _dt.date | None = None, count: int = DEFAULT_ITEMS,
            source: str = "", source_session: str | None = None) -> Programme:
    """The proposed programme for a :class:`app.plan.picture.ClinicalPicture`."""
    today = today or _dt.date.today()
    baseline = baseline or today
    primary = picture.primary.fault.id if picture.primary is not None else None
    comps = [f.fault.id for f in picture.compensations]
    others = [f.fault.id for f in picture.other_findings]
    exs = select_exercises(library, primary, comps, others, count)
    template = plan = None
    if primary is not None:
        template = FAULTS[primary].template
        plan = _plan_for(template)
    items = tuple(ProgrammeItem(e.id, e.dose) for e in exs)
    return Programme(items=items, created=today.isoformat(), baseline_date=baseline.isoformat(),
                     reassess_due=reassess_date(baseline).isoformat(), primary=primary,
                     chain=CHAINS[picture.chain.id].id if picture.chain else None,
                     template=template, plan=plan, source=source, source_session=source_session,
                     picture=picture.to_json())


def _plan_for(template: str) -> str | None:
    """The shipped/user multi-session plan using ``template`` (e.g. hip_drop_2w), if any."""
    from app.protocol.plan import load_plans
    from app.protocol.templates import TemplateError

    try:
        plans, _ = load_plans()
    except (TemplateError, ValueError, OSError):
        return None  # a broken plan file must not stop a proposal
    for name in sorted(plans):
        sessions = plans[name].sessions
        if sessions and all(s.template == template for s in sessions):
            return name
    return None
