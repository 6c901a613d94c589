"""Occupation outlook, demand forecasts and credentials' market value (``Credstack.outlook``; docs/market.md).

Reads the outlook data shipped in ``market/data/outlook`` (BLS projections and OEWS wages, O*NET Bright Outlook,
Indeed Hiring Lab posting indices, the ESCO -> SOC map; built by ``scripts/vendor_outlook.py``), lazily and once, and
the demand tables of :class:`~credstack.services.market.MarketService` for skill shares and posting series. The
arithmetic is in the pure modules ``market/outlook.py``, ``market/forecast.py`` and ``market/value.py``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import lzma
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import Any

from credstack.errors import ConfigurationError, InvalidInputError, NotFoundError, TaxonomyNotLoadedError
from credstack.market import forecast as fc
from credstack.market.outlook import (
    Momentum,
    OccupationOutlook,
    Projection,
    build_outlook,
    momentum,
    parse_soc,
    percentile_ranks,
)
from credstack.market.value import MarketValue, market_value
from credstack.taxonomy import source as taxonomy_source

__all__ = ["SOURCES", "OccupationForecast", "OutlookService", "OutlookViews", "SkillForecast"]

ESCO_OCCUPATION = "http://data.europa.eu/esco/occupation/"
ESCO_SKILL = "http://data.europa.eu/esco/skill/"

#: Named under every figure that uses them.
SOURCES = {
    "bls": "BLS Employment Projections 2024-34 (public domain)",
    "oews": "BLS OEWS May 2025 national median wages (public domain)",
    "onet": "O*NET OnLine Bright Outlook, USDOL/ETA (CC BY 4.0)",
    "indeed": "Indeed Hiring Lab Job Postings Index, US, by sector (CC BY 4.0; Indeed Hiring Lab)",
    "indeed_total": "Indeed Hiring Lab Job Postings Index, US, all postings (CC BY 4.0; Indeed Hiring Lab)",
    "postings": "job postings ingested into this credstack (credstack market coverage)",
    "esco": "ESCO classification v1.1.1, European Commission",
}
MARKET_SERIES = "All sectors (mean)"
#: seconds the skill shares behind market values are reused before the demand tables are read again
DEMAND_TTL = 60.0
#: postings with text a quarter needs before a skill's share in it is shown or used
MIN_QUARTER_TEXT = 30


@dataclass(frozen=True)
class SkillForecast:
    """A skill's quarterly share of postings with text, its forecast and the backtest on its own history."""

    uri: str
    label: str
    forecast: fc.Forecast
    backtest: fc.Backtest
    monthly: tuple[tuple[str, int, int], ...]
    sources: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "label": self.label,
            "unit": "share of postings with text",
            "monthly": [{"month": m, "postings": p, "total": t} for m, p, t in self.monthly],
            **self.forecast.to_json(),
            "backtest": self.backtest.to_json(),
            "sources": list(self.sources),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class OccupationForecast:
    """One demand series of an occupation (a posting index or posting counts), its forecast and backtest."""

    series: str
    unit: str
    forecast: fc.Forecast
    backtest: fc.Backtest
    source: str
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "series": self.series,
            "unit": self.unit,
            **self.forecast.to_json(),
            "backtest": self.backtest.to_json(),
            "source": self.source,
            "notes": list(self.notes),
        }


def _bytes(name: str) -> bytes:
    folder = resources.files("credstack.market").joinpath("data").joinpath("outlook")
    manifest = json.loads(folder.joinpath("manifest.json").read_text(encoding="utf-8"))
    data = folder.joinpath(name).read_bytes()
    if name not in manifest or hashlib.sha256(data).hexdigest() != manifest[name]["sha256"]:
        raise ConfigurationError(f"outlook data file {name} does not match its manifest (corrupt install?)")
    return data


def _read(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(lzma.decompress(_bytes(name)).decode("utf-8"), newline="")))


class _Data:
    """The shipped outlook tables, parsed once."""

    def __init__(self) -> None:
        self.projections: dict[str, Projection] = {}
        for row in _read("occupations.csv.xz"):
            wage = row["median_wage_oews_2025"] or row["median_wage_ep_2024"]
            self.projections[row["soc"]] = Projection(
                soc=row["soc"],
                title=row["title"],
                employment=int(row["employment_2024"]),
                employment_2034=int(row["employment_2034"]),
                growth_pct=float(row["change_pct"]),
                openings_per_year=int(row["openings_per_year"]),
                median_wage=int(wage) if wage else None,
                wage_source="oews" if row["median_wage_oews_2025"] else ("bls" if wage else ""),
                education=row["education"],
                sector=row["indeed_sector"],
            )
        self.bright: dict[str, tuple[str, tuple[str, ...]]] = {
            row["onet_soc"]: (row["title"], tuple(c for c in row["categories"].split(";") if c))
            for row in _read("bright_outlook.csv.xz")
        }
        self.series: dict[str, dict[str, float]] = defaultdict(dict)
        for row in _read("indeed_us_monthly.csv.xz"):
            self.series[row["series"]][row["month"]] = float(row["index"])
        sectors = [name for name in self.series if name != "All postings"]
        months = sorted({m for name in sectors for m in self.series[name]})
        self.series[MARKET_SERIES] = {
            m: sum(self.series[s][m] for s in sectors) / len(sectors)
            for m in months
            if all(m in self.series[s] for s in sectors)
        }
        self.sectors = sorted(sectors)
        self.esco: dict[str, tuple[str, str, str]] = {
            row["esco_uri"]: (row["isco"], row["soc"], row["how"]) for row in _read("esco_soc.csv.xz")
        }
        #: how far older BLS projections were from 2024 employment (scripts/vendor_outlook.py)
        self.accuracy: dict[str, dict[str, float]] = json.loads(_bytes("projection_accuracy.json"))

    def accuracy_note(self) -> str:
        a = self.accuracy["2014-24"]
        return (
            f"BLS's 2014-24 projections missed the 2024 employment of the same {a['matched']:.0f} codes by a median "
            f"{a['median_abs_pp']:.0f} points of 10-year growth (weighted by employment "
            f"{a['employment_weighted_median_abs_pp']:.0f}; 80 % within {a['q80_abs_pp']:.0f} points; code "
            "redefinitions add to this): read the projected change as a direction, not a measurement"
        )


class OutlookService:
    """Occupation outlooks (BLS + momentum), quarterly forecasts with intervals and credentials' market value."""

    def __init__(
        self, market: Callable[[], Any], taxonomy: Any = None, catalog: Callable[[], Any] | None = None
    ) -> None:
        """``market``: returns the :class:`MarketService` (or ``None`` when there is none); ``taxonomy``: the
        :class:`TaxonomyService`, for skill labels; ``catalog``: returns the :class:`CatalogService`."""
        self._market = market
        self._taxonomy = taxonomy
        self._catalog = catalog or (lambda: None)
        self._demand_cache: tuple[float, dict[str, tuple[int, float]], dict[str, float]] | None = None
        self._lock = threading.Lock()

    @cached_property
    def data(self) -> _Data:
        with self._lock:
            return _Data()

    # -- occupation outlook ---------------------------------------------------------------------------------------

    def resolve(self, code: str) -> tuple[str, str | None, str, str]:
        """``(soc, onet_code, mapped_from, mapping)`` for a SOC/O*NET-SOC code or an ESCO occupation URI or id."""
        code = (code or "").strip()
        if not code:
            raise InvalidInputError("give an occupation: a SOC code (15-1252), O*NET-SOC code or ESCO occupation URI")
        if code.startswith("http") or (len(code) == 36 and code.count("-") == 4):
            uri = code if code.startswith("http") else ESCO_OCCUPATION + code
            found = self.data.esco.get(uri)
            if found is None:
                raise NotFoundError(f"{code!r} is not an ESCO v1.1.1 occupation")
            isco, soc, how = found
            if not soc:
                raise NotFoundError(f"ESCO occupation {code!r} (ISCO {isco}) maps to no SOC code")
            if how.startswith(("title", "alt")):
                which = "preferred" if how.startswith("title") else "alternative"
                mapping = f"ESCO {which} label = O*NET title ({how.split(':', 1)[1]} match)"
            else:
                mapping = f"ISCO-08 group {isco[: int(how[-1])]}: most of its titled occupations map to {soc}"
            return soc, None, uri, mapping
        soc, onet = parse_soc(code)
        return soc, onet, code, ""

    def occupation_outlook(self, code: str) -> OccupationOutlook | None:
        """The outlook of a SOC or O*NET-SOC code, or of an ESCO occupation mapped to SOC; ``None`` when BLS
        projects no line item for the code. Malformed codes: InvalidInputError; unknown ESCO URIs: NotFoundError."""
        soc, onet, mapped_from, mapping = self.resolve(code)
        projection = self.data.projections.get(soc)
        if projection is None:
            return None
        return self._outlook(projection, onet, mapped_from, mapping)

    def _outlook(self, projection: Projection, onet: str | None, mapped_from: str, mapping: str) -> OccupationOutlook:
        bright = self.data.bright
        if onet is not None:
            categories = bright[onet][1] if onet in bright else None
        else:
            hits = [cats for code, (_, cats) in bright.items() if code.startswith(projection.soc)]
            categories = tuple(sorted({c for cats in hits for c in cats})) if hits else None
        sources = [SOURCES["bls"], SOURCES["oews"] if projection.wage_source == "oews" else SOURCES["bls"]]
        sources.append(SOURCES["onet"])
        notes = [self.data.accuracy_note()]
        if projection.wage_source != "oews":
            notes.append("no OEWS May 2025 median for this code: the wage is BLS's 2024 median")
        moment = self.momentum(projection.sector)
        if moment.value is not None:
            sources.append(SOURCES["indeed"])
        if mapped_from.startswith("http"):
            sources.append(SOURCES["esco"])
        return build_outlook(
            projection,
            momentum_value=moment,
            bright_categories=categories,
            onet_code=onet,
            mapped_from=mapped_from,
            mapping=mapping,
            sources=list(dict.fromkeys(sources)),
            notes=notes,
        )

    def momentum(self, sector: str) -> Momentum:
        """Indeed sector momentum relative to all sectors (``market/outlook.py``)."""
        if not sector:
            return Momentum(None, "", note="no Indeed sector covers this occupation (credstack's SOC -> sector map)")
        return momentum(
            self.data.series.get(sector, {}),
            self.data.series[MARKET_SERIES],
            source=SOURCES["indeed"],
            series=sector,
        )

    def esco_for(self, soc: str) -> list[str]:
        """ESCO occupations whose labels map to ``soc`` by title (ISCO-group fallbacks left out): those whose
        preferred label matched first, then by URI."""
        found = [(how.startswith("alt"), uri) for uri, (_, s, how) in self.data.esco.items() if s == soc]
        return [uri for alt, uri in sorted(found) if not self.data.esco[uri][2].startswith("isco")]

    @cached_property
    def views(self) -> OutlookViews:
        """The /market pages' data."""
        return OutlookViews(self)

    def outlooks(self) -> list[OccupationOutlook]:
        """Every projected occupation's outlook (SOC order)."""
        return [self._outlook(p, None, p.soc, "") for _, p in sorted(self.data.projections.items())]

    @cached_property
    def _outlook_ranks(self) -> dict[str, float]:
        return percentile_ranks({o.soc: o.blended_outlook for o in self.outlooks()})

    # -- forecasts ------------------------------------------------------------------------------------------------

    def forecast_skill(self, ref: str, *, region: str | None = None, h: int = 4) -> SkillForecast:
        """A skill's quarterly share of postings with text, forecast ``h`` quarters ahead when its most recent
        consecutive run of quarters is long enough (``market/forecast.py``), with a backtest against seasonal naive."""
        market = self._require_market()
        uri = market.resolve_skill(ref)
        points = market.skill_series(uri, region=region)
        monthly = tuple((p.month, p.postings, p.total) for p in points if p.total)
        quarters = fc.quarterly([(m, float(x), float(n)) for m, x, n in monthly], min_weight=MIN_QUARTER_TEXT)
        forecast = fc.forecast_series(quarters, h=h, bounds=(0.0, 1.0), min_quarters=8)
        tail = [v for _, v in fc.contiguous_tail(quarters)]
        notes = list(market.coverage().notes)
        if not forecast.forecast:
            notes.append(f"not forecast: {forecast.note}")
        if len(quarters) < len({f"{m[:4]}{(int(m[5:7]) - 1) // 3}" for m, _, _ in monthly}):
            notes.append(f"quarters with fewer than {MIN_QUARTER_TEXT} postings with text are left out")
        label = self._labels([uri]).get(uri, uri.rsplit("/", 1)[-1])
        return SkillForecast(
            uri, label, forecast, fc.backtest(tail, h=h), monthly, (SOURCES["postings"],), tuple(notes)
        )

    def forecast_occupation(self, code: str, *, h: int = 4) -> list[OccupationForecast]:
        """Demand series of an occupation, each with a forecast when long enough: its Indeed sector's posting index
        (quarterly means), and the ingested postings mapped to it (complete quarters only)."""
        soc, onet, mapped_from, _ = self.resolve(code)
        out = []
        projection = self.data.projections.get(soc)
        if projection is not None and projection.sector:
            series = self.data.series.get(projection.sector, {})
            quarters = fc.quarterly([(m, v, 1.0) for m, v in sorted(series.items())])
            out.append(
                OccupationForecast(
                    f"Indeed postings index: {projection.sector}",
                    "index, 1 Feb 2020 = 100",
                    fc.forecast_series(quarters, h=h),
                    fc.backtest([v for _, v in quarters], h=h),
                    SOURCES["indeed"],
                    (
                        "the sector file ends in September 2024 (the newer files exceed the size we could obtain): "
                        "the forecast quarters follow the series' end, not today",
                    ),
                )
            )
        market = self._market()
        if market is not None:
            ref = mapped_from if mapped_from.startswith("http") else (onet or soc)
            try:
                points = market.occupation_series(ref)
            except (InvalidInputError, NotFoundError):
                points = []
            months: dict[str, int] = {p.month: p.postings for p in points}
            by_q: dict[str, list[int]] = defaultdict(list)
            for month, n in months.items():
                by_q[f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"].append(n)
            quarters2 = [(q, float(sum(v))) for q, v in sorted(by_q.items()) if len(v) == 3]
            if quarters2:
                out.append(
                    OccupationForecast(
                        "Ingested postings mapped to this occupation",
                        "postings per quarter",
                        fc.forecast_series(quarters2, h=h, min_quarters=8),
                        fc.backtest([v for _, v in fc.contiguous_tail(quarters2)], h=h),
                        SOURCES["postings"],
                        ("complete quarters only; counts move with which sources were collected",),
                    )
                )
        return out

    def backtests(self, *, h: int = 4) -> dict[str, Any]:
        """Rolling-origin backtest of the model against seasonal naive on every shipped Indeed series: per series
        and pooled (mean of the per-forecast errors), for docs/market.md and ``credstack outlook backtest``."""
        rows = []
        for name in [*self.data.sectors, "All postings"]:
            quarters = fc.quarterly([(m, v, 1.0) for m, v in sorted(self.data.series[name].items())])
            result = fc.backtest([v for _, v in quarters], h=h)
            rows.append({"series": name, "quarters": len(quarters), **result.to_json()})
        scored = [r for r in rows if r["mase_model"] is not None]

        def pooled(key: str) -> float | None:
            weights = sum(r["forecasts"] for r in scored)
            return round(sum(r[key] * r["forecasts"] for r in scored) / weights, 4) if weights else None

        wins = sum(1 for r in scored if r["mase_model"] < r["mase_naive"])
        return {
            "horizon": h,
            "series": rows,
            "pooled": {k: pooled(k) for k in ("mase_model", "mase_naive", "smape_model", "smape_naive")},
            "modelBetterOn": wins,
            "seriesScored": len(scored),
            "source": SOURCES["indeed"],
        }

    # -- market value ---------------------------------------------------------------------------------------------

    def market_value(self, skill_uris: Sequence[str]) -> MarketValue:
        """The demand-weighted share of in-demand skills among ``skill_uris`` (``market/value.py``)."""
        return self.market_values({"_": list(skill_uris)})["_"]

    def entry_value(self, entry_id: str) -> MarketValue:
        """The market value of catalog entry ``entry_id`` (its aligned skills)."""
        catalog = self._catalog()
        if catalog is None:
            raise ConfigurationError("no catalog service")
        return self.market_value([s.uri for s in catalog.get(entry_id).skills])

    def market_values(self, skills_by_entry: dict[str, Sequence[str]]) -> dict[str, MarketValue]:
        """:meth:`market_value` for many credentials at once (one read of the demand tables)."""
        postings, ranks = self._posting_demand()
        wanted = {u for uris in skills_by_entry.values() for u in uris}
        labels = self._labels(wanted)
        outlook = self._skill_outlook
        return {
            key: market_value(list(uris), postings=postings, posting_rank=ranks, outlook=outlook, labels=labels)
            for key, uris in skills_by_entry.items()
        }

    def _posting_demand(self) -> tuple[dict[str, tuple[int, float]], dict[str, float]]:
        """Every skill's postings and share (kept ``DEMAND_TTL`` seconds: catalog pages ask on every request)."""
        market = self._market()
        if market is None:
            return {}, {}
        now = time.monotonic()
        cached = self._demand_cache
        if cached is not None and now - cached[0] < DEMAND_TTL:
            return cached[1], cached[2]
        demand = market.skill_demand(limit=100_000)
        postings = {d.uri: (d.postings, d.share) for d in demand}
        ranks = percentile_ranks({d.uri: d.share for d in demand})
        self._demand_cache = (now, postings, ranks)
        return postings, ranks

    @cached_property
    def _essential_for(self) -> dict[str, tuple[str, ...]]:
        """ESCO skill -> the SOC-mapped ESCO occupations it is essential for (the shipped ESCO relations)."""
        found: dict[str, list[str]] = defaultdict(list)
        esco = self.data.esco
        for rel in taxonomy_source.read("occupation_skills"):
            if rel.relation_type == "essential" and rel.occupation_uri in esco and esco[rel.occupation_uri][1]:
                found[rel.skill_uri].append(rel.occupation_uri)
        return {uri: tuple(occupations) for uri, occupations in found.items()}

    @cached_property
    def _skill_outlook(self) -> dict[str, float]:
        """ESCO skill -> mean outlook percentile of the SOC-mapped occupations it is essential for."""
        ranks = self._outlook_ranks
        out = {}
        for skill, occupations in self._essential_for.items():
            values = [ranks[self.data.esco[o][1]] for o in occupations if self.data.esco[o][1] in ranks]
            if values:
                out[skill] = sum(values) / len(values)
        return out

    def skill_occupations(self, uri: str, *, limit: int = 10) -> list[dict[str, Any]]:
        """Where a skill is heading in the long run: the outlooks of the SOC codes of the ESCO occupations that list
        it as essential (one row per SOC code, best blended outlook first, with how many ESCO occupations map there)."""
        by_soc: dict[str, list[str]] = defaultdict(list)
        for occupation in self._essential_for.get(uri, ()):
            by_soc[self.data.esco[occupation][1]].append(occupation)
        rows = []
        for soc, occupations in by_soc.items():
            projection = self.data.projections.get(soc)
            if projection is None:
                continue
            found = self._outlook(projection, None, soc, "")
            rows.append({**found.to_json(), "escoOccupations": sorted(occupations)})
        rows.sort(key=lambda r: (-r["blendedOutlook"], r["soc"]))
        return rows[:limit]

    def _labels(self, uris: Iterable[str]) -> dict[str, str]:
        uris = list(uris)
        if self._taxonomy is None or not uris:
            return {}
        try:
            links = self._taxonomy.links(uris)
        except TaxonomyNotLoadedError:  # plain ids will do
            return {}
        return {ref: link.label for ref, link in links.items() if link.label}

    def _require_market(self) -> Any:
        market = self._market()
        if market is None:
            raise ConfigurationError("no market service: job postings are not available")
        return market


class OutlookViews:
    """What the /market pages show, as JSON-ready dicts (the pages and their ``.json`` twins render the same)."""

    def __init__(self, outlook: OutlookService) -> None:
        self._o = outlook

    def overview(self, *, limit: int = 15) -> dict[str, Any]:
        """Top skills asked for, fastest-rising skills, the US posting index, the best occupation outlooks."""
        o = self._o
        market = o._market()
        top: list[Any] = []
        rising: Any = None
        coverage: Any = None
        if market is not None:
            top = market.skill_demand(limit=limit)
            rising = market.emerging_report(limit)
            coverage = market.coverage()
        total = o.data.series["All postings"]
        outlooks = [x for x in o.outlooks() if x.employment >= 50_000]
        best = sorted(outlooks, key=lambda x: (-x.blended_outlook, x.soc))[:limit]
        notes = list(coverage.notes) if coverage is not None else []
        if not top:
            notes.insert(0, "no job postings with skills are ingested yet: run `credstack market ingest --builtin`")
        return {
            "topSkills": [s.to_json() for s in top],
            "emerging": [e.to_json() for e in rising.skills] if rising is not None else [],
            "emergingNote": rising.note if rising is not None and top else "",
            "coverage": coverage.to_json() if coverage is not None else None,
            "postingIndex": [{"month": m, "value": v} for m, v in sorted(total.items())],
            "occupations": [x.to_json() for x in best],
            "projectionAccuracy": o.data.accuracy,
            "accuracyNote": o.data.accuracy_note(),
            "notes": notes,
            "sources": {
                "topSkills": SOURCES["postings"],
                "emerging": SOURCES["postings"],
                "postingIndex": SOURCES["indeed_total"],
                "occupations": "; ".join((SOURCES["bls"], SOURCES["oews"], SOURCES["onet"], SOURCES["indeed"])),
            },
        }

    def skill(self, ref: str) -> dict[str, Any]:
        """A skill's demand over time with its forecast, growth and co-occurring skills."""
        o = self._o
        market = o._require_market()
        try:
            result = o.forecast_skill(ref)
        except NotFoundError:
            return self._unposted_skill(ref)
        growth = market.growth(result.uri)
        return {
            **result.to_json(),
            "growth": growth.to_json(),
            "cooccurring": [c.to_json() for c in market.cooccurring(result.uri, 10)],
            "occupations": o.skill_occupations(result.uri),
            "occupationSources": "; ".join((SOURCES["esco"], SOURCES["bls"], SOURCES["indeed"])),
        }

    def _unposted_skill(self, ref: str) -> dict[str, Any]:
        """A taxonomy skill no ingested posting asks for: its long-run side only (NotFoundError for anything else)."""
        o = self._o
        uri = ref if ref.startswith("http") else ESCO_SKILL + ref
        label = o._labels([uri]).get(uri)
        if label is None and uri not in o._essential_for:
            raise NotFoundError(f"no skill {ref!r} in the taxonomy or the ingested postings")
        empty = fc.Forecast((), (), note="no ingested posting with text asks for this skill")
        return {
            "uri": uri,
            "label": label or uri.rsplit("/", 1)[-1],
            "unit": "share of postings with text",
            "monthly": [],
            **empty.to_json(),
            "backtest": fc.backtest([]).to_json(),
            "sources": [SOURCES["postings"]],
            "notes": ["no ingested posting with text asks for this skill"],
            "growth": None,
            "cooccurring": [],
            "occupations": o.skill_occupations(uri),
            "occupationSources": "; ".join((SOURCES["esco"], SOURCES["bls"], SOURCES["indeed"])),
        }

    def occupation(self, code: str) -> dict[str, Any]:
        """An occupation's outlook, its demand series with forecasts and the skills postings ask for."""
        o = self._o
        found = o.occupation_outlook(code)
        soc, _, mapped_from, _ = o.resolve(code)
        esco = [mapped_from] if mapped_from.startswith("http") else o.esco_for(soc)
        skills = None
        market = o._market()
        if market is not None and len(esco) > 1:  # preferred-label matches, the one with the most postings first
            esco.sort(
                key=lambda uri: (
                    o.data.esco[uri][2].startswith("alt"),
                    -sum(p.postings for p in market.occupation_series(uri)),
                )
            )
        labels = o._labels(esco)
        if market is not None and esco:
            try:
                skills = market.occupation_skills(esco[0], limit=15).to_json()
            except (InvalidInputError, NotFoundError, TaxonomyNotLoadedError) as exc:
                skills = {"note": str(exc), "asked": [], "essential": []}
        return {
            "code": code,
            "soc": soc,
            "outlook": found.to_json() if found else None,
            "forecasts": [f.to_json() for f in o.forecast_occupation(code)],
            "escoOccupations": [
                {"uri": uri, "label": labels.get(uri, uri.rsplit("/", 1)[-1]), "mapping": o.data.esco[uri][2]}
                for uri in esco
            ],
            "skills": skills,
            "sources": {"skills": "; ".join((SOURCES["postings"], SOURCES["esco"]))},
        }
