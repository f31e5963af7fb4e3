"""``python -m app analyze SESSION_FOLDER``: every view of a recorded session, from its
landmark files, and (two views) the steps fused as in the live session.

Each view is analysed on its own (its landmark file, its view); the side view's steps get
the other view's metrics through the same matching of initial contacts as live
(``app.pose.fusion``, ``app.gait.crossview``). ``--json`` writes ``{"session", "offset_ms",
"offset_pairs", "views": {view: analyze's result JSON}, "steps": [fused step rows]}``.
"""

from __future__ import annotations

import json
from pathlib import Path

from app.errors import InputFileError, NoGaitError


def is_session_folder(path: Path) -> bool:
    return path.is_dir() and (path / "session.json").is_file()


def fuse_results(primary, other) -> tuple[list, object]:
    """The primary result's steps with the other's metrics (``FusedStep`` list) and the
    offset estimate, from two offline ``AnalysisResult``s on one time line."""
    from app.pose.fusion import StepFusion

    fusion = StepFusion(primary.view, other.view, lambda u: None, hold_ns=0)
    fused = fusion.fuse_all(primary.events, primary.steps, other.events, other.steps)
    return fused, fusion.offset


def run_folder(path: Path, json_out: str | None, quiet: bool = False) -> int:
    from app.gait.analysis import analyze_samples, step_row
    from app.pose.landmark_file import iter_landmark_samples
    from app.session import folder as sf
    from app.session.multiview_recorder import view_files

    manifest = sf.read_manifest(path)
    results = {}
    for vf in view_files(path, manifest):
        lm = vf["landmarks"]
        if not lm.is_file():
            raise InputFileError(f"The {vf['view'].value} view of {path.name} has no landmark "
                                 f"file ({lm.name}).")
        meta, samples = iter_landmark_samples(lm)
        results[vf["view"]] = analyze_samples(samples, vf["view"], meta.facing, meta.time_fps or None)
    views = list(results)
    primary = results[views[0]]
    fused, offset = (fuse_results(primary, results[views[1]]) if len(views) > 1 else
                     ([], None))
    for view, res in results.items():
        cad = "—" if res.cadence_spm is None else f"{res.cadence_spm:.1f} spm"
        print(f"{path.name} {view.value} view: cadence {cad}, {res.n_steps} steps")
        for name, ms in res.metrics.items():
            if ms.mean is not None and name != "cadence_spm":
                print(f"  {name:30s} {ms.mean:.2f} ± {ms.sd or 0:.2f} {ms.unit}")
    if offset is not None:
        off = "unknown" if offset.offset_ms is None else f"{offset.offset_ms:+.1f} ms"
        both = sum(f.other is not None for f in fused)
        print(f"offset between the views: {off} ({offset.n_pairs} contact pairs); "
              f"{both} of {len(fused)} side steps have {views[1].value}-view metrics")
    if json_out:
        doc = {"session": manifest.get("id") or path.name,
               "offset_ms": None if offset is None or offset.offset_ms is None
               else round(offset.offset_ms, 1),
               "offset_pairs": 0 if offset is None else offset.n_pairs,
               "views": {v.value: r.to_json_dict() for v, r in results.items()},
               "steps": [step_row(f.step, 0, None, None) | {"matched": f.other is not None}
                         for f in fused]}
        from app.atomic import atomic_path

        out = Path(json_out)
        with atomic_path(out) as tmp:
            tmp.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    if not primary.has_gait:
        raise NoGaitError(f"No gait to measure in {path.name}.")
    return 0
