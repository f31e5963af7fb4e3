"""Setup → Cameras: one camera, or two at once (side + rear, side + front), the second
camera's source, and a framing check for each camera.

The first camera is the window's source (File → Camera / Open video / Demo runner); with
two views it films the side. The second camera's source is any source spec: ``demo``
(the demo runner seen from behind, in step with the side view), ``camera:N``, a network
stream (``rtsp://…``, ``http://…`` MJPEG; credentials are kept out of the settings) or a
video file. Each camera gets a line of framing checks (full body, feet, the view it
should see, light: :class:`app.protocol.framing.FramingGuide`), refreshed by
:class:`app.ui.live.two_view.TwoViews` while the Setup panel is open. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QWidget,
)

MODES = (("", "One camera"), ("rear", "Two: side + rear"), ("front", "Two: side + front"))
OK, BAD, WAIT = "#43a047", "#ffb300", "#90a4ae"


def framing_html(title: str, report, problem: str = "") -> tuple[str, str]:  # noqa: ANN001
    """(rich text, tooltip) of one camera's framing line: ``title`` then a tick or a cross
    per check; the first failing check's hint under it. ``problem``: the camera gives no
    video (that sentence instead)."""
    if problem:
        return (f"<b>{title}</b><br><span style='color:{BAD}'>✗ {problem}</span>", problem)
    if report is None or report.samples == 0:
        return f"<b>{title}</b><br><span style='color:{WAIT}'>waiting for the video…</span>", ""
    parts, tips, hint = [], [], ""
    for c in report.checks:
        color = OK if c.ok else BAD
        parts.append(f"<span style='color:{color}'>{'✓' if c.ok else '✗'} {c.title.lower()}</span>")
        tips.append(f"{'✓' if c.ok else '✗'} {c.title}: {c.hint}")
        if not c.ok and not hint:
            hint = c.hint
    text = f"<b>{title}</b><br>" + " &nbsp;".join(parts)
    if hint:
        text += f"<br><span style='font-size:11px'>{hint}</span>"
    return text, "\n".join(tips)


class CamerasBox(QGroupBox):
    """The Cameras group of the Setup panel (see the module docstring)."""

    #: (second view: '' = one camera, 'rear', 'front'; the second camera's source spec)
    second_changed = Signal(str, str)

    def __init__(self, second_view: str = "", second_source: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__("Cameras", parent)
        f = QFormLayout(self)
        self.mode = QComboBox()
        for key, text in MODES:
            self.mode.addItem(text, key)
        self.mode.setToolTip("Film the runner from the side and from behind (or the front) at "
                             "once: sagittal and frontal metrics on the same steps")
        f.addRow("Views", self.mode)
        self.source = QComboBox()
        self.source.setEditable(True)
        self.source.setMinimumContentsLength(14)
        self.source.lineEdit().setPlaceholderText("demo, camera:1, rtsp://… or a video file")
        self.source.setToolTip("The second camera: demo, camera:N, a network camera "
                               "(rtsp://… or http://… MJPEG from a phone app) or a video file. "
                               "A password in the address is kept in the system keyring, "
                               "never in the settings.")
        self.apply = QPushButton("Use")
        self.apply.setToolTip("Start the second camera with this source")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.source, 1)
        row.addWidget(self.apply)
        self.source_row = QWidget()
        self.source_row.setLayout(row)
        self.source_label = QLabel("Second camera")
        f.addRow(self.source_label, self.source_row)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color:#b71c1c;")
        self.problem.hide()
        f.addRow(self.problem)
        #: framing lines: [first camera, second camera]
        self.framing = [QLabel(), QLabel()]
        for lab in self.framing:
            lab.setWordWrap(True)
            lab.setTextFormat(Qt.TextFormat.RichText)
            f.addRow(lab)
        self._fill_sources(second_source)
        self.show_mode(second_view, second_source)
        self.mode.activated.connect(lambda _i: self._emit())
        self.apply.clicked.connect(self._emit)
        self.source.lineEdit().returnPressed.connect(self._emit)

    def _fill_sources(self, current: str) -> None:
        from app.capture.camera import list_cameras

        self.source.blockSignals(True)
        self.source.clear()
        self.source.addItem("demo")
        try:
            cams = list_cameras()
        except Exception:  # noqa: BLE001 - probing cameras must never break the panel
            cams = []
        for c in cams:
            self.source.addItem(f"camera:{c.index}")
        if current and self.source.findText(current) < 0:
            self.source.addItem(current)
        self.source.setCurrentText(current or "demo")
        self.source.blockSignals(False)

    def show_mode(self, view: str, source: str) -> None:
        """Show ``view``/``source`` (from the settings) without emitting."""
        self.mode.blockSignals(True)
        self.mode.setCurrentIndex(max(0, self.mode.findData(view)))
        self.mode.blockSignals(False)
        if source:
            self.source.setCurrentText(source)
        two = bool(view)
        self.source_label.setText(f"{view.capitalize()} camera" if two else "Second camera")
        for w in (self.source_label, self.source_row, self.framing[1]):
            w.setVisible(two)

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def set_framing(self, index: int, title: str, report, problem: str = "") -> None:  # noqa: ANN001
        """Camera ``index`` (0 first, 1 second): its framing line."""
        text, tip = framing_html(title, report, problem)
        lab = self.framing[index]
        if lab.text() != text:
            lab.setText(text)
            lab.setToolTip(tip)

    def _emit(self) -> None:
        view = self.mode.currentData() or ""
        self.second_changed.emit(view, self.source.currentText().strip() if view else "")
