"""The clinic store in the window (GUI thread): Settings → Clinic database…, a status-bar
line ("Clinic: 3 sessions waiting to publish"), and the background publisher
(app/session/publisher.py) that it polls with a timer.

The dialog writes ``clinic.toml`` (URL without its password) and keeps the password in
the OS keyring or a user-only file (app/session/credentials.py); the URL is shown
without the password everywhere.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMenu,
    QPushButton, QVBoxLayout, QWidget,
)

from app.errors import UserError
from app.ui.shared.workers import Task


def _environment_note() -> str:
    """A sentence naming the clinic settings the environment overrides ('' when none)."""
    import os

    from app.session.engine import display_url

    shown = []
    for var in ("GAITCOACH_DB_URL", "GAITCOACH_MEDIA_DIR", "GAITCOACH_STATION"):
        value = os.environ.get(var, "").strip()
        if value:
            shown.append(f"{var}={display_url(value) if var == 'GAITCOACH_DB_URL' else value}")
    if not shown:
        return ""
    return ("Set in this program's environment, used instead of what is saved here: "
            + ", ".join(shown) + ".")


class ClinicDialog(QDialog):
    """Settings → Clinic database: URL, password, shared media folder, station name, with
    *Test connection* (run on a worker thread, polled by a timer)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app.session.clinic import default_station, read_settings
        from app.session.credentials import where

        self.setWindowTitle("Clinic database")
        saved = read_settings()
        self.url = QLineEdit(saved.get("url", ""))
        self.url.setPlaceholderText("postgresql://user@clinic-server:5432/gaitcoach")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("unchanged" if saved.get("url") else "")
        self.media = QLineEdit(saved.get("media_dir", ""))
        self.media.setPlaceholderText("a mounted shared folder, e.g. /mnt/clinic/gaitcoach")
        b_media = QPushButton("Choose…")
        b_media.clicked.connect(self._choose_media)
        self.station = QLineEdit(saved.get("station", "") or default_station())
        media_row = QHBoxLayout()
        media_row.addWidget(self.media, 1)
        media_row.addWidget(b_media)
        form = QFormLayout()
        form.addRow("Database URL:", self.url)
        form.addRow("Password:", self.password)
        form.addRow("Media folder:", media_row)
        form.addRow("This station:", self.station)
        kept = where()
        kept = kept if kept == "the system keyring" else f"{kept} (readable by you only)"
        note = QLabel(f"The password is kept in {kept}, never in the settings file. Leave the "
                      "URL empty to work without a clinic database. Sessions are recorded here "
                      "first and published when the clinic can be reached.")
        note.setWordWrap(True)
        self.env_note = QLabel(_environment_note())
        self.env_note.setWordWrap(True)
        self.env_note.setVisible(bool(self.env_note.text()))
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.b_test = QPushButton("Test connection")
        self.b_test.clicked.connect(self.test_connection)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        bb.accepted.connect(self.save)
        bb.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(self.env_note)
        row = QHBoxLayout()
        row.addWidget(self.b_test)
        row.addWidget(self.outcome, 1)
        lay.addLayout(row)
        lay.addWidget(bb)
        self.resize(620, 300)
        self._test: Task | None = None

    def _choose_media(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "Clinic media folder", self.media.text())
        if d:
            self.media.setText(d)

    def _config(self):
        from sqlalchemy.engine import make_url

        from pathlib import Path

        from app.session.clinic import ClinicConfig
        from app.session.credentials import load_password

        url = self.url.text().strip()
        if not url:
            raise UserError("Type the clinic database URL first.")
        try:
            u = make_url(url)
        except Exception:  # noqa: BLE001
            raise UserError("That is not a database URL (postgresql://user@host:5432/database).") from None
        pw = self.password.text() or u.password or load_password(u)
        if pw:
            u = u.set(password=pw)
        media = self.media.text().strip()
        return ClinicConfig(u.render_as_string(hide_password=False), Path(media) if media else None,
                            self.station.text().strip())

    def test_connection(self) -> None:
        """Open the clinic store on a worker thread; the result shows as a sentence."""
        try:
            cfg = self._config()
        except UserError as exc:
            self.outcome.setText(str(exc))
            return

        def work(_task: Task) -> str:  # worker thread
            from app.session.clinic import check_media_dir, open_clinic

            with open_clinic(cfg) as c:
                n = len(c.list_sessions())
            check_media_dir(cfg)
            return f"Connected to {cfg.shown}: {n} session{'s' if n != 1 else ''} in the clinic store."

        self.outcome.setText(f"Connecting to {cfg.shown}…")
        self.b_test.setEnabled(False)
        self._test = Task("connection test", work, self)
        self._test.sig_done.connect(self._tested)
        self._test.sig_failed.connect(self._tested)  # the sentence why
        self._test.start()

    def _tested(self, text: str) -> None:
        if self._test is None:
            return
        self._test.join()
        self._test = None
        self.outcome.setText(text)
        self.b_test.setEnabled(True)

    def save(self) -> None:
        from app.session.clinic import save_settings

        try:
            save_settings(self.url.text(), self.password.text() or None, self.media.text(),
                          self.station.text())
        except (UserError, OSError) as exc:
            self.outcome.setText(str(exc))
            return
        self.accept()

    def done(self, r: int) -> None:  # noqa: D401 - Qt API
        if self._test is not None:
            self._test.join(10.0)
            self._test = None
        super().done(r)


class ClinicLink:
    """Owned by the main window (``window.clinic``): the Settings menu entry, the status
    line and the background publisher (running only while a clinic is configured)."""

    def __init__(self, window) -> None:  # noqa: ANN001 - MainWindow
        self.w = window
        self.publisher = None
        mb = window.menuBar()
        m = QMenu("&Settings", window)
        mb.insertMenu(mb.actions()[-1], m)  # before Help
        self.act_clinic = QAction("Clinic database…", window)
        self.act_clinic.triggered.connect(self.show_dialog)
        self.act_publish = QAction("Publish sessions now", window)
        self.act_publish.triggered.connect(self.publish_now)
        m.addAction(self.act_clinic)
        m.addAction(self.act_publish)
        self.menu = m
        self.label = QLabel()
        window.statusBar().addPermanentWidget(self.label)
        self.timer = QTimer(window, interval=1000, timeout=self.poll)
        self.restart()

    def restart(self) -> None:
        """(Re)start the publisher for the configured clinic, or stop it when there is none."""
        from app.session.clinic import load_config
        from app.session.publisher import BackgroundPublisher

        if self.publisher is not None:
            self.publisher.stop()
            self.publisher = None
        cfg = load_config()
        self.act_publish.setEnabled(cfg is not None)
        self.label.setVisible(cfg is not None)
        if cfg is None:
            self.timer.stop()
            return
        self.publisher = BackgroundPublisher(cfg)
        self.publisher.start()
        self.timer.start()
        self.poll()

    def poll(self) -> None:
        if self.publisher is None:
            return
        st = self.publisher.status
        self.label.setText(st.text)
        self.label.setToolTip(st.problem or f"Publishing to {self.publisher.cfg.shown} "
                                            f"as {self.publisher.cfg.station}.")

    @property
    def status_text(self) -> str:
        return self.publisher.status.text if self.publisher is not None else ""

    def publish_now(self) -> None:
        if self.publisher is not None:
            self.publisher.wake()

    def show_dialog(self) -> None:
        dlg = ClinicDialog(self.w)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.restart()
            if self.w.sessions_dialog is not None:
                self.w.sessions_dialog.reopen_store()

    def close(self) -> None:
        self.timer.stop()
        if self.publisher is not None:
            self.publisher.stop()
            self.publisher = None
