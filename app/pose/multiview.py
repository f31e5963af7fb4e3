"""Two views live: one capture thread and one pose worker per view, one clock, one step
stream.

Threads: each view is a ``LivePipeline`` (capture thread → latest-frame slot → pose worker
with its own pose model instance and gait engine). Every frame of every view is stamped
with ``time.perf_counter_ns`` at grab time: one clock. The primary view (side when there
is one) times the steps; the other view's steps attach to them (``app.pose.fusion``)
through the estimated camera offset. A **monitor thread** (10 Hz) sends held steps on time,
reports status changes to status listeners within ~0.1 s (a stalled or lost view), and
degrades visibly when the machine cannot keep up: the secondary view then runs at half
rate (every other frame) with a notice — never a growing lag.

No Qt. The UI reads :meth:`MultiViewPipeline.latest` / :meth:`status` on its timers and
turns listener calls into queued signals.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from app.capture.live import LiveSource, StreamGap
from app.gait.crossview import OffsetEstimate
from app.pose.fusion import FusedUpdate, StepFusion
from app.pose.worker import LivePipeline, LiveResult, _default_engine, _default_estimator
from app.types import Facing, MetricSnapshot, View

#: A view dropping more than this share of its frames over the last check window…
DEGRADE_DROP_SHARE = 0.08
#: …for this many checks in a row (one a second) puts the secondary view at half rate.
DEGRADE_CHECKS = 3
#: Seconds at half rate before full rate is tried again (doubles after each failed try)…
RESTORE_AFTER_S = 60.0
#: …a try failed when half rate was needed again within this many seconds of it; a later
#: overload starts over from ``RESTORE_AFTER_S`` (a passing load must not cost the rest of
#: an hour's session at half rate)
FAILED_TRY_S = 120.0
#: the longest wait at half rate
RESTORE_AFTER_MAX_S = 600.0


@dataclass(frozen=True, slots=True)
class ViewSource:
    """A source assigned to a view (``facing``: side view, None = detect; ``region``:
    runner region x, y, w, h px, None = automatic)."""

    view: View
    source: LiveSource
    facing: Facing | None = None
    region: tuple[float, float, float, float] | None = None
    spec_text: str = ""   # the spec without credentials, for manifests


@dataclass(frozen=True, slots=True)
class ViewStatus:
    """One view's health. ``state``: starting | running | frozen (stalled: no frame for
    ``stall_after_s``) | reconnecting (lost; reopening with back-off) | ended | error |
    stopped; ``message`` a sentence for the banner ("" when running). ``rate_divisor``
    2 = running at half rate on purpose. Latencies are capture → metrics, ms."""

    view: View
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
    rate_divisor: int
    rate_skipped: int
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    reconnects: int
    gaps: int
    gap_s: float
    person_visible: bool
    seconds_since_frame: float | None

    @property
    def ok(self) -> bool:
        return self.state == "running"


@dataclass(frozen=True, slots=True)
class MultiViewStatus:
    """All views (primary first), the camera offset and a degradation ``notice`` ("")."""

    views: tuple[ViewStatus, ...]
    offset: OffsetEstimate
    notice: str
    t_ns: int

    def view(self, view: View) -> ViewStatus | None:
        return next((v for v in self.views if v.view is View(view)), None)

    @property
    def banners(self) -> tuple[str, ...]:
        """Sentences to show now: every view that is not running, then the notice."""
        out = [f"{v.view.value.capitalize()} view: {v.message}" for v in self.views
               if v.state in ("frozen", "reconnecting", "error") and v.message]
        return tuple(out + ([self.notice] if self.notice else []))


def open_view_sources(specs, capture_fps: float | None = None, **demo_kwargs) -> list[ViewSource]:
    """``SourceSpec``s with views → sources; every ``demo`` of them films one runner
    (``app.capture.demo_rig``). ``InputFileError`` for a bad file."""
    from app.capture.live import open_source

    rig = None
    if sum(sp.kind == "demo" for sp in specs) > 1:
        from app.capture.demo_rig import DemoRig

        rig = DemoRig(**demo_kwargs)
    out = []
    for sp in specs:
        src = open_source(sp, capture_fps=capture_fps, rig=rig,
                          **({} if rig else {**demo_kwargs, "view": sp.view or View.SIDE}))
        out.append(ViewSource(sp.view or View.SIDE, src, spec_text=sp.text))
    return out


class HalfRatePolicy:
    """When the secondary view goes to half rate and back (times in seconds, monotonic):
    half rate after ``DEGRADE_CHECKS`` bad checks in a row; full rate again after ``wait``
    quiet seconds at half rate. ``wait`` starts at ``RESTORE_AFTER_S`` and doubles (up to
    ``RESTORE_AFTER_MAX_S``) only when the last try at full rate failed within
    ``FAILED_TRY_S``."""

    def __init__(self) -> None:
        self.bad = 0
        self.wait_s = RESTORE_AFTER_S
        self._since = 0.0
        self._restored = -math.inf

    def check(self, bad: bool, now: float, divisor: int) -> int | None:
        """One check: the new rate divisor (2 = half rate, 1 = full rate) or None."""
        self.bad = self.bad + 1 if bad else 0
        if divisor == 1 and self.bad >= DEGRADE_CHECKS:
            failed_try = now - self._restored < FAILED_TRY_S
            self.wait_s = min(2 * self.wait_s, RESTORE_AFTER_MAX_S) if failed_try else RESTORE_AFTER_S
            self._since, self.bad = now, 0
            return 2
        if divisor > 1 and not bad and now - self._since >= self.wait_s:
            self._since = self._restored = now
            return 1
        return None


class MultiViewPipeline:
    """One ``LivePipeline`` per view plus the step fusion and the monitor thread. The
    primary view is side when present, else the first. ``start``, read from any thread,
    ``stop`` (joins every thread)."""

    def __init__(self, views: Sequence[ViewSource], *,
                 estimator_factory: Callable[[str], object] = _default_estimator,
                 engine_factory: Callable[[View, Facing | None], object] = _default_engine,
                 degrade: bool = True) -> None:
        if not views:
            raise ValueError("at least one view")
        if len({v.view for v in views}) != len(views):
            raise ValueError("one source per view")
        order = sorted(views, key=lambda v: v.view is not View.SIDE)
        self.sources = tuple(order)
        self.primary = order[0].view
        self.secondary = order[1].view if len(order) > 1 else None
        self.pipes: dict[View, LivePipeline] = {}
        for vs in order:
            self.pipes[vs.view] = LivePipeline(vs.source, vs.view, vs.facing,
                                               estimator_factory=estimator_factory,
                                               engine_factory=engine_factory, region=vs.region)
        self.listeners: list[Callable[[FusedUpdate], None]] = []
        self.status_listeners: list[Callable[[MultiViewStatus], None]] = []
        self.fusion = StepFusion(self.primary, self.secondary, self._emit)
        for view, pipe in self.pipes.items():
            pipe.worker._thread.name = f"pose-worker:{view.value}"
            pipe.add_listener(lambda upd, v=view: self.fusion.push(v, upd))
        self.degrade = degrade
        self.notice = ""
        self._stop = threading.Event()
        self._monitor = threading.Thread(target=self._watch, name="multiview-monitor", daemon=True)
        self._last_states: tuple = ()
        self._rate = HalfRatePolicy()
        self._drop_prev: dict[View, tuple[int, int]] = {}

    # -- control (caller's thread) ---------------------------------------------------
    @property
    def views(self) -> tuple[View, ...]:
        return tuple(self.pipes)

    def add_listener(self, cb: Callable[[FusedUpdate], None]) -> None:
        """``cb(FusedUpdate)``: called on a pose worker thread or the monitor thread."""
        self.listeners.append(cb)

    def add_status_listener(self, cb: Callable[[MultiViewStatus], None]) -> None:
        """``cb(MultiViewStatus)`` on the monitor thread when a view's state or the notice
        changes (a stall shows within ``stall_after_s`` + 0.1 s)."""
        self.status_listeners.append(cb)

    def add_gap_listener(self, cb: Callable[[View, StreamGap], None]) -> None:
        """``cb(view, gap)`` on that view's capture thread when a gap closes."""
        for view, pipe in self.pipes.items():
            pipe.capture.gap_listeners.append(lambda g, v=view: cb(v, g))

    def start(self) -> None:
        for pipe in self.pipes.values():
            pipe.start()
        self._monitor.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Stop every thread; steps still held are sent first (caller's thread)."""
        self._stop.set()
        for pipe in self.pipes.values():
            pipe.stop(timeout)
        if self._monitor.is_alive():
            self._monitor.join(timeout)
        self.fusion.flush(time.perf_counter_ns(), everything=True)

    @property
    def running(self) -> bool:
        return any(p.running for p in self.pipes.values())

    def latest(self, view: View) -> LiveResult | None:
        return self.pipes[View(view)].latest()

    def snapshot(self) -> MetricSnapshot | None:
        """Both views' current metrics merged (the primary's cadence and timing)."""
        return self.fusion.snapshot()

    def offset(self) -> OffsetEstimate:
        """The camera offset (ms, other − primary) and how sure it is."""
        return self.fusion.offset

    def set_facing(self, view: View, facing: Facing | None) -> None:
        self.pipes[View(view)].set_view(View(view), facing)

    # -- figures (any thread) --------------------------------------------------------
    def view_status(self, view: View) -> ViewStatus:
        pipe = self.pipes[View(view)]
        st = pipe.status()
        lat = list(pipe.worker.latencies_ms)[-90:]
        gaps = list(pipe.capture.gaps)
        open_gap = pipe.capture.open_gap()
        gap_s = sum(g.seconds or 0.0 for g in gaps)
        if open_gap is not None:
            gap_s += (time.perf_counter_ns() - open_gap.start_ns) / 1e9
        return ViewStatus(
            view=View(view), source_name=st.source_name, source_kind=st.source_kind,
            state=st.state, message=st.message if st.state != "running" else "",
            nominal_fps=st.nominal_fps, camera_fps=st.camera_fps, pose_fps=st.pose_fps,
            frames_captured=st.frames_captured, frames_processed=st.frames_processed,
            dropped=st.dropped, rate_divisor=pipe.worker.rate_divisor,
            rate_skipped=pipe.worker.rate_skipped,
            latency_p50_ms=float(np.percentile(lat, 50)) if lat else None,
            latency_p95_ms=float(np.percentile(lat, 95)) if lat else None,
            reconnects=pipe.capture.reconnects, gaps=len(gaps) + (open_gap is not None),
            gap_s=round(gap_s, 3), person_visible=st.person_visible,
            seconds_since_frame=st.seconds_since_frame)

    def status(self) -> MultiViewStatus:
        return MultiViewStatus(tuple(self.view_status(v) for v in self.pipes),
                               self.fusion.offset, self.notice, time.perf_counter_ns())

    # -- monitor thread --------------------------------------------------------------
    def _emit(self, upd: FusedUpdate) -> None:
        for cb in list(self.listeners):
            cb(upd)

    def _watch(self) -> None:
        """Monitor loop. Runs on the monitor thread."""
        next_check = time.monotonic() + 1.0
        while not self._stop.wait(0.1):
            self.fusion.flush(time.perf_counter_ns())
            if self.degrade and self.secondary is not None and time.monotonic() >= next_check:
                next_check += 1.0
                self._check_load()
            st = self.status()
            key = tuple((v.view, v.state, v.rate_divisor) for v in st.views) + (st.notice,)
            if key != self._last_states:
                self._last_states = key
                for cb in list(self.status_listeners):
                    cb(st)

    def _check_load(self) -> None:
        """Once a second: half rate for the secondary view when a view keeps dropping
        frames; full rate again after a quiet while. Monitor thread."""
        bad = False
        for view, pipe in self.pipes.items():
            cap, drop = pipe.capture.frames, pipe.dropped()
            pc, pd = self._drop_prev.get(view, (cap, drop))
            self._drop_prev[view] = (cap, drop)
            if pipe.worker.ready.is_set() and cap - pc >= 5 and (drop - pd) > DEGRADE_DROP_SHARE * (cap - pc):
                bad = True
        worker = self.pipes[self.secondary].worker
        change = self._rate.check(bad, time.monotonic(), worker.rate_divisor)
        if change == 2:
            worker.rate_divisor = 2
            fps = self.pipes[self.secondary].source.nominal_fps / 2
            self.notice = (f"The {self.secondary.value} view runs at half rate ({fps:.0f} fps): "
                           "this computer cannot keep up with both views at full rate.")
        elif change == 1:
            worker.rate_divisor = 1
            self.notice = ""
