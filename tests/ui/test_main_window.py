"""The live session window with pytest-qt (offscreen): demo and real video sources,
tiles and plots updating, settings persistence, fault banners, keyboard, clean shutdown."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt

from app import config
from app.types import View


@pytest.mark.second_python
def test_demo_window_updates_tiles_and_plots(qtbot, make_window, no_thread_leak):
    w = make_window(source="demo")
    assert w.video.badge == "DEMO"
    assert "Demo" in w.windowTitle()
    qtbot.waitUntil(lambda: w.frames_displayed > 20, timeout=5000)
    # Cadence needs a few steps; the demo runs at 170 spm.
    qtbot.waitUntil(lambda: w.tiles.tiles["cadence_spm"].text != "—", timeout=10000)
    assert w.plots.refresh_count > 0 and w.plots.n_steps >= 4
    cad = float(w.tiles.tiles["cadence_spm"].text.split()[0])
    assert 160 <= cad <= 180
    assert w.tiles.tiles["contact_ms"].band in ("green", "amber", "red")
    # Frontal-only metrics are not shown in side view.
    assert "pelvic_drop_deg" not in w.tiles.tiles
    qtbot.waitUntil(lambda: w.video.hud is not None and w.video.hud.value is not None, timeout=2000)
    # The big number and the cadence tile show the same snapshot (within one display tick).
    qtbot.waitUntil(lambda: f"{w.video.hud.value:.0f}" == w.tiles.tiles["cadence_spm"].text.split()[0],
                    timeout=2000)
    assert w.video._overlay.arcs  # knee angle arc drawn in side view
    st = w.pipeline.status()
    assert st.state == "running" and st.camera_fps > 20
    assert "fps" in w.st_cam.text()
    w.close()
    assert w.pipeline is None


@pytest.mark.slow
def test_video_file_window(qtbot, make_window, shared_data, no_thread_leak):
    path = shared_data / "male_side_run" / "male_side.mp4"
    w = make_window(source=str(path))
    assert w.video.badge == ""
    assert "male_side.mp4" in w.windowTitle()
    qtbot.waitUntil(lambda: w.frames_displayed > 60, timeout=20000)
    qtbot.waitUntil(lambda: w.plots.n_steps >= 4, timeout=20000)
    assert w.video._overlay.skeleton
    qtbot.waitUntil(lambda: w.tiles.tiles["contact_ms"].text != "—", timeout=10000)
    assert w.pipeline.status().pose_fps > 10
    w.close()


def test_missing_camera_opens_demo_with_banner(qtbot, make_window, monkeypatch, no_thread_leak):
    import app.capture.camera as camera

    monkeypatch.setattr(camera, "list_cameras", lambda max_index=8: [])
    w = make_window(source=None)
    assert w.source_spec == "demo"
    assert w.banner_box.isVisible()
    assert "No camera found" in w.banner.text() and "Open video" in w.banner.text()
    qtbot.wait(600)
    assert w.banner_box.isVisible()  # stays until dismissed or a real source is chosen


def test_settings_persist(qtbot, make_window, tmp_config_dir):
    w = make_window(source="demo", settings=config.load())
    qtbot.waitUntil(lambda: w.frames_displayed > 3, timeout=5000)
    w.setup.target.setValue(180)
    w.setup.speed.setValue(11.5)
    w.setup.view.setCurrentIndex(w.setup.view.findData("rear"))
    assert w.tiles.view is View.REAR and "pelvic_drop_deg" in w.tiles.tiles
    # Edit a threshold in the table (row of pelvic drop, green hi).
    t = w.setup.table
    row = next(r for r in range(t.rowCount()) if t.item(r, 0).data(256) == "pelvic_drop_deg")
    t.item(row, 2).setText("3")
    qtbot.keyClick(w, Qt.Key.Key_K)  # skeleton off
    w.close()
    s = config.load(tmp_config_dir / "settings.toml")
    # issue 11: a target is the runner's, never a setting that carries over to the next one
    assert "target" not in (tmp_config_dir / "settings.toml").read_text().split("[feedback]")[0]
    assert s.runner.treadmill_speed_kmh == 11.5
    assert s.runner.view == "rear"
    assert s.thresholds["pelvic_drop_deg"].green[1] == 3.0
    assert s.display.skeleton is False


def test_keyboard_shortcuts(qtbot, make_window, no_thread_leak):
    w = make_window(source="demo")
    qtbot.waitUntil(lambda: w.frames_displayed > 3, timeout=5000)
    before = w.video.mirror
    qtbot.keyClick(w, Qt.Key.Key_M)
    assert w.video.mirror is (not before)
    qtbot.keyClick(w, Qt.Key.Key_K)
    assert w.video.skeleton is False
    qtbot.keyClick(w, Qt.Key.Key_Space)
    assert not w.running and w.pipeline is None
    qtbot.keyClick(w, Qt.Key.Key_Space)
    assert w.running
    qtbot.keyClick(w, Qt.Key.Key_F)
    assert w.video.wall and not w.plots.isVisible()
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert not w.video.wall
    w.set_layout("home")
    assert w.stack.currentIndex() == 1
    qtbot.waitUntil(lambda: w.home.headline_aim.text() != "", timeout=3000)
    assert w.home.cue.text()


class _FreezingSource:
    """A fake camera that delivers frames for a while, then none (frozen)."""

    name = "Fake camera"
    kind = "camera"
    finite = False
    nominal_fps = 30.0

    def __init__(self):
        self.n = 0
        self.release = threading.Event()

    def open(self):
        pass

    def grab(self):
        from app.capture.live import Captured
        from app.types import Frame

        if self.n >= 15:
            self.release.wait(5.0)
            return None
        time.sleep(1 / 30)
        self.n += 1
        t = time.perf_counter_ns()
        return Captured(Frame(self.n, t, np.zeros((120, 160, 3), np.uint8)), t)

    def close(self):
        pass


def test_frozen_camera_banner_within_one_second(qtbot, make_window, monkeypatch, no_thread_leak):
    from app.pose import worker
    from app.types import PoseSample

    class NullPose:
        def process(self, f):
            return PoseSample(f.index, f.t_ns, None, f.width, f.height)

        def close(self):
            pass

    monkeypatch.setattr(worker, "_default_estimator", lambda kind: NullPose())
    from app.ui.live import main_window

    src = _FreezingSource()
    monkeypatch.setattr(main_window.MainWindow, "_make_source", lambda self, spec: src)
    w = make_window(source="camera:0")
    qtbot.waitUntil(lambda: src.n >= 15, timeout=5000)
    t_freeze = time.monotonic()
    qtbot.waitUntil(lambda: w.banner_box.isVisible() and "no new frame" in w.banner.text(),
                    timeout=2000)
    assert time.monotonic() - t_freeze < 1.5
    # No person in the (black) frames: overlay message.
    assert w.video.message.startswith("No runner")
    src.release.set()
    w.close()


def test_file_source_end_stops_cleanly(qtbot, make_window, tmp_path, no_thread_leak):
    import cv2

    path = tmp_path / "short.avi"
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (160, 120))
    for i in range(20):
        vw.write(np.full((120, 160, 3), i * 10, np.uint8))
    vw.release()
    w = make_window(source=str(path))
    qtbot.waitUntil(lambda: w.pipeline is None, timeout=15000)
    assert "has ended" in w.banner.text()
    assert w.home.button.text() == "Start"


def test_bad_video_shows_banner(qtbot, make_window, tmp_path, no_thread_leak):
    bad = tmp_path / "not_a_video.mp4"
    bad.write_text("hello")
    w = make_window(source="demo")
    assert w.set_source(str(bad)) is False
    assert w.banner_box.isVisible() and "not_a_video.mp4" in w.banner.text()
    assert w.running and w.source_spec == "demo"  # the current source keeps running


def test_about_lists_versions():
    from app.ui.shared.about import versions

    v = versions()
    for key in ("Python", "Qt", "PySide6", "mediapipe", "OpenCV"):
        assert v[key] and v[key] != "not installed"


def test_metronome_toggle_and_audio_status(qtbot, make_window, no_thread_leak):
    """With or without a sound device: the toggle never raises, the status bar says which,
    and closing stops the audio engine's threads."""
    w = make_window(source="demo")
    qtbot.waitUntil(lambda: w.frames_displayed > 3, timeout=5000)
    assert w.st_audio.text() == "Audio: off"
    qtbot.keyClick(w, Qt.Key.Key_T)
    text = w.st_audio.text()
    if w.audio.status().available:
        # no target yet (no runner, no baseline): it says so instead of clicking silently
        assert w.act_metro.isChecked() and "waiting for a target" in text
        w.setup.target.setValue(175)
        qtbot.waitUntil(lambda: "metronome 175 bpm" in w.st_audio.text(), timeout=2000)
        w.setup.target.setValue(170)
        assert w.audio.status().bpm == 170
    else:
        assert not w.act_metro.isChecked() and text == "Audio: unavailable"
        assert "Sound is not available" in w.banner.text()
    w.close()
    assert w.audio is None


def test_demo_faults_from_setup_panel(qtbot, make_window, no_thread_leak):
    w = make_window(source="demo")
    qtbot.waitUntil(lambda: w.frames_displayed > 3, timeout=5000)
    w.setup.demo_overstride.setValue(20)
    w.setup.demo_cadence.setValue(180)
    runner = w.pipeline.source.runner
    assert runner.overstride == pytest.approx(0.2) and runner.cadence_spm == 180
    w.setup.view.setCurrentIndex(w.setup.view.findData("rear"))
    w.setup.demo_drop.setValue(8)
    runner = w.pipeline.source.runner
    assert runner.view is View.REAR and runner.pelvic_drop_deg == 8
    assert w.video.badge == "DEMO"
    qtbot.waitUntil(lambda: w.pipeline.worker.processed > 10, timeout=5000)


def test_rolled_rear_camera_is_named_in_the_status_bar(qtbot, make_window, no_thread_leak):
    """A rear camera turned by 5°: the status bar says so once the roll is found and
    corrected for; a level camera shows nothing there."""
    from dataclasses import replace

    from app.config import Settings

    s = Settings()
    w = make_window(settings=replace(s, runner=replace(s.runner, view="rear")), source="demo",
                    save_settings=False)
    qtbot.waitUntil(lambda: w.pipeline.worker.processed > 150, timeout=15000)  # ~5 s, 14 steps
    w._status_update()
    assert not w.st_roll.isVisible()  # level
    w.two_views.demo_kwargs = lambda: {"camera_roll_deg": 5.0, "camera_distance_m": 3.0}
    w.set_source("demo")

    def shown() -> bool:
        w._status_update()
        return w.st_roll.isVisible()

    qtbot.waitUntil(shown, timeout=20000)
    assert w.st_roll.text() == "Camera turned 5° clockwise (corrected)"


@pytest.mark.parametrize("value,unit,text", [
    (-0.04, "°", "0.0"), (-0.4, "ms", "0"), (-0.004, "m", "0.00"), (-3.2, "°", "-3.2"),
    (0.04, "°", "0.0"), (-1.0, "% pelvis", "-1.0"), (172.4, "spm", "172")])
def test_tile_numbers_never_read_minus_zero(value, unit, text):
    from app.ui.live.tiles import format_value

    assert format_value(value, unit) == text
