"""What the stacking engine needs from the database: a :class:`~credstack.stacking.Catalog` and credential facts.

Achievement keys: a pathway names an achievement by its **catalog entry id** (``demo-01-00-f``) or by its URL (an
achievement stored here that is not from the catalog, or another issuer's). An achievement stored here that was
published from a catalog entry (its ``humanCode`` is the entry id) is keyed by the entry id, and credentials for it
count as that entry; its issuer is the issuer that published it (the latest, if published more than once). An entry
nobody has published yet is in the catalog without an issuer: it can be planned and validated against, but no
credential can be earned for it until it is published.

Prices are compared in euros with fixed approximate rates (:data:`EUR_PER_UNIT`), for ranking only; entries in
other currencies have no price for planning. Skill areas are the ESCO skill groups above a skill (transitively).
The context is cached and rebuilt when achievements, catalog sources or pathways change.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from credstack.services.learners import HeldCredential
from credstack.stacking import (
    AchievementInfo,
    Catalog,
    CredentialFact,
    Qualification,
    ResultFact,
    ResultSpec,
)
from credstack.storage.catalog_tables import CatalogEntryRow, CatalogEntrySkill, CatalogSource
from credstack.storage.engine import Database
from credstack.storage.models import Achievement, Issuer
from credstack.storage.pathway_tables import PathwayRow
from credstack.storage.taxonomy_tables import TaxonomySkillBroader

__all__ = ["EUR_PER_UNIT", "EntryFacts", "StackingContext", "StackingContextBuilder", "fact_of", "facts_of"]

#: Approximate euro value of one unit of a currency, used only to rank plans by price across providers.
EUR_PER_UNIT: Mapping[str, float] = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "CHF": 1.05}
_EQF = "http://data.europa.eu/snb/eqf/"
_MAX_DEPTH = 6


@dataclass(frozen=True)
class EntryFacts:
    """What a page shows for a catalog achievement in a plan: name, provider, price (in its currency), hours."""

    key: str
    name: str
    provider: str | None
    price: float | None
    currency: str | None
    hours: float | None
    credits: float | None
    published: bool


@dataclass(frozen=True)
class StackingContext:
    """A snapshot: the stacking catalog (achievements + every stored pathway), names and keys for display."""

    catalog: Catalog
    qualifications: Mapping[str, Qualification]
    issuer_of_pathway: Mapping[str, int]
    key_of_url: Mapping[str, str]
    names: Mapping[str, str]
    entries: Mapping[str, EntryFacts]
    award_ids: frozenset[str]
    skill_areas: Mapping[str, frozenset[str]]
    generation: Any = field(repr=False)

    def key(self, achievement_id: str) -> str:
        """The stacking key of a credential's achievement id (catalog entry id for published entries)."""
        return self.key_of_url.get(achievement_id, achievement_id)

    def name(self, key: str | None) -> str:
        if key is None:
            return ""
        return self.names.get(key, key)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _results(definition: Mapping[str, Any]) -> tuple[ResultSpec, ...]:
    out = []
    for raw in definition.get("resultDescription") or ():
        if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
            continue
        allowed = raw.get("allowedValue")
        out.append(
            ResultSpec(
                id=raw["id"],
                name=str(raw.get("name") or raw["id"]),
                value_min=_number(raw.get("valueMin")),
                value_max=_number(raw.get("valueMax")),
                allowed_values=tuple(str(v) for v in allowed) if isinstance(allowed, list) else (),
            )
        )
    return tuple(out)


def _alignment_urls(definition: Mapping[str, Any]) -> frozenset[str]:
    urls = set()
    for alignment in definition.get("alignment") or ():
        if isinstance(alignment, Mapping) and isinstance(alignment.get("targetUrl"), str):
            urls.add(alignment["targetUrl"])
    return frozenset(urls)


def _level(definition: Mapping[str, Any]) -> int | None:
    for url in _alignment_urls(definition):
        if url.startswith(_EQF) and url[len(_EQF) :].isdigit():
            return int(url[len(_EQF) :])
    return None


def _skill_areas(session: Session, skills: Iterable[str]) -> dict[str, frozenset[str]]:
    """Skill URI -> every skill group above it (transitively), from the taxonomy's broader relations."""
    parents: dict[str, set[str]] = {}
    frontier = set(skills)
    seen: set[str] = set()
    for _ in range(_MAX_DEPTH):
        frontier -= seen
        if not frontier:
            break
        seen |= frontier
        found: set[str] = set()
        batch = sorted(frontier)
        for start in range(0, len(batch), 500):
            query = sa.select(TaxonomySkillBroader.uri, TaxonomySkillBroader.broader_uri).where(
                TaxonomySkillBroader.uri.in_(batch[start : start + 500])
            )
            for uri, broader in session.execute(query):
                parents.setdefault(uri, set()).add(broader)
                found.add(broader)
        frontier = found
    areas: dict[str, frozenset[str]] = {}

    def above(uri: str, trail: frozenset[str]) -> set[str]:
        out: set[str] = set()
        for parent in parents.get(uri, ()):
            if parent not in trail:
                out.add(parent)
                out |= above(parent, trail | {parent})
        return out

    for uri in skills:
        areas[uri] = frozenset(above(uri, frozenset({uri})))
    return areas


class StackingContextBuilder:
    """Builds (and caches) the :class:`StackingContext` from the achievements, catalog and pathway tables."""

    def __init__(self, db: Database, base_url: str) -> None:
        self._db = db
        self._base = base_url.rstrip("/")
        self._lock = threading.Lock()
        self._cached: StackingContext | None = None

    def _generation(self, session: Session) -> Any:
        achievements = session.execute(
            sa.select(sa.func.count(), sa.func.max(Achievement.created_at)).select_from(Achievement)
        ).one()
        sources = session.execute(sa.select(CatalogSource.name, CatalogSource.version, CatalogSource.loaded_at)).all()
        pathways = session.execute(
            sa.select(sa.func.count(), sa.func.sum(PathwayRow.version), sa.func.max(PathwayRow.updated_at))
        ).one()
        return (tuple(achievements), tuple(sorted(tuple(r) for r in sources)), tuple(pathways))

    def context(self) -> StackingContext:
        """The current context (rebuilt only when something it reads has changed)."""
        with self._db.read() as session:
            generation = self._generation(session)
            cached = self._cached
            if cached is not None and cached.generation == generation:
                return cached
            with self._lock:
                context = self._build(session, generation)
                self._cached = context
                return context

    def invalidate(self) -> None:
        self._cached = None

    def _build(self, session: Session, generation: Any) -> StackingContext:
        dids = dict(session.execute(sa.select(Issuer.id, Issuer.did)).all())
        entry_rows = session.execute(
            sa.select(
                CatalogEntryRow.id,
                CatalogEntryRow.name,
                CatalogEntryRow.provider,
                CatalogEntryRow.eqf_level,
                CatalogEntryRow.ects,
                CatalogEntryRow.us_credits,
                CatalogEntryRow.effort_hours,
                CatalogEntryRow.price,
                CatalogEntryRow.currency,
                CatalogEntryRow.tags,
            )
        ).all()
        entry_skills: dict[str, set[str]] = {}
        for entry_id, uri in session.execute(sa.select(CatalogEntrySkill.entry_id, CatalogEntrySkill.skill_uri)):
            entry_skills.setdefault(entry_id, set()).add(uri)
        entry_ids = {row.id for row in entry_rows}
        key_of_url: dict[str, str] = {}
        published: dict[str, tuple[str, dict[str, Any]]] = {}  # entry id -> (issuer DID, definition)
        stored: dict[str, tuple[str, dict[str, Any]]] = {}  # achievement URL -> (issuer DID, definition)
        rows = session.execute(
            sa.select(Achievement.issuer_id, Achievement.definition).order_by(Achievement.created_at, Achievement.id)
        )
        for issuer_id, definition in rows:
            url = definition.get("id")
            if not isinstance(url, str):
                continue
            code = definition.get("humanCode")
            did = dids.get(issuer_id, "")
            if isinstance(code, str) and code in entry_ids:
                key_of_url[url] = code
                published[code] = (did, definition)
            else:
                stored[url] = (did, definition)
        all_skills = {uri for uris in entry_skills.values() for uri in uris}
        for _, definition in [*published.values(), *stored.values()]:
            all_skills |= {u for u in _alignment_urls(definition) if not u.startswith(_EQF)}
        areas = _skill_areas(session, all_skills)

        def areas_of(uris: Iterable[str]) -> frozenset[str]:
            return frozenset(a for uri in uris for a in areas.get(uri, ()))

        infos: list[AchievementInfo] = []
        names: dict[str, str] = {}
        entries: dict[str, EntryFacts] = {}
        for row in entry_rows:
            credits = row.ects or row.us_credits or 0.0
            rate = EUR_PER_UNIT.get(row.currency)
            price = None if row.price is None or rate is None else round(row.price * rate, 2)
            issuer, definition = published.get(row.id, (None, {}))
            skills = entry_skills.get(row.id, set())
            infos.append(
                AchievementInfo(
                    id=row.id,
                    name=row.name,
                    issuer_id=issuer or None,
                    credits=float(credits),
                    level=row.eqf_level,
                    alignments=frozenset(skills | ({f"{_EQF}{row.eqf_level}"} if row.eqf_level else set())),
                    skill_areas=areas_of(skills),
                    tags=frozenset(str(t) for t in row.tags or ()),
                    price=price,
                    hours=row.effort_hours,
                    results=_results(definition),
                )
            )
            names[row.id] = row.name
            entries[row.id] = EntryFacts(
                row.id, row.name, row.provider, row.price, row.currency, row.effort_hours, credits or None, bool(issuer)
            )
        for url, (did, definition) in stored.items():
            alignments = _alignment_urls(definition)
            infos.append(
                AchievementInfo(
                    id=url,
                    name=str(definition.get("name") or url),
                    issuer_id=did or None,
                    credits=_number(definition.get("creditsAvailable")) or 0.0,
                    level=_level(definition),
                    alignments=alignments,
                    skill_areas=areas_of(alignments),
                    tags=frozenset(str(t) for t in definition.get("tag") or ()),
                    results=_results(definition),
                )
            )
            names[url] = str(definition.get("name") or url)
        qualifications: dict[str, Qualification] = {}
        issuer_of: dict[str, int] = {}
        known = {info.id for info in infos}
        for pathway in session.scalars(sa.select(PathwayRow).order_by(PathwayRow.id)):
            qualification = Qualification.from_json(pathway.definition)
            qualifications[qualification.id] = qualification
            issuer_of[qualification.id] = pathway.issuer_id
            names[qualification.id] = qualification.name
            names[qualification.award_achievement_id] = qualification.name
            award = qualification.award_achievement_id
            if award not in known:
                known.add(award)
                infos.append(
                    AchievementInfo(
                        id=award,
                        name=qualification.name,
                        issuer_id=dids.get(pathway.issuer_id) or None,
                        credits=0.0,  # an award brings no credits of its own: its parts already did
                    )
                )
        catalog = Catalog.of(infos, qualifications.values())
        return StackingContext(
            catalog=catalog,
            qualifications=qualifications,
            issuer_of_pathway=issuer_of,
            key_of_url=key_of_url,
            names=names,
            entries=entries,
            award_ids=frozenset(q.award_achievement_id for q in qualifications.values()),
            skill_areas=areas,
            generation=generation,
        )


def fact_of(held: HeldCredential, context: StackingContext) -> CredentialFact | None:
    """The stacking fact for a held credential (None when it names no achievement or no date, e.g. a CLR)."""
    if not held.achievement_id or held.earned is None:
        return None
    key = context.key(held.achievement_id)
    urls = frozenset(
        a["targetUrl"] for a in held.alignments if isinstance(a, Mapping) and isinstance(a.get("targetUrl"), str)
    )
    achievement = held.achievement or {}
    names = {
        r["id"]: str(r.get("name"))
        for r in achievement.get("resultDescription") or ()
        if isinstance(r, Mapping) and isinstance(r.get("id"), str)
    }
    results = []
    for result in held.results:
        ref = result.get("resultDescription")
        value = result.get("value")
        if isinstance(ref, str) and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            results.append(ResultFact(ref, value, names.get(ref)))
    credits = 0.0 if key in context.award_ids else max(0.0, held.credits or 0.0)
    return CredentialFact(
        credential_id=held.credential_id,
        achievement_id=key,
        issuer_id=held.issuer_id or "",
        earned=held.earned,
        credits=credits,
        level=held.level,
        alignments=urls,
        skill_areas=frozenset(a for uri in urls for a in context.skill_areas.get(uri, ())),
        tags=frozenset(str(t) for t in achievement.get("tag") or ()),
        results=tuple(results),
        state=held.state,
        valid_until=held.valid_until,
    )


def facts_of(held: Iterable[HeldCredential], context: StackingContext) -> list[CredentialFact]:
    return [fact for fact in (fact_of(h, context) for h in held) if fact is not None]
