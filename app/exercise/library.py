"""The exercise library: strength, mobility and running drills as data (``assets/exercises``).

Each ``*.toml`` file there holds ``[[exercise]]`` tables (our own wording; illustrations
are key poses drawn by ``app.exercise.figure``)::

    [[exercise]]
    id = "single_leg_squat"            # letters, digits, '_'
    name = "Single-leg squat"
    category = "strength"              # strength | mobility | control | plyometric | drill
    stage = "functional"               # isolated | functional | running
    serves = ["pelvic_drop", "knee_valgus"]   # fault ids (app.plan.faults); "general" too
    instructions = ["Stand on one leg …", "…"]  # 2–6 short steps, the runner's words
    cue = "Knee over the middle toes"  # ≤ 6 words, about the outcome
    dose = { sets = 3, reps = 8, per_side = true, per_week = 3 }  # or seconds = 30
    progression = { to = "lateral_step_down", when = "3 × 8 with the knee steady" }
    regression = { to = "side_lying_hip_abduction", when = "the knee drifts in early" }
    coached = "single_leg_squat"       # optional: camera-coached (app.exercise.engine)
    view = "front"                     # side | front: how the figure is drawn
    poses = [ { … }, { … } ]           # 1–3 key poses (app.exercise.figure)

A clinician's own files in ``<config dir>/exercises/`` add exercises or replace shipped
ones with the same ``id``; their problems are listed as sentences and the entry skipped.
Shipped problems are bugs (``ValueError``). Qt-free.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from app.errors import UserError
from app.exercise.figure import validate_pose
from app.resources import asset_path

SHIPPED_DIR = asset_path("exercises")
CATEGORIES = ("strength", "mobility", "control", "plyometric", "drill")
STAGES = ("isolated", "functional", "running")
STAGE_LABELS = {"isolated": "Isolated loading", "functional": "Functional movement",
                "running": "Running-specific"}
COACHED = ("single_leg_squat", "single_leg_balance")
MAX_CUE_WORDS = 6
_ID_RE = re.compile(r"^[a-z0-9_]{2,48}$")


@dataclass(frozen=True, slots=True)
class Dose:
    """Sets of ``reps`` repetitions or of ``seconds`` (a hold or a timed drill), per side
    or not, ``per_week`` days a week."""

    sets: int
    reps: int | None = None
    seconds: int | None = None
    per_side: bool = False
    per_week: int = 3

    @property
    def text(self) -> str:
        """'3 × 12 each side, 3×/week' / '3 × 30 s, daily'."""
        what = f"{self.reps}" if self.reps is not None else f"{self.seconds} s"
        side = " each side" if self.per_side else ""
        week = "daily" if self.per_week >= 7 else f"{self.per_week}×/week"
        return f"{self.sets} × {what}{side}, {week}"

    def problems(self) -> list[str]:
        out = []
        if not 1 <= self.sets <= 10:
            out.append("sets must be 1 to 10")
        if (self.reps is None) == (self.seconds is None):
            out.append("give either reps or seconds")
        if self.reps is not None and not 1 <= self.reps <= 100:
            out.append("reps must be 1 to 100")
        if self.seconds is not None and not 5 <= self.seconds <= 600:
            out.append("seconds must be 5 to 600")
        if not 1 <= self.per_week <= 7:
            out.append("per_week must be 1 to 7")
        return out

    def to_json(self) -> dict:
        return {"sets": self.sets, "reps": self.reps, "seconds": self.seconds,
                "per_side": self.per_side, "per_week": self.per_week}


@dataclass(frozen=True, slots=True)
class Step:
    """A progression or regression: the exercise it leads to (or '') and when."""

    to: str
    when: str


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    category: str
    stage: str
    serves: tuple[str, ...]
    instructions: tuple[str, ...]
    cue: str
    dose: Dose
    progression: Step | None
    regression: Step | None
    view: str
    poses: tuple[Mapping[str, Any], ...]
    coached: str | None = None
    source: str = "shipped"

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS[self.stage]

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "category": self.category,
                "stage": self.stage, "serves": list(self.serves),
                "instructions": list(self.instructions), "cue": self.cue,
                "dose": self.dose.to_json(), "coached": self.coached,
                "progression": None if self.progression is None else vars_(self.progression),
                "regression": None if self.regression is None else vars_(self.regression)}


def vars_(step: Step) -> dict:
    return {"to": step.to, "when": step.when}


class ExerciseError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def parse_exercise(d: Mapping[str, Any], where: str, source: str = "shipped") -> Exercise:
    """One ``[[exercise]]`` table → :class:`Exercise`; ExerciseError (sentences) if bad."""
    p: list[str] = []
    ident = str(d.get("id", ""))
    name = f"{where}: exercise {ident or '(no id)'}"
    if not _ID_RE.match(ident):
        p.append(f"{name}: id must be 2–48 lower-case letters, digits or '_'.")
    for key in ("name", "cue"):
        if not isinstance(d.get(key), str) or not d.get(key, "").strip():
            p.append(f"{name}: {key} is missing.")
    if isinstance(d.get("cue"), str) and len(d["cue"].split()) > MAX_CUE_WORDS:
        p.append(f"{name}: the cue has more than {MAX_CUE_WORDS} words.")
    if d.get("category") not in CATEGORIES:
        p.append(f"{name}: category must be one of {', '.join(CATEGORIES)}.")
    if d.get("stage") not in STAGES:
        p.append(f"{name}: stage must be one of {', '.join(STAGES)}.")
    serves = d.get("serves")
    if not isinstance(serves, list) or not serves or not all(isinstance(s, str) for s in serves):
        p.append(f"{name}: serves must list the fault ids it works on.")
        serves = []
    ins = d.get("instructions")
    if not isinstance(ins, list) or not 2 <= len(ins) <= 6 or not all(isinstance(s, str) and s.strip() for s in ins):
        p.append(f"{name}: instructions must be 2 to 6 short sentences.")
        ins = []
    dose_d = d.get("dose") if isinstance(d.get("dose"), dict) else {}
    try:
        dose = Dose(int(dose_d.get("sets", 0)), _int_or_none(dose_d.get("reps")),
                    _int_or_none(dose_d.get("seconds")), bool(dose_d.get("per_side", False)),
                    int(dose_d.get("per_week", 3)))
        p.extend(f"{name}: dose: {x}." for x in dose.problems())
    except (TypeError, ValueError):
        p.append(f"{name}: dose needs whole numbers (sets, reps or seconds, per_week).")
        dose = Dose(1, 1)
    steps = {}
    for key in ("progression", "regression"):
        v = d.get(key)
        if v is None:
            steps[key] = None
        elif isinstance(v, dict) and isinstance(v.get("when", ""), str):
            steps[key] = Step(str(v.get("to", "")), str(v.get("when", "")))
        else:
            p.append(f"{name}: {key} must be {{ to = \"id\", when = \"…\" }}.")
            steps[key] = None
    coached = d.get("coached")
    if coached is not None and coached not in COACHED:
        p.append(f"{name}: coached must be one of {', '.join(COACHED)}.")
    view = d.get("view", "side")
    poses = d.get("poses")
    if not isinstance(poses, list) or not 1 <= len(poses) <= 3 or not all(isinstance(x, dict) for x in poses):
        p.append(f"{name}: poses must be 1 to 3 key poses.")
        poses = []
    for i, pose in enumerate(poses):
        p.extend(f"{name}: pose {i + 1}: {x}." for x in validate_pose(pose, str(pose.get("view", view))))
    if p:
        raise ExerciseError(p)
    return Exercise(ident, d["name"].strip(), d["category"], d["stage"], tuple(serves),
                    tuple(s.strip() for s in ins), d["cue"].strip(), dose,
                    steps["progression"], steps["regression"], str(view),
                    tuple(dict(x) for x in poses), coached, source)


def _int_or_none(v: Any) -> int | None:
    return None if v is None else int(v)


def _load_file(path: Path, source: str) -> tuple[list[Exercise], list[str]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return [], [f"The exercise file {path} cannot be read ({exc})."]
    out, problems = [], []
    for d in data.get("exercise", []):
        try:
            out.append(parse_exercise(d, str(path.name), source))
        except ExerciseError as exc:
            problems.extend(exc.problems)
    return out, problems


def user_exercise_dir() -> Path:
    from app.config import config_dir

    return config_dir() / "exercises"


class ExerciseLibrary:
    """The shipped exercises plus the clinician's own (same id replaces)."""

    def __init__(self, exercises: Iterable[Exercise], problems: Iterable[str] = ()) -> None:
        self._e = {e.id: e for e in exercises}
        self.problems = tuple(problems)

    @classmethod
    def load(cls, shipped_dir: Path | None = None, user_dir: Path | None = None) -> "ExerciseLibrary":
        shipped = SHIPPED_DIR if shipped_dir is None else Path(shipped_dir)
        out: list[Exercise] = []
        for f in sorted(shipped.glob("*.toml")):
            ex, problems = _load_file(f, "shipped")
            if problems:
                raise ValueError(" ".join(problems))
            out.extend(ex)
        problems: list[str] = []
        user = user_exercise_dir() if user_dir is None else Path(user_dir)
        if user.is_dir():
            for f in sorted(user.glob("*.toml")):
                ex, pr = _load_file(f, "user")
                out.extend(ex)
                problems.extend(pr)
        lib = cls(out, problems)
        problems.extend(lib._dangling())
        lib.problems = tuple(problems)
        return lib

    def _dangling(self) -> list[str]:
        out = []
        for e in self._e.values():
            for key, st in (("progression", e.progression), ("regression", e.regression)):
                if st is not None and st.to and st.to not in self._e:
                    out.append(f"Exercise {e.id}: its {key} names an unknown exercise {st.to!r}.")
        return out

    def __iter__(self):
        return iter(sorted(self._e.values(), key=lambda e: (STAGES.index(e.stage), e.name)))

    def __len__(self) -> int:
        return len(self._e)

    def __contains__(self, ident: object) -> bool:
        return ident in self._e

    def get(self, ident: str) -> Exercise:
        """The exercise ``ident`` (or named so, case-insensitive); UserError otherwise."""
        if ident in self._e:
            return self._e[ident]
        low = ident.strip().lower().replace("-", "_").replace(" ", "_")
        for e in self._e.values():
            if e.id == low or e.name.lower().replace(" ", "_").replace("-", "_") == low:
                return e
        raise UserError(f"There is no exercise called {ident!r} "
                        f"(see: python -m app exercise --list).")

    def serving(self, fault: str) -> list[Exercise]:
        """Exercises that list ``fault`` in ``serves``, isolated → running-specific."""
        return [e for e in self if fault in e.serves]

    def coached(self) -> list[Exercise]:
        return [e for e in self if e.coached]


def default_library() -> ExerciseLibrary:
    """The shipped library plus the user folder's (read now: a few small files)."""
    return ExerciseLibrary.load()
