"""Issue 11 item 4: no camera is never silent (pytest-qt, offscreen; no camera on this
machine, and list_cameras is told so). The banner says what is wrong and offers a camera,
a video or the demo; R says why nothing is recorded; the guided camera check says so
instead of waiting forever, and neither Start nor Start anyway starts a session without
video; the demo button gets the video going and the check proceeds."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt


@pytest.fixture
def no_cameras(monkeypatch):
    import app.capture.camera as camera

    monkeypatch.setattr(camera, "list_cameras", lambda max_index=8: [])
    monkeypatch.setattr(camera.CameraSource, "open", _refuse)


def _refuse(self) -> None:
    from app.errors import DeviceError

    raise DeviceError(f"Camera {self.index} cannot be opened (not connected, or in use by "
                      "another program).")


def test_no_camera_says_what_is_wrong_and_offers_the_way_out(qtbot, make_window, no_cameras,
                                                             no_thread_leak):
    w = make_window(source="camera:0")
    help_ = w.video_help
    qtbot.waitUntil(lambda: help_.choices.isVisible(), timeout=5000)
    text = w.banner.text()
    assert "Camera 0 cannot be opened" in text and "demo runner" in text and "open a video" in text
    menu = help_.choices.menu
    help_.choices.fill_cameras()
    assert [a.text() for a in menu.actions()] == ["No camera found — connect one and try again"]
    # R: never silent
    qtbot.keyClick(w, Qt.Key.Key_R)
    assert not w.recording.recording
    qtbot.wait(600)  # a few status ticks: the message stays
    assert w.banner.text().startswith("Nothing to record: Camera 0 cannot be opened")
    assert w.banner_box.isVisible() and help_.choices.isVisible()

    # the guided session's camera check says so (not "Waiting for the camera…" forever)
    flow = w.protocol.open_flow()
    flow.runners.setCurrentRow(0)
    flow.go(1)
    flow.go(2)
    qtbot.waitUntil(lambda: flow.source_choices.isVisible(), timeout=3000)
    assert "Camera 0 cannot be opened" in flow.verdict.text() and "demo runner" in flow.verdict.text()
    assert flow.framing_view.message == "No live video"
    assert not flow.b_start.isEnabled() and not flow.override.isEnabled()
    flow.override.setChecked(True)   # even ticked, Start anyway does not start without video
    flow.start()
    assert flow.isVisible() and w.protocol.runner is None
    assert "no live video" in flow.problems.text()
    # the way out: the demo runner; the check then runs on its video
    flow.source_choices.b_demo.click()
    assert w.source_spec == "demo"
    qtbot.waitUntil(lambda: not flow.source_choices.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: flow.report is not None and flow.report.samples > 3, timeout=10000)
    assert flow.override.isEnabled()
    qtbot.waitUntil(lambda: not help_.choices.isVisible(), timeout=3000)
    assert "cannot be opened" not in w.banner.text() or not w.banner_box.isVisible()
    flow.done(0)


def test_guided_start_without_video_says_so(qtbot, make_window, no_cameras, no_thread_leak):
    """The safety net behind the dialog: starting a session without video is refused in
    words, never by closing with nothing happening."""
    from app.protocol.templates import TemplateLibrary
    from app.ui.protocol.flow import FlowChoice

    w = make_window(source="camera:0")
    qtbot.waitUntil(lambda: w.pipeline is not None and w.pipeline.status().state == "error",
                    timeout=5000)
    t = next(iter(TemplateLibrary.load()))
    choice = FlowChoice(None, "", t, None, None, "", None, override=True)
    assert w.protocol.start(choice) is False and w.protocol.runner is None
    assert w.banner.text().startswith("The guided session cannot start without live video")
