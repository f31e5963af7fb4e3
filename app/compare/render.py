"""Frames with the skeleton/angle overlay for export (cv2 + Pillow on numpy RGB images).

The geometry comes from :func:`app.pose.overlay.build_overlay` (the same as the live
window); this module only paints it with cv2 (lines, arcs) and Pillow (text, because the
labels carry "°"). Images are RGB uint8 (H, W, 3). cv2 and PIL are imported inside
functions, so importing this module has no side effects.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np

from app.compare.clip import Clip
from app.pose.overlay import LINE_STYLES, Overlay, build_overlay
from app.types import LM, EventKind, View

#: Background of a frame whose video is missing (RGB).
BLANK_RGB = (24, 28, 34)


def font_path() -> Path:
    """DejaVu Sans (shipped with matplotlib): a TrueType font with °, ±, − and —."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def bold_font_path() -> Path:
    return font_path().with_name("DejaVuSans-Bold.ttf")


@lru_cache(maxsize=16)
def _font(size_px: int, bold: bool = False):
    from PIL import ImageFont

    return ImageFont.truetype(str(bold_font_path() if bold else font_path()), size_px)


def rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


#: (x0, y0, x1, y1) rectangle in source-image pixels.
Box = tuple[float, float, float, float]


def read_frames(video: Path, frames: Iterable[int], size: tuple[int, int],
                crop: Box | None = None) -> dict[int, np.ndarray]:
    """Decode ``video`` once and keep the wanted frame indices, cropped to ``crop`` (source
    pixels, default the whole frame) and resized to ``size`` (w, h).

    Frames are upright RGB (rotation metadata applied). Raises ``InputFileError`` for a
    file that cannot be decoded.
    """
    import cv2

    from app.capture.video_file import VideoFileReader

    wanted = set(int(f) for f in frames)
    out: dict[int, np.ndarray] = {}
    if not wanted:
        return out
    last = max(wanted)
    with VideoFileReader(video) as reader:
        for fr in reader:
            if fr.index in wanted:
                img = fr.image
                if crop is not None:
                    x0, y0, x1, y1 = (int(round(v)) for v in crop)
                    img = img[max(y0, 0):y1, max(x0, 0):x1]
                if (img.shape[1], img.shape[0]) != tuple(size):
                    img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
                out[fr.index] = np.ascontiguousarray(img)
            if fr.index >= last:
                break
    return out


def overlay_for(clip: Clip, frame: int, show_contact: bool = True) -> Overlay:
    """The overlay of ``clip``'s video frame ``frame`` in source-image pixels.

    With ``show_contact``, a frame within 2 frames after an initial contact gets the
    overstride marker (hip vertical to the contact heel), as the live window shows it.
    """
    s = clip.sample_at(frame)
    if s is None or s.landmarks is None:
        return Overlay()
    contact = None
    t = clip.time_of(frame)
    if show_contact and clip.view is View.SIDE:
        for e in clip.events:
            if e.kind is EventKind.IC and 0 <= t - e.t_s <= 2.5 / clip.fps:
                lm = s.landmarks
                heel = lm[LM[f"{e.foot.value}_heel"]]
                if np.isfinite(heel[:2]).all():
                    contact = (e.foot.value, (float(heel[0]), float(heel[1])))
    last: dict[str, EventKind] = {}
    for e in clip.events:  # in time order
        if e.t_s <= t:
            last[e.foot.value] = e.kind
    on_ground = tuple(f for f, k in sorted(last.items()) if k is EventKind.IC)
    return build_overlay(s.landmarks, clip.view, clip.forward_sign, contact, on_ground=on_ground)


def draw_overlay(image: np.ndarray, overlay: Overlay, scale: float,
                 origin: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """Paint ``overlay`` on a copy of ``image``: image px = (source px − origin) × scale."""
    import cv2

    img = np.array(image, dtype=np.uint8, copy=True)
    k = max(img.shape[0] / 720.0, 0.45)  # line widths are for a ~720 px tall view

    ox, oy = origin

    def p(pt):  # cv2 fixed point, 4 fractional bits
        return (int(round((pt[0] - ox) * scale * 16)), int(round((pt[1] - oy) * scale * 16)))

    groups: dict[str, list] = {}
    for ln in (*overlay.skeleton, *overlay.lines):
        groups.setdefault(ln.kind, []).append(ln)
    for kind in [kd for kd in LINE_STYLES if kd in groups] + [kd for kd in groups if kd not in LINE_STYLES]:
        color, width = LINE_STYLES.get(kind, ("#ffffff", 2.0))
        th = max(1, int(round(width * k)))
        for ln in groups[kind]:
            if kind == "guide":
                _dashed(img, p(ln.a), p(ln.b), rgb(color), th)
            else:
                cv2.line(img, p(ln.a), p(ln.b), rgb(color), th, cv2.LINE_AA, shift=4)
    r = max(2, int(round(3 * k)))
    for x, y in overlay.joints:
        cv2.circle(img, p((x, y)), r * 16, (255, 255, 255), -1, cv2.LINE_AA, shift=4)
    shank_color, shank_w = LINE_STYLES["shank"]
    for arc in overlay.arcs:
        # Qt arc: degrees counter-clockwise from 3 o'clock with y up; cv2: clockwise, y down.
        c = p(arc.center)
        rad = int(round(arc.radius * scale * 16))
        a0, a1 = -arc.start_deg, -(arc.start_deg + arc.span_deg)
        cv2.ellipse(img, c, (rad, rad), 0, min(a0, a1), max(a0, a1), rgb(shank_color),
                    max(1, int(round(shank_w * k))), cv2.LINE_AA, shift=4)
    if overlay.contact is not None:
        cv2.circle(img, p(overlay.contact), int(round(14 * k * 16)), (255, 82, 82),
                   max(1, int(round(3 * k))), cv2.LINE_AA, shift=4)
    if overlay.labels:
        texts = [(((lab.at[0] - ox) * scale, (lab.at[1] - oy) * scale), lab.text,
                  "#ffee58" if lab.kind == "angle" else "#ffffff") for lab in overlay.labels]
        img = draw_texts(img, texts, size_px=max(11, int(round(17 * k))))
    return img


def _dashed(img: np.ndarray, a: tuple[int, int], b: tuple[int, int], color, th: int) -> None:
    import cv2

    length = math.hypot(b[0] - a[0], b[1] - a[1]) / 16
    n = max(1, int(length // 8))
    for i in range(0, n, 2):
        t0, t1 = i / n, min((i + 1) / n, 1.0)
        pa = (int(a[0] + (b[0] - a[0]) * t0), int(a[1] + (b[1] - a[1]) * t0))
        pb = (int(a[0] + (b[0] - a[0]) * t1), int(a[1] + (b[1] - a[1]) * t1))
        cv2.line(img, pa, pb, color, th, cv2.LINE_AA, shift=4)


def draw_texts(image: np.ndarray, texts: list[tuple[tuple[float, float], str, str]],
               size_px: int, bold: bool = True, box: bool = False) -> np.ndarray:
    """Draw (top-left position px, text, colour) items with a shadow (or a dark box),
    each moved inside the image where it would stick out (a knee's angle beside a runner
    zoomed to the crop's edge was cut to its last digit)."""
    from PIL import Image, ImageDraw

    pil = Image.fromarray(image)
    draw = ImageDraw.Draw(pil, "RGBA")
    font = _font(int(size_px), bold)
    h, w = image.shape[:2]
    for (x, y), text, color in texts:
        l, t, r, b = draw.textbbox((x, y), text, font=font)
        x += min(0.0, w - 2.0 - r) + max(0.0, 2.0 - (l + min(0.0, w - 2.0 - r)))
        y += min(0.0, h - 2.0 - b) + max(0.0, 2.0 - (t + min(0.0, h - 2.0 - b)))
        if box:
            l, t, r, b = draw.textbbox((x, y), text, font=font)
            pad = size_px * 0.3
            draw.rectangle((l - pad, t - pad, r + pad, b + pad), fill=(0, 0, 0, 170))
        else:
            draw.text((x + 1.5, y + 1.5), text, font=font, fill=(0, 0, 0, 190))
        draw.text((x, y), text, font=font, fill=rgb(color))
    return np.asarray(pil).copy()


def render_frame(clip: Clip, frame: int, image: np.ndarray | None, size: tuple[int, int],
                 caption: str | None = None, show_overlay: bool = True,
                 crop: Box | None = None) -> np.ndarray:
    """Frame ``frame`` of ``clip`` at ``size`` (w, h) with the overlay and a caption.

    ``image`` is the decoded frame already cropped to ``crop`` and resized to ``size``
    (``read_frames``), or None when the video is missing: the skeleton is then drawn on a
    dark background.
    """
    w, h = size
    if image is None:
        image = np.empty((h, w, 3), np.uint8)
        image[:] = BLANK_RGB
    x0, y0, x1, _ = crop if crop is not None else (0.0, 0.0, float(clip.width), 0.0)
    scale = w / float(x1 - x0)
    ov = overlay_for(clip, frame)
    out = draw_overlay(image, ov, scale, (x0, y0)) if show_overlay else image.copy()
    if caption:
        out = draw_texts(out, [((0.03 * w, 0.02 * h), caption, "#ffffff")],
                         size_px=max(12, int(h * 0.035)), box=True)
    return out


def runner_boxes(clips: list[Clip], margin: float = 0.10) -> list[Box]:
    """A crop box per clip around where the runner is (0.1–99.9th percentile of the body
    landmarks over the clip, plus ``margin`` of its size, 2× that sideways), all with the same aspect
    ratio (the widest one's) and kept inside each image. Whole frame when no person."""
    raw = []
    for c in clips:
        pts = [s.landmarks[:, :2][s.landmarks[:, 3] >= 0.3] for s in c.samples
               if s.landmarks is not None]
        pts = [p for p in pts if len(p)]
        if not pts:
            raw.append((0.0, 0.0, float(c.width), float(c.height)))
            continue
        allp = np.concatenate(pts)
        x0, y0 = np.percentile(allp, 0.1, axis=0)
        x1, y1 = np.percentile(allp, 99.9, axis=0)
        mw, mh = (x1 - x0) * margin * 2.0, (y1 - y0) * margin  # labels stick out sideways
        raw.append((x0 - mw, y0 - mh, x1 + mw, y1 + mh))
    aspect = max((b[2] - b[0]) / max(b[3] - b[1], 1.0) for b in raw)
    out: list[Box] = []
    for c, (x0, y0, x1, y1) in zip(clips, raw):
        w, h = x1 - x0, y1 - y0
        if w / h < aspect:
            w = h * aspect
        else:
            h = w / aspect
        if w > c.width:
            w, h = c.width, c.width / aspect
        if h > c.height:
            h, w = c.height, c.height * aspect
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        bx0 = min(max(cx - w / 2, 0.0), c.width - w)
        by0 = min(max(cy - h / 2, 0.0), c.height - h)
        out.append((bx0, by0, bx0 + w, by0 + h))
    return out


def fit_size(box: Box, max_w: int, max_h: int, even: bool = True) -> tuple[int, int]:
    """The largest (w, h) with ``box``'s aspect that fits in ``max_w`` × ``max_h``, never
    larger than the box itself (no upscaling)."""
    bw, bh = box[2] - box[0], box[3] - box[1]
    s = min(max_w / bw, max_h / bh, 1.0)
    w, h = bw * s, bh * s
    if even:
        return max(2, int(w) // 2 * 2), max(2, int(h) // 2 * 2)
    return max(1, int(w)), max(1, int(h))
