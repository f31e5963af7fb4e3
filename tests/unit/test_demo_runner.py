"""The synthetic demo runner: known cadence, alternating feet, stance foot on the belt."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.capture.demo import DemoSource, SyntheticRunner
from app.types import LM, Facing, View


def _foot_low_y(lm: np.ndarray, foot: str) -> float:
    """Image row of the foot's lowest point (y grows downwards)."""
    return float(max(lm[LM[f"{foot}_heel"], 1], lm[LM[f"{foot}_foot_index"], 1]))


@pytest.mark.parametrize("cadence", [150.0, 170.0, 185.0])
def test_periodicity_equals_cadence(cadence):
    r = SyntheticRunner(cadence_spm=cadence)
    stride = 120.0 / cadence
    for t in np.linspace(0.0, 2.0, 23):
        np.testing.assert_allclose(r.landmarks_at(t), r.landmarks_at(t + stride), atol=1e-3)
    ev = r.true_events(0.0, 20.0)
    ics = [e for e in ev if e[0] == "IC"]
    step_times = np.diff([e[2] for e in ics])
    assert 60.0 / np.median(step_times) == pytest.approx(cadence, abs=1e-6)
    # Same foot: one stride apart.
    left = [e[2] for e in ics if e[1] == "left"]
    np.testing.assert_allclose(np.diff(left), stride, atol=1e-9)


def test_feet_alternate_and_to_follows_ic():
    r = SyntheticRunner(duty_factor=0.35)
    ev = r.true_events(0.0, 10.0)
    ics = [e for e in ev if e[0] == "IC"]
    assert len(ics) >= 25
    feet = [e[1] for e in ics]
    assert all(a != b for a, b in zip(feet, feet[1:])), feet
    for kind, foot, t in ics:
        to = [e for e in ev if e[0] == "TO" and e[1] == foot and e[2] > t]
        if to:
            assert to[0][2] - t == pytest.approx(r.stance_s)
    assert r.stance_s / r.stride_s == pytest.approx(0.35)


def test_events_window_is_half_open_and_sorted():
    r = SyntheticRunner()
    ev = r.true_events(1.0, 3.0)
    times = [e[2] for e in ev]
    assert times == sorted(times)
    assert all(1.0 <= t < 3.0 for t in times)
    assert r.true_events(0.0, 1.0) + ev == r.true_events(0.0, 3.0)


@pytest.mark.parametrize("facing", [Facing.LEFT, Facing.RIGHT])
def test_stance_foot_on_belt_moving_at_belt_speed(facing):
    r = SyntheticRunner(facing=facing)
    t_ic = next(e[2] for e in r.true_events(0.5, 5.0) if e[0] == "IC" and e[1] == "left")
    ts = np.linspace(t_ic + 1e-4, t_ic + r.stance_s - 1e-4, 25)
    lows = [_foot_low_y(r.landmarks_at(t), "left") for t in ts]
    np.testing.assert_allclose(lows, r.belt_y, atol=0.05)
    # Early stance the heel is the contact point: it moves backwards at belt speed.
    t1, t2 = t_ic + 0.01, t_ic + 0.05
    x1 = r.landmarks_at(t1)[LM["left_heel"], 0]
    x2 = r.landmarks_at(t2)[LM["left_heel"], 0]
    v_px = (x2 - x1) / (t2 - t1)
    backwards = 1.0 if facing is Facing.LEFT else -1.0  # facing left: backwards = +x
    assert v_px == pytest.approx(backwards * r.speed_mps * r.scale, rel=1e-6)
    # During swing the foot is off the belt.
    ts_swing = np.linspace(t_ic + r.stance_s + 0.02, t_ic + r.stride_s - 0.02, 20)
    assert all(_foot_low_y(r.landmarks_at(t), "left") < r.belt_y - 1.0 for t in ts_swing)


def test_ic_is_exactly_when_the_foot_lands():
    r = SyntheticRunner()
    for kind, foot, t in r.true_events(0.5, 3.0):
        before = _foot_low_y(r.landmarks_at(t - 2e-3), foot)
        after = _foot_low_y(r.landmarks_at(t + 2e-3), foot)
        if kind == "IC":
            assert before < r.belt_y - 0.1 and after == pytest.approx(r.belt_y, abs=0.05)
        else:
            assert before == pytest.approx(r.belt_y, abs=0.05) and after < r.belt_y - 0.1


def test_ic_ahead_of_hip_and_overstride_moves_it_further():
    def heel_ahead_px(r: SyntheticRunner) -> float:
        t = next(e[2] for e in r.true_events(0.5, 5.0) if e[0] == "IC")
        lm = r.landmarks_at(t + 1e-6)
        foot = next(e[1] for e in r.true_events(0.5, 5.0) if e[0] == "IC")
        hip_x = 0.5 * (lm[LM["left_hip"], 0] + lm[LM["right_hip"], 0])
        return float(hip_x - lm[LM[f"{foot}_heel"], 0])  # facing left: ahead = smaller x

    base = heel_ahead_px(SyntheticRunner())
    over = heel_ahead_px(SyntheticRunner(overstride=0.2))
    assert base > 0
    assert over - base == pytest.approx(0.2 * SyntheticRunner().leg_length_m * SyntheticRunner().scale,
                                        rel=0.02)


def test_hip_oscillation_and_lowest_at_midstance():
    r = SyntheticRunner()
    ts = np.linspace(1.0, 1.0 + r.stride_s, 400)
    hip_y = np.array([0.5 * (r.landmarks_at(t)[LM["left_hip"], 1] + r.landmarks_at(t)[LM["right_hip"], 1])
                      for t in ts])
    ptp_m = (hip_y.max() - hip_y.min()) / r.scale
    assert 0.06 <= ptp_m <= 0.10
    t_ic = next(e[2] for e in r.true_events(1.0, 5.0) if e[0] == "IC")
    lm_mid = r.landmarks_at(t_ic + 0.5 * r.stance_s)
    y_mid = 0.5 * (lm_mid[LM["left_hip"], 1] + lm_mid[LM["right_hip"], 1])
    assert y_mid == pytest.approx(hip_y.max(), abs=0.5)  # lowest = largest image y


def test_arms_swing_opposite_to_legs():
    r = SyntheticRunner()
    t_ic = next(e[2] for e in r.true_events(0.5, 5.0) if e[0] == "IC" and e[1] == "left")
    lm = r.landmarks_at(t_ic)
    # Facing left: forward = smaller x. Left foot forward at its IC, left arm back.
    assert lm[LM["left_ankle"], 0] < lm[LM["right_ankle"], 0]
    assert lm[LM["left_elbow"], 0] > lm[LM["right_elbow"], 0]


def test_asymmetry_sets_step_times():
    r = SyntheticRunner(asymmetry_pct=10.0)
    ics = [e for e in r.true_events(0.0, 10.0) if e[0] == "IC"]
    steps = {"left": [], "right": []}
    for a, b in zip(ics, ics[1:]):
        steps[a[1]].append(b[2] - a[2])
    lm, rm = np.mean(steps["left"]), np.mean(steps["right"])
    assert (lm - rm) / ((lm + rm) / 2) * 100 == pytest.approx(10.0, abs=1e-6)


def test_frontal_pelvic_drop_and_valgus():
    drop, valgus = 8.0, 10.0
    r = SyntheticRunner(view=View.REAR, pelvic_drop_deg=drop, knee_valgus_deg=valgus)
    t_ic = next(e[2] for e in r.true_events(0.5, 5.0) if e[0] == "IC" and e[1] == "left")
    lm = r.landmarks_at(t_ic + 0.5 * r.stance_s)  # left mid-stance, right leg swinging
    lh, rh = lm[LM["left_hip"], :2], lm[LM["right_hip"], :2]
    # Rear view: runner's left on image-left; the right (swing) hip is lower = larger y.
    assert lh[0] < rh[0]
    angle = math.degrees(math.atan2(rh[1] - lh[1], rh[0] - lh[0]))
    assert angle == pytest.approx(drop, abs=0.5)
    hip, knee, ankle = (lm[LM[f"left_{n}"], :2].astype(float) for n in ("hip", "knee", "ankle"))
    a1 = math.degrees(math.atan2(knee[0] - hip[0], knee[1] - hip[1]))
    a2 = math.degrees(math.atan2(ankle[0] - knee[0], ankle[1] - knee[1]))
    fppa = a1 - a2  # left leg, rear view: medial = +x
    assert fppa == pytest.approx(valgus, abs=2.0)
    # Stance foot on the belt in frontal views too.
    assert _foot_low_y(lm, "left") == pytest.approx(r.belt_y, abs=0.05)
    # Without faults the pelvis is level at mid-stance.
    r0 = SyntheticRunner(view=View.REAR)
    lm0 = r0.landmarks_at(t_ic + 0.5 * r0.stance_s)
    assert lm0[LM["left_hip"], 1] == pytest.approx(lm0[LM["right_hip"], 1], abs=0.01)


def test_front_view_is_mirror_of_rear_in_x():
    rear = SyntheticRunner(view=View.REAR).landmarks_at(1.234)
    front = SyntheticRunner(view=View.FRONT).landmarks_at(1.234)
    np.testing.assert_allclose(front[:, 0] - 640.0, -(rear[:, 0] - 640.0), atol=1e-3)
    np.testing.assert_allclose(front[:, 1], rear[:, 1], atol=1e-3)


def test_landmarks_format_and_render():
    r = SyntheticRunner(width=640, height=360)
    lm = r.landmarks_at(0.3)
    assert lm.shape == (33, 4) and lm.dtype == np.float32
    assert np.all(np.isfinite(lm))
    assert np.all((lm[:, 0] > 0) & (lm[:, 0] < 640) & (lm[:, 1] > 0) & (lm[:, 1] < 360))
    assert np.all((lm[:, 3] > 0) & (lm[:, 3] <= 1))
    # Facing left: the left side is nearer the camera (smaller z), more visible.
    assert lm[LM["left_hip"], 2] < lm[LM["right_hip"], 2]
    img = r.render(0.3, lm)
    assert img.shape == (360, 640, 3) and img.dtype == np.uint8
    assert img.std() > 5


def test_demo_source_unpaced_frames():
    src = DemoSource(SyntheticRunner(width=320, height=180), fps=30.0, paced=False)
    src.open()
    frames = [src.read_demo() for _ in range(5)]
    assert [f.frame.index for f in frames] == [0, 1, 2, 3, 4]
    assert frames[1].frame.t_ns - frames[0].frame.t_ns == int(1e9 / 30)
    assert frames[2].t_model_s == pytest.approx(2 / 30)
    assert not frames[0].frame.image.flags.writeable
    src.close()
    assert src.read() is None


def test_bad_parameters_raise():
    with pytest.raises(ValueError):
        SyntheticRunner(cadence_spm=10)
    with pytest.raises(ValueError):
        SyntheticRunner(duty_factor=0.9)
