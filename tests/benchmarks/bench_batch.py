"""Batch analysis on Dask: throughput with 1 vs 2 worker processes (figures, not a timed
test), and results identical to ``analyze`` of each file alone.

Clips: ``--clips`` (8) cuts of ``male_side.mp4`` of ``--frames`` (120 = 4 s, under the
6 s at which ``analyze`` splits a clip over two threads, so one worker uses one core),
each from another part of the run, re-encoded with PyAV in a temporary folder. For each
worker count a LocalCluster is started and its workers prepared (one core each, pose
graph built once: ``app.batch.worker``) before the clock starts; the time is from the
first task submitted to the last result, and the batch is run ``--rounds`` times
alternating 1 and 2 workers. Then every clip is analysed alone with ``python -m app
analyze`` and its JSON, steps CSV and landmarks are compared with the batch's.

Other programs on the machine: each line gives the cores they kept busy (from
/proc/stat, less the batch's own CPU time) before and during the run. Linux groups a
terminal session's processes (autogroup) and shares the CPU between the groups, so
while another session keeps a core busy the two workers together get about what one
would: 2 workers only scale when the other core is free. ``--quiet-below C`` waits
(``--wait`` S at most) before each run until the others use fewer than C cores.

Run: ``.venv/bin/python -m tests.benchmarks.bench_batch [--clips 8] [--frames 120]
[--rounds 2] [--quiet-below 0.3] [--json OUT]``. Target (issue 14): 2 workers ≥ 1.7×
the throughput of 1.
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


def machine_busy_s() -> float:
    """CPU seconds all processes of the machine have used (from /proc/stat)."""
    with open("/proc/stat", encoding="ascii") as fh:
        f = [int(x) for x in fh.readline().split()[1:]]
    idle = f[3] + (f[4] if len(f) > 4 else 0)
    return (sum(f[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def others_busy_cores(seconds: float = 3.0) -> float:
    """Cores the rest of the machine keeps busy now (this process idle meanwhile)."""
    b0 = machine_busy_s()
    time.sleep(seconds)
    return (machine_busy_s() - b0) / seconds


def wait_quiet(max_cores: float, wait_s: float) -> float:
    """Wait (up to ``wait_s``) until other programs use less than ``max_cores``."""
    deadline = time.monotonic() + wait_s
    busy = others_busy_cores()
    while busy > max_cores and time.monotonic() < deadline:
        busy = others_busy_cores()
    return busy


def run_once(clips: list[Path], out: Path, workers: int) -> dict:
    from app.batch.run import run_batch, start_cluster

    t0 = time.perf_counter()
    client = start_cluster(workers)
    start_s = time.perf_counter() - t0
    try:
        b0 = machine_busy_s()
        rep = run_batch([str(c) for c in clips], out, client=client)
        machine = machine_busy_s() - b0
    finally:
        cluster = client.cluster
        client.close()
        cluster.close()
    rows = list(rep.rows)
    ours = sum(float(x.get("cpu_s") or 0) for x in rows)
    return {"wall_s": rep.wall_s, "rows": rows, "start_s": start_s, "cpu_s": ours,
            "others_cores": max(0.0, machine - ours) / rep.wall_s}


def _same_landmarks(a: Path, b: Path) -> bool:
    import gzip

    with gzip.open(a, "rt") as fa, gzip.open(b, "rt") as fb:
        return fa.read() == fb.read()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clips", type=int, default=8)
    ap.add_argument("--frames", type=int, default=120)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--quiet-below", type=float, default=None, metavar="CORES",
                    help="before each run wait until other programs use fewer cores than this")
    ap.add_argument("--wait", type=float, default=600, metavar="S",
                    help="wait at most S seconds for that (default 600)")
    ap.add_argument("--json", metavar="OUT")
    args = ap.parse_args(argv)
    os.environ.setdefault("GLOG_minloglevel", "2")
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        tmp = Path(tmp)
        (tmp / "clips").mkdir()
        clips = make_clips(tmp / "clips", args.clips, args.frames)
        print(f"{len(clips)} clips of {args.frames} frames ({args.frames / 30:.1f} s, 720x1280) "
              f"from {CLIP.name}; {os.cpu_count()} cores; load average "
              + " ".join(f"{x:.1f}" for x in os.getloadavg()))
        runs: dict[int, list[dict]] = {1: [], 2: []}
        for r in range(args.rounds):
            for w in (1, 2):
                before = (wait_quiet(args.quiet_below, args.wait) if args.quiet_below is not None
                          else others_busy_cores())
                load = os.getloadavg()[0]
                run = run_once(clips, tmp / f"out-{w}-{r}", w)
                run.update(others_before=before, load=load)
                runs[w].append(run)
                bad = [x for x in run["rows"] if x["status"] != "ok"]
                frames = len(clips) * args.frames
                print(f"round {r + 1}: {w} worker{'s' if w > 1 else ' '}: {run['wall_s']:6.1f} s, "
                      f"{frames / run['wall_s']:5.1f} frames/s, {run['cpu_s'] / run['wall_s']:.2f} cores busy, "
                      f"{frames / run['cpu_s']:.1f} frames per CPU-s, {run['cpu_s'] / len(clips):.2f} CPU-s per clip"
                      + (f", {len(bad)} not ok" if bad else "")
                      + f"; other programs {before:.2f} cores before, {run['others_cores']:.2f} during; "
                      f"load {load:.1f}; cluster start + warm-up {run['start_s']:.1f} s", flush=True)
        best = {w: min(x["wall_s"] for x in v) for w, v in runs.items()}
        speedup = best[1] / best[2]
        mean = {w: sum(x["wall_s"] for x in v) / len(v) for w, v in runs.items()}
        mean_speedup = mean[1] / mean[2]
        quietest = min(range(args.rounds), key=lambda i: runs[1][i]["others_cores"] + runs[2][i]["others_cores"])
        pair = runs[1][quietest]["wall_s"] / runs[2][quietest]["wall_s"]
        print(f"throughput 2 vs 1 workers: {speedup:.2f}x (best runs), {mean_speedup:.2f}x (means), "
              f"{pair:.2f}x in the quietest round ({quietest + 1}: other programs "
              f"{runs[1][quietest]['others_cores']:.2f} / {runs[2][quietest]['others_cores']:.2f} cores); "
              f"target >= 1.7x")

        # identical to analyze of each file alone
        same = 0
        (tmp / "alone").mkdir()
        out2 = tmp / f"out-2-{args.rounds - 1}"
        for c in clips:
            j, s = tmp / "alone" / f"{c.stem}.json", tmp / "alone" / f"{c.stem}.csv"
            lm = tmp / "alone" / f"{c.stem}.csv.gz"
            subprocess.run([sys.executable, "-m", "app", "analyze", str(c), "--json", str(j),
                            "--csv", str(s), "--landmarks", str(lm), "--quiet"],
                           cwd=REPO, capture_output=True, check=False)
            ok = (j.is_file() and json.loads(j.read_text()) == json.loads((out2 / c.stem / "result.json").read_text())
                  and s.read_text() == (out2 / c.stem / "steps.csv").read_text()
                  and _same_landmarks(lm, out2 / c.stem / "landmarks.csv.gz"))
            same += ok
            if not ok:
                print(f"DIFFERENT: {c.name}")
        print(f"identical to analyze alone: {same}/{len(clips)} clips (JSON, steps CSV and landmarks)")
        if args.json:
            Path(args.json).write_text(json.dumps({
                "clips": len(clips), "frames": args.frames,
                "runs": {w: [{k: v for k, v in x.items() if k != "rows"} for x in v] for w, v in runs.items()},
                "speedup_best": speedup, "speedup_mean": mean_speedup, "speedup_quietest_round": pair,
                "identical": same}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
