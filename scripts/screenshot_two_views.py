"""Render the two-view pictures of the README (a temporary config and data dir; never the
user's): the live window with the side and the rear camera at once — the demo runner
filmed by two cameras in step, with some overstride and pelvic drop so the tiles of both
views have something to say.

* ``docs/screenshots/two_views.png``: the clinic layout, both videos side by side, the
  tiles of both views (the Feedback panel closed: Ctrl+.);
* ``docs/screenshots/two_views_setup.png``: one large (the runner's view) and one small,
  with Setup → Cameras and its framing check per camera.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshot_two_views.py [OUT_DIR]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUN_S = 9.0  # seconds of running before the first picture (tiles and plots fill)


def main() -> int:
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshots"
    tmp = Path(tempfile.mkdtemp(prefix="gaitcoach-shot-"))
    os.environ["GAITCOACH_DATA_DIR"] = str(tmp / "data")
    os.environ["GAITCOACH_CONFIG_DIR"] = str(tmp / "config")
    os.environ.setdefault("GLOG_minloglevel", "2")
    sys.path.insert(0, str(REPO))
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.config import DisplaySettings, Settings
    from app.ui.live.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    settings = Settings(display=DisplaySettings(second_view="rear", second_source="demo"))
    w = MainWindow(settings, source="demo", save_settings=False)
    w.confirm_close = False
    w.demo_params = {"cadence_spm": 164.0, "overstride": 0.14, "pelvic_drop_deg": 7.0}
    w.set_source("demo")
    w.fb.dock.hide()
    w.show()
    out_dir.mkdir(parents=True, exist_ok=True)

    def grab(name: str) -> None:
        path = out_dir / name
        w.grab().save(str(path))
        print(f"wrote {path}")

    def first() -> None:
        grab("two_views.png")
        w.two_views.act_layout.setChecked(True)    # one large, one small (V)
        w.setup_dock.show()
        QTimer.singleShot(4000, second)

    def second() -> None:
        grab("two_views_setup.png")
        w.close()
        app.quit()

    QTimer.singleShot(int(RUN_S * 1000), first)
    rc = int(app.exec())
    shutil.rmtree(tmp, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
