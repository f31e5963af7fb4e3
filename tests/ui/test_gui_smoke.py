"""The desktop app as a process: ``python -m app --source demo --exit-after S --screenshot``
under a virtual X server (Xvfb, Qt's xcb platform) when ``xvfb-run`` is installed, otherwise
offscreen. Runs on both supported Python versions (marker ``second_python``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.second_python
def test_window_runs_demo_and_saves_a_screenshot(tmp_path, report_figure):
    png = tmp_path / "window.png"
    cmd = [sys.executable, "-m", "app", "--source", "demo", "--exit-after", "6",
           "--screenshot", str(png), "--no-save"]
    env = dict(os.environ, PYTHONPATH=str(REPO), GAITCOACH_CONFIG_DIR=str(tmp_path / "cfg"),
               GAITCOACH_DATA_DIR=str(tmp_path / "data"))
    xvfb = shutil.which("xvfb-run")
    if xvfb:
        env.pop("QT_QPA_PLATFORM", None)
        cmd = [xvfb, "-a", "-s", "-screen 0 1366x768x24", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr

    from PySide6.QtGui import QImage

    img = QImage(str(png))
    assert not img.isNull() and img.width() >= 640 and img.height() >= 400
    img = img.convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())
    rgb = arr[:, : img.width() * 3].reshape(img.height(), img.width(), 3)
    # A drawn window (video, tiles, text) has many colours; a blank or black grab has a few.
    n_colours = len(np.unique(rgb.reshape(-1, 3)[::7], axis=0))
    assert n_colours > 200, n_colours
    report_figure(f"Python {sys.version.split()[0]}: GUI smoke run "
                  f"({'Xvfb/xcb' if xvfb else 'offscreen'}) window {img.width()}x{img.height()}, "
                  f"{n_colours} colours")
