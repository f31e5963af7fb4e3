"""The protocol state machine on a fake clock with the real FeedbackController (no audio
device: the controller's own state says whether it clicks and cues)."""

from __future__ import annotations

import pytest
from pathlib import Path

from app.feedback.controller import FeedbackController
from app.feedback.cue_library import CueLibrary
from app.feedback.cue_rules import Schedule
from app.pose.worker import StepsUpdate
from app.protocol.runner import ProtocolRunner, cadence_from_steps
from app.protocol.templates import TemplateLibrary
from app.types import Foot, StepRecord

S = 1_000_000_000
K = 20.0


class Clock:
    def __init__(self) -> None:
        self.t = 10 * S

    def __call__(self) -> int:
        return self.t


@pytest.fixture(scope="module")
def lib():
    return TemplateLibrary.load(user_dir=Path("/nonexistent"))


@pytest.fixture
def clock():
    return Clock()


def make(lib, clock, name="cadence", **kw):
    ctrl = FeedbackController(CueLibrary.load("en"), None, clock=clock)
    r = ProtocolRunner(lib.get(name), ctrl, time_scale=kw.pop("time_scale", K), clock=clock,
                       limit_for=lambda m, d: 5.0, **kw)
    return r, ctrl


def run_until(r, clock, t_s, step_s=0.1):
    end = clock.t + int(t_s * S)
    while clock.t < end:
        clock.t = min(end, clock.t + int(step_s * S))
        r.tick()


def feed_steps(r, clock, seconds, step_ms):
    """Steps of ``step_ms`` from now for ``seconds`` (clock advances with them)."""
    n = int(seconds * 1000 / step_ms)
    for i in range(n):
        clock.t += int(step_ms * 1e6)
        st = StepRecord(i, Foot.LEFT if i % 2 else Foot.RIGHT, clock.t, i, None, None, None,
                        step_ms, None, None)
        r.on_steps(StepsUpdate((), (st,), None, clock.t))
        r.tick()


def test_blocks_in_order_with_scaled_durations(lib, clock):
    r, ctrl = make(lib, clock)
    seen = []
    r.add_listener(lambda e: seen.append(e))
    t0 = clock.t
    r.start()
    run_until(r, clock, 61.0, step_s=0.7)  # coarse ticks: boundaries within a tick, no drift
    assert r.status == "finished"
    res = r.block_results()
    assert [b.kind for b in res] == ["baseline", "retraining", "retraining", "retraining",
                                     "faded", "retention"]
    starts = [(b.t_start_ns - t0) / S for b in res]
    assert starts == pytest.approx([0, 6, 18, 30, 42, 54], abs=0.7)
    assert [round(s / 0.7, 6) % 1 for s in starts] == pytest.approx([0.0] * 6, abs=1e-5)  # on ticks
    assert 60.0 <= (res[-1].t_end_ns - t0) / S < 60.7
    assert [b.run_s for b in res] == [120, 240, 240, 240, 240, 120]
    kinds = [e.kind for e in seen]
    assert kinds[0] == "started" and kinds[-2:] == ["finished", "said"]
    assert kinds.count("block_started") == 6 and kinds.count("block_ended") == 6
    assert not ctrl.state().metronome_on and not ctrl.state().cues_on


def test_feedback_per_block(lib, clock):
    r, ctrl = make(lib, clock)
    r.start()
    states = {}
    for t in (3, 9, 21, 33, 43, 46, 49, 52, 57):
        run_until(r, clock, t - (clock.t - 10 * S) / S)
        st, fs = r.state(), ctrl.state()
        states[t] = (st.block.kind, fs.metronome_on, fs.cues_on, fs.schedule)
        assert st.metronome_on == fs.metronome_on
    assert states[3] == ("baseline", False, False, Schedule.NONE)
    for t in (9, 21, 33):
        assert states[t] == ("retraining", True, True, Schedule.CONTINUOUS)
    # faded: minute 0 and 2 of the block on, minutes 1 and 3 off (a minute = 3 s at K=20)
    assert [states[t][1] for t in (43, 46, 49, 52)] == [True, False, True, False]
    assert states[43][2] is True
    assert states[57] == ("retention", False, False, Schedule.NONE)
    assert ctrl.state().focus.metric == "cadence_spm"


def test_target_from_measured_baseline(lib, clock):
    r, ctrl = make(lib, clock)
    r.start()
    feed_steps(r, clock, 5.5, 60000 / 168.0)  # 168 spm for most of the 6 s baseline
    run_until(r, clock, 6.5 - (clock.t - 10 * S) / S)
    assert r.state().block.kind == "retraining"
    assert r.baseline_spm == pytest.approx(168.0, abs=0.01)
    st, fs = r.state(), ctrl.state()
    assert st.target_spm == pytest.approx(168.0 * 1.075, abs=0.01)
    assert st.target_source == "baseline"
    assert fs.target_spm == pytest.approx(st.target_spm) and fs.metronome_on and fs.bpm == pytest.approx(st.target_spm)
    ev = [e for e in r.events if e.kind == "target"]
    assert ev and "168.0 spm" in ev[0].message and "180.6 spm" in ev[0].message
    assert r.block_results()[1].target_spm == pytest.approx(180.6, abs=0.01)


def test_too_few_baseline_steps_keep_the_fallback(lib, clock):
    r, ctrl = make(lib, clock)
    r.start()
    feed_steps(r, clock, 2.0, 60000 / 168.0)  # 5 steps only (10 needed)
    run_until(r, clock, 6.5 - (clock.t - 10 * S) / S)
    assert r.baseline_spm is None
    assert r.state().target_spm == 170.0 and r.state().target_source == "fallback"
    assert ctrl.state().target_spm == 170.0 and ctrl.state().metronome_on
    short = [e for e in r.events if e.kind == "baseline_short"]
    assert short and short[0].message.startswith("Only 5 steps in the baseline (10 needed)")
    assert any(e.kind == "said" and "Not enough steps" in e.message for e in r.events)


def test_override_target(lib, clock):
    r, ctrl = make(lib, clock)
    r.start()
    run_until(r, clock, 7.0)
    r.override_target(176.0)
    assert r.state().target_source == "override" and ctrl.state().target_spm == 176.0
    assert ctrl.state().bpm == pytest.approx(176.0)
    run_until(r, clock, 12.0)  # next block keeps the override
    assert ctrl.state().target_spm == 176.0 and r.block_results()[2].target_spm == 176.0
    r.override_target(None)
    assert r.state().target_source == "fallback" and ctrl.state().target_spm == 170.0
    with pytest.raises(ValueError):
        r.override_target(20.0)


def test_pause_resume(lib, clock):
    r, ctrl = make(lib, clock)
    r.start()
    run_until(r, clock, 8.0)  # retraining 1, 2 s in = 40 block s
    r.pause()
    assert r.status == "paused" and not ctrl.state().metronome_on and not ctrl.state().cues_on
    el = r.state().block_elapsed_s
    run_until(r, clock, 30.0)  # timer holds
    assert r.state().block_elapsed_s == pytest.approx(el) and r.state().block.name == "Retraining 1"
    r.resume()
    assert ctrl.state().metronome_on and ctrl.state().cues_on
    run_until(r, clock, 10.0)
    assert r.state().block.name == "Retraining 2"
    res = r.block_results()[1]
    assert (res.t_end_ns - res.t_start_ns) / S == pytest.approx(12.0 + 30.0, abs=0.11)
    assert res.run_s == 240.0


def test_skip_and_extend(lib, clock):
    r, _ = make(lib, clock)
    t0 = clock.t
    r.start()
    run_until(r, clock, 2.0)
    r.skip()
    assert r.state().block.name == "Retraining 1"
    b0 = r.block_results()[0]
    assert b0.skipped and b0.run_s == pytest.approx(40.0) and (b0.t_end_ns - t0) / S == pytest.approx(2.0)
    r.extend(60)  # +60 block s = +3 s at K=20
    assert r.state().block_duration_s == 300.0
    run_until(r, clock, 14.5)
    assert r.state().block.name == "Retraining 1"
    run_until(r, clock, 1.0)
    assert r.state().block.name == "Retraining 2"
    b1 = r.block_results()[1]
    assert b1.extended_s == 60.0 and (b1.t_end_ns - b1.t_start_ns) / S == pytest.approx(15.0, abs=0.1)
    r.extend(-1000)  # never below what has run
    assert r.state().block_remaining_s == pytest.approx(0.0)
    r.tick()
    assert r.state().block.name == "Retraining 3"


def test_abort_keeps_the_partial_block(lib, clock):
    r, ctrl = make(lib, clock)
    r.start()
    run_until(r, clock, 10.0)
    r.abort()
    assert r.status == "aborted" and r.finished and not ctrl.state().metronome_on
    res = r.block_results()
    assert len(res) == 2 and res[1].skipped and res[1].run_s == pytest.approx(80.0)


def test_fault_template_sets_its_focus_with_the_band(lib, clock):
    r, ctrl = make(lib, clock, name="hip_drop")
    r.start()
    assert ctrl.state().focus is None or not ctrl.state().cues_on
    run_until(r, clock, 7.0)
    f = ctrl.state().focus
    assert f.metric == "pelvic_drop_deg" and f.limit == 5.0 and ctrl.state().cues_on
    assert not ctrl.state().metronome_on
    run_until(r, clock, 36.0)  # faded: wider band
    assert r.state().block.kind == "faded" and ctrl.state().focus.limit == 8.0


def test_cadence_from_steps_ignores_implausible_steps():
    cad, n = cadence_from_steps([352.9, 352.9, None, 5000.0, 10.0])
    assert n == 2 and cad == pytest.approx(170.0, abs=0.05)
    assert cadence_from_steps([]) == (None, 0)
