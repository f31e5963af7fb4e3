"""Widgets of the comparison window (clip pickers, transport bar, metric table, drawing
tools, notes, export buttons) and the loading job it runs on a worker thread.

``build_panels(window, canvas)`` lays the widgets out in ``window`` (a QMainWindow) and
returns them as a :class:`Panels`; the window connects them. GUI thread, except
:func:`load_pair` which runs on the loading task's thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QCheckBox, QComboBox,
                               QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QMainWindow, QPlainTextEdit, QPushButton, QSizePolicy, QSlider,
                               QSplitter, QTableWidget, QTableWidgetItem, QToolButton, QVBoxLayout,
                               QWidget)

from app.compare.clip import Clip
from app.compare.sync import KEY_LABELS
from app.compare.table import VERDICT_COLORS, MetricRow


# ------------------------------------------------------------------------------ loading
@dataclass(frozen=True)
class LoadedPair:
    """Two analysed clips; ``cmp`` (``Comparison``) is None when they cannot be synced,
    ``message`` then says why (plain time is used). Two-view sessions shown with both
    views: ``others`` the before/after clips of the second view (they follow the side
    clips' playhead), ``other_cmp`` their own comparison (for the report's key frames),
    ``rows`` sagittal from the side and frontal from the other view. ``choice`` what is
    shown (a view or 'both'), ``choices`` what these clips can be shown as."""

    a: Clip
    b: Clip
    cmp: object | None
    rows: tuple[MetricRow, ...]
    message: str = ""
    others: tuple[Clip, Clip] | None = None
    other_cmp: object | None = None
    choice: str = "side"
    choices: tuple[str, ...] = ("side",)

    @property
    def clips(self) -> tuple[Clip, ...]:
        """Every pane's clip: before, after (and the second view's before, after)."""
        return (self.a, self.b) + (self.others or ())


def load_pair(task, spec_a: str, spec_b: str, choice: str | None = None) -> LoadedPair:
    """Load and analyse the clips and sync them (runs on the task's worker thread);
    ``choice``: a view or 'both' for two-view sessions (None: both when possible)."""
    from app.compare.report import Comparison
    from app.compare.sync import SyncError
    from app.compare.table import compare_metrics
    from app.compare.two_view import load_views, merged_rows, with_rows

    task.say("Analysing the clips…")
    lv = load_views(spec_a, spec_b, choice, progress=task.report, stop_event=task.stop)
    a, b = lv.a, lv.b
    message = ""
    cmp = other_cmp = None
    try:
        cmp = Comparison.build(a, b)
        rows = cmp.rows
    except SyncError as exc:
        rows = tuple(compare_metrics(a.result, b.result))
        message = f"Cannot sync by gait events ({exc}): the clips play on plain time."
    if lv.others is not None:
        try:
            other_cmp = Comparison.build(*lv.others)
        except SyncError:
            other_cmp = None  # the second view's key frames are left out of the report
        rows = merged_rows(rows, lv.others)
        if cmp is not None:
            cmp = with_rows(cmp, rows)
    return LoadedPair(a, b, cmp, tuple(rows), message, lv.others, other_cmp, lv.choice, lv.choices)


# ------------------------------------------------------------------------------ widgets
@dataclass
class Panels:
    spec_a: QLineEdit
    spec_b: QLineEdit
    b_video_a: QAbstractButton
    b_session_a: QAbstractButton
    b_video_b: QAbstractButton
    b_session_b: QAbstractButton
    b_compare: QAbstractButton
    b_play: QAbstractButton
    b_back: QAbstractButton
    b_fwd: QAbstractButton
    b_jump: dict
    c_loop: QCheckBox
    c_sync: QCheckBox
    c_skel: QCheckBox
    c_zoom: QCheckBox
    speed: QComboBox
    mode: QComboBox
    opacity: QSlider
    slider: QSlider
    time_label: QLabel
    warning: QLabel
    table: QTableWidget
    tool_buttons: dict
    b_undo: QAbstractButton
    b_clear: QAbstractButton
    notes: QPlainTextEdit
    b_pdf: QAbstractButton
    b_mp4: QAbstractButton
    b_csv: QAbstractButton
    needs_clips: list
    #: two-view sessions: which camera to compare (a view, or both)
    camera: QComboBox | None = None

    def show_choices(self, choices: tuple[str, ...], choice: str) -> None:
        """The camera chooser for the loaded clips (no signal)."""
        from app.compare.two_view import CHOICE_WORDS

        c = self.camera
        c.blockSignals(True)
        c.clear()
        for key in choices:
            c.addItem(CHOICE_WORDS.get(key, key), key)
        c.setCurrentIndex(max(0, c.findData(choice)))
        c.setEnabled(len(choices) > 1)
        c.blockSignals(False)

    def fill_table(self, rows: tuple[MetricRow, ...], before: str, after: str,
                   frontal_from: str = "") -> None:
        """Metric rows: before, after, change coloured by direction of improvement.
        ``frontal_from``: both views shown — the frontal metrics say which camera gave them."""
        from app.compare.two_view import frontal_only

        t = self.table
        t.setRowCount(len(rows))
        t.setHorizontalHeaderLabels(["Metric", "Before", "After", "Change"])
        t.horizontalHeaderItem(1).setToolTip(before)
        t.horizontalHeaderItem(2).setToolTip(after)
        for r, row in enumerate(rows):
            cam = f" · {frontal_from}" if frontal_from and frontal_only(row.name) else ""
            cells = [f"{row.label}" + (f" ({row.unit})" if row.unit else "") + cam, row.fmt(row.before),
                     row.fmt(row.after), row.fmt(row.change, True)]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 3:
                    color = QColor(VERDICT_COLORS.get(row.verdict, "#546e7a"))
                    item.setForeground(QBrush(color))
                    if row.verdict in ("better", "worse"):
                        item.setBackground(QBrush(QColor(color.red(), color.green(), color.blue(), 40)))
                        f = item.font()
                        f.setBold(True)
                        item.setFont(f)
                    item.setToolTip(change_tip(row))
                t.setItem(r, c, item)
        t.resizeRowsToContents()


def change_tip(row: MetricRow) -> str:
    """Tooltip of a change cell: the verdict and the noise it was judged against."""
    if not row.verdict:
        return "not comparable"
    if row.noise is None:
        return row.verdict
    noise = row.fmt(row.noise)
    if row.verdict == "same":
        return f"same: within the step-to-step noise (±{noise} {row.unit})".rstrip()
    return f"{row.verdict}: beyond the step-to-step noise (±{noise} {row.unit})".rstrip()


def _button(text: str, tip: str = "", checkable: bool = False) -> QToolButton:
    """A compact button (as wide as its text: a row of them fits a 1366 px screen) that
    never takes the keyboard focus: the keys stay with the video and the window's
    shortcuts."""
    b = QToolButton()
    b.setText(text)
    b.setToolTip(tip)
    b.setCheckable(checkable)
    b.setAutoRaise(False)
    b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    b.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return b


def build_panels(win: QMainWindow, canvas: QWidget) -> Panels:
    """Create and lay out the window's widgets around ``canvas``."""
    central = QWidget()
    root = QVBoxLayout(central)
    root.setContentsMargins(6, 6, 6, 6)

    pick = QGridLayout()
    edits, buttons = [], []
    for row, role in enumerate(("Before", "After")):
        edit = QLineEdit()
        edit.setPlaceholderText("video file, session folder or id — optionally @START-END seconds")
        bv = _button("Video…", f"{role}: choose a video file")
        bs = _button("Session…", f"{role}: choose a recorded session or block")
        pick.addWidget(QLabel(f"<b>{role}</b>"), row, 0)
        pick.addWidget(edit, row, 1)
        pick.addWidget(bv, row, 2)
        pick.addWidget(bs, row, 3)
        edits.append(edit)
        buttons += [bv, bs]
    b_compare = QPushButton("Compare")
    b_compare.setToolTip("Load and analyse both clips, sync them by gait events (Enter)")
    b_compare.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b_compare.setMinimumHeight(48)
    b_compare.setStyleSheet("font-weight:bold; padding:0 14px;")
    camera = QComboBox()
    camera.setToolTip("Two-view sessions: compare the side view, the rear view, or both "
                      "together (the rear follows the side view's playhead)")
    camera.addItem("Side view", "side")
    camera.setEnabled(False)
    camera.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    pick.addWidget(QLabel("Camera"), 0, 4)
    pick.addWidget(camera, 1, 4)
    pick.addWidget(b_compare, 0, 5, 2, 1)
    pick.setColumnStretch(1, 1)
    root.addLayout(pick)

    split = QSplitter(Qt.Orientation.Horizontal)
    left = QWidget()
    lv = QVBoxLayout(left)
    lv.setContentsMargins(0, 0, 0, 0)
    lv.addWidget(canvas, 1)

    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    time_label = QLabel("")
    time_label.setMinimumWidth(200)
    srow = QHBoxLayout()
    srow.addWidget(slider, 1)
    srow.addWidget(time_label)
    lv.addLayout(srow)

    bar = QHBoxLayout()
    b_play = _button("▶ Play", "Play / pause (Space)")
    b_back = _button("◀|", "One frame back (← or ,)")
    b_fwd = _button("|▶", "One frame forward (→ or .)")
    for b in (b_back, b_play, b_fwd):
        bar.addWidget(b)
    b_jump = {}
    short = {"IC": ("IC", "I"), "MS": ("Mid", "M"), "TO": ("TO", "T")}
    for kind, (text, key) in short.items():
        bp = _button(f"◀ {text}", f"Previous {KEY_LABELS[kind]} (Shift+{key})")
        bn = _button(f"{text} ▶", f"Next {KEY_LABELS[kind]} ({key})")
        bar.addWidget(bp)
        bar.addWidget(bn)
        b_jump[kind] = (bp, bn)
    c_loop = QCheckBox("Loop stride")
    c_loop.setToolTip("Loop over the current stride (L)")
    c_sync = QCheckBox("Sync by gait events")
    c_sync.setToolTip("After follows the before clip's stride phase: initial contacts aligned (S)")
    speed = QComboBox()
    speed.addItems(["0.1×", "0.2×", "0.25×", "0.5×", "0.75×", "1×"])
    speed.setToolTip("Playback speed (↑/↓)")
    bar.addStretch(1)
    lv.addLayout(bar)

    bar2 = QHBoxLayout()  # second row: playback options (one row did not fit 1366 px)
    for w in (c_loop, c_sync, QLabel("Speed"), speed):
        bar2.addWidget(w)
    bar2.addSpacing(12)
    mode = QComboBox()
    mode.addItems(["Side by side", "Overlaid"])
    mode.setToolTip("Side by side or one on top of the other (O)")
    opacity = QSlider(Qt.Orientation.Horizontal)
    opacity.setRange(0, 100)
    opacity.setValue(50)
    opacity.setMaximumWidth(120)
    opacity.setEnabled(False)
    opacity.setToolTip("Opacity of the after clip when overlaid")
    c_skel = QCheckBox("Skeleton and angles")
    c_skel.setChecked(True)
    c_zoom = QCheckBox("Zoom to runner")
    c_zoom.setChecked(True)
    for w in (QLabel("View"), mode, QLabel("After opacity"), opacity, c_skel, c_zoom):
        bar2.addWidget(w)
    bar2.addStretch(1)
    lv.addLayout(bar2)
    for w in (slider, speed, mode, c_loop, c_sync, c_skel, c_zoom):
        w.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    split.addWidget(left)

    side = QWidget()
    sv = QVBoxLayout(side)
    sv.setContentsMargins(4, 0, 0, 0)
    g_table = QGroupBox("Metrics (mean over steps)")
    tv = QVBoxLayout(g_table)
    warning = QLabel("")  # e.g. a clip measured in the wrong view (app.pose.view_check)
    warning.setWordWrap(True)
    warning.setStyleSheet("background:#ffca28; color:#000; padding:4px;")
    warning.hide()
    tv.addWidget(warning)
    table = QTableWidget(0, 4)
    table.setHorizontalHeaderLabels(["Metric", "Before", "After", "Change"])
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for c in (1, 2, 3):
        table.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    tv.addWidget(table)
    note = QLabel("<small>Green: change in the direction of improvement; red: away from it; "
                  "grey: within the metric's step-to-step noise.</small>")
    note.setWordWrap(True)
    tv.addWidget(note)
    sv.addWidget(g_table, 3)

    g_draw = QGroupBox("Draw on the paused frame")
    dv = QHBoxLayout(g_draw)
    tool_buttons = {}
    for tool, text, tip in (("none", "Off", "No drawing tool (Esc)"),
                            ("line", "Line", "Drag a line"),
                            ("angle", "Angle", "Click three points; the middle one is the vertex"),
                            ("text", "Text", "Click where the text goes")):
        b = _button(text, tip, checkable=True)
        tool_buttons[tool] = b
        dv.addWidget(b)
    tool_buttons["none"].setChecked(True)
    b_undo = _button("Undo", "Remove the last drawing on this frame (Ctrl+Z)")
    b_clear = _button("Clear", "Remove the drawings on the frames shown")
    dv.addWidget(b_undo)
    dv.addWidget(b_clear)
    sv.addWidget(g_draw)

    g_notes = QGroupBox("Clinician notes (go into the PDF report)")
    nv = QVBoxLayout(g_notes)
    notes = QPlainTextEdit()
    notes.setPlaceholderText("e.g. Cue: run quieter. Cadence +5 %, overstride reduced.")
    nv.addWidget(notes)
    sv.addWidget(g_notes, 1)

    g_exp = QGroupBox("Export")
    ev = QHBoxLayout(g_exp)
    ev.setContentsMargins(6, 4, 6, 4)
    b_pdf = _button("PDF report…", "Report with the metric table, plots, key frames and notes")
    b_mp4 = _button("Side-by-side MP4…", "Synced video to send to the runner (current speed)")
    b_csv = _button("Steps CSV…", "One row per step of both clips")
    for b in (b_pdf, b_mp4, b_csv):
        ev.addWidget(b)
    sv.addWidget(g_exp)
    split.addWidget(side)
    split.setStretchFactor(0, 4)
    split.setStretchFactor(1, 1)
    split.setSizes([1080, 400])
    split.setChildrenCollapsible(False)
    root.addWidget(split, 1)
    win.setCentralWidget(central)

    needs = [b_play, b_back, b_fwd, *[b for pr in b_jump.values() for b in pr], c_loop, speed,
             mode, c_skel, c_zoom, slider, *tool_buttons.values(), b_undo, b_clear]
    return Panels(edits[0], edits[1], buttons[0], buttons[1], buttons[2], buttons[3], b_compare,
                  b_play, b_back, b_fwd, b_jump, c_loop, c_sync, c_skel, c_zoom, speed, mode,
                  opacity, slider, time_label, warning, table, tool_buttons, b_undo, b_clear, notes,
                  b_pdf, b_mp4, b_csv, needs, camera)
