"""Recording from the live window (pytest-qt, offscreen): the Record action and R key,
the REC indicator, the saved session on disk, and the recovery offer at start-up for a
session left by a real SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.session import folder as sf

REPO = Path(__file__).resolve().parents[2]


def test_record_key_and_action_record_a_complete_session(qtbot, make_window, tmp_data_dir,
                                                         no_thread_leak):
    w = make_window(source="demo", save_settings=False)
    rc = w.recording
    assert rc.act_record.shortcut().toString() == "R"
    assert rc.act_record in w.toolbar.actions()
    qtbot.waitUntil(lambda: w.frames_displayed > 3, timeout=10000)
    qtbot.keyClick(w, Qt.Key.Key_R)
    assert rc.recording and rc.act_record.isChecked()
    qtbot.waitUntil(rc.indicator.isVisible, timeout=2000)  # the toolbar lays out on the loop
    assert rc.indicator.text().startswith("● REC 00:0")
    folder = rc.last_folder
    assert folder.parent == tmp_data_dir / "sessions"
    qtbot.waitUntil(lambda: rc.indicator.text() == "● REC 00:02", timeout=10000)
    rc.act_record.trigger()  # the toolbar/menu action stops it
    assert not rc.act_record.isChecked() and rc.recorder is None
    qtbot.waitUntil(lambda: not rc.saving, timeout=30000)
    qtbot.waitUntil(lambda: not rc.indicator.isVisible(), timeout=2000)
    assert "Session saved" in w.statusBar().currentMessage()
    m = sf.read_manifest(folder)
    assert m["state"] == "complete" and m["frames"] > 50 and m["source"] == "demo"
    assert (folder / "video.mp4").stat().st_size > 10_000
    assert w.running  # the live pipeline kept going


def test_stopping_the_source_finishes_the_recording(qtbot, make_window, no_thread_leak):
    w = make_window(source="demo", save_settings=False)
    qtbot.waitUntil(lambda: w.frames_displayed > 3, timeout=10000)
    assert w.recording.start()
    folder = w.recording.last_folder
    qtbot.waitUntil(lambda: w.recording.recorder.status().frames > 20, timeout=10000)
    qtbot.keyClick(w, Qt.Key.Key_Space)  # stop the video: the recording stops with it
    assert w.recording.recorder is None
    qtbot.waitUntil(lambda: not w.recording.saving, timeout=30000)
    assert sf.read_manifest(folder)["state"] == "complete"


def test_new_recording_while_the_last_one_is_saving(qtbot, make_window, no_thread_leak):
    w = make_window(source="demo", save_settings=False)
    rc = w.recording
    qtbot.waitUntil(lambda: w.frames_displayed > 3, timeout=10000)
    folders = []
    for _ in range(2):
        assert rc.start()
        folders.append(rc.last_folder)
        qtbot.waitUntil(lambda: rc.recorder.status().frames > 15, timeout=10000)
        rc.stop()
    qtbot.waitUntil(lambda: not rc.saving, timeout=30000)
    assert folders[0] != folders[1]
    assert [sf.read_manifest(f)["state"] for f in folders] == ["complete", "complete"]


def _crashed_session(root: Path) -> Path:
    """A real crash: a headless demo recording killed with SIGKILL after ~2 s."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "app", "session", "--source", "demo",
                             "--seconds", "60", "--record", str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            cwd=REPO, env=env)
    try:
        folder = Path(proc.stdout.readline().split(maxsplit=2)[2].strip())
        lm = folder / "landmarks.csv"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not lm.exists() or lm.stat().st_size < 60_000):
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    return folder


def test_startup_offers_recovery_of_a_crashed_session(qtbot, make_window, tmp_data_dir):
    folder = _crashed_session(tmp_data_dir / "sessions")
    assert sf.session_folder(folder).incomplete
    w = make_window(source="demo", save_settings=True)
    rc = w.recording
    qtbot.waitUntil(lambda: rc.recovery_box is not None and rc.recovery_box.isVisible(),
                    timeout=5000)
    assert "stopped while recording 1 session" in rc.recovery_box.text()
    rc.btn_recover.click()
    qtbot.waitUntil(lambda: bool(rc.recovered), timeout=30000)
    assert "recovered after a crash" in rc.recovered[0]
    assert w.banner_box.isVisible() and "recovered after a crash" in w.banner.text()
    m = sf.read_manifest(folder)
    assert m["state"] == "recovered" and (folder / "video.mp4").exists()
    assert sf.incomplete_sessions(tmp_data_dir / "sessions") == []


def test_no_recovery_offer_when_nothing_crashed(qtbot, make_window):
    w = make_window(source="demo", save_settings=True)
    qtbot.wait(200)
    assert w.recording.recovery_box is None


def test_quit_during_a_recording_asks_first(qtbot, make_window, tmp_data_dir, no_thread_leak):
    """Issue 11 item 5: one stray click must not end a 45-minute recording."""
    from PySide6.QtCore import Qt

    w = make_window(source="demo")
    qtbot.waitUntil(lambda: w.frames_displayed > 3, timeout=10000)
    w.close()  # nothing running: closes at once
    assert not w.isVisible() and getattr(w, "close_box", None) is None
    w2 = make_window(source="demo")
    qtbot.waitUntil(lambda: w2.frames_displayed > 3, timeout=10000)
    qtbot.keyClick(w2, Qt.Key.Key_R)
    assert w2.recording.recording
    qtbot.wait(1500)  # a second recorded
    w2.act_quit.trigger()  # File → Quit / Ctrl+Q
    box = w2.close_box
    assert w2.isVisible() and box.isVisible() and box.text().startswith("A recording is running (REC ")
    box.reject()  # Esc = Keep going
    assert w2.isVisible() and w2.recording.recording
    # wall mode (F) hides the menus: Ctrl+Q still asks (it did nothing at all there)
    from PySide6.QtWidgets import QApplication

    qtbot.keyClick(w2, Qt.Key.Key_F)
    assert w2.video.wall and not w2.menuBar().isVisible()
    w2.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w2, timeout=3000)
    qtbot.keyClick(w2, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    box = getattr(w2, "close_box", None)
    assert box is not None and box.isVisible() and box.text().startswith("A recording is running")
    box.reject()
    assert w2.isVisible() and w2.recording.recording and w2.video.wall
    folder = w2.recording.recorder.folder
    w2.close()
    next(b for b in w2.close_box.buttons() if b.text() == "Quit").click()
    qtbot.waitUntil(lambda: not w2.isVisible(), timeout=30000)
    from app.session import folder as sf

    assert sf.read_manifest(folder)["state"] == "complete"  # saved as today
