"""The live pipeline without Qt: slot semantics, demo run, fault states, clean shutdown."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from app.capture.live import Captured, CaptureThread
from app.capture.slot import LatestSlot
from app.errors import DeviceError
from app.pose.worker import LivePipeline
from app.types import Frame, View


def test_slot_overwrites_and_counts_drops():
    s: LatestSlot[int] = LatestSlot()
    s.put(1)
    s.put(2)
    s.put(3)
    assert s.dropped == 2
    assert s.take(0.01) == 3
    assert s.take(0.01) is None
    assert s.peek() == 3
    s.put(4)
    s.close()
    assert s.take(0.01) == 4
    assert s.take(0.01) is None


def test_slot_take_wakes_on_put():
    s: LatestSlot[str] = LatestSlot()
    got = []
    t = threading.Thread(target=lambda: got.append(s.take(2.0)))
    t.start()
    time.sleep(0.05)
    s.put("x")
    t.join(1.0)
    assert got == ["x"]


def _wait(pred, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return False


def test_demo_pipeline_runs_and_stops(no_thread_leak):
    from app.capture.demo import DemoLiveSource

    pipe = LivePipeline(DemoLiveSource(width=640, height=360), View.SIDE)
    updates = []
    pipe.add_listener(updates.append)
    pipe.start()
    assert _wait(lambda: pipe.worker.processed >= 45, 15.0)
    res = pipe.latest()
    assert res is not None and res.landmarks is not None
    assert res.frame.image.shape == (360, 640, 3)
    assert res.latency_ms >= 0
    st = pipe.status()
    assert st.state == "running" and st.source_name == "Demo"
    assert st.nominal_fps == 30.0
    assert updates and any(u.events for u in updates)
    pipe.stop()
    assert not pipe.running


class _FlakySource:
    """Delivers frames, then freezes (grab blocks), then fails (returns None)."""

    name = "Fake camera"
    kind = "camera"
    finite = False
    nominal_fps = 50.0

    def __init__(self, frames_before_freeze=10, freeze_s=1.6):
        self.n = 0
        self.opens = 0
        self.frames_before_freeze = frames_before_freeze
        self.freeze_s = freeze_s
        self.stop = threading.Event()

    def open(self):
        self.opens += 1
        if self.opens == 2:
            raise DeviceError("Fake camera cannot be opened.")

    def grab(self):
        if self.n == self.frames_before_freeze:
            self.n += 1
            self.stop.wait(self.freeze_s)   # frozen: no frame
            return None                      # then the read fails: camera lost
        time.sleep(0.02)
        self.n += 1
        t = time.perf_counter_ns()
        img = np.zeros((48, 64, 3), np.uint8)
        return Captured(Frame(self.n, t, img), t, None)

    def close(self):
        pass


class _NullPose:
    def process(self, frame):
        from app.types import PoseSample

        return PoseSample(frame.index, frame.t_ns, None, frame.width, frame.height)

    def close(self):
        pass


def test_frozen_then_lost_camera_reconnects(no_thread_leak):
    src = _FlakySource()
    pipe = LivePipeline(src, View.SIDE, estimator_factory=lambda kind: _NullPose())
    CaptureThread.BACKOFF_S = (0.2, 0.2)
    try:
        pipe.start()
        assert _wait(lambda: src.n > src.frames_before_freeze)
        t_freeze = time.monotonic()
        assert _wait(lambda: pipe.status().state == "frozen", 2.0)
        assert time.monotonic() - t_freeze < 1.3          # reported within ~1 s
        assert "no new frame" in pipe.status().message
        assert _wait(lambda: pipe.status().state == "reconnecting", 3.0)
        assert _wait(lambda: pipe.status().state == "running" and src.opens >= 3, 5.0)
        n = pipe.worker.processed
        assert _wait(lambda: pipe.worker.processed > n + 3)
        assert pipe.status().person_visible is False
    finally:
        src.stop.set()
        pipe.stop()
        CaptureThread.BACKOFF_S = (0.5, 1.0, 2.0, 4.0, 5.0)


def test_file_source_ends_cleanly(shared_data, no_thread_leak):
    from app.capture.live import VideoFileLiveSource

    src = VideoFileLiveSource(shared_data / "male_side_run" / "male_side.mp4")
    assert src.nominal_fps == pytest.approx(30.0)
    pipe = LivePipeline(src, View.SIDE, estimator_factory=lambda kind: _NullPose())
    pipe.start()
    assert _wait(lambda: pipe.worker.processed > 5)
    # Skip ahead: close the pipeline early and check the states are sane.
    pipe.stop()
    assert not pipe.running
    assert pipe.status().state in ("stopped", "ended", "running")


def test_bad_camera_reports_error(no_thread_leak):
    from app.capture.camera import CameraSource

    pipe = LivePipeline(CameraSource(97), View.SIDE, estimator_factory=lambda kind: _NullPose())
    pipe.start()
    assert _wait(lambda: pipe.status().state == "error")
    assert "Camera 97" in pipe.status().message
    pipe.stop()


def test_display_image_fit_mirror_and_layout():
    from app.capture.live import DisplayScaler, make_display_image

    img = np.zeros((100, 200, 3), np.uint8)
    img[:, :10] = (255, 0, 0)  # red stripe on the left
    d = make_display_image(img, 400, 400, mirror=False)
    assert d.bgra.shape == (200, 400, 4) and d.scale == 2.0
    assert tuple(d.bgra[5, 0]) == (0, 0, 255, 255)  # BGRA: red
    m = make_display_image(img, 400, 400, mirror=True)
    assert tuple(m.bgra[5, -1]) == (0, 0, 255, 255) and tuple(m.bgra[5, 0]) == (0, 0, 0, 255)
    sc = DisplayScaler()
    assert sc.prepare(img) is None
    sc.request = ((100, 100), True)
    assert sc.prepare(img).size == (100, 100)
