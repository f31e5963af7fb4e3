"""Gait engine on synthetic landmark streams with known answers (no Qt, no model)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.capture.demo import SyntheticRunner
from app.gait.analysis import analyze_samples
from app.gait.engine import GaitEngine
from app.types import Facing, Foot, PoseSample, View
from tests.helpers.event_matching import match_events


def stream(runner: SyntheticRunner, seconds: float, fps: float = 30.0, drop_every: int = 0,
           noise_px: float = 0.0, seed: int = 0) -> list[PoseSample]:
    rng = np.random.default_rng(seed)
    out = []
    n = int(seconds * fps)
    for i in range(n):
        if drop_every and i % drop_every == drop_every - 1:
            continue  # a dropped frame: its time is simply missing
        t = i / fps
        lm = runner.landmarks_at(t).copy()
        if noise_px:
            lm[:, :2] += rng.normal(0, noise_px, size=(33, 2)).astype(np.float32)
        out.append(PoseSample(i, int(round(t * 1e9)), lm, runner.width, runner.height))
    return out


def truth_of(runner: SyntheticRunner, seconds: float, fps: float = 30.0):
    """True events on the frame grid, by the annotation convention of the real clips:
    an event belongs to the first frame at or after the moment it happens."""
    return [(k, f, math.ceil(t * fps - 1e-6) / fps) for k, f, t in runner.true_events(0.0, seconds)]


def detected(result, samples):
    return [(e.kind.value, e.foot.value, e.t_ns / 1e9) for e in result.events]


@pytest.mark.parametrize("cadence", [150.0, 170.0, 185.0])
@pytest.mark.parametrize("facing", [Facing.LEFT, Facing.RIGHT])
def test_side_view_events_and_cadence(cadence, facing):
    runner = SyntheticRunner(cadence_spm=cadence, facing=facing)
    samples = stream(runner, 12.0, noise_px=1.0)
    result = analyze_samples(samples, View.SIDE, None, 30.0)
    assert result.facing is facing  # auto-detected
    assert result.cadence_spm == pytest.approx(cadence, abs=1.0)
    m = match_events(truth_of(runner, 12.0), detected(result, samples), tolerance_s=0.1)
    assert m.recall >= 0.9
    assert m.n_false_positives <= 2
    assert m.median_abs_error_frames(30.0) <= 1.0


def test_contact_time_and_duty_factor_follow_the_model():
    runner = SyntheticRunner(cadence_spm=170.0, duty_factor=0.35)
    samples = stream(runner, 12.0)
    result = analyze_samples(samples, View.SIDE, Facing.LEFT, 30.0)
    true_contact_ms = runner.stance_s * 1000
    for foot in ("left", "right"):
        assert result.contact_ms_by_foot[foot] == pytest.approx(true_contact_ms, abs=40)
    assert result.metrics["duty_factor"].mean == pytest.approx(0.35, abs=0.06)


def test_live_engine_confirms_events_within_bounded_delay():
    runner = SyntheticRunner(cadence_spm=170.0)
    eng = GaitEngine(View.SIDE, Facing.LEFT)
    for s in stream(runner, 8.0):
        eng.push(s)
    assert len(eng.events) > 20
    delays_ms = [(e.confirmed_t_ns - e.t_ns) / 1e6 for e in eng.events]
    assert max(delays_ms) <= 150.0
    snap = eng.snapshot()
    assert snap.cadence_spm == pytest.approx(170.0, abs=1.5)
    assert snap.values["cadence_spm"].unit == "spm"
    assert snap.values["pelvic_drop_deg"].value is None
    assert "rear" in snap.values["pelvic_drop_deg"].reason


def test_cadence_waits_for_four_steps():
    runner = SyntheticRunner(cadence_spm=170.0)
    eng = GaitEngine(View.SIDE, Facing.LEFT)
    snaps = []
    for s in stream(runner, 4.0):
        out = eng.push(s)
        if out.steps:
            snaps.append((len(eng.steps), eng.snapshot().cadence_spm))
    assert all(c is None for n, c in snaps if n < 4)
    assert any(c is not None for n, c in snaps if n >= 4)


def test_dropped_frames_and_gaps_do_not_bias_cadence():
    runner = SyntheticRunner(cadence_spm=172.0)
    samples = stream(runner, 12.0, drop_every=7)  # ~14 % of frames missing
    # and a 0.4 s gap (camera hiccup)
    samples = [s for s in samples if not (5.0 <= s.t_ns / 1e9 < 5.4)]
    result = analyze_samples(samples, View.SIDE, Facing.LEFT, 30.0)
    assert result.cadence_spm == pytest.approx(172.0, abs=1.5)


def test_standing_person_has_no_cadence():
    runner = SyntheticRunner(cadence_spm=170.0)
    still = runner.landmarks_at(0.2)
    rng = np.random.default_rng(1)
    samples = []
    for i in range(300):
        lm = still.copy()
        lm[:, :2] += rng.normal(0, 1.5, size=(33, 2)).astype(np.float32)
        samples.append(PoseSample(i, int(i * 1e9 / 30), lm, 1280, 720))
    result = analyze_samples(samples, View.SIDE, Facing.LEFT, 30.0)
    assert result.cadence_spm is None
    assert result.n_steps < 4


def test_no_person_at_all():
    samples = [PoseSample(i, int(i * 1e9 / 30), None, 640, 480) for i in range(90)]
    result = analyze_samples(samples, View.SIDE, None, 30.0)
    assert result.cadence_spm is None
    assert any("no person" in w for w in result.warnings)


def test_left_right_step_time_asymmetry_is_measured():
    runner = SyntheticRunner(cadence_spm=170.0, asymmetry_pct=8.0)
    eng = GaitEngine(View.SIDE, Facing.LEFT)
    for s in stream(runner, 12.0):
        eng.push(s)
    left = [s.step_time_ms for s in eng.steps if s.foot is Foot.LEFT and s.step_time_ms]
    right = [s.step_time_ms for s in eng.steps if s.foot is Foot.RIGHT and s.step_time_ms]
    assert abs(np.mean(left) - np.mean(right)) > 10.0
    asym = eng.snapshot().values["step_time_asymmetry_pct"].value
    assert asym is not None and abs(asym) > 3.0


def test_overstride_grows_with_the_fault():
    base = analyze_samples(stream(SyntheticRunner(overstride=0.0), 10.0), View.SIDE, Facing.LEFT, 30.0)
    over = analyze_samples(stream(SyntheticRunner(overstride=0.2), 10.0), View.SIDE, Facing.LEFT, 30.0)
    assert over.metrics["overstride_pct_leg"].mean > base.metrics["overstride_pct_leg"].mean + 10
    assert over.metrics["shank_angle_ic_deg"].mean > base.metrics["shank_angle_ic_deg"].mean


@pytest.mark.parametrize("drop", [0.0, 4.0, 8.0])
def test_rear_view_pelvic_drop_of_known_degrees(drop):
    runner = SyntheticRunner(view=View.REAR, pelvic_drop_deg=drop)
    result = analyze_samples(stream(runner, 10.0), View.REAR, None, 30.0)
    assert result.cadence_spm == pytest.approx(170.0, abs=2.0)
    assert result.metrics["pelvic_drop_deg"].mean == pytest.approx(drop, abs=1.5)


@pytest.mark.parametrize("valgus", [0.0, 10.0])
def test_rear_view_knee_valgus_of_known_degrees(valgus):
    runner = SyntheticRunner(view=View.REAR, knee_valgus_deg=valgus)
    result = analyze_samples(stream(runner, 10.0), View.REAR, None, 30.0)
    assert result.metrics["knee_valgus_fppa_deg"].mean == pytest.approx(valgus, abs=3.0)


def test_leg_label_swap_is_repaired():
    """MediaPipe-style swap: the legs' labels exchanged for 5 frames mid-stride."""
    from app.gait.geometry import LEG_SWAP_PAIRS

    runner = SyntheticRunner(cadence_spm=170.0)
    samples = stream(runner, 10.0)
    swapped = []
    for s in samples:
        lm = s.landmarks.copy()
        if 150 <= s.frame_index < 155:
            for a, b in LEG_SWAP_PAIRS:
                lm[[a, b]] = lm[[b, a]]
        swapped.append(PoseSample(s.frame_index, s.t_ns, lm, s.width, s.height))
    result = analyze_samples(swapped, View.SIDE, Facing.LEFT, 30.0)
    m = match_events(truth_of(runner, 10.0), detected(result, swapped), tolerance_s=0.1)
    assert m.recall >= 0.9
    assert m.n_false_positives <= 2
    assert not math.isnan(result.cadence_spm or math.nan)


@pytest.mark.parametrize("view", [View.SIDE, View.REAR])
def test_live_and_offline_give_the_same_steps(shared_data, view):
    """Issue 11 item 10: the live pipeline (a fresh engine fed sample by sample, then
    finish(), as the pose worker does) and ``analyze`` (primed on the first seconds) give
    the same steps from the same landmarks: real walking (the C3D) with 2 px of noise, three
    draws pooled (one draw's median difference of the rear view's pelvic drop spread 0.04-0.24
    of its steps' SD over four seeds: the stance peaks are read at the phase of the last
    8 stances' median profile, which the live engine fills from other first stances). Only
    the first strides may differ (the live engine learns its estimates on them)."""
    from tests.helpers.c3d_landmarks import c3d_to_samples
    from tests.validation.frontal import pose_noise

    base, meta = c3d_to_samples(shared_data / "gaitalytics_treadmill_walk" / "treadmill_events.c3d",
                                view=view.value, camera="persp" if view is View.REAR else "ortho", fps=30.0)
    facing = Facing.LEFT if view is View.SIDE else None
    pairs, n_off = [], 0
    for seed in (7, 8, 9):
        samples = pose_noise(base, 2.0, 6.0, seed=seed)
        live = GaitEngine(view, facing)
        for s in samples:
            live.push(s)
        live.finish()
        offline = analyze_samples(samples, view, facing, 30.0)
        t_learn = samples[0].t_ns + 3_000_000_000
        draw = []
        for b in offline.steps:
            a = min(live.steps, key=lambda x: abs(x.ic_t_ns - b.ic_t_ns))
            if b.ic_t_ns > t_learn and a.foot is b.foot and abs(a.ic_t_ns - b.ic_t_ns) <= 11_000_000:
                draw.append((a, b))
        n_draw = sum(1 for b in offline.steps if b.ic_t_ns > t_learn)
        assert n_draw >= 10 and len(draw) >= n_draw - 1, (seed, len(draw), n_draw)
        pairs += draw
        n_off += n_draw
    names = [n for n in pairs[0][1].metrics if pairs[0][1].metrics[n] is not None]
    assert "overstride_pct_leg" in names or "pelvic_drop_deg" in names
    def value(step, name):
        v = step.contact_ms if name == "contact_ms" else step.metrics.get(name)
        return math.nan if v is None else v

    for name in ["contact_ms"] + names:
        got = np.array([value(a, name) for a, _ in pairs])
        ref = np.array([value(b, name) for _, b in pairs])
        if np.isfinite(ref).sum() < 5:
            continue
        spread = np.nanstd(ref)
        assert np.isfinite(got).sum() >= np.isfinite(ref).sum() - 3, name
        assert np.nanmedian(np.abs(got - ref)) <= 0.2 * spread + 1e-6, (name, np.nanmedian(np.abs(got - ref)), spread)


@pytest.mark.parametrize("fps,noise", [(120.0, 0.0), (120.0, 1.0), (100.0, 1.0)])
def test_a_toe_rolling_over_on_the_belt_is_not_a_toe_off(shared_data, fps, noise):
    """Real walking from the side (the C3D): the toe point rises ~0.036 leg lengths in
    mid-stance as the foot rolls over, while the belt still carries it back. That is not
    a toe-off, however long it lasts (at 120 fps the 150 ms confirmation bound made it
    one: 9 of 19 contacts 140-590 ms long for ~710 ms). Real toe-offs are still
    confirmed within the bound, live."""
    from tests.helpers.c3d_landmarks import c3d_to_samples
    from tests.validation.frontal import pose_noise

    path = shared_data / "gaitalytics_treadmill_walk" / "treadmill_events.c3d"
    base, meta = c3d_to_samples(path, view="side", facing="left",
                                fps=None if fps == 100.0 else fps)
    for seed in (9, 10) if noise else (0,):
        samples = pose_noise(base, noise, 3.0 * noise, seed=seed)
        res = analyze_samples(samples, View.SIDE, Facing.LEFT, fps)
        contacts = [s.contact_ms for s in res.steps if s.contact_ms]
        assert len(contacts) >= 17 and min(contacts) > 600.0, (seed, sorted(contacts)[:4])
        live = GaitEngine(View.SIDE, Facing.LEFT)
        for s in samples:
            live.push(s)
        tos = [e for e in live.events if e.kind.value == "TO"]
        assert len(tos) >= 18
        assert max((e.confirmed_t_ns - e.t_ns) / 1e6 for e in tos) <= 150.0


def test_a_missed_contact_does_not_lock_a_foot_into_every_other_stride():
    """Front view from image heights, live, 60 fps, 2 px of noise: one contact of the right
    foot missed at the start made its learnt swing a stride too long, and the minimum swing
    taken from it then refused every next real contact: every other right step was lost for
    the whole 30 s (21 of 42 contacts). A swing over which the other foot landed twice is
    not learnt."""
    from tests.helpers.synthetic import heights_only_samples

    r = SyntheticRunner(view=View.FRONT, camera_distance_m=3.0)
    eng = GaitEngine(View.FRONT)
    for s in heights_only_samples(r, 30.0, 60.0, noise_px=2.0, seed=7):
        eng.push(s)
    truth = r.true_events(0.3, 29.7)
    det = [(e.kind.value, e.foot.value, e.t_ns / 1e9) for e in eng.events]
    m = match_events(truth, det, 0.1)
    for foot in ("left", "right"):
        sub = m.subset(kind="IC", foot=foot)
        assert sub.recall >= 0.9, (foot, sub.recall)
    assert len(eng.steps) >= 75
