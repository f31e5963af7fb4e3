"""The one pattern for the windows' background jobs: a worker thread per job, its end
delivered on the GUI thread; optionally a progress dialog with Cancel.

Used by the comparison (clip analysis, exports), the guided session's finish, the plan
window, the session browser's export, the clinic connection test, the cue editor's
microphone recording and the guided session's voice preparation.

A :class:`Task` runs ``fn(task)`` on a plain ``threading.Thread``; ``fn`` reports with
``task.report(done, total)`` / ``task.say(text)`` and checks ``task.stop`` (an Event).
The task's signals are emitted on the worker thread and delivered queued on the GUI
thread (the ``Task`` object lives there). :func:`run_with_progress` ties a task to a
``QProgressDialog``: Cancel sets ``task.stop``; a ``UserError`` becomes one sentence in a
message box; any other exception is printed with its traceback and reported in a sentence.
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from app.errors import UserError


class Cancelled(Exception):
    """Raised inside a task when the user pressed Cancel."""


class Task(QObject):
    """One job on its own thread (see the module docstring)."""

    sig_progress = Signal(int, int)   # done, total (0 = unknown)
    sig_text = Signal(str)
    sig_done = Signal(object)
    sig_failed = Signal(str)
    sig_cancelled = Signal()

    def __init__(self, name: str, fn: Callable[["Task"], object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.fn = fn
        self.stop = threading.Event()
        self.finished = False
        self._thread = threading.Thread(target=self._run, name=f"task-{name}", daemon=True)

    def start(self) -> "Task":
        self._thread.start()
        return self

    def cancel(self) -> None:
        self.stop.set()

    def join(self, timeout: float = 5.0) -> bool:
        """Wait for the thread; True when it has ended."""
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    # worker thread --------------------------------------------------------------------
    def report(self, done: int, total: int | None) -> None:
        """Progress from the job (worker thread); raises ``Cancelled`` once cancelled."""
        if self.stop.is_set():
            raise Cancelled()
        self.sig_progress.emit(int(done), int(total or 0))

    def say(self, text: str) -> None:
        self.sig_text.emit(text)

    def _run(self) -> None:
        """Runs on the worker thread."""
        try:
            result = self.fn(self)
            if self.stop.is_set():
                raise Cancelled()
        except Cancelled:
            self.finished = True
            self.sig_cancelled.emit()
        except Exception as exc:  # noqa: BLE001 - reported to the user, traceback printed
            self.finished = True
            if self.stop.is_set():
                # cancelled: a job cut short may fail on what it did not read ("contains no
                # frames"); that is the cancellation, not an error to show in a message box
                self.sig_cancelled.emit()
            elif isinstance(exc, UserError):
                self.sig_failed.emit(str(exc))
            else:
                traceback.print_exc()
                self.sig_failed.emit(f"The {self.name} failed: {exc}.")
        else:
            self.finished = True
            self.sig_done.emit(result)


@dataclass
class Running:
    """A task with its progress dialog (the view keeps it to cancel and join on close)."""

    task: Task
    dialog: QProgressDialog


def run_with_progress(parent: QWidget, title: str, label: str, task: Task,
                      on_done: Callable[[object], None], cancellable: bool = True,
                      on_end: Callable[[], None] | None = None) -> Running:
    """Start ``task`` with a window-modal progress dialog; ``on_done(result)`` on success.

    Failures show their sentence in a warning box titled ``title``; ``on_end()`` runs after
    any outcome (done, failed, cancelled).
    """
    dlg = QProgressDialog(label, "Cancel" if cancellable else "", 0, 0, parent)
    if not cancellable:
        dlg.setCancelButton(None)
    dlg.setWindowTitle(title)
    dlg.setWindowModality(Qt.WindowModality.WindowModal)
    dlg.setMinimumDuration(300)
    dlg.setAutoClose(False)
    dlg.setAutoReset(False)
    dlg.setMinimumWidth(420)

    ended: list[bool] = []  # set once the dialog is closed: late progress is dropped
    busy: list[bool] = []   # inside setValue, which processes events (modal dialog)

    def progress(done: int, total: int) -> None:
        if ended or task.finished:
            return
        busy.append(True)
        try:
            if total > 0:
                if dlg.maximum() != total:
                    dlg.setRange(0, total)
                dlg.setValue(min(done, total))
            elif dlg.maximum() != 0:
                dlg.setRange(0, 0)
        finally:
            busy.pop()

    def after_progress(fn: Callable) -> Callable:
        """The task's end is handled after a progress update that is under way (never
        inside it: closing the dialog from its own setValue crashed)."""
        def run(*args) -> None:  # noqa: ANN002
            if busy:
                QTimer.singleShot(0, lambda: fn(*args))
            else:
                fn(*args)
        return run

    def close() -> None:
        if ended:
            return
        ended.append(True)
        dlg.reset()
        dlg.close()
        dlg.deleteLater()
        if on_end is not None:
            on_end()

    def done(result: object) -> None:
        close()
        on_done(result)

    def failed(message: str) -> None:
        close()
        QMessageBox.warning(parent, title, message)

    task.sig_progress.connect(progress)
    task.sig_text.connect(dlg.setLabelText)
    task.sig_done.connect(after_progress(done))
    task.sig_failed.connect(after_progress(failed))
    task.sig_cancelled.connect(after_progress(close))
    dlg.canceled.connect(task.cancel)
    task.start()
    return Running(task, dlg)
