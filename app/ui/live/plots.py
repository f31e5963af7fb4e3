"""Live plots (pyqtgraph): cadence over time with its target band, the focus metric per
step left vs right, and contact time step by step.

Data arrive per completed step (a few per second) into preallocated ring buffers;
:meth:`LivePlots.refresh` calls ``setData`` from the window's ~20 Hz timer. Axis ranges
are fixed (set when the view, target or focus metric changes), never autoscaled.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.types import Foot, StepRecord

CADENCE_WINDOW_S = 120.0
N_STEPS_SHOWN = 40
_LEFT, _RIGHT = "#4fc3f7", "#ffb74d"


class _Ring:
    """Fixed-size ring buffer of (x, y) float pairs; ``view()`` is oldest→newest."""

    def __init__(self, n: int) -> None:
        self.x = np.full(n, np.nan)
        self.y = np.full(n, np.nan)
        self.n = n
        self.count = 0

    def push(self, x: float, y: float) -> None:
        i = self.count % self.n
        self.x[i], self.y[i] = x, y
        self.count += 1

    def view(self) -> tuple[np.ndarray, np.ndarray]:
        if self.count <= self.n:
            return self.x[: self.count], self.y[: self.count]
        i = self.count % self.n
        return np.concatenate((self.x[i:], self.x[:i])), np.concatenate((self.y[i:], self.y[:i]))

    def clear(self) -> None:
        self.x[:] = np.nan
        self.y[:] = np.nan
        self.count = 0


class LivePlots(QWidget):
    """Three stacked plots. GUI thread only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        pg.setConfigOptions(antialias=False, background="#101418", foreground="#cfd8dc")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.glw = pg.GraphicsLayoutWidget()
        lay.addWidget(self.glw)
        self.p_cad = self.glw.addPlot(row=0, col=0, title="Cadence (spm)")
        self.p_focus = self.glw.addPlot(row=0, col=1, title="Focus metric per step")
        self.p_contact = self.glw.addPlot(row=0, col=2, title="Contact time per step (ms)")
        for p in (self.p_cad, self.p_focus, self.p_contact):
            p.setMouseEnabled(x=False, y=False)
            p.hideButtons()
            p.enableAutoRange(False)
            p.showGrid(x=True, y=True, alpha=0.2)
        self.p_cad.setLabel("bottom", "s")
        self.p_focus.setLabel("bottom", "step")
        self.p_contact.setLabel("bottom", "step")
        # one row, on a dark backing: two stacked rows reached the middle of the short plot,
        # over the points near zero
        self.p_focus.addLegend(offset=(5, 2), colCount=2, brush=pg.mkBrush(16, 20, 24, 200),
                               labelTextSize="8pt")
        self.band = pg.LinearRegionItem(orientation="horizontal", movable=False,
                                        brush=pg.mkBrush(46, 125, 50, 70),
                                        pen=pg.mkPen(None))
        self.p_cad.addItem(self.band)
        self.c_cad = self.p_cad.plot(pen=pg.mkPen("#ffffff", width=2), symbol="o", symbolSize=4,
                                     symbolBrush="#ffffff")
        self.c_focus = {
            Foot.LEFT: self.p_focus.plot(pen=pg.mkPen(_LEFT, width=2), symbol="o", symbolSize=6,
                                         symbolBrush=_LEFT, name="left"),
            Foot.RIGHT: self.p_focus.plot(pen=pg.mkPen(_RIGHT, width=2), symbol="s", symbolSize=6,
                                          symbolBrush=_RIGHT, name="right"),
        }
        self.c_contact = {
            Foot.LEFT: self.p_contact.plot(pen=None, symbol="o", symbolSize=7, symbolBrush=_LEFT),
            Foot.RIGHT: self.p_contact.plot(pen=None, symbol="s", symbolSize=7, symbolBrush=_RIGHT),
        }
        self.c_contact_line = self.p_contact.plot(pen=pg.mkPen("#90a4ae", width=1))
        self.cadence = _Ring(1024)
        self.focus = {Foot.LEFT: _Ring(N_STEPS_SHOWN), Foot.RIGHT: _Ring(N_STEPS_SHOWN)}
        self.contact = {Foot.LEFT: _Ring(N_STEPS_SHOWN), Foot.RIGHT: _Ring(N_STEPS_SHOWN)}
        self.contact_all = _Ring(N_STEPS_SHOWN)
        self.focus_name = ""
        self.n_steps = 0
        self.t0_ns: int | None = None
        self.now_s = 0.0
        self._dirty = True
        self._cad_window = 30.0
        self.p_cad.setXRange(-self._cad_window, 0, padding=0)
        self.p_cad.setYRange(140, 210, padding=0)
        self.p_contact.setYRange(100, 400, padding=0)
        for p in (self.p_focus, self.p_contact):
            p.setXRange(-N_STEPS_SHOWN + 0.5, 0.5, padding=0)
        self.refresh_count = 0

    # ---------------------------------------------------------------- configuration
    def set_target(self, target_spm: float | None, band_pct: float) -> None:
        if target_spm:
            lo, hi = target_spm * (1 - band_pct / 100), target_spm * (1 + band_pct / 100)
            self.band.setRegion((lo, hi))
            self.band.show()
            self.p_cad.setYRange(math.floor(target_spm - 35), math.ceil(target_spm + 25), padding=0)
        else:
            self.band.hide()

    def set_focus(self, name: str, label: str, unit: str, y_range: tuple[float, float]) -> None:
        if name == self.focus_name:
            return
        self.focus_name = name
        self.p_focus.setTitle(f"{label} per step ({unit or '-'})")
        lo, hi = y_range
        self.p_focus.setYRange(lo, hi, padding=0)
        for r in self.focus.values():
            r.clear()
        self._dirty = True

    def reset(self) -> None:
        self.cadence.clear()
        for d in (self.focus, self.contact):
            for r in d.values():
                r.clear()
        self.contact_all.clear()
        self.n_steps = 0
        self.t0_ns = None
        self.now_s = 0.0
        self._dirty = True

    # ---------------------------------------------------------------- data (GUI thread)
    def add_steps(self, steps: tuple[StepRecord, ...], cadence: float | None, t_ns: int) -> None:
        if self.t0_ns is None:
            self.t0_ns = t_ns
        for st in steps:
            self.n_steps += 1
            if self.focus_name:
                v = st.metrics.get(self.focus_name)
                if v is not None and math.isfinite(v):
                    self.focus[st.foot].push(self.n_steps, float(v))
            if st.contact_ms is not None:
                self.contact[st.foot].push(self.n_steps, float(st.contact_ms))
                self.contact_all.push(self.n_steps, float(st.contact_ms))
        if cadence is not None and steps:
            self.cadence.push((t_ns - self.t0_ns) / 1e9, float(cadence))
        self.now_s = (t_ns - self.t0_ns) / 1e9
        self._dirty = True

    def tick(self, now_ns: int | None) -> None:
        """Advance the time axis (called from the plot timer)."""
        if now_ns is not None and self.t0_ns is not None:
            now = (now_ns - self.t0_ns) / 1e9
            if now - self.now_s >= 1.0:  # scroll the time axis once a second
                self.now_s = now
                self._dirty = True

    def refresh(self) -> bool:
        """``setData`` on every curve if something changed; GUI thread, ~20 Hz."""
        if not self._dirty:
            return False
        self._dirty = False
        x, y = self.cadence.view()
        self.c_cad.setData(x - self.now_s, y)
        window = next((w for w in (30.0, 60.0) if self.now_s < w), CADENCE_WINDOW_S)
        if window != self._cad_window:  # the range steps up 30 → 60 → 120 s, never autoscaled
            self._cad_window = window
            self.p_cad.setXRange(-window, 0, padding=0)
        last = self.n_steps
        for foot in (Foot.LEFT, Foot.RIGHT):
            fx, fy = self.focus[foot].view()
            self.c_focus[foot].setData(fx - last, fy)
            cx, cy = self.contact[foot].view()
            self.c_contact[foot].setData(cx - last, cy)
        ax, ay = self.contact_all.view()
        self.c_contact_line.setData(ax - last, ay)
        self.refresh_count += 1
        return True
