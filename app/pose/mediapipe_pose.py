"""MediaPipe BlazePose (legacy ``mp.solutions.pose``) as the pose estimator.

Thread rule: a ``MediaPipePose`` must be created, used and closed on the same thread (the
pose worker thread live, the calling thread offline). The MediaPipe graph keeps per-thread
state and its tracking assumes one ordered stream of frames. ``process`` checks this and
raises ``RuntimeError`` when called from another thread (``close`` is tolerated elsewhere,
for finalisers).

``mediapipe`` is imported lazily in the constructor. Before the import, ``GLOG_minloglevel``
and ``TF_CPP_MIN_LOG_LEVEL`` are set (unless the user set them) and absl's Python logging
is turned down. The TensorFlow Lite / absl C++ start-up messages ("Created TensorFlow Lite
XNNPACK delegate", "Feedback manager requires ...") ignore those settings, so with
``quiet=True`` the file descriptor 2 is pointed at /dev/null while the graph is built and
until the landmark model has run once. That is process-wide: anything another thread
writes to stderr during that short window (typically < 0.5 s) is lost too.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading
import types
from typing import Any, Iterator

import numpy as np

from app.types import N_LANDMARKS, Frame, PoseSample

#: Stop hiding stderr after this many frames even if no person was found yet.
_QUIET_MAX_FRAMES = 300


def _prepare_logging_env() -> None:
    """Quieten glog/TF logging before mediapipe is imported (keeps user overrides)."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _quiet_absl() -> None:
    try:
        from absl import logging as absl_logging
    except ImportError:  # pragma: no cover - absl ships with mediapipe
        return
    absl_logging.set_verbosity(absl_logging.ERROR)
    absl_logging.set_stderrthreshold(absl_logging.ERROR)


#: fd 2 redirection is process-wide: nested or concurrent users (two MediaPipe instances on
#: two threads) share one redirection, undone when the last one leaves.
_quiet_lock = threading.Lock()
_quiet_depth = 0
_quiet_saved_fd: int | None = None


@contextlib.contextmanager
def _stderr_to_devnull(enabled: bool = True) -> Iterator[None]:
    """Point fd 2 at /dev/null for the duration (C++ logging writes there directly).

    Reference-counted under a lock, so overlapping uses from several threads restore the
    real stderr exactly once, when the last one ends."""
    global _quiet_depth, _quiet_saved_fd
    if not enabled:
        yield
        return
    with _quiet_lock:
        if _quiet_depth == 0:
            try:
                sys.stderr.flush()
            except (AttributeError, ValueError, OSError):
                pass
            try:
                saved = os.dup(2)
            except OSError:
                saved = None
            if saved is not None:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
                os.close(devnull)
            _quiet_saved_fd = saved
        _quiet_depth += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if _quiet_depth == 0 and _quiet_saved_fd is not None:
                os.dup2(_quiet_saved_fd, 2)
                os.close(_quiet_saved_fd)
                _quiet_saved_fd = None


class _DeferredModule(types.ModuleType):
    """Stand-in for a module that is imported for real on first attribute access."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or sys.modules.get(self.__name__) is self:
            raise AttributeError(name)
        return getattr(importlib.import_module(self.__name__), name)


def _import_mediapipe() -> Any:
    """``import mediapipe`` without paying for matplotlib.

    ``mediapipe/__init__`` imports ``solutions.drawing_utils``, which imports
    ``matplotlib.pyplot`` (~0.4 s of the ~0.65 s import on a 2-core machine) only for
    ``plot_landmarks``, which we never call. While mediapipe imports, ``matplotlib`` and
    ``matplotlib.pyplot`` are deferred stand-ins (only if matplotlib is not loaded yet);
    they are removed right after, and ``drawing_utils.plt`` imports the real pyplot if it
    is ever used.
    """
    with _IMPORT_LOCK:
        return _import_mediapipe_locked()


#: Importing mediapipe from two threads at once (two views, each pose worker loading its
#: model) fails inside mediapipe's own ``__init__`` (NameError): one import at a time.
_IMPORT_LOCK = threading.RLock()


def _import_mediapipe_locked() -> types.ModuleType:
    if "mediapipe" in sys.modules:
        return sys.modules["mediapipe"]
    stubs: dict[str, types.ModuleType] = {}
    if "matplotlib" not in sys.modules:
        parent = _DeferredModule("matplotlib")
        child = _DeferredModule("matplotlib.pyplot")
        parent.__dict__["pyplot"] = child
        stubs = {"matplotlib": parent, "matplotlib.pyplot": child}
        sys.modules.update(stubs)
    try:
        import mediapipe
    finally:
        for name, mod in stubs.items():
            if sys.modules.get(name) is mod:
                del sys.modules[name]
    return mediapipe


def _pose_class(num_threads: int | None) -> type:
    """``mp.solutions.pose.Pose``, or a subclass whose TFLite/XNNPACK inference
    calculators use ``num_threads`` threads (MediaPipe's desktop default is 1) and, in a
    process kept to one core (``app.cpu_limits``), whose graph runs its calculators on one
    executor thread instead of one per CPU."""
    from app.cpu_limits import one_core

    with _IMPORT_LOCK:
        _import_mediapipe()
        from mediapipe.python.solutions import pose as mp_pose

    single = one_core()
    if (not num_threads or num_threads == 1) and not single:
        return mp_pose.Pose
    from mediapipe.calculators.tensor import inference_calculator_pb2
    from mediapipe.framework import thread_pool_executor_pb2

    ext = inference_calculator_pb2.InferenceCalculatorOptions.ext
    executor_ext = thread_pool_executor_pb2.ThreadPoolExecutorOptions.ext
    n = int(num_threads or 1)

    class _ThreadedPose(mp_pose.Pose):
        def _modify_calculator_options(self, config: Any, params: Any) -> None:
            super()._modify_calculator_options(config, params)
            for node in config.node:
                if node.calculator.startswith("InferenceCalculator") and node.HasField("options"):
                    opts = node.options.Extensions[ext]
                    if opts.delegate.HasField("xnnpack"):
                        opts.delegate.xnnpack.num_threads = n
            if single:  # the validated config holds the default executor's (empty) entry
                default = [e for e in config.executor if not e.name] or [config.executor.add()]
                default[0].options.Extensions[executor_ext].num_threads = 1

    return _ThreadedPose


class MediaPipePose:
    """BlazePose full (model_complexity=1) with landmark smoothing, video mode.

    ``process(frame)`` returns a ``PoseSample`` whose ``landmarks`` are float32 (33, 4) in
    image pixels: x = x_norm * width, y = y_norm * height (origin top-left, y down),
    z = z_norm * width (MediaPipe's relative depth, hips ≈ 0, smaller = nearer the camera),
    visibility 0..1 — or ``None`` when no person is detected.

    Create, use and close on one thread (see the module docstring). Frames must be fed in
    time order; ``Frame.t_ns`` becomes the graph's packet time (µs) and is copied to the
    sample.

    ``num_threads`` sets the XNNPACK threads of both TFLite models (MediaPipe's desktop
    default, and ours, is 1). On an idle 2-core machine 2 threads nearly double the speed
    (~48 -> ~85 frames/s on male_side.mp4, identical landmarks), but XNNPACK's workers
    spin-wait, and with the cores shared (decode thread, GUI, other processes) throughput
    collapsed to 6-20 frames/s in our measurements, so it is opt-in; offline analysis uses
    two single-threaded instances on two halves of the clip instead (``app.pose.split``).
    """

    def __init__(
        self,
        *,
        model_complexity: int = 1,
        smooth_landmarks: bool = True,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        quiet: bool = True,
        num_threads: int | None = None,
    ) -> None:
        self._owner = threading.get_ident()
        self._last_t_us = -(2**62)
        self._quiet = quiet
        self._quiet_frames_left = _QUIET_MAX_FRAMES if quiet else 0
        _prepare_logging_env()
        with _stderr_to_devnull(quiet):
            pose_cls = _pose_class(num_threads)
            _quiet_absl()
            self._pose: Any = pose_cls(
                static_image_mode=False,
                model_complexity=model_complexity,
                smooth_landmarks=smooth_landmarks,
                enable_segmentation=False,
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
            # The graph opens its calculators (and logs) asynchronously after start_run;
            # wait for that here, while stderr is still hidden.
            graph = getattr(self._pose, "_graph", None)
            if graph is not None and hasattr(graph, "wait_until_idle"):
                graph.wait_until_idle()

    def _check_thread(self) -> None:
        if threading.get_ident() != self._owner:
            raise RuntimeError("MediaPipePose must be used on the thread that created it")

    def process(self, frame: Frame) -> PoseSample:
        """Estimate the pose in one RGB frame. Runs on the owner thread."""
        self._check_thread()
        if self._pose is None:
            raise RuntimeError("MediaPipePose is closed")
        image = frame.image
        if not image.flags["C_CONTIGUOUS"]:
            image = np.ascontiguousarray(image)
        h, w = int(image.shape[0]), int(image.shape[1])
        self._set_graph_time(frame.t_ns)
        if self._quiet_frames_left > 0:
            with _stderr_to_devnull(True):
                result = self._pose.process(image)
            self._quiet_frames_left -= 1
            if result.pose_landmarks is not None:
                # The landmark model and projection have run once: the noisy
                # one-time initialisation messages are behind us.
                self._quiet_frames_left = 0
        else:
            result = self._pose.process(image)
        landmarks = None
        if result.pose_landmarks is not None:
            lms = result.pose_landmarks.landmark
            arr = np.array(
                [(p.x, p.y, p.z, p.visibility) for p in lms], dtype=np.float32
            ).reshape(N_LANDMARKS, 4)
            arr[:, 0] *= w
            arr[:, 1] *= h
            arr[:, 2] *= w
            arr.setflags(write=False)
            landmarks = arr
        return PoseSample(
            frame_index=frame.index, t_ns=frame.t_ns, landmarks=landmarks, width=w, height=h
        )

    def _set_graph_time(self, t_ns: int) -> None:
        """Give the graph the frame's real time instead of the solution API's fixed
        33.333 ms step, so landmark smoothing (a one-euro filter, in units per second)
        behaves the same at 60 fps, with dropped frames and on a live clock. Packet times
        must strictly increase: a non-increasing ``t_ns`` is nudged 1 µs past the last.
        (``SolutionBase.process`` adds 33333 µs to ``_simulated_timestamp`` before use.)
        """
        if not hasattr(self._pose, "_simulated_timestamp"):
            return
        t_us = int(t_ns) // 1000 + 1
        if t_us <= self._last_t_us:
            t_us = self._last_t_us + 1
        self._last_t_us = t_us
        self._pose._simulated_timestamp = t_us - 33333

    def close(self) -> None:
        """Release the MediaPipe graph; safe to call twice.

        Call it on the owner thread. It is tolerated from another thread (e.g. when a
        generator holding it is garbage-collected elsewhere), because MediaPipe's
        graph shutdown is thread-safe; ``process`` is not, and checks."""
        if self._pose is None:
            return
        pose, self._pose = self._pose, None
        pose.close()

    def __enter__(self) -> "MediaPipePose":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
