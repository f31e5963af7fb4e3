"""``python -m app say CUE_ID``: speak one cue of the library through the audio engine."""

from __future__ import annotations

import argparse
import time

from app.errors import DeviceError, UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cue_id", help="cue id (see `python -m app cues`)")
    parser.add_argument("--device", default=None, help="output device name (or part of it) or number")
    parser.add_argument("--lang", default="en", help="cue language (default en)")


def run(args: argparse.Namespace) -> int:
    from app.cli.audio_session import running_engine
    from app.feedback.cue_library import CueLibrary

    library = CueLibrary.load(args.lang)
    if args.cue_id not in library:
        raise UserError(f"There is no cue '{args.cue_id}'; `python -m app cues` lists them.")
    cue = library.get(args.cue_id)
    if cue.clip_path is None:
        raise UserError(f"The cue '{cue.id}' has no sound clip; add {cue.id}.wav to the cue folder.")
    with running_engine(device=args.device) as (engine, status):
        problems = engine.register_cues([cue])
        if problems:
            raise UserError(problems[0])
        if not engine.play_cue(cue.id):
            raise DeviceError("The audio device did not accept the cue.")
        deadline = time.monotonic() + engine.clip_duration_ms(cue.id) / 1000.0 + 5.0
        while engine.voice_active and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(engine.output_latency_ms / 1000.0 + 0.05)  # let the tail reach the speaker
        _, starts = engine.voice_starts_since(0)
    lat = f", request→DAC {starts[0].latency_ms:.1f} ms" if starts else ""
    print(f"say: \"{cue.text}\" ({cue.id}) on '{status.device_name}'{lat}")
    return 0
