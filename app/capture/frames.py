"""What a live source hands the capture thread, and what the display is given (a leaf
module: the sources and the capture thread both import it, never each other).

Times are ``time.perf_counter_ns()`` (see ``app.capture.live``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.types import Frame


@dataclass(frozen=True, slots=True)
class Captured:
    """A frame from a live source; ``truth`` = the demo runner's true landmarks (33, 4)."""

    frame: Frame
    grab_t_ns: int
    truth: np.ndarray | None = None
    display: "DisplayImage | None" = None


@dataclass(frozen=True, slots=True)
class DisplayImage:
    """A frame already scaled to the display, mirrored if asked, as 32-bit BGRA (the
    in-memory layout of Qt's ``QImage.Format_RGB32``). ``scale`` = display px per image px;
    ``size``/``mirror`` are the request it was made for."""

    bgra: np.ndarray
    scale: float
    size: tuple[int, int]
    mirror: bool
