"""Walking filmed from behind or in front is timed by a walker's detector checked on one walk
only (app.gait.engine): the live
window says so above the video while the engine's snapshot carries that warning, and the
banner goes once it no longer does."""

from __future__ import annotations

from dataclasses import replace


def test_live_window_says_when_walking_is_filmed_from_behind(qtbot, make_window, no_thread_leak):
    from app.config import RunnerSettings, Settings
    from app.gait.engine import WALKING_FRONTAL_WARNING
    from app.types import View

    w = make_window(source=None, settings=Settings(runner=RunnerSettings(view="rear")))
    w.demo_params = {"view": View.REAR}
    w.set_source("demo")
    pipe = w.pipeline
    qtbot.waitUntil(lambda: pipe.latest() is not None and pipe.latest().snapshot is not None,
                    timeout=15000)
    # no camera here: the demo runs under the "no camera" note, which the user closes
    assert w._banner_sticky.startswith("No camera found")
    w.banner_close.click()
    real_latest = pipe.latest
    walking = {"on": True}

    def latest():  # the engine's own snapshot, plus the warning while "walking" is on
        res = real_latest()
        if res is None or res.snapshot is None or not walking["on"]:
            return res
        snap = res.snapshot
        return replace(res, snapshot=replace(snap, warnings=snap.warnings + (WALKING_FRONTAL_WARNING,)))

    pipe.latest = latest
    qtbot.waitUntil(lambda: w.banner_box.isVisible()
                    and w.banner.text().startswith("This looks like walking filmed from behind"),
                    timeout=10000)
    assert w.banner.text().endswith("(film walking from the side).")
    walking["on"] = False
    qtbot.waitUntil(lambda: not w.banner_box.isVisible()
                    or not w.banner.text().startswith("This looks like walking"), timeout=10000)
    # a sticky banner (a recording problem, the wrong view) is not covered by it
    walking["on"] = True
    qtbot.waitUntil(lambda: w.banner.text().startswith("This looks like walking"), timeout=10000)
    w.show_banner("Recording stopped: the disk is full.", sticky=True)
    qtbot.wait(1500)
    assert w.banner.text() == "Recording stopped: the disk is full."
    # closed by the user, it does not come back while the warning lasts, but does once it
    # cleared and is due again
    w.banner_close.click()
    qtbot.waitUntil(lambda: w.banner.text().startswith("This looks like walking"), timeout=10000)
    w.banner_close.click()
    qtbot.wait(1500)
    assert not w.banner_box.isVisible()
    walking["on"] = False
    qtbot.wait(1000)
    walking["on"] = True
    qtbot.waitUntil(lambda: w.banner_box.isVisible()
                    and w.banner.text().startswith("This looks like walking"), timeout=10000)
