"""Quarterly demand forecasts with prediction intervals, and their rolling-origin backtest. Pure (numpy).

The model is additive exponential smoothing with a damped trend, ETS(A,Ad,N), or with an additive quarterly season,
ETS(A,Ad,A), in error-correction form (Hyndman et al., *Forecasting with Exponential Smoothing*, 2008, ch. 2 and 6):

    e_t = y_t - (l + phi*b + s_{t-m});  l <- l + phi*b + alpha*e;  b <- phi*b + beta*e;  s_t = s_{t-m} + gamma*e

Smoothing parameters are chosen on a grid by the one-step sum of squared errors; the season is considered only
when the series has at least ``SEASONAL_MIN`` quarters, and kept when it lowers the AIC. The h-step forecast is
``l + (phi + ... + phi^h) b + s``; its variance is ``sigma^2 (1 + sum_{j<h} c_j^2)`` with
``c_j = alpha + beta (phi + ... + phi^j) + gamma [j mod m = 0]`` (class-1 ETS, analytic), ``sigma^2`` the mean
squared one-step error. Intervals are normal, 80 % and 95 %.

The benchmark is the seasonal naive forecast (the value of the same quarter a year before). :func:`backtest` rolls
the forecast origin through the series and reports MASE (errors scaled by the in-sample seasonal-naive MAE of each
training window) and sMAPE for both. Series shorter than ``MIN_QUARTERS`` are not forecast.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "MIN_QUARTERS",
    "SEASONAL_MIN",
    "Backtest",
    "Forecast",
    "ForecastPoint",
    "Model",
    "backtest",
    "fit",
    "forecast_series",
    "next_quarters",
    "quarterly",
    "seasonal_naive",
]

M = 4
MIN_QUARTERS = 6
SEASONAL_MIN = 8
Z80 = 1.2815516
Z95 = 1.959964

_ALPHAS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
_BETAS = (0.0, 0.02, 0.05, 0.1, 0.2)
_PHIS = (0.8, 0.9, 0.98)
_GAMMAS = (0.05, 0.1, 0.2, 0.3)


def quarterly(months: Sequence[tuple[str, float, float]], *, min_weight: float = 0.0) -> list[tuple[str, float]]:
    """Monthly ``(YYYY-MM, numerator, weight)`` to quarters: ``sum(numerator) / sum(weight)`` over the quarter's
    months (shares: postings and postings with text; an index: value and 1). Quarters whose weight is 0 or below
    ``min_weight`` (too few postings for a share to mean much) are left out."""
    num: dict[str, float] = {}
    den: dict[str, float] = {}
    for month, value, weight in months:
        q = f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"
        num[q] = num.get(q, 0.0) + value
        den[q] = den.get(q, 0.0) + weight
    return [(q, num[q] / den[q]) for q in sorted(num) if den[q] > 0 and den[q] >= min_weight]


def _quarter_index(q: str) -> int:
    return int(q[:4]) * 4 + int(q[-1]) - 1


def next_quarters(last: str, h: int) -> list[str]:
    """The ``h`` quarters after ``last`` (``"2025-Q4"`` -> ``["2026-Q1", ...]``)."""
    start = _quarter_index(last)
    return [f"{(start + k) // 4}-Q{(start + k) % 4 + 1}" for k in range(1, h + 1)]


def contiguous_tail(points: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """The most recent run of consecutive quarters (a gap ends the usable history)."""
    out: list[tuple[str, float]] = []
    for q, v in reversed(points):
        if out and _quarter_index(out[-1][0]) - _quarter_index(q) != 1:
            break
        out.append((q, v))
    return out[::-1]


@dataclass(frozen=True)
class Model:
    """A fitted ETS model: parameters, final states, one-step ``sigma`` and the fitted kind."""

    kind: str
    alpha: float
    beta: float
    phi: float
    gamma: float
    level: float
    trend: float
    season: tuple[float, ...]
    sigma: float
    n: int

    def predict(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        """Point forecasts and their standard deviations for 1..h steps ahead."""
        means, sds = [], []
        phi_sum = 0.0
        var = 0.0
        for j in range(1, h + 1):
            phi_sum += self.phi**j
            s = self.season[(j - 1) % M] if self.season else 0.0
            means.append(self.level + phi_sum * self.trend + s)
            sds.append(self.sigma * math.sqrt(1 + var))
            # c_j for the next step's variance
            c = self.alpha + self.beta * phi_sum + (self.gamma if self.season and j % M == 0 else 0.0)
            var += c * c
        return np.array(means), np.array(sds)


def _initial(y: np.ndarray, seasonal: bool) -> tuple[float, float, np.ndarray]:
    if seasonal:
        first, second = y[:M].mean(), y[M : 2 * M].mean()
        trend = (second - first) / M
        # the level at t = M - 1 (the first year's mean sits at its middle, t = (M - 1) / 2)
        season = y[:M] - (first + trend * (np.arange(M) - (M - 1) / 2))
        return float(first + trend * (M - 1) / 2), float(trend), season
    k = min(len(y) // 2, M)
    first, second = y[:k].mean(), y[k : 2 * k].mean()
    return float(y[0]), float((second - first) / k), np.zeros(0)


def fit(values: Sequence[float] | np.ndarray, *, seasonal: bool | None = None) -> Model:
    """Fit ETS(A,Ad,A) (seasonal) or ETS(A,Ad,N) on the grid. ``seasonal`` ``None``: both when the series has at
    least ``SEASONAL_MIN`` quarters, keeping the one with the lower AIC on the errors from the fifth quarter on
    (``k`` = 5 parameters and initial states without season, 9 with), else the non-seasonal one."""
    y = np.asarray(values, dtype=float)
    if len(y) < 3:
        raise ValueError("a forecast needs at least 3 observations")
    if seasonal is not None:
        return _fit(y, seasonal)[0]
    plain, plain_sse = _fit(y, False)
    if len(y) < SEASONAL_MIN:
        return plain
    with_season, season_sse = _fit(y, True)
    n_eff = len(y) - M

    def aic(sse: float, k: int) -> float:
        return n_eff * math.log(max(sse, 1e-12) / n_eff) + 2 * k

    return with_season if aic(season_sse, 9) < aic(plain_sse, 5) else plain


def _fit(y: np.ndarray, seasonal: bool) -> tuple[Model, float]:
    n = len(y)
    grid = [
        (a, b, p, g)
        for a, b, p, g in itertools.product(_ALPHAS, _BETAS, _PHIS, _GAMMAS if seasonal else (0.0,))
        if b <= a and g <= 1 - a
    ]
    alpha, beta, phi, gamma = (np.array(col) for col in zip(*grid, strict=True))
    level0, trend0, season0 = _initial(y, seasonal)
    g = len(grid)
    level = np.full(g, level0)
    trend = np.full(g, trend0)
    season = np.tile(season0, (g, 1)) if seasonal else np.zeros((g, 0))
    sse = np.zeros(g)
    late = np.zeros(g)  # errors from t = M on, to compare the two kinds
    start = M if seasonal else 1
    for t in range(start, n):
        s = season[:, t % M] if seasonal else 0.0
        e = y[t] - (level + phi * trend + s)
        sse += e * e
        if t >= M:
            late += e * e
        level = level + phi * trend + alpha * e
        trend = phi * trend + beta * e
        if seasonal:
            season[:, t % M] = s + gamma * e
    best = int(np.argmin(sse))
    sigma = math.sqrt(float(sse[best]) / max(1, n - start))
    # the season of the quarter after the last observation first
    ordered = tuple(float(season[best, (n + k) % M]) for k in range(M)) if seasonal else ()
    model = Model(
        kind="ETS(A,Ad,A)" if seasonal else "ETS(A,Ad,N)",
        alpha=float(alpha[best]),
        beta=float(beta[best]),
        phi=float(phi[best]),
        gamma=float(gamma[best]),
        level=float(level[best]),
        trend=float(trend[best]),
        season=ordered,
        sigma=sigma,
        n=n,
    )
    return model, float(late[best])


def seasonal_naive(values: Sequence[float] | np.ndarray, h: int, m: int = M) -> np.ndarray:
    """The value of the same season a year before, repeated: ``y[n - m + (i mod m)]`` (the last value if n < m)."""
    y = np.asarray(values, dtype=float)
    if len(y) < m:
        return np.full(h, y[-1])
    return np.array([y[len(y) - m + (i % m)] for i in range(h)])


@dataclass(frozen=True, slots=True)
class ForecastPoint:
    """One forecast quarter: point value and 80 %/95 % prediction interval."""

    period: str
    value: float
    low80: float
    high80: float
    low95: float
    high95: float

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            **{k: round(getattr(self, k), 6) for k in ("value", "low80", "high80", "low95", "high95")},
        }


@dataclass(frozen=True)
class Forecast:
    """A series' history (quarters) and its forecast; ``points`` is empty and ``note`` says why when not forecast."""

    history: tuple[tuple[str, float], ...]
    points: tuple[ForecastPoint, ...]
    model: str = ""
    params: dict[str, float] = field(default_factory=dict)
    note: str = ""

    @property
    def forecast(self) -> bool:
        return bool(self.points)

    def to_json(self) -> dict[str, Any]:
        return {
            "history": [{"period": q, "value": round(v, 6)} for q, v in self.history],
            "forecast": [p.to_json() for p in self.points],
            "model": self.model,
            "params": {k: round(v, 4) for k, v in self.params.items()},
            "note": self.note,
        }


def forecast_series(
    points: Sequence[tuple[str, float]],
    *,
    h: int = 4,
    bounds: tuple[float, float | None] = (0.0, None),
    min_quarters: int = MIN_QUARTERS,
) -> Forecast:
    """Forecast the next ``h`` quarters of ``points`` (``(quarter, value)``, oldest first) from its most recent
    contiguous run; values and intervals are clipped to ``bounds`` (shares: ``(0, 1)``)."""
    history = contiguous_tail(points)
    if len(history) < min_quarters:
        return Forecast(
            tuple(points),
            (),
            note=f"{len(history)} consecutive quarter(s) of data: at least {min_quarters} are needed to forecast",
        )
    model = fit([v for _, v in history])
    mean, sd = model.predict(h)
    lo, hi = bounds

    def clip(x: float) -> float:
        x = max(lo, x)
        return min(hi, x) if hi is not None else x

    out = tuple(
        ForecastPoint(q, clip(m), clip(m - Z80 * s), clip(m + Z80 * s), clip(m - Z95 * s), clip(m + Z95 * s))
        for q, m, s in zip(next_quarters(history[-1][0], h), mean.tolist(), sd.tolist(), strict=True)
    )
    params = {"alpha": model.alpha, "beta": model.beta, "phi": model.phi, "gamma": model.gamma, "sigma": model.sigma}
    return Forecast(tuple(history), out, model.kind, params)


@dataclass(frozen=True)
class Backtest:
    """Rolling-origin accuracy of the model and of the seasonal naive benchmark over the same forecasts."""

    origins: int
    forecasts: int
    mase_model: float | None
    mase_naive: float | None
    smape_model: float | None
    smape_naive: float | None
    horizon: int
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def smape(actual: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """Per-point symmetric absolute percentage error, in percent (0 where both are 0)."""
    denom = np.abs(actual) + np.abs(predicted)
    return np.where(denom > 0, 200 * np.abs(actual - predicted) / np.where(denom > 0, denom, 1), 0.0)


def backtest(values: Sequence[float], *, h: int = 4, min_train: int = 8, m: int = M) -> Backtest:
    """Roll the origin from ``min_train`` to the end: at each, fit on the past, forecast up to ``h`` quarters and
    compare with what happened. MASE divides each absolute error by the training window's in-sample seasonal-naive
    MAE (``mean |y_t - y_{t-m}|``); windows where that is 0 are skipped. Means over all forecast points."""
    y = np.asarray(values, dtype=float)
    n = len(y)
    if n < min_train + 1 or min_train <= m:
        return Backtest(0, 0, None, None, None, None, h, f"{n} quarters: a backtest needs more than {min_train}")
    ase_model: list[float] = []
    ase_naive: list[float] = []
    sm_model: list[float] = []
    sm_naive: list[float] = []
    origins = 0
    for t in range(min_train, n):
        train, future = y[:t], y[t : t + h]
        scale = float(np.mean(np.abs(train[m:] - train[:-m])))
        mean, _ = fit(train).predict(len(future))
        naive = seasonal_naive(train, len(future), m)
        origins += 1
        sm_model += smape(future, mean).tolist()
        sm_naive += smape(future, naive).tolist()
        if scale > 0:
            ase_model += (np.abs(future - mean) / scale).tolist()
            ase_naive += (np.abs(future - naive) / scale).tolist()

    def avg(xs: list[float]) -> float | None:
        return float(np.mean(xs)) if xs else None

    return Backtest(
        origins, len(sm_model), avg(ase_model), avg(ase_naive), avg(sm_model), avg(sm_naive), h
    )  # fmt: skip
