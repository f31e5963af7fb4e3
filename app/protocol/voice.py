"""Spoken protocol guidance ("Baseline done. Now match the beat.") through the one
``AudioEngine``, as pre-rendered clips (the engine only plays registered clips).

A line's clip id is ``guide_<10 hex of sha1(text)>``. Clips are looked up in
``protocols/voice/<lang>/`` (shipped, rendered by ``scripts/render_guidance.py``), then in
the user cache (``<cache dir>/voice/<lang>/``); a line without a clip (a clinician's own
template) is rendered there with espeak-ng when it is installed, else it is only shown.

Threads: :meth:`GuidanceVoice.prepare` reads/renders files (call it before the session,
off the GUI thread when many lines are new); :meth:`say` and :meth:`pump` are cheap and
run on the protocol's thread (``ProtocolRunner.tick``). A protocol line has priority over
a correction cue: if a cue is playing when a line is due, the line waits up to
``WAIT_FOR_CUE_S`` and then cuts the cue.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import time
import wave
from pathlib import Path
from typing import Iterable

import numpy as np

from app.atomic import atomic_path
from app.resources import shipped_dir

SHIPPED_VOICE_DIR = shipped_dir("protocols") / "voice"
RATE_HZ = 22050
SILENCE_LEVEL = 300       # int16 units: quieter samples at the ends are trimmed
PAD_AFTER_MS = 30
WAIT_FOR_CUE_S = 2.0      # a line waits this long for a cue to finish, then cuts it
GIVE_UP_S = 6.0           # a line not started by then is dropped (sound unavailable)


def clip_id(text: str) -> str:
    """The clip id of a guidance line (stable across runs and machines)."""
    norm = " ".join(text.strip().split())
    return "guide_" + hashlib.sha1(norm.encode("utf-8")).hexdigest()[:10]


def user_voice_dir(language: str = "en") -> Path:
    """Rendered guidance clips: ``<cache dir>/voice/<language>`` (``app.paths.cache_dir``)."""
    from app.paths import cache_dir

    return cache_dir() / "voice" / language


def find_clip(text: str, language: str = "en") -> Path | None:
    """The WAV of ``text`` (shipped first, then the user cache), or None."""
    name = clip_id(text) + ".wav"
    for d in (SHIPPED_VOICE_DIR / language, user_voice_dir(language)):
        if (d / name).is_file():
            return d / name
    return None


def render_line(text: str, out_path: Path, voice: str = "en-us", wpm: int = 160) -> float:
    """Speak ``text`` with espeak-ng into ``out_path`` (22050 Hz mono 16-bit, silence
    trimmed, written via a temp file + rename); returns the duration in ms. Raises
    OSError when espeak-ng is missing or fails (same recipe as scripts/render_cues.py)."""
    from app.audio.clips import write_wav_mono

    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise OSError("espeak-ng is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        try:
            subprocess.run([espeak, "-v", voice, "-s", str(wpm), "-w", str(raw), text],
                           check=True, capture_output=True, timeout=30)
        except (subprocess.SubprocessError, OSError) as exc:
            raise OSError(f"espeak-ng failed ({exc})") from None
        with wave.open(str(raw), "rb") as w:
            rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
            data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    if width != 2 or channels != 1:
        raise OSError(f"espeak-ng wrote {width * 8}-bit {channels}-channel audio")
    x = data.astype(np.float64)
    if rate != RATE_HZ:
        from app.audio.clips import resample

        x = resample(x.astype(np.float32), rate, RATE_HZ).astype(np.float64)
    loud = np.flatnonzero(np.abs(x) > SILENCE_LEVEL)
    if loud.size == 0:
        raise OSError(f"espeak-ng produced silence for {text!r}")
    end = min(x.size, loud[-1] + 1 + RATE_HZ * PAD_AFTER_MS // 1000)
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out_path) as tmp_out:
        ms = write_wav_mono(tmp_out, x[loud[0]:end] / 32767.0, RATE_HZ)
    return ms


class GuidanceVoice:
    """Plays guidance lines on an ``AudioEngine`` (``register_clip``, ``play_cue``,
    ``voice_active``, ``stop_voice``). Implements ``app.protocol.runner.Speaker``."""

    def __init__(self, engine, language: str = "en", render_missing: bool = True,  # noqa: ANN001
                 clock=time.perf_counter_ns) -> None:  # noqa: ANN001
        self.engine = engine
        self.language = language
        self.render_missing = render_missing
        self._clock = clock
        self._ids: dict[str, str] = {}          # text -> registered clip id
        self._pending: tuple[str, int] | None = None  # (text, t requested ns)
        self._cut = False
        #: lines that could not be given a clip (shown, not spoken), one sentence each
        self.problems: list[str] = []
        #: (t_ns, clip id, text) of every line started
        self.spoken: list[tuple[int, str, str]] = []

    def prepare(self, texts: Iterable[str]) -> list[str]:
        """Find (or render) and register the clip of each line; returns new problems."""
        from app.audio.clips import read_wav_mono
        from app.errors import InputFileError

        new: list[str] = []
        for text in dict.fromkeys(t for t in texts if t and t.strip()):
            if text in self._ids:
                continue
            path = find_clip(text, self.language)
            if path is None and self.render_missing:
                dest = user_voice_dir(self.language) / f"{clip_id(text)}.wav"
                try:
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    render_line(text, dest, voice="en-us" if self.language == "en" else self.language)
                    path = dest
                except OSError as exc:
                    new.append(f"The line “{text}” will be shown, not spoken: {exc}.")
            elif path is None:
                new.append(f"The line “{text}” has no recorded clip; it will be shown, not spoken.")
            if path is None:
                continue
            try:
                samples, rate = read_wav_mono(path)
            except InputFileError as exc:
                new.append(str(exc))
                continue
            cid = clip_id(text)
            self.engine.register_clip(cid, samples, rate)
            self._ids[text] = cid
        self.problems.extend(new)
        return new

    def say(self, text: str) -> None:
        """Queue ``text`` to be spoken as soon as possible (replaces a line still waiting)."""
        if text in self._ids:
            self._pending = (text, self._clock())
            self._cut = False

    def pump(self, now_ns: int) -> list[tuple[int, str, str]]:
        """Start the waiting line when the voice channel is free; returns the lines that
        started now as (t_ns, clip id, text)."""
        if self._pending is None:
            return []
        text, t_req = self._pending
        waited_s = (now_ns - t_req) / 1e9
        eng = self.engine
        if eng.voice_active:
            if waited_s >= WAIT_FOR_CUE_S and not self._cut:
                eng.stop_voice()
                self._cut = True
            if waited_s < GIVE_UP_S:
                return []
        cid = self._ids[text]
        if eng.play_cue(cid, now_ns):
            self._pending = None
            entry = (int(now_ns), cid, text)
            self.spoken.append(entry)
            return [entry]
        if waited_s >= GIVE_UP_S:
            self._pending = None
            self.problems.append(f"The line “{text}” could not be played.")
        return []
