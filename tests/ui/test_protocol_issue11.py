"""Issue 11 in a guided session (pytest-qt, offscreen, demo runner): *Set* applies the
target typed in the box (item 3), the target reads as a sentence (item 9), wall mode's
block and focus line are large enough to read at 3 m (item 12)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.protocol.templates import parse_template, save_user_template
from tests.ui.test_protocol_flow import SHORT, _flow_to_camera


@pytest.fixture
def short_template(tmp_config_dir):
    t = parse_template(SHORT, source="user")
    save_user_template(t)
    return t


def _start(qtbot, w, name: str):
    flow = _flow_to_camera(qtbot, w, name, "short_test")
    qtbot.waitUntil(lambda: flow.b_start.isEnabled(), timeout=10000)
    flow.b_start.click()
    p = w.protocol
    qtbot.waitUntil(lambda: p.runner is not None and p.runner.status == "running", timeout=30000)
    return p


def test_set_applies_the_typed_target_and_the_metronome_follows(qtbot, make_window, short_template,
                                                                no_thread_leak):
    w = make_window(source="demo", save_settings=False)
    w.protocol.time_scale = 1.0
    p = _start(qtbot, w, "Cleo")
    qtbot.keyClick(w, Qt.Key.Key_N)  # to the retraining block: the metronome clicks
    qtbot.waitUntil(lambda: w.fb.controller.state().metronome_on, timeout=5000)
    p.bar.spin.setValue(183)
    spin = p.bar.spin
    qtbot.mouseClick(spin.lineEdit(), Qt.MouseButton.LeftButton)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "180")   # typed, not confirmed with Enter
    assert spin.lineEdit().text().startswith("180")
    qtbot.mouseClick(p.bar.b_set, Qt.MouseButton.LeftButton)
    st = p.runner.state()
    assert st.target_spm == 180 and st.target_source == "override"
    fb = w.fb.controller.state()
    assert fb.target_spm == 180 and fb.bpm == pytest.approx(180)  # what the clinician sees
    assert p.bar.target.text() == "Target 180 spm, set by the clinician"
    # Enter works too
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "176")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert p.runner.state().target_spm == 176 and w.fb.controller.state().target_spm == 176
    p.abort()
    qtbot.waitUntil(lambda: p.runner is None, timeout=60000)


def test_target_reads_as_a_sentence():
    from types import SimpleNamespace

    from app.ui.protocol.bar import target_words

    blk = SimpleNamespace(kind="retraining")
    st = lambda src, **kw: SimpleNamespace(target_spm=170.0, target_source=src, block=blk,  # noqa: E731
                                           baseline_spm=kw.get("base"))
    assert target_words(st("fallback")) == "Target 170 spm, planned: too few baseline steps"
    assert target_words(st("baseline", base=158.2)) == "Target 170 spm, from the baseline of 158 spm"
    assert "((" not in target_words(st("fallback")) and "))" not in target_words(st("fallback"))
    none = SimpleNamespace(target_spm=None, target_source="", block=SimpleNamespace(kind="baseline"))
    assert target_words(none) == "Target — (measuring the baseline)"


def test_wall_mode_block_and_focus_line_are_large(qtbot, make_window, short_template, no_thread_leak):
    w = make_window(source="demo", save_settings=False)
    w.protocol.time_scale = 1.0
    p = _start(qtbot, w, "Dan")

    def px(label) -> int:
        return label.fontInfo().pixelSize()

    small = (px(p.bar.block), px(p.bar.instruction))
    assert p.bar.spin.isVisible()
    w.act_full.setChecked(True)   # wall mode
    qtbot.waitUntil(lambda: p.bar.wall, timeout=2000)
    assert p.bar.isVisible()
    assert px(p.bar.block) >= 44 and px(p.bar.instruction) >= 44 and px(p.bar.countdown) >= 90
    assert px(p.bar.block) > 2 * small[0] and px(p.bar.instruction) > 2 * small[1]
    assert not p.bar.spin.isVisible() and not p.bar.b_set.isVisible()
    assert p.bar.instruction.text() and p.bar.block.text().startswith("1/3")
    w.act_full.setChecked(False)
    qtbot.waitUntil(lambda: p.bar.wall is False, timeout=2000)
    assert (px(p.bar.block), px(p.bar.instruction)) == small and p.bar.spin.isVisible()
    p.abort()
    qtbot.waitUntil(lambda: p.runner is None, timeout=60000)
