"""Webcam source through OpenCV (``cv2`` imported lazily).

``CAP_PROP_BUFFERSIZE = 1`` so a slow consumer gets recent frames; a read timeout (where
the backend supports it) turns a frozen camera into a failed read, which the capture
thread answers by reconnecting with back-off.
"""

from __future__ import annotations

import glob
import sys
import time
from dataclasses import dataclass

from app.errors import DeviceError
from app.types import Frame


@dataclass(frozen=True, slots=True)
class CameraInfo:
    index: int
    label: str


def list_cameras(max_index: int = 8) -> list[CameraInfo]:
    """Cameras that look present, without opening them where the OS lets us avoid it.

    Linux: the ``/dev/videoN`` nodes. Elsewhere: indices 0..max_index-1 that open.
    """
    if sys.platform.startswith("linux"):
        out = []
        for path in sorted(glob.glob("/dev/video*")):
            suffix = path[len("/dev/video"):]
            if suffix.isdigit():
                out.append(CameraInfo(int(suffix), f"Camera {suffix} ({path})"))
        return out
    import cv2

    found = []
    for i in range(max_index):
        cap = cv2.VideoCapture(i)
        try:
            if cap.isOpened():
                found.append(CameraInfo(i, f"Camera {i}"))
        finally:
            cap.release()
    return found


class CameraSource:
    """A webcam as a live source. Open, grab and close on the capture thread."""

    kind = "camera"
    finite = False

    def __init__(self, index: int = 0, width: int = 1280, height: int = 720,
                 fps: float = 30.0, read_timeout_ms: int = 1000) -> None:
        self.index = int(index)
        self.name = f"Camera {self.index}"
        self.req_width, self.req_height = int(width), int(height)
        self.nominal_fps = float(fps)
        self.width, self.height = self.req_width, self.req_height
        self.read_timeout_ms = read_timeout_ms
        self._cap = None
        self._index = 0

    def open(self) -> None:
        """Open the device; raises DeviceError with a sentence. Runs on the capture thread."""
        import cv2

        cap = cv2.VideoCapture(self.index)
        if not cap.isOpened():
            cap.release()
            raise DeviceError(f"Camera {self.index} cannot be opened (not connected, or in use "
                              "by another program).")
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.req_width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.req_height)
        cap.set(cv2.CAP_PROP_FPS, self.nominal_fps)
        if hasattr(cv2, "CAP_PROP_READ_TIMEOUT_MSEC"):
            cap.set(cv2.CAP_PROP_READ_TIMEOUT_MSEC, self.read_timeout_ms)
        fps = cap.get(cv2.CAP_PROP_FPS)
        if fps and fps > 1:
            self.nominal_fps = float(fps)
        self.width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)) or self.req_width
        self.height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)) or self.req_height
        self._cap = cap

    def grab(self):
        """Next frame (blocks); None when the camera failed. Runs on the capture thread."""
        import cv2

        from app.capture.frames import Captured

        if self._cap is None:
            return None
        ok, bgr = self._cap.read()
        t = time.perf_counter_ns()
        if not ok or bgr is None:
            return None
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        rgb.setflags(write=False)
        frame = Frame(index=self._index, t_ns=t, image=rgb)
        self._index += 1
        return Captured(frame, t)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
