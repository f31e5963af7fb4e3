"""The clinical picture of an assessment: which fault is the primary candidate, which are
its likely compensations, and the numbers behind each (both sides).

Input: one or more assessments as ``python -m app analyze --json`` documents (a view and
per-step rows; recorded sessions and protocol baselines are turned into the same shape by
``app.plan.assessment``) and the bands in force.

Method, per fault of ``app.plan.faults``:

1. per-step values of its metric, all steps and each foot's steps (cadence per step is
   60 000 / step time);
2. ``excess`` = how far the mean lies outside the green band in the fault's direction;
3. ``z`` = excess / step-to-step SD (at least the fault's noise floor) — how far outside
   the band relative to the metric's own noise; the worse of left, right and both;
4. a **fault** when z ≥ 1 or the mean is outside the amber band (with ≥ 3 steps);
   **watch** when outside the green band but within its own noise (z from 0.3 to 1).

Faults are ranked by z. The chain with the most evidence (sum of z, each capped at 5)
gives the primary candidate: its driver when the driver is a fault, else its strongest
fault; the chain's other faults are the likely compensations; faults of other chains are
listed as further findings. No fault at all: "no primary fault". Pure Python + numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from app.gait.metrics import METRIC_SPECS
from app.plan.faults import CHAINS, FAULTS, Chain, Fault
from app.types import View

#: Fewer values than this (per group) are not judged.
MIN_N = 3
#: A mean this many step-to-step SDs outside the green band is a fault.
FAULT_Z = 1.0
#: Each fault adds at most this much to its chain's evidence.
Z_CAP = 5.0
#: Below this many SDs outside the band a value is read as "at the band edge", not "watch".
WATCH_Z = 0.3
#: Fewer steps than this: the picture is provisional.
MIN_STEPS_FIRM = 12

NOTE = ("A measured picture for the clinician to confirm or change — not a diagnosis. "
        "2D video: frontal-plane values are best read as trends and left/right differences.")

BandFn = Callable[[str], "tuple[tuple[float, float], tuple[float, float]] | None"]


def default_bands(name: str):
    """(green, amber) of ``name`` from the metric defaults."""
    spec = METRIC_SPECS.get(name)
    return None if spec is None else (spec.default_green, spec.default_amber)


def settings_bands(settings=None) -> BandFn:  # noqa: ANN001 - app.config.Settings
    """(green, amber) from the clinician's settings (``app.config``), defaults otherwise."""
    if settings is None:
        from app import config

        settings = config.load()

    def bands(name: str):
        b = settings.band_for(name)
        return None if b is None else (tuple(b.green), tuple(b.amber))
    return bands


@dataclass(frozen=True, slots=True)
class Stats:
    mean: float | None
    sd: float | None
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> "Stats":
        arr = np.asarray(values, float)
        if arr.size == 0:
            return cls(None, None, 0)
        return cls(float(arr.mean()), float(arr.std(ddof=1)) if arr.size > 1 else None, int(arr.size))

    def to_json(self) -> dict:
        return {"mean": _r(self.mean), "sd": _r(self.sd), "n": self.n}


@dataclass(frozen=True, slots=True)
class Evidence:
    """The numbers behind one finding: the metric over all steps and per foot, the band,
    how far outside it (``excess``, in the metric's unit) and ``z`` (excess in
    step-to-step SDs), the worse ``side`` ('left', 'right', 'both' or None for metrics
    without a side) and ``severity`` ('mild': outside green, 'marked': outside amber)."""

    metric: str
    label: str
    unit: str
    all: Stats
    left: Stats
    right: Stats
    green: tuple[float, float]
    amber: tuple[float, float]
    excess: float
    z: float
    side: str | None
    severity: str
    source: str = ""

    def to_json(self) -> dict:
        return {"metric": self.metric, "label": self.label, "unit": self.unit,
                "all": self.all.to_json(), "left": self.left.to_json(),
                "right": self.right.to_json(), "green": list(self.green),
                "amber": list(self.amber), "excess": _r(self.excess), "z": _r(self.z, 2),
                "side": self.side, "severity": self.severity, "source": self.source}


@dataclass(frozen=True, slots=True)
class Finding:
    """A fault with its status ('fault' or 'watch') and evidence."""

    fault: Fault
    status: str
    evidence: Evidence

    @property
    def z(self) -> float:
        return self.evidence.z

    @property
    def sentence(self) -> str:
        """'Pelvic drop 7.9° (left 7.9°, right 8.0°; band −5 to 5°): 2.9 SDs above the band.'"""
        e = self.evidence
        u = e.unit
        sp = "" if u in ("°", "") else " "

        def v(x: float | None) -> str:
            return "—" if x is None else f"{_fmt(x)}{sp}{u}"
        sides = ""
        if e.left.n or e.right.n:
            sides = f"left {v(e.left.mean)}, right {v(e.right.mean)}; "
        where = "above" if self.fault.direction == "high" else "below"
        lo, hi = e.green
        side = f" ({e.side} side)" if e.side in ("left", "right") else ""
        return (f"{self.fault.label}{side}: {self.fault.finding} — {_lower_first(e.label)} "
                f"{v(e.all.mean)} ({sides}band {_fmt(lo)} to {_fmt(hi)}{sp}{u}), "
                f"{math.floor(e.z * 10) / 10:.1f} step-to-step SD {where} the band"
                + ("; beyond the amber band." if e.severity == "marked" else "."))

    def to_json(self) -> dict:
        f = self.fault
        return {"fault": f.id, "label": f.label, "chain": f.chain, "status": self.status,
                "direction": f.direction, "tissue": f.tissue, "finding": f.finding,
                "template": f.template, "z": _r(self.z, 2), "sentence": self.sentence,
                "evidence": self.evidence.to_json()}


@dataclass(frozen=True)
class ClinicalPicture:
    """The picture of one assessment (or several views of one runner)."""

    sources: tuple[str, ...]
    views: tuple[str, ...]
    n_steps: int
    cadence_spm: float | None
    primary: Finding | None
    chain: Chain | None
    compensations: tuple[Finding, ...]
    other_findings: tuple[Finding, ...]
    watch: tuple[Finding, ...]
    ranked: tuple[Finding, ...]
    not_measured: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    in_band: tuple[str, ...] = field(default=())

    @property
    def has_primary(self) -> bool:
        return self.primary is not None

    @property
    def headline(self) -> str:
        """One line: the primary candidate and its compensations, or 'No primary fault'."""
        if self.primary is None:
            return "No primary fault: every measured metric is within its band or within its own step-to-step noise of it."
        comp = [_lower_first(f.fault.label) for f in self.compensations]
        text = (f"Primary candidate: {_lower_first(self.primary.fault.label)} "
                f"({_lower_first(self.chain.label)})")
        if not comp:
            return text + "."
        if len(comp) == 1:
            return text + f", with {comp[0]} as a likely compensation."
        return text + f", with {', '.join(comp[:-1])} and {comp[-1]} as likely compensations."

    def summary_lines(self) -> list[str]:
        """The picture as short lines for a terminal, the app or a PDF."""
        lines = [self.headline]
        if self.primary is not None:
            p = self.primary
            lines.append(f"Points to: {self.chain.deficit}.")
            lines.append(f"  {p.sentence}")
            lines.append(f"  Tends to load: {p.fault.tissue}.")
            for f in self.compensations:
                lines.append(f"Compensation — {f.sentence}")
                lines.append(f"  Tends to load: {f.fault.tissue}.")
            for f in self.other_findings:
                lines.append(f"Also outside its band — {f.sentence}")
        for f in self.watch:
            lines.append(f"Watch (outside the band but within its own noise) — {f.sentence}")
        for text in self.not_measured:
            lines.append(f"Not measured: {text}.")
        lines.extend(f"Note: {w}" for w in self.warnings)
        return lines

    def to_json(self) -> dict:
        return {
            "sources": list(self.sources), "views": list(self.views), "n_steps": self.n_steps,
            "cadence_spm": _r(self.cadence_spm, 1), "headline": self.headline,
            "primary": None if self.primary is None else {
                **self.primary.to_json(), "chain_label": self.chain.label,
                "deficit": self.chain.deficit},
            "compensations": [f.to_json() for f in self.compensations],
            "other_findings": [f.to_json() for f in self.other_findings],
            "watch": [f.to_json() for f in self.watch],
            "ranked": [{"fault": f.fault.id, "status": f.status, "z": _r(f.z, 2)} for f in self.ranked],
            "not_measured": list(self.not_measured), "in_band": list(self.in_band),
            "warnings": list(self.warnings), "note": NOTE,
        }


# ----------------------------------------------------------------------------- values
def step_values(doc: Mapping, metric: str) -> list[tuple[str, float]]:
    """(foot, value) per step of an analysis document; cadence per step from step time."""
    out = []
    for s in doc.get("steps") or ():
        if not isinstance(s, Mapping):
            continue
        if metric == "cadence_spm":
            st = _num(s.get("step_time_ms"))
            v = 60000.0 / st if st and st > 0 else None
        else:
            v = _num(s.get(metric))
        if v is not None:
            out.append((str(s.get("foot") or ""), v))
    return out


def _num(v) -> float | None:  # noqa: ANN001
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v) if math.isfinite(v) else None


def _excess(mean: float, green: tuple[float, float], direction: str) -> float:
    return max(0.0, mean - green[1]) if direction == "high" else max(0.0, green[0] - mean)


def _outside(mean: float, band: tuple[float, float], direction: str) -> bool:
    return mean > band[1] if direction == "high" else mean < band[0]


def evaluate(fault: Fault, doc: Mapping, bands: BandFn, source: str = "") -> Finding | None:
    """The finding for ``fault`` in one analysis document, or None when it is within its
    band (or not measured there)."""
    vals = step_values(doc, fault.metric)
    band = bands(fault.metric)
    if band is None or not vals:
        return None
    green, amber = tuple(band[0]), tuple(band[1])
    groups = {"both": [v for _, v in vals], "left": [v for f, v in vals if f == "left"],
              "right": [v for f, v in vals if f == "right"]}
    stats = {k: Stats.of(v) for k, v in groups.items()}
    if fault.metric == "cadence_spm":
        cad = _num(doc.get("cadence_spm"))  # 60 / median step time: the app's cadence
        if cad is not None:
            stats["both"] = Stats(cad, stats["both"].sd, stats["both"].n)
        stats["left"] = stats["right"] = Stats(None, None, 0)
    scored = {}
    for k, st in stats.items():
        if st.n < MIN_N or st.mean is None:
            continue
        ex = _excess(st.mean, green, fault.direction)
        scored[k] = (ex, ex / max(st.sd or 0.0, fault.floor), _outside(st.mean, amber, fault.direction))
    if not scored or all(ex <= 0 for ex, _, _ in scored.values()):
        return None
    # Both feet outside the band: a whole-runner fault, judged on all steps. One foot
    # only: a one-sided fault, judged on that foot's steps.
    out_sides = [k for k in ("left", "right") if k in scored and scored[k][0] > 0]
    group = out_sides[0] if len(out_sides) == 1 else "both"
    if group not in scored:
        group = max(scored, key=lambda k: scored[k][1])
    ex, z, marked = scored[group]
    marked = marked or any(scored[k][2] for k in out_sides)
    side = None
    if stats["left"].n or stats["right"].n:
        side = group if group != "both" else "both"
    status = "fault" if (ex > 0 and z >= FAULT_Z) or marked else "watch"
    if status == "watch" and z < WATCH_Z:
        return None  # at the band edge, within a fraction of its own noise
    spec = METRIC_SPECS.get(fault.metric)
    ev = Evidence(fault.metric, spec.label if spec else fault.metric, spec.unit if spec else "",
                  stats["both"], stats["left"], stats["right"], green, amber, ex, z, side,
                  "marked" if marked else "mild", source)
    return Finding(fault, status, ev)


# ----------------------------------------------------------------------------- picture
def clinical_picture(docs: Mapping | Iterable[Mapping], bands: BandFn | None = None,
                     sources: Sequence[str] | None = None) -> ClinicalPicture:
    """The clinical picture of one analysis document or several (e.g. a side and a rear
    view of the same runner). A fault measured in several documents is judged in the one
    with the most values."""
    docs = [docs] if isinstance(docs, Mapping) else list(docs)
    bands = bands or default_bands
    sources = list(sources or [str(d.get("source") or f"assessment {i + 1}") for i, d in enumerate(docs)])
    views = [str(d.get("view") or "side") for d in docs]
    findings: list[Finding] = []
    measured: set[str] = set()
    for fault in FAULTS.values():
        best: tuple[int, Finding | None] | None = None
        spec = METRIC_SPECS.get(fault.metric)
        for doc, src in zip(docs, sources):
            if spec is not None and _view(doc) not in spec.views:
                continue  # e.g. contact times from a rear view: not judged there
            n = len(step_values(doc, fault.metric))
            if n == 0:
                continue
            measured.add(fault.metric)
            if best is None or n > best[0]:
                best = (n, evaluate(fault, doc, bands, src))
        if best is not None and best[1] is not None:
            findings.append(best[1])
    findings.sort(key=lambda f: -f.z)
    faults = [f for f in findings if f.status == "fault"]
    watch = tuple(f for f in findings if f.status == "watch")
    primary, chain, comps, others = None, None, (), ()
    if faults:
        score: dict[str, float] = {}
        for f in faults:
            score[f.fault.chain] = score.get(f.fault.chain, 0.0) + min(f.z, Z_CAP)
        order = list(CHAINS)
        top = max(score, key=lambda c: (score[c], -order.index(c)))
        chain = CHAINS[top]
        in_chain = [f for f in faults if f.fault.chain == top]
        primary = next((f for f in in_chain if f.fault.id == chain.driver), in_chain[0])
        comps = tuple(f for f in in_chain if f is not primary)
        others = tuple(f for f in faults if f.fault.chain != top)
    not_measured = _not_measured(measured, views)
    if chain is not None:
        not_measured = not_measured + tuple(chain.not_measured)
    n_steps = sum(len(d.get("steps") or ()) for d in docs)
    warnings = []
    for d, src in zip(docs, sources):
        n = len(d.get("steps") or ())
        if n < MIN_STEPS_FIRM:
            warnings.append(f"{src}: only {n} steps — a provisional picture; record at least "
                            f"{MIN_STEPS_FIRM} steps (30 s of running) to confirm it")
        q = d.get("quality")
        if isinstance(q, Mapping):
            warnings.extend(f"{src}: {w}" for w in q.get("warnings") or ())
    in_band = tuple(sorted(m for m in measured if not any(f.evidence.metric == m for f in findings)))
    cads = [c for c in (_num(d.get("cadence_spm")) for d in docs) if c is not None]
    return ClinicalPicture(
        sources=tuple(sources), views=tuple(views), n_steps=n_steps,
        cadence_spm=cads[0] if cads else None, primary=primary, chain=chain,
        compensations=comps, other_findings=others, watch=watch, ranked=tuple(findings),
        not_measured=not_measured, warnings=tuple(warnings), in_band=in_band)


def _view(doc: Mapping) -> View | None:
    try:
        return View(doc.get("view") or "side")
    except ValueError:
        return None


def _lower_first(text: str) -> str:
    """'Pelvic drop' → 'pelvic drop'; 'FPPA' stays."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _not_measured(measured: set[str], views: list[str]) -> tuple[str, ...]:
    """Sentences for the faults none of the assessments could measure, grouped by view."""
    by_need: dict[str, list[str]] = {}
    for f in FAULTS.values():
        if f.metric in measured:
            continue
        spec = METRIC_SPECS.get(f.metric)
        if spec is None:
            continue
        need = ("a side view" if spec.views == frozenset({View.SIDE}) else
                "a rear view" if spec.views == frozenset({View.REAR}) else "a rear or front view")
        seen = any(View(v) in spec.views for v in views if v in {x.value for x in View})
        key = need if not seen else "visible landmarks (none of its values could be measured)"
        labels = by_need.setdefault(key, [])
        if f.label not in labels:
            labels.append(f.label)
    return tuple(f"{', '.join(v)} — needs {k}" for k, v in by_need.items())


def _fmt(x: float) -> str:
    s = f"{x:.1f}" if abs(x) < 100 else f"{x:.0f}"
    if s.endswith(".0"):
        s = s[:-2]
    return s.replace("-", "−")


def _r(v: float | None, nd: int = 2) -> float | None:
    return None if v is None or not math.isfinite(v) else round(float(v), nd)
