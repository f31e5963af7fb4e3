"""``python -m app analyze PATH``: gait events and metrics of a video or landmark file."""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import sys
from pathlib import Path
from app.atomic import publish, temp_beside
from app.errors import EXIT_NO_GAIT, InputFileError, NoGaitError, UserError
from app.pose.timebase import add_capture_fps_argument, check_capture_fps
from app.types import Facing, View


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", metavar="PATH", help="a video file, a landmark file (.csv, .csv.gz) "
                   "or a recorded session folder (every view of it)")
    p.add_argument("--view", choices=[v.value for v in View],
                   help="camera view (default: the landmark file's, else side)")
    p.add_argument("--facing", choices=[f.value for f in Facing],
                   help="side view: the image direction the runner faces (default: detected)")
    p.add_argument("--json", metavar="OUT", help="write the full result as JSON")
    p.add_argument("--csv", metavar="OUT", help="write one row per step as CSV")
    p.add_argument("--landmarks", metavar="OUT",
                   help="write the pose landmarks as a landmark file (.csv or .csv.gz)")
    p.add_argument("--threads", type=int, default=1, metavar="N",
                   help="pose-model (XNNPACK) threads (default 1, with clips of 6 s or more "
                        "analysed as two halves on two threads; N > 1 runs one instance "
                        "with N model threads instead, fast on an idle machine but much "
                        "slower when another program is busy)")
    add_capture_fps_argument(p)
    p.add_argument("--roi", metavar="X,Y,W,H",
                   help="runner region in pixels: the pose model looks only there and follows "
                        "the runner from it (default: proposed from the first confident "
                        "person, and another person is tried when that one shows no gait)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from app.gait.analysis import analyze_samples
    from app.pose.landmark_file import LandmarkMeta, LandmarkWriter, is_landmark_file
    from app.pose.pipeline import iter_poses
    from app.pose.runner_search import needs_search, other_runner, parse_roi, with_lost_warnings
    from app.pose.view_check import check_view, with_view_warning

    path = Path(args.path)
    for out in (args.json, args.csv, args.landmarks):
        if out:
            _check_writable(Path(out))
    from app.cli.analyze_views import is_session_folder, run_folder

    if is_session_folder(path):  # a recorded session, one or two views
        return run_folder(path, args.json)
    bar = _ProgressBar(enabled=not args.quiet, label=path.name)
    if args.threads < 1:
        raise UserError("--threads must be 1 or more.")
    capture_fps = check_capture_fps(getattr(args, "capture_fps", None))
    region = parse_roi(getattr(args, "roi", None))
    if region is not None and is_landmark_file(path):
        raise UserError(f"--roi picks the runner in a video; {path.name} is a landmark file "
                        "whose poses are already chosen.")
    meta, samples = iter_poses(path, progress=bar.update, num_threads=args.threads,
                               capture_fps=capture_fps, region=region)  # bad input raises here
    view = View(args.view) if args.view else (meta.view or View.SIDE)
    facing = Facing(args.facing) if args.facing else meta.facing

    outputs = _AtomicOutputs()
    writer = None
    try:
        if args.landmarks:
            out_meta = LandmarkMeta(meta.width, meta.height, meta.fps, view, facing,
                                    meta.source or path.name, meta.subject_height_cm,
                                    meta.capture_fps)
            writer = LandmarkWriter(outputs.temp_for(Path(args.landmarks)), out_meta,
                                    flush_each=False)
        collected: list = []
        with contextlib.closing(samples) if hasattr(samples, "close") else contextlib.nullcontext():
            result = analyze_samples(samples, view, facing, meta.time_fps or None,
                                     on_sample=collected.append)
        if region is None and needs_search(result) and not is_landmark_file(path):
            result, collected = other_runner(path, collected, result, view, facing,
                                             meta.time_fps, capture_fps, bar.update)
        result = with_lost_warnings(result, collected)
        bar.close()
        verdict = check_view((x.landmarks for x in collected), view.value)  # the poses analysed
        result = with_view_warning(result, verdict, f"Re-run with --view {verdict.seen}.")
        if writer is not None:
            for sample in collected:
                writer.write(sample)
            writer.close()
            if facing is None and result.facing is not None:
                _set_facing_in_header(outputs.temp_for(Path(args.landmarks)), result.facing)
        if result.n_samples == 0:
            raise InputFileError(f"{path.name} contains no frames.")
        doc = result.to_json_dict()
        doc["source"] = path.name
        doc["capture_fps"] = meta.capture_fps
        doc["quality"]["view"] = verdict.to_json()
        if args.json:
            outputs.write_text(Path(args.json), json.dumps(doc, indent=1) + "\n")
        if args.csv:
            outputs.write_text(Path(args.csv), _steps_csv(result))
        if not result.has_gait:
            reason = result.warnings[0] if result.warnings else "no running or walking steps were found"
            outputs.commit()
            print(_summary(result, path.name))
            raise NoGaitError(f"No gait to measure in {path.name}: {reason}.", EXIT_NO_GAIT)
        outputs.commit()
    except BaseException:
        bar.close()
        if writer is not None:
            writer.close()
        outputs.discard()
        raise
    print(_summary(result, path.name))
    return 0


# -------------------------------------------------------------------------- outputs
def _check_writable(path: Path) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"Cannot write {path}: the folder {parent} does not exist.")
    if not os.access(parent, os.W_OK):
        raise UserError(f"Cannot write {path}: the folder {parent} is not writable.")


class _AtomicOutputs:
    """Output files written to temporaries beside their destination, renamed at commit."""

    def __init__(self) -> None:
        self._temps: dict[Path, Path] = {}

    def temp_for(self, dest: Path) -> Path:
        if dest not in self._temps:
            self._temps[dest] = temp_beside(dest)
        return self._temps[dest]

    def write_text(self, dest: Path, text: str) -> None:
        try:
            self.temp_for(dest).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"Cannot write {dest}: {exc.strerror or exc}.") from None

    def commit(self) -> None:
        for dest, tmp in self._temps.items():
            publish(tmp, dest)  # 0666 less the umask, as every other file the app writes
        self._temps.clear()

    def discard(self) -> None:
        for tmp in self._temps.values():
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._temps.clear()


def _set_facing_in_header(path: Path, facing: Facing) -> None:
    """Record the detected facing in a just-written landmark file's metadata."""
    import gzip

    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        text = fh.read()
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line.startswith("# "):
            lines.insert(i, f"# facing={facing.value}")
            break
    with opener(path, "wt", encoding="utf-8") as fh:  # type: ignore[operator]
        fh.write("\n".join(lines))


def _steps_csv(result) -> str:
    rows = [result.step_dict(s) for s in result.steps]
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols or ["index"], lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if v is None else v) for k, v in r.items()})
    return buf.getvalue()


# -------------------------------------------------------------------------- display
def _fmt(v: float | None, nd: int = 1) -> str:
    return "—" if v is None else f"{v:.{nd}f}"


def _summary(result, name: str) -> str:
    from app.gait.analysis import camera_roll_text
    from app.gait.metrics import METRIC_SPECS

    from app.gait.plausibility import SLOW_MOTION_HINT

    lines = [f"{name}: {result.view.value} view"
             + (f", facing {result.facing.value}" if result.facing else "")
             + f", {result.duration_s:.1f} s, {result.n_samples} frames"]
    # A slow-motion warning makes every time below wrong, a wrong view every number:
    # they come first.
    from app.pose.view_check import is_view_warning

    lead = [w for w in result.warnings if w.startswith(SLOW_MOTION_HINT)]
    wrong_view = [w for w in result.warnings if is_view_warning(w)]
    rest = [w for w in result.warnings if w not in lead and w not in wrong_view]
    lines.extend(f"WARNING: {w}" for w in wrong_view)
    lines.extend(f"warning: {w}" for w in lead)
    if result.cadence_spm is not None:
        lines.append(f"Cadence        {result.cadence_spm:.1f} steps/min  ({result.n_steps} steps)")
    else:
        lines.append(f"Cadence        —  ({result.n_steps} steps)")
    if not result.has_gait:
        # A few stray "steps" (e.g. someone jumping) are not gait: no metrics for them.
        lines.append("No metrics: too few running or walking steps to measure.")
        lines.extend(f"warning: {w}" for w in rest)
        return "\n".join(lines)
    c = result.metrics.get("contact_ms")
    f = result.metrics.get("flight_ms")
    if c is not None and c.n:
        lines.append(f"Contact        left {_fmt(c.left_mean, 0)} ms, right {_fmt(c.right_mean, 0)} ms")
    if f is not None and f.n:
        lines.append(f"Flight         left {_fmt(f.left_mean, 0)} ms, right {_fmt(f.right_mean, 0)} ms")
    if result.foot_strike:
        lines.append(f"Foot strike    {result.foot_strike}")
    if result.camera_roll_deg is not None:
        lines.append(f"Camera         {camera_roll_text(result.camera_roll_deg)}")
    lines.append("")
    lines.append(f"{'metric':34s} {'mean':>8s} {'± SD':>7s} {'n':>4s}  unit")
    for metric_name, s in result.metrics.items():
        label = METRIC_SPECS[metric_name].label
        lines.append(f"{label:34s} {_fmt(s.mean, 1):>8s} {_fmt(s.sd, 1):>7s} {s.n:4d}  {s.unit}")
    if rest:
        lines.append("")
        lines.extend(f"warning: {w}" for w in rest)
    return "\n".join(lines)


class _ProgressBar:
    """Progress of long work on stderr (frames): a live tqdm bar on a terminal; written to
    a file or a CI log, one plain line per tenth of the work (a redrawn bar there leaves
    hundreds of copies of itself)."""

    def __init__(self, enabled: bool, label: str, file=None) -> None:  # noqa: ANN001
        self._enabled = enabled
        self._label = label
        self._file = file
        self._bar = None
        self._last_tenth = -1

    @property
    def file(self):  # noqa: ANN201
        return self._file if self._file is not None else sys.stderr

    def _interactive(self) -> bool:
        isatty = getattr(self.file, "isatty", None)
        return bool(isatty and isatty())

    def update(self, done: int, total: int | None) -> None:
        if not self._enabled:
            return
        if not self._interactive():
            self._line(done, total)
            return
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=self._label, unit="frame", file=self.file,
                             leave=False, mininterval=0.2, dynamic_ncols=True)
        self._bar.n = done
        if total is not None and self._bar.total != total:
            self._bar.total = max(total, done)
        self._bar.refresh() if done == total else self._bar.update(0)

    def _line(self, done: int, total: int | None) -> None:
        """Plain lines: at 0, 10, …, 100 % (each once); without a total, every 1000 frames."""
        if total:
            tenth = min(10, int(10 * done / total))
            if tenth <= self._last_tenth:
                return
            self._last_tenth = tenth
            text = f"{self._label}: {10 * tenth} % ({min(done, total)}/{total} frames)"
        else:
            if done // 1000 <= self._last_tenth:
                return
            self._last_tenth = done // 1000
            text = f"{self._label}: {done} frames"
        print(text, file=self.file, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
