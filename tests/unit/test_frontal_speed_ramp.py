"""A clinician changes the treadmill's speed mid-session: frontal views timed from image
heights (as real rear/front video) keep finding the steps through a usual change.

Synthetic runner, 172 steps/min, 60 fps, 1 px of pose noise, the belt going from 2.0 to
3.0 m/s over 3 s (a usual step on a treadmill's keys) from 8 s. The belt's image speed
``v_g`` is told by the stances' own slopes, and the velocities' mode overrules them when
the belt's speed has moved: without that (the slopes sought near the old speed keep it),
from behind 60 of 67 contacts were found, 47 ms late (median), and the rear case fails;
the front view finds them either way. Measured now: rear 67 of 67 contacts and toe-offs,
median +7 / +2 ms; front 66 of 67, median −1 / −14 ms. A large ramp (2 → 4 m/s in 4 s)
still loses contacts for 4-6 s (docs/METRICS.md, known limits).
"""

from __future__ import annotations

import numpy as np
import pytest

from app.gait.analysis import analyze_samples
from app.types import View
from tests.helpers.event_matching import match_events
from tests.helpers.synthetic import speed_ramp_samples

FPS = 60.0


@pytest.mark.parametrize("view, min_found", [(View.REAR, 66), (View.FRONT, 64)])
def test_usual_speed_change_keeps_the_steps(view, min_found):
    samples, truth = speed_ramp_samples(view, 2.0, 3.0, 8.0, 3.0, 24.0, FPS, noise_px=1.0, seed=3)
    res = analyze_samples(samples, view, None, FPS)
    m = match_events(truth, [(e.kind.value, e.foot.value, e.t_ns / 1e9) for e in res.events], 0.1)
    for kind in ("IC", "TO"):
        sub = m.subset(kind=kind)
        assert sub.n_truth == 67
        assert len(sub.matched) >= min_found, (kind, len(sub.matched))
        err_ms = np.array([x.error_s for x in sub.matched]) * 1000.0
        assert abs(float(np.median(err_ms))) <= 20.0, (kind, float(np.median(err_ms)))
        # the steps during and right after the change are found too, not only steady ones
        during = [x for x in sub.matched if 8.0 <= x.truth_t_s <= 15.0]
        n_during = sum(1 for k, _, t in truth if k == kind and 8.0 <= t <= 15.0)
        assert len(during) >= n_during - 1, (kind, len(during), n_during)
