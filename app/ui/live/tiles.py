"""Metric tiles: value, unit, trend arrow and a green/amber/red band per metric.

A metric that cannot be measured shows "—" with the engine's reason in the tooltip.
Two derived figures, only where the inputs make them honest: step length (m) = treadmill
belt speed / cadence (any view, needs the speed), and leg-length metrics (% leg) also in
cm from the runner's height (leg ≈ 0.491 × height: an anthropometric estimate, ±5 %).
Updated from the window's ~20 Hz timer, only when the snapshot object changed.
"""

from __future__ import annotations

import collections
import math
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.config import Band, Settings
from app.types import MetricSnapshot, View

TREND_WINDOW_S = 6.0
#: Thigh + shank length per standing height (Winter 2009: 0.245 + 0.246), the leg length
#: the engine normalises by (hip → knee → ankle).
LEG_PER_HEIGHT = 0.491
#: Metrics in % of leg length that can also be shown in cm.
LEG_PCT_METRICS = ("overstride_pct_leg", "vertical_oscillation_pct_leg")
STEP_LENGTH = "step_length_m"
_BG = {"green": "#1b5e20", "amber": "#8d6e00", "red": "#8e1b1b", "none": "#37474f"}


def format_value(value: float, unit: str) -> str:
    if unit == "ms" or unit == "spm":
        return f"{value:.0f}"
    if unit == "" or unit == "m":
        return f"{value:.2f}"
    return f"{value:.1f}"


def step_length_m(speed_kmh: float, cadence_spm: float | None) -> float | None:
    """Step length (m) on a treadmill: belt speed (km/h → m/s) × seconds per step."""
    if not speed_kmh or speed_kmh <= 0 or not cadence_spm:
        return None
    return speed_kmh / 3.6 * 60.0 / cadence_spm


def pct_leg_to_cm(pct_leg: float, height_cm: float) -> float:
    """A distance in % of leg length → cm, leg ≈ LEG_PER_HEIGHT × standing height."""
    return pct_leg / 100.0 * LEG_PER_HEIGHT * height_cm


def metric_names_for(view: View) -> list[str]:
    """Metric names shown for ``view``, in the engine's order."""
    from app.gait.metrics import METRIC_SPECS

    return [name for name, spec in METRIC_SPECS.items() if view in spec.views]


class MetricTile(QFrame):
    """One metric. GUI thread only."""

    def __init__(self, name: str, label: str, unit: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.unit = unit
        self.setObjectName("tile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 4, 8, 4)
        lay.setSpacing(0)
        self.title = QLabel(label)
        self.title.setStyleSheet("color:#cfd8dc; font-size:12px;")
        # a long title never widens the grid past its column (it is cut inside the tile;
        # the tooltip has the full name)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.value = QLabel("—")
        self.value.setStyleSheet("color:white; font-size:22px; font-weight:bold;")
        self.value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        lay.addWidget(self.title)
        lay.addWidget(self.value)
        self.band = "none"
        self.text = "—"
        self._history: collections.deque[tuple[float, float]] = collections.deque(maxlen=400)
        self._apply_bg("none")
        self.setMinimumHeight(66)

    def _apply_bg(self, band: str) -> None:
        self.band = band
        self.setStyleSheet(f"#tile {{ background:{_BG[band]}; border-radius:6px; }}")

    def set_value(self, value: float | None, band: str, reason: str = "",
                  quality: str = "good", extra: str = "") -> None:
        """``extra``: a second figure after the value (e.g. '≈ 9.8 cm')."""
        now = time.monotonic()
        if value is None or not math.isfinite(value):
            self.text = "—"
            self.value.setText("—")
            self.setToolTip(reason or "not measured yet")
            if self.band != "none":
                self._apply_bg("none")
            return
        self._history.append((now, value))
        arrow = self._trend(now, value)
        unit = f" {self.unit}" if self.unit else ""
        self.text = f"{format_value(value, self.unit)}{unit} {arrow}"
        if extra:
            self.value.setText(f"{self.text} <span style='font-size:14px; font-weight:normal;'>"
                               f"{extra}</span>")
            self.text += f" {extra}"
        else:
            self.value.setText(self.text)
        tip = f"{self.title.text()}: {format_value(value, self.unit)}{unit}"
        if quality != "good":
            tip += f" (quality: {quality}{'; ' + reason if reason else ''})"
        self.setToolTip(tip)
        if band != self.band:
            self._apply_bg(band)

    def _trend(self, now: float, value: float) -> str:
        old = [v for t, v in self._history if now - t >= TREND_WINDOW_S * 0.5 and now - t <= TREND_WINDOW_S * 1.5]
        if not old:
            return "→"
        ref = old[-1]
        scale = max(abs(ref) * 0.03, 0.5 if self.unit in ("°", "%", "% leg", "% pelvis") else 0.01)
        if self.unit == "ms":
            scale = max(abs(ref) * 0.03, 5.0)
        if value > ref + scale:
            return "↑"
        if value < ref - scale:
            return "↓"
        return "→"


class TilesPanel(QWidget):
    """Grid of tiles for the metrics of one view. GUI thread only."""

    #: below this width (px) the tiles stack in one column (a laptop with both panels open)
    ONE_COLUMN_BELOW = 380

    def __init__(self, parent: QWidget | None = None, columns: int = 2) -> None:
        super().__init__(parent)
        self.columns = columns
        self.max_columns = columns
        self.grid = QGridLayout(self)
        self.grid.setSpacing(6)
        self.grid.setContentsMargins(4, 4, 4, 4)
        self.tiles: dict[str, MetricTile] = {}
        self.view: View | None = None
        self._last_snapshot: MetricSnapshot | None = None

    def set_view(self, view: View) -> None:
        if view == self.view:
            return
        from app.gait.metrics import METRIC_SPECS

        self.view = view
        for tile in self.tiles.values():
            self.grid.removeWidget(tile)
            tile.deleteLater()
        self.tiles = {}
        names = metric_names_for(view)
        names.insert(names.index("cadence_spm") + 1 if "cadence_spm" in names else 0, STEP_LENGTH)
        for k, name in enumerate(names):
            if name == STEP_LENGTH:
                tile = MetricTile(name, "Step length", "m", self)
                tile.setToolTip("treadmill speed / cadence")
            else:
                spec = METRIC_SPECS[name]
                tile = MetricTile(name, spec.label, spec.unit, self)
            self.tiles[name] = tile
            self.grid.addWidget(tile, k // self.columns, k % self.columns)
        self._last_snapshot = None

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Two columns where there is room, one on a narrow panel."""
        super().resizeEvent(event)
        cols = 1 if self.width() < self.ONE_COLUMN_BELOW else self.max_columns
        if cols != self.columns:
            self.columns = cols
            for k, tile in enumerate(self.tiles.values()):
                self.grid.removeWidget(tile)
                self.grid.addWidget(tile, k // cols, k % cols)

    def update_snapshot(self, snap: MetricSnapshot | None, settings: Settings,
                        cadence_band: Band | None = None, cadence_target: bool = True) -> bool:
        """Refresh tiles from ``snap``; returns False when nothing changed.
        ``cadence_band``: the cadence target band (else the cadence metric's band);
        ``cadence_target`` False: no target yet (a new runner): cadence is not coloured."""
        if snap is self._last_snapshot:
            return False
        self._last_snapshot = snap
        for name, tile in self.tiles.items():
            if snap is None:
                tile.set_value(None, "none", "waiting for the runner")
                continue
            if name == STEP_LENGTH:
                speed = settings.runner.treadmill_speed_kmh
                tile.set_value(step_length_m(speed, snap.cadence_spm), "none",
                               "set the treadmill speed in Setup" if not speed else snap.cadence_reason)
                continue
            if name == "cadence_spm":
                value, reason, quality = snap.cadence_spm, snap.cadence_reason, "good"
            else:
                mv = snap.values.get(name)
                if mv is None:
                    tile.set_value(None, "none", "not computed by the engine")
                    continue
                value, reason, quality = mv.value, mv.reason, mv.quality.value
            band = "none"
            b = cadence_band if (name == "cadence_spm" and cadence_band) else settings.band_for(name)
            if name == "cadence_spm" and not cadence_target:
                b = None
                reason = reason or "no target cadence yet: it comes from the measured baseline"
            if value is not None and b is not None:
                band = b.classify(value)
            extra = ""
            if name in LEG_PCT_METRICS and value is not None and settings.runner.height_cm > 0:
                extra = f"≈ {pct_leg_to_cm(value, settings.runner.height_cm):.1f} cm"
            tile.set_value(value, band, reason, quality, extra)
        return True
