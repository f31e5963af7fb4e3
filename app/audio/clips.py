"""Audio clips: WAV loading, resampling, click synthesis (outside the audio callback)."""

from __future__ import annotations

import wave
from math import gcd
from pathlib import Path

import numpy as np

from app.errors import InputFileError

#: Peak level of a voice clip after normalisation (full scale = 1.0). Clicks peak at
#: CLICK_PEAK, so click + voice at volume 1 stays below full scale (headroom, no clipping).
VOICE_PEAK = 0.5
CLICK_PEAK = 0.45


def read_wav_mono(path: Path) -> tuple[np.ndarray, int]:
    """Read a PCM/float WAV file as mono float32 in -1..1; returns (samples, rate_hz)."""
    from scipy.io import wavfile

    try:
        rate_hz, data = wavfile.read(str(path))
    except (OSError, ValueError, EOFError) as exc:
        raise InputFileError(f"The sound file {path} could not be read ({exc}).") from exc
    x = np.asarray(data)
    if x.dtype == np.uint8:
        x = (x.astype(np.float32) - 128.0) / 128.0
    elif x.dtype == np.int16:
        x = x.astype(np.float32) / 32768.0
    elif x.dtype == np.int32:  # 24-bit files are returned left-aligned in int32
        x = x.astype(np.float32) / 2147483648.0
    elif x.dtype.kind == "f":
        x = x.astype(np.float32)
    else:
        raise InputFileError(f"The sound file {path} has an unsupported sample format ({x.dtype}).")
    if x.ndim == 2:
        x = x.mean(axis=1, dtype=np.float32)
    if x.size == 0:
        raise InputFileError(f"The sound file {path} is empty.")
    return np.ascontiguousarray(x, dtype=np.float32), int(rate_hz)



def write_wav_mono(path: Path, x: np.ndarray, rate_hz: int) -> float:
    """Write ``x`` (float, full scale ±1) as a 16-bit mono WAV, creating the folder.
    Returns the clip's length in ms."""
    y = np.clip(np.round(np.asarray(x, dtype=np.float64) * 32767.0), -32768, 32767).astype("<i2")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(rate_hz))
        w.writeframes(y.tobytes())
    return 1000.0 * y.size / rate_hz

def resample(x: np.ndarray, rate_in_hz: int, rate_out_hz: int) -> np.ndarray:
    """Polyphase resampling of a mono float32 signal (no-op when the rates match)."""
    if rate_in_hz == rate_out_hz:
        return np.ascontiguousarray(x, dtype=np.float32)
    from scipy.signal import resample_poly

    g = gcd(int(rate_in_hz), int(rate_out_hz))
    y = resample_poly(x.astype(np.float64), rate_out_hz // g, rate_in_hz // g)
    return np.ascontiguousarray(y, dtype=np.float32)


def normalize_peak(x: np.ndarray, peak: float = VOICE_PEAK) -> np.ndarray:
    """Scale so that max |x| == peak (silence is returned unchanged)."""
    m = float(np.max(np.abs(x))) if x.size else 0.0
    if m <= 1e-9:
        return x.astype(np.float32, copy=True)
    return (x * (peak / m)).astype(np.float32)


def make_click(rate_hz: int, freq_hz: float = 1000.0, length_ms: float = 25.0,
               decay_ms: float = 4.0, peak: float = CLICK_PEAK) -> np.ndarray:
    """A metronome click: a cosine burst (full amplitude on its first sample, so the onset
    is sample-exact) with an exponential decay; float32 mono."""
    n = max(1, int(round(rate_hz * length_ms / 1000.0)))
    t = np.arange(n, dtype=np.float64) / rate_hz
    env = np.exp(-t / (decay_ms / 1000.0))
    y = peak * np.cos(2.0 * np.pi * freq_hz * t) * env
    return y.astype(np.float32)
