"""The streaming gait engine: PoseSample in, gait events, step records and snapshots out.

Feed one sample at a time with ``push`` (on the pose worker thread, right after the pose
model). Per sample: label repair (whole-body flips in frontal views, leg swaps), a centred
local fit of the feet's signals (``app.gait.smoothing.LocalFit``, 40 ms late) and the
foot event detectors (``app.gait.events`` side view, ``app.gait.events_frontal`` rear and
front), which time events between frames. A step is emitted once, with all its metrics,
when the landmarks around it are complete (about 0.3 s after its toe-off): its metrics
come from a cleaned, zero-phase-filtered window (``app.gait.step_metrics``), the same
live and offline. Offline analysis runs this very engine over the whole clip
(``app.gait.analysis``), after learning its running estimates from the clip's first
seconds.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np

from app.gait import metrics as m
from app.gait import step_metrics as sm
from app.gait.cadence import cadence_spm, robust_mean
from app.gait.events import DetectedEvent, EventDetectorConfig, FootEventDetector, FootObservation
from app.gait.events_frontal import FrontalFootEventDetector, StanceTrack, floor_coordinate
from app.gait.events_frontal_walk import FrontalGaitMode, WalkingFrontalFootEventDetector, for_gait
from app.gait.filters import OneEuroFilter, percentile
from app.gait.geometry import L_HIP, LEG, R_HIP
from app.gait.smoothing import LOCAL_FIT_HALF_WINDOW_S, LocalFit, depth_noise_legs, smoothing_cutoff_hz
from app.gait.tracking import FacingEstimator, FrontalFlipRepair, LegTracker, TrackerConfig
from app.types import (
    EventKind, Facing, Foot, GaitEvent, MetricSnapshot, MetricValue, PoseSample, Quality,
    StepRecord, View,
)

MIN_STEPS_FOR_CADENCE = 4
SNAPSHOT_STEPS = 8
#: Frontal metrics are shown as good only over this many steps (GAIT_METRICS.md: 7–8).
MIN_STEPS_GOOD_FRONTAL = 8
#: Below this cadence (steps/min) a gait is taken as walking (running: ~150 and up,
#: walking ~95-130) for :meth:`GaitEngine.walking_seen_frontally`
WALKING_MAX_SPM = 135.0
WALKING_FRONTAL_WARNING = (
    "this looks like walking filmed from behind or in front: its contacts are timed for "
    "walking but checked on one treadmill walk only (film walking from the side)")
#: recent steps whose landing-heel depth ratios are pooled (median) for step width
DEPTH_RATIO_STEPS = 8
BUFFER_S = 4.0
#: A step's metrics wait until the landmarks reach this far past its end (filter edges).
WINDOW_MARGIN_S = 0.15
WINDOW_LEAD_S = 0.25
HEEL_WHIP_WINDOW_S = sm.HEEL_WHIP_WINDOW_S
_SIGNALS = ("heel_u", "toe_u", "heel_y", "toe_y")
FRONTAL_FIT_HALF_WINDOW_S = 0.08
#: frontal views: depth (z) noisier than this (leg lengths, frame to frame) is not used to
#: time events. Measured on the synthetic runner at 30 and 60 fps: depth timing beats
#: image heights up to ~0.1 leg lengths of noise (IC 11-18 ms vs 35-38 ms) and finds
#: extra steps above it (0.16: cadence 168 for 170, 6-8 extra events); MediaPipe's feet
#: on real video measure ~0.17, motion capture ~0.04.
DEPTH_NOISE_MAX_LEGS = 0.10
#: samples with feet over which the depth noise is measured (~1.5 s at 30 fps)
DEPTH_DECIDE_SAMPLES = 45
#: LocalFit columns (image heights of heels and toes) fitted over the short half-window
_HEIGHTS = (2, 3, 6, 7)
#: frontal views timed from image heights: the camera's horizon row is the hips' row
#: averaged over about this long (s), so that the hips' bounce in each step does not enter
HORIZON_TAU_S = 2.0


@dataclass(frozen=True, slots=True)
class EngineOutput:
    """What one ``push`` produced: newly confirmed events and newly completed steps."""

    events: tuple[GaitEvent, ...] = ()
    steps: tuple[StepRecord, ...] = ()


_EMPTY = EngineOutput()


@dataclass(slots=True)
class _Stance:
    foot: Foot
    ic: GaitEvent
    to: GaitEvent | None = None
    next_ic: GaitEvent | None = None
    prev_same_ic_t_ns: int | None = None
    #: its contact was timed before the foot's landing height was learnt (a frontal
    #: view from image heights, live): a guess, so the stance makes no step record
    guessed: bool = False


class GaitEngine:
    """Turns a stream of PoseSamples of one runner into events, steps and metrics."""

    def __init__(self, view: View = View.SIDE, facing: Facing | None = None,
                 config: EventDetectorConfig | None = None, *,
                 keep_steps: int | None = None) -> None:
        self.view = View(view)
        #: live sessions: ``steps`` keeps about the newest ``keep_steps`` (between that and
        #: twice that) and ``events`` twice as many, so an hour's run does not pile up ~15 MB
        #: of records per camera (the recorder has them all); None = keep all (analysis)
        self.keep_steps = keep_steps
        #: frontal views: time events from the pose model's depth (z) as the forward axis
        #: (decided on the first samples, see ``_decide_depth``); else from image heights
        self.use_depth = False
        #: frontal views: the depth's measured noise (leg lengths), NaN until measured
        self.depth_noise_legs = math.nan
        #: frontal views, offline: the camera roll found over the whole clip, used for
        #: every step instead of the running estimate (None: the running estimate)
        self.fixed_roll_deg: float | None = None
        self._facing_override = Facing(facing) if facing is not None else None
        self._config = config or EventDetectorConfig()
        self.reset()

    # ------------------------------------------------------------------ public state
    @property
    def frontal(self) -> bool:
        return self.view is not View.SIDE

    def reset(self) -> None:
        # frontal views assign legs by the knees' sides (FrontalFlipRepair); continuity
        # swaps are for side views, where one leg hides behind the other
        self._tracker = LegTracker(TrackerConfig(swap_ratio=0.0) if self.frontal else None)
        self._flip = FrontalFlipRepair(left_on_image_left=self.view is View.REAR)
        self._facing_est = FacingEstimator()
        self._smoother = OneEuroFilter(min_cutoff_hz=1.5, beta=0.02)
        # depth (z) is much noisier than x, y: frontal views smooth over twice the span
        # image heights (y) time the landing: fitted over a shorter span than the velocities
        self._fit = LocalFit(2 * len(_SIGNALS), FRONTAL_FIT_HALF_WINDOW_S if self.frontal
                             else LOCAL_FIT_HALF_WINDOW_S, narrow=_HEIGHTS)
        self._track = StanceTrack()
        #: frontal views timed from heights: walking or running, from the heels' stride
        #: period (events_frontal_walk); a walker's events are timed differently
        self._mode = FrontalGaitMode()
        self._walking = False
        #: frontal views timed from heights: the camera's horizon row (px; NaN until seen)
        self._horizon_px = math.nan
        self._horizon_t_s = math.nan
        self._horizon_since_s = math.nan  # when the horizon was first seen
        self._detectors = self._new_detectors()
        self._buffer: deque[tuple[int, int, np.ndarray]] = deque()
        self._vis: deque[tuple[float, float, float]] = deque()
        self._leg_hist: deque[float] = deque(maxlen=90)
        self._shank_hist: dict[str, deque[float]] = {"left": deque(maxlen=120), "right": deque(maxlen=120)}
        self.leg_px = math.nan
        self.smoothed_landmarks: np.ndarray | None = None
        self.events: list[GaitEvent] = []
        self.steps: list[StepRecord] = []
        #: steps made since the last reset (``steps`` may hold only the newest ones)
        self.step_count = 0
        self._open: list[_Stance] = []
        self._ready: list[_Stance] = []
        self._last_ic: dict[Foot, GaitEvent] = {}
        #: (foot, t_ns) of contacts timed before their detector had learnt where its heel
        #: lands (``landing_learnt``); their stances are dropped (``_Stance.guessed``)
        self._guessed_ics: set[tuple[Foot, int]] = set()
        self._last_t_ns = -1
        self._n_samples = 0
        self._frame_width_px = 0  # the latest sample's image width (perspective correction)
        #: each foot's recent landing-heel depth ratios (step width under perspective)
        self._depth_ratios: dict[Foot, deque[float]] = {}
        self._n_person = 0
        self._person_visible = False
        self._low_conf_until_ns = -1
        self._profiles = sm.PeakProfiles()
        self._reasons: dict[str, str] = {}
        self._dt_hist: deque[float] = deque(maxlen=30)
        self._depth_decided: bool | None = None
        self._depth_rows: list[np.ndarray] = []

    def _decide_depth(self, lm: np.ndarray) -> None:
        """Frontal views: time events through the pose model's depth when the feet have a
        usable one, else from image heights alone (``app.gait.events_frontal``).

        Real pose models estimate depth much less well than x, y (MediaPipe's feet: about
        0.17 leg lengths of frame-to-frame noise on real video, against 0.03 for x, y), and
        noisy depth finds extra steps. So the depth is used only when its noise, measured
        over the first ``DEPTH_DECIDE_SAMPLES`` samples with feet (second differences, robust),
        is below ``DEPTH_NOISE_MAX_LEGS``; a landmark file without depth is timed from
        heights at once. Until decided, events are timed from heights."""
        feet = [LEG[s][k] for s in ("left", "right") for k in ("heel", "toe")]
        if not np.isfinite(lm[feet, 2]).all():
            if not self._depth_rows:
                self._set_depth(False)
            return
        if math.isnan(self.leg_px):
            return
        hip_z = (lm[L_HIP, 2] + lm[R_HIP, 2]) * 0.5
        self._depth_rows.append((lm[feet, 2] - hip_z) / self.leg_px)
        if len(self._depth_rows) < DEPTH_DECIDE_SAMPLES:
            return
        self.depth_noise_legs = depth_noise_legs(np.asarray(self._depth_rows))
        self._set_depth(self.depth_noise_legs <= DEPTH_NOISE_MAX_LEGS)

    def _decide_depth_from(self, samples: "list[PoseSample]") -> None:
        """Offline: decide on depth from the given samples at once (``_decide_depth``)."""
        feet = [LEG[s][k] for s in ("left", "right") for k in ("heel", "toe")]
        rows, legs = [], []
        for s in samples:
            if s.landmarks is None:
                continue
            lm = np.asarray(s.landmarks, dtype=np.float64)
            legs.extend(v for v in (m.leg_length_px(lm, side) for side in ("left", "right"))
                        if not math.isnan(v))
            if np.isfinite(lm[feet, 2]).all():
                rows.append(lm[feet, 2] - (lm[L_HIP, 2] + lm[R_HIP, 2]) * 0.5)
            elif not rows:
                self._set_depth(False)
                return
        if len(rows) < DEPTH_DECIDE_SAMPLES or not legs:
            return
        self.depth_noise_legs = depth_noise_legs(np.asarray(rows) / percentile(legs, 90))
        self._set_depth(self.depth_noise_legs <= DEPTH_NOISE_MAX_LEGS)

    def _set_depth(self, use: bool) -> None:
        self._depth_decided = use
        self._depth_rows = []
        if use != self.use_depth:
            self.use_depth = use
            self._fit = LocalFit(2 * len(_SIGNALS), FRONTAL_FIT_HALF_WINDOW_S, narrow=_HEIGHTS)
            self._detectors = self._new_detectors()

    @staticmethod
    def warm_up() -> None:
        """Load the filtering code (scipy.signal, ~1 s) now, not at the first step: call
        it before the first live frame (the pose worker does)."""
        from app.gait.smoothing import clean_columns

        t = np.arange(20) / 30.0
        clean_columns(t, np.zeros((20, 2)), 6.0)

    def _new_detectors(self) -> dict:
        if self.frontal and not self.use_depth:
            cls = WalkingFrontalFootEventDetector if self._walking else FrontalFootEventDetector
            return {f: cls(f.value, self._track, self._config) for f in Foot}
        return {f: FootEventDetector(self._config, track_slope=self.frontal) for f in Foot}

    def prime(self, samples: "list[PoseSample]") -> None:
        """Offline only: learn leg length, facing, belt speed, ground level and phase
        durations from ``samples`` (the first seconds of the clip), then start fresh with
        those estimates, so the clip's first steps are detected too."""
        scout = GaitEngine(self.view, self._facing_override, self._config)
        if self.frontal:
            scout._decide_depth_from(samples)
        for s in samples:
            scout.push(s)
        self.reset()
        self.use_depth = scout.use_depth
        self._depth_decided = scout._depth_decided
        self.depth_noise_legs = scout.depth_noise_legs
        if self.frontal:
            self._fit = LocalFit(2 * len(_SIGNALS), FRONTAL_FIT_HALF_WINDOW_S, narrow=_HEIGHTS)
        self._leg_hist.extend(scout._leg_hist)
        self._horizon_px = scout._horizon_px
        self._horizon_since_s = -math.inf if scout._horizon_px == scout._horizon_px else math.nan
        self.leg_px = scout.leg_px
        self._facing_est = scout._facing_est
        if self.frontal:
            self._track.copy_from(scout._track)
            self._mode.copy_from(scout._mode)
            self._walking = scout._walking
        if self.frontal and not self.use_depth:
            self._detectors = {f: d.primed(self._track) for f, d in scout._detectors.items()}
        else:
            self._detectors = {f: d.primed() for f, d in scout._detectors.items()}

    @property
    def facing(self) -> Facing | None:
        """Side view: the override if given, else the auto-detected facing (or None)."""
        if self._facing_override is not None:
            return self._facing_override
        return self._facing_est.facing

    @property
    def forward_sign(self) -> float:
        return 1.0 if self.facing is Facing.RIGHT else -1.0

    @property
    def n_samples(self) -> int:
        return self._n_samples

    @property
    def n_person_samples(self) -> int:
        return self._n_person

    @property
    def roll_deg(self) -> float:
        """Frontal views: the camera roll found from the legs' and the trunk's verticals
        (``StanceTrack.roll_deg``; degrees, positive = clockwise on screen), or
        ``fixed_roll_deg`` when set; 0 in the side view."""
        if not self.frontal:
            return 0.0
        return self._track.roll_deg if self.fixed_roll_deg is None else self.fixed_roll_deg

    @property
    def belt_speed(self) -> float:
        """Frontal views: how fast a foot on the belt moves in the image (floor
        coordinates, ≈ leg lengths per second, down the image positive;
        ``StanceTrack.v_g``); 0 in the side view."""
        return self._track.v_g if self.frontal else 0.0

    @property
    def horizon_px(self) -> float:
        """Frontal views timed from image heights: the camera's horizon row (pixels, the
        hips' mean row); NaN otherwise or until seen."""
        return self._horizon_px if self.frontal and not self.use_depth else math.nan

    @property
    def stance_foot(self) -> Foot | None:
        """The foot on the ground most recently (the engine's view, ~40 ms late)."""
        stances = [s for s in self._open if s.to is None]
        if stances:
            return max(stances, key=lambda s: s.ic.t_ns).foot
        if self._last_ic:
            return max(self._last_ic.values(), key=lambda e: e.t_ns).foot
        return None

    @property
    def feet_on_ground(self) -> tuple[Foot, ...]:
        """The feet in a stance now: contact seen, toe-off not yet (~40 ms late)."""
        return tuple(sorted({s.foot for s in self._open if s.to is None}, key=lambda f: f.value))

    @property
    def frame_rate_hz(self) -> float:
        if not self._dt_hist:
            return 30.0
        return 1.0 / max(percentile(self._dt_hist, 50), 1e-4)

    # ------------------------------------------------------------------ streaming
    def push(self, sample: PoseSample) -> EngineOutput:
        """Process one sample (pose worker thread). Non-increasing times are ignored."""
        if sample.t_ns <= self._last_t_ns:
            return _EMPTY
        if self._last_t_ns >= 0:
            self._dt_hist.append((sample.t_ns - self._last_t_ns) / 1e9)
        self._last_t_ns = sample.t_ns
        self._n_samples += 1
        self._frame_width_px = int(sample.width or 0)
        t_s = sample.t_ns * 1e-9
        lm_in = sample.landmarks
        if lm_in is None:
            self._person_visible = False
            return self._flush_ready(sample.t_ns)
        self._n_person += 1
        self._person_visible = True
        lm = np.asarray(lm_in, dtype=np.float64)
        if self.frontal:
            lm = self._flip.update(lm)
        self._update_leg_length(lm)
        if self.frontal and self._depth_decided is None:
            self._decide_depth(lm)
        if math.isnan(self.leg_px):
            return _EMPTY
        lm = self._tracker.update(lm, t_s, self.leg_px)
        if self._tracker.last_repaired or self._flip.flipped:
            self._low_conf_until_ns = sample.t_ns + 200_000_000
        if self.view is View.SIDE and self._facing_override is None:
            self._facing_est.update(lm)
        self._update_shank(lm)
        smooth = self._smoother(lm[:, :3], t_s)
        display = lm.copy()
        display[:, :3] = smooth
        self.smoothed_landmarks = display.astype(np.float32)
        self._buffer.append((sample.t_ns, sample.frame_index, lm))
        while self._buffer and self._buffer[0][0] < sample.t_ns - BUFFER_S * 1e9:
            self._buffer.popleft()
        if self.view is View.SIDE and self.facing is None:
            return self._flush_ready(sample.t_ns)
        new_events = self._detect(lm, t_s, sample)
        new_steps: list[StepRecord] = []
        for ev in new_events:
            self.events.append(ev)
            self._on_event(ev)
        new_steps.extend(self._flush_ready(sample.t_ns).steps)
        if not new_events and not new_steps:
            return _EMPTY
        return EngineOutput(tuple(new_events), tuple(new_steps))

    def finish(self) -> tuple[StepRecord, ...]:
        """End of stream: confirm events still waiting, emit the steps still waiting for
        data. Returns those steps."""
        last = self._buffer[-1] if self._buffer else None
        pending: list[GaitEvent] = []
        for foot, det in self._detectors.items():
            for d in det.flush():
                t_ns = int(round(d.t_s * 1e9))
                frame = next((bf for bt, bf, _ in self._buffer if bt >= t_ns - 1000),
                             last[1] if last else 0)
                pending.append(GaitEvent(EventKind(d.kind), foot, t_ns, frame, float(d.confidence),
                                         self._last_t_ns))
        for ev in sorted(pending, key=lambda e: e.t_ns):
            self.events.append(ev)
            self._on_event(ev)
        return self._flush_ready(None).steps

    # ------------------------------------------------------------------ internals
    def _update_leg_length(self, lm: np.ndarray) -> None:
        vals = [m.leg_length_px(lm, s) for s in ("left", "right")]
        vals = [v for v in vals if not math.isnan(v)]
        if vals:
            self._leg_hist.append(max(vals))
        if len(self._leg_hist) >= 3:
            self.leg_px = percentile(self._leg_hist, 90)

    def _update_shank(self, lm: np.ndarray) -> None:
        for side, leg in LEG.items():
            d = math.hypot(*(lm[leg["knee"], :2] - lm[leg["ankle"], :2]))
            if not math.isnan(d):
                self._shank_hist[side].append(d)

    def _signals(self, lm: np.ndarray, foot: Foot) -> list[float]:
        """Raw heel_u, toe_u, heel_y, toe_y of one foot in leg lengths. Side view: u is
        forward from the hip midpoint; frontal views: u is image x from it."""
        leg = LEG[foot.value]
        hip_x = (lm[L_HIP, 0] + lm[R_HIP, 0]) * 0.5
        heel, toe, ankle = lm[leg["heel"]], lm[leg["toe"]], lm[leg["ankle"]]
        if math.isnan(heel[0]) or heel[3] < 0.05:
            heel = ankle
        scale = 1.0 / self.leg_px
        if self.frontal and self.use_depth:
            # z: depth relative to the hips, larger = farther; rear view: farther = ahead
            hip_z = (lm[L_HIP, 2] + lm[R_HIP, 2]) * 0.5
            fz = 1.0 if self.view is View.REAR else -1.0
            return [(heel[2] - hip_z) * fz * scale, (toe[2] - hip_z) * fz * scale,
                    heel[1] * scale, toe[1] * scale]
        if self.frontal:
            # image heights as floor coordinates: a foot on the belt then moves along a
            # straight line in time, however close the camera (events_frontal.floor_coordinate)
            return [(heel[0] - hip_x) * scale, (toe[0] - hip_x) * scale,
                    floor_coordinate(heel[1], self._horizon_px, self.leg_px),
                    floor_coordinate(toe[1], self._horizon_px, self.leg_px)]
        fs = self.forward_sign
        return [(heel[0] - hip_x) * fs * scale, (toe[0] - hip_x) * fs * scale,
                heel[1] * scale, toe[1] * scale]

    def _update_horizon(self, lm: np.ndarray, t_s: float) -> None:
        """The camera's horizon row for :func:`floor_coordinate`: the hips' row, averaged
        exponentially over ``HORIZON_TAU_S`` (the framing guide puts the camera level with
        the hips); over the first ``HORIZON_TAU_S`` the plain mean of the rows seen so far.
        Starting the average at the first row instead put it at one extreme of the hips'
        bounce, 8 px off on the synthetic runner: it took ~4 s to settle, and the landing
        heights learnt meanwhile in floor coordinates went stale (contacts drifted from
        15 ms late to 6 ms early over a 12 s clip at 60 fps)."""
        row = 0.5 * (lm[L_HIP, 1] + lm[R_HIP, 1])
        if math.isnan(row):
            return
        if math.isnan(self._horizon_px):
            self._horizon_px = float(row)
            self._horizon_since_s = t_s
        else:
            dt = max(0.0, t_s - self._horizon_t_s)
            seen = t_s - self._horizon_since_s + dt  # the first row's sample counts too
            w = min(1.0, dt / max(min(seen, HORIZON_TAU_S), 1e-9))
            self._horizon_px += w * (float(row) - self._horizon_px)
        self._horizon_t_s = t_s

    def _detect(self, lm: np.ndarray, t_s: float, sample: PoseSample) -> list[GaitEvent]:
        if self.frontal and not self.use_depth:
            self._update_horizon(lm, t_s)
        raw = self._signals(lm, Foot.LEFT) + self._signals(lm, Foot.RIGHT)
        vis = {}
        for foot in Foot:
            leg = LEG[foot.value]
            vis[foot] = float(np.nanmin([lm[leg["heel"], 3], lm[leg["toe"], 3], lm[leg["ankle"], 3]]))
        self._vis.append((t_s, vis[Foot.LEFT], vis[Foot.RIGHT]))
        while len(self._vis) > 64:
            self._vis.popleft()
        fit = self._fit.push(t_s, np.asarray(raw))
        if fit is None:
            return []
        tc, val, vel = fit
        for det in self._detectors.values():
            det.delay_s = t_s - tc
        vis_c = next((v for v in self._vis if abs(v[0] - tc) < 1e-9), (tc, 1.0, 1.0))
        n, raw_c = len(_SIGNALS), self._fit.centre_raw()
        obs: dict[Foot, FootObservation] = {}
        for i, foot in enumerate(Foot):
            v, d = val[i * n:(i + 1) * n], vel[i * n:(i + 1) * n]
            obs[foot] = FootObservation(
                t_s=tc, heel_u=v[0], toe_u=v[1], heel_y=v[2], toe_y=v[3],
                visibility=vis_c[1 + i], heel_vu=d[0], toe_vu=d[1], heel_vy=d[2], toe_vy=d[3],
                heel_y_raw=math.nan if raw_c is None else float(raw_c[i * n + 2]),
                lead_t_s=t_s, heel_u_lead=float(raw[i * n]))  # the newest sample, unsmoothed
        if self.frontal:
            self._track.add(tc, tuple(float(x) for f in Foot for x in (obs[f].heel_vy, obs[f].toe_vy)))
            if self.use_depth:
                for det in self._detectors.values():
                    det.track_slope_legs_per_s = self._track.v_g
            elif (self._mode.add(tc, obs[Foot.LEFT].heel_y, obs[Foot.RIGHT].heel_y)
                  and self._mode.cadence_spm is not None):  # no clear period: keep the mode
                self._walking = self.walking_seen_frontally(self._mode.cadence_spm)
                self._detectors = {f: for_gait(d, self._walking, self._track)
                                   for f, d in self._detectors.items()}
        out: list[GaitEvent] = []
        for foot in Foot:
            o = obs[foot]
            if not self.frontal or self.use_depth:
                o = replace(o, other_heel_u=obs[foot.other].heel_u)
            detector = self._detectors[foot]
            for det in detector.update(o):
                ev = self._to_event(det, foot, sample)
                out.append(ev)
                if det.kind == "IC":
                    self._detectors[foot.other].clock.other_contact()
                    if not detector.landing_learnt:
                        self._guessed_ics.add((foot, ev.t_ns))
        out.sort(key=lambda e: e.t_ns)
        return out

    def _to_event(self, det: DetectedEvent, foot: Foot, sample: PoseSample) -> GaitEvent:
        """An event at its (between-frames) time; ``frame_index`` = the first frame at or
        after it (the frame that shows the new phase)."""
        t_ns = int(round(det.t_s * 1e9))
        frame = sample.frame_index
        for bt, bf, _ in self._buffer:
            if bt >= t_ns - 1000:
                frame = bf
                break
        conf = det.confidence
        if sample.t_ns <= self._low_conf_until_ns:
            conf = min(conf, 0.4)
        return GaitEvent(EventKind(det.kind), foot, t_ns, frame, float(conf), sample.t_ns)

    def _on_event(self, ev: GaitEvent) -> None:
        if ev.kind is EventKind.IC:
            for st in self._open:
                if st.next_ic is None and st.foot is not ev.foot and st.ic.t_ns < ev.t_ns:
                    st.next_ic = ev
            prev_same = self._last_ic.get(ev.foot)
            self._last_ic[ev.foot] = ev
            # a stance of this foot still open means its toe-off was missed: close it
            for st in [s for s in self._open if s.foot is ev.foot]:
                self._open.remove(st)
                self._ready.append(st)
            guessed = (ev.foot, ev.t_ns) in self._guessed_ics
            self._guessed_ics.discard((ev.foot, ev.t_ns))
            self._open.append(_Stance(ev.foot, ev, prev_same_ic_t_ns=prev_same.t_ns if prev_same else None,
                                      guessed=guessed))
        else:
            for st in self._open:
                if st.foot is ev.foot and st.to is None and st.ic.t_ns < ev.t_ns:
                    st.to = ev
                    self._mid_stance(st)
                    break
        for st in list(self._open):
            if st.to is not None and st.next_ic is not None:
                self._open.remove(st)
                self._ready.append(st)

    def _mid_stance(self, st: _Stance) -> None:
        """Frontal views: where the foot and the hips were in the middle half of its stance
        (mean x, y of the foot's centre and of the hips' midpoint, pixels), and the trunk's
        axis then, for the camera roll (``StanceTrack.roll_deg``)."""
        if not self.frontal or st.to is None:
            return
        d = st.to.t_ns - st.ic.t_ns
        t0, t1 = st.ic.t_ns + d // 4, st.to.t_ns - d // 4
        leg = LEG[st.foot.value]
        feet, hips, axis = [], [], []
        for bt, _, lm in self._buffer:
            if t0 <= bt <= t1:
                ends = lm[[leg["heel"], leg["toe"]], :2]
                seen = np.isfinite(ends).all(axis=1)
                hip = 0.5 * (lm[L_HIP, :2] + lm[R_HIP, :2])
                if seen.any() and np.isfinite(hip).all():
                    feet.append(ends[seen].mean(axis=0))
                    hips.append(hip)
                axis.append(m.body_axis_deg(lm))
        if feet:  # pixels: a height normalised by a leg length that drifts would tilt
            fx, fy = np.mean(feet, axis=0)
            hx, hy = np.mean(hips, axis=0)
            a = np.asarray(axis)
            a = float(np.mean(a[np.isfinite(a)])) if np.isfinite(a).any() else math.nan
            off = abs(hx - 0.5 * self._frame_width_px) / self.leg_px \
                if self._frame_width_px > 0 and self.leg_px > 0 else math.nan
            self._track.add_mid_stance(st.foot.value, (t0 + t1) / 2e9, (float(fx), float(fy)),
                                       (float(hx), float(hy)), a, float(off))

    def _window_end_ns(self, st: _Stance) -> int:
        end = st.ic.t_ns
        for ev in (st.to, st.next_ic):
            if ev is not None:
                end = max(end, ev.t_ns)
        if st.to is not None and self.view is View.REAR:
            end = max(end, st.to.t_ns + int(HEEL_WHIP_WINDOW_S * 1e9))
        return end + int(WINDOW_MARGIN_S * 1e9)

    def _flush_ready(self, now_ns: int | None) -> EngineOutput:
        """Emit the steps whose landmark window is complete (all of them at the end)."""
        done: list[StepRecord] = []
        for st in sorted(self._ready, key=lambda s: s.ic.t_ns):
            if now_ns is not None and now_ns < self._window_end_ns(st):
                continue
            self._ready.remove(st)
            if not st.guessed:
                done.append(self._make_step(st))
        return EngineOutput((), tuple(done)) if done else _EMPTY

    def _make_step(self, st: _Stance) -> StepRecord:
        ic, to, nxt = st.ic, st.to, st.next_ic
        step_ms = (nxt.t_ns - ic.t_ns) / 1e6 if nxt is not None else None
        contact_ms = (to.t_ns - ic.t_ns) / 1e6 if to is not None else None
        flight_ms = None
        if nxt is not None and to is not None:
            flight_ms = max(0.0, (nxt.t_ns - to.t_ns) / 1e6)
        values = self._step_metrics(st)
        if contact_ms is not None and st.prev_same_ic_t_ns is not None:
            stride_ms = (ic.t_ns - st.prev_same_ic_t_ns) / 1e6
            if 0 < stride_ms < 3000:
                values["duty_factor"] = contact_ms / stride_ms
        values["step_time_ms"] = step_ms
        values["contact_ms"] = contact_ms
        values["flight_ms"] = flight_ms
        conf = min(ic.confidence, to.confidence if to else 0.5)
        rec = StepRecord(
            index=self.step_count, foot=st.foot, ic_t_ns=ic.t_ns, ic_frame=ic.frame_index,
            to_t_ns=to.t_ns if to else None, to_frame=to.frame_index if to else None,
            next_ic_t_ns=nxt.t_ns if nxt else None, step_time_ms=step_ms,
            contact_ms=contact_ms, flight_ms=flight_ms,
            metrics=MappingProxyType(values), confidence=float(conf),
        )
        self.steps.append(rec)
        self.step_count += 1
        keep = self.keep_steps
        if keep is not None and len(self.steps) >= 2 * keep:
            del self.steps[:-keep]
            if len(self.events) > 2 * keep:
                del self.events[:-2 * keep]
        return rec

    def _median_step_s(self) -> float | None:
        vals = [s.step_time_ms for s in self.steps[-8:] if s.step_time_ms]
        return percentile(vals, 50) / 1000.0 if vals else None

    def _step_metrics(self, st: _Stance) -> dict[str, float | None]:
        t0 = st.ic.t_ns - int(WINDOW_LEAD_S * 1e9)
        t1 = self._window_end_ns(st) + int(0.1 * 1e9)
        rows = [(bt, lm) for bt, _, lm in self._buffer if t0 <= bt <= t1]
        if len(rows) < 2:
            return {}
        t = np.array([r[0] for r in rows], dtype=np.float64) * 1e-9
        lms = np.stack([r[1] for r in rows])
        step_s, fps = self._median_step_s(), self.frame_rate_hz
        # light cleaning (3 × the step frequency, ≥ 6 Hz) for values at events and the
        # sagittal angles; strong cleaning for the small frontal stance angles
        sharp = sm.clean_window(t, lms, smoothing_cutoff_hz(step_s, fps, 3.0, 6.0), self.roll_deg)
        times = sm.StepTimes(
            st.foot.value, st.ic.t_ns * 1e-9,
            st.to.t_ns * 1e-9 if st.to else None,
            st.next_ic.t_ns * 1e-9 if st.next_ic else None)
        if not self.frontal:
            return sm.side_metrics(sharp, times, self.forward_sign, self.leg_px, self._profiles)
        smooth = sm.clean_window(t, lms, smoothing_cutoff_hz(step_s, fps), self.roll_deg)
        shank = {s: percentile(h, 95) if h else math.nan for s, h in self._shank_hist.items()}
        centre = 0.5 * self._frame_width_px if self._frame_width_px > 0 else None
        ratios = self._depth_ratios.setdefault(st.foot, deque(maxlen=DEPTH_RATIO_STEPS))
        ratio = sm.depth_ratio_at_ic(sharp, times)
        if math.isfinite(ratio):
            ratios.append(ratio)
        out, reasons = sm.frontal_metrics(smooth, sharp, times, self.view, self._profiles, shank,
                                          centre, float(np.median(ratios)) if ratios else 1.0)
        self._reasons.update(reasons)
        for name, value in out.items():
            if value is not None:
                self._reasons.pop(name, None)
        return out

    def walking_seen_frontally(self, cadence_spm: float | None) -> bool:
        """A rear or front view timed from image heights (as real video is) of a gait at a
        walking cadence (under ``WALKING_MAX_SPM``). Such a gait is timed by the walker's
        detector (``events_frontal_walk``, chosen by this test on the heels' stride period):
        a runner's heel comes down onto the belt faster than the belt moves in the image, a
        walker's reaches it slower (the foot reaches forward as it lands), and the runner's
        detector missed most of a walk's contacts or put them 0.1-0.2 s off. The walker's is
        checked on one treadmill walk only (``docs/VALIDATION.md``, heights-only rows), so
        the result still says so. The heel's arrival is not used to tell walking apart: an
        overstriding runner's heel may arrive the same way."""
        if not self.frontal or self.use_depth:
            return False
        return cadence_spm is not None and cadence_spm < WALKING_MAX_SPM

    # ------------------------------------------------------------------ snapshot
    def snapshot(self) -> MetricSnapshot:
        """Current metrics: means over the last 8 steps, each with unit and quality."""
        steps = self.steps[-SNAPSHOT_STEPS:]
        values: dict[str, MetricValue] = {}
        warnings: list[str] = []
        cad, cad_reason = cadence_spm([s.step_time_ms for s in steps], MIN_STEPS_FOR_CADENCE)
        for name, spec in m.METRIC_SPECS.items():
            if self.view not in spec.views:
                needs = "side" if spec.views == m.SIDE else ("rear" if spec.views == m.REAR else "rear or front")
                values[name] = MetricValue(name, None, spec.unit, Quality.UNAVAILABLE,
                                           f"needs a {needs} view")
                continue
            if name == "cadence_spm":
                q = Quality.GOOD if cad is not None else Quality.UNAVAILABLE
                values[name] = MetricValue(name, cad, spec.unit, q, cad_reason)
                continue
            if name in ("step_time_asymmetry_pct", "contact_time_asymmetry_pct"):
                key = "step_time_ms" if name.startswith("step") else "contact_ms"
                values[name] = self._asymmetry(name, key, spec.unit)
                continue
            vals = [s.metrics.get(name) for s in steps]
            vals = [v for v in vals if v is not None]
            if not self._person_visible and not vals:
                values[name] = MetricValue(name, None, spec.unit, Quality.UNAVAILABLE, "no person in view")
            elif len(vals) < 2:
                reason = "too few steps" if self.step_count < 2 else (
                    self._reasons.get(name) or "landmarks not visible")
                values[name] = MetricValue(name, None, spec.unit, Quality.UNAVAILABLE, reason)
            else:
                need = MIN_STEPS_GOOD_FRONTAL if spec.views <= m.FRONTAL else MIN_STEPS_FOR_CADENCE
                q = Quality.GOOD if len(vals) >= need and not spec.trend_only else Quality.LOW
                reason = ""
                if spec.trend_only:
                    reason = "estimated from the pose model's depth: a trend, not a measurement"
                elif len(vals) < need:
                    reason = f"{len(vals)} of {need} steps"
                values[name] = MetricValue(name, float(np.mean(vals)), spec.unit, q, reason)
        if not self._person_visible:
            warnings.append("no person in view")
        if self.view is View.SIDE and self.facing is None and self._person_visible:
            warnings.append("facing not yet known")
        low = sum(1 for s in steps if s.confidence < 0.5)
        if steps and low > len(steps) // 2:
            warnings.append("low landmark confidence on most recent steps")
        if steps and self.walking_seen_frontally(cad):
            warnings.append(WALKING_FRONTAL_WARNING)
        quality = Quality.GOOD if cad is not None and not warnings else (
            Quality.LOW if self.steps else Quality.UNAVAILABLE)
        return MetricSnapshot(
            t_ns=max(self._last_t_ns, 0), cadence_spm=cad, cadence_reason=cad_reason,
            n_steps=self.step_count, values=MappingProxyType(values),
            person_visible=self._person_visible, quality=quality, warnings=tuple(warnings),
        )

    def _asymmetry(self, name: str, key: str, unit: str) -> MetricValue:
        steps = self.steps[-2 * SNAPSHOT_STEPS:]
        by = {f: [s.metrics.get(key) for s in steps if s.foot is f] for f in Foot}
        by = {f: [v for v in vals if v is not None] for f, vals in by.items()}
        if min(len(by[Foot.LEFT]), len(by[Foot.RIGHT])) < 2:
            return MetricValue(name, None, unit, Quality.UNAVAILABLE, "needs 2 steps per foot")
        lm_, rm_ = robust_mean(by[Foot.LEFT]), robust_mean(by[Foot.RIGHT])
        val = (lm_ - rm_) / ((lm_ + rm_) / 2) * 100.0
        q = Quality.GOOD if min(len(by[Foot.LEFT]), len(by[Foot.RIGHT])) >= 4 else Quality.LOW
        return MetricValue(name, float(val), unit, q)


