"""Multi-session plans: shipped plans load, feedback fades in later sessions, today's session
follows the runner's completed protocol sessions (real SessionInfo records and a real store)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from app.feedback.cue_rules import Schedule
from app.protocol.plan import load_plan_file, load_plans, today
from app.protocol.templates import TemplateError, TemplateLibrary
from app.session.records import SessionInfo

NOWHERE = Path("/nonexistent")


@pytest.fixture(scope="module")
def lib():
    return TemplateLibrary.load(user_dir=NOWHERE)


@pytest.fixture(scope="module")
def plan(lib):
    plans, problems = load_plans(user_dir=NOWHERE, library=lib)
    assert problems == []
    return plans["cadence_2w"]


def session(i: int, day: str, plan="cadence_2w", status="finished", state="complete") -> SessionInfo:
    summary = {"protocol": {"plan": plan, "status": status, "template": "cadence"}}
    return SessionInfo(f"s{i}", 1, "Anna", "", "", state, f"{day}T10:00:00Z", 1200.0, "side",
                       "left", "cadence", {}, summary, Path("/x"), "video.mp4", None)


def test_shipped_plans(lib):
    plans, _ = load_plans(user_dir=NOWHERE, library=lib)
    assert set(plans) == {"cadence_2w", "hip_drop_2w", "knee_collapse_2w", "overstride_2w"}
    for p in plans.values():
        assert len(p.sessions) == 8 and p.days == 14 and p.sessions[-1].day <= 14


def test_feedback_fades_across_sessions(plan, lib):
    first = plan.template_for(1, lib)
    last = plan.template_for(8, lib)
    retr = lambda t: [(b.schedule, b.metronome) for b in t.blocks if b.kind == "retraining"]  # noqa: E731
    assert retr(first) == [(Schedule.CONTINUOUS, "on")] * 3
    assert retr(plan.template_for(6, lib)) == [(Schedule.INTERMITTENT, "alternate")] * 3
    assert retr(last) == [(Schedule.NONE, "alternate")] * 3
    # baseline, faded and retention blocks are the template's
    for a, b in zip(first.blocks, last.blocks):
        if a.kind != "retraining":
            assert a == b
    sched = [plan.sessions[i].schedule for i in range(8)]
    assert sched.index(Schedule.INTERMITTENT) > 0  # later sessions get less


def test_fault_plan_never_adds_a_metronome(lib):
    plans, _ = load_plans(user_dir=NOWHERE, library=lib)
    t = plans["hip_drop_2w"].template_for(8, lib)
    assert all(b.metronome == "off" for b in t.blocks)


def test_today_counts_finished_sessions_of_this_plan(plan):
    on = dt.date(2026, 11, 24)
    assert today(plan, [], on).session.number == 1
    done = [session(1, "2026-11-20"), session(2, "2026-11-22"),
            session(3, "2026-11-23", status="aborted"),       # stopped early: not counted
            session(4, "2026-11-23", plan="other"),           # another plan
            session(5, "2026-11-23", state="recording")]      # crashed, not recovered
    t = today(plan, done, on)
    assert t.done == 2 and t.session.number == 3 and t.session.day == 5
    assert t.due == dt.date(2026, 11, 24)
    assert "session 3 of 8 (day 5 of 14, due 2026-11-24)" in t.message
    late = today(plan, done, dt.date(2026, 11, 27))
    assert "3 days late" in late.message
    all_done = [session(i, f"2026-11-{10 + i:02d}") for i in range(8)]
    t = today(plan, all_done, on)
    assert t.complete and "complete (8 of 8" in t.message


def test_today_from_a_real_store(plan, tmp_path):
    from app.session.store import open_store

    folder = tmp_path / "sessions" / "20261120-100000-aaaaaa"
    folder.mkdir(parents=True)
    (folder / "session.json").write_text(json.dumps({
        "format": 1, "id": folder.name, "state": "complete", "started_utc": "2026-11-20T10:00:00Z",
        "duration_s": 60.0, "view": "side", "template": "cadence", "summary": {
            "cadence_spm": 170.0, "protocol": {"plan": "cadence_2w", "status": "finished"}}}),
        encoding="utf-8")
    with open_store(tmp_path / "gaitcoach.db") as st:
        r = st.add_runner("Anna")
        st.index_folder(folder)
        st.assign_runner(folder.name, r.id)
        t = today(plan, st.list_sessions(r.id), dt.date(2026, 11, 22))
    assert t.done == 1 and t.session.number == 2 and t.due == dt.date(2026, 11, 22)


def test_bad_plan_file(tmp_path, lib):
    f = tmp_path / "plans" / "p.toml"
    f.parent.mkdir()
    f.write_text('schema_version = 1\nname = "p"\ndays = 7\ntemplate = "cadence"\n'
                 '[[session]]\nday = 3\n[[session]]\nday = 2\nschedule = "often"\n', encoding="utf-8")
    with pytest.raises(TemplateError) as e:
        load_plan_file(f)
    assert len(e.value.problems) == 2
    assert "session 2" in e.value.problems[0] and "days must increase" in e.value.problems[0]
    assert "schedule 'often'" in e.value.problems[1]
    f.write_text('schema_version = 1\nname = "p"\ntemplate = "ghost"\n[[session]]\nday = 1\n',
                 encoding="utf-8")
    plans, problems = load_plans(user_dir=tmp_path, library=lib)
    assert "p" not in plans and problems == ["The plan 'p' uses the unknown template(s) ghost."]
