"""The picture of the comparison view: two clips side by side or overlaid, plus drawings.

:class:`CompareCanvas` paints frames the decoders already rendered (crop, overlay, BGRA:
``app.ui.comparison.decoder``), so ``paintEvent`` only blits two images and draws the few
user drawings (``app.compare.annotations``) and captions. Layout (where each clip goes,
at which size) is computed on resize and handed to the decoders as a ``RenderSpec``.

Drawing tools (on a paused frame): **line** (drag), **angle** (click three points, the
middle one is the vertex; its degrees are shown), **text** (click, then type). Points are
stored in source-image pixels of the clip under the mouse (in overlay mode: clip A).
GUI thread only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.compare.annotations import Drawing
from app.compare.render import Box
from app.ui.comparison.decoder import DisplayFrame, RenderSpec

DRAW_COLOR = "#76ff03"  # lime: apart from the overlay's blues, yellow, red and purple
PANE_COLORS = ("#1f77b4", "#ff7f0e")  # before / after (as in the PDF report)
TOOLS = ("none", "line", "angle", "text")


@dataclass
class Pane:
    """What one clip shows: crop box (source px), the rect it is painted in (widget px),
    the displayed frame, its caption lines and the drawings of that frame."""

    crop: Box
    rect: QRectF = field(default_factory=QRectF)
    shown: DisplayFrame | None = None
    image: QImage | None = None
    caption: str = ""
    detail: str = ""
    drawings: list[Drawing] = field(default_factory=list)

    @property
    def scale(self) -> float:
        return self.rect.width() / max(self.crop[2] - self.crop[0], 1.0)

    def to_widget(self, p: tuple[float, float]) -> QPointF:
        s = self.scale
        return QPointF(self.rect.x() + (p[0] - self.crop[0]) * s, self.rect.y() + (p[1] - self.crop[1]) * s)

    def to_source(self, q: QPointF) -> tuple[float, float]:
        s = self.scale
        return (self.crop[0] + (q.x() - self.rect.x()) / s, self.crop[1] + (q.y() - self.rect.y()) / s)


class CompareCanvas(QWidget):
    """Paints two panes (four with two views: side above, rear below). Signals: ``drawing_added(pane, Drawing)``,
    ``text_requested(pane, (x, y))`` (the view asks for the text), ``layout_changed()``."""

    drawing_added = Signal(int, object)
    text_requested = Signal(int, object)
    layout_changed = Signal()

    #: the caption lines above each pane (px)
    CAPTION_H = 34.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(400, 240)
        # the video takes the keyboard focus (click it, or it gets it when clips load),
        # so Space, arrows and I/M/T act on it instead of typing into a text field
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setMouseTracking(True)
        self.panes: list[Pane] = []
        self.mode = "side"          # 'side' | 'overlay'
        self.opacity = 0.5          # of clip B in overlay mode
        self.tool = "none"
        self.tools_enabled = False  # the view enables drawing while paused
        self.message = "Choose two clips (before and after) and press Compare."
        self._pending: list[tuple[float, float]] = []
        self._pending_pane = -1
        self._mouse: QPointF | None = None
        self.paint_ms: list[float] = []

    # ------------------------------------------------------------------ setup
    def set_clips(self, crops: list[Box]) -> None:
        self.panes = [Pane(c) for c in crops]
        self.message = ""
        self._cancel_pending()
        self.relayout()

    def clear(self, message: str) -> None:
        self.panes = []
        self.message = message
        self.update()

    def set_mode(self, mode: str) -> None:
        if mode != self.mode:
            self.mode = mode
            self.relayout()

    def set_tool(self, tool: str) -> None:
        self.tool = tool
        self._cancel_pending()
        self.setCursor(Qt.CursorShape.ArrowCursor if tool == "none" else Qt.CursorShape.CrossCursor)

    def relayout(self) -> None:
        """Place the panes for the widget size and mode; emits ``layout_changed``. Four
        panes (two views): the side view's pair above, the other view's below."""
        W, H = float(self.width()), float(self.height())
        top, gap = self.CAPTION_H, 8.0
        rows = 2 if len(self.panes) == 4 else 1
        row_h = (H - gap) / rows
        areas = []
        for r in range(rows):
            y = r * row_h + top
            h = row_h - top - gap
            if self.mode == "side" and len(self.panes) >= 2:
                w = (W - 3 * gap) / 2
                areas += [QRectF(gap, y, w, h), QRectF(2 * gap + w, y, w, h)]
            else:
                areas += [QRectF(gap, y, W - 2 * gap, h)] * (len(self.panes) // rows)
        for pane, area in zip(self.panes, areas):
            bw, bh = pane.crop[2] - pane.crop[0], pane.crop[3] - pane.crop[1]
            s = min(area.width() / bw, area.height() / bh)
            w, h = max(2, int(bw * s)), max(2, int(bh * s))
            pane.rect = QRectF(area.x() + (area.width() - w) / 2, area.y() + (area.height() - h) / 2, w, h)
        self.layout_changed.emit()
        self.update()

    def specs(self, overlay: bool) -> list[RenderSpec]:
        return [RenderSpec(p.crop, (int(p.rect.width()), int(p.rect.height())), overlay) for p in self.panes]

    def show_frame(self, i: int, d: DisplayFrame) -> None:
        """Show the decoded frame ``d`` in pane ``i`` (repaint follows)."""
        pane = self.panes[i]
        h, w = d.bgra.shape[:2]
        pane.shown = d
        pane.image = QImage(d.bgra.data, w, h, d.bgra.strides[0], QImage.Format.Format_RGB32)
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.relayout()

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        t0 = time.perf_counter()
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#101418"))
        if not self.panes:
            p.setPen(QColor("#cfd8dc"))
            f = QFont()
            f.setPixelSize(18)
            p.setFont(f)
            p.drawText(self.rect().adjusted(40, 40, -40, -40),
                       Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
            p.end()
            return
        overlay = self.mode == "overlay" and len(self.panes) in (2, 4)
        for i, pane in enumerate(self.panes):
            if pane.image is not None:
                p.setOpacity(self.opacity if overlay and i % 2 == 1 else 1.0)
                p.drawImage(pane.rect, pane.image)
        p.setOpacity(1.0)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for i, pane in enumerate(self.panes):
            if not overlay or i % 2 == 0:
                for d in pane.drawings:
                    self._paint_drawing(p, pane, d)
        self._paint_pending(p)
        self._paint_captions(p, overlay)
        p.end()
        self.paint_ms.append((time.perf_counter() - t0) * 1000.0)
        if len(self.paint_ms) > 600:
            del self.paint_ms[:300]

    def _paint_captions(self, p: QPainter, overlay: bool) -> None:
        f = QFont()
        f.setPixelSize(14)
        f.setBold(True)
        small = QFont()
        small.setPixelSize(12)
        for i, pane in enumerate(self.panes):
            y = pane.rect.y() - self.CAPTION_H + 2 if len(self.panes) == 4 else 2.0
            if overlay or len(self.panes) == 4:
                x = 8.0 + (i % 2) * (self.width() / 2)
                rect = QRectF(x, y, self.width() / 2 - 16, 30)
            else:
                rect = QRectF(pane.rect.x(), y, max(pane.rect.width(), 300), 30)
            p.setPen(QColor(PANE_COLORS[i % 2]).lighter(130))
            p.setFont(f)
            caption = pane.caption + (f"  ({round(self.opacity * 100)} %)" if overlay and i % 2 else "")
            p.drawText(rect.adjusted(0, 0, 0, -14), Qt.AlignmentFlag.AlignLeft, caption)
            p.setPen(QColor("#cfd8dc"))
            p.setFont(small)
            p.drawText(rect.adjusted(0, 16, 0, 0), Qt.AlignmentFlag.AlignLeft, pane.detail)

    def _pen(self, width: float = 2.5) -> QPen:
        pen = QPen(QColor(DRAW_COLOR))
        pen.setWidthF(width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        return pen

    def _paint_drawing(self, p: QPainter, pane: Pane, d: Drawing,
                       extra: QPointF | None = None) -> None:
        pts = [pane.to_widget(q) for q in d.points]
        if extra is not None:
            pts.append(extra)
        p.setPen(self._pen())
        p.setBrush(QColor(DRAW_COLOR))
        for q in pts:
            p.drawEllipse(q, 3.0, 3.0)
        p.setBrush(Qt.BrushStyle.NoBrush)
        if d.kind == "line" and len(pts) >= 2:
            p.drawLine(pts[0], pts[1])
        elif d.kind == "angle" and len(pts) >= 2:
            p.drawLine(pts[0], pts[1])
            if len(pts) == 3:
                p.drawLine(pts[1], pts[2])
                src = d.points if extra is None else (*d.points, pane.to_source(extra))
                deg = Drawing("angle", tuple(src)).angle_deg
                self._paint_angle_arc(p, pts)
                if deg is not None:
                    self._label(p, pts[1] + QPointF(10, -10), f"{deg:.0f}°")
        elif d.kind == "text" and pts:
            self._label(p, pts[0], d.text)

    def _paint_angle_arc(self, p: QPainter, pts: list[QPointF]) -> None:
        import math

        a, v, c = pts
        r = 26.0
        a1 = math.degrees(math.atan2(-(a.y() - v.y()), a.x() - v.x()))
        a2 = math.degrees(math.atan2(-(c.y() - v.y()), c.x() - v.x()))
        span = (a2 - a1 + 540.0) % 360.0 - 180.0
        path = QPainterPath()
        rect = QRectF(v.x() - r, v.y() - r, 2 * r, 2 * r)
        path.arcMoveTo(rect, a1)
        path.arcTo(rect, a1, span)
        p.drawPath(path)

    def _label(self, p: QPainter, at: QPointF, text: str) -> None:
        f = QFont()
        f.setPixelSize(16)
        f.setBold(True)
        p.setFont(f)
        br = p.fontMetrics().boundingRect(text)
        box = QRectF(at.x() - 4, at.y() - br.height() + 2, br.width() + 10, br.height() + 4)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 170))
        p.drawRoundedRect(box, 4, 4)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QColor("#ffffff"))
        p.drawText(at + QPointF(1, -1), text)

    def _paint_pending(self, p: QPainter) -> None:
        if not self._pending or not 0 <= self._pending_pane < len(self.panes):
            return
        pane = self.panes[self._pending_pane]
        kind = "line" if self.tool == "line" else "angle"
        self._paint_drawing(p, pane, Drawing(kind, tuple(self._pending)), self._mouse)

    # ------------------------------------------------------------------ drawing tools
    def pane_at(self, q: QPointF) -> int:
        """Index of the pane under widget point ``q`` (overlay mode: 0), or -1."""
        for i, pane in enumerate(self.panes):
            if pane.rect.contains(q):
                return i - i % 2 if self.mode == "overlay" else i
        return -1

    def _cancel_pending(self) -> None:
        self._pending = []
        self._pending_pane = -1
        self.update()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if not self.tools_enabled or self.tool == "none" or event.button() != Qt.MouseButton.LeftButton:
            if event.button() == Qt.MouseButton.RightButton:
                self._cancel_pending()
            return super().mousePressEvent(event)
        q = event.position()
        i = self.pane_at(q) if not self._pending else self._pending_pane
        if i < 0:
            return
        pt = self.panes[i].to_source(q)
        if self.tool == "text":
            self.text_requested.emit(i, pt)
            return
        self._pending_pane = i
        self._pending.append(pt)
        self._mouse = q
        if self.tool == "angle" and len(self._pending) == 3:
            self._finish(Drawing("angle", tuple(self._pending)))
        self.update()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt API
        self._mouse = event.position()
        if self._pending:
            self.update()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.tool == "line" and self._pending and event.button() == Qt.MouseButton.LeftButton:
            pane = self.panes[self._pending_pane]
            end = pane.to_source(event.position())
            a = self._pending[0]
            if abs(end[0] - a[0]) + abs(end[1] - a[1]) > 3.0 / max(pane.scale, 1e-6):
                self._finish(Drawing("line", (a, end)))
            # a click without a drag keeps the start: the next click ends the line
            elif len(self._pending) >= 2:
                self._finish(Drawing("line", (self._pending[0], self._pending[-1])))

    def _finish(self, d: Drawing) -> None:
        i = self._pending_pane
        self._cancel_pending()
        self.drawing_added.emit(i, d)
