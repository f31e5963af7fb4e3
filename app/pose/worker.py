"""The live pipeline: capture thread → latest-frame slot → pose worker (pose + gait engine).

Threads:

* capture thread (``app.capture.live.CaptureThread``) writes the newest frame into a slot;
* pose worker thread (:class:`PoseWorker`) takes the newest frame, runs the pose estimator
  (created, used and closed on this thread) and the gait engine, and publishes a small
  immutable :class:`LiveResult` into a second latest-value slot that the GUI (or the
  headless runner) reads on its own timer;
* listeners registered with :meth:`LivePipeline.add_listener` are called **on the pose
  worker thread** only when gait events or completed steps occur (a few per second), never
  per frame.

No Qt here: the Qt bridge in ``app.ui.live.bridge`` turns listener calls into queued signals.
"""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from app.capture.live import Captured, CaptureThread, DisplayScaler, LiveSource, recent_rate_hz
from app.capture.slot import LatestSlot
from app.types import Facing, Frame, GaitEvent, MetricSnapshot, PoseSample, StepRecord, View

#: A snapshot is refreshed on every event/step and at least this often (ns).
SNAPSHOT_PERIOD_NS = 100_000_000
#: No new frame for this long on a running source = frozen (a source's own
#: ``stall_after_s`` wins; network streams say 0.5 s), so the banner shows within 1 s.
FROZEN_AFTER_S = 0.6


class PoseEstimator(Protocol):
    def process(self, frame: Frame) -> PoseSample: ...
    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class LiveResult:
    """The newest processed frame, for display. ``landmarks`` are for drawing (the engine's
    smoothed pose when it has one, else the raw pose; None when nobody is visible)."""

    seq: int
    frame: Frame
    grab_t_ns: int
    done_t_ns: int
    landmarks: np.ndarray | None
    snapshot: MetricSnapshot | None
    facing: Facing | None
    view: View
    last_ic: GaitEvent | None   # the most recent confirmed initial contact
    display: object = None      # app.capture.frames.DisplayImage prepared on the capture thread
    runner: object = None       # app.pose.region.RunnerStatus (runner region), None for the demo
    stance_foot: str | None = None  # the foot on the ground (engine's view), for labels
    roll_deg: float = 0.0       # camera roll found by the engine (frontal views)
    on_ground: tuple[str, ...] = ()  # the feet in a stance now (engine's view), for labels

    @property
    def latency_ms(self) -> float:
        return (self.done_t_ns - self.grab_t_ns) / 1e6


@dataclass(frozen=True, slots=True)
class StepsUpdate:
    """Sent to listeners when the engine confirmed events or completed steps."""

    events: tuple[GaitEvent, ...]
    steps: tuple[StepRecord, ...]
    snapshot: MetricSnapshot | None
    t_ns: int


@dataclass(frozen=True, slots=True)
class PipelineStatus:
    """Health figures for the status bar. ``state``: starting | running | reconnecting |
    frozen | ended | error | stopped; ``message`` is a sentence for the user (or "")."""

    source_name: str
    source_kind: str
    state: str
    message: str
    nominal_fps: float
    camera_fps: float
    pose_fps: float
    frames_captured: int
    frames_processed: int
    dropped: int
    latency_p50_ms: float | None
    person_visible: bool
    seconds_since_frame: float | None
    runner_message: str = ""    # "Runner lost …" (app.pose.region.RunnerStatus.message)


class TruthPose:
    """Pose 'estimator' for the demo source: the runner's true landmarks."""

    def process_captured(self, cap: Captured) -> PoseSample:
        f = cap.frame
        return PoseSample(frame_index=f.index, t_ns=f.t_ns, landmarks=cap.truth,
                          width=f.width, height=f.height)

    def close(self) -> None:
        pass


def _default_estimator(kind: str):
    """The estimator for a source kind: the demo's true pose, else MediaPipe inside the
    runner region (``app.pose.region_pose``). Called on the pose worker thread."""
    if kind in ("demo", "replay"):
        return TruthPose()
    from app.pose.region_pose import RegionPose

    return RegionPose()


#: steps a live gait engine keeps in memory (about 6 minutes at 170 steps/min; the
#: recorder writes every step, the worker's ``all_steps`` keeps 5000 for the plots)
LIVE_KEEP_STEPS = 1000


def _default_engine(view: View, facing: Facing | None):
    from app.gait.engine import GaitEngine

    return GaitEngine(view, facing, keep_steps=LIVE_KEEP_STEPS)


class PoseWorker:
    """Pose + gait engine on its own thread, fed from a latest-frame slot."""

    def __init__(self, in_slot: LatestSlot[Captured], out_slot: LatestSlot[LiveResult],
                 source_kind: str, view: View, facing: Facing | None,
                 estimator_factory: Callable[[str], object] = _default_estimator,
                 engine_factory: Callable[[View, Facing | None], object] = _default_engine,
                 keep_latencies: int = 200_000) -> None:
        self.in_slot, self.out_slot = in_slot, out_slot
        self.source_kind = source_kind
        self._view, self._facing = view, facing
        self._engine_factory = engine_factory
        self._estimator_factory = estimator_factory
        self._reset_engine = threading.Event()
        self._stop = threading.Event()
        self.ready = threading.Event()  # set once the estimator and engine exist
        self._lock = threading.Lock()
        self.listeners: list[Callable[[StepsUpdate], None]] = []
        #: ``frame_sink(captured, pose_sample)`` is called on this thread for every
        #: processed frame, before the listeners (the session recorder; must not block).
        self.frame_sink: Callable[[Captured, PoseSample], None] | None = None
        self.processed = 0
        #: process only frames whose index is a multiple of this (2 = half rate, set by a
        #: multi-view pipeline when the machine cannot keep up); skipped ones are counted
        self.rate_divisor = 1
        self.rate_skipped = 0
        self.person_visible = False
        self.error: BaseException | None = None
        self.latencies_ms: collections.deque[float] = collections.deque(maxlen=keep_latencies)
        self._done_times: collections.deque[int] = collections.deque(maxlen=64)
        self.engine = None
        self.last_snapshot: MetricSnapshot | None = None
        self.all_steps: collections.deque[StepRecord] = collections.deque(maxlen=5000)
        self.warmup_size: tuple[int, int] | None = None  # (height, width) of the source
        self.estimator = None
        self._region: object = None  # runner region to apply once the estimator exists
        self.runner = None           # the estimator's RunnerStatus after the last frame
        self._thread = threading.Thread(target=self._run, name="pose-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        self.in_slot.close()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def set_view(self, view: View, facing: Facing | None) -> None:
        """Change view/facing; the engine restarts on the next frame (any thread)."""
        with self._lock:
            self._view, self._facing = view, facing
        self._reset_engine.set()

    def set_region(self, region) -> None:
        """Runner region (x, y, w, h) image px, or None to find the runner automatically.
        Any thread; applied at the next frame (estimators without regions ignore it)."""
        with self._lock:
            self._region = region
            est = self.estimator
        if est is not None and hasattr(est, "set_region"):
            est.set_region(region)

    def fps(self) -> float:
        """Processed frames per second over the last ~2 s (0 when not enough frames)."""
        return recent_rate_hz(self._done_times)

    def _warm_up(self, estimator) -> None:
        """Run the model twice on a blank frame of the source's size so its one-time
        initialisation is not paid by the first live frames. Pose worker thread."""
        if self.warmup_size is None or not hasattr(estimator, "process"):
            return
        h, w = self.warmup_size
        blank = np.zeros((h, w, 3), np.uint8)
        t0 = time.perf_counter_ns() - 100_000_000  # on the live clock, before any real frame
        for i in range(2):
            estimator.process(Frame(index=-1, t_ns=t0 + i * 33_333_333, image=blank))

    def _run(self) -> None:
        """Worker loop. Runs on the pose worker thread."""
        estimator = None
        try:
            estimator = self._estimator_factory(self.source_kind)
            self._warm_up(estimator)
            with self._lock:
                view, facing = self._view, self._facing
                self.estimator = estimator
                if self._region is not None and hasattr(estimator, "set_region"):
                    estimator.set_region(self._region)
            self.engine = self._engine_factory(view, facing)
            warm = getattr(self.engine, "warm_up", None)
            if warm is not None:
                warm()  # the step filters' first import, before the first live frame
            self.ready.set()
            seq = 0
            last_snap_ns = 0
            last_ic: GaitEvent | None = None
            while not self._stop.is_set():
                cap = self.in_slot.take(timeout=0.1)
                if cap is None:
                    if self.in_slot.closed:
                        break
                    continue
                div = self.rate_divisor
                if div > 1 and cap.frame.index % div:
                    self.rate_skipped += 1  # reduced rate on purpose, not a drop
                    continue
                if self._reset_engine.is_set():
                    self._reset_engine.clear()
                    with self._lock:
                        view, facing = self._view, self._facing
                    self.engine = self._engine_factory(view, facing)
                    self.last_snapshot = None
                    last_ic = None
                if hasattr(estimator, "process_captured"):
                    sample = estimator.process_captured(cap)
                else:
                    sample = estimator.process(cap.frame)
                engine = self.engine
                out = engine.push(sample)
                now = time.perf_counter_ns()
                changed = bool(out.events or out.steps)
                visible = sample.landmarks is not None
                if changed or visible != self.person_visible or now - last_snap_ns > SNAPSHOT_PERIOD_NS:
                    self.last_snapshot = engine.snapshot()
                    last_snap_ns = now
                self.person_visible = visible
                for ev in out.events:
                    if ev.kind.value == "IC":
                        last_ic = ev
                draw = getattr(engine, "smoothed_landmarks", None)
                if draw is None:
                    draw = sample.landmarks
                runner = estimator.status() if hasattr(estimator, "status") else None
                self.runner = runner
                done = time.perf_counter_ns()
                seq += 1
                self.out_slot.put(LiveResult(
                    seq=seq, frame=cap.frame, grab_t_ns=cap.grab_t_ns, done_t_ns=done,
                    landmarks=draw if visible else None, snapshot=self.last_snapshot,
                    facing=engine.facing, view=view, last_ic=last_ic,
                    display=cap.display, runner=runner, stance_foot=_stance_side(engine),
                    roll_deg=float(getattr(engine, "roll_deg", 0.0)),
                    on_ground=_on_ground(engine)))
                sink = self.frame_sink
                if sink is not None:
                    sink(cap, sample)
                self.processed += 1
                self.latencies_ms.append((done - cap.grab_t_ns) / 1e6)
                self._done_times.append(done)
                if changed:
                    self.all_steps.extend(out.steps)
                    upd = StepsUpdate(tuple(out.events), tuple(out.steps), self.last_snapshot, done)
                    for cb in list(self.listeners):
                        cb(upd)
            # the source ended or the session stops: steps still waiting for the
            # landmarks after them are emitted now, so a recording keeps them
            engine = self.engine
            if engine is not None and hasattr(engine, "finish"):
                last = engine.finish()
                if last:
                    self.all_steps.extend(last)
                    self.last_snapshot = engine.snapshot()
                    upd = StepsUpdate((), tuple(last), self.last_snapshot, time.perf_counter_ns())
                    for cb in list(self.listeners):
                        cb(upd)
        except BaseException as exc:  # noqa: BLE001 - reported through status, then re-raised
            self.error = exc
            raise
        finally:
            self.ready.set()
            if estimator is not None:
                estimator.close()
            self.out_slot.close()


def _stance_side(engine) -> str | None:
    foot = getattr(engine, "stance_foot", None)
    return None if foot is None else foot.value


def _on_ground(engine) -> tuple[str, ...]:
    return tuple(f.value for f in getattr(engine, "feet_on_ground", ()))


class LivePipeline:
    """Capture thread + pose worker for one live source.

    Call :meth:`start`, read :meth:`latest` / :meth:`status` from any thread, and
    :meth:`stop` (joins both threads) when done.
    """

    def __init__(self, source: LiveSource, view: View = View.SIDE,
                 facing: Facing | None = None, *,
                 estimator_factory: Callable[[str], object] = _default_estimator,
                 engine_factory: Callable[[View, Facing | None], object] = _default_engine,
                 region=None) -> None:
        self.source = source
        self.frames: LatestSlot[Captured] = LatestSlot()
        self.results: LatestSlot[LiveResult] = LatestSlot()
        self.worker = PoseWorker(self.frames, self.results, source.kind, view, facing,
                                 estimator_factory, engine_factory)
        if region is not None:
            self.worker.set_region(region)  # the runner region to start with
        w, h = getattr(source, "width", None), getattr(source, "height", None)
        if w and h:
            self.worker.warmup_size = (int(h), int(w))
        # Capture starts once the model is loaded, so warm-up does not count as drops.
        #: the GUI sets ``scaler.request`` so display images are prepared on the capture thread
        self.scaler = DisplayScaler()
        self.capture = CaptureThread(source, self.frames, wait_for=self.worker.ready,
                                     scaler=self.scaler)
        self._started_ns: int | None = None

    def add_listener(self, cb: Callable[[StepsUpdate], None]) -> None:
        """``cb(StepsUpdate)`` is called on the pose worker thread."""
        self.worker.listeners.append(cb)

    def start(self) -> None:
        self._started_ns = time.perf_counter_ns()
        self.worker.start()
        self.capture.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Stop and join both threads (caller's thread, usually the GUI thread)."""
        self.capture.stop(timeout)
        self.worker.stop(timeout)

    @property
    def running(self) -> bool:
        return self.capture.is_alive() or self.worker.is_alive()

    def set_view(self, view: View, facing: Facing | None) -> None:
        self.worker.set_view(view, facing)

    def set_region(self, region) -> None:
        """Runner region (x, y, w, h) in source pixels; None = automatic (any thread)."""
        self.worker.set_region(region)

    def latest(self) -> LiveResult | None:
        return self.results.peek()

    def dropped(self) -> int:
        """Frames captured but never processed (overwritten in the slot, or skipped by a
        file source that fell behind)."""
        return self.frames.dropped + int(getattr(self.source, "skipped", 0))

    def status(self) -> PipelineStatus:
        """Current health (any thread)."""
        cap = self.capture
        state, message = cap.state, cap.message
        since = None
        last = self.frames.last_put_ns
        ref = cap.running_since_ns if last is None else max(last, cap.running_since_ns or 0)
        if ref is not None:
            since = (time.perf_counter_ns() - ref) / 1e9
        stall_s = float(getattr(self.source, "stall_after_s", FROZEN_AFTER_S))
        if state == "running" and since is not None and since > stall_s:
            state = "frozen"
            message = (f"{self.source.name}: no new frame for {since:.1f} s — "
                       "check the cable or choose another camera.")
        if state == "starting":
            message = "Loading the pose model…" if not self.worker.ready.is_set() else "Opening…"
        if self.worker.error is not None and state not in ("error",):
            state, message = "error", f"Analysis stopped: {self.worker.error}"
        runner = self.worker.runner
        runner_message = runner.message if runner is not None and state == "running" else ""
        lat = list(self.worker.latencies_ms)[-60:]
        return PipelineStatus(
            source_name=self.source.name, source_kind=self.source.kind, state=state,
            message=message, nominal_fps=float(self.source.nominal_fps),
            camera_fps=cap.fps(), pose_fps=self.worker.fps(),
            frames_captured=cap.frames, frames_processed=self.worker.processed,
            dropped=self.dropped(),
            latency_p50_ms=float(np.median(lat)) if lat else None,
            person_visible=self.worker.person_visible, seconds_since_frame=since,
            runner_message=runner_message)
