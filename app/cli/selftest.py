"""``gaitcoach selftest``: check this installation, one line per check, exit code 0/1."""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", metavar="OUT", help="also write the checks as JSON")
    p.add_argument("--no-audio", action="store_true", help="skip opening the sound device")


def run(args: argparse.Namespace) -> int:
    from app.atomic import atomic_path
    from app.selftest import run_selftest, verdict

    print("GaitCoach self-test", flush=True)
    checks = run_selftest(on_check=lambda c: print(c.line(), flush=True), audio=not args.no_audio)
    passed, sentence = verdict(checks)
    print(sentence)
    if args.json:
        doc = {"passed": passed, "verdict": sentence,
               "checks": [{"name": c.name, "status": c.status.value, "detail": c.detail}
                          for c in checks]}
        with atomic_path(args.json) as tmp:
            tmp.write_text(json.dumps(doc, indent=1) + "\n")
    sys.stdout.flush()
    return 0 if passed else 1
