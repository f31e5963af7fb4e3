"""Smoothing of landmark signals (pure numpy + scipy).

Two tools, both zero-phase, so that neither shifts an event or a peak in time:

* :class:`LocalFit` — streaming: each sample is answered once ``k`` later samples have
  arrived, with the value (quadratic least-squares fit) and the velocity (slope of a linear
  fit) at that sample, over ``k`` samples on each side. ``k`` follows from a half-window in
  seconds, so 30, 60, 120 and 240 fps clips are smoothed over the same time span. The delay
  is ``k`` samples (40 ms by default); live event detection accepts it.
* :func:`clean_series` — a whole window at once (offline, and live once a step's window is
  complete): outlier rejection (Hampel), short-gap interpolation and a zero-phase
  Butterworth low-pass (``scipy.signal.filtfilt``) on each gap-free stretch. A peak of a
  noisy signal is biased upward; a peak of the cleaned one much less.

Times in seconds; values in any unit (the callers use pixels or leg lengths).
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

#: Half-window of the streaming fit (s): k = max(1, round(this × frame rate)).
LOCAL_FIT_HALF_WINDOW_S = 0.04
#: Sample intervals shorter than this (s) are bursts, not the source's frame rate.
BURST_INTERVAL_S = 0.0015
#: The window length is checked once more when this many samples have come.
K_CHECK_SAMPLES = 11


class LocalFit:
    """Streaming centred local polynomial fit of ``n`` signals (NaN = missing value).

    ``push(t_s, values)`` returns ``None`` until ``2k+1`` samples are buffered, then for
    every new sample the fit at the sample ``k`` back: ``(t_s, value[n], velocity[n])``
    (units per second). ``k`` is set from the first sample intervals (bursts of frames
    less than ``BURST_INTERVAL_S`` apart left out) and checked once on the first 10. A
    signal with fewer than 3 valid samples in the window (or none on one side of the
    centre) is NaN there.
    """

    def __init__(self, n: int, half_window_s: float = LOCAL_FIT_HALF_WINDOW_S,
                 narrow: tuple[int, ...] = (), narrow_half_window_s: float = 0.02) -> None:
        self.n = n
        self.half_window_s = half_window_s
        #: columns fitted over the shorter ``narrow_half_window_s`` (same centre)
        self.narrow = tuple(narrow)
        self.narrow_half_window_s = narrow_half_window_s
        self.k: int | None = None
        self.k_narrow: int | None = None
        self._t: deque[float] = deque()
        self._v: deque[np.ndarray] = deque()
        self._first_t: list[float] = []  # times of the first K_CHECK_SAMPLES samples

    @property
    def delay_samples(self) -> int:
        return self.k if self.k is not None else 1

    def centre_raw(self) -> np.ndarray | None:
        """The unsmoothed values at the last fit's centre (None before the first fit)."""
        if self.k is None or len(self._v) != 2 * self.k + 1:
            return None
        return self._v[self.k].copy()

    def _choose_k(self) -> bool:
        """Set ``k`` from the median interval of the first samples; intervals under
        ``BURST_INTERVAL_S`` (frames a live source delivered in a burst, e.g. a backlog at
        its start: no camera films that fast) do not count. False while fewer than 3
        intervals count."""
        dts = np.diff(np.asarray(self._first_t))
        dts = dts[dts >= BURST_INTERVAL_S]
        if dts.size < 3:
            return False
        dt = float(np.median(dts))
        self.k = max(1, int(round(self.half_window_s / max(dt, 1e-4))))
        self.k_narrow = min(self.k, max(1, int(round(self.narrow_half_window_s / max(dt, 1e-4)))))
        return True

    def push(self, t_s: float, values: np.ndarray) -> tuple[float, np.ndarray, np.ndarray] | None:
        self._t.append(float(t_s))
        self._v.append(np.asarray(values, dtype=np.float64))
        if len(self._first_t) < K_CHECK_SAMPLES:
            self._first_t.append(float(t_s))
            if len(self._first_t) == K_CHECK_SAMPLES and self.k is not None:
                self._choose_k()  # once more on 10 intervals (the first 3 may mislead)
        if self.k is None:
            if len(self._t) < 4 or not self._choose_k():
                return None
        k = self.k
        assert k is not None
        while len(self._t) > 2 * k + 1:
            self._t.popleft()
            self._v.popleft()
        if len(self._t) < 2 * k + 1:
            return None
        t = np.asarray(self._t)
        y = np.stack(self._v)  # (2k+1, n)
        tc, val, vel = fit_centre(t, y, k)
        kn = self.k_narrow
        if self.narrow and kn is not None and kn < k:
            cols = list(self.narrow)
            _, v2, d2 = fit_centre(t[k - kn:k + kn + 1], y[k - kn:k + kn + 1][:, cols], kn)
            val[cols], vel[cols] = v2, d2
        return tc, val, vel


def fit_centre(t: np.ndarray, y: np.ndarray, k: int) -> tuple[float, np.ndarray, np.ndarray]:
    """Value (quadratic fit) and slope (linear fit) of each column of ``y`` at ``t[k]``."""
    tc = float(t[k])
    tau = t - tc
    valid = ~np.isnan(y)
    if valid.all():
        return tc, *_fit_all(tau, y)
    val = np.full(y.shape[1], np.nan)
    vel = np.full(y.shape[1], np.nan)
    full = valid.all(axis=0)
    if full.any():
        val[full], vel[full] = _fit_all(tau, y[:, full])
    for j in np.flatnonzero(~full):
        m = valid[:, j]
        if m.sum() < 3 or not m[:k].any() or not m[k + 1:].any():
            continue
        v1, s1 = _fit_all(tau[m], y[m, j:j + 1])
        val[j], vel[j] = float(v1[0]), float(s1[0])
    return tc, val, vel


_WEIGHTS: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}


def _weights(tau: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row vectors w_val, w_slope with value = w_val @ y (quadratic least squares at
    tau = 0) and slope = w_slope @ y (linear least squares); cached per tau pattern
    (frames usually come at a steady rate; live frame times are rounded to 0.5 ms, which
    changes a fit by far less than the landmarks' noise)."""
    key = tuple(np.round(tau * 2e3).astype(np.int64))
    hit = _WEIGHTS.get(key)
    if hit is not None:
        return hit
    tau = np.asarray(key, dtype=np.float64) / 2e3
    if len(tau) >= 3:
        a = np.stack([np.ones_like(tau), tau, tau * tau], axis=1)
        w_val = np.linalg.pinv(a)[0]
    else:
        w_val = np.full(len(tau), 1.0 / len(tau))
    tm = tau.mean()
    den = float(np.sum((tau - tm) ** 2))
    w_slope = (tau - tm) / den if den > 0 else np.zeros(len(tau))
    if len(_WEIGHTS) > 512:
        _WEIGHTS.clear()
    _WEIGHTS[key] = (w_val, w_slope)
    return w_val, w_slope


def _fit_all(tau: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares fits over rows: quadratic value at tau=0, linear slope."""
    w_val, w_slope = _weights(tau)
    return w_val @ y, w_slope @ y


# ------------------------------------------------------------------ whole-window cleaning
def hampel(x: np.ndarray, half_window: int = 3, n_sigmas: float = 3.5) -> np.ndarray:
    """Copy of ``x`` (1D) with outliers set to NaN: values further than ``n_sigmas``
    robust SDs (1.4826 × MAD) from the median of their ±``half_window`` neighbours."""
    x = np.asarray(x, dtype=np.float64)
    out = x.copy()
    n = len(x)
    if n < 2 * half_window + 1:
        return out
    pad = np.pad(x, half_window, mode="edge")
    win = np.lib.stride_tricks.sliding_window_view(pad, 2 * half_window + 1)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(win, axis=1)
            mad = 1.4826 * np.nanmedian(np.abs(win - med[:, None]), axis=1)
    # a perfectly flat neighbourhood has MAD 0: keep values within a tiny tolerance
    floor = 1e-6 * (np.nanmax(np.abs(x)) if np.isfinite(x).any() else 1.0)
    bad = np.abs(x - med) > n_sigmas * np.maximum(mad, floor)
    out[bad & np.isfinite(x)] = np.nan
    return out


def fill_gaps(t: np.ndarray, x: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Linear interpolation over interior NaN runs no longer than ``max_gap_s``."""
    x = np.asarray(x, dtype=np.float64).copy()
    good = np.isfinite(x)
    if good.sum() < 2 or good.all():
        return x
    idx = np.flatnonzero(good)
    i = idx[0]
    while i < idx[-1]:
        if good[i]:
            i += 1
            continue
        j = i
        while not good[j]:
            j += 1
        a, b = i - 1, j
        if t[b] - t[a] <= max_gap_s:
            x[i:j] = np.interp(t[i:j], [t[a], t[b]], [x[a], x[b]])
        i = j
    return x


def lowpass_zero_phase(t: np.ndarray, x: np.ndarray, cutoff_hz: float, order: int = 2) -> np.ndarray:
    """Butterworth low-pass applied forward and backward (``filtfilt``) on each gap-free
    stretch of ``x``; stretches too short for the filter are left as they are. Sample
    times are taken as uniform (the median interval) within a stretch."""
    from scipy.signal import butter, filtfilt

    x = np.asarray(x, dtype=np.float64)
    out = x.copy()
    good = np.isfinite(x)
    if good.sum() < 4:
        return out
    dts = np.diff(t)
    dt = float(np.median(dts)) if dts.size else 1 / 30
    nyq = 0.5 / dt
    wn = cutoff_hz / nyq
    if wn >= 0.95:
        return out
    b, a = _butter(wn) if order == 2 else butter(order, wn)
    padlen = 3 * (max(len(a), len(b)) - 1)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], good.astype(np.int8), [0]])))
    for s, e in zip(edges[::2], edges[1::2]):
        if e - s > padlen + 1:
            out[s:e] = filtfilt(b, a, x[s:e], padlen=padlen)
    return out


def clean_series(t: np.ndarray, x: np.ndarray, cutoff_hz: float, max_gap_s: float = 0.15
                 ) -> np.ndarray:
    """Hampel outlier rejection → short-gap interpolation → zero-phase low-pass."""
    return lowpass_zero_phase(t, fill_gaps(t, hampel(x), max_gap_s), cutoff_hz)


def clean_columns(t: np.ndarray, x: np.ndarray, cutoff_hz: float, max_gap_s: float = 0.15,
                  half_window: int = 3, n_sigmas: float = 3.5) -> np.ndarray:
    """:func:`clean_series` on every column of ``x`` (n, m) at once: the same result,
    vectorised (columns with gaps take the per-column path)."""
    from scipy.signal import filtfilt

    x = np.asarray(x, dtype=np.float64)
    n, m = x.shape
    out = x.copy()
    if n < 2 * half_window + 1:
        return out
    pad = np.pad(x, ((half_window, half_window), (0, 0)), mode="edge")
    win = np.lib.stride_tricks.sliding_window_view(pad, 2 * half_window + 1, axis=0)  # (n, m, w)
    finite = np.isfinite(x)
    full = finite.all(axis=0)
    # Hampel: plain median where a column has no gap (fast), nanmedian elsewhere
    med = np.empty((n, m))
    mad = np.empty((n, m))
    if full.any():
        wf = win[:, full, :]
        med[:, full] = np.median(wf, axis=2)
        mad[:, full] = 1.4826 * np.median(np.abs(wf - med[:, full, None]), axis=2)
    if (~full).any():
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            wg = win[:, ~full, :]
            med[:, ~full] = np.nanmedian(wg, axis=2)
            mad[:, ~full] = 1.4826 * np.nanmedian(np.abs(wg - med[:, ~full, None]), axis=2)
    scale = np.nanmax(np.abs(x), axis=0) if finite.any() else np.ones(m)
    floor = 1e-6 * np.where(np.isfinite(scale), scale, 1.0)
    bad = (np.abs(x - med) > n_sigmas * np.maximum(mad, floor)) & finite
    out[bad] = np.nan
    for j in np.flatnonzero(~np.isfinite(out).all(axis=0)):
        out[:, j] = fill_gaps(t, out[:, j], max_gap_s)
    good = np.isfinite(out).all(axis=0)
    dts = np.diff(t)
    dt = float(np.median(dts)) if dts.size else 1 / 30
    wn = cutoff_hz * 2.0 * dt
    if wn >= 0.95:
        return out
    b, a = _butter(wn)
    padlen = 3 * (max(len(a), len(b)) - 1)
    if good.any() and n > padlen + 1:
        out[:, good] = filtfilt(b, a, out[:, good], axis=0, padlen=padlen)
    for j in np.flatnonzero(~good):
        out[:, j] = lowpass_zero_phase(t, out[:, j], cutoff_hz)
    return out


_BUTTER: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _butter(wn: float) -> tuple[np.ndarray, np.ndarray]:
    """2nd-order Butterworth low-pass coefficients, cached per cut-off (0.1 % steps)."""
    from scipy.signal import butter

    key = int(round(wn * 1000))
    if key not in _BUTTER:
        if len(_BUTTER) > 256:
            _BUTTER.clear()
        _BUTTER[key] = butter(2, max(key, 1) / 1000.0)
    return _BUTTER[key]


def smoothing_cutoff_hz(step_time_s: float | None, fps: float, harmonics: float = 2.0,
                        floor_hz: float = 3.0) -> float:
    """Low-pass cut-off for step metrics: ``harmonics`` × the step frequency (2 keeps a
    step's waveform to its second harmonic: peaks of small, noisy frontal angles; 3 with
    a 6 Hz floor keeps the quicker sagittal angles and positions around the events), at
    least ``floor_hz``, at most 0.4 × the frame rate."""
    step_hz = 1.0 / step_time_s if step_time_s and step_time_s > 0 else 2.8
    fc = max(floor_hz, harmonics * step_hz)
    return float(min(fc, 0.4 * fps)) if fps > 0 else fc


def interp_at(t: np.ndarray, x: np.ndarray, t_query: float) -> float:
    """Linear interpolation of ``x`` at ``t_query`` (NaN outside ``t`` or across a NaN)."""
    if len(t) == 0 or t_query < t[0] or t_query > t[-1]:
        return math.nan
    j = int(np.searchsorted(t, t_query))
    if j < len(t) and t[j] == t_query:
        return float(x[j])
    a, b = j - 1, j
    if a < 0 or b >= len(t):
        return math.nan
    w = (t_query - t[a]) / (t[b] - t[a])
    return float((1 - w) * x[a] + w * x[b])


def depth_noise_legs(rows: np.ndarray) -> float:
    """Frame-to-frame noise of depth tracks (rows = samples, columns = landmarks, leg
    lengths): the robust SD of white noise that explains their second differences
    (median over the columns). Smooth motion adds little at video rates (0.01 leg lengths
    at 30 fps for a running foot)."""
    d2 = rows[:-2] - 2.0 * rows[1:-1] + rows[2:]
    per_col = 1.4826 * np.nanmedian(np.abs(d2), axis=0) / math.sqrt(6.0)
    return float(np.nanmedian(per_col)) if per_col.size else math.nan
