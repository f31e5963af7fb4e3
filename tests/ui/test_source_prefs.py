"""Capture speed of a video source in the live window: applied, shown, remembered."""

from __future__ import annotations

import json

import pytest

from tests.helpers.slow_motion import slow_down


@pytest.fixture(scope="module")
def slow_clip(shared_data, tmp_path_factory):
    d = tmp_path_factory.mktemp("slowmo_ui")
    return slow_down(shared_data / "male_side_run" / "male_side.mp4", d / "x4.mp4", 4)


def test_capture_speed_is_applied_shown_and_remembered(make_window, qtbot, slow_clip,
                                                        tmp_config_dir):
    w = make_window(source="demo")
    assert not w.source_prefs.act_capture.isEnabled()  # not for the demo / cameras
    w.set_source(str(slow_clip))
    assert w.source_prefs.act_capture.isEnabled()
    assert w.pipeline.source.capture_fps is None
    w.source_prefs.set_capture_fps(str(slow_clip), 30.0)
    assert w.pipeline.source.capture_fps == 30.0  # restarted on the real time base
    assert "filmed at 30 fps" in w.st_source.text()
    doc = json.loads((tmp_config_dir / "sources.json").read_text())
    (entry,) = doc["sources"].values()
    assert entry["capture_fps"] == 30.0
    # real-time frame times: 1/30 s apart although the clip plays at 7.5 fps
    qtbot.waitUntil(lambda: w.pipeline.latest() is not None and w.pipeline.latest().seq > 3,
                    timeout=20000)
    w.close()

    w2 = make_window(source=str(slow_clip))  # a new window remembers it for this file
    assert w2.pipeline.source.capture_fps == 30.0
    w2.source_prefs.set_capture_fps(str(slow_clip), None)  # back to "as stored"
    assert w2.pipeline.source.capture_fps is None
    assert "filmed at" not in w2.st_source.text()


def test_command_line_capture_fps_wins_for_its_file(make_window, slow_clip):
    w = make_window(source=str(slow_clip), capture_fps=120.0, save_settings=False)
    assert w.pipeline.source.capture_fps == 120.0
