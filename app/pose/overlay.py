"""Overlay geometry: what to draw on the body for the chosen view (no painting here).

:func:`build_overlay` turns one landmark array into a small frozen :class:`Overlay` of
lines, arcs, markers and labels in **image pixel coordinates**. It runs on the GUI thread
in the display timer, not in ``paintEvent`` (painting only walks these tuples). Qt-free, so
the live window (``app.ui``) and the comparison export (``app.compare.render``, cv2) share it.

Side view: knee angle arc with its value, shank line, trunk line with lean, and at initial
contact the overstride marker (vertical through the hip midpoint and the contact point).
Rear/front view: pelvis line with its tilt, knee–hip–ankle lines per leg with the frontal
plane projection angle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.types import LM, View

#: Skeleton segments (landmark index pairs), body only.
SKELETON: tuple[tuple[int, int], ...] = tuple(
    (LM[a], LM[b]) for a, b in (
        ("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"),
        ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
        ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
        ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
        ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
        ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
        ("left_ankle", "left_heel"), ("left_heel", "left_foot_index"),
        ("left_ankle", "left_foot_index"),
        ("right_ankle", "right_heel"), ("right_heel", "right_foot_index"),
        ("right_ankle", "right_foot_index"),
    )
)
MIN_VIS = 0.3
#: frontal views: a knee's angle is labelled only while its shank shows at least this
#: fraction of the thigh's length in the image: a shank turned more than ~45° out of the
#: image plane (cos 45° ≈ 0.7; a swinging leg's, folded towards or away from the camera)
#: has no meaningful frontal-plane angle (the engine's stance foot is known ~0.1-0.2 s
#: late, and the label read -28° on the demo's leg just after its toe-off)
MIN_SHANK_THIGH_RATIO = 0.7

#: How each line kind is drawn: (colour "#rrggbb", width in display pixels), in drawing
#: order ('guide' lines are dashed). Shared by the live view (Qt) and the export (cv2).
LINE_STYLES: dict[str, tuple[str, float]] = {
    "bone": ("#e8e8e8", 3.0),
    "bone_left": ("#4fc3f7", 4.0),
    "bone_right": ("#ffb74d", 4.0),
    "shank": ("#ffee58", 4.0),
    "trunk": ("#ce93d8", 4.0),
    "pelvis": ("#ff5252", 5.0),
    "guide": ("#ffffff", 1.5),
    "overstride": ("#ff5252", 5.0),
}

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Line:
    a: Point
    b: Point
    kind: str          # 'bone_left' | 'bone_right' | 'bone' | 'shank' | 'trunk' | 'pelvis' | 'guide' | 'overstride'


@dataclass(frozen=True, slots=True)
class Arc:
    center: Point
    radius: float
    start_deg: float   # Qt convention: degrees counter-clockwise from 3 o'clock, y up
    span_deg: float


@dataclass(frozen=True, slots=True)
class Label:
    at: Point
    text: str
    kind: str = "angle"


@dataclass(frozen=True, slots=True)
class Overlay:
    skeleton: tuple[Line, ...] = ()
    joints: tuple[Point, ...] = ()
    lines: tuple[Line, ...] = ()
    arcs: tuple[Arc, ...] = ()
    labels: tuple[Label, ...] = ()
    contact: Point | None = None   # where the latest initial contact happened (flash)


def _pt(lm: np.ndarray, name: str) -> Point | None:
    i = LM[name]
    x, y, v = float(lm[i, 0]), float(lm[i, 1]), float(lm[i, 3])
    if not (math.isfinite(x) and math.isfinite(y)) or v < MIN_VIS:
        return None
    return (x, y)


def _mid(a: Point | None, b: Point | None) -> Point | None:
    if a is None or b is None:
        return None
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def _angle_image_deg(a: Point, b: Point) -> float:
    """Direction a→b in Qt arc degrees (counter-clockwise from +x with y up)."""
    return math.degrees(math.atan2(-(b[1] - a[1]), b[0] - a[0]))


def _knee_arc(hip: Point, knee: Point, ankle: Point, scale: float) -> tuple[Arc, Label]:
    """Arc at the knee between the thigh (knee→hip) and shank (knee→ankle) directions,
    labelled with knee flexion = 180° − interior angle."""
    a1 = _angle_image_deg(knee, hip)
    a2 = _angle_image_deg(knee, ankle)
    span = (a2 - a1 + 540.0) % 360.0 - 180.0      # signed shortest, within ±180
    interior = abs(span)
    flex = 180.0 - interior
    r = 0.35 * scale
    mid = math.radians(a1 + span / 2)
    label_at = (knee[0] - math.cos(mid) * r * 1.6, knee[1] + math.sin(mid) * r * 1.6)
    return Arc(knee, r, a1, span), Label(label_at, f"{flex:.0f}°")


def build_overlay(lm: np.ndarray | None, view: View, forward_sign: float = -1.0,
                  contact: tuple[str, Point | None] | None = None,
                  stance_foot: str | None = None, roll_deg: float = 0.0,
                  on_ground: tuple[str, ...] | None = None) -> Overlay:
    """Overlay primitives for landmarks ``lm`` (33, 4) in image pixels.

    ``forward_sign``: +1 when the runner faces image-right, -1 image-left (side view).
    ``contact``: (foot, heel point at IC) for the latest initial contact, drawn as the
    overstride marker while it is recent (the caller decides how long).
    ``on_ground``: the feet on the ground now (side view): the near leg's shank angle
    (``metrics.shank_angle_deg``, the tile's sign: + = ankle ahead of the knee) is labelled
    only while that foot is on the ground — a swinging shank's angle (−80° and more,
    folded behind) is not the landing the tile measures; not labelled when unknown.
    Frontal views: the labels are the engine's own metrics (``app.gait.metrics``) with
    the tiles' signs — pelvic drop for the foot on the ground (``stance_foot``; positive
    = the swing side lower), knee FPPA (positive = valgus) of the stance leg, or of both
    legs when the stance foot is not known (a squat), while its shank is not
    foreshortened (``MIN_SHANK_THIGH_RATIO``) — on landmarks turned
    by the camera roll ``roll_deg`` found by the engine.
    """
    if lm is None:
        return Overlay()
    skel: list[Line] = []
    for i, j in SKELETON:
        if lm[i, 3] >= MIN_VIS and lm[j, 3] >= MIN_VIS:
            a, b = _NAMES[i].split("_")[0], _NAMES[j].split("_")[0]
            kind = f"bone_{a}" if a == b else "bone"
            skel.append(Line((float(lm[i, 0]), float(lm[i, 1])),
                             (float(lm[j, 0]), float(lm[j, 1])), kind))
    joints = tuple((float(lm[i, 0]), float(lm[i, 1])) for i in _JOINTS if lm[i, 3] >= MIN_VIS)
    lines: list[Line] = []
    arcs: list[Arc] = []
    labels: list[Label] = []
    hip_l, hip_r = _pt(lm, "left_hip"), _pt(lm, "right_hip")
    sh_l, sh_r = _pt(lm, "left_shoulder"), _pt(lm, "right_shoulder")
    hip_m, sh_m = _mid(hip_l, hip_r), _mid(sh_l, sh_r)
    # Body scale: trunk length in pixels (for arc radii and marker sizes).
    scale = 80.0
    if hip_m and sh_m:
        scale = max(20.0, math.hypot(sh_m[0] - hip_m[0], sh_m[1] - hip_m[1]) * 0.5)

    if view is View.SIDE:
        # Near leg = the more visible one.
        near = "left" if lm[LM["left_knee"], 3] >= lm[LM["right_knee"], 3] else "right"
        hip, knee, ankle = (_pt(lm, f"{near}_{n}") for n in ("hip", "knee", "ankle"))
        if hip and knee and ankle:
            arc, lab = _knee_arc(hip, knee, ankle, scale)
            arcs.append(arc)
            labels.append(lab)
            lines.append(Line(knee, ankle, "shank"))
            if on_ground is not None and near in on_ground:
                from app.gait.metrics import shank_angle_deg

                shank = shank_angle_deg(lm, near, forward_sign)
                if not math.isnan(shank):
                    labels.append(Label((ankle[0] + 0.3 * scale, ankle[1] - 0.3 * scale),
                                        f"shank {shank:+.0f}°", "small"))
        if hip_m and sh_m:
            lines.append(Line(hip_m, sh_m, "trunk"))
            top = (hip_m[0], hip_m[1] - 1.1 * (hip_m[1] - sh_m[1]))
            lines.append(Line(hip_m, top, "guide"))
            lean = math.degrees(math.atan2((sh_m[0] - hip_m[0]) * forward_sign, hip_m[1] - sh_m[1]))
            labels.append(Label((sh_m[0] - forward_sign * 0.6 * scale, sh_m[1]),
                                f"trunk {lean:+.0f}°", "small"))
        if contact is not None and contact[1] is not None and hip_m is not None:
            heel = contact[1]
            floor_y = heel[1]
            lines.append(Line((hip_m[0], hip_m[1]), (hip_m[0], floor_y), "guide"))
            lines.append(Line((hip_m[0], floor_y), heel, "overstride"))
    else:
        from app.gait import metrics as gm

        lm_m = _unroll(lm, roll_deg)
        if hip_l and hip_r:
            lines.append(Line(hip_l, hip_r, "pelvis"))
            y0 = min(hip_l[1], hip_r[1])
            cx = (hip_l[0] + hip_r[0]) / 2
            half = abs(hip_r[0] - hip_l[0]) / 2 + 0.4 * scale
            # the level line is the world's horizontal (turned by the camera roll)
            dy = math.tan(math.radians(roll_deg)) * half
            ym = (hip_l[1] + hip_r[1]) / 2
            lines.append(Line((cx - half, ym - dy), (cx + half, ym + dy), "guide"))
            if stance_foot in ("left", "right"):
                drop = gm.pelvic_drop_deg(lm_m, stance_foot)
                if not math.isnan(drop):
                    labels.append(Label((cx + half + 0.1 * scale, y0 - 0.2 * scale),
                                        f"drop {drop:+.0f}°"))
        for side in ("left", "right"):
            hip, knee, ankle = (_pt(lm, f"{side}_{n}") for n in ("hip", "knee", "ankle"))
            if hip and knee and ankle:
                lines.append(Line(hip, ankle, "guide"))
                lines.append(Line(hip, knee, "shank"))
                lines.append(Line(knee, ankle, "shank"))
                # valgus is a stance measure: a swinging leg's angle (often -30° and more,
                # the shank foreshortened) would contradict the tile
                labelled = (stance_foot not in ("left", "right") or side == stance_foot) and (
                    math.dist(knee, ankle) >= MIN_SHANK_THIGH_RATIO * math.dist(hip, knee))
                fppa = gm.knee_fppa_deg(lm_m, side) if labelled else math.nan
                if not math.isnan(fppa):
                    labels.append(Label((knee[0] + (0.5 if knee[0] > (hip_m or knee)[0] else -1.2) * scale,
                                         knee[1]), f"{fppa:+.0f}°", "small"))
    cpt = contact[1] if contact is not None else None
    return Overlay(tuple(skel), joints, tuple(lines), tuple(arcs), tuple(labels), cpt)


def _unroll(lm: np.ndarray, roll_deg: float) -> np.ndarray:
    """``lm`` turned by ``-roll_deg`` about its hip midpoint (angles only need the turn)."""
    if not roll_deg:
        return lm
    a = math.radians(-roll_deg)
    ca, sa = math.cos(a), math.sin(a)
    out = np.array(lm, dtype=np.float64, copy=True)
    c = (out[LM["left_hip"], :2] + out[LM["right_hip"], :2]) / 2
    dx, dy = out[:, 0] - c[0], out[:, 1] - c[1]
    out[:, 0] = c[0] + ca * dx - sa * dy
    out[:, 1] = c[1] + sa * dx + ca * dy
    return out


_NAMES = {i: name for name, i in LM.items()}
_JOINTS = tuple(LM[n] for n in (
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index", "nose"))
