"""The clinic store in the window (pytest-qt, offscreen) on a real PostgreSQL server:
another station's sessions in the session browser, a conflicting edit's sentence,
Settings → Clinic database (no password in files), and the publish status line."""

from __future__ import annotations

import os
import stat

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.session.clinic import ClinicConfig, load_config
from app.session.publish import publish
from app.session.store import open_store, sessions_root
from tests.helpers.session_folders import make_session_folder

pytestmark = pytest.mark.postgres
THEIRS = "20261101-100000-aaaaa1"
MINE = "20261108-100000-bbbbb1"


@pytest.fixture
def clinic(pg_server, tmp_path, monkeypatch):
    """A clinic database and media folder; station A has published one session for
    'Ann K.'; this test is station B (env), with one session of its own not published."""
    if not pg_server.running:
        pg_server.start()
    url = pg_server.create_database()
    media = tmp_path / "share"
    media.mkdir()
    a_data = tmp_path / "station-a"
    make_session_folder(a_data / "sessions", THEIRS, started_utc="2026-11-01T10:00:00Z", cadence_spm=161.0)
    with open_store(a_data / "gaitcoach.db") as a:
        a.sync(a_data / "sessions")
        a.assign_runner(THEIRS, a.add_runner("Ann K.").id)
        assert publish(a, ClinicConfig(url, media, "Station-A")).ok
    monkeypatch.setenv("GAITCOACH_DB_URL", url)
    monkeypatch.setenv("GAITCOACH_MEDIA_DIR", str(media))
    monkeypatch.setenv("GAITCOACH_STATION", "Station-B")
    monkeypatch.setenv("GAITCOACH_NO_KEYRING", "1")
    make_session_folder(sessions_root(), MINE, started_utc="2026-11-08T10:00:00Z", cadence_spm=166.0)
    return url, media


def _answer_next_box() -> list[str]:
    seen: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.button(QMessageBox.StandardButton.Ok).click()
        else:
            QTimer.singleShot(20, click)

    QTimer.singleShot(0, click)
    return seen


def test_browser_shows_other_stations_and_refuses_a_stale_edit(qtbot, clinic):
    from app.ui.sessions.browser import COL_STATION, SessionBrowser

    url, media = clinic
    b = SessionBrowser()
    qtbot.addWidget(b)
    b.show()
    try:
        assert [s.id for s in b.sessions] == [MINE, THEIRS]
        assert not b.table.isColumnHidden(COL_STATION)
        station = {b.table.item(r, 0).data(Qt.ItemDataRole.UserRole): b.table.item(r, COL_STATION).text()
                   for r in range(b.table.rowCount())}
        assert station == {THEIRS: "Station-A", MINE: "this station (waiting to publish)"}
        text = b.clinic_label.text()
        assert "Station-B" in text and "1 session waiting to publish" in text
        assert "***" in text and os.environ["GAITCOACH_DB_URL"].split(":")[2].split("@")[0] not in text
        # the runner typed at station A is here, with A's session in the history
        names = [b.runner_list.item(i).text() for i in range(b.runner_list.count())]
        assert "Ann K." in names
        b.runner_list.setCurrentRow(names.index("Ann K."))
        assert [s.id for s in b.sessions] == [THEIRS]
        b.select_sessions([THEIRS])
        assert b.store.health(THEIRS).ok and str(media) in b.health.text()

        # station A edits the notes meanwhile; our save was made on the old version
        with open_store(url) as other:
            other.set_notes(THEIRS, "from station A")
        b.notes.setPlainText("from station B")
        seen = _answer_next_box()
        b.save_notes()
        qtbot.waitUntil(lambda: bool(seen), timeout=5000)
        assert "changed at another station" in seen[0] and "not saved" in seen[0]
        b.select_sessions([THEIRS])
        assert b.notes.toPlainText() == "from station A"
        # now on the current version it is saved
        b.notes.setPlainText("both agreed")
        b.save_notes()
        with open_store(url) as other:
            assert other.get_session(THEIRS).notes == "both agreed"
    finally:
        b.done(0)
        b.close_store()


def test_clinic_dialog_keeps_the_password_out_of_files(qtbot, pg_server, tmp_config_dir, monkeypatch, tmp_path):
    from app.ui.sessions.clinic_link import ClinicDialog

    for k in ("GAITCOACH_DB_URL", "GAITCOACH_MEDIA_DIR", "GAITCOACH_STATION"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("GAITCOACH_NO_KEYRING", "1")
    if not pg_server.running:
        pg_server.start()
    url = pg_server.create_database()
    bare = url.replace(f":{pg_server.password}@", "@")
    media = tmp_path / "share"
    media.mkdir()
    dlg = ClinicDialog()
    qtbot.addWidget(dlg)
    dlg.url.setText(bare)
    dlg.password.setText(pg_server.password)
    dlg.media.setText(str(media))
    dlg.station.setText("Treadmill 2")
    dlg.test_connection()
    qtbot.waitUntil(lambda: dlg.b_test.isEnabled(), timeout=20000)
    assert dlg.outcome.text().startswith("Connected to postgresql://gaitcoach:***@127.0.0.1"), dlg.outcome.text()
    assert pg_server.password not in dlg.outcome.text()
    dlg.save()
    assert dlg.result() == dlg.DialogCode.Accepted
    settings = (tmp_config_dir / "clinic.toml").read_text()
    assert pg_server.password not in settings and "Treadmill 2" in settings
    cred = tmp_config_dir / "credentials.json"
    assert pg_server.password in cred.read_text()
    assert stat.S_IMODE(cred.stat().st_mode) == 0o600
    cfg = load_config()
    assert cfg.url == url and cfg.station == "Treadmill 2" and cfg.media_dir == media
    assert pg_server.password not in repr(cfg) and pg_server.password not in cfg.shown
    # a wrong password is one sentence, without the password typed
    dlg2 = ClinicDialog()
    qtbot.addWidget(dlg2)
    dlg2.password.setText("wrong-secret")
    dlg2.test_connection()
    qtbot.waitUntil(lambda: dlg2.b_test.isEnabled(), timeout=20000)
    assert "cannot be reached" in dlg2.outcome.text() and "wrong-secret" not in dlg2.outcome.text()


def test_window_status_line_and_publishing(qtbot, make_window, clinic):
    """The main window publishes in the background and says how many sessions wait."""
    url, media = clinic
    w = make_window(source="demo", save_settings=False)
    assert w.clinic.publisher is not None
    qtbot.waitUntil(lambda: "All sessions published" in w.clinic.label.text(), timeout=30000)
    assert (media / MINE / "session.json").is_file()
    with open_store(url) as c:
        assert c.get_session(MINE).station == "Station-B"
    # the comparison opens station A's session (from the media folder) beside ours
    w.compare_sessions(THEIRS, MINE)
    v = w.compare_view
    qtbot.waitUntil(lambda: v.pair is not None, timeout=30000)
    assert (v.pair.a.session_id, v.pair.b.session_id) == (THEIRS, MINE)
    assert v.pair.a.session_dir == media / THEIRS and v.pair.a.runner == "Ann K."
    w.clinic.close()
    assert w.clinic.publisher is None


def test_window_with_the_clinic_away(qtbot, make_window, monkeypatch):
    """An unreachable clinic never stops the station: the line says so, sessions wait."""
    monkeypatch.setenv("GAITCOACH_DB_URL", "postgresql://gait:topsecret@127.0.0.1:1/gaitcoach")
    monkeypatch.setenv("GAITCOACH_MEDIA_DIR", str(sessions_root().parent))
    make_session_folder(sessions_root(), MINE, started_utc="2026-11-08T10:00:00Z")
    w = make_window(source="demo", save_settings=False)
    qtbot.waitUntil(lambda: "unreachable" in w.clinic.label.text(), timeout=30000)
    assert "1 session waiting to publish" in w.clinic.label.text()
    assert "topsecret" not in w.clinic.label.text() + w.clinic.label.toolTip()
    assert "cannot be reached" in w.clinic.label.toolTip()
    assert w.pipeline is not None  # the live pipeline runs on
    w.clinic.publish_now()  # retried at once on request, still waiting
    w.clinic.close()


def test_clinic_dialog_says_what_the_environment_overrides(qtbot, tmp_config_dir, monkeypatch):
    from app.ui.sessions.clinic_link import ClinicDialog

    for k in ("GAITCOACH_DB_URL", "GAITCOACH_MEDIA_DIR", "GAITCOACH_STATION"):
        monkeypatch.delenv(k, raising=False)
    dlg = ClinicDialog()
    qtbot.addWidget(dlg)
    assert dlg.env_note.isHidden()
    monkeypatch.setenv("GAITCOACH_DB_URL", "postgresql://gait:s3cret-pw@db.clinic:5432/gaitcoach")
    monkeypatch.setenv("GAITCOACH_STATION", "Treadmill 3")
    dlg = ClinicDialog()
    qtbot.addWidget(dlg)
    text = dlg.env_note.text()
    assert not dlg.env_note.isHidden()
    assert "GAITCOACH_DB_URL=postgresql://gait:***@db.clinic:5432/gaitcoach" in text
    assert "GAITCOACH_STATION=Treadmill 3" in text and "s3cret-pw" not in text
