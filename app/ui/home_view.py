"""Home practice layout: cadence vs target in large type, the cue focus (the words of the
focus fault's cue, from the cue library via the feedback controller), the last cue spoken,
start/stop."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

class HomeView(QWidget):
    """Large-type view for practice at home. GUI thread only."""

    start_stop = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("home")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#home { background:#101418; } QLabel { color:white; }")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(40, 30, 40, 30)
        self.title = QLabel("Cadence")
        self.title.setStyleSheet("font-size:32px; color:#b0bec5;")
        self.cadence = QLabel("—")
        self.cadence.setStyleSheet("font-size:200px; font-weight:bold;")
        self.target = QLabel("")
        self.target.setStyleSheet("font-size:40px; color:#b0bec5;")
        self.cue = QLabel("")
        self.cue.setStyleSheet("font-size:56px; font-weight:bold; color:#ffee58;")
        self.cue.setWordWrap(True)
        self.last_cue = QLabel("")
        self.last_cue.setStyleSheet("font-size:28px; color:#b0bec5;")
        self.last_cue.setWordWrap(True)
        self.button = QPushButton("Start")
        self.button.setMinimumHeight(90)
        self.button.setStyleSheet("font-size:40px; background:#2e7d32; border-radius:12px;")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self.start_stop)
        for w in (self.title, self.cadence, self.target, self.cue, self.last_cue):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            lay.addWidget(w)
        lay.addStretch(1)
        lay.addWidget(self.button)
        self._last_cue = None

    def set_running(self, running: bool) -> None:
        self.button.setText("Stop" if running else "Start")
        self.button.setStyleSheet(
            f"font-size:40px; background:{'#c62828' if running else '#2e7d32'}; border-radius:12px;")

    def update_values(self, cadence: float | None, target: float, band_pct: float,
                      band: str, focus_text: str, last_cue=None) -> None:  # noqa: ANN001
        """``focus_text``: words of the focus fault's cue; ``last_cue``: the last
        ``CueEvent`` decided (or None)."""
        colors = {"green": "#66bb6a", "amber": "#ffca28", "red": "#ef5350"}
        self.cadence.setText("—" if cadence is None else f"{cadence:.0f}")
        self.cadence.setStyleSheet(
            f"font-size:200px; font-weight:bold; color:{colors.get(band, '#ffffff')};")
        lo, hi = target * (1 - band_pct / 100), target * (1 + band_pct / 100)
        self.target.setText(f"target {lo:.0f}–{hi:.0f} steps/min")
        self.cue.setText(focus_text)
        if last_cue is None:
            self.last_cue.setText("")
        elif last_cue is not self._last_cue:
            from app.ui.feedback_panel import wall_clock

            self.last_cue.setText(f"last cue {wall_clock(last_cue.t_ns)}: “{last_cue.text}”")
        self._last_cue = last_cue
