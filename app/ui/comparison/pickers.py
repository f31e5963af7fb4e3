"""Choosing one side of a comparison: a recorded session or one of its blocks (from the
session store), or any video file. The result is a ``load_clip`` spec string
(``FOLDER``, ``FOLDER@START-END`` for a block, or a video path). GUI thread only.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QLabel, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from app.errors import UserError
from app.ui.shared.screen_fit import fit_to_screen

VIDEO_FILTER = "Videos (*.mp4 *.mkv *.mov *.avi *.m4v *.webm);;All files (*)"


def pick_video(parent: QWidget, title: str) -> str | None:
    """A file dialog for a video; its path, or None when cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, title, "", VIDEO_FILTER)
    return path or None


def block_spec(folder: Path, start_s: float, end_s: float | None) -> str:
    """``load_clip`` spec of a block: the session folder with its time range."""
    end = "" if end_s is None else f"{end_s:.3f}".rstrip("0").rstrip(".")
    start = f"{start_s:.3f}".rstrip("0").rstrip(".") or "0"
    return f"{folder}@{start}-{end}"


class SessionPicker(QDialog):
    """Sessions newest first, each with its protocol blocks as children.

    ``spec``/``label`` hold the choice after ``exec()`` returns Accepted. Raises
    ``UserError`` when there is no store yet or it cannot be opened.
    """

    def __init__(self, parent: QWidget | None = None, title: str = "Choose a session") -> None:
        super().__init__(parent)
        from app.session import store as st

        self.setWindowTitle(title)
        fit_to_screen(self, 620, 460)
        self.spec: str | None = None
        self.label = ""
        db = st.data_dir() / st.DB_NAME
        if not db.is_file():
            raise UserError("There are no recorded sessions yet: choose a video file instead.")
        from app.session.station import open_station_store

        with open_station_store(st.open_store(db)) as store:  # with a clinic: all stations'
            store.sync()
            sessions = store.list_sessions()
            blocks = {s.id: store.blocks(s.id) for s in sessions}
        if not sessions:
            raise UserError("There are no recorded sessions yet: choose a video file instead.")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("A whole session, or one block of it (baseline, retraining, …):"))
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Session / block", "Runner", "Date", "Length"])
        self.tree.setColumnWidth(0, 260)
        for s in sessions:
            when = s.started_text if s.started else ""
            length = f"{s.duration_s / 60:.1f} min" if s.duration_s else ""
            item = QTreeWidgetItem([s.title, s.runner_name or "", when, length])
            item.setData(0, Qt.ItemDataRole.UserRole, (str(s.folder), s.title))
            self.tree.addTopLevelItem(item)
            for b in blocks.get(s.id, []):
                end = b.end_s if b.end_s is not None else s.duration_s
                span = f"{b.start_s:.0f}–{end:.0f} s" if end is not None else f"from {b.start_s:.0f} s"
                child = QTreeWidgetItem([f"{b.name or b.kind} ({b.kind})", "", "", span])
                child.setData(0, Qt.ItemDataRole.UserRole,
                              (block_spec(s.folder, b.start_s, b.end_s), f"{s.title} — {b.name or b.kind}"))
                item.addChild(child)
            item.setExpanded(True)
        self.tree.itemDoubleClicked.connect(lambda *_: self.accept())
        lay.addWidget(self.tree)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.tree.setCurrentItem(self.tree.topLevelItem(0))

    def accept(self) -> None:
        item = self.tree.currentItem()
        if item is not None:
            self.spec, self.label = item.data(0, Qt.ItemDataRole.UserRole)
        super().accept()
