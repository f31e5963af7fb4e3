"""What the guided session shows: the protocol bar above the live video (clinic layout),
the large-type panel on the home practice layout, and the end-of-session summary (metric
changes, blocks with beat–step synchrony, PDF button).

GUI thread only. The bar and the panel are fed :class:`app.protocol.runner.RunnerState`
copies by ``app.ui.protocol.link`` (10 Hz); their buttons trigger the session's
actions (so the keys in the tooltips and the menu are the same).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView, QFrame, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSpinBox,
    QSizePolicy, QTableWidget, QTableWidgetItem, QToolButton, QVBoxLayout, QWidget,
)

from app.protocol.runner import RunnerState
from app.ui.protocol.widgets import KIND_COLORS, BlockTimeline
from app.ui.shared.fmt import mmss

BAR_STYLE = """
#protocolBar { background:#1c2530; border-bottom:2px solid #37474f; }
#protocolBar QLabel { color:#eceff1; }
#protocolBar QToolButton { color:#eceff1; background:#37474f; border-radius:4px; padding:4px 10px;
                           font-size:14px; }
#protocolBar QToolButton:disabled { color:#78909c; }
"""
VERDICT_COLORS = {"better": "#2e7d32", "worse": "#c62828", "same": "#546e7a", "": "#546e7a"}
#: font sizes (px) of the bar's labels: clinic layout, and wall mode (read from ~3 m)
BAR_FONTS = {"block": (20, 48), "countdown": (40, 96), "instruction": (18, 48), "target": (16, 30)}


def target_words(st: RunnerState) -> str:
    """The target as one readable phrase: 'Target 183 spm, from the baseline of 170 spm',
    'Target 170 spm, planned: too few baseline steps', 'Target — (measuring the
    baseline)'."""
    if st.target_spm is None:
        if st.block is not None and st.block.kind == "baseline":
            return "Target — (measuring the baseline)"
        return "Target —"
    why = {"baseline": f"from the baseline of {st.baseline_spm:.0f} spm" if st.baseline_spm else "",
           "fallback": "planned: too few baseline steps",
           "override": "set by the clinician", "fixed": "fixed by the template"
           }.get(st.target_source, "")
    return f"Target {st.target_spm:.0f} spm" + (f", {why}" if why else "")


class ProtocolBar(QFrame):
    """Block name, large countdown, instruction, progress through all blocks, target
    with a live override, and pause / skip / +1 min / end buttons (their actions)."""

    override_requested = Signal(object)   # float spm, or None = back to the template's rule

    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("protocolBar")
        self.setStyleSheet(BAR_STYLE)
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 6, 10, 6)
        root.setSpacing(4)
        top = QHBoxLayout()
        self.kind = QLabel("")
        self.kind.setFixedWidth(14)
        self.block = QLabel("")
        self.countdown = QLabel("0:00")
        self.countdown.setToolTip("Time left in this block")
        self.instruction = QLabel("")
        self.instruction.setWordWrap(True)
        self.target = QLabel("")
        self.target.setWordWrap(True)  # "Target 170 spm, the template's planned value (…)"
        self.target.setMaximumWidth(300)  # keeps the bar inside a 1366 px window
        self.target.setMinimumWidth(200)
        self.spin = QSpinBox()
        self.spin.setRange(60, 260)
        self.spin.setSuffix(" spm")
        self.spin.setKeyboardTracking(False)
        self.spin.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.spin.setToolTip("Override the target cadence live (press Enter or Set)")
        self.b_set = QToolButton()
        self.b_set.setText("Set")
        self.b_set.setToolTip("Use this target from now on")
        self.b_auto = QToolButton()
        self.b_auto.setText("Auto")
        self.b_auto.setToolTip("Back to the template's target rule")
        self.b_set.clicked.connect(self._set_clicked)
        self.spin.editingFinished.connect(
            lambda: self.spin.hasFocus() and self.override_requested.emit(float(self.spin.value())))
        self.b_auto.clicked.connect(lambda: self.override_requested.emit(None))
        top.addWidget(self.kind)
        top.addWidget(self.block)
        top.addSpacing(12)
        top.addWidget(self.countdown)
        top.addSpacing(16)
        top.addWidget(self.instruction, 1)
        top.addWidget(self.target)
        top.addWidget(self.spin)
        top.addWidget(self.b_set)
        top.addWidget(self.b_auto)
        root.addLayout(top)
        bottom = QHBoxLayout()
        self.timeline = BlockTimeline(compact=True)
        self.total = QLabel("")
        self.total.setStyleSheet("font-size:13px; color:#b0bec5;")
        self.next = QLabel("")
        self.next.setStyleSheet("font-size:13px; color:#b0bec5;")
        bottom.addWidget(self.timeline, 1)
        bottom.addWidget(self.total)
        bottom.addWidget(self.next)
        self.buttons: dict[str, QToolButton] = {}
        for key in ("pause", "skip", "extend", "stop"):
            b = QToolButton()
            b.setDefaultAction(actions[key])
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.buttons[key] = b
            bottom.addWidget(b)
        root.addLayout(bottom)
        self._template_blocks = ()
        self.wall: bool | None = None
        self.set_wall(False)

    def set_template(self, template) -> None:  # noqa: ANN001 - Template
        self.timeline.set_blocks(template.blocks)
        self._template_blocks = template.blocks

    def _set_clicked(self) -> None:
        """*Set* applies what the box shows: a typed value not yet confirmed with Enter is
        read first (the spin box takes typed text only on Enter or leaving it)."""
        self.spin.interpretText()
        self.override_requested.emit(float(self.spin.value()))

    def set_wall(self, on: bool) -> None:
        """Wall mode (full screen, read from a treadmill ~3 m away): block, countdown,
        focus line and target in large type; the clinician's controls (target override,
        buttons, what comes next) hidden — the keys still work."""
        if on == self.wall:
            return
        self.wall = on
        k = 1 if on else 0
        styles = {"block": "font-weight:bold;", "countdown": "font-weight:bold; font-family:monospace;",
                  "instruction": "color:#ffee58;" + (" font-weight:bold;" if on else ""),
                  "target": ""}
        for key, extra in styles.items():
            getattr(self, key).setStyleSheet(f"font-size:{BAR_FONTS[key][k]}px; {extra}")
        for w in (self.spin, self.b_set, self.b_auto, self.total, self.next, *self.buttons.values()):
            w.setVisible(not on)

    def show_state(self, st: RunnerState) -> None:
        if st.block is None:
            self.block.setText("Finished" if st.status == "finished" else
                               "Stopped" if st.status == "aborted" else "Ready")
            self.countdown.setText("0:00")
            self.instruction.setText("")
            self.next.setText("")
            self.timeline.set_progress(st.n_blocks, st.total_elapsed_s)
        else:
            b = st.block
            paused = " — paused" if st.status == "paused" else ""
            self.block.setText(f"{st.block_index + 1}/{st.n_blocks} {b.name}{paused}")
            self.kind.setStyleSheet(f"background:{KIND_COLORS.get(b.kind, '#777')}; border-radius:3px;")
            self.countdown.setText(mmss(st.block_remaining_s))
            self.instruction.setText(st.instruction)
            self.next.setText(f"next: {st.next_block.name}" if st.next_block is not None else "last block")
            self.timeline.set_progress(st.block_index, st.total_elapsed_s, st.block_duration_s)
        self.total.setText(f"{mmss(st.total_remaining_s)} left in the session")
        self.target.setText(target_words(st))
        if st.target_spm is not None and not self.spin.hasFocus():
            self.spin.blockSignals(True)
            self.spin.setValue(int(round(st.target_spm)))
            self.spin.blockSignals(False)


class ProtocolHomePanel(QWidget):
    """Home practice layout: block name, countdown, one focus line in very large type
    (the home view below shows cadence vs target), with big pause / end buttons."""

    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 10)
        lay.setSpacing(0)
        row = QHBoxLayout()
        self.block = QLabel("")
        self.block.setWordWrap(True)
        self.countdown = QLabel("")
        row.addWidget(self.block, 1)
        row.addWidget(self.countdown)
        lay.addLayout(row)
        self.focus = QLabel("")
        self.focus.setWordWrap(True)
        self.focus.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.focus)
        self.timeline = BlockTimeline(compact=True)
        btns = QHBoxLayout()
        btns.addWidget(self.timeline, 1)
        self.buttons: dict[str, QPushButton] = {}
        for key in ("pause", "stop"):
            act = actions[key]
            b = QPushButton(act.text())
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(act.trigger)
            act.changed.connect(lambda b=b, a=act: (b.setText(a.text()), b.setEnabled(a.isEnabled())))
            self.buttons[key] = b
            btns.addWidget(b)
        lay.addLayout(btns)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.scale = 0.0
        self.set_scale(1.0)

    def set_scale(self, k: float) -> None:
        """Type sizes × ``k`` (the home view follows the window's height, so the panel
        fits a 768 px laptop and fills a wall screen)."""
        if abs(k - self.scale) < 0.02:
            return
        self.scale = k
        px = lambda v: max(10, int(v * k))  # noqa: E731
        self.block.setStyleSheet(f"font-size:{px(44)}px; font-weight:bold; color:#eceff1;")
        self.countdown.setStyleSheet(f"font-size:{px(100)}px; font-weight:bold; color:#ffffff;")
        self.focus.setStyleSheet(f"font-size:{px(48)}px; font-weight:bold; color:#ffee58;")
        for b in self.buttons.values():
            b.setMinimumHeight(px(52))
            b.setMinimumWidth(px(170))
            b.setStyleSheet(f"font-size:{px(24)}px; background:#37474f; color:white; border-radius:8px;")

    def set_template(self, template) -> None:  # noqa: ANN001
        self.timeline.set_blocks(template.blocks)

    def show_state(self, st: RunnerState) -> None:
        if st.block is None:
            self.block.setText("Session complete" if st.status == "finished" else "Session stopped")
            self.countdown.setText("")
            self.focus.setText("")
            return
        paused = " (paused)" if st.status == "paused" else ""
        self.block.setText(st.block.name + paused)
        self.countdown.setText(mmss(st.block_remaining_s))
        self.focus.setText(st.instruction)
        self.timeline.set_progress(st.block_index, st.total_elapsed_s, st.block_duration_s)


class ProtocolSummary(QWidget):
    """End of a guided session: every block with its cadence and beat–step synchrony,
    messages, and the PDF report one click away; with ``show_metrics`` also the metric
    changes baseline → retention (the comparison view shows those itself)."""

    def __init__(self, outcome, parent: QWidget | None = None,  # noqa: ANN001 - SessionOutcome
                 show_metrics: bool = True) -> None:
        super().__init__(parent)
        from app.protocol.finish import _blocks_table

        self.outcome = outcome
        lay = QVBoxLayout(self)
        self.head = QLabel(self._headline(outcome))
        self.head.setWordWrap(True)
        self.head.setStyleSheet("font-size:15px; font-weight:bold;")
        lay.addWidget(self.head)
        cmp = outcome.comparison
        self.metrics = None
        if cmp is not None and show_metrics:
            lay.addWidget(QLabel("Baseline → retention"))
            self.metrics = _table(("Metric", "Baseline", "Retention", "Change"), [
                (f"{r.label}" + (f" ({r.unit})" if r.unit else ""), r.fmt(r.before), r.fmt(r.after),
                 r.fmt(r.change, signed=True)) for r in cmp.rows])
            for i, r in enumerate(cmp.rows):
                self.metrics.item(i, 3).setForeground(_color(VERDICT_COLORS.get(r.verdict, "#546e7a")))
            lay.addWidget(self.metrics, 3)
        table = _blocks_table(list(outcome.block_summaries))
        body = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel(table.title))
        self.blocks = _table(table.heads, table.rows)
        # a few rows tall at least (it scrolls): the summary docks under the comparison
        # view, which must still fit a 768 px screen
        self.blocks.setMinimumHeight(60 + 22 * min(len(table.rows), 3))
        left.addWidget(self.blocks, 1)
        body.addLayout(left, 1)
        side = QVBoxLayout()
        note = QLabel(table.note)
        note.setWordWrap(True)
        note.setStyleSheet("color:#607d8b; font-size:11px;")
        note.setMaximumWidth(360)
        side.addWidget(note)
        self.messages = QLabel(" ".join(outcome.messages))
        self.messages.setWordWrap(True)
        self.messages.setMaximumWidth(360)
        self.messages.setStyleSheet("color:#b71c1c;")
        self.messages.setVisible(bool(outcome.messages))
        side.addWidget(self.messages)
        side.addStretch(1)
        self.b_pdf = QPushButton("Open PDF report")
        self.b_pdf.setStyleSheet("font-weight:bold; padding:6px;")
        self.b_pdf.setEnabled(outcome.report is not None)
        self.b_pdf.setToolTip(str(outcome.report) if outcome.report else "No report was written")
        self.b_pdf.clicked.connect(self.open_report)
        self.b_folder = QPushButton("Open session folder")
        self.b_folder.setEnabled(outcome.folder is not None)
        self.b_folder.clicked.connect(lambda: self._open(outcome.folder))
        side.addWidget(self.b_pdf)
        side.addWidget(self.b_folder)
        body.addLayout(side)
        lay.addLayout(body, 2)
        self.opened: list[str] = []   # urls handed to the desktop (tests read it)

    @staticmethod
    def _headline(o) -> str:  # noqa: ANN001
        status = "complete" if o.status == "finished" else "stopped early"
        base = "—" if o.baseline_spm is None else f"{o.baseline_spm:.1f}"
        tgt = "—" if o.target_spm is None else f"{o.target_spm:.1f}"
        where = f"Saved as {o.session_id}." if o.session_id else "Not saved."
        return f"Session {status}: baseline {base} spm, target {tgt} spm. {where}"

    def open_report(self) -> bool:
        return self._open(self.outcome.report)

    def _open(self, path) -> bool:  # noqa: ANN001
        if path is None:
            return False
        url = QUrl.fromLocalFile(str(path))
        self.opened.append(url.toString())
        return QDesktopServices.openUrl(url)


def _table(heads, rows) -> QTableWidget:  # noqa: ANN001
    t = QTableWidget(len(rows), len(heads))
    t.setHorizontalHeaderLabels(list(heads))
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            it = QTableWidgetItem(str(text))
            if c > 0:
                it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            t.setItem(r, c, it)
    hh = t.horizontalHeader()
    hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the name column takes the room
    return t


def _color(hex_: str):  # noqa: ANN202
    from PySide6.QtGui import QBrush, QColor

    return QBrush(QColor(hex_))
