"""Picking one block of a recorded session for a comparison: ``SESSION@KIND[:N]``."""

from __future__ import annotations

import pytest

from app.compare.clip import block_range, load_clip
from app.errors import InputFileError
from tests.helpers.session_folders import make_session_folder

BLOCKS = [(0.0, "baseline", "Baseline"), (0.2, "retraining", "Retraining 1"),
          (0.3, "retraining", "Retraining 2"), (0.4, "retention", "Retention")]


@pytest.fixture
def folder(tmp_path):
    return make_session_folder(tmp_path, "20261121-103105-3fa2c1",
                               started_utc="2026-11-21T10:31:05Z", blocks=BLOCKS)


def test_block_ranges_run_to_the_next_block(folder):
    assert block_range(folder, "baseline") == (0.0, 0.2)
    assert block_range(folder, "retraining", 2) == (0.3, 0.4)
    assert block_range(folder, "retention") == (0.4, None)


def test_missing_block_names_the_blocks_there(folder):
    with pytest.raises(InputFileError, match="no faded block number 1 .*baseline, retraining, retention"):
        block_range(folder, "faded")
    with pytest.raises(InputFileError, match="no retraining block number 3"):
        block_range(folder, "retraining", 3)


def test_load_clip_plays_only_the_block(folder):
    base = load_clip(f"{folder}@baseline")
    ret = load_clip(f"{folder}@retraining:2")
    assert base.label.endswith("@baseline") and ret.label.endswith("@retraining 2")
    # 15 frames at the helper's frame rate: the block's samples only
    assert base.t_start_s == pytest.approx(0.0) and base.t_end_s <= 0.2 + 1e-6
    assert ret.t_start_s >= 0.3 - 1e-6 and ret.t_end_s <= 0.4 + 1e-6
    assert len(base.samples) + len(ret.samples) < 15


def test_a_block_of_a_plain_video_is_refused(tmp_path):
    from tests.helpers.session_folders import write_video

    video = write_video(tmp_path / "clip.mp4")
    with pytest.raises(InputFileError, match="only be picked from a session"):
        load_clip(f"{video}@baseline")
