"""Slow-motion video on the real clip: male_side.mp4 re-timestamped to a quarter of its
speed (7.5 fps, identical frames) must be flagged, and ``--capture-fps 30`` must give the
original cadence (168.4 spm ± 1) and contact times back."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from app.gait.plausibility import SLOW_MOTION_HINT
from app.pose.landmark_file import read_landmark_file
from tests.helpers.slow_motion import slow_down

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def slow_clip(shared_data, tmp_path_factory):
    d = tmp_path_factory.mktemp("slowmo")
    return slow_down(shared_data / "male_side_run" / "male_side.mp4", d / "male_side_x4.mp4", 4)


@pytest.fixture(scope="module")
def truth(shared_data):
    return json.loads((shared_data / "male_side_run" / "ground_truth.json").read_text())


def _analyze(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, GLOG_minloglevel="2")
    return subprocess.run([sys.executable, "-m", "app", "analyze", *args, "--quiet"],
                          capture_output=True, text=True, env=env, timeout=300)


def test_the_slowed_clip_is_stored_at_a_quarter_of_the_speed(slow_clip):
    from app.capture.video_file import probe_video

    info = probe_video(slow_clip)
    assert info.fps == pytest.approx(7.5) and info.n_frames_estimate == 360
    assert info.duration_s == pytest.approx(48.0, abs=0.2)


def test_slow_motion_is_flagged_first_in_the_summary_and_the_json(slow_clip, tmp_path):
    out = tmp_path / "r.json"
    r = _analyze(str(slow_clip), "--json", str(out))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[1].startswith(f"warning: {SLOW_MOTION_HINT}"), r.stdout
    assert "--capture-fps 30" in lines[1]  # 4x slow motion of a 7.5 fps file
    doc = json.loads(out.read_text())
    assert doc["cadence_spm"] < 50  # what the stored time base gives
    assert doc["quality"]["overall"] == "low"
    assert doc["quality"]["warnings"][0].startswith(SLOW_MOTION_HINT)
    assert doc["capture_fps"] is None


def test_capture_fps_gives_back_the_real_gait(slow_clip, tmp_path, truth):
    out, lm = tmp_path / "r.json", tmp_path / "pose.csv.gz"
    r = _analyze(str(slow_clip), "--capture-fps", "30", "--json", str(out), "--landmarks", str(lm))
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text())
    assert doc["cadence_spm"] == pytest.approx(168.4, abs=1.0)
    assert doc["capture_fps"] == 30.0
    assert doc["duration_s"] == pytest.approx(12.0, abs=0.05)
    assert not any(SLOW_MOTION_HINT in w for w in doc["quality"]["warnings"])
    for foot in ("left", "right"):
        want = truth["contact_time_ms"][foot]["mean_ms"]
        assert doc["contact_ms_by_foot"][foot] == pytest.approx(want, abs=25.0)
    # the landmark file says how it was timed, and replays to the same answer
    meta, samples = read_landmark_file(lm)
    assert meta.capture_fps == 30.0 and meta.fps == pytest.approx(7.5)
    assert samples[30].t_ns == 1_000_000_000
    r2 = _analyze(str(lm), "--json", str(tmp_path / "r2.json"))
    assert r2.returncode == 0, r2.stderr
    assert json.loads((tmp_path / "r2.json").read_text())["cadence_spm"] == doc["cadence_spm"]


def test_live_file_source_and_recording_use_the_capture_speed(slow_clip, tmp_path):
    """The live pipeline plays the clip at its stored 7.5 fps (every frame analysed) with
    real-time frame times; the recording's manifest and landmark file say so."""
    from app.cli.session import run_session

    fig = run_session(str(slow_clip), 4.0, record_root=tmp_path, capture_fps=30.0)
    assert fig["capture_fps"] == 30.0 and fig["dropped_frames"] == 0
    folder = tmp_path / os.listdir(tmp_path)[0]
    manifest = json.loads((folder / "session.json").read_text())
    assert manifest["capture_fps"] == 30.0 and manifest["fps"] == 30.0
    meta, samples = read_landmark_file(folder / "landmarks.csv")
    assert meta.capture_fps == 30.0
    steps = [b.t_ns - a.t_ns for a, b in zip(samples, samples[1:])]
    assert sorted(steps)[len(steps) // 2] == pytest.approx(1e9 / 30, rel=0.02)
