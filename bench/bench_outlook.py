"""Benchmark: occupation outlooks, forecasts and market values (cs.outlook) on the shipped data.

Not a test (figures depend on the machine). In one process, without postings (the market value falls back to the
occupation outlook, which is the slower path: it reads the ESCO occupation-skill relations once):

- ``load_seconds``: first ``occupation_outlook`` call (parses the shipped outlook files);
- ``outlook_us``: mean time of ``occupation_outlook`` over all 832 BLS SOC codes, warm;
- ``fit_ms``: mean time of one forecast (``forecast_series``, the ETS grid fit) on the 47 Indeed quarterly series;
- ``backtest_seconds``: the whole rolling-origin backtest (47 series) with its pooled MASE/sMAPE;
- ``value_first_seconds``: the first ``market_value`` (builds the skill -> outlook map);
- ``values_page_ms``: ``market_values`` for a page of 20 catalog-like skill sets (8 skills each), warm.

Usage: .venv/bin/python bench/bench_outlook.py
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

from credstack.market import forecast as fc
from credstack.services.outlook import OutlookService
from credstack.taxonomy import source


def run() -> dict[str, Any]:
    outlook = OutlookService(lambda: None)
    started = time.perf_counter()
    outlook.occupation_outlook("15-1252.00")
    load = time.perf_counter() - started
    socs = sorted(outlook.data.projections)
    started = time.perf_counter()
    for soc in socs:
        outlook.occupation_outlook(soc)
    per_outlook = (time.perf_counter() - started) / len(socs)
    series = [
        fc.quarterly([(m, v, 1.0) for m, v in sorted(outlook.data.series[name].items())])
        for name in [*outlook.data.sectors, "All postings"]
    ]
    started = time.perf_counter()
    for points in series:
        fc.forecast_series(points)
    fit = (time.perf_counter() - started) / len(series)
    started = time.perf_counter()
    report = outlook.backtests()
    backtest = time.perf_counter() - started
    skills = sorted({r.skill_uri for r in source.read("occupation_skills")})
    rng = random.Random(11)
    page = {str(i): rng.sample(skills, 8) for i in range(20)}
    started = time.perf_counter()
    outlook.market_value(page["0"])
    first_value = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(20):
        outlook.market_values(page)
    values = (time.perf_counter() - started) / 20
    return {
        "load_seconds": round(load, 3),
        "outlook_us": round(per_outlook * 1e6, 1),
        "fit_ms": round(fit * 1e3, 2),
        "backtest_seconds": round(backtest, 2),
        "backtest_pooled": report["pooled"],
        "value_first_seconds": round(first_value, 2),
        "values_page_ms": round(values * 1e3, 2),
    }


def main() -> None:
    print(json.dumps(run(), indent=2))


if __name__ == "__main__":
    main()
