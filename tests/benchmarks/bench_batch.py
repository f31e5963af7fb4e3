"""Batch analysis on Dask: throughput with 1 vs 2 worker processes (figures, not a timed
test), and results identical to ``analyze`` of each file alone.

Clips: ``--clips`` (8) cuts of ``male_side.mp4`` of ``--frames`` (120 = 4 s, under the
6 s at which ``analyze`` splits a clip over two threads, so one worker uses one core),
each from another part of the run, re-encoded with PyAV in a temporary folder. For each
worker count a LocalCluster is started and warmed up (pose libraries loaded in every
worker) before the clock starts; the time is from the first task submitted to the last
result, and the batch is run ``--rounds`` times alternating 1 and 2 workers (load from
other programs on the machine hits both). Then every clip is analysed alone with
``python -m app analyze`` and its JSON and steps CSV are compared with the batch's.

Run: ``.venv/bin/python -m tests.benchmarks.bench_batch [--clips 8] [--frames 120]
[--rounds 2] [--json OUT]``. Target (issue 14): 2 workers ≥ 1.7× the throughput of 1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("GAITCOACH_SHARED_DATA", REPO.parent / "shared" / "data"))
CLIP = DATA / "male_side_run" / "male_side.mp4"


def make_clips(folder: Path, n: int, frames: int) -> list[Path]:
    from tests.helpers.clips import cut_clip

    total = 360  # male_side.mp4: 12 s at 30 fps
    starts = [round(i * (total - frames) / max(1, n - 1)) for i in range(n)]
    return [cut_clip(CLIP, folder / f"clip{i + 1:02d}.mp4", s, frames) for i, s in enumerate(starts)]


def run_once(clips: list[Path], out: Path, workers: int) -> tuple[float, list[dict]]:
    from app.batch.run import run_batch, start_cluster

    client = start_cluster(workers)
    try:
        rep = run_batch([str(c) for c in clips], out, client=client)
    finally:
        cluster = client.cluster
        client.close()
        cluster.close()
    return rep.wall_s, list(rep.rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clips", type=int, default=8)
    ap.add_argument("--frames", type=int, default=120)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--json", metavar="OUT")
    args = ap.parse_args(argv)
    os.environ.setdefault("GLOG_minloglevel", "2")
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        tmp = Path(tmp)
        (tmp / "clips").mkdir()
        clips = make_clips(tmp / "clips", args.clips, args.frames)
        print(f"{len(clips)} clips of {args.frames} frames ({args.frames / 30:.1f} s, 720x1280) "
              f"from {CLIP.name}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
        walls: dict[int, list[float]] = {1: [], 2: []}
        last: dict[int, list[dict]] = {}
        for r in range(args.rounds):
            for w in (1, 2):
                out = tmp / f"out-{w}-{r}"
                wall, rows = run_once(clips, out, w)
                bad = [x for x in rows if x["status"] != "ok"]
                cores = sum(float(x.get("cpu_s") or 0) for x in rows) / wall
                walls[w].append(wall)
                last[w] = rows
                print(f"round {r + 1}: {w} worker{'s' if w > 1 else ''}: {wall:6.1f} s, "
                      f"{len(clips) / wall:.3f} clips/s, {len(clips) * args.frames / wall:5.1f} frames/s"
                      + f", {cores:.2f} cores busy"
                      + (f", {len(bad)} not ok" if bad else "")
                      + f" (load {os.getloadavg()[0]:.1f})", flush=True)
        best = {w: min(v) for w, v in walls.items()}
        speedup = best[1] / best[2]
        mean_speedup = (sum(walls[1]) / len(walls[1])) / (sum(walls[2]) / len(walls[2]))
        print(f"throughput 2 vs 1 workers: {speedup:.2f}x (best runs), {mean_speedup:.2f}x (means); "
              f"target >= 1.7x")

        # identical to analyze of each file alone
        same = 0
        (tmp / "alone").mkdir()
        out2 = tmp / f"out-2-{args.rounds - 1}"
        for c in clips:
            j, s = tmp / "alone" / f"{c.stem}.json", tmp / "alone" / f"{c.stem}.csv"
            subprocess.run([sys.executable, "-m", "app", "analyze", str(c), "--json", str(j),
                            "--csv", str(s), "--quiet"], cwd=REPO, capture_output=True, check=False)
            ok = (j.is_file() and json.loads(j.read_text()) == json.loads((out2 / c.stem / "result.json").read_text())
                  and s.read_text() == (out2 / c.stem / "steps.csv").read_text())
            same += ok
            if not ok:
                print(f"DIFFERENT: {c.name}")
        print(f"identical to analyze alone: {same}/{len(clips)} clips (JSON and steps CSV)")
        if args.json:
            Path(args.json).write_text(json.dumps({
                "clips": len(clips), "frames": args.frames, "wall_s": walls,
                "speedup_best": speedup, "speedup_mean": mean_speedup, "identical": same}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
