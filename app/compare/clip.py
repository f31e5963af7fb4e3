"""One side of a comparison: a video file, a session folder or a session id → :class:`Clip`.

``load_clip(spec)`` accepts

- a **video file**: the pose model runs over it (progress callback) and the gait engine
  over the poses. The poses are cached as a landmark file in
  ``<cache dir>/analyses`` (``app.paths.cache_dir``: ``$GAITCOACH_CACHE_DIR``, else
  ``$GAITCOACH_DATA_DIR/cache``, else the user cache folder),
  keyed by the file's path, size and modification time, so reopening it is instant;
- a **landmark file** (``.csv``/``.csv.gz``): replayed; its video is the file named by its
  ``# source=`` line when that exists beside it;
- a **session folder** (``docs/SESSION_FORMAT.md``): ``session.json`` + video +
  ``landmarks.csv``; the engine re-runs on the landmark file (fast);
- a **session id** (the folder name, e.g. ``20261121-103105-3fa2c1``): looked up in the
  session store when it is available, else under ``<data dir>/sessions``.

Each may end in ``@START-END`` (seconds from the start of the video; either side may be
left out: ``clip.mp4@6-``): only the samples in that range are analysed and played, e.g.
``male_side.mp4@0-6`` and ``male_side.mp4@6-12`` compare the two halves of one run.
A session may instead end in ``@KIND`` or ``@KIND:N`` (a block kind from its blocks.csv:
baseline, retraining, faded, retention, free; N counts blocks of that kind from 1, default
1): ``20261121-103105-3fa2c1@baseline`` vs ``…@retention``.

A :class:`Clip` keeps the video's own frame numbering: ``sample_at(frame)`` takes a video
frame index, times are seconds from the start of the video.

Runs on the calling thread (the GUI calls it from a worker thread); ``progress(done,
total)`` is called on that thread. Bad input raises ``InputFileError`` (one sentence).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

import numpy as np

from app.compare.sync import ContactEvent, KeyMoment, key_moments, nearest_frame
from app.errors import InputFileError, UserError
from app.gait.analysis import AnalysisResult, analyze_samples
from app.types import EventKind, Facing, Foot, PoseSample, View

#: progress(done_frames, total_frames_or_None)
ProgressFn = Callable[[int, "int | None"], None]

_RANGE_RE = re.compile(r"^(?P<path>.+)@(?P<start>\d+(?:\.\d+)?)?-(?P<end>\d+(?:\.\d+)?)?$")
_SESSION_ID_RE = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}$")
_BLOCK_RE = re.compile(r"^(?P<path>.+)@(?P<kind>[a-z]+)(?::(?P<n>\d+))?$")
VIDEO_NAMES = ("video.mp4", "video.mkv")


@dataclass(frozen=True, eq=False)
class Clip:
    """One analysed clip of a comparison (immutable).

    ``video_path`` is None when the video is missing (a session whose video was deleted,
    a bare landmark file): metrics still work, frames are drawn on a blank background.
    ``frame_times_s[i]`` is the time in seconds of video frame ``i`` (0 … ``n_frames``-1);
    ``t_start_s``/``t_end_s`` the analysed and played range on that clock.
    ``samples`` are the poses in that range (video frame numbering); ``result`` the gait
    engine's analysis of them (``result.t0_ns`` = first sample of the range).
    ``notes``/``runner``/``date`` come from the session (store row or manifest) when known.
    """

    label: str
    spec: str
    video_path: Path | None
    fps: float
    n_frames: int
    width: int
    height: int
    t_start_s: float
    t_end_s: float
    frame_times_s: np.ndarray
    samples: tuple[PoseSample, ...]
    result: AnalysisResult
    view: View
    facing: Facing | None
    session_id: str | None = None
    session_dir: Path | None = None
    runner: str | None = None
    date: str | None = None
    notes: str = ""
    warning: str | None = None
    #: does the video show the view it is measured as (``app.pose.view_check``)
    view_verdict: object | None = None
    #: the other camera of a two-view session: its offset to the side view (ms, this
    #: camera − side, for the same contact); None for the side view or when unknown
    camera_offset_ms: float | None = None
    _sample_index: dict[int, int] = field(default_factory=dict, repr=False)

    # -- frames and time ----------------------------------------------------------------
    @property
    def first_frame(self) -> int:
        """First video frame of the range."""
        return self.frame_at(self.t_start_s, after=True)

    @property
    def last_frame(self) -> int:
        """Last video frame of the range (inclusive)."""
        return self.samples[-1].frame_index if self.samples else self.first_frame

    @property
    def duration_s(self) -> float:
        return self.t_end_s - self.t_start_s

    def time_of(self, frame: int) -> float:
        """Time (s from the start of the video) of video frame ``frame``."""
        frame = int(min(max(frame, 0), self.n_frames - 1))
        return float(self.frame_times_s[frame])

    def frame_at(self, t_s: float, after: bool = False) -> int:
        """Video frame nearest to ``t_s`` (or the first at/after it when ``after``)."""
        if after:
            i = int(np.searchsorted(self.frame_times_s, t_s - 1e-9))
            return min(i, self.n_frames - 1)
        return nearest_frame(self.frame_times_s, t_s)

    def sample_at(self, frame: int) -> PoseSample | None:
        """The pose of video frame ``frame`` (None outside the range or not analysed)."""
        if not self._sample_index:
            self._sample_index.update({s.frame_index: i for i, s in enumerate(self.samples)})
        i = self._sample_index.get(int(frame))
        return None if i is None else self.samples[i]

    # -- gait events --------------------------------------------------------------------
    @cached_property
    def events(self) -> tuple[ContactEvent, ...]:
        """The engine's IC/TO events on the video clock (seconds), in time order."""
        evs = [ContactEvent(e.kind, e.foot, e.t_ns / 1e9) for e in self.result.events]
        return tuple(sorted(evs, key=lambda e: e.t_s))

    def ic_times_s(self, foot: Foot) -> tuple[float, ...]:
        """Initial-contact times of ``foot`` (s)."""
        return tuple(e.t_s for e in self.events if e.kind is EventKind.IC and e.foot is foot)

    def to_times_s(self, foot: Foot) -> tuple[float, ...]:
        """Toe-off times of ``foot`` (s)."""
        return tuple(e.t_s for e in self.events if e.kind is EventKind.TO and e.foot is foot)

    @cached_property
    def key_moments(self) -> tuple[KeyMoment, ...]:
        """IC / midstance / TO of both feet in time order (see ``app.compare.sync``)."""
        return tuple(key_moments(self.events))

    @property
    def forward_sign(self) -> float:
        """+1 when the runner faces image-right, -1 image-left (side view; -1 if unknown)."""
        return 1.0 if self.facing is Facing.RIGHT else -1.0


# ------------------------------------------------------------------------------ loading
def parse_spec(spec: str) -> tuple[str, float | None, float | None]:
    """Split ``PATH@START-END`` into (PATH, start_s, end_s); no suffix → (spec, None, None).

    A spec that exists as a path as given is never split (a file name may contain ``@``).
    """
    m = _RANGE_RE.match(spec)
    if m is None or Path(spec).exists():
        return spec, None, None
    start = float(m["start"]) if m["start"] else None
    end = float(m["end"]) if m["end"] else None
    if start is not None and end is not None and end <= start:
        raise InputFileError(f"The time range in {spec} is empty: the end must be after the start.")
    return m["path"], start, end


def load_clip(spec: str | os.PathLike[str], progress: ProgressFn | None = None, *,
              label: str | None = None, view: View | None = None, facing: Facing | None = None,
              stop_event: threading.Event | None = None,
              capture_fps: float | None = None, camera: View | None = None) -> Clip:
    """Load and analyse one side of a comparison (see the module docstring for ``spec``).

    ``camera``: which camera of a two-view session (``app.compare.views``): its video and
    landmarks, times on the session clock (None: the side view, as for one-view sessions;
    a session without that view is an ``InputFileError``).

    ``view``/``facing`` override what the session or landmark file says (default: side
    view, facing detected). ``label`` defaults to the file or session name plus range.
    ``capture_fps`` (slow-motion video or landmark files; a recorded session already
    carries its time base): times become frame / capture_fps.
    Raises ``InputFileError`` for a missing, unreadable or non-video input or an empty range.
    """
    spec = os.fspath(spec)
    path_text, start_s, end_s = parse_spec(spec)
    block = _BLOCK_RE.match(path_text) if not Path(path_text).exists() else None
    if block is not None:
        path_text = block["path"]
    path = Path(path_text).expanduser()
    session_dir: Path | None = None
    if not path.exists() and os.sep not in path_text:
        session_dir = resolve_session_id(path_text)
        if session_dir is not None:
            path = session_dir
    if not path.exists():
        what = "session" if _SESSION_ID_RE.match(path_text) else "file"
        raise InputFileError(f"The {what} {path_text} does not exist (expected a video file, "
                             "a session folder or a session id).")
    if block is not None:
        if not path.is_dir():
            raise InputFileError(f"{spec}: a block (@{block['kind']}) can only be picked "
                                 "from a session.")
        start_s, end_s = block_range(path, block["kind"], int(block["n"] or 1))
    info: dict = {}
    if path.is_dir():
        session_dir = path
        samples, meta_view, meta_facing, video, fps, w, h, info = _load_session(path, progress, camera)
        name = (info.get("name") or path.name) + (f" ({info['camera']})" if info.get("two_view") else "")
    else:
        samples, meta_view, meta_facing, video, fps, w, h = _load_file(path, progress, stop_event,
                                                                       capture_fps)
        name = path.name
    if not samples:
        raise InputFileError(f"{name} contains no frames.")
    frame_times = _frame_times(samples, fps)
    t_first, t_last = samples[0].t_ns / 1e9, samples[-1].t_ns / 1e9
    lo = t_first if start_s is None else start_s
    hi = t_last + 0.5 / fps if end_s is None else end_s
    picked = tuple(s for s in samples if lo - 1e-6 <= s.t_ns / 1e9 < hi - 1e-6)
    if not picked:
        raise InputFileError(f"The range {_range_text(start_s, end_s)} s is outside {name} "
                             f"(0–{t_last + 1 / fps:.1f} s).")
    v = view or meta_view or View.SIDE
    result = analyze_samples(picked, v, facing or meta_facing, fps)
    from app.pose.view_check import check_view, with_view_warning

    verdict = check_view((s.landmarks for s in picked), v.value)
    result = with_view_warning(result, verdict)  # leads the clip's warnings
    rng = "" if start_s is None and end_s is None else f" @{_range_text(start_s, end_s)} s"
    if block is not None:
        rng = f" @{block['kind']}" + (f" {block['n']}" if block["n"] else "")
    return Clip(
        label=label or f"{name}{rng}", spec=spec, video_path=video, fps=float(fps),
        n_frames=len(frame_times), width=int(w), height=int(h),
        t_start_s=picked[0].t_ns / 1e9, t_end_s=picked[-1].t_ns / 1e9 + 1.0 / fps,
        frame_times_s=frame_times, samples=picked, result=result, view=v,
        facing=result.facing, session_id=session_dir.name if session_dir else None,
        session_dir=session_dir, runner=info.get("runner"), date=info.get("date"),
        notes=info.get("notes", ""), warning=info.get("warning"), view_verdict=verdict,
        camera_offset_ms=info.get("offset_ms"),
    )


def block_range(folder: Path, kind: str, n: int = 1) -> tuple[float, float | None]:
    """(start_s, end_s) of the ``n``-th block of ``kind`` in a session's blocks.csv (the
    end is the next block's start; None for the last block). Raises InputFileError."""
    import csv

    path = folder / "blocks.csv"
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh) if r.get("t_start_s")]
    except OSError:
        raise InputFileError(f"Session {folder.name} has no blocks.") from None
    starts = [float(r["t_start_s"]) for r in rows]
    mine = [i for i, r in enumerate(rows) if r.get("kind") == kind]
    if len(mine) < n or n < 1:
        kinds = ", ".join(dict.fromkeys(r.get("kind", "") for r in rows)) or "none"
        raise InputFileError(f"Session {folder.name} has no {kind} block number {n} "
                             f"(its blocks: {kinds}).")
    i = mine[n - 1]
    return starts[i], (starts[i + 1] if i + 1 < len(starts) else None)


def _range_text(start_s: float | None, end_s: float | None) -> str:
    f = lambda v: "" if v is None else f"{v:g}"  # noqa: E731
    return f"{f(start_s)}-{f(end_s)}"


def _frame_times(samples: list[PoseSample], fps: float) -> np.ndarray:
    """Time of every frame index 0…max: sample times, gaps filled at the nominal rate."""
    n = samples[-1].frame_index + 1
    frames = np.array([s.frame_index for s in samples])
    times = np.array([s.t_ns / 1e9 for s in samples])
    all_frames = np.arange(n)
    if len(frames) == n and (frames == all_frames).all():
        return times
    out = np.interp(all_frames, frames, times)
    before = all_frames < frames[0]
    out[before] = times[0] - (frames[0] - all_frames[before]) / fps
    return out


def _load_file(path: Path, progress: ProgressFn | None, stop_event: threading.Event | None,
               capture_fps: float | None = None):
    """Samples + meta of a video (cached pose run) or a landmark file."""
    from app.pose.landmark_file import is_landmark_file, read_landmark_file
    from app.pose.timebase import retime_landmark_samples

    if is_landmark_file(path):
        meta, samples = read_landmark_file(path)
        if capture_fps:
            meta, it = retime_landmark_samples(meta, samples, capture_fps)
            samples = list(it)
        video = path.parent / meta.source if meta.source else None
        if video is not None and not video.is_file():
            video = None
        return samples, meta.view, meta.facing, video, meta.time_fps, meta.width, meta.height
    meta, samples = analyse_video_cached(path, progress, stop_event, capture_fps)
    return samples, None, None, path, meta.time_fps, meta.width, meta.height


def cache_dir() -> Path:
    """Folder of cached pose runs (``app.paths.cache_dir``: ``$GAITCOACH_CACHE_DIR``, the
    data folder's ``cache`` when ``$GAITCOACH_DATA_DIR`` is set, else the user cache)."""
    from app.paths import cache_dir as _cache_dir

    return _cache_dir()


def cache_path_for(video: Path, capture_fps: float | None = None) -> Path:
    """Landmark-file cache path of ``video``, keyed by its real path, size and mtime (and
    the capture speed, which changes the model's time base)."""
    st = video.stat()
    # "runner-region": poses follow one runner (app.pose.region_pose); older caches are
    # full-frame MediaPipe runs that may have followed a bystander.
    key = f"{video.resolve()}|{st.st_size}|{st.st_mtime_ns}|runner-region"
    if capture_fps:
        key += f"|capture={float(capture_fps)!r}"
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]
    return cache_dir() / "analyses" / f"{digest}.csv.gz"


def analyse_video_cached(video: Path, progress: ProgressFn | None = None,
                         stop_event: threading.Event | None = None,
                         capture_fps: float | None = None):
    """(LandmarkMeta, samples) of a whole video: from the cache, else by the pose model.

    The model's output is written to the cache (atomically) unless stopped early. A cache
    file that cannot be read is ignored and rebuilt.
    """
    import contextlib

    from app.pose.landmark_file import LandmarkMeta, read_landmark_file, write_landmark_file
    from app.pose.pipeline import open_video_poses

    cached = cache_path_for(video, capture_fps) if video.is_file() else None
    if cached is not None and cached.is_file():
        try:
            meta, samples = read_landmark_file(cached)
            if progress is not None:
                progress(len(samples), len(samples))
            return meta, samples
        except InputFileError:
            pass
    # bad file raises here
    reader, it = open_video_poses(video, progress, stop_event, capture_fps=capture_fps)
    with contextlib.closing(it):
        samples = list(it)
    info = reader.info
    meta = LandmarkMeta(info.width, info.height, info.fps, None, None, video.name, None,
                        float(capture_fps) if capture_fps else None)
    if cached is not None and samples and not (stop_event is not None and stop_event.is_set()):
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            write_landmark_file(cached, meta, samples)
        except OSError:
            pass  # a cache we cannot write only costs time next time
    return meta, samples


# ------------------------------------------------------------------------------ sessions
def sessions_root() -> Path:
    """``<data dir>/sessions``."""
    from app.paths import data_dir

    return data_dir() / "sessions"


def resolve_session_id(text: str) -> Path | None:
    """The folder of the session whose id is ``text`` (or, in the store, starts with it).

    The store's row is asked first (it knows moved folders and id prefixes), then
    ``<data dir>/sessions/<text>``. None when neither has it.
    """
    info = _store_session(text)
    if info is not None and Path(info.folder).is_dir():
        return Path(info.folder)
    folder = sessions_root() / text
    return folder if (folder / "session.json").is_file() else None


def _store_session(text: str):
    """The store's ``SessionInfo`` for id (prefix) ``text``: this station's store, else the
    clinic store when one is configured (another station's session, its folder in the
    clinic media folder); None without a store or row.

    Never creates the database: a machine that has never recorded has no store.
    """
    try:
        from app.session.station import lookup_session
    except ImportError:
        return None
    if not text.strip():
        return None
    return lookup_session(text)


def _load_session(folder: Path, progress: ProgressFn | None, camera: View | None = None):
    """Samples and details of a session folder (engine re-run on the landmark file of
    ``camera``'s view, default the first)."""
    from app.compare.views import pick_view, session_views, views_label
    from app.pose.landmark_file import read_landmark_file

    manifest_path = folder / "session.json"
    if not manifest_path.is_file():
        raise InputFileError(f"{folder} is a folder without session.json, not a GaitCoach session.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not an object")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputFileError(f"{manifest_path} cannot be read ({exc}).") from None
    views = session_views(folder, manifest)
    cam = pick_view(views, camera)
    if cam is None:
        raise InputFileError(f"Session {folder.name} has no {View(camera).value} view "
                             f"(it was filmed {views_label(views) or 'without a view'}).")
    landmarks = cam.landmarks if cam.landmarks.is_file() else None
    if landmarks is None:
        raise InputFileError(f"Session {folder.name} has no {cam.landmarks.name} to analyse"
                             + (f" for its {cam.view.value} view." if len(views) > 1 else "."))
    meta, samples = read_landmark_file(landmarks)
    if progress is not None:
        progress(len(samples), len(samples))
    video = cam.video
    info: dict = {"date": _date_of(manifest.get("started_utc")), "notes": "",
                  "two_view": len(views) > 1, "camera": cam.view.value, "offset_ms": cam.offset_ms}
    if video is None:
        info["warning"] = f"the {'' if len(views) == 1 else cam.view.value + ' '}video of " \
                          f"session {folder.name} is missing"
    row = _store_session(str(manifest.get("id") or folder.name))
    if row is not None and Path(row.folder).resolve() == folder.resolve():
        info["notes"] = row.notes or ""
        info["runner"] = row.runner_name
        info["name"] = row.name or None
    if cam is not views[0]:  # the other camera: its own view, size and rate
        return samples, cam.view, meta.facing, video, float(cam.fps or meta.fps), \
            int(cam.width or meta.width), int(cam.height or meta.height), info
    try:
        view = View(manifest["view"]) if manifest.get("view") else meta.view
        facing = Facing(manifest["facing"]) if manifest.get("facing") else meta.facing
    except ValueError:
        view, facing = meta.view, meta.facing
    fps = float(manifest.get("fps") or meta.fps)
    w = int(manifest.get("width") or meta.width)
    h = int(manifest.get("height") or meta.height)
    return samples, view, facing, video, fps, w, h, info


def _date_of(utc: str | None) -> str | None:
    """'2026-11-21T10:31:05Z' → '2026-11-21 10:31 UTC'."""
    if not utc:
        return None
    return utc.replace("T", " ")[:16] + " UTC"


def sync_clips(a: Clip, b: Clip, **kwargs):
    """``app.compare.sync.sync_strides`` over two clips' events (same keyword options)."""
    from app.compare.sync import sync_strides

    return sync_strides(a.events, b.events, **kwargs)
