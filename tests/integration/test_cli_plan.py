"""``python -m app plan`` and ``python -m app exercise`` as a user runs them: real files,
the real pose model on the real clip, a real session folder, real exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.integration.test_cli_analyze import assert_one_sentence, run_cli


@pytest.fixture
def env_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("GAITCOACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GAITCOACH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("GAITCOACH_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        return path.read_bytes()[:5].decode("latin-1")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


@pytest.mark.slow
def test_plan_of_the_real_treadmill_run(env_dirs, shared_data):
    """male_side.mp4 (ground truth: heel strike on both feet, mild overstride): analyse, then
    plan from the result, from the landmark file and from the video itself."""
    tmp = env_dirs
    clip = shared_data / "male_side_run" / "male_side.mp4"
    res, lms = tmp / "result.json", tmp / "pose.csv.gz"
    proc = run_cli("analyze", str(clip), "--json", str(res), "--landmarks", str(lms), "--quiet")
    assert proc.returncode == 0, proc.stderr
    out, pdf = tmp / "plan.json", tmp / "plan.pdf"
    proc = run_cli("plan", str(res), "--json", str(out), "--export", str(pdf))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    analysis = json.loads(res.read_text())
    faults = [doc["primary"]] + doc["compensations"] + doc["other_findings"]
    heel = next(f for f in faults if f["fault"] == "heel_strike")
    assert heel["evidence"]["side"] == "both"          # both feet, as annotated
    assert heel["evidence"]["all"]["mean"] == pytest.approx(
        analysis["metrics"]["foot_strike_angle_deg"]["mean"], abs=0.01)
    assert doc["primary"]["chain"] == "overstride"
    assert 3 <= len(doc["exercises"]) <= 6 and doc["template"] and doc["reassess_due"]
    assert any("rear or front view" in t for t in doc["not_measured"])
    assert "Primary candidate" in proc.stdout and "Proposed programme" in proc.stdout
    text = _pdf_text(pdf)
    assert "Clinical picture" in text and "Your running programme" in text or text == "%PDF-"
    # the same picture from the landmark file and from the video
    for src in (lms, clip):
        out2 = tmp / f"plan_{src.suffix}.json"
        proc = run_cli("plan", str(src), "--json", str(out2), "--quiet")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(out2.read_text())["primary"]["fault"] == doc["primary"]["fault"]


def test_plan_of_the_demo_runner(env_dirs):
    tmp = env_dirs
    out = tmp / "p.json"
    proc = run_cli("plan", "demo", "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "No primary fault" in proc.stdout
    assert json.loads(out.read_text())["primary"] is None
    proc = run_cli("plan", "demo", "--view", "rear", "--demo", "pelvic_drop_deg=8",
                   "--demo", "knee_valgus_deg=12", "--demo", "noise_px=2", "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["primary"]["fault"] == "pelvic_drop" and doc["template"] == "hip_drop"
    assert [c["fault"] for c in doc["compensations"]] == ["knee_valgus"]
    assert doc["primary"]["evidence"]["left"]["n"] > 10 and doc["primary"]["evidence"]["right"]["n"] > 10
    assert any(e["exercise"] == "single_leg_squat" for e in doc["exercises"])


def test_plan_of_a_session_uses_its_baseline_and_saves_with_the_runner(env_dirs):
    """A recorded guided session (landmark file + blocks.csv) in the data folder: the
    picture comes from its baseline block; --save keeps the programme with the runner."""
    from app.plan.assessment import demo_samples
    from app.pose.landmark_file import LandmarkMeta, write_landmark_file
    from app.types import View

    tmp = env_dirs
    folder = tmp / "data" / "sessions" / "20261102-090000-abcdef"
    folder.mkdir(parents=True)
    runner, samples = demo_samples(View.REAR, seconds=40.0, pelvic_drop_deg=8.0)
    write_landmark_file(folder / "landmarks.csv", LandmarkMeta(runner.width, runner.height, 30.0,
                                                             View.REAR, None, "demo"), samples)
    (folder / "blocks.csv").write_text("t_start_s,kind,name\n0,baseline,Baseline\n20,retraining,R1\n")
    (folder / "session.json").write_text(json.dumps({
        "format": 1, "id": folder.name, "state": "complete", "started_utc": "2026-11-02T09:00:00Z",
        "duration_s": 40.0, "view": "rear", "fps": 30.0, "width": runner.width,
        "height": runner.height, "video": None, "summary": {}}))
    proc = run_cli("sessions", "runner-add", "Ann K.")
    assert proc.returncode == 0, proc.stderr
    out = tmp / "plan.json"
    proc = run_cli("plan", "20261102-0900", "--runner", "Ann K.", "--save", "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    a = doc["assessments"][0]
    assert a["part"] == "baseline block" and a["session_id"] == folder.name
    assert 20 <= a["n_steps"] <= 70  # the first 20 s only
    assert doc["primary"]["fault"] == "pelvic_drop"
    assert doc["baseline_date"] == "2026-11-02" and doc["reassess_due"] == "2026-12-14"
    assert doc["programme_id"] and "Saved as programme" in proc.stdout
    from app.plan.store import PlanStore
    from app.session.store import open_store

    with open_store() as st:
        prog = PlanStore(st).active_programme(st.find_runner("Ann K.").id)
        assert prog.primary == "pelvic_drop" and prog.source_session == folder.name
    # the coached squat ticked off in Ann's programme
    proc = run_cli("exercise", "single_leg_squat", "--source", "demo", "--runner", "Ann K.", "--tick")
    assert proc.returncode == 0, proc.stderr
    assert "Ticked single_leg_squat for Ann K." in proc.stdout


@pytest.mark.parametrize("kind", ["missing", "not_analysis", "bad_json", "unknown_session"])
def test_plan_bad_input_is_one_sentence(env_dirs, kind):
    tmp = env_dirs
    path = tmp / "in.json"
    if kind == "not_analysis":
        path.write_text(json.dumps({"hello": 1}))
    elif kind == "bad_json":
        path.write_text("{not json")
    elif kind == "unknown_session":
        path = Path("20991231-235959-ffffff")
    out = tmp / "out.json"
    proc = run_cli("plan", str(path), "--json", str(out))
    assert_one_sentence(proc, 2)
    assert not out.exists()


def test_plan_without_gait_exits_3(env_dirs):
    from app.pose.landmark_file import LandmarkMeta, write_landmark_file
    from app.types import PoseSample

    tmp = env_dirs
    lm = tmp / "empty.csv"
    write_landmark_file(lm, LandmarkMeta(640, 480, 30.0, None, None, "x"),
                        [PoseSample(i, i * 33_333_333, None, 640, 480) for i in range(60)])
    out = tmp / "out.json"
    proc = run_cli("plan", str(lm), "--json", str(out))
    assert_one_sentence(proc, 3)
    assert not out.exists()


def test_plan_options_are_checked(env_dirs):
    assert_one_sentence(run_cli("plan", "demo", "--exercises", "9"), 2)
    assert_one_sentence(run_cli("plan", "demo", "--demo", "overstride"), 2)
    assert_one_sentence(run_cli("plan", "demo", "--save"), 2)
    assert_one_sentence(run_cli("plan", "demo", "--json", "/nonexistent/dir/x.json"), 2)


def test_exercise_cli_on_the_synthetic_squatter(env_dirs):
    tmp = env_dirs
    out = tmp / "sls.json"
    proc = run_cli("exercise", "single_leg_squat", "--source", "demo", "--headless",
                   "--noise-px", "2", "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert len(doc["reps"]) == 10 and doc["summary"]["left"]["n"] == doc["summary"]["right"]["n"] == 5
    assert doc["errors"]["matched"] == 10
    assert doc["errors"]["knee_fppa_deg"]["rmse"] < 1.0 and doc["errors"]["pelvic_drop_deg"]["rmse"] < 1.0
    assert "left − right" in proc.stdout and "against the synthetic truth" in proc.stdout
    proc = run_cli("exercise", "single_leg_balance", "--source", "demo", "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert [h["leg"] for h in doc["holds"]] == ["left", "right"]
    assert abs(doc["errors"]["hold_s"]["mean"]) < 0.3


def test_exercise_cli_list_and_bad_input(env_dirs):
    proc = run_cli("exercise", "--list")
    assert proc.returncode == 0 and "single_leg_squat" in proc.stdout and "[camera-coached]" in proc.stdout
    assert_one_sentence(run_cli("exercise", "moonwalk"), 2)
    assert_one_sentence(run_cli("exercise", "calf_raise"), 2)            # not camera-coached
    assert_one_sentence(run_cli("exercise", "single_leg_squat", "--source", str(env_dirs / "no.mp4")), 2)
    assert_one_sentence(run_cli("exercise", "single_leg_squat", "--tick"), 2)


def test_comparison_report_starts_with_the_clinical_picture(env_dirs):
    """``compare A B --export`` (and the protocol report, which uses the same writer): the
    first page is the clinical picture of the before clip."""
    from app.plan.assessment import demo_samples
    from app.pose.landmark_file import LandmarkMeta, write_landmark_file
    from app.types import View

    tmp = env_dirs
    files = []
    for name, drop in (("before.csv", 8.0), ("after.csv", 2.0)):
        runner, samples = demo_samples(View.REAR, seconds=15.0, pelvic_drop_deg=drop)
        path = tmp / name
        write_landmark_file(path, LandmarkMeta(runner.width, runner.height, 30.0, View.REAR,
                                               None, "demo"), samples)
        files.append(str(path))
    pdf = tmp / "r.pdf"
    proc = run_cli("compare", *files, "--export", str(pdf))
    assert proc.returncode == 0, proc.stderr
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed")
    first = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True,
                           text=True).stdout
    assert "Clinical picture" in first and "Primary candidate: pelvic drop" in first
    rest = subprocess.run(["pdftotext", "-f", "2", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Pelvic drop" in rest  # the before/after table follows
