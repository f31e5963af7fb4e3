"""Session summary for ``session.json``: cadence and metric means, whole session and per
block, from steps.csv rows (the same numbers whether a session stopped cleanly or was
recovered). Pure Python + numpy.

Shape (documented in docs/SESSION_FORMAT.md)::

    {"cadence_spm": 171.2 | null, "n_steps": 120, "metrics": {"contact_ms": 231.4, ...},
     "blocks": [{"kind": "baseline", "name": "Baseline", "t_start_s": 0.0, "t_end_s": 60.2,
                 "cadence_spm": ..., "n_steps": ..., "metrics": {...}}, ...]}
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

from app.session.folder import STEPS_BASE_COLUMNS

#: Columns of steps.csv that are not metrics.
_NOT_METRICS = frozenset(STEPS_BASE_COLUMNS) - {"step_time_ms", "contact_ms", "flight_ms"}


def _num(v: Any) -> float | None:
    if v is None or v == "":
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def latest_per_step(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """One row per step index (a step may be written again when a late metric such as
    heel whip arrives; the last row wins), in index order."""
    by: dict[Any, Mapping[str, Any]] = {}
    for r in rows:
        by[r.get("index")] = r
    return [by[k] for k in sorted(by, key=lambda k: _num(k) or 0.0)]


def summarise_steps(rows: list[Mapping[str, Any]]) -> dict[str, Any]:
    """``{"cadence_spm", "n_steps", "metrics": {name: mean}}`` over ``rows`` (steps.csv
    rows as dicts, strings or numbers)."""
    from app.gait.cadence import clip_cadence_spm
    from app.gait.engine import MIN_STEPS_FOR_CADENCE

    cad, _ = clip_cadence_spm([(_num(r.get("ic_s")), _num(r.get("step_time_ms"))) for r in rows],
                              MIN_STEPS_FOR_CADENCE)
    names: list[str] = []
    for r in rows:
        for k in r:
            if k not in _NOT_METRICS and k not in names:
                names.append(k)
    metrics: dict[str, float] = {}
    for name in names:
        vals = [x for x in (_num(r.get(name)) for r in rows) if x is not None]
        if vals:
            metrics[name] = round(sum(vals) / len(vals), 3)
    return {"cadence_spm": None if cad is None else round(cad, 2), "n_steps": len(rows),
            "metrics": metrics}


def session_summary(step_rows: Iterable[Mapping[str, Any]],
                    blocks: Iterable[Mapping[str, Any]], duration_s: float | None,
                    fallback_cadence_spm: float | None = None) -> dict[str, Any]:
    """The manifest's ``summary``: whole session plus one entry per block (a block runs
    from its ``t_start_s`` to the next block's start or the end; steps are assigned by
    their initial-contact time ``ic_s``). ``fallback_cadence_spm`` (the live snapshot's)
    is used when the steps give none."""
    rows = latest_per_step(step_rows)
    out = summarise_steps(rows)
    if out["cadence_spm"] is None and fallback_cadence_spm is not None:
        out["cadence_spm"] = round(float(fallback_cadence_spm), 2)
    blocks = sorted(blocks, key=lambda b: _num(b.get("t_start_s")) or 0.0)
    out_blocks = []
    for i, b in enumerate(blocks):
        t0 = _num(b.get("t_start_s")) or 0.0
        t1 = _num(blocks[i + 1].get("t_start_s")) if i + 1 < len(blocks) else duration_s
        inside = [r for r in rows if (ic := _num(r.get("ic_s"))) is not None and ic >= t0
                  and (t1 is None or ic < t1)]
        entry = {"kind": b.get("kind"), "name": b.get("name"), "t_start_s": round(t0, 3),
                 "t_end_s": None if t1 is None else round(t1, 3)}
        entry.update(summarise_steps(inside))
        out_blocks.append(entry)
    out["blocks"] = out_blocks
    return out
