"""Causal smoothing filters for landmark streams (pure numpy)."""

from __future__ import annotations

import math

import numpy as np


def percentile(values, q: float) -> float:
    """Linear-interpolated percentile ``q`` (0..100) of a short sequence, NaNs ignored.

    Same result as ``np.percentile`` for small inputs at a tenth of its cost (the engine
    calls it a few times per sample). NaN for an empty input.
    """
    vals = sorted(v for v in values if v == v)
    n = len(vals)
    if n == 0:
        return math.nan
    pos = (n - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, n - 1)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)


class OneEuroFilter:
    """One Euro filter (Casiez et al. 2012) over an array of values, e.g. landmarks (33, 2).

    Causal and adaptive: heavy smoothing when still, little lag when moving fast.
    ``min_cutoff_hz`` sets jitter removal at rest, ``beta`` (per unit of speed) how fast
    the cut-off rises with speed, ``d_cutoff_hz`` smooths the speed estimate. NaN inputs
    leave that element's state untouched (its output stays NaN until it is seen again).
    """

    def __init__(self, min_cutoff_hz: float = 1.5, beta: float = 0.02, d_cutoff_hz: float = 1.0) -> None:
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t_s: float | None = None

    def reset(self) -> None:
        self._x = self._dx = None
        self._t_s = None

    @staticmethod
    def _alpha(cutoff_hz: np.ndarray | float, dt_s: float) -> np.ndarray | float:
        tau = 1.0 / (2.0 * math.pi * cutoff_hz)
        return 1.0 / (1.0 + tau / dt_s)

    def __call__(self, x: np.ndarray, t_s: float) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self._x is None or self._t_s is None:
            self._x = x.copy()
            self._dx = np.zeros_like(x)
            self._t_s = t_s
            return self._x.copy()
        dt_s = t_s - self._t_s
        if dt_s <= 0:
            return self._x.copy()
        self._t_s = t_s
        prev = self._x
        fresh = np.isnan(prev) & ~np.isnan(x)
        dx = (x - prev) / dt_s
        a_d = self._alpha(self.d_cutoff_hz, dt_s)
        dx_hat = a_d * dx + (1 - a_d) * self._dx
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        a = self._alpha(cutoff, dt_s)
        out = a * x + (1 - a) * prev
        valid = ~np.isnan(x)
        self._x = np.where(valid, out, prev)
        self._x[fresh] = x[fresh]
        self._dx = np.where(valid & ~fresh, dx_hat, np.where(fresh, 0.0, self._dx))
        return self._x.copy()
