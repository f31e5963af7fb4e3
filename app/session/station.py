"""A station's view of the clinic: this station's store together with the clinic store,
as one store for the session browser, the history and the comparison (docs/CLINIC.md).

Runner ids are the local store's (every clinic runner is known here, same uid, after
:func:`app.session.publish.pull_runners`). Sessions are the union of both stores:
a session in the clinic is shown with the clinic's name, notes, runner and version (the
truth once published) and, when this station recorded it, its local folder; a session
only here is waiting to publish; a session only in the clinic (another station's) has
its folder in the clinic media folder. Edits of a published session go to the clinic
first, checked against the version shown (:class:`app.session.store.EditConflict`
otherwise), then to the local copy.

:func:`open_station_store` returns a plain local :class:`SessionStore` when no clinic is
configured, and also when the clinic cannot be reached (``clinic_status`` says why):
recording and browsing never wait for the clinic.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Sequence

from app.errors import UserError
from app.session.clinic import ClinicConfig, ClinicUnreachable, load_config, open_clinic
from app.session.records import Health, Runner, RunnerHistory, SessionInfo, SyncReport, session_health
from app.session.store import (
    EditConflict, SessionStore, delete_folder, history_of, metric_names, open_store, pick_id,
)


def open_station_store(local: SessionStore | None = None,
                       cfg: ClinicConfig | None = None) -> SessionStore:
    """The store the browser shows: a :class:`StationStore` when a clinic is configured
    and reachable, else the local store. ``store.clinic_status`` is a sentence for a
    status line ('' without a clinic)."""
    local = local if local is not None else open_store()
    cfg = cfg if cfg is not None else load_config()
    local.clinic_status = ""  # type: ignore[attr-defined]
    if cfg is None:
        return local
    try:
        clinic = open_clinic(cfg)
    except ClinicUnreachable as exc:
        local.clinic_status = (f"{exc} Showing this station's sessions; "  # type: ignore[attr-defined]
                               "finished sessions wait here and are published when it is back.")
        return local
    return StationStore(local, clinic, cfg)


class StationStore:
    """The browser's store when a clinic is reachable (see the module docstring).
    Methods not defined here (templates, plan tables, blocks of local sessions) are the
    local store's."""

    def __init__(self, local: SessionStore, clinic: SessionStore, cfg: ClinicConfig) -> None:
        self.local, self.clinic, self.cfg = local, clinic, cfg
        self._status = f"Clinic database: {cfg.shown} (station {cfg.station})."
        self.clinic_status = self._status
        self._pull()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.local, name)

    def close(self) -> None:
        self.clinic.close()
        self.local.close()

    def __enter__(self) -> "StationStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _pull(self) -> None:
        from app.session.publish import pull_runners, queue_finished

        problems = pull_runners(self.local, self.clinic)
        self.clinic_status = " ".join([self._status, *problems])
        queue_finished(self.local)

    # ------------------------------------------------------------ runners
    def _clinic_runner(self, local_id: int) -> Runner | None:
        r = self.local.get_runner(local_id)
        return self.clinic.runner_by_uid(r.uid) if r.uid else None

    def _local_runner_id(self, clinic_id: int | None) -> int | None:
        if clinic_id is None:
            return None
        uid = self.clinic.get_runner(clinic_id).uid
        here = self.local.runner_by_uid(uid)
        if here is None:  # added at another station since the last pull
            self._pull()
            here = self.local.runner_by_uid(uid)
        return here.id if here is not None else None

    def list_runners(self) -> list[Runner]:
        """Local runners (all clinic runners are pulled in), with the clinic's version."""
        clinic = {r.uid: r for r in self.clinic.list_runners()}
        return [dataclasses.replace(r, version=clinic[r.uid].version) if r.uid in clinic else r
                for r in self.local.list_runners()]

    def get_runner(self, runner_id: int) -> Runner:
        r = self.local.get_runner(runner_id)
        there = self.clinic.runner_by_uid(r.uid)
        return dataclasses.replace(r, name=there.name, version=there.version) if there else r

    def add_runner(self, name: str, birth_year: int | None = None, height_cm: float | None = None,
                   notes: str = "") -> Runner:
        r = self.clinic.add_runner(name, birth_year, height_cm, notes)
        self._pull()
        here = self.local.runner_by_uid(r.uid)
        if here is None:
            raise UserError(f"A runner named {name!r} already exists at this station.")
        return here

    def rename_runner(self, runner_id: int, name: str, *, expected_version: int | None = None) -> Runner:
        there = self._clinic_runner(runner_id)
        if there is None:
            return self.local.rename_runner(runner_id, name, expected_version=expected_version)
        done = self.clinic.rename_runner(there.id, name, expected_version=expected_version)
        from app.session.publish import _mirror

        _mirror(self.local, runner_id, done)  # edited in the clinic: nothing pending here
        return self.get_runner(runner_id)

    def delete_runner(self, runner_id: int) -> None:
        there = self._clinic_runner(runner_id)
        if there is not None:
            self.clinic.delete_runner(there.id)
        self.local.delete_runner(runner_id)

    # ------------------------------------------------------------ sessions
    def sync(self, root: str | Path | None = None) -> SyncReport:
        report = self.local.sync(root)
        self._pull()
        return report

    def _merged(self) -> list[SessionInfo]:
        mine = {s.id: s for s in self.local.list_sessions()}
        uid_to_local = {r.uid: r.id for r in self.local.list_runners()}
        names = {r.id: r.name for r in self.local.list_runners()}
        clinic_uids = {r.id: r.uid for r in self.clinic.list_runners()}
        out: list[SessionInfo] = []
        missing_runner = False
        for s in self.clinic.list_sessions():
            rid = uid_to_local.get(clinic_uids.get(s.runner_id, ""), None) if s.runner_id else None
            missing_runner |= s.runner_id is not None and rid is None
            here = mine.pop(s.id, None)
            out.append(dataclasses.replace(
                s, runner_id=rid, runner_name=s.runner_name,
                origin="local" if here is not None else "clinic",
                folder=here.folder if here is not None else s.folder,
                missing_since_utc=here.missing_since_utc if here is not None else None,
                publish_state=here.publish_state if here is not None else None))
        out += [dataclasses.replace(s, runner_name=names.get(s.runner_id, s.runner_name))
                for s in mine.values()]
        if missing_runner:
            self._pull()
        out.sort(key=lambda s: (s.started_utc or "", s.id), reverse=True)
        return out

    def list_sessions(self, runner_id: int | None = None, *, unassigned: bool = False) -> list[SessionInfo]:
        rows = self._merged()
        if unassigned:
            return [s for s in rows if s.runner_id is None]
        if runner_id is not None:
            return [s for s in rows if s.runner_id == runner_id]
        return rows

    def get_session(self, session_id: str) -> SessionInfo:
        for s in self._merged():
            if s.id == session_id:
                return s
        raise UserError(f"There is no session {session_id!r} in the store.")

    def resolve_id(self, text: str) -> str:
        text = text.strip()
        return pick_id(text, [s.id for s in self._merged() if s.id == text or s.id.startswith(text)])

    def blocks(self, session_id: str):
        return (self.local.blocks(session_id) if self.local.has_session(session_id)
                else self.clinic.blocks(session_id))

    def health(self, session_id: str) -> Health:
        return session_health(self.get_session(session_id))

    def runner_history(self, runner_id: int, metrics: Sequence[str] = ("cadence_spm",)) -> RunnerHistory:
        self.local.get_runner(runner_id)
        return history_of(self.list_sessions(runner_id), metrics)

    def history_metrics(self, runner_id: int) -> list[str]:
        return metric_names(self.list_sessions(runner_id))

    # ------------------------------------------------------------ session edits
    def rename_session(self, session_id: str, name: str, *, expected_version: int | None = None) -> SessionInfo:
        return self._edit(session_id, expected_version, name=name.strip())

    def set_notes(self, session_id: str, notes: str, *, expected_version: int | None = None) -> SessionInfo:
        return self._edit(session_id, expected_version, notes=notes)

    def assign_runner(self, session_id: str, runner_id: int | None, *,
                      expected_version: int | None = None) -> SessionInfo:
        return self._edit(session_id, expected_version, runner_id=runner_id)

    def _edit(self, sid: str, expected: int | None, **values: Any) -> SessionInfo:
        from app.session.publish import _set_outbox

        here = self.local.has_session(sid)
        if self.clinic.has_session(sid):
            cvalues = dict(values)
            if "runner_id" in values and values["runner_id"] is not None:
                there = self._clinic_runner(values["runner_id"])
                if there is None:  # a runner added here while the clinic was away
                    from app.session.publish import ensure_runner

                    with self.clinic._tx() as c:
                        cvalues["runner_id"] = ensure_runner(c, self.local, self.local.get_runner(values["runner_id"]))
                else:
                    cvalues["runner_id"] = there.id
            done = self.clinic.update_session(sid, expected, **cvalues)
            if here:
                self.local.update_session(sid, None, **values)
                _set_outbox(self.local, sid, state="published", clinic_version=done.version,
                            last_error=None)
        elif here:
            local_version = self.local.get_session(sid).version
            if expected is not None and expected != local_version:
                raise EditConflict(f"The session {sid!r} was changed since you opened it; "
                                   "your change was not saved.")
            self.local.update_session(sid, None, **values)
        else:
            raise UserError(f"There is no session {sid!r} in the store.")
        return self.get_session(sid)

    def delete_session(self, session_id: str) -> None:
        """Delete here and in the clinic (its row and its copy in the media folder)."""
        if self.clinic.has_session(session_id):
            info = self.clinic.get_session(session_id)
            if self.cfg.media_dir is not None:
                delete_folder(self.cfg.media_dir / session_id, session_id)
            with self.clinic._tx() as c:
                from app.session import schema as t

                c.execute(t.sessions.delete().where(t.sessions.c.id == info.id))
        if self.local.has_session(session_id):
            self.local.delete_session(session_id)

    def export_session(self, session_id: str, out, progress=None) -> Path:  # noqa: ANN001
        from app.session.store_files import export_folder

        return export_folder(self.get_session(session_id).folder, Path(out), progress)


def lookup_session(text: str) -> SessionInfo | None:
    """A session by id (prefix) in this station's store, else in the clinic store when
    one is configured and reachable; None when neither has it. Never creates a store."""
    from app.session.folder import data_dir
    from app.session.store import DB_NAME

    db = data_dir() / DB_NAME
    if db.is_file():
        try:
            with open_store(db) as s:
                return s.get_session(s.resolve_id(text))
        except UserError:
            pass
    cfg = load_config()
    if cfg is None:
        return None
    try:
        with open_clinic(cfg) as c:
            return c.get_session(c.resolve_id(text))
    except UserError:
        return None
