"""Gait events of a *walker* in frontal views timed from image heights (rear or front
camera without usable depth), and the switch between it and the runner's detector.

:class:`~app.gait.events_frontal.FrontalFootEventDetector` times a runner's contact where
the heel comes down onto its landing height. A walker's heel passes through that height
in mid-swing, then reaches forward just above the belt and lands slowly, so that rule
fired 0.1-0.4 s off on walking mocap. Here (floor coordinates, image y down, leg
lengths, seconds, as in ``events_frontal``):

* Initial contact: first the heel's *late-swing turn*: the last minimum of its position
  along the belt's image direction (``sign(v_g)·heel_y``) before it moves with the belt —
  from behind the heel reaching forward goes up the image, from the front down, and both
  turn back with the belt about when they land. The swing's apex (from behind also a
  minimum) is told apart by height: the turn lies at least ``TURN_LEVEL_FRACTION`` of the
  way down from the apex to where the heel turned in recent strides. Near the turn the
  foot's image pitch ``p = toe_y − heel_y`` is at its extreme (toe up) and holds while the
  foot reaches forward; it starts to change at a steady rate when the heel strikes and
  the forefoot comes down onto the belt (the heel rocker). Contact is the corner of that
  curve (:func:`hinge_fit`: constant, then a straight line), fitted from the extreme on
  (a fit that finds no corner inside its search: the foot's usual offset from the extreme).
* Toe-off: once the other foot has landed (a walker has no flight phase), the toe rises
  ``to_lift_legs`` up the image; timed where it began to move up faster than a foot
  standing on the floor or on the belt can (its image velocity below ``min(0, v_g)`` by
  more than :attr:`StanceTrack.band`, the spread allowed to a foot on the belt).

Which detector runs is decided from the signals (:class:`FrontalGaitMode`): the stride
period of the heels' heights (autocorrelation) gives a cadence, and the engine's walking
test (``GaitEngine.walking_seen_frontally``: under ``WALKING_MAX_SPM``) picks this one.

Checked on one treadmill walk (C3D, 100 Hz, 105.8 steps/min; tests/validation/frontal.py)
only: the walker's constants below are physical scales of walking, not fitted to runners.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from app.gait.events import DetectedEvent, EventDetectorConfig, FootObservation, Phase, crossing_time
from app.gait.events_frontal import FRONTAL_CONFIDENCE, FrontalFootEventDetector, StanceTrack
from app.gait.filters import percentile

#: the heel's late-swing turn is a minimum over this long either side (s): shorter than
#: the swing's two halves (a walker's swing ~0.4 s), longer than the pose noise's wiggles
TURN_HALF_WINDOW_S = 0.08
#: the foot's pitch (``toe_y − heel_y``) is at its extreme (the toe highest above the
#: heel in the image) within this of the turn (s; 20-30 ms before contact on the mocap
#: walk, both views); anchored on it, the contact is fitted over this long before and
#: after it (the heel rocker, contact to foot flat, lasts ~0.1 s) and searched from this
#: long before to this long after it. Anchored on the heel's turn instead, a turn put
#: early by the pose noise (from behind the turn is shallow: 0.03 leg) moved the contact
#: 30-80 ms early in a quarter of the strides
PITCH_NEAR_TURN_S = 0.05
PITCH_FIT_BEFORE_S = 0.06
PITCH_FIT_AFTER_S = 0.08
#: ...and over at least this many frames before and after it: two samples before and three
#: after, with half a frame to spare, so that a webcam's 25-30 fps holds the five samples
#: the fit needs (over 0.06 + 0.08 s it held four: no fit, and contact fell back on the
#: heel's turn, 30 ms early from behind and 15 ms from the front on the mocap walk)
PITCH_FIT_BEFORE_FRAMES = 2.5
PITCH_FIT_AFTER_FRAMES = 3.5
CONTACT_SEARCH_BEFORE_S = 0.02
CONTACT_SEARCH_AFTER_S = 0.06
#: the pitch's extreme is found on the pitch averaged over this long either side (s; at
#: least a frame): on single samples, noise near the flat extreme put it early (60 fps,
#: 1 px: a few contacts 60-80 ms early, IC -7 ms on average from behind on the mocap walk)
PITCH_EXTREME_HALF_WINDOW_S = 0.02
#: the turn lies at least this fraction of the way down from the swing's apex to the
#: heel's recent turning height (the apex, from behind also a minimum, lies at 0)
TURN_LEVEL_FRACTION = 1.0 / 3.0
#: heights of this many recent turns are kept (their median is the reference)
TURN_LEVELS_KEPT = 5
#: the stride period is looked for between these (s): a sprinter's ~0.6, a slow walk's ~1.5
STRIDE_MIN_S = 0.4
STRIDE_MAX_S = 2.0
#: heel heights kept for the stride period (s); decided from this much on (s), again every
#: ``MODE_EVERY_S``
MODE_HISTORY_S = 4.0
MODE_MIN_HISTORY_S = 2.5
MODE_EVERY_S = 0.5
#: the stride is the first autocorrelation peak this near the highest one (a stride's
#: multiples peak about as high; a runner taken at twice its stride would read as walking)
PEAK_NEAR_MAX = 0.8
#: ...and at least this high (below it the heights show no clear period)
MIN_PEAK_CORR = 0.3


def _running_mean(x: np.ndarray, m: int) -> np.ndarray:
    """The mean of ``x`` over ``m`` samples either side; NaN where the window is not full."""
    out = np.full(x.shape, np.nan)
    if x.size > 2 * m:
        out[m:-m] = np.convolve(x, np.ones(2 * m + 1) / (2 * m + 1), mode="valid")
    return out


def hinge_fit(t_s: np.ndarray, y: np.ndarray, lo_s: float, hi_s: float) -> float:
    """Where ``y`` stops being constant and starts a straight line: the least-squares fit of
    ``a`` before a breakpoint and ``a + b·(t − τ)`` after it, τ searched in [lo_s, hi_s] at
    an eighth of the sample interval (s). NaN with fewer than 4 samples."""
    if t_s.size < 4 or hi_s < lo_s:
        return math.nan
    dt = float(np.median(np.diff(t_s)))
    grid = np.arange(lo_s, hi_s + 1e-12, dt / 8.0)
    post = np.maximum(t_s[None, :] - grid[:, None], 0.0)
    n = float(t_s.size)
    sx, sxx = post.sum(axis=1), (post * post).sum(axis=1)
    sy, sxy = float(y.sum()), post @ y
    det = n * sxx - sx * sx
    ok = det > 1e-12
    b = np.where(ok, (n * sxy - sx * sy) / np.where(ok, det, 1.0), 0.0)
    a = (sy - b * sx) / n
    sse = ((y[None, :] - a[:, None] - b[:, None] * post) ** 2).sum(axis=1)
    return float(grid[int(np.argmin(sse))])


class WalkingFrontalFootEventDetector(FrontalFootEventDetector):
    """Streaming IC/TO detector for one walking foot in a rear or front view (image
    heights only); the runner's detector's interface and phase clock."""

    walking = True

    def __init__(self, side: str, track: StanceTrack,
                 config: EventDetectorConfig | None = None) -> None:
        super().__init__(side, track, config)
        #: the heel's image height at its recent late-swing turns (leg lengths, y down)
        self._turn_levels: deque[float] = deque(maxlen=TURN_LEVELS_KEPT)
        self._checked_t_s = -math.inf
        #: contact minus the pitch's extreme (s) of its recent contacts found by the fit
        self._pitch_offsets: deque[float] = deque(maxlen=TURN_LEVELS_KEPT)

    #: the walker's contacts are found on the heel's turn, not at a learnt landing height
    landing_learnt = True

    def primed(self, track: StanceTrack) -> "WalkingFrontalFootEventDetector":
        """A fresh detector keeping the learnt turning heights and phase durations."""
        new = WalkingFrontalFootEventDetector(self.side, track, self.cfg)
        new._turn_levels = deque(self._turn_levels, maxlen=TURN_LEVELS_KEPT)
        new._pitch_offsets = deque(self._pitch_offsets, maxlen=TURN_LEVELS_KEPT)
        new.clock.copy_durations(self.clock)
        new._primed = True
        return new

    def update(self, obs: FootObservation) -> list[DetectedEvent]:
        """Process one smoothed sample; return the events it confirms."""
        prev = self._prev
        self._prev = obs
        self._hist.append(obs)
        # a slow walker's whole stride (the swing's apex, a contact searched for from an
        # unknown phase), at least the runner's detector's history
        while self._hist and self._hist[0].t_s < obs.t_s - max(self.cfg.history_s, 2 * STRIDE_MAX_S):
            self._hist.popleft()
        if prev is None or obs.t_s <= prev.t_s:
            return []
        clock = self.clock
        conf = FRONTAL_CONFIDENCE * float(min(1.0, max(0.0, obs.visibility)))
        events: list[DetectedEvent] = []
        if clock.phase is Phase.STANCE:
            t_to = self._walk_toe_off()
            if t_to is not None:
                events.append(DetectedEvent("TO", t_to, conf, obs.t_s))
                clock.enter(Phase.SWING, t_to)
            elif clock.since(obs.t_s) > self._stuck_s():
                clock.enter(Phase.UNKNOWN, obs.t_s)
            return events
        if clock.phase is Phase.SWING and clock.since(obs.t_s) > self._stuck_s():
            clock.enter(Phase.UNKNOWN, obs.t_s)
        t_ic = self._walk_contact(obs.t_s)
        if t_ic is not None:
            events.append(DetectedEvent("IC", t_ic, conf, obs.t_s))
            self._start_stance(t_ic, obs)
            self.track.walk_ic_s[self.side] = t_ic
        return events

    def _walk_contact(self, now_s: float) -> float | None:
        """Contact (s), once the heel's late-swing turn and the pitch after it are seen: the
        corner of the foot's image pitch after its extreme near the turn (:func:`hinge_fit`);
        where the fit finds none inside its search (pinned at an end: pose noise), the
        extreme plus this foot's median offset over its recent fitted contacts; None
        before."""
        clock, w = self.clock, TURN_HALF_WINDOW_S
        sign = -1.0 if self.track.v_g < 0 else 1.0  # the belt's direction in the image
        hist = [o for o in self._hist if o.heel_y == o.heel_y]
        if len(hist) < 5:
            return None
        t = np.array([o.t_s for o in hist])
        y = np.array([o.heel_y for o in hist])
        p = np.array([o.toe_y - o.heel_y for o in hist])
        s = sign * y
        t_from = clock._phase_t_s if clock.phase is Phase.SWING else -math.inf
        t_min_ic = t_from + clock.min_duration(False) if clock.phase is Phase.SWING else -math.inf
        swing = t >= t_from
        if not swing.any():
            return None
        y_apex = float(y[swing].min())
        ref = (percentile(self._turn_levels, 50) if self._turn_levels
               else percentile(list(y), 85))
        level = y_apex + TURN_LEVEL_FRACTION * (ref - y_apex)
        dt = float(np.median(np.diff(t)))
        before = max(PITCH_FIT_BEFORE_S, PITCH_FIT_BEFORE_FRAMES * dt)
        after = max(PITCH_FIT_AFTER_S, PITCH_FIT_AFTER_FRAMES * dt)
        wait = max(w, PITCH_NEAR_TURN_S + after)
        for k in np.flatnonzero((t > self._checked_t_s) & (t <= now_s - wait)):
            self._checked_t_s = float(t[k])
            if (t[k] < t_from or t[k] < t[0] + w or y[k] < level
                    or t[k] + PITCH_NEAR_TURN_S + CONTACT_SEARCH_AFTER_S < t_min_ic):
                continue
            if s[k] > s[np.abs(t - t[k]) <= w].min():
                continue
            self._turn_levels.append(float(y[k]))
            near = (np.abs(t - t[k]) <= PITCH_NEAR_TURN_S) & np.isfinite(p)
            t_ic = float(t[k])
            if near.any():
                half = max(1, int(round(PITCH_EXTREME_HALF_WINDOW_S / dt))) if dt > 0 else 1
                p_mean = _running_mean(p, half)
                near_mean = near & np.isfinite(p_mean)
                src, sel = (p_mean, near_mean) if near_mean.any() else (p, near)
                t_p = float(t[sel][np.argmin(src[sel])])
                fit = (t >= t_p - before) & (t <= t_p + after) & np.isfinite(p)
                if fit.sum() >= 5:
                    lo, hi = t_p - CONTACT_SEARCH_BEFORE_S, t_p + CONTACT_SEARCH_AFTER_S
                    t_h = hinge_fit(t[fit], p[fit], lo, hi)
                    inside = lo + dt / 8.0 < t_h < hi - dt / 8.0  # not pinned at an end
                    if inside:
                        self._pitch_offsets.append(t_h - t_p)
                        t_ic = t_h
                    elif len(self._pitch_offsets) >= 3:
                        t_ic = t_p + percentile(self._pitch_offsets, 50)
                    else:
                        t_ic = t_h
            return max(t_ic, t_from + 1e-6, t_min_ic)
        return None

    def _walk_toe_off(self) -> float | None:
        """Toe-off (s), once the toe has risen ``to_lift_legs`` in the image above its
        lowest point since the other foot's contact (a walker has no flight phase: a foot
        leaves the belt only once the other has landed; before, pose noise on a toe moving
        with the belt passed for a rise): where, after that lowest point, the toe's image
        velocity last fell below ``min(0, v_g) − band`` — moving up faster than a foot
        standing on the floor or on the belt can (crossing ``min(0, v_g)`` itself came
        10-20 ms early on the mocap walk: the toe starts to rise before it leaves); None
        before."""
        clock, cfg = self.clock, self.cfg
        lvl = min(0.0, self.track.v_g) - self.track.band
        other = self.track.walk_ic_s.get("right" if self.side == "left" else "left", -math.inf)
        if not other > self._ic_t_s:
            return None
        pts = [o for o in self._hist if o.t_s >= max(clock._phase_t_s, other)
               and o.toe_y == o.toe_y and o.toe_vy == o.toe_vy]
        if len(pts) < 3:
            return None
        k = max(range(len(pts)), key=lambda i: pts[i].toe_y)
        if pts[k].toe_y - pts[-1].toe_y < cfg.to_lift_legs:
            return None
        # the crossing that starts the rise still going on (noise near the lowest point,
        # where the toe is still, crosses too: the first crossing was 10 ms earlier)
        j = len(pts) - 1
        while j > k and pts[j - 1].toe_vy < lvl:
            j -= 1
        a, b = pts[max(j - 1, k)], pts[j]
        t_to = crossing_time(a.t_s, a.toe_vy, b.t_s, b.toe_vy, lvl) if j > k else pts[k].t_s
        if t_to - clock._phase_t_s < clock.min_duration(True):
            return None
        return t_to


def for_gait(det: FrontalFootEventDetector, walking: bool, track: StanceTrack) -> FrontalFootEventDetector:
    """``det`` as the walker's or the runner's detector (itself if it is one already): a
    fresh one keeping its phase durations and recent samples, its phase unknown."""
    if getattr(det, "walking", False) == walking:
        return det
    cls = WalkingFrontalFootEventDetector if walking else FrontalFootEventDetector
    new = cls(det.side, track, det.cfg)
    new.clock.copy_durations(det.clock)
    new._hist = deque(det._hist)
    new._prev = det._prev
    new._primed = True
    new.delay_s = det.delay_s
    return new


class FrontalGaitMode:
    """Walking or running in a frontal view timed from heights: the heels' stride period
    (autocorrelation of their image heights over ``MODE_HISTORY_S``) as a cadence."""

    def __init__(self) -> None:
        self._t: deque[float] = deque()
        self._y: tuple[deque[float], deque[float]] = (deque(), deque())
        self._next_s = -math.inf
        self.cadence_spm: float | None = None

    def copy_from(self, other: "FrontalGaitMode") -> None:
        self._t = deque(other._t)
        self._y = (deque(other._y[0]), deque(other._y[1]))
        self.cadence_spm = other.cadence_spm

    def add(self, t_s: float, heel_left: float, heel_right: float) -> bool:
        """One sample of both heels' heights (leg lengths); True when the cadence was
        estimated again (every ``MODE_EVERY_S`` once ``MODE_MIN_HISTORY_S`` are seen)."""
        self._t.append(t_s)
        self._y[0].append(heel_left)
        self._y[1].append(heel_right)
        while self._t and self._t[0] < t_s - MODE_HISTORY_S:
            self._t.popleft()
            self._y[0].popleft()
            self._y[1].popleft()
        if t_s < self._next_s or t_s - self._t[0] < MODE_MIN_HISTORY_S:
            return False
        self._next_s = t_s + MODE_EVERY_S
        period = stride_period_s(np.asarray(self._t), np.asarray(self._y[0]), np.asarray(self._y[1]))
        self.cadence_spm = 120.0 / period if period == period else None
        return True


def stride_period_s(t_s: np.ndarray, *heights: np.ndarray) -> float:
    """The stride period (s) of periodic heights sampled at ``t_s``: the first peak of
    their mean normalised autocorrelation between ``STRIDE_MIN_S`` and ``STRIDE_MAX_S``
    within ``PEAK_NEAR_MAX`` of the highest (and above ``MIN_PEAK_CORR``); NaN if none."""
    if t_s.size < 10:
        return math.nan
    dt = float(np.median(np.diff(t_s)))
    if not dt > 0:
        return math.nan
    grid = np.arange(t_s[0], t_s[-1], dt)
    lags = np.arange(max(1, int(STRIDE_MIN_S / dt)), min(int(STRIDE_MAX_S / dt), grid.size // 2) + 1)
    if lags.size < 3:
        return math.nan
    acc, n = np.zeros(lags.size), 0
    for y in heights:
        ok = np.isfinite(y)
        if ok.sum() < 0.8 * y.size:
            continue
        x = np.interp(grid, t_s[ok], y[ok])
        x = x - x.mean()
        e = np.concatenate([[0.0], np.cumsum(x * x)])
        full = np.correlate(x, x, mode="full")[x.size - 1:]
        m = x.size
        num = full[lags]
        den = np.sqrt((e[m - lags] - e[0]) * (e[m] - e[lags]))
        acc += np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
        n += 1
    if n == 0:
        return math.nan
    r = acc / n
    peaks = [i for i in range(1, r.size - 1) if r[i] >= r[i - 1] and r[i] > r[i + 1]]
    if not peaks:
        return math.nan
    top = max(r[i] for i in peaks)
    for i in peaks:
        if r[i] >= PEAK_NEAR_MAX * top and r[i] >= MIN_PEAK_CORR:
            return float(lags[i] * dt)
    return math.nan
