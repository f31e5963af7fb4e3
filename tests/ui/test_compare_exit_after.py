"""``compare A B --exit-after S`` waits for the clips to be on screen: the analysis task is
marked finished in its worker thread before the GUI thread closes the progress dialog and
shows the pair, and in that gap the active modal widget is the progress dialog, not a
warning (CI once read ``QProgressDialog.text()`` there and crashed)."""

from __future__ import annotations


def test_exit_after_waits_for_the_pair_not_for_the_task(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

    from app.ui.main import LOAD_GIVE_UP_S, load_outcome

    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    progress = QProgressDialog("Opening the clips…", "Cancel", 0, 0, parent)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    # the gap: task finished (and pruned), dialog still up, no pair yet
    assert load_outcome(False, progress, False, 0.2) == "wait"
    assert load_outcome(False, progress, True, 2 * LOAD_GIVE_UP_S) == "wait"
    assert load_outcome(True, progress, False, 0.2) == "shown"
    box = QMessageBox(QMessageBox.Icon.Warning, "Compare", "That file is not a video.",
                      parent=parent)
    assert load_outcome(False, box, False, 0.2) == "failed"
    assert load_outcome(True, None, False, 0.2) == "shown"
    # nothing running, nothing shown, nothing said: wait a little, then give up
    assert load_outcome(False, None, False, 0.5 * LOAD_GIVE_UP_S) == "wait"
    assert load_outcome(False, None, False, 2 * LOAD_GIVE_UP_S) == "gave up"
    progress.deleteLater()
    box.deleteLater()
