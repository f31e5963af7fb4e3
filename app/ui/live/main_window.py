"""The live session window: source → pipeline → video view, tiles, plots, status bar.

Threads: everything here runs on the GUI thread. The pipeline's capture and pose threads
are started/stopped from here; their results are pulled by three timers:

* display timer (~30 Hz): newest ``LiveResult`` → overlay geometry → ``VideoView``;
* plot timer (~20 Hz): tiles from the newest snapshot, ``setData`` on the plots;
* status timer (4 Hz): status bar figures and fault banners (camera frozen/lost, ended).

Step data (a few per second) arrive through the one Qt bridge (queued signal).
"""

from __future__ import annotations

import collections
import time
from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMainWindow, QMessageBox

from app import config
from app.config import Settings
from app.errors import UserError
from app.gait.analysis import camera_roll_text
from app.pose.worker import LivePipeline, LiveResult, StepsUpdate
from app.types import Facing, View
from app.ui.shared.about import about_html
from app.ui.live import dialogs, layout
from app.ui.live.bridge import PipelineBridge
from app.pose.overlay import build_overlay
from app.ui.live.video_view import CadenceHud, cadence_band, heel_at
from app.ui.shared.screen_fit import fit_to_screen
from app.ui.live.source_help import NO_CAMERA_BANNER, ask_for_video, startup_source

DISPLAY_MS = 33
PLOT_MS = 50
STATUS_MS = 250
CONTACT_MARKER_S = 0.6
DEFAULT_FOCUS = {View.SIDE: "overstride_pct_leg", View.REAR: "pelvic_drop_deg",
                 View.FRONT: "pelvic_drop_deg"}
TILES_S = 0.25   # tiles refresh at most 4 Hz (values change per step)


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, source: str | None = None,
                 save_settings: bool = True, capture_fps: float | None = None,
                 roi=None) -> None:
        super().__init__()
        self.settings = settings or config.load()
        self.save_settings = save_settings
        from app.ui.live.source_prefs import SourcePrefs

        #: per-source memory: a video's capture speed (``capture_fps`` for ``source``)
        self.source_prefs = SourcePrefs(self, capture_fps, source)
        #: ask before closing during a recording or guided session (off for smoke runs)
        self.confirm_close = True
        self.pipeline: LivePipeline | None = None
        #: two cameras: the MultiViewPipeline (``pipeline`` is then its side view)
        self.multiview = None
        self.source_spec: str | None = None
        self.demo_params: dict = {}
        self._last_seq = -1
        self._last_ic_t: int | None = None
        self._contact: tuple[str, tuple[float, float] | None, float] | None = None
        self._history: collections.deque[tuple[int, np.ndarray | None]] = collections.deque(maxlen=45)
        self.gui_ms: collections.deque[float] = collections.deque(maxlen=2000)
        #: seconds spent on the GUI thread per activity (for the benchmark)
        self.busy_s = {"display": 0.0, "plot": 0.0, "status": 0.0}
        self.frames_displayed = 0
        self._banner_sticky = ""
        self._gait_dismissed = ""  # the gait banner the user closed (shown again once it clears)
        self._tiles_t = 0.0
        self._shown_snapshot = None  # snapshot on the tiles and the cadence HUD (4 Hz)
        self.sessions_dialog = None  # app.ui.sessions.browser.SessionBrowser, made on first use
        self.setWindowTitle("GaitCoach — live session")
        fit_to_screen(self, 1500, 950)

        self.bridge = PipelineBridge(self)
        self.bridge.sig_steps.connect(self._on_steps)
        layout.build_widgets(self)
        from app.ui.live.region_link import RegionLink

        #: runner region: drag on the video, G = automatic, remembered per source
        self.region_link = RegionLink(self, roi, source)
        layout.build_menus(self)
        from app.ui.live.two_view import TwoViews

        #: the second camera (rear or front): its video, status, framing check
        self.two_views = TwoViews(self)
        self._apply_settings(self.settings, restart=False)
        from app.ui.sessions.recording import RecordingController

        #: Record action (R), REC indicator, disk banners and the crash-recovery offer
        self.recording = RecordingController(self, offer_recovery=save_settings)
        from app.ui.feedback.link import FeedbackLink

        #: metronome, synchrony, cues and the audio engine (feedback dock on the right)
        self.fb = FeedbackLink(self, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.fb.dock)
        self.resizeDocks([self.fb.dock], [350], Qt.Orientation.Horizontal)
        layout.build_feedback_menus(self)
        from app.ui.protocol.link import ProtocolLink

        #: guided sessions: Session menu, protocol bar, Tools → Session templates…
        self.protocol = ProtocolLink(self)
        from app.ui.plan.link import PlanLink

        #: Plan menu: clinical picture & programme, coached exercises, home practice list
        self.plan = PlanLink(self)
        from app.ui.live.view_warning import LiveViewCheck

        #: banner when the camera shows another view than the one set (app.pose.view_check)
        self.view_check = LiveViewCheck(self)
        from app.ui.live.source_help import NoVideoHelp

        #: no live video: the banner says why and offers camera / video / demo buttons
        self.video_help = NoVideoHelp(self)
        from app.ui.live.home_practice import HomePractice
        from app.ui.live.runner_targets import RunnerTargets

        #: the runner in front of the camera and their target cadence (kept in the store)
        self.targets = RunnerTargets(self)
        self.targets.choose(self.settings.runner.runner_id or None, save=False, fresh=False)
        #: the home practice layout: own mirrored video, one voice, metronome, Start/Stop
        self.home_practice = HomePractice(self)
        self.home_practice.sync()
        from app.ui.sessions.clinic_link import ClinicLink

        #: Settings → Clinic database, the publish status line and the background publisher
        self.clinic = ClinicLink(self)

        self.t_display = QTimer(self)
        self.t_display.setTimerType(Qt.TimerType.PreciseTimer)
        self.t_display.timeout.connect(self._display_tick)
        self.t_plot = QTimer(self)
        self.t_plot.timeout.connect(self._plot_tick)
        self.t_status = QTimer(self)
        self.t_status.timeout.connect(self._status_tick)
        self.t_display.start(DISPLAY_MS)
        self.t_plot.start(PLOT_MS)
        self.t_status.start(STATUS_MS)

        if source is None:
            source = startup_source(self)
        self.set_source(source)

    @property
    def audio(self):
        """The one audio engine (None until sound is first used)."""
        return self.fb.engine

    # ================================================================ feedback host
    # (app.ui.feedback.host.FeedbackHost: what the feedback link may ask of the window)
    def feedback_settings_changed(self) -> None:
        self.setup.sync_settings(self.settings)
        self.apply_focus_plot()

    def show_metronome_on(self, on: bool) -> None:
        self.act_metro.setChecked(on)

    def focus_plot_metric(self) -> str | None:
        return self.plots.focus_name

    def feedback_state_changed(self, state) -> None:  # noqa: ANN001 - FeedbackState
        self.targets.follow(state)

    def views_in_use(self) -> tuple[View, ...]:
        return self.two_views.views()

    def active_recorder(self):  # noqa: ANN201 - SessionRecorder | None
        """The running recording's recorder (pose worker thread: attribute reads only)."""
        return getattr(getattr(self, "recording", None), "recorder", None)

    # ================================================================ sources
    def open_video_dialog(self) -> None:
        ask_for_video(self)  # File → Open video (Ctrl+O)

    def _make_source(self, spec: str):
        from app.capture.camera import CameraSource
        from app.capture.live import open_source

        if spec == "demo":
            # The demo keeps its own belt speed (9 km/h): its contact length is tuned for
            # the default duty factor, and a faster belt would only sink its hips.
            kw = {"view": View(self.settings.runner.view), **self.two_views.demo_kwargs()}
            return open_source("demo", **kw)
        if spec.startswith("camera"):
            _, _, idx = spec.partition(":")
            c = self.settings.camera
            return CameraSource(int(idx or 0), c.width, c.height, c.fps)
        return open_source(spec, capture_fps=self.source_prefs.capture_fps_for(spec))

    def set_source(self, spec: str) -> bool:
        """Switch to source ``spec`` ('demo', 'camera:N' or a file path) and start it."""
        try:
            source = self._make_source(spec)
        except UserError as exc:
            self.show_banner(str(exc))  # the current source keeps running
            return False
        self.stop()
        new_source = spec != self.source_spec
        self.source_spec = spec
        if source.kind != "demo" and self._banner_sticky == NO_CAMERA_BANNER:
            self._dismiss_banner()
        title = {"demo": "Demo (synthetic runner)", "camera": source.name}.get(source.kind, source.name)
        self.setWindowTitle(f"GaitCoach — {title}")
        self.st_source.setText(f"Source: {'Demo' if source.kind == 'demo' else source.name}"
                               + self.source_prefs.label(source))
        self.source_prefs.source_changed(spec)
        self._start(source, new_source)
        return True

    def _start(self, source, new_source: bool = True) -> None:
        r = self.settings.runner
        facing = None if r.facing == "auto" else Facing(r.facing)
        if source.kind == "demo":
            facing = source.runner.facing
        region = self.region_link.region_for(self.source_spec)
        self.multiview = self.two_views.build(source, facing, region)
        if self.multiview is not None:  # two cameras: the side view is the window's pipeline
            self.pipeline = self.multiview.pipes[View.SIDE]
        else:
            self.pipeline = LivePipeline(source, View(r.view), facing, region=region)
        self.bridge.attach(self.steps_source)
        if hasattr(self, "fb"):
            self.fb.attach(self.steps_source, new_source)
        self.plots.reset()
        self._shown_snapshot = None
        self._last_seq = -1
        self._last_ic_t = None
        self._contact = None
        self._history.clear()
        self.two_views.apply_display()  # badges
        self.steps_source.start()
        self.home.set_running(True)
        if hasattr(self, "home_practice"):
            self.home_practice.running_changed(True)
        self.act_run.setText("Stop")

    def stop(self) -> None:
        """Stop the pipeline and join its threads (GUI thread)."""
        if self.pipeline is not None:
            if hasattr(self, "recording"):
                self.recording.pipeline_stopping()
            self.bridge.detach()
            self.steps_source.stop()
            self._final_status = self.pipeline.status()
            self.pipeline = self.multiview = None
            self.two_views.stopped()
        self.home.set_running(False)
        self.act_run.setText("Start")

    @property
    def steps_source(self):  # noqa: ANN201 - MultiViewPipeline | LivePipeline | None
        """What gives the steps: both views fused with two cameras, else the pipeline
        (``add_listener``, ``start``/``stop``)."""
        return self.multiview if self.multiview is not None else self.pipeline

    @property
    def running(self) -> bool:
        return self.pipeline is not None and self.pipeline.running

    def toggle_running(self) -> None:
        if self.running:
            self.stop()
            self.video.message = "Stopped — press Space to start"
            self.video.update()
        elif self.source_spec is not None:
            self.video.message = ""
            self.set_source(self.source_spec)

    # ================================================================ settings
    def _apply_settings(self, s: Settings, restart: bool) -> None:
        old = self.settings
        self.settings = s
        view = View(s.runner.view)
        self.tiles.set_views(self.two_views.views())
        self.setup.show_views(self.two_views.views())
        self.plots.set_target(self.targets.target_spm if hasattr(self, "targets") else None,
                              s.runner.cadence_band_pct)
        self.apply_focus_plot()
        mirror = self.two_views.apply_display()  # only the runner's view is mirrored
        for act, value in ((self.act_mirror, mirror), (self.act_skel, s.display.skeleton)):
            act.blockSignals(True)
            act.setChecked(value)
            act.blockSignals(False)
        for v in self.video_area.videos():
            v.skeleton = s.display.skeleton
        self.act_home.setChecked(s.display.layout == "home")
        self.act_clinic.setChecked(s.display.layout != "home")
        self.stack.setCurrentIndex(1 if s.display.layout == "home" else 0)
        if hasattr(self, "home_practice"):
            self.home_practice.sync()
        if restart and self.pipeline is not None and (
                old.runner.view != s.runner.view or old.runner.facing != s.runner.facing):
            if self.source_spec == "demo":
                self.set_source("demo")
            else:
                facing = None if s.runner.facing == "auto" else Facing(s.runner.facing)
                self.pipeline.set_view(view, facing)
                self.plots.reset()

    def apply_focus_plot(self, metric: str | None = None) -> None:
        """The focus plot shows ``metric`` (the cued fault's, from the feedback link), else
        ``settings.runner.focus_metric`` (or the view's usual fault)."""
        from app.gait.metrics import METRIC_SPECS

        s = self.settings
        views = self.two_views.views()
        spec = METRIC_SPECS.get(metric or s.runner.focus_metric)
        if spec is None or not spec.views & set(views):
            # The saved focus does not exist in these views: use the view's usual first fault.
            spec = METRIC_SPECS.get(DEFAULT_FOCUS[views[0]])
        if spec is not None and spec.views & set(views):
            band = s.band_for(spec.name)
            lo, hi = band.amber if band else (0.0, 1.0)
            pad = max((hi - lo) * 0.4, 1.0)
            self.plots.set_focus(spec.name, spec.label, spec.unit, (lo - pad, hi + pad))

    def _on_settings_changed(self, s: Settings) -> None:
        # The panel owns runner, camera and thresholds; display settings stay the window's.
        s = replace(self.settings, runner=s.runner, camera=s.camera, thresholds=s.thresholds)
        camera_changed = s.camera != self.settings.camera
        old = self.settings
        self._apply_settings(s, restart=True)
        self.fb.settings_changed(s, old)
        if camera_changed and self.running and (self.source_spec or "").startswith("camera"):
            self.set_source(f"camera:{s.camera.device}")  # reopen with the new settings
        self._save()

    def _on_demo_changed(self, params: dict) -> None:
        self.demo_params = params
        if self.source_spec == "demo":
            self.set_source("demo")

    def apply_views(self) -> None:
        """The views in use changed (a second camera, the runner's view): videos, tiles,
        thresholds, mirror and the feedback focus follow."""
        self._apply_settings(self.settings, restart=False)
        self.fb.refresh_focus(self.settings)

    def save_settings_now(self) -> None:
        self._save()

    def _save(self) -> None:
        if self.save_settings:
            try:
                config.save(self.settings)
            except OSError as exc:
                self.show_banner(f"Settings could not be saved: {exc}")

    def _set_mirror(self, on: bool) -> None:
        """M: the mirror of the runner's view (with two cameras, the other is never mirrored)."""
        self.video_area.runner_video().mirror = on
        self.settings = replace(self.settings, display=self.settings.display.with_mirror(
            self.two_views.runner_view().value, on))
        self._last_seq = -1
        self._save()

    def _set_skeleton(self, on: bool) -> None:
        for v in self.video_area.videos():
            v.skeleton = on
        self.settings = replace(self.settings, display=replace(self.settings.display, skeleton=on))
        self._save()

    def set_layout(self, layout: str) -> None:
        self.settings = replace(self.settings, display=replace(self.settings.display, layout=layout))
        self._apply_settings(self.settings, restart=False)
        self._save()

    def set_wall_mode(self, on: bool) -> None:
        """Full-screen 'wall' mode: video only (the runner's view), large type."""
        for v in self.video_area.videos():
            v.wall = on
        self.video_area.set_alone(on)
        # the guided bar's type first: the panels coming back beside its wall type made
        # the window wider than a 1366 px screen
        self.protocol.bar.set_wall(on)
        for w in (self.toolbar, self.menuBar(), self.statusBar(), self.plots, self.side_panel):
            w.setVisible(not on)
        if on:
            self.setup_dock.hide()
            self._fb_dock_was_visible = self.fb.dock.isVisible()
            self.fb.dock.hide()
            self.stack.setCurrentIndex(0)
            self.showFullScreen()
        else:
            self.stack.setCurrentIndex(1 if self.settings.display.layout == "home" else 0)
            self.fb.dock.setVisible(getattr(self, "_fb_dock_was_visible", True))
            self.showNormal()
        self.home_practice.sync()  # the video back in the home view (or out of it)

    def set_metronome(self, on: bool) -> None:
        """Metronome (T) through the feedback controller and the one audio engine."""
        result = self.fb.set_metronome(on)
        if result != on:  # no sound: the toggle goes back off, the notice says why
            self.act_metro.blockSignals(True)
            self.act_metro.setChecked(result)
            self.act_metro.blockSignals(False)
        self._update_audio_status()

    def _update_audio_status(self) -> None:
        text, tip = self.fb.audio_status()
        self.st_audio.setText(text)
        self.st_audio.setToolTip(tip)

    # ================================================================ banners / dialogs
    def show_banner(self, text: str, sticky: bool = False) -> None:
        if sticky:
            self._banner_sticky = text
        self.banner.setText(text)
        self.banner_box.show()

    def _dismiss_banner(self) -> None:
        if not self._banner_sticky and self.banner.text() == self._gait_banner():
            self._gait_dismissed = self.banner.text()  # closed: not again until it clears
        self._banner_sticky = ""
        self.banner_box.hide()

    def show_sessions(self) -> None:
        """File → Sessions… (Ctrl+B): the session browser."""
        dialogs.open_sessions(self)

    def compare_sessions(self, before_id: str, after_id: str) -> None:
        """Open two sessions in the comparison view (from the session browser)."""
        self.show_compare(before_id, after_id)

    def show_compare(self, before: str | None = None, after: str | None = None):  # noqa: ANN201
        """File → Compare… (Ctrl+Shift+C): the before/after comparison window, loading
        ``before``/``after`` (session ids, folders or videos) when given."""
        return dialogs.open_compare(self, before, after)

    def show_about(self) -> None:
        QMessageBox.about(self, "About GaitCoach", about_html())

    # ================================================================ timers (GUI thread)
    def _display_tick(self) -> None:
        pipe = self.pipeline
        res = pipe.latest() if pipe is not None else None
        if res is None or res.seq == self._last_seq:
            return
        t0 = time.perf_counter()
        # Ask the capture thread to prepare the next frames for this size / mirror state.
        pipe.scaler.request = ((self.video.width(), self.video.height()), self.video.mirror)
        self._last_seq = res.seq
        self._history.append((res.frame.t_ns, res.landmarks))
        view = res.view
        fwd = 1.0 if res.facing is Facing.RIGHT else -1.0
        ic = res.last_ic
        if ic is not None and ic.t_ns != self._last_ic_t:
            self._last_ic_t = ic.t_ns
            heel = heel_at(self._history, ic.t_ns, ic.foot.value)
            self._contact = (ic.foot.value, heel, time.perf_counter())
            self.video.flash(heel)
        contact = None
        if self._contact is not None and time.perf_counter() - self._contact[2] < CONTACT_MARKER_S:
            contact = (self._contact[0], self._contact[1])
        overlay = self.region_link.decorate(
            build_overlay(res.landmarks, view, fwd, contact, res.stance_foot, res.roll_deg,
                          res.on_ground), res)
        snap = self._shown_snapshot  # the one the tiles show, so the numbers agree
        r = self.settings.runner
        cad = snap.cadence_spm if snap is not None else None
        target = self.targets.target_spm  # None: no target yet (a new runner)
        hud = CadenceHud(cad, target, r.cadence_band_pct,
                         cadence_band(cad, target, r.cadence_band_pct) if target else "none",
                         snap.cadence_reason if snap is not None else "")
        runner_video = self.video_area.runner_video()  # the cadence box on the runner's view
        for v in self.video_area.videos():
            v.hud = hud if v is runner_video else None
        if res.landmarks is None:
            self.video.message = "No runner in view — the whole body, head to feet, must be visible."
        elif self.video.message.startswith("No runner"):
            self.video.message = ""
        self.video.show_frame(res.frame.image, overlay, res.display)
        self.two_views.display_tick()
        self.frames_displayed += 1
        tick_ms = (time.perf_counter() - t0) * 1000.0
        self.busy_s["display"] += tick_ms / 1000.0
        paint = self.video.paint_ms[-1] if self.video.paint_ms else 0.0
        self.gui_ms.append(tick_ms + paint)

    def _plot_tick(self) -> None:
        t0 = time.perf_counter()
        self._plot_update()
        self.busy_s["plot"] += time.perf_counter() - t0

    def _plot_update(self) -> None:
        pipe = self.pipeline
        res: LiveResult | None = pipe.latest() if pipe is not None else None
        snap = res.snapshot if res is not None else None
        if self.multiview is not None:
            snap = self.two_views.snapshot()  # both views' metrics on the side view's steps
        now = time.perf_counter()
        if now - self._tiles_t >= TILES_S:
            self._tiles_t = now
            self._shown_snapshot = snap
            self.tiles.update_snapshot(snap, self.settings, self.targets.band(self.settings),
                                       cadence_target=self.targets.target_spm is not None)
        self.plots.tick(res.frame.t_ns if res is not None else None)
        self.plots.refresh()
        self.fb.tick(now)
        if self.stack.currentIndex() == 1:
            self.home_practice.tick(self._shown_snapshot)

    def _on_steps(self, upd: StepsUpdate) -> None:
        """Queued from the pose worker via the bridge (GUI thread)."""
        cad = upd.snapshot.cadence_spm if upd.snapshot is not None else None
        if upd.steps:
            self.plots.add_steps(upd.steps, cad, upd.t_ns)

    def _status_tick(self) -> None:
        t0 = time.perf_counter()
        self._status_update()
        self.busy_s["status"] += time.perf_counter() - t0

    def _status_update(self) -> None:
        pipe = self.pipeline
        if pipe is None:
            return
        st = pipe.status()
        self.st_cam.setText(f"Camera {st.camera_fps:4.1f}/{st.nominal_fps:g} fps")
        self.st_pose.setText(f"Pose {st.pose_fps:4.1f} fps")
        pct = 100.0 * st.dropped / st.frames_captured if st.frames_captured else 0.0
        self.st_drop.setText(f"Dropped {st.dropped} ({pct:.1f} %)")
        lat = "—" if st.latency_p50_ms is None else f"{st.latency_p50_ms:.0f} ms"
        self.st_lat.setText(f"Latency {lat}")
        g = list(self.gui_ms)[-60:]
        self.st_gui.setText(f"GUI {np.median(g):.1f} ms/frame" if g else "GUI —")
        res = pipe.latest()  # a rear/front camera's roll, corrected for: shown while it is
        roll = res.roll_deg if res is not None else 0.0
        self.st_roll.setVisible(bool(roll))
        self.st_roll.setText(f"Camera {camera_roll_text(roll, short=True)}" if roll else "")
        self._update_audio_status()
        second = self.two_views.status_tick()  # the second camera's figures and problems
        gait = self._gait_banner()
        if gait != self._gait_dismissed:
            self._gait_dismissed = ""  # it cleared (or changed): show it again when due
        if st.state in ("frozen", "reconnecting", "error"):
            if st.message not in self.banner.text():  # the help adds the ways out to it
                self.show_banner(st.message)
        elif st.state == "ended":
            self.show_banner(f"{st.source_name} has ended. Open another video, choose a camera, "
                             "or press Space to play it again.")
            self.stop()
        elif st.runner_message:
            self.show_banner(st.runner_message)  # runner lost / looking inside the region
        elif second:
            self.show_banner(second)
        elif self._banner_sticky:  # a recording problem, no camera, the wrong view
            if self.banner.text() != self._banner_sticky or not self.banner_box.isVisible():
                self.show_banner(self._banner_sticky, sticky=True)
        elif gait and gait != self._gait_dismissed:
            if self.banner.text() != gait or not self.banner_box.isVisible():
                self.show_banner(gait)
        elif self.banner_box.isVisible() and st.state == "running":
            self.banner_box.hide()

    def _gait_banner(self) -> str:
        """A warning about the gait the engine sees that the tiles cannot show: walking
        filmed from behind or in front, checked on one walk only (one sentence; '' = none)."""
        from app.gait.engine import WALKING_FRONTAL_WARNING

        snap, w = self._shown_snapshot, WALKING_FRONTAL_WARNING
        return w[0].upper() + w[1:] + "." if snap is not None and w in snap.warnings else ""

    # ================================================================ shutdown
    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Ask first during a recording or guided session (app.ui.live.close_guard); then stop
        timers, the pipeline threads (joined), and save settings."""
        from app.ui.live.close_guard import ask_before_close

        if not ask_before_close(self):
            event.ignore()
            return
        for t in (self.t_display, self.t_plot, self.t_status):
            t.stop()
        self.view_check.close()
        self.two_views.close()
        self.video_help.close()
        self.protocol.close()  # a guided session running: stop and save it
        self.plan.close()
        self.clinic.close()
        self.recording.close()  # finish the recording's files first
        self.stop()
        self.fb.close()
        if getattr(self, "compare_view", None) is not None:
            self.compare_view.close()  # joins its decoder and export threads
        if self.sessions_dialog is not None:
            self.sessions_dialog.done(0)
            self.sessions_dialog.close_store()
        self._save()
        super().closeEvent(event)
