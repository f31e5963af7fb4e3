"""Shared start-up of the audio engine for the audio sub-commands."""

from __future__ import annotations

import contextlib
from typing import Iterator

from app.errors import DeviceError, UserError


def check_device_name(device: str | int | None) -> None:
    """A ``--device`` that names no output device is bad input (``UserError``, exit 2),
    like any other bad argument; no sound device at all stays a ``DeviceError`` (exit 1)."""
    from app.audio.backend import list_output_devices, load_sounddevice, resolve_output_device

    if device is None or device == "":
        return
    sd, _reason = load_sounddevice()
    if sd is None or not list_output_devices(sd):
        return  # no sound at all: the engine says so (DeviceError)
    dev, reason = resolve_output_device(device, sd)
    if dev is None:
        raise UserError(reason)


@contextlib.contextmanager
def running_engine(**engine_kwargs) -> Iterator[tuple[object, object]]:
    """Start an ``AudioEngine`` and wait until sound flows; yield (engine, status).

    Raises ``UserError`` (exit 2) when ``device`` names no output device, ``DeviceError``
    (exit 1) with one sentence when there is no usable output device or it never starts
    playing. The engine is stopped on exit.
    """
    from app.audio import AudioEngine

    check_device_name(engine_kwargs.get("device"))
    engine = AudioEngine(**engine_kwargs)
    status = engine.start()
    if not status.available:
        raise DeviceError(status.reason)
    try:
        if not engine.wait_ready(10.0):
            raise DeviceError(f"The audio device '{status.device_name}' did not start playing.")
        yield engine, status
    finally:
        engine.stop()
