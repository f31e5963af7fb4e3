"""Two views of one runner: the time offset between the cameras and which steps match.

Pure numpy. Both views' events are on one clock (``perf_counter_ns`` at grab time), but a
camera shows the scene late by its own latency (a USB camera ~50 ms, a phone over Wi-Fi
100–300 ms), so the same initial contact (IC) is seen at different times. The *offset*
is ``t_other − t_primary`` for the same contact, in ms (> 0: the other camera shows it
later). It is estimated from same-foot ICs: every pair closer than half a stride is a
candidate; the offset is the median of the densest cluster of candidate differences
(robust to missed and extra events), its spread the median absolute deviation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Candidate pairs are at most this far apart (ms); a same-foot IC recurs every stride
#: (≥ 500 ms in running), so ±300 ms is unambiguous for offsets up to ~250 ms.
MAX_OFFSET_MS = 300.0
#: Width of the cluster around the densest offset (ms).
CLUSTER_MS = 40.0
#: A match must be within this of the offset (ms), or 3 spreads if that is larger.
MATCH_TOLERANCE_MS = 50.0


@dataclass(frozen=True, slots=True)
class OffsetEstimate:
    """``offset_ms`` = other − primary time of the same contact (None: too few pairs);
    ``spread_ms`` median absolute deviation of the pairs; ``n_pairs`` pairs used."""

    offset_ms: float | None
    spread_ms: float | None
    n_pairs: int
    #: the other view names the feet the other way round (match left with right)
    feet_swapped: bool = False

    @property
    def known(self) -> bool:
        return self.offset_ms is not None


def _pairs(t_a: np.ndarray, foot_a: np.ndarray, t_b: np.ndarray, foot_b: np.ndarray,
           max_ms: float) -> np.ndarray:
    """Differences b − a (ms) of every same-foot pair within ``max_ms``."""
    if t_a.size == 0 or t_b.size == 0:
        return np.empty(0)
    d = (t_b[None, :] - t_a[:, None]) / 1e6
    same = foot_a[:, None] == foot_b[None, :]
    return d[same & (np.abs(d) <= max_ms)]


def estimate_offset(primary_ns, primary_feet, other_ns, other_feet, *,
                    max_offset_ms: float = MAX_OFFSET_MS, min_pairs: int = 3) -> OffsetEstimate:
    """Offset between two views from their IC times (ns, one clock) and feet ("left" /
    "right"). See the module docstring. When the other view's feet pair up better the
    other way round (a side view whose pose model names the legs swapped), the estimate
    says so in ``feet_swapped`` and matching uses it."""
    same = _estimate(primary_ns, primary_feet, other_ns, other_feet, max_offset_ms, min_pairs)
    fb = np.asarray(other_feet)
    swapped_feet = np.where(fb == "left", "right", np.where(fb == "right", "left", fb))
    swap = _estimate(primary_ns, primary_feet, other_ns, swapped_feet, max_offset_ms, min_pairs)
    # the swapped reading must be clearly better and rest on enough pairs: early in a
    # session a few contacts timed off by ~100 ms (a view's first strides, before its
    # estimates are learnt) can pair up the other way round by chance
    if swap.known and swap.n_pairs >= 2 * min_pairs and (
            not same.known or swap.n_pairs > 1.5 * same.n_pairs):
        return OffsetEstimate(swap.offset_ms, swap.spread_ms, swap.n_pairs, True)
    return same


def _estimate(primary_ns, primary_feet, other_ns, other_feet, max_offset_ms: float,
              min_pairs: int) -> OffsetEstimate:
    a = np.asarray(primary_ns, dtype=np.float64)
    b = np.asarray(other_ns, dtype=np.float64)
    fa, fb = np.asarray(primary_feet), np.asarray(other_feet)
    d = _pairs(a, fa, b, fb, max_offset_ms)
    if d.size < min_pairs:
        return OffsetEstimate(None, None, int(d.size))
    # Densest cluster: the candidate with the most others within CLUSTER_MS / 2.
    counts = (np.abs(d[:, None] - d[None, :]) <= CLUSTER_MS / 2).sum(axis=1)
    centre = float(np.median(d[counts == counts.max()]))
    near = d[np.abs(d - centre) <= CLUSTER_MS]
    if near.size < min_pairs:
        return OffsetEstimate(None, None, int(near.size))
    off = float(np.median(near))
    spread = float(np.median(np.abs(near - off)))
    return OffsetEstimate(off, spread, int(near.size))


def match_tolerance_ms(est: OffsetEstimate) -> float:
    """How far from the offset a contact may be seen and still be the same contact."""
    if est.spread_ms is None:
        return MATCH_TOLERANCE_MS
    return max(MATCH_TOLERANCE_MS, 3.0 * est.spread_ms)


def match_contacts(primary_ns, primary_feet, other_ns, other_feet,
                   est: OffsetEstimate) -> np.ndarray:
    """For each primary IC, the index of the other view's IC of the same contact (same
    foot, within :func:`match_tolerance_ms` of the offset; nearest wins; each other IC
    used once), or −1. Without a known offset nothing matches."""
    a = np.asarray(primary_ns, dtype=np.float64)
    b = np.asarray(other_ns, dtype=np.float64)
    fa, fb = np.asarray(primary_feet), np.asarray(other_feet)
    if est.feet_swapped:
        fb = np.where(fb == "left", "right", np.where(fb == "right", "left", fb))
    out = np.full(a.size, -1, dtype=np.int64)
    if est.offset_ms is None or a.size == 0 or b.size == 0:
        return out
    tol = match_tolerance_ms(est)
    err = np.abs((b[None, :] - a[:, None]) / 1e6 - est.offset_ms)
    err[fa[:, None] != fb[None, :]] = np.inf
    err[err > tol] = np.inf
    # Greedy by error: the closest pairs first, each IC at most once.
    order = np.argsort(err, axis=None)
    used_a, used_b = set(), set()
    for flat in order:
        i, j = divmod(int(flat), b.size)
        if not np.isfinite(err[i, j]):
            break
        if i in used_a or j in used_b:
            continue
        out[i] = j
        used_a.add(i)
        used_b.add(j)
    return out
