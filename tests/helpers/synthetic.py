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

    out = [_heights_only_sample(runner, i, fps) for i in range(int(seconds * fps))]
    return pose_noise(out, noise_px, 0.0, seed=seed) if noise_px else out


def _heights_only_sample(runner, i: int, fps: float) -> PoseSample:
    """Frame ``i`` of ``runner`` at ``fps``, its depth set unknown (NaN)."""
    lm = runner.landmarks_at(i / fps).copy()
    lm[:, 2] = np.nan
    return PoseSample(i, int(round(i / fps * 1e9)), lm, runner.width, runner.height)


def as_read_facing_the_camera(lm: np.ndarray) -> np.ndarray:
    """One rear-view pose as the pose model often reads it: the body labelled mirrored
    (as if it faced the camera) with a confident face."""
    from app.gait.tracking import swap_body
    from app.types import LM

    out = swap_body(lm)
    for name in ("nose", "left_eye", "right_eye", "mouth_left", "mouth_right"):
        out[LM[name], 3] = 0.95
    return out


def speed_ramp_samples(view, speed_from_mps: float, speed_to_mps: float, ramp_start_s: float,
                       ramp_s: float, seconds: float, fps: float, noise_px: float = 0.0,
                       seed: int = 0) -> tuple[list[PoseSample], list[tuple[str, str, float]]]:
    """The synthetic runner (172 steps/min, camera 3 m away at hip height) on a treadmill
    whose speed goes linearly from ``speed_from_mps`` to ``speed_to_mps`` over ``ramp_s``
    from ``ramp_start_s``, seen from ``view`` with depth unknown (as real rear/front
    video), and its true events [(kind, foot, t_s)].

    The speed moves in steps of 0.05 m/s (a runner per step, same cadence, so the gait's
    phase runs on unbroken; a foot on the belt jumps by under 2 mm at a step)."""
    from app.capture.demo import SyntheticRunner
    from app.types import Facing
    from tests.validation.frontal import pose_noise

    lo, hi = sorted((speed_from_mps, speed_to_mps))
    speeds = np.round(np.arange(lo, hi + 1e-9, 0.05), 2)
    runners = {float(v): SyntheticRunner(cadence_spm=172.0, speed_mps=float(v), view=view,
                                         facing=Facing.LEFT, camera_distance_m=3.0) for v in speeds}

    def runner_at(t: float):
        f = min(1.0, max(0.0, (t - ramp_start_s) / ramp_s)) if ramp_s > 0 else float(t >= ramp_start_s)
        v = speed_from_mps + (speed_to_mps - speed_from_mps) * f
        return runners[float(speeds[int(np.argmin(np.abs(speeds - v)))])]

    out = [_heights_only_sample(runner_at(i / fps), i, fps) for i in range(int(seconds * fps))]
    truth = sorted((e for r in runners.values() for e in r.true_events(0.3, seconds - 0.3)
                    if runner_at(e[2]) is r), key=lambda e: e[2])
    return (pose_noise(out, noise_px, 0.0, seed=seed) if noise_px else out), truth
