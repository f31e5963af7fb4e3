"""MediaPipe's own landmark smoothing, measured on real video (male_side.mp4, real
MediaPipe run with its smoothing on and off): ``tests.helpers.mediapipe_smoothing``
reproduces it, and it delays the events timed from the landmarks (a toe-off by ~0.5
frame at 30 fps on this run)."""

from __future__ import annotations

import numpy as np

from app.gait.analysis import analyze_samples
from app.types import Facing, PoseSample, View
from tests.helpers.event_matching import match_events
from tests.helpers.mediapipe_smoothing import mediapipe_poses, mediapipe_smoothed


def _array(samples: list[PoseSample]) -> np.ndarray:
    return np.array([s.landmarks if s.landmarks is not None else np.full((33, 4), np.nan)
                     for s in samples], dtype=np.float64)


def _events(samples: list[PoseSample], lm: np.ndarray) -> list[tuple[str, str, float]]:
    rows = [PoseSample(s.frame_index, s.t_ns, lm[i].astype(np.float32), s.width, s.height)
            for i, s in enumerate(samples)]
    res = analyze_samples(rows, View.SIDE, Facing.LEFT, 30.0)
    return [(e.kind.value, e.foot.value, e.t_ns / 1e9) for e in res.events]


def _shift_ms(reference: list, other: list, kind: str) -> np.ndarray:
    m = match_events(reference, other, 0.05)
    return np.array([x.error_s * 1000.0 for x in m.matched if x.kind == kind])


def test_the_replica_turns_mediapipes_raw_output_into_its_smoothed_output(shared_data):
    path = shared_data / "male_side_run" / "male_side.mp4"
    raw_s, smooth_s = mediapipe_poses(path, False), mediapipe_poses(path, True)
    assert len(raw_s) == len(smooth_s) >= 300
    raw, smooth = _array(raw_s), _array(smooth_s)
    t_ns = np.array([s.t_ns for s in raw_s])
    replica = mediapipe_smoothed(raw, t_ns)
    apart = float(np.nanmedian(np.abs(raw - smooth)[:, :, :2]))
    left = float(np.nanmedian(np.abs(replica - smooth)[:, :, :2]))
    assert apart > 2.0  # the smoothing moves the points (2.8 px)
    assert left <= 0.15 * apart, (left, apart)  # the replica leaves 0.3 px
    ev_mp, ev_replica, ev_raw = (_events(raw_s, x) for x in (smooth, replica, raw))
    for kind in ("IC", "TO"):
        d = _shift_ms(ev_mp, ev_replica, kind)
        assert d.size >= 25 and abs(np.median(d)) <= 5.0, (kind, np.median(d))
    # MediaPipe's smoothing delays toe-off on this run (+14 ms median, ~0.4 frame)
    late = _shift_ms(ev_raw, ev_mp, "TO")
    assert np.median(late) >= 8.0, np.median(late)


def test_a_still_point_is_held_and_a_moving_one_followed():
    """The filter smooths where a point is still and little where it moves fast (cutoff
    0.1 Hz + 40 × its smoothed speed in pose sizes per second). Pose noise keeps its cutoff
    up: 2 px of noise on a still point of a 300 px pose is only halved (cutoff ~3 Hz)."""
    n = 90
    t_ns = (np.arange(n) * 1e9 / 30.0).astype(np.int64) + 1
    lm = np.zeros((n, 33, 4))
    lm[:, :, 0] = np.linspace(100, 400, 33)[None, :]  # a pose 300 px wide...
    lm[:, :, 1] = np.linspace(100, 400, 33)[None, :]  # ...and 300 px tall
    rng = np.random.default_rng(0)
    still = lm.copy()
    still[:, :, :2] += rng.normal(0.0, 2.0, (n, 33, 2))
    out = mediapipe_smoothed(still, t_ns)
    assert np.std(out[30:, 5, 0] - lm[30:, 5, 0]) < 0.7 * np.std(still[30:, 5, 0] - lm[30:, 5, 0])
    moving = lm.copy()
    moving[:, :, 0] += (np.arange(n) * 10.0)[:, None]  # 300 px/s = 1 pose size per second
    out = mediapipe_smoothed(moving, t_ns)
    lag_px = moving[60:, 5, 0] - out[60:, 5, 0]
    assert 0.0 < np.mean(lag_px) < 1.5  # cutoff ~40 Hz: 1.2 px, an eighth of a frame's travel
