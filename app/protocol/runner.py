"""The protocol state machine: blocks in order, their timers and their feedback.

:class:`ProtocolRunner` is Qt-free and owns no thread. The caller (GUI timer, headless
loop) calls :meth:`ProtocolRunner.tick` a few times per second with the monotonic clock
(``time.perf_counter_ns``, the frames' clock); control calls (pause, resume, skip,
extend, override_target, abort) come from the same thread. Only :meth:`on_steps` runs on
the pose worker thread (it is a pipeline listener: it appends steps under a lock).

Time scale ``K``: block timers run ``K`` times faster than the clock (``K`` = 20 runs a
20-minute template in one minute, for tests and demos); every duration and elapsed time
the runner reports is in *block seconds* (template seconds), times of events in ns.
A block boundary is the tick at which the feedback switches (at most one tick period
after the timer ran out; the overshoot counts towards the next block, so the whole
protocol does not drift): tick at 10–20 Hz.

On each block start the runner
  1. applies the block's feedback to the ``FeedbackController`` (metronome on/off — or
     on during the even minutes of the block for ``alternate`` —, cues and schedule,
     focus fault and band, target cadence),
  2. marks the block in the ``SessionRecorder`` (blocks.csv) at the exact start time,
  3. speaks the block's ``say`` line through the ``speaker`` (and logs it as a cue),
  4. tells the listeners (:class:`ProtocolEvent`).

At the end of a ``baseline`` block the target is set from the measured baseline cadence
(mean over the block's steps: 60000 / mean step time); with fewer than the template's
``min_baseline_steps`` the template's ``fallback_target_spm`` is kept, and an event (and
the speaker) says so. The clinician's :meth:`override_target` wins over both.

Reading: :meth:`state` → :class:`RunnerState` (a consistent copy for the GUI),
:meth:`block_results` → one :class:`BlockResult` per block run (steps, cadence, beat–step
synchrony from the controller's sync log, cues), :attr:`events` (append-only log).
The end of the session (stop recording, store, comparison, PDF) is ``app.protocol.finish``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol

from app.protocol.templates import BlockSpec, Focus, Template

#: Spoken at the end of the protocol.
END_LINE = "Session complete. Well done."
#: Spoken when the baseline block had too few steps for a target.
SHORT_BASELINE_LINE = "Not enough steps for a baseline. Using the planned target."
#: Step times outside this range (ms) are not used for the baseline cadence.
STEP_MS_RANGE = (150.0, 2000.0)
#: Default cadence fault band (± % of the target) when a block gives none.
DEFAULT_CADENCE_BAND_PCT = 3.0
#: Beat–step synchrony window (± ms) reported per block.
SYNC_WINDOW_MS = 50.0


class Speaker(Protocol):
    """Says protocol lines (``app.protocol.voice.GuidanceVoice``)."""

    def say(self, text: str) -> None: ...
    def pump(self, now_ns: int) -> list[tuple[int, str, str]]: ...  # started: (t_ns, clip id, text)


@dataclass(frozen=True, slots=True)
class ProtocolEvent:
    """Something the GUI shows or the log keeps. ``kind``: started | block_started |
    block_ended | metronome | target | baseline_short | paused | resumed | skipped |
    extended | override | said | focus_unavailable | finished | aborted. ``block`` is the
    block index (−1 before/after), ``message`` one sentence, ``t_ns`` perf_counter clock."""

    kind: str
    block: int
    message: str
    t_ns: int
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RunnerState:
    """A consistent copy of the runner for display. Times in block seconds.

    ``status``: ready | running | paused | finished | aborted. ``target_source``: none |
    fixed | baseline | fallback | override. ``metronome_on`` is what the block wants now
    (alternate: on in the even minutes). ``baseline_steps`` counts steps in the current
    block so far (the live baseline progress)."""

    status: str
    block_index: int
    n_blocks: int
    block: BlockSpec | None
    next_block: BlockSpec | None
    block_elapsed_s: float
    block_duration_s: float
    block_remaining_s: float
    total_elapsed_s: float
    total_remaining_s: float
    metronome_on: bool
    target_spm: float | None
    target_source: str
    baseline_spm: float | None
    baseline_steps: int
    focus: Focus | None
    instruction: str
    time_scale: float
    t_ns: int

    @property
    def active(self) -> bool:
        return self.status in ("running", "paused")


@dataclass(frozen=True, slots=True)
class BlockResult:
    """One block as run. Times ns (perf_counter clock); ``run_s`` block seconds actually
    run (less than ``planned_s`` + ``extended_s`` when skipped or aborted). Steps are
    assigned by initial-contact time. Synchrony over initial contacts scored against a
    beat (``sync_share``: share within ±50 ms; ``sync_mean_ms`` mean phase error, > 0 =
    foot after the beat); None when the metronome never played in the block."""

    index: int
    kind: str
    name: str
    t_start_ns: int
    t_end_ns: int
    planned_s: float
    extended_s: float
    run_s: float
    skipped: bool
    n_steps: int
    cadence_spm: float | None
    target_spm: float | None
    metronome: str
    sync_n: int
    sync_share: float | None
    sync_mean_ms: float | None
    n_cues: int
    n_cues_spoken: int

    def summary(self) -> dict[str, Any]:
        """The protocol part of the block's summary in session.json / the store."""
        r = lambda v, nd: None if v is None else round(float(v), nd)  # noqa: E731
        return {"planned_s": r(self.planned_s, 1), "run_s": r(self.run_s, 1),
                "extended_s": r(self.extended_s, 1), "skipped": self.skipped,
                "metronome": self.metronome, "target_spm": r(self.target_spm, 2),
                "protocol_cadence_spm": r(self.cadence_spm, 2),
                "sync_n": self.sync_n, "sync_share_50ms": r(self.sync_share, 3),
                "sync_mean_ms": r(self.sync_mean_ms, 1), "n_cues": self.n_cues,
                "n_cues_spoken": self.n_cues_spoken}


@dataclass(slots=True)
class _Run:
    """Mutable record of one block while and after it runs."""

    index: int
    t_start_ns: int
    t_end_ns: int | None = None
    duration_s: float = 0.0
    extended_s: float = 0.0
    run_s: float = 0.0
    skipped: bool = False
    target_spm: float | None = None


def cadence_from_steps(step_times_ms) -> tuple[float | None, int]:  # noqa: ANN001
    """(cadence spm, steps used): 60000 / mean step time over plausible steps."""
    lo, hi = STEP_MS_RANGE
    ok = [float(s) for s in step_times_ms if s is not None and lo <= float(s) <= hi]
    if not ok:
        return None, 0
    return 60000.0 / (sum(ok) / len(ok)), len(ok)


class ProtocolRunner:
    """Runs one :class:`Template` (see the module docstring).

    ``controller``: ``app.feedback.controller.FeedbackController`` (or None: timers
    only); ``recorder``: ``app.session.recorder.SessionRecorder`` (or None);
    ``speaker``: :class:`Speaker` (or None: lines are only shown); ``limit_for(step_metric,
    direction)`` gives the default fault band edge for non-cadence focus metrics
    (default: the clinician's bands in the settings, else the metric's green band).
    """

    def __init__(self, template: Template, controller=None, recorder=None,  # noqa: ANN001
                 speaker: Speaker | None = None, *, time_scale: float = 1.0,
                 clock: Callable[[], int] = time.perf_counter_ns,
                 limit_for: Callable[[str, str], float | None] | None = None) -> None:
        if not time_scale > 0:
            raise ValueError("time_scale must be positive")
        self.template = template
        self.controller = controller
        self.recorder = recorder
        self.speaker = speaker
        self.time_scale = float(time_scale)
        self._clock = clock
        self._limit_for = limit_for or default_limit
        self._lock = threading.Lock()
        self._steps: dict[tuple[int, str], float | None] = {}  # (ic_t_ns, foot) -> step ms
        self._status = "ready"
        self._index = -1
        self._runs: list[_Run] = []
        self._elapsed_s = 0.0       # block seconds into the current block
        self._last_ns: int | None = None
        self._metro_on = False
        self._baseline_spm: float | None = None
        self._baseline_from_steps = 0
        self._override: float | None = None
        self._target: float | None = None
        self._target_source = "none"
        #: every event so far, in order (append-only)
        self.events: list[ProtocolEvent] = []
        #: called with each ProtocolEvent on the thread that caused it (tick / control)
        self.listeners: list[Callable[[ProtocolEvent], None]] = []

    # ================================================================ live input
    def on_steps(self, upd) -> None:  # noqa: ANN001 - app.pose.worker.StepsUpdate
        """Pipeline listener (pose worker thread): keep each completed step's IC time and
        step time (a step sent twice is kept once)."""
        with self._lock:
            for st in upd.steps:
                self._steps[(int(st.ic_t_ns), getattr(st.foot, "value", str(st.foot)))] = st.step_time_ms

    # ================================================================ control
    def add_listener(self, cb: Callable[[ProtocolEvent], None]) -> None:
        self.listeners.append(cb)

    def start(self, now_ns: int | None = None) -> None:
        """Start the first block now (the recording should already run)."""
        if self._status != "ready":
            raise RuntimeError("this protocol was already started")
        now = self._now(now_ns)
        self._status = "running"
        self._last_ns = now
        c = self.controller
        if c is not None:
            c.set_ramp(0.0)
            c.set_metronome(False)
        t = self.template
        self._emit("started", -1, f"{t.title}: {len(t.blocks)} blocks, "
                   f"{_mmss(t.duration_s)} planned.", now)
        self._begin(0, now)

    def tick(self, now_ns: int | None = None) -> RunnerState:
        """Advance the block timer to ``now_ns`` (perf_counter ns): ends/starts blocks,
        toggles an alternating metronome, lets the speaker start queued lines, and
        refreshes the controller's tempo. Returns the state."""
        now = self._now(now_ns)
        if self._status == "running" and self._last_ns is not None:
            self._elapsed_s += max(0, now - self._last_ns) / 1e9 * self.time_scale
            while self._status == "running":
                run = self._runs[-1]
                limit = run.duration_s + run.extended_s
                if self._elapsed_s < limit:
                    break
                # The block ends when its feedback actually switches (now, up to one tick
                # after the timer ran out: cues and beats up to now belong to it); the
                # overshoot carries into the next block's timer, so nothing drifts.
                over_s = self._elapsed_s - limit
                t_end = now
                self._end_block(t_end, skipped=False)
                self._elapsed_s = over_s
                if self._index + 1 < len(self.template.blocks):
                    self._begin(self._index + 1, t_end)
                else:
                    self._finish(t_end, "finished")
            if self._status == "running":
                self._apply_metronome(now)
        self._last_ns = now
        if self.controller is not None:
            self.controller.tick(now)
        self._pump_speaker(now)
        return self.state(now)

    def pause(self, now_ns: int | None = None) -> None:
        """Hold the block timer; metronome and cues go quiet until :meth:`resume`."""
        if self._status != "running":
            return
        now = self._now(now_ns)
        self.tick(now)
        if self._status != "running":
            return
        self._status = "paused"
        if self.controller is not None:
            self.controller.set_metronome(False)
            self.controller.set_cues(False)
        self._metro_on = False
        self._emit("paused", self._index, f"Paused in {self._block().name}.", now)

    def resume(self, now_ns: int | None = None) -> None:
        """Continue the paused block with its feedback."""
        if self._status != "paused":
            return
        now = self._now(now_ns)
        self._status = "running"
        self._last_ns = now
        if self.controller is not None:
            self.controller.set_cues(self._block().cues)
        self._apply_metronome(now, force=True)
        self._emit("resumed", self._index, f"Resumed {self._block().name}.", now)

    def skip(self, now_ns: int | None = None) -> None:
        """End the current block now and start the next (or finish)."""
        if self._status not in ("running", "paused"):
            return
        now = self._now(now_ns)
        if not self._catch_up(now):
            return
        name = self._block().name
        self._status = "running"
        self._end_block(now, skipped=True)
        self._emit("skipped", self._index, f"{name} skipped.", now)
        self._elapsed_s = 0.0
        self._last_ns = now
        if self._index + 1 < len(self.template.blocks):
            self._begin(self._index + 1, now)
        else:
            self._finish(now, "finished")

    def extend(self, seconds: float, now_ns: int | None = None) -> None:
        """Lengthen the current block by ``seconds`` block seconds (negative shortens it,
        never below what has already run)."""
        if self._status not in ("running", "paused"):
            return
        now = self._now(now_ns)
        run = self._runs[-1]
        new = max(self._elapsed_s - run.duration_s, run.extended_s + float(seconds))
        run.extended_s = new
        self._emit("extended", self._index, f"{self._block().name} is now "
                   f"{_mmss(run.duration_s + run.extended_s)} long.", now,
                   {"extended_s": new})

    def override_target(self, spm: float | None, now_ns: int | None = None) -> None:
        """The clinician's target cadence (steps/min) from now on; None returns to the
        template's rule."""
        if spm is not None and not 60.0 <= float(spm) <= 260.0:
            raise ValueError("the target cadence must be 60–260 spm")
        now = self._now(now_ns)
        self._override = None if spm is None else float(spm)
        self._apply_target()
        if self._runs and self._runs[-1].t_end_ns is None and self._status in ("running", "paused"):
            self._runs[-1].target_spm = self._target
        msg = (f"Target set by the clinician: {self._override:.1f} spm." if spm is not None
               else f"Target back to the template's rule ({_spm(self._target)}).")
        self._emit("override", self._index, msg, now, {"target_spm": self._target})

    def abort(self, now_ns: int | None = None) -> None:
        """Stop the protocol early (the block running is kept as run so far)."""
        if self._status not in ("running", "paused"):
            return
        now = self._now(now_ns)
        if not self._catch_up(now):
            return
        self._end_block(now, skipped=True)
        self._finish(now, "aborted")

    def _catch_up(self, now: int) -> bool:
        """Run a running protocol's clock up to ``now`` first; False when that already
        ended the block (or the protocol), so a skip/abort must not end another one."""
        if self._status == "running":
            self.tick(now)
            return self._status == "running"
        return True

    # ================================================================ reading
    @property
    def status(self) -> str:
        return self._status

    @property
    def finished(self) -> bool:
        return self._status in ("finished", "aborted")

    @property
    def baseline_spm(self) -> float | None:
        """The measured baseline cadence (None until a baseline block ended with enough
        steps)."""
        return self._baseline_spm

    def state(self, now_ns: int | None = None) -> RunnerState:
        """A consistent copy for display (does not advance the timer)."""
        now = self._now(now_ns)
        blocks = self.template.blocks
        i = self._index
        blk = blocks[i] if 0 <= i < len(blocks) and self._status in ("running", "paused") else None
        if blk is not None:
            run = self._runs[-1]
            dur = run.duration_s + run.extended_s
            el = min(self._elapsed_s, dur)
        else:
            dur = el = 0.0
        done_s = sum(r.run_s for r in self._runs if r.t_end_ns is not None)
        later = sum(b.duration_s for b in blocks[i + 1:]) if i >= 0 else self.template.duration_s
        if self.finished:
            later = 0.0
        steps = self._count_steps(self._runs[-1].t_start_ns, None) if blk is not None else 0
        return RunnerState(
            status=self._status, block_index=i, n_blocks=len(blocks), block=blk,
            next_block=blocks[i + 1] if blk is not None and i + 1 < len(blocks) else None,
            block_elapsed_s=el, block_duration_s=dur, block_remaining_s=max(0.0, dur - el),
            total_elapsed_s=done_s + el, total_remaining_s=max(0.0, dur - el) + later,
            metronome_on=self._metro_on, target_spm=self._target,
            target_source=self._target_source, baseline_spm=self._baseline_spm,
            baseline_steps=steps, focus=None if blk is None else self.template.focus_of(blk),
            instruction="" if blk is None else blk.instruction, time_scale=self.time_scale,
            t_ns=now)

    def block_results(self) -> list[BlockResult]:
        """One result per block started so far (the running one up to now)."""
        now = self._clock()
        out = []
        cue_log = list(getattr(self.controller, "cue_log", []) or [])
        sync_log = list(getattr(self.controller, "sync_log", []) or [])
        for run in self._runs:
            spec = self.template.blocks[run.index]
            t0, t1 = run.t_start_ns, run.t_end_ns if run.t_end_ns is not None else now
            with self._lock:
                times = [ms for (ic, _), ms in self._steps.items() if t0 <= ic < t1]
            cad, _ = cadence_from_steps(times)
            sync = [s for s in sync_log if t0 <= s.ic_t_ns < t1]
            errs = [float(s.error_ms) for s in sync]
            cues = [e for e in cue_log if t0 <= e.event.t_ns < t1]
            run_s = run.run_s if run.t_end_ns is not None else self._elapsed_s
            out.append(BlockResult(
                index=run.index, kind=spec.kind, name=spec.name, t_start_ns=t0, t_end_ns=t1,
                planned_s=spec.duration_s, extended_s=run.extended_s, run_s=run_s,
                skipped=run.skipped, n_steps=len(times), cadence_spm=cad,
                target_spm=run.target_spm, metronome=spec.metronome, sync_n=len(errs),
                sync_share=(sum(abs(e) <= SYNC_WINDOW_MS for e in errs) / len(errs)) if errs else None,
                sync_mean_ms=(sum(errs) / len(errs)) if errs else None,
                n_cues=len(cues), n_cues_spoken=sum(1 for e in cues if e.spoken)))
        return out

    # ================================================================ internals
    def _now(self, now_ns: int | None) -> int:
        return self._clock() if now_ns is None else int(now_ns)

    def _block(self) -> BlockSpec:
        return self.template.blocks[self._index]

    def _count_steps(self, t0: int, t1: int | None) -> int:
        with self._lock:
            return sum(1 for (ic, _) in self._steps if ic >= t0 and (t1 is None or ic < t1))

    def _begin(self, index: int, t_ns: int) -> None:
        t = self.template
        blk = t.blocks[index]
        self._index = index
        self._elapsed_s = max(0.0, self._elapsed_s) if self._runs else 0.0
        self._runs.append(_Run(index, t_ns, duration_s=blk.duration_s))
        self._apply_target()
        self._runs[-1].target_spm = self._target if blk.metronome != "off" or blk.cues else None
        c = self.controller
        if c is not None:
            focus = t.focus_of(blk)
            ok = True
            if blk.cues:
                ok = self._apply_focus(focus, blk, t_ns)
            c.start_block(blk.name, schedule=blk.schedule, cues=bool(blk.cues and ok))
        if self.recorder is not None:
            self.recorder.mark_block(blk.kind, blk.name, t_ns=t_ns)
        on = [n for n, v in (("metronome " + blk.metronome, blk.metronome != "off"),
                             ("cues", blk.cues), ("mirror", blk.mirror),
                             ("skeleton", blk.skeleton), ("tiles", blk.tiles)) if v]
        self._emit("block_started", index,
                   f"Block {index + 1}/{len(t.blocks)}: {blk.name} ({_mmss(blk.duration_s)}), "
                   f"feedback: {', '.join(on) if on else 'none'}.", t_ns,
                   {"kind": blk.kind, "target_spm": self._runs[-1].target_spm})
        self._metro_on = not self._want_metronome()  # force the first apply
        self._apply_metronome(t_ns, force=True)
        if blk.say:
            self._say(blk.say, t_ns)

    def _end_block(self, t_ns: int, skipped: bool) -> None:
        run = self._runs[-1]
        run.t_end_ns = t_ns
        run.skipped = skipped
        run.run_s = min(self._elapsed_s, run.duration_s + run.extended_s)
        blk = self._block()
        c = self.controller
        if c is not None:
            c.flush()
        n = self._count_steps(run.t_start_ns, t_ns)
        self._emit("block_ended", run.index, f"{blk.name} done ({_mmss(run.run_s)}, {n} steps).",
                   t_ns, {"kind": blk.kind, "skipped": skipped})
        if blk.kind == "baseline":
            self._set_baseline(run, t_ns)

    def _set_baseline(self, run: _Run, t_ns: int) -> None:
        with self._lock:
            times = [ms for (ic, _), ms in self._steps.items() if run.t_start_ns <= ic < t_ns]
        cad, n = cadence_from_steps(times)
        need = self.template.min_baseline_steps
        if cad is not None and n >= need:
            self._baseline_spm = cad
            self._baseline_from_steps = n
            self._apply_target()
            msg = f"Baseline cadence {cad:.1f} spm from {n} steps"
            msg += f": target {self._target:.1f} spm." if self._target is not None else "."
            self._emit("target", run.index, msg, t_ns,
                       {"baseline_spm": cad, "steps": n, "target_spm": self._target})
            return
        fb = self.template.fallback_target_spm
        msg = (f"Only {n} steps in the baseline ({need} needed): "
               + (f"keeping the planned target of {fb:g} spm." if fb is not None
                  else "no target cadence from it."))
        self._apply_target()
        self._emit("baseline_short", run.index, msg, t_ns,
                   {"steps": n, "needed": need, "target_spm": self._target})
        if fb is not None:
            self._say(SHORT_BASELINE_LINE, t_ns)

    def _target_for(self, blk: BlockSpec | None) -> tuple[float | None, str]:
        if self._override is not None:
            return self._override, "override"
        rule = self.template.target if blk is None else self.template.target_of(blk)
        if rule.kind == "fixed":
            return rule.spm, "fixed"
        if rule.kind == "baseline":
            if self._baseline_spm is not None:
                return rule.resolve(self._baseline_spm), "baseline"
            if self.template.fallback_target_spm is not None:
                return self.template.fallback_target_spm, "fallback"
        return None, "none"

    def _apply_target(self) -> None:
        blk = self._block() if 0 <= self._index < len(self.template.blocks) else None
        self._target, self._target_source = self._target_for(blk)
        c = self.controller
        if c is None:
            return
        rule = self.template.target if blk is None else self.template.target_of(blk)
        if self._target_source == "baseline":
            c.set_baseline(self._baseline_spm)
            c.set_increase(rule.pct)
        elif self._target is not None:
            c.set_target(self._target, origin={"override": "set in the guided session",
                                               "fallback": "the template's planned target",
                                               "fixed": "fixed by the template"
                                               }.get(self._target_source, "guided session"))

    def _apply_focus(self, focus: Focus, blk: BlockSpec, t_ns: int) -> bool:
        c = self.controller
        limit = None
        if focus.metric == "cadence_spm":
            c.set_cadence_band(blk.bandwidth or DEFAULT_CADENCE_BAND_PCT)
        elif focus.direction in ("high", "low"):
            limit = blk.bandwidth if blk.bandwidth is not None else self._limit_for(
                focus.step_metric, focus.direction)
        try:
            c.set_focus(focus.metric, focus.direction, limit)
        except ValueError as exc:
            self._emit("focus_unavailable", self._index,
                       f"No cues for {blk.name}: {exc}.", t_ns)
            return False
        return True

    def _want_metronome(self) -> bool:
        if self._status != "running" or not (0 <= self._index < len(self.template.blocks)):
            return False
        mode = self._block().metronome
        if mode == "on":
            return True
        if mode == "alternate":
            return int(self._elapsed_s // 60.0) % 2 == 0
        return False

    def _apply_metronome(self, t_ns: int, force: bool = False) -> None:
        want = self._want_metronome()
        if want == self._metro_on and not force:
            return
        changed = want != self._metro_on
        self._metro_on = want
        if self.controller is not None:
            self.controller.set_metronome(want)
        if changed and self._block().metronome == "alternate":
            self._emit("metronome", self._index,
                       f"Metronome {'on' if want else 'off'} ({self._block().name}).", t_ns,
                       {"on": want})

    def _finish(self, t_ns: int, status: str) -> None:
        self._status = status
        self._metro_on = False
        c = self.controller
        if c is not None:
            c.set_metronome(False)
            c.set_cues(False)
            c.flush()
        msg = (f"{self.template.title} complete." if status == "finished"
               else f"{self.template.title} stopped early in block {self._index + 1}.")
        self._emit(status, -1, msg, t_ns)
        if status == "finished":
            self._say(END_LINE, t_ns)

    def _say(self, text: str, t_ns: int) -> None:
        if self.speaker is not None:
            self.speaker.say(text)
        self._emit("said", self._index, text, t_ns)

    def _pump_speaker(self, now: int) -> None:
        if self.speaker is None:
            return
        for t_ns, clip_id, text in self.speaker.pump(now):
            if self.recorder is not None:
                self.recorder.log_cue(t_ns, clip_id, text, "protocol guidance")

    def _emit(self, kind: str, block: int, message: str, t_ns: int,
              data: Mapping[str, Any] | None = None) -> None:
        ev = ProtocolEvent(kind, block, message, int(t_ns), dict(data or {}))
        self.events.append(ev)
        for cb in list(self.listeners):
            cb(ev)


def default_limit(step_metric: str, direction: str) -> float | None:
    """Fault band edge for ``step_metric``: the green band's high edge for 'high', low edge
    for 'low' (the clinician's bands from the settings, else the metric's defaults)."""
    from app import config

    band = config.load().band_for(step_metric)
    if band is None:
        return None
    return float(band.green[1] if direction == "high" else band.green[0])


def _mmss(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def _spm(v: float | None) -> str:
    return "none" if v is None else f"{v:.1f} spm"
