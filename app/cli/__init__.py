"""Command-line sub-commands, one module each (``add_arguments`` + ``run``)."""

from __future__ import annotations

#: sub-command name -> (module path, one-line help). Modules are imported only when run,
#: so ``python -m app --help`` stays fast and import-side-effect free.
COMMANDS: dict[str, tuple[str, str]] = {
    "analyze": ("app.cli.analyze", "analyse a video or landmark file: gait events and metrics"),
    "bench": ("app.cli.bench", "measure analysis speed (frames/s) and engine cost per sample"),
    "metronome": ("app.cli.metronome", "play the metronome: --bpm N --seconds S [--device NAME] [--accent N]"),
    "say": ("app.cli.say", "speak one verbal cue through the audio engine"),
    "cues": ("app.cli.cues", "list the verbal-cue library (shipped and your own)"),
    "sessions": ("app.cli.sessions", "recorded sessions: list, show, rename, notes, assign, delete, export; runners"),
    "compare": ("app.cli.compare", "before/after comparison synced by gait events: table, PDF report, side-by-side MP4, CSV"),
    "protocol": ("app.cli.protocol", "run a guided retraining protocol headless (baseline → retraining → faded → retention, report) or --list templates"),
    "plan": ("app.cli.plan", "clinical picture (primary fault, compensations, evidence) and a proposed strength/mobility programme from an assessment; --save with a runner, --export PDF"),
    "exercise": ("app.cli.exercise", "camera-coached exercise (single-leg squat, single-leg balance): reps and per-rep values from a video, the demo or a camera; --list the library"),
    "batch": ("app.cli.batch", "analyse many videos, landmark files or session folders in parallel on Dask: one result folder each, summary.csv, resumable"),
    "selftest": ("app.cli.selftest", "check this installation: pose model on a shipped clip, gait engine, audio, folders; exit 0/1"),
    "session": ("app.cli.session", "run the live pipeline headless (file/demo/camera), report fps, drops, latency; --record DIR, --recover"),
}
