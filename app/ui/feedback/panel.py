"""Feedback panel (a dock in the main window): metronome (baseline, increase, ramp,
target), beat–step synchrony (last phase error, share within ±50 ms, a plot per step),
spoken cues (on/off, focus fault, schedule, last cue) and the audio output device.

GUI thread only. The panel calls the Qt-free ``FeedbackController`` for settings it owns
and emits signals for what needs the window (the audio engine, thresholds, saving):
``metronome_toggled(bool)``, ``cues_toggled(bool)``, ``focus_chosen(str, str)``,
``device_chosen(str)``, ``settings_changed(FeedbackSettings)``. :meth:`refresh` is called
from the window's plot timer with the controller's state; it only repaints what changed.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup, QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout,
    QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from app.config import FeedbackSettings
from app.feedback.controller import FeedbackController, FeedbackState
from app.feedback.cue_rules import Schedule
from app.feedback.metronome import INCREASE_PRESETS_PCT, SYNC_WINDOW_MS

SYNC_PLOT_STEPS = 60
SYNC_PLOT_MS = 200.0
_SCHEDULES = (("continuous", "Continuous (every trigger)"),
              ("intermittent", "Intermittent (every 2nd)"),
              ("none", "None (silent block)"))
_DIRECTION_WORDS = {"high": "too high", "low": "too low", "rearfoot": "rearfoot strike",
                    "forefoot": "forefoot strike"}


def fault_label(metric: str, direction: str) -> str:
    """'Overstride — too high' for the focus chooser."""
    from app.feedback.controller import STEP_METRIC_FOR_FAULT
    from app.gait.metrics import METRIC_SPECS

    spec = METRIC_SPECS.get(STEP_METRIC_FOR_FAULT.get(metric, metric))
    name = "Foot strike" if metric == "foot_strike" else (spec.label if spec else metric)
    return f"{name} — {_DIRECTION_WORDS.get(direction, direction)}"


def wall_clock(t_ns: int) -> str:
    """HH:MM:SS of a perf_counter_ns time (local wall clock)."""
    wall = time.time() - (time.perf_counter_ns() - t_ns) / 1e9
    return time.strftime("%H:%M:%S", time.localtime(wall))


def _dspin(lo: float, hi: float, value: float, step: float, decimals: int, suffix: str) -> QDoubleSpinBox:
    s = QDoubleSpinBox()
    s.setRange(lo, hi)
    s.setDecimals(decimals)
    s.setSingleStep(step)
    s.setValue(value)
    s.setSuffix(suffix)
    s.setKeyboardTracking(False)
    return s


class FeedbackPanel(QWidget):
    """GUI thread only."""

    metronome_toggled = Signal(bool)
    cues_toggled = Signal(bool)
    focus_chosen = Signal(str, str)
    device_chosen = Signal(str)
    settings_changed = Signal(object)

    def __init__(self, settings: FeedbackSettings, controller: FeedbackController,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.controller = controller
        self._loading = True
        self._sync_version = -1
        self._last_cue = None
        root = QVBoxLayout(self)
        root.setContentsMargins(6, 6, 6, 6)

        # ---------------------------------------------------------------- metronome
        met = QGroupBox("Metronome")
        mf = QFormLayout(met)
        self.metronome = QCheckBox("Click at the target (T)")
        mf.addRow(self.metronome)
        self.baseline_mode = QComboBox()
        self.baseline_mode.addItem("Measure live", "auto")
        self.baseline_mode.addItem("Typed in", "typed")
        self.baseline_spm = _dspin(100, 230, settings.baseline_spm, 1, 0, " spm")
        self.remeasure = QPushButton("Re-measure")
        self.remeasure.setToolTip("Start counting the self-selected cadence again "
                                  "(steps with the metronome off)")
        row = QHBoxLayout()
        row.addWidget(self.baseline_mode)
        row.addWidget(self.baseline_spm)
        mf.addRow("Baseline", row)
        self.baseline_info = QLabel("")
        self.baseline_info.setStyleSheet("color:#90a4ae;")
        self.baseline_info.setWordWrap(True)
        self.baseline_info.setToolTip("The self-selected cadence: steps run with the "
                                      "metronome off count towards it")
        row = QHBoxLayout()
        row.addWidget(self.baseline_info, 1)
        row.addWidget(self.remeasure)
        mf.addRow("", row)
        self.preset_group = QButtonGroup(self)
        self.preset_group.setExclusive(True)
        row = QHBoxLayout()
        self.preset_buttons: dict[float, QPushButton] = {}
        for pct in INCREASE_PRESETS_PCT:
            b = QPushButton(f"+{pct:g}%")
            b.setMinimumWidth(10)
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.preset_group.addButton(b)
            self.preset_buttons[pct] = b
            row.addWidget(b)
        self.increase = _dspin(-10, 25, settings.increase_pct, 0.5, 1, " %")
        self.increase.setToolTip("Free increase over the baseline")
        row.addWidget(self.increase)
        mf.addRow("Increase", row)
        self.ramp = QCheckBox("Ramp up over")
        self.ramp_s = QSpinBox()
        self.ramp_s.setRange(5, 1200)
        self.ramp_s.setSuffix(" s")
        self.ramp_s.setValue(int(settings.ramp_s))
        row = QHBoxLayout()
        row.addWidget(self.ramp)
        row.addWidget(self.ramp_s)
        row.addStretch(1)
        mf.addRow("", row)
        self.target = QLabel("Target —")
        self.target.setStyleSheet("font-size:20px; font-weight:bold;")
        self.target_info = QLabel("")
        self.target_info.setStyleSheet("color:#90a4ae;")
        self.target_info.setWordWrap(True)
        mf.addRow(self.target)
        mf.addRow(self.target_info)
        root.addWidget(met)

        # ---------------------------------------------------------------- synchrony
        syn = QGroupBox("Beat–step synchrony")
        sl = QVBoxLayout(syn)
        self.sync_last = QLabel("Last step: —")
        self.sync_last.setStyleSheet("font-size:16px; font-weight:bold;")
        self.sync_share = QLabel(f"Within ±{SYNC_WINDOW_MS:.0f} ms: —")
        self.sync_share.setWordWrap(True)
        sl.addWidget(self.sync_last)
        sl.addWidget(self.sync_share)
        self.plot = pg.PlotWidget()
        self.plot.setMinimumHeight(120)
        self.plot.setMaximumHeight(170)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.enableAutoRange(False)
        self.plot.setYRange(-SYNC_PLOT_MS, SYNC_PLOT_MS, padding=0)
        self.plot.setXRange(-SYNC_PLOT_STEPS + 0.5, 0.5, padding=0)
        self.plot.setLabel("left", "ms")
        self.plot.setLabel("bottom", "step (0 = last)")
        self.plot.showGrid(x=False, y=True, alpha=0.2)
        band = pg.LinearRegionItem((-SYNC_WINDOW_MS, SYNC_WINDOW_MS), orientation="horizontal",
                                   movable=False, brush=pg.mkBrush(46, 125, 50, 70),
                                   pen=pg.mkPen(None))
        self.plot.addItem(band)
        # dots only: a runner drifting off the beat wraps from +½ beat to −½ beat, and a
        # line would draw that wrap as a spike
        self.curve = self.plot.plot(pen=None, symbol="o", symbolSize=5,
                                    symbolBrush="#ffffff", symbolPen=None)
        sl.addWidget(self.plot)
        self.sync_offset = _dspin(-300, 300, settings.sync_offset_ms, 5, 0, " ms")
        self.sync_offset.setToolTip(
            "Camera latency minus any audio latency the sound system does not report. "
            "Calibrate: run on the beat by ear; the mean phase error is the offset.")
        of = QFormLayout()
        of.addRow("Clock offset", self.sync_offset)
        sl.addLayout(of)
        root.addWidget(syn)

        # ---------------------------------------------------------------- cues
        cue = QGroupBox("Spoken cues")
        cf = QFormLayout(cue)
        self.cues = QCheckBox("Speak cues")
        cf.addRow(self.cues)
        self.focus = QComboBox()
        cf.addRow("Focus fault", self.focus)
        self.focus_words = QLabel("")
        self.focus_words.setStyleSheet("color:#90a4ae;")
        cf.addRow("", self.focus_words)
        self.schedule = QComboBox()
        for key, text in _SCHEDULES:
            self.schedule.addItem(text, key)
        cf.addRow("Schedule", self.schedule)
        self.last_cue = QLabel("Last cue: —")
        self.last_cue.setWordWrap(True)
        self.last_cue.setStyleSheet("font-size:14px;")
        cf.addRow(self.last_cue)
        root.addWidget(cue)

        # ---------------------------------------------------------------- audio
        aud = QGroupBox("Sound")
        af = QFormLayout(aud)
        self.device = QComboBox()
        self.device.setToolTip("Audio output device")
        af.addRow("Output", self.device)
        self.audio_notice = QLabel("")
        self.audio_notice.setWordWrap(True)
        self.audio_notice.setStyleSheet("background:#ffca28; color:#000; padding:4px;")
        self.audio_notice.hide()
        af.addRow(self.audio_notice)
        root.addWidget(aud)
        root.addStretch(1)

        self._load(settings)
        self.metronome.toggled.connect(self.metronome_toggled)
        self.cues.toggled.connect(self._on_cues)
        self.baseline_mode.currentIndexChanged.connect(self._on_baseline)
        self.baseline_spm.valueChanged.connect(self._on_baseline)
        self.remeasure.clicked.connect(self._on_remeasure)
        self.preset_group.buttonClicked.connect(self._on_preset)
        self.increase.valueChanged.connect(self._on_increase)
        self.ramp.toggled.connect(self._on_ramp)
        self.ramp_s.valueChanged.connect(self._on_ramp)
        self.sync_offset.valueChanged.connect(self._on_offset)
        self.schedule.currentIndexChanged.connect(self._on_schedule)
        self.focus.currentIndexChanged.connect(self._on_focus)
        self.device.activated.connect(self._on_device)
        self._loading = False

    # ================================================================ setup
    def _load(self, s: FeedbackSettings) -> None:
        self._loading = True
        self.baseline_mode.setCurrentIndex(max(0, self.baseline_mode.findData(s.baseline_mode)))
        self.baseline_spm.setEnabled(s.baseline_mode == "typed")
        self.increase.setValue(s.increase_pct)
        self._check_preset(s.increase_pct)
        self.ramp.setChecked(s.ramp)
        self.schedule.setCurrentIndex(max(0, self.schedule.findData(s.schedule)))
        self.cues.setChecked(s.cues)
        self._loading = False

    def apply_to_controller(self) -> None:
        """Push the saved settings into the controller (window start-up)."""
        s, c = self.settings, self.controller
        c.set_baseline_steps(s.baseline_steps)
        c.set_baseline(s.baseline_spm if s.baseline_mode == "typed" else None)
        c.set_increase(s.increase_pct)
        c.set_ramp(s.ramp_s if s.ramp else 0.0)
        c.set_sync_offset(s.sync_offset_ms)
        c.set_cues(False, Schedule(s.schedule))

    def _check_preset(self, pct: float) -> None:
        for p, b in self.preset_buttons.items():
            b.setChecked(abs(p - pct) < 1e-6)
        if not any(abs(p - pct) < 1e-6 for p in self.preset_buttons):
            self.preset_group.setExclusive(False)
            for b in self.preset_buttons.values():
                b.setChecked(False)
            self.preset_group.setExclusive(True)

    def set_focus_options(self, options: list[tuple[str, str]], current: tuple[str, str] | None) -> None:
        """Fill the focus chooser with (metric, direction) faults; no signal."""
        self.focus.blockSignals(True)
        self.focus.clear()
        for metric, direction in options:
            self.focus.addItem(fault_label(metric, direction), f"{metric}:{direction}")
        i = self.focus.findData(f"{current[0]}:{current[1]}") if current else -1
        self.focus.setCurrentIndex(max(0, i))
        self.focus.blockSignals(False)

    def current_focus(self) -> tuple[str, str] | None:
        data = self.focus.currentData()
        if not data:
            return None
        metric, _, direction = str(data).partition(":")
        return metric, direction

    def set_devices(self, names: list[str], current: str) -> None:
        """Output devices ('' = system default first); no signal."""
        self.device.blockSignals(True)
        self.device.clear()
        self.device.addItem("System default", "")
        for n in names:
            self.device.addItem(n, n)
        i = self.device.findData(current)
        if i < 0 and current:
            self.device.addItem(f"{current} (not found)", current)
            i = self.device.count() - 1
        self.device.setCurrentIndex(max(0, i))
        self.device.blockSignals(False)

    def set_audio_notice(self, text: str) -> None:
        """A sentence about missing/lost sound; '' hides the notice."""
        self.audio_notice.setText(text)
        self.audio_notice.setVisible(bool(text))

    def set_metronome_checked(self, on: bool) -> None:
        self.metronome.blockSignals(True)
        self.metronome.setChecked(on)
        self.metronome.blockSignals(False)

    def set_cues_checked(self, on: bool) -> None:
        self.cues.blockSignals(True)
        self.cues.setChecked(on)
        self.cues.blockSignals(False)

    # ================================================================ user edits
    def _save(self, **changes) -> None:
        self.settings = replace(self.settings, **changes)
        if not self._loading:
            self.settings_changed.emit(self.settings)

    def _on_cues(self, on: bool) -> None:
        self._save(cues=on)
        self.cues_toggled.emit(on)

    def _on_baseline(self, *args) -> None:
        if self._loading:
            return
        mode = self.baseline_mode.currentData()
        self.baseline_spm.setEnabled(mode == "typed")
        self.controller.set_baseline(self.baseline_spm.value() if mode == "typed" else None)
        self._save(baseline_mode=mode, baseline_spm=self.baseline_spm.value())

    def measure_baseline_live(self) -> None:
        """Back to measuring the baseline live (another runner: a typed-in baseline was
        the previous runner's)."""
        self._loading = True
        self.baseline_mode.setCurrentIndex(self.baseline_mode.findData("auto"))
        self.baseline_spm.setEnabled(False)
        self._loading = False
        self.controller.set_baseline(None)
        self._save(baseline_mode="auto")

    def _on_remeasure(self) -> None:
        self.baseline_mode.setCurrentIndex(self.baseline_mode.findData("auto"))
        self.controller.set_baseline(None)
        self.controller.reset_session()

    def _on_preset(self, button) -> None:  # noqa: ANN001
        pct = next(p for p, b in self.preset_buttons.items() if b is button)
        self.increase.setValue(pct)  # -> _on_increase
        self.controller.set_increase(pct)  # also when the value did not change (clears an override)

    def _on_increase(self, pct: float) -> None:
        self._check_preset(pct)
        self.controller.set_increase(pct)
        self._save(increase_pct=pct)

    def _on_ramp(self, *args) -> None:
        on = self.ramp.isChecked()
        self.controller.set_ramp(float(self.ramp_s.value()) if on else 0.0)
        self._save(ramp=on, ramp_s=float(self.ramp_s.value()))

    def _on_offset(self, ms: float) -> None:
        self.controller.set_sync_offset(ms)
        self._save(sync_offset_ms=ms)

    def _on_schedule(self, *args) -> None:
        key = self.schedule.currentData()
        self.controller.set_cues(self.controller.state().cues_on, Schedule(key))
        self._save(schedule=key)

    def _on_focus(self, *args) -> None:
        f = self.current_focus()
        if f is not None:
            self._save(focus=f"{f[0]}:{f[1]}")
            self.focus_chosen.emit(*f)

    def _on_device(self, *args) -> None:
        name = self.device.currentData() or ""
        self._save(audio_device=name)
        self.device_chosen.emit(name)

    # ================================================================ live state
    def refresh(self, st: FeedbackState) -> None:
        """Show the controller's state (window timer)."""
        if st.baseline_manual:
            self.baseline_info.setText(f"typed in: {st.baseline_spm:.0f} spm")
        elif st.baseline_spm is not None:
            self.baseline_info.setText(f"measured: {st.baseline_spm:.1f} spm "
                                       f"({st.baseline_steps_needed} steps)")
        else:
            self.baseline_info.setText(f"measuring… {st.baseline_steps}/"
                                       f"{st.baseline_steps_needed} steps")
        if st.target_spm is None:
            self.target.setText("Target —")
            self.target_info.setText("needs a baseline: let the runner run, or type one in")
        else:
            from app.ui.live.runner_targets import RunnerTargets

            self.target.setText(f"Target {st.target_spm:.0f} spm")
            why = RunnerTargets.origin_words(st)
            if st.target_source == "saved":
                why += ", until today's baseline is measured"
            now = ""
            if st.metronome_on and st.bpm is not None:
                now = f" · clicking {st.bpm:.1f} bpm" + (" (ramping)" if st.ramping else "")
            self.target_info.setText(why + now)
        if st.sync_version != self._sync_version:
            self._sync_version = st.sync_version
            self._refresh_sync(st)
        if st.last_cue is not self._last_cue:
            self._last_cue = st.last_cue
            ev = st.last_cue
            if ev is None:
                self.last_cue.setText("Last cue: —")
            else:
                note = "" if st.last_cue_spoken else " (shown, not spoken: no sound)"
                self.last_cue.setText(f"Last cue {wall_clock(ev.t_ns)}: “{ev.text}”{note}\n"
                                      f"{ev.trigger}")
        self.focus_words.setText(f"says “{st.focus_text}”" if st.focus_text else "")

    def _refresh_sync(self, st: FeedbackState) -> None:
        if st.sync_last_ms is None:
            self.sync_last.setText("Last step: —")
            last = ""
            if not st.metronome_on and st.sync_last_run is not None:
                share, n = st.sync_last_run
                last = f"; last run {100 * share:.0f} % of {n} step{'s' if n != 1 else ''}"
            self.sync_share.setText(f"Within ±{SYNC_WINDOW_MS:.0f} ms: — "
                                    f"(scored while the metronome clicks{last})")
        else:
            e = st.sync_last_ms
            side = "late" if e > 0 else "early"
            self.sync_last.setText(f"Last step: {e:+.0f} ms ({side})")
            recent = "" if st.sync_recent_share is None else f" · last 20: {100 * st.sync_recent_share:.0f} %"
            self.sync_share.setText(f"Within ±{SYNC_WINDOW_MS:.0f} ms: {100 * st.sync_share:.0f} % "
                                    f"of {st.sync_n} steps{recent}")
        y = np.asarray(st.sync_errors_ms[-SYNC_PLOT_STEPS:], dtype=float)
        x = np.arange(-y.size + 1, 1, dtype=float)
        self.curve.setData(x, np.clip(y, -SYNC_PLOT_MS, SYNC_PLOT_MS))
