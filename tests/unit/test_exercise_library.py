"""The exercise library (data) and its stick-figure illustrations."""

from __future__ import annotations

import pytest

from app.errors import UserError
from app.exercise.figure import drawing, validate_pose
from app.exercise.library import MAX_CUE_WORDS, ExerciseLibrary
from app.plan.faults import CHAINS, FAULTS


@pytest.fixture(scope="module")
def lib() -> ExerciseLibrary:
    return ExerciseLibrary.load(user_dir="/nonexistent")


def test_shipped_library_is_complete(lib):
    assert len(lib) >= 20 and not lib.problems
    for e in lib:
        assert all(s in FAULTS or s == "general" for s in e.serves), e.id
        assert len(e.cue.split()) <= MAX_CUE_WORDS
        assert 2 <= len(e.instructions) <= 6
        for step in (e.progression, e.regression):
            assert step is None or step.to == "" or step.to in lib
    for chain in CHAINS.values():
        stages = {e.stage for e in lib.serving(chain.driver)}
        assert len(lib.serving(chain.driver)) >= 3, chain.driver
        assert len(stages) >= 2, chain.driver
    for f in FAULTS.values():
        assert lib.serving(f.id), f"no exercise serves {f.id}"
    assert {e.coached for e in lib.coached()} == {"single_leg_squat", "single_leg_balance"}


def test_every_pose_draws_a_figure_standing_on_its_support(lib):
    from app.exercise.figure import placed_joints

    for e in lib:
        for pose in e.poses:
            d = drawing(pose, e.view)
            x0, y0, x1, y1 = d.bbox
            assert x1 > x0 and y1 > y0 and 0.15 < y1 < 1.3, e.id
            body = [p for ln in d.lines if ln.role in ("near", "far", "trunk") for p in (ln.a, ln.b)]
            assert min(p[1] for p in body) > -0.015, f"{e.id}: a limb goes through the floor"
            support = pose.get("support", "lowest")
            lift = float(pose.get("lift", 0.0))
            if support == "lowest":
                head = d.circles[0]
                low = min(min(p[1] for p in body), head.c[1] - head.r)
                assert low == pytest.approx(lift, abs=1e-9), e.id
            else:
                j = placed_joints(pose, e.view)
                foot = min(j[f"{support[0]}_{k}"][1] for k in ("heel", "toe", "ankle"))
                assert foot == pytest.approx(lift, abs=1e-9), e.id
            assert len(d.circles) == 1  # the head


def test_bad_pose_and_bad_entry_are_sentences(tmp_path):
    assert validate_pose({"trunk": "up", "wings": 3, "support": "nose"}, "side") == [
        "trunk must be a number of degrees, not 'up'", "unknown key 'wings'",
        "support 'nose' is not one of lowest, l_foot, r_foot, l_hand, r_hand"]
    user = tmp_path / "exercises"
    user.mkdir()
    (user / "mine.toml").write_text('''
[[exercise]]
id = "calf_raise"
name = "My calf raise"
category = "strength"
stage = "isolated"
serves = ["short_contact"]
instructions = ["Up.", "Down slowly."]
cue = "Tall"
dose = { sets = 2, reps = 20 }
poses = [ { trunk = 0 } ]

[[exercise]]
id = "Bad Id"
name = "Bad"
category = "dance"
stage = "isolated"
serves = ["pelvic_drop"]
instructions = ["One."]
cue = "one two three four five six seven"
dose = { sets = 0, reps = 5, seconds = 30 }
poses = []
''', encoding="utf-8")
    lib = ExerciseLibrary.load(user_dir=user)
    assert lib.get("calf_raise").name == "My calf raise" and lib.get("calf_raise").source == "user"
    text = " ".join(lib.problems)
    for part in ("id must be", "category must be", "more than 6 words", "sets must be 1 to 10",
                 "either reps or seconds", "instructions must be", "poses must be"):
        assert part in text
    with pytest.raises(UserError, match="no exercise called"):
        lib.get("moonwalk")
    assert lib.get("Single-leg squat").id == "single_leg_squat"
