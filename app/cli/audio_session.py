"""Shared start-up of the audio engine for the audio sub-commands."""

from __future__ import annotations

import contextlib
from typing import Iterator

from app.errors import DeviceError


@contextlib.contextmanager
def running_engine(**engine_kwargs) -> Iterator[tuple[object, object]]:
    """Start an ``AudioEngine`` and wait until sound flows; yield (engine, status).

    Raises ``DeviceError`` with one sentence when there is no usable output device or it
    never starts playing. The engine is stopped on exit.
    """
    from app.audio import AudioEngine

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
