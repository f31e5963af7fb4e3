"""Gait events in frontal views (camera behind or in front of the treadmill).

A rear or front camera has no forward axis in the image. The engine gives each foot's
image rows as *floor coordinates* (:func:`floor_coordinate`): for a point on the floor
they are linear in its distance from a camera level with the hips, so a foot on the belt
moves along a straight *stance track* at a steady speed ``v_g`` (zero for a camera far
away; down the image in a rear view, up in a front view, because the foot comes nearer or
goes away). ``v_g`` is first the mode of all foot velocities over the last seconds (feet
on the belt share it; swinging feet are spread out), then, once a few stances are known,
the median of their heels' and toes' slopes on the belt — :class:`StanceTrack`, shared by
both feet.

* Initial contact: the heel comes within ``land_tol`` of the height where it landed in its
  recent stances (their median, ``LANDING_PERCENTILE``;
  ``frontal_land_tol_legs``, wider when the heel's measured scatter is),
  not moving up relative to the track. Then, when a foot on the belt moves clearly up the
  image (a front view: it goes away), contact is where the heel turns back up — its lowest
  point in the image, from a fit of the descent and the line it then follows; otherwise
  (a rear view: the heel keeps moving down the image through the contact, only slower;
  a far camera) where it reaches its landing height. Each stance's landing height is
  learnt afterwards where its heel joined the stance line (:func:`kink_fit` on the
  unsmoothed heights, near the first sample moving at ``v_g`` of the longest such run; in
  a front view its lowest samples); before the first stance, a high percentile of its
  recent heights. A landing
  height not reached for two strides is forgotten.
* Toe-off: the toe rises ``to_lift_legs`` above its stance track (the line with slope
  ``v_g`` through its stance positions), confirmed as in the side view; timed where its
  rise left the track (:func:`kink_fit`), searched shortly before the rise crossed
  ``to_time_lift_legs``. A stance with no toe-off for two strides is dropped (the foot
  starts again, phase unknown).

The engine also gives each stance's mid-stance foot and hips positions and trunk axis,
from which :attr:`StanceTrack.roll_deg` tells the camera roll.

Units: floor coordinates (≈ leg lengths near the feet), image y down, seconds. Less
precise than the side view (a rear view cannot separate "farther away" from "higher" for
a foot); the confidence says so.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from app.gait.events import (
    DetectedEvent, EventDetectorConfig, FootObservation, Phase, _PhaseClock, crossing_time,
    rise_time,
)
from app.gait.filters import percentile
from app.gait.geometry import angle_to_vertical_deg
from app.gait.kink import kink_fit

#: Frontal events are less certain than side-view ones.
FRONTAL_CONFIDENCE = 0.8
TRACK_HISTORY_S = 4.0
#: a smaller camera roll is not corrected (degrees): the legs' vertical (below) has errors
#: of its own on real movement (+0.2° on the C3D walk's level camera; a runner who carries
#: the pelvis a centimetre to one side over the feet: 0.6°), which a correction this small
#: could not tell from a roll
MIN_ROLL_DEG = 1.5
#: ...plus this allowance for perspective when the runner is off the image's centre: the
#: feet in mid-stance lie up to this fraction of the camera's distance nearer or farther
#: than the hips (0.15 m at 2.5 m), so they show off the hips' vertical by this fraction
#: of the hips' offset from the image centre (a camera 0.6 m off-centre, 3 m away: ~2°)
ROLL_PERSPECTIVE_DEPTH_FRACTION = 0.06
#: The legs' roll counts only when the trunk's vertical (hips to shoulders) agrees within
#: this many degrees: a runner's sideways lean puts it off by 1-2° (the C3D walker: -1.3°)
ROLL_AXIS_AGREEMENT_DEG = 2.5
#: stances of each foot needed before a roll is told
ROLL_MIN_STANCES = 4
_BIN = 0.05  # leg/s, histogram bin of foot velocities
#: a swing longer than this many typical strides (at least ``STUCK_SWING_MIN_S``) means
#: the learnt landing height is never reached: it is forgotten and learnt again
STUCK_SWING_STRIDES = 2.0
STUCK_SWING_MIN_S = 1.5
#: the landing height used is this percentile (image y, down) of the recent stances' ones.
#: The upper quartile once guarded against late-swing heights learnt by a wide search
#: (drifting pose noise at 30 fps: landings 40-55 px too high); the search is now within
#: ``LANDING_SEARCH_S`` of where the heel first moved with the belt, and the median
#: keeps contacts from behind 5-10 ms less late (drifting noise: all found, cadence within
#: 0.3 spm, tests/unit/test_frontal_metrics.py)
LANDING_PERCENTILE = 50
#: a heel near its landing height that neither reaches it nor turns back within this
#: long has landed (seconds)
APPROACH_MAX_S = 0.1
#: where a stance's heel joined its line on the belt (its landing, learnt after the
#: stance) is fitted over this long before the first sample moving with the belt (s): a
#: straight line fits a descent only over a short span (over 0.08 s the fitted corner came
#: 1-2 frames early at 120-240 fps on the synthetic runner), and searched within this of
#: that sample, at least a frame
LANDING_FIT_BEFORE_S = 0.05
LANDING_SEARCH_S = 0.02
#: ...over at least this many frames (two samples before the corner at 30 fps, where
#: the landing was otherwise the first sample moving with the belt: up to a frame after
#: the contact, 0.2-0.5 frame late on average), with this many samples in all
LANDING_FIT_BEFORE_FRAMES = 2.5
LANDING_FIT_MIN_SAMPLES = 5
#: the run of heel samples moving with the belt (a stance) tolerates odd samples over at
#: most this long (s, at least one sample); one sample this many bands off ends it
RUN_GAP_S = 0.03
RUN_FAR_BANDS = 2.0
#: toe-off is where the toe's rise leaves its line on the belt, searched at most this long
#: (and two frames) before the rise crossed the "clearly off" height (s)
TO_KINK_SEARCH_S = 0.02
#: a curve's bend before a breakpoint is fitted only with this many samples before it
MIN_SAMPLES_FOR_BEND = 5
#: once this many stances have told their slope on the belt, ``v_g`` is the median of the
#: last ``STANCE_SLOPES_KEPT`` (both feet's heels and toes) instead of the velocities'
#: mode: with 1 px of noise at 60 fps the mode wandered 0.77-0.91 leg lengths/s within a
#: 12 s clip (truth 0.80), swing samples passing through the belt's speed pulling it up
STANCE_SLOPES_MIN = 4
STANCE_SLOPES_KEPT = 12
#: a stance's slope is fitted over a run of at least this many samples moving with the
#: belt, spanning at least this long (s)
SLOPE_MIN_SAMPLES = 5
SLOPE_MIN_SPAN_S = 0.06
#: the velocities' mode overrules the stances' slopes (a speed change) only when read over
#: at least this long (s): from 20 velocities at the start of a clip's second pass it read
#: 1.07 for 0.77 (120 fps, 1 px)
MODE_SPAN_S = 1.0


class StanceTrack:
    """Both feet's shared view of the belt in a frontal image: track speed and roll."""

    def __init__(self) -> None:
        self._t: deque[float] = deque()
        self._v: deque[float] = deque()
        self.v_g = 0.0
        self._next_update_s = -math.inf
        #: recent stances' slopes on the belt (leg lengths/s; :meth:`add_stance_slope`)
        self._slopes: deque[float] = deque(maxlen=STANCE_SLOPES_KEPT)
        #: per mid-stance: (time s, foot centre x, y, hips' midpoint x, y) in pixels
        self._mid: dict[str, deque[tuple[float, float, float, float, float]]] = {
            "left": deque(maxlen=16), "right": deque(maxlen=16)}
        self._axis: dict[str, deque[float]] = {"left": deque(maxlen=16), "right": deque(maxlen=16)}
        #: per mid-stance: the hips' offset from the image's centre column (leg lengths)
        self._offcentre: deque[float] = deque(maxlen=32)
        self._roll_deg = 0.0  # :attr:`roll_deg`, told again at each mid-stance
        #: each foot's latest contact found by the walker's detector (s; events_frontal_walk)
        self.walk_ic_s: dict[str, float] = {}

    def copy_from(self, other: "StanceTrack") -> None:
        self.v_g = other.v_g
        self._slopes = deque(other._slopes, maxlen=STANCE_SLOPES_KEPT)
        for side in ("left", "right"):
            self._mid[side] = deque(other._mid[side], maxlen=16)
            self._axis[side] = deque(other._axis[side], maxlen=16)
        self._offcentre = deque(other._offcentre, maxlen=32)
        self._roll_deg = other._roll_deg

    @property
    def band(self) -> float:
        """How far from ``v_g`` a foot on the belt may move (leg lengths per second)."""
        return 0.12 + 0.2 * abs(self.v_g)

    @property
    def moves_up(self) -> bool:
        """A foot on the belt moves up the image, clearly (by more than ``band``): a front
        camera close enough to see the foot go away. Its heel then turns at contact."""
        return self.v_g < -self.band

    def add(self, t_s: float, velocities: tuple[float, ...]) -> None:
        for v in velocities:
            if v == v:
                self._t.append(t_s)
                self._v.append(v)
        while self._t and self._t[0] < t_s - TRACK_HISTORY_S:
            self._t.popleft()
            self._v.popleft()
        if t_s >= self._next_update_s and len(self._v) >= 20:
            self._next_update_s = t_s + 0.25
            mode = _mode(np.asarray(self._v))
            if len(self._slopes) < STANCE_SLOPES_MIN:
                self.v_g = mode
            elif self._t[-1] - self._t[0] >= MODE_SPAN_S and abs(mode - self.v_g) > self.band:
                # the belt's speed changed (the stances' slopes, searched near the old
                # speed, would keep it for ever): the mode until new stances tell it
                self._slopes.clear()
                self.v_g = mode

    def add_stance_slope(self, slope: float) -> None:
        """One stance's speed on the belt (a heel's or toe's line while it moved with the
        belt, leg lengths/s); ``v_g`` follows their median once ``STANCE_SLOPES_MIN`` came."""
        if slope == slope:
            self._slopes.append(slope)
        if len(self._slopes) >= STANCE_SLOPES_MIN:
            self.v_g = float(np.median(self._slopes))

    def add_mid_stance(self, side: str, t_s: float, foot_px: tuple[float, float],
                       hips_px: tuple[float, float], axis_deg: float = math.nan,
                       offcentre_legs: float = math.nan) -> None:
        """Where one stance stood: the foot's centre (heel-toe midpoint) and the hips'
        midpoint (image x, y in pixels, means over the middle of the stance at time
        ``t_s``), the trunk's axis then (hips' to shoulders' midpoint from the image's
        vertical, degrees, clockwise on screen positive) and the hips' offset from the
        image's centre column (leg lengths)."""
        if all(v == v for v in (*foot_px, *hips_px)):
            self._mid[side].append((t_s, *foot_px, *hips_px))
        if axis_deg == axis_deg:
            self._axis[side].append(axis_deg)
        if offcentre_legs == offcentre_legs:
            self._offcentre.append(offcentre_legs)
        self._roll_deg = self._tell_roll_deg()

    def min_roll_deg(self) -> float:
        """The smallest roll corrected: ``MIN_ROLL_DEG`` plus the perspective allowance for
        the runner's offset from the image's centre."""
        off = float(np.median(self._offcentre)) if self._offcentre else 0.0
        return MIN_ROLL_DEG + math.degrees(math.atan(ROLL_PERSPECTIVE_DEPTH_FRACTION * off))

    def _trunk_vertical_deg(self) -> float:
        """The trunk's mean axis over both feet's recent stances (NaN without
        ``ROLL_MIN_STANCES`` of each); the side-to-side lean of one stance cancels against
        the other foot's."""
        left, right = self._axis["left"], self._axis["right"]
        if len(left) < ROLL_MIN_STANCES or len(right) < ROLL_MIN_STANCES:
            return math.nan
        return 0.5 * (float(np.median(left)) + float(np.median(right)))

    def _leg_vertical_deg(self) -> float:
        """The image's vertical as the legs show it: the line from the hips' midpoint down
        to the midpoint of two consecutive stances' feet (left and right), which lies under
        the body's centre; the median over the recent pairs (degrees, clockwise on screen
        positive; NaN without ``ROLL_MIN_STANCES`` stances of each foot). The feet and the
        hips are about a leg apart, so a pixel moves it ~0.2°; a line through the two feet
        (a step width, 10-50 px, apart) was off by 2° from toe-out alone on the C3D walk."""
        if min(len(self._mid["left"]), len(self._mid["right"])) < ROLL_MIN_STANCES:
            return math.nan
        recs = sorted([(r, "left") for r in self._mid["left"]] + [(r, "right") for r in self._mid["right"]])
        angles = []
        for (a, fa), (b, fb) in zip(recs, recs[1:]):
            if fa == fb:
                continue
            feet = (0.5 * (a[1] + b[1]), 0.5 * (a[2] + b[2]))
            hips = (0.5 * (a[3] + b[3]), 0.5 * (a[4] + b[4]))
            if feet[1] > hips[1]:
                angles.append(angle_to_vertical_deg(hips, feet, 1.0))
        return float(np.median(angles)) if len(angles) >= ROLL_MIN_STANCES else math.nan

    @property
    def roll_deg(self) -> float:
        """Camera roll (degrees, positive = the image's horizontal is turned clockwise on
        screen), as told at the last mid-stance (:meth:`_tell_roll_deg`; read every frame
        by the live pipeline)."""
        return self._roll_deg

    def _tell_roll_deg(self) -> float:
        """The legs' vertical (hips to the feet under them, :meth:`_leg_vertical_deg`),
        when the trunk's (hips to shoulders) agrees within ``ROLL_AXIS_AGREEMENT_DEG`` (a
        check: a runner's sideways lean puts the trunk off) and it is at least
        :meth:`min_roll_deg`; else 0."""
        legs = self._leg_vertical_deg()
        if legs != legs:
            return 0.0
        trunk = self._trunk_vertical_deg()
        if trunk == trunk and abs(trunk - legs) > ROLL_AXIS_AGREEMENT_DEG:
            return 0.0
        return legs if abs(legs) >= self.min_roll_deg() else 0.0


def _mode(v: np.ndarray) -> float:
    """Mode of a sample of velocities: histogram peak, refined by the mean near it."""
    v = v[np.abs(v) < 5.0]
    if v.size == 0:
        return 0.0
    edges = np.arange(-5.0, 5.0 + _BIN, _BIN)
    hist, _ = np.histogram(v, edges)
    smooth = np.convolve(hist, np.ones(3) / 3.0, mode="same")
    i = int(np.argmax(smooth))
    centre = 0.5 * (edges[i] + edges[i + 1])
    near = v[np.abs(v - centre) <= 2 * _BIN]
    return float(near.mean()) if near.size else float(centre)


class FrontalFootEventDetector:
    """Streaming IC/TO detector for one foot in a rear or front view."""

    frontal = True

    def __init__(self, side: str, track: StanceTrack,
                 config: EventDetectorConfig | None = None) -> None:
        self.side = side
        self.track = track
        self.cfg = config or EventDetectorConfig()
        self.clock = _PhaseClock(self.cfg)
        self._prev: FootObservation | None = None
        self._hist: deque[FootObservation] = deque()
        self._landings: deque[float] = deque(maxlen=5)
        self._stance: list[FootObservation] = []
        self._ic_t_s = math.nan
        self._approach: list[FootObservation] = []
        #: the heel heights' scatter about the fitted landing (leg lengths), per stance
        self._noise: deque[float] = deque(maxlen=5)
        self._primed = False
        self.delay_s = 0.0

    @property
    def phase(self) -> Phase:
        return self.clock.phase

    def primed(self, track: StanceTrack) -> "FrontalFootEventDetector":
        """A fresh detector keeping the learnt landing heights and phase durations."""
        new = FrontalFootEventDetector(self.side, track, self.cfg)
        new._landings = deque(self._landings, maxlen=5)
        new._noise = deque(self._noise, maxlen=5)
        new.clock.copy_durations(self.clock)
        new._primed = True
        return new

    @property
    def land_tol(self) -> float:
        """How near its landing height the heel counts as down (leg lengths):
        ``frontal_land_tol_legs``, or twice the heel's measured scatter, whichever is
        larger (with 3 px of pose noise a heel's lowest sample varies by more than the
        tolerance and contacts went unseen). In a front view, where this only opens the
        wait for the heel's turning point, also twice the spread of its recent landing
        heights (noise that drifts over a few frames moves the lowest sample too)."""
        noise = percentile(self._noise, 50) if self._noise else 0.0
        spread = 0.0
        if len(self._landings) >= 3 and self.track.moves_up:
            lands = np.asarray(self._landings)
            spread = 1.4826 * float(np.median(np.abs(lands - np.median(lands))))
        return max(self.cfg.frontal_land_tol_legs, 2.0 * noise, 2.0 * spread)

    @property
    def landing_learnt(self) -> bool:
        """Whether this heel's landing height was learnt from a stance of its own: until
        then a contact is timed at a guess (the 85th percentile of its recent image heights; live,
        the first stance of each foot came 80-120 ms late on the synthetic runner)."""
        return bool(self._landings)

    @property
    def landing_y(self) -> float:
        """Image height (leg lengths, y down) where this heel lands."""
        if self._landings:
            return percentile(self._landings, LANDING_PERCENTILE)
        ys = [o.heel_y for o in self._hist if o.heel_y == o.heel_y]
        return percentile(ys, 85) if len(ys) >= 5 else math.nan

    def flush(self) -> list[DetectedEvent]:
        """End of stream: nothing waits here."""
        return []

    def update(self, obs: FootObservation) -> list[DetectedEvent]:
        """Process one smoothed sample; return the events it confirms."""
        prev = self._prev
        self._prev = obs
        self._hist.append(obs)
        while self._hist and self._hist[0].t_s < obs.t_s - self.cfg.history_s:
            self._hist.popleft()
        if prev is None or obs.t_s <= prev.t_s:
            return []
        cfg, clock, trk = self.cfg, self.clock, self.track
        conf = FRONTAL_CONFIDENCE * float(min(1.0, max(0.0, obs.visibility)))
        land = self.landing_y
        events: list[DetectedEvent] = []
        if clock.phase is Phase.SWING and self._landings and clock.since(obs.t_s) > self._stuck_s():
            self._landings.clear()
            land = self.landing_y
        if clock.phase is not Phase.STANCE:
            if math.isnan(land) or math.isnan(obs.heel_y):
                return events
            level = land - self.land_tol
            down = obs.heel_y >= level and not obs.heel_vy < trk.v_g - trk.band
            if clock.phase is Phase.UNKNOWN:
                if len(self._hist) >= 5:
                    if obs.heel_y < land - 2 * cfg.to_lift_legs:
                        clock.enter(Phase.SWING, obs.t_s)
                    elif self._primed and down:
                        self._start_stance(obs.t_s, obs)
            elif self._approach or (down and clock.since(obs.t_s) >= clock.min_duration(False)):
                self._approach = self._approach or [prev]
                self._approach.append(obs)
                t_ic = self._contact_time(land)
                if t_ic is not None:
                    t_ic = max(t_ic, clock._phase_t_s + 1e-6)
                    events.append(DetectedEvent("IC", t_ic, conf, obs.t_s))
                    self._start_stance(t_ic, obs)
                    self._stance = [o for o in self._approach[1:] if o.t_s >= t_ic] or [obs]
                    self._approach = []
            return events
        self._stance.append(obs)
        to = self._toe_off()
        # a rise that began too soon after contact to be a toe-off counts once the toe is
        # still off now, a minimum stance after contact (a noise spike is not); waiting
        # for a later rise instead would wait for ever, as the rise's start never moves
        if to is not None and (to - clock._phase_t_s >= clock.min_duration(True)
                               or clock.since(obs.t_s) >= clock.min_duration(True)):
            to = max(to, clock._phase_t_s + 1e-6)
            events.append(DetectedEvent("TO", to, conf, obs.t_s))
            self._learn_stance(to)
            self._tell_slope(to)
            clock.enter(Phase.SWING, to)
            self._stance = []
        elif clock.since(obs.t_s) > self._stuck_s():
            # no toe-off found: start again, phase unknown (its length is not learnt)
            clock.enter(Phase.UNKNOWN, obs.t_s)
            self._stance = []
        return events

    def _contact_time(self, land: float) -> float | None:
        """The heel came within ``land_tol`` of its landing height
        (``self._approach``: the sample before, then each sample since). Contact is where
        it reaches that height (a rear view: the heel keeps moving down the image through
        the contact), or, when it turns back short of it, where it turned (a front view:
        the foot on the belt moves away, up the image, so the heel's lowest point in the
        image is the contact). None while neither has happened yet."""
        a = self._approach
        last, before = a[-1], a[-2]
        if not self.track.moves_up:
            if last.heel_y >= land:
                return crossing_time(before.t_s, before.heel_y, last.t_s, last.heel_y, land)
            if last.t_s - a[1].t_s < APPROACH_MAX_S:
                return None
            # never reached it: contact where the heel came within the tolerance
            tol = self.land_tol
            return crossing_time(a[0].t_s, a[0].heel_y, a[1].t_s, a[1].heel_y, land - tol)
        ys = np.array([o.heel_y for o in a[1:]], dtype=float)
        if np.isnan(ys).all():
            return last.t_s
        i_max = int(np.nanargmax(ys))
        turned = ys[-1] < ys[i_max] - self.land_tol
        if not turned and last.t_s - a[1].t_s < APPROACH_MAX_S:
            return None
        # the turn: where the descent meets the line the heel then follows
        t_max = a[1 + i_max].t_s
        # on the unsmoothed heights: the smoothing rounds the turn (240 fps, 1 px: contacts
        # came 0.3-1.0 frame early on average; now within 0.25 frame)
        pts = [(o.t_s, o.heel_y_raw if o.heel_y_raw == o.heel_y_raw else o.heel_y)
               for o in self._hist if t_max - 0.12 <= o.t_s <= last.t_s]
        pts = [p for p in pts if p[1] == p[1]]
        t = np.array([p[0] for p in pts])
        h = np.array([p[1] for p in pts])
        dt = float(np.median(np.diff(t))) if t.size >= 2 else 0.0
        # the descent's bend is fitted only where enough samples show it (at 30 fps a
        # quadratic through 3-4 samples put contacts ~0.35 frame late)
        bend = int(np.count_nonzero(t < t_max - dt)) >= MIN_SAMPLES_FOR_BEND
        # the line after the turn is the belt's, whose slope is known (v_g): with 1 px at
        # 60 fps contacts were 0.51 frame off (median) fitting it too, 0.39 knowing it
        t_k = (kink_fit(t, h, t_max - dt, t_max + dt, quadratic_before=bend,
                        slope_after=self.track.v_g)[0] if t.size >= 5 else math.nan)
        return t_max if math.isnan(t_k) else t_k

    def _stuck_s(self) -> float:
        """A phase longer than this (s) has lost its event: two typical strides, at least
        ``STUCK_SWING_MIN_S``."""
        return max(STUCK_SWING_MIN_S, STUCK_SWING_STRIDES * self._typical_stride_s())

    def _typical_stride_s(self) -> float:
        """Median stance + median swing of this foot (s); 0 until both are known."""
        c = self.clock
        if not c._stance_durations or not c._swing_durations:
            return 0.0
        return percentile(c._stance_durations, 50) + percentile(c._swing_durations, 50)

    def _start_stance(self, t_s: float, obs: FootObservation) -> None:
        self.clock.enter(Phase.STANCE, t_s)
        self._ic_t_s = t_s
        self._stance = [obs]

    def _toe_off(self) -> float | None:
        cfg, trk = self.cfg, self.track
        pts = [(o.t_s, o.toe_y, o.toe_vy) for o in self._stance if o.toe_y == o.toe_y]
        if len(pts) < 3:
            return None
        on = [(t, y) for t, y, v in pts if abs(v - trk.v_g) < trk.band] or [(t, y) for t, y, _ in pts]
        b = float(np.median([y - trk.v_g * t for t, y in on]))
        heights = [(t, b + trk.v_g * t - y) for t, y, _ in pts]
        if heights[-1][1] > cfg.to_lift_legs and heights[-2][1] > cfg.to_lift_legs:
            t_rise = rise_time(heights, cfg.to_time_lift_legs)
            if t_rise is None:
                return t_rise
            # the toe's lift shows in the image mixed with its distance from the camera
            # (swinging forward: in a front view that cancels part of the lift, in a rear
            # view it adds to it), so "clearly off" is crossed at no fixed delay; toe-off
            # is where the rise leaves the toe's line on the belt (a fit: straight before,
            # quadratic after), searched up to two samples and TO_KINK_SEARCH_S before
            # that crossing
            t = np.array([p[0] for p in heights if p[0] >= t_rise - 0.12])
            h = np.array([p[1] for p in heights if p[0] >= t_rise - 0.12])
            dt = float(np.median(np.diff(t))) if t.size >= 2 else 0.0
            if t.size >= 5:
                t_k = kink_fit(t, -h, t_rise - min(2 * dt, TO_KINK_SEARCH_S), t_rise,
                               quadratic_before=False, quadratic_after=True)[0]
                if not math.isnan(t_k):
                    return t_k
            return t_rise
        return None

    def _tell_slope(self, t_to: float) -> None:
        """Tell the track this stance's speed on the belt: for the heel and the toe, the
        least-squares slope of the longest run of samples moving with the belt between
        the contact and ``t_to`` (unsmoothed heights where there are; the run from the
        smoothed velocities)."""
        trk = self.track
        for col in ("heel", "toe"):
            run: list[tuple[float, float]] = []
            best: list[tuple[float, float]] = []
            for o in self._hist:
                if not self._ic_t_s <= o.t_s <= t_to:
                    continue
                y = o.heel_y_raw if col == "heel" and o.heel_y_raw == o.heel_y_raw else getattr(o, f"{col}_y")
                v = getattr(o, f"{col}_vy")
                if y == y and abs(v - trk.v_g) < trk.band:
                    run.append((o.t_s, y))
                    if len(run) > len(best):
                        best = list(run)
                else:
                    run = []
            if len(best) >= SLOPE_MIN_SAMPLES and best[-1][0] - best[0][0] >= SLOPE_MIN_SPAN_S:
                t = np.array([p[0] for p in best])
                trk.add_stance_slope(float(np.polyfit(t - t.mean(), [p[1] for p in best], 1)[0]))

    def _learn_stance(self, t_to: float) -> None:
        """After a stance: where the heel first moved with the belt (its landing height).

        The heel moves with the belt from its landing to heel-off: the longest run of
        samples moving at the belt's image speed (odd samples inside a run tolerated over
        ``RUN_GAP_S`` when within ``RUN_FAR_BANDS`` bands) between shortly before the
        detected IC and the TO. Near its first sample the landing is fitted
        (:func:`kink_fit`: from behind two lines on the unsmoothed heights, in front a bend
        then a line). Taking the first such sample after the detected IC instead would
        take a late-swing sample whose velocity merely passes through the belt's (the heel
        speeds up as it comes down), learn too high a landing height and make the next
        contact earlier still."""
        trk = self.track
        t_from = self._ic_t_s - 0.15
        hist = [o for o in self._hist if t_from <= o.t_s <= t_to]
        dev = [abs(o.heel_vy - trk.v_g) for o in hist]
        dt = float(np.median(np.diff([o.t_s for o in hist]))) if len(hist) >= 2 else 0.0
        # odd samples tolerated inside a run: as many as span RUN_GAP_S, at least one
        gap_max = max(1, round(RUN_GAP_S / dt)) if dt > 0 else 1
        on = [d < trk.band for d in dev]
        best, best_len = -1, 0
        start, length, gap = -1, 0, 0
        for i, ok in enumerate(on):
            if ok:
                if start < 0:
                    start, length = i, 0
                length += 1 + gap
                gap = 0
                if length > best_len:
                    best, best_len = start, length
            elif start >= 0:
                gap += 1
                # a short spell of odd samples is noise (its velocity is smoothed over
                # ~40 ms, so at 120-240 fps noise leaves the band for several samples at a
                # time, and counting samples broke the run and put the landing late); a
                # longer one, or one sample far off the belt's speed, ends the run (at 30
                # fps a late-swing sample merged with the stance)
                if gap > gap_max or dev[i] >= RUN_FAR_BANDS * trk.band:
                    start, length, gap = -1, 0, 0
        if best < 0 or best_len < 2:
            return
        guess = hist[best].t_s
        t_end = min(guess + 0.12, hist[min(best + best_len, len(hist)) - 1].t_s)
        # a rear view: the heel keeps moving down the image through the contact, only
        # slower, so the corner is shallow and a wide search found it late (noise: up to
        # 50 ms); a front view keeps its wider fit (its landing is the lowest point)
        before, lo, hi = ((0.14, guess - 0.06, guess + 0.05) if trk.moves_up else
                          (max(LANDING_FIT_BEFORE_S, LANDING_FIT_BEFORE_FRAMES * dt),
                           guess - max(LANDING_SEARCH_S, dt),
                           guess + max(LANDING_SEARCH_S, dt)))
        # a rear view fits the unsmoothed heights with two lines: the smoothing rounds the
        # shallow corner, and a quadratic before it took up part of the corner too (both
        # put the landing late, up to 10 ms at 240 fps); over 50 ms any descent is close
        # to straight. A front view keeps the smoothed heights and the bend.
        raw = not trk.moves_up
        pts = [(o.t_s, o.heel_y_raw if raw else o.heel_y) for o in self._hist
               if guess - before <= o.t_s <= t_end]
        pts = [p for p in pts if p[1] == p[1]]
        y = math.nan
        if len(pts) >= (7 if trk.moves_up else LANDING_FIT_MIN_SAMPLES):
            t = np.array([p[0] for p in pts]); h = np.array([p[1] for p in pts])
            # from behind, the line after the landing is the belt's (its slope, v_g, is
            # known from both feet's stances): fitting it again let noise trade the
            # breakpoint against that slope (1 px at 60 fps: the landing heights' SD
            # 0.014 leg lengths; knowing it: 0.012)
            _, y, rms = kink_fit(t, h, lo, hi, quadratic_before=trk.moves_up,
                                 slope_after=None if trk.moves_up else trk.v_g)
            if rms == rms:
                self._noise.append(rms)
        if y != y:
            y = hist[best].heel_y
        if trk.moves_up and len(pts) >= 3:
            # a foot on the belt moving up the image (a front view): the heel turns at the
            # contact, so its lowest point in the image is the landing height (the fit
            # rounds that corner off and would put it early); the mean of the three lowest
            # samples, as the single lowest is pushed down by noise
            near = sorted(yy for tt, yy in pts if guess - 0.06 <= tt <= guess + 0.05)[-3:]
            if near:
                low = float(np.mean(near))
                y = max(y, low) if y == y else low
        if y == y:
            self._landings.append(y)


def floor_coordinate(y_px: float, horizon_px: float, leg_px: float) -> float:
    """A point's image row as a coordinate that is linear in its distance from the camera
    when it is on the floor: ``2 − leg / (y − horizon)`` (dimensionless, increasing down
    the image; ≈ the row in leg lengths near the feet, about a leg below a camera level
    with the hips).

    A camera at height H sees a floor point at distance Z at ``f·H/Z`` below its horizon
    row, so ``1/(y − horizon)`` is proportional to Z: a foot carried by the belt moves
    along a straight line in time, while its raw image row speeds up as it nears the
    camera (from 3 m, ~40 % over a running stance; its straight "stance track" was then a
    poor fit, and the foot's speed on the belt had no clear mode). ``horizon_px``: the
    hips' mean row (the framing guide puts the camera level with them). NaN for points
    less than 0.3 leg below the horizon or missing."""
    h = (y_px - horizon_px) / leg_px if leg_px > 0 else math.nan
    return 2.0 - 1.0 / h if h > 0.3 else math.nan
