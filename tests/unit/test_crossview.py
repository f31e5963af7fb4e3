"""Camera offset between two views and matching contacts (pure numpy), with realistic
timing noise, missed and extra events, negative and zero offsets, swapped foot labels."""

from __future__ import annotations

import numpy as np
import pytest

from app.gait.crossview import OffsetEstimate, estimate_offset, match_contacts
from app.pose.fusion import StepFusion
from app.types import EventKind, Foot, GaitEvent, StepRecord, View


def _ics(n=40, step_ms=350.0, t0_ms=1000.0):
    t = t0_ms + step_ms * np.arange(n)
    feet = np.where(np.arange(n) % 2 == 0, "left", "right")
    return t * 1e6, feet


@pytest.mark.parametrize("offset_ms", [-180.0, -33.0, 0.0, 12.0, 95.0, 240.0])
def test_offset_recovered_with_noise_and_missing_events(offset_ms):
    rng = np.random.default_rng(int(offset_ms) + 1000)
    a, fa = _ics()
    b = a + offset_ms * 1e6 + rng.normal(0, 8e6, a.size)  # 8 ms detection noise
    keep = rng.random(a.size) > 0.2                     # 20 % missed in the other view
    extra = np.array([a[5] + 120e6, a[17] + 200e6])     # spurious contacts
    b2 = np.concatenate([b[keep], extra])
    fb2 = np.concatenate([fa[keep], ["left", "right"]])
    est = estimate_offset(a, fa, b2, fb2)
    assert est.known and abs(est.offset_ms - offset_ms) < 5.0, est
    assert est.spread_ms < 10 and not est.feet_swapped
    m = match_contacts(a, fa, b2, fb2, est)
    assert (m >= 0).sum() >= keep.sum() - 2
    for i, j in enumerate(m):
        if j >= 0 and j < keep.sum():
            assert abs(b2[j] - a[i] - offset_ms * 1e6) < 40e6


def test_swapped_feet_are_found():
    """Legs named the other way round in one view (steps of 400 ms: the unswapped reading,
    60 − 400 ms, is outside the window)."""
    a, fa = _ics(step_ms=400.0)
    fb = np.where(fa == "left", "right", "left")
    est = estimate_offset(a, fa, a + 60e6, fb)
    assert est.feet_swapped and abs(est.offset_ms - 60.0) < 1
    assert (match_contacts(a, fa, a + 60e6, fb, est) == np.arange(a.size)).all()


def test_a_few_contacts_do_not_swap_the_feet():
    """A swapped reading needs six pairs: in a live two-view run the feet were matched
    left with right from the session's first few contacts (a view's first strides, timed
    before its estimates are learnt), about one run in three. Four swapped pairs are not
    taken; seven are (``test_swapped_feet_are_found`` has forty)."""
    for n, swapped in ((4, False), (7, True)):
        a, fa = _ics(n, step_ms=400.0)
        fb = np.where(fa == "left", "right", "left")
        est = estimate_offset(a, fa, a + 60e6, fb)
        assert est.feet_swapped is swapped, (n, est)


def test_too_few_pairs_is_unknown_and_matches_nothing():
    a, fa = _ics(2)
    est = estimate_offset(a, fa, a, fa)
    assert not est.known and est.offset_ms is None
    assert (match_contacts(a, fa, a, fa, est) == -1).all()
    assert (match_contacts(a, fa, a, fa, OffsetEstimate(None, None, 0)) == -1).all()


def _step(i, foot, t_ms, metrics):
    return StepRecord(index=i, foot=Foot(foot), ic_t_ns=int(t_ms * 1e6), ic_frame=i,
                      to_t_ns=None, to_frame=None, next_ic_t_ns=None, step_time_ms=350.0,
                      contact_ms=250.0, flight_ms=100.0, metrics=metrics)


class _Upd:
    def __init__(self, events, steps, t_ns):
        self.events, self.steps, self.snapshot, self.t_ns = events, steps, None, t_ns


def test_fusion_attaches_rear_metrics_to_side_steps_and_sends_unmatched_after_hold():
    out = []
    fu = StepFusion(View.SIDE, View.REAR, out.append, hold_ns=500_000_000)
    off = 70.0
    for i in range(12):
        foot = "left" if i % 2 == 0 else "right"
        t = 1000 + 350 * i
        ev = GaitEvent(EventKind.IC, Foot(foot), int(t * 1e6), i, 1.0, int(t * 1e6))
        evr = GaitEvent(EventKind.IC, Foot(foot), int((t + off) * 1e6), i, 1.0, int((t + off) * 1e6))
        side = _step(i, foot, t, {"overstride_pct_leg": 5.0, "pelvic_drop_deg": None})
        fu.push(View.SIDE, _Upd((ev,), (side,) if i > 2 else (), int((t + 350) * 1e6)))
        rear_steps = (_step(100 + i, foot, t + off, {"pelvic_drop_deg": 4.0 + i}),) if i not in (2, 7) else ()
        fu.push(View.REAR, _Upd((evr,), rear_steps if i > 2 else (), int((t + 360) * 1e6)))
    fu.flush(int(1e13), everything=True)
    fused = [f for u in out for f in u.fused]
    by_index = {}
    for f in fused:
        by_index[f.primary.index] = f  # the last one sent wins
    assert sorted(by_index) == list(range(3, 12))
    assert abs(fu.offset.offset_ms - off) < 1
    for i, f in by_index.items():
        if i == 7:
            assert f.other is None and f.step.metrics["pelvic_drop_deg"] is None
        else:
            assert f.step.metrics["pelvic_drop_deg"] == 4.0 + i
            assert f.step.metrics["overstride_pct_leg"] == 5.0


def test_a_rear_step_sent_again_updates_the_fused_step():
    """The rear engine sends a step again when its heel whip is known (150 ms after toe-off):
    the fused step is sent again with it, and the last one wins."""
    out = []
    fu = StepFusion(View.SIDE, View.REAR, out.append, hold_ns=10**10)
    for i in range(8):
        foot = "left" if i % 2 == 0 else "right"
        t = 1000 + 350 * i
        ev = GaitEvent(EventKind.IC, Foot(foot), int(t * 1e6), i, 1.0, int(t * 1e6))
        fu.push(View.REAR, _Upd((ev,), (_step(50 + i, foot, t, {"pelvic_drop_deg": 3.0}),), 0))
        fu.push(View.SIDE, _Upd((ev,), (_step(i, foot, t, {"overstride_pct_leg": 1.0}),), 0))
    first = {f.primary.index: f for u in out for f in u.fused}
    assert first[6].step.metrics.get("heel_whip_deg") is None
    again = _step(56, "left", 1000 + 350 * 6, {"pelvic_drop_deg": 3.0, "heel_whip_deg": 9.0})
    fu.push(View.REAR, _Upd((), (again,), 0))
    last = {f.primary.index: f for u in out for f in u.fused}
    assert last[6].step.metrics["heel_whip_deg"] == 9.0
    assert last[6].step.metrics["overstride_pct_leg"] == 1.0


def test_merged_snapshot_keeps_the_other_views_warnings_once():
    from types import MappingProxyType

    from app.gait.engine import WALKING_FRONTAL_WARNING
    from app.pose.fusion import merge_snapshots
    from app.types import MetricSnapshot, MetricValue, Quality

    def snap(warnings, values):
        return MetricSnapshot(t_ns=1, cadence_spm=110.0, cadence_reason="", n_steps=12,
                              values=MappingProxyType(values), person_visible=True,
                              quality=Quality.GOOD, warnings=warnings)

    drop = MetricValue("pelvic_drop_deg", 4.0, "°", Quality.GOOD)
    side = snap(("few steps",), {"pelvic_drop_deg": MetricValue("pelvic_drop_deg", None, "°",
                                                                 Quality.UNAVAILABLE, "side view")})
    rear = snap(("few steps", WALKING_FRONTAL_WARNING), {"pelvic_drop_deg": drop})
    merged = merge_snapshots(side, rear)
    assert merged.warnings == ("few steps", WALKING_FRONTAL_WARNING)
    assert merged.values["pelvic_drop_deg"] == drop
    assert merged.cadence_spm == 110.0
    assert merge_snapshots(side, None) is side
    assert merge_snapshots(side, snap((), {})).warnings == ("few steps",)
