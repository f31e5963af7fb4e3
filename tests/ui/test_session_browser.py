"""Session browser with pytest-qt (offscreen) on a real store and real session folders."""

from __future__ import annotations

import zipfile
from datetime import datetime

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.session.store import open_store, sessions_root
from tests.helpers.session_folders import make_session_folder

A = "20261101-100000-aaaaaa"
B = "20261115-093000-bbbbbb"
C = "20261129-170500-cccccc"


@pytest.fixture
def sessions(tmp_path, monkeypatch):
    monkeypatch.setenv("GAITCOACH_DATA_DIR", str(tmp_path / "data"))
    root = sessions_root()
    make_session_folder(root, A, started_utc="2026-11-01T10:00:00Z", cadence_spm=162.0, overstride=12.0)
    make_session_folder(root, B, started_utc="2026-11-15T09:30:00Z", cadence_spm=168.5, overstride=None)
    make_session_folder(root, C, started_utc="2026-11-29T17:05:00Z", cadence_spm=174.0, overstride=6.5)
    (root / B / "video.mp4").unlink()
    return root


@pytest.fixture
def browser(qtbot, sessions):
    from app.ui.sessions.browser import SessionBrowser

    b = SessionBrowser()
    qtbot.addWidget(b)
    b.show()
    yield b
    b.done(0)
    b.close_store()


def _answer_next_box(button: QMessageBox.StandardButton) -> list[str]:
    """Click ``button`` on the next modal message box; returns [its text] once shown."""
    seen: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.button(button).click()
        else:
            QTimer.singleShot(20, click)

    QTimer.singleShot(0, click)
    return seen


def _row(browser, sid: str) -> int:
    return [s.id for s in browser.sessions].index(sid)


def test_lists_sessions_with_health(browser):
    t = browser.table
    assert t.rowCount() == 3
    assert [s.id for s in browser.sessions] == [C, B, A]  # newest first
    assert [t.item(r, 5).text() for r in range(3)] == ["174.0", "168.5", "162.0"]
    assert t.item(0, 3).text() == "side"
    state_b = t.item(_row(browser, B), 6)
    assert state_b.text() == "video missing" and not state_b.icon().isNull()
    assert "video (video.mp4)" in state_b.toolTip() and "missing" in state_b.toolTip()
    state_c = t.item(_row(browser, C), 6)
    assert state_c.text() == "complete" and state_c.icon().isNull()
    browser.select_sessions([B])
    assert "cannot be played" in browser.health.text()


def test_rename_through_the_table(qtbot, browser):
    browser.select_sessions([A])
    qtbot.mouseClick(browser.b_rename, Qt.MouseButton.LeftButton)
    editor = QApplication.focusWidget()
    assert editor is not None and editor is not browser.table
    editor.selectAll()
    qtbot.keyClicks(editor, "Baseline week 0")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: browser.store.get_session(A).name == "Baseline week 0", timeout=2000)
    with open_store() as other:  # committed, seen by another connection
        assert other.get_session(A).name == "Baseline week 0"
    assert browser.table.item(_row(browser, A), 1).text() == "Baseline week 0"


def test_delete_asks_first(qtbot, browser, sessions):
    browser.select_sessions([B])
    seen = _answer_next_box(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(browser.b_delete, Qt.MouseButton.LeftButton)
    assert seen and "removed for good" in seen[0]
    assert (sessions / B).is_dir() and browser.table.rowCount() == 3

    browser.select_sessions([B])
    seen = _answer_next_box(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(browser.b_delete, Qt.MouseButton.LeftButton)
    assert seen
    assert not (sessions / B).exists()
    assert [s.id for s in browser.sessions] == [C, A] and browser.table.rowCount() == 2


def test_runner_notes_history_compare_export(qtbot, browser, tmp_path):
    browser.add_runner("Ann")
    ann = browser.store.find_runner("Ann")
    for sid in (A, B, C):  # assign through the runner combo, as a user would
        browser.select_sessions([sid])
        i = browser.runner_combo.findData(ann.id)
        browser.runner_combo.setCurrentIndex(i)
        browser.runner_combo.activated.emit(i)
    assert {s.runner_id for s in browser.store.list_sessions()} == {ann.id}

    browser.select_sessions([C])
    browser.notes.setPlainText("Cadence up without cues.")
    assert browser.b_save_notes.isEnabled()
    qtbot.mouseClick(browser.b_save_notes, Qt.MouseButton.LeftButton)
    assert browser.store.get_session(C).notes == "Cadence up without cues."

    browser.select_runner(ann.id)
    assert browser.table.rowCount() == 3
    ts = [datetime.fromisoformat(t).timestamp() for t in
          ("2026-11-01T10:00:00+00:00", "2026-11-15T09:30:00+00:00", "2026-11-29T17:05:00+00:00")]
    assert browser.history.points() == list(zip(ts, [162.0, 168.5, 174.0]))
    assert browser.history.metric == "overstride_pct_leg"
    assert browser.history.points("metric") == [(ts[0], 12.0), (ts[2], 6.5)]  # B has none
    i = browser.history.combo.findData("contact_ms")
    browser.history.combo.setCurrentIndex(i)
    assert browser.history.points("metric") == list(zip(ts, [240.0] * 3))
    assert "Ann" in browser.history.title.text()

    browser.select_sessions([C, A])
    assert browser.b_compare.isEnabled()
    with qtbot.waitSignal(browser.compare_requested, timeout=1000) as sig:
        qtbot.mouseClick(browser.b_compare, Qt.MouseButton.LeftButton)
    assert sig.args == [A, C]  # before, after

    out = tmp_path / "c.zip"
    browser.export_to(C, out)
    qtbot.waitUntil(lambda: not browser.exporting, timeout=10000)
    with zipfile.ZipFile(out) as zf:
        assert {n.split("/", 1)[1] for n in zf.namelist()} == {"session.json", "landmarks.csv", "video.mp4"}
    assert "Exported to" in browser.health.text()


def test_main_window_menu_opens_browser(qtbot, sessions, tmp_path, monkeypatch, no_thread_leak):
    from app.config import Settings
    from app.ui.live.main_window import MainWindow

    w = MainWindow(Settings(), source="demo", save_settings=False)
    qtbot.addWidget(w)
    w.show()
    w.act_sessions.trigger()
    assert w.sessions_dialog.isVisible() and w.sessions_dialog.table.rowCount() == 3
    assert w.act_sessions.shortcut().toString() == "Ctrl+B"
    w.close()


def test_lists_read_cleanly(qtbot, tmp_path, monkeypatch):
    """Issue 11 item 12: a stopped guided session is not "complete", "1 sessions", list
    times with seconds, an empty history plot shows dates (not "00.100")."""
    from datetime import timezone

    from app.ui.sessions.browser import SessionBrowser

    monkeypatch.setenv("GAITCOACH_DATA_DIR", str(tmp_path / "data"))
    root = sessions_root()
    stopped = "20261201-101530-dddddd"
    make_session_folder(root, stopped, started_utc="2026-12-01T10:15:30Z", extra={
        "summary": {"cadence_spm": 171.0, "metrics": {},
                    "protocol": {"template": "cadence", "status": "aborted"}}})
    b = SessionBrowser()
    qtbot.addWidget(b)
    b.show()
    try:
        assert b.table.item(0, 6).text() == "stopped early"
        local = datetime(2026, 12, 1, 10, 15, 30, tzinfo=timezone.utc).astimezone()
        assert b.table.item(0, 0).text() == local.strftime("%Y-%m-%d %H:%M:%S")
        # no runner picked yet: the empty plot reads as dates and says why it is empty
        x0, x1 = b.history.p_cad.viewRange()[0]
        assert x0 > 1.5e9 and "Pick a runner" in b.history.empty.toPlainText()
        b.history.glw.grab()  # painted once (the date axis measures its font then)
        axis = b.history.p_cad.getAxis("bottom")
        levels = axis.tickValues(x0, x1, 600)
        ticks = [t for spacing, vals in levels for t in axis.tickStrings(vals, 1.0, spacing)]
        assert ticks and not any(t.startswith("00.") for t in ticks), ticks
        b.add_runner("Bo")
        bo = b.store.find_runner("Bo")
        b.select_runner(bo.id)
        assert "No sessions" in b.history.empty.toPlainText()
        b.store.assign_runner(stopped, bo.id)
        b.refresh()
        b.select_runner(bo.id)
        assert b.history.title.text() == "History of Bo: 1 session"
        assert b.history.empty.toPlainText() == ""
    finally:
        b.done(0)
        b.close_store()
    from app.cli.sessions import _list  # the terminal list says the same

    import argparse
    import contextlib
    import io

    out = io.StringIO()
    with open_store() as st, contextlib.redirect_stdout(out):
        _list(st, argparse.Namespace(runner=None), None)
    assert "stopped early" in out.getvalue() and local.strftime("%H:%M:%S") in out.getvalue()
