"""Capture + pose stage on real files: PyAV decoding, the real MediaPipe model, bad inputs.

The model runs over male_side.mp4 once (module fixture, ~8 s on 2 cores); the other
MediaPipe tests use a few frames only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from app.capture.video_file import VideoFileReader, probe_video
from app.errors import InputFileError
from app.pose.landmark_file import LandmarkMeta, write_landmark_file
from app.pose.pipeline import iter_poses, iter_video_poses, open_video_poses
from app.types import Facing, PoseSample, View

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def male_side(shared_data: Path) -> Path:
    return shared_data / "male_side_run" / "male_side.mp4"


@pytest.fixture(scope="module")
def male_side_run(male_side: Path) -> dict:
    """Run the whole pipeline once over male_side.mp4."""
    calls: list[tuple[int, int | None]] = []
    meta, samples = iter_poses(male_side, progress=lambda d, t: calls.append((d, t)))
    return {"meta": meta, "samples": list(samples), "progress": calls}


def _faststart_copy(src: Path, dst: Path) -> None:
    """Remux (no re-encode) with the MP4 index first, so a truncated copy stays playable."""
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w", options={"movflags": "+faststart"}) as out:
        ist = inp.streams.video[0]
        ost = out.add_stream_from_template(ist)
        for pkt in inp.demux(ist):
            if pkt.dts is None:
                continue
            pkt.stream = ost
            out.mux(pkt)


# -------------------------------------------------------------------------------------
# decoding (no model)


def test_probe_male_side(male_side: Path) -> None:
    info = probe_video(male_side)
    assert (info.width, info.height) == (720, 1280)  # portrait, as the ground truth assumes
    assert info.fps == pytest.approx(30.0)
    assert info.n_frames_estimate == 360
    assert info.duration_s == pytest.approx(12.0, abs=0.05)
    assert info.codec == "h264" and info.rotation_deg == 0 and not info.variable_rate


def test_reader_decodes_every_frame_like_opencv(male_side: Path, no_thread_leak) -> None:
    import cv2

    with VideoFileReader(male_side, queue_size=4) as reader:
        frames = [(f.index, f.t_ns, f.image if f.index in (0, 200) else None) for f in reader]
    assert reader.warning is None
    assert [i for i, _, _ in frames] == list(range(360))
    assert [t for _, t, _ in frames] == [round(i * 1e9 / 30) for i in range(360)]
    img = frames[200][2]
    assert img.shape == (1280, 720, 3) and img.dtype == np.uint8
    assert img.flags["C_CONTIGUOUS"] and not img.flags["WRITEABLE"]
    cap = cv2.VideoCapture(str(male_side))
    for k in range(201):
        ok, bgr = cap.read()
        assert ok
        if k == 0:
            first_cv = bgr
    cap.release()
    # Same pixels as OpenCV (both FFmpeg; colour conversion may differ by rounding).
    for ours, theirs in ((frames[0][2], first_cv), (img, bgr)):
        assert ours.shape == theirs.shape
        diff = np.abs(ours.astype(np.int16) - theirs[:, :, ::-1].astype(np.int16))
        assert diff.mean() < 2.0


def test_reader_stops_early_without_leaking_its_thread(male_side: Path, no_thread_leak) -> None:
    reader = VideoFileReader(male_side, queue_size=2)
    with reader:
        for frame in reader:
            if frame.index == 5:
                break
    # Also: never iterated at all, and closed twice.
    r2 = VideoFileReader(male_side).start()
    r2.close()
    r2.close()


def test_rotation_metadata_is_applied(tmp_path: Path, no_thread_leak) -> None:
    """A clip tagged 'display rotated 90°' decodes upright, as FFmpeg's players show it."""
    import av

    img = np.zeros((48, 64, 3), np.uint8)
    img[:16, :16] = (255, 0, 0)  # red block in the stored top-left corner
    path = tmp_path / "rot.mp4"
    with av.open(str(path), "w") as out:
        st = out.add_stream("mpeg4", rate=30)
        st.width, st.height, st.pix_fmt = 64, 48, "yuv420p"
        st.set_display_rotation(90)
        for _ in range(5):
            for pkt in st.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(pkt)
        for pkt in st.encode():
            out.mux(pkt)
    info = probe_video(path)
    assert (info.width, info.height, info.rotation_deg) == (48, 64, 90)
    with VideoFileReader(path) as reader:
        frames = list(reader)
    assert len(frames) == 5 and frames[0].image.shape == (64, 48, 3)
    red = np.argwhere(frames[0].image[..., 0] > 200).mean(axis=0)
    assert red[0] > 40 and red[1] < 16  # counter-clockwise: top-left went bottom-left


# -------------------------------------------------------------------------------------
# bad inputs


def _bad_input(kind: str, tmp_path: Path, male_side: Path) -> Path:
    if kind == "missing":
        return tmp_path / "nope.mp4"
    if kind == "folder":
        (tmp_path / "clip.mp4").mkdir()
        return tmp_path / "clip.mp4"
    path = tmp_path / {"landmark csv": "lm.csv"}.get(kind, "clip.mp4")
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "random bytes":
        path.write_bytes(np.random.default_rng(0).integers(0, 256, 200_000, dtype=np.uint8).tobytes())
    elif kind == "text file":
        path.write_text("This is not a video.\n" * 100)
    elif kind == "landmark csv":
        meta = LandmarkMeta(720, 1280, 30.0, View.SIDE, Facing.LEFT)
        write_landmark_file(path, meta, [PoseSample(0, 0, None, 720, 1280)])
    elif kind == "truncated (index at end)":
        path.write_bytes(male_side.read_bytes()[:600_000])  # moov atom is at the end: cut off
    elif kind == "header only":
        path.write_bytes(male_side.read_bytes()[:40])
    else:  # pragma: no cover
        raise AssertionError(kind)
    return path


BAD = {
    "missing": "does not exist",
    "folder": "is a folder",
    "empty": "is empty",
    "random bytes": "not a video that can be read",
    "text file": "is a text file, not a video",
    "landmark csv": "is a landmark file, not a video",
    "truncated (index at end)": "truncated or corrupt",
    "header only": "truncated or corrupt",
}


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_inputs_give_one_plain_sentence(kind: str, tmp_path: Path, male_side: Path, no_thread_leak) -> None:
    path = _bad_input(kind, tmp_path, male_side)
    for opener in (probe_video, VideoFileReader, iter_video_poses):
        with pytest.raises(InputFileError) as info:
            opener(path)
        msg = str(info.value)
        assert BAD[kind] in msg, msg
        assert msg.endswith(".") and "\n" not in msg and "Errno" not in msg, msg


def test_truncated_faststart_copy_gives_frames_up_to_the_cut_and_a_warning(
    tmp_path: Path, male_side: Path, no_thread_leak
) -> None:
    full = tmp_path / "fast.mp4"
    _faststart_copy(male_side, full)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    with VideoFileReader(cut) as reader:
        frames = list(reader)
    assert 100 < len(frames) < 300
    assert [f.index for f in frames] == list(range(len(frames)))
    assert reader.warning and "truncated" in reader.warning and reader.warning.endswith(".")
    with VideoFileReader(full) as reader:
        assert sum(1 for _ in reader) == 360 and reader.warning is None


# -------------------------------------------------------------------------------------
# the real model


@pytest.mark.slow
def test_male_side_poses(male_side_run: dict) -> None:
    meta, samples = male_side_run["meta"], male_side_run["samples"]
    assert (meta.width, meta.height, meta.fps, meta.source) == (720, 1280, 30.0, "male_side.mp4")
    assert len(samples) == 360
    assert [s.frame_index for s in samples] == list(range(360))
    t = np.array([s.t_ns for s in samples])
    assert (np.diff(t) > 0).all() and t[30] == 1_000_000_000
    found = [s for s in samples if s.landmarks is not None]
    assert len(found) > 0.95 * 360
    lm = np.stack([s.landmarks for s in found])
    assert lm.dtype == np.float32 and lm.shape[1:] == (33, 4)
    assert all((s.width, s.height) == (720, 1280) for s in samples)
    visible = lm[..., 3] > 0.5
    x, y = lm[..., 0][visible], lm[..., 1][visible]
    assert ((x >= 0) & (x <= 720) & (y >= 0) & (y <= 1280)).all()
    # The runner stands on the treadmill in the lower half of the portrait frame.
    assert 500 < np.median(lm[:, 23:25, 1]) < 1100  # hips
    assert np.median(lm[:, 27:29, 1]) > np.median(lm[:, 23:25, 1])  # ankles below hips


@pytest.mark.slow
def test_progress_reports_every_frame(male_side_run: dict) -> None:
    calls = male_side_run["progress"]
    assert calls[0] == (1, 360) and calls[-1] == (360, 360) and len(calls) == 360


@pytest.mark.slow
def test_landmark_file_replays_like_video(male_side_run: dict, tmp_path: Path) -> None:
    meta = male_side_run["meta"]
    path = write_landmark_file(tmp_path / "male_side.csv", meta, male_side_run["samples"])
    meta2, replay = iter_poses(path)
    replay = list(replay)
    assert meta2 == meta and len(replay) == 360
    for a, b in zip(male_side_run["samples"], replay):
        assert a.t_ns == b.t_ns and a.frame_index == b.frame_index
        np.testing.assert_allclose(b.landmarks, a.landmarks, atol=6e-4)


@pytest.mark.slow
def test_stop_event_ends_cleanly(male_side: Path, no_thread_leak) -> None:
    stop = threading.Event()
    seen = []
    reader, samples = open_video_poses(male_side, stop_event=stop)
    for s in samples:
        seen.append(s.frame_index)
        if s.frame_index == 9:
            stop.set()
    assert seen == list(range(10))
    assert reader.warning is None


@pytest.mark.slow
def test_pose_must_stay_on_its_thread_and_stderr_stays_quiet(male_side: Path) -> None:
    """Run in a subprocess so fd 2 is ours: MediaPipe's start-up chatter must not show."""
    code = (
        "import threading\n"
        "from app.capture.video_file import VideoFileReader\n"
        "from app.pose.mediapipe_pose import MediaPipePose\n"
        f"r = VideoFileReader({str(male_side)!r})\n"
        "with r, MediaPipePose() as pose:\n"
        "    for f in r:\n"
        "        s = pose.process(f)\n"
        "        if f.index == 3: break\n"
        "    err = []\n"
        "    t = threading.Thread(target=lambda: err.append(_try(pose, f)))\n"
        "    def _try(p, f):\n"
        "        try: p.process(f)\n"
        "        except RuntimeError as e: return str(e)\n"
        "    t.start(); t.join()\n"
        "print(s.has_person, err[0])\n"
    )
    env = dict(os.environ)
    env.pop("GLOG_minloglevel", None)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "True MediaPipePose must be used on the thread that created it"
    assert r.stderr == "", r.stderr
