"""The runner region: which part of the picture the pose model looks at, and who is the runner.

Pure numpy (no model): :class:`RunnerRegion` is told each frame's pose (in full-image
pixels) and decides whether it is the runner it has been following, where the region
goes next, and whether the runner is lost. ``app.pose.region_pose`` crops the frames to
the region, runs MediaPipe inside it and asks this class.

Coordinates: image pixels, origin top-left, x right, y down. A region is ``(x, y, w, h)``.
Times: the samples' ``t_ns``.

Rules (a person's size is their *torso*, shoulder midpoint to hip midpoint, in pixels):

* **Proposal**: without a region, the first confident pose (mean visibility of the body
  landmarks ≥ ``CONFIDENT_VISIBILITY``) proposes one around that person. A region given by
  the user (dragged, ``--roi``, remembered) is used from the first frame.
* **Following**: the region is a box of ``REGION_BODY_SCALE`` × the body size around the
  runner, kept inside the image. It moves only by what the runner's centre moves beyond
  ``DEADBAND`` × its side from the region's centre, and changes size only when the body
  size changes by more than ``RESIZE_HYSTERESIS``: a treadmill runner gets a still crop
  (the model sees a steady picture), a walker crossing the picture a smoothly moving one.
* **Identity**: a pose whose hip midpoint lands more than ``JUMP_TORSOS`` torsos (plus
  what ``MAX_SPEED_TORSOS_S`` allows for the time since the last accepted pose) from where
  the runner was predicted, or whose torso is ``SCALE_CHANGE`` times larger or smaller, is
  another person: it is rejected, and its box is masked out of the picture for a while
  so that the model drops it and detects again inside the region.
* **Lost**: no accepted pose for ``LOST_AFTER_S`` → state ``lost`` (the window shows a
  banner within 1 s); the region stays where the runner was last seen and slowly grows
  (up to ``LOST_GROW_MAX`` ×) so the runner is found again when they come back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.types import LM

Region = tuple[float, float, float, float]

CONFIDENT_VISIBILITY = 0.6
REGION_BODY_SCALE = 1.6
RESIZE_HYSTERESIS = 0.2
DEADBAND = 0.12
JUMP_TORSOS = 0.6
MAX_SPEED_TORSOS_S = 20.0     # ~10 m/s with a 0.5 m torso: faster than any runner
SCALE_CHANGE = 1.6
LOST_AFTER_S = 0.5
LOST_GROW_S = 3.0             # the region grows to its maximum over this time
LOST_GROW_MAX = 1.3
MASK_S = 1.0
#: Body landmarks (no face detail) used for boxes and visibility.
_BODY = np.array([LM["nose"]] + list(range(LM["left_shoulder"], 33)))
_SHOULDERS = (LM["left_shoulder"], LM["right_shoulder"])
_HIPS = (LM["left_hip"], LM["right_hip"])


@dataclass(frozen=True, slots=True)
class RunnerStatus:
    """What the region tracker knows. ``state``: ``searching`` (no runner yet), ``following``
    or ``lost``; ``lost_s`` seconds since the runner was last accepted (None when not
    lost); ``rejected`` poses of other people rejected so far; ``user_region`` True when
    the region was given by the user."""

    state: str
    region: Region | None
    lost_s: float | None
    rejected: int
    user_region: bool

    @property
    def message(self) -> str:
        """One sentence for the user ('' while following)."""
        if self.state == "lost":
            return (f"Runner lost {self.lost_s:.1f} s ago — waiting for them inside the runner "
                    "region. Drag a new box around the runner on the video (Shift+drag), "
                    "or press G to find them automatically.")
        if self.state == "searching" and self.region is not None:
            return "Looking for the runner inside the runner region…"
        return ""


@dataclass(frozen=True, slots=True)
class Body:
    """A pose reduced to what identity needs: hip midpoint (px), torso (px), box."""

    hip: np.ndarray
    torso: float
    box: tuple[float, float, float, float]   # x0, y0, x1, y1

    @property
    def size(self) -> float:
        """Body size in pixels: the box height, or 3 torsos when the person is folded."""
        return max(self.box[3] - self.box[1], 3.0 * self.torso)


def body_of(lm: np.ndarray) -> Body | None:
    """The :class:`Body` of landmarks (33, 4) in image pixels; None when degenerate."""
    pts = lm[_BODY, :2]
    if not np.isfinite(pts).all():
        return None
    hip = lm[list(_HIPS), :2].mean(axis=0)
    sh = lm[list(_SHOULDERS), :2].mean(axis=0)
    torso = float(np.hypot(*(sh - hip)))
    if torso < 2.0:
        return None
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    return Body(hip.astype(float), torso, (float(x0), float(y0), float(x1), float(y1)))


def is_confident(lm: np.ndarray) -> bool:
    """True when the body landmarks are seen well enough to propose a region from."""
    return float(np.mean(lm[_BODY, 3])) >= CONFIDENT_VISIBILITY


def same_person(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """True when two poses of the same frame are one person (hips within ``JUMP_TORSOS``
    torsos, torso sizes within ``SCALE_CHANGE``); both None counts as the same."""
    if a is None or b is None:
        return a is None and b is None
    ba, bb = body_of(a), body_of(b)
    if ba is None or bb is None:
        return False
    ratio = bb.torso / ba.torso
    d = float(np.hypot(*(bb.hip - ba.hip)))
    return d <= JUMP_TORSOS * ba.torso and 1 / SCALE_CHANGE <= ratio <= SCALE_CHANGE


def clip_region(region: Region, width: int, height: int) -> Region:
    """``region`` moved (not shrunk) to lie inside the image; shrunk only where it is
    larger than the image."""
    x, y, w, h = region
    w, h = min(w, width), min(h, height)
    x = min(max(x, 0.0), width - w)
    y = min(max(y, 0.0), height - h)
    return (x, y, w, h)


class RunnerRegion:
    """Follows one runner through a stream of poses (see the module docstring).

    Call :meth:`crop` before the model runs (the region to crop, or None for the whole
    frame), then :meth:`accept` with the model's pose in full-image pixels (or None): it
    returns the pose if it is the runner, else None. One thread (the pose thread).
    """

    def __init__(self, width: int, height: int, region: Region | None = None) -> None:
        self.width, self.height = int(width), int(height)
        self.user_region = region is not None
        self.region: Region | None = (clip_region(region, self.width, self.height)
                                      if region is not None else None)
        self._base: Region | None = self.region      # region when the runner was last seen
        self._size: float | None = None              # body size the region was sized for
        self._last: Body | None = None
        self._last_t: int | None = None
        self._vel = np.zeros(2)                       # hip velocity, px/s
        self._t: int | None = None
        self.rejected = 0
        self.masks: list[tuple[tuple[float, float, float, float], int]] = []  # (box, until_ns)

    # ---------------------------------------------------------------- control
    def set_region(self, region: Region | None) -> None:
        """A new region from the user (None: find the runner automatically)."""
        self.user_region = region is not None
        self.region = clip_region(region, self.width, self.height) if region else None
        self._base = self.region
        self._size = None
        self._last = None
        self._last_t = None
        self._vel[:] = 0.0
        self.masks.clear()

    # ---------------------------------------------------------------- per frame
    def crop(self, t_ns: int) -> tuple[int, int, int, int] | None:
        """Pixel box (x0, y0, x1, y1) for the model at time ``t_ns``; None = whole frame."""
        self._t = int(t_ns)
        self.masks = [(b, until) for b, until in self.masks if until > t_ns]
        if self.region is None:
            return None
        if self.lost_s is not None and self._base is not None:
            grow = 1.0 + (LOST_GROW_MAX - 1.0) * min(1.0, self.lost_s / LOST_GROW_S)
            x, y, w, h = self._base
            cx, cy = x + w / 2, y + h / 2
            self.region = clip_region((cx - w * grow / 2, cy - h * grow / 2, w * grow, h * grow),
                                      self.width, self.height)
        x, y, w, h = self.region
        x0, y0 = int(round(x)), int(round(y))
        x1 = min(self.width, x0 + int(round(w)))
        y1 = min(self.height, y0 + int(round(h)))
        if x0 <= 0 and y0 <= 0 and x1 >= self.width and y1 >= self.height:
            return None
        return (x0, y0, x1, y1)

    def accept(self, lm: np.ndarray | None, t_ns: int) -> np.ndarray | None:
        """The pose if it is the runner (the region then follows them), else None."""
        body = body_of(lm) if lm is not None else None
        if body is None:
            return None
        if self._last is None:
            if self.region is None and not is_confident(lm):
                return None  # no proposal from a doubtful pose
            self._follow(body, t_ns, first=True)
            return lm
        if not self._is_runner(body, t_ns):
            self.rejected += 1
            x0, y0, x1, y1 = body.box
            m = 0.15 * (y1 - y0)
            self.masks.append(((x0 - m, y0 - m, x1 + m, y1 + m), int(t_ns + MASK_S * 1e9)))
            return None
        self._follow(body, t_ns)
        return lm

    # ---------------------------------------------------------------- state
    @property
    def lost_s(self) -> float | None:
        """Seconds since the runner was last accepted, once that exceeds ``LOST_AFTER_S``."""
        if self._last_t is None or self._t is None:
            return None
        dt = (self._t - self._last_t) / 1e9
        return dt if dt > LOST_AFTER_S else None

    def status(self) -> RunnerStatus:
        lost = self.lost_s
        state = "searching" if self._last is None else ("lost" if lost is not None else "following")
        return RunnerStatus(state, self.region, lost, self.rejected, self.user_region)

    # ---------------------------------------------------------------- internals
    def _is_runner(self, body: Body, t_ns: int) -> bool:
        last = self._last
        assert last is not None and self._last_t is not None
        dt = max(0.0, (t_ns - self._last_t) / 1e9)
        ratio = body.torso / last.torso
        if not 1 / SCALE_CHANGE <= ratio <= SCALE_CHANGE:
            return False
        predicted = last.hip + self._vel * min(dt, LOST_AFTER_S)
        allowed = last.torso * (JUMP_TORSOS + MAX_SPEED_TORSOS_S * dt)
        return float(np.hypot(*(body.hip - predicted))) <= allowed

    def _follow(self, body: Body, t_ns: int, first: bool = False) -> None:
        if self._last is not None and self._last_t is not None and t_ns > self._last_t:
            dt = (t_ns - self._last_t) / 1e9
            v = (body.hip - self._last.hip) / dt
            a = min(1.0, dt / 0.2)  # ~0.2 s smoothing of the velocity
            self._vel = (1 - a) * self._vel + a * v
        self._last, self._last_t = body, int(t_ns)
        size = body.size
        if self._size is None or abs(size / self._size - 1.0) > RESIZE_HYSTERESIS:
            self._size = size
        side = REGION_BODY_SCALE * self._size
        x0, y0, x1, y1 = body.box
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if self.region is not None and not first and self._base is not None:
            bx, by, w, h = self._base
            if abs(side / max(w, h) - 1.0) > RESIZE_HYSTERESIS / 2:
                w = h = side
            cx = _deadband(bx + self._base[2] / 2, cx, DEADBAND * w)
            cy = _deadband(by + self._base[3] / 2, cy, DEADBAND * h)
        else:
            w = h = side
            if self.user_region and self.region is not None and first:
                # keep the user's box size if it is big enough for this body
                w, h = max(self.region[2], side), max(self.region[3], side)
        self.region = clip_region((cx - w / 2, cy - h / 2, w, h), self.width, self.height)
        self._base = self.region


def _deadband(centre: float, target: float, band: float) -> float:
    """``centre`` moved just enough that ``target`` is within ``band`` of it."""
    d = target - centre
    if abs(d) <= band:
        return centre
    return centre + d - band * (1.0 if d > 0 else -1.0)
