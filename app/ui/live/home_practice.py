"""The home practice layout's behaviour: a runner alone with a laptop.

- the runner sees their own video, mirrored (``display.mirror_home``, M toggles it): the
  window's live video moves into the home view while the layout shows (and back for the
  clinic layout or wall mode);
- the clinician's panels (Setup, Feedback, the toolbar) are hidden, and come back as they
  were in the clinic layout;
- one voice: the headline is the fault being trained (the feedback focus) with the cue
  words for it; cadence against the target comes second when it is not the focus;
- the metronome's state is shown and toggled on the view; *Stop* stops it too;
- the last cue shown is one of this practice (cleared at each Start).

GUI thread only; :meth:`HomePractice.tick` runs from the window's plot timer while the
home layout shows.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject

from app.ui.live.home_view import HomeFigures


class HomePractice(QObject):
    """Drives ``window.home`` (see the module docstring)."""

    def __init__(self, window) -> None:  # noqa: ANN001 - MainWindow
        super().__init__(window)
        self.w = window
        self.view = window.home
        self.active = False
        self.started_ns: int | None = None
        self._panels: tuple[bool, bool, bool] | None = None
        self._video = None  # the video lent to the home view (the runner's view)
        self.view.start_stop.connect(self.start_stop)
        self.view.metronome_toggled.connect(lambda on: window.act_metro.setChecked(on))

    # ------------------------------------------------------------------ layout
    def sync(self) -> None:
        """Put the live video where it is seen (the home view, or the clinic layout and
        wall mode) and show or hide the clinician's panels; call after a layout, wall
        mode or runner's-view change. With two cameras the home view shows the runner's
        view."""
        w = self.w
        home = w.settings.display.layout == "home" and not w.video.wall
        want = w.video_area.runner_video() if home else None
        if home == self.active and self._video is want and (want is None or self.view.isAncestorOf(want)):
            return
        if self._video is not None and self._video is not want:  # give back the one lent
            self._video.show_hud = True  # the clinic layout always has the cadence box
            w.video_area.put_back(self._video)
            self._video = None
        if home:
            self._video = want
            self.view.video_slot.addWidget(want)
            want.show()
            if not self.active:
                self._panels = (w.setup_dock.isVisible(), w.fb.dock.isVisible(), w.toolbar.isVisible())
                for x in (w.setup_dock, w.fb.dock, w.toolbar):
                    x.hide()
        elif self._panels is not None and not w.video.wall:
            for x, was in zip((w.setup_dock, w.fb.dock, w.toolbar), self._panels):
                x.setVisible(was)
            self._panels = None
        self.active = home
        w._last_seq = -1  # redraw at the new size

    def running_changed(self, running: bool) -> None:
        """The window started or stopped the video: a new practice clears the last cue."""
        self.view.set_running(running)
        if running:
            self.started_ns = time.perf_counter_ns()
            self.view.last_cue.setText("")

    def start_stop(self) -> None:
        """The big Start/Stop: Stop also stops the metronome (the runner is done)."""
        w = self.w
        if w.running:
            w.act_metro.setChecked(False)
        w.toggle_running()

    # ------------------------------------------------------------------ figures
    def tick(self, snap) -> None:  # noqa: ANN001 - MetricSnapshot | None (the tiles' one)
        f = self.figures(snap)
        self.view.show_figures(f)
        # one voice: the cadence box on the video only when cadence is what is trained
        (self._video or self.w.video).show_hud = not self.active or f.name.startswith("Cadence")

    def _focus(self, fs) -> tuple[str, str, float | None] | None:  # noqa: ANN001
        """(cue-library fault, direction, limit) being trained: a guided session's block
        focus while one runs, else the feedback panel's (the controller's)."""
        runner = getattr(self.w.protocol, "runner", None)
        if runner is not None and runner.status in ("running", "paused"):
            f = runner.state().focus
            if f is not None:
                same = fs is not None and fs.focus is not None and fs.focus.metric == f.metric
                return f.metric, f.direction, fs.focus.limit if same else None
        if fs is None or fs.focus is None:
            return None
        return fs.focus.metric, fs.focus.direction, fs.focus.limit

    def figures(self, snap) -> HomeFigures:  # noqa: ANN001
        from app.feedback.cue_rules import STEP_METRIC_FOR_FAULT, metric_words, with_unit
        from app.ui.feedback.panel import wall_clock
        from app.ui.live.video_view import cadence_band

        w = self.w
        r = w.settings.runner
        target = w.targets.target_spm
        cad = snap.cadence_spm if snap is not None else None
        cad_band = cadence_band(cad, target, r.cadence_band_pct) if target else "none"
        if target:
            lo, hi = target * (1 - r.cadence_band_pct / 100), target * (1 + r.cadence_band_pct / 100)
            cad_aim = f"target {lo:.0f}–{hi:.0f} steps/min"
        else:
            cad_aim = "no target yet: it comes from your first steps"
        cad_text = "—" if cad is None else f"{cad:.0f}"
        fs = w.fb.state
        focus = self._focus(fs)
        instruction = fs.focus_text if fs is not None else ""
        metro = fs.bpm if fs is not None and fs.metronome_on and fs.bpm else None
        last = ""
        if fs is not None and fs.last_cue is not None and self.started_ns is not None \
                and fs.last_cue.t_ns >= self.started_ns:
            last = f"last cue {wall_clock(fs.last_cue.t_ns)}: “{fs.last_cue.text}”"
        if focus is None or focus[0] == "cadence_spm":
            return HomeFigures("Cadence", cad_text, cad_band, cad_aim, instruction, "", metro, last)
        fault, direction, limit = focus
        name, unit, decimals = metric_words(fault)
        metric = STEP_METRIC_FOR_FAULT.get(fault, fault)
        mv = snap.values.get(metric) if snap is not None else None
        value = None if mv is None else mv.value
        band_obj = w.settings.band_for(metric)
        band = band_obj.classify(value) if value is not None and band_obj is not None else "none"
        text = "—" if value is None else f"{value:.{decimals}f}"  # the unit goes with the name
        if direction in ("high", "low") and limit is None and band_obj is not None:
            limit = band_obj.green[1] if direction == "high" else band_obj.green[0]
        if direction in ("high", "low") and limit is not None:
            edge = with_unit(f"{limit:.{decimals}f}", unit)
            aim = f"keep it {'below' if direction == 'high' else 'above'} {edge}"
        else:
            aim = f"avoid a {direction} strike" if fault == "foot_strike" else ""
        line = f"Cadence {cad_text} steps/min" + (f" · {cad_aim}" if target else "")
        title = name[:1].upper() + name[1:] + (f" ({unit})" if unit else "")
        return HomeFigures(title, text, band, aim, instruction, line, metro, last)
