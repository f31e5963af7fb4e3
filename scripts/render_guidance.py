#!/usr/bin/env python3
"""Render the spoken protocol lines of the shipped templates with espeak-ng into
protocols/voice/<lang>/guide_<hash>.wav (see app/protocol/voice.py).

    .venv/bin/python scripts/render_guidance.py [--force]

Run it after editing a ``say`` line of a shipped template; a clinician's own lines are
rendered on the fly into the user cache when a session starts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.protocol.runner import END_LINE, SHORT_BASELINE_LINE  # noqa: E402
from app.protocol.templates import TemplateLibrary  # noqa: E402
from app.protocol.voice import SHIPPED_VOICE_DIR, clip_id, render_line  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--force", action="store_true", help="re-render existing clips")
    ap.add_argument("--wpm", type=int, default=160)
    args = ap.parse_args(argv)
    lib = TemplateLibrary.load(user_dir=Path("/nonexistent"))
    lines = [b.say for t in lib for b in t.blocks if b.say] + [END_LINE, SHORT_BASELINE_LINE]
    out_dir = SHIPPED_VOICE_DIR / "en"
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = set()
    n = 0
    for text in dict.fromkeys(lines):
        out = out_dir / f"{clip_id(text)}.wav"
        wanted.add(out.name)
        if out.exists() and not args.force:
            continue
        ms = render_line(text, out, wpm=args.wpm)
        print(f"{out.name}  {ms:6.0f} ms  {text}")
        n += 1
    stale = [p for p in out_dir.glob("guide_*.wav") if p.name not in wanted]
    for p in stale:
        p.unlink()
    print(f"render_guidance: {n} clip(s) written, {len(stale)} stale removed, in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
