"""``python -m app exercise NAME --source PATH|demo|camera:N``: a camera-coached exercise.

NAME: ``single_leg_squat`` or ``single_leg_balance`` (or their names). The person faces
the camera (front view). Prints each rep (leg, depth, knee FPPA and pelvic drop at the
bottom, the cue if the knee went in) or each hold (time, pelvic drop, sway) and left vs
right; ``--json OUT`` writes them. ``--source demo`` is the synthetic squatter (truth and
the errors against it are in the JSON); a file runs the pose model over it; ``camera:N``
runs the live pipeline for ``--seconds``. ``--list`` prints the exercise library.
``--runner NAME --tick`` ticks the exercise off in the runner's programme for today.
Exit codes: 0; 2 bad input; 3 no rep / hold found.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from app.errors import EXIT_NO_GAIT, NoGaitError, UserError
from app.types import View


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", metavar="NAME",
                   help="single_leg_squat or single_leg_balance (see --list)")
    p.add_argument("--list", action="store_true", help="list the exercise library and exit")
    p.add_argument("--source", default="demo",
                   help="video or landmark file, 'demo' (synthetic squatter) or 'camera:N'")
    p.add_argument("--headless", action="store_true",
                   help="no window (the only mode of this command; accepted for clarity)")
    p.add_argument("--view", choices=["front", "rear"], default="front",
                   help="camera view (default front: the person faces the camera)")
    p.add_argument("--seconds", type=float, default=30.0,
                   help="camera: run this long (default 30)")
    p.add_argument("--noise-px", type=float, default=1.5,
                   help="demo: pose-like landmark noise in pixels (default 1.5)")
    p.add_argument("--seed", type=int, default=0, help="demo: noise seed")
    p.add_argument("--json", metavar="OUT", help="write reps / holds and the summary as JSON")
    p.add_argument("--runner", metavar="NAME", help="with --tick: the runner")
    p.add_argument("--tick", action="store_true",
                   help="tick the exercise off today in the runner's programme (with the result)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from app.cli.analyze import _AtomicOutputs, _check_writable
    from app.exercise.library import default_library

    lib = default_library()
    if args.list:
        print(library_text(lib))
        return 0
    if not args.name:
        raise UserError("Name the exercise (e.g. single_leg_squat) or use --list.")
    ex = lib.get(args.name)
    if not ex.coached:
        coached = ", ".join(e.id for e in lib.coached())
        raise UserError(f"{ex.name} is not camera-coached (coached: {coached}).")
    if args.json:
        _check_writable(Path(args.json))
    if args.tick and not args.runner:
        raise UserError("--tick needs --runner NAME.")
    view = View(args.view)
    src = args.source.strip()
    if src.lower() == "demo":
        doc = _run_demo(ex.coached, view, args.noise_px, args.seed)
    elif src.lower().startswith("camera"):
        doc = _run_live(ex.coached, view, src, args.seconds)
    else:
        doc = _run_file(ex.coached, view, Path(src), not args.quiet)
    key = "reps" if ex.coached == "single_leg_squat" else "holds"
    outputs = _AtomicOutputs()
    try:
        if args.json:
            outputs.write_text(Path(args.json), json.dumps(doc, indent=1) + "\n")
        outputs.commit()
    except BaseException:
        outputs.discard()
        raise
    print(result_text(doc))
    if not doc[key]:
        what = "reps" if key == "reps" else "single-leg holds"
        raise NoGaitError(f"No {ex.name.lower()} {what} were found in {doc['source']}.", EXIT_NO_GAIT)
    if args.tick:
        print(_tick(args.runner, ex.id, doc))
    return 0


def _run_demo(exercise: str, view: View, noise_px: float, seed: int) -> dict:
    from app.capture.squatter import SyntheticSquatter
    from app.exercise.engine import run_exercise

    if not 0 <= noise_px <= 20:
        raise UserError("--noise-px must be 0 to 20.")
    sq = SyntheticSquatter(exercise=exercise, noise_px=noise_px, seed=seed)
    doc = run_exercise(sq.samples(30.0), exercise, view)
    doc["source"] = f"demo (synthetic squatter, {noise_px:g} px noise)"
    doc["truth"] = [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in t.items()}
                    for t in sq.truth()]
    doc["errors"] = truth_errors(doc, doc["truth"])
    return doc


def truth_errors(doc: dict, truth: list[dict]) -> dict:
    """Measured − true per rep/hold (matched in order) and their mean / RMSE / max |e|."""
    key = "reps" if doc["exercise"] == "single_leg_squat" else "holds"
    fields = (("knee_fppa_deg", "pelvic_drop_deg", "trunk_lean_deg") if key == "reps"
              else ("hold_s", "pelvic_drop_deg", "sway_rms_pct_leg"))
    kind = "rep" if key == "reps" else "hold"
    true = [t for t in truth if t["kind"] == kind]
    out: dict = {"matched": min(len(true), len(doc[key])), "found": len(doc[key]), "true": len(true)}
    for f in fields:
        errs = [r[f] - t[f] for r, t in zip(doc[key], true)
                if r.get(f) is not None and t.get(f) is not None and r["leg"] == t["leg"]]
        if errs:
            out[f] = {"mean": round(sum(errs) / len(errs), 3),
                      "rmse": round(math.sqrt(sum(e * e for e in errs) / len(errs)), 3),
                      "max_abs": round(max(abs(e) for e in errs), 3)}
    return out


def _run_file(exercise: str, view: View, path: Path, progress: bool) -> dict:
    from app.cli.analyze import _ProgressBar
    from app.exercise.engine import run_exercise
    from app.pose.pipeline import iter_poses

    bar = _ProgressBar(enabled=progress, label=path.name)
    meta, samples = iter_poses(path, progress=bar.update)  # bad input raises here
    try:
        doc = run_exercise(samples, exercise, meta.view or view)
    finally:
        bar.close()
        if hasattr(samples, "close"):
            samples.close()
    if doc["n_samples"] == 0:
        raise UserError(f"{path.name} contains no frames.")
    doc["source"] = path.name
    return doc


def _run_live(exercise: str, view: View, spec: str, seconds: float) -> dict:
    """The live pipeline (capture thread + pose worker) with the exercise engine."""
    from app.capture.live import open_source
    from app.cli.session import run_for
    from app.exercise.engine import ExerciseEngine, result_json
    from app.pose.worker import LivePipeline

    if seconds <= 0:
        raise UserError("--seconds must be positive.")
    source = open_source(spec)
    pipe = LivePipeline(source, view, None,
                        engine_factory=lambda v, f: ExerciseEngine(exercise, v))
    pipe.start()
    try:
        run_for(pipe, seconds)
    finally:
        pipe.stop()
    eng = pipe.worker.engine
    if eng is None:
        raise UserError(pipe.status().message or f"{spec} could not be opened.")
    eng.finish()
    doc = result_json(eng)
    doc["source"] = source.name
    return doc


def _tick(runner_name: str, exercise_id: str, doc: dict) -> str:
    import datetime as _dt

    from app.plan.store import PlanStore
    from app.session.store import open_store

    with open_store() as st:
        runner = st.find_runner(runner_name)
        ps = PlanStore(st)
        prog = ps.active_programme(runner.id)
        if prog is None:
            raise UserError(f"{runner.name} has no programme yet (python -m app plan … --save).")
        if exercise_id not in prog.exercise_ids:
            raise UserError(f"{exercise_id} is not in {runner.name}'s programme.")
        ps.tick(prog.id, exercise_id, _dt.date.today(), {"summary": doc["summary"]})
    return f"Ticked {exercise_id} for {runner.name} today."


def library_text(lib) -> str:  # noqa: ANN001
    lines = [f"{'id':30s} {'stage':10s} {'dose':28s} serves"]
    for e in lib:
        coached = "  [camera-coached]" if e.coached else ""
        lines.append(f"{e.id:30s} {e.stage:10s} {e.dose.text:28s} {', '.join(e.serves)}{coached}")
    lines.extend(f"warning: {p}" for p in lib.problems)
    return "\n".join(lines)


def _f(v, fmt: str = "+.1f") -> str:  # noqa: ANN001
    return "—" if v is None else format(v, fmt)


def result_text(doc: dict) -> str:
    lines = [f"{doc['name']} — {doc['source']}, {doc['duration_s']:.1f} s"]
    if doc["exercise"] == "single_leg_squat":
        lines.append(f"{'rep':>3s} {'leg':5s} {'depth %leg':>10s} {'knee FPPA':>9s} {'pelvic drop':>11s}  cue")
        for r in doc["reps"]:
            lines.append(f"{r['index'] + 1:3d} {r['leg']:5s} {_f(r['depth_pct_leg'], '.0f'):>10s} "
                         f"{_f(r['knee_fppa_deg']):>8s}° {_f(r['pelvic_drop_deg']):>10s}°  {r['cue'] or ''}")
        keys = (("knee_fppa_deg", "knee FPPA", "°"), ("pelvic_drop_deg", "pelvic drop", "°"),
                ("depth_pct_leg", "depth", " % leg"))
    else:
        lines.append(f"{'hold':>4s} {'leg':5s} {'time s':>7s} {'pelvic drop':>11s} {'sway %leg':>9s}")
        for h in doc["holds"]:
            lines.append(f"{h['index'] + 1:4d} {h['leg']:5s} {h['hold_s']:7.1f} "
                         f"{_f(h['pelvic_drop_deg']):>10s}° {_f(h['sway_rms_pct_leg'], '.1f'):>9s}")
        keys = (("hold_s", "hold time", " s"), ("pelvic_drop_deg", "pelvic drop", "°"),
                ("sway_rms_pct_leg", "sway (RMS)", " % leg"))
    s = doc["summary"]
    lines.append("")
    lines.append(f"left {s['left']['n']}, right {s['right']['n']}:")
    for k, label, unit in keys:
        lm, rm = s["left"][k]["mean"], s["right"][k]["mean"]
        d = s["left_minus_right"][k]
        lines.append(f"  {label:12s} left {_f(lm)}{unit}, right {_f(rm)}{unit}, left − right {_f(d)}{unit}")
    errs = doc.get("errors")
    if errs:
        lines.append("")
        lines.append(f"against the synthetic truth ({errs['matched']} of {errs['true']} matched):")
        for k, v in errs.items():
            if isinstance(v, dict):
                lines.append(f"  {k:18s} bias {v['mean']:+.2f}, RMSE {v['rmse']:.2f}, max |error| {v['max_abs']:.2f}")
    return "\n".join(lines)
