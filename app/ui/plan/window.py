"""The plan window (Plan → Clinical picture & programme…, Ctrl+P): a runner's clinical
picture, their programme (propose from an assessment, edit: add, remove, dosage, order;
save with the runner; print the runner's page), the weekly load log with load guidance,
the reassessment date and this week's home-practice ticks.

Threads: the window owns a ``SessionStore`` opened on the GUI thread (app/session/
store.py); proposing from a video or session runs ``load_assessment`` on a worker
thread behind a progress dialog (it may run the pose model); everything else is quick
and runs here.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QFileDialog, QGridLayout, QHBoxLayout, QLabel, QMessageBox,
    QPushButton, QSplitter, QTabWidget, QTextBrowser, QVBoxLayout, QWidget,
)

from app.errors import UserError
from app.exercise.library import ExerciseLibrary, default_library
from app.plan.load import guidance
from app.plan.programme import Programme, propose
from app.plan.store import PlanStore
from app.session.store import SessionStore, open_store
from app.ui.plan.widgets import ExerciseCard, LoadPanel, ProgrammeTable, picture_html
from app.ui.shared.screen_fit import fit_to_screen

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class PlanWindow(QDialog):
    """See the module docstring. ``compare_requested(before_id, after_id)`` asks the main
    window for the before/after comparison; ``coach_requested(exercise_id, runner_id)``
    for a camera-coached exercise."""

    compare_requested = Signal(str, str)
    coach_requested = Signal(str, object)
    programme_saved = Signal(int)

    def __init__(self, store: SessionStore | None = None, parent: QWidget | None = None,
                 library: ExerciseLibrary | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("GaitCoach — clinical picture and programme")
        self._own_store = store is None
        self.store = store if store is not None else open_store()
        self.plans = PlanStore(self.store)
        self.library = library or default_library()
        self.programme: Programme | None = None
        self.dirty = False
        self._task = None
        self._filling = False
        self._build()
        fit_to_screen(self, 1240, 700)
        self.refresh_runners()

    # ================================================================ construction
    def _build(self) -> None:
        self.runner_combo = QComboBox()
        self.runner_combo.setMinimumWidth(160)
        self.runner_combo.currentIndexChanged.connect(lambda *_: self._runner_changed())
        self.source_combo = QComboBox()
        self.source_combo.setMinimumWidth(260)
        self.source_combo.setToolTip("The assessment: one of the runner's sessions (its "
                                     "baseline block when it has one), or a file")
        b_file = QPushButton("File…")
        b_file.setToolTip("An analysis result (.json), a video or a landmark file")
        b_file.clicked.connect(self._pick_file)
        self.b_propose = QPushButton("Propose programme")
        self.b_propose.clicked.connect(self.propose_from_source)
        top = QHBoxLayout()
        for w in (QLabel("Runner:"), self.runner_combo, QLabel("Assessment:"), self.source_combo,
                  b_file, self.b_propose):
            top.addWidget(w)
        top.addStretch(1)
        self.status = QLabel()
        self.status.setWordWrap(True)

        self.picture_view = QTextBrowser()
        self.picture_view.setOpenExternalLinks(False)

        self.focus = QLabel()
        self.focus.setWordWrap(True)
        self.focus.setStyleSheet("font-weight:bold;")
        self.table = ProgrammeTable()
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.dose_changed.connect(self._dose_changed)
        self.add_combo = QComboBox()
        for ex in self.library:
            self.add_combo.addItem(f"{ex.name} ({ex.stage})", ex.id)
        b_add = QPushButton("Add")
        b_add.clicked.connect(self.add_selected_exercise)
        self.b_remove = QPushButton("Remove")
        self.b_remove.clicked.connect(self.remove_current)
        b_up, b_down = QPushButton("↑"), QPushButton("↓")
        b_up.clicked.connect(lambda: self._move(-1))
        b_down.clicked.connect(lambda: self._move(1))
        self.b_save = QPushButton("Save with runner")
        self.b_save.clicked.connect(self.save)
        self.b_print = QPushButton("Print runner's page…")
        self.b_print.clicked.connect(self._print_dialog)
        self.b_coach = QPushButton("Coach with camera…")
        self.b_coach.clicked.connect(self._coach)
        edit = QHBoxLayout()
        for w in (self.add_combo, b_add, self.b_remove, b_up, b_down):
            edit.addWidget(w)
        edit.addStretch(1)
        actions = QHBoxLayout()
        for w in (self.b_save, self.b_print, self.b_coach):
            actions.addWidget(w)
        actions.addStretch(1)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.focus)
        ll.addWidget(self.table, 1)
        ll.addLayout(edit)
        ll.addLayout(actions)
        self.card = ExerciseCard()
        prog_split = QSplitter()
        prog_split.addWidget(left)
        prog_split.addWidget(self.card)
        prog_split.setStretchFactor(0, 3)
        prog_split.setStretchFactor(1, 2)

        self.load = LoadPanel()
        self.load.entered.connect(self.enter_load)
        self.load.delete_requested.connect(self._delete_load)
        self.b_compare = QPushButton("Compare baseline with the reassessment")
        self.b_compare.clicked.connect(self._compare)
        self.b_compare.setEnabled(False)
        load_box = QWidget()
        lb = QVBoxLayout(load_box)
        lb.addWidget(self.load, 1)
        lb.addWidget(self.b_compare, 0, Qt.AlignmentFlag.AlignLeft)

        self.practice = QWidget()
        self.practice_grid = QGridLayout(self.practice)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.picture_view, "Clinical picture")
        self.tabs.addTab(prog_split, "Programme")
        self.tabs.addTab(load_box, "Load && reassessment")
        self.tabs.addTab(self.practice, "Home practice")
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(self.tabs, 1)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        QShortcut(QKeySequence.StandardKey.Print, self, activated=self._print_dialog)
        QShortcut(QKeySequence.StandardKey.Delete, self.table, activated=self.remove_current)

    # ================================================================ runners, sources
    def refresh_runners(self, select: int | None = None) -> None:
        current = select if select is not None else self.runner_id
        self._filling = True
        self.runner_combo.clear()
        self.runner_combo.addItem("— no runner —", None)
        for r in self.store.list_runners():
            self.runner_combo.addItem(r.name, r.id)
        idx = self.runner_combo.findData(current) if current is not None else -1
        if idx < 0 and self.runner_combo.count() > 1 and current is None:
            idx = 1
        self.runner_combo.setCurrentIndex(max(idx, 0))
        self._filling = False
        self._runner_changed()

    @property
    def runner_id(self) -> int | None:
        return self.runner_combo.currentData() if hasattr(self, "runner_combo") else None

    def select_runner(self, runner_id: int | None) -> None:
        idx = self.runner_combo.findData(runner_id)
        if idx >= 0:
            self.runner_combo.setCurrentIndex(idx)

    def _runner_changed(self) -> None:
        if self._filling:
            return
        rid = self.runner_id
        self.source_combo.clear()
        sessions = self.store.list_sessions(rid) if rid is not None else self.store.list_sessions()
        for s in sessions[:40]:
            when = s.started.astimezone().strftime("%d %b %Y %H:%M") if s.started else s.id
            base = any(b.kind == "baseline" for b in self.store.blocks(s.id))
            self.source_combo.addItem(f"{when} — {s.title}" + (" (baseline block)" if base else ""),
                                      str(s.folder))
        self.programme = self.plans.active_programme(rid) if rid is not None else None
        self.dirty = False
        self._show_programme()
        self._show_load()

    def _pick_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Assessment", str(Path.home()),
            "Assessments (*.json *.mp4 *.mov *.avi *.mkv *.csv *.csv.gz);;All files (*)")
        if path:
            self.source_combo.insertItem(0, Path(path).name, path)
            self.source_combo.setCurrentIndex(0)

    # ================================================================ propose
    def propose_from_source(self) -> None:
        spec = self.source_combo.currentData()
        if spec is not None and not isinstance(spec, str):  # an assessment already read
            self.propose_from(spec)
            return
        if not spec:
            QMessageBox.information(self, "Plan", "Pick an assessment: one of the runner's "
                                    "sessions, or an analysis result, video or landmark file.")
            return
        from app.ui.shared.workers import Task, run_with_progress

        def work(task):  # noqa: ANN001, ANN202 - worker thread
            from app.plan.assessment import load_assessment

            return load_assessment(spec, progress=task.report)

        task = Task("plan-assessment", work, self)
        self._task = run_with_progress(self, "Assessment", "Reading the assessment…", task,
                                       self.propose_from, on_end=lambda: setattr(self, "_task", None))

    def propose_from(self, assessment) -> None:  # noqa: ANN001 - app.plan.assessment.Assessment
        """Picture + proposed programme of ``assessment`` (GUI thread)."""
        from app.plan.picture import clinical_picture, settings_bands
        from app.session.records import parse_utc

        if not assessment.has_gait:
            QMessageBox.warning(self, "Plan", f"No running steps were found in {assessment.label}.")
            return
        label = assessment.label + (f" ({assessment.part})" if assessment.part else "")
        if self.source_combo.currentText() != label:
            self.source_combo.insertItem(0, label, assessment)
            self.source_combo.setCurrentIndex(0)
        pic = clinical_picture(assessment.doc, settings_bands(), [label])
        started = parse_utc(assessment.started_utc)
        prog = propose(pic, self.library, baseline=started.astimezone().date() if started else None,
                       source=label, source_session=assessment.session_id)
        if self.programme is not None and self.programme.id is not None:
            prog = replace(prog, notes=self.programme.notes)
        self.programme = prog
        self.dirty = True
        self._show_programme()
        self.tabs.setCurrentIndex(0)

    # ================================================================ programme
    def _show_programme(self) -> None:
        prog = self.programme
        self.picture_view.setHtml(picture_html(dict(prog.picture) if prog else None))
        self.table.fill(prog, self.library)
        for b in (self.b_save, self.b_print, self.b_remove):
            b.setEnabled(prog is not None)
        if prog is None:
            self.focus.setText("No programme yet for this runner.")
        else:
            plan = f", plan {prog.plan}" if prog.plan else ""
            saved = "● not saved" if self.dirty else ("saved" if prog.id else "")
            self.focus.setText(f"{prog.focus_text}{plan}. Reassessment due "
                               f"{_dt.date.fromisoformat(prog.reassess_due):%d %b %Y}.  {saved}")
        self._selection_changed()
        self._show_practice()
        self._update_status()

    def _selection_changed(self) -> None:
        ex_id = self.table.current_id()
        ex = self.library.get(ex_id) if ex_id and ex_id in self.library else None
        dose = self.programme.item(ex_id).dose.text if ex is not None and self.programme else ""
        self.card.set_exercise(ex, dose)
        self.b_coach.setEnabled(bool(ex and ex.coached))

    def _edit(self, fn) -> bool:  # noqa: ANN001
        try:
            self.programme = fn(self.programme)
        except UserError as exc:
            QMessageBox.warning(self, "Programme", str(exc))
            return False
        self.dirty = True
        return True

    def _dose_changed(self, ex_id: str, field: str, value: int) -> None:
        if self.programme is not None and self._edit(lambda p: p.with_dose(ex_id, **{field: value})):
            self._show_programme_keep(ex_id)

    def _show_programme_keep(self, ex_id: str | None) -> None:
        self._show_programme()
        if ex_id:
            self.table.select_id(ex_id)

    def add_selected_exercise(self) -> None:
        ex_id = self.add_combo.currentData()
        if self.programme is None or ex_id is None:
            return
        if self._edit(lambda p: p.with_exercise(self.library.get(ex_id))):
            self._show_programme_keep(ex_id)

    def remove_current(self) -> None:
        ex_id = self.table.current_id()
        if self.programme is not None and ex_id and self._edit(lambda p: p.without(ex_id)):
            self._show_programme()

    def _move(self, delta: int) -> None:
        ex_id = self.table.current_id()
        if self.programme is not None and ex_id and self._edit(lambda p: p.moved(ex_id, delta)):
            self._show_programme_keep(ex_id)

    def save(self) -> bool:
        """Keep the programme with the selected runner (Ctrl+S)."""
        if self.programme is None:
            return False
        rid = self.runner_id
        if rid is None:
            QMessageBox.information(self, "Programme", "Pick the runner to keep this programme with.")
            return False
        try:
            self.programme = self.plans.save_programme(rid, self.programme)
        except UserError as exc:
            QMessageBox.warning(self, "Programme", str(exc))
            return False
        self.dirty = False
        self._show_programme()
        self._show_load()
        self.programme_saved.emit(int(self.programme.id))
        return True

    def _print_dialog(self) -> None:
        if self.programme is None:
            return
        name = self.runner_combo.currentText() if self.runner_id is not None else "runner"
        default = str(Path.home() / f"programme-{name.replace(' ', '_')}.pdf")
        path, _ = QFileDialog.getSaveFileName(self, "Runner's programme page", default, "PDF (*.pdf)")
        if path:
            self.print_to(Path(path))

    def print_to(self, path: Path) -> Path | None:
        """The clinician's picture page and the runner's programme page as one PDF."""
        from app.plan.printout import write_plan_pdf

        runner = self.runner_combo.currentText() if self.runner_id is not None else None
        try:
            write_plan_pdf(path, dict(self.programme.picture), self.programme, self.library,
                           runner, self._guidance())
        except OSError as exc:
            QMessageBox.warning(self, "Print", f"Cannot write {path}: {exc.strerror or exc}.")
            return None
        self.status.setText(f"Written {path}.")
        return path

    def _coach(self) -> None:
        ex_id = self.table.current_id()
        if ex_id:
            self.coach_requested.emit(ex_id, self.runner_id)

    # ================================================================ load, reassessment
    def _guidance(self) -> list[str]:
        rid = self.runner_id
        return guidance(self.plans.load_log(rid), _dt.date.today()) if rid is not None else []

    def _show_load(self) -> None:
        rid = self.runner_id
        self.load.setEnabled(rid is not None)
        if rid is None:
            self.load.show_log([], ["Pick a runner to log their weekly running."])
            self.load.reassess.setText("")
            return
        self.load.show_log(self.plans.load_log(rid), self._guidance())
        r = self.plans.reassessment(rid)
        self.load.reassess.setText(r.text if r is not None else "No programme yet: no reassessment date.")
        self.b_compare.setEnabled(bool(r and r.ready and self.programme and self.programme.source_session))
        self._reassessment = r

    def enter_load(self, week: _dt.date, volume: float, unit: str, pain: int, notes: str) -> None:
        rid = self.runner_id
        if rid is None:
            return
        try:
            self.plans.set_load(rid, week, volume, unit, pain, notes)
        except UserError as exc:
            QMessageBox.warning(self, "Load log", str(exc))
            return
        self._show_load()
        self.status.setText(f"Saved the week of {week - _dt.timedelta(days=week.weekday()):%d %b}.")

    def _delete_load(self, week: _dt.date) -> None:
        if self.runner_id is not None:
            self.plans.delete_load(self.runner_id, week)
            self._show_load()

    def _compare(self) -> None:
        r = getattr(self, "_reassessment", None)
        if r is not None and r.ready and self.programme and self.programme.source_session:
            self.compare_requested.emit(self.programme.source_session, r.session_id)

    # ================================================================ home practice
    def _show_practice(self) -> None:
        grid = self.practice_grid
        while grid.count():
            w = grid.takeAt(0).widget()
            if w is not None:
                w.setParent(None)  # gone from the view now, not at the next event loop turn
                w.deleteLater()
        prog = self.programme
        if prog is None or prog.id is None:
            grid.addWidget(QLabel("Save the programme with the runner to follow their home practice."), 0, 0)
            return
        today = _dt.date.today()
        monday = today - _dt.timedelta(days=today.weekday())
        ticks = self.plans.ticks(prog.id, monday, monday + _dt.timedelta(days=6))
        grid.addWidget(QLabel(f"<b>Week of {monday:%d %b}</b>"), 0, 0)
        for d, name in enumerate(WEEKDAYS):
            grid.addWidget(QLabel(name), 0, d + 1, Qt.AlignmentFlag.AlignCenter)
        for row, it in enumerate(prog.items, start=1):
            ex = self.library.get(it.exercise_id) if it.exercise_id in self.library else None
            grid.addWidget(QLabel(f"{ex.name if ex else it.exercise_id} — {it.dose.text}"), row, 0)
            for d in range(7):
                day = monday + _dt.timedelta(days=d)
                box = QCheckBox()
                box.setChecked((it.exercise_id, day) in ticks)
                box.toggled.connect(lambda on, e=it.exercise_id, dd=day: self._tick(e, dd, on))
                grid.addWidget(box, row, d + 1, Qt.AlignmentFlag.AlignCenter)
        grid.setRowStretch(len(prog.items) + 1, 1)
        grid.setColumnStretch(0, 1)

    def _tick(self, exercise_id: str, day: _dt.date, on: bool) -> None:
        if self.programme is None or self.programme.id is None:
            return
        if on:
            self.plans.tick(self.programme.id, exercise_id, day)
        else:
            self.plans.untick(self.programme.id, exercise_id, day)

    def _update_status(self) -> None:
        if self.library.problems:
            self.status.setText("Exercise library: " + " ".join(self.library.problems))

    # ================================================================ closing
    def done(self, r: int) -> None:  # noqa: D401 - Qt API
        if self.dirty and self.programme is not None and self.runner_id is not None and self.isVisible():
            box = QMessageBox(QMessageBox.Icon.Question, "Programme",
                              "Keep the changed programme with the runner?",
                              QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                              | QMessageBox.StandardButton.Cancel, self)
            ans = box.exec()
            if ans == QMessageBox.StandardButton.Cancel:
                return
            if ans == QMessageBox.StandardButton.Save and not self.save():
                return
        if self._task is not None:
            self._task.task.cancel()
            self._task.task.join(10.0)
        super().done(r)

    def close_store(self) -> None:
        if self._own_store:
            self.store.close()
            self._own_store = False
