"""Closing the live window (the window's ✕, File → Quit, Ctrl+Q) during a recording or a
guided session asks first: the data would be saved, but one stray click must not end a
45-minute session. Nothing running: it closes at once.

GUI thread only. The question is a non-blocking message box; *Quit* closes the window
(the recording and session are saved as today), *Keep going* leaves everything running.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from app.ui.shared.fmt import mmss


def running_work(window) -> str:  # noqa: ANN001 - MainWindow
    """A sentence about what closing would end ('' when nothing is running)."""
    runner = getattr(window.protocol, "runner", None)
    if runner is not None and runner.status in ("running", "paused", "ready"):
        st = runner.state()
        if st.block is not None:
            return (f"A guided session is running: block {st.block_index + 1} of {st.n_blocks} "
                    f"({st.block.name}), {mmss(st.total_remaining_s)} left.")
        return "A guided session is starting."
    rec = window.recording
    if rec.recording:
        from app.ui.sessions.recording import rec_text

        return f"A recording is running ({rec_text(rec.recorder.status().elapsed_s)[2:]})."
    return ""


def ask_before_close(window) -> bool:  # noqa: ANN001 - MainWindow
    """True: close now. False: a question is open; *Quit* closes the window again."""
    if getattr(window, "_close_confirmed", False) or not getattr(window, "confirm_close", True):
        return True
    what = running_work(window)
    if not what:
        return True
    box = QMessageBox(QMessageBox.Icon.Question, "Quit GaitCoach",
                      f"{what}\n\nQuit now? It is stopped and saved as far as it ran.",
                      parent=window)
    quit_ = box.addButton("Quit", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep going", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)

    def answered(_result: int) -> None:
        window.close_box = None
        if box.clickedButton() is quit_:
            window._close_confirmed = True
            QTimer.singleShot(0, window.close)

    box.finished.connect(answered)
    window.close_box = box
    box.open()
    return False
