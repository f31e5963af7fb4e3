"""Open every window of GaitCoach on a small screen and report what does not fit.

Run under a real X server of the size to check (the test runs it under Xvfb at
1366×768 with Qt's xcb platform; ``tests/ui/test_small_screen.py``)::

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python -m tests.ui.screen_check OUT_DIR

For each window (the live window with both panels open, its home layout, the comparison
view with two clips loaded, the session browser, the guided-session dialog's pages, the
comparison at the end of a guided session with its docks, the template editor, the cue
editor, the session picker): the window and its minimum size fit the screen's available
area, and the controls a user needs are shown inside the window and the screen (their
whole rectangle), table columns inside their table. A
screenshot of each goes to OUT_DIR; ``OUT_DIR/report.json`` lists the problems as
sentences (empty when all fits). Everything runs in temporary folders.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CLIP = Path(os.environ.get("GAITCOACH_SHARED_DATA", REPO.parent / "shared" / "data")) \
    / "male_side_run" / "male_side.mp4"


class Checker:
    def __init__(self, app, out: Path) -> None:
        self.app = app
        self.out = out
        self.problems: list[str] = []
        self.checked: list[str] = []

    def pump(self, seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            self.app.processEvents()
            time.sleep(0.01)

    def wait(self, cond, timeout: float = 30.0) -> bool:
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            self.app.processEvents()
            if cond():
                return True
            time.sleep(0.02)
        return False

    def check(self, name: str, win, needed: dict, tables: dict | None = None) -> None:
        """``needed``: label → widget that must be fully visible; ``tables``: label →
        QTableWidget whose every column must lie inside its viewport."""
        from PySide6.QtCore import QRect

        self.pump(0.3)
        self.checked.append(name)
        av = win.screen().availableGeometry()
        fg = win.frameGeometry()
        if not av.contains(fg):
            self.problems.append(f"{name}: the window ({fg.width()}×{fg.height()} at "
                                 f"{fg.x()},{fg.y()}) does not fit the screen ({av.width()}×{av.height()}).")
        m = win.minimumSizeHint().expandedTo(win.minimumSize())
        if m.width() > av.width() or m.height() > av.height():
            self.problems.append(f"{name}: its minimum size {m.width()}×{m.height()} is larger "
                                 f"than the screen ({av.width()}×{av.height()}).")
        inner = QRect(win.mapToGlobal(win.rect().topLeft()), win.size())
        for label, w in needed.items():
            if not w.isVisible():
                self.problems.append(f"{name}: {label} is not shown.")
                continue
            r = QRect(w.mapToGlobal(w.rect().topLeft()), w.size())
            if not inner.contains(r) or not av.contains(r):
                self.problems.append(f"{name}: {label} is cut off or off-screen ({r.x()},{r.y()} "
                                     f"{r.width()}×{r.height()}; window {inner.x()},{inner.y()} "
                                     f"{inner.width()}×{inner.height()}).")
        for label, t in (tables or {}).items():
            vp = t.viewport().width()
            for c in range(t.columnCount()):
                if t.isColumnHidden(c):
                    continue
                right = t.columnViewportPosition(c) + t.columnWidth(c)
                if right > vp + 1:
                    head = t.horizontalHeaderItem(c).text() if t.horizontalHeaderItem(c) else c
                    self.problems.append(f"{name}: column '{head}' of {label} is outside the "
                                         f"table ({right} > {vp} px).")
        win.grab().save(str(self.out / f"{name}.png"))


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screen-check")
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="gaitcoach-screen-"))
    os.environ["GAITCOACH_CONFIG_DIR"] = str(tmp / "config")
    os.environ["GAITCOACH_DATA_DIR"] = str(tmp / "data")
    os.environ.setdefault("GAITCOACH_CACHE_DIR", str(tmp / "cache"))
    os.environ["GAITCOACH_PROTOCOL_TIME_SCALE"] = "30"
    sys.path.insert(0, str(REPO))

    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from app.ui.shared.gc_guard import MainThreadGC

    gc_guard = MainThreadGC()
    c = Checker(app, out)
    try:
        run_checks(c, tmp)
    finally:
        gc_guard.close()
    (out / "report.json").write_text(json.dumps({"checked": c.checked, "problems": c.problems},
                                                indent=1), encoding="utf-8")
    for p in c.problems:
        print(p)
    print(f"{len(c.checked)} windows checked, {len(c.problems)} problems")
    return 0


def run_checks(c: Checker, tmp: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from app.config import Settings
    from app.session.store import open_store, sessions_root
    from app.ui.live.main_window import MainWindow
    from tests.helpers.session_folders import make_session_folder

    root = sessions_root()
    for i, (sid, when, cad) in enumerate((("20261101-100000-aaaaaa", "2026-11-01T10:00:00Z", 162.0),
                                          ("20261115-093000-bbbbbb", "2026-11-15T09:30:00Z", 168.5),
                                          ("20261129-170500-cccccc", "2026-11-29T17:05:00Z", 174.0))):
        make_session_folder(root, sid, started_utc=when, cadence_spm=cad, overstride=12.0 - 2 * i)
    with open_store() as st:
        st.sync()
        rid = st.add_runner("Anna K.").id
        for s in st.list_sessions():
            st.assign_runner(s.id, rid)

    # ---- the live window, clinic layout, both panels open
    w = MainWindow(Settings(), source="demo", save_settings=False)
    w.show()
    w.setup_dock.show()
    w.fb.dock.show()
    c.wait(lambda: w.video.hud is not None and w.video.hud.value is not None, 30)
    c.pump(1.0)
    v = w.video
    big, small, bw = v.hud_fonts(v.width(), v.height())
    from PySide6.QtGui import QFontMetricsF

    for text, font in (("888", big), ("target 888–888", small)):
        if QFontMetricsF(font).horizontalAdvance(text) > bw:
            c.problems.append(f"live window: the cadence box cuts '{text}' ({bw:.0f} px wide).")
    c.check("live_clinic", w, {"video": w.video, "tiles": w.side_panel, "Setup panel": w.setup_dock,
                                "Feedback panel": w.fb.panel.metronome, "toolbar": w.toolbar})
    # ---- home practice layout
    w.set_layout("home")
    c.pump(1.0)
    c.check("live_home", w, {"start/stop": w.home.button})
    w.set_layout("clinic")

    # ---- session browser
    w.show_sessions()
    b = w.sessions_dialog
    b.select_runner(rid)
    c.pump(0.5)
    c.check("session_browser", b, {"sessions table": b.table, "Open in comparison": b.b_compare,
                                   "history": b.history, "Save notes": b.b_save_notes},
            {"the sessions table": b.table})
    b.done(0)

    # ---- guided session dialog, its three pages
    flow = w.protocol.open_flow()
    c.pump(0.3)
    flow.runners.setCurrentRow(1)
    c.check("guided_runner", flow, {"runner list": flow.runners, "Next": flow.b_next})
    flow.go(1)
    c.check("guided_template", flow, {"templates": flow.templates, "blocks": flow.t_blocks,
                                      "Next": flow.b_next}, {"the blocks table": flow.t_blocks})
    flow.go(2)
    c.wait(lambda: flow.report is not None and flow.report.samples > 5, 15)
    c.check("guided_camera", flow, {"camera view": flow.framing_view, "Start": flow.b_start,
                                    "Start anyway": flow.override})
    # ---- a guided session running: the protocol bar, and the home practice layout
    c.wait(lambda: flow.b_start.isEnabled(), 20)
    flow.b_start.click()
    p = w.protocol
    c.wait(lambda: p.runner is not None and p.runner.status == "running", 30)
    c.pump(1.0)
    c.check("guided_running", w, {"protocol bar": p.bar, "End session": p.bar.buttons["stop"],
                                  "video": w.video})
    w.act_full.setChecked(True)   # wall mode (F) and back: the window stays on the screen
    c.pump(1.0)
    w.act_full.setChecked(False)
    c.pump(1.0)
    c.check("guided_after_wall", w, {"protocol bar": p.bar, "End session": p.bar.buttons["stop"],
                                     "video": w.video})
    w.set_layout("home")
    c.pump(1.0)
    c.check("guided_home", w, {"block countdown": p.home_panel.countdown,
                               "End session": p.home_panel.buttons["stop"], "video": w.video})
    w.set_layout("clinic")
    # ---- its end: the comparison with the session's blocks and the baseline's clinical
    # picture docked (the picture at the side made it 1433 px wide)
    c.wait(lambda: p.outcome is not None, 300)
    cv = w.compare_view if p.outcome is not None and p.outcome.comparison is not None else None
    if cv is None:
        c.problems.append("guided session: it ended without a comparison to check.")
    else:
        c.wait(lambda: cv.pair is not None, 60)
        c.check("compare_after_guided", cv, {"metric table": cv.ui.table, "Play": cv.ui.b_play,
                                             "Steps CSV…": cv.ui.b_csv, "blocks": p.summary.blocks,
                                             "Open PDF report": p.summary.b_pdf},
                {"the blocks table": p.summary.blocks})
    c.wait(lambda: p.runner is None, 120)
    for widget in QApplication.topLevelWidgets():  # the end-of-session windows
        if widget is not w and widget.isVisible() and hasattr(widget, "pair"):
            widget.close()

    # ---- the plan window (issue 15)
    pw = w.plan.show_plan(rid)
    if pw is not None:
        c.pump(0.5)
        c.check("plan", pw, {"plan window": pw})
        pw.close()

    # ---- template editor, cue editor
    ed = w.protocol.open_editor()
    c.pump(0.3)
    c.check("template_editor", ed, {"blocks": ed.table, "Save as my template": ed.b_save_user,
                                    "Save for this runner": ed.b_save_runner, "Close": ed.b_close})
    ed.done(0)
    w.fb.open_cue_editor()
    ce = w.fb.editor
    c.pump(0.3)
    c.check("cue_editor", ce, {"cue list": ce.table if hasattr(ce, "table") else ce})
    ce.done(0)

    # ---- comparison view: two clips loaded, and the session picker
    cv = w.show_compare()
    from app.ui.comparison.pickers import SessionPicker

    picker = SessionPicker(cv, "Session before")
    picker.show()
    c.check("session_picker", picker, {"sessions": picker.tree})
    picker.done(0)
    if CLIP.exists():
        link = tmp / "run.mp4"
        link.symlink_to(CLIP)
        cv.load(f"{link}@0-6", f"{link}@6-12")
        c.wait(lambda: cv.pair is not None, 240)
        c.pump(1.0)
    ui = cv.ui
    c.check("compare", cv, {"Compare": ui.b_compare, "metric table": ui.table, "Steps CSV…": ui.b_csv,
                            "PDF report…": ui.b_pdf, "Play": ui.b_play, "next toe-off": ui.b_jump["TO"][1],
                            "Sync": ui.c_sync, "speed": ui.speed, "notes": ui.notes},
            {"the metric table": ui.table})
    cv.close()
    w.close()
    check_two_views(c, tmp)


def check_two_views(c: Checker, tmp: Path) -> None:
    """Issue 12: the live window with two cameras (both panels open) and the comparison
    of two two-view sessions (four panes)."""
    from app.config import DisplaySettings, Settings
    from app.ui.live.main_window import MainWindow
    from tests.helpers.two_view_sessions import record_two_view_demo

    w = MainWindow(Settings(display=DisplaySettings(second_view="rear", second_source="demo")),
                   source="demo", save_settings=False)
    w.show()
    w.setup_dock.show()
    w.fb.dock.show()
    second = w.video_area.second
    c.wait(lambda: second is not None and second._qimage is not None
           and w.tiles.tiles["pelvic_drop_deg"].text != "—", 30)
    c.pump(1.0)
    box = w.two_views.box
    c.check("live_two_views", w, {"side video": w.video, "rear video": second,
                                  "tiles": w.side_panel, "cameras": box,
                                  "Feedback panel": w.fb.panel.metronome})
    for name in ("cadence_spm", "pelvic_drop_deg"):
        tile = w.tiles.tiles[name]
        if tile.value.width() < tile.value.fontMetrics().horizontalAdvance(tile.text.split(" ")[0]):
            c.problems.append(f"live_two_views: the {name} tile cuts its value '{tile.text}'.")
    w.close()
    before = record_two_view_demo(tmp / "two", 6.0, overstride=0.15, pelvic_drop_deg=8.0)
    after = record_two_view_demo(tmp / "two", 6.0, overstride=0.03, pelvic_drop_deg=1.0)
    from app.ui.comparison.window import CompareView

    cv = CompareView()
    cv.show()
    cv.load(str(before), str(after))
    c.wait(lambda: cv.pair is not None and all(p.image is not None for p in cv.canvas.panes), 120)
    c.pump(1.0)
    if len(cv.canvas.panes) != 4:
        c.problems.append(f"compare_two_views: {len(cv.canvas.panes)} panes instead of 4.")
    ui = cv.ui
    c.check("compare_two_views", cv, {"Compare": ui.b_compare, "camera": ui.camera,
                                      "metric table": ui.table, "PDF report…": ui.b_pdf,
                                      "Play": ui.b_play}, {"the metric table": ui.table})
    cv.close()


if __name__ == "__main__":
    sys.exit(main())
