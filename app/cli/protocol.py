"""``gaitcoach protocol``: run a guided retraining protocol headless, or list templates.

    python -m app protocol --list [--runner NAME]
    python -m app protocol --template cadence --source demo --headless --record DIR \\
        [--time-scale 20] [--runner NAME] [--json OUT]
    python -m app protocol --plan cadence_2w --runner NAME --source camera:0 --headless
    python -m app protocol --save my_template.toml --runner NAME

Runs every block of the template (``--time-scale K`` runs block timers K× faster), records
the session into a new folder under DIR (default: the sessions root), stores it with its
blocks, compares the baseline and retention blocks and writes ``report.pdf`` into the
folder; prints one line per block. A bad template, plan, source or folder: one sentence,
exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from app.errors import UserError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--list", action="store_true", help="list the templates and plans and exit")
    p.add_argument("--template", metavar="NAME", help="template to run (see --list)")
    p.add_argument("--plan", metavar="NAME",
                   help="run today's session of a multi-session plan (needs --runner)")
    p.add_argument("--source", default="demo",
                   help="video file (looped), 'demo' or 'camera:N' (default demo)")
    p.add_argument("--headless", action="store_true",
                   help="no window (the only mode of this command; accepted for clarity)")
    p.add_argument("--record", metavar="DIR",
                   help="record into a new session folder under DIR (default: the sessions root)")
    p.add_argument("--time-scale", type=float, default=1.0, metavar="K",
                   help="run block timers K times faster (tests, demos), default 1")
    p.add_argument("--runner", metavar="NAME",
                   help="the runner (session store); created if new")
    p.add_argument("--json", metavar="OUT", help="write the per-block figures as JSON to OUT")
    p.add_argument("--no-audio", action="store_true", help="no metronome or voice (silent run)")
    p.add_argument("--no-report", action="store_true", help="skip the comparison and PDF report")
    p.add_argument("--save", metavar="FILE",
                   help="validate a template file and save it with --runner, then exit")
    p.add_argument("--quiet", action="store_true", help="print only the final table")


def run(args: argparse.Namespace) -> int:
    from app.protocol.templates import TemplateLibrary

    if not 0 < args.time_scale <= 1000:
        raise UserError("--time-scale must be a number above 0 and at most 1000.")
    library = TemplateLibrary.load()
    runner_id, runner_name = None, None
    if args.runner:
        runner_id, runner_name, library = _with_runner(args.runner, library, create=not args.list)
    for problem in library.problems:
        print(f"gaitcoach: {problem}", file=sys.stderr)
    if args.save:
        return _save(args, runner_id, runner_name)
    if args.list:
        return _list(library, runner_id)
    plan_name, plan_session = None, None
    if args.plan:
        if runner_id is None:
            raise UserError("--plan needs --runner: the plan follows one runner's sessions.")
        template, plan_name, plan_session = _plan_template(args.plan, library, runner_id)
    elif args.template:
        template = library.get(args.template)
    else:
        raise UserError("Name a template with --template NAME (or --list to see them).")
    if args.json:
        _check_writable(Path(args.json))
    return _run(args, template, runner_id, plan_name, plan_session)


def _with_runner(name: str, library, create: bool):  # noqa: ANN001
    from app.session.store import open_store

    with open_store() as st:
        try:
            r = st.find_runner(name)
        except UserError:
            if not create:
                raise
            r = st.add_runner(name)
            print(f"new runner       {r.name}")
        saved = st.runner_templates(r.id)
    return r.id, r.name, library.with_runner(saved, r.name)


def _save(args, runner_id, runner_name) -> int:  # noqa: ANN001
    from app.protocol.templates import load_template_file
    from app.session.store import open_store

    if runner_id is None:
        raise UserError("--save needs --runner: a template is saved with one runner.")
    t = load_template_file(args.save)
    with open_store() as st:
        st.save_runner_template(runner_id, t.name, t.to_toml())
    print(f"saved template '{t.name}' ({t.title}) with {runner_name}")
    return 0


def _list(library, runner_id) -> int:  # noqa: ANN001
    from app.protocol.plan import load_plans, today

    print("Templates:")
    for t in library:
        kinds = " → ".join(f"{b.kind} {b.duration_s / 60:g}′" for b in t.blocks)
        src = "" if t.source == "shipped" else f" [{t.source}]"
        print(f"  {t.name:16s} {t.title} — {t.view_words}, {t.duration_s / 60:g} min{src}")
        print(f"  {'':16s} {kinds}")
    plans, problems = load_plans(library=library)
    for p in problems:
        print(f"gaitcoach: {p}", file=sys.stderr)
    if plans:
        print("Plans:")
        sessions = []
        if runner_id is not None:
            from app.session.store import open_store

            with open_store() as st:
                sessions = st.list_sessions(runner_id)
        for pl in plans.values():
            line = f"  {pl.name:16s} {pl.title}"
            if runner_id is not None:
                line += f"\n  {'':16s} next: {today(pl, sessions).message}"
            print(line)
    return 0


def _plan_template(name: str, library, runner_id: int):  # noqa: ANN001
    from app.protocol.plan import load_plans, today
    from app.session.store import open_store

    plans, _ = load_plans(library=library)
    if name not in plans:
        raise UserError(f"There is no plan named '{name}' (available: {', '.join(plans) or 'none'}).")
    pl = plans[name]
    with open_store() as st:
        sessions = st.list_sessions(runner_id)
    now = today(pl, sessions)
    print(now.message)
    if now.session is None:
        raise UserError(f"The plan '{name}' is already complete for this runner.")
    return pl.template_for(now.session.number, library), pl.name, now.session.number


def _check_writable(dest: Path) -> None:
    parent = dest.parent if str(dest.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"Cannot write {dest}: the folder {parent} does not exist.")


def _run(args, template, runner_id, plan_name, plan_session) -> int:  # noqa: ANN001
    from app.protocol.session import run_protocol

    t0 = time.perf_counter()

    def on_event(ev) -> None:  # noqa: ANN001
        if not args.quiet and ev.kind not in ("said",):
            print(f"[{time.perf_counter() - t0:6.1f} s] {ev.message}", flush=True)

    def progress(text: str) -> None:
        if not args.quiet:
            print(text, flush=True)

    if not args.quiet:
        print(f"protocol         {template.title} ({template.name}), {len(template.blocks)} blocks, "
              f"{template.duration_s / 60:g} min at ×{args.time_scale:g} = "
              f"{template.duration_s / args.time_scale:.0f} s", flush=True)
    run_ = run_protocol(template, args.source, args.record, time_scale=args.time_scale,
                        runner_id=runner_id, audio=not args.no_audio, plan=plan_name,
                        plan_session=plan_session, make_report=not args.no_report,
                        on_event=on_event, progress=progress)
    out = run_.outcome
    print(f"sound            {run_.audio}")
    for p in run_.voice_problems:
        print(f"gaitcoach: {p}", file=sys.stderr)
    print(f"frames           {run_.frames} captured, {run_.dropped} not analysed, "
          f"{run_.wall_s:.1f} s wall time")
    _print_blocks(out)
    if out.baseline_spm is not None:
        print(f"baseline         {out.baseline_spm:.1f} spm → target "
              f"{'—' if out.target_spm is None else f'{out.target_spm:.1f} spm'}")
    if out.comparison is not None:
        from app.compare.table import format_table

        print("baseline vs retention:")
        print(format_table(list(out.comparison.rows), "Baseline", "Retention"))
    if out.report is not None:
        print(f"report           {out.report}")
    if out.folder is not None:
        print(f"session          {out.folder} ({'stored' if out.stored else 'not stored'})")
    for m in out.messages:
        print(f"gaitcoach: {m}", file=sys.stderr)
    if args.json:
        doc = out.to_json()
        doc.update(audio=run_.audio, audio_ok=run_.audio_ok, frames=run_.frames,
                   dropped_frames=run_.dropped, wall_s=round(run_.wall_s, 2),
                   time_scale=args.time_scale, events=[
                       {"t_s": None, "t_ns": e.t_ns, "kind": e.kind, "block": e.block,
                        "message": e.message} for e in run_.events])
        if out.folder is not None:
            t_first = run_.events[0].t_ns if run_.events else 0
            for e, d in zip(run_.events, doc["events"]):
                d["t_s"] = round((e.t_ns - t_first) / 1e9, 3)
        dest = Path(args.json)
        tmp = dest.with_name(f".{dest.name}.tmp")
        tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        tmp.replace(dest)
    if out.recording_state != "complete":
        return 1
    return 0


def _print_blocks(out) -> None:  # noqa: ANN001
    print(f"{'block':14s} {'kind':10s} {'rec s':>6s} {'steps':>5s} {'cadence':>8s} "
          f"{'target':>7s} {'metro':>9s} {'on beat':>7s} {'phase':>6s} {'cues':>4s}")
    rows = out.block_summaries or [None] * len(out.blocks)
    for res, b in zip(out.blocks, rows):
        rec_s = "—" if b is None or b.get("t_end_s") is None else \
            f"{b['t_end_s'] - b['t_start_s']:.1f}"
        share = "—" if res.sync_share is None else f"{100 * res.sync_share:.0f} %"
        phase = "—" if res.sync_mean_ms is None else f"{res.sync_mean_ms:+.0f}"
        cad = "—" if res.cadence_spm is None else f"{res.cadence_spm:.1f}"
        tgt = "—" if res.target_spm is None else f"{res.target_spm:.1f}"
        name = res.name + ("*" if res.skipped else "")
        print(f"{name:14s} {res.kind:10s} {rec_s:>6s} {res.n_steps:5d} {cad:>8s} {tgt:>7s} "
              f"{res.metronome:>9s} {share:>7s} {phase:>6s} {res.n_cues:4d}")
