"""``python -m app cues``: list the verbal-cue library (shipped + the clinician's own)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", default="en", help="cue language (default en)")
    parser.add_argument("--paths", action="store_true", help="also show clip files and the user cue folder")


def run(args: argparse.Namespace) -> int:
    from app.feedback.cue_library import CueKind, CueLibrary, SHIPPED_DIR, user_cue_root

    library = CueLibrary.load(args.lang)
    if len(library) == 0:
        print(f"cues: no cues for language '{args.lang}'.")
        return 0
    print(f"{'id':32s} {'fault':36s} text")
    for cue in library:
        fault = "praise" if cue.kind is CueKind.PRAISE else f"{cue.metric} {cue.direction}"
        if cue.kind is CueKind.PRAISE and cue.metric:
            fault = f"praise ({cue.metric})"
        extra = ""
        if cue.source == "user":
            extra += "  [user]"
        if cue.clip_path is None:
            extra += "  [no clip]"
        elif args.paths:
            extra += f"  {cue.clip_path}"
        print(f"{cue.id:32s} {fault:36s} {cue.text}{extra}")
    if args.paths:
        print(f"\nshipped cues: {SHIPPED_DIR / args.lang}")
        print(f"your cues:    {user_cue_root() / args.lang}  (cues.toml and/or <id>.wav)")
    for p in library.problems:
        print(f"warning: {p}")
    return 0
