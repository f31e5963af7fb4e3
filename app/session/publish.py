"""Publishing a station's finished sessions to the clinic store (docs/CLINIC.md).

Local first: a station records into its own folder and store; a finished session
(``complete`` or ``recovered``) is queued in the local ``outbox`` and published to the
clinic: its folder is copied into the shared media folder (to a hidden temporary folder,
then renamed, so the share never shows half a session) and its rows — runner (matched by
uid, else by name), session, blocks — are written in one clinic transaction.

Idempotent: a folder already there is completed file by file, a session row already
there is not inserted again (``ON CONFLICT DO NOTHING``), a runner inserted by another
station at the same moment is matched after the unique-name violation. A failure leaves
the session waiting with its reason and a back-off (``backoff_s``); an unreachable
database stops the run and leaves everything waiting. Edits of a published session are
published again only if the clinic's row still has the version this station last saw
(optimistic versioning); else the session is marked ``conflict`` with a sentence.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import sqlalchemy as sa

from app.errors import UserError
from app.session import schema as t
from app.session.clinic import ClinicConfig, ClinicUnreachable, check_media_dir, open_clinic
from app.session.records import Runner, utc_now
from app.session.store import SessionStore, upsert

FINISHED = ("complete", "recovered")
BACKOFF_BASE_S = 10.0
BACKOFF_MAX_S = 600.0
MARKER = ".gaitcoach-published"
_O, _S, _R = t.outbox, t.sessions, t.runners
ProgressFn = Callable[[str, str], None]  # (step: 'media' | 'rows' | 'done', session id)


def backoff_s(attempts: int) -> float:
    """Seconds to wait after ``attempts`` failed tries: 10, 20, 40 … up to 10 minutes."""
    return min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class PublishReport:
    published: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()      # (session id, sentence)
    conflicts: tuple[tuple[str, str], ...] = ()   # (session id, sentence)
    waiting: int = 0                              # still waiting afterwards
    unreachable: str = ""                         # why the clinic could not be reached

    @property
    def ok(self) -> bool:
        return not (self.failed or self.conflicts or self.unreachable)


@dataclass(frozen=True)
class QueueStatus:
    waiting: int
    conflicts: int
    last_error: str
    next_try_utc: str | None

    def sentence(self) -> str:
        if self.waiting == 0 and self.conflicts == 0:
            return "All sessions published to the clinic."
        parts = []
        if self.waiting:
            parts.append(f"{self.waiting} session{'s' if self.waiting != 1 else ''} waiting to publish")
        if self.conflicts:
            parts.append(f"{self.conflicts} with conflicting edits")
        return ", ".join(parts) + "."


# ---------------------------------------------------------------------- the queue
def queue_finished(local: SessionStore) -> None:
    """Put every finished session without an outbox row in the queue (waiting)."""
    with local._tx() as c:
        missing = c.execute(sa.select(_S.c.id).where(
            _S.c.state.in_(FINISHED), ~sa.exists().where(_O.c.session_id == _S.c.id))).scalars().all()
        if missing:
            c.execute(_O.insert(), [{"session_id": sid, "state": "waiting"} for sid in missing])


def queue_status(local: SessionStore) -> QueueStatus:
    queue_finished(local)
    rows = local._all(sa.select(_O.c.state, _O.c.last_error, _O.c.next_try_utc)
                      .where(_O.c.state != "published").order_by(_O.c.next_try_utc))
    waiting = [r for r in rows if r["state"] == "waiting"]
    errors = [r["last_error"] for r in waiting if r["last_error"]]
    tries = [r["next_try_utc"] for r in waiting if r["next_try_utc"]]
    return QueueStatus(len(waiting), len(rows) - len(waiting), errors[-1] if errors else "",
                       min(tries) if tries else None)


def waiting_ids(local: SessionStore, *, due_only: bool = False) -> list[str]:
    q = (sa.select(_O.c.session_id).join(_S, _S.c.id == _O.c.session_id)
         .where(_O.c.state == "waiting").order_by(_S.c.started_utc, _S.c.id))
    if due_only:
        q = q.where(sa.or_(_O.c.next_try_utc.is_(None), _O.c.next_try_utc <= utc_now()))
    return [r["session_id"] for r in local._all(q)]


def _set_outbox(local: SessionStore, sid: str, **values) -> None:
    with local._tx() as c:
        upsert(c, _O, {"session_id": sid, **values}, ("session_id",))


def _failed(local: SessionStore, sid: str, sentence: str) -> None:
    row = local._one(sa.select(_O.c.attempts).where(_O.c.session_id == sid))
    attempts = (row["attempts"] if row else 0) + 1
    nxt = _dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(seconds=backoff_s(attempts))
    _set_outbox(local, sid, state="waiting", attempts=attempts, last_error=sentence,
                next_try_utc=nxt.strftime("%Y-%m-%dT%H:%M:%SZ"))


# ---------------------------------------------------------------------- publishing
def publish(local: SessionStore, cfg: ClinicConfig, ids: Sequence[str] | None = None, *,
            due_only: bool = False, progress: ProgressFn | None = None) -> PublishReport:
    """Publish ``ids`` (default: every waiting session; ``due_only``: only those whose
    back-off has passed). Never raises for the clinic being away: see the report."""
    queue_finished(local)
    if ids is None:
        targets = waiting_ids(local, due_only=due_only)
    else:
        targets = []
        for sid in ids:
            info = local.get_session(sid)
            if info.state not in FINISHED:
                raise UserError(f"Session {sid} is not finished (state {info.state}); "
                                "it is published once it is.")
            targets.append(sid)
    if not targets:
        return PublishReport(waiting=len(waiting_ids(local)))
    published, failed, conflicts = [], [], []
    unreachable = ""
    clinic = None
    try:
        media = check_media_dir(cfg)
        clinic = open_clinic(cfg)
        pull_runners(local, clinic)
    except ClinicUnreachable as exc:
        unreachable = str(exc)
    except sa.exc.OperationalError as exc:
        unreachable = _unreachable(cfg, exc)
    if unreachable:
        for sid in targets:
            _failed(local, sid, unreachable)
    else:
        for i, sid in enumerate(targets):
            try:
                outcome = publish_one(local, clinic, media, cfg.station, sid, progress)
            except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
                unreachable = _unreachable(cfg, exc)
                for rest in targets[i:]:
                    _failed(local, rest, unreachable)
                break
            except OSError as exc:
                sentence = (f"The session folder could not be copied to the clinic media folder "
                            f"({exc.strerror or exc}).")
                _failed(local, sid, sentence)
                failed.append((sid, sentence))
                continue
            except UserError as exc:
                _failed(local, sid, str(exc))
                failed.append((sid, str(exc)))
                continue
            if outcome:
                conflicts.append((sid, outcome))
            else:
                published.append(sid)
    if clinic is not None:
        clinic.close()
    return PublishReport(tuple(published), tuple(failed), tuple(conflicts),
                         len(waiting_ids(local)), unreachable)


def _unreachable(cfg: ClinicConfig, exc: Exception) -> str:
    from app.session.engine import scrub

    orig = str(getattr(exc, "orig", exc)).strip().splitlines() or [""]
    return f"The clinic database {cfg.shown} cannot be reached ({scrub(orig[0], cfg.url).rstrip('.')})."


def publish_one(local: SessionStore, clinic: SessionStore, media: Path, station: str, sid: str,
                progress: ProgressFn | None = None) -> str:
    """Publish one session; returns '' when done, or the conflict sentence."""
    info = local.get_session(sid)
    if not info.folder.is_dir():
        raise UserError(f"The folder of session {sid} is missing ({info.folder}); "
                        "it cannot be published until it is back.")
    blocks = local.blocks(sid)
    runner = local.get_runner(info.runner_id) if info.runner_id is not None else None
    ob = local._one(sa.select(_O).where(_O.c.session_id == sid))
    seen = ob["clinic_version"] if ob else None
    if progress:
        progress("media", sid)
    copy_folder(info.folder, media / sid)
    if progress:
        progress("rows", sid)
    conflict = ""
    with clinic._tx() as c:
        rid = ensure_runner(c, local, runner) if runner is not None else None
        values = {"runner_id": rid, "name": info.name, "notes": info.notes}
        ins = upsert_session_row(c, info, values, station)
        if ins:
            SessionStore._write_blocks(c, sid, blocks)
            version = 1
        else:
            row = c.execute(sa.select(_S.c.version, _S.c.name, _S.c.notes, _S.c.runner_id)
                            .where(_S.c.id == sid).with_for_update()).mappings().one()
            same = all(row[k] == v for k, v in values.items())
            version = row["version"]
            if same or seen is None:
                pass  # already there (a retry, or another process published it first)
            elif row["version"] == seen:
                c.execute(_S.update().where(_S.c.id == sid).values(version=_S.c.version + 1, **values))
                version += 1
            else:
                conflict = (f"Session {sid} was edited at another station after this station's "
                            "last publish; this station's name/notes/runner were not published "
                            "(edit it in the session browser to settle it).")
    if conflict:
        _set_outbox(local, sid, state="conflict", last_error=conflict, clinic_version=version)
        return conflict
    _set_outbox(local, sid, state="published", attempts=0, last_error=None, next_try_utc=None,
                published_utc=utc_now(), clinic_version=version)
    if progress:
        progress("done", sid)
    return ""


def upsert_session_row(c: sa.Connection, info, values: dict, station: str) -> bool:
    """Insert the clinic's row for ``info`` unless one is there; True when inserted."""
    row = dict(id=info.id, state=info.state, started_utc=info.started_utc, duration_s=info.duration_s,
               view=info.view, facing=info.facing, template=info.template,
               thresholds_json=_dumps(info.thresholds), summary_json=_dumps(info.summary),
               folder=info.id, video=info.video, station=info.station or station, version=1, **values)
    if c.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    q = insert(_S).values(**row).on_conflict_do_nothing(index_elements=["id"]).returning(_S.c.id)
    return c.execute(q).first() is not None


def ensure_runner(c: sa.Connection, local: SessionStore, runner: Runner) -> int:
    """The clinic's id of ``runner``: matched by uid, else by name (the local runner then
    takes the clinic's uid), else inserted with the local uid."""
    rid = c.execute(sa.select(_R.c.id).where(_R.c.uid == runner.uid)).scalar()
    if rid is not None:
        return rid
    for _ in range(2):
        found = c.execute(sa.select(_R.c.id, _R.c.uid).where(
            sa.func.lower(_R.c.name) == runner.name.lower())).first()
        if found is not None:
            adopt_uid(local, runner.id, found.uid)
            return found.id
        try:
            with c.begin_nested():
                rid = c.execute(_R.insert().values(
                    name=runner.name, birth_year=runner.birth_year, height_cm=runner.height_cm,
                    notes=runner.notes, created_utc=runner.created_utc, version=1,
                    uid=runner.uid or uuid.uuid4().hex)).inserted_primary_key[0]
        except sa.exc.IntegrityError:
            continue  # another station added the same name just now: match it
        with local._tx() as lc:  # the clinic's copy is this one, at version 1
            lc.execute(_R.update().where(_R.c.id == runner.id).values(version=1, synced_version=1))
        return rid
    raise UserError(f"The runner {runner.name!r} could not be matched in the clinic store.")


def adopt_uid(local: SessionStore, runner_id: int, uid: str) -> None:
    with local._tx() as c:
        c.execute(_R.update().where(_R.c.id == runner_id).values(uid=uid))


def pull_runners(local: SessionStore, clinic: SessionStore) -> list[str]:
    """Make every clinic runner known here (same uid), so a runner added at another
    station can be picked for a recording; a local runner of the same name takes the
    clinic's uid. A runner edited here while the clinic was away (its version differs
    from the clinic version last mirrored) is published if the clinic's row did not
    change meanwhile; else the clinic's stays and a sentence says so (returned). Other
    runners mirror the clinic's details."""
    problems: list[str] = []
    rows = {r["id"]: r for r in local._all(sa.select(_R))}
    mine = {r["uid"]: r for r in rows.values() if r["uid"]}
    by_name = {r["name"].lower(): r for r in rows.values()}
    for r in clinic.list_runners():
        here = mine.get(r.uid) or by_name.get(r.name.lower())
        if here is None:
            try:
                made = local.add_runner(r.name, r.birth_year, r.height_cm, r.notes, uid=r.uid)
                _mirror(local, made.id, r)
            except (UserError, sa.exc.IntegrityError):
                pass  # added by another thread just now (the publisher, the browser): next pull
            continue
        synced = here["synced_version"]
        edited_here = synced is not None and here["version"] != synced and here["uid"] == r.uid
        if edited_here and r.version == synced:
            fields = {k: here[k] for k in ("name", "birth_year", "height_cm", "notes")}
            try:
                with clinic._tx() as c:
                    new = c.execute(_R.update().where(_R.c.id == r.id, _R.c.version == r.version)
                                    .values(version=_R.c.version + 1, **fields)
                                    .returning(_R.c.version)).scalar()
            except sa.exc.IntegrityError:
                new = None
            if new is not None:
                with local._tx() as c:
                    c.execute(_R.update().where(_R.c.id == here["id"]).values(version=new, synced_version=new))
                continue
            problems.append(f"The runner {here['name']!r} was edited here while the clinic was away "
                            "and could not be published (the name is taken there).")
        elif edited_here:
            problems.append(f"The runner {here['name']!r} was edited here while the clinic was away "
                            f"and at another station too ({r.name!r} there); this station's edit "
                            "was kept here, not published.")
            continue
        try:
            _mirror(local, here["id"], r)
        except sa.exc.IntegrityError:
            pass
    return problems


def _mirror(local: SessionStore, local_id: int, r: Runner) -> None:
    """The local runner takes the clinic runner's uid, details and version."""
    with local._tx() as c:
        c.execute(_R.update().where(_R.c.id == local_id).values(
            uid=r.uid, name=r.name, birth_year=r.birth_year, height_cm=r.height_cm, notes=r.notes,
            version=r.version, synced_version=r.version))


# ---------------------------------------------------------------------- media
def copy_folder(src: Path, dest: Path) -> None:
    """Copy session folder ``src`` to ``dest`` in the media folder: whole into a hidden
    temporary folder then renamed, or, when ``dest`` is there (a retry, an earlier
    publish), file by file where size or time differ. Hidden files are not copied."""
    files = [p for p in sorted(src.rglob("*")) if p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(src).parts)]
    if not dest.is_dir():
        tmp = dest.parent / f".incoming-{dest.name}-{uuid.uuid4().hex[:8]}"
        try:
            for p in files:
                target = tmp / p.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(p, target)
            (tmp / MARKER).write_text(utc_now() + "\n", encoding="utf-8")
            try:
                os.rename(tmp, dest)
                return
            except OSError:
                if not dest.is_dir():
                    raise
                # another process published the same session first: complete theirs below
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    for p in files:
        target = dest / p.relative_to(src)
        st = p.stat()
        try:
            dt = target.stat()
            if dt.st_size == st.st_size and int(dt.st_mtime) == int(st.st_mtime):
                continue
        except FileNotFoundError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
        try:
            shutil.copy2(p, part)
            os.replace(part, target)
        finally:
            if part.exists():
                part.unlink()


def _dumps(v: dict | None) -> str:
    import json

    return json.dumps(v or {})
