"""Help → Self-test… in the real window: the checks run on a worker thread, one row each,
then the verdict; the report can be copied; the window icon comes from assets/icons."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from app.ui.shared.selftest_dialog import N_CHECKS


def test_help_selftest_runs_every_check(qtbot, make_window, no_thread_leak, tmp_data_dir):
    w = make_window(source="demo")
    help_menu = w.menuBar().actions()[-1].menu()
    assert w.act_selftest in help_menu.actions()
    w.act_selftest.trigger()
    dlg = w.selftest_dialog
    assert dlg.isVisible() and dlg.running
    qtbot.waitUntil(lambda: not dlg.running and dlg.btn_again.isEnabled(), timeout=120_000)
    assert dlg.table.topLevelItemCount() == N_CHECKS == len(dlg.checks)
    names = [dlg.table.topLevelItem(i).text(1) for i in range(N_CHECKS)]
    assert names[:4] == ["version", "shipped data", "pose model", "gait engine"]
    assert dlg.verdict.text().startswith("Self-test passed"), dlg.report_text()
    assert str(tmp_data_dir) in dlg.report_text()
    dlg.copy_report()
    assert QGuiApplication.clipboard().text().splitlines()[-1] == dlg.verdict.text()
    dlg.close()


def test_window_icon_from_assets(qapp):
    from app.ui.shared.branding import set_app_icon

    set_app_icon(qapp)
    sizes = {s.width() for s in qapp.windowIcon().availableSizes()}
    assert {16, 32, 48, 256} <= sizes
    assert qapp.desktopFileName() == "org.gaitcoach.GaitCoach"


def test_about_and_version_come_from_pyproject(qapp):
    import tomllib
    from pathlib import Path

    from app import __version__
    from app.ui.shared.about import about_html

    version = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())[
        "project"]["version"]
    assert __version__ == version
    assert f"<b>{version}</b>" in about_html()
