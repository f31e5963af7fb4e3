"""The runner region in the live window: dragged on the video, drawn, remembered per
source, G finds the runner automatically again; "runner lost" shows as a banner."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from tests.helpers.clips import runner_then_empty


@pytest.fixture(scope="module")
def gone_clip(shared_data, tmp_path_factory):
    d = tmp_path_factory.mktemp("gone_ui")
    return runner_then_empty(shared_data / "male_side_run" / "male_side.mp4", d / "gone.mp4",
                             90, 150)


def _widget_point(win, x: float, y: float) -> QPoint:
    return win.video._xf.map(QPointF(x, y)).toPoint()


def test_drag_sets_draws_and_remembers_the_region(make_window, qtbot, gone_clip,
                                                   tmp_config_dir):
    w = make_window(source=str(gone_clip))
    qtbot.waitUntil(lambda: w.frames_displayed > 3, timeout=30000)
    a, b = _widget_point(w, 20, 40), _widget_point(w, 340, 620)
    QTest.mousePress(w.video, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(w.video, QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2))
    QTest.mouseMove(w.video, b)
    QTest.mouseRelease(w.video, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    doc = json.loads((tmp_config_dir / "sources.json").read_text())
    (entry,) = doc["sources"].values()
    x, y, rw, rh = entry["region"]
    assert x == pytest.approx(20, abs=3) and y == pytest.approx(40, abs=3)
    assert rw == pytest.approx(320, abs=5) and rh == pytest.approx(580, abs=5)
    qtbot.waitUntil(lambda: w.pipeline.worker.runner is not None
                    and w.pipeline.worker.runner.user_region, timeout=10000)
    # drawn as a dashed box on the video
    qtbot.waitUntil(lambda: sum(1 for ln in w.video._overlay.lines if ln.kind == "guide") >= 4,
                    timeout=10000)
    # the runner leaves the picture at frame 90: the banner says so within 1 s
    qtbot.waitUntil(lambda: "Runner lost" in w.banner.text() and w.banner_box.isVisible(),
                    timeout=15000)
    assert w.pipeline.latest().frame.index <= 90 + 30 + 8  # (status timer granularity)
    w.close()

    w2 = make_window(source=str(gone_clip))  # remembered for this video
    assert w2.pipeline.worker._region == pytest.approx((x, y, rw, rh))
    w2.region_link.act_auto.trigger()  # G: automatic again, and forgotten
    assert w2.pipeline.worker._region is None
    doc = json.loads((tmp_config_dir / "sources.json").read_text())
    assert not any("region" in e for e in doc["sources"].values())
