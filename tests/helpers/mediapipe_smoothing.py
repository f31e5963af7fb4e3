"""MediaPipe's own landmark smoothing, re-implemented for tests and validation.

``mp.solutions.pose`` with ``smooth_landmarks=True`` (as ``app.pose.mediapipe_pose``
runs it) passes each landmark coordinate through a one-euro filter before we see it
(``pose_landmark_filtering.pbtxt``: min cutoff 0.1 Hz, beta 40, derivative cutoff 1 Hz;
``landmarks_smoothing_calculator_utils.cc``, ``one_euro_filter.cc``). The filter works in
pixels, on velocities scaled by the pose's size (the mean of its bounding box's width and
height), so it smooths hard while a point is still and little while it moves fast. Its
derivative is itself smoothed at 1 Hz, so where a point reverses (a foot landing, a toe
leaving) the filter is at its slowest: it delays the events we time from the landmarks.

:func:`mediapipe_smoothed` applies the same filter to landmark arrays, so that synthetic or
motion-capture landmarks can be given the pose model's smoothing on top of per-frame noise.
On ``male_side.mp4`` it turns MediaPipe's unsmoothed output into its smoothed output to a
median of 0.3 px (the two differ by 2.8 px), and the events timed from it to within 1-4 ms
of those timed from MediaPipe's own (tests/integration/test_mediapipe_smoothing.py).
"""

from __future__ import annotations

import math

import numpy as np

#: MediaPipe's pose landmark filter (pose_landmark_filtering.pbtxt)
MIN_CUTOFF_HZ = 0.1
BETA = 40.0
DERIVATIVE_CUTOFF_HZ = 1.0


def _alpha(cutoff_hz: np.ndarray | float, rate_hz: float) -> np.ndarray | float:
    """Exponential smoothing factor of a first-order low-pass at ``cutoff_hz``."""
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff_hz, dtype=np.float64))
    return 1.0 / (1.0 + tau * rate_hz)


def mediapipe_poses(path, smooth: bool) -> list:
    """Every frame of the video at ``path`` through real MediaPipe on the whole frame, one
    thread, with its smoothing on or off: [PoseSample]."""
    from app.capture.video_file import VideoFileReader
    from app.pose.mediapipe_pose import MediaPipePose

    with VideoFileReader(path) as reader, MediaPipePose(smooth_landmarks=smooth) as pose:
        return [pose.process(frame) for frame in reader]


def mediapipe_smoothed(landmarks: np.ndarray, t_ns: np.ndarray) -> np.ndarray:
    """``landmarks`` (n, 33, 4: x, y, z px, visibility) at times ``t_ns`` (n,) as MediaPipe's
    smoothing would return them: x, y, z filtered, visibility kept. A frame with any
    missing (NaN) coordinate passes unchanged and starts the filter afresh (MediaPipe
    resets it when no pose is found); so does a frame at time 0, which MediaPipe's filter
    lets through without starting (its "last time" is 0)."""
    lm = np.asarray(landmarks, dtype=np.float64)
    out = lm.copy()
    raw_prev = smooth = deriv = None
    last_t = 0
    for i in range(len(lm)):
        x = lm[i, :, :3]
        t = int(t_ns[i])
        if not np.isfinite(x).all():  # no pose: the filter starts afresh
            raw_prev, last_t = None, 0
            continue
        if t <= last_t:  # not after the last time: passed through, the filter untouched
            continue
        if raw_prev is None:  # the filter's first value passes through
            raw_prev, smooth, deriv = x.copy(), x.copy(), np.zeros_like(x)
            last_t = t
            continue
        rate = 1e9 / (t - last_t)
        last_t = t
        xy = x[:, :2]
        size = 0.5 * (np.ptp(xy[:, 0]) + np.ptp(xy[:, 1]))
        if size <= 0:
            out[i, :, :3] = x
            raw_prev = x.copy()
            continue
        speed = (x - raw_prev) / size * rate
        a_d = _alpha(DERIVATIVE_CUTOFF_HZ, rate)
        deriv = a_d * speed + (1.0 - a_d) * deriv
        a = _alpha(MIN_CUTOFF_HZ + BETA * np.abs(deriv), rate)
        smooth = a * x + (1.0 - a) * smooth
        raw_prev = x.copy()
        out[i, :, :3] = smooth
    return out
