"""Export of a comparison: PDF report (fpdf2), per-step CSV, side-by-side MP4 (PyAV).

Every writer goes to a temporary file beside the destination and renames it when done,
so a failed export never leaves a file that looks complete. Heavy imports (fpdf,
matplotlib, av, cv2) happen inside the functions. Runs on the calling thread.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from app.atomic import replace_on_success, temp_beside
from app.compare.clip import Clip
from app.compare.render import rgb
from app.compare.sync import KEY_LABELS, StrideSync
from app.compare.table import VERDICT_COLORS, MetricRow, compare_metrics
from app.errors import UserError
from app.gait.analysis import camera_roll_text

BEFORE_COLOR = "#1f77b4"
AFTER_COLOR = "#ff7f0e"
#: height (mm) the key-frame grid needs on a page (below it starts a new page)
KEY_FRAMES_MIN_MM = 150.0


@dataclass(frozen=True)
class Comparison:
    """Two analysed clips, their stride sync and the metric table (``before`` = A)."""

    before: Clip
    after: Clip
    sync: StrideSync
    rows: tuple[MetricRow, ...]
    notes: str = ""

    @classmethod
    def build(cls, before: Clip, after: Clip, notes: str | None = None, **sync_kw) -> "Comparison":
        """Sync the clips (``SyncError`` when a clip has no stride) and tabulate metrics.

        ``notes`` default: the clinician notes of the sessions (store row), when present.
        """
        from app.compare.clip import sync_clips

        sync = sync_clips(before, after, **sync_kw)
        if notes is None:
            parts = [f"{c.label}: {c.notes.strip()}" for c in (before, after) if c.notes.strip()]
            notes = "\n".join(parts)
        return cls(before, after, sync, tuple(compare_metrics(before.result, after.result)), notes)


@dataclass(frozen=True)
class ReportTable:
    """An extra table for the PDF (e.g. a protocol's blocks with their synchrony):
    ``title``, column ``heads``, ``rows`` of cell texts, optional ``note`` below."""

    title: str
    heads: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


# ------------------------------------------------------------------------------ files
@contextlib.contextmanager
def atomic_path(dest: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``dest`` that replaces ``dest`` when the block succeeds."""
    dest = Path(dest)
    parent = dest.parent if str(dest.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"Cannot write {dest}: the folder {parent} does not exist.")
    try:
        tmp = temp_beside(dest)
    except OSError as exc:
        raise UserError(f"Cannot write {dest}: {exc.strerror or exc}.") from None
    with replace_on_success(tmp, dest):
        yield tmp


def write_steps_csv(cmp: Comparison, dest: str | os.PathLike[str]) -> Path:
    """One row per step of both clips: ``clip`` (before/after), ``label``, then the step
    columns of ``python -m app analyze --csv`` (times in seconds from each video's start)."""
    rows = []
    for role, clip in (("before", cmp.before), ("after", cmp.after)):
        res = clip.result
        for s in res.steps:
            d = res.step_dict(s)
            for key in ("ic_s", "to_s"):  # the video clock, not the range start
                if d.get(key) is not None:
                    d[key] = round(d[key] + res.t0_ns / 1e9, 4)
            rows.append({"clip": role, "label": clip.label, **d})
    cols: list[str] = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    with atomic_path(dest) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=cols or ["clip"], lineterminator="\n")
            w.writeheader()
            for r in rows:
                w.writerow({k: "" if v is None else v for k, v in r.items()})
    return Path(dest)


# ------------------------------------------------------------------------------ plots
def plot_steps_png(cmp: Comparison, width_in: float = 7.0, height_in: float = 2.6) -> bytes:
    """PNG of cadence per step and ground contact per step, before vs after."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=150)
    FigureCanvasAgg(fig)
    ax1, ax2 = fig.subplots(1, 2)
    for clip, color, name in ((cmp.before, BEFORE_COLOR, "Before"), (cmp.after, AFTER_COLOR, "After")):
        steps = clip.result.steps
        cad = [(i + 1, 60000.0 / s.step_time_ms) for i, s in enumerate(steps) if s.step_time_ms]
        if cad:
            ax1.plot(*zip(*cad), "-o", color=color, ms=3, lw=1.4, label=name)
        for foot, marker in (("left", "o"), ("right", "s")):
            pts = [(i + 1, s.contact_ms) for i, s in enumerate(steps)
                   if s.contact_ms is not None and s.foot.value == foot]
            if pts:
                ax2.plot(*zip(*pts), marker, color=color, ms=4, mfc="none" if foot == "right" else color,
                         label=f"{name} {foot}")
    ax1.set_title("Cadence per step", fontsize=9)
    ax1.set_xlabel("step", fontsize=8)
    ax1.set_ylabel("steps/min", fontsize=8)
    ax2.set_title("Ground contact per step", fontsize=9)
    ax2.set_xlabel("step", fontsize=8)
    ax2.set_ylabel("ms", fontsize=8)
    for ax in (ax1, ax2):
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=6.5, loc="best")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


# ------------------------------------------------------------------------------ key frames
def key_frame_images(cmp: Comparison, max_w: int = 480, max_h: int = 720):
    """{(role, kind): RGB image} for role 'before'/'after', kind 'IC'/'MS'/'TO' of the
    first stride pair that has all three, cropped around the runner, with overlays."""
    from app.compare.render import read_frames, render_frame, runner_boxes, fit_size

    k = cmp.sync.best_pair()
    boxes = runner_boxes([cmp.before, cmp.after])
    out = {}
    for role, clip, box, side in (("before", cmp.before, boxes[0], 0), ("after", cmp.after, boxes[1], 1)):
        frames = {}
        for kind in KEY_LABELS:
            t = cmp.sync.key_times(k, kind)[side]
            if t is not None:
                frames[kind] = clip.frame_at(t)
        size = fit_size(box, max_w, max_h)
        imgs = read_frames(clip.video_path, frames.values(), size, box) if clip.video_path else {}
        for kind, f in frames.items():
            out[(role, kind)] = render_frame(clip, f, imgs.get(f), size, crop=box)
    return out


# ------------------------------------------------------------------------------ PDF
def new_pdf(title: str):
    """An A4 FPDF document titled ``GaitCoach: title`` with the DejaVu fonts registered."""
    from fpdf import FPDF

    from app.compare.render import bold_font_path, font_path

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"GaitCoach: {title}")
    pdf.set_creator("GaitCoach")
    pdf.add_font("DejaVu", "", str(font_path()))
    pdf.add_font("DejaVu", "B", str(bold_font_path()))
    pdf.set_auto_page_break(True, margin=15)
    return pdf


def write_pdf(cmp: Comparison, dest: str | os.PathLike[str], title: str = "Before / after comparison",
              tables: tuple[ReportTable, ...] = (), intro=None,  # noqa: ANN001
              other: Comparison | None = None) -> Path:
    """The PDF report: details, metric table with changes, extra ``tables``, plots, key
    frames, notes. ``intro(pdf)``, when given, adds pages before them (e.g. the clinical
    picture of the before clip, ``app.plan.printout.picture_intro``). ``other``: the
    second view of two-view sessions (its key frames follow the side view's; ``cmp.rows``
    then holds the sagittal and frontal metrics, ``app.compare.two_view.merged_rows``)."""
    from fpdf.enums import XPos, YPos

    a, b = cmp.before, cmp.after
    pdf = new_pdf(title)
    if intro is not None:
        intro(pdf)
    pdf.add_page()
    epw = pdf.epw
    nl = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}

    pdf.set_font("DejaVu", "B", 17)
    pdf.cell(epw, 9, f"GaitCoach — {title}", **nl)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(epw, 5, f"Report created {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}", **nl)
    pdf.ln(2)
    pdf.set_text_color(0, 0, 0)
    runner = a.runner or b.runner or "—"
    view = a.view.value + (f", runner facing {a.facing.value}" if a.facing else "")
    if other is not None:
        o = other.before
        off = f", camera offset {o.camera_offset_ms:+.0f} ms" if o.camera_offset_ms is not None else ""
        view = (f"{a.view.value} + {o.view.value} (two cameras{off}): sagittal metrics from "
                f"the {a.view.value}, frontal from the {o.view.value} view")
    details = [("Runner", runner), ("View", view)]
    for role, c in (("Before", a), ("After", b)):
        res = c.result
        when = c.date or _file_date(c.video_path)
        details.append((role, f"{c.label}" + (f" — {when}" if when else "")
                        + f" — {c.duration_s:.1f} s, {res.n_steps} steps"))
    details.append(("Synced by", f"initial contacts, {cmp.sync.describe()}"))
    for key, value in details:
        pdf.set_font("DejaVu", "B", 9.5)
        pdf.cell(24, 5.5, key)
        pdf.set_font("DejaVu", "", 9.5)
        pdf.multi_cell(epw - 24, 5.5, value, **nl)
    pdf.ln(3)
    _metric_table(pdf, cmp.rows, epw, other.before.view.value if other is not None else "")
    for c, role in ((a, "Before"), (b, "After")) + (((other.before, "Before"), (other.after, "After"))
                                                      if other is not None else ()):
        for w in clip_notes(c):
            pdf.set_font("DejaVu", "", 8)
            pdf.set_text_color(150, 80, 0)
            pdf.multi_cell(epw, 4.5, f"{role}: {w}.", **nl)
    pdf.set_text_color(0, 0, 0)
    for table in tables:
        _text_table(pdf, table, epw)

    png = plot_steps_png(cmp)
    h_plot = epw * 2.6 / 7.0
    if pdf.get_y() + h_plot + 8 > pdf.h - pdf.b_margin:
        pdf.add_page()  # the key frames follow on this page (no page with two plots alone)
    pdf.ln(3)
    pdf.image(io.BytesIO(png), x=pdf.l_margin, w=epw, h=h_plot)

    notes = cmp.notes.strip()
    if notes:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(epw, 7, "Clinician notes", **nl)
        pdf.set_font("DejaVu", "", 9.5)
        pdf.multi_cell(epw, 5, notes, **nl)

    for c in (cmp, other):
        if c is not None:
            _key_frames(pdf, c, epw, c.before.view.value if other is not None else "")
    with atomic_path(dest) as tmp:
        pdf.output(str(tmp))
    return Path(dest)


def clip_notes(clip: Clip) -> tuple[str, ...]:
    """What a reader of one clip's numbers must know: its analysis warnings, its own
    warning (e.g. the video is missing) and, for a rear/front camera that was turned, the
    roll its side-to-side angles were corrected for."""
    notes = clip.result.warnings + ((clip.warning,) if clip.warning else ())
    roll = clip.result.camera_roll_deg
    if roll:
        notes += (f"the camera was {camera_roll_text(roll)}",)
    return notes


def _key_frames(pdf, cmp: Comparison, epw: float, view: str = "") -> None:  # noqa: ANN001
    """Key frames: rows before/after, columns IC / midstance / toe-off — on this page when
    there is room for them at a readable size, else on the next. ``view``: the camera's
    name in the heading (two views)."""
    from fpdf.enums import XPos, YPos
    from PIL import Image

    nl = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
    images = key_frame_images(cmp)
    if pdf.h - pdf.b_margin - pdf.get_y() < KEY_FRAMES_MIN_MM:
        pdf.add_page()
    else:
        pdf.ln(5)
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(epw, 8, "The same moments of the stride" + (f": {view} view" if view else ""), **nl)
    pdf.set_font("DejaVu", "", 8.5)
    pdf.set_text_color(90, 90, 90)
    k = cmp.sync.best_pair()
    pdf.multi_cell(epw, 4.5, f"{cmp.sync.foot.value.capitalize()} foot, stride {k + 1}: initial contact, "
                   "midstance (halfway from contact to toe-off) and toe-off, each clip at its own event. "
                   "Knee flexion at the knee, shank and trunk angles to vertical.", **nl)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    gap, label_w = 3.0, 14.0
    col_w = (epw - label_w - 2 * gap) / 3
    any_img = next(iter(images.values()), None)
    aspect = any_img.shape[0] / any_img.shape[1] if any_img is not None else 1.5
    avail_h = (pdf.h - pdf.b_margin - pdf.get_y() - 8 - 2 * gap) / 2
    img_w = min(col_w, avail_h / aspect)
    img_h = img_w * aspect
    x0 = pdf.l_margin + label_w + (col_w - img_w) / 2
    pdf.set_font("DejaVu", "B", 9.5)
    for i, kind in enumerate(KEY_LABELS):
        pdf.set_xy(pdf.l_margin + label_w + i * (col_w + gap), pdf.get_y())
        pdf.cell(col_w, 6, KEY_LABELS[kind], align="C")
    y = pdf.get_y() + 7
    for role in ("before", "after"):
        pdf.set_xy(pdf.l_margin, y + img_h / 2 - 3)
        pdf.set_font("DejaVu", "B", 9.5)
        pdf.set_text_color(*rgb(BEFORE_COLOR if role == "before" else AFTER_COLOR))
        pdf.cell(label_w, 6, role.capitalize())
        pdf.set_text_color(0, 0, 0)
        for i, kind in enumerate(KEY_LABELS):
            img = images.get((role, kind))
            x = x0 + i * (col_w + gap)
            if img is None:
                pdf.set_xy(x, y + img_h / 2 - 3)
                pdf.set_font("DejaVu", "", 8)
                pdf.cell(img_w, 6, "not detected", align="C")
                continue
            jpeg = io.BytesIO()
            Image.fromarray(img).save(jpeg, format="JPEG", quality=88)
            pdf.image(jpeg, x=x, y=y, w=img_w, h=img_h)
        y += img_h + gap


def _metric_table(pdf, rows: tuple[MetricRow, ...], epw: float, frontal_from: str = "") -> None:
    from fpdf.enums import XPos, YPos

    widths = [epw * f for f in (0.40, 0.15, 0.15, 0.15, 0.15)]
    heads = ["Metric", "Before", "After", "Change", ""]
    pdf.set_font("DejaVu", "B", 9.5)
    pdf.set_fill_color(235, 238, 242)
    for w, h in zip(widths, heads):
        pdf.cell(w, 6.5, h, border="B", fill=True, align="L" if h in ("Metric", "") else "R")
    pdf.ln(6.5)
    pdf.set_font("DejaVu", "", 9.5)
    from app.compare.two_view import frontal_only

    group = None
    for r in rows:
        pdf.set_text_color(0, 0, 0)
        if frontal_from and frontal_only(r.name) != group:  # two views: a heading per camera
            group = frontal_only(r.name)
            pdf.set_font("DejaVu", "B", 9)
            pdf.set_text_color(70, 90, 120)
            pdf.cell(epw, 6, f"{frontal_from.capitalize()} view — frontal" if group
                     else "Side view — sagittal and timing", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_text_color(0, 0, 0)
            pdf.set_font("DejaVu", "", 9.5)
        pdf.cell(widths[0], 6, f"{r.label}" + (f" ({r.unit})" if r.unit else ""))
        pdf.cell(widths[1], 6, r.fmt(r.before), align="R")
        pdf.cell(widths[2], 6, r.fmt(r.after), align="R")
        pdf.set_text_color(*rgb(VERDICT_COLORS.get(r.verdict, "#000000")))
        pdf.set_font("DejaVu", "B", 9.5)
        pdf.cell(widths[3], 6, r.fmt(r.change, True) if r.change is not None else "—", align="R")
        pdf.set_font("DejaVu", "", 9)
        pdf.cell(widths[4], 6, f"  {r.verdict}" if r.verdict in ("better", "worse") else "",
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "", 7.5)
    pdf.set_text_color(110, 110, 110)
    pdf.multi_cell(epw, 4, "Means over all steps of each clip. Green: a change in the direction "
                   "of improvement; red: away from it; grey: within the metric's step-to-step noise (2 standard "
                   "errors of the difference of the means). For metrics with "
                   "faults in both directions, improvement means closer to the middle of the default range.",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)


def table_widths(pdf, table: ReportTable, epw: float, pad_mm: float = 3.0) -> list[float]:
    """Column widths (mm) that fit every heading and cell of ``table`` with ``pad_mm`` to
    spare (the first, left-aligned column takes what is left), scaled down only when the
    whole table is wider than the page. Fonts as :func:`_text_table` prints them."""
    n = max(1, len(table.heads))
    need = [0.0] * n
    pdf.set_font("DejaVu", "B", 8.5)
    for i, h in enumerate(table.heads):
        need[i] = pdf.get_string_width(h)
    pdf.set_font("DejaVu", "", 8.5)
    for row in table.rows:
        for i, v in enumerate(row[:n]):
            need[i] = max(need[i], pdf.get_string_width(str(v)))
    need = [w + pad_mm for w in need]
    rest = epw - sum(need[1:])
    if rest >= need[0]:
        return [rest] + need[1:]
    k = epw / sum(need)
    return [w * k for w in need]


def _text_table(pdf, table: ReportTable, epw: float) -> None:
    from fpdf.enums import XPos, YPos

    nl = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(epw, 7, table.title, **nl)
    widths = table_widths(pdf, table, epw)
    pdf.set_font("DejaVu", "B", 8.5)
    pdf.set_fill_color(235, 238, 242)
    for i, (w, h) in enumerate(zip(widths, table.heads)):
        pdf.cell(w, 6, h, border="B", fill=True, align="L" if i == 0 else "R")
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 8.5)
    for row in table.rows:
        for i, (w, v) in enumerate(zip(widths, row)):
            pdf.cell(w, 5.5, v, align="L" if i == 0 else "R")
        pdf.ln(5.5)
    if table.note:
        pdf.set_font("DejaVu", "", 7.5)
        pdf.set_text_color(110, 110, 110)
        pdf.multi_cell(epw, 4, table.note, **nl)
        pdf.set_text_color(0, 0, 0)


def _file_date(path: Path | None) -> str | None:
    if path is None or not path.exists():
        return None
    return datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d")
