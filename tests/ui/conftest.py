"""UI test fixtures: a temporary config dir and data dir for every test (never the user's
settings or sessions)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def tmp_config_dir(tmp_path, monkeypatch):
    d = tmp_path / "config"
    monkeypatch.setenv("GAITCOACH_CONFIG_DIR", str(d))
    return d


@pytest.fixture(autouse=True)
def tmp_data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("GAITCOACH_DATA_DIR", str(d))
    return d


@pytest.fixture
def make_window(qtbot):
    """``make_window(**kwargs)`` opens a real MainWindow (default Settings()), shown; all
    are closed at the end of the test."""
    windows = []

    def make(**kw):
        from app.config import Settings
        from app.ui.live.main_window import MainWindow

        kw.setdefault("settings", Settings())
        w = MainWindow(**kw)
        qtbot.addWidget(w)
        w.show()
        windows.append(w)
        return w

    yield make
    for w in windows:
        w.confirm_close = False  # the test is over: no "Quit now?" question
        w.close()


@pytest.fixture(autouse=True)
def gc_on_gui_thread(qapp):
    """As in the app (app.ui.shared.gc_guard): cycles are collected on the GUI thread only, so a
    worker thread never destroys a Qt object (that deadlocked a test once)."""
    from app.ui.shared.gc_guard import MainThreadGC

    guard = MainThreadGC()
    yield guard
    guard.close()


#: a message box open this long is one nobody in the test will answer (seconds)
STUCK_BOX_S = 20.0


@pytest.fixture(autouse=True)
def no_stuck_message_box(qapp):
    """A modal message box that the test did not expect blocks its event loop for good
    offscreen (pytest-timeout's alarm does not get through Qt's loop): one hung a clean
    run until it was killed. A timer, which runs inside that box's own loop, closes a box
    left open ``STUCK_BOX_S`` and the test fails with its text instead."""
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    stuck: list[str] = []
    first_seen: dict[int, float] = {}

    def check() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            return
        t0 = first_seen.setdefault(id(box), time.monotonic())
        if time.monotonic() - t0 > STUCK_BOX_S:
            stuck.append(box.text())
            box.reject()

    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(1000)
    yield
    timer.stop()
    if stuck:
        pytest.fail(f"a message box was left open: {stuck}")
