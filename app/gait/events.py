"""Causal gait-event detection per foot (initial contact, toe-off).

Side view — the *foot velocity* method. In a frame moving with the pelvis a foot on the
ground moves backward at the belt (or walking) speed; a swinging foot moves forward.
Initial contact is the first sample at which the heel, low near the ground, moves
backward at least ``ic_belt_fraction`` of the belt speed (swing-leg retraction before
landing is slower than that, so the detector does not fire at the foot's most forward
point, as Zeni's method does). Toe-off is the first sample at which the toe has risen
``to_lift_legs`` leg lengths above its stance level, or — where the toe is lost — the end
of its belt-like backward motion.

Frontal views (rear/front) have no forward axis: contact is the foot reaching its ground
level, toe-off the toe leaving it (less precise; documented as such).

Units: positions in leg lengths (hip–ankle distance), image axes (y down), times in
seconds. Confirmation delay: initial contact is confirmed on the sample it happens; a
toe-off once the lift has lasted 2 samples and the toe has stopped moving back with the
belt, or on the last sample before ``max_to_confirm_s`` (0.15 s) after the lift began — so
every event is confirmed within 150 ms. The engine
reports each event's delay (``GaitEvent.confirmed_t_ns``).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import Enum

from app.gait.filters import percentile


@dataclass(frozen=True, slots=True)
class EventDetectorConfig:
    """Settings shared by every clip: nothing here is tuned to one recording."""

    ic_belt_fraction: float = 0.5      # heel backward speed at contact, fraction of belt speed
    to_belt_fraction: float = 0.5      # toe backward speed below this fraction = not on the belt
    to_lift_legs: float = 0.03         # toe rise above its stance level that means toe-off
    ic_ground_tol_legs: float = 0.15   # the landing foot's lowest point must be this near ground
    frontal_ic_tol_legs: float = 0.04  # frontal view: ground reached within this
    min_stance_s: float = 0.09
    min_swing_s: float = 0.12
    min_phase_fraction: float = 0.6    # a phase shorter than this × its recent median is noise
    ic_ahead_legs: float = 0.15        # a landing heel is at least this far ahead of the other
    max_to_confirm_s: float = 0.15     # a toe lift is confirmed at the latest this much later
    history_s: float = 2.0             # window for belt speed / ground level estimates
    default_belt_legs_per_s: float = 1.5


class Phase(str, Enum):
    UNKNOWN = "unknown"
    SWING = "swing"
    STANCE = "stance"


@dataclass(frozen=True, slots=True)
class FootObservation:
    """One foot in one sample, in leg lengths.

    ``heel_u``/``toe_u``: forward coordinate relative to the hip midpoint (positive =
    direction of travel; NaN in frontal views). ``heel_y``/``toe_y``: image-down
    coordinate from the image top (a static camera: the ground stays put). ``visibility`` 0..1. ``other_heel_u``:
    the other foot's heel (a landing foot is ahead of it).
    """

    t_s: float
    heel_u: float
    toe_u: float
    heel_y: float
    toe_y: float
    visibility: float
    other_heel_u: float = math.nan


@dataclass(frozen=True, slots=True)
class DetectedEvent:
    """Raw event from one foot detector: ``kind`` 'IC'|'TO', at sample time ``t_s``."""

    kind: str
    t_s: float
    confidence: float


class FootEventDetector:
    """Streaming IC/TO detector for one foot. Feed ``update`` one observation per sample."""

    def __init__(self, frontal: bool = False, config: EventDetectorConfig | None = None) -> None:
        self.cfg = config or EventDetectorConfig()
        self.frontal = frontal
        self.phase = Phase.UNKNOWN
        self._phase_t_s = -math.inf
        self._prev: FootObservation | None = None
        self._prev_toe_v: float = math.nan
        self._prev_prev_t_s: float = math.nan
        self._hist_t: deque[float] = deque()
        self._hist_heel_v: deque[float] = deque()
        self._hist_low: deque[float] = deque()
        self._stance_toe_ys: list[float] = []
        self._lift_t_s: float | None = None
        self._stance_toe_on_belt = 0
        self._toe_off_candidate = False
        self.belt_legs_per_s = self.cfg.default_belt_legs_per_s
        self.ground_y = math.nan
        self._stance_durations: deque[float] = deque(maxlen=6)
        self._swing_durations: deque[float] = deque(maxlen=6)
        self._primed = False

    def _min_duration(self, history: deque[float], floor_s: float) -> float:
        """``min_phase_fraction`` × the median of this foot's recent phase durations,
        at least ``floor_s``."""
        if len(history) < 3:
            return floor_s
        med = percentile(history, 50)
        return max(floor_s, self.cfg.min_phase_fraction * med)

    def reset(self) -> None:
        self.__init__(self.frontal, self.cfg)  # type: ignore[misc]

    def primed(self) -> "FootEventDetector":
        """A fresh detector that keeps this one's learnt estimates (belt speed, ground
        level, phase durations) — for offline analysis, so the first steps of a clip
        are not lost to warm-up."""
        new = FootEventDetector(self.frontal, self.cfg)
        new.belt_legs_per_s = self.belt_legs_per_s
        new.ground_y = self.ground_y
        new._stance_durations = deque(self._stance_durations, maxlen=6)
        new._swing_durations = deque(self._swing_durations, maxlen=6)
        new._primed = True
        return new

    # -- running estimates -------------------------------------------------------------
    def _remember(self, t_s: float, heel_v: float, low_y: float) -> None:
        self._hist_t.append(t_s)
        self._hist_heel_v.append(heel_v)
        self._hist_low.append(low_y)
        while self._hist_t and self._hist_t[0] < t_s - self.cfg.history_s:
            self._hist_t.popleft()
            self._hist_heel_v.popleft()
            self._hist_low.popleft()
        if len(self._hist_low) >= 5 and (not self._primed or len(self._hist_low) >= 30):
            ground = percentile(self._hist_low, 85)
            if not math.isnan(ground) and sum(1 for v in self._hist_low if v == v) >= 5:
                self.ground_y = ground
        if not self.frontal and len(self._hist_heel_v) >= (30 if self._primed else 8):
            neg = [v for v in self._hist_heel_v if v < 0]
            if len(neg) >= 5:
                self.belt_legs_per_s = max(0.2, -percentile(neg, 30))

    # -- main step ---------------------------------------------------------------------
    def update(self, obs: FootObservation) -> list[DetectedEvent]:
        """Process one sample; return the events it confirms (usually none)."""
        prev = self._prev
        self._prev = obs
        if prev is None or obs.t_s <= prev.t_s:
            return []
        dt = obs.t_s - prev.t_s
        heel_u = obs.heel_u
        heel_v = (heel_u - prev.heel_u) / dt
        toe_v = (obs.toe_u - prev.toe_u) / dt
        # the foot's lowest point (largest image y) of heel and toe
        low_y = max((v for v in (obs.heel_y, obs.toe_y) if v == v), default=math.nan)
        self._remember(obs.t_s, heel_v, low_y)
        events: list[DetectedEvent] = []
        since = obs.t_s - self._phase_t_s
        conf = float(min(1.0, max(0.0, obs.visibility)))
        near_ground = not math.isnan(self.ground_y) and not math.isnan(low_y) and (
            low_y >= self.ground_y - self.cfg.ic_ground_tol_legs)

        if self.phase is not Phase.STANCE:
            if self.frontal:
                landed = near_ground and low_y >= self.ground_y - self.cfg.frontal_ic_tol_legs
            else:
                landed = (near_ground and heel_v <= -self.cfg.ic_belt_fraction * self.belt_legs_per_s
                          and not obs.heel_u < obs.other_heel_u + self.cfg.ic_ahead_legs)
            if self.phase is Phase.UNKNOWN:
                # Start in a known phase: swing once the foot clearly moves forward
                # (side view) or is clearly off the ground (frontal views).
                if len(self._hist_t) >= 5:
                    if self.frontal:
                        started = not math.isnan(low_y) and not math.isnan(self.ground_y) and (
                            low_y < self.ground_y - 2 * self.cfg.to_lift_legs)
                    else:
                        started = heel_v > self.cfg.ic_belt_fraction * self.belt_legs_per_s
                        if self._primed and near_ground and (
                                heel_v <= -self.cfg.ic_belt_fraction * self.belt_legs_per_s):
                            # offline, with estimates learnt: join a stance already under way
                            self._enter(Phase.STANCE, obs.t_s)
                            self._stance_toe_ys = [obs.toe_y] if not math.isnan(obs.toe_y) else []
                            self._stance_toe_on_belt = 0
                            started = False
                    if started:
                        self._enter(Phase.SWING, obs.t_s)
            elif landed and since >= self._min_duration(self._swing_durations, self.cfg.min_swing_s):
                events.append(DetectedEvent("IC", obs.t_s, conf))
                self._enter(Phase.STANCE, obs.t_s)
                self._stance_toe_ys = [obs.toe_y] if not math.isnan(obs.toe_y) else []
                self._stance_toe_on_belt = 0
        else:
            lifted = False
            if not math.isnan(obs.toe_y):
                above = bool(self._stance_toe_ys) and (
                    obs.toe_y < self._toe_level() - self.cfg.to_lift_legs)
                # two samples in a row above the ground level: a lift, not jitter;
                # the toe-off is the first of them
                # confirmed once the toe also stops moving back with the belt: the far,
                # half-hidden foot's toe point jitters upward mid-stance, the belt does not
                lifted = above and self._lift_t_s is not None and (
                    self.frontal or math.isnan(toe_v)
                    or toe_v > -self.cfg.to_belt_fraction * self.belt_legs_per_s
                    # another sample's wait would pass the confirmation bound
                    or obs.t_s - self._lift_t_s + dt > self.cfg.max_to_confirm_s)
                if not above:
                    self._lift_t_s = None
                elif self._lift_t_s is None:
                    self._lift_t_s = obs.t_s
                if not above:
                    self._stance_toe_ys.append(obs.toe_y)
            belt = self.cfg.to_belt_fraction * self.belt_legs_per_s
            off_belt = False
            if not self.frontal and not math.isnan(toe_v):
                if toe_v <= -belt:
                    self._stance_toe_on_belt += 1
                # toe-off by velocity: two off-belt samples after a belt-like run
                off_belt = (self._stance_toe_on_belt >= 3 and toe_v > -belt
                            and self._prev_toe_v > -belt)
            min_stance = self._min_duration(self._stance_durations, self.cfg.min_stance_s)
            # the toe left the belt after the sample before the first off-belt one
            t_vel = self._prev_prev_t_s if not math.isnan(self._prev_prev_t_s) else prev.t_s
            if lifted and self._lift_t_s - self._phase_t_s >= min_stance:
                t_lift = self._lift_t_s
                events.append(DetectedEvent("TO", t_lift, conf))
                self._enter(Phase.SWING, t_lift)
            elif off_belt and t_vel - self._phase_t_s >= min_stance:
                events.append(DetectedEvent("TO", t_vel, conf * 0.8))
                self._enter(Phase.SWING, t_vel)
        self._prev_toe_v = toe_v
        self._prev_prev_t_s = prev.t_s
        return events

    def _toe_level(self) -> float:
        """The toe's height on the ground in this stance (image-down, leg lengths)."""
        return max(self._stance_toe_ys)

    def _enter(self, phase: Phase, t_s: float) -> None:
        self._lift_t_s = None
        if self.phase is Phase.STANCE and phase is Phase.SWING:
            self._stance_durations.append(t_s - self._phase_t_s)
        elif self.phase is Phase.SWING and phase is Phase.STANCE:
            self._swing_durations.append(t_s - self._phase_t_s)
        self.phase = phase
        self._phase_t_s = t_s
