"""Frontal views timed from image heights (as real rear/front video is analysed): the
camera's horizon and the belt's image speed are read steadily under pose noise, and
contacts at 60 fps come within a fraction of a frame (no Qt)."""

from __future__ import annotations

import numpy as np
import pytest

from app.capture.demo import SyntheticRunner
from app.gait.analysis import analyze_samples
from app.gait.engine import GaitEngine
from app.gait.geometry import L_HIP, R_HIP
from app.types import Facing, PoseSample, View
from tests.helpers.event_matching import match_events
from tests.helpers.synthetic import heights_only_samples

def runner(view: View) -> SyntheticRunner:
    return SyntheticRunner(cadence_spm=172.0, view=view, facing=Facing.LEFT, camera_distance_m=3.0)

def test_horizon_is_the_mean_hip_row_from_the_start():
    """The horizon (the hips' mean row) began at the first frame's row, one extreme of the
    hips' bounce 8 px off, and was still ~2 px off after 2.5 s."""
    r = runner(View.REAR)
    samples = heights_only_samples(r, 2.5, 60.0)
    eng = GaitEngine(View.REAR)
    for s in samples:
        eng.push(s)
    rows = [0.5 * (s.landmarks[L_HIP, 1] + s.landmarks[R_HIP, 1]) for s in samples]
    assert abs(rows[0] - np.mean(rows)) > 4.0  # the first row is far from the mean
    assert eng.horizon_px == pytest.approx(float(np.mean(rows)), abs=1.0)

@pytest.mark.parametrize("view", [View.REAR, View.FRONT])
def test_belt_speed_holds_steady_under_noise(view):
    """The belt's image speed read with 1 px of noise at 60 fps stays within 0.045 leg
    lengths/s of the noise-free reading (~0.8) after the first 4 s (read as the foot
    velocities' mode it strayed up to 0.071 from it from behind and 0.083 in front on
    these draws; from the stances' slopes 0.024 and 0.032)."""
    r = runner(view)
    clean = GaitEngine(view)
    for s in heights_only_samples(r, 12.0, 60.0):
        clean.push(s)
    truth = clean.belt_speed
    assert abs(truth) > 0.3  # a camera 3 m away sees the feet come nearer or go away
    for seed in (1, 2):
        eng = GaitEngine(view)
        seen = []
        for s in heights_only_samples(r, 12.0, 60.0, noise_px=1.0, seed=seed):
            eng.push(s)
            if s.t_ns >= 4e9:
                seen.append(eng.belt_speed)
        assert max(abs(v - truth) for v in seen) <= 0.045, (seed, min(seen), max(seen), truth)

@pytest.mark.parametrize("view", [View.REAR, View.FRONT])
def test_contacts_from_heights_within_a_fraction_of_a_frame_at_60_fps(view):
    """Contacts timed from image heights at 60 fps with 1 px of noise, four draws (the
    validation's): mean within ⅓ frame, median within ½, the issue's figures. Rear and
    front they read mean −0.11 / +0.03 frame, median 0.32 / 0.39; before the horizon and
    belt-speed fixes −0.35 / +0.16 and 0.49 / 0.51."""
    fps = 60.0
    r = runner(view)
    errors = []
    for seed in (7, 8, 9, 10):
        res = analyze_samples(heights_only_samples(r, 12.0, fps, noise_px=1.0, seed=seed), view, None, fps)
        m = match_events(r.true_events(0.3, 11.7),
                         [(e.kind.value, e.foot.value, e.t_ns / 1e9) for e in res.events], 0.1)
        sub = m.subset(kind="IC")
        assert len(sub.matched) >= 0.95 * sub.n_truth
        errors += [x.error_s * fps for x in sub.matched]
    e = np.asarray(errors)
    assert abs(e.mean()) <= 1 / 3, e.mean()
    assert np.median(np.abs(e)) <= 0.5, np.median(np.abs(e))

def test_kink_fit_with_the_slope_after_known():
    """A shallow corner (1.2 → 0.8 per s, as a heel from behind) at 60 fps with noise of
    1/280 (1 px in leg lengths): knowing the slope after it, the breakpoint's scatter over
    200 draws is smaller than fitting that slope too, and without noise both are exact."""
    from app.gait.kink import kink_fit

    fps, t_c, v_before, v_after = 60.0, 0.5013, 1.2, 0.8
    t = np.arange(0.40, 0.62, 1 / fps)
    y = 1.0 + np.where(t < t_c, v_before * (t - t_c), v_after * (t - t_c))
    for slope in (None, v_after):
        assert kink_fit(t, y, t_c - 0.02, t_c + 0.02, quadratic_before=False,
                        slope_after=slope)[0] == pytest.approx(t_c, abs=1 / fps / 8)
    rng = np.random.default_rng(5)
    spread = {}
    for slope in (None, v_after):
        got = [kink_fit(t, y + rng.normal(0, 1 / 280, t.size), t_c - 0.02, t_c + 0.02,
                        quadratic_before=False, slope_after=slope)[0] for _ in range(200)]
        spread[slope] = float(np.nanstd(got))
    assert spread[v_after] < 0.85 * spread[None], spread

def test_belt_speed_follows_a_speed_change():
    """The treadmill sped up from 2 to 4 m/s (150 → 176 steps/min) after 10 s, seen from
    behind at 60 fps with 1 px of noise: the belt's image speed follows (read from the
    stances' slopes alone, searched near the old speed, it stayed at the old one and 17 of
    the 48 contacts went unfound)."""
    fps, t_change, t_end = 60.0, 10.0, 20.0
    slow = SyntheticRunner(cadence_spm=150.0, speed_mps=2.0, view=View.REAR, facing=Facing.LEFT,
                           camera_distance_m=3.0)
    fast = SyntheticRunner(cadence_spm=176.0, speed_mps=4.0, view=View.REAR, facing=Facing.LEFT,
                           camera_distance_m=3.0)
    a = heights_only_samples(slow, t_change, fps, noise_px=1.0, seed=3)
    b = heights_only_samples(fast, t_end - t_change, fps, noise_px=1.0, seed=4)
    shift = int(round(t_change * 1e9))
    samples = a + [PoseSample(s.frame_index + len(a), s.t_ns + shift, s.landmarks, s.width, s.height)
                   for s in b]
    steady = GaitEngine(View.REAR)
    for s in heights_only_samples(fast, 10.0, fps):
        steady.push(s)
    eng = GaitEngine(View.REAR)
    for s in samples:
        eng.push(s)
    assert eng.belt_speed == pytest.approx(steady.belt_speed, abs=0.15)
    res = analyze_samples(samples, View.REAR, None, fps)
    truth = slow.true_events(0.5, t_change - 0.5) + [
        (k, f, t + t_change) for k, f, t in fast.true_events(0.5, t_end - t_change - 0.5)]
    m = match_events(truth, [(e.kind.value, e.foot.value, e.t_ns / 1e9) for e in res.events], 0.1)
    sub = m.subset(kind="IC")
    assert len(sub.matched) >= 0.9 * sub.n_truth, (len(sub.matched), sub.n_truth)


@pytest.mark.parametrize("view", [View.REAR, View.FRONT])
@pytest.mark.parametrize("fps", [30.0, 60.0])
def test_live_steps_before_the_landing_is_learnt_are_not_reported(view, fps):
    """Live, from image heights, each foot's first contact is timed before its landing
    height is learnt, at a guess: from behind at 30 fps the first two stances read 135 and
    164 ms for 244. Those stances make no step record (their events still come); every step
    reported, from the first, has its contact time within 60 ms of the truth (single
    contacts scatter by up to a frame at 30 fps: 14-55 ms at worst over six draws), and an
    8 s clip loses at most 5 of its 23 steps (the first two before the leg and horizon are
    known, the two guessed, the last)."""
    r = runner(view)
    eng = GaitEngine(view)
    steps = []
    for s in heights_only_samples(r, 8.0, fps, noise_px=1.0, seed=3):
        steps.extend(eng.push(s).steps)
    steps.extend(eng.finish())
    contacts = [st.contact_ms for st in steps if st.contact_ms is not None]
    assert contacts, "no steps"
    assert max(abs(c - r.stance_s * 1000.0) for c in contacts) <= 60.0, [round(c) for c in contacts]
    n_true = sum(1 for k, _, _ in r.true_events(0.0, 8.0) if k == "IC")
    assert len(steps) >= n_true - 5
    ics = [e for e in eng.events if e.kind.value == "IC"]
    assert len(ics) >= len(steps) + 2  # the guessed contacts are still events
