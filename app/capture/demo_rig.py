"""The demo runner filmed by several cameras at once: one synthetic runner, one clock.

``DemoRig`` holds one :class:`~app.capture.demo.SyntheticRunner` and the moment its model
time started (``perf_counter_ns``, the app's one clock); each :class:`DemoCamera` renders
the same body from its own view (side, rear, front) at its own grab times, so the views
are in sync by construction: model time = (grab time − rig start) / 1e9 − the camera's
``delay_ms`` (a camera that shows the scene late, as network cameras do; 0 by default —
tests use it to check the estimated offset between views).
"""

from __future__ import annotations

import copy
import threading
import time

from app.types import Frame, View


class DemoRig:
    """One synthetic runner shared by the demo cameras of a session. Keyword arguments
    go to ``SyntheticRunner`` (except ``view``: each camera has its own)."""

    def __init__(self, fps: float = 30.0, **runner_kwargs) -> None:
        from app.capture.demo import SyntheticRunner

        runner_kwargs.pop("view", None)
        self.runner = SyntheticRunner(**runner_kwargs)
        self.fps = float(fps)
        self._start_ns: int | None = None
        self._lock = threading.Lock()

    def start_ns(self) -> int:
        """The rig's model-time origin, set by the first camera that asks (any thread)."""
        with self._lock:
            if self._start_ns is None:
                self._start_ns = time.perf_counter_ns()
            return self._start_ns

    def runner_for(self, view: View):
        """The runner as seen from ``view`` (same body and timing, own projection)."""
        from app.capture.demo import DEMO_FRONTAL_CAMERA_M

        r = copy.copy(self.runner)
        r.view = View(view)
        r._background = None
        if r.view is not View.SIDE and r.camera_distance_m is None:
            r.camera_distance_m = DEMO_FRONTAL_CAMERA_M
        return r

    def camera(self, view: View, delay_ms: float = 0.0) -> "DemoCamera":
        return DemoCamera(self, view, delay_ms)


class DemoCamera:
    """One view of a :class:`DemoRig` as a live source (real-time paced, ``kind`` demo:
    the pose worker uses the true landmarks in ``Captured.truth``)."""

    kind = "demo"
    finite = False

    def __init__(self, rig: DemoRig, view: View, delay_ms: float = 0.0) -> None:
        self.rig = rig
        self.view = View(view)
        self.runner = rig.runner_for(self.view)
        self.delay_s = float(delay_ms) / 1000.0
        self.name = f"Demo ({self.view.value})"
        self.nominal_fps = rig.fps
        self.width, self.height = self.runner.width, self.runner.height
        self._index = 0
        self._closed = True

    def open(self) -> None:
        """Runs on the capture thread."""
        self._closed = False

    def grab(self):
        """Next frame when due on the rig's schedule. Runs on the capture thread."""
        from app.capture.frames import Captured

        if self._closed:
            return None
        start = self.rig.start_ns()
        period = 1e9 / self.nominal_fps
        now = time.perf_counter_ns()
        k = max(self._index, int((now - start) // period))  # never behind real time
        due = start + int(k * period)
        if due > now:
            time.sleep((due - now) / 1e9)
        t_ns = time.perf_counter_ns()
        t_model = max(0.0, (t_ns - start) / 1e9 - self.delay_s)
        truth = self.runner.landmarks_at(t_model)
        image = self.runner.render(t_model, truth)
        image.setflags(write=False)
        self._index = k + 1
        return Captured(Frame(index=k, t_ns=t_ns, image=image), t_ns, truth)

    def close(self) -> None:
        self._closed = True
