"""Motion capture (C3D) -> BlazePose-like 2D landmark stream, for validating the gait engine.

Test-only: needs ``ezc3d``. The reference file is the gaitalytics treadmill walk
(``../shared/data/gaitalytics_treadmill_walk/treadmill_events.c3d``): 1206 frames at
100 Hz, Z up, mm, subject walking towards lab −Y on a treadmill (no net travel).

Marker set (``SUBJECTS:MARKER_SETS = LowerLimb_Trunk_HBM2``, Motek Human Body Model 2,
lower limbs + trunk, **no head or arm markers**):

* pelvis LASIS/RASIS/LPSIS/RPSIS; thigh LLTHI; knee LLEK/LMEK (lateral/medial epicondyle);
  shank LLSHA; ankle LLM/LMM (lateral/medial malleolus); foot LHEE, LMT2, LMT5 (same with R);
* trunk C7, T10, XIPH (xiphoid), JN (jugular notch);
* Plug-in-Gait style aliases of the same markers (LASI=LASIS, LKNE=LLEK, LANK=LLM,
  LTOE=LMT2, CLAV=JN, STRN=XIPH, ...), listed as POINT:MODELED_MARKERS;
* model outputs: segment "bones" <seg>O/A/L/P for PEL, LFE/RFE (femur), LTI/RTI (tibia),
  LFO/RFO (foot), LTO/RTO (toes); ``?FEP`` = hip joint centre, ``?FEO`` = knee joint centre,
  ``?TIO`` = ankle joint centre, ``?TOO`` = toe tip (reaches the floor); plus angles,
  forces, moments, powers (not positions, ignored).

Landmark mapping (first available per frame; later names are fallbacks):

==================  =====================================================  ==========
landmark            source                                                 visibility
==================  =====================================================  ==========
hip                 ?FEP (model HJC) | Bell et al. HJC from ASIS/PSIS        0.99
knee                ?FEO (model KJC) | mid(?LEK, ?MEK) | ?LEK                0.99
ankle               ?TIO (model AJC) | mid(?LM, ?MM) | ?LM                   0.99
heel                ?HEE                                                     0.99
foot_index          ?TOO (toe tip) | ?MT2                                    0.99
shoulder            estimated from the thorax frame (C7, JN, T10, XIPH)      0.9
head (nose, eyes,   estimated rigidly from the thorax frame (no head          0.6
ears, mouth)        markers in the set)
elbow, wrist, hand  placeholders hanging from the estimated shoulders         0.3
==================  =====================================================  ==========

A coordinate missing in a frame (gap) gives NaN x/y/z and visibility 0 for that landmark.

Projection is orthographic. Side view: image x along the progression axis (runner facing
the requested image direction), image y = −up (y down), z = depth from the camera
relative to the hip midpoint (camera on the runner's left for ``facing="left"``, so the
left leg is nearer, as in ``male_side.mp4``; on the right for ``facing="right"``).
Rear view: camera behind the runner, image x = runner's right (image left = runner's left),
z = forward depth. The body (floor to estimated head top) spans ~60 % of the image height.
"""

from __future__ import annotations

import copy
import math
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from app.types import LANDMARK_NAMES, LM, N_LANDMARKS, PoseSample

from tests.helpers.event_matching import contact_times_from_events, mean_or_none

VIS_MARKER = 0.99
VIS_SHOULDER = 0.9
VIS_HEAD = 0.6
VIS_ARM = 0.3

BODY_FRACTION_OF_HEIGHT = 0.6

_SIDES = {"left": "L", "right": "R"}


def default_c3d_path() -> Path:
    """Path of the reference C3D (``$GAITCOACH_SHARED_DATA`` or ``<repo>/../shared/data``)."""
    repo = Path(__file__).resolve().parents[2]
    base = os.environ.get("GAITCOACH_SHARED_DATA")
    root = Path(base) if base else repo.parent / "shared" / "data"
    return root / "gaitalytics_treadmill_walk" / "treadmill_events.c3d"


# --------------------------------------------------------------------------- reading


class _Points:
    """Marker trajectories of one C3D file: ``get(label)`` -> (N, 3) mm, NaN in gaps."""

    def __init__(self, path: Path) -> None:
        import ezc3d  # test-only dependency

        c = ezc3d.c3d(str(path))
        self.params = c["parameters"]
        self.header = c["header"]
        self.labels: list[str] = [str(s).strip() for s in self.params["POINT"]["LABELS"]["value"]]
        pts = np.asarray(c["data"]["points"][:3], dtype=np.float64)  # (3, P, N)
        res = c["data"].get("meta_points", {}).get("residuals")
        invalid = ~np.isfinite(pts).all(axis=0) | (pts == 0).all(axis=0)
        if res is not None:
            invalid |= np.asarray(res)[0] < 0
        pts = np.where(invalid[None], np.nan, pts)
        self.xyz = np.transpose(pts, (1, 2, 0))  # (P, N, 3)
        self.rate_hz = float(self.params["POINT"]["RATE"]["value"][0])
        self.n_frames = int(self.xyz.shape[1])
        units = self.params["POINT"].get("UNITS", {}).get("value", ["mm"])
        self.units = str(units[0]).strip() if len(units) else "mm"
        self._index = {lab: i for i, lab in enumerate(self.labels)}

    def has(self, label: str) -> bool:
        return label in self._index

    def get(self, label: str) -> np.ndarray:
        i = self._index.get(label)
        if i is None:
            return np.full((self.n_frames, 3), np.nan)
        return self.xyz[i]

    def first(self, *options: str | tuple[str, str]) -> tuple[np.ndarray, list[str]]:
        """Per frame, the first available option; a tuple option is the midpoint of two.

        Returns (N, 3) and the list of options that exist in the file.
        """
        out = np.full((self.n_frames, 3), np.nan)
        used: list[str] = []
        for opt in options:
            if isinstance(opt, tuple):
                if not (self.has(opt[0]) and self.has(opt[1])):
                    continue
                val = 0.5 * (self.get(opt[0]) + self.get(opt[1]))
                name = f"mid({opt[0]},{opt[1]})"
            else:
                if not self.has(opt):
                    continue
                val = self.get(opt)
                name = opt
            used.append(name)
            gap = np.isnan(out).any(axis=1)
            out[gap] = val[gap]
        return out, used


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return v / n


def _capture_start_s(p: _Points) -> float:
    """Capture time (s) of stored frame 0: (first 1-based capture frame − 1) / rate."""
    trial = p.params.get("TRIAL", {})
    start = trial.get("ACTUAL_START_FIELD", {}).get("value")
    if start is not None and len(start):
        first_1based = int(start[0]) + 65536 * int(start[1]) if len(start) > 1 else int(start[0])
    else:
        first_1based = int(p.header["points"]["first_frame"]) + 1
    return (first_1based - 1) / p.rate_hz


def _read_events(p: _Points, t0_s: float) -> list[tuple[str, str, float]]:
    """EVENT group -> [(kind "IC"/"TO", foot, t_s relative to stored frame 0)], by time."""
    ev = p.params.get("EVENT", {})
    if "LABELS" not in ev:
        return []
    labels = ev["LABELS"]["value"]
    contexts = ev["CONTEXTS"]["value"]
    times = np.asarray(ev["TIMES"]["value"], dtype=np.float64)  # row 0 minutes, row 1 s
    out: list[tuple[str, str, float]] = []
    for i, (lab, ctx) in enumerate(zip(labels, contexts)):
        lab_l = str(lab).strip().lower()
        if lab_l == "foot strike":
            kind = "IC"
        elif lab_l == "foot off":
            kind = "TO"
        else:
            continue
        foot = str(ctx).strip().lower()
        if foot not in ("left", "right"):
            continue
        t_cap = 60.0 * times[0, i] + times[1, i]
        out.append((kind, foot, round(float(t_cap - t0_s), 6)))
    out.sort(key=lambda e: e[2])
    return out


# --------------------------------------------------------------------------- geometry


def _hjc_bell(p: _Points, side: str) -> np.ndarray:
    """Hip joint centre (mm) from ASIS/PSIS, Bell et al. (1990) regression, fallback only."""
    lasi, rasi = p.get("LASIS"), p.get("RASIS")
    if np.isnan(lasi).all():
        lasi, rasi = p.get("LASI"), p.get("RASI")
    lpsi, rpsi = p.get("LPSIS"), p.get("RPSIS")
    if np.isnan(lpsi).all():
        lpsi, rpsi = p.get("LPSI"), p.get("RPSI")
    mid_asis = 0.5 * (lasi + rasi)
    mid_psis = 0.5 * (lpsi + rpsi)
    left = _unit(lasi - rasi)
    fwd = mid_asis - mid_psis
    fwd = _unit(fwd - np.sum(fwd * left, axis=1, keepdims=True) * left)
    up = np.cross(fwd, left)
    pw = np.linalg.norm(lasi - rasi, axis=1, keepdims=True)
    sgn = 1.0 if side == "L" else -1.0
    return mid_asis + pw * (-0.19 * fwd - 0.30 * up + sgn * 0.36 * left)


def _lab_axes(p: _Points) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lab unit vectors (up, forward, left) of the walker.

    up: the lab axis along which the trunk is farthest from the feet; forward: the dominant
    horizontal motion axis of the heel markers (a treadmill has no net travel), signed so
    that the pelvis points forward (mid-PSIS -> mid-ASIS); left = up x forward.
    """
    trunk, _ = p.first("C7", "JN", "CLAV", "LASIS", "LASI")
    heels = np.concatenate([p.get("LHEE"), p.get("RHEE")], axis=0)
    diff = np.nanmean(trunk, axis=0) - np.nanmean(heels, axis=0)
    k = int(np.nanargmax(np.abs(diff)))
    up = np.zeros(3)
    up[k] = math.copysign(1.0, diff[k])

    horiz = []
    for lab in ("LHEE", "RHEE", "LTIO", "RTIO", "LLM", "RLM"):
        x = p.get(lab)
        x = x[~np.isnan(x).any(axis=1)]
        if len(x):
            x = x - x.mean(axis=0)
            horiz.append(x - np.outer(x @ up, up))
    h = np.concatenate(horiz, axis=0)
    w, v = np.linalg.eigh(h.T @ h)
    fwd = v[:, int(np.argmax(w))]
    fwd = fwd - (fwd @ up) * up
    fwd /= np.linalg.norm(fwd)
    asis, _ = p.first(("LASIS", "RASIS"), ("LASI", "RASI"))
    psis, _ = p.first(("LPSIS", "RPSIS"), ("LPSI", "RPSI"))
    ant = np.nanmean(asis - psis, axis=0)
    if not np.isfinite(ant).all():
        toe, _ = p.first("LTOO", "LMT2", "LTOE")
        ant = np.nanmean(toe - p.get("LHEE"), axis=0)
    if ant @ fwd < 0:
        fwd = -fwd
    left = np.cross(up, fwd)
    return up, fwd, left


def _landmarks_3d(p: _Points, up_lab: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, str]]:
    """All 33 landmarks in lab mm: (N, 33, 3) with NaN gaps, visibility (33,), sources."""
    n = p.n_frames
    xyz = np.full((n, N_LANDMARKS, 3), np.nan)
    vis = np.zeros(N_LANDMARKS)
    sources: dict[str, str] = {}

    def put(name: str, val: np.ndarray, v: float, src: str) -> None:
        xyz[:, LM[name]] = val
        vis[LM[name]] = v
        sources[name] = src

    for side_name, s in _SIDES.items():
        hip, used = p.first(f"{s}FEP")
        if np.isnan(hip).any():
            bell = _hjc_bell(p, s)
            gap = np.isnan(hip).any(axis=1)
            hip[gap] = bell[gap]
            used.append("Bell HJC(ASIS,PSIS)")
        put(f"{side_name}_hip", hip, VIS_MARKER, " | ".join(used))
        for lm_name, opts in (
            ("knee", (f"{s}FEO", (f"{s}LEK", f"{s}MEK"), f"{s}LEK", f"{s}KNE")),
            ("ankle", (f"{s}TIO", (f"{s}LM", f"{s}MM"), f"{s}LM", f"{s}ANK")),
            ("heel", (f"{s}HEE",)),
            ("foot_index", (f"{s}TOO", f"{s}MT2", f"{s}TOE")),
        ):
            val, used = p.first(*opts)
            put(f"{side_name}_{lm_name}", val, VIS_MARKER, " | ".join(used))

    # Thorax frame from the trunk markers (no shoulder/head/arm markers in this set).
    c7, _ = p.first("C7")
    jn, _ = p.first("JN", "CLAV")
    low, _ = p.first(("T10", "XIPH"), ("T10", "STRN"), "T10")
    top = 0.5 * (c7 + jn)
    up_t = _unit(top - low)
    fwd_t = jn - c7
    fwd_t = _unit(fwd_t - np.sum(fwd_t * up_t, axis=1, keepdims=True) * up_t)
    left_t = np.cross(up_t, fwd_t)
    asis_w = np.nanmedian(np.linalg.norm(p.first("LASIS", "LASI")[0] - p.first("RASIS", "RASI")[0], axis=1))
    half_sw = 0.8 * asis_w if np.isfinite(asis_w) else 170.0  # half biacromial width, mm

    def at(base: np.ndarray, f: float = 0.0, u: float = 0.0, l: float = 0.0) -> np.ndarray:
        return base + f * fwd_t + u * up_t + l * left_t

    for side_name, sgn in (("left", 1.0), ("right", -1.0)):
        sh = at(top, u=-20.0, l=sgn * half_sw)
        put(f"{side_name}_shoulder", sh, VIS_SHOULDER, "est. thorax frame (C7, JN, T10, XIPH)")
        elbow = sh - 280.0 * up_lab
        wrist = elbow - 250.0 * up_lab
        put(f"{side_name}_elbow", elbow, VIS_ARM, "placeholder: hangs 280 mm below shoulder")
        put(f"{side_name}_wrist", wrist, VIS_ARM, "placeholder: hangs 250 mm below elbow")
        for hand, (df, dl) in (("pinky", (-15.0, 0.0)), ("index", (20.0, 0.0)), ("thumb", (30.0, -15.0))):
            val = wrist - 80.0 * up_lab + df * fwd_t + sgn * dl * left_t
            put(f"{side_name}_{hand}", val, VIS_ARM, "placeholder: hand below wrist")

    head = at(c7, f=60.0, u=200.0)
    put("nose", at(head, f=100.0), VIS_HEAD, "est. head from thorax frame")
    for side_name, sgn, tag in (("left", 1.0, "left"), ("right", -1.0, "right")):
        put(f"{tag}_eye_inner", at(head, f=85.0, u=30.0, l=sgn * 15.0), VIS_HEAD, "est. head")
        put(f"{tag}_eye", at(head, f=80.0, u=30.0, l=sgn * 32.0), VIS_HEAD, "est. head")
        put(f"{tag}_eye_outer", at(head, f=70.0, u=30.0, l=sgn * 45.0), VIS_HEAD, "est. head")
        put(f"{tag}_ear", at(head, f=0.0, u=10.0, l=sgn * 75.0), VIS_HEAD, "est. head")
        put(f"mouth_{tag}", at(head, f=85.0, u=-40.0, l=sgn * 22.0), VIS_HEAD, "est. head")
    assert all(name in sources for name in LANDMARK_NAMES)
    return xyz, vis, sources


# --------------------------------------------------------------------------- truth


def _truth_series(p: _Points, xyz: np.ndarray, up: np.ndarray, fwd: np.ndarray,
                  left: np.ndarray) -> dict[str, np.ndarray]:
    """Per-frame truth from the Plug-in-Gait model outputs and the markers (float arrays
    of the stored frames, NaN in gaps).

    * ``pelvic_obliquity_deg``: ``LPelvisAngles`` component 1, positive = left side up;
    * ``knee_flexion_deg_{left,right}``: ``?KneeAngles`` component 0 (3D flexion);
    * ``foot_progression_deg_{left,right}``: ``−?FootProgressAngles`` component 2,
      positive = toes out (Plug-in-Gait's sign is negative for external);
    * ``heel_ml_pct_pelvis_{left,right}``: the heel marker's medio-lateral distance from
      the midline between the hip joint centres, outward positive, % of their distance;
    * ``hip_width_mm``: distance between the hip joint centres in the frontal plane;
    * ``knee_fppa_deg_{left,right}``: the frontal-plane projection angle of the model's
      hip, knee and ankle joint centres (``?FEP``, ``?FEO``, ``?TIO``) projected onto the
      lab's frontal plane (left, up), positive = knee medial of the hip–ankle line (the
      metric's definition, :func:`app.gait.metrics.knee_fppa_deg`, taken in 3D);
    * ``heel_line_deg_{left,right}``: in the same plane, the ankle joint centre→heel
      marker line's rotation from the shank (knee→ankle joint centres), positive = heel
      medial (:func:`app.gait.metrics.heel_line_deg`); ``shank_frontal_fraction_{side}``,
      the shank's length in that plane over its 3D length, and ``heel_line_frontal_mm_{side}``,
      the ankle→heel line's length in that plane (heel whip is read only where neither is
      foreshortened).
    """
    out: dict[str, np.ndarray] = {}
    out["pelvic_obliquity_deg"] = p.get("LPelvisAngles")[:, 1].copy()
    hl, hr = xyz[:, LM["left_hip"]], xyz[:, LM["right_hip"]]
    mid = 0.5 * (hl + hr)
    width = np.abs((hl - hr) @ left)
    out["hip_width_mm"] = width
    for side, s, sgn in (("left", "L", 1.0), ("right", "R", -1.0)):
        out[f"knee_flexion_deg_{side}"] = p.get(f"{s}KneeAngles")[:, 0].copy()
        out[f"foot_progression_deg_{side}"] = -p.get(f"{s}FootProgressAngles")[:, 2]
        heel = p.get(f"{s}HEE")
        out[f"heel_ml_pct_pelvis_{side}"] = ((heel - mid) @ left) * sgn / width * 100.0
        out[f"knee_fppa_deg_{side}"] = _fppa_deg(xyz[:, LM[f"{side}_hip"]], xyz[:, LM[f"{side}_knee"]],
                                                 xyz[:, LM[f"{side}_ankle"]], up, left * sgn)
        (out[f"heel_line_deg_{side}"], out[f"shank_frontal_fraction_{side}"],
         out[f"heel_line_frontal_mm_{side}"]) = _heel_line_deg(
            xyz[:, LM[f"{side}_knee"]], xyz[:, LM[f"{side}_ankle"]], heel, up, left * sgn)
    return out


def _heel_line_deg(knee: np.ndarray, ankle: np.ndarray, heel: np.ndarray, up: np.ndarray,
                   outward: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per frame, in the plane of ``outward`` and ``up``: the ankle→heel line's angle from
    the knee→ankle line (degrees, positive = heel medial, against ``outward``), the
    shank's length in that plane over its 3D length, and the ankle→heel line's length in
    that plane (mm)."""
    k, a, h = (_in_plane(v, outward, up) for v in (knee, ankle, heel))
    shank, foot = a - k, h - a
    # angles from straight down, positive toward ``outward``
    a1 = np.degrees(np.arctan2(shank[:, 0], -shank[:, 1]))
    a2 = np.degrees(np.arctan2(foot[:, 0], -foot[:, 1]))
    d = (a2 - a1 + 180.0) % 360.0 - 180.0
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.linalg.norm(shank, axis=1) / np.linalg.norm(ankle - knee, axis=1)
    return -d, frac, np.linalg.norm(foot, axis=1)


def _in_plane(v: np.ndarray, outward: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Points (N, 3) in the plane of the lab unit vectors ``outward`` and ``up``: (N, 2)."""
    return np.stack([v @ outward, v @ up], axis=1)


def _fppa_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, up: np.ndarray,
              outward: np.ndarray) -> np.ndarray:
    """Per frame, the hip–knee–ankle angle's deviation from straight (degrees) in the
    plane of ``outward`` and ``up`` (lab unit vectors), positive when the knee lies
    medial (against ``outward``) of the hip–ankle line."""
    h, k, a = (_in_plane(v, outward, up) for v in (hip, knee, ankle))
    thigh, shank = h - k, a - k
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = (thigh * shank).sum(axis=1) / (np.linalg.norm(thigh, axis=1) * np.linalg.norm(shank, axis=1))
        deviation = 180.0 - np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
        line_x = h[:, 0] + (a[:, 0] - h[:, 0]) * (k[:, 1] - h[:, 1]) / (a[:, 1] - h[:, 1])
    return np.where(k[:, 0] < line_x, deviation, -deviation)


def _resample(xyz: np.ndarray, truth: dict[str, np.ndarray], rate_hz: float, fps: float
              ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Cubic-spline interpolation of landmarks (N, 33, 3) and truth series to ``fps`` over
    the same time span (a gap at either neighbour stays a gap).

    Not linear: straight chords between the 100 Hz samples lie above a toe's convex rise
    at toe-off, so the resampled toe crossed its lift threshold early (the C3D walk's
    toe-offs at 120 fps without noise: −3.53 ms linear, −3.37 ms cubic; −2.38 ms at the
    file's own 100 Hz, so most of that difference is not the resampling)."""
    from scipy.interpolate import CubicSpline

    n = xyz.shape[0]
    t_src = np.arange(n) / rate_hz
    m = int(np.floor(t_src[-1] * fps)) + 1
    t = np.arange(m) / fps
    i0 = np.clip(np.floor(t * rate_hz).astype(int), 0, n - 1)
    i1 = np.clip(i0 + 1, 0, n - 1)

    def spline(v: np.ndarray) -> np.ndarray:
        flat = v.reshape(n, -1)
        out = np.full((m, flat.shape[1]), np.nan)
        for j in range(flat.shape[1]):
            col = flat[:, j]
            ok = np.isfinite(col)
            if ok.sum() < 4:
                continue
            filled = np.interp(t_src, t_src[ok], col[ok])  # across gaps, masked again below
            vals = CubicSpline(t_src, filled)(t)
            vals[~(ok[i0] & ok[i1])] = np.nan
            out[:, j] = vals
        return out.reshape((m,) + v.shape[1:])

    return spline(xyz), {k: spline(np.asarray(v, dtype=float)) for k, v in truth.items()}


# --------------------------------------------------------------------------- conversion


@lru_cache(maxsize=16)
def _convert_cached(
    path: str, view: str, facing: str | None, width: int, height: int,
    camera: str = "ortho", distance_m: float = 3.0, fps: float | None = None,
) -> tuple[tuple[PoseSample, ...], dict[str, Any]]:
    p = _Points(Path(path))
    if p.units.lower() not in ("mm", "millimeters", "millimetres"):
        raise ValueError(f"unexpected POINT:UNITS {p.units!r} (mm expected)")
    if camera not in ("ortho", "persp"):
        raise ValueError(f"camera must be 'ortho' or 'persp', got {camera!r}")
    up, fwd, left = _lab_axes(p)
    xyz, vis, sources = _landmarks_3d(p, up)
    truth = _truth_series(p, xyz, up, fwd, left)

    if fps is not None and abs(fps - p.rate_hz) > 1e-9:
        xyz, truth = _resample(xyz, truth, p.rate_hz, float(fps))
    rate = float(fps) if fps is not None else p.rate_hz
    n_frames = xyz.shape[0]

    hips = 0.5 * (xyz[:, LM["left_hip"]] + xyz[:, LM["right_hip"]])  # (N, 3)
    # Camera axes in the lab frame: image x (right), depth (away from the camera).
    if view == "side":
        if facing == "left":
            img_x, depth = -fwd, -left  # camera on the runner's left
        elif facing == "right":
            img_x, depth = fwd, left  # camera on the runner's right
        else:
            raise ValueError(f"side view needs facing 'left' or 'right', got {facing!r}")
    elif view == "rear":
        img_x, depth = -left, fwd  # camera behind: image right = runner's right
        facing = None
    elif view == "front":
        img_x, depth = left, -fwd  # camera in front, not mirrored: image right = runner's left
        facing = None
    else:
        raise ValueError(f"view must be 'side', 'rear' or 'front', got {view!r}")

    h_up = xyz @ up  # (N, 33) height above the lab origin, mm
    feet_idx = [LM[n] for n in ("left_heel", "right_heel", "left_foot_index", "right_foot_index")]
    floor = float(np.nanmin(h_up[:, feet_idx]))
    head_top = float(np.nanmedian(h_up[:, LM["nose"]])) + 110.0
    body_mm = head_top - floor
    scale = BODY_FRACTION_OF_HEIGHT * height / body_mm  # px per mm (at the hips' depth)
    hip_c = np.nanmedian(hips, axis=0)  # mean hip position, lab mm
    cx_mm = float(hip_c @ img_x)
    mid_up = floor + 0.5 * body_mm
    gap = np.isnan(xyz).any(axis=2)

    if camera == "ortho":
        u = (xyz @ img_x - cx_mm) * scale + 0.5 * width
        v = (mid_up - h_up) * scale + 0.5 * height
    else:
        # Pinhole camera ``distance_m`` from the mean hip position along the view axis, at
        # hip height, looking horizontally; focal length so that the hips' depth keeps
        # ``scale`` px/mm; the hips' height is mapped where the orthographic image has it.
        hip_h = float(hip_c @ up)
        cam = hip_c - depth * (distance_m * 1000.0)
        rel = xyz - cam
        zc = rel @ depth  # distance along the optical axis, mm
        f_px = scale * distance_m * 1000.0
        v_hip = (mid_up - hip_h) * scale + 0.5 * height
        u = f_px * ((rel @ img_x) / zc) + 0.5 * width
        v = v_hip - f_px * ((rel @ up) / zc)
    z = ((xyz - hips[:, None, :]) @ depth) * scale

    samples: list[PoseSample] = []
    for i in range(n_frames):
        arr = np.empty((N_LANDMARKS, 4), dtype=np.float32)
        arr[:, 0] = u[i]
        arr[:, 1] = v[i]
        arr[:, 2] = z[i]
        arr[:, 3] = vis
        arr[gap[i], :3] = np.nan
        arr[gap[i], 3] = 0.0
        arr.setflags(write=False)
        samples.append(
            PoseSample(
                frame_index=i,
                t_ns=int(round(i * 1e9 / rate)),
                landmarks=arr,
                width=int(width),
                height=int(height),
            )
        )

    t0 = _capture_start_s(p)
    events = _read_events(p, t0)
    contact = contact_times_from_events(events)
    ics = sorted(t for k, _, t in events if k == "IC")
    steps = [b - a for a, b in zip(ics, ics[1:])]
    cadence = 60.0 / (sum(steps) / len(steps)) if steps else None
    processing = p.params.get("PROCESSING", {})
    height_mm = processing.get("Height", {}).get("value")
    subjects = p.params.get("SUBJECTS", {})
    meta: dict[str, Any] = {
        "source": str(path),
        "fps": rate,
        "n_frames": n_frames,
        "duration_s": n_frames / rate,
        "camera": camera,
        "distance_m": distance_m if camera == "persp" else None,
        "view": view,
        "facing": facing,
        "width": int(width),
        "height": int(height),
        "capture_start_s": t0,
        "time_base": "t_s = stored frame index / fps; truth t_s = C3D event time - capture_start_s",
        "events": events,
        "event_frames": [(k, f, int(round(t * rate))) for k, f, t in events],
        "truth_series": truth,
        "truth_cadence_spm": cadence,
        "truth_step_times_s": steps,
        "truth_contact_ms": contact,
        "truth_contact_ms_mean": {f: mean_or_none(v) for f, v in contact.items()},
        "scale_px_per_mm": scale,
        "lab_axes": {"up": up.tolist(), "forward": fwd.tolist(), "left": left.tolist()},
        "landmark_sources": sources,
        "estimated_landmarks": [n for n in LANDMARK_NAMES if vis[LM[n]] < VIS_MARKER],
        "marker_set": (subjects.get("MARKER_SETS", {}).get("value") or [""])[0],
        "subject_height_cm": float(height_mm[0]) / 10.0 if height_mm is not None and len(height_mm) else None,
        "n_gap_cells": int(gap.sum()),
    }
    return tuple(samples), meta


def c3d_to_samples(
    path: str | Path | None = None,
    view: str = "side",
    facing: str | None = "left",
    width: int = 1280,
    height: int = 720,
    camera: str = "ortho",
    distance_m: float = 3.0,
    fps: float | None = None,
) -> tuple[list[PoseSample], dict[str, Any]]:
    """Convert a C3D marker file to a 2D BlazePose-like stream as a fixed camera sees it.

    ``path``: C3D file (default: the reference treadmill walk). ``view``: "side", "rear"
    or "front" (not mirrored); ``facing``: side view, the image direction the walker faces
    ("left"/"right", ignored otherwise). ``width``/``height``: image size in px.
    ``camera``: "ortho" (orthographic) or "persp" (a pinhole camera ``distance_m`` from
    the mean hip position, at hip height, looking horizontally). ``fps``: resample the
    100 Hz stream to this rate (linear interpolation; None = the file's rate).

    Returns the samples (one per stored frame, ``t_ns`` = index / point rate, float32
    (33, 4) landmarks x_px, y_px, z (px, relative to the hip midpoint), visibility) and a
    meta dict: ``fps``, ``events`` [(kind "IC"/"TO", foot "left"/"right", t_s)] in the
    samples' time base (C3D event time − ``capture_start_s``), ``event_frames``,
    ``truth_cadence_spm``, ``truth_contact_ms`` {foot: [ms]}, ``truth_contact_ms_mean``,
    ``scale_px_per_mm``, ``landmark_sources``, ``truth_series`` (per-frame model truth,
    see ``_truth_series``) and more. Results are cached per arguments.
    """
    path = Path(path) if path is not None else default_c3d_path()
    samples, meta = _convert_cached(str(path.resolve()), view, facing, int(width), int(height),
                                    camera, float(distance_m), None if fps is None else float(fps))
    return list(samples), copy.deepcopy(meta)
