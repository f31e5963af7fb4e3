"""One batch input analysed into its own result folder (runs inside a Dask worker).

An input is a video, a landmark file, or a session folder (its landmark file: the gait
engine is re-run on the recorded poses). The analysis is exactly ``python -m app analyze``
(``app.cli.analyze.run`` with the same defaults), so a batch result is identical to
analysing the file alone. The folder gets ``result.json``, ``steps.csv`` and, for a
video, ``landmarks.csv.gz``; it is written under a hidden temporary name and renamed
when complete, then ``done.json`` records the input's size and time so a later run of
the batch skips it (resume). Pure Python, no Qt; every pose model lives in the worker
process that runs the job.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import shutil
import time
import uuid
from pathlib import Path

VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".avi", ".m4v", ".webm", ".mpg", ".mpeg", ".ts"}
DONE = "done.json"
RESULT = "result.json"
STATUS_OK, STATUS_NO_GAIT, STATUS_FAILED = "ok", "no gait", "failed"


def is_input(path: Path) -> bool:
    """A file or folder the batch can analyse."""
    from app.pose.landmark_file import is_landmark_file

    if path.is_dir():
        return (path / "session.json").is_file()
    return path.suffix.lower() in VIDEO_SUFFIXES or is_landmark_file(path)


def expand(paths: list[str]) -> list[Path]:
    """The inputs named: files, session folders, and the inputs directly inside any other
    folder (sorted). Missing paths are kept (reported as failed)."""
    out: list[Path] = []
    for text in paths:
        p = Path(text)
        if p.is_dir() and not (p / "session.json").is_file():
            out += sorted(c for c in p.iterdir() if not c.name.startswith(".") and is_input(c))
        else:
            out.append(p)
    seen: set[Path] = set()
    return [p for p in out if not (p.resolve() in seen or seen.add(p.resolve()))]


def result_names(inputs: list[Path]) -> dict[Path, str]:
    """One result-folder name per input: its stem (a session: its id), with a short hash
    of the path added when two inputs share a stem."""
    stems = {p: (p.name if p.is_dir() else p.name.split(".")[0]) for p in inputs}
    counts: dict[str, int] = {}
    for s in stems.values():
        counts[s] = counts.get(s, 0) + 1
    return {p: s if counts[s] == 1 else f"{s}-{hashlib.sha1(str(p.resolve()).encode()).hexdigest()[:6]}"
            for p, s in stems.items()}


def fingerprint(path: Path) -> dict:
    """What identifies an input's content for resuming: size and modification time."""
    target = _analysed_file(path) if path.is_dir() else path
    st = target.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def already_done(path: Path, folder: Path) -> dict | None:
    """The summary row kept in ``folder/done.json`` when it matches the input as it is now."""
    try:
        done = json.loads((folder / DONE).read_text(encoding="utf-8"))
        if done.get("fingerprint") == fingerprint(path) and done.get("status") != STATUS_FAILED:
            return done.get("row")
    except (OSError, ValueError):
        pass
    return None


def _analysed_file(path: Path) -> Path:
    """The file a session folder is analysed from: its landmark file (else its video)."""
    for name in ("landmarks.csv", "landmarks.csv.gz"):
        if (path / name).is_file():
            return path / name
    try:
        video = json.loads((path / "session.json").read_text(encoding="utf-8")).get("video")
    except (OSError, ValueError):
        video = None
    if isinstance(video, str) and (path / video).is_file():
        return path / video
    from app.errors import InputFileError

    raise InputFileError(f"Session {path.name} has neither a landmark file nor a video to analyse.")


def analyze_one(path: str, out_root: str, name: str) -> dict:
    """Analyse ``path`` into ``out_root/name``; returns its summary row (never raises for
    a bad input: the row says why, in one sentence)."""
    from app.errors import NoGaitError, UserError

    t0, cpu0 = time.perf_counter(), time.process_time()
    src = Path(path)
    dest = Path(out_root) / name
    row = {"input": str(src), "output": str(dest), "status": STATUS_FAILED, "cadence_spm": None,
           "n_steps": None, "duration_s": None, "view": None, "seconds": None, "cpu_s": None,
           "worker": str(_worker()),
           "error": ""}
    tmp = Path(out_root) / f".{name}.partial-{uuid.uuid4().hex[:8]}"
    try:
        target = _analysed_file(src) if src.is_dir() else src
        if not target.exists():
            raise UserError(f"{src} does not exist.")
        tmp.mkdir(parents=True)
        args = argparse.Namespace(
            path=str(target), view=None, facing=None, json=str(tmp / RESULT), csv=str(tmp / "steps.csv"),
            landmarks=None if _is_landmarks(target) else str(tmp / "landmarks.csv.gz"),
            threads=1, capture_fps=None, roi=None, quiet=True)
        status = STATUS_OK
        from app.cli import analyze

        with contextlib.redirect_stdout(io.StringIO()):
            try:
                analyze.run(args)
            except NoGaitError as exc:
                status, row["error"] = STATUS_NO_GAIT, str(exc)
        doc = json.loads((tmp / RESULT).read_text(encoding="utf-8"))
        row.update(status=status, cadence_spm=doc.get("cadence_spm"), n_steps=doc.get("n_steps"),
                   duration_s=doc.get("duration_s"), view=doc.get("view"))
        row["seconds"] = round(time.perf_counter() - t0, 3)
        row["cpu_s"] = round(time.process_time() - cpu0, 3)
        (tmp / DONE).write_text(json.dumps({"fingerprint": fingerprint(src), "status": status,
                                            "row": row}, indent=1), encoding="utf-8")
        if dest.exists():
            shutil.rmtree(dest)
        os.rename(tmp, dest)
    except UserError as exc:
        row["error"] = str(exc)
    except Exception as exc:  # noqa: BLE001 - one broken input must not stop the batch
        row["error"] = f"{src.name} could not be analysed ({type(exc).__name__}: {exc})."
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    row["seconds"] = round(time.perf_counter() - t0, 3)
    row["cpu_s"] = round(time.process_time() - cpu0, 3)  # the worker process, all its threads
    return row


def _is_landmarks(path: Path) -> bool:
    from app.pose.landmark_file import is_landmark_file

    return is_landmark_file(path)


def _worker() -> str:
    try:
        from distributed import get_worker

        return get_worker().name
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"
