"""A burst of frames at a live source's start (a backlog: frames 1–2 ms apart) must not set
the local fit's window: a recorded guided session once had three such frames first, the
fit took ±40 samples (±1.3 s at 30 fps) instead of ±1, and its baseline block had no steps."""

from __future__ import annotations

import numpy as np

from app.gait.smoothing import LocalFit


def _times_with_burst(fps: float = 30.0, n: int = 60) -> list[float]:
    burst = [0.0, 0.0019, 0.1046, 0.1054, 0.1067]
    return burst + [0.1302 + i / fps for i in range(n)]


def test_burst_at_the_start_does_not_widen_the_window():
    fit = LocalFit(1)
    for t in _times_with_burst():
        fit.push(t, np.array([np.sin(2 * np.pi * 2.8 * t)]))
    assert fit.k == 1  # ±40 ms at 30 fps


def test_steady_rate_window_is_unchanged():
    for fps, k in ((30.0, 1), (60.0, 2), (120.0, 5), (240.0, 10)):
        fit = LocalFit(1)
        for i in range(40):
            fit.push(i / fps, np.array([float(i)]))
        assert fit.k == k, fps


def test_velocity_after_a_burst_follows_a_running_rhythm():
    """A 2.8 Hz swing (a foot at 168 steps/min): with the ±1.3 s window of the bug its
    velocity was flattened to almost nothing; with ±1 sample it is within 10 %."""
    w = 2 * np.pi * 2.8
    fit = LocalFit(1)
    got, want = [], []
    for t in _times_with_burst(n=90):
        r = fit.push(t, np.array([np.sin(w * t)]))
        if r is not None:
            got.append(r[2][0])
            want.append(w * np.cos(w * r[0]))
    assert len(got) > 80
    err = np.abs(np.array(got[-60:]) - np.array(want[-60:]))
    assert err.max() < 0.1 * w, err.max() / w
