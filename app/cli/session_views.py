"""``gaitcoach session --source side=… --source rear=…``: two views live without a window.

The same threads as the window (``app.pose.multiview``): per view a capture thread and a
pose worker with its own model; one clock; the side view times the steps and the rear
view's metrics attach to them. Prints per view fps, dropped frames and capture→metric
latency, the camera offset, and the fused cadence and metrics; ``--json`` writes:

``{"views": {"side": {"source", "frames", "source_fps", "processed_fps", "dropped_frames",
"dropped_pct", "rate_divisor", "latency_ms": {"p50", "p95", "max"}, "reconnects",
"gaps", "gap_s", "end_state"}, "rear": {…}}, "offset_ms", "offset_spread_ms",
"offset_pairs", "cadence_spm", "n_steps", "steps_matched", "steps_unmatched",
"metrics": {name: value}, "notice", "recording"}``
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from app.errors import UserError
from app.types import Facing


def _view_figures(mv, view, elapsed_s: float) -> dict:
    pipe = mv.pipes[view]
    cap, wk = pipe.capture, pipe.worker
    lat = np.asarray(wk.latencies_ms, dtype=float)
    frames = cap.frames + int(getattr(pipe.source, "skipped", 0))
    st = mv.view_status(view)

    def pct(q: float) -> float | None:
        return round(float(np.percentile(lat, q)), 2) if lat.size else None

    return {
        "source": pipe.source.name, "nominal_fps": pipe.source.nominal_fps,
        "frames": frames, "frames_processed": wk.processed,
        "source_fps": round(cap.frames / elapsed_s, 2) if elapsed_s > 0 else 0.0,
        "processed_fps": round(wk.processed / elapsed_s, 2) if elapsed_s > 0 else 0.0,
        "dropped_frames": pipe.dropped(),
        "dropped_pct": round(100.0 * pipe.dropped() / frames, 2) if frames else 0.0,
        # why: the pose model was still busy when more frames came (overwritten), or the
        # source itself skipped a frame it got too late (a file played as a camera)
        "dropped_pose_busy": pipe.frames.dropped,
        "dropped_by_source": int(getattr(pipe.source, "skipped", 0)),
        "rate_divisor": wk.rate_divisor, "skipped_for_rate": wk.rate_skipped,
        "latency_ms": {"p50": pct(50), "p95": pct(95),
                       "max": round(float(lat.max()), 2) if lat.size else None},
        "reconnects": cap.reconnects, "gaps": st.gaps, "gap_s": st.gap_s,
        "end_state": st.state,
    }


def run_views(source_specs: list[str], seconds: float, facing: Facing | None = None, *,
              record_root: str | Path | None = None, on_record=None,
              capture_fps: float | None = None, progress=None, **demo_kwargs) -> dict:
    """Run two views for ``seconds`` and return the figures (see the module docstring).
    ``UserError`` for bad specs, a source that cannot be opened, an unwritable root."""
    from app.capture.source_spec import parse_view_sources
    from app.pose.multiview import MultiViewPipeline, ViewSource, open_view_sources
    from app.pose.timebase import check_capture_fps

    specs = parse_view_sources(source_specs)
    views = open_view_sources(specs, capture_fps=check_capture_fps(capture_fps), **demo_kwargs)
    views = [ViewSource(v.view, v.source, facing if v.view.value == "side" else None,
                        spec_text=v.spec_text) for v in views]
    mv = MultiViewPipeline(views)
    rec = None
    if record_root is not None:
        from app.session.multiview_recorder import MultiViewRecorder

        rec = MultiViewRecorder(mv, record_root)
        rec.start()
        if on_record is not None:
            on_record(rec)
    mv.start()
    t_start = None
    try:
        while mv.running and not all(p.worker.ready.is_set() for p in mv.pipes.values()):
            time.sleep(0.02)
        t_start = time.perf_counter()
        while mv.running and time.perf_counter() - t_start < seconds:
            st = mv.status()
            for v in st.views:
                if v.state == "error" and v.frames_captured == 0:
                    raise UserError(f"{v.view.value.capitalize()} view: {v.message}")
            if progress is not None:
                progress(st)
            time.sleep(0.05)
    finally:
        elapsed = time.perf_counter() - (t_start or time.perf_counter())
        mv.stop()
        rec_status = rec.stop() if rec is not None else None
    snap = mv.snapshot()
    off = mv.offset()
    metrics = {} if snap is None else {
        name: (None if mv_.value is None else round(float(mv_.value), 3))
        for name, mv_ in snap.values.items()}
    return {
        "seconds": round(elapsed, 3),
        "views": {v.value: _view_figures(mv, v, elapsed) for v in mv.views},
        "offset_ms": None if off.offset_ms is None else round(off.offset_ms, 1),
        "offset_spread_ms": None if off.spread_ms is None else round(off.spread_ms, 1),
        "offset_pairs": off.n_pairs,
        "cadence_spm": None if snap is None or snap.cadence_spm is None
        else round(float(snap.cadence_spm), 2),
        "n_steps": 0 if snap is None else snap.n_steps,
        "steps_matched": mv.fusion.matched, "steps_unmatched": mv.fusion.unmatched,
        "metrics": metrics,
        "notice": mv.notice,
        "recording": None if rec_status is None else {
            "folder": str(rec_status.folder), "state": rec_status.state,
            "frames": rec_status.frames, "seconds": round(rec_status.elapsed_s, 3),
            "dropped_frames": rec_status.dropped, "message": rec_status.message},
    }


def print_figures(fig: dict, json_out: str | None) -> int:
    """Print the figures of :func:`run_views`; write them to ``json_out``; exit code."""
    for name, v in fig["views"].items():
        lat = v["latency_ms"]
        rate = "" if v["rate_divisor"] == 1 else f", half rate ({v['skipped_for_rate']} skipped)"
        print(f"{name:5s} {v['source']} ({v['nominal_fps']:g} fps nominal)")
        print(f"      fps {v['source_fps']:.2f} source, {v['processed_fps']:.2f} processed; "
              f"dropped {v['dropped_frames']} ({v['dropped_pct']:.2f} %){rate}")
        print(f"      latency ms p50 {lat['p50']}  p95 {lat['p95']}  max {lat['max']}  "
              "(capture → metrics)")
        if v["reconnects"] or v["gaps"]:
            print(f"      reconnects {v['reconnects']}, gaps {v['gaps']} ({v['gap_s']:.1f} s)")
    off = fig["offset_ms"]
    print(f"offset           {'unknown' if off is None else f'{off:+.1f} ms'} "
          f"(other view − side, {fig['offset_pairs']} contact pairs)")
    cad = fig["cadence_spm"]
    print(f"cadence          {'—' if cad is None else f'{cad:.1f} spm'} ({fig['n_steps']} steps, "
          f"{fig['steps_matched']} with both views)")
    for name, value in fig["metrics"].items():
        if value is not None and name != "cadence_spm":
            print(f"  {name:30s} {value}")
    if fig["notice"]:
        print(f"notice           {fig['notice']}")
    if json_out:
        out = Path(json_out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(fig, indent=2) + "\n", encoding="utf-8")
    return report_recording(fig["recording"], "side frames")


def report_recording(rec: dict | None, frames_word: str = "frames") -> int:
    """Print the ``recording`` figures of a session run; 1 when the recording failed."""
    if rec is not None:
        if rec["state"] == "complete":
            print(f"recorded         {rec['folder']} ({rec['frames']} {frames_word}, "
                  f"{rec['seconds']:.1f} s, {rec['dropped_frames']} not recorded)")
        if rec["message"]:
            print(f"gaitcoach: {rec['message']}", file=sys.stderr)
        if rec["state"] == "failed":
            return 1
    return 0
