"""Stride-phase sync (app.compare.sync) on synthetic event lists."""

from __future__ import annotations

import numpy as np
import pytest

from app.compare.sync import (
    ContactEvent, SyncError, find_strides, key_moments, nearest_frame, sync_strides,
)
from app.types import EventKind, Foot

IC, TO = EventKind.IC, EventKind.TO
L, R = Foot.LEFT, Foot.RIGHT


def runner(cadence_spm: float, n_steps: int, t0: float = 0.0, duty: float = 0.35,
           first: Foot = Foot.LEFT, jitter: float = 0.0, seed: int = 0) -> list[ContactEvent]:
    """Alternating ICs at ``cadence_spm`` with a toe-off after each (contact = duty × stride)."""
    rng = np.random.default_rng(seed)
    step = 60.0 / cadence_spm
    evs: list[ContactEvent] = []
    foot = first
    t = t0
    for _ in range(n_steps):
        evs.append(ContactEvent(IC, foot, t))
        evs.append(ContactEvent(TO, foot, t + duty * 2 * step))
        t += step * (1 + jitter * rng.uniform(-1, 1))
        foot = foot.other
    return sorted(evs, key=lambda e: e.t_s)


def ic_times(evs, foot):
    return [e.t_s for e in evs if e.kind is IC and e.foot is foot]


def test_every_ic_maps_to_an_ic_of_the_same_foot_at_different_cadences():
    a = runner(160, 20, t0=0.3, jitter=0.05, seed=1)
    b = runner(180, 20, t0=7.1, jitter=0.05, seed=2)
    sync = sync_strides(a, b, foot=L)
    assert sync.n_pairs >= 8
    for foot in Foot:
        b_ics = np.array(ic_times(b, foot))
        for pr in sync.pairs:
            for t_a in [pr.a.ic_s, pr.a.end_s] if foot is L else [pr.a.contra_ic_s]:
                t_b = sync.a_to_b(t_a)
                assert np.min(np.abs(b_ics - t_b)) < 1e-9, (foot, t_a, t_b)
    # the contralateral IC of A maps onto the contralateral IC of B of the same pair
    for pr in sync.pairs:
        assert sync.a_to_b(pr.a.contra_ic_s) == pytest.approx(pr.b.contra_ic_s)
        assert sync.a_to_b(pr.a.ic_s) == pytest.approx(pr.b.ic_s)


def test_phase_half_maps_to_phase_half_and_is_monotonic_within_a_stride():
    a = runner(150, 12)
    b = runner(185, 12, t0=3.0)
    sync = sync_strides(a, b)
    pr = sync.pairs[2]
    # symmetric gait: stride phase 0.5 is the other foot's IC in both clips
    t_a = pr.a.ic_s + 0.5 * pr.a.duration_s
    assert sync.a_to_b(t_a) == pytest.approx(pr.b.ic_s + 0.5 * pr.b.duration_s)
    # phase 0.25 (between the anchors) maps to phase 0.25: linear scaling per half stride
    t_a = pr.a.ic_s + 0.25 * pr.a.duration_s
    assert sync.a_to_b(t_a) == pytest.approx(pr.b.ic_s + 0.25 * pr.b.duration_s)
    ts = np.linspace(pr.a.ic_s, pr.a.end_s - 1e-6, 50)
    mapped = [sync.a_to_b(t) for t in ts]
    assert np.all(np.diff(mapped) > 0)
    # u round trip
    u = sync.u_of_a(t_a)
    assert u == pytest.approx(2.25)
    assert sync.a_time(u) == pytest.approx(t_a)
    assert sync.b_to_a(sync.a_to_b(t_a)) == pytest.approx(t_a)


def test_asymmetric_contact_times_still_align_both_ics():
    # B's right foot lands late in the stride (phase 0.56): the anchor moves with it
    a = runner(170, 10)
    b = []
    step = 60 / 170
    for i in range(5):
        t = 2.0 + i * 2 * step
        b += [ContactEvent(IC, L, t), ContactEvent(TO, L, t + 0.2),
              ContactEvent(IC, R, t + 1.12 * step), ContactEvent(TO, R, t + 1.12 * step + 0.2)]
    sync = sync_strides(a, b, foot=L)
    for pr in sync.pairs:
        assert sync.a_to_b(pr.a.contra_ic_s) == pytest.approx(pr.b.contra_ic_s)


def test_fewer_strides_in_one_clip_loop_around():
    a = runner(170, 21)        # 10 left strides
    b = runner(170, 7, t0=5)   # 3 left strides
    sync = sync_strides(a, b, foot=L)
    assert len(sync.a_strides) == 10 and len(sync.b_strides) == 3
    assert sync.n_pairs == 10
    assert [p.b_index for p in sync.pairs] == [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]
    # a late A stride still maps IC → IC (into a looped B stride)
    pr = sync.pairs[7]
    assert sync.a_to_b(pr.a.ic_s) == pytest.approx(sync.b_strides[1].ic_s)
    # start strides are chosen independently
    s2 = sync_strides(a, b, foot=L, start_a=2, start_b=1)
    assert s2.pairs[0].a == sync.a_strides[2] and s2.pairs[0].b == sync.b_strides[1]


def test_a_missing_ic_drops_the_stride_instead_of_stretching_it():
    a = runner(170, 20)
    left_ics = ic_times(a, L)
    gone = left_ics[4]
    a_missing = [e for e in a if not (e.kind is IC and e.foot is L and e.t_s == gone)]
    strides = find_strides(a_missing, L)
    assert len(strides) == len(left_ics) - 3  # the two strides around the gap become one, dropped
    assert all(s.ic_s != left_ics[3] for s in strides)
    sync = sync_strides(a_missing, runner(170, 20, t0=10), foot=L)
    # A's time inside the dropped stretch still maps somewhere sensible (extrapolated)
    t = gone
    t_b = sync.a_to_b(t)
    assert np.isfinite(t_b)


def test_a_missing_contralateral_ic_or_toe_off_falls_back():
    a = runner(170, 12)
    r_ic = ic_times(a, R)[2]
    a2 = [e for e in a if not (e.foot is R and e.kind is IC and e.t_s == r_ic)]
    a2 = [e for e in a2 if not (e.foot is L and e.kind is TO and e.t_s < r_ic and e.t_s > r_ic - 0.36)]
    strides = find_strides(a2, L)
    s = next(s for s in strides if s.ic_s < r_ic < s.end_s)
    assert s.contra_ic_s is None and s.to_s is None and s.midstance_s is None
    assert s.time_at(0.5) == pytest.approx(0.5 * (s.ic_s + s.end_s))
    sync = sync_strides(a2, runner(160, 12, t0=1), foot=L)
    k = next(p.k for p in sync.pairs if p.a == s)
    assert sync.key_times(k, "TO")[0] is None
    assert sync.key_times(k, "MS")[1] is not None
    assert sync.key_u(k, "TO") is None
    # the stride without a toe-off is not chosen for key frames
    s_first = sync_strides(a2, runner(160, 12, t0=1), foot=L, start_a=strides.index(s))
    assert s_first.pairs[0].a == s and s_first.best_pair() == 1


def test_key_moments_and_midstance_definition():
    evs = runner(170, 6, duty=0.3)
    km = key_moments(evs)
    kinds = [k.kind for k in km if k.foot is L]
    assert kinds[:3] == ["IC", "MS", "TO"]
    ic, ms, to = [k.t_s for k in km if k.foot is L][:3]
    assert ms == pytest.approx((ic + to) / 2)
    assert all(np.diff([k.t_s for k in km]) >= 0)


def test_no_stride_in_one_clip_raises():
    with pytest.raises(SyncError, match="second clip"):
        sync_strides(runner(170, 10), runner(170, 2), foot=L)


def test_frame_helpers():
    times = np.arange(300) / 30.0
    assert nearest_frame(times, 0.49) == 15
    assert nearest_frame(times, -1) == 0 and nearest_frame(times, 99) == 299
    a = runner(170, 16, t0=0.2)
    b = runner(180, 16, t0=0.3)
    sync = sync_strides(a, b)
    for pr in sync.pairs:
        fa = nearest_frame(times, pr.a.ic_s)
        fb = sync.a_frame_to_b_frame(fa, times, times)
        assert abs(times[fb] - pr.b.ic_s) <= 1.5 / 30 + 1e-9


def test_the_shorter_clips_repeated_strides_are_named():
    """Issue 11: "14 left strides paired (14 before, 7 after)" reused the short clip's
    strides without saying so."""
    a = runner(170, 30, seed=1)     # 14 left strides
    b = runner(170, 16, t0=9.0)     # 7 left strides
    sync = sync_strides(a, b, foot=L)
    assert (len(sync.a_strides), len(sync.b_strides), sync.n_pairs) == (14, 7, 14)
    assert sync.repeated == "after"
    assert sync.describe() == ("14 left strides paired (14 before, 7 after: the after clip's "
                               "7 strides are shown twice)")
    assert [sync.repeat_of(k) for k in (0, 6, 7, 13)] == [(1, 2), (1, 2), (2, 2), (2, 2)]
    # the before clip shorter, not a whole number of times
    sync2 = sync_strides(runner(170, 12), runner(170, 30, t0=5.0), foot=L)
    assert sync2.repeated == "before" and "the before clip's 5 strides are shown 2.8 times over" \
        in sync2.describe()
    assert sync2.repeat_of(13) == (3, 3)
    # equal lengths: nothing repeats, nothing said
    same = sync_strides(runner(170, 16), runner(180, 16, t0=8.0), foot=L)
    assert same.repeated is None and same.repeat_of(3) is None
    assert same.describe() == "7 left strides paired (7 before, 7 after)"


def test_video_labels_say_when_the_strides_repeat():
    """... and the side-by-side MP4 looped the shorter clip silently."""
    from types import SimpleNamespace

    from app.compare.video_export import half_label

    cmp = SimpleNamespace(sync=sync_strides(runner(170, 30, seed=1), runner(170, 16, t0=9.0), foot=L))
    assert [half_label(cmp, 1, k) for k in (0, 6)] == ["After", "After"]
    assert half_label(cmp, 1, 7) == "After — repeat 2/2"
    assert half_label(cmp, 0, 7) == "Before"
