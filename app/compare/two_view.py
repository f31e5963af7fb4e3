"""Before/after comparison of two-view sessions: per view, or both views together.

With *both*, the side clips are compared and synced as always (the side view times the
steps), the rear (or front) clips play on the same session clocks shifted by each
session's camera offset, and the metric table takes the sagittal metrics from the side
view and the frontal ones (pelvic drop, knee valgus, …) from the other view. No Qt; runs
on the calling thread (the comparison window's loading task, the CLI).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from app.compare.clip import Clip, ProgressFn, load_clip
from app.compare.table import MetricRow, compare_metrics
from app.compare.views import BOTH, read_manifest, session_views
from app.errors import InputFileError
from app.gait.metrics import METRIC_SPECS
from app.types import View

#: the choices a comparison offers, in this order
CHOICE_WORDS = {"side": "Side view", "rear": "Rear view", "front": "Front view", BOTH: "Both views"}


def spec_views(spec: str) -> list[View]:
    """The camera views of the session ``spec`` names (id, folder, with @range/@block),
    primary first; [] for a video or landmark file (one view, measured as its own)."""
    from app.compare.clip import _BLOCK_RE, parse_spec, resolve_session_id

    path_text = parse_spec(str(spec))[0]
    block = _BLOCK_RE.match(path_text) if not Path(path_text).exists() else None
    if block is not None:
        path_text = block["path"]
    path = Path(path_text).expanduser()
    if not path.exists() and os.sep not in path_text:
        path = resolve_session_id(path_text) or path
    if not path.is_dir():
        return []
    return [v.view for v in session_views(path, read_manifest(path))]


def choices(views_a: list[View], views_b: list[View]) -> list[str]:
    """What two clips can be compared as: each view both have, and ``both`` when both
    are two-view sessions with the same two views. One-view inputs: ['side'] (their one)."""
    if not views_a or not views_b:
        return [(views_a or views_b or [View.SIDE])[0].value]
    common = [v.value for v in views_a if v in views_b]
    if len(views_a) > 1 and views_a == views_b:
        common.append(BOTH)
    return common or [views_a[0].value]


@dataclass(frozen=True)
class LoadedViews:
    """The clips of a comparison shown as ``choice``: ``a``/``b`` the before/after clips
    that time the comparison (side, or the one view chosen), ``others`` the before/after
    clips of the second view (``both`` only), ``choices`` what else could be shown."""

    a: Clip
    b: Clip
    others: tuple[Clip, Clip] | None
    choice: str
    choices: tuple[str, ...]


def load_views(spec_a: str, spec_b: str, choice: str | None = None,
               progress: ProgressFn | None = None, stop_event=None) -> LoadedViews:  # noqa: ANN001
    """Load the clips for ``choice`` (a view name, ``both``, or None: both views when the
    two sessions have them, else their first). ``progress(done, total)`` over all clips.
    ``InputFileError`` when the choice is not possible for these clips."""
    views_a, views_b = spec_views(spec_a), spec_views(spec_b)
    avail = choices(views_a, views_b)
    if choice is None or choice == "auto":
        choice = BOTH if BOTH in avail else avail[0]
    if choice not in avail:
        raise InputFileError(f"These clips cannot be compared as '{CHOICE_WORDS.get(choice, choice)}': "
                             f"they can be compared as {', '.join(CHOICE_WORDS.get(c, c) for c in avail)}.")
    if choice == BOTH:
        plan = [(spec_a, views_a[0]), (spec_b, views_b[0]), (spec_a, views_a[1]), (spec_b, views_b[1])]
    else:
        cam = View(choice) if views_a else None
        plan = [(spec_a, cam if views_a else None), (spec_b, cam if views_b else None)]
    clips = []
    for i, (spec, cam) in enumerate(plan):
        def one(done: int, total: int | None, i=i) -> None:
            if progress is not None:
                progress(i * 1000 + (int(1000 * min(done, total) / total) if total else 0),
                         1000 * len(plan))

        clips.append(load_clip(spec, one, camera=cam, stop_event=stop_event))
    others = (clips[2], clips[3]) if choice == BOTH else None
    return LoadedViews(clips[0], clips[1], others, choice, tuple(avail))


def frontal_only(name: str) -> bool:
    """A metric that only a rear or front camera measures."""
    spec = METRIC_SPECS.get(name)
    return spec is not None and View.SIDE not in spec.views


def merged_rows(side_rows, other: tuple[Clip, Clip] | None) -> tuple[MetricRow, ...]:  # noqa: ANN001
    """The side view's rows, then the other view's frontal-only rows (``other``: its
    before/after clips; None: the side rows as they are)."""
    rows = tuple(side_rows)
    if other is None:
        return rows
    extra = tuple(r for r in compare_metrics(other[0].result, other[1].result) if frontal_only(r.name))
    return tuple(r for r in rows if not frontal_only(r.name)) + extra


def other_time(clip: Clip, t_side: float) -> float:
    """The time in the other camera's ``clip`` that shows what the side view shows at
    ``t_side`` (same session clock, shifted by the camera offset)."""
    return t_side + (clip.camera_offset_ms or 0.0) / 1000.0


def with_rows(cmp, rows):  # noqa: ANN001, ANN201 - Comparison
    return replace(cmp, rows=tuple(rows))
