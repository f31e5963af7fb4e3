"""Session → Guided session…: pick runner → pick template (or today's plan session) →
camera framing check → Start.

:class:`ProtocolFlow` is a dialog with three pages. It reads runners, their sessions and
saved templates from the store (its own connection, GUI thread, closed with the dialog);
a new runner can be added inline. The framing page polls the live pipeline's newest
result (``latest()``, the window's pipeline) on a 10 Hz timer and runs
:class:`app.protocol.framing.FramingGuide` on it. Accepted, :attr:`choice` holds what to
run; the caller (``app.ui.protocol.link``) starts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QDialog, QGridLayout, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QListWidget, QListWidgetItem, QPushButton, QStackedWidget,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from app.errors import UserError
from app.protocol.framing import FramingGuide, FramingReport
from app.protocol.templates import Template, TemplateLibrary
from app.session.records import plural
from app.ui.protocol.widgets import BAD_COLOR, OK_COLOR, BlockTimeline, FramingView, block_feedback_words
from app.ui.shared.fmt import mmss
from app.ui.shared.screen_fit import fit_to_screen

POLL_MS = 100
PAGES = ("runner", "template", "camera")
NO_RUNNER = -1


@dataclass(frozen=True)
class FlowChoice:
    """What the runner flow chose. ``plan``/``plan_session`` when today's session of a
    plan; ``framing`` the last framing verdict; ``override`` True when Start was forced
    past failing checks."""

    runner_id: int | None
    runner_name: str
    template: Template
    plan: str | None
    plan_session: int | None
    plan_message: str
    framing: FramingReport | None
    override: bool


class ProtocolFlow(QDialog):
    """See the module docstring. ``latest()`` returns the pipeline's newest
    ``LiveResult`` (or None); ``view_needed(view)`` asks the window for the template's
    camera view when the framing page opens."""

    view_needed = Signal(str)
    edit_templates = Signal()

    def __init__(self, latest: Callable[[], object], parent: QWidget | None = None, *,
                 store=None, runner_id: int | None = None,  # noqa: ANN001
                 video_problem: Callable[[], str] | None = None,
                 latest_for: Callable[[str], object] | None = None) -> None:
        super().__init__(parent)
        #: '' while live video flows, else why not (no camera, camera lost…)
        self.video_problem = video_problem or (lambda: "")
        self.no_video = ""
        self.setWindowTitle("Guided session")
        fit_to_screen(self, 1100, 720)
        self.latest = latest
        #: ``latest_for(view)``: the newest result of the camera filming ``view`` (two cameras)
        self.latest_for = latest_for
        self.choice: FlowChoice | None = None
        self._own_store = store is None
        if store is None:
            from app.session.store import open_store

            store = open_store()
        self.store = store
        self.library = TemplateLibrary.load()
        self.guide = FramingGuide()
        self.guide2: FramingGuide | None = None  # a two-view template's second camera
        self._seq2 = -1
        self.report: FramingReport | None = None
        self._last_seq = -1
        self._entries: list[tuple[Template, str | None, int | None, str]] = []

        root = QVBoxLayout(self)
        self.steps = QLabel()
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        root.addWidget(self.steps)
        self.pages = QStackedWidget()
        root.addWidget(self.pages, 1)
        self._build_runner_page()
        self._build_template_page()
        self._build_camera_page()
        row = QHBoxLayout()
        self.problems = QLabel("")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color:#b71c1c;")
        row.addWidget(self.problems, 1)
        self.b_back = QPushButton("Back")
        self.b_next = QPushButton("Next")
        self.b_start = QPushButton("Start session")
        self.b_start.setStyleSheet("font-weight:bold;")
        self.b_cancel = QPushButton("Cancel")
        for b in (self.b_back, self.b_next, self.b_start, self.b_cancel):
            row.addWidget(b)
        root.addLayout(row)
        self.b_back.clicked.connect(lambda: self.go(self.pages.currentIndex() - 1))
        self.b_next.clicked.connect(lambda: self.go(self.pages.currentIndex() + 1))
        self.b_start.clicked.connect(self.start)
        self.b_cancel.clicked.connect(self.reject)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._poll)
        self.fill_runners(select=runner_id)
        self.go(0)

    # ================================================================ pages
    def _build_runner_page(self) -> None:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.addWidget(_heading("Who is running?"))
        self.runners = QListWidget()
        self.runners.setStyleSheet("font-size:16px;")
        self.runners.itemDoubleClicked.connect(lambda _i: self.go(1))
        self.runners.currentItemChanged.connect(lambda *_: self._runner_changed())
        lay.addWidget(self.runners, 1)
        row = QHBoxLayout()
        self.new_runner = QLineEdit()
        self.new_runner.setPlaceholderText("New runner's name")
        self.new_runner.returnPressed.connect(self.add_runner)
        self.b_add_runner = QPushButton("Add runner")
        self.b_add_runner.clicked.connect(self.add_runner)
        row.addWidget(self.new_runner, 1)
        row.addWidget(self.b_add_runner)
        lay.addLayout(row)
        self.runner_info = QLabel("")
        self.runner_info.setWordWrap(True)
        lay.addWidget(self.runner_info)
        self.pages.addWidget(page)

    def _build_template_page(self) -> None:
        page = QWidget()
        lay = QHBoxLayout(page)
        left = QVBoxLayout()
        left.addWidget(_heading("Which session?"))
        self.templates = QListWidget()
        self.templates.setMinimumWidth(360)
        self.templates.setWordWrap(True)
        self.templates.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.templates.setSpacing(2)
        self.templates.currentRowChanged.connect(self._template_changed)
        self.templates.itemDoubleClicked.connect(lambda _i: self.go(2))
        left.addWidget(self.templates, 1)
        self.b_edit = QPushButton("Edit templates…")
        self.b_edit.clicked.connect(self.edit_templates)
        left.addWidget(self.b_edit)
        lay.addLayout(left)
        right = QVBoxLayout()
        self.t_title = QLabel("")
        self.t_title.setStyleSheet("font-size:20px; font-weight:bold;")
        self.t_plan = QLabel("")
        self.t_plan.setWordWrap(True)
        self.t_plan.setStyleSheet("font-size:15px; color:#1565c0; font-weight:bold;")
        self.t_desc = QLabel("")
        self.t_desc.setWordWrap(True)
        self.timeline = BlockTimeline()
        self.t_blocks = QTableWidget(0, 4)
        self.t_blocks.setHorizontalHeaderLabels(("Block", "Length", "Feedback", "On screen"))
        self.t_blocks.verticalHeader().setVisible(False)
        self.t_blocks.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.t_blocks.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        hh = self.t_blocks.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setStretchLastSection(True)
        for w in (self.t_title, self.t_plan, self.t_desc, self.timeline):
            right.addWidget(w)
        right.addWidget(self.t_blocks, 1)
        lay.addLayout(right, 1)
        self.pages.addWidget(page)

    def _build_camera_page(self) -> None:
        page = QWidget()
        lay = QHBoxLayout(page)
        self.framing_view = FramingView()
        lay.addWidget(self.framing_view, 3)
        right = QVBoxLayout()
        right.addWidget(_heading("Camera check"))
        self.need = QLabel("")
        self.need.setWordWrap(True)
        right.addWidget(self.need)
        grid = QGridLayout()
        self.check_rows: dict[str, tuple[QLabel, QLabel, QLabel]] = {}
        for r, key in enumerate(("body", "feet", "view", "light", "level")):
            icon, title, hint = QLabel("…"), QLabel(key), QLabel("")
            icon.setFixedWidth(30)
            icon.setStyleSheet("font-size:22px; font-weight:bold;")
            title.setStyleSheet("font-size:15px; font-weight:bold;")
            hint.setWordWrap(True)
            grid.addWidget(icon, 2 * r, 0, 2, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(title, 2 * r, 1)
            grid.addWidget(hint, 2 * r + 1, 1)
            self.check_rows[key] = (icon, title, hint)
        grid.setColumnStretch(1, 1)
        right.addLayout(grid)
        right.addStretch(1)
        self.second = QLabel("")  # a two-view template: the second camera's checks
        self.second.setWordWrap(True)
        self.second.setTextFormat(Qt.TextFormat.RichText)
        self.second.hide()
        right.addWidget(self.second)
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        self.verdict.setStyleSheet("font-size:15px; font-weight:bold;")
        right.addWidget(self.verdict)
        self.override = QCheckBox("Start anyway — I have checked the camera myself")
        self.override.toggled.connect(lambda _on: self._update_buttons())
        right.addWidget(self.override)
        from app.ui.live.source_help import SourceChoices

        self.source_choices = SourceChoices()  # no live video: the ways out (the window's)
        self.source_choices.hide()
        right.addWidget(self.source_choices)
        w = QWidget()
        w.setLayout(right)
        w.setMinimumWidth(340)
        w.setMaximumWidth(420)
        lay.addWidget(w, 2)
        self.pages.addWidget(page)

    # ================================================================ navigation
    def go(self, index: int) -> None:
        """Show page ``index`` (0 runner, 1 template, 2 camera); Next is refused with a
        sentence when the page is not complete."""
        index = max(0, min(index, len(PAGES) - 1))
        cur = self.pages.currentIndex()
        if index > cur and cur == 0 and self.runners.currentItem() is None:
            self.problems.setText("Choose a runner (or 'No runner') first.")
            return
        if index > cur and index == 2 and self.current_entry() is None:
            self.problems.setText("Choose a session template first.")
            return
        self.problems.setText("")
        if index == 1:
            self.fill_templates()
        self.pages.setCurrentIndex(index)
        if index == 2:
            tpl = self.current_entry()[0]
            views = tpl.view.split("+")
            self.guide.reset(views[0])
            self.guide2 = FramingGuide(views[1]) if len(views) > 1 else None
            self.second.setVisible(self.guide2 is not None)
            self.report = None
            self._last_seq = self._seq2 = -1
            self.need.setText(f"<b>{tpl.title}</b> needs the <b>{tpl.view_words}</b>: the whole "
                              "runner, head to feet, with the treadmill deck around the feet"
                              + (" — in both cameras (the side camera is shown)." if self.guide2 else "."))
            self.view_needed.emit(tpl.view)
            self.timer.start(POLL_MS)
            self._show_report(self.guide.report())
        else:
            self.timer.stop()
        names = ("1 Runner", "2 Session", "3 Camera")
        self.steps.setText("  ›  ".join(f"<b>{n}</b>" if i == index else
                                        f"<span style='color:#888'>{n}</span>"
                                        for i, n in enumerate(names)))
        self._update_buttons()

    def _update_buttons(self) -> None:
        i = self.pages.currentIndex()
        self.b_back.setEnabled(i > 0)
        self.b_next.setVisible(i < 2)
        self.b_start.setVisible(i == 2)
        ready = self.ready
        video = not self.no_video
        self.override.setEnabled(video)  # "anyway" cannot make up for no video at all
        self.b_start.setEnabled(i == 2 and video and (ready or self.override.isChecked()))
        self.b_start.setDefault(i == 2)
        self.b_next.setDefault(i < 2)

    # ================================================================ runners
    def fill_runners(self, select: int | None = None) -> None:
        self.runners.clear()
        none = QListWidgetItem("No runner (the session is not added to anyone's history)")
        none.setData(Qt.ItemDataRole.UserRole, NO_RUNNER)
        self.runners.addItem(none)
        for r in self.store.list_runners():
            it = QListWidgetItem(r.name)
            it.setData(Qt.ItemDataRole.UserRole, r.id)
            self.runners.addItem(it)
            if r.id == select:
                self.runners.setCurrentItem(it)

    def add_runner(self) -> None:
        """Add the typed name as a new runner and select it."""
        name = self.new_runner.text().strip()
        if not name:
            self.problems.setText("Type the new runner's name first.")
            return
        try:
            r = self.store.add_runner(name)
        except UserError as exc:
            self.problems.setText(str(exc))
            return
        self.new_runner.clear()
        self.problems.setText("")
        self.fill_runners(select=r.id)

    @property
    def runner_id(self) -> int | None:
        it = self.runners.currentItem()
        rid = None if it is None else it.data(Qt.ItemDataRole.UserRole)
        return None if rid in (None, NO_RUNNER) else int(rid)

    def select_runner(self, name: str) -> None:
        for i in range(self.runners.count()):
            if self.runners.item(i).text() == name:
                self.runners.setCurrentRow(i)
                return
        raise UserError(f"There is no runner named {name!r}.")

    def _runner_changed(self) -> None:
        rid = self.runner_id
        if rid is None:
            self.runner_info.setText("")
            return
        sessions = self.store.list_sessions(rid)
        done = [s for s in sessions if (s.summary or {}).get("protocol")]
        last = sessions[0].title if sessions else "none yet"
        self.runner_info.setText(f"{plural(len(sessions), 'session')}, {len(done)} guided; last: {last}.")

    # ================================================================ templates
    def fill_templates(self) -> None:
        """Plans (with today's session for the runner), then the templates: shipped, the
        user's own and the runner's saved ones."""
        from app.protocol.plan import load_plans, today

        rid = self.runner_id
        lib = TemplateLibrary.load()
        runner_name = self.runners.currentItem().text() if self.runners.currentItem() else ""
        if rid is not None:
            lib = lib.with_runner(self.store.runner_templates(rid), runner_name)
        self.library = lib
        problems = list(lib.problems)
        keep = self.current_entry()
        self._entries = []
        self.templates.blockSignals(True)
        self.templates.clear()
        plans, plan_problems = load_plans(library=lib)
        problems += plan_problems
        if rid is not None:
            sessions = self.store.list_sessions(rid)
            header = False
            for pl in plans.values():
                now = today(pl, sessions)
                if now.session is None:
                    continue
                if not header:
                    self._add_header(f"Plans — {runner_name}'s next session")
                    header = True
                n = now.session.number
                t = pl.template_for(n, lib)
                short = pl.title.split(",")[0]  # "Cadence retraining, 8 sessions over …"
                self._add_entry(f"▶ {short} plan\n     today: session {n} of {len(pl.sessions)}",
                                (t, pl.name, n, now.message), bold=True, tip=pl.title)
        self._add_header("Templates")
        for t in lib:
            src = {"user": " [your template]", "runner": f" [saved with {runner_name}]"}.get(t.source, "")
            self._add_entry(f"{t.title} — {t.view_words}, {t.duration_s / 60:g} min{src}",
                            (t, None, None, ""))
        self.templates.blockSignals(False)
        idx = 0
        if keep is not None:
            idx = next((i for i, e in enumerate(self._entries)
                        if e[0].name == keep[0].name and e[1] == keep[1]), 0)
        self._select_entry(idx)
        self.problems.setText(" ".join(problems))

    def _add_entry(self, text: str, entry, bold: bool = False, tip: str = "") -> None:  # noqa: ANN001
        it = QListWidgetItem(text)
        it.setToolTip(tip)
        it.setData(Qt.ItemDataRole.UserRole, len(self._entries))
        if bold:
            f = it.font()
            f.setBold(True)
            it.setFont(f)
        self.templates.addItem(it)
        self._entries.append(entry)

    def _add_header(self, text: str) -> None:
        it = QListWidgetItem(text)
        it.setFlags(Qt.ItemFlag.NoItemFlags)
        f = it.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.1)
        it.setFont(f)
        it.setForeground(QColor("#1565c0"))
        self.templates.addItem(it)

    def _select_entry(self, idx: int) -> None:
        for row in range(self.templates.count()):
            if self.templates.item(row).data(Qt.ItemDataRole.UserRole) == idx:
                self.templates.setCurrentRow(row)
                self._template_changed(row)
                return

    def select_template(self, name: str, plan: str | None = None) -> None:
        for i, e in enumerate(self._entries):
            if e[0].name == name and e[1] == plan:
                self._select_entry(i)
                return
        raise UserError(f"There is no template {name!r} in the list.")

    def current_entry(self):  # noqa: ANN201
        it = self.templates.currentItem()
        i = None if it is None else it.data(Qt.ItemDataRole.UserRole)
        return self._entries[i] if isinstance(i, int) and 0 <= i < len(self._entries) else None

    def _template_changed(self, _row: int) -> None:
        e = self.current_entry()
        if e is None:
            return
        t, plan, n, msg = e
        self.t_title.setText(t.title)
        self.t_plan.setText(msg)
        self.t_plan.setVisible(bool(msg))
        self.t_desc.setText(f"{t.description}\n\nCamera: {t.view_words} · "
                            f"{len(t.blocks)} blocks · {t.duration_s / 60:g} min")
        self.timeline.set_blocks(t.blocks)
        self.t_blocks.setRowCount(len(t.blocks))
        for r, b in enumerate(t.blocks):
            cells = (f"{r + 1}. {b.name}", mmss(b.duration_s), block_feedback_words(b),
                     b.instruction)
            for c, text in enumerate(cells):
                self.t_blocks.setItem(r, c, QTableWidgetItem(text))

    # ================================================================ camera
    def _poll(self) -> None:
        from app.ui.live.source_help import WAY_OUT

        problem = self.video_problem()
        if problem != self.no_video:
            self.no_video = problem
            self.source_choices.setVisible(bool(problem))
            if problem:
                self.framing_view.set_frame(None, None, None)
                self.framing_view.message = "No live video"
                self.verdict.setText(f"{problem} {WAY_OUT}")
                self.verdict.setStyleSheet("font-size:15px; font-weight:bold; color:#b71c1c;")
            else:
                self.verdict.setText("")
                self._last_seq = -1
            self._update_buttons()
        if problem:
            self.framing_view.update()
            return
        self._poll_second()
        res = self._latest_of(self.guide.view)
        if res is None:
            self.framing_view.message = "Waiting for the camera…"
            self.framing_view.update()
            return
        if res.seq == self._last_seq:
            return
        self._last_seq = res.seq
        img = res.frame.image
        h, w = img.shape[:2]
        self.report = self.guide.update(res.landmarks, img, w, h)
        self.framing_view.set_frame(img, res.landmarks, self.report)
        self._show_report(self.report)

    def _latest_of(self, view: str):  # noqa: ANN202
        return self.latest_for(view) if self.latest_for is not None else self.latest()

    @property
    def ready(self) -> bool:
        """Every essential check passes (on both cameras for a two-view template)."""
        ok = self.report is not None and self.report.ready
        return ok and (self.guide2 is None or self.guide2.report().ready)

    def _poll_second(self) -> None:
        """A two-view template: the second camera's checks, one line under the first's."""
        from app.ui.live.cameras_panel import framing_html

        g = self.guide2
        if g is None:
            return
        res = self.latest_for(g.view) if self.latest_for is not None else None
        title = f"{g.view.capitalize()} camera"
        if res is None or res.view.value != g.view:
            text, tip = framing_html(title, None, f"No {g.view} camera runs: set it in Setup → "
                                     "Cameras (the demo runner films both views).")
        else:
            if res.seq != self._seq2:
                self._seq2 = res.seq
                f = res.frame
                g.update(res.landmarks, f.image, f.width, f.height)
            text, tip = framing_html(title, g.report())
        if self.second.text() != text:
            self.second.setText(text)
            self.second.setToolTip(tip)
            self._update_buttons()

    def check_frame(self, landmarks, image) -> FramingReport:  # noqa: ANN001
        """Feed one frame to the guide directly (tests, stills)."""
        h, w = image.shape[:2]
        self.report = self.guide.update(landmarks, image, w, h)
        self.framing_view.set_frame(image, landmarks, self.report)
        self._show_report(self.report)
        return self.report

    def _show_report(self, rep: FramingReport) -> None:
        shown = {c.key for c in rep.checks}
        for key, row in self.check_rows.items():  # "level": rear and front views only
            for w in row:
                w.setVisible(key in shown)
        for c in rep.checks:
            icon, title, hint = self.check_rows[c.key]
            waiting = rep.samples == 0
            icon.setText("…" if waiting else ("✓" if c.ok else "✗"))
            color = "#888" if waiting else (OK_COLOR if c.ok else BAD_COLOR)
            icon.setStyleSheet(f"font-size:22px; font-weight:bold; color:{color};")
            title.setText(c.title + ("" if c.essential else " (advice)"))
            hint.setText(c.hint)
        if rep.samples == 0:
            self.verdict.setText("")
        elif rep.ready and self.guide2 is not None and not self.guide2.report().ready:
            self.verdict.setText(f"Fix the {self.guide2.view} camera's amber items, or tick Start anyway.")
            self.verdict.setStyleSheet("font-size:15px; font-weight:bold; color:#e65100;")
        elif rep.ready:
            self.verdict.setText("Ready: press Start session.")
            self.verdict.setStyleSheet(f"font-size:15px; font-weight:bold; color:{OK_COLOR};")
        else:
            self.verdict.setText("Fix the amber items, or tick Start anyway.")
            self.verdict.setStyleSheet("font-size:15px; font-weight:bold; color:#e65100;")
        self._update_buttons()

    # ================================================================ finish
    def start(self) -> None:
        e = self.current_entry()
        if e is None:
            return
        ready = self.ready
        if self.no_video:
            self.problems.setText(f"There is no live video to run the session on: {self.no_video}")
            return
        if not ready and not self.override.isChecked():
            return
        t, plan, n, msg = e
        it = self.runners.currentItem()
        name = "" if it is None or self.runner_id is None else it.text()
        self.choice = FlowChoice(self.runner_id, name, t, plan, n, msg, self.report,
                                 override=not ready)
        self.accept()

    def done(self, r: int) -> None:  # noqa: D401 - Qt API
        self.timer.stop()
        if self._own_store and self.store is not None:
            self.store.close()
            self.store = None
        super().done(r)


def _heading(text: str) -> QLabel:
    lab = QLabel(text)
    lab.setStyleSheet("font-size:20px; font-weight:bold;")
    return lab
