"""``python -m app plan ASSESSMENT…``: the clinical picture and the proposed programme.

ASSESSMENT: an ``analyze --json`` result, a recorded session (id, prefix or folder; its
baseline block when it has one; ``@KIND``/``@START-END`` pick a part), a video or landmark
file, or ``demo`` (the demo runner; ``--demo KEY=VALUE`` sets its faults). Several give
one picture (e.g. a side and a rear view of the same runner).

``--json OUT``: ``{"primary": {"fault", "evidence", …} | null, "compensations": […],
"exercises": […], "template", "plan", "reassess_due", "picture": {…}, …}``;
``--export PDF``: the clinician's picture page and the runner's programme page;
``--runner NAME --save``: keep the programme with the runner (session store).
Exit codes: 0; 2 bad input; 3 an assessment without gait.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
from pathlib import Path

from app.errors import EXIT_NO_GAIT, NoGaitError, UserError
from app.types import Facing, View


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("sources", nargs="+", metavar="ASSESSMENT",
                   help="RESULT.json, a session id/folder (SESSION@baseline…), a video, a "
                        "landmark file, or 'demo'")
    p.add_argument("--view", choices=[v.value for v in View],
                   help="camera view of a video / the demo runner (default: the file's, else side)")
    p.add_argument("--facing", choices=[f.value for f in Facing], help="side view: facing")
    p.add_argument("--demo", action="append", default=[], metavar="KEY=VALUE",
                   help="demo runner setting, e.g. overstride=0.25, cadence_spm=155, "
                        "pelvic_drop_deg=8, knee_valgus_deg=12, noise_px=2 (repeatable)")
    p.add_argument("--exercises", type=int, default=5, metavar="N",
                   help="exercises to propose for the primary fault, 3–6 (default 5)")
    p.add_argument("--json", metavar="OUT", help="write the picture and programme as JSON")
    p.add_argument("--export", metavar="PDF",
                   help="write the clinical picture and the runner's programme page as PDF")
    p.add_argument("--runner", metavar="NAME", help="the runner (session store)")
    p.add_argument("--save", action="store_true",
                   help="keep the proposed programme with --runner (or the session's runner)")
    p.add_argument("--quiet", action="store_true", help="no progress output")


def _demo_params(items: list[str]) -> dict:
    out: dict = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--demo needs KEY=VALUE, not {item!r}.")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise UserError(f"--demo {key}: {value!r} is not a number.") from None
    return out


def run(args: argparse.Namespace) -> int:
    from app.cli.analyze import _AtomicOutputs, _check_writable
    from app.exercise.library import default_library
    from app.plan.assessment import load_assessment
    from app.plan.picture import clinical_picture, settings_bands
    from app.plan.programme import propose

    for out in (args.json, args.export):
        if out:
            _check_writable(Path(out))
    if not 3 <= args.exercises <= 6:
        raise UserError("--exercises must be 3 to 6.")
    demo = _demo_params(args.demo)
    view = View(args.view) if args.view else None
    facing = Facing(args.facing) if args.facing else None
    assessments = [load_assessment(s, view=view, facing=facing, demo_params=dict(demo))
                   for s in args.sources]
    for a in assessments:
        if not a.has_gait:
            raise NoGaitError(f"No gait to assess in {a.label}: no running or walking steps "
                              "were found.", EXIT_NO_GAIT)
    picture = clinical_picture([a.doc for a in assessments], settings_bands(),
                               [a.label + (f" ({a.part})" if a.part else "") for a in assessments])
    library = default_library()
    first = assessments[0]
    baseline = _date_of(first.started_utc) or _dt.date.today()
    prog = propose(picture, library, baseline=baseline, count=args.exercises,
                   source=first.label, source_session=first.session_id)
    runner_name = args.runner or first.runner
    load_lines: list[str] = []
    stored_id = None
    if args.save or runner_name:
        stored_id, load_lines = _store_side(args, runner_name, prog)
        if stored_id is not None:
            from dataclasses import replace

            prog = replace(prog, id=stored_id)
    doc = plan_json(picture, prog, library, load_lines, runner_name, assessments)
    outputs = _AtomicOutputs()
    try:
        if args.json:
            outputs.write_text(Path(args.json), json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
        if args.export:
            from app.plan.printout import write_plan_pdf

            try:
                write_plan_pdf(outputs.temp_for(Path(args.export)), picture.to_json(), prog,
                               library, runner_name, load_lines)
            except OSError as exc:
                raise UserError(f"Cannot write {args.export}: {exc.strerror or exc}.") from None
        outputs.commit()
    except BaseException:
        outputs.discard()
        raise
    print(render_text(picture, prog, library, load_lines))
    if stored_id is not None and args.save:
        print(f"\nSaved as programme {stored_id} of {runner_name}.")
    return 0


def _date_of(utc: str | None) -> _dt.date | None:
    from app.session.records import parse_utc

    dt = parse_utc(utc)
    return dt.astimezone().date() if dt else None


def _store_side(args, runner_name: str | None, prog) -> tuple[int | None, list[str]]:  # noqa: ANN001
    """Save the programme with the runner when asked; the runner's load guidance."""
    from app.plan.load import guidance
    from app.plan.store import PlanStore
    from app.session.store import open_store

    if args.save and not runner_name:
        raise UserError("--save needs --runner NAME (the assessment has no runner).")
    with open_store() as st:
        try:
            runner = st.find_runner(runner_name)
        except UserError:
            if args.save:
                raise
            return None, []
        ps = PlanStore(st)
        pid = ps.save_programme(runner.id, prog).id if args.save else None
        return pid, guidance(ps.load_log(runner.id), _dt.date.today())


def plan_json(picture, prog, library, load_lines, runner, assessments) -> dict:  # noqa: ANN001
    pj = picture.to_json()
    exercises = []
    for it in prog.items:
        ex = library.get(it.exercise_id)
        exercises.append({**it.to_json(), "name": ex.name, "stage": ex.stage,
                          "category": ex.category, "serves": list(ex.serves),
                          "dose_text": it.dose.text, "cue": ex.cue,
                          "instructions": list(ex.instructions), "coached": ex.coached})
    return {
        "headline": pj["headline"], "primary": pj["primary"],
        "compensations": pj["compensations"], "other_findings": pj["other_findings"],
        "watch": pj["watch"], "not_measured": pj["not_measured"],
        "template": prog.template, "plan": prog.plan, "exercises": exercises,
        "baseline_date": prog.baseline_date, "reassess_due": prog.reassess_due,
        "load_guidance": load_lines, "runner": runner, "programme_id": prog.id,
        "assessments": [{"label": a.label, "kind": a.kind, "session_id": a.session_id,
                         "part": a.part, "view": a.doc.get("view"), "n_steps": a.doc.get("n_steps"),
                         "cadence_spm": a.doc.get("cadence_spm")} for a in assessments],
        "picture": pj,
    }


def render_text(picture, prog, library, load_lines) -> str:  # noqa: ANN001
    lines = ["Clinical picture (" + ", ".join(picture.sources) + ")", ""]
    lines += picture.summary_lines()
    lines += ["", "Proposed programme: " + prog.focus_text]
    if prog.plan:
        lines.append(f"  Retraining: template {prog.template}, plan {prog.plan}")
    for i, it in enumerate(prog.items, 1):
        ex = library.get(it.exercise_id)
        lines.append(f"  {i}. {ex.name} [{ex.stage}] — {it.dose.text}   “{ex.cue}”")
    lines.append(f"  Reassessment due {prog.reassess_due} (6 weeks after the baseline of "
                 f"{prog.baseline_date}).")
    for t in load_lines:
        lines.append(f"  Load: {t}")
    return "\n".join(lines)
