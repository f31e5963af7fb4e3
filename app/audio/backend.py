"""Lazy access to sounddevice/PortAudio and the output-device list.

Nothing here touches PortAudio at import time; :func:`load_sounddevice` imports the
module on first use and turns "PortAudio missing" into a sentence instead of an exception.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from types import ModuleType

#: the installed ALSA error handler (kept referenced for the life of the process)
_ALSA_HANDLER = None


@dataclass(frozen=True, slots=True)
class OutputDevice:
    """One PortAudio output device (for a device chooser)."""

    index: int
    name: str
    hostapi: str
    max_output_channels: int
    default_samplerate_hz: float
    default_low_latency_ms: float
    is_default: bool


def quiet_alsa() -> bool:
    """Stop ALSA's own error lines ("ALSA lib pcm.c:…: underrun occurred") from reaching
    the terminal: PortAudio recovers from underruns itself, and the engine counts them
    (``underflows``). Linux only; ``GAITCOACH_ALSA_MESSAGES=1`` keeps them. Idempotent;
    True when the handler is in place."""
    global _ALSA_HANDLER
    if _ALSA_HANDLER is not None:
        return True
    if not sys.platform.startswith("linux") or os.environ.get("GAITCOACH_ALSA_MESSAGES") == "1":
        return False
    import ctypes
    import ctypes.util

    try:
        lib = ctypes.CDLL(ctypes.util.find_library("asound") or "libasound.so.2")
        setter = lib.snd_lib_error_set_handler
    except (OSError, AttributeError):
        return False
    # void handler(const char *file, int line, const char *function, int err, const char *fmt, ...)
    proto = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                             ctypes.c_char_p)
    handler = proto(lambda *_args: None)
    setter(handler)
    _ALSA_HANDLER = handler
    return True


def load_sounddevice() -> tuple[ModuleType | None, str]:
    """Import sounddevice (ALSA's error lines silenced, :func:`quiet_alsa`); return
    (module, "") or (None, one-sentence reason)."""
    try:
        sd = importlib.import_module("sounddevice")
        quiet_alsa()
        return sd, ""
    except OSError as exc:  # raised by sounddevice when libportaudio is missing
        return None, f"Sound is off because the PortAudio library could not be loaded ({exc})."
    except ImportError as exc:
        return None, f"Sound is off because the sounddevice package is not installed ({exc})."


def list_output_devices(sd: ModuleType | None = None) -> list[OutputDevice]:
    """All devices with at least one output channel; empty when PortAudio is unavailable."""
    if sd is None:
        sd, _reason = load_sounddevice()
    if sd is None:
        return []
    try:
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
        default_out = _default_output_index(sd)
    except sd.PortAudioError:
        return []
    out: list[OutputDevice] = []
    for dev in devices:
        if int(dev["max_output_channels"]) < 1:
            continue
        out.append(
            OutputDevice(
                index=int(dev["index"]),
                name=str(dev["name"]),
                hostapi=str(hostapis[int(dev["hostapi"])]["name"]),
                max_output_channels=int(dev["max_output_channels"]),
                default_samplerate_hz=float(dev["default_samplerate"]),
                default_low_latency_ms=1000.0 * float(dev["default_low_output_latency"]),
                is_default=int(dev["index"]) == default_out,
            )
        )
    return out


def _default_output_index(sd: ModuleType) -> int:
    default = sd.default.device
    try:
        idx = int(default[1])
    except (TypeError, IndexError):
        idx = int(default) if default is not None else -1
    if idx < 0:
        try:
            idx = int(sd.query_devices(kind="output")["index"])
        except (sd.PortAudioError, ValueError):
            idx = -1
    return idx


def resolve_output_device(
    name_or_index: str | int | None, sd: ModuleType | None = None
) -> tuple[OutputDevice | None, str]:
    """Find an output device by index, exact name or case-insensitive substring.

    ``None`` means the system default output. Returns (device, "") or (None, reason).
    """
    reason = ""
    if sd is None:
        sd, reason = load_sounddevice()
    if sd is None:
        return None, reason
    devices = list_output_devices(sd)
    if not devices:
        return None, "Sound is off because no audio output device was found."
    if name_or_index is None or name_or_index == "":
        for dev in devices:
            if dev.is_default:
                return dev, ""
        return devices[0], ""
    if isinstance(name_or_index, int) or str(name_or_index).isdigit():
        idx = int(name_or_index)
        for dev in devices:
            if dev.index == idx:
                return dev, ""
        return None, f"There is no audio output device number {idx}."
    wanted = str(name_or_index)
    for dev in devices:
        if dev.name == wanted:
            return dev, ""
    matches = [d for d in devices if wanted.lower() in d.name.lower()]
    if len(matches) == 1:
        return matches[0], ""
    if len(matches) > 1:
        names = ", ".join(d.name for d in matches)
        return None, f"The audio device name '{wanted}' matches several devices ({names})."
    names = ", ".join(d.name for d in devices)
    return None, f"No audio output device is called '{wanted}' (available: {names})."
