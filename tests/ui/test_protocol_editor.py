"""Template editor (Tools → Session templates…), pytest-qt offscreen with the real
template files, the user template folder in the temp config dir and the real store:
duplicate a shipped template, edit a block's minutes, an invalid value shows the
parser's sentence and blocks saving, save as a user template and read it back through
the library, save one with a runner, and the editor opened from the window's Tools menu."""

from __future__ import annotations


from app.config import Settings
from app.protocol.templates import TemplateLibrary, user_protocol_dir


def _editor(qtbot, **kw):
    from app.ui.protocol.editor import COL, TemplateEditor

    dlg = TemplateEditor(**kw)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg, COL


def _set_cell(dlg, r: int, c: int, text: str) -> None:
    dlg.table.item(r, c).setText(text)
    dlg.validate()


def test_duplicate_edit_minutes_invalid_sentence_save_and_reload(qtbot, tmp_config_dir):
    dlg, COL = _editor(qtbot)
    dlg.select("cadence")
    assert dlg.current.name == "cadence" and dlg.current.source == "shipped"
    assert dlg.table.rowCount() == 6
    assert dlg.table.item(1, COL["minutes"]).text() == "4"
    assert not dlg.b_delete.isEnabled()  # shipped
    dlg.duplicate()
    assert dlg.f_name.text() == "cadence_copy" and dlg.f_title.text() == "Cadence retraining (copy)"
    # edit a duration: 4 → 5 minutes
    _set_cell(dlg, 1, COL["minutes"], "5")
    assert dlg.problems == () and dlg.b_save_user.isEnabled()
    assert "OK: 6 blocks, 21 min" in dlg.status.text()
    # an invalid value: the sentence is shown and saving is refused
    _set_cell(dlg, 2, COL["minutes"], "four")
    assert dlg.problems and "Block 3 has 'four' as minutes" in dlg.status.text()
    assert not dlg.b_save_user.isEnabled()
    _set_cell(dlg, 2, COL["minutes"], "400")
    assert "is 400 minutes long; use 1 second to 180 minutes." in dlg.status.text()
    _set_cell(dlg, 2, COL["minutes"], "4")
    dlg.table.item(3, COL["target"]).setText("fast please")
    dlg.validate()
    assert "the target 'fast please' is not 'none', 'baseline + P%' or 'N spm'" in dlg.status.text()
    dlg.table.item(3, COL["target"]).setText("")
    # the metronome on a block with no target rule anywhere
    dlg.f_target.setText("none")
    dlg.f_fallback.setText("")
    dlg.validate()
    assert "has the metronome on but no target cadence" in dlg.status.text()
    dlg.f_target.setText("baseline + 7.5%")
    dlg.f_fallback.setText("170")
    dlg.table.cellWidget(4, COL["metronome"]).setCurrentText("on")  # faded block: full beat
    assert dlg.validate() is not None
    path = dlg.save_user()
    assert path is not None and path.endswith("cadence_copy.toml")
    assert (user_protocol_dir() / "templates" / "cadence_copy.toml").is_file()
    # reloaded from the library: the edit is there, the shipped one is unchanged
    lib = TemplateLibrary.load()
    t = lib.get("cadence_copy")
    assert t.source == "user" and t.blocks[1].duration_s == 300 and t.blocks[4].metronome == "on"
    assert lib.get("cadence").blocks[1].duration_s == 240
    assert dlg.current.name == "cadence_copy" and dlg.b_delete.isEnabled()
    # the list shows it as yours
    assert any("cadence_copy" in dlg.list.item(i).text() and "[yours]" in dlg.list.item(i).text()
               for i in range(dlg.list.count()))
    dlg.delete_now(dlg.current)
    assert not (user_protocol_dir() / "templates" / "cadence_copy.toml").exists()
    dlg.done(0)


def test_add_move_remove_blocks_and_save_with_a_runner(qtbot, tmp_data_dir):
    from app.session.store import open_store

    with open_store() as st:
        rid = st.add_runner("Cleo").id
    dlg, COL = _editor(qtbot, runner_id=rid)
    assert dlg.runner_combo.currentText() == "Cleo"
    dlg.select("overstride")
    n = dlg.table.rowCount()
    dlg.table.selectRow(1)
    dlg.add_block()
    assert dlg.table.rowCount() == n + 1
    assert dlg.table.item(n, COL["name"]).text().endswith("(copy)")
    dlg.table.selectRow(n)
    dlg.move_block(-1)
    assert dlg.table.currentRow() == n - 1
    assert dlg.table.item(n - 1, COL["name"]).text().endswith("(copy)")
    dlg.remove_block()
    assert dlg.table.rowCount() == n
    dlg.table.item(0, COL["say"]).setText("Run easy for two minutes.")
    dlg.f_name.setText("overstride_cleo")
    assert dlg.save_runner()
    with open_store() as st:
        saved = st.runner_templates(rid)
    assert "overstride_cleo" in saved and "Run easy for two minutes." in saved["overstride_cleo"]
    assert dlg.current.source == "runner"
    dlg.done(0)


def test_tools_menu_opens_the_editor(qtbot):
    from app.ui.live.main_window import MainWindow
    from app.ui.protocol.editor import TemplateEditor

    w = MainWindow(settings=Settings(), source="demo", save_settings=False)
    qtbot.addWidget(w)
    try:
        tools = next(a.menu() for a in w.menuBar().actions() if a.text() == "&Tools")
        act = next(a for a in tools.actions() if a.text() == "Session templates…")
        act.trigger()
        assert isinstance(w.protocol.editor, TemplateEditor) and w.protocol.editor.isVisible()
        session = next(a.menu() for a in w.menuBar().actions() if a.text() == "&Session")
        texts = [a.text() for a in session.actions() if not a.isSeparator()]
        assert texts[0] == "Guided session…" and "Next block" in texts
        assert w.protocol.act_guided.shortcut().toString() == "Ctrl+G"
        assert "(N)" in w.protocol.act_skip.toolTip()
    finally:
        w.close()
    assert w.protocol.editor is None or not w.protocol.editor.isVisible()
