"""Metronome tempo logic and beat–step synchrony (pure; no audio, no Qt).

One click per step: metronome beats per minute == target cadence in steps per minute.
Times are integer nanoseconds on the app's monotonic clock (``time.perf_counter_ns``); the
audio engine reports beat times on the same clock (``AudioEngine.beats_since``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from dataclasses import dataclass

from app.gait.cadence import robust_mean

#: Cadence increase presets over the self-selected (baseline) cadence, in percent.
INCREASE_PRESETS_PCT: tuple[float, ...] = (5.0, 7.5, 10.0)
#: Steps whose phase error is within this window count as "in sync" (ms).
SYNC_WINDOW_MS = 50.0
#: Plausible running/walking step times (ms); intervals outside are gaps, not steps.
MIN_STEP_MS = 200.0
MAX_STEP_MS = 1500.0


def target_cadence_spm(baseline_spm: float, increase_pct: float) -> float:
    """Target cadence = baseline × (1 + p/100) in steps per minute."""
    if baseline_spm <= 0:
        raise ValueError("baseline cadence must be positive")
    return baseline_spm * (1.0 + increase_pct / 100.0)


class BaselineCadence:
    """Self-selected cadence measured from the first ``n_steps`` steps of a session, or
    typed in by the clinician (``set_manual``). Feed initial-contact times (ns), any foot.
    """

    def __init__(self, n_steps: int = 30, manual_spm: float | None = None) -> None:
        if n_steps < 2:
            raise ValueError("n_steps must be at least 2")
        self.n_steps = int(n_steps)
        self._manual = manual_spm
        self._last_ic_ns: int | None = None
        self._intervals_ms: list[float] = []

    def set_manual(self, spm: float | None) -> None:
        """Use a typed-in baseline (steps/min); None returns to automatic measurement."""
        self._manual = spm

    def add_ic(self, t_ns: int) -> None:
        """Record one initial contact (ns). Gaps (runner stopped, lost track) are skipped."""
        if self._last_ic_ns is not None and len(self._intervals_ms) < self.n_steps:
            dt_ms = (t_ns - self._last_ic_ns) / 1e6
            if MIN_STEP_MS <= dt_ms <= MAX_STEP_MS:
                self._intervals_ms.append(dt_ms)
        self._last_ic_ns = t_ns

    @property
    def steps_measured(self) -> int:
        return len(self._intervals_ms)

    @property
    def is_manual(self) -> bool:
        return self._manual is not None

    @property
    def cadence_spm(self) -> float | None:
        """Baseline cadence (steps/min), None while fewer than ``n_steps`` steps are in."""
        if self._manual is not None:
            return float(self._manual)
        if len(self._intervals_ms) < self.n_steps:
            return None
        # robust mean, not the median: frame-quantised intervals (33 ms at 30 fps) bias a
        # median by up to half a frame (170 spm measured as 163.6), a mean averages it out
        return 60_000.0 / robust_mean(self._intervals_ms)


@dataclass(frozen=True, slots=True)
class TempoPlan:
    """Metronome tempo for a retraining block.

    ``increase_pct`` is one of the presets (5 / 7.5 / 10) or any value; ``ramp_s`` > 0
    raises the tempo linearly from the baseline to the target over that many seconds,
    starting at ``start_t_ns``.
    """

    baseline_spm: float
    increase_pct: float = 7.5
    ramp_s: float = 0.0
    start_t_ns: int = 0

    @property
    def target_spm(self) -> float:
        return target_cadence_spm(self.baseline_spm, self.increase_pct)

    def bpm_at(self, t_ns: int) -> float:
        """Metronome tempo (beats/min) at time ``t_ns``."""
        if self.ramp_s <= 0:
            return self.target_spm
        frac = (t_ns - self.start_t_ns) / (self.ramp_s * 1e9)
        frac = min(1.0, max(0.0, frac))
        return self.baseline_spm + frac * (self.target_spm - self.baseline_spm)


@dataclass(frozen=True, slots=True)
class SyncSample:
    """Phase of one initial contact relative to the nearest beat.

    ``error_ms`` (to 0.1 ms) > 0: the foot landed after the beat; < 0: before it.
    """

    ic_t_ns: int
    beat_t_ns: int
    error_ms: float
    in_window: bool


class SynchronyTracker:
    """Live beat–step synchrony: phase error of each initial contact to the nearest beat and
    the share of steps within ±``window_ms``.

    Feed beats (``add_beats``, DAC times from the audio engine) and ICs (``add_ic``) in any
    interleaving; an IC is resolved once a beat at or after it is known (so the nearest beat
    is certain) or at ``flush``. ICs more than ``max_gap_ms`` from every beat (metronome
    off) are not scored.
    """

    def __init__(self, window_ms: float = SYNC_WINDOW_MS, recent_steps: int = 20,
                 max_gap_ms: float = 1000.0, max_beat_gap_ms: float | None = None) -> None:
        self.window_ms = float(window_ms)
        self.max_gap_ms = float(max_gap_ms)
        #: when set, an IC just before the first beat after a longer gap than this in the
        #: click track (underrun, stream restart) is not scored: there was no beat to follow
        self.max_beat_gap_ms = max_beat_gap_ms
        self._beats: deque[int] = deque(maxlen=64)
        self._pending: deque[int] = deque()
        self._recent: deque[SyncSample] = deque(maxlen=int(recent_steps))
        self._n_total = 0
        self._n_in = 0

    def add_beats(self, beat_t_ns) -> list[SyncSample]:  # noqa: ANN001 (iterable of int)
        """Add beat times (ns, increasing); returns the ICs this resolved."""
        for t in beat_t_ns:
            t = int(t)
            if self._beats and t <= self._beats[-1]:
                continue
            self._beats.append(t)
        return self._resolve(final=False)

    def add_ic(self, t_ns: int) -> list[SyncSample]:
        """Add one initial contact (ns); returns ICs resolved so far (maybe this one)."""
        self._pending.append(int(t_ns))
        return self._resolve(final=False)

    def flush(self) -> list[SyncSample]:
        """Resolve waiting ICs against the beats known now (end of block)."""
        return self._resolve(final=True)

    def _resolve(self, final: bool) -> list[SyncSample]:
        out: list[SyncSample] = []
        beats = list(self._beats)
        while self._pending:
            ic = self._pending[0]
            if not beats:
                if final:
                    self._pending.popleft()
                    continue
                break
            i = bisect_left(beats, ic)
            if i == len(beats) and not final:
                # No beat at/after this IC yet; resolve early only if the next beat
                # cannot be nearer than the last one (it is at least a beat away).
                break
            cands = [beats[j] for j in (i - 1, i) if 0 <= j < len(beats)]
            beat = min(cands, key=lambda b: abs(ic - b))
            self._pending.popleft()
            if self.max_beat_gap_ms is not None and 0 < i < len(beats) and beat == beats[i] \
                    and (beats[i] - beats[i - 1]) / 1e6 > self.max_beat_gap_ms:
                continue  # just before the first beat after a gap: nothing to follow
            # to 0.1 ms, the precision a session stores it at: the stored error and the
            # in-window flag then always agree (50.04 ms is "50.0", in the ±50 ms window)
            err_ms = round((ic - beat) / 1e6, 1)
            if abs(err_ms) > self.max_gap_ms:
                continue
            s = SyncSample(ic, beat, err_ms, abs(err_ms) <= self.window_ms)
            self._recent.append(s)
            self._n_total += 1
            self._n_in += int(s.in_window)
            out.append(s)
        return out

    @property
    def last(self) -> SyncSample | None:
        return self._recent[-1] if self._recent else None

    @property
    def n_steps(self) -> int:
        return self._n_total

    @property
    def share_in_window(self) -> float | None:
        """Share (0..1) of all scored steps within ±window, None before the first."""
        return self._n_in / self._n_total if self._n_total else None

    @property
    def recent_share_in_window(self) -> float | None:
        """Share (0..1) over the last ``recent_steps`` scored steps."""
        if not self._recent:
            return None
        return sum(s.in_window for s in self._recent) / len(self._recent)

    @property
    def recent_mean_error_ms(self) -> float | None:
        """Mean signed phase error over the recent steps (ms; > 0 = landing late)."""
        if not self._recent:
            return None
        return sum(s.error_ms for s in self._recent) / len(self._recent)
