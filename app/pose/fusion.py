"""Steps of two views fused into one stream: the primary (side) view times the steps, the
other view's metrics attach to the same steps.

Thread-safe (:class:`StepFusion` is fed from both pose worker threads; one lock). Each
primary step waits up to ``hold_ns`` for the other view's step of the same initial contact
(matched through ``app.gait.crossview``); it is then sent with the other view's metrics
filled in where the primary view cannot measure them (pelvic drop, knee valgus, step
width … from the rear; overstride, foot strike … from the side), or alone when the other
view has no such step (lost camera, runner out of view). A match found later re-sends
the step (same ``index``: the last one wins, as in steps.csv).
"""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Callable

from app.gait.crossview import OffsetEstimate, estimate_offset, match_contacts
from app.types import EventKind, GaitEvent, MetricSnapshot, StepRecord, View

#: How long a primary step waits for the other view's step (ns of the frames' clock).
HOLD_NS = 900_000_000
#: Recent contacts kept per view for the offset (~20 s of running).
HISTORY = 60


@dataclass(frozen=True, slots=True)
class FusedStep:
    """One step of the session. ``step`` = the primary step with the other view's metrics
    merged in (what the recorder and the tiles use); ``primary``/``other`` the two views'
    own records (``other`` None: not seen there); ``offset_ms`` the camera offset used."""

    step: StepRecord
    primary: StepRecord
    other: StepRecord | None
    other_view: View | None
    offset_ms: float | None


@dataclass(frozen=True, slots=True)
class FusedUpdate:
    """What listeners of a multi-view pipeline get (a ``StepsUpdate`` look-alike, so the
    session recorder and the UI bridge take it as it is): ``events`` the primary view's
    events, ``steps`` the fused step records, ``snapshot`` both views' metrics merged,
    ``other_events`` the other view's events, ``fused`` the steps with both records."""

    events: tuple[GaitEvent, ...]
    steps: tuple[StepRecord, ...]
    snapshot: MetricSnapshot | None
    t_ns: int
    other_events: tuple[GaitEvent, ...] = ()
    fused: tuple[FusedStep, ...] = ()
    offset: OffsetEstimate | None = None


def merge_metrics(primary: dict | None, other: dict | None) -> dict:
    """Primary values, with the other view's where the primary has none."""
    out = dict(primary or {})
    for k, v in (other or {}).items():
        if out.get(k) is None and v is not None:
            out[k] = v
    return out


def merge_snapshots(primary: MetricSnapshot | None, other: MetricSnapshot | None
                    ) -> MetricSnapshot | None:
    """The primary snapshot (cadence, timing) with the other view's metric values filled
    in where the primary cannot measure them, and its warnings after the primary's (e.g.
    a rear view timing a walker's contacts for running)."""
    if primary is None or other is None:
        return primary
    values = dict(primary.values)
    for name, mv in other.values.items():
        mine = values.get(name)
        if mv.value is not None and (mine is None or mine.value is None):
            values[name] = mv
    warnings = primary.warnings + tuple(w for w in other.warnings if w not in primary.warnings)
    return replace(primary, values=MappingProxyType(values), warnings=warnings,
                   person_visible=primary.person_visible or other.person_visible)


def merge_step(primary: StepRecord, other: StepRecord | None) -> StepRecord:
    if other is None:
        return primary
    return replace(primary, metrics=MappingProxyType(merge_metrics(dict(primary.metrics),
                                                                   dict(other.metrics))))


class StepFusion:
    """See the module docstring. ``emit(FusedUpdate)`` is called with the lock held, on
    whichever pose worker thread pushed (or the caller of :meth:`flush`): it must not
    block."""

    def __init__(self, primary: View, other: View | None,
                 emit: Callable[[FusedUpdate], None], hold_ns: int = HOLD_NS) -> None:
        self.primary, self.other = View(primary), (View(other) if other else None)
        self.emit = emit
        self.hold_ns = int(hold_ns)
        self._lock = threading.Lock()
        self._ics = {v: collections.deque(maxlen=HISTORY) for v in (self.primary, self.other) if v}
        self._other_steps: collections.deque[StepRecord] = collections.deque(maxlen=HISTORY)
        self._pending: list[tuple[StepRecord, int]] = []        # (primary step, arrival t_ns)
        self._sent: collections.OrderedDict[int, FusedStep] = collections.OrderedDict()
        self._snap: dict[View, MetricSnapshot | None] = {}
        self.offset = OffsetEstimate(None, None, 0)
        self.matched = 0
        self.unmatched = 0

    def snapshot(self) -> MetricSnapshot | None:
        with self._lock:
            return merge_snapshots(self._snap.get(self.primary), self._snap.get(self.other))

    def push(self, view: View, upd) -> None:
        """A ``StepsUpdate`` from ``view``'s pose worker (runs on that thread)."""
        view = View(view)
        with self._lock:
            self._snap[view] = upd.snapshot if upd.snapshot is not None else self._snap.get(view)
            ics = self._ics.get(view)
            if ics is not None:
                for ev in upd.events:
                    if ev.kind is EventKind.IC:
                        ics.append((ev.t_ns, ev.foot.value))
            if view is self.primary:
                now = upd.t_ns
                self._pending.extend((s, now) for s in upd.steps)
                self._reestimate()
                fused = self._resolve(now, flush=False)
                if upd.events or fused:
                    self._send(tuple(upd.events), fused, now)
            elif view is self.other:
                now = upd.t_ns
                if upd.steps:  # a step sent again (heel whip filled in later) replaces its first
                    again = {s.index for s in upd.steps}
                    kept = [s for s in self._other_steps if s.index not in again]
                    self._other_steps = collections.deque(kept + list(upd.steps), maxlen=HISTORY)
                self._reestimate()
                fused = self._resolve(now, flush=False) + self._late_matches(upd.steps)
                if fused or upd.events:
                    self._send((), fused, now, other_events=tuple(upd.events))

    def flush(self, now_ns: int, everything: bool = False) -> None:
        """Send the primary steps that waited long enough (all of them: ``everything``)."""
        with self._lock:
            fused = self._resolve(now_ns, flush=everything)
            if fused:
                self._send((), fused, now_ns)

    def fuse_all(self, primary_events, primary_steps, other_events, other_steps) -> list[FusedStep]:
        """Offline (a recorded session): every step at once; returns the fused steps in
        the primary's order (nothing is sent to ``emit``)."""
        with self._lock:
            for view, events in ((self.primary, primary_events), (self.other, other_events)):
                if view is not None:
                    self._ics[view].extend((e.t_ns, e.foot.value) for e in events
                                           if e.kind is EventKind.IC)
            self._ics = {v: collections.deque(d, maxlen=None) for v, d in self._ics.items()}
            self._other_steps = collections.deque(other_steps)
            self._reestimate()
            self._pending = [(s, 0) for s in primary_steps]
            return self._resolve(0, flush=True)

    # -- with the lock held ----------------------------------------------------------
    def _reestimate(self) -> None:
        if self.other is None:
            return
        a, b = self._ics[self.primary], self._ics[self.other]
        if len(a) < 3 or len(b) < 3:
            return
        self.offset = estimate_offset([t for t, _ in a], [f for _, f in a],
                                      [t for t, _ in b], [f for _, f in b])

    def _match(self, steps: list[StepRecord]) -> list[StepRecord | None]:
        others = list(self._other_steps)
        idx = match_contacts([s.ic_t_ns for s in steps], [s.foot.value for s in steps],
                             [o.ic_t_ns for o in others], [o.foot.value for o in others],
                             self.offset)
        return [others[j] if j >= 0 else None for j in idx]

    def _resolve(self, now_ns: int, flush: bool) -> list[FusedStep]:
        if not self._pending:
            return []
        steps = [s for s, _ in self._pending]
        matches = self._match(steps) if self.other is not None else [None] * len(steps)
        out, keep = [], []
        for (step, arrived), other in zip(self._pending, matches):
            if other is not None or flush or self.other is None or now_ns - arrived >= self.hold_ns:
                out.append(self._fuse(step, other))
            else:
                keep.append((step, arrived))
        self._pending = keep
        return out

    def _late_matches(self, new_other: tuple[StepRecord, ...]) -> list[FusedStep]:
        """Steps already sent alone (or with an older version of the other step) that a
        new other-view step matches: sent again."""
        if not new_other or not self._sent:
            return []
        sent = list(self._sent.values())
        matches = self._match([f.primary for f in sent])
        out = []
        for f, other in zip(sent, matches):
            if other is not None and other in new_other and other != f.other:
                out.append(self._fuse(f.primary, other))
        return out

    def _fuse(self, step: StepRecord, other: StepRecord | None) -> FusedStep:
        f = FusedStep(merge_step(step, other), step, other, self.other, self.offset.offset_ms)
        if other is None:
            self.unmatched += 1
        elif self._sent.get(step.index) is None or self._sent[step.index].other is None:
            self.matched += 1
            if self._sent.get(step.index) is not None:
                self.unmatched -= 1
        self._sent[step.index] = f
        while len(self._sent) > 16:
            self._sent.popitem(last=False)
        return f

    def _send(self, events: tuple, fused: list[FusedStep], t_ns: int,
              other_events: tuple = ()) -> None:
        snap = merge_snapshots(self._snap.get(self.primary), self._snap.get(self.other))
        self.emit(FusedUpdate(events, tuple(f.step for f in fused), snap, t_ns,
                              other_events, tuple(fused), self.offset))
