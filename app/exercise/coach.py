"""Camera-coached exercises from 2D pose (front view): the single-leg squat and the
single-leg balance. Pure numpy; the metric definitions are the running ones
(``app.gait.metrics.knee_fppa_deg``, ``pelvic_drop_deg``, ``lateral_trunk_lean_deg``).

All positions are image pixels (x right, y down); times in seconds from any origin; a
leg is 'left' or 'right' (the person's own side, whatever the mirror shows).

- :class:`StanceTracker` — which leg the person stands on: the other ankle is lifted by
  at least ``LIFT_FRAC`` of the leg length; a change must last ``CONFIRM_S``.
- :class:`SquatCounter` — reps from the hip midpoint's height over the stance ankle
  (depth in % of leg length below the standing height): a rep starts below 5 %, counts
  when it went at least 10 % deep and came back above 3 %. At the **bottom** (the frames
  within 2 % leg of the deepest point, at least 5) it measures the knee FPPA, pelvic drop
  and lateral trunk lean on the *mean pose* of those frames — a quasi-still moment, so
  averaging removes most landmark noise without the upward bias of a peak. While the
  knee goes in past the cue threshold during a rep, it raises the outcome cue once.
- :class:`BalanceTimer` — holds on one leg: hold time (lift-off to touch-down), the
  median pelvic drop and knee FPPA, and sway = the hip midpoint's side-to-side travel
  (RMS and range, % leg length) after a 0.25 s moving average, without the first and
  last 0.3 s of the hold.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from app.gait import metrics as m
from app.gait.filters import percentile
from app.gait.geometry import L_ANKLE, L_HIP, R_ANKLE, R_HIP

LIFT_FRAC = 0.06
FLOOR_FRAC = 0.03
CONFIRM_S = 0.2
START_DEPTH = 0.05
MIN_DEPTH = 0.10
END_DEPTH = 0.03
REF_WINDOW_S = 12.0
BOTTOM_BAND = 0.02
MIN_BOTTOM_FRAMES = 5
MIN_HOLD_S = 1.0
EDGE_S = 0.3
SWAY_SMOOTH_S = 0.25
#: Cue id (cue library) spoken when the knee goes in during a squat.
KNEE_CUE = "valgus_knees_over_toes"


def other(leg: str) -> str:
    return "right" if leg == "left" else "left"


def _ok(*vals: float) -> bool:
    return all(not math.isnan(v) for v in vals)


class LegLength:
    """Leg length in pixels: the 90th percentile of the longer leg over recent samples
    (a bent or foreshortened leg reads shorter; standing frames give the length)."""

    def __init__(self, n: int = 300) -> None:
        self._hist: deque[float] = deque(maxlen=n)
        self.px = math.nan

    def update(self, lm: np.ndarray) -> float:
        vals = [v for v in (m.leg_length_px(lm, s) for s in ("left", "right")) if not math.isnan(v)]
        if vals:
            self._hist.append(max(vals))
        if len(self._hist) >= 3:
            self.px = percentile(self._hist, 90)
        return self.px


class StanceTracker:
    """The leg the person stands on ('left', 'right' or None = both feet down / unknown),
    debounced over ``CONFIRM_S``. ``since_s`` is when the current state began: for a
    stance, the frame the free ankle started to rise (above ``FLOOR_FRAC``); for both
    feet down, the frame it came back down below it."""

    def __init__(self) -> None:
        self.leg: str | None = None
        self.since_s: float | None = None
        self._cand: str | None = None
        self._cand_since: float | None = None
        self._hist: deque[tuple[float, float]] = deque(maxlen=90)  # (t, ankle diff / leg)

    def update(self, lm: np.ndarray, t_s: float, leg_px: float) -> str | None:
        ly, ry = lm[L_ANKLE, 1], lm[R_ANKLE, 1]
        diff = (ly - ry) / leg_px if _ok(ly, ry, leg_px) and leg_px > 0 else math.nan
        self._hist.append((t_s, diff))
        # y down: positive = left ankle lower = standing on the left leg
        cand = None if math.isnan(diff) else (
            "left" if diff > LIFT_FRAC else "right" if diff < -LIFT_FRAC else None)
        if cand != self._cand:
            self._cand, self._cand_since = cand, t_s
        if cand != self.leg and t_s - (self._cand_since or t_s) >= CONFIRM_S:
            self.leg, self.since_s = cand, self._edge(cand)
        if self.since_s is None:
            self.since_s = t_s
        return self.leg

    def _edge(self, cand: str | None) -> float:
        """When the change to ``cand`` really began (see the class docstring)."""
        start = self._cand_since if self._cand_since is not None else self._hist[-1][0]
        hist = list(self._hist)
        if cand is not None:  # back to the last frame the foot was still near the floor
            before = [(t, d) for t, d in hist if t <= start]
            for i in range(len(before) - 1, -1, -1):
                t, d = before[i]
                if not math.isnan(d) and abs(d) < FLOOR_FRAC:
                    return before[i + 1][0] if i + 1 < len(before) else start
            return start
        for t, d in hist:  # forward to the first frame back on the floor
            if t >= start and not math.isnan(d) and abs(d) < FLOOR_FRAC:
                return t
        return start


@dataclass(frozen=True, slots=True)
class SquatRep:
    """One single-leg squat rep. Angles in degrees at the bottom (medians over the bottom
    frames): knee FPPA (+ = knee medial of the hip–ankle line), pelvic drop (+ = the free
    side's hip lower), lateral trunk lean (+ = toward the stance side); depth = the hips'
    drop below standing height, % of leg length. ``cue``: the cue id raised in this rep."""

    index: int
    leg: str
    t_start_s: float
    t_bottom_s: float
    t_end_s: float
    depth_pct_leg: float
    knee_fppa_deg: float | None
    pelvic_drop_deg: float | None
    trunk_lean_deg: float | None
    n_bottom_frames: int
    cue: str | None = None
    cue_t_s: float | None = None

    def to_json(self, t0_s: float = 0.0) -> dict:
        return {"index": self.index, "leg": self.leg, "t_start_s": _r(self.t_start_s - t0_s),
                "t_bottom_s": _r(self.t_bottom_s - t0_s), "t_end_s": _r(self.t_end_s - t0_s),
                "duration_s": _r(self.t_end_s - self.t_start_s),
                "depth_pct_leg": _r(self.depth_pct_leg, 1),
                "knee_fppa_deg": _r(self.knee_fppa_deg, 2),
                "pelvic_drop_deg": _r(self.pelvic_drop_deg, 2),
                "trunk_lean_deg": _r(self.trunk_lean_deg, 2),
                "bottom_frames": self.n_bottom_frames, "cue": self.cue,
                "cue_t_s": None if self.cue_t_s is None else _r(self.cue_t_s - t0_s)}


def _median(vals) -> float | None:  # noqa: ANN001
    arr = np.asarray([v for v in vals if not math.isnan(v)], float)
    return float(np.median(arr)) if arr.size else None


def mean_pose(frames: list[np.ndarray]) -> np.ndarray:
    """Landmark-wise mean of a few frames of a (quasi-)still pose (NaNs ignored)."""
    with np.errstate(invalid="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmean(np.stack(frames), axis=0)


def _clean(v: float) -> float | None:
    return None if math.isnan(v) else float(v)


def _moving_average(x: np.ndarray, n: int) -> np.ndarray:
    """Centered moving average over ``n`` samples (edges: shorter windows)."""
    n = max(1, int(n))
    if n == 1 or x.size == 0:
        return x.astype(float)
    k = np.ones(n)
    num = np.convolve(x, k, mode="same")
    den = np.convolve(np.ones_like(x, dtype=float), k, mode="same")
    return num / den


def hip_height(lm: np.ndarray, leg: str, leg_px: float) -> float:
    """Hip midpoint above the stance ankle, in leg lengths (image y is down)."""
    ankle_y = lm[L_ANKLE if leg == "left" else R_ANKLE, 1]
    hip_y = (lm[L_HIP, 1] + lm[R_HIP, 1]) * 0.5
    return float((ankle_y - hip_y) / leg_px)


class SquatCounter:
    """Counts single-leg squat reps and measures each at its bottom (see the module
    docstring). Feed every frame with :meth:`update`; live values in the attributes."""

    def __init__(self, valgus_cue_deg: float = 8.0) -> None:
        self.valgus_cue_deg = float(valgus_cue_deg)
        self.reps: list[SquatRep] = []
        self.depth = 0.0             # current depth, fraction of leg length
        self.live_fppa: float | None = None
        self.in_rep = False
        self._ref: deque[tuple[float, float]] = deque()
        self._ref_leg: str | None = None
        self._recent: deque[float] = deque(maxlen=3)
        self._rep: list[tuple[float, np.ndarray, float]] = []
        self._fppa_recent: deque[float] = deque(maxlen=5)
        self._cue_t: float | None = None
        self.cue_fired: str | None = None  # set on the frame a cue is raised

    def _reset_rep(self) -> None:
        self.in_rep = False
        self._rep = []
        self._cue_t = None

    def update(self, t_s: float, lm: np.ndarray, leg: str | None, leg_px: float) -> SquatRep | None:
        self.cue_fired = None
        if leg is None or not _ok(leg_px):
            self._reset_rep()
            self.depth, self.live_fppa = 0.0, None
            return None
        if leg != self._ref_leg:
            self._ref.clear()
            self._recent.clear()
            self._ref_leg = leg
            self._reset_rep()
        h = hip_height(lm, leg, leg_px)
        if math.isnan(h):
            return None
        self._ref.append((t_s, h))
        while self._ref and self._ref[0][0] < t_s - REF_WINDOW_S:
            self._ref.popleft()
        ref = percentile([v for _, v in self._ref], 95)
        depth = max(0.0, ref - h)
        self._recent.append(depth)
        smooth = float(np.mean(self._recent))
        self.depth = smooth
        f = m.knee_fppa_deg(lm, leg)
        if not math.isnan(f):
            self._fppa_recent.append(f)
        self.live_fppa = float(np.median(self._fppa_recent)) if self._fppa_recent else None
        if not self.in_rep:
            if smooth >= START_DEPTH:
                self.in_rep = True
                self._rep = [(t_s, lm, depth)]
            return None
        self._rep.append((t_s, lm, depth))
        if (self._cue_t is None and self.live_fppa is not None
                and self.live_fppa > self.valgus_cue_deg):
            self._cue_t = t_s
            self.cue_fired = KNEE_CUE
        if smooth > END_DEPTH:
            return None
        frames = self._rep
        cue_t = self._cue_t
        self._reset_rep()
        return self._finish(frames, leg, cue_t)

    def _finish(self, frames: list[tuple[float, np.ndarray, float]], leg: str,
                cue_t: float | None) -> SquatRep | None:
        depths = np.array([d for _, _, d in frames])
        if depths.size < 3:
            return None
        smooth = _moving_average(depths, 5)
        if float(smooth.max()) < MIN_DEPTH:
            return None  # a dip, not a squat
        i_max = int(np.argmax(smooth))
        near = np.flatnonzero(smooth >= smooth[i_max] - BOTTOM_BAND)
        lo, hi = int(near.min()), int(near.max())
        while hi - lo + 1 < MIN_BOTTOM_FRAMES and (lo > 0 or hi < len(frames) - 1):
            lo, hi = max(0, lo - 1), min(len(frames) - 1, hi + 1)
        bottom = frames[lo:hi + 1]
        mean_lm = mean_pose([x for _, x, _ in bottom])
        rep = SquatRep(
            index=len(self.reps), leg=leg, t_start_s=frames[0][0],
            t_bottom_s=frames[i_max][0], t_end_s=frames[-1][0],
            depth_pct_leg=float(smooth[i_max]) * 100.0,
            knee_fppa_deg=_clean(m.knee_fppa_deg(mean_lm, leg)),
            pelvic_drop_deg=_clean(m.pelvic_drop_deg(mean_lm, leg)),
            trunk_lean_deg=_clean(m.lateral_trunk_lean_deg(mean_lm, leg)),
            n_bottom_frames=len(bottom), cue=KNEE_CUE if cue_t is not None else None,
            cue_t_s=cue_t)
        self.reps.append(rep)
        return rep


@dataclass(frozen=True, slots=True)
class BalanceHold:
    """One hold on one leg: time from lift-off to touch-down (or the end), the median
    pelvic drop and knee FPPA over the hold (degrees, signs as in :class:`SquatRep`) and
    sway of the hip midpoint (side to side, % of leg length)."""

    index: int
    leg: str
    t_start_s: float
    t_end_s: float
    pelvic_drop_deg: float | None
    knee_fppa_deg: float | None
    sway_rms_pct_leg: float | None
    sway_range_pct_leg: float | None
    ended_by: str  # 'touch-down' | 'end'

    @property
    def hold_s(self) -> float:
        return self.t_end_s - self.t_start_s

    def to_json(self, t0_s: float = 0.0) -> dict:
        return {"index": self.index, "leg": self.leg, "t_start_s": _r(self.t_start_s - t0_s),
                "t_end_s": _r(self.t_end_s - t0_s), "hold_s": _r(self.hold_s, 2),
                "pelvic_drop_deg": _r(self.pelvic_drop_deg, 2),
                "knee_fppa_deg": _r(self.knee_fppa_deg, 2),
                "sway_rms_pct_leg": _r(self.sway_rms_pct_leg, 2),
                "sway_range_pct_leg": _r(self.sway_range_pct_leg, 2), "ended_by": self.ended_by}


class BalanceTimer:
    """Single-leg balance holds (see the module docstring)."""

    def __init__(self) -> None:
        self.holds: list[BalanceHold] = []
        self.leg: str | None = None
        self.start_s: float | None = None
        self._frames: list[tuple[float, np.ndarray]] = []
        self._leg_px = math.nan
        self.now_s = 0.0

    @property
    def hold_s(self) -> float:
        """Seconds of the current hold (0 when not holding)."""
        return 0.0 if self.start_s is None else max(0.0, self.now_s - self.start_s)

    def update(self, t_s: float, lm: np.ndarray, leg: str | None, since_s: float | None,
               leg_px: float) -> BalanceHold | None:
        self.now_s = t_s
        done = None
        if leg != self.leg:
            if self.leg is not None:
                end = since_s if since_s is not None else t_s
                done = self._finish(end, "touch-down")
            self.leg = leg
            self.start_s = since_s if leg is not None else None
            self._frames = []
        if leg is not None:
            self._frames.append((t_s, lm))
            if _ok(leg_px):
                self._leg_px = leg_px
        return done

    def finish(self, t_s: float | None = None) -> BalanceHold | None:
        """End of the stream: close a running hold."""
        if self.leg is None:
            return None
        end = t_s if t_s is not None else (self._frames[-1][0] if self._frames else self.now_s)
        done = self._finish(end, "end")
        self.leg, self.start_s, self._frames = None, None, []
        return done

    def _finish(self, end_s: float, why: str) -> BalanceHold | None:
        leg, start = self.leg, self.start_s
        if leg is None or start is None or end_s - start < MIN_HOLD_S:
            return None
        frames = [(t, lm) for t, lm in self._frames if start <= t <= end_s]
        core = [(t, lm) for t, lm in frames if start + EDGE_S <= t <= end_s - EDGE_S] or frames
        drop = _median(m.pelvic_drop_deg(x, leg) for _, x in core)
        fppa = _median(m.knee_fppa_deg(x, leg) for _, x in core)
        rms = rng = None
        xs = np.array([(x[L_HIP, 0] + x[R_HIP, 0]) * 0.5 for _, x in core], float)
        ts = np.array([t for t, _ in core], float)
        ok = ~np.isnan(xs)
        if ok.sum() >= 5 and _ok(self._leg_px):
            xs, ts = xs[ok], ts[ok]
            fps = (len(ts) - 1) / max(ts[-1] - ts[0], 1e-6)
            sm = _moving_average(xs, round(SWAY_SMOOTH_S * fps))
            rel = (sm - sm.mean()) / self._leg_px * 100.0
            rms, rng = float(np.sqrt(np.mean(rel ** 2))), float(rel.max() - rel.min())
        hold = BalanceHold(len(self.holds), leg, start, end_s, drop, fppa, rms, rng, why)
        self.holds.append(hold)
        return hold


def _r(v: float | None, nd: int = 3) -> float | None:
    return None if v is None or math.isnan(v) else round(float(v), nd)
