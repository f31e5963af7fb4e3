"""Tools → Cues…: the verbal-cue library as a table (id, words, fault, source, clip), with
play, record your own voice (microphone), import a WAV, add a cue, hide / show a cue and
remove your own version. Everything is saved as data in the user cue folder
(``app.feedback.user_cues``); the shipped set is never changed.

GUI thread, except the microphone recording, which runs as a worker-thread task
(``app.ui.shared.workers.Task``); the dialog waits for it when closed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDoubleSpinBox, QFileDialog, QFormLayout, QGroupBox,
    QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from app.errors import UserError
from app.feedback import user_cues
from app.feedback.cue_library import FAULTS, MAX_WORDS, Cue, CueKind, CueLibrary
from app.ui.feedback.panel import fault_label
from app.ui.shared.screen_fit import fit_to_screen
from app.ui.shared.workers import Task

_COLUMNS = ("Id", "Words", "Fault", "Source", "Clip")


def suggested_id(metric: str, text: str) -> str:
    """An id from the fault and the words: 'overstride_pct_leg' + 'Quiet feet' ->
    'overstride_quiet_feet'."""
    head = metric.split("_")[0] if metric else "praise"
    words = "".join(ch if ch.isalnum() else " " for ch in text.lower()).split()
    return "_".join([head, *words[:4]])


class CueEditor(QDialog):
    """The cue library editor. ``play`` is called with a Cue to hear it (None: no sound)."""

    library_changed = Signal(object)

    def __init__(self, language: str = "en", root: Path | None = None,
                 play: Callable[[Cue], str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cues")
        fit_to_screen(self, 900, 620)
        self.language = language
        self.root = root
        self.play_cb = play
        self.library: CueLibrary | None = None
        self._recorder: Task | None = None
        lay = QVBoxLayout(self)

        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(_COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for c in (0, 2, 3, 4):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        lay.addWidget(self.table, 1)

        row = QHBoxLayout()
        self.b_play = QPushButton("Play")
        self.b_record = QPushButton("Record my voice")
        self.rec_seconds = QDoubleSpinBox()
        self.rec_seconds.setRange(1.0, 10.0)
        self.rec_seconds.setValue(3.0)
        self.rec_seconds.setSuffix(" s")
        self.b_import = QPushButton("Import WAV…")
        self.b_hide = QPushButton("Hide / show")
        self.b_remove = QPushButton("Remove my version")
        for w in (self.b_play, self.b_record, self.rec_seconds, self.b_import, self.b_hide,
                  self.b_remove):
            row.addWidget(w)
        row.addStretch(1)
        lay.addLayout(row)

        add = QGroupBox("Add a cue")
        af = QFormLayout(add)
        self.new_text = QLineEdit()
        self.new_text.setPlaceholderText(f"at most {MAX_WORDS} words, about the outcome "
                                         "(\"Quiet feet\", \"Run tall\")")
        self.new_kind = QComboBox()
        self.new_kind.addItem("Correction (answers a fault)", CueKind.CORRECTION.value)
        self.new_kind.addItem("Praise", CueKind.PRAISE.value)
        self.new_fault = QComboBox()
        for metric, directions in FAULTS.items():
            for d in directions:
                self.new_fault.addItem(fault_label(metric, d), f"{metric}:{d}")
        self.new_id = QLineEdit()
        self.new_id.setPlaceholderText("made from the fault and the words")
        self.b_add = QPushButton("Add cue")
        af.addRow("Words", self.new_text)
        af.addRow("Kind", self.new_kind)
        af.addRow("Fault", self.new_fault)
        af.addRow("Id", self.new_id)
        af.addRow("", self.b_add)
        lay.addWidget(add)

        self.status = QLabel("")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.folder = QLabel(f"Your cues: {user_cues.user_dir(language, root)}")
        self.folder.setStyleSheet("color:#78909c;")
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.folder)

        self.b_play.clicked.connect(self.play_selected)
        self.b_record.clicked.connect(self.record_selected)
        self.b_import.clicked.connect(self._import_dialog)
        self.b_hide.clicked.connect(self.toggle_hidden)
        self.b_remove.clicked.connect(self.remove_selected)
        self.b_add.clicked.connect(self.add_from_form)
        self.new_kind.currentIndexChanged.connect(
            lambda *_: self.new_fault.setEnabled(self.new_kind.currentData() == "correction"))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.reload()

    # ================================================================ data
    def reload(self, select: str | None = None) -> None:
        """Re-read the library from disk and refill the table; emits library_changed."""
        current = select or self.selected_id()
        self.library = CueLibrary.load(self.language, user_root=self.root)
        hidden = user_cues.disabled_ids(self.language, self.root)
        rows: list[tuple[str, str, str, str, str, bool]] = []
        for c in self.library:
            fault = "praise" if c.kind is CueKind.PRAISE else fault_label(c.metric, c.direction)
            clip = "—" if c.clip_path is None else ("own" if c.clip_path.parent ==
                                                    user_cues.user_dir(self.language, self.root)
                                                    else "shipped")
            rows.append((c.id, c.text, fault, c.source, clip, False))
        for cue_id in hidden:
            if cue_id not in self.library:
                rows.append((cue_id, "(hidden)", "", "hidden", "", True))
        self.table.setRowCount(len(rows))
        for r, (cue_id, text, fault, source, clip, is_hidden) in enumerate(rows):
            for col, v in enumerate((cue_id, text, fault, source, clip)):
                item = QTableWidgetItem(v)
                if is_hidden:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(r, col, item)
        if current:
            self.select(current)
        problems = self.library.problems
        if problems:
            self.status.setText("Problems in your cue folder: " + " ".join(problems))
        self._update_buttons()
        self.library_changed.emit(self.library)

    def ids(self) -> list[str]:
        return [self.table.item(r, 0).text() for r in range(self.table.rowCount())]

    def select(self, cue_id: str) -> bool:
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).text() == cue_id:
                self.table.selectRow(r)
                return True
        return False

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.table.item(rows[0].row(), 0).text() if rows else None

    def _selected_cue(self) -> Cue | None:
        cue_id = self.selected_id()
        if cue_id is None or self.library is None or cue_id not in self.library:
            return None
        return self.library.get(cue_id)

    def _update_buttons(self) -> None:
        cue = self._selected_cue()
        has = self.selected_id() is not None
        self.b_play.setEnabled(cue is not None and cue.clip_path is not None and self.play_cb is not None)
        for b in (self.b_record, self.b_import):
            b.setEnabled(cue is not None and self._recorder is None)
        self.b_hide.setEnabled(has)
        self.b_remove.setEnabled(cue is not None and cue.source == "user")

    def _say(self, text: str) -> None:
        self.status.setText(text)

    # ================================================================ actions
    def play_selected(self) -> None:
        cue = self._selected_cue()
        if cue is None or self.play_cb is None:
            return
        problem = self.play_cb(cue)
        self._say(problem or f"Playing “{cue.text}”.")

    def import_wav(self, cue_id: str, wav: Path) -> bool:
        """Use ``wav`` as the clip of ``cue_id``; a sentence in the status line if not."""
        try:
            user_cues.import_clip(cue_id, Path(wav), self.language, self.root)
        except UserError as exc:
            self._say(str(exc))
            return False
        self.reload(select=cue_id)
        self._say(f"{Path(wav).name} is now the clip of {cue_id}.")
        return True

    def _import_dialog(self) -> None:
        cue_id = self.selected_id()
        if cue_id is None:
            return
        path, _ = QFileDialog.getOpenFileName(self, f"WAV for {cue_id}", str(Path.home()),
                                              "WAV files (*.wav);;All files (*)")
        if path:
            self.import_wav(cue_id, Path(path))

    def add_cue(self, text: str, kind: str, metric: str = "", direction: str = "",
                cue_id: str = "") -> str | None:
        """Add a cue (no clip yet: shown, not spoken, until one is recorded or imported);
        returns its id, or None with the reason in the status line."""
        if kind == CueKind.PRAISE.value:
            metric = direction = ""
        cue_id = cue_id.strip() or suggested_id(metric, text)
        try:
            user_cues.save_cue(cue_id, text, kind, metric, direction, self.language, self.root)
        except UserError as exc:
            self._say(str(exc))
            return None
        self.reload(select=cue_id)
        self._say(f"Added {cue_id}. Record your voice or import a WAV so it can be spoken.")
        return cue_id

    def add_from_form(self) -> None:
        metric, _, direction = str(self.new_fault.currentData()).partition(":")
        if self.add_cue(self.new_text.text(), self.new_kind.currentData(), metric, direction,
                        self.new_id.text()):
            self.new_text.clear()
            self.new_id.clear()

    def toggle_hidden(self) -> None:
        cue_id = self.selected_id()
        if cue_id is None:
            return
        hide = cue_id in (self.library or ())
        user_cues.set_enabled(cue_id, not hide, self.language, self.root)
        self.reload(select=cue_id)
        self._say(f"{cue_id} is {'hidden: it will not be spoken' if hide else 'back in use'}.")

    def remove_selected(self) -> None:
        cue = self._selected_cue()
        if cue is None or cue.source != "user":
            return
        user_cues.remove_cue(cue.id, self.language, self.root)
        self.reload(select=cue.id)
        self._say(f"Removed your version of {cue.id}.")

    def record_selected(self) -> None:
        """Record the microphone for the chosen seconds on a worker thread."""
        cue = self._selected_cue()
        if cue is None or self._recorder is not None:
            return
        seconds = self.rec_seconds.value()

        def work(_task: Task) -> str:  # worker thread
            user_cues.record_clip(cue.id, seconds, None, self.language, self.root)
            return cue.id

        self._recorder = Task("recording", work, self)
        self._recorder.sig_done.connect(lambda cue_id: self._recorded(cue_id, ""))
        self._recorder.sig_failed.connect(lambda problem: self._recorded(cue.id, problem))
        self._recorder.start()
        self._say(f"Recording {seconds:.0f} s — say “{cue.text}” now…")
        self._update_buttons()

    def _recorded(self, cue_id: str, problem: str) -> None:
        if self._recorder is None:
            return
        self._recorder.join()
        self._recorder = None
        if problem:
            self._say(problem)
            self._update_buttons()
        else:
            self.reload(select=cue_id)
            self._say(f"Recorded your voice for {cue_id}.")

    def done(self, result: int) -> None:  # noqa: D401 - Qt API
        if self._recorder is not None:
            self._recorder.join(timeout=15.0)
            self._recorder = None
        super().done(result)
