"""``python -m app metronome``: play the metronome through the audio engine."""

from __future__ import annotations

import argparse
import time

from app.errors import UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bpm", type=float, required=True, help="beats (steps) per minute, 20-300")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to play (s)")
    parser.add_argument("--device", default=None, help="output device name (or part of it) or number")
    parser.add_argument("--accent", type=int, default=0, metavar="N", help="accent every N-th beat (0 = none)")
    parser.add_argument("--volume", type=float, default=1.0, help="click volume 0..1")
    parser.add_argument("--list-devices", action="store_true", help="list output devices and exit")


def run(args: argparse.Namespace) -> int:
    from app.audio import list_output_devices
    from app.cli.audio_session import running_engine

    if args.list_devices:
        for d in list_output_devices():
            mark = "*" if d.is_default else " "
            print(f"{mark} {d.index:3d}  {d.name}  ({d.hostapi}, {d.default_samplerate_hz:.0f} Hz)")
        return 0
    if not 20 <= args.bpm <= 300:
        raise UserError("The tempo must be between 20 and 300 beats per minute.")
    if args.seconds <= 0:
        raise UserError("--seconds must be positive.")
    with running_engine(device=args.device, accent_every=args.accent,
                        click_volume=args.volume) as (engine, status):
        engine.start_metronome(args.bpm)
        print(f"metronome: {args.bpm:g} bpm on '{status.device_name}' "
              f"({status.samplerate_hz} Hz, output latency {status.output_latency_ms:.1f} ms)")
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            time.sleep(0.05)
        beats = engine.beats_since(0)
        final = engine.status()
    print(f"metronome: {beats.t_ns.size} beats, {final.underflows} underflows")
    return 0
