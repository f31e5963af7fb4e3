"""The plan and exercise cores are Qt-free: no Qt, cv2, mediapipe, audio or video imports."""

import subprocess
import sys


def test_plan_and_exercise_import_no_gui_or_media():
    code = (
        "import sys, importlib, pkgutil, app.plan as p, app.exercise as e\n"
        "for pkg in (p, e):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "importlib.import_module('app.capture.squatter')\n"
        "bad = [n for n in sys.modules if n.split('.')[0] in "
        "('PySide6', 'cv2', 'mediapipe', 'pyqtgraph', 'sounddevice', 'av', 'fpdf', 'matplotlib')]\n"
        "print(','.join(bad)); sys.exit(1 if bad else 0)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, f"imported: {r.stdout} {r.stderr}"
