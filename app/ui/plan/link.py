"""Ties the plan to the live window (GUI thread): the Plan menu, the plan window, the
camera-coached exercises, the home practice list, and the clinical picture shown after
a guided session's baseline (a dock beside its before/after comparison)."""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget, QHBoxLayout, QMenu, QPushButton, QTextBrowser, QVBoxLayout, QWidget,
)

from app.errors import UserError


class PlanLink:
    """Owned by the main window (``window.plan``)."""

    def __init__(self, window) -> None:  # noqa: ANN001 - MainWindow
        self.w = window
        self.plan_window = None
        self.coach_window = None
        self._resume = False
        self._build_menu()
        from app.ui.plan.panels import PracticePanel

        self.practice = PracticePanel()
        window.home.add_panel(self.practice)  # in the column, above the buttons
        self.practice.refresh()
        window.stack.currentChanged.connect(lambda i: self.practice.refresh() if i == 1 else None)

    def _build_menu(self) -> None:
        mb = self.w.menuBar()
        m = QMenu("&Plan", self.w)
        mb.insertMenu(mb.actions()[-1], m)  # before Help
        self.act_plan = QAction("Clinical picture && programme…", self.w,
                                shortcut=QKeySequence("Ctrl+P"))
        self.act_plan.triggered.connect(lambda: self.show_plan())
        self.act_squat = QAction("Coach single-leg squat…", self.w)
        self.act_squat.triggered.connect(lambda: self.show_coach("single_leg_squat"))
        self.act_balance = QAction("Coach single-leg balance…", self.w)
        self.act_balance.triggered.connect(lambda: self.show_coach("single_leg_balance"))
        for a in (self.act_plan, self.act_squat, self.act_balance):
            m.addAction(a)
        self.menu = m

    # ------------------------------------------------------------------ windows
    def show_plan(self, runner_id: int | None = None, assessment=None):  # noqa: ANN001
        """The plan window (made on first use), on ``runner_id``; with ``assessment``
        (``app.plan.assessment.Assessment``) its picture and proposal are shown."""
        from app.ui.plan.window import PlanWindow

        if self.plan_window is None:
            try:
                self.plan_window = PlanWindow(parent=self.w)
            except UserError as exc:
                self.w.show_banner(str(exc))
                return None
            pw = self.plan_window
            pw.compare_requested.connect(self.w.show_compare)
            pw.coach_requested.connect(lambda ex, rid: self.show_coach(ex, rid))
            pw.programme_saved.connect(lambda _pid: self._programme_changed())
        else:
            self.plan_window.refresh_runners()
        pw = self.plan_window
        if runner_id is not None:
            pw.select_runner(runner_id)
        if assessment is not None:
            pw.propose_from(assessment)
        pw.show()
        pw.raise_()
        return pw

    def _programme_changed(self) -> None:
        rid = self.plan_window.runner_id if self.plan_window is not None else None
        self.practice.refresh(rid)
        bro = self.w.sessions_dialog
        if bro is not None:
            bro.refresh()

    def show_coach(self, exercise: str, runner_id: int | None = None):  # noqa: ANN001
        """The coached exercise on the camera in use (or the demo person). The live
        window's own pipeline pauses meanwhile (one camera, two cores)."""
        from app.exercise.library import default_library
        from app.ui.plan.coach_view import CoachWindow

        lib = default_library()
        ex = lib.get(exercise)
        if self.coach_window is not None:
            self.coach_window.done(0)
        spec = self.w.source_spec if (self.w.source_spec or "").startswith("camera") else "demo"
        self._resume = self.w.running
        self.w.stop()
        runner = None
        if runner_id is not None and self.plan_window is not None:
            runner = self.plan_window.runner_combo.currentText()
        cw = CoachWindow(ex.coached or exercise, spec, parent=self.w, speak=self._speak, runner=runner)
        cw.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        cw.finished.connect(lambda _ex, doc: self._coached(ex.id, runner_id, doc))
        cw.destroyed.connect(self._coach_closed)
        self.coach_window = cw
        cw.show()
        cw.raise_()
        return cw

    def _speak(self, cue_id: str) -> str:
        """Speak a cue through the window's one audio engine; '' or why not."""
        fb = getattr(self.w, "fb", None)
        if fb is None or cue_id not in fb.library:
            return "No such cue."
        return fb.play(fb.library.get(cue_id))

    def _coached(self, exercise_id: str, runner_id: int | None, doc: dict) -> None:
        """Done in the coach window: tick the exercise off today with its result."""
        if runner_id is None:
            return
        from app.plan.store import PlanStore
        from app.session.store import open_store

        try:
            with open_store() as st:
                ps = PlanStore(st)
                prog = ps.active_programme(runner_id)
                if prog is not None and exercise_id in prog.exercise_ids:
                    ps.tick(prog.id, exercise_id, _dt.date.today(), {"summary": doc.get("summary")})
        except UserError as exc:
            self.w.show_banner(str(exc))
            return
        self.practice.refresh(runner_id)
        if self.plan_window is not None:
            self.plan_window._show_practice()

    def _coach_closed(self) -> None:
        self.coach_window = None
        if self._resume and self.w.source_spec is not None and not self.w.running:
            self.w.set_source(self.w.source_spec)

    # ------------------------------------------------------------------ after a baseline
    def after_session(self, outcome, runner_id: int | None, compare_view=None) -> None:  # noqa: ANN001
        """A guided session finished: its baseline block's clinical picture as a dock in
        the comparison window, with a button to plan from it."""
        cmp = getattr(outcome, "comparison", None)
        if cmp is None or compare_view is None:
            return
        from app.plan.picture import clinical_picture, settings_bands
        from app.ui.plan.widgets import picture_html

        label = f"{outcome.session_id} (baseline block)"
        pic = clinical_picture(cmp.before.result.to_json_dict(), settings_bands(), [label])
        view = QTextBrowser()
        view.setHtml(picture_html(pic.to_json()))
        b = QPushButton("Plan from this baseline…")

        def plan() -> None:
            from app.plan.assessment import Assessment

            doc = cmp.before.result.to_json_dict()
            doc["source"] = label
            a = Assessment(doc, label, "session", outcome.session_id, None,
                           _manifest_start(outcome.folder), "baseline block")
            self.show_plan(runner_id, a)
        b.clicked.connect(plan)
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(view, 1)
        row = QHBoxLayout()
        row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        old = compare_view.findChild(QDockWidget, "clinicalPicture")
        if old is not None:
            compare_view.removeDockWidget(old)
            old.deleteLater()
        dock = QDockWidget("Clinical picture (baseline)", compare_view)
        dock.setObjectName("clinicalPicture")
        dock.setWidget(box)
        # a tab beside the guided session's summary under the videos: a dock at the side
        # made the comparison window 1433 px wide, more than a 1366 px laptop screen
        summary = compare_view.findChild(QDockWidget, "protocolSummary")
        if summary is not None:
            compare_view.tabifyDockWidget(summary, dock)
            summary.raise_()  # the session's blocks first; the picture one click away
        else:
            compare_view.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.picture_dock = dock

    # ------------------------------------------------------------------ closing
    def close(self) -> None:
        if self.coach_window is not None:
            self._resume = False
            self.coach_window.done(0)
        if self.plan_window is not None:
            self.plan_window.dirty = False
            self.plan_window.done(0)
            self.plan_window.close_store()
        self.practice.close_store()


def _manifest_start(folder) -> str | None:  # noqa: ANN001
    from app.errors import InputFileError
    from app.session.folder import read_manifest

    try:
        return read_manifest(folder).get("started_utc") if folder is not None else None
    except InputFileError:
        return None
