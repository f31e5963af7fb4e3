"""Comparison-view benchmark (figures, not a timed test): two 720p clips played at 1×.

A 1280×720 H.264 copy of male_side.mp4 (the portrait clip scaled to 720 px tall and
centred, encoded with PyAV, x264 defaults) is made in a temporary folder; its first and
second half are loaded into the real comparison window (offscreen Qt), synced by gait
events, with skeleton overlays on, and played at 1× from the start to the end of clip A,
``--runs`` times.

Printed per run: display fps of each pane (distinct frames painted per second; the
clip is 30 fps), frames the playhead passed that were never painted (late), GUI-thread CPU
milliseconds per displayed frame (``time.thread_time`` of the GUI thread: timers, paints,
layouts), process CPU in % of one core (decoders, overlay drawing and GUI together).

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.benchmarks.bench_compare_view
[--video PATH] [--runs N] [--size WxH] [--no-zoom] [--no-sync] [--overlay] [--json OUT]``. Target (issue): both panes at 30 fps.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_VIDEO = Path(os.environ.get("GAITCOACH_SHARED_DATA", REPO.parent / "shared" / "data")) \
    / "male_side_run" / "male_side.mp4"


def make_720p_copy(src: Path, dest: Path) -> Path:
    """Re-encode ``src`` as 1280×720 (fit and centre on black), same frame rate."""
    import av
    import cv2
    import numpy as np

    with av.open(str(src)) as inp, av.open(str(dest), "w") as out:
        ins = inp.streams.video[0]
        fps = ins.average_rate or Fraction(30)
        st = out.add_stream("libx264", rate=fps)
        st.width, st.height, st.pix_fmt = 1280, 720, "yuv420p"
        st.time_base = Fraction(1, int(round(float(fps))))
        st.options = {"crf": "20", "preset": "veryfast"}
        for i, f in enumerate(inp.decode(ins)):
            img = f.to_ndarray(format="rgb24")
            h, w = img.shape[:2]
            s = min(1280 / w, 720 / h)
            small = cv2.resize(img, (int(w * s), int(h * s)), interpolation=cv2.INTER_AREA)
            canvas = np.zeros((720, 1280, 3), np.uint8)
            y0, x0 = (720 - small.shape[0]) // 2, (1280 - small.shape[1]) // 2
            canvas[y0:y0 + small.shape[0], x0:x0 + small.shape[1]] = small
            vf = av.VideoFrame.from_ndarray(canvas, format="rgb24")
            vf.pts = i
            for p in st.encode(vf):
                out.mux(p)
        for p in st.encode():
            out.mux(p)
    return dest


def bench(video: Path, runs: int, size: tuple[int, int], zoom: bool = True, sync: bool = True,
          overlay: bool = False) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from app.ui.comparison.window import CompareView

    v = CompareView()
    v.resize(*size)
    v.show()
    t0 = time.perf_counter()
    v.load(f"{video}@0-6", f"{video}@6-12")
    while v.pair is None:
        app.processEvents()
        time.sleep(0.005)
        if time.perf_counter() - t0 > 600:
            raise SystemExit("loading took too long")
    print(f"loaded and analysed in {time.perf_counter() - t0:.1f} s (pose model on the first open)")
    a = v.pair.a
    v.ui.c_zoom.setChecked(zoom)
    v.act_sync.setChecked(sync)
    v.set_mode("overlay" if overlay else "side")
    print(f"zoom to runner {'on' if zoom else 'off (whole 1280×720 frames)'}, "
          f"sync by gait events {'on' if v.synced else 'off'}, {v.canvas.mode}")
    out = {"video": str(video), "window": list(size), "zoom": zoom, "synced": v.synced, "runs": []}
    for run in range(runs):
        v.seek(a.t_start_s)
        end = time.perf_counter() + 1.0
        while time.perf_counter() < end:  # let the decoders fill the first frames
            app.processEvents()
            time.sleep(0.002)
        v.stats = {"shown": [0, 0], "missed": [0, 0], "tick_ms": []}
        v.canvas.paint_ms.clear()
        gui0, cpu0 = time.thread_time(), os.times()
        t_start = time.perf_counter()
        v.play()
        while v.playing:
            app.processEvents()
            time.sleep(0.001)
        wall = time.perf_counter() - t_start
        gui = time.thread_time() - gui0
        cpu1 = os.times()
        cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
        shown = v.stats["shown"]
        r = {
            "wall_s": round(wall, 2),
            "display_fps": [round(n / wall, 1) for n in shown],
            "late_frames": list(v.stats["missed"]),
            "gui_ms_per_frame": round(1000 * gui / max(1, max(shown)), 2),
            "paint_ms_mean": round(sum(v.canvas.paint_ms) / max(1, len(v.canvas.paint_ms)), 2),
            "process_cpu_pct": round(100 * cpu / wall),
            "pane_px": [list(d._spec.size) for d in v.decoders],
            "decoded": [d.decoded for d in v.decoders],
            "seeks": [d.seeks for d in v.decoders],
            "spec_changes": [d.spec_changes for d in v.decoders],
        }
        out["runs"].append(r)
        print(f"run {run + 1}: {wall:.2f} s at 1×, display fps A {r['display_fps'][0]} / "
              f"B {r['display_fps'][1]} (clip 30 fps), late frames {r['late_frames']}, "
              f"GUI {r['gui_ms_per_frame']} ms/frame (paint {r['paint_ms_mean']} ms), "
              f"process CPU {r['process_cpu_pct']} % of one core, panes {r['pane_px']} px, "
              f"seeks {r['seeks']}, render specs {r['spec_changes']}")
    v.close()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--video", type=Path, default=DEFAULT_VIDEO)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--size", default="1600x1000", help="window size WxH")
    p.add_argument("--no-zoom", action="store_true", help="whole frames, not zoomed to the runner")
    p.add_argument("--no-sync", action="store_true", help="plain time instead of gait-event sync")
    p.add_argument("--overlay", action="store_true", help="overlaid instead of side by side")
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    size = tuple(int(x) for x in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory(prefix="gc-bench-compare-") as tmp:
        os.environ.setdefault("GAITCOACH_CACHE_DIR", str(Path(tmp) / "cache"))
        os.environ.setdefault("GAITCOACH_CONFIG_DIR", str(Path(tmp) / "config"))
        t = time.perf_counter()
        copy = make_720p_copy(args.video, Path(tmp) / "run_720p.mp4")
        print(f"720p copy made in {time.perf_counter() - t:.1f} s: {copy}")
        result = bench(copy, args.runs, size, not args.no_zoom, not args.no_sync,
                       args.overlay)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
