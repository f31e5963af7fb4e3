"""Slow-motion check (app.gait.plausibility): impossible gait at the stored time base is
flagged; real gait, however slow, is not."""

from __future__ import annotations

import pytest

from app.capture.demo import SyntheticRunner
from app.gait.analysis import analyze_samples
from app.gait.plausibility import SLOW_MOTION_HINT, slow_motion_warning
from app.types import Facing, Foot, PoseSample, StepRecord, View


def steps(step_s: float, contact_s: float, n: int = 12, jitter: float = 0.02) -> list[StepRecord]:
    """Steps alternating feet; flight = max(0, step − contact) as the engine defines it."""
    out = []
    for i in range(n):
        st = step_s * (1 + jitter * ((-1) ** i))
        out.append(StepRecord(index=i, foot=Foot.LEFT if i % 2 == 0 else Foot.RIGHT,
                              ic_t_ns=int(i * step_s * 1e9), ic_frame=i, to_t_ns=None,
                              to_frame=None, next_ic_t_ns=None, step_time_ms=st * 1000,
                              contact_ms=contact_s * 1000,
                              flight_ms=max(0.0, st - contact_s) * 1000))
    return out


@pytest.mark.parametrize("step_s, contact_s", [
    (0.353, 0.25),   # running, 170 spm
    (0.43, 0.30),    # slow jogging, 140 spm
    (0.30, 0.17),    # fast running, 200 spm
    (0.55, 0.70),    # walking, 109 spm (duty 0.64, no flight)
    (1.00, 1.45),    # very slow walking, 60 spm (swing 0.55 s)
    (1.50, 2.40),    # pathologically slow walking, 40 spm (swing 0.6 s)
    (0.59, 0.20),    # real overground walk whose contacts were measured far too short
                     # (walk_side_distractors.mp4: 101 spm, "flight" 0.37 s)
])
def test_real_gait_is_not_flagged(step_s, contact_s):
    assert slow_motion_warning(steps(step_s, contact_s), 30.0) is None


@pytest.mark.parametrize("factor", [3, 4, 8])
def test_slowed_running_is_flagged_with_the_likely_capture_speed(factor):
    w = slow_motion_warning(steps(0.353 * factor, 0.25 * factor), 30.0)
    assert w is not None and w.startswith(SLOW_MOTION_HINT)
    suggested = {3: 120, 4: 120, 8: 240}[factor]  # the nearest phone slow motion
    assert f"--capture-fps {suggested}" in w


def test_slowed_running_with_long_measured_contacts_is_flagged_by_its_step_time():
    w = slow_motion_warning(steps(0.353 * 4, 0.30 * 4), 30.0)  # flight only 0.2 s
    assert w is not None and "steps/min" in w


@pytest.mark.parametrize("factor", [4, 8])
def test_slowed_walking_is_flagged_by_its_swing(factor):
    w = slow_motion_warning(steps(0.55 * factor, 0.70 * factor), 30.0)
    assert w is not None and "swing" in w


def test_too_few_steps_or_no_times_say_nothing():
    assert slow_motion_warning(steps(1.4, 1.0, n=3), 30.0) is None
    assert slow_motion_warning([], 30.0) is None


def _runner_samples(runner: SyntheticRunner, seconds: float, time_scale: float = 1.0,
                    fps: float = 30.0) -> list[PoseSample]:
    """The runner filmed at ``fps``; times stretched by ``time_scale`` (slow motion)."""
    out = []
    for i in range(int(seconds * fps)):
        t = i / fps
        out.append(PoseSample(i, int(round(t * time_scale * 1e9)), runner.landmarks_at(t),
                              runner.width, runner.height))
    return out


@pytest.mark.parametrize("view", [View.SIDE, View.REAR])
def test_engine_result_leads_with_the_warning_only_when_slowed(view):
    runner = SyntheticRunner(cadence_spm=170.0, view=view, facing=Facing.LEFT)
    normal = analyze_samples(_runner_samples(runner, 10.0), view, Facing.LEFT, 30.0)
    assert normal.has_gait
    assert not any(SLOW_MOTION_HINT in w for w in normal.warnings)
    slowed = analyze_samples(_runner_samples(runner, 10.0, time_scale=4.0), view,
                             Facing.LEFT, 7.5)
    assert slowed.has_gait
    assert slowed.warnings[0].startswith(SLOW_MOTION_HINT)
    assert slowed.quality.value == "low"
    assert slowed.to_json_dict()["quality"]["warnings"][0].startswith(SLOW_MOTION_HINT)
