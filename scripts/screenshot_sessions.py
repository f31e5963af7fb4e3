"""Render docs/screenshots/sessions.png: the session browser with a runner's six sessions
over seven weeks (hand-made session folders in a temporary data dir; never the user's).

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshot_sessions.py [OUT.png]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SESSIONS = [  # id, start (UTC), cadence spm, overstride % leg, name
    ("20261003-091500-1a2b3c", "2026-10-03T09:15:00Z", 158.2, 18.5, "Baseline"),
    ("20261017-091000-4d5e6f", "2026-10-17T09:10:00Z", 163.9, 14.2, "Week 2: metronome 165"),
    ("20261031-092000-7a8b9c", "2026-10-31T09:20:00Z", 168.4, 11.0, "Week 4: metronome 170"),
    ("20261114-093000-0d1e2f", "2026-11-14T09:30:00Z", 171.6, 8.7, "Week 6: faded cues"),
    ("20261121-101500-a1b2c3", "2026-11-21T10:15:00Z", 172.3, 7.9, "Retention"),
]


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "docs" / "screenshots" / "sessions.png")
    tmp = Path(tempfile.mkdtemp(prefix="gaitcoach-shot-"))
    os.environ["GAITCOACH_DATA_DIR"] = str(tmp / "data")
    os.environ["GAITCOACH_CONFIG_DIR"] = str(tmp / "config")
    sys.path.insert(0, str(REPO))
    from tests.helpers.session_folders import make_session_folder

    from app.session.store import open_store, sessions_root

    root = sessions_root()
    for sid, t, cad, over, _ in SESSIONS:
        make_session_folder(root, sid, started_utc=t, cadence_spm=cad, overstride=over, duration_s=612.0)
    make_session_folder(root, "20261121-110000-cccccc", started_utc="2026-11-21T11:00:00Z",
                        cadence_spm=None, overstride=None, state="recording", duration_s=None)
    make_session_folder(root, "20261120-160000-bbbbbb", started_utc="2026-11-20T16:00:00Z",
                        cadence_spm=176.0, overstride=5.0, duration_s=300.0, video=False)
    with open_store() as store:
        store.sync()
        ann = store.add_runner("Anna K.")
        ben = store.add_runner("Ben T.")
        for sid, *_, name in SESSIONS:
            store.assign_runner(sid, ann.id)
            store.rename_session(sid, name)
        store.assign_runner("20261121-110000-cccccc", ann.id)
        store.rename_session("20261121-110000-cccccc", "Retention, 2nd run")
        store.assign_runner("20261120-160000-bbbbbb", ben.id)
        store.set_notes(SESSIONS[-1][0], "Cadence held without cues; overstride now in the "
                                         "green band. Next check in 4 weeks.")

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui.sessions.browser import SessionBrowser

    app = QApplication.instance() or QApplication(sys.argv[:1])
    browser = SessionBrowser()
    browser.show()
    browser.select_runner(ann.id)
    browser.select_sessions([SESSIONS[-1][0]])

    def shoot() -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        browser.grab().save(str(out))
        print(f"wrote {out}")
        browser.close_store()
        app.quit()

    QTimer.singleShot(1000, shoot)
    rc = int(app.exec())
    shutil.rmtree(tmp, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
