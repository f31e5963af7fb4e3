"""Compare detected gait events with ground truth (pure functions, no I/O).

An event is a tuple ``(kind, foot, t_s)``: ``kind`` is ``"IC"``/``"TO"`` (or an
``app.types.EventKind``), ``foot`` is ``"left"``/``"right"`` (or an ``app.types.Foot``),
``t_s`` is seconds from the start of the clip (same time base for truth and detections).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

Event = tuple[Any, Any, float]

_KIND_ALIASES = {
    "ic": "IC", "foot_strike": "IC", "foot strike": "IC", "fs": "IC", "hs": "IC",
    "to": "TO", "foot_off": "TO", "foot off": "TO", "fo": "TO",
}


def norm_kind(kind: Any) -> str:
    """``"IC"`` or ``"TO"`` from a string, alias (foot_strike/foot_off) or EventKind."""
    raw = str(getattr(kind, "value", kind)).strip().lower()
    try:
        return _KIND_ALIASES[raw]
    except KeyError:
        raise ValueError(f"unknown event kind {kind!r}") from None


def norm_foot(foot: Any) -> str:
    """``"left"`` or ``"right"`` from a string (any case, L/R) or a Foot enum."""
    raw = str(getattr(foot, "value", foot)).strip().lower()
    if raw in ("left", "l"):
        return "left"
    if raw in ("right", "r"):
        return "right"
    raise ValueError(f"unknown foot {foot!r}")


def normalize_events(events: Iterable[Event]) -> list[tuple[str, str, float]]:
    """Events as ``(kind, foot, t_s)`` with plain-string kind/foot, sorted by time."""
    out = [(norm_kind(k), norm_foot(f), float(t)) for k, f, t in events]
    out.sort(key=lambda e: (e[2], e[0], e[1]))
    return out


@dataclass(frozen=True, slots=True)
class MatchedEvent:
    """One truth event paired with one detection; ``error_s`` = detected − truth (s)."""

    kind: str
    foot: str
    truth_t_s: float
    detected_t_s: float

    @property
    def error_s(self) -> float:
        return self.detected_t_s - self.truth_t_s


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Outcome of :func:`match_events`.

    ``missed`` are truth events without a detection within the tolerance,
    ``false_positives`` detections not paired with any truth event, ``ignored`` detections
    outside the evaluation window (not counted at all).
    """

    matched: tuple[MatchedEvent, ...]
    missed: tuple[tuple[str, str, float], ...]
    false_positives: tuple[tuple[str, str, float], ...]
    ignored: tuple[tuple[str, str, float], ...]
    tolerance_s: float

    @property
    def n_truth(self) -> int:
        return len(self.matched) + len(self.missed)

    @property
    def n_detected(self) -> int:
        """Detections inside the window (matched + false positives)."""
        return len(self.matched) + len(self.false_positives)

    @property
    def n_false_positives(self) -> int:
        return len(self.false_positives)

    @property
    def errors_s(self) -> list[float]:
        """Signed errors (detected − truth, s) of the matched events, in truth-time order."""
        return [m.error_s for m in sorted(self.matched, key=lambda m: m.truth_t_s)]

    @property
    def recall(self) -> float | None:
        """Fraction of truth events found (0..1); None when there is no truth."""
        return len(self.matched) / self.n_truth if self.n_truth else None

    @property
    def median_abs_error_s(self) -> float | None:
        """Median |detected − truth| over matched events (s); None if nothing matched."""
        return _median([abs(e) for e in self.errors_s])

    @property
    def mean_signed_error_s(self) -> float | None:
        """Mean detected − truth (s), the bias: positive = detections late."""
        errs = self.errors_s
        return sum(errs) / len(errs) if errs else None

    @property
    def max_abs_error_s(self) -> float | None:
        errs = self.errors_s
        return max(abs(e) for e in errs) if errs else None

    def median_abs_error_frames(self, fps: float) -> float | None:
        """Median |error| in frames at ``fps`` (frames per second)."""
        m = self.median_abs_error_s
        return None if m is None else m * fps

    def subset(self, kind: Any | None = None, foot: Any | None = None) -> "MatchResult":
        """The same result restricted to one kind and/or one foot."""
        k = None if kind is None else norm_kind(kind)
        f = None if foot is None else norm_foot(foot)

        def keep(ek: str, ef: str) -> bool:
            return (k is None or ek == k) and (f is None or ef == f)

        return MatchResult(
            matched=tuple(m for m in self.matched if keep(m.kind, m.foot)),
            missed=tuple(e for e in self.missed if keep(e[0], e[1])),
            false_positives=tuple(e for e in self.false_positives if keep(e[0], e[1])),
            ignored=tuple(e for e in self.ignored if keep(e[0], e[1])),
            tolerance_s=self.tolerance_s,
        )


def _median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    s = sorted(values)
    n = len(s)
    mid = n // 2
    return s[mid] if n % 2 else 0.5 * (s[mid - 1] + s[mid])


def match_events(
    truth: Iterable[Event],
    detected: Iterable[Event],
    tolerance_s: float,
    window_s: tuple[float, float] | None = None,
) -> MatchResult:
    """Pair detections with truth events one-to-one, separately per (kind, foot).

    Greedy by smallest |dt|: all (truth, detection) pairs of the same kind and foot with
    |dt| <= ``tolerance_s`` are taken in order of increasing |dt| (ties: earlier truth,
    then earlier detection) while both members are still free. Detections outside
    ``window_s`` = (start_s, end_s), if given, are ignored instead of counting as false
    positives; truth events are never filtered.
    """
    if not (tolerance_s >= 0 and math.isfinite(tolerance_s)):
        raise ValueError(f"tolerance_s must be finite and >= 0, got {tolerance_s}")
    t_list = normalize_events(truth)
    d_all = normalize_events(detected)
    ignored: list[tuple[str, str, float]] = []
    d_list: list[tuple[str, str, float]] = []
    for e in d_all:
        if window_s is not None and not (window_s[0] <= e[2] <= window_s[1]):
            ignored.append(e)
        elif not math.isfinite(e[2]):
            ignored.append(e)
        else:
            d_list.append(e)

    pairs: list[tuple[float, int, int]] = []
    for i, (tk, tf, tt) in enumerate(t_list):
        for j, (dk, df, dt) in enumerate(d_list):
            if tk == dk and tf == df:
                err = abs(dt - tt)
                if err <= tolerance_s + 1e-12:
                    pairs.append((err, i, j))
    pairs.sort()
    t_used: dict[int, int] = {}
    d_used: set[int] = set()
    for _, i, j in pairs:
        if i in t_used or j in d_used:
            continue
        t_used[i] = j
        d_used.add(j)

    matched = tuple(
        MatchedEvent(t_list[i][0], t_list[i][1], t_list[i][2], d_list[j][2])
        for i, j in sorted(t_used.items())
    )
    missed = tuple(e for i, e in enumerate(t_list) if i not in t_used)
    fps_ = tuple(e for j, e in enumerate(d_list) if j not in d_used)
    return MatchResult(matched, missed, fps_, tuple(ignored), float(tolerance_s))


def contact_times_from_events(
    events: Iterable[Event], max_contact_s: float | None = None
) -> dict[str, list[float]]:
    """Ground-contact durations per foot (ms): each IC to the same foot's next TO.

    An IC whose next event of the same foot is another IC (TO missing) yields nothing;
    a TO without a preceding IC yields nothing. Contacts longer than ``max_contact_s``
    (if given) are dropped. Keys are plain strings ``"left"``/``"right"``.
    """
    out: dict[str, list[float]] = {"left": [], "right": []}
    ev = normalize_events(events)
    for foot in ("left", "right"):
        seq = [(k, t) for k, f, t in ev if f == foot]
        for (k0, t0), (k1, t1) in zip(seq, seq[1:]):
            if k0 == "IC" and k1 == "TO":
                dur = t1 - t0
                if max_contact_s is None or dur <= max_contact_s:
                    out[foot].append(dur * 1000.0)
    return out


def mean_or_none(values: Sequence[float]) -> float | None:
    """Arithmetic mean, or None for an empty sequence."""
    return sum(values) / len(values) if values else None
