"""The comparison view with pytest-qt (offscreen) on the real clip: the first and second
half of male_side.mp4, analysed once by the real pose model (cached for the module).

The clip is linked into a temporary folder so the drawing sidecar can be written beside
it (the shared data is read-only); the analysis cache is keyed by the real path, so every
test reuses the one pose run.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QPushButton

from tests.conftest import SHARED_DATA

CLIP = SHARED_DATA / "male_side_run" / "male_side.mp4"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CLIP.exists(), reason="shared data not available")]


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory):
    """A folder with a link to the clip; the pose run cached in a module cache folder."""
    from app.compare.clip import load_clip

    d = tmp_path_factory.mktemp("compare-ui")
    old = os.environ.get("GAITCOACH_CACHE_DIR")
    os.environ["GAITCOACH_CACHE_DIR"] = str(d / "cache")
    link = d / "run.mp4"
    link.symlink_to(CLIP)
    load_clip(f"{link}@0-6")  # the one pose-model run of this module
    yield d
    if old is None:
        os.environ.pop("GAITCOACH_CACHE_DIR", None)
    else:
        os.environ["GAITCOACH_CACHE_DIR"] = old


@pytest.fixture
def open_view(qtbot, clip_dir):
    views = []

    def make(a: str | None = None, b: str | None = None):
        from app.ui.comparison.window import CompareView

        v = CompareView()
        qtbot.addWidget(v)
        v.resize(1400, 900)
        v.show()
        qtbot.waitExposed(v)
        v.activateWindow()
        views.append(v)
        if a is not None:
            v.load(a, b)
            qtbot.waitUntil(lambda: v.pair is not None, timeout=30000)
            wait_shown(qtbot, v)
        return v

    yield make
    for v in views:
        v.close()
        assert all(not d.alive for d in v.decoders) and not v.tasks


def wait_shown(qtbot, v) -> None:
    """Wait until both panes show the frames the playhead wants."""
    def ok():
        return all(p.shown is not None and p.shown.frame == f and p.shown.spec == d._spec
                   for p, f, d in zip(v.canvas.panes, v.frames, v.decoders))
    qtbot.waitUntil(ok, timeout=10000)


def halves(clip_dir: Path) -> tuple[str, str]:
    return f"{clip_dir / 'run.mp4'}@0-6", f"{clip_dir / 'run.mp4'}@6-12"


def test_load_shows_both_halves_with_metrics(qtbot, open_view, clip_dir, no_thread_leak):
    v = open_view(*halves(clip_dir))
    a, b = v.pair.a, v.pair.b
    assert (a.first_frame, a.last_frame, b.first_frame, b.last_frame) == (0, 179, 180, 359)
    assert v.synced and v.ui.c_sync.isChecked()
    assert v.frames[0] == 0 and 180 <= v.frames[1] <= 359
    names = [v.ui.table.item(r, 0).text() for r in range(v.ui.table.rowCount())]
    assert any(n.startswith("Cadence") for n in names)
    row = names.index(next(n for n in names if n.startswith("Cadence")))
    rows = {r.label: r for r in v.pair.rows}
    cad = rows["Cadence"]
    assert v.ui.table.item(row, 1).text() == cad.fmt(cad.before)
    # the change cell is coloured by the verdict (green better, red worse, grey same)
    from app.compare.table import VERDICT_COLORS

    for r, mr in enumerate(v.pair.rows):
        color = v.ui.table.item(r, 3).foreground().color().name()
        assert color == VERDICT_COLORS[mr.verdict or ""]
    # two halves of one run: every change is within the metric's step-to-step noise
    # (issue 11: "duty factor +0.01 worse" was noise called a change)
    assert {mr.verdict for mr in v.pair.rows} == {"same"}
    assert all(mr.noise is not None and abs(mr.change) <= mr.noise for mr in v.pair.rows
               if mr.change is not None)
    assert "step-to-step noise" in v.ui.table.item(0, 3).toolTip()
    # a real change is coloured: rows as a later session would give them
    from app.compare.table import MetricRow

    rows = (MetricRow("overstride_pct_leg", "Overstride", "% leg", 14.0, 6.0, -8.0, "better", 1, 1.2),
            MetricRow("contact_ms", "Ground contact", "ms", 240.0, 270.0, 30.0, "worse", 0, 9.0))
    v.ui.fill_table(rows, "a", "b")
    assert [v.ui.table.item(r, 3).foreground().color().name() for r in range(2)] == [
        VERDICT_COLORS["better"], VERDICT_COLORS["worse"]]
    assert v.ui.table.item(0, 3).toolTip().startswith("better: beyond the step-to-step noise")
    img = v.canvas.grab().toImage()
    assert not img.isNull()


def test_sync_shows_b_at_an_initial_contact_for_each_ic_of_a(qtbot, open_view, clip_dir, no_thread_leak):
    v = open_view(*halves(clip_dir))
    a, b = v.pair.a, v.pair.b
    sync = v.pair.cmp.sync
    b_ic_frames = sorted(b.frame_at(m.t_s) for m in b.key_moments if m.kind == "IC")
    a_ics = [m for m in a.key_moments if m.kind == "IC"]
    checked = 0
    for m in a_ics:
        qtbot.keyClick(v, Qt.Key.Key_I)  # next initial contact
        assert v.frames[0] == a.frame_at(m.t_s)
        if sync.u_of_a(a.time_of(v.frames[0])) is None:
            continue  # outside the paired strides: B is extrapolated
        fb = v.frames[1]
        assert min(abs(fb - f) for f in b_ic_frames) <= 1, (v.frames, b_ic_frames)
        wait_shown(qtbot, v)
        assert "initial contact" in v.canvas.panes[0].detail
        checked += 1
    assert checked >= 8
    # sync off: B runs on plain time from its start
    qtbot.keyClick(v, Qt.Key.Key_S)
    assert not v.synced
    assert b.time_of(v.frames[1]) - b.t_start_s == pytest.approx(a.time_of(v.frames[0]) - a.t_start_s, abs=0.02)


def test_frame_step_and_jump_keys(qtbot, open_view, clip_dir, no_thread_leak):
    v = open_view(*halves(clip_dir))
    a = v.pair.a
    assert v.frames[0] == 0
    qtbot.keyClick(v, Qt.Key.Key_Right)
    assert v.frames[0] == 1
    qtbot.keyClick(v, Qt.Key.Key_Period)
    qtbot.keyClick(v, Qt.Key.Key_Period)
    assert v.frames[0] == 3
    qtbot.keyClick(v, Qt.Key.Key_Comma)
    assert v.frames[0] == 2
    qtbot.keyClick(v, Qt.Key.Key_Left)
    qtbot.keyClick(v, Qt.Key.Key_Left)
    qtbot.keyClick(v, Qt.Key.Key_Left)  # clamped at the first frame
    assert v.frames[0] == 0
    for key, kind in ((Qt.Key.Key_I, "IC"), (Qt.Key.Key_M, "MS"), (Qt.Key.Key_T, "TO")):
        v.seek(2.0)
        cur = v.frames[0]
        frames = sorted({a.frame_at(m.t_s) for m in a.key_moments if m.kind == kind})
        nxt = [f for f in frames if f > cur]
        qtbot.keyClick(v, key)
        assert v.frames[0] == nxt[0], kind
        qtbot.keyClick(v, key)
        assert v.frames[0] == nxt[1], kind
        qtbot.keyClick(v, key, Qt.KeyboardModifier.ShiftModifier)  # previous
        assert v.frames[0] == nxt[0], kind
    # skeleton off and on again on the paused frame
    qtbot.keyClick(v, Qt.Key.Key_K)
    wait_shown(qtbot, v)
    assert not v.canvas.panes[0].shown.spec.overlay and not v.ui.c_skel.isChecked()
    qtbot.keyClick(v, Qt.Key.Key_K)
    wait_shown(qtbot, v)
    assert v.canvas.panes[1].shown.spec.overlay
    # the buttons do the same as the keys
    f0 = v.frames[0]
    v.ui.b_fwd.click()
    assert v.frames[0] == f0 + 1
    wait_shown(qtbot, v)
    assert not v.playing


def test_speed_play_pause_and_stride_loop(qtbot, open_view, clip_dir, no_thread_leak):
    v = open_view(*halves(clip_dir))
    qtbot.keyClick(v, Qt.Key.Key_Down)  # 1× → 0.75×
    assert v.speed == 0.75
    v.ui.speed.setCurrentIndex(0)
    assert v.speed == 0.1 and "0.1×" in v.ui.time_label.text()
    v.ui.speed.setCurrentIndex(3)
    assert v.speed == 0.5
    t0, w0 = v.t_a, time.perf_counter()
    qtbot.keyClick(v, Qt.Key.Key_Space)
    assert v.playing
    qtbot.wait(600)
    qtbot.keyClick(v, Qt.Key.Key_Space)
    wall = time.perf_counter() - w0
    assert not v.playing
    moved = v.t_a - t0
    assert 0 < moved <= 0.5 * wall + 0.05  # never faster than the chosen speed
    print(f"\n0.5× for {wall:.2f} s wall moved the playhead {moved:.2f} s")
    # loop over the stride around the playhead
    qtbot.keyClick(v, Qt.Key.Key_L)
    lo, hi = v.loop_range
    assert lo <= v.t_a < hi and 0.5 < hi - lo < 1.0
    v.ui.speed.setCurrentIndex(5)
    qtbot.keyClick(v, Qt.Key.Key_Space)
    seen = []
    for _ in range(60):
        qtbot.wait(25)
        seen.append(v.t_a)
    qtbot.keyClick(v, Qt.Key.Key_Space)
    assert all(lo <= t < hi for t in seen)
    assert any(b < a for a, b in zip(seen, seen[1:])), "the loop never wrapped"
    wait_shown(qtbot, v)


def test_overlay_mode_blends_the_clips(qtbot, open_view, clip_dir, no_thread_leak):
    v = open_view(*halves(clip_dir))
    v.jump("IC", 1)
    qtbot.keyClick(v, Qt.Key.Key_O)
    assert v.canvas.mode == "overlay" and v.ui.mode.currentIndex() == 1
    pa, pb = v.canvas.panes
    assert pa.rect == pb.rect  # both clips in one place
    wait_shown(qtbot, v)

    def grab(opacity: int) -> np.ndarray:
        v.ui.opacity.setValue(opacity)
        img = v.canvas.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
        r = pa.rect.toRect()
        dpr = img.width() / v.canvas.width()
        return arr[int(r.top() * dpr) + 40:int(r.bottom() * dpr) - 40,
                   int(r.left() * dpr) + 10:int(r.right() * dpr) - 10, :3].astype(float)

    only_a, only_b, half = grab(0), grab(100), grab(50)
    assert np.abs(only_a - only_b).mean() > 5  # the two halves look different
    assert np.abs(half - (only_a + only_b) / 2).mean() < 3  # 50 %: the mean of both
    qtbot.keyClick(v, Qt.Key.Key_O)
    assert v.canvas.mode == "side" and v.canvas.panes[0].rect != v.canvas.panes[1].rect


def test_drawings_are_saved_beside_the_video_and_reloaded(qtbot, open_view, clip_dir, monkeypatch,
                                                          no_thread_leak):
    sidecar = clip_dir / "run.mp4.gaitcoach-annotations.json"
    sidecar.unlink(missing_ok=True)
    v = open_view(*halves(clip_dir))
    v.jump("IC", 1)
    fa, fb = v.frames
    pane = v.canvas.panes[0]
    r = pane.rect

    def at(fx: float, fy: float) -> QPoint:
        return QPoint(int(r.x() + fx * r.width()), int(r.y() + fy * r.height()))

    v.ui.tool_buttons["line"].click()
    qtbot.mousePress(v.canvas, Qt.MouseButton.LeftButton, pos=at(0.2, 0.5))
    qtbot.mouseMove(v.canvas, at(0.6, 0.7))
    qtbot.mouseRelease(v.canvas, Qt.MouseButton.LeftButton, pos=at(0.6, 0.7))
    v.ui.tool_buttons["angle"].click()
    for p in (at(0.3, 0.3), at(0.5, 0.5), at(0.7, 0.5)):  # 45° at the vertex
        qtbot.mouseClick(v.canvas, Qt.MouseButton.LeftButton, pos=p)
    monkeypatch.setattr("app.ui.comparison.window.QInputDialog.getText",
                        lambda *a, **k: ("knee drops in", True))
    v.ui.tool_buttons["text"].click()
    qtbot.mouseClick(v.canvas, Qt.MouseButton.LeftButton, pos=at(0.5, 0.1))
    kinds = [d.kind for d in pane.drawings]
    assert kinds == ["line", "angle", "text"]
    ang = pane.drawings[1]
    assert ang.angle_deg == pytest.approx(180 - np.degrees(np.arctan2(r.height(), r.width())), abs=1.5)
    data = json.loads(sidecar.read_text(encoding="utf-8"))
    assert [d["kind"] for d in data["frames"][str(fa)]] == ["line", "angle", "text"]
    assert data["frames"][str(fa)][2]["text"] == "knee drops in"
    # a drawing on the after clip goes to its own frame of the same video
    right = v.canvas.panes[1].rect
    v.ui.tool_buttons["line"].click()
    qtbot.mousePress(v.canvas, Qt.MouseButton.LeftButton, pos=right.center().toPoint())
    qtbot.mouseRelease(v.canvas, Qt.MouseButton.LeftButton, pos=right.center().toPoint() + QPoint(80, 40))
    assert [d.kind for d in v.canvas.panes[1].drawings] == ["line"]
    qtbot.keyClick(v, Qt.Key.Key_Right)  # another frame: no drawings there
    assert v.canvas.panes[0].drawings == []
    v.close()

    w = open_view(*halves(clip_dir))
    w.seek(w.pair.a.time_of(fa))
    assert w.frames[0] == fa
    assert [d.kind for d in w.canvas.panes[0].drawings] == ["line", "angle", "text"]
    assert w.canvas.panes[0].drawings[1].angle_deg == pytest.approx(ang.angle_deg, abs=0.2)
    assert w.frames[1] == fb and [d.kind for d in w.canvas.panes[1].drawings] == ["line"]
    qtbot.keyClick(w, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo: the text
    assert [d.kind for d in w.canvas.panes[0].drawings] == ["line", "angle"]
    frames = json.loads(sidecar.read_text(encoding="utf-8"))["frames"]
    assert [d["kind"] for d in frames[str(fa)]] == ["line", "angle"] and len(frames[str(fb)]) == 1


def test_export_pdf_csv_and_cancelled_video(qtbot, open_view, clip_dir, tmp_path, no_thread_leak):
    v = open_view(*halves(clip_dir))
    v.ui.notes.setPlainText("Cue: run quieter. Overstride down.")
    pdf = tmp_path / "report.pdf"
    run = v.export_to("pdf", str(pdf))
    qtbot.waitUntil(lambda: run.task.finished, timeout=60000)
    assert pdf.is_file()
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 2
    from PIL import Image

    for page in pages:
        arr = np.asarray(Image.open(page).convert("L"), float)
        assert arr.std() > 10, f"{page.name} is blank"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "run quieter" in text

    csv_path = tmp_path / "steps.csv"
    run = v.export_to("csv", str(csv_path))
    qtbot.waitUntil(lambda: run.task.finished, timeout=20000)
    lines = csv_path.read_text().splitlines()
    assert lines[0].startswith("clip,") and any(ln.startswith("after,") for ln in lines)

    mp4 = tmp_path / "side.mp4"
    run = v.export_to("mp4", str(mp4))
    run.dialog.findChild(QPushButton).click()  # Cancel, before the first encoded frame
    qtbot.waitUntil(lambda: run.task.finished, timeout=30000)
    assert not mp4.exists() and not list(tmp_path.glob(".side*"))  # no half-written file
    v.ui.speed.setCurrentIndex(5)
    run = v.export_to("mp4", str(mp4))
    qtbot.waitUntil(lambda: run.task.finished, timeout=120000)
    import av

    with av.open(str(mp4)) as c:
        n = sum(1 for _ in c.decode(video=0))
    assert n >= 150  # about 6 s of synced strides at 30 fps


def test_corrupt_file_gives_one_sentence_in_a_message_box(qtbot, open_view, clip_dir, tmp_path,
                                                         no_thread_leak):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(5000))
    shown: list[str] = []

    def close_box() -> None:  # the real message box, closed like a user would
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            shown.append(box.text())
            box.button(QMessageBox.StandardButton.Ok).click()
        elif not shown:
            QTimer.singleShot(20, close_box)

    v = open_view()
    QTimer.singleShot(0, close_box)
    v.load(str(bad), halves(clip_dir)[1])
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    assert v.pair is None and not v.ui.b_pdf.isEnabled()
    msg = shown[0]
    print("\nmessage:", msg)
    assert "broken.mp4" in msg and "Traceback" not in msg and msg.count(". ") == 0
    qtbot.waitUntil(lambda: not v.tasks, timeout=5000)
    # the view still works afterwards
    v.load(*halves(clip_dir))
    qtbot.waitUntil(lambda: v.pair is not None, timeout=30000)


def test_cancel_while_the_pose_model_runs(qtbot, open_view, clip_dir, tmp_path, monkeypatch,
                                          no_thread_leak):
    monkeypatch.setenv("GAITCOACH_CACHE_DIR", str(tmp_path / "empty-cache"))  # not analysed yet
    v = open_view()
    v.load(*halves(clip_dir))
    run = v.tasks[0]
    qtbot.waitUntil(lambda: run.dialog.maximum() == 2000 and run.dialog.value() > 0, timeout=60000)
    run.dialog.findChild(QPushButton).click()
    # ``finished`` is set on the worker thread; the view forgets the task when the queued
    # "cancelled" signal reaches the GUI thread, a moment later: wait for both.
    qtbot.waitUntil(lambda: run.task.finished and not v.tasks, timeout=30000)
    assert v.pair is None and not v.tasks
    assert not list((tmp_path / "empty-cache").rglob("*.csv.gz"))  # a cut-short run is not cached


def test_sessions_and_blocks_from_the_store(qtbot, tmp_path, monkeypatch, no_thread_leak):
    """Two recorded sessions (tiny videos, random poses: no gait) opened from the main
    window's hook and a block picked in the session picker: plain-time play, no export."""
    from app.config import Settings
    from app.ui.comparison.pickers import SessionPicker
    from app.ui.live.main_window import MainWindow
    from tests.helpers.session_folders import make_session_folder

    monkeypatch.setenv("GAITCOACH_DATA_DIR", str(tmp_path / "data"))
    from app.session.store import open_store, sessions_root

    a_id, b_id = "20261101-100000-aaaaaa", "20261115-093000-bbbbbb"
    make_session_folder(sessions_root(), a_id, started_utc="2026-11-01T10:00:00Z")
    make_session_folder(sessions_root(), b_id, started_utc="2026-11-15T09:30:00Z",
                        blocks=[(0.0, "baseline", "Baseline"), (0.2, "retraining", "Metronome")])
    with open_store() as store:
        store.sync()

    picker = SessionPicker()
    qtbot.addWidget(picker)
    top = next(picker.tree.topLevelItem(i) for i in range(picker.tree.topLevelItemCount())
               if picker.tree.topLevelItem(i).childCount() == 2)
    picker.tree.setCurrentItem(top.child(1))
    picker.accept()
    assert picker.spec.endswith(f"{b_id}@0.2-0.5") and "Metronome" in picker.label

    w = MainWindow(settings=Settings(), source="demo")
    qtbot.addWidget(w)
    w.show()
    w.compare_sessions(a_id, b_id)  # what the session browser's "Open in comparison" calls
    v = w.compare_view
    qtbot.waitUntil(lambda: v.pair is not None, timeout=20000)
    assert v.pair.a.session_id == a_id and v.pair.cmp is None and "plain time" in v.pair.message
    assert not v.synced and not v.ui.c_sync.isEnabled() and not v.ui.b_pdf.isEnabled()
    v.load(f"{sessions_root() / a_id}", picker.spec)
    qtbot.waitUntil(lambda: v.pair is not None and v.pair.b.t_start_s > 0.1, timeout=20000)
    assert v.pair.b.first_frame == 6  # 0.2 s at 30 fps
    qtbot.keyClick(v, Qt.Key.Key_Right)
    assert v.frames == (1, 7)  # plain time from each clip's start
    wait_shown(qtbot, v)
    decoders = list(v.decoders)
    w.close()  # closes the comparison window and joins its threads
    assert all(not d.alive for d in decoders)


def test_wrong_view_is_said_above_the_table(qtbot, open_view, clip_dir, no_thread_leak):
    """Issue 11 item 7: a side-view clip measured as a rear view (a session recorded with
    the view set wrong) gets a warning above the metric table, and the clip's warnings
    lead with it (the PDF prints them)."""
    import dataclasses

    from app.compare.clip import cache_dir
    from app.pose.landmark_file import read_landmark_file, write_landmark_file
    from app.types import View

    cached = next((cache_dir() / "analyses").glob("*.csv.gz"))
    meta, samples = read_landmark_file(cached)
    lm = clip_dir / "run-as-rear.csv.gz"
    write_landmark_file(lm, dataclasses.replace(meta, view=View.REAR, source="run.mp4"), samples)
    v = open_view(f"{lm}@0-6", f"{lm}@6-12")
    assert v.pair.a.view is View.REAR and v.pair.a.view_verdict.mismatch
    assert v.ui.warning.isVisible()
    text = v.ui.warning.text()
    assert text.startswith("Before: Wrong view: the video looks like a side view")
    assert "After: Wrong view" in text
    assert v.pair.a.result.warnings[0].startswith("Wrong view")
    v.load(*halves(clip_dir))  # the right view: the warning goes
    qtbot.waitUntil(lambda: v.pair.a.view is View.SIDE, timeout=30000)
    assert not v.ui.warning.isVisible()


def test_keys_work_wherever_the_focus_is(qtbot, open_view, clip_dir, no_thread_leak):
    """Issue 11 item 2: focus started in the Before field and every other control refused
    it, so Space, ←/→, I/M/T, L, O typed into the field. The keys are sent to whichever
    widget has the focus, as a keyboard does."""
    from PySide6.QtWidgets import QApplication

    v = open_view()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is v, timeout=3000)
    ui = v.ui
    spec_a, spec_b = halves(clip_dir)
    ui.spec_a.setFocus()
    qtbot.keyClicks(ui.spec_a, spec_a)       # typing a path in a field types (of course)
    ui.spec_b.setFocus()
    qtbot.keyClicks(ui.spec_b, spec_b)
    qtbot.keyClick(ui.spec_b, Qt.Key.Key_Return)   # Enter = Compare
    qtbot.waitUntil(lambda: v.pair is not None, timeout=30000)
    wait_shown(qtbot, v)
    assert QApplication.focusWidget() is v.canvas  # the keys now act on the video

    def press(key, mod=Qt.KeyboardModifier.NoModifier) -> None:
        qtbot.keyClick(QApplication.focusWidget(), key, mod)

    def step_works() -> None:
        f = v.frames[0]
        press(Qt.Key.Key_Right)
        assert v.frames[0] == f + 1, QApplication.focusWidget()
        press(Qt.Key.Key_Left)
        assert v.frames[0] == f

    step_works()
    press(Qt.Key.Key_Space)
    assert v.playing
    press(Qt.Key.Key_Space)
    assert not v.playing
    ics = sorted({v.pair.a.frame_at(m.t_s) for m in v.pair.a.key_moments if m.kind == "IC"})
    press(Qt.Key.Key_I)
    assert v.frames[0] == next(f for f in ics if f > 0)
    press(Qt.Key.Key_L)
    assert v.loop_range is not None and ui.c_loop.isChecked()
    press(Qt.Key.Key_L)
    press(Qt.Key.Key_O)
    assert v.canvas.mode == "overlay"
    press(Qt.Key.Key_O)
    assert v.canvas.mode == "side"
    assert (ui.spec_a.text(), ui.spec_b.text()) == (spec_a, spec_b)  # nothing typed into them
    # clicking any control leaves the keys with the video
    for w in (ui.b_play, ui.b_play, ui.b_fwd, ui.b_jump["TO"][1], ui.tool_buttons["line"],
              ui.tool_buttons["none"], ui.c_loop, ui.c_loop, ui.c_skel, ui.c_skel, ui.b_compare):
        qtbot.mouseClick(w, Qt.MouseButton.LeftButton)
        if w is ui.b_compare:  # loads again: the focus comes back to the video after it
            qtbot.waitUntil(lambda: v.pair is not None and not v.tasks
                            and QApplication.focusWidget() is v.canvas, timeout=30000)
            wait_shown(qtbot, v)
        assert QApplication.focusWidget() is v.canvas, w
        step_works()
    qtbot.mouseClick(ui.slider, Qt.MouseButton.LeftButton)
    assert QApplication.focusWidget() is v.canvas
    # the notes take letters; Esc hands the keys back to the video
    ui.notes.setFocus()
    press(Qt.Key.Key_M)
    assert ui.notes.toPlainText() == "m" and QApplication.focusWidget() is ui.notes
    press(Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is v.canvas
    step_works()
    # back in a clip field, Esc too; and a click on the video takes the focus
    ui.spec_a.setFocus()
    press(Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is v.canvas
    ui.notes.setFocus()
    qtbot.mouseClick(v.canvas, Qt.MouseButton.LeftButton, pos=v.canvas.rect().center())
    assert QApplication.focusWidget() is v.canvas
    step_works()



def test_turned_rear_camera_is_said_above_the_table_and_in_the_notes(qtbot, open_view, tmp_path,
                                                                     no_thread_leak):
    """Before filmed from behind with a level camera, after with the camera turned 5°
    anticlockwise (image heights only, 2 px of noise, as real rear video): the window
    says so above the table and the clip's notes (printed in the PDF) carry it; the level
    clip has no such note."""
    from app.capture.demo import SyntheticRunner
    from app.compare.report import clip_notes
    from app.pose.landmark_file import LandmarkMeta, write_landmark_file
    from app.types import View
    from tests.helpers.synthetic import heights_only_samples

    paths = []
    for roll in (0.0, -5.0):
        r = SyntheticRunner(view=View.REAR, camera_distance_m=3.0, camera_roll_deg=roll)
        paths.append(write_landmark_file(tmp_path / f"rear{roll:+.0f}.csv", LandmarkMeta(
            r.width, r.height, 30.0, View.REAR), heights_only_samples(r, 20.0, 30.0, 2.0, seed=5)))
    v = open_view(str(paths[0]), str(paths[1]))
    assert v.pair.a.result.camera_roll_deg == 0.0
    assert v.pair.b.result.camera_roll_deg == pytest.approx(-5.0, abs=0.5)
    assert v.ui.warning.isVisible()
    assert v.ui.warning.text().startswith("After: the camera was turned 5.")
    assert "anticlockwise; side-to-side angles corrected for it" in v.ui.warning.text()
    assert not any("camera was" in n for n in clip_notes(v.pair.a))
    assert any(n.startswith("the camera was turned 5.") for n in clip_notes(v.pair.b))
