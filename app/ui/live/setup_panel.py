"""Setup panel: the runner in front of the camera, view, facing, treadmill speed (→ step
length), runner height (→ cm for leg-length metrics), cadence target, thresholds per
metric, camera settings and the demo runner's faults. The cue focus is chosen in the
feedback panel.

Emits ``settings_changed(Settings)`` whenever the user edits a field (the window applies
and saves), ``demo_changed(dict)`` for the demo runner's parameters, ``runner_chosen(int)``
(store id, 0 = no runner), ``new_runner_requested()`` and ``target_typed(object)`` (steps
/min, or None for "no target") — the target belongs to the runner
(``app.ui.live.runner_targets``), not to the settings.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHeaderView, QLabel, QPushButton, QSpinBox,
    QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from app.config import Band, Settings
from app.types import View
from app.ui.live.tiles import metric_names_for_views

RESOLUTIONS = ("640x480", "1280x720", "1920x1080")


def _dspin(lo: float, hi: float, value: float, step: float = 1.0, decimals: int = 1,
           suffix: str = "") -> QDoubleSpinBox:
    s = QDoubleSpinBox()
    s.setRange(lo, hi)
    s.setDecimals(decimals)
    s.setSingleStep(step)
    s.setValue(value)
    if suffix:
        s.setSuffix(suffix)
    s.setKeyboardTracking(False)
    return s


class RunnerCombo(QComboBox):
    """The runner chooser; ``opening()`` just before its list shows (to re-read the
    runners: the session browser may have added or removed some)."""

    opening = Signal()

    def showPopup(self) -> None:  # noqa: N802 - Qt API
        self.opening.emit()
        super().showPopup()


class SetupPanel(QWidget):
    """GUI thread only."""

    settings_changed = Signal(object)
    demo_changed = Signal(object)
    runner_chosen = Signal(int)
    new_runner_requested = Signal()
    target_typed = Signal(object)

    #: the target box's lowest value, shown as "—": no target (until a baseline is measured)
    NO_TARGET = 119.0

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._loading = True
        self._views: tuple[View, ...] = (View(settings.runner.view),)
        root = QVBoxLayout(self)

        run = QGroupBox("Runner and view")
        f = QFormLayout(run)
        self.runner = RunnerCombo()
        self.runner.setToolTip("The runner in front of the camera: their target cadence is "
                               "kept with them, and recordings are added to their history")
        self.view = QComboBox()
        for v in View:
            self.view.addItem(v.value.capitalize(), v.value)
        self.facing = QComboBox()
        for key, text in (("auto", "Auto-detect"), ("left", "Image-left"), ("right", "Image-right")):
            self.facing.addItem(text, key)
        r = settings.runner
        self.speed = _dspin(0, 30, r.treadmill_speed_kmh, 0.1, 1, " km/h")
        self.height = _dspin(100, 230, r.height_cm, 1, 0, " cm")
        self.target = _dspin(self.NO_TARGET, 230, self.NO_TARGET, 1, 0, " spm")
        self.target.setSpecialValueText("—")
        self.band = _dspin(0.5, 15, r.cadence_band_pct, 0.5, 1, " %")
        self.speed.setSpecialValueText("no treadmill")
        self.speed.setToolTip("Belt speed: step length = speed / cadence (0 = not on a treadmill)")
        self.height.setToolTip("Standing height: leg-length metrics are also shown in cm "
                               "(leg ≈ 0.491 × height, Winter's anthropometry)")
        self.target.setToolTip("Typing a target here overrides baseline × (1 + increase) "
                               "from the feedback panel; it is kept with the runner. "
                               "— = no target yet")
        f.addRow("Runner", self.runner)
        f.addRow("View", self.view)
        f.addRow("Runner faces", self.facing)
        f.addRow("Treadmill speed", self.speed)
        f.addRow("Runner height", self.height)
        f.addRow("Target cadence", self.target)
        f.addRow("Cadence band ±", self.band)
        root.addWidget(run)

        thr = QGroupBox("Thresholds (green / amber bands)")
        tl = QVBoxLayout(thr)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Metric", "green lo", "green hi", "amber lo", "amber hi"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(180)
        self.table.setToolTip("Type a number; green must lie inside amber, low ≤ high")
        tl.addWidget(self.table)
        self.thr_problem = QLabel("")  # why the last typed value was refused
        self.thr_problem.setWordWrap(True)
        self.thr_problem.setStyleSheet("color:#b71c1c;")
        self.thr_problem.hide()
        tl.addWidget(self.thr_problem)
        self.reset_thr = QPushButton("Reset thresholds to defaults")
        tl.addWidget(self.reset_thr)
        root.addWidget(thr)

        cam = QGroupBox("Camera")
        cf = QFormLayout(cam)
        c = settings.camera
        self.cam_device = QSpinBox()
        self.cam_device.setRange(0, 16)
        self.cam_device.setValue(c.device)
        self.cam_res = QComboBox()
        self.cam_res.addItems(RESOLUTIONS)
        res = f"{c.width}x{c.height}"
        if res not in RESOLUTIONS:
            self.cam_res.addItem(res)
        self.cam_res.setCurrentText(res)
        self.cam_fps = _dspin(5, 240, c.fps, 1, 0, " fps")
        cf.addRow("Device", self.cam_device)
        cf.addRow("Resolution", self.cam_res)
        cf.addRow("Frame rate", self.cam_fps)
        root.addWidget(cam)

        demo = QGroupBox("Demo runner")
        df = QFormLayout(demo)
        self.demo_cadence = _dspin(140, 210, 170, 1, 0, " spm")
        self.demo_overstride = _dspin(0, 30, 0, 1, 0, " % leg")
        self.demo_drop = _dspin(0, 15, 0, 0.5, 1, " °")
        self.demo_valgus = _dspin(0, 20, 0, 0.5, 1, " °")
        df.addRow("Cadence", self.demo_cadence)
        df.addRow("Overstride", self.demo_overstride)
        df.addRow("Pelvic drop", self.demo_drop)
        df.addRow("Knee valgus", self.demo_valgus)
        root.addWidget(demo)
        root.addStretch(1)

        self._load(settings)
        for w in (self.view, self.facing, self.cam_res):
            w.currentIndexChanged.connect(self._changed)
        for w in (self.speed, self.height, self.band, self.cam_fps):
            w.valueChanged.connect(self._changed)
        self.target.valueChanged.connect(self._target_changed)
        self.runner.activated.connect(self._runner_activated)
        self.cam_device.valueChanged.connect(self._changed)
        self.table.itemChanged.connect(self._threshold_edited)
        self.reset_thr.clicked.connect(self._reset_thresholds)
        for w in (self.demo_cadence, self.demo_overstride, self.demo_drop, self.demo_valgus):
            w.valueChanged.connect(self._demo)
        self._loading = False

    # -------------------------------------------------------------------------
    def _load(self, s: Settings) -> None:
        self._loading = True
        self.view.setCurrentIndex(max(0, self.view.findData(s.runner.view)))
        self.facing.setCurrentIndex(max(0, self.facing.findData(s.runner.facing)))
        self._fill_table(View(s.runner.view), s)
        self._loading = False

    def show_views(self, views) -> None:  # noqa: ANN001 - tuple[View, ...]
        """The views measured now: with two cameras the view is fixed (side first) and the
        thresholds table lists both views' metrics."""
        views = tuple(View(v) for v in views)
        if views == self._views:
            return
        self._views = views
        two = len(views) > 1
        self.view.setEnabled(not two)
        self.view.setToolTip("Two cameras: the first films the side, the second the "
                             f"{views[1].value} (Setup → Cameras)" if two else "")
        self._fill_table(View(self.settings.runner.view), self.settings)

    def sync_settings(self, s: Settings) -> None:
        """The window changed fields kept here (the focus metric): take them without
        emitting ``settings_changed``."""
        self.settings = s

    def show_target(self, spm: float | None) -> None:
        """Show the target in force (None: "—") without emitting ``target_typed``."""
        self.target.blockSignals(True)
        self.target.setValue(self.NO_TARGET if spm is None else float(spm))
        self.target.blockSignals(False)

    def set_runners(self, runners: list[tuple[int, str]], current: int) -> None:
        """Fill the runner chooser: 'No runner', (id, name)…, 'New runner…'; no signal."""
        self.runner.blockSignals(True)
        self.runner.clear()
        self.runner.addItem("No runner (nothing kept)", 0)
        for rid, name in runners:
            self.runner.addItem(name, rid)
        self.runner.addItem("New runner…", -1)
        self.runner.setCurrentIndex(max(0, self.runner.findData(current)))
        self.runner.blockSignals(False)

    def _runner_activated(self, index: int) -> None:
        rid = self.runner.itemData(index)
        if rid == -1:
            self.new_runner_requested.emit()
        else:
            self.runner_chosen.emit(int(rid or 0))

    def _target_changed(self, value: float) -> None:
        if not self._loading:
            self.target_typed.emit(None if value <= self.NO_TARGET + 0.5 else float(value))

    def _fill_table(self, view: View, s: Settings) -> None:
        from app.gait.metrics import METRIC_SPECS

        self.table.blockSignals(True)
        names = metric_names_for_views(self._views if len(self._views) > 1 else (view,))
        self.table.setRowCount(len(names))
        for row, name in enumerate(names):
            spec = METRIC_SPECS[name]
            item = QTableWidgetItem(f"{spec.label} ({spec.unit})" if spec.unit else spec.label)
            item.setData(256, name)  # Qt.UserRole
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, 0, item)
            band = s.band_for(name)
            vals = (*band.green, *band.amber) if band else ("", "", "", "")
            for col, v in enumerate(vals, start=1):
                self.table.setItem(row, col, QTableWidgetItem(f"{v:g}" if v != "" else ""))
        self.table.blockSignals(False)

    COLUMN_WORDS = ("", "green low", "green high", "amber low", "amber high")

    def threshold_problem(self, row: int, col: int, text: str) -> str:
        """'' when ``text`` may go into cell (row, col) of the thresholds table, else the
        reason in one sentence."""
        name = self.table.item(row, 0).text()
        t = text.strip().replace(",", ".").replace("−", "-")
        try:
            value = float(t)
        except ValueError:
            return (f"“{text.strip()}” is not a number: {name}, {self.COLUMN_WORDS[col]} needs a "
                    "value such as 12.5.")
        if value != value or value in (float("inf"), float("-inf")):
            return f"{name}, {self.COLUMN_WORDS[col]} needs a finite number."
        vals = []
        for c in range(1, 5):
            if c == col:
                vals.append(value)
                continue
            try:
                vals.append(float(self.table.item(row, c).text()))
            except (AttributeError, ValueError):
                return ""  # another cell is empty (a metric without a band): nothing to compare
        gl, gh, al, ah = vals
        fmt = lambda v: f"{v:g}"  # noqa: E731
        if gl > gh:
            return f"{name}: green low ({fmt(gl)}) is above green high ({fmt(gh)})."
        if al > ah:
            return f"{name}: amber low ({fmt(al)}) is above amber high ({fmt(ah)})."
        if al > gl or gh > ah:
            return (f"{name}: the green band ({fmt(gl)} to {fmt(gh)}) must lie inside the amber "
                    f"band ({fmt(al)} to {fmt(ah)}).")
        return ""

    def _threshold_edited(self, item: QTableWidgetItem) -> None:
        """A typed threshold: refused in the cell (the old value comes back) with the reason
        under the table, or taken."""
        if self._loading or item.column() == 0:
            return
        problem = self.threshold_problem(item.row(), item.column(), item.text())
        band = self.settings.band_for(self.table.item(item.row(), 0).data(256))
        self.table.blockSignals(True)
        if problem:
            old = (*band.green, *band.amber)[item.column() - 1] if band is not None else ""
            item.setText(f"{old:g}" if old != "" else "")
            item.setToolTip(problem)
        else:
            item.setText(f"{float(item.text().strip().replace(',', '.').replace('−', '-')):g}")
            item.setToolTip("")
        self.table.blockSignals(False)
        self.thr_problem.setText(problem)
        self.thr_problem.setVisible(bool(problem))
        if not problem:
            self._changed()

    def _read_thresholds(self, s: Settings) -> Settings:
        out = s
        for row in range(self.table.rowCount()):
            name = self.table.item(row, 0).data(256)
            try:
                vals = [float(self.table.item(row, c).text()) for c in range(1, 5)]
            except (AttributeError, ValueError):
                continue
            if vals[0] > vals[1] or vals[2] > vals[3]:
                continue
            band = Band((vals[0], vals[1]), (vals[2], vals[3]))
            if band != s.band_for(name) or name in s.thresholds:
                out = out.with_threshold(name, band)
        return out

    def _reset_thresholds(self) -> None:
        from types import MappingProxyType

        self.settings = replace(self.settings, thresholds=MappingProxyType({}))
        self._fill_table(View(self.settings.runner.view), self.settings)
        self.settings_changed.emit(self.settings)

    def _changed(self, *args) -> None:
        if self._loading:
            return
        s = self.settings
        view = self.view.currentData()
        w, _, h = self.cam_res.currentText().partition("x")
        runner = replace(s.runner, view=view, facing=self.facing.currentData(),
                         treadmill_speed_kmh=self.speed.value(), height_cm=self.height.value(),
                         cadence_band_pct=self.band.value())
        camera = replace(s.camera, device=self.cam_device.value(), width=int(w), height=int(h),
                         fps=self.cam_fps.value())
        new = replace(s, runner=runner, camera=camera)
        if view != s.runner.view:
            self._loading = True
            self._fill_table(View(view), new)
            self._loading = False
        else:
            new = self._read_thresholds(new)
        self.settings = new
        self.settings_changed.emit(new)

    def demo_params(self) -> dict:
        return {
            "cadence_spm": self.demo_cadence.value(),
            "overstride": self.demo_overstride.value() / 100.0,
            "pelvic_drop_deg": self.demo_drop.value(),
            "knee_valgus_deg": self.demo_valgus.value(),
        }

    def _demo(self, *args) -> None:
        self.demo_changed.emit(self.demo_params())
