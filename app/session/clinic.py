"""Which clinic store a station publishes to (docs/CLINIC.md): the database URL, the
shared media folder and this station's name.

From the environment first — ``GAITCOACH_DB_URL`` (e.g. ``postgresql://gait@db.clinic/
gaitcoach``; a password in it is used but never saved or shown), ``GAITCOACH_MEDIA_DIR``,
``GAITCOACH_STATION`` — else from ``<config dir>/clinic.toml`` (Settings → Clinic
database), which holds the URL *without* its password; the password lives in the OS
keyring or a user-only file (app/session/credentials.py). No clinic configured = the
station works alone, as before.
"""

from __future__ import annotations

import os
import socket
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from app.atomic import atomic_path
from app.errors import UserError
from app.session import credentials
from app.session.engine import display_url

FILE_NAME = "clinic.toml"


class ClinicUnreachable(UserError):
    """The clinic store (database or media folder) cannot be reached now."""

    exit_code = 1


@dataclass(frozen=True)
class ClinicConfig:
    """``url`` may hold the password (never print it: use ``shown``)."""

    url: str
    media_dir: Path | None
    station: str

    @property
    def shown(self) -> str:
        return display_url(self.url)

    def __repr__(self) -> str:  # never the password, even in a traceback or a log
        return f"ClinicConfig(url={self.shown!r}, media_dir={self.media_dir!r}, station={self.station!r})"


def _file() -> Path:
    from app.config import config_dir

    return config_dir() / FILE_NAME


def read_settings() -> dict:
    """clinic.toml as a dict (``url`` without password, ``media_dir``, ``station``)."""
    try:
        with open(_file(), "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)}


def default_station() -> str:
    return socket.gethostname() or "station"


def load_config() -> ClinicConfig | None:
    """The clinic this station publishes to, or None when none is configured."""
    saved = read_settings()
    url = os.environ.get("GAITCOACH_DB_URL", "").strip() or saved.get("url", "").strip()
    if not url:
        return None
    try:
        u = make_url(url)
    except Exception:  # noqa: BLE001 - reported when it is used
        return ClinicConfig(url, None, default_station())
    if u.password is None and u.username:
        pw = credentials.load_password(u)
        if pw is not None:
            url = u.set(password=pw).render_as_string(hide_password=False)
    media = os.environ.get("GAITCOACH_MEDIA_DIR", "").strip() or saved.get("media_dir", "").strip()
    station = os.environ.get("GAITCOACH_STATION", "").strip() or saved.get("station", "").strip()
    return ClinicConfig(url, Path(media).expanduser() if media else None, station or default_station())


def save_settings(url: str, password: str | None, media_dir: str, station: str) -> str:
    """Settings → Clinic database: write clinic.toml (the URL without a password) and keep
    ``password`` (if given) in the keyring or the user-only file. Returns where the
    password went. An empty ``url`` switches the clinic off."""
    import tomli_w

    url = url.strip()
    data = {"url": "", "media_dir": media_dir.strip(), "station": station.strip()}
    where = ""
    if url:
        try:
            u = make_url(url)
        except Exception:  # noqa: BLE001
            raise UserError(f"{display_url(url)} is not a database URL "
                            "(postgresql://user@host:5432/database).") from None
        if u.password is not None and not password:
            password = str(u.password)
        u = u._replace(password=None)  # (URL.set ignores None)
        data["url"] = u.render_as_string(hide_password=False)
        if password:
            where = credentials.save_password(u, password)
    p = _file()
    p.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(p) as tmp:
        tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    return where


def open_clinic(cfg: ClinicConfig | None = None):
    """The clinic's store (a :class:`app.session.store.SessionStore` whose relative
    session folders are in the media folder). ClinicUnreachable (one sentence, no
    password) when it cannot be reached; UserError when nothing is configured."""
    from app.session.store import open_store

    cfg = cfg or load_config()
    if cfg is None:
        raise UserError("No clinic database is configured (Settings → Clinic database, or "
                        "GAITCOACH_DB_URL=postgresql://user@host/database).")
    try:
        return open_store(cfg.url, media_root=cfg.media_dir)
    except UserError as exc:
        raise ClinicUnreachable(str(exc)) from None


def check_media_dir(cfg: ClinicConfig) -> Path:
    """The media folder, which must exist and be writable (a mounted share)."""
    if cfg.media_dir is None:
        raise UserError("No clinic media folder is configured (Settings → Clinic database, "
                        "or GAITCOACH_MEDIA_DIR): published sessions need a shared folder "
                        "for their videos.")
    if not cfg.media_dir.is_dir():
        raise ClinicUnreachable(f"The clinic media folder {cfg.media_dir} cannot be reached "
                                "(not mounted, or removed).")
    if not os.access(cfg.media_dir, os.W_OK):
        raise ClinicUnreachable(f"The clinic media folder {cfg.media_dir} is not writable.")
    return cfg.media_dir
