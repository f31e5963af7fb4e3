"""The streaming exercise engine: PoseSample in, reps / holds and a snapshot out.

It has the gait engine's interface where the live pipeline needs it (``push`` returning
an output with ``events`` and ``steps``, ``snapshot()``, ``facing``, ``view``,
``smoothed_landmarks``), so ``app.pose.worker.LivePipeline(engine_factory=…)`` runs it on
the pose worker thread exactly like running: same capture, same pose model. Completed
reps (:class:`~app.exercise.coach.SquatRep`) or holds
(:class:`~app.exercise.coach.BalanceHold`) come out in ``steps``.

:func:`run_exercise` runs it over a whole recording (offline) and summarises per leg.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from app.exercise.coach import BalanceTimer, LegLength, SquatCounter, StanceTracker
from app.gait import metrics as m
from app.gait.filters import OneEuroFilter
from app.types import PoseSample, View

EXERCISES = {"single_leg_squat": "Single-leg squat", "single_leg_balance": "Single-leg balance"}


@dataclass(frozen=True, slots=True)
class ExerciseOutput:
    events: tuple = ()
    steps: tuple = ()


@dataclass(frozen=True)
class ExerciseSnapshot:
    """The live state for the screen. ``prompt`` is one line for the person; ``records``
    all reps or holds so far; ``depth_pct_leg`` the current squat depth; ``live_*`` the
    current (short-median) knee FPPA and pelvic drop on the standing leg; ``hold_s`` the
    running hold; ``cue``/``cue_t_ns`` the last cue raised."""

    t_ns: int
    exercise: str
    leg: str | None
    prompt: str
    records: tuple
    depth_pct_leg: float
    live_fppa_deg: float | None
    live_drop_deg: float | None
    hold_s: float
    cue: str | None
    cue_t_ns: int | None
    person_visible: bool
    cadence_spm: None = None  # the live window's HUD reads it; exercises have none
    values: dict = field(default_factory=dict)
    n_steps: int = 0


class ExerciseEngine:
    """One exercise ('single_leg_squat' or 'single_leg_balance') on a stream of poses."""

    def __init__(self, exercise: str, view: View = View.FRONT,
                 valgus_cue_deg: float = 8.0) -> None:
        if exercise not in EXERCISES:
            raise ValueError(f"unknown exercise {exercise!r}")
        self.exercise = exercise
        self.view = View(view)
        self.facing = None
        self.valgus_cue_deg = valgus_cue_deg
        self._leg = LegLength()
        self._stance = StanceTracker()
        self.squat = SquatCounter(valgus_cue_deg)
        self.balance = BalanceTimer()
        self._smoother = OneEuroFilter(min_cutoff_hz=1.5, beta=0.02)
        self.smoothed_landmarks: np.ndarray | None = None
        self.records: list = []
        self._t_ns = 0
        self._last_t_ns = -1
        self._visible = False
        self._cue: tuple[str, int] | None = None
        self._live_drop: float | None = None
        self.t0_ns: int | None = None
        self.n_samples = 0

    def push(self, sample: PoseSample) -> ExerciseOutput:
        """One sample (pose worker thread). Non-increasing times are ignored."""
        if sample.t_ns <= self._last_t_ns:
            return ExerciseOutput()
        self._last_t_ns = self._t_ns = sample.t_ns
        if self.t0_ns is None:
            self.t0_ns = sample.t_ns
        self.n_samples += 1
        t_s = sample.t_ns * 1e-9
        if sample.landmarks is None:
            self._visible = False
            return ExerciseOutput()
        self._visible = True
        lm = np.asarray(sample.landmarks, dtype=np.float64)
        disp = lm.copy()
        disp[:, :3] = self._smoother(lm[:, :3], t_s)
        self.smoothed_landmarks = disp.astype(np.float32)
        leg_px = self._leg.update(lm)
        leg = self._stance.update(lm, t_s, leg_px)
        d = m.pelvic_drop_deg(lm, leg) if leg else math.nan
        self._live_drop = None if math.isnan(d) else d
        done = None
        if self.exercise == "single_leg_squat":
            done = self.squat.update(t_s, lm, leg, leg_px)
            if self.squat.cue_fired:
                self._cue = (self.squat.cue_fired, sample.t_ns)
        else:
            done = self.balance.update(t_s, lm, leg, self._stance.since_s, leg_px)
        if done is None:
            return ExerciseOutput()
        self.records.append(done)
        return ExerciseOutput(steps=(done,))

    def finish(self) -> tuple:
        """End of stream: a running hold is closed. Returns the records completed."""
        if self.exercise != "single_leg_balance":
            return ()
        done = self.balance.finish(self._t_ns * 1e-9 if self._t_ns else None)
        if done is None:
            return ()
        self.records.append(done)
        return (done,)

    def _prompt(self, leg: str | None) -> str:
        if not self._visible:
            return "Step into view: the whole body, head to feet, facing the camera."
        if leg is None:
            return "Stand on one leg, the other foot off the floor."
        if self.exercise == "single_leg_balance":
            return f"Hold still on the {leg} leg — {self.balance.hold_s:.0f} s"
        n = sum(1 for r in self.records if r.leg == leg)
        if self.squat.in_rep:
            return f"{leg.capitalize()} leg, rep {n + 1}: slowly down, knee over the middle toes"
        return f"{leg.capitalize()} leg: {n} reps — squat down slowly"

    def snapshot(self) -> ExerciseSnapshot:
        leg = self._stance.leg if self._visible else None
        cue, cue_t = self._cue if self._cue is not None else (None, None)
        return ExerciseSnapshot(
            t_ns=self._t_ns, exercise=self.exercise, leg=leg, prompt=self._prompt(leg),
            records=tuple(self.records), depth_pct_leg=100.0 * self.squat.depth,
            live_fppa_deg=self.squat.live_fppa if leg else None,
            live_drop_deg=self._live_drop if leg else None,
            hold_s=self.balance.hold_s if self.exercise == "single_leg_balance" else 0.0,
            cue=cue, cue_t_ns=cue_t, person_visible=self._visible,
            n_steps=len(self.records))


def leg_summary(records: Iterable, exercise: str) -> dict[str, dict]:
    """Per leg: count and mean ± SD of each measured value, and left − right."""
    keys = (("knee_fppa_deg", "pelvic_drop_deg", "depth_pct_leg", "trunk_lean_deg")
            if exercise == "single_leg_squat" else
            ("hold_s", "pelvic_drop_deg", "knee_fppa_deg", "sway_rms_pct_leg"))
    out: dict[str, dict] = {}
    records = list(records)
    for leg in ("left", "right"):
        mine = [r for r in records if r.leg == leg]
        d: dict = {"n": len(mine)}
        for k in keys:
            vals = np.array([v for v in (getattr(r, k) for r in mine) if v is not None], float)
            d[k] = {"mean": round(float(vals.mean()), 2) if vals.size else None,
                    "sd": round(float(vals.std(ddof=1)), 2) if vals.size > 1 else None}
        out[leg] = d
    diff = {}
    for k in keys:
        a, b = out["left"][k]["mean"], out["right"][k]["mean"]
        diff[k] = None if a is None or b is None else round(a - b, 2)
    out["left_minus_right"] = diff
    return out


def run_exercise(samples: Iterable[PoseSample], exercise: str, view: View = View.FRONT,
                 valgus_cue_deg: float = 8.0, on_sample=None) -> dict:  # noqa: ANN001
    """Run the engine over a recording; the ``exercise --json`` document."""
    eng = ExerciseEngine(exercise, view, valgus_cue_deg)
    for s in samples:
        eng.push(s)
        if on_sample is not None:
            on_sample(s)
    eng.finish()
    return result_json(eng)


def result_json(eng: ExerciseEngine) -> dict:
    t0 = (eng.t0_ns or 0) * 1e-9
    key = "reps" if eng.exercise == "single_leg_squat" else "holds"
    return {
        "exercise": eng.exercise, "name": EXERCISES[eng.exercise], "view": eng.view.value,
        "n_samples": eng.n_samples,
        "duration_s": round(max(0, eng._t_ns - (eng.t0_ns or 0)) / 1e9, 3),
        key: [r.to_json(t0) for r in eng.records],
        "summary": leg_summary(eng.records, eng.exercise),
        "valgus_cue_deg": eng.valgus_cue_deg,
    }
