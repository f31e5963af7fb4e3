"""The gait core is pure numpy: it must not import Qt, cv2 or mediapipe."""

import subprocess
import sys


def test_gait_imports_no_qt_cv2_mediapipe():
    code = (
        "import sys, importlib, pkgutil, app.gait as g\n"
        "for m in pkgutil.walk_packages(g.__path__, 'app.gait.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [n for n in sys.modules if n.split('.')[0] in "
        "('PySide6', 'cv2', 'mediapipe', 'pyqtgraph', 'sounddevice', 'av')]\n"
        "print(','.join(bad)); sys.exit(1 if bad else 0)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, f"app.gait imported: {r.stdout} {r.stderr}"


def test_nothing_imports_ui():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2] / "app"
    offenders = []
    for path in root.rglob("*.py"):
        if "ui" in path.relative_to(root).parts[:1]:
            continue
        text = path.read_text(encoding="utf-8")
        if "from app.ui" in text or "import app.ui" in text:
            if path.name != "__main__.py":
                offenders.append(str(path))
    assert not offenders, offenders
