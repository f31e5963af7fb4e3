"""Home practice layout: cadence vs target in large type, one cue focus, start/stop."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

#: One short, outcome-focused cue per focus metric (≤ 6 words).
CUES = {
    "overstride_pct_leg": "Land under your hips",
    "shank_angle_ic_deg": "Land under your hips",
    "knee_flexion_ic_deg": "Soft knees, run quieter",
    "knee_flexion_peak_stance_deg": "Run quieter",
    "hip_extension_to_deg": "Push the ground away",
    "trunk_lean_deg": "Run tall",
    "vertical_oscillation_pct_leg": "Run low and smooth",
    "foot_strike_angle_deg": "Run quieter",
    "contact_ms": "Quick light steps",
    "pelvic_drop_deg": "Keep your hips level",
    "knee_valgus_fppa_deg": "Knees over your toes",
    "lateral_trunk_lean_deg": "Run tall",
    "step_width_pct_pelvis": "Run on two lines",
    "heel_whip_deg": "Heels straight back",
    "arm_crossover_pct": "Arms swing forward and back",
}


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
        self.button = QPushButton("Start")
        self.button.setMinimumHeight(90)
        self.button.setStyleSheet("font-size:40px; background:#2e7d32; border-radius:12px;")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self.start_stop)
        for w in (self.title, self.cadence, self.target, self.cue):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            lay.addWidget(w)
        lay.addStretch(1)
        lay.addWidget(self.button)

    def set_running(self, running: bool) -> None:
        self.button.setText("Stop" if running else "Start")
        self.button.setStyleSheet(
            f"font-size:40px; background:{'#c62828' if running else '#2e7d32'}; border-radius:12px;")

    def update_values(self, cadence: float | None, target: float, band_pct: float,
                      band: str, focus_name: str) -> None:
        colors = {"green": "#66bb6a", "amber": "#ffca28", "red": "#ef5350"}
        self.cadence.setText("—" if cadence is None else f"{cadence:.0f}")
        self.cadence.setStyleSheet(
            f"font-size:200px; font-weight:bold; color:{colors.get(band, '#ffffff')};")
        lo, hi = target * (1 - band_pct / 100), target * (1 + band_pct / 100)
        self.target.setText(f"target {lo:.0f}–{hi:.0f} steps/min")
        self.cue.setText(CUES.get(focus_name, ""))
