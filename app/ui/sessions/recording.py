"""Record toggle, REC indicator, disk banners and the crash-recovery offer.

Everything here runs on the GUI thread. The recorder's own thread does the writing
(app.session.recorder); this controller only starts/stops it and polls its status on a
timer (2 Hz): a red "● REC 01:23" label, a banner when the disk cannot keep up or writing
failed, "Saving…" while the files are closed and remuxed.

At start-up (interactive windows only) the sessions root is scanned for folders left in
``recording`` by a crash; a message box lists them and offers to recover them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMessageBox

from app.errors import UserError

STATUS_MS = 500
REC_STYLE = "color:#e53935; font-weight:bold; font-size:15px; padding:0 8px;"
SAVING_STYLE = "color:#555; font-weight:bold; font-size:15px; padding:0 8px;"


def rec_text(seconds: float) -> str:
    """``● REC 01:23`` (``1:02:03`` past an hour)."""
    s = int(max(0.0, seconds))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    clock = f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}"
    return f"● REC {clock}"


def _session_label(info) -> str:
    """'21 Nov 2026 10:31 — demo' for a session folder in the recovery list."""
    import datetime as dt

    m = info.manifest or {}
    when = info.id
    try:
        t = dt.datetime.strptime(str(m.get("started_utc")), "%Y-%m-%dT%H:%M:%SZ")
        when = t.replace(tzinfo=dt.timezone.utc).astimezone().strftime("%d %b %Y %H:%M")
    except ValueError:
        pass
    src = Path(str(m.get("source") or "")).name
    return f"{when} — {src}" if src else when


class TwoViewRecorder:
    """A two-view recording (``app.session.multiview_recorder.MultiViewRecorder``) as the
    window and the guided session use a ``SessionRecorder``: cues, blocks and beat–step
    synchrony go to the side view's recorder (its steps are the session's); a stop asked
    without waiting finishes the other view's files and then the side view's on a worker
    task (the side view's manifest lists both views, so it is written last)."""

    def __init__(self, rec) -> None:  # noqa: ANN001 - MultiViewRecorder (started)
        self.rec = rec
        self.primary = rec.primary
        self._stopping = None  # app.ui.shared.workers.Task while the files are finished

    @property
    def folder(self):  # noqa: ANN201 - Path | None
        return self.rec.folder

    @property
    def sync_lookup(self):  # noqa: ANN201
        return self.primary.sync_lookup

    @sync_lookup.setter
    def sync_lookup(self, fn) -> None:  # noqa: ANN001
        self.primary.sync_lookup = fn

    def log_cue(self, t_ns: int | None, cue_id: str, text: str, trigger: str) -> None:
        self.primary.log_cue(t_ns, cue_id, text, trigger)

    def mark_block(self, kind: str, name: str = "", t_ns: int | None = None) -> None:
        self.primary.mark_block(kind, name, t_ns)

    def request_stop(self) -> None:
        """Finish every view's files on a worker task (does not wait)."""
        if self._stopping is None:
            from app.ui.shared.workers import Task

            self._stopping = Task("recording stop", lambda _task: self.rec.stop()).start()

    def stop(self, timeout: float | None = 120.0):  # noqa: ANN201 - RecorderStatus
        """Stop and wait for every view's files."""
        self.request_stop()
        self._stopping.join(timeout if timeout is not None else 3600.0)
        return self.status()

    @property
    def done(self) -> bool:
        if self.primary.done and self._stopping is None:
            self.request_stop()  # the side view failed (disk full): stop the other too
        return self._stopping is not None and not self._stopping.running and self.primary.done

    def status(self):  # noqa: ANN201 - RecorderStatus
        from dataclasses import replace

        st = self.rec.status()
        if self._stopping is not None and not self.done and st.state == "recording":
            st = replace(st, state="finishing")
        return st


class RecordingController(QObject):
    """Owns the Record action and the current ``SessionRecorder`` of a ``MainWindow``.

    ``root`` is where session folders go (default: the sessions root of the data dir).
    """

    def __init__(self, window, root: Path | None = None, offer_recovery: bool = True) -> None:
        super().__init__(window)
        self.win = window
        self._root = root
        self.recorder = None
        self._finishing: list = []       # stopped recorders still writing their files
        self.last_folder: Path | None = None
        self.recovery_box: QMessageBox | None = None
        self.recovered: list[str] = []   # sentences of the last recovery
        self._warned_drop = 0

        self.act_record = QAction("Record", window, checkable=True, shortcut=QKeySequence("R"))
        self.act_record.setToolTip("Record the session (video, landmarks, steps) — R")
        self.act_record.triggered.connect(self._on_triggered)
        self.act_recover = QAction("Recover interrupted sessions…", window)
        self.act_recover.triggered.connect(lambda: self.offer_recovery(always=True))
        self.indicator = QLabel("")
        self.indicator.setStyleSheet(REC_STYLE)
        self._indicator_action = None
        self._install()

        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.timer.start(STATUS_MS)
        if offer_recovery:
            QTimer.singleShot(0, self.offer_recovery)

    @property
    def root(self) -> Path:
        from app.session.folder import sessions_root

        return self._root if self._root is not None else sessions_root()

    def _install(self) -> None:
        w = self.win
        menus = {a.text().replace("&", ""): a.menu() for a in w.menuBar().actions() if a.menu()}
        m_file = menus.get("File")
        if m_file is not None:
            first = next((a for a in m_file.actions() if a.isSeparator()), None)
            m_file.insertAction(first, self.act_record)
            m_file.insertAction(first, self.act_recover)
        w.addAction(self.act_record)  # R works in wall mode too
        tb = getattr(w, "toolbar", None)
        if tb is not None:
            # first on the toolbar, so a narrow window never pushes them into the overflow
            first = tb.actions()[0] if tb.actions() else None
            tb.insertAction(first, self.act_record)
            # a toolbar shows/hides its widgets through their actions, not QWidget.hide()
            self._indicator_action = tb.insertWidget(first, self.indicator)
            self._indicator_action.setVisible(False)
            if first is not None:
                tb.insertSeparator(first)
        else:
            self.indicator.hide()

    def _show_indicator(self, on: bool) -> None:
        if self._indicator_action is not None:
            self._indicator_action.setVisible(on)
        else:
            self.indicator.setVisible(on)

    # ============================================================ start / stop
    @property
    def recording(self) -> bool:
        return self.recorder is not None and not self.recorder.done

    def _on_triggered(self, checked: bool) -> None:
        if checked:
            self.start()
        else:
            self.stop()
        self._sync_action()

    def start(self, template: str | None = None, runner_id=None) -> bool:
        """Start recording the running pipeline into a new session folder (``template``:
        the protocol template name, ``runner_id``: the store's runner — default the runner
        chosen in the window — both go to the manifest). False (and a banner) when it
        cannot start."""
        from app.session.recorder import start_recording
        from app.types import Facing, View

        if self.recording:
            return True
        pipe = self.win.pipeline
        if pipe is None or not pipe.running or pipe.status().state == "error":
            help_ = getattr(self.win, "video_help", None)
            if pipe is not None and help_ is not None:  # no camera: why, and the ways out
                self.win.show_banner(help_.nothing_to_record())
            else:
                self.win.show_banner("Start the video first (Space), then press R to record.")
            self._sync_action()
            return False
        r = self.win.settings.runner
        if runner_id is None and getattr(self.win, "targets", None) is not None:
            runner_id = self.win.targets.runner_id  # into the chosen runner's history
        facing = None if r.facing == "auto" else Facing(r.facing)
        if pipe.source.kind == "demo":
            facing = pipe.source.runner.facing
        mv = getattr(self.win, "multiview", None)
        try:
            if mv is not None:  # both views' videos and landmarks, one steps stream
                from app.session.multiview_recorder import MultiViewRecorder

                rec = MultiViewRecorder(mv, self.root, runner_id=runner_id, template=template,
                                        subject_height_cm=r.height_cm)
                rec.start()
                self.recorder = TwoViewRecorder(rec)
            else:
                self.recorder = start_recording(
                    pipe, self.root, source=self.win.source_spec or pipe.source.name,
                    view=View(r.view), facing=facing, subject_height_cm=r.height_cm,
                    template=template, runner_id=runner_id)
        except UserError as exc:
            self.win.show_banner(str(exc))
            self.recorder = None
            self._sync_action()
            return False
        fb = getattr(self.win, "fb", None)
        if fb is not None:
            self.recorder.sync_lookup = fb.controller.sync_for_ic
        self._warned_drop = 0
        self.last_folder = self.recorder.folder
        self.indicator.setText(rec_text(0))
        self._update_indicator()
        self._sync_action()
        return True

    def stop(self) -> None:
        """Stop recording; the files are finished on the recorder thread (no waiting). A
        new recording may start while the previous one is still being saved."""
        rec, self.recorder = self.recorder, None
        if rec is not None and not rec.done:
            rec.request_stop()
            self._finishing.append(rec)
        elif rec is not None:
            self._report(rec.status())
        self._update_indicator()
        self._sync_action()

    @property
    def saving(self) -> bool:
        """True while a stopped recording's files are still being finished."""
        return bool(self._finishing)

    def log_cue(self, t_ns: int | None, cue_id: str, text: str, trigger: str) -> None:
        """Log a cue into the current recording (no-op when not recording). Any thread."""
        rec = self.recorder
        if rec is not None:
            rec.log_cue(t_ns, cue_id, text, trigger)

    def mark_block(self, kind: str, name: str = "", t_ns: int | None = None) -> None:
        """Start a protocol block in the current recording (no-op when not recording)."""
        rec = self.recorder
        if rec is not None:
            rec.mark_block(kind, name, t_ns)

    def pipeline_stopping(self) -> None:
        """The window is about to stop its pipeline (new source, Space, close)."""
        self.stop()

    def close(self, timeout_s: float = 60.0) -> None:
        """Window closing: finish the recordings and wait for their files."""
        self.timer.stop()
        self.stop()
        for rec in self._finishing:
            rec.stop(timeout_s)
        self._tick()

    def _sync_action(self) -> None:
        self.act_record.blockSignals(True)
        self.act_record.setChecked(self.recording)
        self.act_record.blockSignals(False)
        self.act_record.setText("Stop recording" if self.recording else "Record")

    def _update_indicator(self) -> None:
        if self.recording:
            self.indicator.setStyleSheet(REC_STYLE)
            self._show_indicator(True)
        elif self._finishing:
            self.indicator.setStyleSheet(SAVING_STYLE)
            self.indicator.setText("Saving…")
            self._show_indicator(True)
        else:
            self._show_indicator(False)

    # ============================================================ status (GUI timer)
    def _tick(self) -> None:
        rec = self.recorder
        if rec is not None:
            st = rec.status()
            if st.state == "recording":
                self.indicator.setText(rec_text(st.elapsed_s))
                if st.dropped > self._warned_drop:
                    self._warned_drop = st.dropped
                    self.win.show_banner(st.message, sticky=True)
            elif st.state == "finishing":  # stopped by other code (e.g. the protocol)
                self.recorder = None
                self._finishing.append(rec)
            elif rec.done:  # failed while recording (disk full, folder removed)
                self.recorder = None
                self._report(st)
        for r in list(self._finishing):
            if r.done:
                self._finishing.remove(r)
                self._report(r.status())
        self._update_indicator()
        self._sync_action()

    def _report(self, st) -> None:
        """Tell the user how a finished recording ended (GUI thread)."""
        if st.state == "complete":
            self.win.statusBar().showMessage(
                f"Session saved: {st.folder} ({rec_text(st.elapsed_s)[6:]})", 15000)
            if st.message:
                self.win.show_banner(st.message, sticky=True)
        elif st.message:
            self.win.show_banner(st.message, sticky=True)

    # ============================================================ recovery
    def offer_recovery(self, always: bool = False) -> None:
        """Ask (non-blocking message box) whether to recover crashed sessions."""
        from app.session.folder import incomplete_sessions

        found = incomplete_sessions(self.root)
        if not found:
            if always:
                self.win.statusBar().showMessage("No interrupted session to recover.", 8000)
            return
        lines = "\n".join(f"  • {_session_label(f)}" for f in found)
        n = len(found)
        box = QMessageBox(QMessageBox.Icon.Question, "Interrupted recordings",
                          f"GaitCoach stopped while recording {n} session"
                          f"{'s' if n > 1 else ''}:\n\n{lines}\n\nRecover "
                          f"{'them' if n > 1 else 'it'} now? (Later keeps the files as they are.)",
                          parent=self.win)
        self.btn_recover = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
        self.btn_later = box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(self.btn_recover)
        box.finished.connect(lambda _r, b=box, f=found: self._recovery_answer(b, f))
        self.recovery_box = box
        box.open()

    def _recovery_answer(self, box: QMessageBox, found) -> None:
        self.recovery_box = None
        if box.clickedButton() is not self.btn_recover:
            return
        self.recover(found)

    def recover(self, found) -> list[str]:
        """Recover the given folders; the sentences go to a banner (and are returned)."""
        from app.session.recovery import recover_session

        out = []
        for info in found:
            try:
                res = recover_session(info.path)
                out.append(f"{_session_label(info)}: {res.sentence}")
            except UserError as exc:
                out.append(f"{_session_label(info)}: {exc}")
        self.recovered = out
        self.win.show_banner("; ".join(out) + ".", sticky=True)
        return out
