"""Offline pose on two cores: the second half of a clip on a second thread.

MediaPipe's model runs single-threaded (its XNNPACK workers spin-wait, and with 2 threads
throughput collapses when the other core is busy). Two single-threaded instances on two
halves of the clip use both cores and degrade gracefully under load: each is an ordinary
thread. The second instance starts ``OVERLAP_S`` (of the clip's time base: capture time
for slow motion) before the split and discards those
frames, so its tracking and landmark smoothing have settled when its first kept frame
comes; the halves join only when the frame at the split, decoded by both readers, is
pixel-identical and both follow the same person there (``app.pose.region.same_person``:
each half follows a runner of its own, ``app.pose.region_pose``); otherwise the first
thread simply carries on alone.

Thread rule: ``SecondHalf`` owns its reader and MediaPipe instance on its own thread; the
calling thread only calls ``start``, ``joins``, ``samples`` and ``close``.
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import numpy as np

from app.types import Frame, PoseSample

if TYPE_CHECKING:  # pragma: no cover
    from app.capture.video_file import VideoInfo

#: Clips shorter than this (s) are not split: the second instance's start-up and the
#: overlap would eat the gain.
MIN_SPLIT_S = 6.0
#: The second half's model runs this long (s) before the split to settle its tracking.
OVERLAP_S = 0.5
#: Give up joining (and carry on alone) if the second thread has not reached the split
#: this long (s) after the first one did.
JOIN_TIMEOUT_S = 60.0


def split_index(info: "VideoInfo") -> int | None:
    """The frame index where the clip is split in two, or None to run it in one piece
    (variable frame rate, unknown length, short clip, one CPU)."""
    if info.variable_rate or not info.n_frames_estimate or (os.cpu_count() or 1) < 2:
        return None
    if info.n_frames_estimate / info.fps < MIN_SPLIT_S:
        return None
    return int(info.n_frames_estimate) // 2


class _End:
    __slots__ = ()


class SecondHalf:
    """Pose samples of frames ``k_split`` … end, computed on a background thread."""

    def __init__(self, path: Path, info: "VideoInfo", k_split: int, queue_size: int = 8,
                 capture_fps: float | None = None, region=None) -> None:
        self.path, self.info, self.k_split = Path(path), info, int(k_split)
        self._queue_size = queue_size
        self._capture_fps = capture_fps
        self._region = region
        self._boundary_pose = threading.Event()
        self._boundary_landmarks: np.ndarray | None = None
        self._samples: queue.Queue[PoseSample | _End] = queue.Queue()
        self._boundary = threading.Event()
        self._boundary_image: np.ndarray | None = None
        self._stop = threading.Event()
        self.error: BaseException | None = None
        self.warning: str | None = None
        self.done = 0
        self._thread = threading.Thread(target=self._run, name="pose-second-half", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def joins(self, frame: Frame, landmarks: np.ndarray | None = None) -> bool:
        """Called by the first thread at frame ``k_split`` with its pose there: True when
        the second thread started at exactly this frame (same pixels), follows the same
        person there, and the first thread can stop."""
        from app.pose.region import same_person

        waited = 0.0
        while not self._boundary.wait(0.1):
            waited += 0.1
            if not self._thread.is_alive() or waited > JOIN_TIMEOUT_S:
                break
        ok = (self.error is None and self._boundary_image is not None
              and self._boundary_image.shape == frame.image.shape
              and np.array_equal(self._boundary_image, frame.image))
        self._boundary_image = None
        if ok:
            while not self._boundary_pose.wait(0.1):
                waited += 0.1
                if not self._thread.is_alive() or waited > JOIN_TIMEOUT_S:
                    break
            ok = (self.error is None and self._boundary_pose.is_set()
                  and same_person(landmarks, self._boundary_landmarks))
        if not ok:
            self.close()
        return ok

    def samples(self, stop_event: threading.Event | None = None) -> Iterator[PoseSample]:
        """The second half's samples in order, as they are produced."""
        while True:
            if stop_event is not None and stop_event.is_set():
                return
            try:
                item = self._samples.get(timeout=0.1)
            except queue.Empty:
                continue
            if isinstance(item, _End):
                if self.error is not None:
                    raise self.error
                return
            yield item

    def close(self) -> None:
        """Stop the thread and wait for it (safe to call twice)."""
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(10.0)

    def _run(self) -> None:
        """Decode + pose loop. Runs on the second-half thread."""
        from app.capture.video_file import VideoFileReader
        from app.pose.region_pose import RegionPose

        # settling is counted on the time base (a slow-motion clip: capture frames)
        time_fps = self._capture_fps or self.info.fps
        start = max(1, self.k_split - int(round(OVERLAP_S * time_fps)))
        try:
            reader = VideoFileReader(self.path, queue_size=self._queue_size, info=self.info,
                                     start_index=start, capture_fps=self._capture_fps)
            with reader, RegionPose(self._region) as pose:
                for frame in reader:
                    if self._stop.is_set():
                        return
                    if frame.index >= self.k_split and not self._boundary.is_set():
                        if frame.index == self.k_split:
                            self._boundary_image = frame.image
                        self._boundary.set()
                    sample = pose.process(frame)
                    if frame.index == self.k_split:
                        self._boundary_landmarks = sample.landmarks
                        self._boundary_pose.set()
                    if frame.index >= self.k_split:
                        self._samples.put(sample)
                        self.done += 1
            self.warning = reader.warning
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer thread
            self.error = exc
        finally:
            self._boundary.set()
            self._boundary_pose.set()
            self._samples.put(_End())
