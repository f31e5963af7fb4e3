"""Running metrics per step, from 2D landmarks (definitions: shared/docs/GAIT_METRICS.md).

All functions are pure: they take landmark arrays (33, 4) in image pixels (x right,
y down) and return plain floats (NaN when a needed landmark is missing).
``forward_sign`` is +1 when the runner faces image-right, -1 when image-left.
``lateral_sign`` (frontal views) is +1 when the runner's left side is at image-right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np

from app.gait import geometry as g
from app.types import View

SIDE = frozenset({View.SIDE})
FRONTAL = frozenset({View.REAR, View.FRONT})
REAR = frozenset({View.REAR})
ANY = frozenset(View)


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """What a metric is, its unit, where it can be measured and its default bands.

    ``default_green``/``default_amber``: (low, high) inclusive bands; outside amber = red.
    ``higher_is_worse``: True/False, or None when both directions are faults.
    """

    name: str
    unit: str
    views: frozenset
    label: str
    higher_is_worse: bool | None
    default_green: tuple[float, float]
    default_amber: tuple[float, float]
    per_step: bool = True
    trend_only: bool = False  # an estimate to follow over time, never better than "low"


_SPECS = (
    MetricSpec("cadence_spm", "spm", ANY, "Cadence", False, (165, 200), (155, 210), per_step=False),
    MetricSpec("step_time_ms", "ms", ANY, "Step time", None, (300, 380), (270, 420)),
    MetricSpec("contact_ms", "ms", SIDE, "Ground contact", True, (160, 280), (140, 320)),
    MetricSpec("flight_ms", "ms", SIDE, "Flight time", None, (40, 160), (0, 200)),
    MetricSpec("duty_factor", "", SIDE, "Duty factor", True, (0.25, 0.42), (0.2, 0.48)),
    MetricSpec("step_time_asymmetry_pct", "%", ANY, "Step-time asymmetry", None, (-4, 4), (-8, 8),
               per_step=False),
    MetricSpec("contact_time_asymmetry_pct", "%", SIDE, "Contact-time asymmetry", None, (-5, 5),
               (-10, 10), per_step=False),
    MetricSpec("overstride_pct_leg", "% leg", SIDE, "Overstride", True, (-5, 15), (-10, 25)),
    MetricSpec("shank_angle_ic_deg", "°", SIDE, "Shank angle at contact", True, (-5, 6), (-10, 10)),
    MetricSpec("knee_flexion_ic_deg", "°", SIDE, "Knee flexion at contact", False, (12, 35), (8, 45)),
    MetricSpec("knee_flexion_peak_stance_deg", "°", SIDE, "Peak knee flexion (stance)", None,
               (35, 50), (28, 58)),
    MetricSpec("hip_extension_to_deg", "°", SIDE, "Hip extension at toe-off", False, (10, 30), (5, 35)),
    MetricSpec("trunk_lean_deg", "°", SIDE, "Trunk lean", None, (2, 12), (0, 16)),
    MetricSpec("vertical_oscillation_pct_leg", "% leg", SIDE, "Vertical oscillation", True,
               (0, 10), (0, 13)),
    MetricSpec("foot_strike_angle_deg", "°", SIDE, "Foot strike angle", True, (-5, 8), (-10, 15)),
    MetricSpec("pelvic_drop_deg", "°", FRONTAL, "Pelvic drop", True, (-5, 5), (-8, 8)),
    MetricSpec("knee_valgus_fppa_deg", "°", FRONTAL, "Knee valgus (FPPA)", True, (-5, 8), (-10, 13)),
    MetricSpec("lateral_trunk_lean_deg", "°", FRONTAL, "Lateral trunk lean", True, (-4, 4), (-7, 7)),
    MetricSpec("step_width_pct_pelvis", "% pelvis", FRONTAL, "Step width", False, (0, 60), (-15, 80)),
    MetricSpec("heel_whip_deg", "°", REAR, "Heel whip", True, (-8, 8), (-14, 14)),
    MetricSpec("foot_progression_deg", "°", FRONTAL, "Foot progression (toe-out)", None,
               (0, 15), (-5, 22), trend_only=True),
    MetricSpec("arm_crossover_pct", "% steps", FRONTAL, "Arm crossover", True, (0, 20), (0, 50)),
)
METRIC_SPECS: Mapping[str, MetricSpec] = MappingProxyType({s.name: s for s in _SPECS})

#: Foot-strike categories by foot angle at contact (Altman & Davis 2012), degrees.
RFS_MIN_DEG = 8.0
FFS_MAX_DEG = -1.6


def foot_strike_category(angle_deg: float | None) -> str | None:
    """'rearfoot' / 'midfoot' / 'forefoot' from the foot strike angle in degrees."""
    if angle_deg is None or math.isnan(angle_deg):
        return None
    if angle_deg > RFS_MIN_DEG:
        return "rearfoot"
    if angle_deg < FFS_MAX_DEG:
        return "forefoot"
    return "midfoot"


def _nan_if_missing(*points: np.ndarray) -> bool:
    return any(math.isnan(p[0]) or math.isnan(p[1]) for p in points)


def leg_length_px(lm: np.ndarray, side: str) -> float:
    """Thigh + shank length of one leg in pixels (invariant to knee flexion)."""
    leg = g.LEG[side]
    hip, knee, ankle = lm[leg["hip"]], lm[leg["knee"]], lm[leg["ankle"]]
    if _nan_if_missing(hip, knee, ankle):
        return math.nan
    return float(math.hypot(*(hip[:2] - knee[:2])) + math.hypot(*(knee[:2] - ankle[:2])))


# ---------------------------------------------------------------------------- side view
def contact_point(lm: np.ndarray, side: str) -> np.ndarray:
    """Heel (x, y), or the ankle when the heel is not visible."""
    leg = g.LEG[side]
    heel = lm[leg["heel"]]
    if not math.isnan(heel[0]) and heel[3] >= 0.3:
        return heel[:2]
    return lm[leg["ankle"], :2]


def overstride_pct_leg(lm: np.ndarray, side: str, forward_sign: float, leg_px: float) -> float:
    """Contact point ahead of the hip midpoint at IC, % of leg length (positive = ahead)."""
    hip = g.midpoint(lm, g.L_HIP, g.R_HIP)
    foot = contact_point(lm, side)
    return float((foot[0] - hip[0]) * forward_sign / leg_px * 100.0)


def shank_angle_deg(lm: np.ndarray, side: str, forward_sign: float) -> float:
    """Shank (knee→ankle) angle to vertical; positive = ankle ahead of knee (reaching)."""
    leg = g.LEG[side]
    knee, ankle = lm[leg["knee"]], lm[leg["ankle"]]
    if _nan_if_missing(knee, ankle):
        return math.nan
    # the knee (top) behind the ankle (bottom) = the ankle ahead: reverse the direction
    return g.angle_to_vertical_deg(knee, ankle, -forward_sign)


def knee_flexion_deg(lm: np.ndarray, side: str) -> float:
    """180° − hip-knee-ankle angle, degrees (0 = straight)."""
    leg = g.LEG[side]
    return 180.0 - g.interior_angle_deg(lm[leg["hip"]], lm[leg["knee"]], lm[leg["ankle"]])


def thigh_extension_deg(lm: np.ndarray, side: str, forward_sign: float) -> float:
    """Thigh (hip→knee) angle behind vertical, degrees (positive = knee behind the hip)."""
    leg = g.LEG[side]
    hip, knee = lm[leg["hip"]], lm[leg["knee"]]
    if _nan_if_missing(hip, knee):
        return math.nan
    return g.angle_to_vertical_deg(hip, knee, forward_sign)  # hip ahead = knee behind


def trunk_lean_deg(lm: np.ndarray, forward_sign: float) -> float:
    """Hip midpoint → shoulder midpoint vs vertical, forward positive, degrees."""
    hip = g.midpoint(lm, g.L_HIP, g.R_HIP)
    sh = g.midpoint(lm, g.L_SHOULDER, g.R_SHOULDER)
    if _nan_if_missing(hip, sh):
        return math.nan
    return g.angle_to_vertical_deg(sh, hip, forward_sign)


def foot_angle_deg(lm: np.ndarray, side: str, forward_sign: float) -> float:
    """Heel→toe line vs horizontal (the belt), degrees; positive = toe up (dorsiflexed)."""
    leg = g.LEG[side]
    heel, toe = lm[leg["heel"]], lm[leg["toe"]]
    if _nan_if_missing(heel, toe):
        return math.nan
    dx = (toe[0] - heel[0]) * forward_sign
    dy = heel[1] - toe[1]
    return math.degrees(math.atan2(dy, dx))


# ------------------------------------------------------------------------ frontal views
def _outward_sign(lm: np.ndarray, side: str) -> float:
    """+1 when this side's hip is at larger image x than the other hip, else -1."""
    this = g.LEG[side]["hip"]
    other = g.LEG["right" if side == "left" else "left"]["hip"]
    d = lm[this, 0] - lm[other, 0]
    return 1.0 if d >= 0 else -1.0


def pelvic_drop_deg(lm: np.ndarray, stance_side: str) -> float:
    """Hip line vs horizontal, positive when the swing-side hip is lower (degrees)."""
    stance = lm[g.LEG[stance_side]["hip"]]
    swing = lm[g.LEG["right" if stance_side == "left" else "left"]["hip"]]
    if _nan_if_missing(stance, swing):
        return math.nan
    return math.degrees(math.atan2(swing[1] - stance[1], abs(swing[0] - stance[0])))


def knee_fppa_deg(lm: np.ndarray, side: str) -> float:
    """Frontal-plane projection angle, positive = knee medial of the hip–ankle line."""
    leg = g.LEG[side]
    hip, knee, ankle = lm[leg["hip"]], lm[leg["knee"]], lm[leg["ankle"]]
    if _nan_if_missing(hip, knee, ankle):
        return math.nan
    deviation = 180.0 - g.interior_angle_deg(hip, knee, ankle)
    dy = ankle[1] - hip[1]
    if abs(dy) < 1e-6:
        return math.nan
    line_x = hip[0] + (ankle[0] - hip[0]) * (knee[1] - hip[1]) / dy
    medial = -_outward_sign(lm, side)
    return float(math.copysign(deviation, (knee[0] - line_x) * medial))


def lateral_trunk_lean_deg(lm: np.ndarray, stance_side: str) -> float:
    """Shoulder midpoint vs hip midpoint from vertical (:func:`body_axis_deg`), toward
    the stance side positive; NaN when the shoulders are not above the hips."""
    axis = body_axis_deg(lm)
    return axis * _outward_sign(lm, stance_side) if axis == axis else math.nan


def body_axis_deg(lm: np.ndarray) -> float:
    """The hips' midpoint to the shoulders' midpoint from the image's vertical, degrees,
    clockwise on screen positive (the shoulders to image-right of the hips)."""
    hip = g.midpoint(lm, g.L_HIP, g.R_HIP)
    sh = g.midpoint(lm, g.L_SHOULDER, g.R_SHOULDER)
    if _nan_if_missing(hip, sh) or hip[1] - sh[1] <= 0:
        return math.nan
    return g.angle_to_vertical_deg(sh, hip, 1.0)


def step_width_pct_pelvis(lm: np.ndarray, side: str, centre_x_px: float | None = None,
                          depth_ratio: float = 1.0) -> float:
    """The foot (heel, or ankle when the heel is not seen) at IC from the body midline
    (the hips' midpoint), % of hip width; outward positive, negative = crossover.

    ``depth_ratio``: the foot's distance from the camera over the hips' (rear/front views
    under perspective, :func:`ground_depth_ratio`); with ``centre_x_px``, the image's
    centre, the foot's offset from the centre is scaled by it, so that it reads at the
    hips' scale: a heel landing 0.24 m ahead of the hips, 3 m from a rear camera, looks 8 %
    nearer the image centre than it is (1.8 % of hip width for a centred runner, ~10 % for
    one filmed 0.6 m off-centre)."""
    hip_l, hip_r = lm[g.L_HIP], lm[g.R_HIP]
    foot = contact_point(lm, side)
    if _nan_if_missing(hip_l, hip_r) or math.isnan(foot[0]):
        return math.nan
    width = abs(hip_l[0] - hip_r[0])
    if width < 1.0:
        return math.nan
    mid = (hip_l[0] + hip_r[0]) / 2
    foot_x = float(foot[0])
    if centre_x_px is not None and math.isfinite(depth_ratio):
        foot_x = centre_x_px + (foot_x - centre_x_px) * depth_ratio
    return float((foot_x - mid) * _outward_sign(lm, side) / width * 100.0)


#: Limits of :func:`ground_depth_ratio` (a foot lands at most ~0.6 m ahead of or behind
#: the hips, and the camera is at least ~2.5 m away).
DEPTH_RATIO_RANGE = (0.8, 1.25)


def ground_depth_ratio(heel_below_hips_px: np.ndarray, heel_depth_px: np.ndarray,
                       depth_at_ic_px: float) -> float:
    """The heel's distance from the camera at IC over the hips', from its stance on the
    ground (rear/front views; NaN when it cannot be told).

    A camera level with the hips (as the framing guide asks) sees a point on the floor at
    distance Z at ``f·H/Z`` below the hips' row, H the camera's height. So the ratio is
    (the planted heel's height below the hips where its depth equals the hips') over
    (that height at IC), from a straight line fitted to the heel's image height against
    its depth. ``heel_below_hips_px``: image y of the heel minus the hips' mean y over the
    planted part of the stance, px; ``heel_depth_px``: the pose model's depth of the heel
    from the hips (z, px; only where it crosses the hips' depth matters, not its scale);
    ``depth_at_ic_px``: that depth at IC. Under an orthographic view the heel's height
    does not change with depth and the ratio is 1."""
    ok = np.isfinite(heel_below_hips_px) & np.isfinite(heel_depth_px)
    y, z = heel_below_hips_px[ok], heel_depth_px[ok]
    if y.size < 3 or not math.isfinite(depth_at_ic_px) or np.ptp(z) < 1.0:
        return math.nan
    slope, at_hips = np.polyfit(z, y, 1)
    at_ic = at_hips + slope * depth_at_ic_px
    if at_hips <= 0 or at_ic <= 0:
        return math.nan
    lo, hi = DEPTH_RATIO_RANGE
    return float(min(hi, max(lo, at_hips / at_ic)))


def heel_line_deg(lm: np.ndarray, side: str) -> float:
    """Rotation of the ankle→heel line from the shank (knee→ankle) line, degrees.

    Positive when the heel points medially (toward the other leg).
    """
    leg = g.LEG[side]
    knee, ankle, heel = lm[leg["knee"]], lm[leg["ankle"]], lm[leg["heel"]]
    if _nan_if_missing(knee, ankle, heel):
        return math.nan
    a1 = math.atan2(ankle[0] - knee[0], ankle[1] - knee[1])
    a2 = math.atan2(heel[0] - ankle[0], heel[1] - ankle[1])
    d = math.degrees(a2 - a1)
    d = (d + 180.0) % 360.0 - 180.0
    return d * -_outward_sign(lm, side)


def foot_progression_deg(lm: np.ndarray, side: str, view: View) -> float:
    """Heel→toe direction against the direction of travel in the ground plane, degrees;
    positive = toes out. Frontal views only: the forward component comes from the pose
    model's depth (``z``, same scale as x; larger = farther from the camera), because a
    flat rear or front image shows the foot's length end-on. NaN without depth."""
    leg = g.LEG[side]
    heel, toe = lm[leg["heel"]], lm[leg["toe"]]
    if _nan_if_missing(heel, toe) or math.isnan(heel[2]) or math.isnan(toe[2]):
        return math.nan
    forward = (toe[2] - heel[2]) * (1.0 if view is View.REAR else -1.0)
    outward = (toe[0] - heel[0]) * _outward_sign(lm, side)
    if math.hypot(forward, outward) < 1e-6:
        return math.nan
    return math.degrees(math.atan2(outward, forward))


def wrist_crosses_midline(lm: np.ndarray) -> bool | None:
    """True when either wrist is past the body midline toward the other side."""
    hip = g.midpoint(lm, g.L_HIP, g.R_HIP)
    sh = g.midpoint(lm, g.L_SHOULDER, g.R_SHOULDER)
    if _nan_if_missing(hip, sh):
        return None
    mid_x = (hip[0] + sh[0]) / 2
    seen = False
    for side, wrist_i in (("left", g.L_WRIST), ("right", g.R_WRIST)):
        w = lm[wrist_i]
        if math.isnan(w[0]) or w[3] < 0.3:
            continue
        seen = True
        if (w[0] - mid_x) * _outward_sign(lm, side) < 0:
            return True
    return False if seen else None
