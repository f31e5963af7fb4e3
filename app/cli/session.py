"""``gaitcoach session``: run the live pipeline without a window and report its figures.

The same threads as the desktop app (capture thread → latest-frame slot → pose worker with
MediaPipe + gait engine), paced at real time: a video file plays at its own frame rate as
if it came from a camera. Prints a summary and optionally writes JSON:

``{"frames", "processed_fps", "source_fps", "dropped_frames", "latency_ms": {"p50", "p95",
"max"}, "cadence_spm", "metrics": {name: value}}`` plus a few extra keys.

``--record DIR`` also records the session into a new folder under DIR (printed at the
start; format: docs/SESSION_FORMAT.md); ``--recover [DIR]`` recovers the crashed sessions
under DIR (or the one session folder DIR; default: the sessions root) and exits.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from app.errors import UserError
from app.pose.timebase import add_capture_fps_argument, check_capture_fps
from app.types import Facing, View


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", action="append", metavar="[VIEW=]SOURCE",
                   help="demo (synthetic runner), camera:N, rtsp://… or http(s)://… (MJPEG), a "
                        "video file (loop:FILE plays it in a loop) or a landmark file; give it "
                        "twice with views for two views at once: --source side=… --source "
                        "rear=… (default demo)")
    p.add_argument("--seconds", type=float, default=10.0,
                   help="run this long (a file source may end sooner), default 10")
    p.add_argument("--headless", action="store_true",
                   help="no window (the only mode of this command; accepted for clarity)")
    p.add_argument("--view", choices=[v.value for v in View], default="side")
    p.add_argument("--facing", choices=["auto", "left", "right"], default="auto",
                   help="side view: the image direction the runner faces (default auto)")
    p.add_argument("--json", metavar="OUT", help="write the figures as JSON to OUT")
    add_capture_fps_argument(p)
    p.add_argument("--roi", metavar="X,Y,W,H",
                   help="runner region in pixels (default: proposed from the first confident "
                        "person); the pose model looks only there and follows the runner")
    p.add_argument("--record", metavar="DIR",
                   help="record the session (video, landmarks, steps) into a new folder "
                        "under DIR (e.g. the sessions root); the folder is printed")
    p.add_argument("--recover", metavar="DIR", nargs="?", const="",
                   help="recover sessions left incomplete by a crash (DIR: a session folder "
                        "or a folder of sessions; default: the sessions root) and exit")


def run_session(source_spec: str, seconds: float, view: View = View.SIDE,
                facing: Facing | None = None, progress=None,
                record_root: str | Path | None = None, on_record=None,
                capture_fps: float | None = None, region=None) -> dict:
    """Run the live pipeline for ``seconds`` (or to the end of a file) and return figures.

    Runs on the calling thread (which only waits and reads counters); raises UserError for
    a bad source or an unwritable ``record_root``. With ``record_root`` the session is
    recorded into a new folder there (``on_record(recorder)`` is called once it exists)
    and the figures get a ``"recording"`` entry. ``capture_fps``: a slow-motion video
    file filmed at that rate (it plays at its stored rate; times are frame / capture_fps).
    ``region`` (x, y, w, h px): the runner region to start with. The figures' ``"runner"``
    entry gives the region tracker's state, the poses of other people it rejected and
    the source frame on which "runner lost" was first reported (None if never).
    """
    from app.capture.live import open_source
    from app.capture.source_spec import parse_source
    from app.pose.worker import LivePipeline

    spec = parse_source(source_spec)
    view = spec.view or view
    # the demo runner is filmed from the view the session analyses
    demo = {"view": view, "facing": facing or Facing.LEFT} if spec.kind == "demo" else {}
    source = open_source(spec, capture_fps=check_capture_fps(capture_fps), **demo)
    if demo:
        facing = source.runner.facing if view is View.SIDE else None
    pipe = LivePipeline(source, view, facing, region=region)
    rec = None
    if record_root is not None:
        from app.session.recorder import start_recording

        rec = start_recording(pipe, record_root, source=spec.text, view=view, facing=facing)
        if on_record is not None:
            on_record(rec)
    pipe.start()
    try:
        lost: dict[str, int] = {}

        def watch(st) -> None:  # noqa: ANN001 - PipelineStatus; note when "runner lost" shows
            if "frame" not in lost and st.runner_message.startswith("Runner lost"):
                res = pipe.latest()
                lost["frame"] = res.frame.index if res is not None else -1
            if progress is not None:
                progress(st)

        run_for(pipe, seconds, watch)
    finally:
        pipe.stop()
        rec_status = rec.stop() if rec is not None else None
    st = pipe.status()
    if st.state == "error" and pipe.capture.frames == 0:
        raise UserError(st.message)
    cap, wk = pipe.capture, pipe.worker
    lat = np.asarray(wk.latencies_ms, dtype=float)
    elapsed = _elapsed_s(pipe)
    snap = wk.last_snapshot
    metrics = {}
    if snap is not None:
        metrics = {name: (None if mv.value is None else round(float(mv.value), 3))
                   for name, mv in snap.values.items()}
    frames = cap.frames + int(getattr(source, "skipped", 0))
    return {
        "source": source.name,
        "seconds": round(elapsed, 3),
        "frames": frames,
        "frames_processed": wk.processed,
        "processed_fps": round(wk.processed / elapsed, 2) if elapsed > 0 else 0.0,
        "source_fps": round(cap.frames / elapsed, 2) if elapsed > 0 else 0.0,
        "nominal_fps": source.nominal_fps,
        "capture_fps": getattr(source, "capture_fps", None),
        "dropped_frames": pipe.dropped(),
        "dropped_pct": round(100.0 * pipe.dropped() / frames, 2) if frames else 0.0,
        "latency_ms": {
            "p50": round(float(np.percentile(lat, 50)), 2) if lat.size else None,
            "p95": round(float(np.percentile(lat, 95)), 2) if lat.size else None,
            "max": round(float(lat.max()), 2) if lat.size else None,
        },
        "cadence_spm": None if snap is None or snap.cadence_spm is None
        else round(float(snap.cadence_spm), 2),
        "n_steps": 0 if snap is None else snap.n_steps,
        "metrics": metrics,
        "end_state": st.state,
        "runner": None if wk.runner is None else {
            "state": wk.runner.state, "rejected": wk.runner.rejected,
            "region": None if wk.runner.region is None
            else [round(v, 1) for v in wk.runner.region],
            "lost_reported_at_frame": lost.get("frame")},
        "recording": None if rec_status is None else {
            "folder": str(rec_status.folder), "state": rec_status.state,
            "frames": rec_status.frames, "seconds": round(rec_status.elapsed_s, 3),
            "dropped_frames": rec_status.dropped, "message": rec_status.message},
    }


def run_for(pipe, seconds: float, progress=None) -> None:  # noqa: ANN001
    """Wait for a started pipeline's model to load (not counted), then let it run for
    ``seconds`` of capture (or until a file ends); UserError when it fails."""
    while not pipe.worker.ready.is_set() and pipe.running:
        time.sleep(0.02)
    t0 = time.perf_counter()
    while pipe.running and time.perf_counter() - t0 < seconds:
        st = pipe.status()
        if st.state == "error":
            raise UserError(st.message)
        if progress is not None:
            progress(st)
        time.sleep(0.05)


def _elapsed_s(pipe) -> float:
    """Seconds from the first to the last captured frame (+ one period)."""
    times = pipe.capture.first_last_grab_ns
    if times is None:
        return 0.0
    first, last = times
    return (last - first) / 1e9 + 1.0 / max(pipe.source.nominal_fps, 1.0)


def _print_recording_folder(rec) -> None:
    print(f"recording to     {rec.folder}", flush=True)


def recover(target: str) -> int:
    """``--recover``: recover one crashed folder or every one under a folder."""
    from app.session import folder as sf
    from app.session.recovery import recover_session

    path = Path(target) if target else sf.sessions_root()
    if (path / sf.MANIFEST).exists():
        todo = [path]
    elif path.is_dir():
        todo = [f.path for f in sf.incomplete_sessions(path)]
    else:
        raise UserError(f"{path} is neither a session folder nor a folder of sessions.")
    if not todo:
        print(f"no interrupted session in {path}")
        return 0
    for folder in todo:
        res = recover_session(folder)
        print(f"{folder.name}: {res.sentence}")
    return 0


def run(args: argparse.Namespace) -> int:
    from app.pose.runner_search import parse_roi

    if args.recover is not None:
        return recover(args.recover)
    facing = None if args.facing == "auto" else Facing(args.facing)
    if args.seconds <= 0:
        raise UserError("--seconds must be positive.")
    if args.record:
        import signal

        def _stop(signum, frame):  # noqa: ANN001 - signal handler
            raise KeyboardInterrupt  # SIGTERM finishes the recording like Ctrl+C

        signal.signal(signal.SIGTERM, _stop)
    sources = args.source or ["demo"]
    if len(sources) > 1:
        from app.cli.session_views import print_figures, run_views

        fig = run_views(sources, args.seconds, facing, record_root=args.record,
                        on_record=_print_recording_folder,
                        capture_fps=getattr(args, "capture_fps", None))
        return print_figures(fig, args.json)
    fig = run_session(sources[0], args.seconds, View(args.view), facing,
                      record_root=args.record, on_record=_print_recording_folder,
                      capture_fps=getattr(args, "capture_fps", None),
                      region=parse_roi(getattr(args, "roi", None)))
    lat = fig["latency_ms"]
    print(f"source           {fig['source']} ({fig['nominal_fps']:g} fps nominal)")
    print(f"frames           {fig['frames']} in {fig['seconds']:.2f} s, "
          f"dropped {fig['dropped_frames']} ({fig['dropped_pct']:.2f} %)")
    print(f"source fps       {fig['source_fps']:.2f}")
    print(f"processed fps    {fig['processed_fps']:.2f}")
    print(f"latency ms       p50 {lat['p50']}  p95 {lat['p95']}  max {lat['max']}  "
          "(capture → metrics)")
    cad = fig["cadence_spm"]
    print(f"cadence          {'—' if cad is None else f'{cad:.1f} spm'} ({fig['n_steps']} steps)")
    for name, value in fig["metrics"].items():
        if value is not None and name != "cadence_spm":
            print(f"  {name:30s} {value}")
    if args.json:
        out = Path(args.json)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(fig, indent=2) + "\n", encoding="utf-8")
    from app.cli.session_views import report_recording

    return report_recording(fig["recording"])
