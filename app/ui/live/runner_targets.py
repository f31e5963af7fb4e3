"""The runner in front of the camera, and the target cadence that belongs to them.

A target used to live in the global settings, so one runner's override carried over to
the next ("Target 180 spm — last target") and coloured their tiles until a baseline was
measured. Now the window has a current runner (Setup → Runner, or the guided session's
runner, kept as ``settings.runner.runner_id``); their target is kept in the session store
(``runner_targets``) whenever it is set — typed in Setup, from a measured baseline, in a
guided session — and loaded when they are chosen again. A new runner, or no runner,
starts clean: no target until today's baseline is measured (or one is typed in).

Every target is labelled by where it came from (``origin``): "typed in Setup", "baseline
170 spm + 7.5 %", "Anna K.'s target from 3 Dec (typed in Setup)".

GUI thread only; the store is opened per call (a few small queries when the runner or the
target changes).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.errors import UserError

TYPED_IN_SETUP = "typed in Setup"


class RunnerTargets(QObject):
    """Current runner and target of one ``MainWindow`` (see the module docstring)."""

    def __init__(self, window) -> None:  # noqa: ANN001 - MainWindow
        super().__init__(window)
        self.w = window
        self.runner_id: int | None = None
        self.runner_name = ""
        self.target_spm: float | None = None   # the target in force now
        self.source = ""                       # 'override' | 'baseline' | 'saved' | ''
        self.origin = ""                       # where it came from, in words
        self._kept: float | None = None        # what the store holds for the runner
        setup = window.setup
        setup.runner_chosen.connect(lambda rid: self.choose(rid or None))
        setup.new_runner_requested.connect(self.new_runner_dialog)
        setup.target_typed.connect(self.type_target)
        setup.runner.opening.connect(self.refresh_runners)

    # ------------------------------------------------------------------ store
    @staticmethod
    def _store():  # noqa: ANN205
        from app.session.store import open_store

        return open_store()

    def refresh_runners(self) -> None:
        """Fill Setup's runner chooser from the store (no store yet: just 'No runner')."""
        try:
            with self._store() as st:
                runners = [(r.id, r.name) for r in st.list_runners()]
        except (UserError, OSError):
            runners = []
        if self.runner_id is not None and all(rid != self.runner_id for rid, _ in runners):
            self.runner_id, self.runner_name = None, ""  # removed in the session browser
        self.w.setup.set_runners(runners, self.runner_id or 0)

    # ------------------------------------------------------------------ choosing
    def choose(self, runner_id: int | None, save: bool = True, fresh: bool = True) -> None:
        """Make ``runner_id`` (None: no runner) the runner in front of the camera: their
        kept target (if any) is the target until today's baseline is measured. ``fresh``
        (another runner steps on): the baseline is measured again and an override or a
        typed-in baseline, the previous runner's, is dropped; False at start-up (the
        same runner as last time: the feedback settings stay)."""
        kept, name = None, ""
        if runner_id is not None:
            try:
                with self._store() as st:
                    name = st.get_runner(runner_id).name
                    kept = st.runner_target(runner_id)
            except UserError as exc:
                self.w.show_banner(str(exc))
                runner_id = None
        self.runner_id, self.runner_name = runner_id, name
        self._kept = None if kept is None else kept.target_spm
        fb = self.w.fb
        c = fb.controller
        if fresh:
            c.reset_session()
            c.set_target(None)
            fb.panel.measure_baseline_live()   # a typed-in baseline was someone else's
        c.set_saved_target(None if kept is None else kept.target_spm,
                           "" if kept is None else kept.describe(name))
        self.w.settings = replace(self.w.settings, runner=replace(
            self.w.settings.runner, runner_id=runner_id or 0))
        if save:
            self.w.save_settings_now()
        self.refresh_runners()
        self.follow(c.state())
        if fresh:
            who = f"Runner: {name}" if name else ("No runner chosen: targets and recordings "
                                                 "are not kept with anyone")
            self.w.statusBar().showMessage(who, 8000)

    def new_runner_dialog(self) -> None:
        """Setup → Runner → New runner…: ask for the name, add and choose them."""
        name, ok = QInputDialog.getText(self.w, "New runner", "Name:")
        if not ok or not name.strip():
            self.refresh_runners()
            return
        try:
            with self._store() as st:
                rid = st.add_runner(name).id
        except UserError as exc:
            QMessageBox.warning(self.w, "New runner", str(exc))
            self.refresh_runners()
            return
        self.choose(rid)

    # ------------------------------------------------------------------ the target
    def type_target(self, spm: float | None) -> None:
        """A target typed in Setup (None: "—", back to the baseline's)."""
        self.w.fb.controller.set_target(spm, origin=TYPED_IN_SETUP)
        self.follow(self.w.fb.controller.state())

    def follow(self, st) -> None:  # noqa: ANN001 - FeedbackState
        """The controller's target (window timer): shown in Setup, on the plots and the
        HUD; kept with the runner when it was set (typed, measured, guided session)."""
        target, source = st.target_spm, st.target_source if st.target_spm is not None else ""
        origin = self.origin_words(st)
        changed = (target is None) != (self.target_spm is None) or (
            target is not None and abs(target - self.target_spm) > 0.05) or source != self.source
        self.target_spm, self.source, self.origin = target, source, origin
        if changed:
            self.w.setup.show_target(target)
            self.w.plots.set_target(target, self.w.settings.runner.cadence_band_pct)
        if self.runner_id is not None and target is not None and source in ("override", "baseline") \
                and (self._kept is None or abs(target - self._kept) >= 0.5):
            try:
                with self._store() as store:
                    store.set_runner_target(self.runner_id, target, origin)
                self._kept = target
            except (UserError, OSError) as exc:
                self.w.show_banner(f"The target could not be kept with {self.runner_name}: {exc}")
                self._kept = target  # do not retry every tick

    def band(self, settings):  # noqa: ANN001, ANN201 - Settings -> Band | None
        """The tiles' cadence band around the target in force: within the runner's
        ``cadence_band_pct`` good, within twice that fair; None without a target."""
        from app.config import Band

        t, b = self.target_spm, settings.runner.cadence_band_pct / 100.0
        if t is None:
            return None
        return Band((t * (1 - b), t * (1 + b)), (t * (1 - 2 * b), t * (1 + 2 * b)))

    @staticmethod
    def origin_words(st) -> str:  # noqa: ANN001 - FeedbackState
        """Where the target came from, in a few words ('' without a target)."""
        if st.target_spm is None:
            return ""
        if st.target_source == "baseline" and st.baseline_spm is not None:
            how = "typed-in baseline" if st.baseline_manual else "baseline"
            return f"{how} {st.baseline_spm:.0f} spm + {st.increase_pct:g} %"
        if st.target_source == "override":
            return st.target_origin or "set by the clinician"
        return st.target_origin or "kept target"
