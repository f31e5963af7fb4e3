"""Stick-figure illustrations of exercises, built from key poses (the app's own drawings).

A *key pose* is a small table of segment angles in degrees (the exercise library holds two
or three per exercise, ``assets/exercises``). :func:`drawing` turns one into lines and
circles in figure units (1.0 = body height; x right, y up, the floor at y = 0) that any
renderer can paint: the Qt widget in ``app.ui.plan.exercise_figure`` and the PDF page in
``app.plan.printout``. Pure Python, no numpy.

Angles (all absolute, not relative to the parent segment):

- ``trunk``: hip centre → shoulder centre, from straight **up**; + = toward image right;
- ``l_thigh``, ``l_shank``, ``l_foot``, ``l_arm``, ``l_fore`` (and ``r_…``): each segment
  from straight **down**; + = toward image right (thigh 90 = horizontal, pointing right);
- ``pelvis`` (front view): the hip line's tilt, + = the figure's left hip higher;
- ``head``: extra head tilt from the trunk line.

Side view: the figure faces image right; the left limbs are near the viewer (drawn dark,
in front), the right limbs far (drawn light, behind). Front view: the figure faces the
viewer, so its left side is at image right.

``support``: the point that rests at height ``lift`` ('lowest' = the lowest point; or
'l_foot' / 'r_foot' / 'l_hand' / 'r_hand'); ``props``: 'step' (a box of height ``lift``
under the support foot), 'wall' (in front), 'wall_back' (behind), 'mat', 'band_knees', 'band_ankles'.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

# Segment lengths as fractions of body height (rounded anthropometric proportions).
THIGH, SHANK, FOOT, HEEL, ANKLE_H = 0.245, 0.246, 0.10, 0.035, 0.04
TRUNK, NECK, HEAD_R = 0.30, 0.035, 0.062
UPPER_ARM, FOREARM = 0.186, 0.165
HIP_HALF, SHOULDER_HALF = 0.065, 0.115

ANGLE_KEYS = ("trunk", "pelvis", "head") + tuple(
    f"{s}_{seg}" for s in ("l", "r") for seg in ("thigh", "shank", "foot", "arm", "fore"))
#: Optional length factors (0.1–1) for segments seen foreshortened, e.g. ``r_shank_k``.
SCALE_KEYS = tuple(f"{s}_{seg}_k" for s in ("l", "r") for seg in ("thigh", "shank", "arm", "fore"))
SUPPORTS = ("lowest", "l_foot", "r_foot", "l_hand", "r_hand")
PROPS = ("step", "wall", "wall_back", "mat", "band_knees", "band_ankles")
VIEWS = ("side", "front")


@dataclass(frozen=True, slots=True)
class Line:
    """A segment from ``a`` to ``b`` (figure units). ``role``: 'near', 'far', 'trunk',
    'floor', 'prop' or 'band'; ``width`` in figure units."""

    a: tuple[float, float]
    b: tuple[float, float]
    role: str
    width: float


@dataclass(frozen=True, slots=True)
class Circle:
    c: tuple[float, float]
    r: float
    role: str


@dataclass(frozen=True)
class Drawing:
    """Lines and circles of one pose, and their bounding box (x0, y0, x1, y1)."""

    lines: tuple[Line, ...]
    circles: tuple[Circle, ...]
    bbox: tuple[float, float, float, float]


def validate_pose(pose: Mapping, view: str) -> list[str]:
    """Problems of one key pose as sentences (empty when it is fine)."""
    problems = []
    if view not in VIEWS:
        problems.append(f"view {view!r} is not one of {', '.join(VIEWS)}")
    for k, v in pose.items():
        if k in ANGLE_KEYS:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                problems.append(f"{k} must be a number of degrees, not {v!r}")
        elif k in SCALE_KEYS:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.1 <= v <= 1.0:
                problems.append(f"{k} must be a length factor from 0.1 to 1")
        elif k == "view":
            if v not in VIEWS:
                problems.append(f"view {v!r} is not one of {', '.join(VIEWS)}")
        elif k == "support":
            if v not in SUPPORTS:
                problems.append(f"support {v!r} is not one of {', '.join(SUPPORTS)}")
        elif k == "lift":
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 0.5:
                problems.append("lift must be a height from 0 to 0.5 (body heights)")
        elif k == "props":
            if not isinstance(v, list) or any(p not in PROPS for p in v):
                problems.append(f"props must be a list of {', '.join(PROPS)}")
        else:
            problems.append(f"unknown key {k!r}")
    return problems


def _down(angle_deg: float, length: float) -> tuple[float, float]:
    """Vector of ``length`` at ``angle_deg`` from straight down (+ = toward +x)."""
    a = math.radians(angle_deg)
    return (length * math.sin(a), -length * math.cos(a))


def _add(p: tuple[float, float], v: tuple[float, float]) -> tuple[float, float]:
    return (p[0] + v[0], p[1] + v[1])


def joints(pose: Mapping, view: str = "side") -> dict[str, tuple[float, float]]:
    """Joint positions before placing on the floor (hip centre at the origin, y up)."""
    g = lambda k, d=0.0: float(pose.get(k, d))  # noqa: E731
    front = view == "front"
    pts: dict[str, tuple[float, float]] = {}
    tilt = math.radians(g("pelvis"))
    for side, sign in (("l", 1.0), ("r", -1.0)):
        hw = HIP_HALF * sign if front else 0.0
        hip = (hw * math.cos(tilt), hw * math.sin(tilt))
        knee = _add(hip, _down(g(f"{side}_thigh"), THIGH * g(f"{side}_thigh_k", 1.0)))
        ankle = _add(knee, _down(g(f"{side}_shank"), SHANK * g(f"{side}_shank_k", 1.0)))
        if front:  # the foot points at the viewer: a short stroke outward at the sole
            heel = _add(ankle, (0.0, -ANKLE_H))
            toe = _add(heel, _down(g(f"{side}_foot", 90.0 * sign), 0.4 * FOOT))
        else:  # heel and toe below the ankle, along the foot's direction
            a = math.radians(g(f"{side}_foot", 90.0))
            u = (math.sin(a), -math.cos(a))
            n = (-math.cos(a), -math.sin(a))
            heel = (ankle[0] + ANKLE_H * n[0] - HEEL * u[0], ankle[1] + ANKLE_H * n[1] - HEEL * u[1])
            toe = (ankle[0] + ANKLE_H * n[0] + FOOT * u[0], ankle[1] + ANKLE_H * n[1] + FOOT * u[1])
        pts.update({f"{side}_hip": hip, f"{side}_knee": knee, f"{side}_ankle": ankle,
                    f"{side}_toe": toe, f"{side}_heel": heel})
    t = math.radians(g("trunk"))
    up = (math.sin(t), math.cos(t))
    neck = (TRUNK * up[0], TRUNK * up[1])
    pts["neck"] = neck
    for side, sign in (("l", 1.0), ("r", -1.0)):
        sw = SHOULDER_HALF * sign if front else 0.0
        sh = _add(neck, (sw * up[1], -sw * up[0]))
        elbow = _add(sh, _down(g(f"{side}_arm"), UPPER_ARM * g(f"{side}_arm_k", 1.0)))
        hand = _add(elbow, _down(g(f"{side}_fore"), FOREARM * g(f"{side}_fore_k", 1.0)))
        pts.update({f"{side}_shoulder": sh, f"{side}_elbow": elbow, f"{side}_hand": hand})
    h = t + math.radians(g("head"))
    d = NECK + HEAD_R
    pts["head"] = (neck[0] + d * math.sin(h), neck[1] + d * math.cos(h))
    return pts


def placed_joints(pose: Mapping, view: str = "side") -> dict[str, tuple[float, float]]:
    """:func:`joints` moved so that the pose's ``support`` rests at height ``lift``."""
    view = str(pose.get("view", view))
    pts = joints(pose, view)
    support = str(pose.get("support", "lowest"))
    lift = float(pose.get("lift", 0.0))
    if support == "lowest":
        base = min(min(p[1] for p in pts.values()), pts["head"][1] - HEAD_R)
    else:
        side, what = support.split("_")
        keys = (f"{side}_heel", f"{side}_toe", f"{side}_ankle") if what == "foot" else (f"{side}_hand",)
        base = min(pts[k][1] for k in keys)
    dy = lift - base
    return {k: (x, y + dy) for k, (x, y) in pts.items()}


def drawing(pose: Mapping, view: str = "side") -> Drawing:
    """The stick figure of ``pose`` placed on the floor (see the module docstring); a
    ``view`` key in the pose overrides ``view``."""
    view = str(pose.get("view", view))
    pts = placed_joints(pose, view)
    support = str(pose.get("support", "lowest"))
    lift = float(pose.get("lift", 0.0))
    props = list(pose.get("props", []))
    lines: list[Line] = []
    front = view == "front"
    limb_w, trunk_w = 0.030, 0.045
    for side in ("r", "l"):  # far (right) first, near (left) on top in the side view
        role = "near" if (side == "l" or front) else "far"
        chain = [f"{side}_hip", f"{side}_knee", f"{side}_ankle", f"{side}_heel", f"{side}_toe"]
        if not front:
            chain.append(f"{side}_ankle")  # the foot as a triangle
        for a, b in zip(chain, chain[1:]):
            lines.append(Line(pts[a], pts[b], role, limb_w))
        arm = [f"{side}_shoulder", f"{side}_elbow", f"{side}_hand"]
        for a, b in zip(arm, arm[1:]):
            lines.append(Line(pts[a], pts[b], role, limb_w * 0.85))
    mid_hip = ((pts["l_hip"][0] + pts["r_hip"][0]) / 2, (pts["l_hip"][1] + pts["r_hip"][1]) / 2)
    lines.append(Line(mid_hip, pts["neck"], "trunk", trunk_w))
    if front:
        lines.append(Line(pts["l_hip"], pts["r_hip"], "trunk", limb_w))
        lines.append(Line(pts["l_shoulder"], pts["r_shoulder"], "trunk", limb_w))
    circles = [Circle(pts["head"], HEAD_R, "trunk")]
    xs = [p[0] for p in pts.values()] + [pts["head"][0] - HEAD_R, pts["head"][0] + HEAD_R]
    ys = [p[1] for p in pts.values()] + [pts["head"][1] + HEAD_R]
    x0, x1 = min(xs) - 0.08, max(xs) + 0.08
    if "step" in props and support in ("l_foot", "r_foot") and lift > 0:
        s = support[0]
        fx = [pts[f"{s}_heel"][0], pts[f"{s}_toe"][0], pts[f"{s}_ankle"][0]]
        bx0, bx1 = min(fx) - 0.06, max(fx) + 0.06
        for a, b in (((bx0, 0.0), (bx0, lift)), ((bx0, lift), (bx1, lift)), ((bx1, lift), (bx1, 0.0))):
            lines.append(Line(a, b, "prop", 0.012))
        x0, x1 = min(x0, bx0 - 0.05), max(x1, bx1 + 0.05)
    if "wall" in props:
        wx = max(xs) + 0.03
        lines.append(Line((wx, 0.0), (wx, max(ys) + 0.05), "prop", 0.02))
        x1 = max(x1, wx + 0.05)
    if "wall_back" in props:
        wx = min(xs) - 0.03
        lines.append(Line((wx, 0.0), (wx, max(ys) + 0.05), "prop", 0.02))
        x0 = min(x0, wx - 0.05)
    if "mat" in props:
        lines.append(Line((min(xs) - 0.04, 0.004), (max(xs) + 0.04, 0.004), "prop", 0.012))
    for prop, joint in (("band_knees", "knee"), ("band_ankles", "ankle")):
        if prop in props:
            lines.append(Line(pts[f"l_{joint}"], pts[f"r_{joint}"], "band", 0.014))
    lines.insert(0, Line((x0, 0.0), (x1, 0.0), "floor", 0.01))
    return Drawing(tuple(lines), tuple(circles), (x0, -0.02, x1, max(ys) + 0.03))
