"""What the planning service reads and writes: skill claims, role profiles, the catalog as planner achievements,
skill kinds (for decay) and the occupation-skill index (for suggestions). I/O lives here; the decisions live in
:mod:`credstack.planner` and :mod:`credstack.services.planning`.
"""

from __future__ import annotations

import math
import re
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from credstack.errors import ConflictError, InvalidInputError, NotFoundError
from credstack.planner import Achievement, Catalog
from credstack.storage.catalog_tables import CatalogEntryRow, CatalogEntrySkill, CatalogSource
from credstack.storage.engine import Database
from credstack.storage.planner_tables import RoleProfileRow, RoleProfileSkillRow, SkillClaimRow
from credstack.storage.taxonomy_tables import (
    TaxonomyOccupation,
    TaxonomyOccupationSkill,
    TaxonomyOnetTechnologySkill,
    TaxonomySkill,
    TaxonomySkillBroader,
)
from credstack.taxonomy.text import normalise

__all__ = [
    "CatalogFacts",
    "PlannerData",
    "RoleProfile",
    "RoleSkill",
    "SkillClaim",
]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_ICT_KNOWLEDGE = "http://data.europa.eu/esco/isced-f/06"
_CLAIM_SOURCES = ("self", "assessment")


@dataclass(frozen=True)
class SkillClaim:
    learner: str
    skill_uri: str
    source: str
    level: float
    note: str
    claimed_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "learner": self.learner,
            "skill": self.skill_uri,
            "source": self.source,
            "level": self.level,
            "note": self.note,
            "claimedAt": self.claimed_at.isoformat(),
        }


@dataclass(frozen=True)
class RoleSkill:
    uri: str
    level: float
    weight: float

    def to_json(self) -> dict[str, Any]:
        return {"uri": self.uri, "level": self.level, "weight": self.weight}


@dataclass(frozen=True)
class RoleProfile:
    """An organisation's role: ``org_id`` is the organisation's own identifier (a plain string)."""

    id: str
    org_id: str
    name: str
    description: str
    skills: tuple[RoleSkill, ...]
    created_at: datetime
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "orgId": self.org_id,
            "name": self.name,
            "description": self.description,
            "skills": [s.to_json() for s in self.skills],
            "createdAt": self.created_at.isoformat(),
            "updatedAt": self.updated_at.isoformat(),
        }


@dataclass(frozen=True)
class CatalogFacts:
    """The catalog as the planner sees it: achievements (entries with known effort and price), entry facts the
    explanations show, and the entries left out (and why)."""

    catalog: Catalog
    names: Mapping[str, str]
    currency: Mapping[str, str]
    credits: Mapping[str, float]
    validity_months: Mapping[str, int]
    skill_prerequisites: Mapping[str, tuple[str, ...]]
    left_out: int


def _role_skills(skills: Sequence[Mapping[str, Any]]) -> list[RoleSkill]:
    out: list[RoleSkill] = []
    seen: set[str] = set()
    if not skills:
        raise InvalidInputError("a role profile needs at least one skill")
    for n, raw in enumerate(skills):
        if not isinstance(raw, Mapping):
            raise InvalidInputError(f"skills[{n}] must be an object with uri, level and weight")
        uri = str(raw.get("uri") or "").strip()
        if not uri.startswith("http://data.europa.eu/esco/skill/"):
            raise InvalidInputError(f"skills[{n}].uri must be an ESCO skill URI, got {uri!r}")
        if uri in seen:
            raise InvalidInputError(f"skills[{n}]: {uri} is listed twice")
        seen.add(uri)
        level, weight = raw.get("level", 3), raw.get("weight", 1)
        for what, value, low, high in (("level", level, 0, 4), ("weight", weight, 0, 1000)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise InvalidInputError(f"skills[{n}].{what} must be a number, got {value!r}")
            if not low < value <= high:
                raise InvalidInputError(f"skills[{n}].{what} must be in ({low}, {high}], got {value!r}")
        out.append(RoleSkill(uri, float(level), float(weight)))
    return out


class PlannerData:
    """Reads and writes for the planner; caches the catalog (per catalog generation) and taxonomy indexes."""

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock
        self._lock = threading.Lock()
        self._catalog: tuple[Any, CatalogFacts] | None = None
        self._broader: dict[str, list[str]] | None = None
        self._kinds: dict[str, str] = {}
        self._occupations: dict[str, list[tuple[str, str]]] | None = None
        self._hot: set[str] | None = None

    # -- skill claims --------------------------------------------------------------------------------------------

    def put_claim(self, learner: str, skill_uri: str, level: float, source: str, note: str) -> SkillClaim:
        if source not in _CLAIM_SOURCES:
            raise InvalidInputError(f"a claim's source is 'self' or 'assessment', got {source!r}")
        if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level <= 4:
            raise InvalidInputError(f"a skill level is a number in (0, 4], got {level!r}")
        now = self._clock()
        with self._db.write() as session:
            session.merge(
                SkillClaimRow(
                    learner=learner, skill_uri=skill_uri, source=source, level=float(level), note=note, claimed_at=now
                )
            )
        return SkillClaim(learner, skill_uri, source, float(level), note, now)

    def claims(self, learner: str) -> list[SkillClaim]:
        with self._db.read() as session:
            rows = session.scalars(
                sa.select(SkillClaimRow).where(SkillClaimRow.learner == learner).order_by(SkillClaimRow.skill_uri)
            )
            return [SkillClaim(r.learner, r.skill_uri, r.source, r.level, r.note, r.claimed_at) for r in rows]

    def delete_claim(self, learner: str, skill_uri: str, source: str) -> None:
        with self._db.write() as session:
            done = session.execute(
                sa.delete(SkillClaimRow).where(
                    SkillClaimRow.learner == learner,
                    SkillClaimRow.skill_uri == skill_uri,
                    SkillClaimRow.source == source,
                )
            )
            if not getattr(done, "rowcount", 0):
                raise NotFoundError(f"learner {learner!r} has no {source} claim for {skill_uri}")

    # -- role profiles -------------------------------------------------------------------------------------------

    def create_profile(
        self,
        org_id: str,
        name: str,
        skills: Sequence[Mapping[str, Any]],
        description: str = "",
        profile_id: str | None = None,
    ) -> RoleProfile:
        org_id, name = (org_id or "").strip(), (name or "").strip()
        if not org_id or len(org_id) > 200:
            raise InvalidInputError("a role profile needs an org_id of 1-200 characters")
        if not name or len(name) > 300:
            raise InvalidInputError("a role profile needs a name of 1-300 characters")
        pid = profile_id or uuid.uuid4().hex[:16]
        if not _ID.match(pid):
            raise InvalidInputError(f"a role profile id is 1-64 letters, digits, '_', '.' or '-', got {pid!r}")
        parsed = _role_skills(skills)
        now = self._clock()
        with self._db.write() as session:
            if session.get(RoleProfileRow, pid) is not None:
                raise ConflictError(f"role profile {pid!r} exists already")
            session.add(
                RoleProfileRow(
                    id=pid, org_id=org_id, name=name, description=description or "", created_at=now, updated_at=now
                )
            )
            session.flush()
            for n, s in enumerate(parsed):
                session.add(
                    RoleProfileSkillRow(profile_id=pid, skill_uri=s.uri, level=s.level, weight=s.weight, position=n)
                )
        return self.profile(pid)

    def update_profile(
        self,
        profile_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        skills: Sequence[Mapping[str, Any]] | None = None,
    ) -> RoleProfile:
        parsed = None if skills is None else _role_skills(skills)
        with self._db.write() as session:
            row = session.get(RoleProfileRow, profile_id)
            if row is None:
                raise NotFoundError(f"no role profile {profile_id!r}")
            if name is not None:
                if not name.strip() or len(name) > 300:
                    raise InvalidInputError("a role profile needs a name of 1-300 characters")
                row.name = name.strip()
            if description is not None:
                row.description = description
            if parsed is not None:
                session.execute(sa.delete(RoleProfileSkillRow).where(RoleProfileSkillRow.profile_id == profile_id))
                for n, s in enumerate(parsed):
                    session.add(
                        RoleProfileSkillRow(
                            profile_id=profile_id, skill_uri=s.uri, level=s.level, weight=s.weight, position=n
                        )
                    )
            row.updated_at = self._clock()
        return self.profile(profile_id)

    def delete_profile(self, profile_id: str) -> None:
        with self._db.write() as session:
            session.execute(sa.delete(RoleProfileSkillRow).where(RoleProfileSkillRow.profile_id == profile_id))
            done = session.execute(sa.delete(RoleProfileRow).where(RoleProfileRow.id == profile_id))
            if not getattr(done, "rowcount", 0):
                raise NotFoundError(f"no role profile {profile_id!r}")

    def profile(self, profile_id: str) -> RoleProfile:
        found = self.profiles(ids=[profile_id])
        if not found:
            raise NotFoundError(f"no role profile {profile_id!r} (`credstack plan` takes role:ID for one)")
        return found[0]

    def profiles(self, org_id: str | None = None, ids: Sequence[str] | None = None) -> list[RoleProfile]:
        query = sa.select(RoleProfileRow).order_by(RoleProfileRow.org_id, RoleProfileRow.name, RoleProfileRow.id)
        if org_id is not None:
            query = query.where(RoleProfileRow.org_id == org_id)
        if ids is not None:
            query = query.where(RoleProfileRow.id.in_(list(ids)))
        with self._db.read() as session:
            rows = list(session.scalars(query))
            skills: dict[str, list[RoleSkill]] = {}
            if rows:
                k = RoleProfileSkillRow
                for pid, uri, level, weight in session.execute(
                    sa.select(k.profile_id, k.skill_uri, k.level, k.weight)
                    .where(k.profile_id.in_([r.id for r in rows]))
                    .order_by(k.profile_id, k.position)
                ):
                    skills.setdefault(pid, []).append(RoleSkill(uri, level, weight))
            return [
                RoleProfile(
                    r.id, r.org_id, r.name, r.description, tuple(skills.get(r.id, ())), r.created_at, r.updated_at
                )
                for r in rows
            ]

    # -- catalog -------------------------------------------------------------------------------------------------

    def catalog(self) -> CatalogFacts:
        """The catalog's entries with known effort and price as planner achievements (cached per generation)."""
        with self._db.read() as session:
            generation = tuple(
                tuple(row)
                for row in session.execute(
                    sa.select(
                        CatalogSource.name, CatalogSource.version, CatalogSource.rows, CatalogSource.loaded_at
                    ).order_by(CatalogSource.name)
                )
            )
        cached = self._catalog
        if cached is not None and cached[0] == generation:
            return cached[1]
        with self._lock:
            facts = self._load_catalog()
            self._catalog = (generation, facts)
            return facts

    def _load_catalog(self) -> CatalogFacts:
        e, k = CatalogEntryRow, CatalogEntrySkill
        with self._db.read() as session:
            skills: dict[str, dict[str, float]] = {}
            for entry_id, uri, level in session.execute(sa.select(k.entry_id, k.skill_uri, k.level)):
                skills.setdefault(entry_id, {})[uri] = float(level)
            rows = session.execute(
                sa.select(
                    e.id, e.name, e.provider, e.effort_hours, e.ects, e.us_credits, e.price, e.currency,
                    e.delivery_format, e.language, e.validity_months, e.prerequisites,
                ).order_by(e.id)
            ).all()  # fmt: skip
        achievements, names, currency, credits, validity = [], {}, {}, {}, {}
        skill_prereqs: dict[str, tuple[str, ...]] = {}
        ids = {row.id for row in rows}
        left_out = 0
        for row in rows:
            hours = row.effort_hours
            if hours is None and row.ects:
                hours = row.ects * 25.0
            if hours is None or row.price is None or row.id not in skills:
                left_out += 1
                continue
            prereqs = [p["ref"] for p in row.prerequisites or () if p.get("kind") == "achievement"]
            if any(p not in ids for p in prereqs):
                left_out += 1
                continue
            needs = tuple(p["ref"] for p in row.prerequisites or () if p.get("kind") == "skill")
            if needs:
                skill_prereqs[row.id] = needs
            achievements.append(
                Achievement(
                    row.id,
                    skills[row.id],
                    float(hours),
                    float(row.price),
                    tuple(prereqs),
                    language=row.language,
                    format=row.delivery_format,
                    provider=row.provider,
                )
            )
            names[row.id] = row.name
            currency[row.id] = row.currency
            if row.ects or row.us_credits:
                credits[row.id] = float(row.ects or row.us_credits)
            if row.validity_months:
                validity[row.id] = int(row.validity_months)
        # entries whose prerequisites were left out go too (repeat until stable)
        while True:
            present = {a.id for a in achievements}
            keep = [a for a in achievements if all(p in present for p in a.prerequisites)]
            if len(keep) == len(achievements):
                break
            left_out += len(achievements) - len(keep)
            achievements = keep
        return CatalogFacts(Catalog.of(achievements), names, currency, credits, validity, skill_prereqs, left_out)

    # -- taxonomy ------------------------------------------------------------------------------------------------

    def skill_kinds(self, uris: Sequence[str]) -> dict[str, str]:
        """URI -> ``technology``, ``knowledge`` or ``transversal`` (module docs in docs/planner.md)."""
        wanted = [u for u in dict.fromkeys(uris) if u not in self._kinds]
        if wanted:
            broader = self._broader_map()
            hot = self._hot_technologies()
            facts: dict[str, tuple[str | None, str | None, str]] = {}
            with self._db.read() as session:
                s = TaxonomySkill
                for start in range(0, len(wanted), 500):
                    chunk = wanted[start : start + 500]
                    for uri, skill_type, reuse, label in session.execute(
                        sa.select(s.uri, s.skill_type, s.reuse_level, s.preferred_label).where(s.uri.in_(chunk))
                    ):
                        facts[uri] = (skill_type, reuse, label)
            for uri in wanted:
                skill_type, reuse, label = facts.get(uri, (None, None, ""))
                if reuse == "transversal":
                    kind = "transversal"
                elif normalise(label) in hot or self._under_ict(uri, broader):
                    kind = "technology"
                else:
                    kind = "knowledge"
                self._kinds[uri] = kind
        return {u: self._kinds[u] for u in uris}

    def _under_ict(self, uri: str, broader: Mapping[str, list[str]]) -> bool:
        seen, stack = set(), [uri]
        while stack:
            node = stack.pop()
            for parent in broader.get(node, ()):
                if parent.startswith(_ICT_KNOWLEDGE) or "#/S5" in parent:
                    return True
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return False

    def _broader_map(self) -> dict[str, list[str]]:
        if self._broader is None:
            out: dict[str, list[str]] = {}
            with self._db.read() as session:
                # skill groups carry codes; resolve group URIs to a recognisable form (ISCED-F URIs, S5 codes)
                codes = dict(
                    session.execute(
                        sa.select(TaxonomySkill.uri, TaxonomySkill.code).where(TaxonomySkill.kind == "group")
                    ).all()
                )
                for uri, parent in session.execute(
                    sa.select(TaxonomySkillBroader.uri, TaxonomySkillBroader.broader_uri)
                ):
                    code = codes.get(parent)
                    out.setdefault(uri, []).append(parent)
                    if code and code.startswith("S5"):
                        out[uri].append(f"{parent}#/{code}")
            self._broader = out
        return self._broader

    def _hot_technologies(self) -> set[str]:
        if self._hot is None:
            t = TaxonomyOnetTechnologySkill
            with self._db.read() as session:
                self._hot = {
                    normalise(x) for x in session.scalars(sa.select(t.example).where(t.hot.is_(True)).distinct())
                }
        return self._hot

    def occupation_index(self) -> dict[str, list[tuple[str, str]]]:
        """Occupation URI -> [(skill URI, essential|optional)] for every ESCO occupation (cached)."""
        if self._occupations is None:
            out: dict[str, list[tuple[str, str]]] = {}
            with self._db.read() as session:
                o = TaxonomyOccupationSkill
                for occ, skill, relation in session.execute(sa.select(o.occupation_uri, o.skill_uri, o.relation_type)):
                    out.setdefault(occ, []).append((skill, relation))
            self._occupations = out
        return self._occupations

    def occupation_labels(self, uris: Sequence[str]) -> dict[str, tuple[str, str, str | None]]:
        """Occupation URI -> (label, ESCO code, ISCO group)."""
        out: dict[str, tuple[str, str, str | None]] = {}
        o = TaxonomyOccupation
        with self._db.read() as session:
            for start in range(0, len(uris), 500):
                chunk = list(uris[start : start + 500])
                for uri, label, code, isco in session.execute(
                    sa.select(o.uri, o.preferred_label, o.code, o.isco_group).where(o.uri.in_(chunk))
                ):
                    out[uri] = (label, code, isco)
        return out
