"""Capture speed: the ``# capture_fps=`` key of landmark files, re-timing, validation."""

from __future__ import annotations

import dataclasses

import pytest

from app.errors import UserError
from app.pose.landmark_file import read_landmark_file, write_landmark_file
from app.pose.pipeline import iter_poses
from app.pose.timebase import check_capture_fps, retime_landmark_samples
from tests.unit.test_landmark_file import META, make_samples


def test_capture_fps_round_trips_and_sets_the_time_base(tmp_path):
    meta = dataclasses.replace(META, capture_fps=120.0)
    samples = make_samples(20, fps=120.0)
    path = write_landmark_file(tmp_path / "slow.csv", meta, samples)
    assert "# capture_fps=120.0" in path.read_text().splitlines()[:8]
    back, got = read_landmark_file(path)
    assert back.capture_fps == 120.0 and back.fps == 30.0 and back.time_fps == 120.0
    assert [s.t_ns for s in got] == [s.t_ns for s in samples]


def test_old_files_without_the_key_keep_the_fps_time_base(tmp_path):
    path = write_landmark_file(tmp_path / "old.csv", META, make_samples(10))
    assert "capture_fps" not in path.read_text()
    meta, _ = read_landmark_file(path)
    assert meta.capture_fps is None and meta.time_fps == 30.0


def test_a_bad_capture_fps_line_names_the_line(tmp_path):
    path = write_landmark_file(tmp_path / "x.csv", META, make_samples(5))
    lines = path.read_text().splitlines()
    lines.insert(4, "# capture_fps=fast")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(UserError, match="line 5: capture_fps must be a number"):
        read_landmark_file(path)


def test_retiming_scales_times_from_the_files_own_time_base(tmp_path):
    samples = make_samples(12, fps=30.0)
    meta, it = retime_landmark_samples(META, samples, 120.0)
    out = list(it)
    assert meta.capture_fps == 120.0
    assert [s.t_ns for s in out] == [round(s.t_ns / 4) for s in samples]
    # a file already on 120 fps, re-timed to 240: halves again
    meta2, it2 = retime_landmark_samples(meta, out, 240.0)
    assert [s.t_ns for s in it2] == [round(round(s.t_ns / 4) / 2) for s in samples]
    # and iter_poses does it for a landmark file given --capture-fps
    path = write_landmark_file(tmp_path / "a.csv", META, samples)
    m3, it3 = iter_poses(path, capture_fps=60.0)
    assert m3.time_fps == 60.0
    assert [s.t_ns for s in it3] == [round(s.t_ns / 2) for s in samples]


@pytest.mark.parametrize("bad", ["abc", "0", "-30", "nan", "1e9"])
def test_capture_fps_must_be_a_sensible_rate(bad):
    with pytest.raises(UserError, match="capture speed"):
        check_capture_fps(bad)
    assert check_capture_fps(None) is None
    assert check_capture_fps("240") == 240.0
