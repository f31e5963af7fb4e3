"""2D body geometry on BlazePose landmarks in image pixels (x right, y down)."""

from __future__ import annotations

import math

import numpy as np

from app.types import LM

L_SHOULDER, R_SHOULDER = LM["left_shoulder"], LM["right_shoulder"]
L_HIP, R_HIP = LM["left_hip"], LM["right_hip"]
L_KNEE, R_KNEE = LM["left_knee"], LM["right_knee"]
L_ANKLE, R_ANKLE = LM["left_ankle"], LM["right_ankle"]
L_HEEL, R_HEEL = LM["left_heel"], LM["right_heel"]
L_TOE, R_TOE = LM["left_foot_index"], LM["right_foot_index"]
L_WRIST, R_WRIST = LM["left_wrist"], LM["right_wrist"]
L_EAR, R_EAR = LM["left_ear"], LM["right_ear"]
NOSE = LM["nose"]

#: Per-side landmark indices of one leg, left then right.
LEG = {
    "left": {"hip": L_HIP, "knee": L_KNEE, "ankle": L_ANKLE, "heel": L_HEEL, "toe": L_TOE},
    "right": {"hip": R_HIP, "knee": R_KNEE, "ankle": R_ANKLE, "heel": R_HEEL, "toe": R_TOE},
}
#: Index pairs that swap when the legs' labels are exchanged.
LEG_SWAP_PAIRS = ((L_KNEE, R_KNEE), (L_ANKLE, R_ANKLE), (L_HEEL, R_HEEL), (L_TOE, R_TOE))


def midpoint(lm: np.ndarray, a: int, b: int) -> np.ndarray:
    """Midpoint (x, y) of landmarks a and b."""
    return (lm[a, :2] + lm[b, :2]) * 0.5


def angle_to_vertical_deg(top: np.ndarray, bottom: np.ndarray, forward_sign: float) -> float:
    """Angle of the segment bottom→top from image-vertical, in degrees.

    Positive when ``top`` lies ahead of ``bottom`` in the direction of travel
    (``forward_sign`` +1 = image right, -1 = image left).
    """
    dx = (top[0] - bottom[0]) * forward_sign
    dy = bottom[1] - top[1]  # up is positive
    return math.degrees(math.atan2(dx, dy))


def interior_angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """Angle ABC at vertex b in degrees (0..180)."""
    v1 = a[:2] - b[:2]
    v2 = c[:2] - b[:2]
    n = float(np.hypot(*v1) * np.hypot(*v2))
    if n == 0.0 or math.isnan(n):
        return float("nan")
    cos = float(np.clip(np.dot(v1, v2) / n, -1.0, 1.0))
    return math.degrees(math.acos(cos))

