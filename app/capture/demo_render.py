"""Drawing of the synthetic runner (``app.capture.demo_runner``): a plain treadmill scene and
a figure from its landmarks, so that the demo looks like a camera and the pose model could
run on it too. Image pixels, RGB uint8."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from app.types import LM, Facing, View


class RunnerScene(Protocol):
    """What the drawing needs of a synthetic runner (``demo_runner.SyntheticRunner``):
    image size (px), view and facing, the figure's scale (px per m), centre x and belt
    line y (px), and the belt speed (m/s)."""

    width: int
    height: int
    view: View
    facing: Facing
    scale: float
    cx: float
    belt_y: float
    speed_mps: float


def make_background(runner: RunnerScene) -> np.ndarray:
    """The static treadmill scene for ``runner``'s view, RGB uint8."""
    import cv2

    w, h = runner.width, runner.height
    img = np.empty((h, w, 3), dtype=np.uint8)
    ramp = np.linspace(70, 120, h, dtype=np.float32)[:, None]
    img[:, :, 0] = ramp * 0.80
    img[:, :, 1] = ramp * 0.86
    img[:, :, 2] = ramp * 0.95
    by = int(runner.belt_y)
    img[by:, :] = (48, 48, 52)
    if runner.view is View.SIDE:
        # Treadmill deck and uprights.
        x0, x1 = int(runner.cx - 0.95 * runner.scale), int(runner.cx + 0.95 * runner.scale)
        cv2.rectangle(img, (x0, by), (x1, min(h - 1, by + int(0.05 * runner.scale))), (25, 25, 28), -1)
        front = x0 if runner.facing is Facing.LEFT else x1
        cv2.line(img, (front, by), (front, int(by - 1.1 * runner.scale)), (150, 150, 160), 6)
    else:
        half = int(0.35 * runner.scale)
        cv2.rectangle(img, (int(runner.cx) - half, by - 4), (int(runner.cx) + half, h - 1), (25, 25, 28), -1)
    return img

def render_runner(runner: RunnerScene, t_s: float, lm: np.ndarray,
              background: np.ndarray) -> np.ndarray:
    """RGB uint8 (height, width, 3): the figure drawn from landmarks ``lm`` (33, 4) on
    ``background`` at model time ``t_s``."""
    import cv2

    img = background.copy()
    by = int(runner.belt_y)
    if runner.view is View.SIDE:
        # Belt stripes moving backwards at belt speed.
        spacing = 0.5 * runner.scale
        back = 1.0 if runner.facing is Facing.LEFT else -1.0
        off = (back * runner.speed_mps * t_s * runner.scale) % spacing
        x = off - spacing
        while x < runner.width:
            cv2.line(img, (int(x), by), (int(x), by + 8), (90, 90, 96), 2)
            x += spacing
    th = max(3, int(0.055 * runner.scale))
    pts = {name: (int(round(lm[i, 0])), int(round(lm[i, 1]))) for name, i in LM.items()}

    def limb(a: str, b: str, color: tuple[int, int, int], t: int = th) -> None:
        cv2.line(img, pts[a], pts[b], color, t, cv2.LINE_AA)

    sides = ["left", "right"]
    if lm[LM["left_hip"], 2] < lm[LM["right_hip"], 2]:
        sides = ["right", "left"]  # draw the far side first
    skin, shirt, shorts = (222, 184, 150), (40, 110, 200), (35, 35, 45)
    for k, side in enumerate(sides):
        dim = 0.7 if (k == 0 and runner.view is View.SIDE) else 1.0
        c = lambda col: tuple(int(v * dim) for v in col)  # noqa: E731
        limb(f"{side}_hip", f"{side}_knee", c(shorts), th + 4)
        limb(f"{side}_knee", f"{side}_ankle", c(skin))
        limb(f"{side}_heel", f"{side}_foot_index", c((230, 60, 60)), th)
        limb(f"{side}_ankle", f"{side}_heel", c((230, 60, 60)), th)
        if k == 0:
            limb(f"{side}_shoulder", f"{side}_elbow", c(shirt), th)
            limb(f"{side}_elbow", f"{side}_wrist", c(skin), th - 1)
        if k == 0:
            torso = np.array([pts["left_shoulder"], pts["right_shoulder"],
                              pts["right_hip"], pts["left_hip"]], dtype=np.int32)
            cv2.fillConvexPoly(img, torso, shirt, cv2.LINE_AA)
            limb("left_shoulder", "left_hip", shirt, th + 8)
            limb("right_shoulder", "right_hip", shirt, th + 8)
            limb("left_hip", "right_hip", shorts, th + 6)
    near = sides[1]
    limb(f"{near}_shoulder", f"{near}_elbow", shirt, th)
    limb(f"{near}_elbow", f"{near}_wrist", skin, th - 1)
    head_c = (int(lm[LM["nose"], 0] * 0.4 + 0.3 * (lm[LM["left_ear"], 0] + lm[LM["right_ear"], 0])),
              int(lm[LM["nose"], 1] - 0.02 * runner.scale))
    cv2.circle(img, head_c, int(0.11 * runner.scale), skin, -1, cv2.LINE_AA)
    return img


