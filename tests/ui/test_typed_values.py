"""Issue 11 item 11: typed values are validated where they are typed (pytest-qt,
offscreen). The thresholds table refuses "abc" and low > high in the cell, with the
reason; the template editor's Close asks before discarding edits."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.config import Settings


def _type_into(qtbot, table, row: int, col: int, text: str) -> None:
    """Edit a cell as a user does: open its editor, type, Enter."""
    from PySide6.QtWidgets import QLineEdit

    table.setCurrentCell(row, col)
    table.editItem(table.item(row, col))
    editors = [e for e in table.viewport().findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1
    editor = editors[0]
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    # what the delegate does on Enter (the offscreen platform does not route it there)
    from PySide6.QtWidgets import QAbstractItemDelegate

    table.commitData(editor)
    table.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)


def test_thresholds_refuse_bad_values_in_the_cell(qtbot):
    from app.ui.live.setup_panel import SetupPanel

    panel = SetupPanel(Settings())
    qtbot.addWidget(panel)
    panel.show()
    emitted = []
    panel.settings_changed.connect(emitted.append)
    t = panel.table
    row = next(r for r in range(t.rowCount()) if t.item(r, 0).data(256) == "overstride_pct_leg")
    green_lo = t.item(row, 1).text()
    # not a number: refused in the cell, the old value back, the reason under the table
    _type_into(qtbot, t, row, 1, "abc")
    assert t.item(row, 1).text() == green_lo
    assert panel.thr_problem.isVisible()
    assert panel.thr_problem.text().startswith("“abc” is not a number")
    assert "Overstride" in panel.thr_problem.text() and t.item(row, 1).toolTip()
    assert emitted == []
    # low above high
    _type_into(qtbot, t, row, 1, "30")
    assert t.item(row, 1).text() == green_lo
    assert "green low (30) is above green high (15)" in panel.thr_problem.text()
    # green outside amber
    _type_into(qtbot, t, row, 2, "40")
    assert "must lie inside the amber band" in panel.thr_problem.text()
    assert emitted == [] and "overstride_pct_leg" not in panel.settings.thresholds
    # a good value (a decimal comma too) is taken, the reason goes
    _type_into(qtbot, t, row, 2, "12,5")
    assert t.item(row, 2).text() == "12.5" and not panel.thr_problem.isVisible()
    assert emitted and emitted[-1].thresholds["overstride_pct_leg"].green == (-5.0, 12.5)
    # a programmatic edit goes through the same check
    t.item(row, 3).setText("lots")
    assert t.item(row, 3).text() == "-10" and "“lots” is not a number" in panel.thr_problem.text()


def _editor(qtbot):
    from app.ui.protocol.editor import TemplateEditor

    dlg = TemplateEditor()
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def _answer(dlg, text: str) -> None:
    box = dlg.close_box
    assert box is not None and box.isVisible()
    next(b for b in box.buttons() if b.text() == text).click()


def test_template_editor_close_asks_before_discarding(qtbot, tmp_config_dir, tmp_data_dir):
    from app.protocol.templates import TemplateLibrary, user_protocol_dir

    dlg = _editor(qtbot)
    dlg.select("cadence")
    assert not dlg.edited
    dlg.duplicate()
    dlg.f_title.setText("Cadence for Anna")
    assert dlg.edited
    qtbot.mouseClick(dlg.b_close, Qt.MouseButton.LeftButton)
    assert dlg.isVisible() and "not saved" in dlg.close_box.text()
    _answer(dlg, "Keep editing")
    assert dlg.isVisible() and dlg.f_title.text() == "Cadence for Anna"
    qtbot.keyClick(dlg, Qt.Key.Key_Escape)   # Esc asks too
    assert dlg.isVisible()
    _answer(dlg, "Discard changes")
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=2000)
    assert not user_protocol_dir().exists() or not list(user_protocol_dir().glob("*.toml"))

    dlg2 = _editor(qtbot)
    dlg2.select("cadence")
    qtbot.mouseClick(dlg2.b_close, Qt.MouseButton.LeftButton)  # no edits: closes at once
    assert not dlg2.isVisible() and getattr(dlg2, "close_box", None) is None

    dlg3 = _editor(qtbot)
    dlg3.select("cadence")
    dlg3.duplicate()
    dlg3.f_title.setText("Cadence, saved on close")
    dlg3.close()   # the window's ✕
    assert dlg3.isVisible()
    _answer(dlg3, "Save as my template")
    qtbot.waitUntil(lambda: not dlg3.isVisible(), timeout=2000)
    lib = TemplateLibrary.load()
    assert lib.get("cadence_copy").title == "Cadence, saved on close"


def _click_row(qtbot, dlg, row: int) -> None:
    """Click a template in the editor's list as a user does."""
    rect = dlg.list.visualItemRect(dlg.list.item(row))
    qtbot.mouseClick(dlg.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_template_editor_asks_before_switching_away_from_edits(qtbot, tmp_config_dir, tmp_data_dir):
    """Picking another template in the list with unsaved edits asks first (like Close);
    changing the runner beside *Save for this runner* keeps the edits."""
    from app.protocol.templates import TemplateLibrary
    from app.session.store import open_store

    with open_store() as st:
        st.add_runner("Anna K.")
    dlg = _editor(qtbot)
    names = [t.name for t in dlg.templates]
    dlg.select("cadence")
    other = next(i for i, n in enumerate(names) if n != "cadence")
    other_name = names[other]
    _click_row(qtbot, dlg, other)   # no edits: shown at once
    assert dlg.current.name == other_name and getattr(dlg, "close_box", None) is None
    dlg.select("cadence")
    dlg.duplicate()
    dlg.f_title.setText("Cadence for Anna")
    _click_row(qtbot, dlg, other)
    box = getattr(dlg, "close_box", None)
    assert box is not None and "not saved" in box.text(), "the edits were dropped without asking"
    qtbot.wait(50)
    assert dlg.list.currentRow() == names.index("cadence")   # the list stays on the edits
    assert [i.text() for i in dlg.list.selectedItems()] == [dlg.list.item(names.index("cadence")).text()]
    _answer(dlg, "Keep editing")
    assert dlg.f_title.text() == "Cadence for Anna" and dlg.edited
    # a runner picked for 'Save for this runner' does not reload the edits away
    dlg.runner_combo.setCurrentIndex(dlg.runner_combo.count() - 1)
    assert dlg.f_title.text() == "Cadence for Anna" and dlg.edited
    _click_row(qtbot, dlg, other)
    _answer(dlg, "Discard changes")
    assert dlg.current.name == other_name and not dlg.edited
    assert dlg.list.currentRow() == other
    # save, then the picked template opens
    dlg.select("cadence")
    dlg.duplicate()
    dlg.f_title.setText("Cadence, saved on switch")
    _click_row(qtbot, dlg, [t.name for t in dlg.templates].index(other_name))
    _answer(dlg, "Save as my template")
    assert TemplateLibrary.load().get("cadence_copy").title == "Cadence, saved on switch"
    assert dlg.current.name == other_name and not dlg.edited
    assert dlg.templates[dlg.list.currentRow()].name == other_name
    dlg.done(0)
