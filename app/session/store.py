"""The session store: runners, sessions and blocks on SQLAlchemy 2 — an SQLite file by
default (``<data dir>/gaitcoach.db``), or any database URL such as a clinic's PostgreSQL
(docs/SESSION_FORMAT.md, docs/CLINIC.md).

The folder is the source of truth for what was recorded; the store indexes it and holds
what has no file: runners, session names, notes, the thresholds used and protocol
blocks. :meth:`SessionStore.sync` scans the sessions root, adds new folders, refreshes
state/duration/summary from ``session.json`` and marks folders that went missing. A
missing folder or video is reported by :meth:`SessionStore.health` as a sentence.

Threads: a ``SessionStore`` wraps a pooled SQLAlchemy engine; every method takes its own
connection for one transaction, so a store may be used from any thread (the GUI still
opens its own on the GUI thread; a worker may share it or open another). SQLite runs in
WAL mode: readers never block, a writer waits up to ``BUSY_TIMEOUT_S`` for another.

Edits count a ``version`` per runner and session. An edit given ``expected_version``
(the version the person was looking at) fails with :class:`EditConflict` when another
station or window changed the row meanwhile — never a silent overwrite.

Bad ids and unreadable folders raise :class:`app.errors.UserError` with one sentence.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import sqlalchemy as sa

from app.errors import InputFileError, UserError
from app.session import schema as t
from app.session.engine import create_engine, display_url, scrub, sqlite_url
from app.session.folder import (  # noqa: F401 - data_dir/sessions_root re-exported for callers
    BLOCK_KINDS, MANIFEST, STATE_RECORDING, data_dir, read_manifest, sessions_root,
)
from app.session.migrations import LATEST_VERSION, upgrade
from app.session.records import (  # noqa: F401 - re-exported: the store's public records
    Block, Health, Runner, RunnerHistory, RunnerTarget, SessionInfo, SyncReport, number_or_none,
    parse_utc, session_health, summary_metric_names, summary_value, utc_now,
)
from app.session.store_files import (  # noqa: F401 - re-exported for callers
    current_thresholds, export_folder, read_blocks,
)

DB_NAME = "gaitcoach.db"
#: Editable session fields (everything else comes from the folder's session.json).
EDITABLE = ("name", "notes", "runner_id")


class EditConflict(UserError):
    """Another station (or window) changed the row since it was read."""


def open_store(where: str | os.PathLike[str] | None = None, *,
               media_root: Path | None = None) -> "SessionStore":
    """Open (creating and migrating as needed) the store at ``where``: a database URL
    (``postgresql://…``, ``sqlite:///…``) or an SQLite file path, default
    ``<data dir>/gaitcoach.db``. ``media_root``: where session folders named by a
    relative path live (a clinic's shared media folder)."""
    text = str(where) if where is not None else None
    path = None
    if text is None or "://" not in text:
        path = Path(text) if text is not None else data_dir() / DB_NAME
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"Cannot open the session database {path}: {exc.strerror or exc}.") from None
        text = sqlite_url(path)
    shown = str(path) if path is not None else display_url(text)
    try:
        engine = create_engine(text)
    except (sa.exc.ArgumentError, ImportError, ValueError) as exc:
        raise UserError(f"{shown} is not a database URL GaitCoach can use ({exc}).") from None
    try:
        upgrade(engine)
    except sa.exc.OperationalError as exc:
        engine.dispose()
        if path is not None and "not a database" not in str(exc.orig):
            raise UserError(f"Cannot open the session database {shown}: {exc.orig}.") from None
        if path is None:
            raise UserError(f"The database {shown} cannot be reached "
                            f"({_first_line(scrub(str(exc.orig), text))}).") from None
        raise UserError(f"The session database {shown} is damaged or not a database ({exc.orig}).") from None
    except sa.exc.DatabaseError as exc:
        engine.dispose()
        raise UserError(f"The session database {shown} is damaged or not a database "
                        f"({_first_line(scrub(str(exc.orig), text))}).") from None
    except BaseException:
        engine.dispose()
        raise
    return SessionStore(engine, path, media_root=media_root)


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0].rstrip(".")


_S, _R = t.sessions, t.runners
_SESSION_SELECT = (sa.select(_S, _R.c.name.label("runner_name"), _R.c.uid.label("runner_uid"),
                             t.outbox.c.state.label("publish_state"))
                   .select_from(_S.outerjoin(_R, _R.c.id == _S.c.runner_id)
                                .outerjoin(t.outbox, t.outbox.c.session_id == _S.c.id)))


class SessionStore:
    """Runners, sessions and blocks in one database; methods that change data commit
    before returning. ``path`` is the SQLite file (None for a server), ``url`` the
    database shown without its password."""

    #: a sentence about the clinic store for a status line (app/session/station.py)
    clinic_status = ""

    def __init__(self, engine: sa.Engine, path: Path | None, *, media_root: Path | None = None) -> None:
        self.engine = engine
        self.path = path
        self.url = display_url(engine.url)
        self.backend = engine.dialect.name
        self.media_root = media_root
        self.schema_version = LATEST_VERSION

    # ------------------------------------------------------------ lifetime
    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "SessionStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _tx(self):
        """A write transaction (SQLite: BEGIN IMMEDIATE); commits when the block ends."""
        with self.engine.connect() as conn:
            conn.info["write"] = True
            try:
                with conn.begin():
                    yield conn
            finally:
                conn.info.pop("write", None)

    @contextlib.contextmanager
    def _read(self):
        with self.engine.connect() as conn:
            yield conn

    def _one(self, stmt) -> Any:
        with self._read() as c:
            return c.execute(stmt).mappings().first()

    def _all(self, stmt) -> list:
        with self._read() as c:
            return c.execute(stmt).mappings().all()

    # ------------------------------------------------------------ runners
    def add_runner(self, name: str, birth_year: int | None = None, height_cm: float | None = None,
                   notes: str = "", *, uid: str | None = None) -> Runner:
        name = _clean_name(name, "runner")
        try:
            with self._tx() as c:
                rid = c.execute(_R.insert().values(
                    name=name, birth_year=birth_year, height_cm=height_cm, notes=notes,
                    created_utc=utc_now(), uid=uid or uuid.uuid4().hex)).inserted_primary_key[0]
        except sa.exc.IntegrityError:
            raise UserError(f"A runner named {name!r} already exists.") from None
        return self.get_runner(int(rid))

    def rename_runner(self, runner_id: int, name: str, *, expected_version: int | None = None) -> Runner:
        old = self.get_runner(runner_id)
        name = _clean_name(name, "runner")
        try:
            with self._tx() as c:
                self._versioned_update(c, _R, runner_id, expected_version, {"name": name},
                                       lambda: f"The runner {old.name!r}")
        except sa.exc.IntegrityError:
            raise UserError(f"A runner named {name!r} already exists.") from None
        return self.get_runner(runner_id)

    def delete_runner(self, runner_id: int) -> None:
        """Remove the runner; their sessions stay, without a runner."""
        self.get_runner(runner_id)
        with self._tx() as c:
            c.execute(_R.delete().where(_R.c.id == runner_id))

    def get_runner(self, runner_id: int) -> Runner:
        row = self._one(sa.select(_R).where(_R.c.id == runner_id))
        if row is None:
            raise UserError(f"There is no runner with id {runner_id}.")
        return _runner(row)

    def runner_by_uid(self, uid: str) -> Runner | None:
        row = self._one(sa.select(_R).where(_R.c.uid == uid))
        return None if row is None else _runner(row)

    def find_runner(self, name: str) -> Runner:
        """The runner called ``name`` (case-insensitive)."""
        row = self._one(sa.select(_R).where(sa.func.lower(_R.c.name) == name.strip().lower()))
        if row is None:
            raise UserError(f"There is no runner named {name!r}.")
        return _runner(row)

    def list_runners(self) -> list[Runner]:
        return [_runner(r) for r in self._all(sa.select(_R).order_by(sa.func.lower(_R.c.name)))]

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
        thresholds = doc.get("thresholds")
        fields: dict[str, Any] = {
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
        if isinstance(doc.get("station"), str):
            fields["station"] = doc["station"]
        with self._tx() as c:
            row = c.execute(sa.select(_S.c.state).where(_S.c.id == sid)).first()
            if row is None:
                fields["thresholds_json"] = json.dumps(
                    thresholds if isinstance(thresholds, dict) and thresholds
                    else default_thresholds if default_thresholds is not None else current_thresholds())
                fields["runner_id"] = self._manifest_runner(c, doc)
                c.execute(_S.insert().values(id=sid, **fields))
            else:
                if isinstance(thresholds, dict) and thresholds:
                    fields["thresholds_json"] = json.dumps(thresholds)
                c.execute(_S.update().where(_S.c.id == sid).values(**fields))
            state_changed = row is None or row.state != fields["state"]
            has_blocks = c.execute(sa.select(t.blocks.c.idx).where(t.blocks.c.session_id == sid)).first()
            if state_changed or not has_blocks:
                file_blocks = read_blocks(folder, _json(fields["summary_json"]), fields["duration_s"])
                if file_blocks:
                    self._write_blocks(c, sid, file_blocks)
        return self.get_session(sid)

    @staticmethod
    def _manifest_runner(c: sa.Connection, doc: dict) -> int | None:
        """The runner a manifest names: by ``runner_uid`` (any station), else ``runner_id``."""
        uid = doc.get("runner_uid")
        if isinstance(uid, str) and uid:
            rid = c.execute(sa.select(_R.c.id).where(_R.c.uid == uid)).scalar()
            if rid is not None:
                return rid
        rid = doc.get("runner_id")
        if isinstance(rid, int) and c.execute(sa.select(_R.c.id).where(_R.c.id == rid)).first():
            return rid
        return None

    def sync(self, root: str | os.PathLike[str] | None = None) -> SyncReport:
        """Scan ``root`` (default: the sessions root): index new folders, refresh known
        ones whose ``session.json`` changed state, and mark rows whose folder is gone."""
        root = Path(root) if root is not None else sessions_root()
        known = {r["id"]: r for r in self._all(sa.select(
            _S.c.id, _S.c.state, _S.c.duration_s, _S.c.summary_json, _S.c.folder,
            _S.c.missing_since_utc))}
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
            if not self._resolve_folder(row["folder"]).is_dir():
                missing.append(sid)
                if row["missing_since_utc"] is None:
                    with self._tx() as c:
                        c.execute(_S.update().where(_S.c.id == sid).values(missing_since_utc=utc_now()))
        return SyncReport(tuple(added), tuple(updated), tuple(missing), tuple(skipped))

    def _changed(self, row, folder: Path) -> bool:
        if row["missing_since_utc"] is not None or self._resolve_folder(row["folder"]) != folder.resolve():
            return True
        try:
            doc = read_manifest(folder)
        except InputFileError:
            return True
        return (doc.get("state") != row["state"] or number_or_none(doc.get("duration_s")) != row["duration_s"]
                or json.dumps(doc.get("summary") or {}) != row["summary_json"])

    def _resolve_folder(self, text: str) -> Path:
        """A row's folder: absolute as stored, or relative to the media root (a clinic
        store keeps ``<session id>`` there)."""
        p = Path(text)
        if p.is_absolute() or self.media_root is None:
            return p
        return self.media_root / p

    # ------------------------------------------------------------ sessions
    def get_session(self, session_id: str) -> SessionInfo:
        row = self._one(_SESSION_SELECT.where(_S.c.id == session_id))
        if row is None:
            raise UserError(f"There is no session {session_id!r} in the store.")
        return self._session(row)

    def has_session(self, session_id: str) -> bool:
        return self._one(sa.select(_S.c.id).where(_S.c.id == session_id)) is not None

    def resolve_id(self, text: str) -> str:
        """The session id equal to ``text`` or uniquely starting with it."""
        text = text.strip()
        ids = [r["id"] for r in self._all(sa.select(_S.c.id).where(
            sa.or_(_S.c.id == text, _S.c.id.startswith(text, autoescape=True))))]
        return pick_id(text, ids)

    def list_sessions(self, runner_id: int | None = None, *,
                      unassigned: bool = False) -> list[SessionInfo]:
        """Sessions newest first: all, one runner's, or (``unassigned``) those without one."""
        q = _SESSION_SELECT
        if unassigned:
            q = q.where(_S.c.runner_id.is_(None))
        elif runner_id is not None:
            q = q.where(_S.c.runner_id == runner_id)
        q = q.order_by(_S.c.started_utc.desc().nulls_last(), _S.c.id.desc())
        return [self._session(r) for r in self._all(q)]

    def rename_session(self, session_id: str, name: str, *, expected_version: int | None = None) -> SessionInfo:
        return self.update_session(session_id, expected_version, name=name.strip())

    def set_notes(self, session_id: str, notes: str, *, expected_version: int | None = None) -> SessionInfo:
        return self.update_session(session_id, expected_version, notes=notes)

    def assign_runner(self, session_id: str, runner_id: int | None, *,
                      expected_version: int | None = None) -> SessionInfo:
        if runner_id is not None:
            self.get_runner(runner_id)
        return self.update_session(session_id, expected_version, runner_id=runner_id)

    def update_session(self, session_id: str, expected_version: int | None = None,
                       **values: Any) -> SessionInfo:
        """Change editable fields (:data:`EDITABLE`); the version goes up by one and a
        published session waits to be published again."""
        old = self.get_session(session_id)
        with self._tx() as c:
            self._versioned_update(c, _S, session_id, expected_version, values,
                                   lambda: f"The session {old.title!r}")
            c.execute(t.outbox.update().where(t.outbox.c.session_id == session_id,
                                              t.outbox.c.state == "published")
                      .values(state="waiting", attempts=0, next_try_utc=None))
        return self.get_session(session_id)

    def _versioned_update(self, c: sa.Connection, table: sa.Table, key: Any,
                          expected: int | None, values: dict, what: Callable[[], str]) -> None:
        q = table.update().where(table.c.id == key).values(version=table.c.version + 1, **values)
        if expected is not None:
            q = q.where(table.c.version == expected)
        if c.execute(q).rowcount == 0:
            raise EditConflict(
                f"{what()} was changed at another station or window since you opened it "
                "(someone saved first); your change was not saved. The list now shows their "
                "version: check it and make your change again if it is still needed.")

    def delete_session(self, session_id: str) -> None:
        """Remove the session's row, blocks and folder. The folder is deleted only if its
        ``session.json`` names the same id (never an unrelated folder)."""
        info = self.get_session(session_id)
        delete_folder(info.folder, session_id)
        with self._tx() as c:
            c.execute(_S.delete().where(_S.c.id == session_id))

    def export_session(self, session_id: str, out: str | os.PathLike[str],
                       progress: Callable[[int, int], bool | None] | None = None) -> Path:
        """Zip the session folder into ``out`` (complete or absent, see :func:`export_folder`)."""
        return export_folder(self.get_session(session_id).folder, Path(out), progress)

    # ------------------------------------------------------------ blocks
    def set_blocks(self, session_id: str, blocks: Sequence[Block]) -> list[Block]:
        """Replace the session's blocks (kinds: baseline, retraining, faded, retention, free)."""
        self.get_session(session_id)
        for b in blocks:
            if b.kind not in BLOCK_KINDS:
                raise UserError(f"Unknown block kind {b.kind!r} (use one of {', '.join(BLOCK_KINDS)}).")
        with self._tx() as c:
            self._write_blocks(c, session_id, blocks)
        return self.blocks(session_id)

    @staticmethod
    def _write_blocks(c: sa.Connection, session_id: str, blocks: Iterable[Block]) -> None:
        c.execute(t.blocks.delete().where(t.blocks.c.session_id == session_id))
        rows = [dict(session_id=session_id, idx=b.idx, kind=b.kind, name=b.name, start_s=b.start_s,
                     end_s=b.end_s, summary_json=json.dumps(b.summary or {})) for b in blocks]
        if rows:
            c.execute(t.blocks.insert(), rows)

    def blocks(self, session_id: str) -> list[Block]:
        rows = self._all(sa.select(t.blocks).where(t.blocks.c.session_id == session_id)
                         .order_by(t.blocks.c.idx))
        return [Block(r["idx"], r["kind"], r["name"], r["start_s"], r["end_s"],
                      _json(r["summary_json"])) for r in rows]

    # ------------------------------------------------------------ runner templates
    def save_runner_template(self, runner_id: int, name: str, toml_text: str) -> None:
        """Keep a protocol template (TOML text, validated by the caller) with a runner;
        replaces the runner's template of the same name."""
        self.get_runner(runner_id)
        name = _clean_name(name, "template")
        with self._tx() as c:
            upsert(c, t.runner_templates, dict(runner_id=runner_id, name=name, toml=toml_text,
                                               updated_utc=utc_now()), ("runner_id", "name"))

    def runner_templates(self, runner_id: int) -> dict[str, str]:
        """The runner's saved protocol templates: name -> TOML text."""
        rt = t.runner_templates
        rows = self._all(sa.select(rt.c.name, rt.c.toml).where(rt.c.runner_id == runner_id)
                         .order_by(rt.c.name))
        return {r["name"]: r["toml"] for r in rows}

    def delete_runner_template(self, runner_id: int, name: str) -> None:
        rt = t.runner_templates
        with self._tx() as c:
            c.execute(rt.delete().where(rt.c.runner_id == runner_id, rt.c.name == name))

    # ------------------------------------------------------------ targets
    def set_runner_target(self, runner_id: int, target_spm: float | None, origin: str = "") -> None:
        """Keep ``target_spm`` (steps/min) as the runner's target, with where it came
        from; None forgets it."""
        self.get_runner(runner_id)
        rt = t.runner_targets
        with self._tx() as c:
            if target_spm is None:
                c.execute(rt.delete().where(rt.c.runner_id == runner_id))
            else:
                upsert(c, rt, dict(runner_id=runner_id, target_spm=float(target_spm), origin=origin,
                                   set_utc=utc_now()), ("runner_id",))

    def runner_target(self, runner_id: int) -> RunnerTarget | None:
        """The runner's kept target cadence, or None (a new runner starts without one)."""
        r = self._one(sa.select(t.runner_targets).where(t.runner_targets.c.runner_id == runner_id))
        if r is None:
            return None
        return RunnerTarget(r["runner_id"], float(r["target_spm"]), r["origin"], r["set_utc"])

    # ------------------------------------------------------------ views
    def runner_history(self, runner_id: int, metrics: Sequence[str] = ("cadence_spm",)) -> RunnerHistory:
        """Session means of ``metrics`` across the runner's dated sessions, oldest first."""
        self.get_runner(runner_id)
        return history_of(self.list_sessions(runner_id), metrics)

    def history_metrics(self, runner_id: int) -> list[str]:
        """Metric names that have a value in at least one of the runner's sessions."""
        return metric_names(self.list_sessions(runner_id))

    def health(self, session_id: str) -> Health:
        """What is wrong with a session, as a sentence; never raises for a known id."""
        return session_health(self.get_session(session_id))

    def _session(self, r) -> SessionInfo:
        return SessionInfo(
            id=r["id"], runner_id=r["runner_id"], runner_name=r["runner_name"], name=r["name"],
            notes=r["notes"], state=r["state"], started_utc=r["started_utc"],
            duration_s=r["duration_s"], view=r["view"], facing=r["facing"], template=r["template"],
            thresholds=_json(r["thresholds_json"]), summary=_json(r["summary_json"]),
            folder=self._resolve_folder(r["folder"]), video=r["video"],
            missing_since_utc=r["missing_since_utc"], station=r["station"], version=r["version"],
            publish_state=r["publish_state"])


# ---------------------------------------------------------------------- helpers
def pick_id(text: str, ids: Sequence[str]) -> str:
    """``text`` itself when it is one of ``ids``, else the one id it starts, else UserError."""
    if text in ids:
        return text
    if len(set(ids)) == 1 and text:
        return ids[0]
    if len(set(ids)) > 1:
        raise UserError(f"{text!r} matches {len(set(ids))} sessions; give more of the id.")
    raise UserError(f"There is no session {text!r} in the store.")


def history_of(sessions: Sequence[SessionInfo], metrics: Sequence[str]) -> RunnerHistory:
    """A runner's dated sessions (given newest first) as a history, oldest first."""
    dated = [s for s in reversed(sessions) if s.started is not None]
    return RunnerHistory(
        tuple(s.id for s in dated), tuple(s.title for s in dated),
        tuple(s.started for s in dated),  # type: ignore[misc]
        {m: tuple(summary_value(s.summary, m) for s in dated) for m in metrics})


def metric_names(sessions: Sequence[SessionInfo]) -> list[str]:
    names: list[str] = []
    for s in sessions:
        names += [n for n in summary_metric_names(s.summary) if n not in names]
    return sorted(names, key=lambda n: (n != "cadence_spm", n))


def delete_folder(folder: Path, session_id: str) -> None:
    """Delete a session folder if its ``session.json`` names ``session_id`` (or has none)."""
    if not folder.is_dir():
        return
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


def upsert(c: sa.Connection, table: sa.Table, values: dict, keys: Sequence[str],
           update: Sequence[str] | None = None) -> None:
    """INSERT, or on a conflict of ``keys`` UPDATE the other columns (``update``: only
    these; empty: do nothing) — SQLite and PostgreSQL alike."""
    if c.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    q = insert(table).values(**values)
    cols = [k for k in values if k not in keys] if update is None else list(update)
    if cols:
        q = q.on_conflict_do_update(index_elements=list(keys),
                                    set_={k: getattr(q.excluded, k) for k in cols})
    else:
        q = q.on_conflict_do_nothing(index_elements=list(keys))
    c.execute(q)


def _json(text: str | None) -> dict:
    try:
        v = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    return v if isinstance(v, dict) else {}


def _runner(r) -> Runner:
    return Runner(r["id"], r["name"], r["birth_year"], r["height_cm"], r["notes"], r["created_utc"],
                  r["uid"] or "", r["version"])


def _clean_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise UserError(f"The {what} name is empty.")
    return name
