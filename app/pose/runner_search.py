"""Offline: when the person followed may not be the runner, look for the one who walks or runs.

The runner region is proposed from the first confident pose, which in a scene with
several people can be a bystander (someone doing jumping jacks beside the path, a
physiotherapist standing by the treadmill). :func:`search_runner`

1. runs the person detector (``app.pose.person_detector``) on about 6 frames per second
   of the clip and drops the detections of the person already followed;
2. links the other detections into candidates (the same person from one scanned frame to
   the next: hips within ``LINK_RADII`` body radii);
3. follows each of the ``MAX_CANDIDATES`` best-seen candidates with the region pose
   (``app.pose.region_pose``), from its first detection to the end of the clip, and runs
   the gait engine over it;

and returns the candidate with the most steps, if it has gait. Runs on the calling
thread; ``progress(done, total)`` counts frames of the scan and the candidate runs.
``analyze`` searches when the person followed shows no gait or is in view for less than
half of the clip (:func:`needs_search`), and keeps the one followed unless another
person shows more steps (:func:`other_runner`).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from app.pose.region import Region, body_of
from app.types import PoseSample

#: Scanned frames per second of the clip.
SCAN_HZ = 6.0
#: A detection within this many body radii of the followed person's hips is that person.
SAME_AS_FOLLOWED_RADII = 0.5
#: Detections in consecutive scans within this many radii belong to one candidate.
LINK_RADII = 1.0
#: A candidate must be seen in at least this many scanned frames.
MIN_SIGHTINGS = 3
MAX_CANDIDATES = 2
#: The candidate's region starts this long before its first sighting (s).
LEAD_IN_S = 0.3

ProgressFn = Callable[[int, "int | None"], None]


@dataclass
class Candidate:
    """A person seen in several scanned frames: (frame index, hip x, hip y, radius)."""

    sightings: list[tuple[int, float, float, float]] = field(default_factory=list)

    @property
    def first(self) -> tuple[int, float, float, float]:
        return self.sightings[0]

    def region(self) -> Region:
        """A square around the first sighting (x, y, w, h)."""
        _, x, y, r = self.first
        return (x - r, y - r, 2 * r, 2 * r)


@dataclass(frozen=True)
class Found:
    """The runner found: their samples (the whole clip, "no person" before they were
    first seen), the gait analysis, and a sentence for the user."""

    samples: list[PoseSample]
    result: object
    note: str


def scan_people(path: str | os.PathLike[str], followed: Sequence[PoseSample],
                capture_fps: float | None = None, progress: ProgressFn | None = None,
                stop_event: threading.Event | None = None) -> list[Candidate]:
    """Candidates other than the person in ``followed`` (samples by frame), best first."""
    from app.capture.video_file import VideoFileReader
    from app.pose.person_detector import PersonDetector

    by_frame = {s.frame_index: s for s in followed}
    cands: list[Candidate] = []
    with VideoFileReader(path, capture_fps=capture_fps) as reader, PersonDetector() as det:
        step = max(1, int(round(reader.info.fps / SCAN_HZ)))
        total = reader.info.n_frames_estimate
        for frame in reader:
            if stop_event is not None and stop_event.is_set():
                break
            if progress is not None:
                progress(frame.index + 1, total)
            if frame.index % step:
                continue
            followed_body = None
            s = by_frame.get(frame.index)
            if s is not None and s.landmarks is not None:
                followed_body = body_of(s.landmarks)
            for p in det.detect(frame.image):
                if followed_body is not None and np.hypot(
                        p.hip[0] - followed_body.hip[0], p.hip[1] - followed_body.hip[1]
                ) <= SAME_AS_FOLLOWED_RADII * p.radius + followed_body.torso:
                    continue
                _link(cands, frame.index, p.hip, p.radius, 3 * step)
    good = [c for c in cands if len(c.sightings) >= MIN_SIGHTINGS]
    good.sort(key=lambda c: -len(c.sightings))
    return good


def _link(cands: list[Candidate], index: int, hip: tuple[float, float], radius: float,
          max_gap: int) -> None:
    best, best_d = None, None
    for c in cands:
        k, x, y, r = c.sightings[-1]
        if k == index or index - k > max_gap:
            continue
        d = float(np.hypot(hip[0] - x, hip[1] - y))
        if d <= LINK_RADII * max(r, radius) and (best_d is None or d < best_d):
            best, best_d = c, d
    if best is None:
        cands.append(Candidate([(index, hip[0], hip[1], radius)]))
    else:
        best.sightings.append((index, hip[0], hip[1], radius))


def follow_from(path: str | os.PathLike[str], start_index: int, region: Region,
                capture_fps: float | None = None, n_before: int = 0,
                width: int = 0, height: int = 0, progress: ProgressFn | None = None,
                stop_event: threading.Event | None = None) -> list[PoseSample]:
    """Region pose from frame ``start_index`` to the end; the ``n_before`` earlier frames
    are "no person" samples (their times on the same time base)."""
    from app.capture.video_file import VideoFileReader
    from app.pose.region_pose import RegionPose

    out: list[PoseSample] = []
    with VideoFileReader(path, capture_fps=capture_fps, start_index=start_index) as reader:
        time_fps = reader.time_fps
        first = min(start_index, n_before)
        out = [PoseSample(i, int(round(i * 1e9 / time_fps)), None, width, height)
               for i in range(first)]
        with RegionPose(region) as pose:
            for frame in reader:
                if stop_event is not None and stop_event.is_set():
                    break
                if out and frame.index <= out[-1].frame_index:
                    continue
                if frame.index > len(out):  # the seek landed late: fill the gap
                    out.extend(PoseSample(i, int(round(i * 1e9 / time_fps)), None,
                                          frame.width, frame.height)
                               for i in range(len(out), frame.index))
                out.append(pose.process(frame))
                if progress is not None:
                    progress(frame.index + 1, reader.info.n_frames_estimate)
    return out


def search_runner(path: str | os.PathLike[str], followed: Sequence[PoseSample], analyse,
                  capture_fps: float | None = None, progress: ProgressFn | None = None,
                  stop_event: threading.Event | None = None) -> Found | None:
    """The person with gait in the clip at ``path`` other than the one in ``followed``
    (see the module docstring); ``analyse(samples)`` returns an ``AnalysisResult``.
    None when nobody else shows gait (or the clip is not a plain video file)."""
    from app.capture.video_file import probe_video

    p = Path(path)
    info = probe_video(p)
    if info.variable_rate:
        return None  # seeking needs a constant frame rate
    cands = scan_people(p, followed, capture_fps, progress, stop_event)
    best: Found | None = None
    for cand in cands[:MAX_CANDIDATES]:
        k0 = cand.first[0]
        start = max(0, k0 - int(round(LEAD_IN_S * info.fps)))
        samples = follow_from(p, start, cand.region(), capture_fps, n_before=start,
                              width=info.width, height=info.height, progress=progress,
                              stop_event=stop_event)
        if not samples:
            continue
        result = analyse(samples)
        if not result.has_gait:
            continue
        if best is None or result.n_steps > best.result.n_steps:
            t_s = k0 / info.fps if not capture_fps else k0 / capture_fps
            note = (f"the first person found was not the runner; followed another person, "
                    f"first seen at {t_s:.1f} s, whose steps were found")
            best = Found(samples, result, note)
    return best


def needs_search(result) -> bool:
    """True when the person followed may not be the runner: no gait, or in view for less
    than half of the clip (``app.gait.analysis.MIN_PERSON_FRACTION``)."""
    from app.gait.analysis import MIN_PERSON_FRACTION

    if not result.has_gait:
        return True
    return result.n_person_samples < MIN_PERSON_FRACTION * max(result.n_samples, 1)


def other_runner(path, followed: list[PoseSample], result, view, facing, time_fps,
                 capture_fps: float | None = None, progress: ProgressFn | None = None):
    """(result, samples): ``search_runner``'s runner when another person shows more steps
    than the one followed (the note leads the warnings), else the inputs unchanged."""
    import dataclasses

    from app.gait.analysis import analyze_samples

    found = search_runner(path, followed,
                          lambda s: analyze_samples(s, view, facing, time_fps or None),
                          capture_fps, progress)
    if found is None or (result.has_gait and found.result.n_steps <= result.n_steps):
        return result, followed
    res = found.result
    return dataclasses.replace(res, warnings=(found.note,) + tuple(res.warnings)), found.samples


#: A gap this long (s) after the runner was first found is reported.
LOST_REPORT_S = 1.0


def lost_intervals(samples: Sequence[PoseSample], min_s: float = LOST_REPORT_S
                   ) -> list[tuple[float, float, bool]]:
    """(start_s, end_s, to_the_end) of the stretches without the runner lasting ``min_s``
    or more, after they were first found; seconds from the first sample."""
    if not samples:
        return []
    t0 = samples[0].t_ns
    out = []
    seen = False
    gap_start: int | None = None
    for s in samples:
        if s.landmarks is not None:
            if gap_start is not None and (s.t_ns - gap_start) / 1e9 >= min_s:
                out.append(((gap_start - t0) / 1e9, (s.t_ns - t0) / 1e9, False))
            seen, gap_start = True, None
        elif seen and gap_start is None:
            gap_start = s.t_ns
    if gap_start is not None and (samples[-1].t_ns - gap_start) / 1e9 >= min_s:
        out.append(((gap_start - t0) / 1e9, (samples[-1].t_ns - t0) / 1e9, True))
    return out


def with_lost_warnings(result, samples: Sequence[PoseSample]):
    """``result`` with one warning per stretch in which the runner was lost."""
    import dataclasses

    gaps = lost_intervals(samples)
    if not gaps:
        return result
    words = [f"from {a:.1f} s to the end" if end else f"from {a:.1f} to {b:.1f} s"
             for a, b, end in gaps]
    text = "the runner was lost (out of view, or hidden) " + ", ".join(words)
    return dataclasses.replace(result, warnings=tuple(result.warnings) + (text,))


def parse_roi(text: str | None) -> Region | None:
    """``--roi x,y,w,h`` → a region (UserError with a sentence when malformed)."""
    from app.capture.source_memory import parse_region
    from app.errors import UserError

    try:
        return parse_region(text)
    except ValueError as exc:
        raise UserError(str(exc)) from None
