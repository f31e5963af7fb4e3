"""PDF pages of the plan (fpdf2): the clinician's clinical picture and the runner's
programme page.

- :func:`draw_picture_page` adds the clinical picture as a page to any FPDF document (the
  plan export and the first page of the comparison / protocol report);
- :func:`draw_programme_page` adds the runner-friendly programme: what we work on, each
  exercise with its stick figures (drawn here from the key poses, ``app.exercise.figure``),
  dose, steps and cue, and a week grid to tick;
- :func:`write_plan_pdf` writes both to a file atomically.

Fonts: DejaVu Sans (matplotlib's copy), so °, ±, − and — print. Runs on the calling
thread; heavy imports inside the functions.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from app.compare.report import new_pdf
from app.exercise.figure import drawing
from app.exercise.library import ExerciseLibrary
from app.plan.faults import CHAINS, FAULTS, GENERAL_GOAL

ROLE_RGB = {"near": (31, 64, 120), "far": (150, 170, 200), "trunk": (31, 64, 120),
            "floor": (130, 130, 130), "prop": (140, 100, 60), "band": (210, 50, 50)}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _nl():
    from fpdf.enums import XPos, YPos

    return {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


def draw_figure(pdf, pose: Mapping, view: str, x: float, y: float, w: float, h: float) -> None:
    """One key pose as a stick figure inside the box (x, y, w, h) in mm."""
    d = drawing(pose, view)
    x0, y0, x1, y1 = d.bbox
    s = min(w / (x1 - x0), h / (y1 - y0))
    ox = x + (w - (x1 - x0) * s) / 2
    oy = y + h - (h - (y1 - y0) * s) / 2

    def P(p):  # noqa: ANN001
        return ox + (p[0] - x0) * s, oy - (p[1] - y0) * s
    for ln in d.lines:
        pdf.set_draw_color(*ROLE_RGB[ln.role])
        pdf.set_line_width(max(0.15, ln.width * s))
        (ax, ay), (bx, by) = P(ln.a), P(ln.b)
        pdf.line(ax, ay, bx, by)
    for c in d.circles:
        pdf.set_draw_color(*ROLE_RGB[c.role])
        pdf.set_line_width(max(0.2, 0.025 * s))
        cx, cy = P(c.c)
        r = c.r * s
        pdf.ellipse(cx - r, cy - r, 2 * r, 2 * r)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)


def draw_picture_page(pdf, picture: Mapping, title: str = "Clinical picture",
                      subtitle: str = "") -> None:
    """The clinical picture (``ClinicalPicture.to_json()``) as a page for the clinician."""
    nl = _nl()
    pdf.add_page()
    epw = pdf.epw
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(epw, 9, f"GaitCoach — {title}", **nl)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(90, 90, 90)
    src = ", ".join(picture.get("sources") or [])
    pdf.multi_cell(epw, 4.6, (subtitle + " — " if subtitle else "") + f"From: {src}; "
                   f"{picture.get('n_steps', 0)} steps, views: {', '.join(picture.get('views') or [])}.", **nl)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(epw, 6.5, str(picture.get("headline", "")), **nl)
    prim = picture.get("primary")
    if prim:
        pdf.set_font("DejaVu", "", 9.5)
        pdf.multi_cell(epw, 5, f"Points to: {prim.get('deficit', '')}.", **nl)
        pdf.ln(2)
        _finding_block(pdf, "Primary candidate", prim, (190, 40, 40))
        for f in picture.get("compensations") or []:
            _finding_block(pdf, "Likely compensation", f, (200, 120, 0))
        for f in picture.get("other_findings") or []:
            _finding_block(pdf, "Also outside its band", f, (120, 120, 120))
    _bullets(pdf, "Watch: outside the band but within its own step-to-step noise",
             [f.get("sentence", "") for f in picture.get("watch") or []])
    _bullets(pdf, "Not measured in this assessment", list(picture.get("not_measured") or []))
    for w in picture.get("warnings") or []:
        pdf.set_font("DejaVu", "", 8.5)
        pdf.set_text_color(150, 80, 0)
        pdf.multi_cell(epw, 4.4, f"Note: {w}.", **nl)
    pdf.set_text_color(110, 110, 110)
    pdf.set_font("DejaVu", "", 8)
    pdf.ln(2)
    pdf.multi_cell(epw, 4, "Ranking: how far each metric's mean lies outside its green band, in "
                   "units of its own step-to-step SD (both feet, or one foot when only that "
                   "foot is outside). A fault: ≥ 1 SD outside, or outside the amber band. "
                   + str(picture.get("note", "")), **nl)
    pdf.set_text_color(0, 0, 0)


def _bullets(pdf, title: str, lines: list[str]) -> None:
    if not lines:
        return
    pdf.ln(1)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(pdf.epw, 6, title, **_nl())
    pdf.set_font("DejaVu", "", 8.5)
    for t in lines:
        pdf.multi_cell(pdf.epw, 4.4, f"• {t}", **_nl())


def _finding_block(pdf, kind: str, f: Mapping, rgb: tuple[int, int, int]) -> None:
    nl = _nl()
    epw = pdf.epw
    ev = f.get("evidence") or {}
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.set_text_color(*rgb)
    pdf.cell(epw, 6, f"{kind}: {f.get('label', '')}", **nl)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(epw, 4.6, str(f.get("sentence", "")), **nl)
    rows = [("", "mean", "SD", "steps")]
    for key, name in (("all", "All steps"), ("left", "Left"), ("right", "Right")):
        st = ev.get(key) or {}
        if st.get("n"):
            rows.append((name, _v(st.get("mean")), _v(st.get("sd")), str(st.get("n"))))
    x0 = pdf.l_margin + 6
    for i, r in enumerate(rows):
        pdf.set_x(x0)
        pdf.set_font("DejaVu", "B" if i == 0 else "", 8.5)
        for w, cell in zip((26, 20, 16, 14), r):
            pdf.cell(w, 4.6, cell, align="L" if w == 26 else "R")
        pdf.ln(4.6)
    g = ev.get("green") or [None, None]
    pdf.set_x(x0)
    pdf.set_font("DejaVu", "", 8.5)
    pdf.multi_cell(epw - 6, 4.6, f"Band (green) {_v(g[0])} to {_v(g[1])} {ev.get('unit', '')}; "
                   f"{ev.get('severity', '')}, {_v(ev.get('z'))} SD outside. "
                   f"Tends to load: {f.get('tissue', '')}.", **nl)
    pdf.ln(1.5)


def _v(x) -> str:  # noqa: ANN001
    if x is None:
        return "—"
    return f"{x:.1f}".replace("-", "−") if isinstance(x, float) else str(x)


def draw_programme_page(pdf, programme, library: ExerciseLibrary, runner: str | None = None,
                        load_lines: Sequence[str] = (), weeks_from: _dt.date | None = None) -> None:
    """The runner-friendly programme (``app.plan.programme.Programme``): big type, one card
    per exercise with its figures, dose, steps, cue and a week to tick."""
    nl = _nl()
    pdf.add_page()
    epw = pdf.epw
    pdf.set_font("DejaVu", "B", 20)
    pdf.cell(epw, 10, f"Your running programme{' — ' + runner if runner else ''}", **nl)
    pdf.set_font("DejaVu", "", 11)
    chain = CHAINS.get(programme.chain) if programme.chain else None
    goal = chain.runner_goal if chain else GENERAL_GOAL
    pdf.multi_cell(epw, 6, f"What we work on: {goal}", **nl)
    due = _dt.date.fromisoformat(programme.reassess_due)
    lines = [f"Started {_dt.date.fromisoformat(programme.created):%d %b %Y}; next check-up (video "
             f"before/after) around {due:%d %b %Y}."]
    if programme.template:
        lines.append(f"On the treadmill: the “{programme.template}” retraining sessions"
                     + (f" (plan {programme.plan})" if programme.plan else "") + ".")
    lines.extend(load_lines)
    pdf.set_font("DejaVu", "", 9.5)
    for t in lines:
        pdf.multi_cell(epw, 5, t, **nl)
    pdf.ln(2)
    for it in programme.items:
        ex = library.get(it.exercise_id) if it.exercise_id in library else None
        _exercise_card(pdf, ex, it)
    pdf.set_font("DejaVu", "", 8)
    pdf.set_text_color(110, 110, 110)
    pdf.multi_cell(epw, 4, "Tick a box each day you did the exercise. Stop and tell your "
                   "clinician if an exercise causes pain above 3/10 that is still there the "
                   "next morning.", **nl)
    pdf.set_text_color(0, 0, 0)


def _exercise_card(pdf, ex, item) -> None:  # noqa: ANN001
    from app.exercise.library import STAGE_LABELS

    nl = _nl()
    epw = pdf.epw
    fig_w, fig_h = 24.0, 30.0
    n_poses = len(ex.poses) if ex else 0
    text_x = pdf.l_margin + n_poses * fig_w + 3
    text_w = epw - (text_x - pdf.l_margin)
    card_h = 44.0
    if pdf.get_y() + card_h > pdf.h - pdf.b_margin:
        pdf.add_page()
    y0 = pdf.get_y()
    pdf.set_draw_color(210, 214, 220)
    pdf.rect(pdf.l_margin, y0, epw, card_h)
    if ex is not None:
        for i, pose in enumerate(ex.poses):
            draw_figure(pdf, pose, ex.view, pdf.l_margin + 1 + i * fig_w, y0 + 2, fig_w - 2, fig_h)
    pdf.set_xy(text_x, y0 + 1.5)
    pdf.set_font("DejaVu", "B", 12)
    name = ex.name if ex else item.exercise_id
    pdf.cell(text_w, 6, name, new_x="LEFT", new_y="NEXT")
    pdf.set_x(text_x)
    pdf.set_font("DejaVu", "B", 10)
    stage = f"  ·  {STAGE_LABELS[ex.stage]}" if ex else ""
    pdf.cell(text_w, 5, f"{item.dose.text}{stage}", new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8.5)
    for step in (ex.instructions if ex else ())[:4]:
        pdf.set_x(text_x)
        pdf.multi_cell(text_w, 3.9, f"• {step}", new_x="LEFT", new_y="NEXT")
    if ex is not None:
        pdf.set_x(text_x)
        pdf.set_font("DejaVu", "B", 8.5)
        pdf.cell(text_w, 4.4, f"Think: “{ex.cue}”" + (f"  ·  {item.note}" if item.note else ""),
                 new_x="LEFT", new_y="NEXT")
    # tick boxes for one week, bottom-left under the figures
    bx = pdf.l_margin + 2
    by = y0 + card_h - 7.5
    pdf.set_font("DejaVu", "", 6.5)
    for i, day in enumerate(WEEKDAYS):
        pdf.set_xy(bx + i * 8.5, by)
        pdf.cell(6, 2.6, day, align="C")
        pdf.rect(bx + i * 8.5 + 1, by + 2.8, 4, 4)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_xy(pdf.l_margin, y0 + card_h + 2)
    pdf.ln(0)
    _ = nl


def write_plan_pdf(dest: str | os.PathLike[str], picture: Mapping, programme,
                   library: ExerciseLibrary, runner: str | None = None,
                   load_lines: Iterable[str] = (), clinician_page: bool = True) -> Path:
    """The clinical picture (optional) and the runner's programme page as one PDF."""
    from app.atomic import atomic_path

    pdf = new_pdf("plan")
    if clinician_page:
        draw_picture_page(pdf, picture, subtitle=runner or "")
    draw_programme_page(pdf, programme, library, runner, list(load_lines))
    dest = Path(dest)
    with atomic_path(dest) as tmp:
        pdf.output(str(tmp))
    return dest


def picture_intro(result, label: str, subtitle: str = ""):  # noqa: ANN001
    """``intro`` for ``app.compare.report.write_pdf``: the clinical picture of an
    ``AnalysisResult`` (e.g. the baseline block) as the report's first page, with the
    clinician's bands."""
    from app.plan.picture import clinical_picture, settings_bands

    doc = result.to_json_dict()
    pic = clinical_picture(doc, settings_bands(), [label])

    def intro(pdf) -> None:  # noqa: ANN001
        draw_picture_page(pdf, pic.to_json(), subtitle=subtitle)
    return intro


def fault_label(fault_id: str | None) -> str:
    f = FAULTS.get(fault_id or "")
    return f.label if f else (fault_id or "none")
