"""Demand analytics over the aggregated market tables (``storage/market_tables.py``): the read side of
:class:`credstack.services.market.MarketService`.

Everything here reads the main database only (SQLite or PostgreSQL), so the app and the API answer without the
Parquet dataset. Shares divide by postings *with text* (skills come only from text); occupation series divide by
all postings counted in the month, text or not.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from credstack.errors import InvalidInputError, NotFoundError
from credstack.market import stats
from credstack.market.records import (
    Cooccurring,
    Coverage,
    Emerging,
    EmergingReport,
    Growth,
    MonthPoint,
    SkillDemand,
    SourceCoverage,
)
from credstack.market.regions import region_code
from credstack.storage.engine import Database
from credstack.storage.market_tables import (
    MarketCooccurrence,
    MarketDemand,
    MarketOccupation,
    MarketSkill,
    MarketTotal,
)

__all__ = ["Analytics", "OccupationFilter"]

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_SOC = re.compile(r"^\d{2}-\d{4}(\.\d{2})?$")
_OPM = re.compile(r"^\d{4}$")


def _month(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    if not _MONTH.match(value):
        raise InvalidInputError(f"{name} must be a month YYYY-MM, not {value!r}")
    return value


class OccupationFilter:
    """An occupation reference, resolved: an O*NET-SOC code (``15-1252.00``, or ``15-1252`` for all its
    detailed occupations), an ESCO occupation URI or id, or a USAJOBS OPM series (``2210``)."""

    def __init__(self, ref: str) -> None:
        ref = ref.strip()
        if not ref:
            raise InvalidInputError("an occupation reference is empty")
        self.ref = ref
        if _SOC.match(ref):
            self.scheme = "onet"
        elif _OPM.match(ref):
            self.scheme = "opm"
        elif ref.startswith("http"):
            self.scheme = "esco"
        elif re.match(r"^[0-9a-f-]{36}$", ref):
            self.scheme = "esco"
            self.ref = f"http://data.europa.eu/esco/occupation/{ref}"
        else:
            raise InvalidInputError(
                f"{ref!r} is not an occupation reference: use an O*NET-SOC code (15-1252.00), an ESCO occupation "
                "URI or id, or an OPM series (2210)"
            )

    def clause(self, table: Any) -> Any:
        if self.scheme == "onet":
            if len(self.ref) == 7:
                return table.soc_code.like(f"{self.ref}%")
            return table.soc_code == self.ref
        if self.scheme == "esco":
            return table.esco_occupation == self.ref
        if not hasattr(table, "opm_series"):
            raise InvalidInputError(
                f"OPM series {self.ref} is known for postings counts only (no text): use occupation_series"
            )
        return table.opm_series == self.ref


class Analytics:
    """The read-only analytics on the aggregated tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- helpers ----------------------------------------------------------------------------------------------

    def _filters(
        self,
        table: Any,
        *,
        month_from: str | None = None,
        month_to: str | None = None,
        region: str | None = None,
        occupation: str | None = None,
    ) -> list[Any]:
        out = []
        if _month(month_from, "month_from"):
            out.append(table.month >= month_from)
        if _month(month_to, "month_to"):
            out.append(table.month <= month_to)
        if region is not None:
            out.append(table.region == region_code(region))
        if occupation is not None:
            out.append(OccupationFilter(occupation).clause(table))
        return out

    def labels(self, uris: list[str]) -> dict[str, str]:
        if not uris:
            return {}
        with self._db.read() as session:
            rows = session.execute(sa.select(MarketSkill.uri, MarketSkill.label).where(MarketSkill.uri.in_(uris)))
            return {uri: label for uri, label in rows}

    def resolve_skill(self, ref: str) -> str:
        """A skill URI from a URI, an ESCO id (the URI's last segment) or a label seen in the postings."""
        ref = ref.strip()
        if not ref:
            raise InvalidInputError("a skill reference is empty")
        with self._db.read() as session:
            if session.get(MarketSkill, ref) is not None:
                return ref
            found = session.scalars(
                sa.select(MarketSkill.uri)
                .where(sa.or_(MarketSkill.uri.like(f"%/{ref}"), sa.func.lower(MarketSkill.label) == ref.lower()))
                .order_by(MarketSkill.postings.desc())
                .limit(1)
            ).first()
        if found is None:
            if ref.startswith(("http://", "https://", "onet:")):
                return ref  # a valid URI no posting asks for: its series is all zeros
            raise NotFoundError(f"no skill {ref!r} in the ingested postings (give an ESCO URI, id or label)")
        return found

    # -- analytics --------------------------------------------------------------------------------------------

    def skill_demand(
        self,
        *,
        month_from: str | None = None,
        month_to: str | None = None,
        region: str | None = None,
        occupation: str | None = None,
        limit: int = 50,
    ) -> list[SkillDemand]:
        if limit < 1:
            raise InvalidInputError(f"limit must be at least 1, not {limit}")
        d = MarketDemand
        kw: dict[str, Any] = {
            "month_from": month_from,
            "month_to": month_to,
            "region": region,
            "occupation": occupation,
        }
        demand_filters = self._filters(d, **kw)
        total = self.text_total(**kw)
        with self._db.read() as session:
            count = sa.func.sum(d.postings).label("n")
            rows = session.execute(
                sa.select(d.skill_uri, MarketSkill.label, count)
                .join(MarketSkill, MarketSkill.uri == d.skill_uri)
                .where(*demand_filters)
                .group_by(d.skill_uri, MarketSkill.label)
                .order_by(count.desc(), d.skill_uri)
                .limit(limit)
            ).all()
        return [SkillDemand(uri, label, int(n), int(n) / total if total else 0.0) for uri, label, n in rows]

    def text_total(self, **filters: Any) -> int:
        """Postings with text in a selection (``month_from``, ``month_to``, ``region``, ``occupation``)."""
        t = MarketTotal
        with self._db.read() as session:
            found = session.scalar(
                sa.select(sa.func.coalesce(sa.func.sum(t.with_text), 0)).where(*self._filters(t, **filters))
            )
        return int(found or 0)

    def skill_counts(self, uris: list[str], **filters: Any) -> dict[str, int]:
        """Postings asking for each of ``uris`` in a selection."""
        if not uris:
            return {}
        d = MarketDemand
        with self._db.read() as session:
            rows = session.execute(
                sa.select(d.skill_uri, sa.func.sum(d.postings))
                .where(d.skill_uri.in_(uris), *self._filters(d, **filters))
                .group_by(d.skill_uri)
            )
            return {uri: int(n) for uri, n in rows}

    def _text_totals(self, *, region: str | None = None) -> dict[str, int]:
        t = MarketTotal
        with self._db.read() as session:
            rows = session.execute(
                sa.select(t.month, sa.func.sum(t.with_text))
                .where(*self._filters(t, region=region))
                .group_by(t.month)
                .having(sa.func.sum(t.with_text) > 0)
            )
            return {m: int(n) for m, n in rows}

    def skill_series(self, uri: str, *, region: str | None = None) -> list[MonthPoint]:
        uri = self.resolve_skill(uri)
        totals = self._text_totals(region=region)
        d = MarketDemand
        with self._db.read() as session:
            rows = session.execute(
                sa.select(d.month, sa.func.sum(d.postings))
                .where(d.skill_uri == uri, *self._filters(d, region=region))
                .group_by(d.month)
            )
            counts = {m: int(n) for m, n in rows}
        return [MonthPoint(m, counts.get(m, 0), n, counts.get(m, 0) / n) for m, n in sorted(totals.items())]

    def occupation_series(self, code: str) -> list[MonthPoint]:
        occupation = OccupationFilter(code)
        t = MarketTotal
        with self._db.read() as session:
            totals = dict(session.execute(sa.select(t.month, sa.func.sum(t.postings)).group_by(t.month)).all())
            rows = session.execute(
                sa.select(t.month, sa.func.sum(t.postings)).where(occupation.clause(t)).group_by(t.month)
            )
            counts = {m: int(n) for m, n in rows}
        return [
            MonthPoint(m, counts.get(m, 0), int(n), counts.get(m, 0) / int(n)) for m, n in sorted(totals.items()) if n
        ]

    def _by_source(self, uri: str | None = None) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
        """``(counts, totals)`` keyed by (source, month): postings asking for ``uri`` (every skill's postings
        when None is not wanted: only with a uri), and postings with text."""
        t, d = MarketTotal, MarketDemand
        with self._db.read() as session:
            totals = {
                (src, m): int(n)
                for src, m, n in session.execute(
                    sa.select(t.source, t.month, sa.func.sum(t.with_text))
                    .group_by(t.source, t.month)
                    .having(sa.func.sum(t.with_text) > 0)
                )
            }
            counts: dict[tuple[str, str], int] = {}
            if uri is not None:
                counts = {
                    (src, m): int(n)
                    for src, m, n in session.execute(
                        sa.select(d.source, d.month, sa.func.sum(d.postings))
                        .where(d.skill_uri == uri)
                        .group_by(d.source, d.month)
                    )
                }
        return counts, totals

    def growth(self, uri: str) -> Growth:
        uri = self.resolve_skill(uri)
        counts, totals = self._by_source(uri)
        months = {m for (_src, m) in totals}
        complete = {
            stats.quarter_of(m)
            for m in months
            if all(stats.add_months(f"{m[:4]}-{(int(m[5:7]) - 1) // 3 * 3 + 1:02d}", k) in months for k in range(3))
        }
        return stats.growth(counts, totals, complete_quarters=complete)

    def emerging(self, limit: int = 20, *, min_support: int = 10, window: int = 3) -> list[Emerging]:
        return list(self.emerging_report(limit, min_support=min_support, window=window).skills)

    def emerging_report(self, limit: int = 20, *, min_support: int = 10, window: int = 3) -> EmergingReport:
        """Recent window: the last ``window`` months with text (an incomplete last month left out); earlier: the
        months before, from the same sources only (:func:`credstack.market.stats.compare_periods`)."""
        if window < 1:
            raise InvalidInputError("window must be at least 1 month")
        _counts, totals = self._by_source()
        periods = stats.compare_periods(totals, window)
        recent: dict[str, int] = defaultdict(int)
        earlier: dict[str, int] = defaultdict(int)
        if periods.recent and periods.earlier_postings:
            recent_months, earlier_months = set(periods.recent), set(periods.earlier)
            d = MarketDemand
            with self._db.read() as session:
                rows = session.execute(
                    sa.select(d.month, d.skill_uri, sa.func.sum(d.postings))
                    .where(d.source.in_(periods.sources))
                    .group_by(d.month, d.skill_uri)
                )
                for month, uri, n in rows:
                    if month in recent_months:
                        recent[uri] += int(n)
                    elif month in earlier_months:
                        earlier[uri] += int(n)
        found = stats.emerging(
            recent, periods.recent_postings, earlier, periods.earlier_postings, {}, limit=limit, min_support=min_support
        )
        labels = self.labels([e.uri for e in found])
        tested = sum(1 for n in recent.values() if n >= min_support)
        return EmergingReport(
            tuple(dataclasses.replace(e, label=labels.get(e.uri, e.uri)) for e in found),
            periods.recent,
            periods.earlier,
            periods.sources,
            periods.recent_postings,
            periods.earlier_postings,
            tested,
            min_support,
            periods.incomplete_month,
            periods.incomplete_postings,
            stats.emerging_note(periods, len(found), tested, min_support),
        )

    def cooccurring(self, uri: str, limit: int = 20) -> list[Cooccurring]:
        uri = self.resolve_skill(uri)
        c = MarketCooccurrence
        with self._db.read() as session:
            own = session.scalar(sa.select(MarketSkill.postings).where(MarketSkill.uri == uri)) or 0
            rows = session.execute(
                sa.select(c.other_uri, MarketSkill.label, c.postings)
                .join(MarketSkill, MarketSkill.uri == c.other_uri)
                .where(c.skill_uri == uri)
                .order_by(c.rank)
                .limit(limit)
            ).all()
        return [Cooccurring(o, label, int(n), int(n) / own if own else 0.0) for o, label, n in rows]

    def coverage(self) -> Coverage:
        t = MarketTotal
        with self._db.read() as session:
            rows = session.execute(
                sa.select(t.source, t.month, sa.func.sum(t.postings), sa.func.sum(t.with_text)).group_by(
                    t.source, t.month
                )
            ).all()
        per: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        for source, month, n, w in rows:
            per[source].append((month, int(n), int(w)))
        sources = []
        for source, items in sorted(per.items()):
            items.sort()
            sources.append(
                SourceCoverage(
                    source,
                    items[0][0],
                    items[-1][0],
                    sum(n for _, n, _ in items),
                    sum(w for _, _, w in items),
                    tuple(m for m, _, w in items if w),
                )
            )
        with_text = sorted({m for s in sources for m in s.months_with_text})
        counted = sorted({m for _, m, _, _ in rows})
        notes = _coverage_notes(with_text, counted, sources)
        return Coverage(
            tuple(sources),
            tuple(with_text),
            tuple(counted),
            sum(s.postings for s in sources),
            sum(s.with_text for s in sources),
            tuple(notes),
        )

    def occupation_label(self, code: str) -> str:
        with self._db.read() as session:
            return session.scalar(sa.select(MarketOccupation.label).where(MarketOccupation.code == code)) or ""


def _coverage_notes(with_text: list[str], counted: list[str], sources: list[SourceCoverage]) -> list[str]:
    if not counted:
        return ["no postings ingested yet: run `credstack market ingest --builtin` or ingest a file"]
    if not with_text:
        return ["no posting text: skill demand, growth and emerging skills cannot be computed"]
    notes = []
    if len(with_text) < 15 or len({m[:4] for m in with_text}) < 2:
        notes.append(
            f"posting text covers {len(with_text)} month(s) ({with_text[0]} .. {with_text[-1]}): treat changes "
            "over time as indicative"
        )
    have = set(with_text)
    gap: list[str] = []
    longest: list[str] = []
    for month in _months_between(with_text[0], with_text[-1]):
        if month in have:
            gap = []
            continue
        gap.append(month)
        if len(gap) > len(longest):
            longest = list(gap)
    if len(longest) >= 3:
        notes.append(f"no posting text from {longest[0]} to {longest[-1]} ({len(longest)} months)")
    texted = [s for s in sources if s.with_text]
    if len(texted) > 1:
        spans = "; ".join(f"{s.source} {s.months_with_text[0]} .. {s.months_with_text[-1]}" for s in texted)
        notes.append(
            f"posting text comes from different sources in different periods ({spans}): growth and emerging "
            "skills compare the same sources only"
        )
    return notes


def _months_between(first: str, last: str) -> list[str]:
    out, month = [], first
    while month <= last:
        out.append(month)
        month = stats.add_months(month, 1)
    return out
