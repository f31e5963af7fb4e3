"""Home practice layout: the runner's own (mirrored) video beside one voice of feedback.

The headline is the fault being trained — its value in large type coloured by its band,
what to aim for, and the cue's words for it (so a red cadence never sits beside "Land
under your hips": with an overstride focus the headline *is* overstride); cadence against
its target comes second when it is not the focus. The metronome's state is a big toggle
(T), the last cue of this practice only (cleared at each Start), and one Start/Stop. Fonts
follow the window's height, so the layout fits a 768 px laptop and fills a wall screen.

GUI thread only. :class:`app.ui.live.home_practice.HomePractice` feeds it and moves the live
video into :attr:`HomeView.video_slot` while the layout is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

BAND_TEXT = {"green": "#66bb6a", "amber": "#ffca28", "red": "#ef5350"}
#: font sizes (px) at a 900 px tall view; scaled with the height (0.55×–1.4×)
FONTS = {"headline_name": 30, "headline": 150, "headline_aim": 28, "cue": 44, "secondary": 26,
         "metronome": 24, "last_cue": 22, "button": 34}


@dataclass(frozen=True, slots=True)
class HomeFigures:
    """What the home view shows (the window's state, gathered by ``HomePractice``).

    ``name``/``value``/``unit``/``band``: the headline fault; ``aim`` e.g. 'target
    176–186 steps/min' or 'keep it below 15.0 % leg'; ``instruction`` the cue's words;
    ``cadence_line`` the cadence when it is not the headline ('' otherwise);
    ``metronome_bpm`` None = off; ``last_cue`` '' or 'last cue 10:31:02: “Run tall”'."""

    name: str
    value: str
    band: str
    aim: str
    instruction: str
    cadence_line: str
    metronome_bpm: float | None
    last_cue: str


class HomeView(QWidget):
    """Large-type view for practice at home. Signals: ``start_stop()``,
    ``metronome_toggled(bool)``. GUI thread only."""

    start_stop = Signal()
    metronome_toggled = Signal(bool)
    #: the type scale (× the sizes at a 900 px tall view) — panels added to the column follow
    scale_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("home")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("#home { background:#101418; } #home QLabel { color:white; }")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(12, 12, 24, 12)
        lay.setSpacing(18)
        video_area = QWidget()
        self.video_slot = QVBoxLayout(video_area)
        self.video_slot.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(video_area, 3)
        col_w = QWidget()
        col_w.setMinimumWidth(300)
        self.column = QVBoxLayout(col_w)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(6)
        lay.addWidget(col_w, 2)

        self.headline_name = QLabel("Cadence")
        self.headline = QLabel("—")
        self.headline_aim = QLabel("")
        self.cue = QLabel("")
        self.secondary = QLabel("")
        self.last_cue = QLabel("")
        for w in (self.headline_name, self.headline, self.headline_aim, self.cue, self.secondary,
                  self.last_cue):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            w.setWordWrap(True)
            w.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self.column.addWidget(w)
        self.column.addStretch(1)
        self.metronome = QPushButton("Metronome off")
        self.metronome.setCheckable(True)
        self.metronome.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.metronome.setToolTip("Click track at the target cadence (T)")
        self.metronome.toggled.connect(self.metronome_toggled)
        self.column.addWidget(self.metronome)
        self.button = QPushButton("Start")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self.start_stop)
        self.column.addWidget(self.button)
        self._running = False
        self._band = "none"
        self._scale = 0.0
        self._apply_fonts(1.0)

    def add_panel(self, widget: QWidget) -> None:
        """Add a panel to the right-hand column, under the cue and above the buttons (e.g.
        the home practice list of exercises)."""
        stretch = next(i for i in range(self.column.count()) if self.column.itemAt(i).spacerItem())
        self.column.insertWidget(stretch, widget)

    # ------------------------------------------------------------------ size
    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """Small: the fonts follow the height (a hidden home page must not make the
        window taller than a laptop screen)."""
        return QSize(640, 360)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._apply_fonts(min(1.4, max(0.45, self.height() / 900.0)))

    def _apply_fonts(self, k: float) -> None:
        if abs(k - self._scale) < 0.02:
            return
        self._scale = k
        px = {key: max(10, int(v * k)) for key, v in FONTS.items()}
        self.headline_name.setStyleSheet(f"font-size:{px['headline_name']}px; color:#b0bec5;")
        self._style_headline()
        self.headline_aim.setStyleSheet(f"font-size:{px['headline_aim']}px; color:#b0bec5;")
        self.cue.setStyleSheet(f"font-size:{px['cue']}px; font-weight:bold; color:#ffee58;")
        self.secondary.setStyleSheet(f"font-size:{px['secondary']}px; color:#cfd8dc;")
        self.last_cue.setStyleSheet(f"font-size:{px['last_cue']}px; color:#b0bec5;")
        self.metronome.setMinimumHeight(int(56 * k))
        self._style_buttons()
        self.scale_changed.emit(k)

    def _style_headline(self) -> None:
        px = max(10, int(FONTS["headline"] * self._scale))
        self.headline.setStyleSheet(f"font-size:{px}px; font-weight:bold; "
                                    f"color:{BAND_TEXT.get(self._band, '#ffffff')};")

    def _style_buttons(self) -> None:
        k = self._scale
        self.button.setMinimumHeight(int(80 * k))
        self.button.setStyleSheet(f"font-size:{int(FONTS['button'] * k)}px; color:white; "
                                  f"background:{'#c62828' if self._running else '#2e7d32'}; "
                                  "border-radius:12px;")
        on = self.metronome.isChecked()
        self.metronome.setStyleSheet(f"font-size:{int(FONTS['metronome'] * k)}px; color:white; "
                                     f"background:{'#1565c0' if on else '#37474f'}; border-radius:10px;")

    # ------------------------------------------------------------------ state
    def set_running(self, running: bool) -> None:
        self._running = running
        self.button.setText("Stop" if running else "Start")
        self._style_buttons()

    def show_figures(self, f: HomeFigures) -> None:
        """Show one consistent set of figures (``HomeFigures``)."""
        self.headline_name.setText(f.name)
        self.headline.setText(f.value)
        if f.band != self._band:
            self._band = f.band
            self._style_headline()
        self.headline_aim.setText(f.aim)
        self.cue.setText(f.instruction)
        self.secondary.setText(f.cadence_line)
        self.secondary.setVisible(bool(f.cadence_line))
        on = f.metronome_bpm is not None
        if on != self.metronome.isChecked():
            self.metronome.blockSignals(True)
            self.metronome.setChecked(on)
            self.metronome.blockSignals(False)
            self._style_buttons()
        self.metronome.setText(f"♪ Metronome on · {f.metronome_bpm:.0f} per minute (T)" if on
                               else "Metronome off — tap to click along (T)")
        self.last_cue.setText(f.last_cue)
