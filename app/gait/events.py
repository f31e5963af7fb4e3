"""Causal gait-event detection per foot (initial contact, toe-off), timed between frames.

The detectors see each foot through :class:`FootObservation` s that the engine has
smoothed with a centred local fit (``app.gait.smoothing.LocalFit``): positions *and*
velocities, ``k`` samples late (40 ms). Every event time is interpolated between two
samples where its signal crosses its threshold, so events are timed to a fraction of a
frame and the smoothing adds no lag.

Side view — the *foot velocity* method. In a frame moving with the pelvis a foot on the
ground moves backward at the belt (or walking) speed; a swinging foot moves forward.
Initial contact is where the heel, low near the ground and ahead of the other heel, first
moves backward at ``ic_belt_fraction`` (0.65) of the belt speed: swing-leg retraction
before landing is slower than that, so the detector does not fire at the foot's most
forward point, as Zeni's method does, and a lag-free velocity crosses 0.65 about when the
heel's speed steps from the retraction's to the belt's (0.5 was right for the earlier
backward differences, which lagged by a frame). Toe-off is where the toe leaves its stance
track: confirmed once it is ``to_lift_legs`` above it, timed where its rise crossed
``to_time_lift_legs`` ("clearly off", as the annotation of the real clips has it); or,
where the toe is lost, where it stops moving back with the belt.

Frontal views (rear/front) are in ``app.gait.events_frontal``; or, where the pose has
usable depth, timed here with the depth as the forward axis (``track_slope``), each
contact then moved to where the heel's unsmoothed depth joins its line on the belt,
learnt over the foot's recent contacts (``DEPTH_CONTACT_*``).

Units: positions in leg lengths (hip–ankle distance), image axes (y down), times in
seconds. Confirmation delay: a contact is confirmed on the smoothed sample after its
crossing (the smoothing's 40 ms plus at most a frame); a toe-off at the latest
``max_to_confirm_s`` (0.15 s) after its rise on the smoothed samples, so within 0.2 s.
The engine reports each event's delay (``GaitEvent.confirmed_t_ns``).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import Enum

import numpy as np

from app.gait.filters import percentile
from app.gait.kink import pooled_kink_fit


@dataclass(frozen=True, slots=True)
class EventDetectorConfig:
    """Settings shared by every clip: nothing here is tuned to one recording."""

    ic_belt_fraction: float = 0.65     # heel backward speed at contact, fraction of belt speed
    # frontal views time contact through the pose model's depth, smoothed over twice the
    # span: its velocity step is spread wider, so its midpoint lies lower
    ic_belt_fraction_depth: float = 0.5
    to_belt_fraction: float = 0.5      # toe backward speed below this fraction = not on the belt
    to_lift_legs: float = 0.03         # toe rise above its stance track that confirms toe-off
    to_time_lift_legs: float = 0.02    # ...timed where the rise crossed this ("clearly off")
    ic_ground_tol_legs: float = 0.15   # the landing foot's lowest point must be this near ground
    frontal_land_tol_legs: float = 0.015  # frontal: the heel within this of its landing height
    min_stance_s: float = 0.09
    min_swing_s: float = 0.12
    min_phase_fraction: float = 0.6    # a phase shorter than this × its recent median is noise
    ic_ahead_legs: float = 0.15        # a landing heel is at least this far ahead of the other
    max_to_confirm_s: float = 0.15     # a toe lift is confirmed at the latest this much later
    history_s: float = 2.0             # window for belt speed / ground level estimates
    default_belt_legs_per_s: float = 1.5


#: Depth path (frontal views through the pose model's depth): the smoothed velocity
#: crosses its threshold at a time that depends on the heel's approach (smoothed over
#: ±80 ms, a step from the swing's retraction to the belt's speed is spread wide; on the
#: synthetic runner, whose heel retracts at half the belt speed, contacts came 7-9 ms
#: early at 30-240 fps). So each foot's recent contacts measure that shift: the heel's
#: unsmoothed depth from ``DEPTH_CONTACT_BEFORE_S`` before to ``DEPTH_CONTACT_AFTER_S``
#: after each crossing (the heel is on the belt, a straight line, ~120 ms in a running
#: stance), the last ``DEPTH_CONTACT_STEPS`` pooled into one fit of a curve joining a
#: straight line (:func:`pooled_kink_fit`, searched within ±``DEPTH_CONTACT_SEARCH_S`` of
#: the crossings); the breakpoint is added to each new crossing (confirmed as before:
#: only its time moves). One contact's fit alone was too noisy (median |error| 5-7 ms at
#: 60-240 fps with 3 px of depth noise; 20-24 ms on the C3D walk with 6 px).
DEPTH_CONTACT_BEFORE_S = 0.1
DEPTH_CONTACT_AFTER_S = 0.1
DEPTH_CONTACT_SEARCH_S = 0.04
DEPTH_CONTACT_STEPS = 8
#: seconds of unsmoothed depth kept (the stretch, and the local fit's lag)
DEPTH_CONTACT_KEEP_S = 0.4
#: ...and added only where the heel shows a corner: its velocity steps down by at least
#: this fraction of the belt speed at the breakpoint (the synthetic runner: 0.6-0.9; the
#: C3D walker's heel joins the belt speed smoothly, |step| ≤ 0.02 legs/s, and its
#: crossing is right as it is, +2 ms), and the breakpoint is pinned within the search
#: (its 95 % interval inside it; at 30 fps or on the noisy walk it often is not)
DEPTH_CORNER_MIN_BELT = 0.25
#: ...and by at least this many of its standard errors: with pose noise a corner fitted
#: where there is none passed the belt-speed test (the C3D walk from the front, 2 px and
#: 6 px of depth: 3-10 of ~25 contacts in 4 of 8 noise draws moved 15-31 ms early)
DEPTH_CORNER_MIN_T = 3.0
#: ...and by at most this many belt speeds: the step is the belt's speed minus the heel's
#: just before contact, so more than one belt speed means a heel landing while it still
#: moves forward, by 0.25 belt speed here (a runner's heel retracts, moving back before
#: it lands; the synthetic runner steps 0.6-0.9). The C3D walk's noise-made corners
#: stepped 1.1-2.5 belt speeds (t 2.8-5.7)
DEPTH_CORNER_MAX_BELT = 1.25


#: a primed detector re-learns the ground and belt speed once its history spans this (s):
#: the span of the 30 samples it waited for at 30 fps, where that was set
PRIMED_SETTLE_S = 1.0


class Phase(str, Enum):
    UNKNOWN = "unknown"
    SWING = "swing"
    STANCE = "stance"


@dataclass(frozen=True, slots=True)
class FootObservation:
    """One foot in one smoothed sample, in leg lengths and seconds.

    ``heel_u``/``toe_u``: forward coordinate relative to the hip midpoint (positive =
    direction of travel; NaN in frontal views). ``heel_y``/``toe_y``: image-down coordinate
    from the image top. ``*_vu`` / ``*_vy``: their velocities (leg lengths per second).
    ``visibility`` 0..1. ``other_heel_u``: the other foot's heel (a landing foot is ahead
    of it).
    """

    t_s: float
    heel_u: float
    toe_u: float
    heel_y: float
    toe_y: float
    visibility: float
    heel_vu: float = math.nan
    toe_vu: float = math.nan
    heel_vy: float = math.nan
    toe_vy: float = math.nan
    other_heel_u: float = math.nan
    #: ``heel_y`` before smoothing (frontal views: where the heel joins the belt is
    #: fitted on it, as the smoothing rounds that corner)
    heel_y_raw: float = math.nan
    #: the newest sample's time and unsmoothed ``heel_u`` (the smoothed ``t_s`` lags it by
    #: the local fit's half-window): the depth path fits its contact on these
    lead_t_s: float = math.nan
    heel_u_lead: float = math.nan


@dataclass(frozen=True, slots=True)
class DetectedEvent:
    """Raw event from one foot detector: ``kind`` 'IC'|'TO' at time ``t_s`` (between
    samples), seen on the sample at ``sample_t_s``."""

    kind: str
    t_s: float
    confidence: float
    sample_t_s: float = math.nan


def crossing_time(t0: float, v0: float, t1: float, v1: float, level: float) -> float:
    """Time where the straight line through (t0, v0) and (t1, v1) reaches ``level``,
    clamped to [t0, t1]; t1 when the two values are equal or a value is NaN."""
    if math.isnan(v0) or math.isnan(v1) or v0 == v1:
        return t1
    f = (level - v0) / (v1 - v0)
    return t0 + min(1.0, max(0.0, f)) * (t1 - t0)


def rise_time(track: list[tuple[float, float]], level: float) -> float | None:
    """When a rise crossed ``level``: ``track`` is [(t, height above the stance track)] up
    to the confirming sample; the last upward crossing of ``level``, interpolated."""
    if not track:
        return None
    j = len(track) - 1
    while j > 0 and track[j - 1][1] > level:
        j -= 1
    if j == 0:
        return track[0][0]
    (ta, ha), (tb, hb) = track[j - 1], track[j]
    return crossing_time(ta, ha, tb, hb, level)


class _PhaseClock:
    """Phase state and durations shared by the side and frontal detectors."""

    def __init__(self, cfg: EventDetectorConfig) -> None:
        self.cfg = cfg
        self.phase = Phase.UNKNOWN
        self._phase_t_s = -math.inf
        self._stance_durations: deque[float] = deque(maxlen=6)
        self._swing_durations: deque[float] = deque(maxlen=6)
        #: the current phase was joined under way (its start is not a real event)
        self._partial = False
        #: the other foot's contacts since the current phase began (:meth:`other_contact`)
        self._other_contacts = 0

    def copy_durations(self, other: "_PhaseClock") -> None:
        self._stance_durations = deque(other._stance_durations, maxlen=6)
        self._swing_durations = deque(other._swing_durations, maxlen=6)

    def min_duration(self, stance: bool) -> float:
        """``min_phase_fraction`` × the median of recent stance durations, or the lower
        quartile of recent swing durations; at least the configured floor. A missed
        contact makes one "swing" two strides long: with the median, such swings raised the
        minimum swing until the next contact came too soon to count and was missed too
        (every other stance lost)."""
        hist = self._stance_durations if stance else self._swing_durations
        floor = self.cfg.min_stance_s if stance else self.cfg.min_swing_s
        if len(hist) < 2 or self._partial:
            return floor
        return max(floor, self.cfg.min_phase_fraction * percentile(hist, 50 if stance else 25))

    def typical_stance_s(self) -> float:
        """Median of recent stance durations (0.3 s until known)."""
        return percentile(self._stance_durations, 50) if self._stance_durations else 0.3

    def since(self, t_s: float) -> float:
        return t_s - self._phase_t_s

    def other_contact(self) -> None:
        """The other foot made contact (the engine tells each foot's clock)."""
        self._other_contacts += 1

    def enter(self, phase: Phase, t_s: float) -> None:
        # a phase over which the other foot landed twice or more holds a missed contact
        # and toe-off of this foot (a swing or stance a stride too long) and is not learnt:
        # a foot whose recent swings all held one (a miss at the start of a clip) kept a
        # minimum swing longer than its real swing, so every other contact was refused
        # for the rest of the clip (front view, 60 fps, 2 px: the right foot, for 30 s)
        if not self._partial and self._other_contacts <= 1:
            if self.phase is Phase.STANCE and phase is Phase.SWING:
                self._stance_durations.append(t_s - self._phase_t_s)
            elif self.phase is Phase.SWING and phase is Phase.STANCE:
                self._swing_durations.append(t_s - self._phase_t_s)
        self._partial = self.phase is Phase.UNKNOWN
        self._other_contacts = 0
        self.phase = phase
        self._phase_t_s = t_s


class FootEventDetector:
    """Streaming IC/TO detector for one foot in a side view. Feed ``update`` one smoothed
    observation per sample; it returns the events that sample confirms."""

    frontal = False
    #: its contacts need no landing height learnt first (``events_frontal``'s do)
    landing_learnt = True

    def __init__(self, config: EventDetectorConfig | None = None, track_slope: bool = False) -> None:
        self.cfg = config or EventDetectorConfig()
        #: the toe's stance track may slope in the image (frontal views seen through depth);
        #: there the forward axis is the pose model's depth, too noisy to time a toe-off
        self.track_slope = track_slope
        #: the image speed of a foot on the belt (frontal views; set by the engine)
        self.track_slope_legs_per_s = 0.0
        #: how late the smoothed observations arrive (the engine's local fit), seconds
        self.delay_s = 0.0
        self.clock = _PhaseClock(self.cfg)
        self._prev: FootObservation | None = None
        self._hist_t: deque[float] = deque()
        self._hist_heel_v: deque[float] = deque()
        self._hist_low: deque[float] = deque()
        #: depth path: (time, unsmoothed heel_u) of the newest samples, the last
        #: contact's crossing until its stretch is kept, and the kept stretches
        self._lead: deque[tuple[float, float]] = deque()
        self._pending_cross = math.nan
        self._contacts: deque[tuple[np.ndarray, np.ndarray]] = deque(maxlen=DEPTH_CONTACT_STEPS)
        self._stance: list[tuple[float, float, float, float]] = []  # t, toe_y, toe_vy, toe_vu
        self._toe_on_belt = 0
        self._off_belt_run = 0
        self.belt_legs_per_s = self.cfg.default_belt_legs_per_s
        self.ground_y = math.nan
        self._primed = False

    @property
    def phase(self) -> Phase:
        return self.clock.phase

    def primed(self) -> "FootEventDetector":
        """A fresh detector that keeps this one's learnt estimates (belt speed, ground
        level, phase durations) — for offline analysis, so the first steps of a clip
        are not lost to warm-up."""
        new = FootEventDetector(self.cfg, self.track_slope)
        new.track_slope_legs_per_s = self.track_slope_legs_per_s
        new.belt_legs_per_s = self.belt_legs_per_s
        new.ground_y = self.ground_y
        new.clock.copy_durations(self.clock)
        new._contacts = deque(self._contacts, maxlen=DEPTH_CONTACT_STEPS)
        new._primed = True
        return new

    def flush(self) -> list[DetectedEvent]:
        """End of stream: nothing waits here (events are confirmed on their sample)."""
        return []

    # -- running estimates -------------------------------------------------------------
    def _remember(self, t_s: float, heel_v: float, low_y: float) -> None:
        self._hist_t.append(t_s)
        self._hist_heel_v.append(heel_v)
        self._hist_low.append(low_y)
        # the last ``history_s`` seconds, but never fewer than 45 samples (a slow-motion
        # file read at its stored rate has few frames per second)
        while len(self._hist_t) > 45 and self._hist_t[0] < t_s - self.cfg.history_s:
            self._hist_t.popleft()
            self._hist_heel_v.popleft()
            self._hist_low.popleft()
        # a primed detector keeps the ground and belt speed it was given until its own
        # history spans PRIMED_SETTLE_S: after 30 samples (0.125 s at 240 fps) the belt
        # speed came from the start of one stance, and a clip's first contact came 24-28
        # ms early at 240 fps. Not longer: the leg length that scales them is still being
        # learnt again (held for 2 s, a 2.5 s clip at 30 fps lost two of five contacts)
        settled = not self._primed or (len(self._hist_t) >= 30
                                       and t_s - self._hist_t[0] >= PRIMED_SETTLE_S - 1e-6)
        if len(self._hist_low) >= 5 and settled:
            ground = percentile(self._hist_low, 85)
            if not math.isnan(ground) and sum(1 for v in self._hist_low if v == v) >= 5:
                self.ground_y = ground
        if len(self._hist_heel_v) >= 8 and settled:
            neg = [v for v in self._hist_heel_v if v < 0]
            if len(neg) >= 5:
                self.belt_legs_per_s = max(0.2, -percentile(neg, 30))

    # -- main step ---------------------------------------------------------------------
    def update(self, obs: FootObservation) -> list[DetectedEvent]:
        """Process one smoothed sample; return the events it confirms (usually none)."""
        prev = self._prev
        self._prev = obs
        if prev is None or obs.t_s <= prev.t_s:
            return []
        cfg = self.cfg
        if self.track_slope and obs.lead_t_s == obs.lead_t_s:
            self._depth_lead(obs)
        low_y = max((v for v in (obs.heel_y, obs.toe_y) if v == v), default=math.nan)
        self._remember(obs.t_s, obs.heel_vu, low_y)
        conf = float(min(1.0, max(0.0, obs.visibility)))
        tol = cfg.ic_ground_tol_legs
        if self.track_slope:
            # a close frontal camera: the belt carries the foot along its image track
            tol += abs(self.track_slope_legs_per_s) * self.clock.typical_stance_s()
        near_ground = not math.isnan(self.ground_y) and not math.isnan(low_y) and (
            low_y >= self.ground_y - tol)
        frac = cfg.ic_belt_fraction_depth if self.track_slope else cfg.ic_belt_fraction
        thr = -frac * self.belt_legs_per_s
        clock = self.clock
        events: list[DetectedEvent] = []
        if clock.phase is not Phase.STANCE:
            landed = (near_ground and obs.heel_vu <= thr
                      and not obs.heel_u < obs.other_heel_u + cfg.ic_ahead_legs)
            if clock.phase is Phase.UNKNOWN:
                # Start in a known phase: swing once the foot clearly moves forward;
                # offline, with estimates learnt, join a stance already under way.
                if len(self._hist_t) >= 5:
                    if self._primed and near_ground and obs.heel_vu <= thr:
                        self._start_stance(obs.t_s, obs)
                    elif obs.heel_vu > cfg.ic_belt_fraction * self.belt_legs_per_s:
                        clock.enter(Phase.SWING, obs.t_s)
            elif landed and clock.since(obs.t_s) >= clock.min_duration(False):
                t_ic = crossing_time(prev.t_s, prev.heel_vu, obs.t_s, obs.heel_vu, thr)
                if self.track_slope:  # depth path: where the heel joins the belt
                    self._pending_cross = t_ic
                    t_ic += self._depth_offset()
                t_ic = max(t_ic, clock._phase_t_s + 1e-6)
                self._start_stance(t_ic, obs)
                events.append(DetectedEvent("IC", t_ic, conf, obs.t_s))
            return events
        # -- stance: wait for the toe to leave the belt
        self._stance.append((obs.t_s, obs.toe_y, obs.toe_vy, obs.toe_vu))
        to = self._toe_off(obs, prev)
        if to is not None:
            t_to, c = to
            if t_to - clock._phase_t_s >= clock.min_duration(True):
                events.append(DetectedEvent("TO", t_to, conf * c, obs.t_s))
                clock.enter(Phase.SWING, t_to)
                self._stance = []
        return events

    def _depth_lead(self, obs: FootObservation) -> None:
        """Depth path: keep the newest unsmoothed heel depths (``obs.lead_t_s``, up to the
        local fit's half-window after ``obs.t_s``); once they reach
        ``DEPTH_CONTACT_AFTER_S`` past the last contact's crossing, keep that contact's
        stretch (times relative to its crossing, s; depths, leg lengths)."""
        self._lead.append((obs.lead_t_s, obs.heel_u_lead))
        while self._lead and self._lead[0][0] < obs.lead_t_s - DEPTH_CONTACT_KEEP_S:
            self._lead.popleft()
        tc = self._pending_cross
        if tc == tc and obs.lead_t_s >= tc + DEPTH_CONTACT_AFTER_S:
            pts = [(t - tc, u) for t, u in self._lead
                   if -DEPTH_CONTACT_BEFORE_S <= t - tc <= DEPTH_CONTACT_AFTER_S and u == u]
            if len(pts) >= 6:
                self._contacts.append((np.array([p[0] for p in pts]), np.array([p[1] for p in pts])))
            self._pending_cross = math.nan

    def _depth_offset(self) -> float:
        """Depth path: how long after the smoothed velocity's crossing the heel's depth
        joins its line on the belt (s), pooled over this foot's recent contacts; 0 until
        known, or where they show no clear corner (a velocity step of
        ``DEPTH_CORNER_MIN_BELT``-``DEPTH_CORNER_MAX_BELT`` belt speeds and at least
        ``DEPTH_CORNER_MIN_T`` standard errors)."""
        if not self._contacts:
            return 0.0
        dt = float(np.median(np.concatenate([np.diff(t) for t, _ in self._contacts])))
        off, step, step_se = pooled_kink_fit(list(self._contacts), -DEPTH_CONTACT_SEARCH_S,
                                             DEPTH_CONTACT_SEARCH_S, dt / 8.0)
        belt = self.belt_legs_per_s
        if math.isnan(off) or not -DEPTH_CORNER_MAX_BELT * belt <= step <= -max(
                DEPTH_CORNER_MIN_BELT * belt, DEPTH_CORNER_MIN_T * step_se):
            return 0.0
        return off

    def _start_stance(self, t_s: float, obs: FootObservation) -> None:
        self.clock.enter(Phase.STANCE, t_s)
        self._stance = [(obs.t_s, obs.toe_y, obs.toe_vy, obs.toe_vu)]
        self._toe_on_belt = 0
        self._off_belt_run = 0

    def _toe_heights(self) -> list[tuple[float, float]]:
        """[(t, height of the toe above its stance track)], leg lengths. The track is the
        line the toe follows on the belt, with slope the toe's image velocity in this
        stance: 0 in a side view; in a frontal view the image speed of any foot on the belt
        (``track_slope_legs_per_s``, not 0 for a close camera), placed at the toe's lowest positions (a
        robust upper percentile), so a toe pressing down at push-off counts as on it."""
        pts = [(t, y, vy) for t, y, vy, _ in self._stance if y == y]
        if len(pts) < 3:
            return []
        slope = self._slope() if self.track_slope else 0.0
        resid = [y - slope * t for t, y, _ in pts]
        level = percentile(resid, 90 if self.track_slope else 80)
        return [(t, level - r) for (t, _, _), r in zip(pts, resid)]

    def _slope(self) -> float:
        """The toe's image speed on the belt in this stance: the median of its velocity
        after the foot came flat (the first 30 % of the stance so far left out) and before
        the last 3 samples; the engine's estimate from all feet until there are 5."""
        if len(self._stance) < 3:
            return self.track_slope_legs_per_s
        t0, t1 = self._stance[0][0], self._stance[-1][0]
        vys = [vy for t, _, vy, _ in self._stance[:-3] if t >= t0 + 0.3 * (t1 - t0) and vy == vy]
        return percentile(vys, 50) if len(vys) >= 5 else self.track_slope_legs_per_s

    def _toe_off(self, obs: FootObservation, prev: FootObservation) -> tuple[float, float] | None:
        """(toe-off time, confidence factor) when this sample confirms one, else None."""
        cfg = self.cfg
        belt = cfg.to_belt_fraction * self.belt_legs_per_s
        track = self._toe_heights()
        if track and math.isnan(obs.toe_y) and track[-1][1] > cfg.to_lift_legs:
            # the toe was rising when it was lost: confirm it by the time bound
            start = rise_time(track, cfg.to_time_lift_legs)
            if start is not None and obs.t_s - start + (obs.t_s - prev.t_s) > cfg.max_to_confirm_s:
                return start, 0.8
        if track and not math.isnan(obs.toe_y):
            lifted = [h > cfg.to_lift_legs for _, h in track[-2:]]
            # rising off the track, not drifting along it (a slightly wrong track slope)
            rising = not self.track_slope or not obs.toe_vy > self._slope() - 0.3
            if len(lifted) == 2 and all(lifted) and rising:
                start = rise_time(track, cfg.to_time_lift_legs)
                # the far, half-hidden foot's toe point jitters upward mid-stance; the belt
                # does not: wait until the toe also stops moving back with the belt. A
                # frontal view's toe velocity is the pose model's noisy depth: there, also
                # when waiting longer would pass the confirmation bound. A side view's is
                # the image's: a toe still carried back by the belt is on it, however
                # long (the C3D walk's toe point rises 0.036 legs in mid-stance as the
                # foot rolls over; at 120 fps the bound made that a toe-off, 9 steps of
                # one clip 140-590 ms short)
                if start is not None and (
                        math.isnan(obs.toe_vu) or obs.toe_vu > -belt or (
                            self.track_slope
                            and obs.t_s - start + (obs.t_s - prev.t_s) > cfg.max_to_confirm_s)):
                    return start, 1.0
        if not math.isnan(obs.toe_vu):
            if obs.toe_vu <= -belt:
                self._toe_on_belt += 1
                self._off_belt_run = 0
            else:
                self._off_belt_run += 1
            # toe-off by velocity: two off-belt samples after a belt-like run
            if self._toe_on_belt >= 3 and self._off_belt_run >= 2 and len(self._stance) >= 3:
                (ta, _, _, va), (tb, _, _, vb) = self._stance[-3], self._stance[-2]
                return crossing_time(ta, va, tb, vb, -belt), 0.8
        return None
