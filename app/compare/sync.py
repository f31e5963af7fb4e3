"""Stride-phase sync of two clips by their gait events (pure numpy: no Qt, no cv2).

The comparison shows clip A and clip B at the *same phase of the stride*, even when the
runner's cadence differs. Both clips are cut into strides of one reference foot (initial
contact, IC, to the next IC of the same foot). Stride ``k`` of the sync pairs A's stride
``(start_a + k) % n_a`` with B's stride ``(start_b + k) % n_b``: the shorter list wraps
around (loops), so the sync has ``max(n_a, n_b)`` pairs.

**Sync phase** ``u`` (a float) is the common timeline: ``u = k + p`` with ``p`` in [0, 1)
the phase within pair ``k``. The anchors are the initial contacts: ``p = 0`` at the
reference foot's IC and ``p = 0.5`` at the other foot's IC; between anchors, time is
linear. So every IC of A maps exactly onto the corresponding IC of B (same foot), and the
time in between is scaled per half-stride. A stride in which the other foot's IC is
missing uses ``p = 0.5`` at its time midpoint.

**Strides.** A stride is kept when its length is within 0.6–1.6× the clip's median stride
time (a missed IC makes a stride twice as long; it is dropped, not stretched). Its
toe-offs are the feet's first TO inside it; **midstance** is defined as halfway (in time)
between a foot's IC and its following TO — a timing definition that needs no landmarks
and is stable when the stance ankle is occluded. Key moments are a clip's *own* events
(A's midstance and B's midstance), for "jump to" navigation and key frames; the mapping
itself aligns only the ICs.

All times are seconds on each clip's own clock (seconds from the start of its video).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from app.types import EventKind, Foot

#: A stride whose duration is outside this × the median stride time is not used.
STRIDE_RATIO_RANGE = (0.6, 1.6)
#: Phase (fraction of the stride) of the other foot's initial contact.
CONTRA_IC_PHASE = 0.5
#: Key moment kinds, in stride order for one foot.
KEY_KINDS = ("IC", "MS", "TO")
KEY_LABELS = {"IC": "initial contact", "MS": "midstance", "TO": "toe-off"}


class SyncError(ValueError):
    """The clips have too few usable strides to be synced."""


@dataclass(frozen=True, slots=True)
class ContactEvent:
    """One gait event on a clip's clock: ``kind`` IC or TO, ``t_s`` seconds."""

    kind: EventKind
    foot: Foot
    t_s: float


@dataclass(frozen=True, slots=True)
class Stride:
    """One stride of ``foot``: IC at ``ic_s`` to the same foot's next IC at ``end_s``.

    ``to_s``: this foot's toe-off in the stride; ``contra_ic_s``/``contra_to_s``: the other
    foot's IC and TO in the stride (each None when not detected). Seconds.
    """

    foot: Foot
    ic_s: float
    end_s: float
    to_s: float | None
    contra_ic_s: float | None
    contra_to_s: float | None

    @property
    def duration_s(self) -> float:
        return self.end_s - self.ic_s

    @property
    def midstance_s(self) -> float | None:
        """Halfway between this foot's IC and TO (None without a TO)."""
        return None if self.to_s is None else 0.5 * (self.ic_s + self.to_s)

    def key_time_s(self, kind: str) -> float | None:
        """Time of key moment ``kind`` ('IC', 'MS' or 'TO') of this stride's foot."""
        return {"IC": self.ic_s, "MS": self.midstance_s, "TO": self.to_s}[kind]

    def anchors(self) -> tuple[np.ndarray, np.ndarray]:
        """(phase, time) anchor arrays of this stride: IC 0, other IC 0.5, next IC 1."""
        mid = self.contra_ic_s
        if mid is None or not (self.ic_s < mid < self.end_s):
            mid = self.ic_s + CONTRA_IC_PHASE * self.duration_s
        return (np.array([0.0, CONTRA_IC_PHASE, 1.0]), np.array([self.ic_s, mid, self.end_s]))

    def time_at(self, p: float) -> float:
        """Clip time at phase ``p`` in [0, 1] of this stride."""
        ph, ts = self.anchors()
        return float(np.interp(p, ph, ts))

    def phase_of(self, t_s: float) -> float:
        """Phase in [0, 1] of clip time ``t_s`` (clamped to the stride)."""
        ph, ts = self.anchors()
        return float(np.interp(t_s, ts, ph))


@dataclass(frozen=True, slots=True)
class KeyMoment:
    """A key moment of one clip: ``kind`` 'IC' | 'MS' | 'TO' of ``foot`` at ``t_s``."""

    kind: str
    foot: Foot
    t_s: float
    stride: int  # index into the clip's stride list for the reference foot, or -1


def find_strides(events: Iterable[ContactEvent], foot: Foot) -> list[Stride]:
    """Strides of ``foot`` (IC to next IC), in time order, abnormal-length ones dropped."""
    evs = sorted(events, key=lambda e: e.t_s)
    ics = [e.t_s for e in evs if e.kind is EventKind.IC and e.foot is foot]
    if len(ics) < 2:
        return []
    durations = np.diff(ics)
    med = float(np.median(durations))
    lo, hi = STRIDE_RATIO_RANGE[0] * med, STRIDE_RATIO_RANGE[1] * med
    out: list[Stride] = []
    for t0, t1 in zip(ics[:-1], ics[1:]):
        if not lo <= t1 - t0 <= hi:
            continue
        inside = [e for e in evs if t0 < e.t_s < t1]
        to = _first(inside, EventKind.TO, foot)
        c_ic = _first(inside, EventKind.IC, foot.other)
        c_to = _first([e for e in inside if c_ic is None or e.t_s > c_ic], EventKind.TO, foot.other)
        out.append(Stride(foot, t0, t1, to, c_ic, c_to))
    return out


def _first(evs: Sequence[ContactEvent], kind: EventKind, foot: Foot) -> float | None:
    for e in evs:
        if e.kind is kind and e.foot is foot:
            return e.t_s
    return None


def key_moments(events: Iterable[ContactEvent]) -> list[KeyMoment]:
    """All IC / midstance / TO moments of both feet, in time order (for "jump to").

    Midstance is halfway between an IC and the same foot's next TO (when that TO comes
    before the foot's next IC). ``stride`` is -1 here (not tied to a sync).
    """
    evs = sorted(events, key=lambda e: e.t_s)
    out: list[KeyMoment] = []
    for foot in Foot:
        mine = [e for e in evs if e.foot is foot]
        for i, e in enumerate(mine):
            if e.kind is EventKind.IC:
                out.append(KeyMoment("IC", foot, e.t_s, -1))
                nxt = mine[i + 1] if i + 1 < len(mine) else None
                if nxt is not None and nxt.kind is EventKind.TO:
                    out.append(KeyMoment("MS", foot, 0.5 * (e.t_s + nxt.t_s), -1))
            else:
                out.append(KeyMoment("TO", foot, e.t_s, -1))
    out.sort(key=lambda k: k.t_s)
    return out


@dataclass(frozen=True, slots=True)
class StridePair:
    """Pair ``k`` of the sync: A's stride ``a_index`` shown with B's stride ``b_index``."""

    k: int
    a_index: int
    b_index: int
    a: Stride
    b: Stride


@dataclass(frozen=True)
class StrideSync:
    """The mapping between two clips' clocks by stride phase (see the module docstring).

    ``a_strides``/``b_strides`` are each clip's usable strides of ``foot``; ``pairs`` the
    ``max(len(a), len(b))`` paired strides. Times are seconds on each clip's clock; ``u``
    is the sync phase (pair index + phase within the stride).
    """

    foot: Foot
    a_strides: tuple[Stride, ...]
    b_strides: tuple[Stride, ...]
    pairs: tuple[StridePair, ...]

    @property
    def n_pairs(self) -> int:
        return len(self.pairs)

    @property
    def u_end(self) -> float:
        """End of the sync timeline: ``u`` runs over [0, u_end]."""
        return float(self.n_pairs)

    @property
    def repeated(self) -> str | None:
        """'before' or 'after' when that clip has fewer strides and its strides repeat
        (loop) to fill the pairs; None when both have the same number."""
        na, nb = len(self.a_strides), len(self.b_strides)
        return None if na == nb else ("before" if na < nb else "after")

    def describe(self) -> str:
        """'14 left strides paired (14 before, 7 after: the after clip's 7 strides are
        shown twice)' — says when the shorter clip's strides repeat."""
        na, nb = len(self.a_strides), len(self.b_strides)
        text = (f"{self.n_pairs} {self.foot.value} stride{'s' if self.n_pairs != 1 else ''} "
                f"paired ({na} before, {nb} after")
        rep = self.repeated
        if rep is not None:
            few = min(na, nb)
            times = self.n_pairs / few
            how = ("twice" if abs(times - 2) < 1e-9 else
                   f"{times:.1f} times over" if times % 1 else f"{times:.0f} times over")
            text += (f": the {rep} clip's {few} stride{'s' if few != 1 else ''} "
                     f"{'are' if few != 1 else 'is'} shown {how}")
        return text + ")"

    def repeat_of(self, k: int) -> tuple[int, int] | None:
        """(pass, passes) of the repeated clip in pair ``k`` — (2, 2) for the second showing
        of its strides — or None when nothing repeats."""
        rep = self.repeated
        if rep is None:
            return None
        few = min(len(self.a_strides), len(self.b_strides))
        k = int(min(max(k, 0), self.n_pairs - 1))
        return k // few + 1, -(-self.n_pairs // few)

    # -- u → clip time ------------------------------------------------------------------
    def _pair(self, u: float) -> tuple[StridePair, float]:
        k = int(min(max(math.floor(u), 0), self.n_pairs - 1))
        return self.pairs[k], min(max(u - k, 0.0), 1.0)

    def a_time(self, u: float) -> float:
        """A's clip time (s) at sync phase ``u`` (clamped to [0, u_end])."""
        pair, p = self._pair(u)
        return pair.a.time_at(p)

    def b_time(self, u: float) -> float:
        """B's clip time (s) at sync phase ``u`` (clamped to [0, u_end])."""
        pair, p = self._pair(u)
        return pair.b.time_at(p)

    # -- clip time → u ------------------------------------------------------------------
    def u_of_a(self, t_a: float) -> float | None:
        """Sync phase of A's time ``t_a`` (first pair showing it), None outside A's strides."""
        return self._u_of(t_a, lambda pr: pr.a)

    def u_of_b(self, t_b: float) -> float | None:
        """Sync phase of B's time ``t_b`` (first pair showing it), None outside B's strides."""
        return self._u_of(t_b, lambda pr: pr.b)

    def _u_of(self, t: float, side) -> float | None:
        for pr in self.pairs:
            s = side(pr)
            if s.ic_s <= t < s.end_s or (pr.k == self.n_pairs - 1 and t == s.end_s):
                return pr.k + s.phase_of(t)
        return None

    # -- clip time ↔ clip time ----------------------------------------------------------
    def a_to_b(self, t_a: float) -> float:
        """B's time showing the same stride phase as A's time ``t_a`` (seconds).

        Inside A's usable strides this is exact (IC → IC). Before the first, after the
        last, or in a dropped stride, B follows A at the nearest pair's time scale from
        that pair's boundary (the caller clamps to B's range).
        """
        u = self.u_of_a(t_a)
        if u is not None:
            return self.b_time(u)
        return _extrapolate(t_a, [(p.a, p.b) for p in self.pairs])

    def b_to_a(self, t_b: float) -> float:
        """A's time showing the same stride phase as B's time ``t_b`` (seconds)."""
        u = self.u_of_b(t_b)
        if u is not None:
            return self.a_time(u)
        return _extrapolate(t_b, [(p.b, p.a) for p in self.pairs])

    def a_frame_to_b_frame(self, a_frame: int, a_frame_times_s: np.ndarray,
                           b_frame_times_s: np.ndarray) -> int:
        """B's video frame index for A's frame ``a_frame``, given each video's frame times."""
        t_b = self.a_to_b(float(a_frame_times_s[a_frame]))
        return nearest_frame(b_frame_times_s, t_b)

    # -- navigation ---------------------------------------------------------------------
    def loop_range(self, k: int) -> tuple[float, float]:
        """Sync-phase range [u0, u1) of pair ``k`` (one stride loop)."""
        k = int(min(max(k, 0), self.n_pairs - 1))
        return float(k), float(k + 1)

    def key_times(self, k: int, kind: str) -> tuple[float | None, float | None]:
        """(A time, B time) of key moment ``kind`` ('IC', 'MS', 'TO') in pair ``k``.

        Each is the clip's own event (A's toe-off, B's toe-off), so the key frames show
        the same event even when the two contact times differ.
        """
        pr = self.pairs[int(min(max(k, 0), self.n_pairs - 1))]
        return pr.a.key_time_s(kind), pr.b.key_time_s(kind)

    def key_u(self, k: int, kind: str) -> float | None:
        """Sync phase of A's key moment ``kind`` in pair ``k`` (for "jump to")."""
        t_a, _ = self.key_times(k, kind)
        if t_a is None:
            return None
        pr = self.pairs[int(min(max(k, 0), self.n_pairs - 1))]
        return pr.k + pr.a.phase_of(t_a)

    def best_pair(self) -> int:
        """The first pair in which both strides have IC, midstance and TO (else 0)."""
        for pr in self.pairs:
            if pr.a.to_s is not None and pr.b.to_s is not None:
                return pr.k
        return 0


def _extrapolate(t: float, pairs: list[tuple[Stride, Stride]]) -> float:
    """Map ``t`` outside the source strides from the nearest stride boundary at its scale."""
    best = None
    for src, dst in pairs:
        for t_src, t_dst in ((src.ic_s, dst.ic_s), (src.end_s, dst.end_s)):
            d = abs(t - t_src)
            if best is None or d < best[0]:
                best = (d, t_src, t_dst, dst.duration_s / src.duration_s)
    assert best is not None
    _, t_src, t_dst, scale = best
    return t_dst + (t - t_src) * scale


def sync_strides(a_events: Iterable[ContactEvent], b_events: Iterable[ContactEvent], *,
                 foot: Foot | None = None, start_a: int = 0, start_b: int = 0) -> StrideSync:
    """Pair A's and B's strides of one foot for the stride-phase mapping.

    ``foot`` defaults to the foot with the most strides usable in both clips (left on a
    tie). ``start_a``/``start_b`` choose which usable stride of each clip is paired first.
    Raises ``SyncError`` when either clip has no usable stride of that foot.
    """
    a_events, b_events = list(a_events), list(b_events)
    if foot is None:
        counts = {f: min(len(find_strides(a_events, f)), len(find_strides(b_events, f)))
                  for f in Foot}
        foot = max(Foot, key=lambda f: (counts[f], f is Foot.LEFT))
    sa, sb = find_strides(a_events, foot), find_strides(b_events, foot)
    if not sa or not sb:
        which = "either clip" if not sa and not sb else ("the first clip" if not sa else "the second clip")
        raise SyncError(f"{which} has no complete {foot.value} stride (two initial contacts "
                        "of the same foot) to sync by")
    n = max(len(sa), len(sb))
    pairs = tuple(
        StridePair(k, (start_a + k) % len(sa), (start_b + k) % len(sb),
                   sa[(start_a + k) % len(sa)], sb[(start_b + k) % len(sb)])
        for k in range(n)
    )
    return StrideSync(foot, tuple(sa), tuple(sb), pairs)


def nearest_frame(frame_times_s: np.ndarray, t_s: float) -> int:
    """Index of the frame whose time is nearest to ``t_s`` (times increasing)."""
    times = np.asarray(frame_times_s, dtype=float)
    if times.size == 0:
        raise ValueError("no frames")
    i = int(np.searchsorted(times, t_s))
    if i <= 0:
        return 0
    if i >= times.size:
        return int(times.size - 1)
    return i if times[i] - t_s < t_s - times[i - 1] else i - 1
