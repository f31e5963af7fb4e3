"""Capture speed (slow motion): the time base of pose samples.

Phones film slow motion at 120 or 240 frames/s and often store it at 30 frames/s, so the
clip plays 4 or 8 times slower than real time. With the capture speed known ("capture
speed", as Kinovea calls it), sample times are real times: frame / capture_fps. Videos
are read on that time base directly (``app.capture.video_file.VideoFileReader``); landmark
files are re-timed here from the time base they were written on.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from typing import Iterable, Iterator

from app.errors import UserError
from app.types import PoseSample

#: Accepted capture speeds (frames per second).
MIN_CAPTURE_FPS = 1.0
MAX_CAPTURE_FPS = 10000.0


def check_capture_fps(value: float | str | None) -> float | None:
    """``value`` as a capture speed in frames/s (None stays None); UserError when it is not
    a number between 1 and 10000."""
    if value is None:
        return None
    try:
        fps = float(value)
    except (TypeError, ValueError):
        raise UserError(f"The capture speed must be a number of frames per second, "
                        f"not '{value}'.") from None
    if not math.isfinite(fps) or not MIN_CAPTURE_FPS <= fps <= MAX_CAPTURE_FPS:
        raise UserError(f"The capture speed must be between {MIN_CAPTURE_FPS:g} and "
                        f"{MAX_CAPTURE_FPS:g} frames per second, not {value}.")
    return fps


def add_capture_fps_argument(p: argparse.ArgumentParser) -> None:
    """The ``--capture-fps N`` option shared by analyze, compare and session."""
    p.add_argument("--capture-fps", type=float, metavar="N", dest="capture_fps",
                   help="slow-motion video: the frame rate it was filmed at (e.g. 120 or 240 "
                        "for a phone's slow motion stored at 30 fps); times become frame / N")


def retime_landmark_samples(meta, samples: Iterable[PoseSample], capture_fps: float):
    """(meta, samples) of a landmark file put on the time base ``capture_fps``.

    Each ``t_ns`` is scaled by ``meta.time_fps / capture_fps`` (the file's own time base is
    its ``capture_fps``, else its ``fps``); the returned meta carries ``capture_fps``.
    """
    capture_fps = float(capture_fps)
    factor = meta.time_fps / capture_fps
    new_meta = dataclasses.replace(meta, capture_fps=capture_fps)
    if factor == 1.0:
        return new_meta, iter(samples)
    return new_meta, _scaled(samples, factor)


def _scaled(samples: Iterable[PoseSample], factor: float) -> Iterator[PoseSample]:
    for s in samples:
        yield dataclasses.replace(s, t_ns=int(round(s.t_ns * factor)))
