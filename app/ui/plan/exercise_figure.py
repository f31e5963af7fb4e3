"""Stick-figure illustration of an exercise: its key poses side by side, painted with
QPainter from :func:`app.exercise.figure.drawing`. GUI thread only."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.exercise.figure import drawing

ROLE_COLORS = {"near": "#1f4078", "far": "#96aac8", "trunk": "#1f4078", "floor": "#8c8c8c",
               "prop": "#8c643c", "band": "#d23232"}
DARK_ROLE_COLORS = {**ROLE_COLORS, "near": "#e3f2fd", "trunk": "#e3f2fd", "far": "#64809e",
                    "floor": "#90a4ae"}


class ExerciseFigure(QWidget):
    """The key poses of one exercise, left to right, with a small arrow between them."""

    def __init__(self, parent: QWidget | None = None, dark: bool = False) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumSize(120, 90)
        self.poses: tuple = ()
        self.view = "side"
        self.colors = DARK_ROLE_COLORS if dark else ROLE_COLORS

    def set_exercise(self, ex) -> None:  # noqa: ANN001 - app.exercise.library.Exercise | None
        self.poses = tuple(ex.poses) if ex is not None else ()
        self.view = ex.view if ex is not None else "side"
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(110 * max(1, len(self.poses)), 140)

    def paintEvent(self, _event) -> None:  # noqa: N802, ANN001 - Qt API
        if not self.poses:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        n = len(self.poses)
        gap = 14.0
        cell_w = (self.width() - gap * (n - 1)) / n
        for i, pose in enumerate(self.poses):
            box = QRectF(i * (cell_w + gap), 4, cell_w, self.height() - 8)
            paint_pose(p, pose, self.view, box, self.colors)
            if i < n - 1:
                x = box.right() + gap / 2
                y = self.height() / 2
                pen = QPen(QColor(self.colors["floor"]), 2)
                p.setPen(pen)
                p.drawLine(QPointF(x - 5, y), QPointF(x + 4, y))
                p.drawLine(QPointF(x + 4, y), QPointF(x, y - 4))
                p.drawLine(QPointF(x + 4, y), QPointF(x, y + 4))
        p.end()


def paint_pose(p: QPainter, pose, view: str, box: QRectF, colors: dict) -> None:  # noqa: ANN001
    """One key pose fitted into ``box`` (widget pixels)."""
    d = drawing(pose, view)
    x0, y0, x1, y1 = d.bbox
    s = min(box.width() / (x1 - x0), box.height() / (y1 - y0))
    ox = box.left() + (box.width() - (x1 - x0) * s) / 2
    oy = box.bottom() - (box.height() - (y1 - y0) * s) / 2

    def P(pt) -> QPointF:  # noqa: ANN001
        return QPointF(ox + (pt[0] - x0) * s, oy - (pt[1] - y0) * s)
    for ln in d.lines:
        pen = QPen(QColor(colors[ln.role]), max(1.0, ln.width * s))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        p.setPen(pen)
        p.drawLine(P(ln.a), P(ln.b))
    for c in d.circles:
        p.setPen(QPen(QColor(colors[c.role]), max(1.5, 0.025 * s)))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(P(c.c), c.r * s, c.r * s)
