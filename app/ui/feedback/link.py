"""Connects the live window to feedback: the cue library, the Qt-free
``FeedbackController``, the one ``AudioEngine`` and the feedback panel dock.

GUI thread, except :meth:`FeedbackController.on_update`, which the pipeline calls on the
pose worker thread (the controller is locked and cheap; it only queues sound). The window
calls :meth:`tick` from its plot timer; the panel shows the controller's state from there.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QScrollArea, QWidget

from app.config import Settings
from app.feedback.controller import STEP_METRIC_FOR_FAULT, FeedbackController, fault_options
from app.feedback.cue_library import Cue, CueLibrary
from app.types import View
from app.ui.feedback.host import FeedbackHost
from app.ui.feedback.panel import FeedbackPanel

PANEL_S = 0.1  # panel refresh period (s)
#: a focus for each view when the saved one has no cue there
DEFAULT_FAULT = {View.SIDE: ("overstride_pct_leg", "high"), View.REAR: ("pelvic_drop_deg", "high"),
                 View.FRONT: ("pelvic_drop_deg", "high")}


def _fault_for_metric(metric: str) -> str:
    """Cue-library fault metric for an engine metric name (foot_strike_angle_deg ->
    foot_strike)."""
    for fault, step_metric in STEP_METRIC_FOR_FAULT.items():
        if step_metric == metric:
            return fault
    return metric


class FeedbackLink(QObject):
    """Owns the controller, the audio engine and the panel of one window (GUI thread).

    ``host`` is the window as a :class:`FeedbackHost`; ``parent`` owns the link and its
    dock (the window places :attr:`dock`)."""

    def __init__(self, host: FeedbackHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.w = host
        self.engine = None  # app.audio.engine.AudioEngine, made when sound is first needed
        self._audio_reason = ""
        self._panel_t = 0.0
        self.editor = None  # the cue editor dialog while open
        self.state = None   # the controller state last shown (FeedbackState)
        s = host.settings
        self.library = CueLibrary.load("en")
        self.controller = FeedbackController(
            self.library, None, baseline_steps=s.feedback.baseline_steps,
            saved_target_spm=None,  # the runner's kept target comes with the runner
            cadence_band_pct=s.runner.cadence_band_pct)
        self.controller.on_cue = self._log_cue
        self.panel = FeedbackPanel(s.feedback, self.controller)
        self.panel.apply_to_controller()
        scroll = QScrollArea()
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(330)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.dock = QDockWidget("Feedback", parent)
        self.dock.setObjectName("feedback")
        self.dock.setWidget(scroll)
        self.panel.metronome_toggled.connect(host.show_metronome_on)
        self.panel.cues_toggled.connect(self.set_cues)
        self.panel.focus_chosen.connect(self._on_focus)
        self.panel.device_chosen.connect(self.set_device)
        self.panel.settings_changed.connect(self._on_panel_settings)
        self._fill_devices()
        self.refresh_focus(s)
        if self.library.problems:
            host.show_banner("Cue folder: " + " ".join(self.library.problems))
        if s.feedback.cues:
            self.set_cues(True)

    def _log_cue(self, ev) -> None:  # noqa: ANN001 - CueEvent
        """Every cue decided goes into cues.csv while recording. Pose worker thread: only
        an attribute read and the recorder's thread-safe ``log_cue``."""
        rec = self.w.active_recorder()
        if rec is not None and not rec.done:
            rec.log_cue(ev.t_ns, ev.cue_id, ev.text, ev.trigger)

    # ================================================================ sound
    def _fill_devices(self) -> None:
        from app.audio.backend import list_output_devices, load_sounddevice

        sd, reason = load_sounddevice()
        devices = list_output_devices(sd) if sd is not None else []
        if sd is not None and not devices:
            reason = "Sound is off because no audio output device was found."
        self._audio_reason = reason
        self.panel.set_devices([d.name for d in devices], self.w.settings.feedback.audio_device)
        self.panel.set_audio_notice(reason)

    def ensure_audio(self) -> bool:
        """Start the audio engine (once) on the chosen device; False with a visible notice
        when there is no sound. The app carries on silent."""
        if self.engine is not None and self.engine.status().available:
            return True
        from app.audio import backend
        from app.audio.engine import AudioEngine

        if self.engine is None:
            self.engine = AudioEngine(self.w.settings.feedback.audio_device or None,
                                      sounddevice_loader=lambda: backend.load_sounddevice())
        st = self.engine.start()
        if not st.available:
            self.panel.set_audio_notice(st.reason)
            self.w.show_banner(f"Sound is not available: {st.reason}")
            return False
        for problem in self.engine.register_cues(self.library):
            self.w.show_banner(problem)
        self.panel.set_audio_notice("")
        self.controller.set_sink(self.engine)
        return True

    def set_device(self, name: str) -> None:
        """Switch the output device: the engine restarts there if sound is in use."""
        self.w.settings = replace(self.w.settings, feedback=self.panel.settings)
        in_use = self.engine is not None
        self._stop_engine()
        if in_use and (self.controller.state().metronome_on or self.controller.state().cues_on):
            self.ensure_audio()

    def _stop_engine(self) -> None:
        if self.engine is not None:
            self.controller.set_sink(None)
            self.engine.stop()
            self.engine = None

    def set_metronome(self, on: bool) -> bool:
        """Metronome on/off (T, toolbar, panel). Returns the resulting state."""
        if on and not self.ensure_audio():
            on = False
        self.controller.set_metronome(on)
        self.panel.set_metronome_checked(on)
        return on

    def set_cues(self, on: bool) -> None:
        if on and not self.ensure_audio():
            pass  # cues are still decided, logged and shown; the notice says why silent
        self.controller.set_cues(on)
        self.panel.set_cues_checked(on)

    def play(self, cue: Cue) -> str:
        """Play one cue now (cue editor); '' or a sentence why not."""
        if not self.ensure_audio():
            return self._audio_reason or "Sound is not available."
        problems = self.engine.register_cues([cue])
        if problems:
            return problems[0]
        if not self.engine.play_cue(cue.id):
            return "Another cue is playing; try again in a moment."
        return ""

    def audio_status(self) -> tuple[str, str]:
        """(status bar text, tooltip)."""
        if self.engine is None:
            return ("Audio: off", self._audio_reason)
        st = self.engine.status()
        if not st.available:
            return ("Audio: unavailable", st.reason)
        if st.device_lost:
            self.panel.set_audio_notice(st.reason or "The audio device was lost; retrying.")
            return ("Audio: device lost, retrying", st.reason)
        if self.panel.audio_notice.isVisible() and not self._audio_reason:
            self.panel.set_audio_notice("")
        waiting = self.controller.state()
        if waiting.metronome_on and waiting.bpm is None:  # on, but nothing to click at yet
            return ("Audio: metronome waiting for a target",
                    "The metronome starts once the baseline is measured or a target is typed in Setup.")
        metro = f"metronome {st.bpm:.0f} bpm" if st.metronome_on else "metronome off"
        return (f"Audio: {metro}", f"{st.device_name}, {st.samplerate_hz} Hz, "
                f"{st.output_latency_ms:.0f} ms output latency, {st.underflows} underflows")

    # ================================================================ cues and focus
    def set_library(self, library: CueLibrary) -> None:
        """The cue editor changed the library."""
        self.library = library
        self.controller.set_library(library)
        if self.engine is not None and self.engine.status().available:
            self.engine.register_cues(library)
        self.refresh_focus(self.w.settings)

    def open_cue_editor(self) -> None:
        from app.ui.feedback.cue_editor import CueEditor

        dlg = CueEditor("en", play=self.play, parent=self.parent())
        dlg.library_changed.connect(self.set_library)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.editor = dlg
        dlg.show()

    def refresh_focus(self, s: Settings) -> None:
        """Focus choices for the views in use (faults with cues) and the controller's focus."""
        from app.ui.live.tiles import metric_names_for_views

        views = self.w.views_in_use()  # side + rear: the faults of both views
        view = views[0]
        options = fault_options(self.library, metric_names_for_views(views))
        current: tuple[str, str] | None = None
        if s.feedback.focus:
            m, _, d = s.feedback.focus.partition(":")
            current = (m, d)
        if current not in options:
            m = _fault_for_metric(s.runner.focus_metric)
            current = next((o for o in options if o[0] == m), None)
        if current not in options:
            current = DEFAULT_FAULT[view] if DEFAULT_FAULT[view] in options else (
                options[0] if options else None)
        self.panel.set_focus_options(options, current)
        self._apply_focus(current, s)

    def _apply_focus(self, fault: tuple[str, str] | None, s: Settings) -> None:
        if fault is None:
            self.controller.set_focus(None)
            return
        metric, direction = fault
        limit = None
        if direction in ("high", "low") and metric != "cadence_spm":
            band = s.band_for(STEP_METRIC_FOR_FAULT.get(metric, metric))
            if band is None:
                self.controller.set_focus(None)
                return
            limit = band.green[1] if direction == "high" else band.green[0]
        self.controller.set_focus(metric, direction, limit)
        step_metric = STEP_METRIC_FOR_FAULT.get(metric, metric)
        fb = replace(s.feedback, focus=f"{metric}:{direction}")
        runner = s.runner if metric == "cadence_spm" else replace(s.runner, focus_metric=step_metric)
        if fb != s.feedback or runner != s.runner:
            self.w.settings = replace(self.w.settings, feedback=fb, runner=runner)
            self.panel.settings = fb
            self.w.feedback_settings_changed()

    def _on_focus(self, metric: str, direction: str) -> None:
        self._apply_focus((metric, direction), self.w.settings)
        self.w.save_settings_now()

    def _on_panel_settings(self, fb) -> None:  # noqa: ANN001 - FeedbackSettings
        self.w.settings = replace(self.w.settings, feedback=fb)
        self.w.save_settings_now()

    # ================================================================ window hooks
    def attach(self, pipeline, new_source: bool) -> None:  # noqa: ANN001 - LivePipeline
        """Feed a newly started pipeline's steps to the controller (pose worker thread)."""
        if new_source:
            self.controller.reset_session()
        pipeline.add_listener(self.controller.on_update)

    def settings_changed(self, new: Settings, old: Settings) -> None:
        """The setup panel changed runner settings: band, view, thresholds (a typed target
        goes through ``RunnerTargets.type_target``)."""
        if new.runner.cadence_band_pct != old.runner.cadence_band_pct:
            self.controller.set_cadence_band(new.runner.cadence_band_pct)
        if new.runner.view != old.runner.view or new.thresholds != old.thresholds:
            self.refresh_focus(new)

    def tick(self, now_s: float) -> None:
        """Plot timer (GUI thread): advance a ramp, refresh the panel at 10 Hz, and make
        the window's target (``RunnerTargets``) follow the controller's."""
        self.controller.tick()
        if now_s - self._panel_t < PANEL_S:
            return
        self._panel_t = now_s
        st = self.controller.state()
        self.w.feedback_state_changed(st)  # targets: shown, and kept with the runner
        self._follow_focus(st)
        if self.dock.isVisible():
            self.panel.refresh(st)
        self.state = st

    def _follow_focus(self, st) -> None:  # noqa: ANN001 - FeedbackState
        """The focus plot shows the fault being cued (the panel's choice or a guided
        block's); a cadence focus shows step time per step (cadence is the plot beside)."""
        f = st.focus
        if f is None:
            return
        metric = "step_time_ms" if f.metric == "cadence_spm" else STEP_METRIC_FOR_FAULT.get(f.metric, f.metric)
        if metric != self.w.focus_plot_metric():
            self.w.apply_focus_plot(metric)

    def close(self) -> None:
        """Window closing: stop clicking and close the audio stream and its threads."""
        self.controller.set_metronome(False)
        editor, self.editor = self.editor, None
        if editor is not None:
            try:
                editor.done(0)
            except RuntimeError:
                pass  # already deleted by Qt
        self._stop_engine()


