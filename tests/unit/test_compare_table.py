"""The before/after metric table (app.compare.table): changes judged against each
metric's own step-to-step noise, and numbers that read cleanly (issue 11 item 12)."""

from __future__ import annotations

import numpy as np
import pytest

from app.compare.table import MetricRow, change_noise, compare_metrics, fmt_value, verdict
from app.gait.analysis import AnalysisResult, MetricSummary
from app.types import Quality, View


def result(cadence: float, per_step: dict[str, tuple[float, float, int]]) -> AnalysisResult:
    """An analysis with ``{metric: (mean, sd, n)}`` summaries (step time from cadence)."""
    step_ms = 60000.0 / cadence
    metrics = {"step_time_ms": MetricSummary("step_time_ms", "ms", step_ms, 6.0, 30)}
    for name, (mean, sd, n) in per_step.items():
        metrics[name] = MetricSummary(name, "", mean, sd, n)
    return AnalysisResult(view=View.SIDE, facing=None, fps=30.0, duration_s=10.0, n_samples=300,
                          n_person_samples=300, t0_ns=0, events=(), steps=(), cadence_spm=cadence,
                          metrics=metrics, quality=Quality.GOOD)


def test_zero_never_has_a_sign():
    assert fmt_value(-0.04, 1) == "0.0" and fmt_value(-0.04, 1, signed=True) == "0.0"
    assert fmt_value(0.004, 2, signed=True) == "0.00" and fmt_value(-0.4, 0) == "0"
    assert fmt_value(-0.06, 1, signed=True) == "−0.1" and fmt_value(0.06, 1, signed=True) == "+0.1"
    assert fmt_value(None, 1) == "—" and fmt_value(12.345, 1) == "12.3"
    row = MetricRow("trunk_lean_deg", "Trunk lean", "°", 6.02, 5.98, -0.04, "same", 1)
    assert row.fmt(row.change, True) == "0.0"


def test_a_change_inside_the_step_to_step_noise_is_same():
    # duty factor +0.01 with a step-to-step SD of 0.027 over 16 steps each: noise
    before = result(170, {"duty_factor": (0.35, 0.027, 16), "overstride_pct_leg": (2.5, 2.8, 16)})
    after = result(170.4, {"duty_factor": (0.36, 0.027, 16), "overstride_pct_leg": (3.8, 2.8, 16)})
    rows = {r.name: r for r in compare_metrics(before, after)}
    assert rows["duty_factor"].verdict == "same"
    assert rows["duty_factor"].noise == pytest.approx(2 * 0.027 * np.sqrt(2 / 16))
    assert rows["overstride_pct_leg"].change == pytest.approx(1.3)
    assert rows["overstride_pct_leg"].verdict == "same"   # +1.3 % leg, SD 2.8: noise
    assert rows["cadence_spm"].verdict == "same"


def test_a_change_beyond_the_noise_counts():
    before = result(165, {"duty_factor": (0.38, 0.01, 40), "overstride_pct_leg": (9.0, 1.0, 40)})
    after = result(176, {"duty_factor": (0.34, 0.01, 40), "overstride_pct_leg": (5.0, 1.0, 40)})
    rows = {r.name: r for r in compare_metrics(before, after)}
    assert rows["duty_factor"].verdict == "better"
    assert rows["overstride_pct_leg"].verdict == "better"
    assert rows["cadence_spm"].verdict == "better"
    worse = {r.name: r for r in compare_metrics(after, before)}
    assert worse["overstride_pct_leg"].verdict == "worse"


def test_noise_needs_both_clips_and_the_unit_floor_still_applies():
    quiet = result(170, {"overstride_pct_leg": (2.0, 0.0, 30)})
    quiet2 = result(170, {"overstride_pct_leg": (2.6, 0.0, 30)})
    assert change_noise("overstride_pct_leg", quiet, quiet2) == 0.0
    # no variation at all (synthetic runner): the unit's floor (1 % leg) decides
    assert verdict("overstride_pct_leg", 2.0, 2.6, 0.0) == "same"
    assert verdict("overstride_pct_leg", 2.0, 3.2, 0.0) == "worse"
    assert change_noise("overstride_pct_leg", quiet, None) is None
    one_step = result(170, {"overstride_pct_leg": (2.0, None, 1)})
    assert change_noise("overstride_pct_leg", one_step, quiet) is None


def test_report_table_columns_fit_their_text():
    """Issue 11: "LengthMetronome" ran together in the guided report's blocks table."""
    from fpdf import FPDF

    from app.compare.render import bold_font_path, font_path
    from app.compare.report import ReportTable, table_widths
    from app.protocol.finish import _blocks_table

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(font_path()))
    pdf.add_font("DejaVu", "B", str(bold_font_path()))
    pdf.add_page()
    table = _blocks_table([{"name": "Retraining 1", "t_start_s": 0, "t_end_s": 240,
                            "metronome": "alternate", "target_spm": 182.6, "cadence_spm": 170.0,
                            "n_steps": 340, "sync_share_50ms": 0.46, "sync_mean_ms": -10, "n_cues": 3}])
    widths = table_widths(pdf, table, pdf.epw)
    assert sum(widths) == pytest.approx(pdf.epw)
    pdf.set_font("DejaVu", "B", 8.5)
    for w, h in zip(widths, table.heads):
        assert pdf.get_string_width(h) + 2.9 < w, h
    pdf.set_font("DejaVu", "", 8.5)
    for w, v in zip(widths, table.rows[0]):
        assert pdf.get_string_width(v) + 2.9 < w, v
    wide = ReportTable("t", tuple(f"Heading number {i}" for i in range(14)), ())
    assert sum(table_widths(pdf, wide, pdf.epw)) == pytest.approx(pdf.epw)  # scaled to fit


def test_labels_near_the_edge_are_drawn_whole():
    """A knee's angle beside a runner zoomed to the crop's edge is moved inside the image
    instead of being cut (the before pane showed '·3°' for '-3°')."""
    from app.compare.render import draw_texts

    img = np.zeros((100, 200, 3), np.uint8)
    for at in ((-15.0, 40.0), (190.0, 40.0), (80.0, -12.0), (80.0, 95.0)):
        out = draw_texts(img, [(at, "-13°", "#ffffff")], 17)
        lit = out.max(axis=2) > 0
        cols, rows = np.flatnonzero(lit.any(axis=0)), np.flatnonzero(lit.any(axis=1))
        assert cols.min() >= 1 and cols.max() <= 198 and rows.min() >= 1 and rows.max() <= 98, at
        # the whole text: as wide as when drawn in the middle
        mid = draw_texts(img, [((80.0, 40.0), "-13°", "#ffffff")], 17).max(axis=2) > 0
        mid_cols = np.flatnonzero(mid.any(axis=0))
        assert cols.max() - cols.min() == mid_cols.max() - mid_cols.min(), at
