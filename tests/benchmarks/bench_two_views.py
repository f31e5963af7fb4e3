"""Two views live while recording both (figures, not a timed test; issue 12 item 5).

Two 720p30 videos played as live cameras (``loop:``), each with its own capture thread
and MediaPipe instance, the gait engines, the step fusion and the two-view recorder:
per view source/processed fps, capture → metric latency p50/p95/max, dropped frames,
frames skipped on purpose (half rate when the machine cannot keep up), the camera offset,
recorded frames, and the machine's load. ``--soak-minutes N`` runs that for N minutes and
prints resident memory and fps once a minute (growth in MB and MB/min at the end).

Run: ``.venv/bin/python -m tests.benchmarks.bench_two_views [--seconds 30]
[--soak-minutes 60] [--side PATH] [--rear PATH] [--json OUT] [--keep]``.
Targets (issue 12): ≥ 29.5 fps per view, latency p95 ≤ 40 ms, no drops while recording
both; soak: resident memory growth ≤ 50 MB in 60 min, no fps loss.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("GAITCOACH_SHARED_DATA", REPO.parent / "shared" / "data"))


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def default_clips(tmp: Path) -> tuple[Path, Path]:
    """Side: male_side.mp4 (720×1280, 30 fps). Rear stand-in: walk_side_distractors.mp4
    made 1280×720 at 30 fps (a real scene with people; there is no rear clip in the
    data, and the cost of the pose model does not depend on the view)."""
    side = DATA / "male_side_run" / "male_side.mp4"
    rear = tmp / "second_720p30.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i",
                    str(DATA / "sports2d_walk" / "walk_side_distractors.mp4"),
                    "-vf", "scale=1280:720,fps=30", "-c:v", "libx264", "-preset", "veryfast",
                    "-an", str(rear)], check=True, timeout=300)
    return side, rear


def run(side: Path, rear: Path, seconds: float, soak_minutes: float, record_root: Path) -> dict:
    from app.capture.source_spec import parse_view_sources
    from app.cli.session_views import _view_figures
    from app.malloc_arenas import heap_mb
    from app.pose.multiview import MultiViewPipeline, open_view_sources
    from app.session.multiview_recorder import MultiViewRecorder

    specs = parse_view_sources([f"side=loop:{side}", f"rear=loop:{rear}"])
    mv = MultiViewPipeline(open_view_sources(specs))
    rec = MultiViewRecorder(mv, record_root)
    rec.start()
    mv.start()
    while not all(p.worker.ready.is_set() for p in mv.pipes.values()):
        time.sleep(0.05)
    failed = [f"{v.value}: {p.worker.error!r}" for v, p in mv.pipes.items() if p.worker.error]
    if failed:
        mv.stop()
        rec.stop()
        raise SystemExit(f"the pose model could not start: {'; '.join(failed)}")
    duration = soak_minutes * 60.0 if soak_minutes else seconds
    t0 = time.perf_counter()
    rss0 = _rss_mb()
    samples = []
    last = {v: (0, 0, 0) for v in mv.views}  # frames, processed, dropped at the last minute
    next_mark = t0 + 60.0
    try:
        while time.perf_counter() - t0 < duration:
            time.sleep(0.5)
            if soak_minutes and time.perf_counter() >= next_mark:
                next_mark += 60.0
                row = {"minute": round((time.perf_counter() - t0) / 60.0, 1),
                       "rss_mb": round(_rss_mb(), 1), "load": _load()}
                heap = heap_mb()
                if heap is not None:  # glibc: memory in use vs held by malloc's arenas
                    row["heap_in_use_mb"], row["heap_held_mb"] = (round(x, 1) for x in heap)
                for v, pipe in mv.pipes.items():
                    f, p, d = pipe.capture.frames, pipe.worker.processed, pipe.dropped()
                    f0, p0, d0 = last[v]
                    last[v] = (f, p, d)
                    row[v.value] = {"fps": round((p - p0) / 60.0, 2), "dropped": d - d0,
                                    "half_rate": pipe.worker.rate_divisor > 1}
                samples.append(row)
                print(json.dumps(row), flush=True)
    finally:
        elapsed = time.perf_counter() - t0
        mv.stop()
        st = rec.stop()
    rss1 = _rss_mb()
    off = mv.offset()
    return {
        "seconds": round(elapsed, 1), "load_at_end": _load(), "cpu_count": os.cpu_count(),
        "views": {v.value: _view_figures(mv, v, elapsed) for v in mv.views},
        "offset_ms": off.offset_ms, "notice": mv.notice,
        "recording": {"state": st.state, "side_frames": st.frames, "dropped": st.dropped,
                      "message": st.message},
        "rss_mb": {"start": round(rss0, 1), "end": round(rss1, 1),
                   "growth": round(rss1 - rss0, 1),
                   "per_minute": round((rss1 - rss0) / max(elapsed / 60.0, 1e-9), 2)},
        "minutes": samples,
    }


def main(argv: list[str] | None = None) -> int:
    from app.malloc_arenas import limit_malloc_arenas

    limit_malloc_arenas()  # as the app does (MALLOC_ARENA_MAX=16 in the env: glibc's default)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--soak-minutes", type=float, default=0.0,
                    help="run this many minutes instead, printing memory and fps each minute")
    ap.add_argument("--side", type=Path)
    ap.add_argument("--rear", type=Path)
    ap.add_argument("--json", metavar="OUT")
    ap.add_argument("--keep", action="store_true", help="keep the recorded session")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="gc-bench2-"))
    try:
        side, rear = default_clips(tmp) if not (args.side and args.rear) else (args.side, args.rear)
        print(f"two views: side={side.name} rear={rear.name}, load before {_load()}", flush=True)
        fig = run(side, rear, args.seconds, args.soak_minutes, tmp / "sessions")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    for name, v in fig["views"].items():
        lat = v["latency_ms"]
        print(f"{name:5s} processed {v['processed_fps']:.2f} fps (source {v['source_fps']:.2f}), "
              f"latency p50 {lat['p50']} p95 {lat['p95']} max {lat['max']} ms, "
              f"dropped {v['dropped_frames']} ({v['dropped_pct']:.2f} %: model busy "
              f"{v['dropped_pose_busy']}, late at the source {v['dropped_by_source']}), "
              f"half-rate skips {v['skipped_for_rate']}")
    print(f"offset {fig['offset_ms']} ms; recording {fig['recording']}; notice: "
          f"{fig['notice'] or 'none'}")
    print(f"resident memory {fig['rss_mb']}; load at end {fig['load_at_end']}")
    if args.json:
        Path(args.json).write_text(json.dumps(fig, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
