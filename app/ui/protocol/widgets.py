"""Small painted widgets of the guided session: the block timeline and the framing guide
video. GUI thread only; ``paintEvent`` only draws what the setters prepared."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.protocol.framing import BODY_POINTS, FOOT_VIS, HEAD_TOP_FRAC, MARGIN_FRAC, FramingReport
from app.protocol.templates import BlockSpec
from app.types import LM
from app.ui.shared.fmt import mmss

KIND_COLORS = {"baseline": "#607d8b", "retraining": "#2e7d32", "faded": "#f9a825",
               "retention": "#1565c0", "free": "#6d4c41"}
OK_COLOR = "#43a047"
BAD_COLOR = "#ffb300"


def block_feedback_words(b: BlockSpec) -> str:
    """'metronome on · cues (continuous) · mirror' — what a block switches on."""
    parts = []
    if b.metronome != "off":
        parts.append("metronome " + ("every other minute" if b.metronome == "alternate" else "on"))
    if b.cues:
        parts.append(f"cues ({b.schedule.value})")
    for flag, word in ((b.mirror, "mirror"), (b.skeleton, "skeleton"), (b.tiles, "tiles")):
        if flag:
            parts.append(word)
    return " · ".join(parts) if parts else "no feedback"


class BlockTimeline(QWidget):
    """The blocks of a template as a horizontal bar, widths ∝ duration, coloured by kind.
    With :meth:`set_progress` the elapsed part is shaded and the current block outlined."""

    def __init__(self, parent: QWidget | None = None, compact: bool = False) -> None:
        super().__init__(parent)
        self.compact = compact
        self.blocks: tuple[BlockSpec, ...] = ()
        self.durations: list[float] = []
        self.current = -1
        self.elapsed_s = 0.0   # total block seconds done (for the shading)
        self.setMinimumHeight(26 if compact else 64)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(400, 26 if self.compact else 64)

    def set_blocks(self, blocks) -> None:  # noqa: ANN001 - iterable of BlockSpec
        self.blocks = tuple(blocks)
        self.durations = [b.duration_s for b in self.blocks]
        self.current, self.elapsed_s = -1, 0.0
        self.setToolTip("\n".join(f"{i + 1}. {b.name} — {mmss(b.duration_s)} — "
                                  f"{block_feedback_words(b)}" for i, b in enumerate(self.blocks)))
        self.update()

    def set_progress(self, current: int, elapsed_s: float, current_duration_s: float | None = None) -> None:
        """``current`` block index; ``elapsed_s`` total block seconds run; the current
        block's length may have been extended (``current_duration_s``)."""
        if current_duration_s is not None and 0 <= current < len(self.durations):
            self.durations[current] = current_duration_s
        self.current, self.elapsed_s = current, elapsed_s
        self.update()

    def paintEvent(self, _ev) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        total = sum(self.durations) or 1.0
        w, h = self.width() - 2, self.height() - 2
        x = 1.0
        font = QFont(self.font())
        font.setPointSizeF(8.5 if self.compact else 9.5)
        p.setFont(font)
        for i, (b, d) in enumerate(zip(self.blocks, self.durations)):
            bw = w * d / total
            r = QRectF(x, 1, max(1.0, bw - 2), h)
            p.setPen(Qt.PenStyle.NoPen)
            col = QColor(KIND_COLORS.get(b.kind, "#777"))
            if b.metronome == "alternate" and not self.compact:
                col = col.darker(110)
            p.setBrush(col)
            p.drawRoundedRect(r, 4, 4)
            p.setPen(QColor("#ffffff"))
            if self.compact:
                text = b.name if bw > 70 else ""
            else:
                text = f"{b.name}\n{mmss(d)}" + ("\n♪" if b.metronome == "on" else
                                                  "\n♪ on/off" if b.metronome == "alternate" else "")
            p.drawText(r.adjusted(3, 1, -3, -1), Qt.AlignmentFlag.AlignCenter, text)
            if i == self.current:
                pen = QPen(QColor("#ffffff"), 3)
                p.setPen(pen)
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(r.adjusted(1, 1, -1, -1), 4, 4)
            x += bw
        if self.current >= 0:
            done_w = w * min(self.elapsed_s, total) / total
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(0, 0, 0, 110))
            p.drawRect(QRectF(1, 1, done_w, h))
            p.setPen(QPen(QColor("#ffffff"), 2))
            p.drawLine(QPointF(1 + done_w, 0), QPointF(1 + done_w, h + 2))
        p.end()


class FramingView(QWidget):
    """The live frame with the framing guide: the safe margin (dashed), the key landmarks
    (green inside and visible, amber otherwise) and the body's box. Source image
    coordinates; ``mirror`` flips the picture and the marks together."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(360, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.mirror = False
        self.message = "Waiting for the camera…"
        self._img: QImage | None = None
        self._buf: np.ndarray | None = None
        self._size = (0, 0)           # source width, height
        self._marks: list[tuple[float, float, bool]] = []
        self._box: tuple[float, float, float, float] | None = None
        self._ready = False

    def set_frame(self, image: np.ndarray | None, landmarks: np.ndarray | None,
                  report: FramingReport | None) -> None:
        """Show one processed frame (RGB uint8) with its landmarks (pixels) and the
        current verdict (the frame is shown at most 640 px wide: every 2nd pixel)."""
        if image is None:
            self._img = None
            self._marks, self._box = [], None
            self.update()
            return
        h, w = image.shape[:2]
        step = 2 if w > 960 else 1
        sub = np.ascontiguousarray(image[::step, ::step, :3])
        if self.mirror:
            sub = np.ascontiguousarray(sub[:, ::-1])
        self._buf = sub
        self._img = QImage(sub.data, sub.shape[1], sub.shape[0], sub.strides[0],
                           QImage.Format.Format_RGB888)
        self._size = (w, h)
        self._marks = []
        self._box = None
        if landmarks is not None:
            xs, ys = [], []
            mx, my = MARGIN_FRAC * w, MARGIN_FRAC * h
            for name in BODY_POINTS:
                x, y, _z, v = (float(a) for a in landmarks[LM[name]])
                if np.isnan(x) or np.isnan(y):
                    continue
                inside = mx <= x <= w - mx and my <= y <= h - my
                foot = any(k in name for k in ("heel", "foot_index", "ankle"))
                ok = inside and (v >= FOOT_VIS or not foot)
                if self.mirror:
                    x = w - x
                self._marks.append((x, y, ok))
                xs.append(x)
                ys.append(y)
            if xs:
                # up to the estimated top of the head, as the full-body check uses
                nose = landmarks[LM["nose"], 1]
                sh = (landmarks[LM["left_shoulder"], 1] + landmarks[LM["right_shoulder"], 1]) / 2
                top = float(nose - HEAD_TOP_FRAC * max(0.0, sh - nose))
                top = min(ys) if np.isnan(top) else min(min(ys), top)
                self._box = (min(xs), top, max(xs), max(ys))
            self.message = ""
        else:
            self.message = "No runner found"
        self._ready = bool(report is not None and report.ready)
        self.update()

    def paintEvent(self, _ev) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#101418"))
        if self._img is not None and self._size[0] > 0:
            w, h = self._size
            s = min(self.width() / w, self.height() / h)
            ox, oy = (self.width() - w * s) / 2, (self.height() - h * s) / 2
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            p.drawImage(QRectF(ox, oy, w * s, h * s), self._img)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            m = MARGIN_FRAC
            pen = QPen(QColor(OK_COLOR if self._ready else BAD_COLOR), 2, Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(ox + m * w * s, oy + m * h * s, w * s * (1 - 2 * m), h * s * (1 - 2 * m)))
            if self._box is not None:
                x0, y0, x1, y1 = self._box
                p.setPen(QPen(QColor(255, 255, 255, 150), 1))
                p.drawRect(QRectF(ox + x0 * s - 6, oy + y0 * s - 6, (x1 - x0) * s + 12, (y1 - y0) * s + 12))
            for x, y, ok in self._marks:
                p.setPen(QPen(QColor("#000000"), 1))
                p.setBrush(QColor(OK_COLOR if ok else BAD_COLOR))
                p.drawEllipse(QPointF(ox + x * s, oy + y * s), 5, 5)
        if self.message:
            f = QFont(self.font())
            f.setPointSize(16)
            f.setBold(True)
            p.setFont(f)
            p.setPen(QColor("#ffffff"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.message)
        p.end()
