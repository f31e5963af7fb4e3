"""Stance peaks read at sub-frame event times: a stance runs from its contact to its
toe-off in continuous time, and the engine times both between frames, so a peak at the
stance's end (a walking knee flexes fastest at toe-off) is read at the toe-off itself, not
at the last frame before it."""
from __future__ import annotations

import math

import numpy as np
import pytest

from app.gait import metrics as m
from app.gait import geometry as g
from app.gait.step_metrics import PeakProfiles, StepTimes, Window, side_metrics

FPS = 100.0
THIGH_PX = 200.0
SHANK_PX = 200.0
#: knee flexion rising through toe-off at 350°/s, as in the force-plate walk's pre-swing
FLEX_RATE_DEG_S = 350.0


def _flexion_deg(t_s: np.ndarray) -> np.ndarray:
    """Knee flexion (°): 20° in mid-stance, rising through toe-off and on into swing."""
    return 20.0 + FLEX_RATE_DEG_S * np.clip(t_s - 0.15, 0.0, None)


def _window(flexion_deg: np.ndarray, t_s: np.ndarray) -> Window:
    """A side view of a left leg (image y down): the thigh hangs straight down from the hip
    and the shank bends backwards by ``flexion_deg``."""
    lm = np.full((len(t_s), 33, 4), np.nan)
    lm[:, :, 3] = 1.0
    a = np.radians(flexion_deg)
    for hip, knee, ankle in ((g.L_HIP, g.L_KNEE, g.L_ANKLE), (g.R_HIP, g.R_KNEE, g.R_ANKLE)):
        lm[:, hip, :3] = (500.0, 300.0, 0.0)
        lm[:, knee, :3] = (500.0, 300.0 + THIGH_PX, 0.0)
        lm[:, ankle, 0] = 500.0 + SHANK_PX * np.sin(a)
        lm[:, ankle, 1] = 300.0 + THIGH_PX + SHANK_PX * np.cos(a)
        lm[:, ankle, 2] = 0.0
    return Window(t_s, lm)


def test_span_adds_the_ends_between_frames_and_nothing_on_a_frame():
    t = np.arange(0, 31) / FPS
    win = _window(_flexion_deg(t), t)
    ts, lm = win.span(0.0213, 0.2537)
    assert ts[0] == pytest.approx(0.0213) and ts[-1] == pytest.approx(0.2537)
    assert np.all(np.diff(ts) > 0)
    assert len(ts) == 23 + 2
    assert m.knee_flexion_deg(lm[-1], "left") == pytest.approx(_flexion_deg(np.array([0.2537]))[0], abs=0.05)
    ts2, _ = win.span(0.02, 0.25)
    assert len(ts2) == 24
    ts3, _ = win.span(0.25, 0.9)  # past the window's end: nothing invented there
    assert ts3[-1] == pytest.approx(0.30)


@pytest.mark.parametrize("frac", [0.0, 0.3, 0.5, 0.8])
def test_peak_stance_knee_flexion_is_read_at_the_toe_off_between_frames(frac):
    """The walk's peak stance flexion is its value at toe-off; read at the last frame before
    a toe-off 0.3/0.5/0.8 frame past it, it would be 1.0/1.75/2.8° low."""
    t = np.arange(0, 41) / FPS
    win = _window(_flexion_deg(t), t)
    to_s = (25 + frac) / FPS
    st = StepTimes("left", 0.02, to_s, 0.35)
    out = side_metrics(win, st, forward_sign=1.0, leg_px=THIGH_PX + SHANK_PX, profiles=PeakProfiles())
    truth = float(_flexion_deg(np.array([to_s]))[0])
    assert out["knee_flexion_peak_stance_deg"] == pytest.approx(truth, abs=0.1)
    assert not math.isnan(out["knee_flexion_ic_deg"])
