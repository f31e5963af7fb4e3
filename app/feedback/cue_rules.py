"""When to speak: bandwidth feedback on one focus fault, cooldown, praise, faded schedules.

Pure logic (no audio, no Qt, no clock of its own): feed one value of the focus metric per
step with that step's time (ns). Rules:

- one focus fault at a time (``set_focus``);
- bandwidth: a correction is spoken only after the metric has been outside its band for
  ``steps_outside`` consecutive measured steps (steps where it could not be measured are
  skipped, they neither break nor extend a run);
- cooldown: no correction within ``cooldown_s`` of the previous cue (default 15 s);
- praise: after a correction, once the metric has been back in band for ``praise_steps``
  steps (and ``praise_gap_s`` after the last cue);
- never two cues at once: nothing is spoken while ``voice_busy`` is true;
- faded schedule, chosen per block: continuous (every trigger is spoken), intermittent
  (one trigger in ``intermittent_every`` is spoken, the others are silently counted),
  none (silent block: retention / no-feedback).

Every cue the rules decide to speak is returned and kept in ``events`` as a ``CueEvent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol, Sequence

from app.feedback.cue_library import Cue, CueKind


class Schedule(str, Enum):
    """Feedback frequency for one block."""

    CONTINUOUS = "continuous"
    INTERMITTENT = "intermittent"
    NONE = "none"


def faded_schedule(n_blocks: int) -> tuple[Schedule, ...]:
    """Continuous → intermittent → none over ``n_blocks`` blocks (thirds, rounded so that
    continuous gets any extra block first, then intermittent)."""
    if n_blocks <= 0:
        return ()
    base, extra = divmod(n_blocks, 3)
    counts = [base + (1 if i < extra else 0) for i in range(3)]
    return tuple(s for s, n in zip(Schedule, counts) for _ in range(n))


#: Cue-library fault metric -> the engine's per-step metric it is measured by.
STEP_METRIC_FOR_FAULT = {"foot_strike": "foot_strike_angle_deg", "arm_crossover": "arm_crossover_pct"}


def metric_words(metric: str) -> tuple[str, str, int]:
    """(name in lower case, unit, decimals) of a fault metric for sentences:
    ('cadence', 'spm', 0), ('overstride', '% leg', 1), ('foot strike', '', 0)."""
    from app.gait.metrics import METRIC_SPECS

    if metric == "foot_strike":
        return "foot strike", "", 0
    spec = METRIC_SPECS.get(STEP_METRIC_FOR_FAULT.get(metric, metric))
    if spec is None:
        return metric.replace("_", " "), "", 1
    label = spec.label[:1].lower() + spec.label[1:]
    return label, spec.unit, 0 if spec.unit in ("spm", "ms", "% steps") else (2 if spec.unit == "" else 1)


def with_unit(number: str, unit: str) -> str:
    """'5.0°', '171 spm', '0.42' (no unit)."""
    if not unit:
        return number
    return f"{number}{unit}" if unit == "°" else f"{number} {unit}"


@dataclass(frozen=True, slots=True)
class FocusFault:
    """The fault being retrained.

    ``direction`` "high": fault when value > ``limit``; "low": fault when value < ``limit``;
    anything else is a category (e.g. foot_strike "rearfoot"): fault when value == it.
    ``limit`` is in the metric's own unit (spm, deg, % leg, ms).
    """

    metric: str
    direction: str
    limit: float | None = None

    def is_fault(self, value: float | str) -> bool:
        if self.direction == "high":
            return float(value) > float(self.limit)  # type: ignore[arg-type]
        if self.direction == "low":
            return float(value) < float(self.limit)  # type: ignore[arg-type]
        return str(value) == self.direction

    def describe(self, met: bool = True) -> str:
        """The fault in words for the cue log: 'cadence below 177 spm', 'overstride above
        15.0 % leg', 'foot strike rearfoot'; with ``met`` False the opposite ('cadence at
        or above 177 spm': back in band)."""
        name, unit, decimals = metric_words(self.metric)
        if self.direction in ("high", "low"):
            limit = with_unit(f"{self.limit:.{decimals}f}", unit)
            if self.direction == "high":
                return f"{name} {'above' if met else 'at or below'} {limit}"
            return f"{name} {'below' if met else 'at or above'} {limit}"
        return f"{name} {'' if met else 'not '}{self.direction}"

    def value_words(self, value: float | str) -> str:
        """A value of the metric with its unit: '171 spm', '12.3 % leg', 'rearfoot'."""
        if not isinstance(value, (int, float)):
            return str(value)
        _name, unit, decimals = metric_words(self.metric)
        return with_unit(f"{value:.{decimals}f}", unit)

    def __post_init__(self) -> None:
        if self.direction in ("high", "low") and self.limit is None:
            raise ValueError(f"focus {self.metric} {self.direction} needs a numeric limit")


@dataclass(frozen=True, slots=True)
class CueRuleSettings:
    """Tuning of the rules (defaults are clinical starting points, not facts)."""

    steps_outside: int = 6
    cooldown_s: float = 15.0
    praise_steps: int = 4
    praise_gap_s: float = 4.0
    intermittent_every: int = 2
    praise: bool = True


@dataclass(frozen=True, slots=True)
class CueEvent:
    """One cue the rules decided to speak: when (ns), which, and why."""

    t_ns: int
    cue_id: str
    text: str
    kind: CueKind
    metric: str
    direction: str
    value: float | str | None
    trigger: str
    schedule: Schedule
    block: int


class CueSource(Protocol):
    """What the rules need from the cue library."""

    def for_fault(self, metric: str, direction: str) -> Sequence[Cue]: ...

    def praise(self, metric: str = "") -> Sequence[Cue]: ...


class CueRules:
    """Decides, step by step, whether to speak a correction or praise (caller thread;
    typically the pose worker right after the gait engine, or the GUI thread)."""

    def __init__(self, cues: CueSource, focus: FocusFault | None = None,
                 settings: CueRuleSettings | None = None,
                 schedule: Schedule = Schedule.CONTINUOUS) -> None:
        self.cues = cues
        self.settings = settings or CueRuleSettings()
        self.schedule = schedule
        self.block = 0
        self.events: list[CueEvent] = []
        self.silent_triggers = 0  # triggers not spoken because of the schedule
        self._focus: FocusFault | None = None
        self._rotation: dict[tuple[str, str, str], int] = {}
        self._last_cue_ns: int | None = None
        self._eligible = 0
        self._reset_runs()
        if focus is not None:
            self.set_focus(focus)

    # -------------------------------------------------------------- configuration
    @property
    def focus(self) -> FocusFault | None:
        return self._focus

    def set_focus(self, focus: FocusFault | None) -> None:
        """Change the one fault being cued; counters restart (cooldown is kept)."""
        if focus is not None and not self.cues.for_fault(focus.metric, focus.direction):
            raise ValueError(f"no cue answers {focus.metric} {focus.direction}")
        self._focus = focus
        self._reset_runs()

    def start_block(self, schedule: Schedule) -> None:
        """Begin a new block with its feedback schedule; counters restart."""
        self.schedule = Schedule(schedule)
        self.block += 1
        self._eligible = 0
        self._reset_runs()

    def _reset_runs(self) -> None:
        self._outside_run = 0
        self._inside_run = 0
        self._awaiting_praise = False

    # -------------------------------------------------------------- per step
    def on_step(self, t_ns: int, value: float | str | None,
                voice_busy: bool = False) -> CueEvent | None:
        """Feed the focus metric's value for one step (None = not measurable).

        Returns the cue to speak now, or None."""
        focus = self._focus
        if focus is None or value is None:
            return None
        if focus.is_fault(value):
            self._outside_run += 1
            self._inside_run = 0
        else:
            self._inside_run += 1
            self._outside_run = 0
        if voice_busy:
            return None
        s = self.settings
        since_cue_s = (float("inf") if self._last_cue_ns is None
                       else (t_ns - self._last_cue_ns) / 1e9)

        if self._outside_run >= s.steps_outside and since_cue_s >= s.cooldown_s:
            trigger = (f"{focus.describe()} for {self._outside_run} steps "
                       f"(last {focus.value_words(value)})")
            self._outside_run = 0
            self._eligible += 1
            if not self._speaks_this_trigger():
                self.silent_triggers += 1
                self._last_cue_ns = t_ns  # a silent trigger also starts the cooldown
                return None
            cue = self._pick(self.cues.for_fault(focus.metric, focus.direction),
                             ("fix", focus.metric, focus.direction))
            self._awaiting_praise = s.praise
            return self._emit(t_ns, cue, value, trigger)

        if (self._awaiting_praise and self._inside_run >= s.praise_steps
                and since_cue_s >= s.praise_gap_s and self.schedule is not Schedule.NONE):
            pool = self.cues.praise(focus.metric)
            self._awaiting_praise = False
            if not pool:
                return None
            cue = self._pick(pool, ("praise", focus.metric, ""))
            trigger = f"back in band ({focus.describe(met=False)}) for {self._inside_run} steps"
            return self._emit(t_ns, cue, value, trigger)
        return None

    def _speaks_this_trigger(self) -> bool:
        if self.schedule is Schedule.CONTINUOUS:
            return True
        if self.schedule is Schedule.INTERMITTENT:
            k = max(1, self.settings.intermittent_every)
            return (self._eligible - 1) % k == 0
        return False

    def _pick(self, pool: Sequence[Cue], key: tuple[str, str, str]) -> Cue:
        """Rotate through the cues of a pool so the runner does not hear one phrase only."""
        i = self._rotation.get(key, 0)
        self._rotation[key] = i + 1
        return pool[i % len(pool)]

    def _emit(self, t_ns: int, cue: Cue, value: float | str, trigger: str) -> CueEvent:
        focus = self._focus
        assert focus is not None
        ev = CueEvent(t_ns=t_ns, cue_id=cue.id, text=cue.text, kind=cue.kind,
                      metric=focus.metric, direction=focus.direction,
                      value=value, trigger=trigger, schedule=self.schedule, block=self.block)
        self._last_cue_ns = t_ns
        self.events.append(ev)
        return ev

