"""Small plan panels placed in other windows (GUI thread only):

- :class:`PracticePanel` — the home practice layout's "today" list: the runner's
  programme as big buttons to tick off what they did today;
- :class:`RunnerPlanStrip` — in the session browser beside the runner's gait history:
  the programme's focus, the reassessment due date (with the before/after comparison
  ready when a reassessment session exists) and the weekly load plot.
"""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget,
)

from app.errors import UserError
from app.exercise.library import ExerciseLibrary, default_library
from app.plan.store import PlanStore
from app.ui.plan.widgets import LoadPlot

COLUMNS = 4


class PracticePanel(QWidget):
    """Today's exercises of one runner's programme, ticked with one press each. It opens
    its own store connection on the GUI thread; ``refresh()`` re-reads it."""

    def __init__(self, parent: QWidget | None = None, library: ExerciseLibrary | None = None) -> None:
        super().__init__(parent)
        self.library = library or default_library()
        self.store = None
        self.plans: PlanStore | None = None
        self.programme = None
        self.buttons: dict[str, QPushButton] = {}
        self.runner = QComboBox()
        self.runner.setStyleSheet("font-size:14px;")
        self.runner.currentIndexChanged.connect(lambda *_: self._show())
        self.title = QLabel("Today's exercises")
        self.title.setStyleSheet("font-size:16px; color:#b0bec5;")
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.runner)
        self.grid = QGridLayout()
        self.grid.setSpacing(6)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 4)
        lay.setSpacing(4)
        lay.addLayout(head)
        lay.addLayout(self.grid)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def _open(self) -> bool:
        if self.store is None:
            from app.session.store import open_store

            try:
                self.store = open_store()
            except UserError:
                return False
            self.plans = PlanStore(self.store)
        return True

    def refresh(self, runner_id: int | None = None) -> None:
        """Re-read the runners that have a programme; show ``runner_id`` (default: the one
        shown, else the runner whose programme is newest)."""
        if not self._open():
            self.hide()
            return
        keep = runner_id if runner_id is not None else self.runner.currentData()
        with_prog = []
        for r in self.store.list_runners():
            p = self.plans.active_programme(r.id)
            if p is not None:
                with_prog.append((p.created, p.id or 0, r))
        with_prog.sort(key=lambda t: (t[0], t[1]), reverse=True)
        self.runner.blockSignals(True)
        self.runner.clear()
        for _, _, r in with_prog:
            self.runner.addItem(r.name, r.id)
        idx = self.runner.findData(keep) if keep is not None else 0
        self.runner.setCurrentIndex(max(idx, 0))
        self.runner.blockSignals(False)
        self.setVisible(bool(with_prog))
        self._show()

    def _show(self) -> None:
        while self.grid.count():
            w = self.grid.takeAt(0).widget()
            if w is not None:
                w.setParent(None)  # gone from the view now, not at the next event loop turn
                w.deleteLater()
        self.buttons = {}
        rid = self.runner.currentData()
        self.programme = self.plans.active_programme(rid) if (self.plans and rid is not None) else None
        prog = self.programme
        if prog is None:
            return
        today = _dt.date.today()
        done = {e for e, d in self.plans.ticks(prog.id, today, today)}
        self.title.setText(f"Today's exercises — {len(done)} of {len(prog.items)} done")
        for i, it in enumerate(prog.items):
            ex = self.library.get(it.exercise_id) if it.exercise_id in self.library else None
            b = QPushButton(f"{ex.name if ex else it.exercise_id}\n{it.dose.text}")
            b.setCheckable(True)
            b.setChecked(it.exercise_id in done)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setMinimumHeight(40)
            b.setToolTip(ex.cue if ex else "")
            self._style(b)
            b.toggled.connect(lambda on, e=it.exercise_id, btn=b: self._toggle(e, on, btn))
            self.grid.addWidget(b, i // COLUMNS, i % COLUMNS)
            self.buttons[it.exercise_id] = b

    @staticmethod
    def _style(b: QPushButton) -> None:
        on = b.isChecked()
        b.setText(("✓ " if on else "") + b.text().removeprefix("✓ "))
        b.setStyleSheet("font-size:13px; border-radius:8px; padding:2px; "
                        + ("background:#2e7d32; color:white; border:2px solid #66bb6a;" if on else
                           "background:#37474f; color:#eceff1; border:2px solid #78909c;"))

    def _toggle(self, exercise_id: str, on: bool, b: QPushButton) -> None:
        """Tick (or untick) ``exercise_id`` for today."""
        if self.programme is None or self.plans is None:
            return
        today = _dt.date.today()
        if on:
            self.plans.tick(self.programme.id, exercise_id, today)
        else:
            self.plans.untick(self.programme.id, exercise_id, today)
        self._style(b)
        n = sum(1 for x in self.buttons.values() if x.isChecked())
        self.title.setText(f"Today's exercises — {n} of {len(self.buttons)} done")

    def close_store(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = self.plans = None


class RunnerPlanStrip(QWidget):
    """Programme focus, reassessment date and load plot of one runner (session browser).
    ``plan_requested(runner_id)`` opens the plan window; ``compare_requested(before,
    after)`` the baseline vs the reassessment session."""

    plan_requested = Signal(object)
    compare_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner_id: int | None = None
        self._pair: tuple[str, str] | None = None
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.reassess = QLabel()
        self.reassess.setWordWrap(True)
        self.reassess.setStyleSheet("font-weight:bold;")
        self.plot = LoadPlot()
        self.plot.setMinimumHeight(100)
        self.b_plan = QPushButton("Plan…")
        self.b_plan.setToolTip("Clinical picture, programme and load log of this runner")
        self.b_plan.clicked.connect(lambda: self.plan_requested.emit(self.runner_id))
        self.b_compare = QPushButton("Compare baseline vs reassessment")
        self.b_compare.clicked.connect(lambda: self._pair and self.compare_requested.emit(*self._pair))
        row = QHBoxLayout()
        row.addWidget(self.b_plan)
        row.addWidget(self.b_compare)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(QLabel("<b>Programme and load</b>"))
        lay.addWidget(self.text)
        lay.addWidget(self.reassess)
        lay.addWidget(self.plot, 1)
        lay.addLayout(row)

    def show_runner(self, store, runner_id: int | None) -> None:  # noqa: ANN001 - SessionStore
        """Fill from ``store`` for ``runner_id`` (None: hidden)."""
        self.runner_id = runner_id
        self.setVisible(runner_id is not None)
        if runner_id is None:
            return
        plans = PlanStore(store)
        prog = plans.active_programme(runner_id)
        weeks = plans.load_log(runner_id)
        self.plot.set_weeks(weeks)
        self._pair = None
        if prog is None:
            self.text.setText("No programme yet.")
            self.reassess.setText("")
        else:
            self.text.setText(prog.focus_text + f" ({len(prog.items)} exercises).")
            r = plans.reassessment(runner_id)
            self.reassess.setText(r.text if r is not None else "")
            if r is not None and r.ready and prog.source_session:
                self._pair = (prog.source_session, r.session_id)
        last = weeks[-1] if weeks else None
        if last is not None:
            self.text.setText(self.text.text() + f"  Last week logged: {last.volume:g} {last.unit}, "
                              f"pain {last.pain}/10.")
        self.b_compare.setEnabled(self._pair is not None)
