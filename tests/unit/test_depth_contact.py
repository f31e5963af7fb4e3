"""Frontal views timed through the pose's depth: contacts where the heel's depth joins its
line on the belt (``app.gait.events`` DEPTH_CONTACT_*, ``app.gait.kink.pooled_kink_fit``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.capture.demo import SyntheticRunner
from app.gait.analysis import analyze_samples
from app.gait.events import DEPTH_CORNER_MIN_BELT
from app.gait.kink import pooled_kink_fit
from app.types import Facing, PoseSample, View
from tests.helpers.event_matching import match_events
from tests.validation.frontal import pose_noise


@pytest.mark.parametrize("fps", [60.0, 120.0])
def test_rear_depth_contacts_not_early(fps: float) -> None:
    """The synthetic runner from behind (pinhole 3 m), 1 px of noise (3 px depth): the
    smoothed depth velocity's crossing alone put contacts 7-8 ms early (-0.46 frame at
    60 fps, -0.88 at 120); now within a third of a frame on average."""
    runner = SyntheticRunner(cadence_spm=172.0, view=View.REAR, facing=Facing.LEFT,
                             camera_distance_m=3.0)
    n = int(12.0 * fps)
    base = [PoseSample(i, int(round(i / fps * 1e9)), runner.landmarks_at(i / fps),
                       runner.width, runner.height) for i in range(n)]
    res = analyze_samples(pose_noise(base, 1.0, 3.0, seed=7), View.REAR, None, fps)
    truth = runner.true_events(0.3, n / fps - 0.3)
    got = [(e.kind.value, e.foot.value, e.t_ns / 1e9) for e in res.events]
    ic = match_events(truth, got, 0.1).subset(kind="IC")
    assert ic.n_truth and len(ic.matched) >= 0.95 * ic.n_truth
    e = np.array([m.error_s for m in ic.matched])
    assert abs(e.mean()) * fps <= 1 / 3
    assert np.median(np.abs(e)) * fps <= 0.5
    assert abs(res.cadence_spm - 172.0) <= 0.5


def _stretches(corner_s: float, step_legs_per_s: float, noise: float, n: int = 8,
               fps: float = 120.0, seed: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    """``n`` stretches ±0.1 s about a reference: a curve (velocity falling 20 legs/s²)
    joining, at ``corner_s``, a line whose slope is ``step_legs_per_s`` lower; each at its
    own level, with Gaussian noise (leg lengths)."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        t = np.arange(-0.1, 0.1 + 1e-9, 1 / fps) + rng.uniform(0, 1 / fps)
        d = t - corner_s
        # velocity -1.5 legs/s at the corner, 20 legs/s² less each second before it
        y = np.where(d < 0, -1.5 * d - 10.0 * d * d, (-1.5 + step_legs_per_s) * d)
        out.append((t, y + rng.uniform(-1, 1) + rng.normal(0, noise, t.size)))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_pooled_kink_fit_finds_a_corner(seed: int) -> None:
    """A shared corner 7 ms after the references, the slope stepping down 1.5 legs/s
    (the synthetic runner's heel), 0.005 legs of noise (~1 px of depth): found within
    2.5 ms (eight stretches at 120 fps)."""
    off, step, se = pooled_kink_fit(_stretches(0.007, -1.5, 0.005, seed=seed), -0.04, 0.04, 1 / 960)
    assert abs(off - 0.007) < 0.0025
    assert step == pytest.approx(-1.5, abs=0.3)
    assert step <= -3.0 * se


@pytest.mark.parametrize("seed", range(6))
def test_pooled_kink_fit_without_a_corner(seed: int) -> None:
    """A curve joining its line with no step in slope (as the C3D walker's heel joins the
    belt): the breakpoint is not pinned (NaN), or its step is well under the
    ``DEPTH_CORNER_MIN_BELT`` share of a runner's belt speed (2.6 legs/s)."""
    off, step, se = pooled_kink_fit(_stretches(0.0, 0.0, 0.005, seed=seed), -0.04, 0.04, 1 / 960)
    assert math.isnan(off) or abs(step) < DEPTH_CORNER_MIN_BELT * 2.6


@pytest.mark.parametrize("seed", [7, 9])
def test_noise_made_corners_do_not_move_a_walkers_contacts(seed: int, shared_data) -> None:
    """The C3D treadmill walk from the front (pinhole 3 m), 2 px of noise, 6 px of depth:
    its heel reaches the belt's speed smoothly, so its crossing stands. With only the
    belt-speed test, noise-made corners (steps of 1.1-2.5 belt speeds) moved 4-10 of ~25
    contacts 15-31 ms early in these draws."""
    from tests.helpers.c3d_landmarks import c3d_to_samples

    path = shared_data / "gaitalytics_treadmill_walk" / "treadmill_events.c3d"
    base, meta = c3d_to_samples(path, view="front", camera="persp", distance_m=3.0)
    res = analyze_samples(pose_noise(base, 2.0, 6.0, seed=seed), View.FRONT, None, meta["fps"])
    got = [(e.kind.value, e.foot.value, e.t_ns / 1e9) for e in res.events]
    ic = match_events(meta["events"], got, 0.1).subset(kind="IC")
    e_ms = np.array([m.error_s for m in ic.matched]) * 1000.0
    assert len(e_ms) >= 0.8 * ic.n_truth
    assert np.count_nonzero(e_ms < -15.0) <= 1, np.round(e_ms)


@pytest.mark.parametrize("view", [View.REAR, View.SIDE])
def test_a_clips_first_contact_at_240_fps(view: View) -> None:
    """Offline, the detectors start again primed with the belt speed and ground learnt over
    the clip's first seconds. They re-learnt them after 30 samples, which at 240 fps is the
    start of one stance: the first contact came 28 ms early from behind (6.7 frames) and
    24 ms early from the side (5.7 frames). Now every contact, the first included, is
    within 3 frames (contacts through depth scatter by up to 2 frames at 240 fps)."""
    fps = 240.0
    runner = SyntheticRunner(cadence_spm=172.0, view=view, facing=Facing.LEFT,
                             camera_distance_m=None if view is View.SIDE else 3.0)
    n = int(5.0 * fps)
    base = [PoseSample(i, int(round(i / fps * 1e9)), runner.landmarks_at(i / fps),
                       runner.width, runner.height) for i in range(n)]
    res = analyze_samples(pose_noise(base, 1.0, 3.0, seed=7), view, None, fps)
    truth = runner.true_events(0.3, n / fps - 0.3)
    got = [(e.kind.value, e.foot.value, e.t_ns / 1e9) for e in res.events]
    ic = match_events(truth, got, 0.1).subset(kind="IC")
    assert len(ic.matched) == ic.n_truth
    worst = max(abs(m.error_s) for m in ic.matched) * fps
    assert worst <= 3.0, [round(m.error_s * fps, 1) for m in ic.matched]
