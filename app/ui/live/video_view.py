"""Mirror-style video with the pose overlay, contact flash and a large cadence number.

All preparation (resize, mirror flip, overlay geometry) happens in :meth:`VideoView.show_frame`,
called from the window's display timer; ``paintEvent`` only draws prepared objects.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QTransform
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.pose.overlay import LINE_STYLES, Overlay

FLASH_S = 0.25

_PENS = LINE_STYLES
BAND_COLORS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "none": "#546e7a"}


def cadence_band(value: float | None, target: float, band_pct: float) -> str:
    """'green' within target ± band, 'amber' within twice that, else 'red'."""
    if value is None:
        return "none"
    dev = abs(value - target) / target * 100.0
    if dev <= band_pct:
        return "green"
    if dev <= 2 * band_pct:
        return "amber"
    return "red"


def heel_at(history, t_ns: int, foot: str) -> tuple[float, float] | None:  # noqa: ANN001
    """Heel (or ankle, when the heel is unsure) position in image px at the time nearest
    ``t_ns`` among ``history`` = (t_ns, landmarks (33, 4) or None) pairs."""
    from app.types import LM

    best = None
    for t, lm in history:
        if lm is not None and (best is None or abs(t - t_ns) < abs(best[0] - t_ns)):
            best = (t, lm)
    if best is None:
        return None
    lm = best[1]
    i = LM[f"{foot}_heel"] if lm[LM[f"{foot}_heel"], 3] >= 0.3 else LM[f"{foot}_ankle"]
    return float(lm[i, 0]), float(lm[i, 1])


@dataclass(frozen=True, slots=True)
class CadenceHud:
    """The big cadence number: ``value`` spm (None = estimating), target and its band."""

    value: float | None
    target: float | None
    band_pct: float
    band: str              # 'green' | 'amber' | 'red' | 'none'
    note: str = ""


class VideoView(QWidget):
    """Video + overlay. Runs entirely on the GUI thread."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 240)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.mirror = True
        self.skeleton = True
        self.wall = False
        self.badge = ""                 # e.g. "DEMO"
        self.message = ""               # centred overlay message ("No runner in view")
        self.hud: CadenceHud | None = None
        #: False hides the cadence box (home practice with another fault as its headline)
        self.show_hud = True
        self._buf: np.ndarray | None = None
        self._qimage: QImage | None = None
        self._img_pos = QPointF(0, 0)
        self._xf = QTransform()
        self._overlay = Overlay()
        self._flash_t = -1.0
        self._flash_pt: tuple[float, float] | None = None
        self.paint_ms: list[float] = []
        self.paint_total_s = 0.0
        self.paint_count = 0
        self._line_groups: list = []
        self._joint_pts: list = []
        self._arcs: list = []
        self._labels: list = []
        self._flash_map = None
        self._joint_pen = QPen(QColor("#ffffff"))
        self._joint_pen.setWidthF(8.0)
        self._joint_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self.local_preps = 0  # frames scaled on the GUI thread (size/mirror just changed)
        self._hud_img: QImage | None = None
        self._hud_key: tuple = ()
        self._hud_rects: list[QRectF] = []

    # ------------------------------------------------------------------ GUI-thread API
    def show_frame(self, image: np.ndarray | None, overlay: Overlay, prepared=None) -> None:
        """Show ``image`` (RGB uint8) with ``overlay``, then repaint.

        ``prepared`` is an ``app.capture.frames.DisplayImage`` made on the capture thread; it
        is used when it matches the widget's size and mirror state, else the image is
        scaled here.
        """
        self._overlay = overlay
        if image is not None:
            W, H = max(1, self.width()), max(1, self.height())
            d = prepared
            if d is None or d.size != (W, H) or d.mirror != self.mirror:
                from app.capture.live import make_display_image

                d = make_display_image(image, W, H, self.mirror)
                self.local_preps += 1
            buf = d.bgra
            th, tw = buf.shape[:2]
            s = d.scale
            self._buf = buf
            self._qimage = QImage(buf.data, tw, th, buf.strides[0], QImage.Format.Format_RGB32)
            x0, y0 = (W - tw) / 2, (H - th) / 2
            self._img_pos = QPointF(x0, y0)
            xf = QTransform()
            if self.mirror:
                xf.translate(x0 + tw, y0)
                xf.scale(-s, s)
            else:
                xf.translate(x0, y0)
                xf.scale(s, s)
            self._xf = xf
        self._prepare_primitives()
        self._prepare_hud()
        self.update()

    def flash(self, point: tuple[float, float] | None) -> None:
        """Start the initial-contact flash at ``point`` (image pixels)."""
        self._flash_t = time.perf_counter()
        self._flash_pt = point
        self._flash_map = self._xf.map(QPointF(*point)) if point is not None else None

    def clear(self) -> None:
        self._qimage = None
        self._buf = None
        self._overlay = Overlay()
        self.update()

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        t0 = time.perf_counter()
        p = QPainter(self)
        bg = QColor("#101418")
        if self._qimage is not None:
            x0, y0 = self._img_pos.x(), self._img_pos.y()
            iw, ih = self._qimage.width(), self._qimage.height()
            W, H = self.width(), self.height()
            for r in (QRectF(0, 0, x0, H), QRectF(x0 + iw, 0, W - x0 - iw, H),
                      QRectF(x0, 0, iw, y0), QRectF(x0, y0 + ih, iw, H - y0 - ih)):
                if r.width() > 0 and r.height() > 0:
                    p.fillRect(r, bg)
            p.drawImage(self._img_pos, self._qimage)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            self._paint_overlay(p)
        else:
            p.fillRect(self.rect(), bg)
        if self._hud_img is None or self._hud_key[1:3] != (self.width(), self.height()):
            self._prepare_hud()
        for r in self._hud_rects:  # blend only where the HUD has content
            p.drawImage(r, self._hud_img, r)
        self._paint_message(p)
        p.end()
        dt = time.perf_counter() - t0
        self.paint_total_s += dt
        self.paint_count += 1
        self.paint_ms.append(dt * 1000.0)
        if len(self.paint_ms) > 600:
            del self.paint_ms[:300]

    def _pen(self, kind: str) -> QPen:
        color, width = _PENS.get(kind, ("#ffffff", 2.0))
        pen = QPen(QColor(color))
        pen.setWidthF(width * (1.6 if self.wall else 1.0))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        if kind == "guide":
            pen.setStyle(Qt.PenStyle.DashLine)
        return pen

    def _prepare_primitives(self) -> None:
        """Map the overlay to widget pixels and group lines by pen (GUI thread, in the
        display tick): painting is then a few batched ``drawLines`` without transforms."""
        xf = self._xf
        ov = self._overlay
        groups: dict[str, list[QLineF]] = {}
        if self.skeleton:
            for ln in ov.skeleton:
                groups.setdefault(ln.kind, []).append(QLineF(xf.map(QPointF(*ln.a)), xf.map(QPointF(*ln.b))))
        for ln in ov.lines:
            groups.setdefault(ln.kind, []).append(QLineF(xf.map(QPointF(*ln.a)), xf.map(QPointF(*ln.b))))
        order = [k for k in _PENS if k in groups]
        self._line_groups = [(self._pen(k), groups[k]) for k in order]
        self._joint_pts = [xf.map(QPointF(x, y)) for x, y in ov.joints] if self.skeleton else []
        s = abs(xf.m11())
        mirror = xf.m11() < 0
        arcs = []
        for arc in ov.arcs:
            c = xf.map(QPointF(*arc.center))
            r = arc.radius * s
            start, span = arc.start_deg, arc.span_deg
            if mirror:
                start, span = 180.0 - start, -span
            arcs.append((QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r), int(start * 16), int(span * 16)))
        self._arcs = arcs
        self._labels = [(xf.map(QPointF(*lab.at)), lab.text, lab.kind) for lab in ov.labels]
        self._flash_map = xf.map(QPointF(*self._flash_pt)) if self._flash_pt is not None else None

    def _paint_overlay(self, p: QPainter) -> None:
        for pen, lines in self._line_groups:
            p.setPen(pen)
            p.drawLines(lines)
        if self._joint_pts:
            p.setPen(self._joint_pen)
            p.drawPoints(self._joint_pts)
        if self._arcs:
            p.setPen(self._pen("shank"))
            for rect, start, span in self._arcs:
                p.drawArc(rect, start, span)
        age = time.perf_counter() - self._flash_t
        if 0 <= age < FLASH_S and self._flash_map is not None:
            alpha = int(255 * (1 - age / FLASH_S))
            pen = QPen(QColor(255, 255, 255, alpha))
            pen.setWidthF(6)
            p.setPen(pen)
            p.setBrush(QColor(255, 82, 82, alpha // 2))
            r = 28.0 * (2.0 if self.wall else 1.0) * (1 + age / FLASH_S)
            p.drawEllipse(self._flash_map, r, r)
            p.setBrush(Qt.BrushStyle.NoBrush)
        # Labels upright (not mirrored), at the mapped positions.
        font = QFont()
        font.setPixelSize(30 if self.wall else 17)
        font.setBold(True)
        p.setFont(font)
        for pos, text, kind in self._labels:
            p.setPen(QColor(0, 0, 0, 180))
            p.drawText(pos + QPointF(1.5, 1.5), text)
            p.setPen(QColor("#ffee58" if kind == "angle" else "#ffffff"))
            p.drawText(pos, text)
        if 0 <= age < FLASH_S:
            a = int(200 * (1 - age / FLASH_S))
            pen = QPen(QColor(255, 255, 255, a))
            pen.setWidth(10)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(self.rect().adjusted(5, 5, -5, -5))

    def _prepare_hud(self) -> None:
        """Render the badge and cadence box into a cached transparent image when they
        change (large glyphs are not in Qt's glyph cache; redrawing them every frame is
        the most expensive part of a paint)."""
        key = (self.hud, self.width(), self.height(), self.wall, self.badge, self.show_hud)
        if key == self._hud_key and self._hud_img is not None:
            return
        self._hud_key = key
        img = QImage(max(1, self.width()), max(1, self.height()),
                     QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(Qt.GlobalColor.transparent)
        self._hud_rects = []
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self._paint_hud(p)
        p.end()
        self._hud_img = img

    def _paint_hud(self, p: QPainter) -> None:
        from PySide6.QtGui import QFontMetricsF

        W, H = self.width(), self.height()
        k = 2.0 if self.wall else 1.0
        badge_bottom, badge_right = 0.0, 0.0
        if self.badge:
            kb = k * min(1.0, max(0.5, W / 480.0))  # a small video (two views): a smaller badge
            f = QFont()
            f.setPixelSize(int(22 * kb))
            f.setBold(True)
            p.setFont(f)
            bw = max(190 * kb, QFontMetricsF(f).horizontalAdvance(self.badge) + 28 * kb)
            rect = QRectF(12 * kb, 12 * kb, min(bw, W - 24.0 * kb), 38 * kb)
            badge_bottom, badge_right = rect.bottom(), rect.right()
            self._hud_rects.append(rect.adjusted(-2, -2, 2, 2))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(123, 31, 162, 220))
            p.drawRoundedRect(rect, 8, 8)
            p.setPen(QColor("#ffffff"))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.badge)
        hud = self.hud if self.show_hud else None
        if hud is not None:
            big, small, bw = self.hud_fonts(W, H)
            top = 12.0 if W - bw - 12 > badge_right + 8 else badge_bottom + 8  # a narrow video
            box = QRectF(W - bw - 12, top, bw, big.pixelSize() * 1.1 + small.pixelSize() * 2.6)
            self._hud_rects.append(box.adjusted(-2, -2, 2, 2))
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(0, 0, 0, 150))
            p.drawRoundedRect(box, 10, 10)
            p.setFont(big)
            p.setPen(QColor(BAND_COLORS.get(hud.band, "#ffffff")).lighter(170)
                     if hud.band != "none" else QColor("#ffffff"))
            txt = "…" if hud.value is None else f"{hud.value:.0f}"
            p.drawText(QRectF(box.left(), box.top(), box.width(), big.pixelSize() * 1.15),
                       Qt.AlignmentFlag.AlignCenter, txt)
            p.setFont(small)
            p.setPen(QColor("#ffffff"))
            line1 = "steps/min" if hud.value is not None else (hud.note or "estimating…")
            y = box.top() + big.pixelSize() * 1.1
            p.drawText(QRectF(box.left(), y, box.width(), small.pixelSize() * 1.3),
                       Qt.AlignmentFlag.AlignCenter, line1)
            if hud.target:
                lo = hud.target * (1 - hud.band_pct / 100)
                hi = hud.target * (1 + hud.band_pct / 100)
                p.setPen(QColor(BAND_COLORS.get(hud.band, "#ffffff")).lighter(150))
                p.drawText(QRectF(box.left(), y + small.pixelSize() * 1.2, box.width(),
                                  small.pixelSize() * 1.3), Qt.AlignmentFlag.AlignCenter,
                           f"target {lo:.0f}–{hi:.0f}")
    #: the widest texts the HUD box must hold (a 3-digit cadence, the target line)
    HUD_TEXTS = ("888", "target 888–888", "steps/min", "estimating… (8 of 8 steps)")

    def hud_fonts(self, W: int, H: int) -> tuple[QFont, QFont, float]:
        """(big font, small font, box width px) of the cadence box for a W×H view: sized by
        the height, then shrunk until the widest texts fit the box (a narrow video beside
        the panels cut "170 / target 176–186" to "170 / arget 176–18")."""
        from PySide6.QtGui import QFontMetricsF

        bw = W * (0.42 if self.wall else 0.3)
        bw = min(max(bw, 210.0), max(W - 24.0, 60.0))  # a narrow video: wider than 30 %
        usable = bw * 0.92
        big = QFont()
        big.setBold(True)
        big.setPixelSize(max(8, int(min(H * (0.2 if self.wall else 0.11), 260))))
        while big.pixelSize() > 8 and QFontMetricsF(big).horizontalAdvance(self.HUD_TEXTS[0]) > usable:
            big.setPixelSize(big.pixelSize() - 1)
        small = QFont()
        small.setPixelSize(max(7, int(min(H * (0.05 if self.wall else 0.03), 64))))
        while small.pixelSize() > 7 and max(QFontMetricsF(small).horizontalAdvance(t)
                                            for t in self.HUD_TEXTS[1:]) > usable:
            small.setPixelSize(small.pixelSize() - 1)
        return big, small, bw

    def _paint_message(self, p: QPainter) -> None:
        W, H = self.width(), self.height()
        k = 2.0 if self.wall else 1.0
        if self.message:
            f = QFont()
            f.setPixelSize(int(26 * k))
            f.setBold(True)
            p.setFont(f)
            rect = QRectF(W * 0.1, H * 0.42, W * 0.8, H * 0.16)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(0, 0, 0, 170))
            p.drawRoundedRect(rect, 12, 12)
            p.setPen(QColor("#ffffff"))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
