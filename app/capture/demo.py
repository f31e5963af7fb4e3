"""Built-in demo sources: the synthetic treadmill runner (``app.capture.demo_runner``)
rendered as a camera, for machines without one, for the UI's "Demo" mode and for tests."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from app.capture.demo_runner import SyntheticRunner
from app.types import Frame, View

__all__ = ["DemoFrame", "DemoLiveSource", "DemoSource", "SyntheticRunner"]


@dataclass(frozen=True, slots=True)
class DemoFrame:
    """A demo frame with the model's true landmarks and model time."""

    frame: Frame
    truth: np.ndarray
    t_model_s: float


class DemoSource:
    """Frame source: renders the synthetic runner at ``fps``.

    ``paced=True`` (live use): :meth:`read` sleeps until the next frame is due on the
    monotonic clock and time-stamps frames with ``perf_counter_ns`` at "grab" time, like a
    camera. ``paced=False``: frames come as fast as asked with ``t_ns = index / fps``.
    """

    name = "Demo"
    is_live = True

    def __init__(self, runner: SyntheticRunner | None = None, fps: float = 30.0,
                 paced: bool = True) -> None:
        self.runner = runner or SyntheticRunner()
        self.nominal_fps = float(fps)
        self.paced = paced
        self.width = self.runner.width
        self.height = self.runner.height
        self._index = 0
        self._start_ns: int | None = None
        self._closed = False

    def open(self) -> None:
        self._index = 0
        self._start_ns = time.perf_counter_ns()
        self._closed = False

    def read_demo(self) -> DemoFrame | None:
        """Next frame (blocks until due when paced); None after :meth:`close`. Runs on the
        capture thread."""
        if self._closed:
            return None
        if self._start_ns is None:
            self.open()
        assert self._start_ns is not None
        period_ns = int(1e9 / self.nominal_fps)
        if self.paced:
            due = self._start_ns + self._index * period_ns
            wait = (due - time.perf_counter_ns()) / 1e9
            if wait > 0:
                time.sleep(wait)
            t_ns = time.perf_counter_ns()
            t_model = (t_ns - self._start_ns) / 1e9
        else:
            t_ns = self._index * period_ns
            t_model = self._index / self.nominal_fps
        truth = self.runner.landmarks_at(t_model)
        image = self.runner.render(t_model, truth)
        image.setflags(write=False)
        frame = Frame(index=self._index, t_ns=t_ns, image=image)
        self._index += 1
        return DemoFrame(frame, truth, t_model)

    def read(self) -> Frame | None:
        d = self.read_demo()
        return None if d is None else d.frame

    def close(self) -> None:
        self._closed = True


#: the demo films a rear or front view as a camera this far away at hip height does (the
#: framing guide's set-up), not orthographically: seen end-on, the orthographic runner's
#: heel line after toe-off is 3-4 px long and heel whip cannot be read
DEMO_FRONTAL_CAMERA_M = 3.0


def demo_runner_kwargs(view: View, runner_kwargs: dict) -> dict:
    """A copy of ``runner_kwargs`` (:class:`SyntheticRunner`'s) for the demo filmed from
    ``view``: rear and front views by a camera ``DEMO_FRONTAL_CAMERA_M`` away unless
    ``camera_distance_m`` is given."""
    kw = dict(runner_kwargs)
    if View(view) is not View.SIDE:
        kw.setdefault("camera_distance_m", DEMO_FRONTAL_CAMERA_M)
    return kw


class DemoLiveSource:
    """The demo runner as a live source (``app.capture.live.LiveSource``), real-time paced.

    ``grab`` returns ``Captured`` frames with the true landmarks in ``truth``; the pose
    worker feeds those to the engine instead of running a pose model. Keyword arguments
    other than ``fps`` go to :class:`SyntheticRunner`.
    """

    kind = "demo"
    finite = False

    def __init__(self, fps: float = 30.0, **runner_kwargs) -> None:
        self.runner = SyntheticRunner(**demo_runner_kwargs(runner_kwargs.get("view", View.SIDE),
                                                           runner_kwargs))
        self.name = "Demo"
        self.nominal_fps = float(fps)
        self.width, self.height = self.runner.width, self.runner.height
        self._src = DemoSource(self.runner, fps=fps, paced=True)

    def open(self) -> None:
        """Runs on the capture thread."""
        self._src = DemoSource(self.runner, fps=self.nominal_fps, paced=True)
        self._src.open()

    def grab(self):
        """Next frame when due. Runs on the capture thread."""
        from app.capture.frames import Captured

        d = self._src.read_demo()
        if d is None:
            return None
        return Captured(d.frame, d.frame.t_ns, d.truth)

    def close(self) -> None:
        self._src.close()
