"""Issue 11 item 8: targets belong to the runner (pytest-qt, offscreen, demo runner, real
store in the test's data folder). A target typed for one runner never reaches the next;
a new runner starts clean (no target, no coloured cadence) until their baseline is
measured; the target comes back with its runner, labelled by where it came from; a
recording goes into the chosen runner's history."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from app import config
from app.config import FeedbackSettings, Settings
from app.session.store import open_store


def _runner(name: str) -> int:
    with open_store() as st:
        return st.add_runner(name).id


def test_a_target_stays_with_its_runner(qtbot, make_window, tmp_config_dir, no_thread_leak):
    anna, ben = _runner("Anna K."), _runner("Ben")
    s = replace(Settings(), feedback=FeedbackSettings(baseline_steps=12))
    w = make_window(source="demo", settings=s)
    setup, panel = w.setup, w.fb.panel
    # the runners are offered in Setup; choose Anna as a clinician would
    w.targets.refresh_runners()
    names = [setup.runner.itemText(i) for i in range(setup.runner.count())]
    assert names[0].startswith("No runner") and "Anna K." in names and names[-1] == "New runner…"
    setup.runner.setCurrentIndex(setup.runner.findData(anna))
    setup.runner.activated.emit(setup.runner.currentIndex())
    assert w.targets.runner_id == anna and w.settings.runner.runner_id == anna
    setup.target.setValue(180)   # typed in Setup: an override, kept with Anna
    st = w.fb.controller.state()
    assert st.target_spm == 180 and st.target_source == "override"
    qtbot.waitUntil(lambda: "typed in Setup" in panel.target_info.text(), timeout=2000)
    with open_store() as store:
        kept = store.runner_target(anna)
    assert kept.target_spm == 180 and kept.origin == "typed in Setup"
    qtbot.waitUntil(lambda: w.tiles.tiles["cadence_spm"].band in ("green", "amber", "red"), timeout=10000)

    # the next runner: no target of Anna's, cadence not coloured, nothing "last target"
    setup.runner.setCurrentIndex(setup.runner.findData(ben))
    setup.runner.activated.emit(setup.runner.currentIndex())
    st = w.fb.controller.state()
    assert w.targets.runner_id == ben and st.target_spm is None and st.target_source == "saved"
    assert setup.target.text() == "—"
    qtbot.waitUntil(lambda: panel.target.text() == "Target —", timeout=2000)
    qtbot.waitUntil(lambda: w.tiles.tiles["cadence_spm"].text != "—"
                    and w.tiles.tiles["cadence_spm"].band == "none", timeout=10000)
    assert w.video.hud.target is None and w.video.hud.band == "none"
    assert "last target" not in panel.target_info.text()
    # Ben's baseline is measured (12 steps): his target comes from it and is kept with him
    qtbot.waitUntil(lambda: w.fb.controller.state().target_source == "baseline", timeout=20000)
    st = w.fb.controller.state()
    qtbot.waitUntil(lambda: w.targets.target_spm == st.target_spm, timeout=2000)
    with open_store() as store:
        bens = store.runner_target(ben)
        assert store.runner_target(anna).target_spm == 180  # Anna's untouched
    assert bens.target_spm == pytest.approx(st.target_spm) and bens.origin.startswith("baseline ")

    # Anna again: her target, labelled as hers, until today's baseline is measured
    setup.runner.setCurrentIndex(setup.runner.findData(anna))
    setup.runner.activated.emit(setup.runner.currentIndex())
    st = w.fb.controller.state()
    assert st.target_spm == 180 and st.target_source == "saved"
    assert st.target_origin.startswith("Anna K.'s target from ") and "(typed in Setup)" in st.target_origin
    qtbot.waitUntil(lambda: "until today's baseline is measured" in panel.target_info.text(), timeout=2000)
    assert setup.target.value() == 180

    # R records into Anna's history
    qtbot.keyClick(w, Qt.Key.Key_R)
    assert w.recording.recording
    folder = w.recording.recorder.folder
    qtbot.wait(1500)
    w.recording.stop()
    qtbot.waitUntil(lambda: not w.recording.saving, timeout=30000)
    with open_store() as store:
        store.sync()
        assert store.get_session(folder.name).runner_id == anna
    w.close()
    # the settings file holds the runner in front of the camera, never a target
    saved = config.load(tmp_config_dir / "settings.toml")
    assert saved.runner.runner_id == anna
    assert "target" not in (tmp_config_dir / "settings.toml").read_text().split("[feedback]")[0]


def test_no_runner_starts_clean_and_a_new_window_brings_the_runner_back(qtbot, make_window,
                                                                          no_thread_leak):
    cleo = _runner("Cleo")
    with open_store() as store:
        store.set_runner_target(cleo, 176.0, "typed in Setup")
    w = make_window(source="demo")   # no runner chosen: no target at all
    assert w.targets.runner_id is None and w.fb.controller.state().target_spm is None
    w.close()
    s = replace(Settings(), runner=replace(Settings().runner, runner_id=cleo))
    w2 = make_window(source="demo", settings=s)   # the runner of last time comes back
    st = w2.fb.controller.state()
    assert w2.targets.runner_id == cleo and st.target_spm == 176 and st.target_source == "saved"
    assert w2.setup.runner.currentText() == "Cleo"
