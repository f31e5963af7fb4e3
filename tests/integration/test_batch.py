"""``python -m app batch`` on a real Dask LocalCluster with the real pose model: one
result folder per input identical to ``analyze`` of the file alone, a bad file reported
without stopping the batch, a session folder, resume, and the exit codes."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.clips import cut_clip
from tests.helpers.session_folders import make_session_folder

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def _app(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "GLOG_minloglevel": "2"}
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, env=env)


def _summary(out: Path) -> dict[str, dict]:
    with open(out / "summary.csv", newline="", encoding="utf-8") as fh:
        return {Path(r["input"]).name: r for r in csv.DictReader(fh)}


def test_batch_on_dask(shared_data, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    src = shared_data / "male_side_run" / "male_side.mp4"
    cut_clip(src, inputs / "run_a.mp4", 0, 75, scale=0.5)
    cut_clip(src, inputs / "run_b.mp4", 150, 75, scale=0.5)
    (inputs / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200)  # not decodable
    make_session_folder(inputs, "20261101-100000-aaaaaa", started_utc="2026-11-01T10:00:00Z")
    out = tmp_path / "out"

    r = _app("batch", str(inputs), "--out", str(out), "--workers", "2")
    assert r.returncode == 1, r.stderr
    assert "4 inputs: 3 analysed, 1 failed" in r.stdout and "on 2 workers" in r.stdout
    assert "failed: broken.mp4" in r.stderr and "Traceback" not in r.stderr
    rows = _summary(out)
    assert {k: v["status"] for k, v in rows.items()} == {
        "run_a.mp4": "ok", "run_b.mp4": "ok", "broken.mp4": "failed",
        "20261101-100000-aaaaaa": "no gait"}  # random landmarks: analysed, no gait in them
    assert rows["broken.mp4"]["error"].endswith(".") and rows["broken.mp4"]["error"].count(". ") == 0
    assert {rows["run_a.mp4"]["worker"], rows["run_b.mp4"]["worker"]} <= {"0", "1"}
    for name in ("run_a", "run_b"):
        folder = out / name
        assert {p.name for p in folder.iterdir()} == {"result.json", "steps.csv", "landmarks.csv.gz", "done.json"}
        assert float(rows[f"{name}.mp4"]["cadence_spm"]) > 150
    assert not (out / "broken").exists() and not [p for p in out.iterdir() if p.name.startswith(".")]

    # identical to analyze of the file alone
    alone = tmp_path / "alone"
    alone.mkdir()
    r = _app("analyze", str(inputs / "run_a.mp4"), "--json", str(alone / "a.json"),
             "--csv", str(alone / "a.csv"), "--quiet")
    assert r.returncode == 0, r.stderr
    assert json.loads((alone / "a.json").read_text()) == json.loads((out / "run_a" / "result.json").read_text())
    assert (alone / "a.csv").read_text() == (out / "run_a" / "steps.csv").read_text()

    # resumed: what is done is skipped; the bad file is tried again and still fails
    stamp = (out / "run_a" / "result.json").stat().st_mtime_ns
    r = _app("batch", str(inputs), "--out", str(out))
    assert r.returncode == 1 and "3 already done, 1 failed" in r.stdout
    assert (out / "run_a" / "result.json").stat().st_mtime_ns == stamp
    assert _summary(out)["run_a.mp4"]["resumed"] == "yes"
    (inputs / "broken.mp4").unlink()
    r = _app("batch", str(inputs), "--out", str(out), "--quiet")
    assert r.returncode == 0 and "3 inputs: 0 analysed, 3 already done" in r.stdout
    r = _app("batch", str(tmp_path / "nothing-here.mp4"), "--out", str(out), "--quiet")
    assert r.returncode == 1 and "nothing-here.mp4 does not exist." in r.stderr
    assert _summary(out)["nothing-here.mp4"]["status"] == "failed"
    r = _app("batch", str(inputs / "20261101-100000-aaaaaa" / "blocks"), "--out", str(tmp_path / "out" / "summary.csv"))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "is a file" in r.stderr


def test_batch_on_a_running_scheduler(shared_data, tmp_path):
    """``--scheduler tcp://…``: a Dask scheduler and one worker started as the clinic would
    (``dask scheduler`` / ``dask worker``), on 127.0.0.1 only; an unreachable scheduler
    is one sentence."""
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    clip = cut_clip(shared_data / "male_side_run" / "male_side.mp4", tmp_path / "run.mp4", 60, 90, scale=0.5)
    dask = Path(sys.executable).with_name("dask")
    env = {**os.environ, "GLOG_minloglevel": "2"}
    procs = [subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        procs.append(subprocess.Popen([str(dask), "worker", f"tcp://127.0.0.1:{port}", "--nthreads", "1",
                                       "--nworkers", "1", "--host", "127.0.0.1", "--no-dashboard"],
                                      env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(1.0)
        r = _app("batch", str(clip), "--out", str(tmp_path / "out"), "--scheduler",
                 f"tcp://127.0.0.1:{port}", "--quiet")
        assert r.returncode == 0, r.stderr
        assert "1 input: 1 analysed" in r.stdout and "on 1 worker." in r.stdout
        assert _summary(tmp_path / "out")["run.mp4"]["status"] == "ok"
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(timeout=30)
    r = _app("batch", str(clip), "--out", str(tmp_path / "out2"), "--scheduler",
             f"tcp://127.0.0.1:{port}", "--quiet", timeout=120)
    assert r.returncode == 1 and "cannot be reached" in r.stderr and r.stderr.count("\n") == 1


_ONE_CORE_CHECK = r"""
import json, os, sys, threading
from app.pose.pipeline import iter_video_poses

def run():
    names, marks = set(), []
    for s in iter_video_poses(sys.argv[1], split=False):
        marks.append(None if s.landmarks is None else s.landmarks.tobytes().hex())
        names |= {open(f"/proc/self/task/{t}/comm").read().strip() for t in os.listdir("/proc/self/task")}
        names |= {t.name for t in threading.enumerate()}
    return marks, {"graph": sum(n.startswith("mediapipe/") for n in names),
                   "decoder": sum(n.startswith("av:") for n in names),
                   "reader": sum(n.startswith("video-decode") for n in names)}

default, threads_default = run()
from app.cpu_limits import use_one_core
use_one_core()
one, threads_one = run()
print(json.dumps({"same": default == one, "posed": sum(m is not None for m in one),
                  "default": threads_default, "one": threads_one}))
"""


def test_a_batch_worker_keeps_to_one_core(shared_data, tmp_path):
    """After ``use_one_core`` (every batch worker) the pose graph runs on one executor
    thread, the decoder on none of its own and the frames are decoded on the calling
    thread (no reader thread beside the model), and the landmarks are bit-identical to
    those of the default threading (one thread per CPU for both, a reader thread)."""
    clip = cut_clip(shared_data / "male_side_run" / "male_side.mp4", tmp_path / "run.mp4", 30, 45, scale=0.5)
    r = subprocess.run([sys.executable, "-c", _ONE_CORE_CHECK, str(clip)], cwd=REPO, capture_output=True,
                       text=True, timeout=300, env={**os.environ, "GLOG_minloglevel": "2"})
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["same"] and got["posed"] > 40
    assert got["one"] == {"graph": 1, "decoder": 0, "reader": 0}
    assert got["default"]["reader"] == 1
    if (os.cpu_count() or 1) > 1:  # the default really is more than one thread here
        assert got["default"]["graph"] > 1 and got["default"]["decoder"] > 0
