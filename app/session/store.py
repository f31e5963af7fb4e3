"""The session store: an SQLite index of the session folders (docs/SESSION_FORMAT.md).

The folder is the source of truth for what was recorded; the store (``<data
dir>/gaitcoach.db``) indexes it and holds what has no file: runners, session names,
notes, the thresholds used and protocol blocks. :meth:`SessionStore.sync` scans the
sessions root, adds new folders, refreshes state/duration/summary from ``session.json``
and marks folders that went missing. A missing folder or video is reported by
:meth:`SessionStore.health` as a sentence, never raised.

Threads: one ``SessionStore`` (one sqlite3 connection) per thread. The GUI opens its own
on the GUI thread; a worker thread that needs the store calls :func:`open_store` itself
and closes it on the same thread (sqlite3 enforces this with ``check_same_thread``).
The file is in WAL mode, so readers on other threads or processes (CLI) never block,
and a writer waits up to ``BUSY_TIMEOUT_S`` for another writer.

Bad ids and unreadable folders raise :class:`app.errors.UserError` with one sentence.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import sqlite3
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from app.atomic import atomic_path
from app.errors import InputFileError, UserError
from app.session.folder import (  # noqa: F401 - data_dir/sessions_root re-exported for callers
    BLOCK_KINDS, BLOCKS, MANIFEST, STATE_RECORDING, data_dir, read_manifest, sessions_root,
)
from app.session.migrations import LATEST_VERSION, migrate
from app.session.records import (  # noqa: F401 - re-exported: the store's public records
    Block, Health, Runner, RunnerHistory, RunnerTarget, SessionInfo, SyncReport, number_or_none, parse_utc,
    session_health, summary_metric_names, summary_value, utc_now,
)

DB_NAME = "gaitcoach.db"
BUSY_TIMEOUT_S = 5.0
#: Files kept uncompressed in an export zip (already compressed media).
_STORED_SUFFIXES = {".mp4", ".mkv", ".gz", ".png", ".jpg", ".wav", ".ts"}


def current_thresholds() -> dict[str, dict[str, list[float]]]:
    """The bands in force now (clinician settings, else metric defaults) as JSON data."""
    from app import config
    from app.gait.metrics import METRIC_SPECS

    settings = config.load()
    out = {}
    for name in sorted(set(METRIC_SPECS) | set(settings.thresholds)):
        band = settings.band_for(name)
        if band is not None:
            out[name] = {"green": list(band.green), "amber": list(band.amber)}
    return out


def read_blocks(folder: Path, summary: dict, duration_s: float | None) -> list[Block]:
    """The session's blocks: from the summary's ``blocks`` list (with their cadence and
    metric means as the block summary) when present, else from ``blocks.csv``
    (``t_start_s,kind,name``; each block ends where the next starts, the last at
    ``duration_s``). Unknown kinds become 'free'."""
    rows: list[tuple[float, str, str, float | None, dict]] = []
    listed = summary.get("blocks") if isinstance(summary, dict) else None
    if isinstance(listed, list) and listed:
        for b in listed:
            t0 = number_or_none(b.get("t_start_s")) if isinstance(b, dict) else None
            if t0 is not None:
                stats = {k: v for k, v in b.items() if k not in ("kind", "name", "t_start_s", "t_end_s")}
                rows.append((t0, str(b.get("kind") or "free"), str(b.get("name") or ""),
                             number_or_none(b.get("t_end_s")), stats))
    else:
        try:
            with open(Path(folder) / BLOCKS, newline="", encoding="utf-8") as fh:
                for r in csv.DictReader(fh):
                    t0 = number_or_none(_float_or_none(r.get("t_start_s")))
                    if t0 is not None:
                        rows.append((t0, (r.get("kind") or "free").strip(),
                                     (r.get("name") or "").strip(), None, {}))
        except (OSError, UnicodeDecodeError, csv.Error):
            return []
    rows.sort(key=lambda r: r[0])
    blocks = []
    for i, (t0, kind, name, t1, stats) in enumerate(rows):
        if t1 is None:
            t1 = rows[i + 1][0] if i + 1 < len(rows) else duration_s
        blocks.append(Block(i, kind if kind in BLOCK_KINDS else "free", name, t0, t1, stats))
    return blocks


def _float_or_none(text: str | None) -> float | None:
    try:
        return float(text or "")
    except ValueError:
        return None


def export_folder(folder: Path, out: Path,
                  progress: Callable[[int, int], bool | None] | None = None) -> Path:
    """Zip ``folder`` (as ``<folder name>/...``) into ``out`` via a temporary file and a
    rename, so ``out`` is complete or absent. ``progress(done_bytes, total_bytes)`` is
    called per chunk; returning False cancels (UserError). Safe on any thread."""
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise UserError(f"Cannot export: the session folder {folder} is missing.")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"Cannot write {out}: the folder {parent} does not exist.")
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    total = sum(p.stat().st_size for p in files)
    done = 0
    try:
        with atomic_path(out) as tmp, zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
            for path in files:
                info = zipfile.ZipInfo.from_file(
                    path, f"{folder.name}/{path.relative_to(folder).as_posix()}",
                    strict_timestamps=False)
                info.compress_type = (zipfile.ZIP_STORED if path.suffix.lower() in _STORED_SUFFIXES
                                      else zipfile.ZIP_DEFLATED)
                with open(path, "rb") as src, zf.open(info, "w") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
                        done += len(chunk)
                        if progress is not None and progress(done, total) is False:
                            raise UserError("Export cancelled.")
    except OSError as exc:
        raise UserError(f"Cannot write {out}: {exc.strerror or exc}.") from None
    return out


# ------------------------------------------------------------------------- the store
def open_store(path: str | os.PathLike[str] | None = None) -> "SessionStore":
    """Open (creating and migrating as needed) the store at ``path``, default
    ``<data dir>/gaitcoach.db``. Use it on the calling thread only."""
    p = Path(path) if path is not None else data_dir() / DB_NAME
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(p, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise UserError(f"Cannot open the session database {p}: {exc}.") from None
    try:
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA journal_mode = WAL")
        migrate(db)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise UserError(f"The session database {p} is damaged or not a database ({exc}).") from None
    except BaseException:
        db.close()
        raise
    return SessionStore(db, p)


_SESSION_SELECT = """
    SELECT s.*, r.name AS runner_name FROM sessions s
    LEFT JOIN runners r ON r.id = s.runner_id"""


class SessionStore:
    """Runners, sessions and blocks in one SQLite file; see the module docstring for the
    thread rule. Methods that change data commit before returning."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self.path = path
        self.schema_version = LATEST_VERSION

    # ------------------------------------------------------------ lifetime
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "SessionStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _tx(self):
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # ------------------------------------------------------------ runners
    def add_runner(self, name: str, birth_year: int | None = None,
                   height_cm: float | None = None, notes: str = "") -> Runner:
        name = _clean_name(name, "runner")
        try:
            with self._tx() as db:
                cur = db.execute("INSERT INTO runners (name, birth_year, height_cm, notes, created_utc)"
                                 " VALUES (?, ?, ?, ?, ?)", (name, birth_year, height_cm, notes, utc_now()))
        except sqlite3.IntegrityError:
            raise UserError(f"A runner named {name!r} already exists.") from None
        return self.get_runner(int(cur.lastrowid))

    def rename_runner(self, runner_id: int, name: str) -> Runner:
        self.get_runner(runner_id)
        name = _clean_name(name, "runner")
        try:
            with self._tx() as db:
                db.execute("UPDATE runners SET name = ? WHERE id = ?", (name, runner_id))
        except sqlite3.IntegrityError:
            raise UserError(f"A runner named {name!r} already exists.") from None
        return self.get_runner(runner_id)

    def delete_runner(self, runner_id: int) -> None:
        """Remove the runner; their sessions stay, without a runner."""
        self.get_runner(runner_id)
        with self._tx() as db:
            db.execute("DELETE FROM runners WHERE id = ?", (runner_id,))

    def get_runner(self, runner_id: int) -> Runner:
        row = self._db.execute("SELECT * FROM runners WHERE id = ?", (runner_id,)).fetchone()
        if row is None:
            raise UserError(f"There is no runner with id {runner_id}.")
        return _runner(row)

    def find_runner(self, name: str) -> Runner:
        """The runner called ``name`` (case-insensitive)."""
        row = self._db.execute("SELECT * FROM runners WHERE name = ? COLLATE NOCASE",
                               (name.strip(),)).fetchone()
        if row is None:
            raise UserError(f"There is no runner named {name!r}.")
        return _runner(row)

    def list_runners(self) -> list[Runner]:
        rows = self._db.execute("SELECT * FROM runners ORDER BY name COLLATE NOCASE").fetchall()
        return [_runner(r) for r in rows]

    # ------------------------------------------------------------ indexing
    def index_folder(self, folder: str | os.PathLike[str], *,
                     default_thresholds: dict | None = None) -> SessionInfo:
        """Add or refresh the session in ``folder`` (id = folder name). Recorded fields
        (state, start, duration, view, summary, video) come from ``session.json``; name,
        notes and runner set in the store are kept. A new row gets the session's thresholds,
        else ``default_thresholds``, else the current settings' bands. InputFileError if
        unreadable."""
        folder = Path(folder).resolve()
        doc = read_manifest(folder)
        sid = folder.name
        row = self._db.execute("SELECT state FROM sessions WHERE id = ?", (sid,)).fetchone()
        thresholds = doc.get("thresholds")
        fields = {
            "state": str(doc.get("state") or STATE_RECORDING),
            "started_utc": doc.get("started_utc"),
            "duration_s": number_or_none(doc.get("duration_s")),
            "view": doc.get("view"), "facing": doc.get("facing"),
            "template": doc.get("template"),
            "summary_json": json.dumps(doc.get("summary") if isinstance(doc.get("summary"), dict) else {}),
            "folder": str(folder),
            "video": doc.get("video") if isinstance(doc.get("video"), str) else None,
            "missing_since_utc": None,
        }
        with self._tx() as db:
            if row is None:
                fields["thresholds_json"] = json.dumps(
                    thresholds if isinstance(thresholds, dict) and thresholds
                    else default_thresholds if default_thresholds is not None else current_thresholds())
                runner_id = doc.get("runner_id")
                if isinstance(runner_id, int) and db.execute(
                        "SELECT 1 FROM runners WHERE id = ?", (runner_id,)).fetchone():
                    fields["runner_id"] = runner_id
                cols = ["id", *fields]
                db.execute(f"INSERT INTO sessions ({', '.join(cols)}) VALUES "
                           f"({', '.join('?' * len(cols))})", (sid, *fields.values()))
            else:
                if isinstance(thresholds, dict) and thresholds:
                    fields["thresholds_json"] = json.dumps(thresholds)
                db.execute(f"UPDATE sessions SET {', '.join(f'{k} = ?' for k in fields)} "
                           "WHERE id = ?", (*fields.values(), sid))
            state_changed = row is None or row["state"] != fields["state"]
            has_blocks = db.execute("SELECT 1 FROM blocks WHERE session_id = ?", (sid,)).fetchone()
            if state_changed or not has_blocks:
                file_blocks = read_blocks(folder, _json(fields["summary_json"]), fields["duration_s"])
                if file_blocks:
                    self._write_blocks(db, sid, file_blocks)
        return self.get_session(sid)

    def sync(self, root: str | os.PathLike[str] | None = None) -> SyncReport:
        """Scan ``root`` (default: the sessions root): index new folders, refresh known
        ones whose ``session.json`` changed state, and mark rows whose folder is gone."""
        root = Path(root) if root is not None else sessions_root()
        known = {r["id"]: r for r in self._db.execute(
            "SELECT id, state, duration_s, summary_json, folder, missing_since_utc FROM sessions")}
        added, updated, skipped = [], [], []
        defaults: dict | None = None  # the settings' bands, read once per sync
        folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
        for folder in folders:
            if not (folder / MANIFEST).is_file():
                continue
            row = known.get(folder.name)
            try:
                if row is None:
                    if defaults is None:
                        defaults = current_thresholds()
                    self.index_folder(folder, default_thresholds=defaults)
                    added.append(folder.name)
                elif self._changed(row, folder):
                    self.index_folder(folder)
                    updated.append(folder.name)
            except InputFileError as exc:
                skipped.append(str(exc))
        missing = []
        for sid, row in known.items():
            if not Path(row["folder"]).is_dir():
                missing.append(sid)
                if row["missing_since_utc"] is None:
                    with self._tx() as db:
                        db.execute("UPDATE sessions SET missing_since_utc = ? WHERE id = ?",
                                   (utc_now(), sid))
        return SyncReport(tuple(added), tuple(updated), tuple(missing), tuple(skipped))

    @staticmethod
    def _changed(row: sqlite3.Row, folder: Path) -> bool:
        if row["missing_since_utc"] is not None or Path(row["folder"]) != folder.resolve():
            return True
        try:
            doc = read_manifest(folder)
        except InputFileError:
            return True
        return (doc.get("state") != row["state"] or number_or_none(doc.get("duration_s")) != row["duration_s"]
                or json.dumps(doc.get("summary") or {}) != row["summary_json"])

    # ------------------------------------------------------------ sessions
    def get_session(self, session_id: str) -> SessionInfo:
        row = self._db.execute(_SESSION_SELECT + " WHERE s.id = ?", (session_id,)).fetchone()
        if row is None:
            raise UserError(f"There is no session {session_id!r} in the store.")
        return _session(row)

    def resolve_id(self, text: str) -> str:
        """The session id equal to ``text`` or uniquely starting with it."""
        text = text.strip()
        ids = [r[0] for r in self._db.execute(
            "SELECT id FROM sessions WHERE id = ? OR substr(id, 1, ?) = ?", (text, len(text), text))]
        if text in ids:
            return text
        if len(ids) == 1 and text:
            return ids[0]
        if len(ids) > 1:
            raise UserError(f"{text!r} matches {len(ids)} sessions; give more of the id.")
        raise UserError(f"There is no session {text!r} in the store.")

    def list_sessions(self, runner_id: int | None = None, *,
                      unassigned: bool = False) -> list[SessionInfo]:
        """Sessions newest first: all, one runner's, or (``unassigned``) those without one."""
        where, args = "", ()
        if unassigned:
            where = " WHERE s.runner_id IS NULL"
        elif runner_id is not None:
            where, args = " WHERE s.runner_id = ?", (runner_id,)
        rows = self._db.execute(_SESSION_SELECT + where + " ORDER BY s.started_utc DESC, s.id DESC",
                                args).fetchall()
        return [_session(r) for r in rows]

    def rename_session(self, session_id: str, name: str) -> SessionInfo:
        return self._update(session_id, name=name.strip())

    def set_notes(self, session_id: str, notes: str) -> SessionInfo:
        return self._update(session_id, notes=notes)

    def assign_runner(self, session_id: str, runner_id: int | None) -> SessionInfo:
        if runner_id is not None:
            self.get_runner(runner_id)
        return self._update(session_id, runner_id=runner_id)

    def _update(self, session_id: str, **values: Any) -> SessionInfo:
        self.get_session(session_id)
        with self._tx() as db:
            db.execute(f"UPDATE sessions SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
                       (*values.values(), session_id))
        return self.get_session(session_id)

    def delete_session(self, session_id: str) -> None:
        """Remove the session's row, blocks and folder. The folder is deleted only if its
        ``session.json`` names the same id (never an unrelated folder)."""
        info = self.get_session(session_id)
        folder = info.folder
        if folder.is_dir():
            try:
                doc_id = read_manifest(folder).get("id")
            except InputFileError:
                doc_id = None
            if doc_id not in (None, session_id):
                raise UserError(f"Not deleting {folder}: its {MANIFEST} belongs to session {doc_id}.")
            try:
                shutil.rmtree(folder)
            except OSError as exc:
                raise UserError(f"Cannot delete {folder}: {exc.strerror or exc}.") from None
        with self._tx() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def export_session(self, session_id: str, out: str | os.PathLike[str],
                       progress: Callable[[int, int], bool | None] | None = None) -> Path:
        """Zip the session folder into ``out`` (complete or absent, see :func:`export_folder`)."""
        info = self.get_session(session_id)
        return export_folder(info.folder, Path(out), progress)

    # ------------------------------------------------------------ blocks
    def set_blocks(self, session_id: str, blocks: Sequence[Block]) -> list[Block]:
        """Replace the session's blocks (kinds: baseline, retraining, faded, retention, free)."""
        self.get_session(session_id)
        for b in blocks:
            if b.kind not in BLOCK_KINDS:
                raise UserError(f"Unknown block kind {b.kind!r} (use one of {', '.join(BLOCK_KINDS)}).")
        with self._tx() as db:
            self._write_blocks(db, session_id, blocks)
        return self.blocks(session_id)

    @staticmethod
    def _write_blocks(db: sqlite3.Connection, session_id: str, blocks: Iterable[Block]) -> None:
        db.execute("DELETE FROM blocks WHERE session_id = ?", (session_id,))
        db.executemany(
            "INSERT INTO blocks (session_id, idx, kind, name, start_s, end_s, summary_json) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(session_id, b.idx, b.kind, b.name, b.start_s, b.end_s, json.dumps(b.summary or {}))
             for b in blocks])

    def blocks(self, session_id: str) -> list[Block]:
        rows = self._db.execute("SELECT * FROM blocks WHERE session_id = ? ORDER BY idx",
                                (session_id,)).fetchall()
        return [Block(r["idx"], r["kind"], r["name"], r["start_s"], r["end_s"],
                      _json(r["summary_json"])) for r in rows]

    # ------------------------------------------------------------ runner templates
    def save_runner_template(self, runner_id: int, name: str, toml_text: str) -> None:
        """Keep a protocol template (TOML text, validated by the caller) with a runner;
        replaces the runner's template of the same name."""
        self.get_runner(runner_id)
        name = _clean_name(name, "template")
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO runner_templates (runner_id, name, toml, updated_utc)"
                       " VALUES (?, ?, ?, ?)", (runner_id, name, toml_text, utc_now()))

    def runner_templates(self, runner_id: int) -> dict[str, str]:
        """The runner's saved protocol templates: name -> TOML text."""
        rows = self._db.execute("SELECT name, toml FROM runner_templates WHERE runner_id = ? "
                                "ORDER BY name", (runner_id,)).fetchall()
        return {r["name"]: r["toml"] for r in rows}

    def delete_runner_template(self, runner_id: int, name: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM runner_templates WHERE runner_id = ? AND name = ?",
                       (runner_id, name))

    # ------------------------------------------------------------ targets
    def set_runner_target(self, runner_id: int, target_spm: float | None, origin: str = "") -> None:
        """Keep ``target_spm`` (steps/min) as the runner's target, with where it came
        from; None forgets it."""
        self.get_runner(runner_id)
        with self._tx() as db:
            if target_spm is None:
                db.execute("DELETE FROM runner_targets WHERE runner_id = ?", (runner_id,))
            else:
                db.execute("INSERT OR REPLACE INTO runner_targets (runner_id, target_spm, origin, "
                           "set_utc) VALUES (?, ?, ?, ?)",
                           (runner_id, float(target_spm), origin, utc_now()))

    def runner_target(self, runner_id: int) -> RunnerTarget | None:
        """The runner's kept target cadence, or None (a new runner starts without one)."""
        r = self._db.execute("SELECT * FROM runner_targets WHERE runner_id = ?", (runner_id,)).fetchone()
        if r is None:
            return None
        return RunnerTarget(r["runner_id"], float(r["target_spm"]), r["origin"], r["set_utc"])

    # ------------------------------------------------------------ views
    def runner_history(self, runner_id: int, metrics: Sequence[str] = ("cadence_spm",)) -> RunnerHistory:
        """Session means of ``metrics`` across the runner's dated sessions, oldest first."""
        self.get_runner(runner_id)
        sessions = [s for s in reversed(self.list_sessions(runner_id)) if s.started is not None]
        return RunnerHistory(
            tuple(s.id for s in sessions), tuple(s.title for s in sessions),
            tuple(s.started for s in sessions),  # type: ignore[misc]
            {m: tuple(summary_value(s.summary, m) for s in sessions) for m in metrics})

    def history_metrics(self, runner_id: int) -> list[str]:
        """Metric names that have a value in at least one of the runner's sessions."""
        names: list[str] = []
        for s in self.list_sessions(runner_id):
            names += [n for n in summary_metric_names(s.summary) if n not in names]
        return sorted(names, key=lambda n: (n != "cadence_spm", n))

    def health(self, session_id: str) -> Health:
        """What is wrong with a session, as a sentence; never raises for a known id."""
        s = self.get_session(session_id)
        return session_health(s)


def _json(text: str | None) -> dict:
    try:
        v = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    return v if isinstance(v, dict) else {}


def _runner(r: sqlite3.Row) -> Runner:
    return Runner(r["id"], r["name"], r["birth_year"], r["height_cm"], r["notes"], r["created_utc"])


def _session(r: sqlite3.Row) -> SessionInfo:
    return SessionInfo(
        id=r["id"], runner_id=r["runner_id"], runner_name=r["runner_name"], name=r["name"],
        notes=r["notes"], state=r["state"], started_utc=r["started_utc"],
        duration_s=r["duration_s"], view=r["view"], facing=r["facing"], template=r["template"],
        thresholds=_json(r["thresholds_json"]), summary=_json(r["summary_json"]),
        folder=Path(r["folder"]), video=r["video"], missing_since_utc=r["missing_since_utc"])


def _clean_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise UserError(f"The {what} name is empty.")
    return name
