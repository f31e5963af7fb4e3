"""The session browser (File → Sessions…): runners on the left, their sessions in a table,
the selected session's runner, notes and health, and the runner's history plot.

Edits go straight to the store: the name cell is editable (F2 / double-click / Rename),
the runner combo and notes apply at once / on Save. Delete asks first; Export zips the
folder on a worker thread while a progress dialog, refreshed by a timer, can cancel it.
Two selected sessions can be sent to the comparison view (``compare_requested``).

Threads: everything runs on the GUI thread, which owns the ``SessionStore`` (see
app/session/store.py). The export thread never touches the store: it
gets the folder path and writes the zip with :func:`app.session.store.export_folder`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView,
    QInputDialog, QLabel, QListWidget, QListWidgetItem, QMessageBox, QPlainTextEdit,
    QPushButton, QSplitter, QStyle, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from app.errors import UserError
from app.session.records import duration_text, plural
from app.session.store import SessionInfo, SessionStore, export_folder, session_health
from app.ui.sessions.history_plot import CADENCE, HistoryPlot
from app.ui.shared.screen_fit import fit_to_screen

COLUMNS = ("Date", "Name", "Runner", "View", "Duration", "Cadence (spm)", "State", "Station")
COL_NAME, COL_STATE, COL_STATION = 1, 6, 7
ALL, NO_RUNNER = "all", "none"


class SessionBrowser(QDialog):
    """Browse, rename, annotate, assign, delete, export and compare recorded sessions."""

    #: (before id, after id): the older of the two selected sessions first.
    compare_requested = Signal(str, str)

    def __init__(self, store: SessionStore | None = None, parent: QWidget | None = None,
                 sessions_root: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("GaitCoach — sessions")
        fit_to_screen(self, 1150, 780)
        self._own_store = store is None
        #: this station's store, or with a clinic configured and reachable its view of the
        #: clinic (app/session/station.py): other stations' runners and sessions too
        self.store = store if store is not None else _open()
        self.sessions_root = sessions_root
        self.sessions: list[SessionInfo] = []
        self._filling = False
        self._export = None  # app.ui.shared.workers.Running while a zip is written
        self._build()
        self.refresh(sync=True)

    # ================================================================ construction
    def _build(self) -> None:
        style = self.style()
        self.icon_warn = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.icon_info = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)

        self.runner_list = QListWidget()
        self.runner_list.currentItemChanged.connect(lambda *_: self._runner_changed())
        b_add = QPushButton("Add runner…")
        b_add.clicked.connect(self._add_runner_dialog)
        self.b_rename_runner = QPushButton("Rename…")
        self.b_rename_runner.clicked.connect(self._rename_runner_dialog)
        self.b_delete_runner = QPushButton("Remove")
        self.b_delete_runner.setToolTip("Remove the runner; their sessions stay, without a runner")
        self.b_delete_runner.clicked.connect(self._delete_runner)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("Runners"))
        ll.addWidget(self.runner_list, 1)
        row = QHBoxLayout()
        for b in (b_add, self.b_rename_runner, self.b_delete_runner):
            row.addWidget(b)
        ll.addLayout(row)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(self._item_changed)
        self.table.itemSelectionChanged.connect(self._selection_changed)

        self.b_rename = QPushButton("Rename")
        self.b_rename.clicked.connect(self._start_rename)
        self.b_delete = QPushButton("Delete…")
        self.b_delete.clicked.connect(self.delete_selected)
        self.b_export = QPushButton("Export…")
        self.b_export.clicked.connect(self._export_dialog)
        self.b_compare = QPushButton("Open in comparison")
        self.b_compare.setToolTip("Select two sessions (before and after)")
        self.b_compare.clicked.connect(self._compare)
        self.b_refresh = QPushButton("Refresh")
        self.b_refresh.setToolTip("Look for new, finished or removed session folders")
        self.b_refresh.clicked.connect(lambda: self.refresh(sync=True))
        actions = QHBoxLayout()
        for b in (self.b_rename, self.b_delete, self.b_export, self.b_compare):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.b_refresh)

        self.runner_combo = QComboBox()
        self.runner_combo.activated.connect(self._assign_from_combo)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("Clinician notes for this session")
        self.notes.setMaximumHeight(90)
        self.notes.textChanged.connect(lambda: self.b_save_notes.setEnabled(not self._filling))
        self.b_save_notes = QPushButton("Save notes")
        self.b_save_notes.clicked.connect(self.save_notes)
        self.health = QLabel()
        self.health.setWordWrap(True)
        self.health.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        details = QWidget()
        form = QFormLayout(details)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Runner:", self.runner_combo)
        notes_row = QHBoxLayout()
        notes_row.addWidget(self.notes, 1)
        notes_row.addWidget(self.b_save_notes, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow("Notes:", notes_row)
        form.addRow("Status:", self.health)

        self.history = HistoryPlot()
        self.history.metric_changed.connect(lambda _m: self._update_history())
        from app.ui.plan.panels import RunnerPlanStrip

        #: programme, reassessment date and load log of the runner, beside the history
        self.plan_strip = RunnerPlanStrip()
        self.plan_strip.compare_requested.connect(self.compare_requested)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.table, 2)
        rl.addLayout(actions)
        rl.addWidget(details)
        hist_row = QHBoxLayout()
        hist_row.addWidget(self.history, 3)
        hist_row.addWidget(self.plan_strip, 2)
        rl.addLayout(hist_row, 3)

        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([230, 900])
        #: the clinic store: which one, unreachable, sessions waiting to publish
        self.clinic_label = QLabel()
        self.clinic_label.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.clinic_label)
        lay.addWidget(split)

    # ================================================================ filling
    def refresh(self, sync: bool = False) -> None:
        """Re-read runners and sessions (after a sync of the sessions folder if ``sync``)."""
        if sync:
            report = self.store.sync(self.sessions_root)
            if report.skipped:
                self.health.setText("Some folders could not be read: " + " ".join(report.skipped))
        self._show_clinic()
        self._fill_runners()
        self._fill_sessions()

    def _fill_runners(self) -> None:
        current = self.current_filter()
        self._filling = True
        self.runner_list.clear()
        items = [("All sessions", (ALL, None)), ("Without runner", (NO_RUNNER, None))]
        items += [(r.name, ("runner", r.id)) for r in self.store.list_runners()]
        for text, key in items:
            it = QListWidgetItem(text)
            it.setData(Qt.ItemDataRole.UserRole, key)
            self.runner_list.addItem(it)
            if key == current:
                self.runner_list.setCurrentItem(it)
        if self.runner_list.currentItem() is None:
            self.runner_list.setCurrentRow(0)
        self.runner_combo.clear()
        self.runner_combo.addItem("— none —", None)
        for r in self.store.list_runners():
            self.runner_combo.addItem(r.name, r.id)
        self._filling = False

    def current_filter(self) -> tuple[str, int | None]:
        it = self.runner_list.currentItem()
        return it.data(Qt.ItemDataRole.UserRole) if it is not None else (ALL, None)

    def select_runner(self, runner_id: int | None) -> None:
        """Show ``runner_id``'s sessions (None: all sessions)."""
        want = (ALL, None) if runner_id is None else ("runner", runner_id)
        for i in range(self.runner_list.count()):
            if self.runner_list.item(i).data(Qt.ItemDataRole.UserRole) == want:
                self.runner_list.setCurrentRow(i)

    def _runner_changed(self) -> None:
        if self._filling:
            return
        kind, rid = self.current_filter()
        self.b_rename_runner.setEnabled(kind == "runner")
        self.b_delete_runner.setEnabled(kind == "runner")
        self._fill_sessions()

    def _fill_sessions(self) -> None:
        kind, rid = self.current_filter()
        selected = set(self.selected_ids())
        self.sessions = self.store.list_sessions(rid, unassigned=kind == NO_RUNNER)
        clinic = bool(getattr(self.store, "clinic_status", ""))
        self.table.setColumnHidden(COL_STATION, not clinic)
        self._filling = True
        self.table.setRowCount(len(self.sessions))
        for row, s in enumerate(self.sessions):
            health, views = views_health(s)
            cad = s.cadence_spm
            cells = (s.started_text, s.name, s.runner_name or "", views or s.view or "",
                     duration_text(s.duration_s), "—" if cad is None else f"{cad:.1f}",
                     s.state_text if health.kind in ("ok", "recovered") else health.kind.replace("_", " "),
                     _station(s, clinic))
            for col, text in enumerate(cells):
                it = QTableWidgetItem(text)
                if col != COL_NAME:
                    it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
                else:
                    it.setToolTip(s.id)
                if col in (4, 5):
                    it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                it.setData(Qt.ItemDataRole.UserRole, s.id)
                self.table.setItem(row, col, it)
            state = self.table.item(row, COL_STATE)
            if not health.ok:
                state.setIcon(self.icon_warn)
            elif health.kind in ("recovered", "recording"):
                state.setIcon(self.icon_info)
            state.setToolTip(health.message or "Complete: video, landmarks and metrics are there.")
        for row, s in enumerate(self.sessions):
            if s.id in selected:
                self.table.selectRow(row)
        self._filling = False
        self._selection_changed()
        self._update_history()

    # ================================================================ selection, details
    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [self.sessions[r].id for r in rows if r < len(self.sessions)]

    def select_sessions(self, ids: list[str]) -> None:
        self.table.clearSelection()
        mode = self.table.selectionMode()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        for row, s in enumerate(self.sessions):
            if s.id in ids:
                self.table.selectRow(row)
        self.table.setSelectionMode(mode)

    def _selected(self) -> SessionInfo | None:
        ids = self.selected_ids()
        return next((s for s in self.sessions if s.id == ids[0]), None) if len(ids) == 1 else None

    def _selection_changed(self) -> None:
        if self._filling:
            return
        ids = self.selected_ids()
        one = self._selected()
        self.b_rename.setEnabled(one is not None)
        self.b_export.setEnabled(one is not None)
        self.b_delete.setEnabled(bool(ids))
        self.b_compare.setEnabled(len(ids) == 2)
        self._filling = True
        self.runner_combo.setEnabled(one is not None)
        self.notes.setEnabled(one is not None)
        self.notes.setPlainText(one.notes if one else "")
        idx = self.runner_combo.findData(one.runner_id) if one else 0
        self.runner_combo.setCurrentIndex(max(idx, 0))
        self._filling = False
        self.b_save_notes.setEnabled(False)
        if one is None:
            self.health.setText(f"{plural(len(ids), 'session')} selected." if ids else "")
            return
        h, views = views_health(one)
        two = f"  Two cameras: {views}." if "+" in views else ""
        self.health.setText((h.message or "Complete.") + two + f"  Folder: {one.folder}")

    def _update_history(self) -> None:
        kind, rid = self.current_filter()
        self.plan_strip.show_runner(self.store, rid if kind == "runner" else None)
        if kind != "runner":
            self.history.set_history(None, "History: pick a runner on the left")
            return
        runner = self.store.get_runner(rid)
        self.history.set_metric_choices(self.store.history_metrics(rid))
        hist = self.store.runner_history(rid, [CADENCE, self.history.metric])
        newest = self.store.list_sessions(rid)
        self.history.set_history(hist, f"History of {runner.name}: {plural(len(hist.session_ids), 'session')}",
                                 newest[0].thresholds if newest else None)

    # ================================================================ edits
    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != COL_NAME:
            return
        sid = item.data(Qt.ItemDataRole.UserRole)
        self._run(lambda: self.store.rename_session(sid, item.text(),
                                                    expected_version=self._version(sid)))

    def _start_rename(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        if len(rows) == 1:
            self.table.editItem(self.table.item(rows[0], COL_NAME))

    def _assign_from_combo(self, _index: int) -> None:
        one = self._selected()
        if one is not None and not self._filling:
            self._run(lambda: self.store.assign_runner(one.id, self.runner_combo.currentData(),
                                                       expected_version=one.version))
            self._fill_sessions()

    def save_notes(self) -> None:
        one = self._selected()
        if one is not None:
            self._run(lambda: self.store.set_notes(one.id, self.notes.toPlainText(),
                                                   expected_version=one.version))
            self._fill_sessions()

    def delete_selected(self) -> None:
        """Ask, then delete the selected sessions with their folders and videos."""
        ids = self.selected_ids()
        if not ids:
            return
        what = (f"the session {self._title(ids[0])}" if len(ids) == 1 else f"{len(ids)} sessions")
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete sessions",
                          f"Delete {what}? The video and all files of the session folder are "
                          "removed for good.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        if box.exec() != QMessageBox.StandardButton.Yes:
            return
        for sid in ids:
            if not self._run(lambda sid=sid: self.store.delete_session(sid)):
                break
        self._fill_sessions()

    def _title(self, sid: str) -> str:
        s = next(s for s in self.sessions if s.id == sid)
        return f"“{s.name}”" if s.name else f"of {s.started.astimezone():%d %b %Y %H:%M}" if s.started else sid

    def add_runner(self, name: str) -> None:
        if self._run(lambda: self.store.add_runner(name)):
            self._fill_runners()

    def _add_runner_dialog(self) -> None:
        name, ok = QInputDialog.getText(self, "Add runner", "Name:")
        if ok:
            self.add_runner(name)

    def _rename_runner_dialog(self) -> None:
        kind, rid = self.current_filter()
        if kind != "runner":
            return
        old = self.store.get_runner(rid)
        name, ok = QInputDialog.getText(self, "Rename runner", "Name:", text=old.name)
        if ok and self._run(lambda: self.store.rename_runner(rid, name, expected_version=old.version)):
            self.refresh()

    def _delete_runner(self) -> None:
        kind, rid = self.current_filter()
        if kind == "runner" and self._run(lambda: self.store.delete_runner(rid)):
            self.runner_list.setCurrentRow(0)
            self.refresh()

    def _compare(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 2:
            older, newer = sorted(ids, key=lambda i: next(s.started_utc or "" for s in self.sessions
                                                          if s.id == i))
            self.compare_requested.emit(older, newer)

    def _run(self, fn) -> bool:
        """Run a store edit; a UserError is shown as its sentence and the view refreshed."""
        try:
            fn()
            return True
        except UserError as exc:
            QMessageBox.warning(self, "Sessions", str(exc))
            self._fill_sessions()
            return False

    # ================================================================ export
    def _export_dialog(self) -> None:
        one = self._selected()
        if one is None:
            return
        default = str(Path.home() / f"gaitcoach-{one.id}.zip")
        path, _ = QFileDialog.getSaveFileName(self, "Export session", default, "Zip archives (*.zip)")
        if path:
            self.export_to(one.id, Path(path))

    def export_to(self, session_id: str, out: Path) -> None:
        """Zip the session on a worker thread with a progress dialog and Cancel."""
        from app.ui.shared.workers import Task, run_with_progress

        folder = self.store.get_session(session_id).folder

        def work(task: Task) -> Path:  # worker thread
            return export_folder(folder, out, task.report)  # Cancel: task.report raises

        task = Task("export", work, self)
        self._export = run_with_progress(
            self, "Export", f"Exporting to {out.name}…", task,
            lambda path: self.health.setText(f"Exported to {path}."),
            on_end=lambda: setattr(self, "_export", None))

    @property
    def exporting(self) -> bool:
        return self._export is not None

    # ================================================================ closing
    def done(self, r: int) -> None:  # noqa: D401 - Qt API (close, Esc, accept, reject)
        if self._export is not None:
            running, self._export = self._export, None
            running.task.cancel()
            running.task.join(5.0)
            running.dialog.close()
        super().done(r)

    def _version(self, sid: str) -> int | None:
        """The version of ``sid`` this browser shows (edits are checked against it)."""
        return next((s.version for s in self.sessions if s.id == sid), None)

    def _show_clinic(self) -> None:
        text = getattr(self.store, "clinic_status", "")
        local = getattr(self.store, "local", None)
        if local is not None:
            from app.session.publish import queue_status

            text += " " + queue_status(local).sentence()
        self.clinic_label.setText(text.strip())
        self.clinic_label.setVisible(bool(text.strip()))

    def reopen_store(self) -> None:
        """After Settings → Clinic database: open the store again (clinic or local)."""
        if self._own_store:
            self.store.close()
            self.store = _open()
            self.refresh(sync=True)

    def close_store(self) -> None:
        """Close the store if this browser opened it (call before dropping the browser)."""
        if self._own_store:
            self.store.close()
            self._own_store = False


def _open():
    from app.session.station import open_station_store

    return open_station_store()


def views_health(s: SessionInfo):  # noqa: ANN201 - (Health, str)
    """The session's health with every camera's files checked, and its views ('side',
    'side + rear'; '' when the folder cannot be read)."""
    from app.compare.views import session_views, views_label
    from app.session.records import Health

    health = session_health(s)
    if not s.folder.is_dir():
        return health, ""
    views = session_views(s.folder)
    if health.ok and health.kind != "recording":
        problem = next((v.problem for v in views[1:] if v.problem), "")
        if problem:  # the side view is fine, the other camera's files are not
            health = Health("video_missing", f"{problem[:-1]}; the side view and the "
                            "measurements are kept.")
    return health, views_label(views)


def _station(s: SessionInfo, clinic: bool) -> str:
    """The Station cell: who recorded it, and whether it still waits to be published."""
    if not clinic:
        return ""
    text = s.station or ("this station" if s.origin == "local" else "")
    if s.publish_state == "waiting":
        text += " (waiting to publish)"
    elif s.publish_state == "conflict":
        text += " (edit conflict)"
    return text.strip()
