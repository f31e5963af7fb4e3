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
    """A tile's number: whole ms/spm, 2 decimals for metres and ratios, else 1; never
    "-0.0" (a level pelvis read as -0.04° is shown as 0.0)."""
    text = (f"{value:.0f}" if unit in ("ms", "spm") else
            f"{value:.2f}" if unit in ("", "m") else f"{value:.1f}")
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def step_length_m(speed_kmh: float, cadence_spm: float | None) -> float | None:
    """Step length (m) on a treadmill: belt speed (km/h → m/s) × seconds per step."""
    if not speed_kmh or speed_kmh <= 0 or not cadence_spm:
        return None
    return speed_kmh / 3.6 * 60.0 / cadence_spm


def pct_leg_to_cm(pct_leg: float, height_cm: float) -> float:
    """A distance in % of leg length → cm, leg ≈ LEG_PER_HEIGHT × standing height."""
    return pct_leg / 100.0 * LEG_PER_HEIGHT * height_cm


def metric_names_for_views(views) -> list[str]:  # noqa: ANN001 - iterable of View
    """Metric names of any of ``views``, first view's first, each once."""
    out: list[str] = []
    for v in views:
        out += [n for n in metric_names_for(View(v)) if n not in out]
    return out


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
        self.value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.set_compact(False)
        lay.addWidget(self.title)
        lay.addWidget(self.value)
        self.band = "none"
        self.text = "—"
        self._history: collections.deque[tuple[float, float]] = collections.deque(maxlen=400)
        self._apply_bg("none")

    def set_compact(self, on: bool) -> None:
        """Smaller type for narrow columns (two views side by side); the value never
        widens its column (a long one is cut, the tooltip has it)."""
        self.value.setStyleSheet(f"color:white; font-size:{17 if on else 22}px; font-weight:bold;")
        self.value.setSizePolicy(QSizePolicy.Policy.Ignored if on else QSizePolicy.Policy.Preferred,
                                 QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(54 if on else 66)

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
    #: two views: from this width (px) one column per view, side by side
    VIEW_COLUMNS_FROM = 260

    def __init__(self, parent: QWidget | None = None, columns: int = 2) -> None:
        super().__init__(parent)
        self.columns = columns
        self.max_columns = columns
        self.grid = QGridLayout(self)
        self.grid.setSpacing(6)
        self.grid.setContentsMargins(4, 4, 4, 4)
        self.tiles: dict[str, MetricTile] = {}
        self._items: list[QWidget] = []   # tiles and view headings, in grid order
        self.view: View | None = None     # the first of ``views``
        self.views: tuple[View, ...] = ()
        self._by_view = False
        self._last_snapshot: MetricSnapshot | None = None

    def set_view(self, view: View) -> None:
        self.set_views((view,))

    def set_views(self, views) -> None:  # noqa: ANN001 - tuple[View, ...]
        """Tiles for the metrics of ``views`` (one, or side + rear/front: each view's own
        metrics under its heading; metrics both views measure are shown once, from the
        first view, which times the steps)."""
        from app.gait.metrics import METRIC_SPECS

        views = tuple(View(v) for v in views)
        if views == self.views:
            return
        self.views = views
        self.view = views[0]
        for item in self._items:
            self.grid.removeWidget(item)
            item.deleteLater()
        self.tiles, self._items = {}, []
        shown: set[str] = set()
        for i, view in enumerate(views):
            names = [n for n in metric_names_for(view) if n not in shown]
            shown.update(names)
            if i == 0 and "cadence_spm" in names:
                names.insert(names.index("cadence_spm") + 1, STEP_LENGTH)
            if len(views) > 1:
                head = QLabel(f"{view.value.capitalize()} view")
                head.setObjectName("tilesHeading")
                head.setStyleSheet("color:#90caf9; font-size:12px; font-weight:bold; padding-top:2px;")
                self._items.append(head)
            for name in names:
                if name == STEP_LENGTH:
                    tile = MetricTile(name, "Step length", "m", self)
                    tile.setToolTip("treadmill speed / cadence")
                else:
                    spec = METRIC_SPECS[name]
                    tile = MetricTile(name, spec.label, spec.unit, self)
                self.tiles[name] = tile
                self._items.append(tile)
        self._regrid()
        self._last_snapshot = None

    def _regrid(self) -> None:
        """Two views with room: one column per view (side | rear), each under its heading.
        Else headings span a row and tiles fill ``columns`` per row."""
        for item in self._items:
            self.grid.removeWidget(item)
        by_view = len(self.views) > 1 and self.width() >= self.VIEW_COLUMNS_FROM
        for item in self._items:
            if isinstance(item, MetricTile):
                item.set_compact(by_view)
        for c in range(3):
            self.grid.setColumnStretch(c, 1 if c < (2 if by_view else self.columns) else 0)
        if by_view:
            col, row = -1, 0
            for item in self._items:
                if not isinstance(item, MetricTile):
                    col, row = col + 1, 0
                self.grid.addWidget(item, row, col)
                row += 1
            return
        row, col = 0, 0
        for item in self._items:
            if isinstance(item, MetricTile):
                self.grid.addWidget(item, row, col)
                col += 1
                if col == self.columns:
                    row, col = row + 1, 0
            else:
                if col:
                    row, col = row + 1, 0
                self.grid.addWidget(item, row, 0, 1, self.columns)
                row += 1

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Two columns where there is room, one on a narrow panel."""
        super().resizeEvent(event)
        cols = 1 if self.width() < self.ONE_COLUMN_BELOW else self.max_columns
        by_view = len(self.views) > 1 and self.width() >= self.VIEW_COLUMNS_FROM
        if cols != self.columns or by_view != self._by_view:
            self.columns, self._by_view = cols, by_view
            self._regrid()

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
