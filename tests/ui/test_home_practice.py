"""Issue 11 item 6: home practice speaks with one voice (pytest-qt, offscreen, demo runner).

The headline is the fault being trained with its own cue words; cadence comes second; the
last cue of an earlier practice is cleared; the metronome's state shows; *Stop* stops the
metronome too; the runner sees their own mirrored video; the clinician's panels hide and
come back in the clinic layout."""

from __future__ import annotations

from dataclasses import replace

from app.config import FeedbackSettings, Settings


def test_home_practice_speaks_with_one_voice(qtbot, make_window, no_thread_leak):
    s = replace(Settings(), feedback=FeedbackSettings(baseline_mode="typed", baseline_spm=170.0,
                                                      increase_pct=7.5, cues=True))
    w = make_window(source="demo", settings=s)
    w.setup.demo_overstride.setValue(25)   # an overstriding runner
    w.setup.demo_cadence.setValue(160)     # ... whose cadence is far below the target too
    w.setup_dock.show()
    assert w.fb.dock.isVisible() and w.setup_dock.isVisible()
    h = w.home
    lib = w.fb.library
    # a cue of an earlier practice, in the clinic layout
    qtbot.waitUntil(lambda: w.fb.controller.state().n_cues >= 1, timeout=20000)
    w.set_layout("home")
    # own video, mirrored, inside the home view; the clinician's panels hidden
    assert h.isAncestorOf(w.video) and w.video.isVisible() and w.video.mirror
    assert not w.setup_dock.isVisible() and not w.fb.dock.isVisible() and not w.toolbar.isVisible()
    qtbot.waitUntil(lambda: w.frames_displayed > 5 and w.video._qimage is not None, timeout=5000)
    # one voice: overstride is trained -> the headline is overstride with its own words
    qtbot.waitUntil(lambda: h.headline_name.text() == "Overstride (% leg)" and h.headline.text() != "—",
                    timeout=10000)
    words = lib.for_fault("overstride_pct_leg", "high")[0].text
    assert h.cue.text() == words and float(h.headline.text()) > 15  # red: the fault trained
    assert h.headline_aim.text().startswith("keep it below")
    assert not w.video.show_hud  # no red cadence box on the video beside another fault
    qtbot.waitUntil(lambda: h.secondary.text().startswith("Cadence"), timeout=5000)
    # the cadence focus: headline cadence and the cadence cue, never an overstride cue
    p = w.fb.panel
    p.focus.setCurrentIndex(p.focus.findData("cadence_spm:low"))
    qtbot.waitUntil(lambda: h.headline_name.text() == "Cadence", timeout=3000)
    assert h.cue.text() == lib.for_fault("cadence_spm", "low")[0].text
    assert h.headline_aim.text().startswith("target ") and not h.secondary.isVisible()
    qtbot.waitUntil(lambda: w.video.show_hud, timeout=2000)  # cadence trained: its box shows
    # the earlier practice's cue is not shown: Stop, then Start a new practice
    h.button.click()
    assert not w.running and h.button.text() == "Start"
    h.button.click()
    assert w.running and h.button.text() == "Stop"
    assert h.last_cue.text() == ""
    # metronome on/off visible and switchable on the view; Stop stops it too
    assert "Metronome off" in h.metronome.text()
    h.metronome.click()
    qtbot.waitUntil(lambda: w.fb.controller.state().metronome_on, timeout=3000)
    if w.audio is not None and w.audio.status().available:
        qtbot.waitUntil(lambda: "Metronome on" in h.metronome.text(), timeout=3000)
        assert h.metronome.isChecked() and w.act_metro.isChecked()
    h.button.click()  # Stop
    assert not w.running and not w.fb.controller.state().metronome_on and not w.act_metro.isChecked()
    qtbot.waitUntil(lambda: "Metronome off" in h.metronome.text(), timeout=3000)
    # M toggles the home mirror, kept apart from the clinic's per-view mirror
    w.act_mirror.trigger()
    assert not w.video.mirror and w.settings.display.mirror_home is False
    # back to the clinic layout: video, panels and the side view's mirror as they were
    w.set_layout("clinic")
    assert w.top_split.isAncestorOf(w.video) and w.video.isVisible()
    assert w.setup_dock.isVisible() and w.fb.dock.isVisible() and w.toolbar.isVisible()
    assert w.video.mirror is w.settings.display.mirror_side is False
    assert w.video.show_hud


def test_home_view_figures_for_every_focus(qtbot, make_window, no_thread_leak):
    """Each focus fault the panel offers gives a headline of that fault and its words."""
    w = make_window(source="demo")
    w.set_layout("home")
    p = w.fb.panel
    qtbot.waitUntil(lambda: w._shown_snapshot is not None, timeout=10000)
    for i in range(p.focus.count()):
        p.focus.setCurrentIndex(i)
        metric, _, direction = p.focus.itemData(i).partition(":")
        words = w.fb.library.for_fault(metric, direction)[0].text
        qtbot.waitUntil(lambda: w.home.cue.text() == words, timeout=3000)
        f = w.home_practice.figures(w._shown_snapshot)
        if metric == "cadence_spm":
            assert f.name == "Cadence" and f.cadence_line == ""
        else:
            assert not f.name.startswith("Cadence") and f.cadence_line.startswith("Cadence")
