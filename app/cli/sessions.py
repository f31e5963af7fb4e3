"""``python -m app sessions ACTION``: browse and edit the session store from a terminal.

Every action first syncs the store with the sessions folder (new recordings appear, moved
or deleted folders are marked). Session ids may be shortened to a unique prefix. With a
clinic database configured (GAITCOACH_DB_URL or Settings → Clinic database) the actions
see the clinic's sessions of all stations (app/session/station.py), and ``publish``
sends this station's finished sessions there (app/session/publish.py).
"""

from __future__ import annotations

import argparse
import sys

from app.errors import UserError
from app.session.records import duration_text, plural


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = sub.add_parser("list", help="sessions, newest first")
    a.add_argument("--runner", metavar="NAME", help="only this runner's sessions")
    a = sub.add_parser("show", help="one session in full: files, health, blocks, summary")
    a.add_argument("id", metavar="ID")
    a = sub.add_parser("rename", help="give a session a name")
    a.add_argument("id", metavar="ID")
    a.add_argument("name", metavar="NAME")
    a = sub.add_parser("notes", help="replace a session's clinician notes")
    a.add_argument("id", metavar="ID")
    a.add_argument("text", metavar="TEXT")
    a = sub.add_parser("assign", help="assign a session to a runner ('-' for none)")
    a.add_argument("id", metavar="ID")
    a.add_argument("runner", metavar="RUNNER")
    a = sub.add_parser("delete", help="delete a session and its folder (needs --yes)")
    a.add_argument("id", metavar="ID")
    a.add_argument("--yes", action="store_true", help="really delete the folder and its video")
    a = sub.add_parser("export", help="zip a session folder to OUT.zip")
    a.add_argument("id", metavar="ID")
    a.add_argument("out", metavar="OUT.zip")
    sub.add_parser("runners", help="list runners")
    a = sub.add_parser("runner-add", help="add a runner")
    a.add_argument("name", metavar="NAME")
    a.add_argument("--birth-year", type=int, metavar="YYYY")
    a.add_argument("--height-cm", type=float, metavar="CM")
    sub.add_parser("sync", help="scan the sessions folder and report what changed")
    a = sub.add_parser("publish", help="publish finished sessions to the clinic store "
                       "(default: all waiting); exit 1 if it cannot be reached")
    a.add_argument("ids", metavar="ID", nargs="*", help="only these sessions")


def run(args: argparse.Namespace) -> int:
    from app.session.store import open_store

    with open_store() as local:
        report = local.sync()
        for sentence in report.skipped:
            print(f"warning: {sentence}", file=sys.stderr)
        if args.action == "publish":
            return _publish(local, args)
        from app.session.station import open_station_store

        store = open_station_store(local) if args.action not in ("sync", "export") else local
        if store is local and local.clinic_status:
            print(f"warning: {local.clinic_status}", file=sys.stderr)
        try:
            return _ACTIONS[args.action](store, args, report)
        finally:
            if store is not local:
                store.clinic.close()


def _publish(local, args) -> int:
    """Publish what is waiting (or ``args.ids``); a few quick retries with back-off if
    the clinic is away, then exit 1 with its sentence."""
    import time

    from app.session.clinic import ClinicUnreachable, load_config
    from app.session.publish import publish

    cfg = load_config()
    if cfg is None:
        raise UserError("No clinic database is configured (Settings → Clinic database, or "
                        "GAITCOACH_DB_URL=postgresql://user@host/database).")
    ids = [local.resolve_id(i) for i in args.ids] or None

    def progress(step: str, sid: str) -> None:
        if step == "media":
            print(f"Publishing {sid}…", flush=True)

    for delay in (1.0, 2.0, 4.0, None):
        rep = publish(local, cfg, ids, progress=progress)
        if not rep.unreachable or delay is None:
            break
        print(f"warning: {rep.unreachable} Trying again in {delay:g} s.", file=sys.stderr)
        time.sleep(delay)
    for sid, why in rep.failed + rep.conflicts:
        print(f"warning: {sid}: {why}", file=sys.stderr)
    n = len(rep.published)
    print(f"Published {n} session{'s' if n != 1 else ''} to {cfg.shown}"
          + (f"; {rep.waiting} still waiting." if rep.waiting else "."))
    if rep.unreachable:
        raise ClinicUnreachable(f"{rep.unreachable} {rep.waiting} session"
                                f"{'s' if rep.waiting != 1 else ''} waiting to publish.")
    return 0 if rep.ok else 1


def _list(store, args, _report) -> int:
    from app.session.store import session_health

    runner_id = store.find_runner(args.runner).id if args.runner else None
    sessions = store.list_sessions(runner_id)
    clinic = getattr(store, "cfg", None)
    if clinic is not None:
        from app.session.publish import queue_status

        print(f"Clinic {clinic.shown}, this station: {clinic.station}. "
              f"{queue_status(store.local).sentence()}")
    if not sessions:
        print("No sessions." if runner_id is None else f"No sessions for {args.runner}.")
        return 0
    station = (f"{'station':14s}  " if clinic is not None else "")
    print(f"{'id':22s}  {'date (local)':19s}  {'name':20s}  {'runner':14s}  {station}{'view':5s}  "
          f"{'dur':>7s}  {'cadence':>7s}  state")
    for s in sessions:
        h = session_health(s)
        state = s.state_text if h.ok else h.kind.replace("_", " ")
        if s.publish_state in ("waiting", "conflict") and clinic is not None:
            state += f", {'waiting to publish' if s.publish_state == 'waiting' else 'edit conflict'}"
        where = (f"{_cut(s.station or clinic.station, 14):14s}  " if clinic is not None else "")
        print(f"{s.id:22s}  {s.started_text:19s}  {_cut(s.name, 20):20s}  {_cut(s.runner_name or '', 14):14s}  "
              f"{where}{s.view or '':5s}  {_duration(s.duration_s):>7s}  {_num(s.cadence_spm):>7s}  {state}")
    return 0


def _show(store, args, _report) -> int:
    from app.session.store import session_health, summary_metric_names, summary_value

    s = store.get_session(store.resolve_id(args.id))
    h = session_health(s)
    rows = [("id", s.id), ("name", s.name or "—"), ("runner", s.runner_name or "—"),
            ("date (local)", s.started_text), ("state", s.state_text),
            ("duration", _duration(s.duration_s)),
            ("station", s.station or "this station"),
            ("view", f"{s.view or '—'}" + (f", facing {s.facing}" if s.facing else "")),
            ("template", s.template or "—"), ("folder", str(s.folder)),
            ("video", str(s.video_path) if s.video_path else "—")]
    for k, v in rows:
        print(f"{k:14s} {v}")
    print(f"{'health':14s} {h.message or 'ok'}")
    if s.notes:
        print("notes:")
        print("\n".join(f"  {line}" for line in s.notes.splitlines()))
    blocks = store.blocks(s.id)
    if blocks:
        print("blocks:")
        for b in blocks:
            print(f"  {b.idx:2d} {b.kind:10s} {_duration(b.start_s):>7s} – {_duration(b.end_s):>7s}  {b.name}")
    names = summary_metric_names(s.summary)
    if names:
        print("summary:")
        for n in names:
            print(f"  {n:34s} {_num(summary_value(s.summary, n))}")
    return 0


def _rename(store, args, _report) -> int:
    s = store.rename_session(store.resolve_id(args.id), args.name)
    print(f"{s.id} is now named {s.name!r}.")
    return 0


def _notes(store, args, _report) -> int:
    s = store.set_notes(store.resolve_id(args.id), args.text)
    print(f"Notes of {s.id} saved.")
    return 0


def _assign(store, args, _report) -> int:
    sid = store.resolve_id(args.id)
    runner = None if args.runner == "-" else store.find_runner(args.runner)
    store.assign_runner(sid, runner.id if runner else None)
    print(_sentence(f"{sid} assigned to {runner.name}") if runner else f"{sid} has no runner now.")
    return 0


def _delete(store, args, _report) -> int:
    sid = store.resolve_id(args.id)
    if not args.yes:
        raise UserError(f"Deleting {sid} removes its folder and video for good; add --yes to do it.")
    store.delete_session(sid)
    print(f"Deleted {sid}.")
    return 0


def _export(store, args, _report) -> int:
    sid = store.resolve_id(args.id)
    out = store.export_session(sid, args.out)
    print(f"Wrote {out}.")
    return 0


def _runners(store, _args, _report) -> int:
    runners = store.list_runners()
    if not runners:
        print("No runners. Add one with: python -m app sessions runner-add NAME")
    for r in runners:
        n = len(store.list_sessions(r.id))
        extra = ", ".join(x for x in (f"born {r.birth_year}" if r.birth_year else "",
                                      f"{r.height_cm:g} cm" if r.height_cm else "") if x)
        print(f"{r.name}  ({plural(n, 'session')}{', ' + extra if extra else ''})")
    return 0


def _runner_add(store, args, _report) -> int:
    r = store.add_runner(args.name, args.birth_year, args.height_cm)
    print(_sentence(f"Added runner {r.name}"))
    return 0


def _sync(store, _args, report) -> int:
    print(f"{len(report.added)} added, {len(report.updated)} updated, "
          f"{len(report.missing)} with a missing folder, {len(report.skipped)} unreadable.")
    return 0


_ACTIONS = {"list": _list, "show": _show, "rename": _rename, "notes": _notes,
            "assign": _assign, "delete": _delete, "export": _export, "runners": _runners,
            "runner-add": _runner_add, "sync": _sync}


_duration = duration_text


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def _num(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}"


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
