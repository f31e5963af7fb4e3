"""``python -m app bench``: analysis speed figures (printed, never asserted)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from app.errors import InputFileError
from app.types import View

DEFAULT_CLIP = Path(__file__).resolve().parents[3] / "shared" / "data" / "male_side_run" / "male_side.mp4"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("video", nargs="?", default=str(DEFAULT_CLIP),
                   help="video to analyse (default: the shared male_side.mp4 clip)")
    p.add_argument("--json", metavar="OUT", help="also write the figures as JSON")
    p.add_argument("--no-process", action="store_true",
                   help="skip timing the whole `analyze` process in a subprocess")


def run(args: argparse.Namespace) -> int:
    from app.capture.video_file import VideoFileReader
    from app.gait.engine import GaitEngine
    from app.pose.pipeline import iter_video_poses

    path = Path(args.video)
    if not path.is_file():
        raise InputFileError(f"{path} does not exist.")
    figures: dict[str, float] = {}

    t = time.perf_counter()
    with VideoFileReader(path) as reader:
        n_decoded = sum(1 for _ in reader)
    figures["decode_fps"] = n_decoded / (time.perf_counter() - t)

    t = time.perf_counter()
    samples = list(iter_video_poses(path))
    wall = time.perf_counter() - t
    figures["frames"] = len(samples)
    figures["decode_pose_fps"] = len(samples) / wall
    figures["decode_pose_s"] = wall

    t = time.perf_counter()
    n1 = sum(1 for _ in iter_video_poses(path, split=False))
    figures["decode_pose_one_thread_fps"] = n1 / (time.perf_counter() - t)

    t = time.perf_counter()
    n2 = sum(1 for _ in iter_video_poses(path, num_threads=2))
    figures["decode_pose_2threads_fps"] = n2 / (time.perf_counter() - t)

    engine = GaitEngine(View.SIDE)
    costs = []
    for s in samples:
        t0 = time.perf_counter_ns()
        engine.push(s)
        costs.append(time.perf_counter_ns() - t0)
    costs.sort()
    figures["engine_ms_per_sample_mean"] = sum(costs) / len(costs) / 1e6
    figures["engine_ms_per_sample_p95"] = costs[int(0.95 * (len(costs) - 1))] / 1e6
    figures["engine_ms_per_sample_max"] = costs[-1] / 1e6

    if not args.no_process:
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "app", "analyze", str(path), "--quiet"],
                           capture_output=True, text=True)
        figures["analyze_process_s"] = time.perf_counter() - t
        figures["analyze_exit_code"] = r.returncode

    print(f"bench on {path.name} ({figures['frames']} frames)")
    print(f"  decode only            {figures['decode_fps']:8.1f} frames/s")
    print(f"  decode + pose (default: two halves on two threads) "
          f"{figures['decode_pose_fps']:8.1f} frames/s ({figures['decode_pose_s']:.2f} s)")
    print(f"  decode + pose, one thread            "
          f"{figures['decode_pose_one_thread_fps']:8.1f} frames/s")
    print(f"  decode + pose, one thread, 2 model threads "
          f"{figures['decode_pose_2threads_fps']:.1f} frames/s")
    print(f"  gait engine per sample {figures['engine_ms_per_sample_mean']:8.3f} ms mean, "
          f"{figures['engine_ms_per_sample_p95']:.3f} ms p95, "
          f"{figures['engine_ms_per_sample_max']:.3f} ms max")
    if "analyze_process_s" in figures:
        print(f"  whole `analyze` process {figures['analyze_process_s']:7.2f} s "
              f"(exit {figures['analyze_exit_code']})")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0
