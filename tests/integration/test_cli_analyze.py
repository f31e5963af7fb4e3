"""``python -m app analyze`` as a user runs it: real files, real exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          cwd=cwd or REPO, env=env, timeout=300)


def assert_one_sentence(proc: subprocess.CompletedProcess, code: int) -> None:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("gaitcoach: ")


def test_help_lists_subcommands():
    proc = run_cli("--help")
    assert proc.returncode == 0
    for cmd in ("analyze", "bench"):
        assert cmd in proc.stdout
    # issue 11: the window's own options are listed too
    for opt in ("--source", "--layout", "--wall", "--view", "--exit-after", "--screenshot"):
        assert opt in proc.stdout, opt
    assert "window options" in proc.stdout


@pytest.mark.parametrize("kind", ["missing", "empty", "random", "text", "directory", "bad_landmarks"])
def test_bad_input_gives_one_sentence_and_exit_2(tmp_path, kind):
    path = tmp_path / "input.mp4"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "random":
        path.write_bytes(np.random.default_rng(0).bytes(50_000))
    elif kind == "text":
        path = tmp_path / "notes.txt"
        path.write_text("this is not a video\n" * 20)
    elif kind == "directory":
        path = tmp_path / "folder"
        path.mkdir()
    elif kind == "bad_landmarks":
        path = tmp_path / "bad.csv"
        path.write_text("# gaitcoach-landmarks v1\n# width=640\nframe,t_s,nose_x\n0,abc,1\n")
    out = tmp_path / "out.json"
    proc = run_cli("analyze", str(path), "--json", str(out), "--quiet")
    assert_one_sentence(proc, 2)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_truncated_video_is_analysed_up_to_the_cut_or_refused(tmp_path, shared_data):
    src = (shared_data / "male_side_run" / "male_side.mp4").read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(src[: len(src) // 3])
    proc = run_cli("analyze", str(path), "--quiet", "--json", str(tmp_path / "o.json"))
    assert "Traceback" not in proc.stderr
    assert proc.returncode in (0, 2, 3)
    if proc.returncode == 2:
        assert_one_sentence(proc, 2)


def _write_blank_video(path: Path, seconds: float = 2.0) -> None:
    import av

    with av.open(str(path), "w") as c:
        st = c.add_stream("mpeg4", rate=30)
        st.width, st.height, st.pix_fmt = 320, 240, "yuv420p"
        for i in range(int(30 * seconds)):
            img = np.full((240, 320, 3), 90 + (i % 3), np.uint8)
            for pkt in st.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                c.mux(pkt)
        for pkt in st.encode():
            c.mux(pkt)


def test_video_without_a_person_exits_3_with_null_cadence(tmp_path):
    video = tmp_path / "empty_room.mp4"
    _write_blank_video(video)
    out = tmp_path / "r.json"
    proc = run_cli("analyze", str(video), "--json", str(out), "--quiet")
    assert_one_sentence(proc, 3)
    assert "no person" in proc.stderr.lower() or "no gait" in proc.stderr.lower()
    doc = json.loads(out.read_text())
    assert doc["cadence_spm"] is None
    assert "No metrics" in proc.stdout and "Overstride" not in proc.stdout


@pytest.mark.slow
def test_video_then_its_landmark_file_give_the_same_result(tmp_path, shared_data):
    video = shared_data / "male_side_run" / "male_side.mp4"
    j1, j2 = tmp_path / "v.json", tmp_path / "l.json"
    lm, steps = tmp_path / "male.csv.gz", tmp_path / "steps.csv"
    proc = run_cli("analyze", str(video), "--json", str(j1), "--landmarks", str(lm),
                   "--csv", str(steps), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "Cadence" in proc.stdout
    doc = json.loads(j1.read_text())
    assert 167.5 <= doc["cadence_spm"] <= 169.5
    assert doc["n_steps"] >= 25
    assert {"kind", "foot", "t_s", "frame"} <= set(doc["events"][0])
    assert {"foot", "ic_s", "to_s", "contact_ms"} <= set(doc["steps"][0])
    assert doc["metrics"]["contact_ms"]["unit"] == "ms"
    assert steps.read_text().splitlines()[0].startswith("index,foot,ic_s")
    proc2 = run_cli("analyze", str(lm), "--json", str(j2), "--quiet")
    assert proc2.returncode == 0, proc2.stderr
    doc2 = json.loads(j2.read_text())
    assert doc2["facing"] == "left"  # written into the landmark file's metadata
    assert doc2["cadence_spm"] == pytest.approx(doc["cadence_spm"], abs=0.05)
    assert [(e["kind"], e["foot"], e["frame"]) for e in doc2["events"]] == [
        (e["kind"], e["foot"], e["frame"]) for e in doc["events"]]
    # the right view: no view warning, and the JSON says what was seen
    assert doc["quality"]["view"]["seen"] == "side" and not doc["quality"]["view"]["mismatch"]
    assert "WARNING" not in proc.stdout
    # every output has ordinary permissions (0666 less the umask), as compare's exports
    umask = os.umask(0)
    os.umask(umask)
    for p in (j1, lm, steps, j2):
        assert p.stat().st_mode & 0o777 == 0o666 & ~umask, p

    # issue 11: a side-view clip analysed as a rear view never gives confident numbers
    j3 = tmp_path / "rear.json"
    proc3 = run_cli("analyze", str(lm), "--view", "rear", "--json", str(j3), "--quiet")
    assert proc3.returncode == 0, proc3.stderr
    lines = proc3.stdout.splitlines()
    assert lines[1].startswith("WARNING: Wrong view: the video looks like a side view"), lines[:3]
    assert "--view side" in lines[1] and "Pelvic drop" in proc3.stdout
    q = json.loads(j3.read_text())["quality"]
    assert q["overall"] == "low" and q["warnings"][0].startswith("Wrong view")
    assert q["view"] == {"expected": "rear", "seen": "side", "share": q["view"]["share"],
                         "frames": q["view"]["frames"], "mismatch": True, "other_frontal": False}
    assert q["view"]["share"] > 0.9 and q["view"]["frames"] >= 50


def test_progress_written_to_a_file_is_a_few_lines(tmp_path):
    """Issue 11: stderr redirected to a file got a redrawn bar hundreds of times."""
    import io

    from app.cli.analyze import _ProgressBar

    buf = io.StringIO()  # not a terminal
    bar = _ProgressBar(enabled=True, label="clip.mp4", file=buf)
    for done in range(0, 361):
        bar.update(done, 360)
    for _ in range(200):  # a pose runner reporting the end over and over
        bar.update(360, 360)
    bar.close()
    lines = buf.getvalue().splitlines()
    assert lines[0] == "clip.mp4: 0 % (0/360 frames)"
    assert lines[-1] == "clip.mp4: 100 % (360/360 frames)"
    assert len(lines) == 11 and sum("100 %" in ln for ln in lines) == 1
    assert "\r" not in buf.getvalue()
    quiet = io.StringIO()
    q = _ProgressBar(enabled=False, label="x", file=quiet)
    q.update(1, 2)
    assert quiet.getvalue() == ""


def test_threads_must_be_positive(shared_data, tmp_path):
    proc = run_cli("analyze", str(shared_data / "male_side_run" / "male_side.mp4"),
                   "--threads", "0", "--quiet")
    assert_one_sentence(proc, 2)
    assert "--threads" in proc.stderr


@pytest.mark.parametrize("roll", [0.0, -5.0])
def test_rear_landmark_file_reports_the_camera_roll(tmp_path, roll):
    """A rear view's landmark file (image heights only, 2 px of noise, as real rear video)
    filmed by a camera 3 m away, level or turned: the summary and the JSON say whether the
    camera was level or by how much it was turned (the side-to-side angles are corrected
    for it)."""
    from app.capture.demo import SyntheticRunner
    from app.pose.landmark_file import LandmarkMeta, write_landmark_file
    from app.types import View
    from tests.helpers.synthetic import heights_only_samples

    r = SyntheticRunner(view=View.REAR, camera_distance_m=3.0, camera_roll_deg=roll)
    path = write_landmark_file(tmp_path / "rear.csv", LandmarkMeta(r.width, r.height, 30.0, View.REAR),
                               heights_only_samples(r, 40.0, 30.0, noise_px=2.0, seed=11))
    out = tmp_path / "out.json"
    proc = run_cli("analyze", str(path), "--json", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("Camera "))
    if roll:
        assert doc["camera_roll_deg"] == pytest.approx(roll, abs=0.5)
        assert "anticlockwise" in line and "corrected" in line, line
    else:
        assert doc["camera_roll_deg"] == 0.0
        assert line.split()[-1] == "level", line
