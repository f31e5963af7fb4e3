"""Runs a guided protocol in the live window: menu entries, the runner flow, the
protocol bar, block display settings, locks, recording, spoken guidance and the end of
session (finish on a worker thread → comparison view with the protocol's figures).

Wiring (as ``app.protocol.session.run_protocol``, on the window's own pipeline and timer):
the window's pipeline feeds ``runner.on_steps`` (pose worker thread); the feedback
controller is the window's (``FeedbackLink.controller``, its cue log goes to the
recording already); the recorder is the window's ``RecordingController``'s; the runner
is ticked by a 10 Hz ``QTimer`` here (GUI thread). Guidance clips are prepared on a
plain thread before the first block (``GuidanceVoice.prepare`` reads/renders WAVs).
``finish_session`` runs on a ``Task`` thread with its own store connection.

Keys while a session runs: Space pause/resume (the window's Space start/stop is disabled
so the recording cannot be stopped by accident), N next block, E one more minute.
"""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu, QMessageBox, QPushButton

from app.ui.protocol.bar import ProtocolBar, ProtocolHomePanel, ProtocolSummary
from app.ui.shared.screen_fit import fit_to_screen
from app.ui.shared.workers import Task

TICK_MS = 100
PREPARE_TIMEOUT_S = 30.0
END_LINE_S = 4.0
LOCKED_TIP = "Locked while a guided session runs — the session's blocks set it."
#: the block seconds one '+1 min' adds
EXTEND_S = 60.0


class ProtocolLink(QObject):
    """Guided sessions for one ``MainWindow`` (GUI thread). ``time_scale`` speeds block
    timers up (demos and tests; env ``GAITCOACH_PROTOCOL_TIME_SCALE``)."""

    def __init__(self, window, time_scale: float | None = None) -> None:  # noqa: ANN001
        super().__init__(window)
        self.w = window
        if time_scale is None:
            time_scale = float(os.environ.get("GAITCOACH_PROTOCOL_TIME_SCALE", "1") or 1)
        self.time_scale = time_scale
        self.runner = None          # app.protocol.runner.ProtocolRunner while a session exists
        self.choice = None          # app.ui.protocol.flow.FlowChoice
        self.voice = None
        self.flow = None            # the open ProtocolFlow dialog
        self.editor = None          # the open template editor
        self.outcome = None         # the last SessionOutcome
        self.summary: ProtocolSummary | None = None
        self.finishing = None       # app.ui.shared.workers.Running while finish_session runs
        self.events: list = []      # ProtocolEvents of the current/last session
        self._prep: Task | None = None  # the voice clips being prepared
        self._prep_started = 0.0
        self._end_t: float | None = None
        self._block_shown = -2
        self._finish_started = False
        self._locked: list[tuple[object, bool, str]] = []
        self._build_actions()
        self.bar = ProtocolBar(self.actions)
        self.bar.override_requested.connect(self.override_target)
        self.bar.hide()
        window.centralWidget().layout().insertWidget(1, self.bar)  # under the banner
        self.home_panel = ProtocolHomePanel(self.actions)
        self.home_panel.hide()
        self.home_panel.set_scale(window.home._scale)
        window.home.scale_changed.connect(self.home_panel.set_scale)
        home_lay = window.home.column
        home_lay.insertWidget(0, self.home_panel)
        self.home_button = QPushButton("Guided session…")
        self.home_button.setMinimumHeight(70)
        self.home_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.home_button.setStyleSheet("font-size:32px; background:#1565c0; color:white; border-radius:12px;")
        self.home_button.setToolTip("Run a guided retraining session (Ctrl+G)")
        self.home_button.clicked.connect(self.open_flow)
        home_lay.insertWidget(home_lay.indexOf(window.home.button), self.home_button)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)

    # ================================================================ actions / menus
    def _build_actions(self) -> None:
        w = self.w

        def act(text: str, key: str | None, slot, tip: str) -> QAction:  # noqa: ANN001
            a = QAction(text, w)
            if key:
                a.setShortcut(QKeySequence(key))
            a.setToolTip(f"{tip} ({key})" if key else tip)
            a.triggered.connect(slot)
            w.addAction(a)  # keys work in wall mode too
            return a

        self.act_guided = act("Guided session…", "Ctrl+G", self.open_flow,
                              "Pick a runner and a template, check the camera, start")
        self.act_pause = act("Pause", "Space", self.toggle_pause, "Pause or resume the block")
        self.act_skip = act("Next block", "N", self.skip, "End this block now and start the next")
        self.act_extend = act("+1 min", "E", lambda: self.extend(EXTEND_S), "One more minute in this block")
        self.act_stop = act("End session…", None, self.confirm_abort,
                            "Stop the session early (it is saved and compared as far as it ran)")
        self.act_templates = QAction("Session templates…", w)
        self.act_templates.triggered.connect(self.open_editor)
        self.actions = {"pause": self.act_pause, "skip": self.act_skip,
                        "extend": self.act_extend, "stop": self.act_stop}
        for a in self.actions.values():
            a.setEnabled(False)
        mb = w.menuBar()
        menus = {a.text().replace("&", ""): a for a in mb.actions() if a.menu()}
        self.menu = QMenu("&Session", w)
        before = menus.get("Tools") or menus.get("Help")
        mb.insertMenu(before, self.menu)
        self.menu.addAction(self.act_guided)
        self.menu.addSeparator()
        for a in self.actions.values():
            self.menu.addAction(a)
        tools = menus.get("Tools")
        if tools is not None:
            tools.menu().addAction(self.act_templates)

    @property
    def active(self) -> bool:
        """A session is being prepared, running, or finishing."""
        return self.runner is not None

    # ================================================================ the flow
    def open_flow(self, **kw):  # noqa: ANN201 - ProtocolFlow
        """Session → Guided session… (Ctrl+G): the runner flow (non-modal)."""
        from app.errors import UserError
        from app.ui.protocol.flow import ProtocolFlow

        if self.active:
            self.w.statusBar().showMessage("A guided session is already running.", 5000)
            return None
        if self.flow is not None:
            self.flow.raise_()
            return self.flow
        if not self.w.running and self.w.source_spec is not None:
            self.w.set_source(self.w.source_spec)  # the framing check needs the live video
        from app.ui.live.source_help import video_problem

        try:
            dlg = ProtocolFlow(self._latest, self.w, video_problem=lambda: video_problem(self.w),
                               latest_for=self._latest, **kw)
        except UserError as exc:
            self.w.show_banner(str(exc))
            return None
        dlg.source_choices.connect_window(self.w)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dlg.view_needed.connect(self.set_view)
        dlg.edit_templates.connect(self.open_editor)
        dlg.accepted.connect(lambda d=dlg: self.start(d.choice))
        dlg.finished.connect(lambda _r: setattr(self, "flow", None))
        self.flow = dlg
        dlg.show()
        return dlg

    def _latest(self, view: str | None = None):  # noqa: ANN202
        """The newest result of the camera filming ``view`` (default: the first camera)."""
        from app.types import View

        mv = self.w.multiview
        if view and mv is not None and View(view) in mv.pipes:
            return mv.latest(View(view))
        pipe = self.w.pipeline
        return pipe.latest() if pipe is not None else None

    def set_view(self, view: str) -> None:
        """Switch the window to the camera view(s) a template needs (through the Setup
        panel, so settings, tiles and the demo runner follow). ``side+rear``: the second
        camera is started (the demo runner films both; a real second camera must have
        been set in Setup → Cameras once — the camera check says so otherwise)."""
        needed = view.split("+")
        if set(needed) <= {v.value for v in self.w.views_in_use()}:
            return  # the cameras are there already
        if len(needed) > 1:
            d = self.w.settings.display
            spec = "demo" if self.w.source_spec == "demo" else d.second_source
            if spec:
                self.w.two_views.set_second(needed[1], spec)
            return
        if self.w.multiview is not None:
            return  # two cameras but not this view: the camera check says so
        combo = self.w.setup.view
        i = combo.findData(view)
        if i >= 0:
            combo.setCurrentIndex(i)

    def open_editor(self):  # noqa: ANN201
        """Tools → Session templates…"""
        from app.ui.protocol.editor import TemplateEditor

        if self.editor is not None:
            self.editor.raise_()
            return self.editor
        runner_id = None
        if self.flow is not None:
            runner_id = self.flow.runner_id
        dlg = TemplateEditor(self.w, runner_id=runner_id)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dlg.finished.connect(lambda _r: setattr(self, "editor", None))
        if self.flow is not None:
            dlg.saved.connect(lambda *_: self.flow is not None and self.flow.fill_templates())
        self.editor = dlg
        dlg.show()
        return dlg

    # ================================================================ start
    def start(self, choice) -> bool:  # noqa: ANN001 - FlowChoice
        """Prepare the voice (worker thread), then start recording and the first block."""
        from app.protocol.runner import END_LINE, SHORT_BASELINE_LINE, ProtocolRunner

        if choice is None or self.active:
            return False
        from app.ui.live.source_help import WAY_OUT, video_problem

        t = choice.template
        self.set_view(t.view)
        if not self.w.running:
            if self.w.source_spec is None or not self.w.set_source(self.w.source_spec):
                self.w.show_banner("The guided session needs the live video: choose a camera first.")
                return False
        problem = video_problem(self.w) or (
            "" if self._latest() is not None else "No frame has arrived from the video yet.")
        if problem:  # never a silent "nothing happened"
            self.w.show_banner(f"The guided session cannot start without live video: {problem} {WAY_OUT}")
            return False
        self.choice = choice
        if choice.runner_id != self.w.targets.runner_id:
            self.w.targets.choose(choice.runner_id)  # the session's runner is in front now
        self.events = []
        self.outcome = None
        self.voice = None
        if self.w.fb.ensure_audio():
            from app.protocol.voice import GuidanceVoice

            self.voice = GuidanceVoice(self.w.fb.engine)
        self.runner = ProtocolRunner(t, self.w.fb.controller, None, self.voice,
                                     time_scale=self.time_scale)
        self.runner.add_listener(self._on_event)
        self.bar.set_template(t)
        self.home_panel.set_template(t)
        self.bar.block.setText("Preparing…")
        self.bar.instruction.setText("Getting the spoken guidance ready")
        self._show(True)
        self._lock(True)
        self.w.activateWindow()  # Space / N / E go to the window right away
        if self.voice is not None:
            lines = [b.say for b in t.blocks] + [END_LINE, SHORT_BASELINE_LINE]
            voice = self.voice
            self._prep = Task("voice preparation", lambda _task: voice.prepare(lines), self)
            self._prep_started = time.monotonic()
            self._prep.start()
        self._end_t = None
        self._finish_started = False
        self._block_shown = -2
        self.timer.start(TICK_MS)
        return True

    def _begin(self) -> None:
        """Voice ready: start recording, then the first block (GUI thread)."""
        rec_ctl = self.w.recording
        c = self.choice
        if not rec_ctl.start(template=c.template.name, runner_id=c.runner_id):
            self._teardown()
            self.runner = None
            if not self.w.banner_box.isVisible():
                self.w.show_banner("The guided session could not start: its recording did not start.")
            return
        self.runner.recorder = rec_ctl.recorder
        self.w.steps_source.add_listener(self.runner.on_steps)  # both views' metrics
        for problem in (self.voice.problems if self.voice is not None else ()):
            self.w.statusBar().showMessage(problem, 8000)
        self.runner.start()

    # ================================================================ controls
    def toggle_pause(self) -> None:
        r = self.runner
        if r is None:
            return
        if r.status == "running":
            r.pause()
        elif r.status == "paused":
            r.resume()
        self._refresh()

    def skip(self) -> None:
        if self.runner is not None:
            self.runner.skip()
            self._refresh()

    def extend(self, seconds: float) -> None:
        if self.runner is not None:
            self.runner.extend(seconds)
            self._refresh()

    def override_target(self, spm) -> None:  # noqa: ANN001 - float | None
        if self.runner is None or self.runner.finished:
            return
        try:
            self.runner.override_target(spm)
        except ValueError as exc:
            self.w.statusBar().showMessage(str(exc), 5000)
        self._refresh()

    def confirm_abort(self) -> None:
        if self.runner is None or self.runner.finished:
            return
        box = QMessageBox(QMessageBox.Icon.Question, "End the session",
                          "End the guided session now? What has run so far is saved and "
                          "compared.", parent=self.w)
        yes = box.addButton("End session", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Keep going", QMessageBox.ButtonRole.RejectRole)
        box.finished.connect(lambda _r: box.clickedButton() is yes and self.abort())
        box.open()
        self.abort_box = box

    def abort(self) -> None:
        if self.runner is not None and not self.runner.finished:
            if self.runner.status == "ready":
                self._teardown()
                self.runner = None
                return
            self.runner.abort()
            self._refresh()

    # ================================================================ timer (GUI thread)
    def _tick(self) -> None:
        r = self.runner
        if r is None:
            self.timer.stop()
            return
        if r.status == "ready":
            prep = self._prep
            if prep is not None and prep.running and time.monotonic() - self._prep_started < PREPARE_TIMEOUT_S:
                return
            self._prep = None
            self._begin()
            if self.runner is None:
                return
        if not r.finished and not self.w.running:
            r.abort()  # the video stopped (camera error): save what ran
            self.w.show_banner("The guided session stopped because the video stopped.")
        self._refresh()
        if not r.finished:
            return
        if not self._finish_started:
            self._finish_started = True
            self._finish()
        elif self.finishing is None:  # finished (saved or failed): let the end line play
            voice_busy = self.voice is not None and (self.voice._pending is not None or (
                self.w.fb.engine is not None and self.w.fb.engine.voice_active))
            if not voice_busy or time.monotonic() - (self._end_t or 0) > END_LINE_S:
                self.timer.stop()
                self.runner = None

    def _refresh(self) -> None:
        r = self.runner
        if r is None:
            return
        st = r.tick() if r.status != "ready" else r.state()
        if st.block_index != self._block_shown and st.block is not None:
            self._block_shown = st.block_index
            self._apply_display(st.block)
        elif st.block is not None and self.w.side_panel.isHidden() == (st.block.tiles and not self.w.video.wall):
            self.w.side_panel.setVisible(st.block.tiles and not self.w.video.wall)  # after wall mode
        home = self.w.stack.currentIndex() == 1 and not self.w.video.wall
        if st.status in ("running", "paused") and self.bar.isVisibleTo(self.w) == home:
            self.bar.setVisible(not home)  # the layout was switched during the session
        self.bar.set_wall(self.w.video.wall)
        self.bar.show_state(st)
        self.home_panel.show_state(st)
        self.act_pause.setText("Resume" if st.status == "paused" else "Pause")
        running = st.status in ("running", "paused")
        for a in self.actions.values():
            a.setEnabled(running)

    def _on_event(self, ev) -> None:  # noqa: ANN001 - ProtocolEvent (GUI thread: tick/control)
        self.events.append(ev)
        if ev.kind not in ("said", "metronome"):
            self.w.statusBar().showMessage(ev.message, 10000)

    # ================================================================ display + locks
    def _apply_display(self, blk) -> None:  # noqa: ANN001 - BlockSpec
        """The block's mirror / skeleton / tiles, without touching the saved settings."""
        w = self.w
        w.video_area.runner_video().mirror = blk.mirror  # the view the runner watches
        for v in w.video_area.videos():
            v.skeleton = blk.skeleton
        for act, on in ((w.act_mirror, blk.mirror), (w.act_skel, blk.skeleton)):
            act.blockSignals(True)
            act.setChecked(on)
            act.blockSignals(False)
        w.side_panel.setVisible(blk.tiles and not w.video.wall)
        w._last_seq = -1  # redraw the next frame with the new mirror state
        # the (locked) focus chooser shows the fault this block cues
        combo = w.fb.panel.focus
        i = combo.findData(self.runner.template.focus_of(blk).text())
        if i >= 0:
            combo.blockSignals(True)
            combo.setCurrentIndex(i)
            combo.blockSignals(False)

    def _restore_display(self) -> None:
        w = self.w
        d = w.settings.display
        mirror = w.two_views.apply_display()
        for v in w.video_area.videos():
            v.skeleton = d.skeleton
        for act, on in ((w.act_mirror, mirror), (w.act_skel, d.skeleton)):
            act.blockSignals(True)
            act.setChecked(on)
            act.blockSignals(False)
        w.side_panel.setVisible(not w.video.wall)
        w._last_seq = -1

    def _lock(self, on: bool) -> None:
        """Disable what would fight the session: source changes and Space start/stop (they
        stop the recording), Record, the Setup panel, the metronome/cue/target controls of
        the feedback panel (the runner sets them per block), mirror/skeleton keys."""
        w = self.w
        if on:
            p = w.fb.panel
            items = [w.act_run, w.act_open, w.act_demo, w.m_camera.menuAction(), w.act_metro,
                     w.act_mirror, w.act_skel, w.recording.act_record, w.setup_dock.widget(),
                     p.metronome, p.cues, p.baseline_mode, p.baseline_spm, p.remeasure,
                     p.increase, p.ramp, p.ramp_s, p.schedule, p.focus,
                     *p.preset_buttons.values(), w.home.button, w.home.metronome, self.act_guided,
                     self.home_button, w.setup.runner]
            self._locked = [(x, x.isEnabled(), x.toolTip()) for x in items]
            for x, _, tip in self._locked:
                x.setEnabled(False)
                x.setToolTip(LOCKED_TIP)
            w.home.button.hide()
            self.home_button.hide()
        else:
            for x, was, tip in self._locked:
                x.setEnabled(was)
                x.setToolTip(tip)
            self._locked = []
            w.home.button.show()
            self.home_button.show()

    def _show(self, on: bool) -> None:
        """The bar in the clinic layout, the large panel in the home layout (which then
        shows one focus line: the block's, not the cue library's words)."""
        home = self.w.stack.currentIndex() == 1 and not self.w.video.wall
        self.bar.setVisible(on and not home)
        self.home_panel.setVisible(on)
        for lab in (self.w.home.last_cue, self.w.home.cue):
            lab.setVisible(not on)

    def _teardown(self) -> None:
        """Back to the normal live window (session ended or could not start); the timer
        stops itself once the runner is gone (after the end line)."""
        fb = self.w.fb
        fb.controller.set_metronome(False)
        fb.panel.set_metronome_checked(False)
        self.w.act_metro.blockSignals(True)
        self.w.act_metro.setChecked(False)
        self.w.act_metro.blockSignals(False)
        fb.set_cues(fb.panel.settings.cues)
        fb.refresh_focus(self.w.settings)
        self._lock(False)
        self._restore_display()
        self._show(False)
        for a in self.actions.values():
            a.setEnabled(False)
        src = self.w.steps_source
        if src is not None and self.runner is not None:
            listeners = src.listeners if hasattr(src, "listeners") else src.worker.listeners
            try:
                listeners.remove(self.runner.on_steps)
            except ValueError:
                pass

    # ================================================================ end of session
    def _finish(self) -> None:
        """Runner done: finish_session on a worker thread behind a progress dialog."""
        from app.protocol.finish import finish_session
        from app.ui.shared.workers import run_with_progress

        r, c = self.runner, self.choice
        rec = r.recorder
        self._end_t = time.monotonic()
        if rec is None:
            self._teardown()
            self.runner = None
            return

        def work(task):  # noqa: ANN001, ANN202 - runs on the task thread
            return finish_session(r, rec, runner_id=c.runner_id, plan=c.plan,
                                  plan_session=c.plan_session, progress=task.say)

        task = Task("protocol-finish", work, self)
        self.finishing = run_with_progress(self.w, "Guided session", "Finishing the recording…",
                                           task, self._finished, cancellable=False,
                                           on_end=self._finish_ended)

    def _finish_ended(self) -> None:
        self.finishing = None
        self._teardown()

    def _finished(self, outcome) -> None:  # noqa: ANN001 - SessionOutcome (GUI thread)
        self.outcome = outcome
        self.w.recording._tick()  # the REC indicator goes away now, not in 0.5 s
        self.summary = ProtocolSummary(outcome, show_metrics=outcome.comparison is None)
        if outcome.comparison is not None:
            cv = self.w.show_compare()
            cv.show_comparison(outcome.comparison, getattr(outcome, "other_comparison", None))
            old = cv.findChild(QDockWidget, "protocolSummary")
            if old is not None:
                cv.removeDockWidget(old)
                old.deleteLater()
            dock = QDockWidget("Guided session", cv)
            dock.setObjectName("protocolSummary")
            dock.setWidget(self.summary)
            cv.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            cv.resizeDocks([dock], [250], Qt.Orientation.Vertical)
            self.summary_window = cv
            self.w.plan.after_session(outcome, self.choice.runner_id if self.choice else None, cv)
        else:
            from PySide6.QtWidgets import QDialog, QVBoxLayout

            dlg = QDialog(self.w)
            dlg.setWindowTitle("Guided session")
            dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            QVBoxLayout(dlg).addWidget(self.summary)
            fit_to_screen(dlg, 760, 520)
            dlg.show()
            self.summary_window = dlg
        bro = self.w.sessions_dialog
        if bro is not None:
            bro.refresh(sync=True)
            if self.choice is not None and self.choice.runner_id is not None:
                bro.select_runner(self.choice.runner_id)
        msg = (f"Guided session saved: {outcome.session_id}" if outcome.session_id
               else "The guided session could not be saved.")
        self.w.statusBar().showMessage(msg, 15000)

    def close(self) -> None:
        """Window closing: stop a running session and save it (no comparison/report, so
        closing stays quick); wait for a finish already under way."""
        self.timer.stop()
        if self.flow is not None:
            self.flow.done(0)
        if self.editor is not None:
            self.editor.done(0)
        if self.finishing is not None:
            self.finishing.task.join(60.0)
            return
        r = self.runner
        if r is not None and r.status != "ready" and r.recorder is not None:
            from app.protocol.finish import finish_session

            if not r.finished:
                r.abort()
            c = self.choice
            self.outcome = finish_session(r, r.recorder, runner_id=c.runner_id, plan=c.plan,
                                          plan_session=c.plan_session, make_report=False)
        if self._prep is not None:
            self._prep.join(5.0)
        self.runner = None
