"""Live feedback: metronome tempo, beat–step synchrony and spoken cues, driven by the live
pipeline's step updates. Qt-free; the GUI and the guided protocol drive it through the
small API below and read :meth:`FeedbackController.state` on their own timers.

Threads
    :meth:`FeedbackController.on_update` is registered as a pipeline listener and runs **on
    the pose worker thread** (a few calls per second). Commands (``set_*``) come from the
    GUI or protocol thread, :meth:`tick` from a GUI timer. One lock guards all state; every
    call is short (no I/O, no waiting): the audio sink only gets plain attribute writes and
    deque appends (``AudioEngine`` is built for exactly that).

Clock mapping (why phase errors are comparable)
    Both clocks are ``time.perf_counter_ns``. *Beats*: the audio callback reads
    ``perf_counter_ns`` and PortAudio's ``outputBufferDacTime - currentTime`` at the same
    moment, so each click's first sample gets the perf_counter time at which it reaches the
    DAC (offset low-pass filtered over ~50 blocks; jitter ≈ ±1 ms). Its error is the part
    of the output latency PortAudio does not report (PulseAudio/ALSA: a few ms; Bluetooth
    speakers: 100–200 ms) plus sound travel (~3 ms per metre). *Initial contacts*: the
    frame time, i.e. ``perf_counter_ns`` when the camera driver handed the frame over
    (demo: when the frame was generated, exact; video file: its scheduled playback time).
    That is later than the real contact by the camera's capture latency (USB webcams:
    typically 30–100 ms, not measurable here) and quantised to frames (±½ frame: ±17 ms
    at 30 fps, SD ≈ 10 ms). The two constant parts are one offset that can be set with
    ``sync_offset_ms`` (phase error = IC − camera latency − (beat + unreported audio
    latency) = IC − beat − sync_offset_ms). Default 0: calibrate by running on the beat by
    ear and reading the mean phase error. The share within ±50 ms is only meaningful
    once that offset is known to within ~10 ms.

Protocol API (issue 6 drives this per block)
    ``set_metronome(on)``, ``set_cues(on, schedule, new_block=False)``,
    ``set_focus(metric, direction, limit=None)``, ``set_target(spm | None)`` (override),
    ``set_baseline(spm | None)``, ``set_increase(pct)``, ``set_ramp(seconds)``,
    ``start_block(name, schedule=...)``, ``state()`` → :class:`FeedbackState`,
    hooks ``on_cue(CueEvent)`` / ``on_sync(SyncSample)``, per-step lookup
    ``sync_for_ic(ic_t_ns)`` and the logs ``cue_log`` / ``sync_log``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Protocol, Sequence

from app.feedback.cue_library import FAULTS, Cue
from app.feedback.cue_rules import (
    STEP_METRIC_FOR_FAULT, CueEvent, CueRules, CueRuleSettings, FocusFault, Schedule,
)
from app.feedback.metronome import (
    INCREASE_PRESETS_PCT, BaselineCadence, SynchronyTracker, SyncSample, TempoPlan,
    target_cadence_spm,
)

#: Phase errors kept for the live plot.
SYNC_HISTORY = 120
#: Contacts farther than this many beat periods from every beat are not scored (gaps).
SYNC_GAP_PERIODS = 0.6
#: ... and contacts between two beats more than this many periods apart (a gap).
SYNC_BEAT_GAP_PERIODS = 1.5
#: Tempo changes smaller than this are not pushed to the audio sink (bpm).
BPM_EPS = 0.05


class AudioSink(Protocol):
    """What the controller needs from the audio engine (``app.audio.engine.AudioEngine``)."""

    def start_metronome(self, bpm: float) -> None: ...
    def stop_metronome(self) -> None: ...
    def set_bpm(self, bpm: float) -> None: ...
    def beats_since(self, seq: int = 0): ...  # -> object with .next_seq and .t_ns (int ns)
    def play_cue(self, cue_id: str, t_request_ns: int | None = None) -> bool: ...

    @property
    def voice_active(self) -> bool: ...


class CueLibraryLike(Protocol):
    def for_fault(self, metric: str, direction: str) -> Sequence[Cue]: ...
    def praise(self, metric: str = "") -> Sequence[Cue]: ...


@dataclass(frozen=True, slots=True)
class CueLogEntry:
    """A cue the rules decided on, and whether sound actually played it."""

    event: CueEvent
    spoken: bool


@dataclass(frozen=True, slots=True)
class FeedbackState:
    """Everything the panel, the home view and the protocol show (one consistent copy).

    Tempos in beats (= steps) per minute; ``target_source``: 'override' (set_target),
    'baseline' (baseline × (1 + increase)), 'saved' (the last target, baseline unknown).
    Synchrony: errors in ms (> 0 = foot lands after the beat), shares 0..1.
    """

    metronome_on: bool
    bpm: float | None
    target_spm: float | None
    target_source: str
    baseline_spm: float | None
    baseline_manual: bool
    baseline_steps: int
    baseline_steps_needed: int
    increase_pct: float
    ramp_s: float
    ramping: bool
    sync_last_ms: float | None
    sync_share: float | None
    sync_recent_share: float | None
    sync_mean_ms: float | None
    sync_n: int
    sync_errors_ms: tuple[float, ...]
    sync_version: int
    cues_on: bool
    schedule: Schedule
    block: int
    block_name: str
    focus: FocusFault | None
    focus_text: str
    last_cue: CueEvent | None
    last_cue_spoken: bool
    n_cues: int
    silent_triggers: int
    sync_offset_ms: float
    #: (share within the window 0..1, steps) of the last metronome run, once it stopped
    sync_last_run: tuple[float, int] | None = None
    #: where an 'override' or 'saved' target came from, in a few words ("typed in Setup",
    #: "Anna K.'s target from 3 Dec"); '' for a target from the baseline
    target_origin: str = ""


@dataclass(slots=True)
class _Run:
    """One continuous stretch of metronome clicking."""

    plan: TempoPlan
    first_beat_ns: int | None = None
    pushed_bpm: float | None = None


def fault_options(library: CueLibraryLike, view_metrics: Iterable[str] | None = None
                  ) -> list[tuple[str, str]]:
    """(metric, direction) faults that have at least one correction cue, optionally only
    those measurable in a view (``view_metrics``: the engine's metric names of the view)."""
    allowed = None if view_metrics is None else set(view_metrics)
    out = []
    for metric, directions in FAULTS.items():
        step_metric = STEP_METRIC_FOR_FAULT.get(metric, metric)
        if allowed is not None and step_metric not in allowed:
            continue
        for d in directions:
            if library.for_fault(metric, d):
                out.append((metric, d))
    return out


def focus_value(metric: str, step, snapshot) -> float | str | None:  # noqa: ANN001
    """The value of fault ``metric`` for one ``StepRecord`` (cadence: the snapshot's
    running cadence, spm; foot strike: its category; None when not measured)."""
    if metric == "cadence_spm":
        return None if snapshot is None else snapshot.cadence_spm
    if metric == "foot_strike":
        from app.gait.metrics import foot_strike_category

        return foot_strike_category(step.metrics.get("foot_strike_angle_deg"))
    return step.metrics.get(STEP_METRIC_FOR_FAULT.get(metric, metric))


class FeedbackController:
    """Metronome + synchrony + cue rules for one live session (see module docstring)."""

    def __init__(self, library: CueLibraryLike, sink: AudioSink | None = None, *,
                 baseline_steps: int = 30, increase_pct: float = 7.5, ramp_s: float = 0.0,
                 saved_target_spm: float | None = None, cadence_band_pct: float = 3.0,
                 rule_settings: CueRuleSettings | None = None, sync_offset_ms: float = 0.0,
                 clock: Callable[[], int] = time.perf_counter_ns) -> None:
        self._lock = threading.RLock()
        self._clock = clock
        self._library = library
        self._sink = sink
        self._beat_seq = 0
        self._baseline = BaselineCadence(n_steps=baseline_steps)
        self._increase_pct = float(increase_pct)
        self._ramp_s = float(ramp_s)
        self._override: float | None = None
        self._override_origin = ""
        self._last_target: float | None = None
        self._saved_target = saved_target_spm
        self._saved_origin = ""
        self._cadence_band_pct = float(cadence_band_pct)
        self._metronome_on = False
        self._run: _Run | None = None
        self._tracker = SynchronyTracker()
        self._sync_offset_ns = int(round(sync_offset_ms * 1e6))
        self._sync_hist: deque[float] = deque(maxlen=SYNC_HISTORY)
        self._sync_last_run: tuple[float, int] | None = None
        self._sync_by_ic: dict[int, SyncSample] = {}
        self._pending_ic: dict[int, int] = {}  # shifted IC time -> original, until scored
        self._sync_version = 0
        self._rules = CueRules(library, settings=rule_settings)
        self._cues_on = False
        self._focus_spec: tuple[str, str, float | None] | None = None
        self._fed: deque[tuple[int, str]] = deque(maxlen=64)
        self._block_name = ""
        #: every cue decided, in order (read by the recorder / protocol; append-only)
        self.cue_log: list[CueLogEntry] = []
        #: every scored initial contact, in order (append-only)
        self.sync_log: list[SyncSample] = []
        #: called with each CueEvent on the thread that decided it (usually the pose worker)
        self.on_cue: Callable[[CueEvent], None] | None = None
        #: called with each SyncSample on the thread that resolved it
        self.on_sync: Callable[[SyncSample], None] | None = None

    # ================================================================ wiring
    def set_sink(self, sink: AudioSink | None) -> None:
        """Attach (or detach) the audio engine; a running metronome restarts on it."""
        with self._lock:
            self._sink = sink
            self._beat_seq = 0
            if sink is not None:
                self._beat_seq = int(sink.beats_since(0).next_seq)
                if self._metronome_on:
                    self._start_run()

    def set_library(self, library: CueLibraryLike) -> None:
        """Use an edited cue library; the focus is kept when it still has cues."""
        with self._lock:
            self._library = library
            rules = CueRules(library, settings=self._rules.settings, schedule=self._rules.schedule)
            rules.block = self._rules.block
            rules.events = self._rules.events
            self._rules = rules
            spec = self._focus_spec
            self._focus_spec = None
            if spec is not None and library.for_fault(spec[0], spec[1]):
                self._apply_focus(*spec)

    def reset_session(self) -> None:
        """New runner or source: the automatic baseline and the synchrony start over
        (typed-in baseline, target override, settings and logs are kept)."""
        with self._lock:
            manual = self._baseline.cadence_spm if self._baseline.is_manual else None
            self._baseline = BaselineCadence(self._baseline.n_steps, manual)
            self._tracker = SynchronyTracker(self._tracker.window_ms)
            self._sync_hist.clear()
            self._sync_version += 1
            self._fed.clear()
            if self._metronome_on:
                self._start_run()

    # ================================================================ protocol API
    def set_metronome(self, on: bool) -> None:
        """Click at the target (ramped if a ramp is set) or stop clicking."""
        new_sync: list[SyncSample] = []
        with self._lock:
            if on == self._metronome_on:
                return
            self._metronome_on = on
            if on:
                self._start_run()
            else:
                self._poll_beats(new_sync)
                self._end_run(new_sync)
        self._notify([], new_sync)

    def set_baseline(self, spm: float | None) -> None:
        """Typed-in self-selected cadence (steps/min); None = measure it from the first
        ``baseline_steps`` steps walked/run with the metronome off. Clears an override."""
        with self._lock:
            self._baseline.set_manual(None if spm is None else float(spm))
            self._override = None
            self._retarget()

    def set_baseline_steps(self, n: int) -> None:
        """Steps used for the automatic baseline (re-measures)."""
        with self._lock:
            manual = self._baseline.cadence_spm if self._baseline.is_manual else None
            self._baseline = BaselineCadence(int(n), manual)
            self._retarget()

    def set_increase(self, pct: float) -> None:
        """Target = baseline × (1 + pct/100); presets 5 / 7.5 / 10. Clears an override."""
        with self._lock:
            self._increase_pct = float(pct)
            self._override = None
            self._retarget()

    def set_ramp(self, seconds: float) -> None:
        """Raise the tempo linearly from the baseline to the target over ``seconds`` from
        the metronome start (0 = no ramp). Applies from the next metronome start."""
        with self._lock:
            self._ramp_s = max(0.0, float(seconds))

    def set_target(self, spm: float | None, origin: str = "") -> None:
        """Override the target cadence (steps/min) regardless of the baseline; None
        returns to baseline × (1 + increase). ``origin``: where it came from, in words."""
        with self._lock:
            self._override = None if spm is None else float(spm)
            self._override_origin = origin if spm is not None else ""
            self._retarget()

    def set_saved_target(self, spm: float | None, origin: str = "") -> None:
        """The target used while no baseline is known and no override is set (e.g. the
        runner's kept target; None: no target until a baseline is measured)."""
        with self._lock:
            self._saved_target = spm
            self._saved_origin = origin if spm is not None else ""
            self._retarget()

    def set_cadence_band(self, pct: float) -> None:
        """Cadence fault band: outside target ± pct % is a cadence fault."""
        with self._lock:
            self._cadence_band_pct = float(pct)
            if self._focus_spec is not None and self._focus_spec[0] == "cadence_spm":
                self._apply_focus(*self._focus_spec)

    def set_sync_offset(self, ms: float) -> None:
        """Constant clock offset (camera latency − unreported audio latency), ms."""
        with self._lock:
            self._sync_offset_ns = int(round(float(ms) * 1e6))

    def set_cues(self, on: bool, schedule: Schedule | str | None = None,
                 new_block: bool = False) -> None:
        """Spoken cues on/off and the feedback schedule (continuous / intermittent / none).
        ``new_block``: counters and the intermittent cycle restart (per protocol block)."""
        with self._lock:
            self._cues_on = bool(on)
            sched = self._rules.schedule if schedule is None else Schedule(schedule)
            if new_block:
                self._rules.start_block(sched)
            else:
                self._rules.schedule = sched

    def start_block(self, name: str, schedule: Schedule | str | None = None,
                    cues: bool | None = None, metronome: bool | None = None) -> None:
        """Begin a protocol block: new cue-rule block (schedule), optional cue/metronome
        switches in one call. ``name`` is kept in the state (and in cue events' block no.)."""
        with self._lock:
            self._block_name = name
            self.set_cues(self._cues_on if cues is None else cues, schedule, new_block=True)
        if metronome is not None:
            self.set_metronome(metronome)

    def set_focus(self, metric: str | None, direction: str | None = None,
                  limit: float | None = None) -> None:
        """The one fault to cue: cue-library metric (``FAULTS``) and direction; ``limit``
        in the metric's unit (band edge), not needed for cadence (target ± band) nor for
        foot_strike (a category). None clears the focus. Raises ValueError when no cue
        answers the fault or a limit is missing."""
        with self._lock:
            if metric is None:
                self._focus_spec = None
                self._rules.set_focus(None)
                return
            if direction is None:
                direction = FAULTS.get(metric, ("high",))[0]
            self._apply_focus(metric, direction, limit)

    def _apply_focus(self, metric: str, direction: str, limit: float | None) -> None:
        lim = limit
        if metric == "cadence_spm":
            target = self._target()[0]
            if target is None:
                target = 180.0
            f = self._cadence_band_pct / 100.0
            lim = target * (1.0 - f) if direction == "low" else target * (1.0 + f)
        elif direction in ("high", "low") and lim is None:
            raise ValueError(f"the focus {metric} {direction} needs a limit")
        self._rules.set_focus(FocusFault(metric, direction, lim))
        self._focus_spec = (metric, direction, limit)
        self._fed.clear()

    # ================================================================ live input
    def on_update(self, upd) -> None:  # noqa: ANN001 - app.pose.worker.StepsUpdate
        """Pipeline listener. Runs on the pose worker thread: feeds ICs to the baseline and
        the synchrony tracker, and each completed step's focus value to the cue rules."""
        new_cues: list[CueEvent] = []
        new_sync: list[SyncSample] = []
        with self._lock:
            self._poll_beats(new_sync)
            for ev in upd.events:
                if getattr(ev.kind, "value", ev.kind) != "IC":
                    continue
                if not self._metronome_on:
                    self._baseline.add_ic(ev.t_ns)
                elif self._run is not None and self._run.first_beat_ns is not None \
                        and ev.t_ns - self._sync_offset_ns >= self._run.first_beat_ns:
                    self._pending_ic[ev.t_ns - self._sync_offset_ns] = ev.t_ns
                    while len(self._pending_ic) > 64:  # contacts dropped in a beat gap
                        self._pending_ic.pop(next(iter(self._pending_ic)))
                    self._collect(self._tracker.add_ic(ev.t_ns - self._sync_offset_ns), new_sync)
            self._retarget()
            self._advance_tempo(upd.t_ns)
            if self._cues_on and self._focus_spec is not None:
                metric = self._focus_spec[0]
                sink = self._sink
                for step in upd.steps:
                    key = (step.ic_t_ns, step.foot.value)
                    if key in self._fed:
                        continue
                    value = focus_value(metric, step, upd.snapshot)
                    if value is None:
                        continue
                    self._fed.append(key)
                    busy = bool(sink is not None and sink.voice_active)
                    ev = self._rules.on_step(upd.t_ns, value, voice_busy=busy)
                    if ev is not None:
                        spoken = bool(sink is not None and sink.play_cue(ev.cue_id))
                        self.cue_log.append(CueLogEntry(ev, spoken))
                        new_cues.append(ev)
        self._notify(new_cues, new_sync)

    def tick(self, now_ns: int | None = None) -> None:
        """Advance a tempo ramp and read new beats (GUI timer, any thread)."""
        new_sync: list[SyncSample] = []
        with self._lock:
            now = self._clock() if now_ns is None else int(now_ns)
            self._poll_beats(new_sync)
            self._advance_tempo(now)
        self._notify([], new_sync)

    def flush(self) -> None:
        """Score initial contacts still waiting for a beat (end of a block)."""
        new_sync: list[SyncSample] = []
        with self._lock:
            self._poll_beats(new_sync)
            self._collect(self._tracker.flush(), new_sync)
        self._notify([], new_sync)

    # ================================================================ reading
    def sync_for_ic(self, ic_t_ns: int) -> SyncSample | None:
        """Synchrony of the initial contact at ``ic_t_ns`` (a StepRecord's ``ic_t_ns``),
        None when not scored (metronome off, no beat yet) or not resolved yet."""
        with self._lock:
            return self._sync_by_ic.get(int(ic_t_ns))

    def focus_text(self) -> str:
        """Words of the first cue answering the focus fault ('' without a focus)."""
        with self._lock:
            return self._focus_text()

    def state(self) -> FeedbackState:
        """A consistent copy of the current state (any thread)."""
        with self._lock:
            target, source = self._target()
            run = self._run
            tr = self._tracker
            last = tr.last
            entry = self.cue_log[-1] if self.cue_log else None
            ramping = bool(run is not None and run.plan.ramp_s > 0 and run.pushed_bpm is not None
                           and abs(run.pushed_bpm - run.plan.target_spm) > BPM_EPS)
            return FeedbackState(
                metronome_on=self._metronome_on,
                bpm=run.pushed_bpm if run is not None else None,
                target_spm=target, target_source=source,
                baseline_spm=self._baseline.cadence_spm,
                baseline_manual=self._baseline.is_manual,
                baseline_steps=self._baseline.steps_measured,
                baseline_steps_needed=self._baseline.n_steps,
                increase_pct=self._increase_pct, ramp_s=self._ramp_s, ramping=ramping,
                sync_last_ms=None if last is None else last.error_ms,
                sync_share=tr.share_in_window, sync_recent_share=tr.recent_share_in_window,
                sync_mean_ms=tr.recent_mean_error_ms, sync_n=tr.n_steps,
                sync_errors_ms=tuple(self._sync_hist), sync_version=self._sync_version,
                cues_on=self._cues_on, schedule=self._rules.schedule, block=self._rules.block,
                block_name=self._block_name, focus=self._rules.focus,
                focus_text=self._focus_text(),
                last_cue=None if entry is None else entry.event,
                last_cue_spoken=bool(entry and entry.spoken), n_cues=len(self.cue_log),
                silent_triggers=self._rules.silent_triggers,
                sync_offset_ms=self._sync_offset_ns / 1e6,
                sync_last_run=self._sync_last_run,
                target_origin={"override": self._override_origin, "saved": self._saved_origin
                               }.get(source, ""),
            )

    # ================================================================ internals (lock held)
    def _focus_text(self) -> str:
        f = self._rules.focus
        if f is None:
            return ""
        cues = self._library.for_fault(f.metric, f.direction)
        return cues[0].text if cues else ""

    def _target(self) -> tuple[float | None, str]:
        if self._override is not None:
            return self._override, "override"
        base = self._baseline.cadence_spm
        if base is not None:
            return target_cadence_spm(base, self._increase_pct), "baseline"
        return self._saved_target, "saved"

    def _make_plan(self, now: int) -> TempoPlan | None:
        target, source = self._target()
        if target is None:
            return None
        if source == "baseline":
            return TempoPlan(float(self._baseline.cadence_spm), self._increase_pct, self._ramp_s, now)
        return TempoPlan(float(target), 0.0, 0.0, now)

    def _start_run(self) -> None:
        now = self._clock()
        plan = self._make_plan(now)
        self._run = None
        if plan is None:
            return  # nothing to click at yet; starts once a target exists (_retarget)
        self._run = _Run(plan)
        self._tracker = SynchronyTracker(self._tracker.window_ms)
        self._sync_version += 1
        self._sync_hist.clear()
        bpm = plan.bpm_at(now)
        self._run.pushed_bpm = bpm
        self._set_gap(bpm)
        if self._sink is not None:
            self._beat_seq = int(self._sink.beats_since(0).next_seq)
            self._sink.start_metronome(bpm)

    def _end_run(self, out: list[SyncSample]) -> None:
        """Stop clicking: score the contacts still waiting for a beat, keep the run's
        share as ``sync_last_run`` and clear the live synchrony figures (they are scored
        only while the metronome clicks; stale ones would read as current)."""
        if self._sink is not None:
            self._sink.stop_metronome()
        self._collect(self._tracker.flush(), out)
        self._pending_ic.clear()
        self._run = None
        tr = self._tracker
        if tr.n_steps:
            self._sync_last_run = (float(tr.share_in_window or 0.0), int(tr.n_steps))
        self._tracker = SynchronyTracker(tr.window_ms)
        self._sync_hist.clear()
        self._sync_version += 1

    def _retarget(self) -> None:
        """The target may have changed (baseline measured, increase, override): move the
        cadence fault limit and re-plan a running metronome."""
        target = self._target()[0]
        if target != self._last_target:
            self._last_target = target
            if self._focus_spec is not None and self._focus_spec[0] == "cadence_spm":
                self._apply_focus(*self._focus_spec)
        if not self._metronome_on:
            return
        if self._run is None:
            self._start_run()
            return
        target, source = self._target()
        plan = self._run.plan
        if target is None or abs(target - plan.target_spm) < 1e-9:
            return
        if source == "baseline":
            self._run.plan = TempoPlan(float(self._baseline.cadence_spm), self._increase_pct,
                                       plan.ramp_s, plan.start_t_ns)
        else:
            self._run.plan = TempoPlan(float(target), 0.0, 0.0, plan.start_t_ns)
        self._advance_tempo(self._clock())

    def _advance_tempo(self, now: int) -> None:
        run = self._run
        if run is None or not self._metronome_on:
            return
        if run.plan.ramp_s > 0 and run.first_beat_ns is None and self._sink is not None:
            return  # a ramp starts with the first click (the engine waits for a steady clock)
        bpm = run.plan.bpm_at(now)
        at_end = bpm == run.plan.target_spm and bpm != run.pushed_bpm  # land exactly on it
        if run.pushed_bpm is None or abs(bpm - run.pushed_bpm) >= BPM_EPS or at_end:
            run.pushed_bpm = bpm
            self._set_gap(bpm)
            if self._sink is not None:
                self._sink.set_bpm(bpm)

    def _set_gap(self, bpm: float) -> None:
        """With beats every period, the nearest beat is at most half a period away; a
        contact farther than 0.6 periods from every beat, or between two beats more than
        1.5 periods apart, fell in a gap of the click track (an audio underrun or a stream
        restart) and is not scored. (During a ramp the period shrinks by < 1 %/beat.)"""
        period_ms = 60_000.0 / bpm
        self._tracker.max_gap_ms = SYNC_GAP_PERIODS * period_ms
        self._tracker.max_beat_gap_ms = SYNC_BEAT_GAP_PERIODS * period_ms

    def _poll_beats(self, out: list[SyncSample]) -> None:
        sink, run = self._sink, self._run
        if sink is None:
            return
        batch = sink.beats_since(self._beat_seq)
        self._beat_seq = int(batch.next_seq)
        if run is None or len(batch.t_ns) == 0:
            return
        if run.first_beat_ns is None:
            run.first_beat_ns = int(batch.t_ns[0])
            if run.plan.ramp_s > 0:
                run.plan = replace(run.plan, start_t_ns=run.first_beat_ns)
        self._collect(self._tracker.add_beats(int(t) for t in batch.t_ns), out)

    def _collect(self, samples: list[SyncSample], out: list[SyncSample]) -> None:
        pend = self._pending_ic
        for s in samples:
            orig = pend.pop(s.ic_t_ns, s.ic_t_ns + self._sync_offset_ns)
            s = SyncSample(orig, s.beat_t_ns + self._sync_offset_ns, s.error_ms, s.in_window)
            self._sync_by_ic[orig] = s
            self.sync_log.append(s)
            self._sync_hist.append(s.error_ms)
            self._sync_version += 1
            out.append(s)

    def _notify(self, cues: list[CueEvent], sync: list[SyncSample]) -> None:
        """Hooks run outside the lock (they may write files or queue work)."""
        if self.on_sync is not None:
            for s in sync:
                self.on_sync(s)
        if self.on_cue is not None:
            for ev in cues:
                self.on_cue(ev)


__all__ = [
    "AudioSink", "CueLogEntry", "FeedbackController", "FeedbackState", "INCREASE_PRESETS_PCT",
    "STEP_METRIC_FOR_FAULT", "fault_options", "focus_value", "Schedule",
]
