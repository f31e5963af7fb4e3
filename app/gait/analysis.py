"""Offline analysis: run the streaming engine over a whole recording and summarise it.

The same ``GaitEngine`` as live, so live and offline agree; this module only adds the
whole-clip summary (means ± SD over steps, cadence over all steps, JSON/CSV shapes).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import numpy as np

from app.gait.cadence import clip_cadence_spm
from app.gait.engine import MIN_STEPS_FOR_CADENCE, WALKING_FRONTAL_WARNING, GaitEngine
from app.gait.metrics import METRIC_SPECS, foot_strike_category
from app.gait.plausibility import slow_motion_warning
from app.types import Facing, Foot, GaitEvent, PoseSample, Quality, StepRecord, View

#: A clip where a person is found in fewer samples than this is flagged.
MIN_PERSON_FRACTION = 0.5
#: Fewer confirmed steps than this: "no gait".
MIN_STEPS_FOR_GAIT = 4
#: Offline analysis first learns belt speed, ground level and phase durations from this
#: many seconds of the clip, then runs the engine from the start with them.
PRIME_S = 3.0


@dataclass(frozen=True, slots=True)
class MetricSummary:
    """Mean ± SD of one metric over the steps where it was measurable."""

    name: str
    unit: str
    mean: float | None
    sd: float | None
    n: int
    left_mean: float | None = None
    right_mean: float | None = None


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """Whole-clip result. Times in seconds from the first sample unless named otherwise."""

    view: View
    facing: Facing | None
    fps: float
    duration_s: float
    n_samples: int
    n_person_samples: int
    t0_ns: int
    events: tuple[GaitEvent, ...]
    steps: tuple[StepRecord, ...]
    cadence_spm: float | None
    metrics: dict[str, MetricSummary]
    quality: Quality
    warnings: tuple[str, ...] = ()
    contact_ms_by_foot: dict[str, float | None] = field(default_factory=dict)
    foot_strike: str | None = None
    #: rear/front views: the camera roll found and corrected for (degrees, clockwise on
    #: screen positive; 0.0 = level or too small to correct); None in the side view
    camera_roll_deg: float | None = None

    @property
    def n_steps(self) -> int:
        return len(self.steps)

    @property
    def has_gait(self) -> bool:
        return self.cadence_spm is not None

    def event_time_s(self, ev: GaitEvent) -> float:
        return (ev.t_ns - self.t0_ns) / 1e9

    def to_json_dict(self) -> dict:
        """The ``--json`` document of ``python -m app analyze``."""
        return {
            "cadence_spm": _r(self.cadence_spm, 2),
            "n_steps": self.n_steps,
            "duration_s": _r(self.duration_s, 3),
            "view": self.view.value,
            "facing": self.facing.value if self.facing else None,
            "fps": _r(self.fps, 3),
            "events": [
                {"kind": e.kind.value, "foot": e.foot.value, "t_s": _r(self.event_time_s(e), 4),
                 "frame": e.frame_index, "confidence": _r(e.confidence, 2)}
                for e in self.events
            ],
            "steps": [self.step_dict(s) for s in self.steps],
            "metrics": {
                name: {"mean": _r(s.mean, 3), "sd": _r(s.sd, 3), "n": s.n, "unit": s.unit,
                       "left_mean": _r(s.left_mean, 3), "right_mean": _r(s.right_mean, 3)}
                for name, s in self.metrics.items()
            },
            "contact_ms_by_foot": {k: _r(v, 1) for k, v in self.contact_ms_by_foot.items()},
            "foot_strike": self.foot_strike,
            "camera_roll_deg": _r(self.camera_roll_deg, 1),
            "quality": {"overall": self.quality.value, "warnings": list(self.warnings),
                        "person_fraction": _r(self.n_person_samples / max(self.n_samples, 1), 3)},
        }

    def step_dict(self, s: StepRecord) -> dict:
        return step_row(s, self.t0_ns, s.ic_frame, s.to_frame)


def step_row(s: StepRecord, t0_ns: int, ic_frame: int | None, to_frame: int | None) -> dict:
    """One step as a flat dict (JSON/CSV row): times in seconds from ``t0_ns``, durations
    in ms, then the step's metrics (rounded)."""
    d = {
        "index": s.index, "foot": s.foot.value,
        "ic_s": _r((s.ic_t_ns - t0_ns) / 1e9, 4), "ic_frame": ic_frame,
        "to_s": _r((s.to_t_ns - t0_ns) / 1e9, 4) if s.to_t_ns is not None else None,
        "to_frame": to_frame,
        "step_time_ms": _r(s.step_time_ms, 1), "contact_ms": _r(s.contact_ms, 1),
        "flight_ms": _r(s.flight_ms, 1), "confidence": _r(s.confidence, 2),
    }
    for k, v in s.metrics.items():
        if k not in d:
            d[k] = _r(v, 3)
    return d


def camera_roll_text(roll_deg: float, short: bool = False) -> str:
    """The camera roll found in a rear/front view, for people (``roll_deg``: degrees,
    clockwise on screen positive; 0 = level or too small to correct); ``short``: whole
    degrees, for a status bar."""
    if not roll_deg:
        return "level"
    way = "clockwise" if roll_deg > 0 else "anticlockwise"
    if short:
        return f"turned {abs(roll_deg):.0f}° {way} (corrected)"
    return f"turned {abs(roll_deg):.1f}° {way}; side-to-side angles corrected for it"


def _r(v: float | None, nd: int) -> float | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return round(float(v), nd)


def analyze_samples(samples: Iterable[PoseSample], view: View = View.SIDE,
                    facing: Facing | None = None, fps: float | None = None,
                    on_sample: Callable[[PoseSample], None] | None = None) -> AnalysisResult:
    """Run the gait engine over ``samples`` (a sequence or a stream) and summarise.

    ``fps`` is the nominal rate (for reporting only; timing comes from sample times).
    ``on_sample`` is called after each sample (e.g. to write a landmark file).
    """
    view = View(view)
    engine = GaitEngine(view, facing)
    kept: list[PoseSample] | None = [] if view is not View.SIDE else None
    t0 = t_last = None
    n = 0
    samples = iter(samples)
    head = _prime_head(samples)
    engine.prime(head)
    for s in itertools.chain(head, samples):
        if t0 is None:
            t0 = s.t_ns
        t_last = s.t_ns
        n += 1
        engine.push(s)
        if kept is not None:
            kept.append(s)
        if on_sample is not None:
            on_sample(s)
    engine.finish()
    if kept and engine.roll_deg:
        # a frontal camera's roll is found only after some stances of each foot, and
        # the camera does not turn during a clip: every step again with the clip's roll
        # (the events do not depend on it, only the frontal metrics)
        engine = _rerun_with_roll(kept, view, facing, engine.roll_deg)
    t0 = t0 or 0
    duration_s = ((t_last or 0) - t0) / 1e9 + (1.0 / fps if fps else 0.0)
    if fps is None:
        fps = (n - 1) / ((t_last - t0) / 1e9) if n > 1 and t_last and t_last > t0 else 0.0
    return summarise(engine, t0, duration_s, fps)


def _prime_head(samples: Iterator[PoseSample]) -> list[PoseSample]:
    """The first ``PRIME_S`` seconds of ``samples`` (taken from the iterator), which teach
    the engine its estimates before it runs from the start."""
    head: list[PoseSample] = []
    for s in samples:
        head.append(s)
        if s.t_ns - head[0].t_ns >= PRIME_S * 1e9:
            break
    return head


def _rerun_with_roll(samples: list[PoseSample], view: View, facing: Facing | None,
                     roll_deg: float) -> GaitEngine:
    """The engine run over ``samples`` again with the camera roll fixed at ``roll_deg``."""
    engine = GaitEngine(view, facing)
    engine.fixed_roll_deg = roll_deg
    engine.prime(_prime_head(iter(samples)))
    for s in samples:
        engine.push(s)
    engine.finish()
    return engine


def summarise(engine: GaitEngine, t0_ns: int, duration_s: float, fps: float) -> AnalysisResult:
    """Whole-clip summary of an engine that has seen a recording."""
    steps = tuple(engine.steps)
    events = tuple(engine.events)
    cad, _ = clip_cadence_spm([(s.ic_t_ns / 1e9, s.step_time_ms) for s in steps], MIN_STEPS_FOR_CADENCE)
    warnings: list[str] = []
    person_fraction = engine.n_person_samples / max(engine.n_samples, 1)
    if engine.n_person_samples == 0:
        warnings.append("no person was found in the recording")
    elif person_fraction < MIN_PERSON_FRACTION:
        warnings.append(f"a person was found in only {person_fraction:.0%} of the frames")
    if len(steps) < MIN_STEPS_FOR_GAIT:
        cad = None
        if engine.n_person_samples:
            warnings.append("no running or walking steps were found")
    if engine.view is View.SIDE and engine.facing is None and engine.n_person_samples:
        warnings.append("could not tell which way the runner faces; pass --facing")
    low = sum(1 for s in steps if s.confidence < 0.5)
    if steps and low / len(steps) > 0.3:
        warnings.append(f"{low} of {len(steps)} steps have low landmark confidence")
    slow_motion = slow_motion_warning(steps, fps) if cad is not None else None
    if steps and not slow_motion and engine.walking_seen_frontally(cad):
        warnings.append(WALKING_FRONTAL_WARNING)
    if slow_motion:
        warnings.insert(0, slow_motion)  # leads the summary and the JSON quality
    metrics: dict[str, MetricSummary] = {}
    for name, spec in METRIC_SPECS.items():
        if engine.view not in spec.views or not spec.per_step:
            continue
        vals = [(s.foot, s.metrics.get(name)) for s in steps]
        vals = [(f, v) for f, v in vals if v is not None and not math.isnan(v)]
        arr = np.array([v for _, v in vals], float)
        by = {f: [v for ff, v in vals if ff is f] for f in Foot}
        metrics[name] = MetricSummary(
            name, spec.unit,
            float(arr.mean()) if arr.size else None,
            float(arr.std(ddof=1)) if arr.size > 1 else None,
            int(arr.size),
            float(np.mean(by[Foot.LEFT])) if by[Foot.LEFT] else None,
            float(np.mean(by[Foot.RIGHT])) if by[Foot.RIGHT] else None,
        )
    cm = metrics.get("contact_ms")
    contact = {"left": cm.left_mean if cm else None, "right": cm.right_mean if cm else None}
    strike = None
    fsa = metrics.get("foot_strike_angle_deg")
    if fsa is not None and fsa.mean is not None:
        strike = foot_strike_category(fsa.mean)
    if cad is None:
        quality = Quality.UNAVAILABLE
    elif warnings:
        quality = Quality.LOW
    else:
        quality = Quality.GOOD
    return AnalysisResult(
        view=engine.view, facing=engine.facing, fps=float(fps), duration_s=float(duration_s),
        n_samples=engine.n_samples, n_person_samples=engine.n_person_samples, t0_ns=t0_ns,
        events=events, steps=steps, cadence_spm=cad, metrics=metrics, quality=quality,
        warnings=tuple(warnings), contact_ms_by_foot=contact, foot_strike=strike,
        camera_roll_deg=float(engine.roll_deg) if engine.frontal else None,
    )

