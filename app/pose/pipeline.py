"""Offline pose pipeline: a video (or a landmark file) in, ``PoseSample`` objects out.

Threads: ``iter_video_poses`` decodes on the reader's own thread and runs MediaPipe on the
thread that iterates, so decoding overlaps the model. Consume the iterator on one thread,
to the end or until you call its ``close()`` (``contextlib.closing`` helps): that closes the
MediaPipe graph on the same thread that created it and joins the decode thread.

Module-level pure functions with a progress callback and a stop event, so the CLI, the GUI
and the tests drive them the same way.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from app.pose.landmark_file import LandmarkMeta, is_landmark_file, iter_landmark_samples
from app.types import PoseSample

if TYPE_CHECKING:  # pragma: no cover
    from app.capture.video_file import VideoFileReader
    from app.pose.region import Region

#: progress(done_frames, total_frames_or_None); called on the iterating thread.
ProgressFn = Callable[[int, "int | None"], None]


def iter_video_poses(
    path: str | os.PathLike[str],
    progress: ProgressFn | None = None,
    stop_event: threading.Event | None = None,
    *,
    queue_size: int = 8,
    num_threads: int | None = None,
    split: bool = True,
    capture_fps: float | None = None,
    region: "Region | None" = None,
) -> Iterator[PoseSample]:
    """Yield one ``PoseSample`` per decoded frame of the video at ``path``, in order.

    The file is probed at once, so a bad file raises ``InputFileError`` here, before the
    first ``next()``. ``progress(done, total)`` is called after each frame (``total`` is the
    container's frame-count estimate, or None). Setting ``stop_event`` ends the iteration
    cleanly after the current frame. A file cut short ends early after its last good frame
    (use ``open_video_poses`` to read the reader's ``warning`` afterwards). With ``split``
    (and one model thread) a clip of 6 s or more runs its second half on a second thread
    (``app.pose.split``); the samples still come in frame order. ``capture_fps`` puts the
    sample times of a slow-motion clip on the real time base (frame / capture_fps).
    The pose model follows one runner (``app.pose.region_pose``): inside ``region``
    (x, y, w, h pixels) when given, else from the first confident pose on; other people
    come back as "no person".
    """
    return open_video_poses(path, progress, stop_event, queue_size=queue_size,
                            num_threads=num_threads, split=split, capture_fps=capture_fps,
                            region=region)[1]


def open_video_poses(
    path: str | os.PathLike[str],
    progress: ProgressFn | None = None,
    stop_event: threading.Event | None = None,
    *,
    queue_size: int = 8,
    num_threads: int | None = None,
    split: bool = True,
    capture_fps: float | None = None,
    region: "Region | None" = None,
) -> tuple[VideoFileReader, Iterator[PoseSample]]:
    """Like ``iter_video_poses`` but also return the reader (for ``.info``, ``.warning``)."""
    from app.capture.video_file import VideoFileReader

    # probes: raises InputFileError
    reader = VideoFileReader(path, queue_size=queue_size, capture_fps=capture_fps)
    return reader, _pose_generator(reader, progress, stop_event, num_threads, split, region)


def _pose_generator(
    reader: VideoFileReader,
    progress: ProgressFn | None,
    stop_event: threading.Event | None,
    num_threads: int | None = None,
    split: bool = True,
    region: "Region | None" = None,
) -> Iterator[PoseSample]:
    from app.pose.region_pose import RegionPose
    from app.pose.split import SecondHalf, split_index

    info = reader.info
    total = info.n_frames_estimate
    one_thread = not num_threads or num_threads == 1
    k_split = split_index(info) if split and one_thread else None
    second = (SecondHalf(reader.path, info, k_split, reader.queue_size,
                         capture_fps=reader.time_fps, region=region) if k_split else None)
    done = 0
    try:
        with reader:  # starts decoding at once; the model loads while the queue fills
            with RegionPose(region, num_threads=num_threads) as pose:
                if second is not None:
                    second.start()
                for frame in reader:
                    if stop_event is not None and stop_event.is_set():
                        return
                    sample = pose.process(frame)
                    if second is not None and frame.index == k_split:
                        # Join only where both threads follow the same person.
                        if second.joins(frame, sample.landmarks):
                            break  # the second half is (being) done on the other thread
                        second = None  # could not join: go on here, sequentially
                    done += 1
                    if progress is not None:
                        progress(done + (second.done if second else 0), total)
                    yield sample
                else:
                    return
        # The first half is done and its reader closed; hand over the second half's
        # samples as they come, with progress for both.
        for sample in second.samples(stop_event):
            if progress is not None:
                progress(done + second.done, total)
            yield sample
        if second.warning:
            reader.warning = second.warning
    finally:
        if second is not None:
            second.close()


def iter_poses(
    path: str | os.PathLike[str],
    progress: ProgressFn | None = None,
    stop_event: threading.Event | None = None,
    num_threads: int | None = None,
    capture_fps: float | None = None,
    region: "Region | None" = None,
) -> tuple[LandmarkMeta, Iterator[PoseSample]]:
    """Pose samples from a video *or* a landmark file, with what is known about them.

    Landmark files are replayed (no model); their meta comes from the file. For a video,
    the meta holds the displayed size and nominal fps, ``source`` the file name, and
    ``view``/``facing``/``subject_height_cm`` None (unknown). ``capture_fps`` (slow-motion
    clips) puts the sample times on the real time base, frame / capture_fps, and is kept
    in the meta; a landmark file is re-timed from its own time base. ``region``: the
    runner region of a video (see ``iter_video_poses``). Bad input raises
    ``InputFileError`` here, before iteration.
    """
    from app.pose.timebase import retime_landmark_samples

    p = Path(path)
    if is_landmark_file(p):
        meta, samples = iter_landmark_samples(p)
        if capture_fps:
            meta, samples = retime_landmark_samples(meta, samples, capture_fps)
        return meta, _replay(samples, progress, stop_event)
    reader, samples = open_video_poses(p, progress, stop_event, num_threads=num_threads,
                                       capture_fps=capture_fps, region=region)
    info = reader.info
    meta = LandmarkMeta(
        width=info.width,
        height=info.height,
        fps=info.fps,
        view=None,
        facing=None,
        source=p.name,
        subject_height_cm=None,
        capture_fps=float(capture_fps) if capture_fps else None,
    )
    return meta, samples


def _replay(
    samples: Iterator[PoseSample],
    progress: ProgressFn | None,
    stop_event: threading.Event | None,
) -> Iterator[PoseSample]:
    items = list(samples)
    total = len(items)
    for i, s in enumerate(items, start=1):
        if stop_event is not None and stop_event.is_set():
            return
        if progress is not None:
            progress(i, total)
        yield s
