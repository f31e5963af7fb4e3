#!/usr/bin/env python3
"""Render the cue library's clips with espeak-ng: cues/<lang>/cues.toml -> cues/<lang>/<clip>.

Clips are 22050 Hz mono 16-bit WAV with leading/trailing silence trimmed (so a cue starts
sounding at its first sample). Usage:

    .venv/bin/python scripts/render_cues.py [--lang en] [--voice en-us] [--wpm 165] [--force]
    .venv/bin/python scripts/render_cues.py --root ~/.local/share/gaitcoach/cues  # user set
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import tomllib
import wave
from pathlib import Path

import numpy as np

from app.audio.clips import write_wav_mono

REPO = Path(__file__).resolve().parents[1]
RATE_HZ = 22050
#: Samples below this level (full scale 32768) count as silence when trimming.
SILENCE_LEVEL = 300
#: Silence kept around the words (ms): a little after, none before.
PAD_AFTER_MS = 30


def render(text: str, out_path: Path, voice: str, wpm: int, espeak: str) -> float:
    """Speak ``text`` into ``out_path``; returns the clip duration in ms."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        subprocess.run([espeak, "-v", voice, "-s", str(wpm), "-w", str(raw), text],
                       check=True, capture_output=True)
        with wave.open(str(raw), "rb") as w:
            rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
            data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    if width != 2 or channels != 1:
        raise SystemExit(f"espeak-ng wrote {width * 8}-bit {channels}-channel audio; expected 16-bit mono")
    x = data.astype(np.float64)
    if rate != RATE_HZ:
        from scipy.signal import resample_poly
        from math import gcd

        g = gcd(rate, RATE_HZ)
        x = resample_poly(x, RATE_HZ // g, rate // g)
    loud = np.flatnonzero(np.abs(x) > SILENCE_LEVEL)
    if loud.size == 0:
        raise SystemExit(f"espeak-ng produced silence for {text!r}")
    end = min(x.size, loud[-1] + 1 + RATE_HZ * PAD_AFTER_MS // 1000)
    x = x[loud[0]:end]
    return write_wav_mono(out_path, x / 32767.0, RATE_HZ)  # x is in int16 units


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=REPO / "cues", help="folder with <lang>/cues.toml")
    ap.add_argument("--lang", default="en")
    ap.add_argument("--voice", default=None, help="espeak-ng voice (default: en-us for en, else the language)")
    ap.add_argument("--wpm", type=int, default=165, help="speaking rate, words per minute")
    ap.add_argument("--force", action="store_true", help="re-render clips that already exist")
    args = ap.parse_args(argv)
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        print("render_cues: espeak-ng is not installed (apt-get install espeak-ng).", file=sys.stderr)
        return 1
    folder = args.root / args.lang
    toml_path = folder / "cues.toml"
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        print(f"render_cues: cannot read {toml_path} ({exc}).", file=sys.stderr)
        return 1
    voice = args.voice or ("en-us" if args.lang == "en" else args.lang)
    n = 0
    for entry in data.get("cue", []):
        clip = entry.get("clip") or f"{entry['id']}.wav"
        out = folder / clip
        if out.exists() and not args.force:
            continue
        ms = render(entry["text"], out, voice, args.wpm, espeak)
        print(f"{entry['id']:32s} {ms:6.0f} ms  {entry['text']}")
        n += 1
    print(f"render_cues: {n} clip(s) written to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
