"""Clinic settings and credentials: the password goes to the OS keyring when one is
usable, else to a user-only file; settings files, URLs shown and reprs never hold it."""

from __future__ import annotations

import stat

import pytest

from app.session import credentials
from app.session.clinic import load_config, save_settings
from app.session.engine import display_url, scrub


@pytest.fixture(autouse=True)
def dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("GAITCOACH_CONFIG_DIR", str(tmp_path / "config"))
    for k in ("GAITCOACH_DB_URL", "GAITCOACH_MEDIA_DIR", "GAITCOACH_STATION", "GAITCOACH_NO_KEYRING"):
        monkeypatch.delenv(k, raising=False)
    return tmp_path / "config"


class MemoryKeyring:
    """A keyring backend kept in memory (stands in for the desktop's secret service)."""

    priority = 5

    def __init__(self) -> None:
        self.items: dict = {}

    def set_password(self, service, user, pw):  # noqa: ANN001
        self.items[(service, user)] = pw

    def get_password(self, service, user):  # noqa: ANN001
        return self.items.get((service, user))

    def delete_password(self, service, user):  # noqa: ANN001
        self.items.pop((service, user), None)


def test_display_url_and_scrub():
    url = "postgresql://gait:pa55@db.clinic:5432/gaitcoach"
    assert display_url(url) == "postgresql://gait:***@db.clinic:5432/gaitcoach"
    assert display_url("postgresql+psycopg://gait@db/g") == "postgresql://gait@db/g"
    assert scrub('FATAL: user "gait" pa55 rejected', url) == 'FATAL: user "gait" *** rejected'


def test_password_in_a_user_only_file_without_keyring(dirs, monkeypatch):
    monkeypatch.setenv("GAITCOACH_NO_KEYRING", "1")
    where = save_settings("postgresql://gait:pa55@db.clinic/gaitcoach", None, "/mnt/share", "T1")
    assert where.endswith("credentials.json")
    toml = (dirs / "clinic.toml").read_text()
    assert "pa55" not in toml and "postgresql://gait@db.clinic/gaitcoach" in toml
    f = dirs / "credentials.json"
    assert stat.S_IMODE(f.stat().st_mode) == 0o600 and "pa55" in f.read_text()
    cfg = load_config()
    assert cfg.url == "postgresql://gait:pa55@db.clinic/gaitcoach" and cfg.station == "T1"
    assert "pa55" not in repr(cfg) and "pa55" not in cfg.shown
    f.chmod(0o644)  # loosened by someone: put back on the next read
    assert credentials.load_password("postgresql://gait@db.clinic/gaitcoach") == "pa55"
    assert stat.S_IMODE(f.stat().st_mode) == 0o600
    credentials.delete_password("postgresql://gait@db.clinic/gaitcoach")
    assert credentials.load_password("postgresql://gait@db.clinic/gaitcoach") is None


def test_password_in_the_keyring_when_there_is_one(dirs, monkeypatch):
    import keyring

    mem = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: mem)
    monkeypatch.setattr(keyring, "set_password", mem.set_password)
    monkeypatch.setattr(keyring, "get_password", mem.get_password)
    monkeypatch.setattr(keyring, "delete_password", mem.delete_password)
    where = save_settings("postgresql://gait@db.clinic/gaitcoach", "s3cret", "", "")
    assert where == "the system keyring"
    assert mem.items == {(credentials.SERVICE, "gait@db.clinic:/gaitcoach"): "s3cret"}
    assert not (dirs / "credentials.json").exists()
    assert "s3cret" not in (dirs / "clinic.toml").read_text()
    assert load_config().url == "postgresql://gait:s3cret@db.clinic/gaitcoach"


def test_environment_wins_and_no_clinic_by_default(monkeypatch):
    assert load_config() is None
    monkeypatch.setenv("GAITCOACH_DB_URL", "postgresql://x:y@h/db")
    monkeypatch.setenv("GAITCOACH_MEDIA_DIR", "/srv/media")
    monkeypatch.setenv("GAITCOACH_STATION", "Front desk")
    cfg = load_config()
    assert (cfg.url, str(cfg.media_dir), cfg.station) == ("postgresql://x:y@h/db", "/srv/media", "Front desk")
    save_settings("", None, "", "")  # switching the clinic off in the dialog writes no URL
    monkeypatch.delenv("GAITCOACH_DB_URL")
    assert load_config() is None
