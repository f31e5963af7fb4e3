"""Regenerable validation table of the gait engine against the real ground truth.

Run from the repository root::

    python -m tests.validation.make_table docs/VALIDATION.md          # Markdown
    python -m tests.validation.make_table --json out.json              # JSON (for tests)
    python -m tests.validation.make_table --clips c3d                  # no pose model

Clips (``../shared/data`` or ``$GAITCOACH_SHARED_DATA``):

* ``male_side``: real treadmill running video, 30 fps, side view, facing left; truth = 34 IC
  + 34 TO hand-annotated by frame, cadence 168.5 spm, mean contact time per foot.
* ``c3d``: gaitalytics treadmill walk, markers converted to a side-view landmark stream
  (``tests.helpers.c3d_landmarks``), 100 Hz; truth = the file's force-plate-grade events.
* ``distractors``: overground walking with other people in view (a person doing jumping
  jacks and a back-flip, a small person in the background). Truth, counted by hand on the
  frames: the walker's heel strikes on frames 61, 80, 99, 117, 136, 154, 172 and 190
  (97.7 spm; the data README's "roughly 110–125" is not what the frames show), and her
  hip path (``WALKER_TRACK``). The walker must be followed (pose on her path on ≥ 90 % of
  frames 60–195), nobody else (0 poses off her path) and the cadence within ±8 spm.
* ``c3d_knee``, ``c3d_frontal``, ``rates``: the C3D and the synthetic runner in every view
  and at 30–240 fps (``tests.validation.frontal``).
* ``mp_smoothing``: what MediaPipe's own landmark smoothing does to event timing, measured
  (``tests.validation.smoothing``; no targets).

Event times are compared in seconds from the first sample of the clip (frame / fps for
the videos); errors are reported in frames of the clip's rate.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import json
import math
import os
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from tests.helpers.event_matching import match_events, norm_foot, norm_kind

REPO = Path(__file__).resolve().parents[2]

AnalyzeFn = Callable[..., Any]
PoseIterFn = Callable[[Path], Iterable[Any]]

#: Matching tolerance (s) within which a detection counts as finding a truth event.
MATCH_TOLERANCE_S = {"male_side": 0.100, "c3d": 0.100}


@dataclass(frozen=True)
class Targets:
    """Pass/fail limits of one clip; None = reported only."""

    cadence_abs_spm: float | None = None
    median_abs_err_frames: float | None = None
    median_abs_err_ms: float | None = None
    min_found_pct: float | None = None
    contact_abs_ms: float | None = None


TARGETS = {
    "male_side": Targets(cadence_abs_spm=1.0, median_abs_err_frames=1.0, min_found_pct=90.0,
                         contact_abs_ms=25.0),
    "c3d": Targets(cadence_abs_spm=0.5, median_abs_err_ms=20.0, min_found_pct=90.0),
}

#: The walker of walk_side_distractors.mp4: heel strikes counted on the frames (30 fps).
WALKER_HEEL_STRIKES = (61, 80, 99, 117, 136, 154, 172, 190)
DISTRACTOR_CADENCE_SPM = 60.0 * 30.0 * (len(WALKER_HEEL_STRIKES) - 1) / (
    WALKER_HEEL_STRIKES[-1] - WALKER_HEEL_STRIKES[0])
DISTRACTOR_CADENCE_TOL_SPM = 8.0
#: Her hip midpoint: x ≈ X0 + VX * (frame − 60) px (walking right to left), y in a band;
#: frames in which she is fully in view.
WALKER_TRACK = {"x0": 1410.0, "vx": -9.95, "x_tol": 150.0, "y": (600.0, 850.0),
                "frames": (60, 195)}


def on_walker_track(frame: int, landmarks: Any) -> bool:
    """True when the pose's hip midpoint is on the walker's path at ``frame``."""
    hip = (landmarks[23, :2] + landmarks[24, :2]) / 2.0
    x = WALKER_TRACK["x0"] + WALKER_TRACK["vx"] * (frame - 60)
    lo, hi = WALKER_TRACK["y"]
    return abs(float(hip[0]) - x) <= WALKER_TRACK["x_tol"] and lo <= float(hip[1]) <= hi

#: Clips whose rows come from ``tests.validation.frontal`` (no pose model needed).
EXTRA_CLIPS = {"c3d_frontal": "c3d_frontal_rows", "c3d_knee": "c3d_knee_rows", "rates": "rate_rows"}
ALL_CLIPS = ("male_side", "c3d", "c3d_knee", "c3d_frontal", "rates", "mp_smoothing", "distractors")


@dataclass
class Row:
    """One line of the table. ``passed`` None = informational (no target)."""

    clip: str
    quantity: str
    truth: str
    measured: str
    error: str
    target: str
    passed: bool | None
    values: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.passed is not None:
            self.passed = bool(self.passed)


@dataclass
class ClipTruth:
    """Truth of one clip: events [(kind, foot, t_s)], cadence (spm), mean contact (ms)."""

    events: list[tuple[str, str, float]]
    cadence_spm: float | None
    contact_ms: dict[str, float | None]


# --------------------------------------------------------------------------- helpers


def shared_data_dir() -> Path:
    """``$GAITCOACH_SHARED_DATA`` or ``<repo>/../shared/data``."""
    env = os.environ.get("GAITCOACH_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def _fmt(x: float | None, nd: int = 1, unit: str = "") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    return f"{x:.{nd}f}{unit}"


def _signed(x: float | None, nd: int = 1, unit: str = "") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "—"
    return f"{x:+.{nd}f}{unit}"


def _git_commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return (sha or "unknown") + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def events_from_result(result: Any, t0_ns: int = 0) -> list[tuple[str, str, float]]:
    """The engine's GaitEvents as (kind, foot, t_s from the clip's first sample)."""
    return [
        (norm_kind(e.kind), norm_foot(e.foot), (int(e.t_ns) - t0_ns) / 1e9)
        for e in getattr(result, "events", ()) or ()
    ]


def contact_from_result(result: Any) -> dict[str, float | None]:
    """``result.contact_ms_by_foot`` with plain "left"/"right" keys."""
    raw = getattr(result, "contact_ms_by_foot", None) or {}
    out: dict[str, float | None] = {"left": None, "right": None}
    for k, v in raw.items():
        out[norm_foot(k)] = None if v is None else float(v)
    return out


def fps_from_samples(samples: Sequence[Any], nominal: float) -> float:
    """Frame rate from the median sample interval (Hz); ``nominal`` if it cannot be measured
    or agrees with it within 1 %."""
    ts = [s.t_ns for s in samples]
    if len(ts) < 3:
        return nominal
    d = sorted(b - a for a, b in zip(ts, ts[1:]))
    med = d[len(d) // 2]
    if med <= 0:
        return nominal
    fps = 1e9 / med
    return nominal if abs(fps - nominal) <= 0.01 * nominal else fps


# --------------------------------------------------------------------------- truth


def load_male_side_truth(path: Path) -> tuple[ClipTruth, dict[str, Any]]:
    """male_side ground_truth.json -> truth (t_s = frame / fps) and raw json."""
    gt = json.loads(path.read_text(encoding="utf-8"))
    fps = float(gt["fps"])
    events = [(norm_kind(e["kind"]), norm_foot(e["foot"]), int(e["frame"]) / fps) for e in gt["events"]]
    contact = {f: float(gt["contact_time_ms"][f]["mean_ms"]) for f in ("left", "right")}
    cad = gt["cadence_spm"]["best_estimate"]
    return ClipTruth(sorted(events, key=lambda e: e[2]), float(cad), contact), gt


# --------------------------------------------------------------------------- evaluation


def evaluate_event_clip(
    clip: str,
    result: Any,
    truth: ClipTruth,
    fps: float,
    targets: Targets,
    tolerance_s: float,
    t0_ns: int = 0,
) -> list[Row]:
    """Rows for a clip with event truth: cadence, IC/TO errors and recall, false events,
    contact time per foot. Errors in frames at ``fps``; truth/detections in s."""
    detected = events_from_result(result, t0_ns)
    m = match_events(truth.events, detected, tolerance_s)
    rows: list[Row] = []

    cad = getattr(result, "cadence_spm", None)
    cad = None if cad is None else float(cad)
    err = None if cad is None or truth.cadence_spm is None else cad - truth.cadence_spm
    tgt = targets.cadence_abs_spm
    rows.append(Row(
        clip, "cadence (spm)", _fmt(truth.cadence_spm, 1), _fmt(cad, 1), _signed(err, 2),
        "—" if tgt is None else f"±{tgt:g}",
        None if tgt is None else (err is not None and abs(err) <= tgt),
        {"truth": truth.cadence_spm, "measured": cad, "error": err},
    ))

    for kind in ("IC", "TO"):
        sub = m.subset(kind=kind)
        med_s = sub.median_abs_error_s
        med_f = None if med_s is None else med_s * fps
        bias_f = None if sub.mean_signed_error_s is None else sub.mean_signed_error_s * fps
        if targets.median_abs_err_frames is not None:
            tgt_txt = f"≤{targets.median_abs_err_frames:g} fr"
            ok = med_f is not None and med_f <= targets.median_abs_err_frames + 1e-9
        elif targets.median_abs_err_ms is not None:
            tgt_txt = f"≤{targets.median_abs_err_ms:g} ms"
            ok = med_s is not None and med_s * 1000.0 <= targets.median_abs_err_ms + 1e-9
        else:
            tgt_txt, ok = "—", None
        per_foot = {
            f: _fmt(m.subset(kind=kind, foot=f).median_abs_error_frames(fps), 1) for f in ("left", "right")
        }
        rows.append(Row(
            clip, f"{kind} median abs error (frames @ {fps:g} fps)", "0",
            f"{_fmt(med_f, 2)} ({_fmt(None if med_s is None else med_s * 1000, 0)} ms; "
            f"L {per_foot['left']}, R {per_foot['right']})",
            f"bias {_signed(bias_f, 2)} fr", tgt_txt, ok,
            {"median_abs_s": med_s, "median_abs_frames": med_f, "bias_frames": bias_f,
             "max_abs_s": sub.max_abs_error_s},
        ))
    for kind in ("IC", "TO"):
        sub = m.subset(kind=kind)
        rec = sub.recall
        pct = None if rec is None else 100.0 * rec
        tgt = targets.min_found_pct
        rows.append(Row(
            clip, f"{kind} found (%)", f"{sub.n_truth} events", f"{len(sub.matched)} = {_fmt(pct, 0)}%",
            f"{len(sub.missed)} missed", "—" if tgt is None else f"≥{tgt:g}%",
            None if tgt is None else (pct is not None and pct >= tgt),
            {"n_truth": sub.n_truth, "n_matched": len(sub.matched), "found_pct": pct},
        ))
    fp = m.false_positives
    rows.append(Row(
        clip, "false events (IC+TO)", "0", str(len(fp)),
        f"IC {sum(1 for e in fp if e[0] == 'IC')}, TO {sum(1 for e in fp if e[0] == 'TO')}",
        "—", None, {"n_false": len(fp), "n_detected": len(detected)},
    ))
    contact = contact_from_result(result)
    for foot in ("left", "right"):
        t_ms, d_ms = truth.contact_ms.get(foot), contact.get(foot)
        err = None if t_ms is None or d_ms is None else d_ms - t_ms
        tgt = targets.contact_abs_ms
        rows.append(Row(
            clip, f"mean contact {foot} (ms)", _fmt(t_ms, 0), _fmt(d_ms, 0), _signed(err, 0),
            "—" if tgt is None else f"±{tgt:g} ms",
            None if tgt is None else (err is not None and abs(err) <= tgt),
            {"truth": t_ms, "measured": d_ms, "error": err},
        ))
    return rows


def evaluate_distractor_clip(clip: str, result: Any, samples: Sequence[Any] = ()) -> list[Row]:
    """Rows for the robustness clip: the walker followed, nobody else, her cadence."""
    truth, tol = DISTRACTOR_CADENCE_SPM, DISTRACTOR_CADENCE_TOL_SPM
    cad = getattr(result, "cadence_spm", None)
    cad = None if cad is None else float(cad)
    err = None if cad is None else cad - truth
    f0, f1 = WALKER_TRACK["frames"]
    posed = [s for s in samples if getattr(s, "landmarks", None) is not None]
    on = [s for s in posed if on_walker_track(s.frame_index, s.landmarks)]
    in_view = [s for s in on if f0 <= s.frame_index <= f1]
    followed_pct = 100.0 * len(in_view) / (f1 - f0 + 1)
    off = len(posed) - len(on)
    n_ev = len(getattr(result, "events", ()) or ())
    n_steps = len(getattr(result, "steps", ()) or ())
    return [
        Row(clip, "cadence (spm)", f"{truth:.1f} (heel strikes counted)", _fmt(cad, 1),
            _signed(err, 1), f"±{tol:g}", err is not None and abs(err) <= tol,
            {"truth": truth, "measured": cad, "error": err}),
        Row(clip, f"walker followed (% of frames {f0}–{f1})", "100", _fmt(followed_pct, 0),
            f"{len(in_view)} of {f1 - f0 + 1} frames", "≥90%", followed_pct >= 90.0,
            {"followed_pct": followed_pct}),
        Row(clip, "poses of anyone else (frames)", "0", str(off), "—", "0", off == 0,
            {"off_track": off}),
        Row(clip, "events / steps", "—", f"{n_ev} / {n_steps}", "—", "—", None,
            {"n_events": n_ev, "n_steps": n_steps}),
    ]


# --------------------------------------------------------------------------- running


def _default_analyze() -> AnalyzeFn:
    try:
        from app.gait.analysis import analyze_samples
    except ImportError as exc:  # the engine is being written
        raise RuntimeError(f"app.gait.analysis.analyze_samples is not available: {exc}") from exc
    return analyze_samples


def _default_pose_iter(path: Path) -> list[Any]:
    from app.pose.pipeline import iter_video_poses

    with contextlib.closing(iter_video_poses(path)) as it:
        return list(it)


def _view_facing(view: str, facing: str | None) -> tuple[Any, Any]:
    from app.types import Facing, View

    return View(view), (Facing(facing) if facing else None)


def run(
    clips: Sequence[str] = ALL_CLIPS,
    data_dir: Path | None = None,
    analyze: AnalyzeFn | None = None,
    pose_iter: PoseIterFn | None = None,
) -> dict[str, Any]:
    """Evaluate the chosen clips; returns {"header": {...}, "rows": [Row as dict], ...}.

    ``analyze`` defaults to ``app.gait.analysis.analyze_samples`` and ``pose_iter`` to
    ``app.pose.pipeline.iter_video_poses`` (real MediaPipe); both are injectable for tests.
    A clip that raises is reported as one failed row, the others still run.
    """
    data = Path(data_dir) if data_dir is not None else shared_data_dir()
    analyze = analyze or _default_analyze()
    real_poses = pose_iter is None
    pose_iter = pose_iter or _default_pose_iter
    rows: list[Row] = []
    settings: dict[str, Any] = {}

    for clip in clips:
        try:
            if clip == "male_side":
                truth, gt = load_male_side_truth(data / "male_side_run" / "ground_truth.json")
                samples = list(pose_iter(data / "male_side_run" / "male_side.mp4"))
                fps = fps_from_samples(samples, float(gt["fps"]))
                view, facing = _view_facing("side", gt.get("facing", "left"))
                res = analyze(samples, view, facing, fps)
                t0 = samples[0].t_ns if samples else 0
                settings[clip] = {"source": "male_side.mp4 via iter_video_poses", "fps": fps,
                                  "view": "side", "facing": "left", "tolerance_s": MATCH_TOLERANCE_S[clip],
                                  "n_samples": len(samples)}
                rows += evaluate_event_clip(clip, res, truth, fps, TARGETS[clip], MATCH_TOLERANCE_S[clip], t0)
            elif clip == "c3d":
                from tests.helpers.c3d_landmarks import c3d_to_samples

                path = data / "gaitalytics_treadmill_walk" / "treadmill_events.c3d"
                samples, meta = c3d_to_samples(path, view="side", facing="left")
                truth = ClipTruth(meta["events"], meta["truth_cadence_spm"], meta["truth_contact_ms_mean"])
                view, facing = _view_facing("side", "left")
                res = analyze(samples, view, facing, meta["fps"])
                settings[clip] = {"source": "treadmill_events.c3d via c3d_to_samples (side, facing left, "
                                            "1280x720, orthographic)", "fps": meta["fps"],
                                  "tolerance_s": MATCH_TOLERANCE_S[clip], "n_samples": len(samples),
                                  "time_base": f"event t - {meta['capture_start_s']:g} s"}
                rows += evaluate_event_clip(clip, res, truth, meta["fps"], TARGETS[clip],
                                            MATCH_TOLERANCE_S[clip], 0)
            elif clip in EXTRA_CLIPS:
                from tests.validation import frontal

                fn = getattr(frontal, EXTRA_CLIPS[clip])
                rows += fn(data / "gaitalytics_treadmill_walk" / "treadmill_events.c3d", Row, settings)
            elif clip == "mp_smoothing":
                from tests.validation import smoothing

                rows += smoothing.smoothing_rows(data, Row, settings, real_poses)
            elif clip == "distractors":
                path = data / "sports2d_walk" / "walk_side_distractors.mp4"
                samples = list(pose_iter(path))
                fps = fps_from_samples(samples, 30.0)
                view, facing = _view_facing("side", "left")
                res = analyze(samples, view, facing, fps)
                from app.pose.runner_search import needs_search, other_runner

                if real_poses and needs_search(res):  # as `analyze`: try the other people
                    res, samples = other_runner(path, samples, res, view, facing, fps)
                settings[clip] = {"source": "walk_side_distractors.mp4 via iter_video_poses "
                                            "(+ runner search, as analyze)", "fps": fps,
                                  "view": "side", "facing": "left", "n_samples": len(samples)}
                rows += evaluate_distractor_clip(clip, res, samples)
            else:
                raise ValueError(f"unknown clip {clip!r}")
        except Exception as exc:  # noqa: BLE001 - one broken clip must not hide the others
            rows.append(Row(clip, "run", "—", f"error: {type(exc).__name__}: {exc}", "—", "runs", False))

    n_checked = sum(1 for r in rows if r.passed is not None)
    n_pass = sum(1 for r in rows if r.passed)
    header = {
        "date_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "git_commit": _git_commit(),
        "python": platform.python_version(),
        "clips": list(clips),
        "settings": settings,
    }
    return {"header": header, "rows": [asdict(r) for r in rows], "n_checked": n_checked,
            "n_passed": n_pass}


def render_markdown(report: dict[str, Any]) -> str:
    """The report as a Markdown document (title, settings line, table, summary)."""
    h = report["header"]
    lines = [
        "# GaitCoach validation",
        "",
        "Generated by `python -m tests.validation.make_table docs/VALIDATION.md`; do not edit by hand.",
        "",
        f"Date {h['date_utc']}, commit `{h['git_commit']}`, Python {h['python']}. Settings: "
        + "; ".join(
            f"**{c}**: " + ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in s.items())
            for c, s in h["settings"].items()
        ),
        "",
        "| clip | quantity | truth | measured | error | target | pass |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in report["rows"]:
        mark = "—" if r["passed"] is None else ("pass" if r["passed"] else "**FAIL**")
        cells = [r["clip"], r["quantity"], r["truth"], r["measured"], r["error"], r["target"], mark]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    lines += [
        "",
        f"{report['n_passed']} of {report['n_checked']} checked quantities pass.",
        "",
        "Sources: male_side.mp4 © 2026 zzzhushi (MIT); treadmill_events.c3d © 2024 André Böni "
        "(python-gaitalytics, MIT); walk_side_distractors.mp4 © 2022 perfanalytics (Sports2D, BSD-3-Clause).",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry; exit code 0 if every checked quantity passed, 1 otherwise."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("output", nargs="?", help="output file (default: stdout)")
    ap.add_argument("--json", action="store_true", help="write JSON instead of Markdown")
    ap.add_argument("--clips", default=",".join(ALL_CLIPS),
                    help="comma-separated subset of " + ",".join(ALL_CLIPS))
    ap.add_argument("--data", type=Path, default=None, help="shared data directory")
    args = ap.parse_args(argv)
    clips = [c.strip() for c in args.clips.split(",") if c.strip()]
    try:
        report = run(clips, data_dir=args.data)
    except RuntimeError as exc:  # engine missing
        print(f"make_table: {exc}", file=sys.stderr)
        return 2
    text = json.dumps(report, indent=1, default=str) + "\n" if args.json else render_markdown(report)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0 if report["n_passed"] == report["n_checked"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
