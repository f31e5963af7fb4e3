"""Render docs/screenshots/protocol_*.png: each stage of a guided session on the demo
runner — runner pick, template pick (today's plan session), framing guide, a running
block with the protocol bar, the home practice layout during the session, the end of
session in the comparison view, and the template editor. The cadence template runs at
time scale 20 (20 min of blocks in 1 min). Everything lives in a temporary config/data
folder (never the user's).

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshot_protocol.py [OUT_DIR]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TIME_SCALE = 20.0


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "docs" / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="gaitcoach-shot-"))
    os.environ.setdefault("GAITCOACH_CACHE_DIR", str(tmp / "cache"))
    os.environ["GAITCOACH_CONFIG_DIR"] = str(tmp / "config")
    os.environ["GAITCOACH_DATA_DIR"] = str(tmp / "data")
    sys.path.insert(0, str(REPO))

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from app.config import Settings
    from app.session.store import open_store
    from app.ui.live.main_window import MainWindow

    with open_store() as st:
        for name in ("Anna K.", "Ben M.", "Cleo R."):
            st.add_runner(name)

    def pump(seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.01)

    def wait(cond, timeout: float, what: str) -> None:  # noqa: ANN001
        end = time.perf_counter() + timeout
        while not cond():
            if time.perf_counter() > end:
                raise SystemExit(f"screenshot_protocol: timed out waiting for {what}")
            pump(0.05)

    def shot(widget, name: str) -> None:  # noqa: ANN001
        pump(0.3)
        path = out / f"protocol_{name}.png"
        widget.grab().save(str(path))
        print(f"wrote {path}")

    w = MainWindow(settings=Settings(), source="demo", save_settings=False)  # fits the screen
    w.show()
    p = w.protocol
    p.time_scale = TIME_SCALE
    wait(lambda: w.frames_displayed > 10, 30, "the live video")

    # 1. runner
    flow = p.open_flow()
    flow.select_runner("Anna K.")
    shot(flow, "runner")
    # 2. template: today's session of the 2-week cadence plan
    flow.go(1)
    flow.select_template("cadence", "cadence_2w")
    shot(flow, "template")
    # 3. framing guide on the live video
    flow.go(2)
    wait(lambda: flow.report is not None and flow.report.samples >= 12 and flow.report.ready, 20,
         "the framing checks")
    shot(flow, "framing")
    flow.b_start.click()
    # 4. a retraining block with the metronome, skeleton and tiles
    wait(lambda: p.runner is not None and p.runner.state().block_index == 1
         and p.runner.state().block_elapsed_s > 100, 60, "the first retraining block")
    shot(w, "running")
    # 5. the home practice layout during the session
    w.set_layout("home")
    wait(lambda: p.runner.state().block_index == 2 and p.runner.state().block_elapsed_s > 60, 60,
         "the second retraining block")
    shot(w, "home")
    w.set_layout("clinic")
    # 6. end of session: comparison view with the protocol summary
    wait(lambda: p.outcome is not None, 180, "the end of the session")
    cv = w.compare_view
    if cv.pair is not None:
        for _ in range(2):
            cv.jump("IC", 1)
        end = time.perf_counter() + 15
        while time.perf_counter() < end and not all(
                pane.shown is not None and pane.shown.frame == f
                for pane, f in zip(cv.canvas.panes, cv.frames)):
            pump(0.05)
    shot(cv, "end")
    print("outcome:", p.outcome.status, p.outcome.session_id,
          f"baseline {p.outcome.baseline_spm:.1f} target {p.outcome.target_spm:.1f}",
          " ".join(p.outcome.messages))
    wait(lambda: p.runner is None, 20, "the session to close")
    # 7. template editor: a duplicate being edited, with one problem shown as a sentence
    ed = p.open_editor()
    from app.ui.protocol.editor import COL

    ed.select("cadence")
    ed.duplicate()
    ed.table.item(1, COL["minutes"]).setText("5")
    ed.table.item(2, COL["minutes"]).setText("four")
    ed.validate()
    shot(ed, "editor")
    ed.done(0)
    cv.close()
    w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
