"""Widgets of the plan window: the clinical picture as rich text, the programme table
with its dose editors, the exercise detail card, and the load log with its plot.
GUI thread only; they hold no store — the window reads and writes it."""

from __future__ import annotations

import datetime as _dt
import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDateEdit, QDoubleSpinBox, QFormLayout, QHBoxLayout,
    QHeaderView, QLabel, QLineEdit, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from app.exercise.library import STAGE_LABELS, Exercise
from app.plan.load import LoadWeek
from app.ui.plan.exercise_figure import ExerciseFigure

_SEV = {"primary": "#c62828", "comp": "#ef6c00", "other": "#616161"}


def picture_html(pic: dict | None) -> str:
    """The clinical picture (``ClinicalPicture.to_json()``) as HTML for a QTextBrowser."""
    if not pic:
        return ("<p style='color:#666'>No clinical picture yet: pick an assessment and press "
                "<b>Propose programme</b>.</p>")
    e = html.escape
    out = [f"<h2 style='margin:0'>{e(pic.get('headline', ''))}</h2>",
           f"<p style='color:#666'>From {e(', '.join(pic.get('sources') or []))} — "
           f"{pic.get('n_steps', 0)} steps, {e(', '.join(pic.get('views') or []))} view.</p>"]
    prim = pic.get("primary")
    if prim:
        out.append(f"<p><b>Points to:</b> {e(prim.get('deficit', ''))}.</p>")
        out.append(_finding(prim, "Primary candidate", _SEV["primary"]))
        for f in pic.get("compensations") or []:
            out.append(_finding(f, "Likely compensation", _SEV["comp"]))
        for f in pic.get("other_findings") or []:
            out.append(_finding(f, "Also outside its band", _SEV["other"]))
    for title, items in (("Watch (outside the band but within its own noise)",
                          [f.get("sentence", "") for f in pic.get("watch") or []]),
                         ("Not measured", pic.get("not_measured") or []),
                         ("Notes", pic.get("warnings") or [])):
        if items:
            out.append(f"<p><b>{e(title)}</b></p><ul>" + "".join(f"<li>{e(t)}</li>" for t in items) + "</ul>")
    out.append(f"<p style='color:#777; font-size:small'>{e(pic.get('note', ''))}</p>")
    return "\n".join(out)


def _finding(f: dict, kind: str, color: str) -> str:
    e = html.escape
    ev = f.get("evidence") or {}
    rows = []
    for key, name in (("all", "All steps"), ("left", "Left"), ("right", "Right")):
        st = ev.get(key) or {}
        if st.get("n"):
            rows.append(f"<tr><td>{name}</td><td align=right>{_num(st.get('mean'))}</td>"
                        f"<td align=right>{_num(st.get('sd'))}</td><td align=right>{st['n']}</td></tr>")
    g = ev.get("green") or [None, None]
    return (f"<p style='margin-bottom:2px'><b style='color:{color}'>{e(kind)}: {e(f.get('label', ''))}</b>"
            f" — {e(f.get('finding', ''))}</p>"
            f"<table cellspacing=0 cellpadding=2 style='margin-left:16px'>"
            f"<tr><th align=left>{e(ev.get('label', ''))} ({e(ev.get('unit', ''))})</th>"
            f"<th>mean</th><th>SD</th><th>steps</th></tr>{''.join(rows)}</table>"
            f"<p style='margin-left:16px; margin-top:2px'>Band {_num(g[0])} to {_num(g[1])}; "
            f"{_num(ev.get('z'))} SD outside ({e(ev.get('severity', ''))}). "
            f"Tends to load: {e(f.get('tissue', ''))}.</p>")


def _num(v) -> str:  # noqa: ANN001
    return "—" if v is None else (f"{v:.1f}".replace("-", "−") if isinstance(v, float) else str(v))


class ExerciseCard(QWidget):
    """Figure, dose, steps, cue and where to progress / regress, for one exercise."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.figure = ExerciseFigure()
        self.figure.setMinimumHeight(150)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.figure, 2)
        lay.addWidget(self.text, 3)

    def set_exercise(self, ex: Exercise | None, dose_text: str = "") -> None:
        self.figure.set_exercise(ex)
        if ex is None:
            self.text.setText("")
            return
        e = html.escape
        steps = "".join(f"<li>{e(s)}</li>" for s in ex.instructions)
        more = []
        for label, st in (("Progress to", ex.progression), ("Step back to", ex.regression)):
            if st is not None:
                target = st.to.replace("_", " ") if st.to else "a harder version"
                more.append(f"<b>{label}</b> {e(target)} — when {e(st.when)}.")
        coached = " · <i>camera-coached</i>" if ex.coached else ""
        self.text.setText(
            f"<b style='font-size:large'>{e(ex.name)}</b><br>{e(dose_text or ex.dose.text)} · "
            f"{e(STAGE_LABELS[ex.stage])} · {e(ex.category)}{coached}<ol>{steps}</ol>"
            f"<p><b>Think:</b> “{e(ex.cue)}”</p><p>{'<br>'.join(more)}</p>")


class ProgrammeTable(QTableWidget):
    """The programme's exercises with editable dose. ``dose_changed(exercise_id, field,
    value)`` is emitted when the clinician changes a number."""

    COLS = ("Exercise", "Stage", "Sets", "Reps / s", "Days / week")
    dose_changed = Signal(str, str, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.COLS), parent)
        self.setHorizontalHeaderLabels(self.COLS)
        self.verticalHeader().setVisible(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        h = self.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.ids: list[str] = []

    def fill(self, programme, library) -> None:  # noqa: ANN001
        keep = self.current_id()
        self.blockSignals(True)
        self.setRowCount(0)
        self.ids = []
        for row, it in enumerate(programme.items if programme is not None else ()):
            ex = library.get(it.exercise_id) if it.exercise_id in library else None
            self.insertRow(row)
            self.ids.append(it.exercise_id)
            name = QTableWidgetItem((ex.name if ex else it.exercise_id) + ("  ◉" if ex and ex.coached else ""))
            name.setToolTip("camera-coached" if ex and ex.coached else it.exercise_id)
            self.setItem(row, 0, name)
            self.setItem(row, 1, QTableWidgetItem(STAGE_LABELS[ex.stage] if ex else ""))
            d = it.dose
            timed = d.seconds is not None
            for col, (field, value, lo, hi, suffix) in enumerate((
                    ("sets", d.sets, 1, 10, ""),
                    ("seconds" if timed else "reps", d.seconds if timed else d.reps,
                     5 if timed else 1, 600 if timed else 100,
                     " s" if timed else (" each side" if d.per_side else "")),
                    ("per_week", d.per_week, 1, 7, "")), start=2):
                spin = QSpinBox()
                spin.setRange(lo, hi)
                spin.setValue(int(value))
                spin.setSuffix(suffix)
                spin.setFrame(False)
                spin.valueChanged.connect(
                    lambda v, ex_id=it.exercise_id, f=field: self.dose_changed.emit(ex_id, f, int(v)))
                self.setCellWidget(row, col, spin)
        self.blockSignals(False)
        if keep in self.ids:
            self.selectRow(self.ids.index(keep))
        elif self.ids:
            self.selectRow(0)

    def current_id(self) -> str | None:
        rows = {i.row() for i in self.selectedIndexes()}
        if len(rows) == 1:
            r = rows.pop()
            return self.ids[r] if r < len(self.ids) else None
        return None

    def select_id(self, exercise_id: str) -> None:
        if exercise_id in self.ids:
            self.selectRow(self.ids.index(exercise_id))


class LoadPanel(QWidget):
    """Quick weekly entry (week, volume, unit, pain 0–10, note), the plot of volume (bars)
    and pain (line) by week, and the guidance lines. ``entered(week, volume, unit, pain,
    notes)`` when Save week (or Enter) is pressed."""

    entered = Signal(object, float, str, int, str)
    delete_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.week = QDateEdit(QDate.currentDate())
        self.week.setCalendarPopup(True)
        self.week.setDisplayFormat("'Week of' d MMM yyyy")
        self.volume = QDoubleSpinBox()
        self.volume.setRange(0, 3000)
        self.volume.setDecimals(1)
        self.volume.setValue(20.0)
        self.unit = QComboBox()
        self.unit.addItems(["km", "min"])
        self.pain = QSpinBox()
        self.pain.setRange(0, 10)
        self.pain.setSuffix(" / 10")
        self.notes = QLineEdit()
        self.notes.setPlaceholderText("note (optional)")
        self.b_save = QPushButton("Save week")
        self.b_save.setDefault(True)
        self.b_save.clicked.connect(self._emit)
        self.notes.returnPressed.connect(self._emit)
        self.b_delete = QPushButton("Delete week")
        self.b_delete.clicked.connect(lambda: self.delete_requested.emit(self.week.date().toPython()))
        row = QHBoxLayout()
        form = QFormLayout()
        form.addRow("Week:", self.week)
        vol = QHBoxLayout()
        vol.addWidget(self.volume)
        vol.addWidget(self.unit)
        form.addRow("Running:", vol)
        form.addRow("Highest pain:", self.pain)
        form.addRow("", self.notes)
        row.addLayout(form, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.b_save)
        buttons.addWidget(self.b_delete)
        buttons.addStretch(1)
        row.addLayout(buttons)
        self.plot = LoadPlot()
        self.guidance = QLabel()
        self.guidance.setWordWrap(True)
        self.reassess = QLabel()
        self.reassess.setWordWrap(True)
        self.reassess.setStyleSheet("font-weight:bold;")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.guidance)
        lay.addWidget(self.reassess)

    def _emit(self) -> None:
        self.entered.emit(self.week.date().toPython(), float(self.volume.value()),
                          self.unit.currentText(), int(self.pain.value()), self.notes.text().strip())

    def show_log(self, weeks: list[LoadWeek], guidance: list[str]) -> None:
        self.plot.set_weeks(weeks)
        self.guidance.setText("\n".join(f"• {g}" for g in guidance))
        if weeks:
            self.unit.setCurrentText(weeks[-1].unit)
            self.volume.setValue(weeks[-1].volume)


class LoadPlot(pg.GraphicsLayoutWidget):
    """Weekly volume as bars (left axis) and pain 0–10 as a red line (right axis)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(150)
        self.p = self.addPlot(axisItems={"bottom": pg.DateAxisItem()})
        self.p.setMouseEnabled(x=False, y=False)
        self.p.hideButtons()
        self.p.showGrid(y=True, alpha=0.2)
        self.p.setLabel("left", "volume")
        self.pain_vb = pg.ViewBox()
        self.pain_vb.setZValue(100)  # the pain line over the bars (the plot item is at 0)
        self.p.showAxis("right")
        self.p.scene().addItem(self.pain_vb)
        self.p.getAxis("right").linkToView(self.pain_vb)
        self.p.getAxis("right").setLabel("pain (0–10)", color="#ef5350")
        self.pain_vb.setXLink(self.p)
        self.pain_vb.setYRange(0, 10, padding=0.05)
        self.p.vb.sigResized.connect(lambda: self.pain_vb.setGeometry(self.p.vb.sceneBoundingRect()))
        self.bars = pg.BarGraphItem(x=[], height=[], width=5 * 86400, brush="#0288d1")
        self.p.addItem(self.bars)
        self.pain = pg.PlotDataItem(pen=pg.mkPen("#ef5350", width=2), symbol="o", symbolSize=8,
                                    symbolBrush="#ef5350")
        self.pain_vb.addItem(self.pain)
        self.weeks: list[LoadWeek] = []

    def set_weeks(self, weeks: list[LoadWeek]) -> None:
        self.weeks = list(weeks)
        if not weeks:
            self.bars.setOpts(x=[], height=[])
            self.pain.setData([], [])
            return
        x = np.array([_ts(w.week + _dt.timedelta(days=3)) for w in weeks])
        self.bars.setOpts(x=x, height=[w.volume for w in weeks], width=5 * 86400)
        self.pain.setData(x, [w.pain for w in weeks])
        self.p.setLabel("left", f"volume ({weeks[-1].unit}/week)")
        self.p.setXRange(x.min() - 5 * 86400, x.max() + 5 * 86400, padding=0)
        self.p.setYRange(0, max(w.volume for w in weeks) * 1.15 + 1, padding=0)


def _ts(day: _dt.date) -> float:
    return _dt.datetime(day.year, day.month, day.day, 12).timestamp()
