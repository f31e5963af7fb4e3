"""The before/after metric table, and what "better" means for each metric.

Direction of improvement is defined here, once, from the metric specs in
``app.gait.metrics.METRIC_SPECS``:

- ``higher_is_worse`` True → a decrease is better (contact time, overstride, …);
- ``higher_is_worse`` False → an increase is better (cadence, hip extension at toe-off, …);
- ``higher_is_worse`` None (faults in both directions: step time, trunk lean, asymmetry …)
  → moving closer to the middle of the metric's default green band is better.

A change counts only when it stands out of the metric's own step-to-step noise: it must
be larger than ``NOISE_K`` × the standard error of the difference of the two means,
√(SD_before²/n_before + SD_after²/n_after) from each clip's per-step SD and step count
(cadence: from the step times), and larger than :data:`NEGLIGIBLE` (by unit, a floor for
clips with almost no step-to-step variation, e.g. the synthetic runner). Otherwise it is
"same" (grey). Used by the PDF report, the CLI table and the comparison view (colours).
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
#: A change must exceed this many standard errors of the difference (≈ 95 %).
NOISE_K = 2.0
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
    noise: float | None = None

    def fmt(self, v: float | None, signed: bool = False) -> str:
        """The value with the row's decimals; a value that rounds to zero is "0.0", never
        "−0.0" or "+0.0"."""
        return fmt_value(v, self.decimals, signed)


def fmt_value(v: float | None, decimals: int, signed: bool = False) -> str:
    """``v`` with ``decimals`` (typographic minus; '+' when ``signed``); zero after
    rounding has no sign; None is '—'."""
    if v is None:
        return "—"
    text = f"{v:.{decimals}f}"
    if float(text) == 0.0:
        return f"{0.0:.{decimals}f}"
    if signed and v > 0:
        text = "+" + text
    return text.replace("-", "−")


def change_noise(name: str, before: AnalysisResult | None, after: AnalysisResult | None) -> float | None:
    """``NOISE_K`` × the standard error of the difference of the two clips' means of metric
    ``name``, from each clip's step-to-step SD and step count (cadence: from the step
    times, SE(cadence) ≈ cadence × SD/mean of step time / √n); None when unknown."""
    def se2(res: AnalysisResult | None) -> float | None:
        if res is None:
            return None
        if name == "cadence_spm":
            st = res.metrics.get("step_time_ms")
            if res.cadence_spm is None or st is None or not st.mean or st.sd is None or st.n < 2:
                return None
            return (res.cadence_spm * st.sd / st.mean) ** 2 / st.n
        s = res.metrics.get(name)
        if s is None or s.sd is None or s.n < 2 or math.isnan(s.sd):
            return None
        return s.sd ** 2 / s.n

    a, b = se2(before), se2(after)
    if a is None or b is None:
        return None
    return NOISE_K * math.sqrt(a + b)


def verdict(name: str, before: float | None, after: float | None,
            noise: float | None = None) -> str:
    """'better', 'worse' or 'same' for the change of metric ``name``; '' when unknown.
    ``noise``: the smallest change that counts (:func:`change_noise`); the unit's
    :data:`NEGLIGIBLE` floor applies too."""
    spec = METRIC_SPECS.get(name)
    if spec is None or before is None or after is None:
        return ""
    change = after - before
    threshold = max(NEGLIGIBLE.get(spec.unit, 0.0), noise or 0.0)
    if abs(change) <= threshold:
        return "same"
    if spec.higher_is_worse is True:
        return "better" if change < 0 else "worse"
    if spec.higher_is_worse is False:
        return "better" if change > 0 else "worse"
    centre = 0.5 * (spec.default_green[0] + spec.default_green[1])
    d0, d1 = abs(before - centre), abs(after - centre)
    if abs(d1 - d0) <= threshold:
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
        noise = change_noise(name, before, after)
        floor = NEGLIGIBLE.get(spec.unit, 0.0)
        rows.append(MetricRow(name, spec.label, spec.unit, b, a, change,
                              verdict(name, b, a, noise), _decimals(spec.unit),
                              None if noise is None else max(noise, floor)))
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
