"""A landmark file replayed as a live source, at the rate it was recorded.

No pose model runs: the file's landmarks are the pose (``kind`` replay, like the demo's
true pose), and the picture is the skeleton drawn on a dark frame of the file's size, so
the display and a recording have something to show. Times: frame *i* is due at replay
start + its ``t_s``; ``loop`` starts again after the last row.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from app.types import Frame


_BONES = (("left_shoulder", "right_shoulder"), ("left_hip", "right_hip"),
          ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
          ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
          ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
          ("left_hip", "left_knee"), ("left_knee", "left_ankle"), ("left_ankle", "left_heel"),
          ("left_heel", "left_foot_index"), ("right_hip", "right_knee"),
          ("right_knee", "right_ankle"), ("right_ankle", "right_heel"),
          ("right_heel", "right_foot_index"))


def draw_skeleton(img: np.ndarray, lm: np.ndarray) -> None:
    """Draw the body's bones (image px) onto ``img`` (RGB, in place); NaN points skipped."""
    import cv2

    from app.types import LM

    th = max(2, img.shape[0] // 180)
    for a, b in _BONES:
        pa, pb = lm[LM[a], :2], lm[LM[b], :2]
        if np.all(np.isfinite(pa)) and np.all(np.isfinite(pb)):
            color = (230, 120, 60) if a.startswith("left") else (80, 170, 240)
            cv2.line(img, (int(pa[0]), int(pa[1])), (int(pb[0]), int(pb[1])), color, th, cv2.LINE_AA)


class LandmarkReplaySource:
    """Replays ``path`` (``app.pose.landmark_file``); ``InputFileError`` for a bad file."""

    kind = "replay"
    finite = True

    def __init__(self, path: str | os.PathLike[str], loop: bool = False) -> None:
        from app.pose.landmark_file import read_landmark_file

        self.path = Path(path)
        self.meta, self.samples = read_landmark_file(self.path)
        self.name = self.path.name
        self.loop = loop
        self.finite = not loop
        fps = self.meta.capture_fps or self.meta.fps or 30.0
        self.nominal_fps = float(fps)
        self.width, self.height = int(self.meta.width), int(self.meta.height)
        self.skipped = 0
        self._i = 0
        self._n = 0
        self._start_ns = 0
        self._offset_ns = 0
        self._blank: np.ndarray | None = None

    def open(self) -> None:
        """Runs on the capture thread."""
        self._i, self._n, self._offset_ns = 0, 0, 0
        self._start_ns = time.perf_counter_ns()

    def _picture(self, lm: np.ndarray | None) -> np.ndarray:
        if self._blank is None:
            self._blank = np.full((self.height, self.width, 3), 24, np.uint8)
        img = self._blank.copy()
        if lm is not None:
            draw_skeleton(img, lm)
        img.setflags(write=False)
        return img

    def grab(self):
        """The next row when due. Runs on the capture thread."""
        from app.capture.frames import Captured

        if not self.samples:
            return None
        if self._i >= len(self.samples):
            if not self.loop:
                return None
            last = self.samples[-1].t_ns - self.samples[0].t_ns
            self._offset_ns += last + int(1e9 / self.nominal_fps)
            self._i = 0
        s = self.samples[self._i]
        due = self._start_ns + self._offset_ns + (s.t_ns - self.samples[0].t_ns)
        now = time.perf_counter_ns()
        if due > now:
            time.sleep((due - now) / 1e9)
        t = time.perf_counter_ns()
        k = self._n
        self._i += 1
        self._n += 1
        frame = Frame(index=k, t_ns=due, image=self._picture(s.landmarks))
        return Captured(frame, t, s.landmarks)

    def close(self) -> None:
        pass
