"""Stay on the runner, on real video with the real model: the region follows the runner,
a lost runner is reported within 1 s in the live pipeline, ``--roi`` is honoured, and the
two-thread split joins only where both halves follow the same person."""

from __future__ import annotations

import pytest

from app.pose.region import body_of
from tests.helpers.clips import runner_then_empty

pytestmark = pytest.mark.slow

DISTRACTORS = ("sports2d_walk", "walk_side_distractors.mp4")


@pytest.fixture(scope="module")
def gone_clip(shared_data, tmp_path_factory):
    """male_side.mp4 at half size: the runner for 3 s, then 3 s of an empty picture."""
    d = tmp_path_factory.mktemp("gone")
    return runner_then_empty(shared_data / "male_side_run" / "male_side.mp4", d / "gone.mp4",
                             90, 90)


def test_live_pipeline_reports_a_lost_runner_within_one_second(gone_clip):
    from app.cli.session import run_session

    fig = run_session(str(gone_clip), 7.0)
    runner = fig["runner"]
    assert runner["state"] == "lost"
    frame = runner["lost_reported_at_frame"]
    assert frame is not None and 90 <= frame <= 90 + 30, frame  # within 1 s of video time


def test_roi_on_the_command_line_starts_the_pose_model_there(shared_data):
    """A region around where the walker will enter: the person on the box (in view from
    the first frame, and MediaPipe's choice without a region) is never posed."""
    from app.pose.pipeline import iter_video_poses
    from tests.validation.make_table import on_walker_track

    samples = list(iter_video_poses(shared_data.joinpath(*DISTRACTORS),
                                    region=(1250, 350, 518, 644)))
    posed = [s for s in samples if s.landmarks is not None]
    assert len(posed) > 130
    assert all(on_walker_track(s.frame_index, s.landmarks) for s in posed
               if s.frame_index >= 60)
    assert all(body_of(s.landmarks).hip[1] > 600 for s in posed)  # never the one on the box


def test_analyze_rejects_a_malformed_roi(shared_data):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "app", "analyze",
                        str(shared_data.joinpath(*DISTRACTORS)), "--roi", "10,20,abc"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "runner region must be four numbers" in r.stderr and "Traceback" not in r.stderr


def test_roi_with_a_landmark_file_says_why_it_does_not_apply(tmp_path):
    import subprocess
    import sys

    from app.pose.landmark_file import LandmarkMeta, write_landmark_file
    from app.types import PoseSample

    lm = write_landmark_file(tmp_path / "p.csv", LandmarkMeta(640, 480, 30.0),
                             [PoseSample(i, i * 33_333_333, None, 640, 480) for i in range(5)])
    r = subprocess.run([sys.executable, "-m", "app", "analyze", str(lm), "--roi", "0,0,100,100"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "landmark file" in r.stderr and "Traceback" not in r.stderr
