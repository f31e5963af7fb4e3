"""Framing guide: is the camera set up for a protocol? Qt-free, numpy only.

Four checks (five in rear and front views) on the live pose and image, each a pass/fail
with a one-line hint:

- **full body** (essential): the key landmarks (nose and the top of the head estimated
  above it, shoulders, hips, knees, ankles, heels, toes) are inside the image with a margin of ``MARGIN_FRAC`` of its size;
- **feet** (essential): both feet's ankle, heel and toe are found, and on at least one
  foot (the near one in a side view) visibly (visibility ≥ ``FOOT_VIS``);
- **view** (essential): the view the template needs — side (shoulders and hips seen edge
  on: their width is small against the torso height) or rear/front (width ≥
  ``FRONTAL_RATIO`` × torso height; rear vs front from the face's visibility and which
  side the runner's left shoulder is on) — :func:`app.pose.view_check.view_of`, which
  ``analyze``, the live window and the comparison view use too; a rear or front session
  accepts either frontal reading (the pose model often takes a runner seen from behind
  for one facing the camera);
- **camera level** (advice, rear and front views): the line from the hips' midpoint down
  to the midpoint of the two feet leans from the image's vertical by the camera's roll
  (its median over the recent frames, as the feet swing either side of it); more than
  ``LEVEL_MAX_DEG`` is reported with its size and direction (the engine corrects the
  frontal angles for a roll it finds, ``app.gait.events_frontal.StanceTrack.roll_deg``,
  but a level camera is better);
- **lighting** (a warning): the frame's luminance (ITU-R BT.601 luma on a subsampled
  grid) — too dark when the median is below ``DARK_MEDIAN``, too bright / back-lit when
  the median is above ``BRIGHT_MEDIAN`` or ``CLIPPED_SHARE`` of the pixels are clipped.

:class:`FramingGuide` keeps the last ``WINDOW`` samples (call :meth:`FramingGuide.update`
for each new processed frame, a few per second is enough) and a check passes when it
passed in at least ``PASS_SHARE`` of them, so one bad pose does not flicker the ticks.
Image coordinates: pixels, x right, y down, in the source image (not the mirrored
display).
"""

from __future__ import annotations

import collections
import math
from dataclasses import dataclass

import numpy as np

from app.gait.geometry import angle_to_vertical_deg
from app.pose.view_check import (  # noqa: F401 - the view constants are part of this API
    FACE_POINTS, FACE_VIS_REAR, FRONTAL_RATIO, FRONTAL_VIEWS, SIDE_RATIO, VIEW_WORDS, view_of,
)
from app.types import LM

MARGIN_FRAC = 0.02        # landmarks must be this far inside the frame (share of its size)
HEAD_TOP_FRAC = 0.5       # head top above the nose, × nose-to-shoulders height
FOOT_VIS = 0.5            # a foot point is "visible" at or above this visibility
DARK_MEDIAN = 45.0        # luma 0..255
BRIGHT_MEDIAN = 215.0
CLIPPED_SHARE = 0.25      # share of pixels ≥ 250
WINDOW = 15
PASS_SHARE = 0.7
LEVEL_MAX_DEG = 2.0       # a camera rolled more than this is reported
LEVEL_MIN_SAMPLES = 5     # frames with hips and both feet before the level is judged

BODY_POINTS = ("nose", "left_shoulder", "right_shoulder", "left_hip", "right_hip",
               "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
               "right_heel", "left_foot_index", "right_foot_index")
VIEW_HINTS = {
    "side": "Place the camera beside the treadmill, level with the hips, so the runner "
            "is seen from the side.",
    "rear": "Place the camera behind the treadmill, level with the hips, so the runner "
            "is seen from behind.",
    "front": "Place the camera in front of the treadmill, level with the hips, facing "
             "the runner.",
}


@dataclass(frozen=True, slots=True)
class FramingCheck:
    """One check: ``key`` body | feet | view | light; ``ok``; ``essential`` (Start needs
    it); ``title`` a few words; ``hint`` one sentence (what to do, or what is fine)."""

    key: str
    ok: bool
    essential: bool
    title: str
    hint: str


@dataclass(frozen=True, slots=True)
class FramingReport:
    """All checks over the recent samples. ``ready``: every essential check passes;
    ``view_seen`` side | rear | front | None; ``luma_median`` 0..255 (None: no image);
    ``samples`` how many frames the verdict rests on."""

    checks: tuple[FramingCheck, ...]
    view_seen: str | None
    luma_median: float | None
    samples: int

    @property
    def ready(self) -> bool:
        return self.samples > 0 and all(c.ok for c in self.checks if c.essential)

    def check(self, key: str) -> FramingCheck:
        return next(c for c in self.checks if c.key == key)


@dataclass(frozen=True, slots=True)
class _Sample:
    body: str          # '' ok, else the problem: none | top | bottom | left | right | missing
    feet: str          # '' ok, else: missing | hidden
    view: str | None   # side | rear | front | None (unclear / no person)
    luma: tuple[float, float] | None  # (median, clipped share)
    tilt_deg: float = math.nan  # hips to the feet's midpoint from the vertical, clockwise +


def luminance_stats(image: np.ndarray, step: int = 8) -> tuple[float, float]:
    """(median luma 0..255, share of pixels ≥ 250) of an RGB uint8 image, sampled on a
    grid every ``step`` pixels (cheap enough for the GUI thread at a few Hz)."""
    sub = np.asarray(image[::step, ::step, :3], dtype=np.float32)
    if sub.size == 0:
        return 0.0, 0.0
    y = 0.299 * sub[..., 0] + 0.587 * sub[..., 1] + 0.114 * sub[..., 2]
    return float(np.median(y)), float(np.mean(y >= 250.0))


def body_problem(lm: np.ndarray | None, width: int, height: int) -> str:
    """'' when every key landmark lies inside the frame with the margin; else where it
    is cut: 'none' (no person), 'missing' (a key point not found), 'top', 'bottom',
    'left', 'right' (the worst edge)."""
    if lm is None:
        return "none"
    mx, my = MARGIN_FRAC * width, MARGIN_FRAC * height
    worst, worst_by = "", 0.0
    pts = []
    for name in BODY_POINTS:
        x, y = float(lm[LM[name], 0]), float(lm[LM[name], 1])
        if math.isnan(x) or math.isnan(y):
            return "missing"
        pts.append((x, y))
    # the top of the head: above the nose by half the nose-to-shoulders distance
    nose_y = pts[0][1]
    shoulders_y = (pts[1][1] + pts[2][1]) / 2
    pts.append((pts[0][0], nose_y - HEAD_TOP_FRAC * max(0.0, shoulders_y - nose_y)))
    for x, y in pts:
        for edge, by in (("left", mx - x), ("right", x - (width - mx)),
                         ("top", my - y), ("bottom", y - (height - my))):
            if by > worst_by:
                worst, worst_by = edge, by
    return worst


def feet_problem(lm: np.ndarray | None) -> str:
    """'' when both feet's ankle/heel/toe are found and one foot is clearly visible;
    'missing' (a foot point not found) or 'hidden' (low visibility on both feet)."""
    if lm is None:
        return "missing"
    best = 0.0
    for side in ("left", "right"):
        pts = [lm[LM[f"{side}_{p}"]] for p in ("ankle", "heel", "foot_index")]
        if any(math.isnan(float(p[0])) or math.isnan(float(p[1])) for p in pts):
            return "missing"
        best = max(best, min(float(p[3]) for p in pts))
    return "" if best >= FOOT_VIS else "hidden"


def legs_tilt_deg(lm: np.ndarray | None) -> float:
    """The line from the hips' midpoint down to the midpoint of the two feet (heel-toe
    centres) from the image's vertical, degrees, clockwise on screen positive (the feet
    to image-left of the hips); NaN without hips and feet."""
    if lm is None:
        return math.nan
    pts = lm[[LM["left_hip"], LM["right_hip"]], :2]
    feet = lm[[LM["left_heel"], LM["right_heel"], LM["left_foot_index"], LM["right_foot_index"]], :2]
    if not (np.isfinite(pts).all() and np.isfinite(feet).all()):
        return math.nan
    hips, foot = pts.mean(axis=0), feet.mean(axis=0)
    return angle_to_vertical_deg(hips, foot, 1.0) if foot[1] > hips[1] else math.nan


def sample(lm: np.ndarray | None, image: np.ndarray | None, width: int, height: int) -> _Sample:
    """The per-frame verdicts (see :class:`FramingGuide`)."""
    luma = luminance_stats(image) if image is not None else None
    return _Sample(body_problem(lm, width, height), feet_problem(lm), view_of(lm), luma,
                   legs_tilt_deg(lm))


def level_check(samples: list[_Sample]) -> FramingCheck:
    """The camera-level advice of a rear or front view (module docstring)."""
    tilts = [x.tilt_deg for x in samples if x.tilt_deg == x.tilt_deg]
    if len(tilts) < LEVEL_MIN_SAMPLES:
        return FramingCheck("level", True, False, "Camera level",
                            "Cannot tell yet whether the camera is level.")
    tilt = float(np.median(tilts))
    if abs(tilt) <= LEVEL_MAX_DEG:
        return FramingCheck("level", True, False, "Camera level", "The camera is level.")
    way = "clockwise" if tilt > 0 else "anticlockwise"
    return FramingCheck("level", False, False, "Camera level",
                        f"The picture is turned about {abs(tilt):.0f}° {way}: level the camera "
                        "(the side-to-side angles are corrected for it, less precisely).")


_BODY_HINTS = {
    "none": "No runner found — the whole body, head to feet, must be in the picture.",
    "missing": "Part of the body is not found — make sure nothing hides the runner.",
    "top": "The head is cut off — move the camera back or tilt it up.",
    "bottom": "The feet are cut off — move the camera back or tilt it down.",
    "left": "The runner is cut off on the left — turn the camera or move it back.",
    "right": "The runner is cut off on the right — turn the camera or move it back.",
}


class FramingGuide:
    """Accumulates per-frame samples and gives a :class:`FramingReport` (module docstring).
    ``view`` is the view the template needs. Any single thread (the GUI timer)."""

    def __init__(self, view: str = "side", window: int = WINDOW) -> None:
        self.view = view
        self._samples: collections.deque[_Sample] = collections.deque(maxlen=window)

    def reset(self, view: str | None = None) -> None:
        if view is not None:
            self.view = view
        self._samples.clear()

    def update(self, landmarks: np.ndarray | None, image: np.ndarray | None,
               width: int, height: int) -> FramingReport:
        """Add one processed frame (landmarks (33, 4) in pixels or None; RGB image or
        None) and return the report over the recent frames."""
        self._samples.append(sample(landmarks, image, width, height))
        return self.report()

    def report(self) -> FramingReport:
        s = list(self._samples)
        n = len(s)
        if n == 0:
            return FramingReport((
                FramingCheck("body", False, True, "Full body in view", "Waiting for the camera…"),
                FramingCheck("feet", False, True, "Feet visible", "Waiting for the camera…"),
                FramingCheck("view", False, True, VIEW_WORDS.get(self.view, self.view).capitalize(),
                             "Waiting for the camera…"),
                FramingCheck("light", False, False, "Lighting", "Waiting for the camera…"),
            ) + ((FramingCheck("level", False, False, "Camera level", "Waiting for the camera…"),)
                 if self.view in ("rear", "front") else ()), None, None, 0)
        need = PASS_SHARE * n

        def share_ok(values) -> bool:  # noqa: ANN001
            return sum(1 for v in values if v == "") >= need

        # ---- full body
        body_ok = share_ok(x.body for x in s)
        body_hint = "The whole body is in the picture with room around it."
        if not body_ok:
            bad = collections.Counter(x.body for x in s if x.body).most_common(1)[0][0]
            body_hint = _BODY_HINTS[bad]
        # ---- feet
        feet_ok = share_ok(x.feet for x in s)
        feet_hint = "Heels and toes are clearly visible."
        if not feet_ok:
            if all(x.body == "none" for x in s):
                feet_hint = "No feet found — the runner must be in the picture."
            elif collections.Counter(x.feet for x in s if x.feet).most_common(1)[0][0] == "missing":
                feet_hint = "A foot is not found — show the whole treadmill deck around the feet."
            else:
                feet_hint = ("The feet are hard to see — lower the camera to shin height "
                             "or add light on the belt.")
        # ---- view
        seen_counts = collections.Counter(x.view for x in s if x.view is not None)
        seen = seen_counts.most_common(1)[0][0] if seen_counts else None
        # rear and front count together: the pose model often reads a runner seen from
        # behind as one facing the camera, and flips between the two from frame to frame
        # (app.pose.view_check); the session's view decides which it is
        frontal = self.view in FRONTAL_VIEWS and seen in FRONTAL_VIEWS
        agree = sum(seen_counts[v] for v in FRONTAL_VIEWS) if frontal else seen_counts[seen]
        view_ok = (seen == self.view or frontal) and agree >= 0.5 * n  # arm swing blurs some frames
        want = VIEW_WORDS.get(self.view, self.view)
        if view_ok:
            view_hint = f"The camera sees the runner in {want}, as this session needs."
            if seen != self.view:
                view_hint = (f"The camera sees the runner from behind or in front, as this "
                             f"session needs (taken as the {want}).")
        elif seen is None:
            view_hint = f"Cannot tell the view yet. This session needs the {want}: " + VIEW_HINTS[self.view]
        else:
            view_hint = f"This looks like a {VIEW_WORDS[seen]}; the session needs the {want}. " \
                        + VIEW_HINTS[self.view]
        # ---- lighting
        lum = [x.luma for x in s if x.luma is not None]
        med = float(np.median([m for m, _ in lum])) if lum else None
        clipped = float(np.median([c for _, c in lum])) if lum else 0.0
        if med is None:
            light_ok, light_hint = True, "No image to judge the light."
        elif med < DARK_MEDIAN:
            light_ok, light_hint = False, ("Too dark — turn on a light or open the blinds; "
                                           "dark video hides the feet.")
        elif med > BRIGHT_MEDIAN or clipped > CLIPPED_SHARE:
            light_ok, light_hint = False, ("Too bright or back-lit — avoid a window or lamp "
                                           "behind the runner.")
        else:
            light_ok, light_hint = True, "The light is good."
        checks = (
            FramingCheck("body", body_ok, True, "Full body in view", body_hint),
            FramingCheck("feet", feet_ok, True, "Feet visible", feet_hint),
            FramingCheck("view", view_ok, True, want.capitalize(), view_hint),
            FramingCheck("light", light_ok, False, "Lighting", light_hint),
        )
        if self.view in ("rear", "front"):
            checks += (level_check(s),)
        return FramingReport(checks, seen, med, n)
