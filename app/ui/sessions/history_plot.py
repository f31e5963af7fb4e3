"""A runner's history: cadence and one chosen metric, session by session, over the weeks.

Two stacked pyqtgraph plots sharing a date axis (x = session start, local time): cadence
on top, the metric picked in the combo box below, each with the green band from the newest
session's thresholds. Filled from :class:`app.session.store.RunnerHistory`; GUI thread only.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.session.store import RunnerHistory

CADENCE = "cadence_spm"
DEFAULT_METRIC = "overstride_pct_leg"
_DAY_S = 86400.0


def metric_label(name: str) -> str:
    """'Overstride (% leg)' for a metric name; the name itself when unknown."""
    from app.gait.metrics import METRIC_SPECS

    spec = METRIC_SPECS.get(name)
    if spec is None:
        return name
    return f"{spec.label} ({spec.unit})" if spec.unit else spec.label


class HistoryPlot(QWidget):
    """Cadence and a chosen metric across sessions. ``metric_changed(name)`` asks the
    owner for a new history with that metric (the plot does not read the store)."""

    metric_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.title = QLabel("History")
        self.combo = QComboBox()
        self.combo.setToolTip("The metric shown under cadence")
        self.combo.currentIndexChanged.connect(self._combo_changed)
        row.addWidget(self.title, 1)
        row.addWidget(QLabel("Metric:"))
        row.addWidget(self.combo)
        lay.addLayout(row)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setMinimumHeight(220)
        lay.addWidget(self.glw, 1)
        self.p_cad = self.glw.addPlot(row=0, col=0, axisItems={"bottom": pg.DateAxisItem()})
        self.p_metric = self.glw.addPlot(row=1, col=0, axisItems={"bottom": pg.DateAxisItem()})
        self.p_metric.setXLink(self.p_cad)
        self.bands = {}
        self.curves = {}
        for key, p, color in ((CADENCE, self.p_cad, "#ffffff"), ("metric", self.p_metric, "#4fc3f7")):
            p.setMouseEnabled(x=False, y=False)
            p.hideButtons()
            p.showGrid(x=True, y=True, alpha=0.2)
            p.getAxis("left").setWidth(56)  # same width in both plots: dates line up
            band = pg.LinearRegionItem(orientation="horizontal", movable=False,
                                       brush=pg.mkBrush(46, 125, 50, 60), pen=pg.mkPen(None))
            band.setVisible(False)
            p.addItem(band)
            self.bands[key] = band
            self.curves[key] = p.plot(pen=pg.mkPen(color, width=2), symbol="o", symbolSize=9,
                                      symbolBrush=color, connect="finite")
        self.p_cad.setLabel("left", metric_label(CADENCE))
        self.empty = pg.TextItem("", color="#90a4ae", anchor=(0.5, 0.5))
        self.p_cad.addItem(self.empty, ignoreBounds=True)
        self.metric = DEFAULT_METRIC
        self.history: RunnerHistory | None = None
        self._filling = False
        self._show_empty("Pick a runner to see their history")

    # ------------------------------------------------------------ data
    def set_metric_choices(self, names: list[str]) -> None:
        """Metrics offered in the combo box (cadence excluded; it is always on top)."""
        names = [n for n in names if n != CADENCE]
        if self.metric not in names:
            names.append(self.metric)
        self._filling = True
        self.combo.clear()
        for n in names:
            self.combo.addItem(metric_label(n), n)
        self.combo.setCurrentIndex(names.index(self.metric))
        self._filling = False

    def set_history(self, history: RunnerHistory | None, title: str = "",
                    thresholds: dict | None = None) -> None:
        """Show ``history`` (must hold cadence and :attr:`metric`); None clears the plots.
        ``thresholds``: {metric: {"green": [lo, hi], ...}} for the green bands."""
        self.history = history
        self.title.setText(title or "History")
        self.p_metric.setLabel("left", metric_label(self.metric))
        if history is None or not history.session_ids:
            for c in self.curves.values():
                c.setData([], [])
            for b in self.bands.values():
                b.setVisible(False)
            self._show_empty("No sessions to plot yet" if history is not None else
                             "Pick a runner to see their history")
            return
        self.empty.setText("")
        x = np.array([d.timestamp() for d in history.started], float)
        for key, name in ((CADENCE, CADENCE), ("metric", self.metric)):
            y = np.array([np.nan if v is None else v for v in history.values.get(name, ())], float)
            if len(y) != len(x):
                y = np.full(len(x), np.nan)
            self.curves[key].setData(x, y)
            green = (thresholds or {}).get(name, {}).get("green")
            self.bands[key].setVisible(bool(green))
            if green:
                self.bands[key].setRegion(tuple(green))
            plot = self.p_cad if key == CADENCE else self.p_metric
            finite = y[np.isfinite(y)]
            if finite.size:  # the trend fills the plot; the band shows where it is in range
                lo, hi = float(finite.min()), float(finite.max())
                pad = max((hi - lo) * 0.2, 0.05 * max(abs(hi), 1.0), 1.0)
                plot.setYRange(lo - pad, hi + pad, padding=0)
        span = max(x.max() - x.min(), 7 * _DAY_S)
        self.p_cad.setXRange(x.min() - 0.1 * span, x.max() + 0.1 * span, padding=0)

    def _show_empty(self, text: str) -> None:
        """An empty plot still reads as dates (the last eight weeks up to today) and
        cadence, with a line saying why it is empty — not the epoch's "00.100"."""
        now = time.time()
        x0, x1 = now - 8 * 7 * _DAY_S, now + 2 * _DAY_S
        self.p_cad.setXRange(x0, x1, padding=0)
        self.p_cad.setYRange(150, 200, padding=0)
        self.p_metric.setYRange(0, 1, padding=0)
        self.empty.setText(text)
        self.empty.setPos((x0 + x1) / 2, 175)

    def points(self, which: str = CADENCE) -> list[tuple[float, float]]:
        """The plotted (unix time s, value) points of ``which`` ('cadence_spm' or 'metric'),
        leaving out sessions without a value."""
        xs, ys = self.curves[which].getData()
        if xs is None:
            return []
        return [(float(a), float(b)) for a, b in zip(xs, ys) if math.isfinite(b)]

    def _combo_changed(self, index: int) -> None:
        if self._filling or index < 0:
            return
        self.metric = self.combo.itemData(index)
        self.metric_changed.emit(self.metric)
