"""Programme proposal and editing, load guidance, reassessment dates."""

from __future__ import annotations

import datetime as dt

import pytest

from app.errors import UserError
from app.exercise.library import STAGES, ExerciseLibrary
from app.plan.assessment import demo_assessment
from app.plan.load import LoadWeek, guidance, monday, reassessment
from app.plan.picture import clinical_picture
from app.plan.programme import Programme, propose, select_exercises
from app.types import View


@pytest.fixture(scope="module")
def lib():
    return ExerciseLibrary.load(user_dir="/nonexistent")


@pytest.fixture(scope="module")
def hip_picture():
    return clinical_picture(demo_assessment(View.REAR, pelvic_drop_deg=8, knee_valgus_deg=12).doc)


def test_proposal_for_hip_drop(lib, hip_picture):
    base = dt.date(2026, 11, 2)
    prog = propose(hip_picture, lib, today=dt.date(2026, 11, 3), baseline=base)
    ids = prog.exercise_ids
    assert 3 <= len(ids) <= 6 and len(set(ids)) == len(ids)
    exs = [lib.get(i) for i in ids]
    assert all("pelvic_drop" in e.serves for e in exs)
    stages = [STAGES.index(e.stage) for e in exs]
    assert stages == sorted(stages) and len(set(stages)) == 3  # isolated → functional → running
    assert "single_leg_squat" in ids  # the camera-coached test of the same deficit
    assert prog.template == "hip_drop" and prog.plan == "hip_drop_2w"
    assert prog.reassess_due == "2026-12-14" and prog.baseline_date == "2026-11-02"
    assert prog.primary == "pelvic_drop" and prog.picture["primary"]["fault"] == "pelvic_drop"


def test_no_primary_fault_gets_a_short_general_programme(lib):
    p = clinical_picture(demo_assessment(View.SIDE).doc)
    prog = propose(p, lib)
    assert prog.primary is None and prog.template is None and len(prog.items) == 3
    assert all("general" in lib.get(i).serves for i in prog.exercise_ids)
    assert "No primary fault" in prog.focus_text


def test_count_is_three_to_six(lib):
    assert len(select_exercises(lib, "overstride", count=1)) == 3
    assert len(select_exercises(lib, "overstride", count=9)) == 6


def test_edits_and_json_round_trip(lib, hip_picture):
    prog = propose(hip_picture, lib)
    first = prog.exercise_ids[0]
    p2 = prog.with_dose(first, sets=4, reps=15, per_week=5, note="slow")
    assert p2.item(first).dose.text.startswith("4 × 15") and p2.item(first).note == "slow"
    p3 = p2.with_dose(first, seconds=40)
    assert p3.item(first).dose.reps is None and p3.item(first).dose.seconds == 40
    with pytest.raises(UserError, match="sets must be 1 to 10"):
        p2.with_dose(first, sets=0)
    p4 = p2.without(first).with_exercise(lib.get("calf_raise"))
    assert first not in p4.exercise_ids and p4.exercise_ids[-1] == "calf_raise"
    with pytest.raises(UserError, match="already in the programme"):
        p4.with_exercise(lib.get("calf_raise"))
    with pytest.raises(UserError, match="has no exercise"):
        p4.without("moonwalk")
    assert p4.moved("calf_raise", -10).exercise_ids[0] == "calf_raise"
    back = Programme.from_json(p4.to_json())
    assert back == p4


def test_load_guidance():
    w = lambda d, v, p: LoadWeek(monday(dt.date.fromisoformat(d)), v, "km", p)  # noqa: E731
    assert "Log each week" in guidance([])[0]
    assert "hold volume until pain stays ≤ 2/10" in guidance([w("2026-11-02", 20, 4)])[0]
    assert "reduce running volume" in guidance([w("2026-11-02", 20, 6)])[0]
    settled = guidance([w("2026-11-02", 20, 2), w("2026-11-09", 20, 1)])
    assert "about 10 %" in settled[0] and "(22 km)" in settled[0]
    spike = guidance([w("2026-11-02", 20, 1), w("2026-11-09", 20, 1), w("2026-11-16", 30, 1)])
    assert any("jumped 50 %" in t for t in spike)
    old = guidance([w("2026-11-02", 20, 1)], today=dt.date(2026, 12, 1))
    assert any("log the weeks since" in t for t in old)


def test_reassessment_states():
    base, due = dt.date(2026, 11, 2), dt.date(2026, 12, 14)
    r = reassessment(base, due, [], today=dt.date(2026, 12, 4))
    assert r.days_left == 10 and "in 10 days" in r.text and not r.ready
    assert "overdue" in reassessment(base, due, [], today=dt.date(2026, 12, 20)).text
    assert "today" in reassessment(base, due, [], today=due).text
    r = reassessment(base, due, [("a", dt.date(2026, 11, 20)), ("b", dt.date(2026, 12, 10))],
                     today=dt.date(2026, 12, 11))
    assert r.ready and r.session_id == "b" and "compare it with the baseline" in r.text
