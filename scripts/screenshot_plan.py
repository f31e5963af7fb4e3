"""Render docs/screenshots/plan_*.png and coach_squat.png: the plan window (clinical
picture, programme, load log) for a runner assessed on ``male_side.mp4`` (real treadmill
run) and the demo runner's rear view, the camera-coached single-leg squat on the demo
person, the home practice layout with today's exercises, and the session browser's
programme strip. Everything lives in a temporary config/data folder (never the user's).

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshot_plan.py [OUT_DIR]
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLIP = REPO.parent / "shared" / "data" / "male_side_run" / "male_side.mp4"


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
    from app.plan.assessment import demo_assessment, load_assessment
    from app.plan.store import PlanStore
    from app.session.store import open_store
    from app.types import View
    from app.ui.live.main_window import MainWindow

    def pump(seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.01)

    def wait(cond, timeout: float, what: str) -> None:  # noqa: ANN001
        end = time.perf_counter() + timeout
        while not cond():
            if time.perf_counter() > end:
                raise SystemExit(f"screenshot_plan: timed out waiting for {what}")
            pump(0.05)

    def shot(widget, name: str) -> None:  # noqa: ANN001
        pump(0.4)
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        print(f"wrote {path}")

    with open_store() as st:
        anna = st.add_runner("Anna K.").id
        ben = st.add_runner("Ben M.").id
    w = MainWindow(settings=Settings(), source="demo", save_settings=False)
    w.resize(1366, 740)
    w.show()
    pump(1.0)

    # ---- Anna: the real treadmill run (side view)
    pw = w.plan.show_plan(anna)
    real = load_assessment(CLIP) if CLIP.is_file() else demo_assessment(View.SIDE, overstride=0.25)
    pw.propose_from(real)
    pw.save()
    ps = PlanStore(pw.store)
    today = dt.date.today()
    for k, (vol, pain) in enumerate([(30, 4), (28, 3), (28, 2), (30, 2), (33, 1)]):
        ps.set_load(anna, today - dt.timedelta(weeks=4 - k), vol, "km", pain)
    prog = ps.active_programme(anna)
    monday = today - dt.timedelta(days=today.weekday())
    for d in range(today.weekday() + 1):
        for i, ex in enumerate(prog.exercise_ids):
            if (i + d) % 3:
                ps.tick(prog.id, ex, monday + dt.timedelta(days=d))
    pw.refresh_runners(anna)
    pw.tabs.setCurrentIndex(0)
    shot(pw, "plan_picture")
    pw.tabs.setCurrentIndex(1)
    pw.table.selectRow(2)
    shot(pw, "plan_programme")
    pw.tabs.setCurrentIndex(2)
    shot(pw, "plan_load")

    # ---- Ben: the demo runner from behind with a hip drop
    pw.refresh_runners(ben)
    pw.propose_from(demo_assessment(View.REAR, pelvic_drop_deg=8, knee_valgus_deg=12))
    pw.save()
    pw.tabs.setCurrentIndex(1)
    pw.table.selectRow(1)
    shot(pw, "plan_programme_hip")
    pw.hide()

    # ---- the coached single-leg squat on the demo person
    cw = w.plan.show_coach("single_leg_squat", ben)
    cw.resize(1366, 740)
    def at_bottom() -> bool:
        eng = cw.engine
        return (cw.table.rowCount() >= 7 and bool(cw.cue.text()) and eng is not None
                and eng.squat.in_rep and eng.squat.depth > 0.17)
    wait(at_bottom, 120, "the bottom of a right-leg rep after seven reps, with the knee cue")
    shot(cw, "coach_squat")
    cw.done(0)
    pump(0.5)

    # ---- Ben six weeks on: two recorded demo sessions, the first as his baseline
    from dataclasses import replace

    from app.cli.session import run_session
    from app.session.store import sessions_root

    folders = [Path(run_session("demo", 8.0, record_root=sessions_root())["recording"]["folder"])
               for _ in range(2)]
    with open_store() as st:
        st.sync()
        for f in folders:
            st.assign_runner(f.name, ben)
    pw.refresh_runners(ben)
    pw.propose_from(load_assessment(folders[0]))
    pw.programme = replace(pw.programme, baseline_date=(today - dt.timedelta(weeks=6)).isoformat(),
                           reassess_due=today.isoformat())
    pw.save()
    for k, (vol, pain) in enumerate([(20, 3), (22, 2), (24, 2), (24, 1)]):
        ps.set_load(ben, today - dt.timedelta(weeks=3 - k), vol, "km", pain)
    pw.hide()

    # ---- home practice layout and the session browser's strip
    w.plan.practice.refresh(anna)
    w.set_layout("home")
    pump(1.0)
    shot(w, "home_practice")
    w.set_layout("clinic")
    w.show_sessions()
    bro = w.sessions_dialog
    bro.resize(1300, 740)
    bro.select_runner(ben)
    shot(bro, "sessions_plan")
    w.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
