"""Validation rows: what MediaPipe's own landmark smoothing does to event timing.

Real video reaches the engine through MediaPipe with ``smooth_landmarks=True``, a one-euro
filter that is slowest where a point reverses, i.e. at contact and toe-off
(``tests.helpers.mediapipe_smoothing``). The other rows add per-frame noise only. Here:

* ``male_side.mp4`` analysed from MediaPipe's smoothed and unsmoothed output (real
  MediaPipe, one run each): how far the smoothing moves each event;
* the C3D walk (force-plate truth) with 2 px of per-frame noise and then MediaPipe's
  smoothing (the replica), side view at 30/60/100 fps, rear and front from image heights at
  30/60 fps: the mean event errors, against the same without the smoothing.

These rows measure; they have no target (the engine does not correct the pose model's
smoothing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np

from tests.validation.frontal import NOISE_SEED, NOISE_XY_PX, _event_errors, _without_depth

#: noise draws per C3D row (events pooled)
DRAWS = 3

RowFn = Callable[..., Any]


def _with_smoothing(samples: list, xy_px: float, seed: int, smooth: bool) -> list:
    """``samples`` with Gaussian noise (``xy_px`` on x and y, 3× on the depth), then, with
    ``smooth``, MediaPipe's smoothing; depth removed (as real video is timed)."""
    from app.types import PoseSample
    from tests.helpers.mediapipe_smoothing import mediapipe_smoothed

    rng = np.random.default_rng(seed)
    lm = np.array([s.landmarks for s in samples], dtype=np.float64)
    lm[:, :, :2] += rng.normal(0.0, xy_px, lm[:, :, :2].shape)
    lm[:, :, 2] += rng.normal(0.0, 3.0 * xy_px, lm[:, :, 2].shape)
    if smooth:
        lm = mediapipe_smoothed(lm, np.array([s.t_ns for s in samples]) + 1)
    out = []
    for s, x in zip(samples, lm):
        out.append(PoseSample(s.frame_index, s.t_ns, _without_depth(x).astype(np.float32), s.width, s.height))
    return out


def c3d_smoothing_rows(c3d_path: Path, row: RowFn) -> list:
    from app.gait.analysis import analyze_samples
    from app.types import Facing, View
    from tests.helpers.c3d_landmarks import c3d_to_samples

    rows = []
    cases = [(View.SIDE, fps) for fps in (30.0, 60.0, 100.0)] + [
        (v, fps) for v in (View.REAR, View.FRONT) for fps in (30.0, 60.0)]
    for view, fps in cases:
        kw = dict(facing="left") if view is View.SIDE else dict(camera="persp", distance_m=3.0)
        base, meta = c3d_to_samples(c3d_path, view=view.value, fps=None if fps == 100.0 else fps, **kw)
        facing = Facing.LEFT if view is View.SIDE else None
        where = "side" if view is View.SIDE else f"{view.value} persp, heights only"
        got = {}
        for smooth in (False, True):
            res = [analyze_samples(_with_smoothing(base, NOISE_XY_PX, NOISE_SEED + k, smooth),
                                   view, facing, meta["fps"]) for k in range(DRAWS)]
            got[smooth] = _event_errors(res, meta["events"], meta["fps"])
        for kind in ("IC", "TO"):
            on, off = got[True][kind], got[False][kind]
            if on["mean_fr"] is None or off["mean_fr"] is None:
                rows.append(row(f"c3d {where} @{fps:g} +MediaPipe smoothing", f"{kind} mean error", "0",
                                "—", "—", "—", None))
                continue
            rows.append(row(f"c3d {where} @{fps:g} ×{DRAWS}, {NOISE_XY_PX:g} px + MediaPipe's smoothing",
                            f"{kind} mean error (frames @ {fps:g} fps)", "0",
                            f"{on['mean_fr']:+.2f} ({on['mean_ms']:+.1f} ms; without the smoothing "
                            f"{off['mean_fr']:+.2f}, {off['mean_ms']:+.1f} ms)",
                            f"{on['mean_ms'] - off['mean_ms']:+.1f} ms from the smoothing", "—", None))
    return rows


def male_side_smoothing_rows(video: Path, truth_events: list, row: RowFn) -> list:
    """male_side.mp4 through real MediaPipe with its smoothing on and off: the median shift
    of each event and each one's error against the hand-labelled frames."""
    from app.gait.analysis import analyze_samples
    from app.types import Facing, View
    from tests.helpers.event_matching import match_events
    from tests.helpers.mediapipe_smoothing import mediapipe_poses

    events = {}
    for smooth in (True, False):
        samples = mediapipe_poses(video, smooth)
        res = analyze_samples(samples, View.SIDE, Facing.LEFT, 30.0)
        t0 = samples[0].t_ns if samples else 0
        events[smooth] = [(e.kind.value, e.foot.value, (e.t_ns - t0) / 1e9) for e in res.events]
    rows = []
    for kind in ("IC", "TO"):
        shift = match_events(events[False], events[True], 0.05)
        d = np.array([m.error_s * 1000.0 for m in shift.matched if m.kind == kind])
        errs = {}
        for smooth in (True, False):
            m = match_events(truth_events, events[smooth], 0.1)
            e = np.array([x.error_s * 30.0 for x in m.matched if x.kind == kind])
            errs[smooth] = (float(e.mean()) if e.size else float("nan"), e.size)
        shift_txt = f"median {np.median(d):+.1f}, mean {d.mean():+.1f} (n {d.size})" if d.size else "—"
        rows.append(row("male_side, MediaPipe's smoothing on vs off", f"{kind} shift by the smoothing (ms)",
                        "—", shift_txt,
                        f"against the labels: mean {errs[True][0]:+.2f} fr smoothed (n {errs[True][1]}), "
                        f"{errs[False][0]:+.2f} fr unsmoothed (n {errs[False][1]})", "—", None))
    return rows


def smoothing_rows(data: Path, row: RowFn, settings: dict, real_poses: bool = True) -> list:
    """The rows above (``real_poses`` False: the C3D rows only, no MediaPipe run)."""
    from tests.validation.make_table import load_male_side_truth

    rows = c3d_smoothing_rows(data / "gaitalytics_treadmill_walk" / "treadmill_events.c3d", row)
    if real_poses:
        truth, _ = load_male_side_truth(data / "male_side_run" / "ground_truth.json")
        rows += male_side_smoothing_rows(data / "male_side_run" / "male_side.mp4", truth.events, row)
    settings["mp_smoothing"] = {
        "filter": "MediaPipe's pose landmark smoothing (one-euro, min cutoff 0.1 Hz, beta 40, derivative "
                  "cutoff 1 Hz) re-implemented in tests/helpers/mediapipe_smoothing.py",
        "c3d": f"{NOISE_XY_PX:g} px per frame then the smoothing, {DRAWS} draws (seeds {NOISE_SEED}…"
               f"{NOISE_SEED + DRAWS - 1}), events pooled; resampled (cubic) to 30/60 fps",
        "male_side": "real MediaPipe on the whole frame with smooth_landmarks on and off, one run each "
                     "(whole clip, one thread)"}
    return rows
