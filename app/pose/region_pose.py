"""MediaPipe inside the runner region: crop → pose → landmarks back in full-image pixels.

:class:`RegionPose` has the estimator interface of ``MediaPipePose`` (``process(frame)``,
``close()``) and adds the runner region of ``app.pose.region``: the frame is cropped to
the region (no copy when the region is the whole frame), boxes of rejected people are
masked out (grey) so the model detects again inside the region, and a pose that is not
the runner comes back as "no person" (``landmarks=None``).

Thread rule: as ``MediaPipePose`` — create, use and close on one thread. ``set_region``
may be called from any thread; it takes effect at the next frame.
"""

from __future__ import annotations

import threading

import numpy as np

from app.pose.region import Region, RunnerRegion, RunnerStatus
from app.types import Frame, PoseSample

_MASK_GREY = 114
_AUTO = object()


class RegionPose:
    """Pose of the runner only (see the module docstring).

    ``region`` (x, y, w, h) in image pixels starts inside that region; None proposes one
    from the first confident pose. ``estimator`` is the model (default: a new
    ``MediaPipePose(num_threads=num_threads)``; it is closed with this object).
    """

    def __init__(self, region: Region | None = None, *, estimator=None,
                 num_threads: int | None = None) -> None:
        if estimator is None:
            from app.pose.mediapipe_pose import MediaPipePose

            estimator = MediaPipePose(num_threads=num_threads)
        self._est = estimator
        self._initial = region
        self.tracker: RunnerRegion | None = None
        self._pending: object = _AUTO  # a region set from another thread
        self._lock = threading.Lock()
        self._status: RunnerStatus | None = None

    def set_region(self, region: Region | None) -> None:
        """Use ``region`` from the next frame on (None: find the runner again). Any thread."""
        with self._lock:
            self._pending = region

    def status(self) -> RunnerStatus | None:
        """The region tracker's state after the last frame (any thread; None before)."""
        return self._status

    def process(self, frame: Frame) -> PoseSample:
        """The runner's pose in ``frame`` (full-image pixels). Owner thread."""
        image = frame.image
        h, w = int(image.shape[0]), int(image.shape[1])
        tr = self.tracker
        if tr is None or (tr.width, tr.height) != (w, h):
            tr = self.tracker = RunnerRegion(w, h, self._initial)
        with self._lock:
            pending, self._pending = self._pending, _AUTO
        if pending is not _AUTO:
            tr.set_region(pending)  # type: ignore[arg-type]
        box = tr.crop(frame.t_ns)
        x0, y0 = (0, 0) if box is None else box[:2]
        sub = image if box is None else image[box[1]:box[3], box[0]:box[2]]
        if tr.masks:
            sub = np.array(sub)
            for (mx0, my0, mx1, my1), _ in tr.masks:
                a0, b0 = max(0, int(mx0) - x0), max(0, int(my0) - y0)
                a1, b1 = max(0, int(mx1) - x0), max(0, int(my1) - y0)
                sub[b0:b1, a0:a1] = _MASK_GREY
        sample = self._est.process(Frame(index=frame.index, t_ns=frame.t_ns, image=sub))
        lm = sample.landmarks
        if lm is not None and (x0 or y0):
            lm = lm.copy()
            lm[:, 0] += x0
            lm[:, 1] += y0
        runner = tr.accept(lm, frame.t_ns)
        if runner is not None and runner.flags.writeable:
            runner.setflags(write=False)
        self._status = tr.status()
        return PoseSample(frame_index=frame.index, t_ns=frame.t_ns, landmarks=runner,
                          width=w, height=h)

    def close(self) -> None:
        self._est.close()

    def __enter__(self) -> "RegionPose":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
