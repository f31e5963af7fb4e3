"""Two views in the real window while recording both (figures, not a timed test; issue 12
items 2 and 5: "GUI thread ≤ 8 ms per frame").

The live window (offscreen Qt, or Xvfb with QT_QPA_PLATFORM=xcb) with two 720p30 videos
played as live cameras — ``side=loop:male_side.mp4`` and a second real 720p30 clip as the
rear camera (``tests.benchmarks.bench_two_views.default_clips``), each with its own
capture thread and MediaPipe instance — recording both views (R) for ``--seconds``:
GUI-thread milliseconds per displayed frame (every bit of the Qt event loop: timers,
both videos' paints, pyqtgraph, layouts; wall and CPU time of the GUI thread), the
display tick + paint of both videos p50/p95, and per view the processed fps, dropped
frames, latency p95 and whether the rear view went to half rate, the camera offset and
the frames recorded. ``--demo``: the demo runner filmed by two cameras instead (no pose
model: the GUI's own cost).

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.benchmarks.bench_two_view_window
[--seconds 30] [--demo] [--json OUT]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path


def run(seconds: float, demo: bool) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="gc-bench2-"))
    os.environ["GAITCOACH_CONFIG_DIR"] = str(tmp / "config")
    os.environ["GAITCOACH_DATA_DIR"] = str(tmp / "data")
    import numpy as np
    from PySide6.QtWidgets import QApplication

    from app.config import DisplaySettings, Settings
    from app.ui.live.main_window import MainWindow

    if demo:
        side, rear = "demo", "demo"
    else:
        from tests.benchmarks.bench_two_views import default_clips

        a, b = default_clips(tmp)
        side, rear = f"loop:{a}", f"loop:{b}"
    app = QApplication.instance() or QApplication([])
    settings = Settings(display=DisplaySettings(second_view="rear", second_source=rear))
    w = MainWindow(settings, source=side, save_settings=False)
    w.confirm_close = False
    w.resize(1366, 768)
    w.show()
    second = w.video_area.second
    t_ready = time.perf_counter() + 120
    while time.perf_counter() < t_ready and (second._qimage is None or w.frames_displayed < 5):
        app.processEvents()
        time.sleep(0.005)
    w.recording.start()
    f0, p0 = w.frames_displayed, second.paint_count
    busy_loop = cpu_loop = 0.0
    t_end = time.perf_counter() + seconds
    while time.perf_counter() < t_end:
        t0, c0 = time.perf_counter(), time.thread_time()
        app.processEvents()
        busy_loop += time.perf_counter() - t0
        cpu_loop += time.thread_time() - c0
        time.sleep(0.002)
    n = max(1, w.frames_displayed - f0)
    mv = w.multiview
    st = mv.status()
    per_view = {}
    for v in st.views:
        per_view[v.view.value] = {
            "pose_fps": round(v.pose_fps, 2), "camera_fps": round(v.camera_fps, 2),
            "dropped": v.dropped, "rate_divisor": v.rate_divisor,
            "latency_p50_ms": None if v.latency_p50_ms is None else round(v.latency_p50_ms, 1),
            "latency_p95_ms": None if v.latency_p95_ms is None else round(v.latency_p95_ms, 1)}
    gui = list(w.gui_ms)[-n:]
    paint2 = second.paint_ms[-max(1, second.paint_count - p0):]
    folder = w.recording.last_folder
    w.recording.stop()
    t_stop = time.perf_counter() + 120
    while w.recording.saving and time.perf_counter() < t_stop:
        app.processEvents()
        time.sleep(0.02)
    from app.session import folder as sf

    m = sf.read_manifest(folder)
    w.close()
    app.processEvents()
    out = {
        "sources": {"side": side, "rear": rear}, "seconds": seconds,
        "frames_displayed": n,
        "gui_ms_per_frame": round(busy_loop / n * 1000.0, 2),
        "gui_cpu_ms_per_frame": round(cpu_loop / n * 1000.0, 2),
        "side_tick_plus_paint_ms_p50": round(float(np.median(gui)), 2) if gui else None,
        "side_tick_plus_paint_ms_p95": round(float(np.percentile(gui, 95)), 2) if gui else None,
        "rear_paint_ms_p50": round(float(np.median(paint2)), 2) if paint2 else None,
        "rear_paint_ms_p95": round(float(np.percentile(paint2, 95)), 2) if paint2 else None,
        "views": per_view, "offset_ms": st.offset.offset_ms, "notice": st.notice,
        "recorded": {v["view"]: v.get("frames") for v in m.get("views", [])},
        "recording_state": m.get("state"),
    }
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    from app.malloc_arenas import limit_malloc_arenas

    limit_malloc_arenas()  # as the app does (MALLOC_ARENA_MAX=16 in the env: glibc's default)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--demo", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    os.environ.setdefault("GLOG_minloglevel", "2")
    load0 = os.getloadavg()
    r = run(args.seconds, args.demo)
    r["cpu_count"], r["loadavg_before"], r["loadavg_after"] = os.cpu_count(), load0, os.getloadavg()
    print(f"two-view window, {r['seconds']:g} s recording both ({r['sources']['side']} + "
          f"{r['sources']['rear']}), load {load0[0]:.2f} → {r['loadavg_after'][0]:.2f}")
    print(f"  GUI thread {r['gui_ms_per_frame']} ms/frame wall, {r['gui_cpu_ms_per_frame']} ms CPU "
          f"over {r['frames_displayed']} frames; side tick+paint p50 {r['side_tick_plus_paint_ms_p50']} "
          f"p95 {r['side_tick_plus_paint_ms_p95']} ms; rear paint p50 {r['rear_paint_ms_p50']} "
          f"p95 {r['rear_paint_ms_p95']} ms")
    for view, v in r["views"].items():
        print(f"  {view:5s} pose {v['pose_fps']} fps (camera {v['camera_fps']}), dropped {v['dropped']}, "
              f"latency p50 {v['latency_p50_ms']} / p95 {v['latency_p95_ms']} ms"
              + (" — half rate" if v["rate_divisor"] > 1 else ""))
    print(f"  offset {r['offset_ms']} ms; recorded {r['recorded']} ({r['recording_state']})"
          + (f"; notice: {r['notice']}" if r["notice"] else ""))
    if args.json:
        args.json.write_text(json.dumps(r, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
