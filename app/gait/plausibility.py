"""Is the gait found physically possible at the clip's time base? (slow-motion check)

A phone's slow motion (120/240 frames/s stored at 30 frames/s) slows every duration by the
same factor, so ratios (duty factor) survive but absolute times become impossible. The
checks use medians over steps (robust to a few bad events) and only absolute times that
no real gait reaches, so that genuinely slow walking is not flagged:

* **Running in slow motion**: a running pattern (duty factor < 0.5 and a flight phase on
  most steps) with a median flight above 0.30 s *and* a median step time above 0.75 s
  (under 80 steps/min). Distance runners fly 0.08–0.15 s at 150–200 steps/min. Both are
  required because contact times can be measured too short (then a real walk shows a
  false "flight" of 0.3–0.4 s, at walking step times of 0.5–0.7 s).
* **Running far too slowly**: a running pattern with a median step time above 1.20 s
  (under 50 steps/min), whatever the flight measured.
* **Walking in slow motion**: a walking pattern (duty factor ≥ 0.5, no flight) with a
  median swing time (stride − contact) above 1.10 s. The swinging leg is a pendulum:
  0.35–0.7 s in walking at any speed; very slow walking lengthens the double support,
  not the swing.

Known limits: 2× slow motion of running (step ~0.7 s, flight ~0.2 s) is not flagged; a
very slow walk (step > 0.75 s) whose contacts are measured far too short (duty < 0.5)
could be.
Steps: ``app.types.StepRecord`` (``step_time_ms``, ``contact_ms``, ``flight_ms``).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from app.types import StepRecord

#: The hint every slow-motion warning ends with (the CLI puts such a warning first).
SLOW_MOTION_HINT = "this looks like slow-motion video; pass --capture-fps"
MIN_STEPS = 4
RUNNING_DUTY_MAX = 0.5
FLIGHT_MAX_S = 0.30
RUNNING_STEP_MAX_S = 0.75
SWING_MAX_S = 1.10
RUNNING_STEP_ANY_FLIGHT_MAX_S = 1.20
#: Typical cadences (steps/min) used only to suggest a capture speed.
TYPICAL_RUN_SPM = 170.0
TYPICAL_WALK_SPM = 110.0


def _median(values: Sequence[float | None]) -> float | None:
    v = [float(x) for x in values if x is not None and not math.isnan(float(x))]
    return float(np.median(v)) if v else None


def slow_motion_warning(steps: Sequence[StepRecord], time_fps: float | None = None) -> str | None:
    """A sentence when the gait in ``steps`` is impossible at this time base, else None.

    ``time_fps`` is the frame rate of the time base (for the suggested capture speed).
    """
    step_s = _median([s.step_time_ms for s in steps])
    n_timed = sum(1 for s in steps if s.step_time_ms is not None)
    if step_s is None or n_timed < MIN_STEPS:
        return None
    step_s /= 1000.0
    duty = _median([s.contact_ms / (2.0 * s.step_time_ms) for s in steps
                    if s.contact_ms is not None and s.step_time_ms])
    swing = _median([(2.0 * s.step_time_ms - s.contact_ms) / 1000.0 for s in steps
                     if s.contact_ms is not None and s.step_time_ms])
    flights = [s.flight_ms for s in steps if s.flight_ms is not None]
    flight_s = _median(flights)
    flight_s = None if flight_s is None else flight_s / 1000.0
    has_flight = bool(flights) and sum(1 for f in flights if f > 0) > len(flights) / 2
    running = duty is not None and duty < RUNNING_DUTY_MAX and has_flight
    why = None
    if running and flight_s is not None and flight_s > FLIGHT_MAX_S and step_s > RUNNING_STEP_MAX_S:
        why = f"running at {60.0 / step_s:.0f} steps/min with {flight_s:.2f} s of flight per step"
    elif running and step_s > RUNNING_STEP_ANY_FLIGHT_MAX_S:
        why = f"running at {60.0 / step_s:.0f} steps/min"
    elif not running and duty is not None and duty >= RUNNING_DUTY_MAX and swing is not None \
            and swing > SWING_MAX_S:
        why = f"walking with a leg swing of {swing:.2f} s"
    if why is None:
        return None
    text = f"{SLOW_MOTION_HINT} ({why} is not possible at normal speed)"
    factor = _likely_factor(60.0 / step_s, running)
    if time_fps and factor > 1:
        text += (f"; if the phone filmed {factor}× slow motion, that is --capture-fps "
                 f"{time_fps * factor:g}")
    return text


def _likely_factor(cadence_spm: float, running: bool) -> int:
    """The power of two (2–16) nearest to typical cadence / measured cadence, or 1."""
    ratio = (TYPICAL_RUN_SPM if running else TYPICAL_WALK_SPM) / max(cadence_spm, 1e-6)
    if ratio < 1.5:
        return 1
    k = int(round(math.log2(ratio)))
    return int(2 ** min(max(k, 1), 4))
