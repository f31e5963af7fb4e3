"""Leg continuity: repair MediaPipe's left/right leg swaps and reject jumping foot points.

Works on raw landmarks (33, 4) in pixels. In side view the pose model sometimes labels the
near leg as the far one for a few frames, or snaps one foot point onto the other foot; the
tracker keeps each leg on a continuous path instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.gait.geometry import (
    L_ANKLE, L_EAR, L_HEEL, L_HIP, L_KNEE, L_SHOULDER, L_TOE, LEG_SWAP_PAIRS, NOSE, R_ANKLE,
    R_EAR, R_HEEL, R_HIP, R_KNEE, R_SHOULDER, R_TOE,
)
from app.types import LM, Facing

_FOOT_POINTS = (L_ANKLE, R_ANKLE, L_HEEL, R_HEEL, L_TOE, R_TOE)


@dataclass(frozen=True, slots=True)
class TrackerConfig:
    swap_ratio: float = 0.5            # swap when the swapped cost is below this × kept cost
    swap_min_cost_legs: float = 0.25   # ...and the kept cost exceeds this (sum over points)
    swap_revert_s: float = 1.5         # a swap held this long means the labels were right
    max_point_speed_legs_per_s: float = 14.0  # faster than this is a detection glitch
    max_glitch_samples: int = 3        # after this many rejections the new position is taken


class LegTracker:
    """Keeps left/right leg identity continuous across samples."""

    def __init__(self, config: TrackerConfig | None = None) -> None:
        self.cfg = config or TrackerConfig()
        self._prev: np.ndarray | None = None
        self._prev_t_s = 0.0
        self.swapped = False
        self._swapped_since_s = 0.0
        self._glitch = np.zeros(33, dtype=np.int32)
        self.n_swaps = 0
        self.n_rejected = 0
        self.last_repaired = False

    def reset(self) -> None:
        self.__init__(self.cfg)  # type: ignore[misc]

    @staticmethod
    def _apply_swap(lm: np.ndarray) -> np.ndarray:
        return swap_pairs(lm, LEG_SWAP_PAIRS)

    def update(self, lm: np.ndarray, t_s: float, leg_px: float) -> np.ndarray:
        """Return a repaired copy of ``lm`` (pixels); rejected points become NaN."""
        self.last_repaired = False
        cur = self._apply_swap(lm) if self.swapped else lm.copy()
        prev = self._prev
        if prev is not None and leg_px > 0:
            keep = self._cost(cur, prev)
            swapped = self._apply_swap(cur)
            alt = self._cost(swapped, prev)
            if (not math.isnan(keep) and not math.isnan(alt)
                    and alt < self.cfg.swap_ratio * keep
                    and keep > self.cfg.swap_min_cost_legs * leg_px):
                self.swapped = not self.swapped
                self._swapped_since_s = t_s
                self.n_swaps += 1
                self.last_repaired = True
                cur = swapped
            elif self.swapped and t_s - self._swapped_since_s > self.cfg.swap_revert_s:
                # Held for long: the model's labels are consistent again; trust them.
                self.swapped = False
                cur = lm.copy()
                self.last_repaired = True
            dt = max(t_s - self._prev_t_s, 1e-3)
            max_jump = self.cfg.max_point_speed_legs_per_s * leg_px * dt
            for i in _FOOT_POINTS:
                if math.isnan(prev[i, 0]) or math.isnan(cur[i, 0]):
                    continue
                jump = math.hypot(cur[i, 0] - prev[i, 0], cur[i, 1] - prev[i, 1])
                if jump > max_jump and self._glitch[i] < self.cfg.max_glitch_samples:
                    self._glitch[i] += 1
                    self.n_rejected += 1
                    cur[i, :2] = np.nan
                    cur[i, 3] = 0.0
                else:
                    self._glitch[i] = 0
        # remember the last good position of each point (NaN points keep their old one)
        if prev is None:
            self._prev = cur.copy()
        else:
            good = ~np.isnan(cur[:, 0])
            self._prev = np.where(good[:, None], cur, prev)
        self._prev_t_s = t_s
        return cur

    @staticmethod
    def _cost(cur: np.ndarray, prev: np.ndarray) -> float:
        total = 0.0
        n = 0
        for a, b in LEG_SWAP_PAIRS:
            for i in (a, b):
                d = math.hypot(cur[i, 0] - prev[i, 0], cur[i, 1] - prev[i, 1])
                if not math.isnan(d):
                    total += d
                    n += 1
        return total if n >= 4 else math.nan


def facing_votes(lm: np.ndarray) -> float:
    """Evidence for the side-view facing in one pose: > 0 faces image-right, < 0 left.

    Uses toe-ahead-of-heel on both feet and nose-ahead-of-ears, each normalised to ±1.
    """
    votes = 0.0
    for heel, toe in ((L_HEEL, L_TOE), (R_HEEL, R_TOE)):
        d = lm[toe, 0] - lm[heel, 0]
        if not math.isnan(d) and abs(d) > 1.0:
            votes += math.copysign(1.0, d) * min(lm[toe, 3], lm[heel, 3])
    ear_x = np.nanmean([lm[L_EAR, 0], lm[R_EAR, 0]]) if not (
        math.isnan(lm[L_EAR, 0]) and math.isnan(lm[R_EAR, 0])) else math.nan
    d = lm[NOSE, 0] - ear_x
    if not math.isnan(d) and abs(d) > 1.0:
        votes += math.copysign(1.0, d) * lm[NOSE, 3]
    return float(votes)


class FacingEstimator:
    """Accumulates ``facing_votes`` over samples; decides once the evidence is clear."""

    def __init__(self, min_samples: int = 10) -> None:
        self.min_samples = min_samples
        self._sum = 0.0
        self._n = 0

    def update(self, lm: np.ndarray) -> Facing | None:
        self._sum += facing_votes(lm)
        self._n += 1
        return self.facing

    @property
    def facing(self) -> Facing | None:
        if self._n < self.min_samples or abs(self._sum) < 0.5 * self._n:
            return None
        return Facing.RIGHT if self._sum > 0 else Facing.LEFT



#: Left/right landmark index pairs of the whole body (face, arms, hands, legs, hips).
BODY_PAIRS: tuple[tuple[int, int], ...] = tuple(
    (LM[f"left_{n}"], LM[f"right_{n}"]) for n in (
        "eye_inner", "eye", "eye_outer", "ear", "shoulder", "elbow", "wrist", "pinky",
        "index", "thumb", "hip", "knee", "ankle", "heel", "foot_index")
) + ((LM["mouth_left"], LM["mouth_right"]),)


#: the model's ankles "jump" to each other's places when the exchanged pair lies nearer
#: the previous frame's by this factor (:meth:`FrontalFlipRepair._feet`; a swap at 30 fps
#: while the feet move fast read 0.54)
FEET_SWAP_RATIO = 0.8
#: Left/right landmark index pairs of the feet (ankle, heel, toe).
FOOT_SWAP_PAIRS: tuple[tuple[int, int], ...] = ((L_ANKLE, R_ANKLE), (L_HEEL, R_HEEL), (L_TOE, R_TOE))


def swap_pairs(lm: np.ndarray, pairs: tuple[tuple[int, int], ...]) -> np.ndarray:
    """A copy of ``lm`` with the landmarks of each (a, b) of ``pairs`` exchanged."""
    out = lm.copy()
    for a, b in pairs:
        out[[a, b]] = lm[[b, a]]
    return out


def swap_body(lm: np.ndarray) -> np.ndarray:
    """A copy of ``lm`` with every left/right landmark pair exchanged."""
    return swap_pairs(lm, BODY_PAIRS)


class FrontalFlipRepair:
    """Frontal views: the body's left side is on a known side of the image (rear view:
    image-left; front view, camera image not mirrored: image-right).

    The pose model often labels the whole body mirrored in rear views, and swaps the legs
    when they pass each other in swing. This puts the labels back: the whole body by the
    hips (or, when the hips are too close together to tell, the shoulders); then each leg
    by its knee, which stays on its hip's side even when the feet cross (a crossover
    gait). Where the knees are too close to tell, the previous frame's decision stands.
    Last, the feet alone, by continuity and the knees (:meth:`_feet`)."""

    def __init__(self, left_on_image_left: bool, min_sep_px: float = 4.0) -> None:
        self.left_on_image_left = left_on_image_left
        self.min_sep_px = min_sep_px
        self.flipped = False
        self.n_flips = 0
        self._legs_swapped = False
        self.feet_swapped = False
        self.n_feet_swaps = 0
        self._prev_ankles: np.ndarray | None = None

    def update(self, lm: np.ndarray) -> np.ndarray:
        """Return ``lm`` with the view's left/right order (a copy when repaired)."""
        self.flipped = False
        out = lm
        for a, b in ((L_HIP, R_HIP), (L_SHOULDER, R_SHOULDER)):
            d = lm[a, 0] - lm[b, 0]  # left minus right
            if math.isnan(d) or abs(d) < self.min_sep_px:
                continue
            wrong = d > 0 if self.left_on_image_left else d < 0
            if wrong:
                self.flipped = True
                self.n_flips += 1
                out = swap_body(lm)
            break
        return self._legs(out)

    def _legs(self, lm: np.ndarray) -> np.ndarray:
        hip_w = abs(lm[L_HIP, 0] - lm[R_HIP, 0])
        if math.isnan(hip_w):
            return lm
        sep = max(self.min_sep_px, 0.15 * hip_w)
        side = 1.0 if lm[L_HIP, 0] > lm[R_HIP, 0] else -1.0  # sign of left − right
        d = (lm[L_KNEE, 0] - lm[R_KNEE, 0]) * side
        if not math.isnan(d) and abs(d) >= sep:
            self._legs_swapped = d < 0
        return self._feet(swap_pairs(lm, LEG_SWAP_PAIRS) if self._legs_swapped else lm, sep)

    def _feet(self, lm: np.ndarray, sep_px: float) -> np.ndarray:
        """The feet put back when the pose model swapped them alone for a frame or a few
        (the knees right). A swap starts where the model's two ankles jump to where the
        other one was (the exchanged pair lies nearer the previous frame's, by
        ``FEET_SWAP_RATIO``) while the exchanged pair sits better under the knees (by
        ``sep_px``; seen from behind or in front each shank is near vertical); it lasts
        until they jump back or the kept pair sits better under the knees. The knees alone
        would take a crossover gait, both feet across the midline, for a swap; the jump
        alone, at 30 fps, misses some (fast feet) and then follows the wrong labels."""
        here = lm[[L_ANKLE, R_ANKLE], :2]
        prev, self._prev_ankles = self._prev_ankles, (here.copy() if np.isfinite(here).all() else None)
        kl, kr, al, ar = lm[L_KNEE, 0], lm[R_KNEE, 0], lm[L_ANKLE, 0], lm[R_ANKLE, 0]
        under_kept = abs(al - kl) + abs(ar - kr)
        under_swapped = abs(al - kr) + abs(ar - kl)
        knees_swap = under_swapped < under_kept - sep_px  # False when any is NaN
        knees_keep = under_kept < under_swapped - sep_px
        jump = False
        if prev is not None and self._prev_ankles is not None:
            keep = float(np.hypot(*(here - prev).T).sum())
            swap = float(np.hypot(*(here[::-1] - prev).T).sum())
            jump = keep > sep_px and swap < FEET_SWAP_RATIO * keep
        if not self.feet_swapped:
            self.feet_swapped = jump and knees_swap
            self.n_feet_swaps += self.feet_swapped
        else:
            self.feet_swapped = not (jump or knees_keep)
        return swap_pairs(lm, FOOT_SWAP_PAIRS) if self.feet_swapped else lm
