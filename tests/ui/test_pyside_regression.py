"""Regression guard for PySide6 6.12.0: void calls corrupt the refcount of None and the
process aborts in ``none_dealloc`` after enough overlay painting (drawLine etc. + update()).

Runs 30 s of overlay painting at 30 fps in a subprocess (so an abort cannot take pytest
down) and pins the version below 6.12 (pyproject.toml has the same bound).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

PAINT_SECONDS = 30

SCRIPT = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
    from PySide6.QtWidgets import QApplication, QWidget

    SECONDS = float(sys.argv[1])

    class Overlay(QWidget):
        def __init__(self):
            super().__init__()
            self.resize(640, 480)
            self.n = 0
            self.img = QImage(320, 240, QImage.Format.Format_RGB888)
            self.img.fill(QColor("#334"))

        def paintEvent(self, event):
            p = QPainter(self)
            p.drawImage(QPointF(0, 0), self.img)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            pen = QPen(QColor("#ffee58"))
            pen.setWidthF(3.0)
            pen.setCosmetic(True)
            for i in range(40):
                p.setPen(pen)
                p.drawLine(QPointF(10 + i, 10), QPointF(300, 200 + (self.n + i) % 50))
                p.drawEllipse(QPointF(100 + i, 100), 4.0, 4.0)
                p.drawArc(QRectF(50, 50, 80, 80), (self.n * 16) % 5760, 90 * 16)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(self.rect().adjusted(5, 5, -5, -5))
            f = QFont()
            f.setPixelSize(20)
            p.setFont(f)
            p.drawText(QPointF(20, 40), f"{self.n} spm")
            p.save()
            p.restore()
            p.end()
            self.n += 1

    app = QApplication(sys.argv[:1])
    w = Overlay()
    w.show()
    t = QTimer()
    t.timeout.connect(w.update)
    t.start(33)
    QTimer.singleShot(int(SECONDS * 1000), app.quit)
    rc = app.exec()
    print("painted", w.n)
    sys.exit(rc)
    """
)


def test_pyside_version_below_6_12():
    import PySide6

    major, minor = (int(x) for x in PySide6.__version__.split(".")[:2])
    assert (major, minor) < (6, 12), (
        f"PySide6 {PySide6.__version__}: 6.12 aborts in none_dealloc during overlay painting")


@pytest.mark.slow
def test_overlay_painting_30s_does_not_crash():
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    r = subprocess.run([sys.executable, "-c", SCRIPT, str(PAINT_SECONDS)], capture_output=True,
                       text=True, timeout=PAINT_SECONDS + 60, env=env)
    out = r.stdout + r.stderr
    assert "none_dealloc" not in out, out[-2000:]
    assert r.returncode == 0, out[-2000:]
    painted = int(r.stdout.split("painted")[1].split()[0])
    assert painted >= PAINT_SECONDS * 20  # ~30 fps, allowing a loaded machine
