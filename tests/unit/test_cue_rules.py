"""Cue rules on synthetic metric streams: bandwidth, cooldown, praise, busy voice, fading."""

from __future__ import annotations

import pytest

from app.feedback.cue_library import CueKind, CueLibrary
from app.feedback.cue_rules import (
    CueRuleSettings, CueRules, FocusFault, Schedule, faded_schedule,
)

STEP_NS = 333_000_000  # 180 steps/min


@pytest.fixture(scope="module")
def library() -> CueLibrary:
    return CueLibrary.load("en")


def feed(rules: CueRules, values, t0_ns: int = 0, busy=lambda i: False):
    """Feed one value per step; returns [(step index, event)] for spoken cues."""
    out = []
    for i, v in enumerate(values):
        ev = rules.on_step(t0_ns + i * STEP_NS, v, voice_busy=busy(i))
        if ev is not None:
            out.append((i, ev))
    return out


def overstride(library, **kw) -> CueRules:
    return CueRules(library, FocusFault("overstride_pct_leg", "high", 10.0), CueRuleSettings(**kw))


def test_bandwidth_speaks_only_after_n_consecutive_steps_outside(library):
    rules = overstride(library, steps_outside=6)
    # 5 outside, 1 inside (breaks the run), then 6 outside: cue on the 6th of the new run
    values = [14.0] * 5 + [8.0] + [14.0] * 6
    spoken = feed(rules, values)
    assert [i for i, _ in spoken] == [11]
    ev = spoken[0][1]
    assert ev.kind is CueKind.CORRECTION and ev.metric == "overstride_pct_leg"
    assert ev.cue_id in {c.id for c in library.for_fault("overstride_pct_leg", "high")}
    assert "6 steps" in ev.trigger and ev.t_ns == 11 * STEP_NS
    assert rules.events == [ev]


def test_unmeasured_steps_neither_break_nor_extend_a_run(library):
    rules = overstride(library, steps_outside=4)
    spoken = feed(rules, [14.0, None, 14.0, None, None, 14.0, 14.0])
    assert [i for i, _ in spoken] == [6]


def test_in_band_values_never_trigger(library):
    rules = overstride(library)
    assert feed(rules, [9.9] * 200) == []


def test_cooldown_blocks_repeats_for_15_s(library):
    rules = overstride(library, steps_outside=3, cooldown_s=15.0, praise=False)
    spoken = feed(rules, [20.0] * 200)  # 200 steps * 0.333 s = 66 s, always outside
    times_s = [ev.t_ns / 1e9 for _, ev in spoken]
    assert len(times_s) >= 3
    gaps = [b - a for a, b in zip(times_s, times_s[1:])]
    assert all(g >= 15.0 for g in gaps)
    assert all(g < 15.0 + 4 * STEP_NS / 1e9 for g in gaps)  # and not much later
    # consecutive corrections rotate through the cue pool
    assert spoken[0][1].cue_id != spoken[1][1].cue_id


def test_praise_when_back_in_band_after_a_correction(library):
    rules = overstride(library, steps_outside=3, praise_steps=4, praise_gap_s=2.0)
    values = [15.0] * 3 + [5.0] * 12
    spoken = feed(rules, values)
    kinds = [ev.kind for _, ev in spoken]
    assert kinds == [CueKind.CORRECTION, CueKind.PRAISE]
    i_fix, i_praise = spoken[0][0], spoken[1][0]
    assert i_praise - i_fix >= 4 and (i_praise - i_fix) * STEP_NS / 1e9 >= 2.0
    assert spoken[1][1].cue_id in {c.id for c in library.praise()}


def test_no_praise_without_a_previous_correction(library):
    rules = overstride(library)
    assert feed(rules, [5.0] * 50) == []


def test_never_speaks_while_voice_busy_and_speaks_once_free(library):
    rules = overstride(library, steps_outside=3)
    spoken = feed(rules, [15.0] * 10, busy=lambda i: i < 7)
    assert [i for i, _ in spoken] == [7]


def test_low_direction_and_categorical_fault(library):
    cad = CueRules(library, FocusFault("cadence_spm", "low", 170.0), CueRuleSettings(steps_outside=2))
    assert [i for i, _ in feed(cad, [172, 165, 166])] == [2]
    fs = CueRules(library, FocusFault("foot_strike", "rearfoot"), CueRuleSettings(steps_outside=2))
    spoken = feed(fs, ["midfoot", "rearfoot", "rearfoot"])
    assert [i for i, _ in spoken] == [2] and spoken[0][1].value == "rearfoot"


def test_schedules_continuous_intermittent_none(library):
    values = [20.0] * 400  # 133 s always outside
    counts = {}
    for sched in Schedule:
        rules = CueRules(library, FocusFault("overstride_pct_leg", "high", 10.0),
                         CueRuleSettings(steps_outside=3, praise=False, intermittent_every=2),
                         schedule=sched)
        counts[sched] = (len(feed(rules, values)), rules.silent_triggers)
    n_cont, silent_cont = counts[Schedule.CONTINUOUS]
    n_int, silent_int = counts[Schedule.INTERMITTENT]
    n_none, silent_none = counts[Schedule.NONE]
    assert n_cont >= 8 and silent_cont == 0
    assert n_int == (n_cont + 1) // 2 and silent_int == n_cont - n_int
    assert n_none == 0 and silent_none == n_cont


def test_start_block_changes_schedule_and_tags_events(library):
    rules = overstride(library, steps_outside=2, praise=False)
    feed(rules, [20.0] * 3)
    rules.start_block(Schedule.NONE)
    feed(rules, [20.0] * 200, t0_ns=100 * STEP_NS)
    assert [(e.block, e.schedule) for e in rules.events] == [(0, Schedule.CONTINUOUS)]


def test_faded_schedule_orders_blocks():
    assert faded_schedule(3) == (Schedule.CONTINUOUS, Schedule.INTERMITTENT, Schedule.NONE)
    s8 = faded_schedule(8)
    assert len(s8) == 8 and list(s8) == sorted(s8, key=list(Schedule).index)
    assert s8.count(Schedule.CONTINUOUS) == 3 and s8.count(Schedule.NONE) == 2
    assert faded_schedule(0) == ()


def test_focus_needs_a_cue_and_a_limit(library):
    with pytest.raises(ValueError):
        FocusFault("overstride_pct_leg", "high")
    rules = CueRules(library)
    with pytest.raises(ValueError):
        rules.set_focus(FocusFault("overstride_pct_leg", "low", 1.0))


def test_cue_log_reads_as_words():
    """Issue 11: the cue log showed internal names ("cadence_spm < 177.328 for 43 steps")."""
    from app.feedback.cue_rules import FocusFault

    cad = FocusFault("cadence_spm", "low", 177.328)
    assert cad.describe() == "cadence below 177 spm"
    assert cad.describe(met=False) == "cadence at or above 177 spm"
    assert cad.value_words(171.4) == "171 spm"
    over = FocusFault("overstride_pct_leg", "high", 15.0)
    assert over.describe() == "overstride above 15.0 % leg" and over.value_words(17.26) == "17.3 % leg"
    assert FocusFault("pelvic_drop_deg", "high", 5).describe() == "pelvic drop above 5.0°"
    assert FocusFault("foot_strike", "rearfoot").describe() == "foot strike rearfoot"
    assert FocusFault("foot_strike", "rearfoot").describe(met=False) == "foot strike not rearfoot"
    assert FocusFault("arm_crossover", "high", 20).describe() == "arm crossover above 20 % steps"
    assert FocusFault("duty_factor", "high", 0.42).describe() == "duty factor above 0.42"
