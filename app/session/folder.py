"""Session folders and their manifest (``session.json``), see docs/SESSION_FORMAT.md.

Qt-free, no heavy imports: the recorder, the recovery, the session store and the
comparison all use these helpers. A folder is the source of truth for one session; the
manifest is rewritten atomically (temp file in the same folder + ``os.replace``), so a
reader never sees half a manifest.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from app.atomic import atomic_path
from app.errors import InputFileError, UserError

FORMAT_VERSION = 1

MANIFEST = "session.json"
VIDEO_MKV = "video.mkv"
VIDEO_MP4 = "video.mp4"
LANDMARKS = "landmarks.csv"
EVENTS = "events.csv"
STEPS = "steps.csv"
CUES = "cues.csv"
BLOCKS = "blocks.csv"
GAPS = "gaps.csv"
ANNOTATIONS = "annotations.json"
#: Held (``flock``) by the recording process; the OS releases it when the process dies,
#: so a ``recording`` folder whose lock is free was left by a crash.
LOCK = ".recording.lock"

STATE_RECORDING = "recording"
STATE_COMPLETE = "complete"
STATE_RECOVERED = "recovered"

EVENTS_COLUMNS = ("t_s", "frame", "kind", "foot", "confirmed_t_s")
CUES_COLUMNS = ("t_s", "cue_id", "text", "trigger")
BLOCKS_COLUMNS = ("t_start_s", "kind", "name")
#: Stretches without frames from a live source (lost or stalled stream): no frame is made
#: up for them; ``end_s`` empty = still down when the recording stopped.
GAPS_COLUMNS = ("view", "start_s", "end_s", "duration_s", "reason")
BLOCK_KINDS = ("baseline", "retraining", "faded", "retention", "free")
#: steps.csv starts with these (the keys of ``AnalysisResult.step_dict``), then one column
#: per per-step metric of ``app.gait.metrics.METRIC_SPECS`` (see :func:`steps_columns`).
STEPS_BASE_COLUMNS = ("index", "foot", "ic_s", "ic_frame", "to_s", "to_frame",
                      "step_time_ms", "contact_ms", "flight_ms", "confidence")
#: Beat–step synchrony of the step's initial contact (empty without a metronome):
#: signed ms from the nearest beat (> 0 = after it) and 1/0 for within ±50 ms.
STEPS_SYNC_COLUMNS = ("sync_error_ms", "sync_in_window")


def steps_columns() -> tuple[str, ...]:
    """All steps.csv columns: the base columns, then every per-step metric (all views, so
    a view change during a session keeps one header; cells a view cannot measure are
    empty)."""
    from app.gait.metrics import METRIC_SPECS

    extra = [n for n, s in METRIC_SPECS.items() if s.per_step and n not in STEPS_BASE_COLUMNS]
    return STEPS_BASE_COLUMNS + tuple(extra) + STEPS_SYNC_COLUMNS


def data_dir() -> Path:
    """``$GAITCOACH_DATA_DIR`` or ``platformdirs.user_data_dir("gaitcoach")``
    (``app.paths.data_dir``)."""
    from app.paths import data_dir as _data_dir

    return _data_dir()


def sessions_root() -> Path:
    """Where session folders live: ``data_dir() / "sessions"`` (not created here)."""
    return data_dir() / "sessions"


def utc_now_iso() -> str:
    """UTC now as ``2026-11-21T10:31:05Z``."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_session_id(now: _dt.datetime | None = None) -> str:
    """``YYYYMMDD-HHMMSS-<6 hex>`` from the UTC time (``now``, default: now)."""
    now = now or _dt.datetime.now(_dt.timezone.utc)
    return now.astimezone(_dt.timezone.utc).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def new_manifest(session_id: str, **fields: Any) -> dict[str, Any]:
    """A manifest in state ``recording`` with every documented key; ``fields`` override."""
    m: dict[str, Any] = {
        "format": FORMAT_VERSION, "id": session_id, "state": STATE_RECORDING,
        "started_utc": utc_now_iso(), "ended_utc": None, "duration_s": None,
        "source": None, "view": None, "facing": None, "fps": None, "width": None,
        "height": None, "video": VIDEO_MKV, "frames": None, "runner_id": None,
        "template": None, "summary": {},
    }
    m.update(fields)
    return m


def _disk_sentence(exc: OSError, what: str) -> str:
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"The disk is full: {what}."
    if exc.errno == errno.EFBIG:
        return f"A file grew too large for this disk or account (FAT32 stops at 4 GB): {what}."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"No permission to write there: {what}."
    return f"{what[0].upper()}{what[1:]} ({exc.strerror or exc})."


def disk_error(exc: OSError, what: str) -> UserError:
    """A ``UserError`` sentence for an ``OSError`` while writing ``what`` (e.g. "the
    session folder /x could not be created")."""
    return UserError(_disk_sentence(exc, what))


def create_session_folder(root: str | os.PathLike[str] | None = None,
                          **fields: Any) -> tuple[Path, dict[str, Any]]:
    """Create ``root/<new id>/`` with a ``recording`` manifest. Returns (folder, manifest).

    ``root`` defaults to :func:`sessions_root`. Raises ``UserError`` with one sentence when
    the folder cannot be created or written (no permission, disk full)."""
    root = Path(root) if root is not None else sessions_root()
    for _ in range(5):
        sid = new_session_id()
        folder = root / sid
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise disk_error(exc, f"cannot record into {root}: the folder could not be "
                                  "created") from None
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise disk_error(exc, f"cannot record into {root}: no session folder could be "
                                  "created there") from None
        manifest = new_manifest(sid, **fields)
        try:
            write_manifest(folder, manifest)
        except OSError as exc:
            try:
                folder.rmdir()
            except OSError:
                pass
            raise disk_error(exc, f"the session file in {folder} could not be written") from None
        return folder, manifest
    raise UserError(f"Could not find a free session name in {root}.")  # pragma: no cover


def write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` as JSON to ``path`` via a temp file + fsync + rename (OSError on
    failure, ``path`` unchanged)."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())


def write_manifest(folder: str | os.PathLike[str], manifest: Mapping[str, Any]) -> None:
    """Atomically (re)write ``folder/session.json`` (raises OSError)."""
    write_json_atomic(Path(folder) / MANIFEST, manifest)


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of ``folder``; ``InputFileError`` when missing or not valid JSON."""
    path = Path(folder) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(f"{folder} is not a session folder (no {MANIFEST}).") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(f"The session file {path} cannot be read ({exc}).") from None
    if not isinstance(data, dict) or "state" not in data:
        raise InputFileError(f"The session file {path} is not a GaitCoach session manifest.")
    return data


def update_manifest(folder: str | os.PathLike[str], **changes: Any) -> dict[str, Any]:
    """Read, change and atomically rewrite the manifest; returns the new one (OSError /
    InputFileError as above)."""
    m = read_manifest(folder)
    m.update(changes)
    write_manifest(folder, m)
    return m


# ---------------------------------------------------------------------------------------
# the recording lock


class RecordingLock:
    """An exclusive ``flock`` on ``folder/.recording.lock`` held while this process records.

    On systems without ``fcntl`` the lock is a no-op (a live recording then cannot be told
    from a crashed one by another process)."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / LOCK
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock (OSError when the file cannot be created)."""
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def release(self, remove: bool = True) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        if remove:
            try:
                self.path.unlink()
            except OSError:
                pass
        os.close(fd)


def is_being_recorded(folder: str | os.PathLike[str]) -> bool:
    """True when a live process holds ``folder``'s recording lock."""
    path = Path(folder) / LOCK
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------
# listing


@dataclass(frozen=True, slots=True)
class SessionFolder:
    """One folder under the sessions root.

    ``state``: the manifest's state, or ``"unreadable"`` (``error`` says why).
    ``live``: a process is recording into it right now. ``incomplete``: left in
    ``recording`` by a crash (offer recovery)."""

    path: Path
    id: str
    state: str
    manifest: Mapping[str, Any] | None
    live: bool = False
    error: str = ""

    @property
    def incomplete(self) -> bool:
        return self.state == STATE_RECORDING and not self.live

    @property
    def video_path(self) -> Path | None:
        """The file to play, if the manifest names one and it exists."""
        name = (self.manifest or {}).get("video")
        if not name:
            return None
        p = self.path / str(name)
        return p if p.exists() else None


def session_folder(path: str | os.PathLike[str]) -> SessionFolder:
    """Describe one session folder (never raises for a bad manifest)."""
    p = Path(path)
    try:
        m = read_manifest(p)
    except InputFileError as exc:
        return SessionFolder(p, p.name, "unreadable", None, False, str(exc))
    state = str(m.get("state"))
    live = state == STATE_RECORDING and is_being_recorded(p)
    return SessionFolder(p, str(m.get("id") or p.name), state, m, live)


def list_session_folders(root: str | os.PathLike[str] | None = None) -> list[SessionFolder]:
    """Every sub-folder of ``root`` (default :func:`sessions_root`) that has a manifest
    (or looks like a session: name starts with a date), oldest first."""
    root = Path(root) if root is not None else sessions_root()
    if not root.is_dir():
        return []
    out = []
    for p in sorted(root.iterdir()):
        if p.is_dir() and ((p / MANIFEST).exists() or p.name[:8].isdigit()):
            out.append(session_folder(p))
    return out


def incomplete_sessions(root: str | os.PathLike[str] | None = None) -> list[SessionFolder]:
    """Folders left in ``recording`` by a crashed process (candidates for recovery)."""
    return [f for f in list_session_folders(root) if f.incomplete]
