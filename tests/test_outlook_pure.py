"""The pure outlook, forecast and market-value modules: known series, hand-checked arithmetic, real SOC codes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from credstack.errors import InvalidInputError
from credstack.market import forecast as fc
from credstack.market.outlook import (
    Projection,
    annualised,
    blend,
    build_outlook,
    momentum,
    parse_soc,
    percentile_ranks,
)
from credstack.market.value import market_value
from credstack.services.outlook import OutlookService

SEASON = (3.0, -1.0, -4.0, 2.0)


def _seasonal(n: int, noise: float = 0.0, seed: int = 7) -> list[float]:
    rng = np.random.default_rng(seed)
    return [10 + 0.5 * t + SEASON[t % 4] + (rng.normal(0, noise) if noise else 0.0) for t in range(n)]


def _quarters(n: int) -> list[str]:
    return [f"{2020 + i // 4}-Q{i % 4 + 1}" for i in range(n)]


# -- forecast -------------------------------------------------------------------------------------------------


def test_forecast_recovers_a_known_seasonal_series() -> None:
    y = _seasonal(16)
    result = fc.forecast_series(list(zip(_quarters(16), y, strict=True)))
    truth = [10 + 0.5 * t + SEASON[t % 4] for t in range(16, 20)]
    assert result.model == "ETS(A,Ad,A)"
    assert [p.period for p in result.points] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    for point, expected in zip(result.points, truth, strict=True):
        assert point.value == pytest.approx(expected, abs=0.3)
        assert point.low95 <= point.low80 <= point.value <= point.high80 <= point.high95
    widths = [p.high80 - p.low80 for p in result.points]
    assert widths == sorted(widths)  # uncertainty grows with the horizon


def test_model_beats_seasonal_naive_on_a_trending_seasonal_series() -> None:
    result = fc.backtest(_seasonal(20, noise=0.3))
    assert result.origins == 12
    assert result.mase_model is not None and result.mase_naive is not None
    assert result.mase_model < 0.5 * result.mase_naive
    assert result.smape_model is not None and result.smape_naive is not None
    assert result.smape_model < result.smape_naive


def test_seasonal_naive_and_backtest_arithmetic_by_hand() -> None:
    assert fc.seasonal_naive([1, 2, 3, 4, 5, 6, 7, 8], 6).tolist() == [5, 6, 7, 8, 5, 6]
    # a pure seasonal pattern: seasonal naive is exact, so its MASE and sMAPE are 0 wherever the scale is defined
    flat = [1.0, 2.0, 3.0, 4.0] * 3
    result = fc.backtest(flat, min_train=8)
    assert result.origins == 4 and result.forecasts == 4 + 3 + 2 + 1
    assert result.smape_naive == 0.0
    assert result.mase_naive is None  # in-sample seasonal-naive MAE is 0: MASE undefined, skipped
    # a random walk step: sMAPE of one forecast by hand
    assert fc.smape(np.array([110.0]), np.array([100.0]))[0] == pytest.approx(200 * 10 / 210)


def test_short_series_are_not_forecast_and_gaps_cut_history() -> None:
    points = list(zip(_quarters(5), _seasonal(5), strict=True))
    result = fc.forecast_series(points)
    assert not result.forecast and "5 consecutive quarter(s)" in result.note
    gapped = [("2019-Q1", 1.0), ("2019-Q2", 1.0), *list(zip(_quarters(6), _seasonal(6), strict=True))]
    assert len(fc.contiguous_tail(gapped)) == 6
    assert fc.backtest([1.0] * 5).note.startswith("5 quarters")


def test_quarterly_shares_pool_months() -> None:
    months = [("2025-01", 1, 10), ("2025-02", 3, 10), ("2025-04", 0, 0), ("2025-05", 2, 20)]
    assert fc.quarterly([(m, float(x), float(n)) for m, x, n in months]) == [("2025-Q1", 0.2), ("2025-Q2", 0.1)]
    assert fc.next_quarters("2025-Q4", 2) == ["2026-Q1", "2026-Q2"]


def test_share_forecasts_stay_within_bounds() -> None:
    y = [0.01, 0.005, 0.002, 0.001, 0.0005, 0.0002, 0.0001, 0.0, 0.0]
    result = fc.forecast_series(list(zip(_quarters(9), y, strict=True)), bounds=(0.0, 1.0))
    assert all(0.0 <= p.low95 <= p.high95 <= 1.0 for p in result.points)


# -- outlook --------------------------------------------------------------------------------------------------


def test_parse_soc() -> None:
    assert parse_soc("15-1252.00") == ("15-1252", "15-1252.00")
    assert parse_soc(" 29-1141 ") == ("29-1141", None)
    with pytest.raises(InvalidInputError):
        parse_soc("151252")


def test_momentum_and_blend_by_hand() -> None:
    sector = {f"2023-{m:02d}": 100.0 for m in range(1, 13)} | {f"2024-{m:02d}": 90.0 for m in range(1, 13)}
    market = {f"2023-{m:02d}": 100.0 for m in range(1, 13)} | {f"2024-{m:02d}": 80.0 for m in range(1, 13)}
    m = momentum(sector, market)
    assert m.as_of == "2024-12"
    assert m.sector_yoy == pytest.approx(-0.10) and m.market_yoy == pytest.approx(-0.20)
    assert m.value == pytest.approx(0.9 / 0.8 - 1)  # fell less than the market: positive relative momentum
    assert momentum({"2024-01": 1.0}).value is None
    assert annualised(15.8) == pytest.approx(1.158**0.1 - 1)
    assert blend(0.01, 0.5) == pytest.approx(0.01 + 0.1 * 0.2)  # momentum capped at 20 %
    assert blend(0.01, -0.1) == pytest.approx(0.0)
    assert blend(0.01, None) == 0.01


def test_outlook_record_from_parts() -> None:
    p = Projection("15-1252", "Software developers", 100, 116, 16.0, 10, 130000, "oews", "Bachelor's degree", "X")
    flat = momentum({})
    o = build_outlook(p, momentum_value=flat, bright_categories=("growth",))
    assert o.bright_outlook and o.blended_outlook == pytest.approx(100 * (1.16**0.1 - 1))
    assert not build_outlook(p, momentum_value=flat, bright_categories=None).bright_outlook


def test_percentile_ranks() -> None:
    ranks = percentile_ranks({"a": 1.0, "b": 2.0, "c": 2.0, "d": 3.0})
    assert ranks == {"a": 0.125, "b": 0.5, "c": 0.5, "d": 0.875}


@pytest.fixture(scope="module")
def outlook() -> OutlookService:
    return OutlookService(lambda: None)


def test_real_soc_codes_map_to_bls_projections(outlook: OutlookService) -> None:
    dev = outlook.occupation_outlook("15-1252.00")
    assert dev is not None
    assert dev.title == "Software developers" and dev.growth_pct == 15.8 and dev.openings_per_year == 115_200
    assert dev.median_wage == 135_980  # OEWS May 2025
    assert dev.bright_outlook and dev.momentum.series == "Software Development" and dev.momentum.as_of == "2024-09"
    assert dev.blended_outlook == pytest.approx(100 * blend(annualised(15.8), dev.momentum.value))
    assert any("Indeed Hiring Lab" in s for s in dev.sources) and any("BLS" in s for s in dev.sources)
    assert dev.notes and "2014-24 projections missed" in dev.notes[0]
    accuracy = outlook.data.accuracy["2014-24"]
    assert accuracy["matched"] > 600 and 0 < accuracy["median_abs_pp"] < accuracy["q80_abs_pp"]
    nurse = outlook.occupation_outlook("29-1141")
    assert nurse is not None and nurse.momentum.series == "Nursing" and nurse.employment == 3_391_000
    farm = outlook.occupation_outlook("45-2092")
    assert (
        farm is not None
        and farm.momentum.value is None
        and farm.blended_outlook == pytest.approx(farm.long_run_annual_pct)
    )
    assert not farm.bright_outlook
    assert outlook.occupation_outlook("99-9999") is None


def test_esco_occupation_maps_through_titles_and_isco(outlook: OutlookService) -> None:
    esco = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"  # software developer
    o = outlook.occupation_outlook(esco)
    assert o is not None and o.soc == "15-1252" and o.mapped_from == esco
    assert o.mapping == "ESCO preferred label = O*NET title (exact match)"
    isco_mapped = [u for u, (_, soc, how) in outlook.data.esco.items() if how == "isco4"]
    assert isco_mapped
    o2 = outlook.occupation_outlook(isco_mapped[0])
    assert o2 is not None and "ISCO-08 group" in o2.mapping


def test_occupation_forecast_backtests_on_the_real_indeed_series(outlook: OutlookService) -> None:
    [series] = outlook.forecast_occupation("15-1252")  # no market service: the Indeed series only
    assert series.forecast.forecast and len(series.forecast.points) == 4
    assert series.forecast.history[-1][0] == "2024-Q3" and series.forecast.points[0].period == "2024-Q4"
    assert series.backtest.origins > 0 and series.backtest.mase_naive is not None
    report = outlook.backtests()
    assert report["seriesScored"] == 47 and report["pooled"]["mase_model"] is not None


# -- market value ---------------------------------------------------------------------------------------------


def test_market_value_formula() -> None:
    postings = {"a": (50, 0.10), "b": (10, 0.02), "c": (1, 0.001), "e": (20, 0.04)}
    ranks = percentile_ranks({uri: share for uri, (_, share) in postings.items()})
    assert ranks == {"a": 0.875, "e": 0.625, "b": 0.375, "c": 0.125}
    result = market_value(["a", "b", "c", "d", "a"], postings=postings, posting_rank=ranks, outlook={"c": 0.8})
    # a: rank 0.875; b: 0.375; c: too few postings -> its occupations' outlook 0.8; d: unrated; "a" counted once
    assert result.total == 4 and result.rated == 3 and result.basis == "mixed"
    assert result.score == pytest.approx((0.875 + 0.375 + 0.8) / 3)
    assert [s.uri for s in result.top_skills] == ["a", "c", "b"]
    assert [s.basis for s in result.top_skills] == ["postings", "outlook", "postings"]
    assert "1 of 4" in result.note
    only = market_value(["a"], postings=postings, posting_rank=ranks, outlook={})
    assert only.basis == "postings" and only.score == 0.875
    none = market_value(["z"], postings={}, posting_rank={}, outlook={})
    assert none.basis == "none" and none.score == 0.0 and math.isclose(none.coverage, 0.0)
