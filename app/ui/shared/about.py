"""Help → About: versions of the pieces that matter for support."""

from __future__ import annotations

import platform
from importlib import metadata


def _dist_version(*names: str) -> str:
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def versions() -> dict[str, str]:
    """Component -> version string, without importing mediapipe or cv2."""
    import PySide6
    from PySide6.QtCore import qVersion

    from app import __version__

    return {
        "GaitCoach": __version__,
        "Python": platform.python_version(),
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "mediapipe": _dist_version("mediapipe"),
        "OpenCV": _dist_version("opencv-contrib-python", "opencv-python",
                                "opencv-python-headless"),
        "numpy": _dist_version("numpy"),
        "pyqtgraph": _dist_version("pyqtgraph"),
    }


def about_html() -> str:
    rows = "".join(f"<tr><td>{k}</td><td><b>{v}</b></td></tr>" for k, v in versions().items())
    return ("<h3>GaitCoach</h3><p>Real-time running-gait retraining: mirror video with pose "
            "overlay, live cadence and running faults, metronome and spoken cues.</p>"
            f"<table cellspacing='6'>{rows}</table>")
