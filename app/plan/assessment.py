"""Read an assessment for the clinical picture, as an ``analyze --json`` document.

:func:`load_assessment` accepts

- an **analysis result** (``python -m app analyze … --json RESULT.json``);
- a **recorded session** (id, id prefix or folder; ``app.compare.clip`` specs): its
  **baseline block** when it has one (a guided session: the runner's own pattern, before
  any feedback), else the whole session; ``SESSION@KIND[:N]`` or ``@START-END`` pick
  another part;
- a **video** or **landmark file** (the pose model / gait engine run over it);
- ``demo``: 30 s of the built-in demo runner (``demo_params`` set its faults).

Bad input raises ``InputFileError`` with one sentence. Runs on the calling thread.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from app.errors import InputFileError
from app.types import Facing, View

DEMO_SECONDS = 30.0
DEMO_FPS = 30.0


@dataclass(frozen=True)
class Assessment:
    """One assessment: the analysis document and where it came from. ``started_utc`` is
    the recording's start (ISO 8601) when known — the baseline date of a programme."""

    doc: dict[str, Any]
    label: str
    kind: str                      # 'result' | 'session' | 'video' | 'demo'
    session_id: str | None = None
    runner: str | None = None
    started_utc: str | None = None
    part: str = ""                 # e.g. 'baseline block' or ''

    @property
    def has_gait(self) -> bool:
        return self.doc.get("cadence_spm") is not None


def load_assessment(spec: str | os.PathLike[str], *, view: View | None = None,
                    facing: Facing | None = None, demo_params: dict | None = None,
                    progress: Callable[[int, int | None], None] | None = None) -> Assessment:
    """The assessment named by ``spec`` (see the module docstring)."""
    text = os.fspath(spec)
    if text.strip().lower() == "demo":
        return demo_assessment(view or View.SIDE, **(demo_params or {}))
    path = Path(text).expanduser()
    if path.suffix.lower() == ".json" and "@" not in text:
        return _result_file(path)
    from app.compare.clip import load_clip, parse_spec, resolve_session_id

    base, start, end = parse_spec(text)
    part = ""
    spec_text = text
    if start is None and end is None and "@" not in text:
        folder = path if path.is_dir() else (resolve_session_id(text) if os.sep not in text else None)
        if folder is not None and _has_block(folder, "baseline"):
            spec_text, part = f"{folder}@baseline", "baseline block"
    clip = load_clip(spec_text, progress, view=view, facing=facing)
    doc = clip.result.to_json_dict()
    doc["source"] = clip.label
    started = None
    if clip.session_dir is not None:
        try:
            from app.session.folder import read_manifest

            started = read_manifest(clip.session_dir).get("started_utc")
        except InputFileError:
            started = None
    return Assessment(doc=doc, label=clip.label, kind="session" if clip.session_id else "video",
                      session_id=clip.session_id, runner=clip.runner, started_utc=started,
                      part=part)


def _has_block(folder: Path, kind: str) -> bool:
    import csv

    try:
        with open(Path(folder) / "blocks.csv", newline="", encoding="utf-8") as fh:
            return any(r.get("kind") == kind for r in csv.DictReader(fh))
    except OSError:
        return False


def _result_file(path: Path) -> Assessment:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(f"The file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(f"{path.name} cannot be read as JSON ({exc}).") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("steps"), list) or "view" not in doc:
        raise InputFileError(f"{path.name} is not a GaitCoach analysis result "
                             "(write one with: python -m app analyze VIDEO --json OUT).")
    try:
        View(doc["view"])
    except ValueError:
        raise InputFileError(f"{path.name} names an unknown view {doc['view']!r}.") from None
    return Assessment(doc=doc, label=str(doc.get("source") or path.name), kind="result")


def demo_samples(view: View = View.SIDE, seconds: float = DEMO_SECONDS, fps: float = DEMO_FPS,
                 noise_px: float = 0.0, seed: int = 0, **runner_kwargs):
    """PoseSamples of the demo runner (``app.capture.demo.SyntheticRunner``), optionally
    with Gaussian landmark noise of ``noise_px`` pixels (pose-like). Rear and front views
    are filmed as the live demo films them (``DEMO_FRONTAL_CAMERA_M`` away, at hip height)."""
    import numpy as np

    from app.capture.demo import SyntheticRunner, demo_runner_kwargs
    from app.types import PoseSample

    kw = demo_runner_kwargs(view, runner_kwargs)
    if view is View.SIDE:
        kw.setdefault("facing", Facing.LEFT)
    runner = SyntheticRunner(view=view, **kw)
    rng = np.random.default_rng(seed)
    out = []
    for i in range(int(round(seconds * fps))):
        lm = runner.landmarks_at(i / fps).copy()
        if noise_px > 0:
            lm[:, :2] += rng.normal(0.0, noise_px, (lm.shape[0], 2)).astype(np.float32)
        out.append(PoseSample(i, int(round(i * 1e9 / fps)), lm, runner.width, runner.height))
    return runner, out


def demo_assessment(view: View = View.SIDE, **params) -> Assessment:
    """30 s of the demo runner analysed like a recording; ``params`` go to the runner
    (e.g. ``overstride=0.25``, ``pelvic_drop_deg=8``, ``noise_px=2``)."""
    from app.gait.analysis import analyze_samples

    noise = float(params.pop("noise_px", 0.0))
    try:
        runner, samples = demo_samples(view, noise_px=noise, **params)
    except (TypeError, ValueError) as exc:
        raise InputFileError(f"Bad demo runner setting: {exc}.") from None
    res = analyze_samples(samples, view, runner.facing if view is View.SIDE else None, DEMO_FPS)
    doc = res.to_json_dict()
    faults = ", ".join(f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}"
                       for k, v in params.items())
    noise_text = f", {noise:g} px landmark noise" if noise > 0 else ""
    label = f"demo runner ({view.value} view{', ' + faults if faults else ''}{noise_text})"
    doc["source"] = label
    return Assessment(doc=doc, label=label, kind="demo")
