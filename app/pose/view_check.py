"""Does the video show the camera view it is analysed as? Qt-free, numpy only.

One pose tells side from frontal by the body's width: the larger of the shoulder and
hip widths (image x distance) against the torso height (shoulder midpoint to hip
midpoint). Seen from the side both are narrow (ratio ≤ ``SIDE_RATIO``); from behind or in
front they are wide (≥ ``FRONTAL_RATIO``); in between is unclear. Rear and front differ
by the face (hidden from behind) and by where the runner's left shoulder is (image left
from behind). The framing guide of a guided session (``app.protocol.framing``) uses the
same :func:`view_of`.

:class:`ViewTally` counts the verdicts over a clip or a live stream and gives a
:class:`ViewVerdict`: when most frames with a person clearly show another view than the
one the metrics are computed for, side against rear/front, the numbers are not
meaningful (side-view angles read from a rear view, or the reverse), and the verdict
says so in one sentence — the CLI puts it first in the summary and in the JSON
``quality``, the live window and the comparison view show it as a warning.

Rear against front is not that sure: the pose model often takes a runner seen from
behind for one facing the camera, labelling the body mirrored and placing a face (it
flips between the two readings from frame to frame), and the engine puts such labels
back by the view it is told (``app.gait.tracking.FrontalFlipRepair``). So a rear/front
disagreement keeps the view set and only adds a note (:meth:`ViewVerdict.note`): if the
camera really was on the other side, left and right are exchanged. Image coordinates:
pixels, x right, y down.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from app.types import LM

FRONTAL_RATIO = 0.45      # shoulder/hip width ÷ torso height: ≥ this = rear/front view
SIDE_RATIO = 0.30         # ≤ this = side view (between the two: unclear)
FACE_VIS_REAR = 0.5       # mean face visibility below this = face turned away (rear)
FACE_POINTS = ("nose", "left_eye", "right_eye", "mouth_left", "mouth_right")
VIEW_WORDS = {"side": "side view", "rear": "rear view", "front": "front view"}
FRONTAL_VIEWS = ("rear", "front")
#: a view counts as seen when it is this share of the frames whose view is clear
MISMATCH_SHARE = 0.6
#: ... and at least this many frames were judged
MIN_FRAMES = 10


def view_of(lm: np.ndarray | None) -> str | None:
    """side | rear | front from one pose (landmarks (33, 4) in pixels), or None when
    unclear or no person."""
    if lm is None:
        return None
    ls, rs, lh, rh = (lm[LM[n]] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip"))
    if any(math.isnan(float(p[0])) or math.isnan(float(p[1])) for p in (ls, rs, lh, rh)):
        return None
    torso = math.hypot((ls[0] + rs[0] - lh[0] - rh[0]) / 2, (ls[1] + rs[1] - lh[1] - rh[1]) / 2)
    if torso < 1.0:
        return None
    width = max(abs(float(ls[0] - rs[0])), abs(float(lh[0] - rh[0])))
    ratio = width / torso
    if ratio <= SIDE_RATIO:
        return "side"
    if ratio < FRONTAL_RATIO:
        return None
    face = [float(lm[LM[n], 3]) for n in FACE_POINTS]
    face_vis = float(np.nanmean(face)) if not all(math.isnan(v) for v in face) else 0.0
    # Seen from behind, the runner's left is on the image's left (x smaller).
    left_on_left = (ls[0] + lh[0]) < (rs[0] + rh[0])
    if face_vis < FACE_VIS_REAR:
        return "rear"
    return "rear" if left_on_left else "front"


@dataclass(frozen=True, slots=True)
class ViewVerdict:
    """What a clip showed against the view it is analysed as. ``seen``: the most common
    clear view (None: never clear); ``share``: its share of the frames with a clear view
    (0..1); ``frames``: how many frames had a clear view."""

    expected: str
    seen: str | None
    share: float
    frames: int

    @property
    def _clear(self) -> bool:
        return (self.seen is not None and self.seen != self.expected
                and self.frames >= MIN_FRAMES and self.share >= MISMATCH_SHARE)

    @property
    def mismatch(self) -> bool:
        """True when the video clearly shows another kind of view than ``expected``: side
        against rear/front (rear against front is :attr:`other_frontal`)."""
        return self._clear and not self.other_frontal

    @property
    def other_frontal(self) -> bool:
        """True when the poses mostly read as the other frontal view (rear for front or
        front for rear): the pose model does that from behind too (module docstring)."""
        return self._clear and self.seen in FRONTAL_VIEWS and self.expected in FRONTAL_VIEWS

    def note(self) -> str:
        """'' unless :attr:`other_frontal`; then one sentence that the view set is kept."""
        if not self.other_frontal:
            return ""
        want, seen = VIEW_WORDS.get(self.expected, self.expected), VIEW_WORDS[self.seen]
        where = "behind" if self.seen == "rear" else "in front of"
        return (f"{100 * self.share:.0f} % of {self.frames} frames look like a {seen}, as the "
                f"pose model reads runners filmed from either side at times, so the {want} "
                f"set is kept. If the camera was {where} the runner, set the {seen}: "
                "left and right are exchanged.")

    def sentence(self, remedy: str = "") -> str:
        """'' when the views agree; else one sentence (plus ``remedy``, e.g. "Re-run with
        --view side.")."""
        if not self.mismatch:
            return ""
        seen, want = VIEW_WORDS[self.seen], VIEW_WORDS.get(self.expected, self.expected)
        text = (f"Wrong view: the video looks like a {seen} ({100 * self.share:.0f} % of "
                f"{self.frames} frames) but is measured as a {want}, so the "
                f"{want.replace(' ', '-')} "
                "numbers are not meaningful.")
        return f"{text} {remedy}".strip()

    def to_json(self) -> dict:
        return {"expected": self.expected, "seen": self.seen, "share": round(self.share, 3),
                "frames": self.frames, "mismatch": self.mismatch,
                "other_frontal": self.other_frontal}


class ViewTally:
    """Counts :func:`view_of` over frames (every ``every``-th frame given to :meth:`add`;
    a few per second is plenty). ``window``: keep only the last this many judged frames
    (live), None = the whole clip. One thread at a time."""

    def __init__(self, every: int = 3, window: int | None = None) -> None:
        self.every = max(1, int(every))
        self.window = window
        self._n = 0
        self._seen: list[str] = []

    def reset(self) -> None:
        self._n = 0
        self._seen.clear()

    def add(self, landmarks: np.ndarray | None) -> None:
        """One frame's landmarks (33, 4) or None (no person)."""
        self._n += 1
        if (self._n - 1) % self.every:
            return
        v = view_of(landmarks)
        if v is None:
            return
        self._seen.append(v)
        if self.window is not None and len(self._seen) > self.window:
            del self._seen[: len(self._seen) - self.window]

    def verdict(self, expected: str) -> ViewVerdict:
        counts = Counter(self._seen)
        if not counts:
            return ViewVerdict(str(expected), None, 0.0, 0)
        seen, n = counts.most_common(1)[0]
        total = sum(counts.values())
        return ViewVerdict(str(expected), seen, n / total, total)


def check_view(landmarks, expected: str, every: int = 3) -> ViewVerdict:  # noqa: ANN001
    """The verdict over an iterable of landmark arrays (or None per frame)."""
    tally = ViewTally(every)
    for lm in landmarks:
        tally.add(lm)
    return tally.verdict(expected)


def is_view_warning(text: str) -> bool:
    """True for the sentence of :meth:`ViewVerdict.sentence` (it leads any summary)."""
    return text.startswith("Wrong view")


def with_view_warning(result, verdict: ViewVerdict, remedy: str = ""):  # noqa: ANN001, ANN201
    """``result`` (``app.gait.analysis.AnalysisResult``) with the wrong-view sentence of
    ``verdict`` as its first warning and its quality lowered; with the rear/front note
    (:meth:`ViewVerdict.note`) as its last warning, quality kept; unchanged when the view
    agrees."""
    from dataclasses import replace

    from app.types import Quality

    note = verdict.note()
    if note:
        return replace(result, warnings=tuple(result.warnings) + (note,))
    text = verdict.sentence(remedy)
    if not text:
        return result
    quality = result.quality if result.quality is Quality.UNAVAILABLE else Quality.LOW
    return replace(result, warnings=(text,) + tuple(result.warnings), quality=quality)
