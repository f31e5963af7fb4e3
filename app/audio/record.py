"""Record a clinician's own voice for a cue from an input device (microphone).

Blocking: call from a worker thread or the CLI, never from the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.audio.backend import load_sounddevice
from app.audio.clips import write_wav_mono
from app.errors import DeviceError

#: Level below which samples count as silence when trimming (full scale 1.0).
SILENCE_LEVEL = 0.01


def record_clip(path: Path, seconds: float, device: str | int | None = None,
                samplerate_hz: int = 22050, trim: bool = True) -> float:
    """Record ``seconds`` of mono audio into a 16-bit WAV at ``path``; returns the duration
    kept (ms) after trimming leading/trailing silence. Raises DeviceError when there is no
    usable input device (one sentence)."""
    sd, reason = load_sounddevice()
    if sd is None:
        raise DeviceError(reason)
    frames = int(round(seconds * samplerate_hz))
    if frames <= 0:
        raise ValueError("seconds must be positive")
    try:
        data = sd.rec(frames, samplerate=samplerate_hz, channels=1, dtype="float32", device=device)
        sd.wait()
    except (sd.PortAudioError, ValueError) as exc:
        raise DeviceError(f"Recording failed: no usable audio input device ({exc}).") from exc
    x = np.asarray(data[:, 0], dtype=np.float32)
    if trim:
        loud = np.flatnonzero(np.abs(x) > SILENCE_LEVEL)
        if loud.size == 0:
            raise DeviceError("The recording is silent; check the microphone and try again.")
        pad = samplerate_hz // 50  # keep 20 ms after the last sound
        x = x[loud[0]: min(x.size, loud[-1] + 1 + pad)]
    return write_wav_mono(Path(path), x, samplerate_hz)
