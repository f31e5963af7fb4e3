"""Frozen dataclasses passed between pipeline stages.

No Qt, no cv2, no mediapipe here: every stage imports this module.

Coordinate conventions (everywhere unless a name says otherwise):
image pixels, origin top-left, x right, y down. Times are integer nanoseconds from one
monotonic clock (``t_ns``); for files, nanoseconds from the start of the clip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Mapping

import numpy as np

N_LANDMARKS = 33

#: BlazePose landmark names in MediaPipe's order (index = position in this tuple).
LANDMARK_NAMES: tuple[str, ...] = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
    "right_heel", "left_foot_index", "right_foot_index",
)
LM = MappingProxyType({name: i for i, name in enumerate(LANDMARK_NAMES)})


class View(str, Enum):
    """Camera view of the runner."""

    SIDE = "side"
    REAR = "rear"
    FRONT = "front"


class Facing(str, Enum):
    """Side view: the image direction the runner faces."""

    LEFT = "left"
    RIGHT = "right"


class Foot(str, Enum):
    LEFT = "left"
    RIGHT = "right"

    @property
    def other(self) -> "Foot":
        return Foot.RIGHT if self is Foot.LEFT else Foot.LEFT


class EventKind(str, Enum):
    IC = "IC"  # initial contact: first frame the foot touches the ground
    TO = "TO"  # toe-off: first frame the foot is clearly off the ground


class Quality(str, Enum):
    GOOD = "good"
    LOW = "low"        # measured, but from weak landmarks or few steps: show as a trend
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded video frame. ``image`` is RGB uint8 (H, W, 3), read-only."""

    index: int
    t_ns: int
    image: np.ndarray

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


@dataclass(frozen=True, slots=True)
class PoseSample:
    """Pose of one frame.

    ``landmarks`` is float32 (33, 4): x_px, y_px, z (estimator's relative depth, in pixels
    of image width; NaN when unknown), visibility 0..1 — or ``None`` when no person was
    detected in the frame.
    """

    frame_index: int
    t_ns: int
    landmarks: np.ndarray | None
    width: int
    height: int

    @property
    def has_person(self) -> bool:
        return self.landmarks is not None


@dataclass(frozen=True, slots=True)
class GaitEvent:
    """A confirmed gait event.

    ``t_ns`` is when the event happened (sample time); ``confirmed_t_ns`` is the time of
    the sample at which the streaming engine confirmed it (``confirmed_t_ns - t_ns`` is the
    confirmation delay). ``confidence`` 0..1; below 0.5 the event is low-confidence
    (occluded leg, swap just repaired).
    """

    kind: EventKind
    foot: Foot
    t_ns: int
    frame_index: int
    confidence: float
    confirmed_t_ns: int


@dataclass(frozen=True, slots=True)
class MetricValue:
    """One metric value with its unit and quality; ``value`` is None with a ``reason``."""

    name: str
    value: float | None
    unit: str
    quality: Quality
    reason: str = ""


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One step: from this foot's initial contact to the other foot's next contact.

    ``to_t_ns`` is this foot's toe-off ending the stance (None if not seen).
    ``metrics`` maps metric name -> value (None when not measurable on this step).
    """

    index: int
    foot: Foot
    ic_t_ns: int
    ic_frame: int
    to_t_ns: int | None
    to_frame: int | None
    next_ic_t_ns: int | None
    step_time_ms: float | None
    contact_ms: float | None
    flight_ms: float | None
    metrics: Mapping[str, float | None] = field(default_factory=lambda: MappingProxyType({}))
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class MetricSnapshot:
    """The engine's current view of the runner at ``t_ns``.

    ``cadence_spm`` is None until enough steps were seen (see ``cadence_reason``).
    ``values`` maps metric name -> MetricValue (running mean over recent steps).
    """

    t_ns: int
    cadence_spm: float | None
    cadence_reason: str
    n_steps: int
    values: Mapping[str, MetricValue]
    person_visible: bool
    quality: Quality
    warnings: tuple[str, ...] = ()
