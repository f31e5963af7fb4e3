"""Metrics of one step, from a cleaned window of landmarks around it (pure numpy/scipy).

The engine calls :func:`step_metrics` once per step, when the window from shortly before
the step's initial contact (IC) to shortly after its end is complete — live about 0.3 s
after toe-off (TO), offline the same — so live and offline give the same numbers.

The window is cleaned first (``app.gait.smoothing.clean_columns``: outliers, short gaps,
zero-phase low-pass; 2 × the step frequency for the small frontal stance angles, 3 × and at
least 6 Hz for the rest), then:

* values *at* an event (overstride, shank angle, knee flexion at IC, step width, hip
  extension at TO) are read from the cleaned landmarks interpolated at the event's time,
  between frames;
* a *peak* during stance (pelvic drop, knee valgus, peak knee flexion) is read at the
  phase of stance where this foot's median profile over its last 8 stances peaks
  (:class:`PeakProfiles`): the maximum of a noisy curve is biased upward, a value at a
  fixed phase is not;
* means (trunk lean, lateral trunk lean) average the cleaned frames.

Frontal metrics are computed on landmarks turned by the camera roll (``roll_deg``).
Image pixels (x right, y down); angles in degrees; times in seconds.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from app.gait import geometry as g
from app.gait import metrics as m
from app.gait.smoothing import clean_columns
from app.types import View

PHASE_POINTS = 41
PROFILE_STEPS = 8
HEEL_WHIP_WINDOW_S = 0.15
#: Heel whip needs the shank to show at least this fraction of its length in the image.
MIN_SHANK_FRACTION = 0.6
#: ...and the ankle→heel line at least this fraction of the length it shows in the stance,
#: pointing down the shank within ``MAX_HEEL_LINE_DEG``: after toe-off a plantar-flexed
#: foot raises the heel behind the ankle (a walker's from the first frame), and its line
#: then turns towards or over the ankle in a rear image, reading 150-170°, not a whip
MIN_HEEL_LINE_FRACTION = 0.4
MAX_HEEL_LINE_DEG = 60.0
#: Part of the stance (from IC) where the heel is taken as planted (heel-off comes later).
PLANTED_FRACTION = 0.6

_CLEAN_POINTS = tuple(sorted({
    g.L_HIP, g.R_HIP, g.L_SHOULDER, g.R_SHOULDER, g.L_KNEE, g.R_KNEE, g.L_ANKLE, g.R_ANKLE,
    g.L_HEEL, g.R_HEEL, g.L_TOE, g.R_TOE, g.L_WRIST, g.R_WRIST,
}))

REASON_WHIP_FORESHORTENED = "the shank points at the camera after toe-off (foreshortened)"
REASON_WHIP_HEEL_RAISED = ("the heel is raised behind the ankle after toe-off, so its turn "
                           "against the shank is not seen from behind")
REASON_NO_DEPTH = "needs the pose model's depth estimate, which this source lacks"


@dataclass(frozen=True, slots=True)
class StepTimes:
    """One step's events, seconds on the engine's clock."""

    foot: str
    ic_s: float
    to_s: float | None
    next_ic_s: float | None

    @property
    def stance_end_s(self) -> float:
        """The stance's end: its toe-off, else the next contact, else the contact itself."""
        return self.to_s if self.to_s is not None else (self.next_ic_s or self.ic_s)


@dataclass(frozen=True, slots=True)
class Window:
    """Cleaned landmarks ``lm`` (n, 33, 4) at times ``t_s`` (n,)."""

    t_s: np.ndarray
    lm: np.ndarray

    def at(self, t: float) -> np.ndarray:
        """Landmarks (33, 4) interpolated at time ``t`` (NaN outside the window)."""
        out = np.full((33, 4), np.nan)
        if len(self.t_s) == 0 or t < self.t_s[0] or t > self.t_s[-1]:
            return out
        j = int(np.searchsorted(self.t_s, t))
        if j < len(self.t_s) and self.t_s[j] == t:
            return self.lm[j].copy()
        a = max(j - 1, 0)
        b = min(j, len(self.t_s) - 1)
        w = 0.0 if b == a else (t - self.t_s[a]) / (self.t_s[b] - self.t_s[a])
        out = (1 - w) * self.lm[a] + w * self.lm[b]
        out[:, 3] = np.minimum(self.lm[a, :, 3], self.lm[b, :, 3])
        return out

    def between(self, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
        """Frames with t0 <= t <= t1: (times, landmarks)."""
        sel = (self.t_s >= t0 - 1e-9) & (self.t_s <= t1 + 1e-9)
        return self.t_s[sel], self.lm[sel]

    def span(self, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
        """Frames with t0 <= t <= t1, with the landmarks interpolated at ``t0`` and ``t1``
        added where those fall between two frames of the window: (times, landmarks)."""
        ts, lm = self.between(t0, t1)
        ends = [t for t in (t0, t1) if not np.any(np.abs(ts - t) < 1e-9)
                and len(self.t_s) and self.t_s[0] <= t <= self.t_s[-1]]
        if not ends:
            return ts, lm
        t_all = np.concatenate([ts, ends])
        lm_all = np.concatenate([lm.reshape(-1, 33, 4), np.stack([self.at(t) for t in ends])])
        order = np.argsort(t_all, kind="stable")
        return t_all[order], lm_all[order]


def clean_window(t_s: np.ndarray, lm: np.ndarray, cutoff_hz: float,
                 roll_deg: float = 0.0) -> Window:
    """Clean the landmarks the metrics use (x, y, z; visibility kept) and turn x, y by
    ``-roll_deg`` about the window's mean hip midpoint."""
    out = np.array(lm, dtype=np.float64, copy=True)
    pts = list(_CLEAN_POINTS)
    sub = out[:, pts, :3].reshape(len(out), -1)
    keep = np.isfinite(sub).sum(axis=0) >= 4
    if keep.any():
        sub[:, keep] = clean_columns(t_s, sub[:, keep], cutoff_hz)
    out[:, pts, :3] = sub.reshape(len(out), len(pts), 3)
    if roll_deg:
        a = math.radians(-roll_deg)
        ca, sa = math.cos(a), math.sin(a)
        hips = out[:, [g.L_HIP, g.R_HIP], :2]
        centre = np.nanmean(hips.reshape(-1, 2), axis=0) if np.isfinite(hips).any() else np.zeros(2)
        dx = out[:, :, 0] - centre[0]
        dy = out[:, :, 1] - centre[1]
        out[:, :, 0] = centre[0] + ca * dx - sa * dy
        out[:, :, 1] = centre[1] + sa * dx + ca * dy
    return Window(np.asarray(t_s, dtype=np.float64), out)


class PeakProfiles:
    """Recent stance profiles per (metric, foot), for peaks read at a fixed phase."""

    def __init__(self) -> None:
        self._profiles: dict[tuple[str, str], deque[np.ndarray]] = {}

    def peak(self, name: str, foot: str, t: np.ndarray, values: np.ndarray,
             t0: float, t1: float, signed: bool = False) -> float | None:
        """This stance's value at the phase where the foot's median profile (this stance
        and up to 7 before) is highest (``signed``: largest in size, either sign); None
        without enough valid frames."""
        ok = np.isfinite(values)
        if ok.sum() < 2 or t1 <= t0:
            return None
        phase = (t[ok] - t0) / (t1 - t0)
        grid = np.linspace(0.0, 1.0, PHASE_POINTS)
        prof = np.interp(grid, phase, values[ok])
        hist = self._profiles.setdefault((name, foot), deque(maxlen=PROFILE_STEPS))
        hist.append(prof)
        ref = np.median(np.stack(hist), axis=0)
        return float(prof[int(np.argmax(np.abs(ref) if signed else ref))])


def _series(frames: np.ndarray, fn, *args) -> np.ndarray:
    return np.array([fn(x, *args) for x in frames], dtype=np.float64)


def _num(v: float) -> float | None:
    return None if v is None or math.isnan(v) else float(v)


def side_metrics(win: Window, st: StepTimes, forward_sign: float, leg_px: float,
                 profiles: PeakProfiles) -> dict[str, float | None]:
    """Side-view metrics of one step (see ``app.gait.metrics`` for the definitions)."""
    side, fs = st.foot, forward_sign
    out: dict[str, float | None] = {}
    lm_ic = win.at(st.ic_s)
    out["overstride_pct_leg"] = _num(m.overstride_pct_leg(lm_ic, side, fs, leg_px))
    out["shank_angle_ic_deg"] = _num(m.shank_angle_deg(lm_ic, side, fs))
    out["knee_flexion_ic_deg"] = _num(m.knee_flexion_deg(lm_ic, side))
    end = st.stance_end_s
    _, stance = win.between(st.ic_s, end)
    fa_ic = m.foot_angle_deg(lm_ic, side, fs)
    if len(stance) >= 3:
        mid = stance[len(stance) // 3: 2 * len(stance) // 3 + 1]
        flat = [v for v in (m.foot_angle_deg(x, side, fs) for x in mid) if not math.isnan(v)]
        if flat and not math.isnan(fa_ic):
            out["foot_strike_angle_deg"] = float(fa_ic - np.median(flat))
        ts_e, stance_e = win.span(st.ic_s, end)
        out["knee_flexion_peak_stance_deg"] = profiles.peak(
            "knee_flexion_peak_stance_deg", side, ts_e, _series(stance_e, m.knee_flexion_deg, side),
            st.ic_s, end)
    if st.to_s is not None:
        out["hip_extension_to_deg"] = _num(m.thigh_extension_deg(win.at(st.to_s), side, fs))
    step_end = st.next_ic_s if st.next_ic_s is not None else end
    _, step = win.between(st.ic_s, step_end)
    lean = _series(step, m.trunk_lean_deg, fs)
    out["trunk_lean_deg"] = float(np.nanmean(lean)) if np.isfinite(lean).any() else None
    hip_y = (step[:, g.L_HIP, 1] + step[:, g.R_HIP, 1]) / 2 if len(step) else np.array([])
    hip_y = hip_y[np.isfinite(hip_y)]
    if len(hip_y) >= 3:
        out["vertical_oscillation_pct_leg"] = float((hip_y.max() - hip_y.min()) / leg_px * 100)
    return out


def frontal_metrics(win: Window, sharp: Window, st: StepTimes, view: View, profiles: PeakProfiles,
                    shank_px: dict[str, float], centre_x_px: float | None = None,
                    depth_ratio: float = 1.0) -> tuple[dict[str, float | None], dict[str, str]]:
    """Rear/front-view metrics of one step and the reasons for the ones left out.

    ``win``: strongly cleaned landmarks (for the small stance angles); ``sharp``: lightly
    cleaned ones (for positions at an event and the quick heel whip). ``shank_px``: each
    leg's full shank length in the image (for the heel-whip check). ``centre_x_px``: the image's
    centre, and ``depth_ratio``, the landing heel's distance from the camera over the
    hips' (:func:`depth_ratio_at_ic`), for step width's perspective correction."""
    side = st.foot
    out: dict[str, float | None] = {}
    reasons: dict[str, str] = {}
    end = st.stance_end_s
    _, stance = win.between(st.ic_s, end)
    if len(stance) >= 2:
        ts_e, stance_e = win.span(st.ic_s, end)
        out["pelvic_drop_deg"] = profiles.peak(
            "pelvic_drop_deg", side, ts_e, _series(stance_e, m.pelvic_drop_deg, side), st.ic_s, end)
        out["knee_valgus_fppa_deg"] = profiles.peak(
            "knee_valgus_fppa_deg", side, ts_e, _series(stance_e, m.knee_fppa_deg, side), st.ic_s, end)
        lat = _series(stance, m.lateral_trunk_lean_deg, side)
        out["lateral_trunk_lean_deg"] = float(np.nanmean(lat)) if np.isfinite(lat).any() else None
        third = stance[len(stance) // 3: 2 * len(stance) // 3 + 1]
        fpa = _series(third, m.foot_progression_deg, side, view)
        if np.isfinite(fpa).any():
            out["foot_progression_deg"] = float(np.nanmean(fpa))
        else:
            out["foot_progression_deg"] = None
            reasons["foot_progression_deg"] = REASON_NO_DEPTH
    out["step_width_pct_pelvis"] = _num(m.step_width_pct_pelvis(sharp.at(st.ic_s), side,
                                                                centre_x_px, depth_ratio))
    step_end = st.next_ic_s if st.next_ic_s is not None else end
    _, step = win.between(st.ic_s, step_end)
    cross = [c for c in (m.wrist_crosses_midline(x) for x in step) if c is not None]
    out["arm_crossover_pct"] = (100.0 if any(cross) else 0.0) if cross else None
    if view is View.REAR and st.to_s is not None:
        _, planted = sharp.between(st.ic_s, st.to_s)
        heel_line = np.hypot(*(planted[:, g.LEG[side]["heel"], :2]
                               - planted[:, g.LEG[side]["ankle"], :2]).T) if len(planted) else []
        out["heel_whip_deg"], why = heel_whip(
            win, side, st.to_s, shank_px.get(side, math.nan), profiles,
            float(np.nanmedian(heel_line)) if np.isfinite(heel_line).any() else math.nan)
        if why:
            reasons["heel_whip_deg"] = why
    return out, reasons


def depth_ratio_at_ic(win: Window, st: StepTimes) -> float:
    """The landing heel's distance from the camera at IC over the hips' (rear/front
    views; :func:`app.gait.metrics.ground_depth_ratio`), from the first
    ``PLANTED_FRACTION`` of the stance, measured against the hips' mean row over the
    whole window (the camera's row when it is level with the hips); NaN when it cannot be
    told."""
    leg = g.LEG[st.foot]
    _, planted = win.between(st.ic_s, st.ic_s + PLANTED_FRACTION * (st.stance_end_s - st.ic_s))
    hips_y = win.lm[:, [g.L_HIP, g.R_HIP], 1]
    if len(planted) < 3 or not np.isfinite(hips_y).any():
        return math.nan
    row = float(np.nanmean(hips_y))

    def depth(x: np.ndarray) -> np.ndarray:
        return x[..., leg["heel"], 2] - 0.5 * (x[..., g.L_HIP, 2] + x[..., g.R_HIP, 2])

    return m.ground_depth_ratio(planted[:, leg["heel"], 1] - row, depth(planted),
                                float(depth(win.at(st.ic_s))))


def heel_whip(win: Window, side: str, to_s: float, shank_full_px: float,
              profiles: PeakProfiles | None = None,
              heel_line_px: float = math.nan) -> tuple[float | None, str]:
    """Rotation of the ankle→heel line against the shank in the first 150 ms after
    toe-off (positive = heel medial), over the frames where the shank shows at least
    ``MIN_SHANK_FRACTION`` of ``shank_full_px`` and the heel hangs below the ankle
    (its line at least ``MIN_HEEL_LINE_FRACTION`` of ``heel_line_px``, its length in this
    stance, and within ``MAX_HEEL_LINE_DEG`` of the shank's direction): read at the phase
    where this foot's median whip profile is largest (with ``profiles``; else the frame of
    largest size); (None, reason) when no frame qualifies."""
    ts, frames = win.between(to_s, to_s + HEEL_WHIP_WINDOW_S)
    leg = g.LEG[side]
    vals = np.full(len(frames), np.nan)
    shank_seen = False
    for i, x in enumerate(frames):
        shank = math.hypot(*(x[leg["knee"], :2] - x[leg["ankle"], :2]))
        if not shank >= MIN_SHANK_FRACTION * shank_full_px:
            continue
        shank_seen = True
        line = math.hypot(*(x[leg["heel"], :2] - x[leg["ankle"], :2]))
        v = m.heel_line_deg(x, side)
        if abs(v) <= MAX_HEEL_LINE_DEG and not line < MIN_HEEL_LINE_FRACTION * heel_line_px:
            vals[i] = v
    ok = np.isfinite(vals)
    if not ok.any():
        return None, REASON_WHIP_HEEL_RAISED if shank_seen else REASON_WHIP_FORESHORTENED
    if profiles is not None and ok.sum() >= 2:
        v = profiles.peak("heel_whip_deg", side, ts, vals, to_s, to_s + HEEL_WHIP_WINDOW_S, signed=True)
        if v is not None:
            return v, ""
    return float(max(vals[ok], key=abs)), ""
