"""Recording benchmark (figures, not a timed test).

1. Encoder cost: ms of CPU per 720p frame for the recorder's MkvWriter (libx264
   ultrafast/zerolatency + OpenCV RGB→I420) on real (male_side.mp4) and demo frames.
2. Live pipeline at 720p30 with and without recording (alternating runs, so load from
   other processes hits both): processed fps, dropped frames, process CPU per frame,
   frames the recorder could not keep up with. Sources: male_side.mp4 (720x1280, real
   MediaPipe) and the demo runner (1280x720, no pose model).
3. SIGKILL: a headless ``session --record`` on male_side.mp4 killed 6 s after its first
   landmark row; landmark rows lost = kill time − last write of landmarks.csv (its mtime;
   one capture→pose latency, ~30 ms, comes on top), video lost = that + landmark time −
   decodable video time, in seconds.
4. Remux time of video.mkv → video.mp4 (no re-encode), for the recorded clip and for one
   minute of 720p video.

Run: ``.venv/bin/python -m tests.benchmarks.bench_recording [--rounds N] [--kills N]
[--seconds S] [--json OUT]``. Targets (issue 5): video lost on SIGKILL ≤ 1 s, landmark/metric
rows lost ≤ 1 s, recording costs the live pipeline ≤ 1 fps at 720p30.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("GAITCOACH_SHARED_DATA", REPO.parent / "shared" / "data"))
CLIP = DATA / "male_side_run" / "male_side.mp4"


def _cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def bench_encoder(n: int = 150) -> dict:
    """CPU ms per frame of MkvWriter.write on real and demo 720p frames."""
    import av

    from app.capture.demo import SyntheticRunner
    from app.session.video import MkvWriter

    real = []
    with av.open(str(CLIP)) as c:
        for f in c.decode(video=0):
            real.append(f.to_ndarray(format="rgb24"))
            if len(real) >= n:
                break
    runner = SyntheticRunner()
    demo = [runner.render(i / 30) for i in range(n)]
    out = {}
    with tempfile.TemporaryDirectory() as d:
        for name, frames in (("male_side 720x1280", real), ("demo 1280x720", demo)):
            h, w = frames[0].shape[:2]
            mw = MkvWriter(Path(d) / f"{name[:4]}.mkv", w, h, 30.0)
            t0 = time.process_time()
            for i, img in enumerate(frames):
                mw.write(img, i * 33)
            mw.close()
            ms = (time.process_time() - t0) / len(frames) * 1000
            size = (Path(d) / f"{name[:4]}.mkv").stat().st_size
            out[name] = {"cpu_ms_per_frame": round(ms, 2),
                         "mbit_s": round(size * 8 / (len(frames) / 30) / 1e6, 2)}
    return out


def bench_live(source: str, seconds: float, rounds: int) -> dict:
    """Alternating runs without / with recording; means per condition."""
    from app.cli.session import run_session

    runs: dict[str, list[dict]] = {"off": [], "on": []}
    with tempfile.TemporaryDirectory() as root:
        for _ in range(rounds):
            for cond in ("off", "on"):
                c0 = _cpu_s()
                fig = run_session(source, seconds, record_root=root if cond == "on" else None)
                cpu = _cpu_s() - c0
                rec = fig["recording"] or {}
                runs[cond].append({
                    "processed_fps": fig["processed_fps"], "dropped_pct": fig["dropped_pct"],
                    "cpu_ms_per_frame": round(cpu / max(fig["frames_processed"], 1) * 1000, 2),
                    "latency_p50_ms": fig["latency_ms"]["p50"],
                    "recorder_dropped": rec.get("dropped_frames"),
                    "recorded_frames": rec.get("frames")})
    mean = lambda xs: round(sum(xs) / len(xs), 2)  # noqa: E731
    summary = {c: {k: mean([r[k] for r in rs]) for k in ("processed_fps", "dropped_pct",
                                                            "cpu_ms_per_frame", "latency_p50_ms")}
               for c, rs in runs.items()}
    summary["fps_cost"] = round(summary["off"]["processed_fps"] - summary["on"]["processed_fps"], 2)
    summary["recorder_dropped"] = [r["recorder_dropped"] for r in runs["on"]]
    summary["runs"] = runs
    return summary


def bench_kill(kills: int, after_s: float = 6.0) -> list[dict]:
    """SIGKILL a headless recording; what is readable afterwards."""
    import av

    from app.pose.landmark_file import read_landmark_file
    from app.session.recovery import recover_session, trim_partial_line

    out = []
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for _ in range(kills):
        with tempfile.TemporaryDirectory() as root:
            proc = subprocess.Popen(
                [sys.executable, "-m", "app", "session", "--source", str(CLIP), "--seconds",
                 "60", "--record", root], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True, cwd=REPO, env=env)
            folder = Path(proc.stdout.readline().split(maxsplit=2)[2].strip())
            lm = folder / "landmarks.csv"
            while not (lm.exists() and lm.read_text().count("\n") > 8):
                time.sleep(0.02)
            t_first = time.monotonic()
            time.sleep(after_s)
            proc.send_signal(signal.SIGKILL)
            t_kill_ns = time.time_ns()
            elapsed = time.monotonic() - t_first
            proc.wait()
            # rows lost = how long before the kill the last row reached the file (plus one
            # capture→pose latency, ~30 ms, not counted here)
            lm_lag_s = (t_kill_ns - lm.stat().st_mtime_ns) / 1e9
            proc.stdout.close()
            times = []
            try:
                with av.open(str(folder / "video.mkv")) as c:
                    times = [float(f.time) for f in c.decode(video=0)]
            except av.error.FFmpegError:
                pass
            video_s = times[-1] - times[0] + 1 / 30 if times else 0.0
            trim_partial_line(lm)
            _, samples = read_landmark_file(lm)
            lm_s = samples[-1].t_ns / 1e9 + 1 / 30
            import csv

            with open(folder / "steps.csv", encoding="utf-8") as fh:
                steps = list(csv.DictReader(fh))
            last_step = float(steps[-1]["ic_s"]) if steps else None
            t0 = time.perf_counter()
            res = recover_session(folder)
            out.append({"recorded_s": round(elapsed, 2), "video_s": round(video_s, 2),
                        "landmarks_s": round(lm_s, 2),
                        "video_lost_s": round(lm_s - video_s + lm_lag_s, 2),
                        "landmarks_lost_s": round(lm_lag_s, 2),
                        "last_step_ic_s": last_step,
                        "recovery_s": round(time.perf_counter() - t0, 3),
                        "sentence": res.sentence})
    return out


def bench_remux() -> dict:
    """Remux one minute of 720p demo video (encoded beforehand, not timed)."""
    from app.capture.demo import SyntheticRunner
    from app.session.video import MkvWriter, remux_to_mp4

    runner = SyntheticRunner()
    frames = [runner.render(i / 30) for i in range(60)]
    with tempfile.TemporaryDirectory() as d:
        mkv = Path(d) / "v.mkv"
        mw = MkvWriter(mkv, 1280, 720, 30.0)
        for i in range(1800):
            mw.write(frames[i % 60] if i % 7 else runner.render(i / 30), i * 100 // 3)
        mw.close()
        t0 = time.perf_counter()
        res = remux_to_mp4(mkv, Path(d) / "v.mp4")
        dt = time.perf_counter() - t0
        return {"video_s": round(res.duration_s, 1), "frames": res.frames,
                "mb": round(mkv.stat().st_size / 1e6, 1), "remux_s": round(dt, 3)}


def main(argv: list[str] | None = None) -> int:
    from app.malloc_arenas import limit_malloc_arenas

    limit_malloc_arenas()  # as the app does (MALLOC_ARENA_MAX=16 in the env: glibc's default)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2, help="with/without pairs per source")
    ap.add_argument("--kills", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=12.0)
    ap.add_argument("--json", metavar="OUT")
    args = ap.parse_args(argv)
    os.environ.setdefault("GLOG_minloglevel", "2")
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} (2 cores; other processes disturb these figures)")
    fig: dict = {"load_start": load}

    fig["encoder"] = enc = bench_encoder()
    for name, e in enc.items():
        print(f"encoder {name:20s} {e['cpu_ms_per_frame']:5.2f} ms CPU/frame, {e['mbit_s']} Mbit/s")

    for label, src in (("male_side.mp4 720x1280 MediaPipe", str(CLIP)), ("demo 1280x720", "demo")):
        r = bench_live(src, args.seconds, args.rounds)
        fig[f"live {label}"] = r
        print(f"live {label}: without recording {r['off']['processed_fps']:.2f} fps "
              f"({r['off']['cpu_ms_per_frame']} ms CPU/frame, dropped {r['off']['dropped_pct']} %), "
              f"with {r['on']['processed_fps']:.2f} fps ({r['on']['cpu_ms_per_frame']} ms CPU/frame, "
              f"dropped {r['on']['dropped_pct']} %) → cost {r['fps_cost']:+.2f} fps; "
              f"recorder could not keep up with {r['recorder_dropped']} frames")

    fig["kill"] = kills = bench_kill(args.kills)
    for k in kills:
        print(f"SIGKILL after {k['recorded_s']} s: video {k['video_s']} s readable "
              f"(lost {k['video_lost_s']} s), landmarks {k['landmarks_s']} s "
              f"(lost {k['landmarks_lost_s']} s), last step IC {k['last_step_ic_s']} s, "
              f"recovery {k['recovery_s']} s: {k['sentence']}")

    fig["remux"] = rm = bench_remux()
    print(f"remux {rm['video_s']} s of 720p ({rm['mb']} MB, {rm['frames']} frames): "
          f"{rm['remux_s']} s")
    fig["load_end"] = os.getloadavg()
    print(f"load average at end: {fig['load_end'][0]:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(fig, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
