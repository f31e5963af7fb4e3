"""The one audio engine: a persistent sounddevice.OutputStream mixing metronome clicks
and spoken cue clips at exact sample positions.

Threads:
- *caller* (GUI / CLI / feedback thread): ``start``, ``stop``, ``set_bpm``, ``play_cue``...
  They only write plain attributes or append to a ``collections.deque``.
- *audio callback* (PortAudio's thread): ``_callback`` mixes one block. It never allocates
  numpy arrays, blocks, logs or raises: all buffers are preallocated, and results go out
  through preallocated ring buffers plus integer counters.
- *supervisor* (``gaitcoach-audio-supervisor``): notices a lost device (finished callback
  or a stalled callback) and reopens the stream with back-off.

Clock mapping: the callback receives PortAudio stream times (``currentTime``,
``outputBufferDacTime``, seconds) and reads ``time.perf_counter_ns`` at the same moment, so
the DAC time of any sample in the block maps to the app's monotonic clock (``t_ns``).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from app.audio.backend import OutputDevice, load_sounddevice, resolve_output_device
from app.audio.clips import make_click, normalize_peak, read_wav_mono, resample

#: Ring-buffer sizes (entries). 4096 beats = 22 min at 180 bpm between reads.
_BEAT_RING = 4096
_VOICE_RING = 256
#: Largest block the callback may be handed (samples); PortAudio may vary the size.
_MAX_BLOCK = 16384
#: Blocks of steady DAC timing required before the first click of a metronome start.
_STEADY_BLOCKS = 40
#: Metronome limits (beats per minute).
MIN_BPM = 20.0
MAX_BPM = 300.0


def _mix_into(buf: np.ndarray, scratch: np.ndarray, src: np.ndarray, gain: float,
              at: int = 0) -> int:
    """Add ``src * gain`` into ``buf`` from sample ``at``, through ``scratch`` (no new
    arrays: safe in the audio callback). Returns how many samples of ``src`` were mixed."""
    n = min(buf.shape[0] - at, src.shape[0])
    np.multiply(src[:n], gain, out=scratch[:n])
    np.add(buf[at:at + n], scratch[:n], out=buf[at:at + n])
    return n


@dataclass(frozen=True, slots=True)
class EngineStatus:
    """What the UI shows about sound. ``reason`` is one sentence when something is wrong."""

    available: bool
    running: bool
    reason: str
    device_name: str
    samplerate_hz: int
    output_latency_ms: float
    blocksize_samples: int
    metronome_on: bool
    bpm: float
    voice_active: bool
    underflows: int
    device_lost: bool
    restarts: int


@dataclass(frozen=True, slots=True)
class BeatBatch:
    """Beats played since a read cursor. ``t_ns``: when each click's first sample reaches
    the DAC (perf_counter_ns clock); ``stream_sample``: its index in the output stream
    (counted from the stream's start); ``accent``: accented beat. ``next_seq`` is the
    cursor for the next read; ``missed`` counts beats overwritten before they were read."""

    next_seq: int
    t_ns: np.ndarray
    stream_sample: np.ndarray
    beat_index: np.ndarray
    accent: np.ndarray
    missed: int = 0


@dataclass(frozen=True, slots=True)
class VoiceStart:
    """One cue clip that started playing: request time and DAC time of its first sample
    (both perf_counter_ns), and the stream sample index of that first sample."""

    cue_id: str
    request_t_ns: int
    first_sample_t_ns: int
    stream_sample: int

    @property
    def latency_ms(self) -> float:
        """Request → first sample at the DAC (includes the device output latency)."""
        return (self.first_sample_t_ns - self.request_t_ns) / 1e6


class AudioEngine:
    """Metronome + voice mixer on one output stream. Never raises to the caller for
    device problems: check :meth:`status` (``available`` / ``reason``)."""

    def __init__(
        self,
        device: str | int | None = None,
        *,
        samplerate_hz: int | None = None,
        blocksize_samples: int = 512,
        latency: str | float = "low",
        click_volume: float = 1.0,
        voice_volume: float = 1.0,
        duck_gain: float = 0.25,
        accent_every: int = 0,
        sounddevice_loader=load_sounddevice,
    ) -> None:
        self._device_request = device
        self._samplerate_request = samplerate_hz
        self._blocksize = int(blocksize_samples)
        self._latency_request = latency
        self._loader = sounddevice_loader
        self._sd: ModuleType | None = None
        self._stream: Any = None
        self._device: OutputDevice | None = None
        self._reason = ""
        self._available = False
        self._running = False
        self._device_lost = False
        self._restarts = 0
        self._sr = 0
        self._channels = 1
        self._latency_s = 0.0
        self._lock = threading.Lock()  # guards open/close of the stream (caller/supervisor)
        self._stop_evt = threading.Event()
        self._lost_evt = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._clips: dict[str, tuple[np.ndarray, int, np.ndarray, int]] = {}  # id -> (stream-rate clip, rate, original, original rate)

        # ---- written by callers, read by the callback (plain attributes) ----
        self.click_volume = float(click_volume)
        self.voice_volume = float(voice_volume)
        self.duck_gain = float(duck_gain)
        self._accent_every = int(accent_every)
        self._period_samples = 0.0  # float samples per beat; set from bpm once sr is known
        self._bpm = 120.0
        self._metronome_on = False
        self._metronome_start_pending = False
        self._voice_queue: deque = deque()
        self._voice_cancel = False

        # ---- audio-thread state (preallocated) ----
        self._mix = np.zeros(_MAX_BLOCK, dtype=np.float32)
        self._scratch = np.zeros(_MAX_BLOCK, dtype=np.float32)
        self._click = np.zeros(1, dtype=np.float32)
        self._click_accent = np.zeros(1, dtype=np.float32)
        self._pos = 0  # stream sample index of the next block's first sample
        self._clock_offset_ns = 0.0  # perf_counter_ns of stream sample 0 at the DAC
        self._clock_blocks = 0
        self._last_beat_f = 0.0
        self._beat_count = 0  # beats played so far on this engine (== ring write cursor)
        self._cur_click: np.ndarray | None = None
        self._click_off = 0
        self._click_gain = 0.0
        self._voice: np.ndarray | None = None
        self._voice_off = 0
        self._callbacks = 0
        self._underflows = 0
        self._last_callback_ns = 0
        self._beat_t_ns = np.zeros(_BEAT_RING, dtype=np.int64)
        self._beat_sample = np.zeros(_BEAT_RING, dtype=np.int64)
        self._beat_index = np.zeros(_BEAT_RING, dtype=np.int64)
        self._beat_accent = np.zeros(_BEAT_RING, dtype=np.bool_)
        self._voice_count = 0
        self._voice_req_ns = np.zeros(_VOICE_RING, dtype=np.int64)
        self._voice_start_ns = np.zeros(_VOICE_RING, dtype=np.int64)
        self._voice_start_sample = np.zeros(_VOICE_RING, dtype=np.int64)
        self._voice_names: list[str] = [""] * _VOICE_RING  # written before enqueue, by caller
        self._voice_slot = np.zeros(_VOICE_RING, dtype=np.int64)
        self._request_count = 0

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> EngineStatus:
        """Open and start the output stream (caller thread). Returns the status; when sound
        is unavailable, ``available`` is False with a reason and the app runs silent."""
        if self._running:
            return self.status()
        sd, reason = self._loader()
        if sd is None:
            self._set_unavailable(reason)
            return self.status()
        self._sd = sd
        dev, reason = resolve_output_device(self._device_request, sd)
        if dev is None:
            self._set_unavailable(reason)
            return self.status()
        self._device = dev
        ok, reason = self._open_stream()
        if not ok:
            self._set_unavailable(reason)
            return self.status()
        self._available = True
        self._running = True
        self._reason = ""
        self._stop_evt.clear()
        self._lost_evt.clear()
        self._supervisor = threading.Thread(
            target=self._supervise, name="gaitcoach-audio-supervisor", daemon=True
        )
        self._supervisor.start()
        return self.status()

    def stop(self) -> None:
        """Stop and close the stream and the supervisor thread (caller thread)."""
        self._stop_evt.set()
        self._lost_evt.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout=5.0)
            self._supervisor = None
        with self._lock:
            self._close_stream()
        self._running = False

    def __enter__(self) -> "AudioEngine":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def status(self) -> EngineStatus:
        """A snapshot of the engine's state (any thread)."""
        return EngineStatus(
            available=self._available,
            running=self._running and self._stream is not None and not self._device_lost,
            reason=self._reason,
            device_name=self._device.name if self._device else "",
            samplerate_hz=self._sr,
            output_latency_ms=1000.0 * self._latency_s,
            blocksize_samples=self._blocksize,
            metronome_on=self._metronome_on,
            bpm=self._bpm,
            voice_active=self._voice is not None or bool(self._voice_queue),
            underflows=self._underflows,
            device_lost=self._device_lost,
            restarts=self._restarts,
        )

    def wait_ready(self, timeout_s: float = 5.0) -> bool:
        """Block until audio is flowing with a steady clock (caller thread, not the GUI:
        some devices, e.g. PulseAudio via ALSA, take ~2 s before the first real block)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._stream is not None and self._clock_blocks >= _STEADY_BLOCKS:
                return True
            if not self._available:
                return False
            time.sleep(0.01)
        return False

    @property
    def ready(self) -> bool:
        """True once audio flows with a steady clock (any thread)."""
        return self._stream is not None and self._clock_blocks >= _STEADY_BLOCKS

    @property
    def samplerate_hz(self) -> int:
        return self._sr

    @property
    def output_latency_ms(self) -> float:
        """Output latency PortAudio reports for the open stream (ms)."""
        return 1000.0 * self._latency_s

    @property
    def callbacks(self) -> int:
        """Number of audio callbacks so far (any thread; for watchdogs and tests)."""
        return self._callbacks

    # ------------------------------------------------------------------ metronome
    def start_metronome(self, bpm: float, accent_every: int | None = None) -> None:
        """Start clicking at ``bpm``; the first click goes out with the next audio block."""
        if accent_every is not None:
            self._accent_every = int(accent_every)
        self.set_bpm(bpm)
        self._metronome_start_pending = True
        self._metronome_on = True

    def stop_metronome(self) -> None:
        """Stop clicking after the current click (a click already sounding finishes)."""
        self._metronome_on = False
        self._metronome_start_pending = False

    def set_bpm(self, bpm: float) -> None:
        """Change the tempo (beats per minute). The interval ending at the next beat already
        uses the new tempo; if that instant has passed, the next beat plays at once."""
        bpm = float(min(MAX_BPM, max(MIN_BPM, bpm)))
        self._bpm = bpm
        if self._sr:
            self._period_samples = self._sr * 60.0 / bpm

    def set_accent_every(self, n: int) -> None:
        """Accent every ``n``-th beat (0 = no accent)."""
        self._accent_every = int(n)

    @property
    def bpm(self) -> float:
        return self._bpm

    def beats_since(self, seq: int = 0) -> BeatBatch:
        """Beats played since cursor ``seq`` (any thread). Start with 0, then pass
        ``next_seq`` back in."""
        end = self._beat_count
        start = max(seq, end - _BEAT_RING + 64)  # keep clear of the slot being written
        missed = max(0, start - seq)
        if start >= end:
            empty = np.zeros(0, dtype=np.int64)
            return BeatBatch(end, empty, empty, empty, np.zeros(0, dtype=np.bool_), missed)
        idx = np.arange(start, end) % _BEAT_RING
        return BeatBatch(
            next_seq=end,
            t_ns=self._beat_t_ns[idx].copy(),
            stream_sample=self._beat_sample[idx].copy(),
            beat_index=self._beat_index[idx].copy(),
            accent=self._beat_accent[idx].copy(),
            missed=missed,
        )

    def next_beat_t_ns(self) -> int | None:
        """Predicted DAC time of the next beat (perf_counter_ns), None if not clicking."""
        if not self._metronome_on or self._beat_count == 0 or not self._sr:
            return None
        last = (self._beat_count - 1) % _BEAT_RING
        return int(self._beat_t_ns[last] + self._period_samples * 1e9 / self._sr)

    # ------------------------------------------------------------------ voice
    def register_clip(self, cue_id: str, samples: np.ndarray, samplerate_hz: int) -> None:
        """Make a clip playable by id (caller thread): resampled to the stream rate and
        normalised to the voice peak level, so click + voice never clip."""
        rate = self._sr or (self._device.default_samplerate_hz if self._device else 0) or 44100
        self._clips[cue_id] = (normalize_peak(resample(samples, samplerate_hz, int(rate))),
                               int(rate), samples, int(samplerate_hz))

    def register_cues(self, cues) -> list[str]:  # noqa: ANN001 (iterable of objects with .id, .clip_path)
        """Load every cue's WAV (objects with ``id`` and ``clip_path``, e.g. a CueLibrary);
        returns one sentence per clip that could not be read (those cues stay silent)."""
        from app.errors import InputFileError

        problems: list[str] = []
        for cue in cues:
            if cue.clip_path is None:
                continue
            try:
                samples, rate = read_wav_mono(cue.clip_path)
            except InputFileError as exc:
                problems.append(str(exc))
                continue
            self.register_clip(cue.id, samples, rate)
        return problems

    def has_clip(self, cue_id: str) -> bool:
        return cue_id in self._clips

    def clip_duration_ms(self, cue_id: str) -> float:
        clip, rate, _, _ = self._clips[cue_id]
        return 1000.0 * clip.size / rate

    def play_cue(self, cue_id: str, t_request_ns: int | None = None) -> bool:
        """Queue a registered clip; it starts with the next audio block (caller thread).

        Returns False (and plays nothing) when sound is unavailable, the id is unknown, or
        another cue is playing or queued — never two cues at once."""
        if not self._running or self._stream is None:
            return False
        entry = self._clips.get(cue_id)
        if entry is None:
            return False
        if self._voice is not None or self._voice_queue:
            return False
        clip, rate, _, _ = entry
        if rate != self._sr:  # stream reopened at another rate
            self.register_clip(cue_id, entry[2], entry[3])
            clip = self._clips[cue_id][0]
        slot = self._request_count % _VOICE_RING
        self._request_count += 1
        self._voice_names[slot] = cue_id
        t_req = time.perf_counter_ns() if t_request_ns is None else int(t_request_ns)
        self._voice_queue.append((clip, slot, t_req))
        return True

    def stop_voice(self) -> None:
        """Cut the cue that is playing (it fades out within one block)."""
        self._voice_queue.clear()
        self._voice_cancel = True

    def voice_starts_since(self, seq: int = 0) -> tuple[int, list[VoiceStart]]:
        """Cue clips that started since cursor ``seq`` → (next_seq, starts) (any thread)."""
        end = self._voice_count
        out = []
        for k in range(max(seq, end - _VOICE_RING + 8), end):
            i = k % _VOICE_RING
            out.append(VoiceStart(self._voice_names[int(self._voice_slot[i])],
                                  int(self._voice_req_ns[i]), int(self._voice_start_ns[i]),
                                  int(self._voice_start_sample[i])))
        return end, out

    @property
    def voice_active(self) -> bool:
        return self._voice is not None or bool(self._voice_queue)

    # ------------------------------------------------------------------ internals
    def _set_unavailable(self, reason: str) -> None:
        self._available = False
        self._running = False
        self._reason = reason

    def _open_stream(self) -> tuple[bool, str]:
        """Create and start a stream on ``self._device`` (caller or supervisor thread)."""
        sd = self._sd
        assert sd is not None and self._device is not None
        sr = int(self._samplerate_request or self._device.default_samplerate_hz or 44100)
        self._sr = sr
        self._channels = 2 if self._device.max_output_channels >= 2 else 1
        self._click = make_click(sr, 1000.0)
        self._click_accent = make_click(sr, 1600.0)
        self.set_bpm(self._bpm)
        self._pos = 0
        self._clock_blocks = 0
        self._cur_click = None
        self._voice = None
        self._voice_queue.clear()
        if self._metronome_on:
            self._metronome_start_pending = True
        try:
            with self._lock:
                stream = sd.OutputStream(
                    device=self._device.index,
                    samplerate=sr,
                    channels=self._channels,
                    dtype="float32",
                    blocksize=self._blocksize,
                    latency=self._latency_request,
                    callback=self._callback,
                    finished_callback=self._on_finished,
                )
                self._stream = stream
                stream.start()
                self._latency_s = float(stream.latency)
        except (sd.PortAudioError, ValueError, OSError) as exc:
            self._stream = None
            return False, f"Sound is off because the audio device '{self._device.name}' could not be opened ({exc})."
        self._last_callback_ns = time.perf_counter_ns()
        return True, ""

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        sd = self._sd
        try:
            # aborting a stream PortAudio has already ended hangs in ALSA: only if running
            if not stream.stopped:
                stream.abort(ignore_errors=True)
            stream.close(ignore_errors=True)
        except (sd.PortAudioError if sd else OSError, OSError):
            pass  # the device is already gone; nothing left to release

    def _on_finished(self) -> None:
        """PortAudio thread: the stream ended. Unexpected ends mean the device was lost."""
        if not self._stop_evt.is_set():
            self._device_lost = True
            self._lost_evt.set()

    def _supervise(self) -> None:
        """Supervisor thread: detect a lost/stalled device and reopen with back-off."""
        backoff_s = 0.5
        while not self._stop_evt.is_set():
            self._lost_evt.wait(timeout=0.5)
            if self._stop_evt.is_set():
                return
            stalled = (self._stream is not None and
                       time.perf_counter_ns() - self._last_callback_ns > 2_000_000_000)
            if not (self._lost_evt.is_set() or stalled):
                continue
            self._device_lost = True
            self._reason = "The audio device stopped; trying to reconnect."
            stream = self._stream
            for _ in range(100):  # let an abort/stop already under way finish (≤ 1 s)
                if stream is None or stream.stopped:
                    break
                time.sleep(0.01)
            with self._lock:
                self._close_stream()
            while not self._stop_evt.is_set():
                if self._stop_evt.wait(timeout=backoff_s):
                    return
                dev, reason = resolve_output_device(self._device_request, self._sd)
                if dev is not None:
                    self._device = dev
                    self._lost_evt.clear()
                    ok, reason = self._open_stream()
                    if ok:
                        self._restarts += 1
                        self._device_lost = False
                        self._reason = ""
                        backoff_s = 0.5
                        break
                self._reason = f"The audio device is lost; retrying in {backoff_s * 2:.0f} s. {reason}".strip()
                backoff_s = min(backoff_s * 2.0, 10.0)

    def _callback(self, outdata, frames, time_info, status) -> None:  # noqa: ANN001
        """Audio thread: mix one block. No allocation of arrays, no locks, no raising."""
        now_ns = time.perf_counter_ns()
        self._last_callback_ns = now_ns
        self._callbacks += 1
        if status.output_underflow:
            self._underflows += 1
        sr = self._sr
        if frames > _MAX_BLOCK:  # cannot happen with our blocksize; stay silent, never raise
            outdata.fill(0.0)
            self._pos += frames
            return
        dac = time_info.outputBufferDacTime
        cur = time_info.currentTime
        lead_s = dac - cur if dac > 0.0 else self._latency_s
        pos = self._pos
        # Map stream samples to perf_counter_ns: offset = DAC time of sample 0. The raw
        # per-block estimate jitters by ~1 ms (callback scheduling), the sample clock does
        # not, so the offset is smoothed (first-order low-pass, ~50 blocks).
        # A jump of more than 3 ms (stream start-up pre-fill, an xrun) re-seeds the estimate;
        # clicks start only once the clock has been steady for a few blocks.
        est_ns = now_ns + lead_s * 1e9 - pos * 1e9 / sr
        if self._clock_blocks == 0 or abs(est_ns - self._clock_offset_ns) > 3e6:
            self._clock_offset_ns = est_ns
            self._clock_blocks = 1
        else:
            self._clock_offset_ns += 0.05 * (est_ns - self._clock_offset_ns)
            self._clock_blocks += 1
        off_ns = self._clock_offset_ns
        t0_ns = int(off_ns + pos * 1e9 / sr)  # DAC time of this block's first sample
        end = pos + frames
        buf = self._mix[:frames]
        buf.fill(0.0)
        tmp = self._scratch

        # -- voice: start a queued clip at the block start, then mix it
        if self._voice_cancel:
            self._voice_cancel = False
            self._voice = None
        if self._voice is None and self._voice_queue:
            clip, slot, t_req = self._voice_queue.popleft()
            self._voice = clip
            self._voice_off = 0
            k = self._voice_count % _VOICE_RING
            self._voice_slot[k] = slot
            self._voice_req_ns[k] = t_req
            self._voice_start_ns[k] = t0_ns
            self._voice_start_sample[k] = pos
            self._voice_count += 1
        voice = self._voice
        if voice is not None:
            self._voice_off += _mix_into(buf, tmp, voice[self._voice_off:], self.voice_volume)
            if self._voice_off >= voice.shape[0]:
                self._voice = None
        ducked = voice is not None

        # -- click tail from the previous block
        click = self._cur_click
        if click is not None:
            self._click_off += _mix_into(buf, tmp, click[self._click_off:], self._click_gain)
            if self._click_off >= click.shape[0]:
                self._cur_click = None

        # -- new beats inside this block
        if self._metronome_on:
            period = self._period_samples
            if self._metronome_start_pending and self._clock_blocks < _STEADY_BLOCKS:
                period = 0.0  # wait for a steady clock before the first click
            elif self._metronome_start_pending:
                self._metronome_start_pending = False
                self._last_beat_f = pos - period
            while period > 0.0:
                nb = int(round(self._last_beat_f + period))
                if nb >= end:
                    break
                if nb < pos:  # tempo sped up past this instant: beat now, no double click
                    nb = pos
                    self._last_beat_f = float(pos)
                else:
                    self._last_beat_f += period
                bi = self._beat_count
                accent = self._accent_every > 0 and bi % self._accent_every == 0
                click = self._click_accent if accent else self._click
                gain = self.click_volume * (self.duck_gain if ducked else 1.0)
                n = _mix_into(buf, tmp, click, gain, at=nb - pos)
                if n < click.shape[0]:
                    self._cur_click = click
                    self._click_off = n
                    self._click_gain = gain
                else:
                    self._cur_click = None
                k = bi % _BEAT_RING
                self._beat_t_ns[k] = int(off_ns + nb * 1e9 / sr)
                self._beat_sample[k] = nb
                self._beat_index[k] = bi
                self._beat_accent[k] = accent
                self._beat_count = bi + 1

        np.clip(buf, -1.0, 1.0, out=buf)
        if self._channels == 1:
            outdata[:, 0] = buf
        else:
            outdata[:] = buf[:, None]
        self._pos = end
