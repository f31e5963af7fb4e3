"""Issue 11 item 7: a wrong view never gives confident numbers — the live window warns
when the camera shows another view than the one set, and stops warning once it matches;
the comparison view says so above its table."""

from __future__ import annotations

from app.types import View


def test_live_window_warns_about_the_wrong_view(qtbot, make_window, no_thread_leak):
    from app.config import RunnerSettings, Settings

    w = make_window(source=None, settings=Settings(runner=RunnerSettings(view="rear")))
    w.demo_params = {"view": View.SIDE}  # the camera (demo runner) shows a side view
    w.set_source("demo")
    qtbot.waitUntil(lambda: w.view_check.text != "", timeout=15000)
    assert w.banner_box.isVisible()
    text = w.banner.text()
    assert text.startswith("Wrong view: the video looks like a side view")
    assert "measured as a rear view" in text and "Setup" in text
    # the runner turns / the camera moves: the demo now shows the rear view
    w.demo_params = {"view": View.REAR}
    w.set_source("demo")
    qtbot.waitUntil(lambda: w.view_check.text == "", timeout=15000)
    assert not w.banner_box.isVisible() or not w.banner.text().startswith("Wrong view")


def test_matching_view_never_warns(qtbot, make_window, no_thread_leak):
    w = make_window(source="demo")
    qtbot.waitUntil(lambda: w.view_check.verdict is not None and w.view_check.verdict.frames >= 15,
                    timeout=15000)
    assert w.view_check.verdict.seen == "side" and w.view_check.text == ""
    assert not w.banner.text().startswith("Wrong view")
