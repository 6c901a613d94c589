"""Occupation outlook: BLS long-run projections blended with short-run posting momentum. Pure.

The long run is the BLS Employment Projections 2024-34 change for the SOC code, annualised:
``g_long = (1 + growth_pct / 100) ** (1 / 10) - 1``. The short run is the momentum of the Indeed Hiring Lab posting
index of the occupation's sector: the mean of the last ``window`` months against the same months a year earlier,
*relative to the mean of all sectors over the same months* (so a market-wide swing does not move every occupation):
``m = (sector_now / sector_before) / (market_now / market_before) - 1``.

``blended_outlook`` (a percentage per year) is ``100 * (g_long + LAMBDA * clip(m, -CAP, CAP))`` with ``LAMBDA = 0.1``
and ``CAP = 0.2``: postings swing about ten times more than employment (the Indeed index moved -40 % .. +60 % around
2020-22 while US employment moved a few percent), so a year of relative momentum moves the outlook by a tenth of its
size, and by at most 2 points. A heuristic, stated as such; not a fitted model. Without a sector
series, ``blended_outlook`` is the long run alone and ``momentum.value`` is ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from credstack.errors import InvalidInputError

__all__ = [
    "CAP",
    "LAMBDA",
    "Momentum",
    "OccupationOutlook",
    "Projection",
    "annualised",
    "blend",
    "build_outlook",
    "momentum",
    "parse_soc",
    "percentile_ranks",
]

LAMBDA = 0.1
CAP = 0.2
PROJECTION_YEARS = 10
_SOC = re.compile(r"^(\d{2}-\d{4})(\.\d{2})?$")


def parse_soc(code: str) -> tuple[str, str | None]:
    """``"15-1252.00"`` -> ``("15-1252", "15-1252.00")``; ``"15-1252"`` -> ``("15-1252", None)``."""
    found = _SOC.match((code or "").strip())
    if not found:
        raise InvalidInputError(f"{code!r} is not a SOC code (15-1252) or O*NET-SOC code (15-1252.00)")
    return found.group(1), (found.group(0) if found.group(2) else None)


@dataclass(frozen=True, slots=True)
class Projection:
    """One BLS 2024-34 line item, with the OEWS May 2025 median wage (``wage_source`` says which wage it is)."""

    soc: str
    title: str
    employment: int
    employment_2034: int
    growth_pct: float
    openings_per_year: int
    median_wage: int | None
    wage_source: str
    education: str
    sector: str


@dataclass(frozen=True, slots=True)
class Momentum:
    """Short-run posting momentum: relative year-on-year change of the sector's posting index (0.1 = +10 %)."""

    value: float | None
    source: str
    series: str = ""
    as_of: str = ""
    sector_yoy: float | None = None
    market_yoy: float | None = None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "value": None if self.value is None else round(self.value, 4),
            "source": self.source,
            "series": self.series,
            "asOf": self.as_of,
            "sectorYoy": None if self.sector_yoy is None else round(self.sector_yoy, 4),
            "marketYoy": None if self.market_yoy is None else round(self.market_yoy, 4),
            "note": self.note,
        }


@dataclass(frozen=True)
class OccupationOutlook:
    """Where an occupation is heading: BLS projection, wages, Bright Outlook, posting momentum and the blend.

    ``growth_pct`` is the BLS 2024-34 change in percent; ``blended_outlook`` percent per year (module docstring).
    ``mapped_from``/``mapping`` say how the code asked for reached this SOC code (an ESCO URI through titles or ISCO).
    """

    soc: str
    title: str
    employment: int
    growth_pct: float
    openings_per_year: int
    median_wage: int | None
    bright_outlook: bool
    momentum: Momentum
    blended_outlook: float
    sources: tuple[str, ...]
    long_run_annual_pct: float = 0.0
    employment_2034: int = 0
    education: str = ""
    onet_code: str | None = None
    bright_categories: tuple[str, ...] = ()
    mapped_from: str = ""
    mapping: str = ""
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "soc": self.soc,
            "onetCode": self.onet_code,
            "title": self.title,
            "employment": self.employment,
            "employment2034": self.employment_2034,
            "growthPct": self.growth_pct,
            "longRunAnnualPct": round(self.long_run_annual_pct, 3),
            "openingsPerYear": self.openings_per_year,
            "medianWage": self.median_wage,
            "education": self.education,
            "brightOutlook": self.bright_outlook,
            "brightCategories": list(self.bright_categories),
            "momentum": self.momentum.to_json(),
            "blendedOutlook": round(self.blended_outlook, 3),
            "mappedFrom": self.mapped_from,
            "mapping": self.mapping,
            "sources": list(self.sources),
            "notes": list(self.notes),
        }


def annualised(growth_pct: float, years: int = PROJECTION_YEARS) -> float:
    """A change over ``years`` in percent as a yearly rate (a fraction): 15.8 % over 10 years -> 0.0148."""
    return float((1 + growth_pct / 100) ** (1 / years) - 1)


def _window_mean(series: Mapping[str, float], months: Sequence[str]) -> float | None:
    values = [series[m] for m in months if m in series]
    return sum(values) / len(values) if len(values) == len(months) else None


def _shift(month: str, k: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + k
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def momentum(
    sector: Mapping[str, float],
    market: Mapping[str, float] | None = None,
    *,
    window: int = 3,
    source: str = "",
    series: str = "",
) -> Momentum:
    """Year-on-year change of the mean of the last ``window`` months of ``sector`` (month -> index), divided by the
    same change of ``market`` when given (module docstring). ``value`` is ``None`` when a year of history is missing."""
    if not sector:
        return Momentum(None, source, series, note="no posting series for this occupation")
    last = max(sector)
    now = [_shift(last, -k) for k in range(window)]
    before = [_shift(m, -12) for m in now]
    s_now, s_before = _window_mean(sector, now), _window_mean(sector, before)
    if s_now is None or s_before is None or s_before <= 0:
        return Momentum(None, source, series, last, note=f"less than {12 + window} months of {series or 'the series'}")
    sector_yoy = s_now / s_before - 1
    market_yoy = None
    value = sector_yoy
    if market:
        m_now, m_before = _window_mean(market, now), _window_mean(market, before)
        if m_now is not None and m_before:
            market_yoy = m_now / m_before - 1
            value = (1 + sector_yoy) / (1 + market_yoy) - 1
    return Momentum(value, source, series, last, sector_yoy, market_yoy)


def blend(long_run_annual: float, momentum_value: float | None, *, weight: float = LAMBDA, cap: float = CAP) -> float:
    """``long_run_annual + weight * clip(momentum, -cap, cap)`` (fractions; momentum ``None`` counts as 0)."""
    if momentum_value is None:
        return long_run_annual
    return long_run_annual + weight * max(-cap, min(cap, momentum_value))


def build_outlook(
    projection: Projection,
    *,
    momentum_value: Momentum,
    bright_categories: Sequence[str] | None,
    onet_code: str | None = None,
    mapped_from: str = "",
    mapping: str = "",
    sources: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> OccupationOutlook:
    """An :class:`OccupationOutlook` from its parts; ``bright_categories`` ``None`` = not a Bright Outlook code."""
    long_run = annualised(projection.growth_pct)
    return OccupationOutlook(
        soc=projection.soc,
        title=projection.title,
        employment=projection.employment,
        growth_pct=projection.growth_pct,
        openings_per_year=projection.openings_per_year,
        median_wage=projection.median_wage,
        bright_outlook=bright_categories is not None,
        momentum=momentum_value,
        blended_outlook=100 * blend(long_run, momentum_value.value),
        sources=tuple(sources),
        long_run_annual_pct=100 * long_run,
        employment_2034=projection.employment_2034,
        education=projection.education,
        onet_code=onet_code,
        bright_categories=tuple(bright_categories or ()),
        mapped_from=mapped_from,
        mapping=mapping,
        notes=tuple(notes),
    )


def percentile_ranks(values: Mapping[str, float]) -> dict[str, float]:
    """Each key's mid-rank percentile among ``values`` in 0..1 (ties share a rank; one value alone gets 0.5)."""
    ordered = sorted(values.values())
    n = len(ordered)
    if n == 0:
        return {}
    import bisect

    return {
        key: (bisect.bisect_left(ordered, v) + bisect.bisect_right(ordered, v)) / (2 * n) for key, v in values.items()
    }
