"""Help → Self-test…: the checks of ``gaitcoach selftest`` in a dialog, one row per check,
run on a worker thread with a progress bar, then the verdict; *Copy* puts the report on
the clipboard for a support e-mail."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QGuiApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QLabel, QMenu,
                               QProgressBar, QPushButton, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from app.selftest import CHECK_NAMES, Check, Status, run_selftest, verdict

#: Rows one run produces (app.selftest.CHECK_NAMES).
N_CHECKS = len(CHECK_NAMES)
_COLOURS = {Status.OK: "#1b7f3b", Status.WARN: "#a15c00", Status.FAIL: "#b00020"}


class SelfTestDialog(QDialog):
    """Runs the self-test once when shown; *Run again* repeats it."""

    sig_check = Signal(object)   # Check, from the worker thread
    sig_done = Signal(object)    # list[Check], from the worker thread

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("GaitCoach self-test")
        self.resize(860, 380)
        self.checks: list[Check] = []
        self._thread: threading.Thread | None = None
        self._close_when_done = False
        self.intro = QLabel("Checks the pose model on a shipped clip, the gait engine, the sound "
                            "output and the folders GaitCoach writes to.")
        self.intro.setWordWrap(True)
        self.table = QTreeWidget()
        self.table.setHeaderLabels(["", "Check", "Result"])
        self.table.setRootIsDecorated(False)
        self.table.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 48)
        self.table.setColumnWidth(1, 120)
        self.table.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, N_CHECKS)
        self.verdict = QLabel("")
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.btn_again = QPushButton("Run again")
        self.btn_copy = QPushButton("Copy report")
        buttons.addButton(self.btn_again, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.btn_copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        self.btn_again.clicked.connect(self.start)
        self.btn_copy.clicked.connect(self.copy_report)
        lay = QVBoxLayout(self)
        for w in (self.intro, self.table, self.progress, self.verdict, buttons):
            lay.addWidget(w)
        self.sig_check.connect(self._add_check)
        self.sig_done.connect(self._finished)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self.checks = []
        self.table.clear()
        self.progress.setValue(0)
        self.verdict.setText("Running… (the pose model takes a few seconds)")
        self.btn_again.setEnabled(False)
        self.btn_copy.setEnabled(False)
        self._thread = threading.Thread(target=self._work, name="selftest", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        """Worker thread: run every check; results go to the GUI thread by signals."""
        self.sig_done.emit(run_selftest(on_check=self.sig_check.emit))

    def _add_check(self, check: Check) -> None:
        self.checks.append(check)
        item = QTreeWidgetItem([check.status.value, check.name, check.detail])
        item.setForeground(0, QColor(_COLOURS[check.status]))
        item.setToolTip(2, check.detail)
        self.table.addTopLevelItem(item)
        self.progress.setValue(min(N_CHECKS, len(self.checks)))

    def _finished(self, checks: list[Check]) -> None:
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        self._thread = None
        passed, sentence = verdict(checks)
        self.progress.setValue(N_CHECKS)
        self.verdict.setText(sentence)
        self.verdict.setStyleSheet(f"color: {_COLOURS[Status.OK if passed else Status.FAIL]};"
                                   " font-weight: bold")
        self.btn_again.setEnabled(True)
        self.btn_copy.setEnabled(True)
        if self._close_when_done:
            self.deleteLater()

    def report_text(self) -> str:
        lines = [c.line() for c in self.checks]
        if not self.running and self.checks:
            lines.append(verdict(self.checks)[1])
        return "\n".join(lines)

    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self.report_text())

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if self.running:  # let the worker finish; the dialog goes when it does
            self._close_when_done = True
            self.hide()
            event.ignore()
            return
        super().closeEvent(event)


def add_selftest_action(window: QWidget, menu: QMenu) -> QAction:
    """Put Help → Self-test… into ``menu``; the dialog is kept as ``window.selftest_dialog``."""
    act = QAction("Self-test…", window)

    def show() -> None:
        dlg = getattr(window, "selftest_dialog", None)
        if dlg is None or not dlg.isVisible():
            dlg = SelfTestDialog(window)
            window.selftest_dialog = dlg
            dlg.show()
            dlg.start()
        dlg.raise_()
        dlg.activateWindow()

    act.triggered.connect(show)
    menu.addAction(act)
    return act

