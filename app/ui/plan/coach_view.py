"""The camera-coached exercise window (Plan → Coach single-leg squat / balance): the
person facing the camera, mirror-style video with the pose overlay, and beside it the
rep counter (or hold timer), the prompt, the cue when the knee goes in, the last rep's
knee FPPA, pelvic drop and depth, every rep in a table and left vs right.

The same live pipeline as running (capture thread → latest-frame slot → pose worker),
with :class:`app.exercise.engine.ExerciseEngine` as its engine. The GUI thread pulls the
newest result on a timer. ``finished(exercise_id, result_json)`` when the person presses
*Done* (the plan window ticks the exercise off with it).
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
    QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from app.errors import UserError
from app.exercise.engine import EXERCISES, ExerciseEngine, leg_summary, result_json
from app.pose.overlay import build_overlay
from app.pose.worker import LivePipeline
from app.types import View
from app.ui.shared.screen_fit import fit_to_screen
from app.ui.live.video_view import VideoView

CUE_SHOW_S = 3.0
BANDS = {"knee_fppa_deg": (8.0, 13.0), "pelvic_drop_deg": (5.0, 8.0)}  # green / amber upper edges


def band_color(name: str, value: float | None) -> str:
    """Green / amber / red for a value against the running bands' upper edges."""
    if value is None or name not in BANDS:
        return "#ffffff"
    g, a = BANDS[name]
    return "#66bb6a" if value <= g else "#ffca28" if value <= a else "#ef5350"


class CoachWindow(QDialog):
    """See the module docstring. ``source``: 'demo', 'camera:N' or a video path."""

    finished = Signal(str, object)

    def __init__(self, exercise: str = "single_leg_squat", source: str = "demo",
                 parent: QWidget | None = None, speak=None, runner: str | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        if exercise not in EXERCISES:
            raise ValueError(exercise)
        self.exercise = exercise
        self.speak = speak  # speak(cue_id) -> '' or why not; None: text only
        self.runner = runner
        self.pipeline: LivePipeline | None = None
        self.source_spec = source
        self._last_seq = -1
        self._shown_records = -1
        self._cue_t = 0.0
        self._last_cue_ns: int | None = None
        self.setWindowTitle(f"GaitCoach — {EXERCISES[exercise]}" + (f" — {runner}" if runner else ""))
        self._build()
        self._apply_bands()
        self.t_display = QTimer(self, interval=33, timeout=self._display_tick)
        self.t_panel = QTimer(self, interval=250, timeout=self._panel_tick)
        self.t_display.start()
        self.t_panel.start()
        fit_to_screen(self, 1280, 720)
        self.start(source)

    # ================================================================ construction
    def _build(self) -> None:
        self.video = VideoView()
        self.video.mirror = True
        self.video.badge = ""
        self.source_combo = QComboBox()
        self.source_combo.addItem("Demo (synthetic person)", "demo")
        for i in range(3):
            self.source_combo.addItem(f"Camera {i}", f"camera:{i}")
        self.source_combo.addItem("Video file…", "file")
        self.source_combo.activated.connect(self._source_chosen)
        from PySide6.QtWidgets import QCheckBox

        self.speak_box = QCheckBox("Speak the cue")
        self.speak_box.setChecked(self.speak is not None)
        self.speak_box.setEnabled(self.speak is not None)
        self.b_run = QPushButton("Stop")
        self.b_run.clicked.connect(self.toggle)
        self.b_done = QPushButton("Done")
        self.b_done.setToolTip("Finish: the reps are kept with the runner's programme")
        self.b_done.clicked.connect(self._done)
        top = QHBoxLayout()
        top.addWidget(QLabel("Camera:"))
        top.addWidget(self.source_combo)
        top.addWidget(self.b_run)
        top.addWidget(self.speak_box)
        top.addStretch(1)
        top.addWidget(self.b_done)

        self.counter = QLabel("0")
        self.counter.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.counter.setStyleSheet("font-size:64px; font-weight:bold; color:white;")
        self.counter_label = QLabel("reps left · right" if self.exercise == "single_leg_squat"
                                    else "hold (s)")
        self.counter_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt = QLabel()
        self.prompt.setWordWrap(True)
        self.prompt.setStyleSheet("font-size:18px; color:#e0e0e0;")
        self.cue = QLabel()
        self.cue.setWordWrap(True)
        self.cue.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cue.setStyleSheet("font-size:30px; font-weight:bold; color:#ffee58;")
        self.cue.setMinimumHeight(48)
        self.last = QLabel()
        self.last.setWordWrap(True)
        self.last.setTextFormat(Qt.TextFormat.RichText)
        self.last.setStyleSheet("font-size:17px; color:white;")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("color:#cfd8dc;")
        squat = self.exercise == "single_leg_squat"
        cols = (("Rep", "Leg", "Knee °", "Pelvis °", "Depth %") if squat else
                ("Hold", "Leg", "Time s", "Pelvis °", "Sway %"))
        self.table = QTableWidget(0, len(cols))
        self.table.setHorizontalHeaderLabels(cols)
        for i, tip in enumerate(("", "", "Knee frontal-plane projection angle at the bottom "
                                 "(+ = knee inward)" if squat else "Hold time",
                                 "Pelvic drop of the free side (+ = it drops)",
                                 "Depth: hips below standing, % of leg length" if squat else
                                 "Sway of the hips side to side (RMS), % of leg length")):
            if tip:
                self.table.horizontalHeaderItem(i).setToolTip(tip)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        panel = QWidget()
        panel.setObjectName("coachPanel")
        panel.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        panel.setStyleSheet("#coachPanel { background:#101418; } QLabel { color:white; }")
        panel.setMinimumWidth(360)
        panel.setMaximumWidth(460)
        pl = QVBoxLayout(panel)
        for w in (self.counter, self.counter_label, self.prompt, self.cue, self.last):
            pl.addWidget(w)
        pl.addWidget(self.table, 1)
        pl.addWidget(self.summary)
        body = QHBoxLayout()
        body.addWidget(self.video, 1)
        body.addWidget(panel)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(body, 1)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self, activated=self.toggle)
        QShortcut(QKeySequence("M"), self, activated=self._toggle_mirror)

    def _apply_bands(self) -> None:
        """The clinician's knee-valgus and pelvic-drop bands (green/amber upper edges)."""
        from app import config

        s = config.load()
        for name in BANDS:
            b = s.band_for(name)
            if b is not None:
                BANDS[name] = (b.green[1], b.amber[1])
        self.valgus_cue_deg = BANDS["knee_fppa_deg"][0]

    # ================================================================ source / pipeline
    def _make_source(self, spec: str):
        from app.capture.live import open_source
        from app.capture.squatter import SquatterLiveSource

        if spec == "demo":
            return SquatterLiveSource(self.exercise)
        return open_source(spec)

    def start(self, spec: str) -> bool:
        """(Re)start on ``spec``; a bad source shows its sentence and keeps what runs."""
        try:
            source = self._make_source(spec)
        except UserError as exc:
            self.prompt.setText(str(exc))
            return False
        self.stop()
        self.source_spec = spec
        self.video.badge = "DEMO" if spec == "demo" else ""
        ex, cue_deg = self.exercise, self.valgus_cue_deg
        self.pipeline = LivePipeline(source, View.FRONT, None,
                                     engine_factory=lambda v, f: ExerciseEngine(ex, v, cue_deg))
        self.pipeline.start()
        self._last_seq, self._shown_records = -1, -1
        self.b_run.setText("Stop")
        idx = self.source_combo.findData(spec)
        if idx >= 0:
            self.source_combo.setCurrentIndex(idx)
        return True

    def stop(self) -> None:
        """Stop and join the pipeline's threads (GUI thread)."""
        if self.pipeline is not None:
            self.pipeline.stop()
            self.pipeline = None
        self.b_run.setText("Start")

    def toggle(self) -> None:
        if self.pipeline is not None and self.pipeline.running:
            self.stop()
        else:
            self.start(self.source_spec)

    def _toggle_mirror(self) -> None:
        self.video.mirror = not self.video.mirror
        self._last_seq = -1

    def _source_chosen(self, _i: int) -> None:
        spec = self.source_combo.currentData()
        if spec == "file":
            path, _ = QFileDialog.getOpenFileName(self, "Open video", "",
                                                  "Videos (*.mp4 *.mov *.avi *.mkv *.webm);;All files (*)")
            if not path:
                return
            spec = path
        self.start(spec)

    @property
    def engine(self) -> ExerciseEngine | None:
        return self.pipeline.worker.engine if self.pipeline is not None else None

    # ================================================================ timers (GUI thread)
    def _display_tick(self) -> None:
        pipe = self.pipeline
        res = pipe.latest() if pipe is not None else None
        if res is None or res.seq == self._last_seq:
            return
        pipe.scaler.request = ((self.video.width(), self.video.height()), self.video.mirror)
        self._last_seq = res.seq
        overlay = build_overlay(res.landmarks, View.FRONT)
        if res.landmarks is None:
            self.video.message = "Step into view: the whole body, head to feet, facing the camera."
        elif self.video.message.startswith("Step into view"):
            self.video.message = ""
        self.video.show_frame(res.frame.image, overlay, res.display)

    def _panel_tick(self) -> None:
        pipe = self.pipeline
        res = pipe.latest() if pipe is not None else None
        snap = res.snapshot if res is not None else None
        if pipe is not None:
            st = pipe.status()
            if st.state in ("error", "frozen", "reconnecting"):
                self.prompt.setText(st.message)
            elif st.state == "ended":
                self.prompt.setText(f"{st.source_name} has ended.")
                self.stop()
        if snap is None or not hasattr(snap, "exercise"):
            return
        self.prompt.setText(snap.prompt)
        now = time.monotonic()
        if snap.cue and snap.cue_t_ns != self._last_cue_ns:
            self._last_cue_ns = snap.cue_t_ns
            self._cue_t = now
            self.cue.setText(_cue_text(snap.cue))
            if self.speak is not None and self.speak_box.isChecked():
                why = self.speak(snap.cue)
                if why:
                    self.speak_box.setToolTip(why)
        if now - self._cue_t > CUE_SHOW_S:
            self.cue.setText("")
        self._show_live(snap)
        if len(snap.records) != self._shown_records:
            self._shown_records = len(snap.records)
            self._show_records(snap.records)

    def _show_live(self, snap) -> None:  # noqa: ANN001 - ExerciseSnapshot
        if self.exercise == "single_leg_balance":
            self.counter.setText(f"{snap.hold_s:.0f}" if snap.leg else "—")
            return
        n = {leg: sum(1 for r in snap.records if r.leg == leg) for leg in ("left", "right")}
        self.counter.setText(f"{n['left']} · {n['right']}")

    def _show_records(self, records) -> None:  # noqa: ANN001
        squat = self.exercise == "single_leg_squat"
        self.table.setRowCount(len(records))
        for row, r in enumerate(records):
            if squat:
                cells = [(str(r.index + 1), None), (r.leg, None), (_f(r.knee_fppa_deg), "knee_fppa_deg"),
                         (_f(r.pelvic_drop_deg), "pelvic_drop_deg"), (f"{r.depth_pct_leg:.0f}", None)]
            else:
                cells = [(str(r.index + 1), None), (r.leg, None), (f"{r.hold_s:.1f}", None),
                         (_f(r.pelvic_drop_deg), "pelvic_drop_deg"), (_f(r.sway_rms_pct_leg), None)]
            for col, (text, metric) in enumerate(cells):
                it = QTableWidgetItem(text)
                it.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if metric is not None:
                    from PySide6.QtGui import QBrush, QColor

                    value = getattr(r, metric)
                    it.setForeground(QBrush(QColor(band_color(metric, value).replace("#ffffff", "#000000"))))
                self.table.setItem(row, col, it)
        if records:
            self.table.scrollToBottom()
            r = records[-1]
            if squat:
                self.last.setText(
                    f"Last rep ({r.leg}): knee <b style='color:{band_color('knee_fppa_deg', r.knee_fppa_deg)}'>"
                    f"{_f(r.knee_fppa_deg)}°</b> inward · pelvic drop <b style='color:"
                    f"{band_color('pelvic_drop_deg', r.pelvic_drop_deg)}'>{_f(r.pelvic_drop_deg)}°</b>"
                    f" · depth {r.depth_pct_leg:.0f} % leg")
            else:
                self.last.setText(f"Last hold ({r.leg}): {r.hold_s:.1f} s · pelvic drop "
                                  f"{_f(r.pelvic_drop_deg)}° · sway {_f(r.sway_rms_pct_leg)} % leg")
        s = leg_summary(records, self.exercise)
        keys = (("knee_fppa_deg", "knee FPPA", "°"), ("pelvic_drop_deg", "pelvic drop", "°")) if squat \
            else (("hold_s", "hold", " s"), ("pelvic_drop_deg", "pelvic drop", "°"))
        lines = [f"Left {s['left']['n']} · right {s['right']['n']}"]
        for k, label, unit in keys:
            lm, rm = s["left"][k]["mean"], s["right"][k]["mean"]
            lines.append(f"{label}: left {_f(lm)}{unit}, right {_f(rm)}{unit}")
        self.summary.setText("\n".join(lines))

    # ================================================================ closing
    def result(self) -> dict | None:
        eng = self.engine
        return None if eng is None else result_json(eng)

    def _done(self) -> None:
        eng = self.engine
        self.stop()  # the worker thread is joined: the engine is ours now
        if eng is not None:
            eng.finish()
            doc = result_json(eng)
            doc["source"] = self.source_spec
            self.finished.emit(self.exercise, doc)
        self.accept()

    def done(self, r: int) -> None:  # noqa: D401 - Qt API
        self.t_display.stop()
        self.t_panel.stop()
        self.stop()
        super().done(r)


def _f(v) -> str:  # noqa: ANN001
    return "—" if v is None else f"{v:+.1f}".replace("-", "−")


_CUE_TEXT: dict[str, str] = {}


def _cue_text(cue_id: str) -> str:
    """The cue's words from the cue library (read once)."""
    if not _CUE_TEXT:
        from app.feedback.cue_library import CueLibrary

        _CUE_TEXT.update({c.id: c.text for c in CueLibrary.load("en")})
    return _CUE_TEXT.get(cue_id, cue_id.replace("_", " "))
