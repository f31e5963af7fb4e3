"""Protocol templates: the shipped defaults load and say what the issue says, user files
override, bad files give one sentence per problem, templates saved with a runner (real
SQLite store) win."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.feedback.cue_library import CueLibrary
from app.feedback.cue_rules import Schedule
from app.gait.metrics import METRIC_SPECS
from app.protocol.templates import (
    TargetRule, TemplateError, TemplateLibrary, load_template_file, parse_template_text,
    save_user_template,
)
from app.types import View

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def lib(tmp_path) -> TemplateLibrary:
    return TemplateLibrary.load(user_dir=tmp_path / "none")


def test_shipped_templates_load(lib):
    assert lib.names() == ["cadence", "full_assessment", "hip_drop", "knee_collapse", "overstride"]
    assert lib.problems == ()


def test_templates_say_the_cameras_they_need(lib):
    """Issue 12: 'Hip drop' wants the rear view, 'Cadence' the side, a full assessment both."""
    assert lib.get("hip_drop").views == (View.REAR,) and lib.get("cadence").views == (View.SIDE,)
    full = lib.get("full_assessment")
    assert full.view == "side+rear" and full.views == (View.SIDE, View.REAR)
    assert full.primary_view == "side" and full.view_words == "side and rear views"
    assert lib.get("hip_drop").view_words == "rear view"
    assert [b.kind for b in full.blocks] == ["free", "baseline"]
    assert not any(b.any_feedback and b.cues for b in full.blocks)


def test_cadence_template_is_the_issue_protocol(lib):
    t = lib.get("cadence")
    assert t.view == "side" and t.focus.metric == "cadence_spm" and t.focus.direction == "low"
    assert t.target == TargetRule("baseline", 7.5)
    kinds = [(b.kind, b.duration_s, b.metronome) for b in t.blocks]
    assert kinds == [("baseline", 120, "off"), ("retraining", 240, "on"),
                     ("retraining", 240, "on"), ("retraining", 240, "on"),
                     ("faded", 240, "alternate"), ("retention", 120, "off")]
    base, faded, ret = t.blocks[0], t.blocks[4], t.blocks[5]
    for b in (base, ret):  # no feedback at all
        assert not b.any_feedback and not b.mirror and b.schedule is Schedule.NONE
    for b in t.blocks[1:4]:
        assert b.cues and b.schedule is Schedule.CONTINUOUS
    assert faded.cues and not faded.skeleton and not faded.tiles
    assert faded.bandwidth > t.blocks[1].bandwidth  # bandwidth cues only: wider band
    assert all(b.say for b in t.blocks)
    assert t.duration_s == 20 * 60


@pytest.mark.parametrize("name,view,metric", [
    ("hip_drop", "rear", "pelvic_drop_deg"), ("knee_collapse", "rear", "knee_valgus_fppa_deg"),
    ("overstride", "side", "overstride_pct_leg")])
def test_fault_templates_have_the_same_shape_and_their_cues(lib, name, view, metric):
    t, cad = lib.get(name), lib.get("cadence")
    assert t.view == view and t.focus.metric == metric
    assert [(b.kind, b.duration_s) for b in t.blocks] == [(b.kind, b.duration_s) for b in cad.blocks]
    assert View(view) in METRIC_SPECS[t.focus.step_metric].views
    assert CueLibrary.load("en").for_fault(t.focus.metric, t.focus.direction)
    assert [b.cues for b in t.blocks] == [False, True, True, True, True, False]


def test_lookup_by_title_and_unknown_name(lib):
    assert lib.get("Cadence retraining").name == "cadence"
    with pytest.raises(Exception) as e:
        lib.get("nope")
    assert str(e.value).startswith("There is no protocol template named 'nope'")


def test_round_trip_through_toml(lib, tmp_path):
    for t in lib:
        again = parse_template_text(t.to_toml(), source=t.source, path=t.path)
        assert again == t


def test_user_template_overrides_and_adds(tmp_path, lib):
    cad = lib.get("cadence")
    short = cad.with_blocks([b.__class__(**{**_fields(b), "duration_s": 30.0}) for b in cad.blocks])
    save_user_template(short, tmp_path / "templates")
    mine = parse_template_text(cad.to_toml().replace('name = "cadence"', 'name = "mine"'))
    save_user_template(mine, tmp_path / "templates")
    lib2 = TemplateLibrary.load(user_dir=tmp_path)
    assert lib2.get("cadence").source == "user"
    assert [b.duration_s for b in lib2.get("cadence").blocks] == [30.0] * 6
    assert "mine" in lib2 and len(lib2) == 6


def _fields(b):
    return {k: getattr(b, k) for k in b.__slots__}


def test_bad_user_file_is_skipped_with_a_sentence(tmp_path):
    d = tmp_path / "templates"
    d.mkdir()
    (d / "broken.toml").write_text("name = [", encoding="utf-8")
    lib = TemplateLibrary.load(user_dir=tmp_path)
    assert lib.names() == ["cadence", "full_assessment", "hip_drop", "knee_collapse", "overstride"]
    assert len(lib.problems) == 1 and "broken.toml is not valid TOML" in lib.problems[0]


def test_every_problem_is_one_sentence(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text("""
schema_version = 1
name = "bad one"
view = "top"
focus = "pelvic_drop_deg:low"
target = "fast"
[[block]]
kind = "warmup"
duration_s = 0
metronome = "sometimes"
cues = "yes"
""", encoding="utf-8")
    with pytest.raises(TemplateError) as e:
        load_template_file(f)
    probs = e.value.problems
    assert len(probs) == 8, probs
    for p in probs:
        assert p.endswith(".") and p.count(". ") == 0, p
    text = " ".join(probs)
    for word in ("name", "view 'top'", "direction high", "target 'fast'", "kind 'warmup'",
                 "duration_s '0'", "metronome 'sometimes'", "cues = 'yes'"):
        assert word in text, word
    assert "block 1 of the template file" in text


def test_consistency_rules():
    base = """schema_version = 1
name = "x"
view = "%s"
focus = "%s"
target = "%s"
[[block]]
kind = "retraining"
duration_s = 60
metronome = "on"
cues = true
"""
    with pytest.raises(TemplateError, match="no target cadence"):
        parse_template_text(base % ("side", "cadence_spm:low", "none"))
    with pytest.raises(TemplateError, match="cannot be measured in the side view"):
        parse_template_text(base % ("side", "pelvic_drop_deg:high", "180 spm"))
    with pytest.raises(TemplateError, match="no baseline block comes before it"):
        parse_template_text(base % ("side", "cadence_spm:low", "baseline + 5%"))
    t = parse_template_text(base % ("side", "cadence_spm:low", "178 spm"))
    assert t.target.resolve(None) == 178.0
    # two cameras: a frontal focus is measurable from the rear camera
    assert parse_template_text(base % ("side+rear", "pelvic_drop_deg:high", "180 spm")).views == \
        (View.SIDE, View.REAR)


def test_target_rule_parsing():
    assert TargetRule.parse("baseline + 7.5%") == TargetRule("baseline", 7.5)
    assert TargetRule.parse("Baseline") == TargetRule("baseline", 0.0)
    assert TargetRule.parse(180) == TargetRule("fixed", 0.0, 180.0)
    assert TargetRule.parse("none").resolve(170) is None
    assert abs(TargetRule.parse("baseline+10%").resolve(170.0) - 187.0) < 1e-9
    for bad in ("fast", "500 spm", "baseline + 80%", True):
        with pytest.raises(ValueError):
            TargetRule.parse(bad)


def test_template_saved_with_a_runner_wins(tmp_path, lib):
    from app.session.store import open_store

    cad = lib.get("cadence")
    text = cad.to_toml().replace('title = "Cadence retraining"', 'title = "Anna cadence"')
    with open_store(tmp_path / "gaitcoach.db") as st:
        r = st.add_runner("Anna")
        st.save_runner_template(r.id, "cadence", text)
        st.save_runner_template(r.id, "junk", "name = 3")
    with open_store(tmp_path / "gaitcoach.db") as st:  # re-opened: really on disk
        saved = st.runner_templates(r.id)
    assert set(saved) == {"cadence", "junk"}
    lib2 = lib.with_runner(saved, "Anna")
    assert lib2.get("cadence").title == "Anna cadence" and lib2.get("cadence").source == "runner"
    assert len(lib2.problems) == 1 and "saved with Anna" in lib2.problems[0]


def test_cli_list_and_bad_template(tmp_path):
    env = {"GAITCOACH_DATA_DIR": str(tmp_path / "d"), "GAITCOACH_CONFIG_DIR": str(tmp_path / "c"),
           "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "app", "protocol", "--list"], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "cadence" in r.stdout and "Knee collapse (rear view)" in r.stdout and "cadence_2w" in r.stdout
    r = subprocess.run([sys.executable, "-m", "app", "protocol", "--template", "nope", "--source",
                        "demo", "--headless"], cwd=REPO, env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2
    assert r.stderr.strip().startswith("gaitcoach: There is no protocol template named 'nope'")
    assert "Traceback" not in r.stderr and r.stderr.strip().count("\n") == 0
