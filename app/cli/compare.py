"""``python -m app compare A B``: before/after comparison synced by gait events.

A and B are video files, session folders or session ids, each optionally ``@START-END``
seconds (``clip.mp4@0-6``). Without options it opens the comparison window on them
(``--exit-after S`` / ``--screenshot PNG`` as the live window has: S seconds after the
clips are shown). ``--headless`` prints the before/after metric table instead;
``--export`` writes the PDF report, ``--video`` the synced side-by-side MP4, ``--csv``
the steps of both clips (these run in the terminal too). Exit codes as ``analyze``: 2 bad
input, 3 no gait (or no stride to sync by) in a clip.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from app.errors import EXIT_NO_GAIT, NoGaitError, UserError
from app.pose.timebase import add_capture_fps_argument, check_capture_fps
from app.types import Facing, View


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("a", metavar="A", help="before: video file, session folder or session id "
                                          "(optionally @START-END seconds, or for a session @KIND[:N], a block such as @baseline or @retention)")
    p.add_argument("b", metavar="B", help="after: same kinds as A")
    p.add_argument("--export", metavar="PDF", help="write the PDF report")
    p.add_argument("--video", metavar="MP4", help="write the synced side-by-side video")
    p.add_argument("--csv", metavar="CSV", help="write one row per step of both clips")
    p.add_argument("--notes", metavar="TEXT", help="clinician notes for the report "
                                                   "(default: the sessions' notes)")
    p.add_argument("--view", choices=[v.value for v in View],
                   help="camera view of both clips (default: the session's, else side)")
    p.add_argument("--facing", choices=[f.value for f in Facing],
                   help="side view: the image direction the runner faces (default: detected)")
    p.add_argument("--speed", type=float, default=1.0, metavar="X",
                   help="playback speed of --video, 0.1 to 1 (default 1)")
    add_capture_fps_argument(p)
    p.add_argument("--quiet", action="store_true", help="no progress bars or timings")
    p.add_argument("--headless", action="store_true",
                   help="print the table in the terminal instead of opening the window "
                        "(implied by --export, --video and --csv)")
    p.add_argument("--exit-after", type=float, metavar="S",
                   help="window: quit S seconds after the clips are shown (smoke test)")
    p.add_argument("--screenshot", metavar="PNG", help="window, with --exit-after: save it here")


def gui_requested(args: argparse.Namespace) -> bool:
    """True when ``compare A B`` should open the comparison window (no export, not
    ``--headless``); ``python -m app`` then hands the arguments to the window."""
    return not (args.headless or args.export or args.video or args.csv)


def run(args: argparse.Namespace) -> int:
    from app.cli.analyze import _AtomicOutputs, _check_writable, _ProgressBar
    from app.compare.clip import load_clip
    from app.compare.report import Comparison, write_pdf, write_steps_csv
    from app.compare.sync import SyncError
    from app.compare.table import format_table

    if not 0.1 <= args.speed <= 1.0:
        raise UserError("--speed must be between 0.1 and 1.")
    outs = {k: Path(v) for k, v in (("pdf", args.export), ("mp4", args.video), ("csv", args.csv)) if v}
    for dest in outs.values():
        _check_writable(dest)
    capture_fps = check_capture_fps(getattr(args, "capture_fps", None))
    view = View(args.view) if args.view else None
    facing = Facing(args.facing) if args.facing else None
    t0 = time.perf_counter()
    clips = []
    for role, spec in (("before", args.a), ("after", args.b)):
        bar = _ProgressBar(enabled=not args.quiet, label=f"{role}: {Path(spec).name}")
        try:
            clips.append(load_clip(spec, bar.update, view=view, facing=facing,
                                   capture_fps=capture_fps))
        finally:
            bar.close()
    a, b = clips
    t_load = time.perf_counter() - t0
    for role, c in (("before", a), ("after", b)):
        if not c.result.has_gait:
            reason = c.result.warnings[0] if c.result.warnings else "no running or walking steps were found"
            raise NoGaitError(f"No gait to measure in the {role} clip {c.label}: {reason}.")
    try:
        cmp = Comparison.build(a, b, notes=args.notes)
    except SyncError as exc:
        raise NoGaitError(f"Cannot sync the clips: {exc}.", EXIT_NO_GAIT) from None

    for role, c in (("before", a), ("after", b)):
        v = c.view_verdict
        if v is not None and v.mismatch:
            print(f"WARNING: the {role} clip {c.label}: {v.sentence(f'Re-run with --view {v.seen}.')}")
    print(f"Before: {a.label} — {a.result.n_steps} steps, {a.duration_s:.1f} s")
    print(f"After:  {b.label} — {b.result.n_steps} steps, {b.duration_s:.1f} s")
    print(f"Synced by initial contacts: {cmp.sync.describe()}")
    print()
    print(format_table(list(cmp.rows)))

    outputs = _AtomicOutputs()
    timings = [f"loaded and analysed in {t_load:.1f} s"]
    try:
        if "csv" in outs:
            write_steps_csv(cmp, outputs.temp_for(outs["csv"]))
        if "pdf" in outs:
            t = time.perf_counter()
            from app.plan.printout import picture_intro

            write_pdf(cmp, outputs.temp_for(outs["pdf"]),
                      intro=picture_intro(cmp.before.result, cmp.before.label, "the before clip"))
            timings.append(f"PDF in {time.perf_counter() - t:.1f} s")
        if "mp4" in outs:
            from app.compare.video_export import write_side_by_side

            t = time.perf_counter()
            bar = _ProgressBar(enabled=not args.quiet, label="side-by-side video")
            try:
                write_side_by_side(cmp, outputs.temp_for(outs["mp4"]), speed=args.speed,
                                   progress=bar.update)
            finally:
                bar.close()
            timings.append(f"video in {time.perf_counter() - t:.1f} s")
        outputs.commit()
    except BaseException:
        outputs.discard()
        raise
    for key, dest in outs.items():
        print(f"wrote {dest}")
    if not args.quiet:
        print("compare: " + ", ".join(timings), file=sys.stderr)
    return 0
