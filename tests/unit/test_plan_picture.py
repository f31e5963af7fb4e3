"""The clinical picture: ranking by distance outside the band in step-to-step SDs, chains,
primary vs compensations, both sides, negative and zero truths, noise."""

from __future__ import annotations

import numpy as np
import pytest

from app.plan.assessment import demo_assessment
from app.plan.faults import CHAINS, FAULTS, chain_faults
from app.plan.picture import clinical_picture, default_bands, evaluate
from app.types import View


def _doc(view: str, per_foot: dict[str, dict[str, list[float]]], cadence: float = 172.0) -> dict:
    """An analysis document with steps alternating feet, ``per_foot[foot][metric]`` values."""
    steps = []
    n = max(len(v) for f in per_foot.values() for v in f.values())
    for i in range(n):
        for foot in ("left", "right"):
            row = {"index": len(steps), "foot": foot, "step_time_ms": 60000.0 / cadence}
            for metric, vals in per_foot.get(foot, {}).items():
                row[metric] = vals[i % len(vals)]
            steps.append(row)
    return {"view": view, "cadence_spm": cadence, "n_steps": len(steps), "steps": steps}


def _noisy(mean: float, sd: float, n: int = 20, seed: int = 0) -> list[float]:
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n)
    x = (x - x.mean()) / x.std(ddof=1)
    return list(mean + sd * x)


def test_catalogue_is_consistent():
    for f in FAULTS.values():
        assert f.chain in CHAINS and f.direction in ("high", "low") and f.floor > 0
        assert default_bands(f.metric) is not None, f.metric
    for c in CHAINS.values():
        assert chain_faults(c.id)[0].id == c.driver


def test_z_is_excess_over_step_to_step_sd():
    doc = _doc("rear", {"left": {"pelvic_drop_deg": _noisy(9.0, 2.0)},
                        "right": {"pelvic_drop_deg": _noisy(9.0, 2.0, seed=1)}})
    f = evaluate(FAULTS["pelvic_drop"], doc, default_bands)
    assert f is not None and f.status == "fault" and f.evidence.side == "both"
    assert f.evidence.excess == pytest.approx(4.0, abs=1e-9)
    assert f.z == pytest.approx(4.0 / f.evidence.all.sd)
    assert f.evidence.left.n == f.evidence.right.n == 20


def test_within_noise_is_watch_and_edge_is_nothing():
    # 1.5° over the band with 3° of step-to-step noise: watch, not a fault
    doc = _doc("rear", {f: {"pelvic_drop_deg": _noisy(6.5, 3.0, seed=i)} for i, f in enumerate(("left", "right"))})
    assert evaluate(FAULTS["pelvic_drop"], doc, default_bands).status == "watch"
    doc = _doc("rear", {f: {"pelvic_drop_deg": _noisy(5.3, 3.0, seed=i)} for i, f in enumerate(("left", "right"))})
    assert evaluate(FAULTS["pelvic_drop"], doc, default_bands) is None
    # beyond the amber band (8°) is a fault even when noisy
    doc = _doc("rear", {f: {"pelvic_drop_deg": _noisy(9.5, 6.0, seed=i)} for i, f in enumerate(("left", "right"))})
    f = evaluate(FAULTS["pelvic_drop"], doc, default_bands)
    assert f.status == "fault" and f.evidence.severity == "marked" and f.z < 1


def test_one_sided_fault_names_its_side():
    doc = _doc("rear", {"left": {"pelvic_drop_deg": _noisy(1.0, 1.0)},
                        "right": {"pelvic_drop_deg": _noisy(7.5, 1.0, seed=3)}})
    f = evaluate(FAULTS["pelvic_drop"], doc, default_bands)
    assert f.status == "fault" and f.evidence.side == "right"
    assert f.z == pytest.approx(2.5, rel=1e-6)  # the right foot's own SD
    assert "right side" in f.sentence and "left 1°" in f.sentence


@pytest.mark.parametrize("value", [0.0, -6.0, -12.0])
def test_zero_and_negative_truths_are_not_drop(value):
    """A level pelvis or a hip hike (negative drop) is not a pelvic-drop fault."""
    doc = _doc("rear", {f: {"pelvic_drop_deg": _noisy(value, 1.0, seed=i)} for i, f in enumerate(("left", "right"))})
    assert evaluate(FAULTS["pelvic_drop"], doc, default_bands) is None
    p = clinical_picture(doc)
    assert p.primary is None and "No primary fault" in p.headline


def test_driver_is_primary_and_the_rest_compensations():
    doc = _doc("rear", {f: {"pelvic_drop_deg": _noisy(6.5, 1.0, seed=i),
                            "knee_valgus_fppa_deg": _noisy(16.0, 1.0, seed=5 + i),
                            "step_width_pct_pelvis": _noisy(-20.0, 5.0, seed=9 + i)}
                        for i, f in enumerate(("left", "right"))})
    p = clinical_picture(doc)
    assert p.primary.fault.id == "pelvic_drop"       # the driver, though valgus is further out
    assert p.chain.id == "hip_control"
    assert [f.fault.id for f in p.compensations] == ["knee_valgus", "crossover"]
    j = p.to_json()
    assert j["primary"]["fault"] == "pelvic_drop" and j["primary"]["evidence"]["left"]["n"] == 20
    assert "patellofemoral" in j["primary"]["tissue"]


def test_without_the_driver_the_strongest_fault_of_the_chain_leads():
    doc = _doc("rear", {f: {"pelvic_drop_deg": _noisy(1.0, 1.0, seed=i),
                            "lateral_trunk_lean_deg": _noisy(9.0, 1.0, seed=5 + i)}
                        for i, f in enumerate(("left", "right"))})
    p = clinical_picture(doc)
    assert p.primary.fault.id == "lateral_trunk_lean" and p.chain.id == "hip_control"
    assert p.compensations == ()


def test_settings_bands_change_the_picture():
    doc = _doc("rear", {f: {"pelvic_drop_deg": _noisy(7.0, 1.0, seed=i)} for i, f in enumerate(("left", "right"))})
    assert clinical_picture(doc).primary.fault.id == "pelvic_drop"
    wide = lambda name: ((-10.0, 10.0), (-12.0, 12.0)) if name == "pelvic_drop_deg" else default_bands(name)  # noqa: E731
    assert clinical_picture(doc, wide).primary is None


def test_two_views_make_one_picture():
    side = _doc("side", {f: {"overstride_pct_leg": _noisy(28.0, 3.0, seed=i)} for i, f in enumerate(("left", "right"))})
    rear = _doc("rear", {f: {"pelvic_drop_deg": _noisy(2.0, 1.0, seed=i)} for i, f in enumerate(("left", "right"))})
    p = clinical_picture([side, rear], sources=["side.json", "rear.json"])
    assert p.primary.fault.id == "overstride" and p.views == ("side", "rear")
    assert not any("Pelvic drop" in t for t in p.not_measured)
    only_side = clinical_picture(side)
    assert any("Pelvic drop" in t and "rear or front" in t for t in only_side.not_measured)


def test_contact_time_from_a_rear_view_is_not_judged():
    rear = _doc("rear", {f: {"contact_ms": _noisy(330.0, 10.0, seed=i)} for i, f in enumerate(("left", "right"))})
    assert clinical_picture(rear).primary is None


def test_few_steps_make_a_provisional_picture():
    doc = _doc("rear", {f: {"pelvic_drop_deg": [9.0, 9.5, 8.5]} for f in ("left", "right")})
    p = clinical_picture(doc)
    assert any("provisional" in w for w in p.warnings)


# ------------------------------------------------------------------ the demo runner
def test_demo_runner_without_faults_has_no_primary_fault():
    for view in (View.SIDE, View.REAR):
        a = demo_assessment(view)
        p = clinical_picture(a.doc, sources=[a.label])
        assert p.primary is None, (view, p.headline)


def test_demo_runner_overstride_and_low_cadence():
    a = demo_assessment(View.SIDE, overstride=0.25, cadence_spm=155)
    p = clinical_picture(a.doc)
    assert p.primary.fault.id == "overstride"
    assert "low_cadence" in [f.fault.id for f in p.compensations]
    assert p.primary.evidence.all.mean > 20


@pytest.mark.parametrize("noise_px", [0.0, 2.0])
def test_demo_runner_hip_drop_with_valgus_both_legs(noise_px):
    a = demo_assessment(View.REAR, pelvic_drop_deg=8, knee_valgus_deg=12, noise_px=noise_px)
    p = clinical_picture(a.doc)
    assert p.primary.fault.id == "pelvic_drop"
    assert "knee_valgus" in [f.fault.id for f in p.compensations]
    ev = p.primary.evidence
    assert ev.left.n >= 20 and ev.right.n >= 20 and ev.side == "both"
