"""Session recording as a user meets it: real pipeline (demo runner, real MediaPipe on
male_side.mp4), real files read back, a headless recording killed with SIGKILL and
recovered, write errors from the OS. Figures are printed, never asserted on speed."""

from __future__ import annotations

import csv
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from app.pose.landmark_file import read_landmark_file
from app.session import folder as sf

REPO = Path(__file__).resolve().parents[2]
CLIP = "male_side_run/male_side.mp4"


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def decode_video(path: Path, keep_every: int = 0) -> tuple[list[float], dict[int, np.ndarray]]:
    """Frame times (s) of every decodable frame, and the RGB images of every
    ``keep_every``-th frame. Stops quietly at a damaged end (crashed file)."""
    import av

    times, images = [], {}
    try:
        with av.open(str(path)) as c:
            for i, f in enumerate(c.decode(video=0)):
                times.append(float(f.time))
                if keep_every and i % keep_every == 0:
                    images[i] = f.to_ndarray(format="rgb24")
    except av.error.FFmpegError:
        pass
    return times, images


def cli(*args: str, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True,
                          text=True, cwd=REPO, env=env, timeout=300, **kw)


def assert_one_sentence(proc: subprocess.CompletedProcess, code: int) -> str:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("gaitcoach: ")
    return lines[0]


def check_complete_folder(folder: Path) -> tuple[dict, list, list[float]]:
    """What every cleanly stopped session must satisfy; returns (manifest, samples, times)."""
    m = sf.read_manifest(folder)
    assert m["state"] == "complete"
    assert m["video"] == "video.mp4" and (folder / "video.mp4").exists()
    assert not (folder / "video.mkv").exists() and not (folder / sf.LOCK).exists()
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp") or ".tmp." in p.name]
    meta, samples = read_landmark_file(folder / "landmarks.csv")
    times, _ = decode_video(folder / "video.mp4")
    # video frame i is landmark row i: same count, same times, frame column = row number
    assert len(times) == len(samples) == m["frames"] > 0
    lm_t = np.array([s.t_ns for s in samples]) / 1e9
    assert lm_t[0] == 0.0
    assert np.abs(np.array(times) - times[0] - lm_t).max() < 0.0015
    assert [s.frame_index for s in samples] == list(range(len(samples)))
    assert (meta.width, meta.height) == (m["width"], m["height"])
    assert m["duration_s"] == pytest.approx(lm_t[-1] + 1 / m["fps"], abs=0.002)
    steps = read_csv(folder / "steps.csv")
    with open(folder / "steps.csv", encoding="utf-8") as fh:
        assert tuple(fh.readline().strip().split(",")) == sf.steps_columns()
    for name, cols in (("events.csv", sf.EVENTS_COLUMNS), ("cues.csv", sf.CUES_COLUMNS),
                       ("blocks.csv", sf.BLOCKS_COLUMNS)):
        with open(folder / name, encoding="utf-8") as fh:
            assert tuple(fh.readline().strip().split(",")) == cols
    n = len(samples)
    for ev in read_csv(folder / "events.csv"):
        # events are timed between frames; their frame is the first row at or after them
        k = int(ev["frame"])
        t = float(ev["t_s"])
        assert 0 <= k < n and lm_t[k] >= t - 1e-5 and (k == 0 or lm_t[k - 1] < t)
    for st in steps:  # ic_s has 0.1 ms resolution
        k = int(st["ic_frame"])
        t = float(st["ic_s"])
        assert lm_t[k] >= t - 1e-4 and (k == 0 or lm_t[k - 1] < t + 1e-4)
    return m, samples, times


# ------------------------------------------------------------------------------ clean stop


def test_demo_recording_reads_back_and_frames_align(tmp_path):
    from app.capture.demo import SyntheticRunner
    from app.cli.session import run_session

    calls = []

    def on_record(rec):
        rec.mark_block("baseline", "Baseline")
        calls.append(rec)

    fig = run_session("demo", 5.0, record_root=tmp_path, on_record=on_record)
    rec = calls[0]
    folder = rec.folder
    assert fig["recording"]["state"] == "complete" and fig["recording"]["folder"] == str(folder)
    assert folder.parent == tmp_path and re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{6}", folder.name)
    m, samples, _ = check_complete_folder(folder)
    assert m["source"] == "demo" and (m["width"], m["height"]) == (1280, 720)
    assert m["dropped_frames"] == 0
    steps = read_csv(folder / "steps.csv")
    assert len(steps) >= 8
    s = m["summary"]
    assert s["cadence_spm"] == pytest.approx(170, abs=8)  # the demo runner's cadence
    assert s["n_steps"] == len(steps) and "contact_ms" in s["metrics"]
    assert [b["kind"] for b in s["blocks"]] == ["baseline"]
    assert read_csv(folder / "blocks.csv")[0]["name"] == "Baseline"

    # Frame i of the video shows the pose of landmark row i: re-draw the demo runner from
    # row j and compare with decoded frame i above the belt (the only part the pose sets).
    runner = SyntheticRunner()
    by = int(runner.belt_y) - 2
    _, images = decode_video(folder / "video.mp4", keep_every=15)
    checked = 0
    for i, img in images.items():
        if not 1 <= i < len(samples) - 1:
            continue
        err = {j: float(np.abs(img[:by].astype(np.int16)
                               - runner.render(0.0, samples[j].landmarks)[:by]).mean())
               for j in (i - 1, i, i + 1)}
        assert min(err, key=err.get) == i, err
        checked += 1
    assert checked >= 5


def test_male_side_recording_with_real_mediapipe(tmp_path, shared_data):
    from app.cli.session import run_session

    fig = run_session(str(shared_data / CLIP), 7.0, record_root=tmp_path)
    folder = Path(fig["recording"]["folder"])
    m, samples, _ = check_complete_folder(folder)
    assert (m["width"], m["height"]) == (720, 1280)
    assert sum(s.landmarks is not None for s in samples) >= 0.9 * len(samples)
    assert len(read_csv(folder / "events.csv")) >= 6
    print(f"\nmale_side 7 s: {len(samples)} frames recorded, pipeline "
          f"{fig['processed_fps']} fps, {len(read_csv(folder / 'steps.csv'))} steps, "
          f"summary cadence {m['summary']['cadence_spm']}")


def test_queue_overflow_is_counted_and_frames_stay_aligned(tmp_path):
    """Frames offered faster than they can be encoded: the excess is counted, shown in
    the status, written to the manifest, and video/landmarks stay one-to-one."""
    from app.capture.demo import DemoSource
    from app.capture.live import Captured
    from app.session.recorder import SessionRecorder
    from app.types import PoseSample

    src = DemoSource(paced=False)
    src.open()
    rec = SessionRecorder(tmp_path, source="demo", fps=30.0, queue_frames=3)
    rec.start()
    offered = 0
    for _ in range(120):
        d = src.read_demo()
        rec.on_frame(Captured(d.frame, d.frame.t_ns, d.truth),
                     PoseSample(d.frame.index, d.frame.t_ns, d.truth, 1280, 720))
        offered += 1
    st = rec.status()
    assert st.dropped > 0 and "cannot keep up" in st.message
    # Everything written so far is already in the files (flushed per line/cluster), while
    # the recorder is still open: what a crash now would leave.
    t_end = time.monotonic() + 30
    while rec.status().queued and time.monotonic() < t_end:
        time.sleep(0.02)
    n = rec.status().frames
    _, on_disk = read_landmark_file(rec.folder / "landmarks.csv")
    assert len(on_disk) == n
    mkv_times, _ = decode_video(rec.folder / "video.mkv")
    assert n - len(mkv_times) <= 8  # at most the open cluster (250 ms) is not yet on disk
    final = rec.stop()
    assert final.state == "complete" and final.frames + final.dropped == offered
    m, samples, _ = check_complete_folder(rec.folder)
    assert m["dropped_frames"] == final.dropped and len(samples) == final.frames
    print(f"\noverflow: {final.dropped} of {offered} frames not recorded (queue of 3)")


# ------------------------------------------------------------------------------ crash


def test_kill9_headless_recording_keeps_5s_and_recovers(tmp_path, shared_data):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "session", "--source", str(shared_data / CLIP),
         "--seconds", "60", "--headless", "--record", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env)
    try:
        line = proc.stdout.readline()
        assert line.startswith("recording to"), line + proc.stderr.read()
        folder = Path(line.split(maxsplit=2)[2].strip())
        lm_path = folder / "landmarks.csv"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the recording starts with its first frame
            if lm_path.exists() and not lm_path.read_text().rstrip("\n").splitlines()[-1].startswith(("#", "frame")):
                break
            time.sleep(0.05)
        t_first = time.monotonic()
        time.sleep(6.0)
        proc.send_signal(signal.SIGKILL)
        t_kill_ns = time.time_ns()
        elapsed = time.monotonic() - t_first
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()

    # As left by the crash: incomplete, not live, video.mkv decodes for >= 5 s.
    info = sf.session_folder(folder)
    assert info.state == "recording" and not info.live and info.incomplete
    assert [f.path for f in sf.incomplete_sessions(tmp_path)] == [folder]
    times, _ = decode_video(folder / "video.mkv")
    video_s = times[-1] - times[0] + 1 / 30
    meta, samples = read_landmark_file(folder / "landmarks.csv")
    lm_s = samples[-1].t_ns / 1e9 + 1 / 30
    lm_lag_s = (t_kill_ns - (folder / "landmarks.csv").stat().st_mtime_ns) / 1e9
    events = read_csv(folder / "events.csv")
    steps = read_csv(folder / "steps.csv")
    last_event_s = float(events[-1]["t_s"])
    last_step_s = float(steps[-1]["ic_s"])
    print(f"\nSIGKILL after {elapsed:.2f} s of recording: video {video_s:.2f} s "
          f"({len(times)} frames), landmarks {lm_s:.2f} s ({len(samples)} rows), last event "
          f"{last_event_s:.2f} s, last step IC {last_step_s:.2f} s; video lost "
          f"{lm_s - video_s + lm_lag_s:.2f} s, landmark rows lost ≈ {lm_lag_s:.2f} s (last row "
          f"written that long before the kill)")
    assert lm_lag_s < 2.0  # figure ≈ 0.02 s; per-line flushing itself: test below
    assert video_s >= 5.0
    assert lm_s >= 5.0 and len(times) <= len(samples)
    assert last_event_s >= lm_s - 1.0       # events up to the last second
    assert last_step_s >= lm_s - 2.0       # a step is complete ~0.5-1 s after its contact

    # A half-written last line (the kill can land mid-write) must not stop the recovery.
    with open(folder / "landmarks.csv", "a", encoding="utf-8") as fh:
        fh.write("999,99.0,12.5,3")
    with open(folder / "steps.csv", "a", encoding="utf-8") as fh:
        fh.write("77,left,9")

    proc = cli("session", "--recover", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert re.fullmatch(rf"{folder.name}: recovered after a crash: \d+ s\n", proc.stdout), proc.stdout
    m = sf.read_manifest(folder)
    assert m["state"] == "recovered" and m["video"] == "video.mp4"
    assert m["duration_s"] == pytest.approx(lm_s, abs=0.01)
    assert m["summary"]["n_steps"] == len(steps)
    assert not (folder / "video.mkv").exists()
    mp4_times, _ = decode_video(folder / "video.mp4")
    assert len(mp4_times) == len(times) == m["frames"]
    _, again = read_landmark_file(folder / "landmarks.csv")
    assert len(again) == len(samples)
    assert sf.incomplete_sessions(tmp_path) == []
    again = cli("session", "--recover", str(folder))
    assert_one_sentence(again, 2)  # already recovered: a sentence, not a traceback


# ------------------------------------------------------------------------------ write errors


def test_unwritable_record_folder_is_one_sentence(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    proc = cli("session", "--source", "demo", "--seconds", "2", "--record", str(blocker / "x"))
    line = assert_one_sentence(proc, 2)
    assert "Cannot record into" in line and str(blocker / "x") in line


def _limit_file_size() -> None:  # runs in the child before exec
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))


def test_write_error_midway_stops_recording_not_the_session(tmp_path):
    """The OS refuses to grow a file (RLIMIT_FSIZE, as on a full or FAT32 disk): the live
    pipeline runs to the end, the user gets one sentence, the folder stays recoverable."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out_json = tmp_path / "fig.json"
    proc = subprocess.run(
        [sys.executable, "-m", "app", "session", "--source", "demo", "--seconds", "6",
         "--record", str(tmp_path / "root"), "--json", str(out_json)],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=120,
        preexec_fn=_limit_file_size)
    line = assert_one_sentence(proc, 1)
    assert "Recording stopped." in line and "can be recovered" in line
    fig = json.loads(out_json.read_text())
    assert fig["recording"]["state"] == "failed"
    assert fig["seconds"] > 5.5 and fig["frames_processed"] > 100  # the pipeline carried on
    folder = Path(fig["recording"]["folder"])
    assert sf.session_folder(folder).incomplete
    proc = cli("session", "--recover", str(folder))
    assert proc.returncode == 0 and "recovered after a crash" in proc.stdout, proc.stderr
    print(f"\nwrite error after {fig['recording']['seconds']:.1f} s: {line}")


def test_sigterm_and_ctrl_c_finish_the_recording_cleanly(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    for sig in (signal.SIGTERM, signal.SIGINT):
        root = tmp_path / sig.name
        proc = subprocess.Popen([sys.executable, "-m", "app", "session", "--source", "demo",
                                 "--seconds", "60", "--record", str(root)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=REPO, env=env)
        folder = Path(proc.stdout.readline().split(maxsplit=2)[2].strip())
        lm = folder / "landmarks.csv"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not lm.exists() or lm.stat().st_size < 30_000):
            time.sleep(0.05)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130 and "Traceback" not in err, err
        check_complete_folder(folder)
