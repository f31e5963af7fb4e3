"""Pose samples from the synthetic runner (``app.capture.demo.SyntheticRunner``), as the
engine receives them from real rear/front video: image heights only (no usable depth)."""

from __future__ import annotations

import numpy as np

from app.types import PoseSample


def heights_only_samples(runner, seconds: float, fps: float, noise_px: float = 0.0,
                         seed: int = 0) -> list[PoseSample]:
    """``seconds`` of ``runner`` at ``fps``, depth set unknown (NaN); ``noise_px`` of
    Gaussian pose noise on x and y (``tests.validation.frontal.pose_noise``, ``seed``)."""
    from tests.validation.frontal import pose_noise

    out = []
    for i in range(int(seconds * fps)):
        lm = runner.landmarks_at(i / fps).copy()
        lm[:, 2] = np.nan
        out.append(PoseSample(i, int(round(i / fps * 1e9)), lm, runner.width, runner.height))
    return pose_noise(out, noise_px, 0.0, seed=seed) if noise_px else out


def as_read_facing_the_camera(lm: np.ndarray) -> np.ndarray:
    """One rear-view pose as the pose model often reads it: the body labelled mirrored
    (as if it faced the camera) with a confident face."""
    from app.gait.tracking import swap_body
    from app.types import LM

    out = swap_body(lm)
    for name in ("nose", "left_eye", "right_eye", "mouth_left", "mouth_right"):
        out[LM[name], 3] = 0.95
    return out
