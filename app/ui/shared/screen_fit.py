"""Windows that fit the screen they open on (a 1366×768 laptop is the most common one).

Every window and dialog asks for its preferred size through :func:`fit_to_screen`, which
clamps it to the screen's available area (``QScreen.availableGeometry``: without the
task bar) less room for the window frame and title bar, and centres it there. Together
with minimum sizes that stay below :data:`SMALL_SCREEN` (checked by the tests under Xvfb
at 1366×768), nothing — buttons, table columns, the cadence number — ends up off-screen.
GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

#: the smallest screen every window must fit (width, height in px)
SMALL_SCREEN = QSize(1366, 768)
#: room left for the window manager's frame and title bar (px)
FRAME_W, FRAME_H = 12, 40


def available_geometry(widget: QWidget | None = None) -> QRect:
    """The available area (without task bars) of the screen ``widget`` is on, else of
    the primary screen."""
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_to_screen(window: QWidget, width: int, height: int, center: bool = True) -> QSize:
    """Resize ``window`` to ``width``×``height`` or less, so that it (with its frame) fits
    the available screen area, and centre it there; returns the size given."""
    av = available_geometry(window)
    w = max(200, min(int(width), av.width() - FRAME_W))
    h = max(150, min(int(height), av.height() - FRAME_H))
    window.resize(w, h)
    if center:
        window.move(av.x() + (av.width() - w) // 2, av.y() + max(0, (av.height() - h - FRAME_H) // 2))
    return QSize(w, h)
