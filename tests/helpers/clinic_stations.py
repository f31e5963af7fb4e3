"""Treadmill stations for the clinic tests and the publish fault benchmark: each with its
own data and config folders, local store and recorded sessions, publishing to one
clinic database and media folder (docs/CLINIC.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from app.session.clinic import ClinicConfig
from app.session.store import open_store
from tests.helpers.session_folders import make_session_folder

REPO = Path(__file__).resolve().parents[2]


class Station:
    """One treadmill station: its own data and config folders, local store and sessions."""

    def __init__(self, root: Path, name: str, clinic_url: str, media: Path) -> None:
        self.name = name
        self.data = root / name / "data"
        self.config = root / name / "config"
        self.cfg = ClinicConfig(clinic_url, media, name)
        self.env = {**os.environ, "GAITCOACH_DATA_DIR": str(self.data),
                    "GAITCOACH_CONFIG_DIR": str(self.config), "GAITCOACH_DB_URL": clinic_url,
                    "GAITCOACH_MEDIA_DIR": str(media), "GAITCOACH_STATION": name,
                    "GAITCOACH_NO_KEYRING": "1"}

    def store(self):
        return open_store(self.data / "gaitcoach.db")

    def record(self, sid: str, day: int, runner: str | None = None, **kw) -> Path:
        folder = make_session_folder(self.data / "sessions", sid,
                                     started_utc=f"2026-11-{day:02d}T10:00:00Z", **kw)
        with self.store() as s:
            s.sync(self.data / "sessions")
            if runner:
                try:
                    r = s.find_runner(runner)
                except Exception:  # noqa: BLE001
                    r = s.add_runner(runner)
                s.assign_runner(sid, r.id)
        return folder

    def cli(self, *args: str, timeout: float = 180):
        return subprocess.run([sys.executable, "-m", "app", "sessions", *args], cwd=REPO,
                              env=self.env, capture_output=True, text=True, timeout=timeout)


def clinic_rows(url: str) -> list[dict]:
    with open_store(url) as c:
        with c.engine.connect() as conn:
            return [dict(r) for r in conn.execute(sa.text(
                "SELECT s.id, s.station, s.name, r.name AS runner FROM sessions s "
                "LEFT JOIN runners r ON r.id = s.runner_id ORDER BY s.id")).mappings()]


def files_holding(secret: str, *roots: Path) -> list[Path]:
    """Files under ``roots`` (databases, logs, settings, recordings) holding ``secret``."""
    return [f for root in roots if root.exists() for f in root.rglob("*")
            if f.is_file() and secret.encode() in f.read_bytes()]


def same_tree(a: Path, b: Path) -> bool:
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file() and not p.name.startswith("."))
    return files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file() and not p.name.startswith(".")) \
        and all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
