"""The before/after metric table, and what "better" means for each metric.

Direction of improvement is defined here, once, from the metric specs in
``app.gait.metrics.METRIC_SPECS``:

- ``higher_is_worse`` True → a decrease is better (contact time, overstride, …);
- ``higher_is_worse`` False → an increase is better (cadence, hip extension at toe-off, …);
- ``higher_is_worse`` None (faults in both directions: step time, trunk lean, asymmetry …)
  → moving closer to the middle of the metric's default green band is better.

A change smaller than :data:`NEGLIGIBLE` (by unit) is "same". Used by the PDF report,
the CLI table and the comparison view (colours).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.gait.analysis import AnalysisResult
from app.gait.metrics import METRIC_SPECS

#: Changes at most this large (in the metric's unit) count as "same".
NEGLIGIBLE: dict[str, float] = {
    "spm": 1.0, "ms": 5.0, "°": 1.0, "% leg": 1.0, "%": 1.0, "": 0.01, "% pelvis": 2.0,
    "% steps": 2.0,
}
#: Verdict → colour (hex RGB) for tables.
VERDICT_COLORS = {"better": "#2e7d32", "worse": "#c62828", "same": "#546e7a", "": "#546e7a"}


@dataclass(frozen=True, slots=True)
class MetricRow:
    """One row: ``before``/``after`` values (None = not measurable), ``change`` = after −
    before, ``verdict`` 'better' | 'worse' | 'same' | '' (unknown)."""

    name: str
    label: str
    unit: str
    before: float | None
    after: float | None
    change: float | None
    verdict: str
    decimals: int

    def fmt(self, v: float | None, signed: bool = False) -> str:
        if v is None:
            return "—"
        text = f"{v:+.{self.decimals}f}" if signed else f"{v:.{self.decimals}f}"
        return text.replace("-", "−")


def verdict(name: str, before: float | None, after: float | None) -> str:
    """'better', 'worse' or 'same' for the change of metric ``name``; '' when unknown."""
    spec = METRIC_SPECS.get(name)
    if spec is None or before is None or after is None:
        return ""
    change = after - before
    if abs(change) <= NEGLIGIBLE.get(spec.unit, 0.0):
        return "same"
    if spec.higher_is_worse is True:
        return "better" if change < 0 else "worse"
    if spec.higher_is_worse is False:
        return "better" if change > 0 else "worse"
    centre = 0.5 * (spec.default_green[0] + spec.default_green[1])
    d0, d1 = abs(before - centre), abs(after - centre)
    if abs(d1 - d0) <= NEGLIGIBLE.get(spec.unit, 0.0):
        return "same"
    return "better" if d1 < d0 else "worse"


def _value(result: AnalysisResult, name: str) -> float | None:
    if name == "cadence_spm":
        return result.cadence_spm
    s = result.metrics.get(name)
    v = None if s is None else s.mean
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _decimals(unit: str) -> int:
    return {"ms": 0, "": 2}.get(unit, 1)


def compare_metrics(before: AnalysisResult, after: AnalysisResult) -> list[MetricRow]:
    """Rows for cadence and every per-step metric measured in either clip, in spec order."""
    rows: list[MetricRow] = []
    for name, spec in METRIC_SPECS.items():
        if name != "cadence_spm" and name not in before.metrics and name not in after.metrics:
            continue
        b, a = _value(before, name), _value(after, name)
        if b is None and a is None:
            continue
        change = None if a is None or b is None else a - b
        rows.append(MetricRow(name, spec.label, spec.unit, b, a, change,
                              verdict(name, b, a), _decimals(spec.unit)))
    return rows


def format_table(rows: list[MetricRow], before_label: str = "Before",
                 after_label: str = "After") -> str:
    """The rows as a plain-text table (CLI stdout)."""
    lines = [f"{'metric':30s} {before_label:>9s} {after_label:>9s} {'change':>9s}  unit"]
    for r in rows:
        mark = {"better": "  better", "worse": "  worse"}.get(r.verdict, "")
        lines.append(f"{r.label:30s} {r.fmt(r.before):>9s} {r.fmt(r.after):>9s} "
                     f"{r.fmt(r.change, True):>9s}  {r.unit or '-':7s}{mark}")
    return "\n".join(lines)
