"""The before/after comparison window (File → Compare…, or from the session browser).

Pick two clips — recorded sessions or blocks (store), or any video files (analysed on a
worker thread with a progress bar) — and play them side by side or overlaid, each with
the skeleton/angle overlay. With **Sync by gait events** on, clip B follows clip A's
stride phase (``app.compare.sync``: every initial contact aligned, time scaled per
stride); off, both play on plain time from their starts. Speed 0.1×–1×, frame steps,
jumps to initial contact / midstance / toe-off, loop over one stride, a metric table
(``app.compare.table``), drawings on paused frames (``app.compare.annotations``) and
exports (PDF report, side-by-side MP4, per-step CSV) on worker threads.

Threads: the GUI thread owns the widgets, the playhead and a 8 ms display timer that
*pulls* frames; each clip has a decoder thread (``app.ui.comparison.decoder``); loading and
exports run as ``app.ui.shared.workers.Task`` threads. Closing the window stops the
timer, cancels and joins the tasks and joins the decoders.

Keys: Space play/pause · ←/→ or ,/. one frame · I, M, T next initial contact / midstance /
toe-off (Shift: previous) · L loop one stride · S sync · O overlay · K skeleton ·
↑/↓ speed · Ctrl+Z undo a drawing · Esc stop drawing.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QApplication, QFileDialog, QInputDialog, QMainWindow, QMessageBox,
                               QWidget)

from app.compare.annotations import AnnotationFile, annotations_path
from app.compare.sync import KEY_LABELS, find_strides
from app.errors import UserError
from app.gait.analysis import camera_roll_text
from app.types import Foot
from app.ui.comparison.actions import SPEEDS, build_actions
from app.ui.comparison.canvas import CompareCanvas
from app.ui.comparison.decoder import ClipDecoder
from app.ui.comparison.panels import LoadedPair, build_panels, load_pair
from app.ui.shared.workers import Running, Task, run_with_progress

TICK_MS = 8


class CompareView(QMainWindow):
    """See the module docstring. ``closed`` is emitted when the window has shut down."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if parent is not None:
            self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowTitle("GaitCoach — before / after comparison")
        from app.ui.shared.screen_fit import fit_to_screen

        fit_to_screen(self, 1500, 920)
        self.pair: LoadedPair | None = None
        self.decoders: list[ClipDecoder] = []
        self.annotations: list[AnnotationFile | None] = []
        self.tasks: list[Running] = []
        self.t_a = 0.0
        self.playing = False
        self.speed = 1.0
        self.loop_range: tuple[float, float] | None = None
        self.frames = (0, 0)
        self._t_ref = 0.0
        self._wall_ref = 0.0
        self._last_draw_pane = 0
        self._shut = False
        self.stats = {"shown": [0] * 4, "missed": [0] * 4, "tick_ms": []}
        self._never_shown: list[int | None] = [None] * 4

        self.canvas = CompareCanvas()
        self.ui = build_panels(self, self.canvas)
        build_actions(self)
        self._spec_timer = QTimer(self)  # a resize drag sends one spec, not one per pixel
        self._spec_timer.setSingleShot(True)
        self._spec_timer.setInterval(100)
        self._spec_timer.timeout.connect(self._push_specs)
        self.canvas.layout_changed.connect(self._spec_timer.start)
        self.canvas.drawing_added.connect(self.add_drawing)
        self.canvas.text_requested.connect(self._ask_text)
        self._set_enabled(False)
        for w in (self.ui.spec_a, self.ui.spec_b, self.ui.notes):
            w.installEventFilter(self)  # Esc gives the keys back to the video
        for edit in (self.ui.spec_a, self.ui.spec_b):
            edit.returnPressed.connect(lambda: self.load(self.ui.spec_a.text(), self.ui.spec_b.text()))
        self.ui.camera.activated.connect(lambda _i: self.load(
            self.ui.spec_a.text(), self.ui.spec_b.text(), self.ui.camera.currentData()))
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.timer.start(TICK_MS)

    # ================================================================ actions / keys
    def eventFilter(self, obj, ev) -> bool:  # noqa: N802 - Qt API
        """Esc in a text field (the clip fields, the notes) hands the keys back to the
        video, where Space, arrows and I/M/T work."""
        from PySide6.QtCore import QEvent

        if ev.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) and \
                ev.key() == Qt.Key.Key_Escape and obj in (self.ui.spec_a, self.ui.spec_b, self.ui.notes):
            if ev.type() == QEvent.Type.KeyPress:
                self.canvas.setFocus(Qt.FocusReason.ShortcutFocusReason)
            ev.accept()
            return ev.type() == QEvent.Type.KeyPress
        return super().eventFilter(obj, ev)

    def _set_enabled(self, on: bool) -> None:
        for w in self.ui.needs_clips:
            w.setEnabled(on)
        for a in (self.act_play, self.act_back, self.act_fwd, self.act_loop, self.act_sync,
                  self.act_overlay, self.act_undo, self.act_faster, self.act_slower,
                  *[x for pr in self.jump_actions.values() for x in pr]):
            a.setEnabled(on)
        synced = on and self.pair is not None and self.pair.cmp is not None
        for w in (self.ui.b_pdf, self.ui.b_mp4, self.ui.b_csv):
            w.setEnabled(synced)
        for a in (self.act_pdf, self.act_mp4, self.act_csv):
            a.setEnabled(synced)
        self.act_sync.setEnabled(synced)
        self.ui.c_sync.setEnabled(synced)

    # ================================================================ loading
    def _pick(self, side: int, kind: str) -> None:
        from app.ui.comparison.pickers import SessionPicker, pick_video

        edit = (self.ui.spec_a, self.ui.spec_b)[side]
        role = ("before", "after")[side]
        if kind == "video":
            path = pick_video(self, f"Video {role}")
            if path:
                edit.setText(path)
            return
        try:
            dlg = SessionPicker(self, f"Session {role}")
        except UserError as exc:
            QMessageBox.information(self, "Compare", str(exc))
            return
        if dlg.exec() and dlg.spec:
            edit.setText(dlg.spec)

    def load(self, spec_a: str, spec_b: str, choice: str | None = None) -> None:
        """Load, analyse (worker thread, progress dialog) and show two clips; ``choice``
        for two-view sessions: 'side', 'rear', 'front' or 'both' (None: both when the two
        sessions have them)."""
        spec_a, spec_b = spec_a.strip(), spec_b.strip()
        self.ui.spec_a.setText(spec_a)
        self.ui.spec_b.setText(spec_b)
        if not spec_a or not spec_b:
            QMessageBox.warning(self, "Compare", "Choose a before clip and an after clip first.")
            return
        if any(r.task.name == "analysis" and r.task.running for r in self.tasks):
            return
        self.pause()
        task = Task("analysis", lambda t: load_pair(t, spec_a, spec_b, choice), self)
        self.tasks.append(run_with_progress(self, "Compare", "Opening the clips…", task,
                                            self._loaded, on_end=self._prune_tasks))

    def show_comparison(self, cmp, other=None) -> None:  # noqa: ANN001 - Comparison(s)
        """Show an already built comparison (a guided session's baseline vs retention)
        without analysing the clips again; ``other``: a two-view session's other camera."""
        self.pause()
        self.ui.spec_a.setText(cmp.before.spec)
        self.ui.spec_b.setText(cmp.after.spec)
        if other is None:
            self._loaded(LoadedPair(cmp.before, cmp.after, cmp, tuple(cmp.rows)))
            return
        v = other.before.view.value
        self._loaded(LoadedPair(cmp.before, cmp.after, cmp, tuple(cmp.rows), "",
                                (other.before, other.after), other, "both", ("side", v, "both")))

    def _prune_tasks(self) -> None:
        self.tasks = [r for r in self.tasks if not r.task.finished]

    def _loaded(self, pair: LoadedPair) -> None:
        """Show a freshly loaded pair (GUI thread)."""
        from app.compare.render import runner_boxes

        if self._shut:
            return
        self._close_decoders()
        self.pair = pair
        a, b = pair.a, pair.b
        self.decoders = [ClipDecoder(c, f"{role}{i // 2 or ''}")
                         for i, (c, role) in enumerate(zip(pair.clips, ("before", "after") * 2))]
        files: dict[Path, AnnotationFile] = {}
        self.annotations = []
        for c in pair.clips:
            # a session's other camera (rear/) keeps its drawings beside its own video
            other_cam = c.session_dir is not None and c.video_path is not None and \
                c.video_path.parent != c.session_dir
            path = annotations_path(c.video_path, None if other_cam else c.session_dir)
            if path is not None and path not in files:
                files[path] = AnnotationFile(path, c.video_path.name if c.video_path else "")
            self.annotations.append(files.get(path) if path is not None else None)
        self._boxes = runner_boxes(list(pair.clips))
        self._reset_crops()
        self.ui.show_choices(pair.choices, pair.choice)
        self.ui.fill_table(pair.rows, a.label, b.label,
                           pair.others[0].view.value if pair.others else "")
        wrong = [f"{role}: {c.view_verdict.sentence()}"
                 for role, c in zip(("Before", "After") * 2, pair.clips)
                 if getattr(c.view_verdict, "mismatch", False)]
        wrong += [f"{role}: the camera was {camera_roll_text(c.result.camera_roll_deg)}."
                  for role, c in zip(("Before", "After") * 2, pair.clips) if c.result.camera_roll_deg]
        self.ui.warning.setText("\n".join(wrong))
        self.ui.warning.setVisible(bool(wrong))
        self.ui.notes.setPlainText(pair.cmp.notes if pair.cmp is not None else "")
        self.ui.slider.setRange(int(a.t_start_s * 1000), int(a.t_end_s * 1000))
        self._set_enabled(True)
        self.act_sync.setChecked(pair.cmp is not None)
        self.t_a = a.time_of(a.first_frame)
        self.frames = (-1,) * len(pair.clips)
        msgs = [m for m in (pair.message, *(f.load_warning for f in files.values())) if m]
        self.statusBar().showMessage("  ".join(msgs) if msgs else
                                     f"Synced by initial contacts: {pair.cmp.sync.describe()}.",
                                     15000)
        self._update_frames(force=True)
        if QApplication.activeWindow() is None:  # the progress dialog closed: back to us
            self.activateWindow()
        self.canvas.setFocus(Qt.FocusReason.OtherFocusReason)  # the keys act on the video now

    def _reset_crops(self) -> None:
        if self.pair is None:
            return
        clips = self.pair.clips
        if self.ui.c_zoom.isChecked():
            crops = list(self._boxes)
        else:
            crops = [(0.0, 0.0, float(c.width), float(c.height)) for c in clips]
        self.canvas.set_clips(crops)
        self.frames = (-1,) * len(clips)
        self._update_frames(force=True)

    def _push_specs(self, *_args) -> None:
        overlay = self.act_skel.isChecked()
        for dec, spec in zip(self.decoders, self.canvas.specs(overlay)):
            dec.set_spec(spec)

    # ================================================================ playhead (GUI thread)
    @property
    def synced(self) -> bool:
        return self.pair is not None and self.pair.cmp is not None and self.act_sync.isChecked()

    def b_time(self, t_a: float) -> float:
        """B's clip time shown with A's time ``t_a`` (stride-phase sync or plain time)."""
        a, b = self.pair.a, self.pair.b
        t = self.pair.cmp.sync.a_to_b(t_a) if self.synced else b.t_start_s + (t_a - a.t_start_s)
        return min(max(t, b.t_start_s), b.time_of(b.last_frame))

    def wanted_frames(self) -> tuple[int, ...]:
        """The frame of every pane: A at the playhead, B synced to it; a second view's
        clips at the same moments of their sessions (shifted by the camera offset)."""
        from app.compare.two_view import other_time

        times = (self.t_a, self.b_time(self.t_a))
        out = []
        for i, c in enumerate(self.pair.clips):
            t = times[i % 2] if i < 2 else other_time(c, times[i % 2])
            out.append(min(max(c.frame_at(t), c.first_frame), c.last_frame))
        return tuple(out)

    def _tick(self) -> None:
        if self.pair is None:
            return
        t0 = time.perf_counter()
        if self.playing:
            a = self.pair.a
            t = self._t_ref + (t0 - self._wall_ref) * self.speed
            end = a.time_of(a.last_frame)
            if self.loop_range is not None:
                lo, hi = self.loop_range
                if t >= hi:
                    t = lo + (t - lo) % (hi - lo)
                    self._t_ref, self._wall_ref = t, t0
            elif t >= end:
                t = end
                self.pause()
            self.t_a = t
        if self._update_frames():
            self.stats["tick_ms"].append((time.perf_counter() - t0) * 1000.0)

    def _update_frames(self, force: bool = False) -> bool:
        """Ask the decoders for the wanted frames and show those that are ready; True when
        a pane changed."""
        if self.pair is None or not self.canvas.panes:
            return False
        wanted = self.wanted_frames()
        changed = False
        for i, (dec, f) in enumerate(zip(self.decoders, wanted)):
            if self._never_shown[i] is not None and self._never_shown[i] != f:
                self.stats["missed"][i] += 1
            dec.want(f)
            pane = self.canvas.panes[i]
            if not force and pane.shown is not None and pane.shown.frame == f and pane.shown.spec == dec._spec:
                self._never_shown[i] = None
                continue
            d = dec.get(f)
            if d is None:
                self._never_shown[i] = f
                continue
            self._never_shown[i] = None
            self.canvas.show_frame(i, d)
            self.stats["shown"][i] += 1
            changed = True
        if wanted != self.frames or force:
            self.frames = wanted
            self._refresh_labels()
        return changed

    def _refresh_labels(self) -> None:
        a = self.pair.a
        for i, (c, f, role) in enumerate(zip(self.pair.clips, self.frames, ("Before", "After") * 2)):
            pane = self.canvas.panes[i]
            pane.caption = f"{role}: {c.label}"
            moment = self._moment_at(c, f)
            pane.detail = (f"frame {f}  ·  {c.time_of(f) - c.t_start_s:5.2f} s"
                           + (f"  ·  {moment}" if moment else "") + self._repeat_note(role))
            ann = self.annotations[i] if i < len(self.annotations) else None
            pane.drawings = list(ann.drawings(f)) if ann is not None else []
        self.ui.slider.blockSignals(True)
        self.ui.slider.setValue(int(self.t_a * 1000))
        self.ui.slider.blockSignals(False)
        self.ui.time_label.setText(f"{self.t_a - a.t_start_s:5.2f} / {a.duration_s:.2f} s"
                                   f"  ·  {self.speed:g}×" + ("  ·  synced" if self.synced else ""))
        self.canvas.update()

    def _repeat_note(self, role: str) -> str:
        """'  ·  repeat 2/2' on the clip whose strides repeat (synced, from its 2nd pass)."""
        if not self.synced:
            return ""
        sync = self.pair.cmp.sync
        u = sync.u_of_a(self.t_a)
        rep = None if u is None else sync.repeat_of(int(u))
        if rep is None or sync.repeated != role.lower() or rep[0] < 2:
            return ""
        return f"  ·  strides repeat ({rep[0]}/{rep[1]})"

    @staticmethod
    def _moment_at(clip, frame: int) -> str:
        for m in clip.key_moments:
            if clip.frame_at(m.t_s) == frame:
                return f"{KEY_LABELS[m.kind]} ({m.foot.value})"
        return ""

    def play(self) -> None:
        if self.pair is None:
            return
        a = self.pair.a
        if self.t_a >= a.time_of(a.last_frame) and self.loop_range is None:
            self.t_a = a.t_start_s
        self.playing = True
        self._t_ref, self._wall_ref = self.t_a, time.perf_counter()
        self.canvas.tools_enabled = False
        self.ui.b_play.setText("❚❚ Pause")

    def pause(self) -> None:
        self.playing = False
        self.canvas.tools_enabled = True
        self.ui.b_play.setText("▶ Play")

    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def seek(self, t_a: float) -> None:
        """Put A's playhead at ``t_a`` seconds (clamped to A's range), keep playing if so."""
        if self.pair is None:
            return
        a = self.pair.a
        self.t_a = min(max(t_a, a.time_of(a.first_frame)), a.time_of(a.last_frame))
        self._t_ref, self._wall_ref = self.t_a, time.perf_counter()
        if self.loop_range is not None and not self.loop_range[0] <= self.t_a < self.loop_range[1]:
            self.loop_range = self._stride_around(self.t_a)
        self._update_frames()

    def _slider_changed(self, value: int) -> None:
        if not self.ui.slider.isSliderDown():
            self.seek(value / 1000.0)

    def step(self, n: int) -> None:
        """Pause and move A by ``n`` frames (B follows)."""
        if self.pair is None:
            return
        self.pause()
        a = self.pair.a
        f = min(max(a.frame_at(self.t_a) + n, a.first_frame), a.last_frame)
        self.seek(a.time_of(f))

    def jump(self, kind: str, direction: int) -> None:
        """Pause and jump A to its next (``direction`` 1) or previous (-1) key moment
        ``kind`` ('IC', 'MS', 'TO'), either foot."""
        if self.pair is None:
            return
        self.pause()
        a = self.pair.a
        cur = a.frame_at(self.t_a)
        moments = [m for m in a.key_moments if m.kind == kind]
        if direction > 0:
            m = next((m for m in moments if a.frame_at(m.t_s) > cur), None)
        else:
            m = next((m for m in reversed(moments) if a.frame_at(m.t_s) < cur), None)
        if m is None:
            self.statusBar().showMessage(f"No {'next' if direction > 0 else 'previous'} "
                                         f"{KEY_LABELS[kind]} in the before clip.", 4000)
            return
        self.seek(a.time_of(a.frame_at(m.t_s)))

    def set_speed(self, speed: float) -> None:
        self.speed = float(min(max(speed, 0.1), 1.0))
        self._t_ref, self._wall_ref = self.t_a, time.perf_counter()
        i = min(range(len(SPEEDS)), key=lambda k: abs(SPEEDS[k] - self.speed))
        if self.ui.speed.currentIndex() != i:
            self.ui.speed.setCurrentIndex(i)
        if self.pair is not None:
            self._refresh_labels()

    def _speed_step(self, d: int) -> None:
        self.ui.speed.setCurrentIndex(min(max(self.ui.speed.currentIndex() + d, 0), len(SPEEDS) - 1))

    def set_sync(self, on: bool) -> None:
        if self.pair is not None:
            self.frames = (-1,) * len(self.pair.clips)
            self._update_frames()

    def set_loop(self, on: bool) -> None:
        """Loop over A's stride around the playhead (moved into it when outside)."""
        self.loop_range = self._stride_around(self.t_a) if on and self.pair is not None else None
        if self.loop_range is not None and not self.loop_range[0] <= self.t_a < self.loop_range[1]:
            self.seek(self.loop_range[0])

    def _stride_around(self, t: float) -> tuple[float, float] | None:
        """A's stride (IC to IC of the sync foot) containing ``t``, else the nearest one."""
        a = self.pair.a
        strides = self.pair.cmp.sync.a_strides if self.pair.cmp is not None else \
            find_strides(a.events, Foot.LEFT) or find_strides(a.events, Foot.RIGHT)
        if not strides:
            return None
        s = min(strides, key=lambda s: 0.0 if s.ic_s <= t < s.end_s else min(abs(t - s.ic_s), abs(t - s.end_s)))
        return s.ic_s, s.end_s

    def set_mode(self, mode: str) -> None:
        self.canvas.set_mode(mode)
        self.act_overlay.blockSignals(True)
        self.act_overlay.setChecked(mode == "overlay")
        self.act_overlay.blockSignals(False)
        self.ui.mode.blockSignals(True)
        self.ui.mode.setCurrentIndex(1 if mode == "overlay" else 0)
        self.ui.mode.blockSignals(False)
        self.ui.opacity.setEnabled(mode == "overlay")

    def _set_opacity(self, value: int) -> None:
        self.canvas.opacity = value / 100.0
        self.canvas.update()

    # ================================================================ drawings
    def set_tool(self, tool: str) -> None:
        self.canvas.set_tool(tool)
        for t, b in self.ui.tool_buttons.items():
            b.setChecked(t == tool)
        if tool != "none" and self.playing:
            self.pause()

    def add_drawing(self, pane: int, drawing) -> None:
        """Store ``drawing`` on the frame pane ``pane`` shows (saved at once)."""
        if self.pair is None or self.playing:
            return
        ann = self.annotations[pane]
        if ann is None:
            QMessageBox.information(self, "Drawings", "Drawings on this clip cannot be saved: "
                                    "it has neither a session folder nor a video file.")
            return
        try:
            ann.add(self.frames[pane], drawing)
        except UserError as exc:
            QMessageBox.warning(self, "Drawings", str(exc))
        self._last_draw_pane = pane
        self._refresh_labels()

    def _ask_text(self, pane: int, point) -> None:
        from app.compare.annotations import Drawing

        text, ok = QInputDialog.getText(self, "Text on the frame", "Text:")
        if ok and text.strip():
            self.add_drawing(pane, Drawing("text", (tuple(point),), text.strip()))

    def undo_drawing(self) -> None:
        if self.pair is None:
            return
        n = len(self.annotations)
        for i in [self._last_draw_pane] + [k for k in range(n) if k != self._last_draw_pane]:
            ann = self.annotations[i]
            if ann is not None and ann.drawings(self.frames[i]):
                ann.remove_last(self.frames[i])
                break
        self._refresh_labels()

    def clear_drawings(self) -> None:
        if self.pair is None:
            return
        for ann, f in zip(self.annotations, self.frames):
            if ann is not None:
                ann.clear(f)
        self._refresh_labels()

    # ================================================================ export
    def export(self, kind: str) -> None:
        """Ask for a file and write the PDF report, side-by-side MP4 or steps CSV on a
        worker thread with a progress dialog."""
        if self.pair is None or self.pair.cmp is None:
            return
        names = {"pdf": ("PDF report", "comparison.pdf", "PDF (*.pdf)"),
                 "mp4": ("side-by-side video", "comparison.mp4", "MP4 video (*.mp4)"),
                 "csv": ("steps CSV", "comparison-steps.csv", "CSV (*.csv)")}
        what, default, filt = names[kind]
        dest, _ = QFileDialog.getSaveFileName(self, f"Export {what}", default, filt)
        if dest:
            self.export_to(kind, dest)

    def export_to(self, kind: str, dest: str) -> Running | None:
        from app.compare.report import write_pdf, write_steps_csv
        from app.compare.video_export import write_side_by_side

        if self.pair is None or self.pair.cmp is None:
            return None
        self.pause()
        cmp = dataclasses.replace(self.pair.cmp, notes=self.ui.notes.toPlainText().strip())
        speed, other = self.speed, self.pair.other_cmp  # two views: the second view's key frames

        def job(task: Task):
            if kind == "pdf":
                from app.plan.printout import picture_intro

                return write_pdf(cmp, dest, intro=picture_intro(
                    cmp.before.result, cmp.before.label, "the before clip"), other=other)
            if kind == "csv":
                return write_steps_csv(cmp, dest)
            return write_side_by_side(cmp, dest, speed=speed, progress=task.report)

        label = {"pdf": "Writing the PDF report…", "mp4": "Encoding the side-by-side video…",
                 "csv": "Writing the steps CSV…"}[kind]
        task = Task(f"{kind} export", job, self)
        run = run_with_progress(self, "Export", label, task,
                                lambda path: self.statusBar().showMessage(f"Wrote {path}", 15000),
                                cancellable=kind == "mp4", on_end=self._prune_tasks)
        self.tasks.append(run)
        return run

    # ================================================================ shutdown
    def _close_decoders(self) -> None:
        for d in self.decoders:
            d.close()
        self.decoders = []

    def shutdown(self) -> None:
        """Stop the timer, cancel and join the tasks, join the decoders (idempotent)."""
        if self._shut:
            return
        self._shut = True
        self.timer.stop()
        self.playing = False
        for r in self.tasks:
            r.task.cancel()
        for r in self.tasks:
            r.task.join(30.0)
        self.tasks = []
        self._close_decoders()
        self.closed.emit()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.shutdown()
        super().closeEvent(event)
