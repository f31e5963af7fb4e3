"""The clinic database password and network cameras' credentials, kept out of settings
files, logs and recordings.

Stored in the OS keyring (``keyring``: Secret Service, macOS Keychain, Windows Credential
Locker) when one is usable; otherwise in ``<config dir>/credentials.json``, created
readable and writable by the user only (0600) and put back to 0600 if found looser.
Entries are keyed by ``user@host:port/database`` — never by a URL with a password.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

SERVICE = "gaitcoach-clinic-database"
FILE_NAME = "credentials.json"


def account(url: str | sa.URL) -> str:
    """The key of a URL's password: ``user@host:port/database``."""
    u = url if isinstance(url, sa.URL) else make_url(url)
    return f"{u.username or ''}@{u.host or ''}:{u.port or ''}/{u.database or ''}"


def _keyring():
    """The keyring module when a real backend is there, else None."""
    if os.environ.get("GAITCOACH_NO_KEYRING"):
        return None
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - a broken keyring setup: use the file
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    chained = getattr(backend, "backends", None)
    if chained is not None and not chained:
        return None
    return keyring


def where() -> str:
    """'keyring' or the file path the password goes to (for the settings dialog)."""
    return "the system keyring" if _keyring() is not None else str(_file())


def _file() -> Path:
    from app.config import config_dir

    return config_dir() / FILE_NAME


def save_password(url: str | sa.URL, password: str) -> str:
    """Keep ``password`` for ``url``'s account; returns where it went (see :func:`where`)."""
    kr = _keyring()
    if kr is not None:
        try:
            kr.set_password(SERVICE, account(url), password)
            return "the system keyring"
        except Exception:  # noqa: BLE001 - locked or refused keyring: fall back to the file
            pass
    data = _read_file()
    data[account(url)] = password
    _write_file(data)
    return str(_file())


def load_password(url: str | sa.URL) -> str | None:
    kr = _keyring()
    if kr is not None:
        try:
            pw = kr.get_password(SERVICE, account(url))
        except Exception:  # noqa: BLE001
            pw = None
        if pw is not None:
            return pw
    return _read_file().get(account(url))


def delete_password(url: str | sa.URL) -> None:
    kr = _keyring()
    if kr is not None:
        with contextlib.suppress(Exception):
            kr.delete_password(SERVICE, account(url))
    data = _read_file()
    if data.pop(account(url), None) is not None:
        _write_file(data)


STREAM_PREFIX = "stream:"


def save_stream_url(url: str) -> str:
    """Keep a network camera's URL with its credentials (keyring or the 0600 file, as the
    clinic password) and return the text to put in settings instead: the URL without
    credentials (``rtsp://***@host/live``). A URL without credentials is returned as is."""
    from app.capture.source_spec import has_credentials, redact_url

    shown = redact_url(url)
    if has_credentials(url):
        kr = _keyring()
        if kr is not None:
            try:
                kr.set_password(SERVICE, STREAM_PREFIX + shown, url)
                return shown
            except Exception:  # noqa: BLE001 - locked or refused keyring: the file
                pass
        data = _read_file()
        data[STREAM_PREFIX + shown] = url
        _write_file(data)
    return shown


def full_stream_url(shown: str) -> str:
    """The URL with credentials kept for ``shown`` (from :func:`save_stream_url`), or
    ``shown`` itself when none were kept."""
    kr = _keyring()
    if kr is not None:
        try:
            url = kr.get_password(SERVICE, STREAM_PREFIX + shown)
        except Exception:  # noqa: BLE001
            url = None
        if url:
            return url
    return _read_file().get(STREAM_PREFIX + shown, shown)


def _read_file() -> dict[str, str]:
    p = _file()
    try:
        mode = p.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            os.chmod(p, 0o600)  # someone loosened it: only the user may read passwords
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(data, dict) else {}


def _write_file(data: dict[str, str]) -> None:
    p = _file()
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
