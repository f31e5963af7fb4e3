"""Whole-recording cadence: the slope of contact time against step number."""

from __future__ import annotations

import numpy as np
import pytest

from app.gait.cadence import clip_cadence_spm
from app.session.summary import summarise_steps

STEP_S = 60.0 / 105.8  # a walk's step time (s)


def _pairs(ic_s: np.ndarray) -> list[tuple[float, float]]:
    """(contact s, step time ms) of consecutive contacts, as the engine's steps carry them."""
    return [(float(a), float(b - a) * 1000.0) for a, b in zip(ic_s[:-1], ic_s[1:])]


@pytest.mark.parametrize("end_error_s", [-0.08, 0.08])
@pytest.mark.parametrize("at_start", [True, False])
def test_a_contact_off_at_either_end_barely_moves_the_cadence(end_error_s: float, at_start: bool) -> None:
    ic = 1.0 + np.arange(22) * STEP_S
    ic[0 if at_start else -1] += end_error_s
    cad, reason = clip_cadence_spm(_pairs(ic))
    assert reason == ""
    # the mean step time moves ~0.7 spm here; the slope 0.2
    assert cad == pytest.approx(105.8, abs=0.25)


def test_missed_and_extra_contacts_are_left_out() -> None:
    ic = list(1.0 + np.arange(30) * STEP_S)
    del ic[10]                                 # a missed contact: one step twice as long
    ic.insert(20, ic[19] + 0.2)                # an extra contact: two short steps
    cad, _ = clip_cadence_spm(_pairs(np.asarray(ic)))
    assert cad == pytest.approx(105.8, abs=0.05)


@pytest.mark.parametrize("seed", range(4))
def test_jittered_and_frame_quantised_contacts(seed: int) -> None:
    rng = np.random.default_rng(seed)
    step_s = 60.0 / 172.0
    ic = 0.3 + np.arange(60) * step_s + rng.normal(0.0, 0.01, 60)
    ic = np.round(ic * 30.0) / 30.0  # 30 fps
    cad, _ = clip_cadence_spm(_pairs(ic))
    assert cad == pytest.approx(172.0, abs=1.0)


def test_too_few_steps_and_missing_values() -> None:
    assert clip_cadence_spm([(0.0, 500.0), (0.5, None), (None, 500.0)]) == (None, "estimating… (1 of 4 steps)")
    cad, _ = clip_cadence_spm([(0.0, 500.0), (0.5, 500.0), (1.0, 500.0), (1.5, 500.0)])
    assert cad == pytest.approx(120.0)


def test_session_summary_uses_contact_times() -> None:
    ic = 2.0 + np.arange(22) * STEP_S
    ic[0] -= 0.08
    rows = [{"index": i, "foot": "LR"[i % 2], "ic_s": f"{a:.3f}", "step_time_ms": f"{d:.1f}"}
            for i, (a, d) in enumerate(_pairs(ic))]
    assert summarise_steps(rows)["cadence_spm"] == pytest.approx(105.8, abs=0.25)
