"""Breakpoint fit: where a foot's trajectory joins its straight line on the belt.

Used by the frontal detectors (image heights, ``app.gait.events_frontal``) and by the
depth path's contact time (``app.gait.events``). Times in seconds, values in any unit.
"""

from __future__ import annotations

import math

import numpy as np


def _least_squares_per_breakpoint(X: np.ndarray, y: np.ndarray
                                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Least squares of ``y`` (n, or (m, n): one per breakpoint) on each breakpoint's design
    ``X`` (m, n, k): (X'X (m, k, k), coefficients (m, k), residual sums of squares (m));
    None when singular."""
    xtx = np.einsum("mni,mnj->mij", X, X) + 1e-12 * np.eye(X.shape[-1])
    y = np.broadcast_to(y, X.shape[:2])
    xty = np.einsum("mni,mn->mi", X, y)
    try:
        beta = np.linalg.solve(xtx, xty[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return None
    sse = ((y - np.einsum("mni,mi->mn", X, beta)) ** 2).sum(axis=1)
    return xtx, beta, sse


def kink_fit(t_s: np.ndarray, y: np.ndarray, lo_s: float, hi_s: float,
             quadratic_before: bool = True, quadratic_after: bool = False,
             slope_after: float | None = None) -> tuple[float, float, float]:
    """Where a descending foot joins its stance line: the least-squares fit of a curve
    that is quadratic (or straight) before a breakpoint and straight (or quadratic) after
    it (continuous), the breakpoint searched in [lo_s, hi_s] at an eighth of the sample
    interval; with ``slope_after`` the line after it has that known slope (values per
    second) and only its level is fitted. Returns (time, fitted height, RMS residual)
    there; NaNs when the fit is degenerate or its height lies outside the samples'
    range."""
    nan = (math.nan, math.nan, math.nan)
    if t_s.size < 4:
        return nan
    dt = float(np.median(np.diff(t_s)))
    grid = np.arange(lo_s, hi_s + 1e-12, dt / 8.0)
    if grid.size == 0:
        return nan
    d = t_s[None, :] - grid[:, None]
    pre, post = np.minimum(d, 0.0), np.maximum(d, 0.0)
    cols = ([np.ones_like(d), pre] + ([post] if slope_after is None else [])
            + ([pre * pre] if quadratic_before else []) + ([post * post] if quadratic_after else []))
    if slope_after is not None:
        # the line after the breakpoint has a known slope: fit what is left of it
        fit = _least_squares_per_breakpoint(np.stack(cols, axis=-1),
                                            y[None, :] - slope_after * post)
    else:
        fit = _least_squares_per_breakpoint(np.stack(cols, axis=-1), y)
    if fit is None:
        return nan
    _, beta, sse = fit
    i = int(np.argmin(sse))
    h = float(beta[i, 0])
    dof = max(1, t_s.size - len(cols))
    rms = math.sqrt(float(sse[i]) / dof)
    return (float(grid[i]), h, rms) if float(y.min()) <= h <= float(y.max()) else nan


#: the breakpoint's 95 % interval: where the residual sum of squares stays within this
#: many residual variances of its least (χ², 1 degree of freedom)
CI_CHI2 = 3.84


def pooled_kink_fit(groups: list[tuple[np.ndarray, np.ndarray]], lo_s: float, hi_s: float,
                    step_s: float) -> tuple[float, float, float]:
    """One breakpoint shared by several stretches of a signal, each at its own level:
    ``groups`` = [(times relative to a reference event of that stretch (s), values)], fitted
    as :func:`kink_fit` (quadratic before, straight after, continuous) with one shape for
    all and one level per stretch, the breakpoint searched in [lo_s, hi_s] every ``step_s``.
    Pooling n stretches divides the noise's effect on the breakpoint by about √n.

    Returns (breakpoint (s, relative), the slope after it minus the slope just before it
    (values per second), that difference's standard error at the breakpoint); NaNs when
    too few samples, the fit is degenerate, or the breakpoint is not pinned inside the
    search (its 95 % interval, ``CI_CHI2``, reaches an end of it)."""
    nan = (math.nan, math.nan, math.nan)
    groups = [(np.asarray(t, float), np.asarray(y, float)) for t, y in groups if len(t) >= 4]
    if not groups or sum(len(t) for t, _ in groups) < 6 or step_s <= 0:
        return nan
    t = np.concatenate([g[0] for g in groups])
    y = np.concatenate([g[1] for g in groups])
    starts = np.cumsum([0] + [len(g[0]) for g in groups[:-1]])
    sizes = np.array([len(g[0]) for g in groups], dtype=float)
    grid = np.arange(lo_s, hi_s + 1e-12, step_s)
    if grid.size < 3:
        return nan
    d = t[None, :] - grid[:, None]
    pre, post = np.minimum(d, 0.0), np.maximum(d, 0.0)
    X = np.stack([pre, post, pre * pre], axis=-1)  # (m, n, 3); each stretch's own level:
    idx = np.repeat(np.arange(len(groups)), sizes.astype(int))
    X = X - (np.add.reduceat(X, starts, axis=1) / sizes[None, :, None])[:, idx, :]
    yc = y - (np.add.reduceat(y, starts) / sizes)[idx]  # ...removed by centring each one
    fit = _least_squares_per_breakpoint(X, yc)
    if fit is None:
        return nan
    xtx, beta, sse = fit
    i = int(np.argmin(sse))
    dof = max(1, t.size - len(groups) - 3)
    inside = grid[sse <= sse[i] * (1.0 + CI_CHI2 / dof)]
    if inside.min() <= grid[0] or inside.max() >= grid[-1]:
        return nan
    c = np.array([-1.0, 1.0, 0.0])
    var = float(sse[i]) / dof * float(c @ np.linalg.solve(xtx[i], c))
    return float(grid[i]), float(beta[i, 1] - beta[i, 0]), math.sqrt(max(var, 0.0))
