"""Issue 12: two views live in the window — the side and the rear camera at once (the demo
runner filmed by two cameras in step): both videos, tiles from both views, the runner's
view (large, alone on the wall, mirrored), the status bar's offset, a recording with both
views, Setup → Cameras with a framing check each, and back to one camera."""

from __future__ import annotations

import csv

from PySide6.QtCore import Qt

from app.config import DisplaySettings, Settings
from app.session import folder as sf
from app.types import View


def two_view_settings(**display) -> Settings:
    return Settings(display=DisplaySettings(second_view="rear", second_source="demo", **display))


def shown(video) -> bool:  # noqa: ANN001 - VideoView
    return video._qimage is not None and video.isVisible()


def test_side_and_rear_live_with_tiles_from_both_views(qtbot, make_window, no_thread_leak):
    w = make_window(source="demo", settings=two_view_settings(), save_settings=False)
    area = w.video_area
    assert area.two and w.multiview is not None and w.pipeline is w.multiview.pipes[View.SIDE]
    side, rear = area.primary, area.second
    qtbot.waitUntil(lambda: shown(side) and shown(rear), timeout=15000)
    assert side.badge.startswith("SIDE") and rear.badge.startswith("REAR")
    # side by side: two equal halves of the video area
    g = area.geometries()
    assert abs(g[0].width() - g[1].width()) <= 1 and g[0].height() == g[1].height()
    # tiles of both views, under their headings; the rear metrics come from the rear camera
    assert w.tiles.views == (View.SIDE, View.REAR)
    for name in ("cadence_spm", "overstride_pct_leg", "pelvic_drop_deg", "knee_valgus_fppa_deg"):
        assert name in w.tiles.tiles
    qtbot.waitUntil(lambda: w.tiles.tiles["pelvic_drop_deg"].text != "—"
                    and w.tiles.tiles["overstride_pct_leg"].text != "—", timeout=20000)
    # the status bar: the rear camera's rate and the camera offset from matched contacts
    qtbot.waitUntil(lambda: "offset" in w.two_views.st_views.text()
                    and "—" not in w.two_views.st_views.text(), timeout=20000)
    assert w.two_views.st_views.text().startswith("Rear")
    # the feedback focus may be a rear fault now
    focus = [w.fb.panel.focus.itemData(i) for i in range(w.fb.panel.focus.count())]
    assert any(f.startswith("pelvic_drop_deg") for f in focus)
    assert any(f.startswith("overstride_pct_leg") for f in focus)


def test_runner_view_layout_mirror_and_wall(qtbot, make_window, no_thread_leak):
    w = make_window(source="demo", settings=two_view_settings(), save_settings=False)
    area = w.video_area
    side, rear = area.primary, area.second
    qtbot.waitUntil(lambda: shown(side) and shown(rear), timeout=15000)
    assert area.runner_video() is side and side.hud is not None and rear.hud is None
    # W: the runner watches the rear view; it gets the cadence box and the mirror (M)
    qtbot.keyClick(w, Qt.Key.Key_W)
    assert area.runner_video() is rear and w.settings.display.runner_view == "rear"
    qtbot.waitUntil(lambda: rear.hud is not None and side.hud is None, timeout=3000)
    qtbot.keyClick(w, Qt.Key.Key_M)
    assert rear.mirror and not side.mirror and w.settings.display.mirror_rear
    assert not w.settings.display.mirror_side
    # V: one large (the runner's view) and one small
    qtbot.keyClick(w, Qt.Key.Key_V)
    assert w.settings.display.two_view_layout == "large_small"
    g = area.geometries()
    assert g[1].width() > 2 * g[0].width() and g[0].height() < g[1].height()  # 70 % : 30 %
    # F: the wall shows the runner's view alone
    qtbot.keyClick(w, Qt.Key.Key_F)
    qtbot.waitUntil(lambda: not side.isVisible() and rear.isVisible(), timeout=3000)
    assert rear.wall and area.geometries() == {1: area.rect()}
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    qtbot.waitUntil(side.isVisible, timeout=3000)
    # the home practice layout shows the runner's view (the rear), and gives it back
    w.set_layout("home")
    home = w.home_practice.view
    assert home.isAncestorOf(rear) and side.parent() is area
    qtbot.keyClick(w, Qt.Key.Key_W)  # the runner turns to the side view: the home view follows
    assert home.isAncestorOf(side) and rear.parent() is area
    qtbot.keyClick(w, Qt.Key.Key_W)
    w.set_layout("clinic")
    assert rear.parent() is area and side.parent() is area and area.runner_video() is rear
    # a double-click on the side video makes it the runner's view again
    qtbot.mouseDClick(area, Qt.MouseButton.LeftButton, pos=area.geometries()[0].center())
    assert area.runner_video() is side and not rear.mirror


def test_recording_two_views_from_the_window(qtbot, make_window, tmp_data_dir, no_thread_leak):
    w = make_window(source="demo", settings=two_view_settings(), save_settings=False)
    rc = w.recording
    qtbot.waitUntil(lambda: shown(w.video_area.second), timeout=15000)
    qtbot.waitUntil(lambda: w.tiles.tiles["pelvic_drop_deg"].text != "—", timeout=20000)
    qtbot.keyClick(w, Qt.Key.Key_R)
    assert rc.recording
    folder = rc.last_folder
    qtbot.waitUntil(lambda: rc.indicator.text() == "● REC 00:04", timeout=15000)
    qtbot.keyClick(w, Qt.Key.Key_R)
    assert rc.recorder is None
    qtbot.waitUntil(lambda: not rc.saving, timeout=60000)
    m = sf.read_manifest(folder)
    assert m["state"] == "complete" and m["view"] == "side"
    assert [v["view"] for v in m["views"]] == ["side", "rear"]
    assert (folder / "video.mp4").stat().st_size > 10_000
    assert (folder / "rear" / "video.mp4").stat().st_size > 10_000
    assert (folder / "rear" / "landmarks.csv").stat().st_size > 10_000
    with open(folder / "steps.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 6
    # one steps stream: side timing with the rear view's frontal metrics on the same steps
    both = [r for r in rows if r["overstride_pct_leg"] and r["pelvic_drop_deg"]]
    assert len(both) >= len(rows) // 2, rows[:3]
    assert w.running and w.multiview is not None  # the live views kept going


def test_setup_cameras_framing_checks_and_back_to_one_camera(qtbot, make_window, no_thread_leak):
    w = make_window(source="demo", settings=two_view_settings(), save_settings=False)
    box = w.two_views.box
    w.setup_dock.show()
    qtbot.waitUntil(lambda: shown(w.video_area.second), timeout=15000)
    # a framing check per camera: title, and a tick for the view each should see
    qtbot.waitUntil(lambda: "✓ side view" in box.framing[0].text()
                    and "✓ rear view" in box.framing[1].text(), timeout=20000)
    assert box.framing[0].text().startswith("<b>Side camera") and "Rear camera" in box.framing[1].text()
    assert not w.setup.view.isEnabled()  # with two cameras the first one films the side
    # a source that does not exist: one sentence under the box, the two views keep running
    box.source.setCurrentText("/nonexistent/rear.mp4")
    box.apply.click()
    assert box.problem.isVisible() and "does not exist" in box.problem.text()
    assert w.multiview is not None
    # one camera: the second video goes, the tiles are the side view's again
    box.mode.setCurrentIndex(box.mode.findData(""))
    box.mode.activated.emit(box.mode.currentIndex())
    qtbot.waitUntil(lambda: w.running, timeout=10000)
    assert w.multiview is None and not w.video_area.two
    assert w.tiles.views == (View.SIDE,) and "pelvic_drop_deg" not in w.tiles.tiles
    assert w.settings.display.second_view == "" and w.setup.view.isEnabled()
    assert not box.framing[1].isVisible()
    # and two again, from the box
    box.mode.setCurrentIndex(box.mode.findData("rear"))
    box.source.setCurrentText("demo")
    box.mode.activated.emit(box.mode.currentIndex())
    qtbot.waitUntil(lambda: w.multiview is not None and shown(w.video_area.second), timeout=15000)
    assert "pelvic_drop_deg" in w.tiles.tiles


def test_window_sources_from_the_command_line(tmp_path):
    from app.errors import UserError
    from app.ui.main import window_sources

    s = Settings()
    src, s2 = window_sources(["side=demo", "rear=demo"], s)
    assert src == "demo" and s2.display.second_view == "rear" and s2.display.second_source == "demo"
    assert s2.runner.view == "side"
    src, s3 = window_sources(["rear=demo"], s2)  # one source: one camera, its view
    assert src == "demo" and s3.display.second_view == "" and s3.runner.view == "rear"
    assert window_sources(None, s2) == (None, s2)
    for bad in (["side=demo", "side=demo"], ["demo", "demo"], ["rear=demo", "front=demo"]):
        try:
            window_sources(bad, s)
        except UserError as exc:
            assert str(exc).endswith(".")
        else:
            raise AssertionError(bad)


#: a short side + rear guided session (block seconds; at K = 12 each block takes 5 s)
TWO_VIEW_TEMPLATE = {
    "schema_version": 1, "name": "two_view_test", "title": "Two-view test session",
    "description": "Side and rear at once, three short blocks.", "view": "side+rear",
    "focus": "pelvic_drop_deg:high", "target": "none", "min_baseline_steps": 6,
    "block": [
        {"kind": "baseline", "name": "Baseline", "duration_s": 60, "say": "Run.", "show": "Run"},
        {"kind": "retraining", "name": "Retraining", "duration_s": 60, "cues": True,
         "schedule": "continuous", "mirror": True, "skeleton": True, "tiles": True,
         "say": "Keep your hips level.", "show": "Hips level"},
        {"kind": "retention", "name": "Retention", "duration_s": 60, "say": "Keep it up.",
         "show": "Keep it up"},
    ],
}


def test_guided_two_view_session_on_the_demo(qtbot, make_window, tmp_config_dir, no_thread_leak):
    """A side+rear template switches the demo window to two cameras, checks the framing
    of both, records both views and ends on the comparison of both views."""
    from app.protocol.templates import parse_template, save_user_template

    save_user_template(parse_template(TWO_VIEW_TEMPLATE, source="user"))
    w = make_window(source="demo", save_settings=False)  # one camera to begin with
    w.protocol.time_scale = 12.0
    qtbot.waitUntil(lambda: w.frames_displayed > 3, timeout=15000)
    assert w.multiview is None
    flow = w.protocol.open_flow()
    flow.runners.setCurrentRow(0)  # no runner
    flow.b_next.click()
    flow.select_template("two_view_test", None)
    assert "side and rear views" in flow.t_desc.text()
    flow.b_next.click()
    assert flow.pages.currentIndex() == 2 and flow.second.isVisible()
    # the window now films the demo runner from the side and from behind
    qtbot.waitUntil(lambda: w.multiview is not None and w.video_area.two, timeout=10000)
    qtbot.waitUntil(lambda: flow.b_start.isEnabled(), timeout=20000)
    assert flow.report.view_seen == "side" and flow.guide2.report().ready
    assert "✓ rear view" in flow.second.text()
    flow.b_start.click()
    p = w.protocol
    qtbot.waitUntil(lambda: p.outcome is not None, timeout=120000)
    out = p.outcome
    folder = out.folder
    assert out.status == "finished" and (folder / "rear" / "video.mp4").is_file()
    assert [v["view"] for v in sf.read_manifest(folder)["views"]] == ["side", "rear"]
    names = {r.name for r in out.comparison.rows}
    assert {"pelvic_drop_deg", "overstride_pct_leg"} <= names  # frontal and sagittal
    assert out.other_comparison is not None
    cv = w.compare_view
    assert cv is not None and cv.pair.choice == "both" and len(cv.canvas.panes) == 4
