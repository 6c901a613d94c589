"""The skills taxonomy service: load the shipped ESCO v1.1.1 and O*NET 29.2 data, search it, show a concept.

``show`` (and the API and web pages) accept a concept by full URI, by the URI's last segment (the ``id`` every
result carries), by ESCO occupation code (``2512.4``), ISCO-08 code (``2512``), skill group code (``S1.2``), or by
O*NET-SOC code (``15-1252.00``; ``15-1252`` means ``.00``). Records crossing this boundary are the frozen
dataclasses of :mod:`credstack.services.taxonomy_records`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from credstack.errors import InvalidInputError, NotFoundError, TaxonomyNotLoadedError
from credstack.services import taxonomy_load
from credstack.services.taxonomy_records import (
    ConceptLink,
    LoadReport,
    OccupationDetail,
    OnetOccupationDetail,
    OnetTask,
    OnetTechnology,
    SearchHit,
    SkillDetail,
    TableLoad,
)
from credstack.services.taxonomy_search import TaxonomySearch
from credstack.storage.engine import Database
from credstack.storage.taxonomy_tables import (
    TaxonomyOccupation,
    TaxonomyOccupationBroader,
    TaxonomyOccupationSkill,
    TaxonomyOnetAlternateTitle,
    TaxonomyOnetOccupation,
    TaxonomyOnetTask,
    TaxonomyOnetTechnologySkill,
    TaxonomySkill,
    TaxonomySkillBroader,
    TaxonomySkillRelation,
)
from credstack.taxonomy import source
from credstack.taxonomy.text import normalise, split_labels

__all__ = ["Concept", "TaxonomyService"]

Concept = SkillDetail | OccupationDetail | OnetOccupationDetail
_SOC = re.compile(r"\d{2}-\d{4}(\.\d{2})?")
_MAX_REF = 300
_SKILL_KINDS = {"skill": "skill", "group": "group"}


class TaxonomyService:
    """Load, search and show the skills taxonomy."""

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock
        self._search = TaxonomySearch(db)

    # -- loading -------------------------------------------------------------------------------------------------

    def load(
        self,
        *,
        progress: taxonomy_load.Progress | None = None,
        force: bool = False,
        only: Collection[str] | None = None,
    ) -> LoadReport:
        """Load every shipped dataset (or those named in ``only``, see ``DATASETS``) not yet in the database;
        ``force`` loads them again. Idempotent: a second run changes nothing and reports every table unchanged."""
        started = time.perf_counter()
        loaded = taxonomy_load.load_all(self._db, self._clock, progress, force=force, only=only)
        tables = [
            TableLoad(name, table, rows, action, round(seconds, 3)) for name, table, rows, action, seconds in loaded
        ]
        dangling = taxonomy_load.dangling_relations(self._db)
        return LoadReport(tables, round(time.perf_counter() - started, 3), dangling)

    def counts(self) -> dict[str, int]:
        """Rows per dataset as loaded (empty before the first load)."""
        return taxonomy_load.loaded_counts(self._db)

    def datasets(self) -> dict[str, int]:
        """Rows per dataset as shipped in the package (what a load will hold)."""
        return {name: d.rows for name, d in source.datasets().items()}

    def attribution(self) -> str:
        """The ESCO and O*NET attribution, to show wherever the taxonomy is used (README, about page)."""
        return source.ATTRIBUTION

    # -- search --------------------------------------------------------------------------------------------------

    def search(self, text: str, *, kind: str | None = None, limit: int = 10) -> list[SearchHit]:
        """Skills and/or occupations (ESCO and O*NET) ranked by label match, alternative labels and typos."""
        return self._search.search(text, kind=kind, limit=limit)

    # -- show ----------------------------------------------------------------------------------------------------

    def show(self, ref: str) -> Concept:
        """The skill, skill group, occupation, ISCO group or O*NET occupation ``ref`` names, with its relations."""
        ref = self._clean(ref)
        with self._db.read() as session:
            if _SOC.fullmatch(ref):
                return self._onet(session, ref if "." in ref else f"{ref}.00")
            skill = session.scalars(
                sa.select(TaxonomySkill).where(sa.or_(TaxonomySkill.uri == ref, TaxonomySkill.key == ref))
            ).first()
            if skill is not None and skill.kind == "skill":
                return self._skill(session, skill)
            occupation = session.scalars(
                sa.select(TaxonomyOccupation)
                .where(
                    sa.or_(TaxonomyOccupation.uri == ref, TaxonomyOccupation.key == ref, TaxonomyOccupation.code == ref)
                )
                .order_by(TaxonomyOccupation.kind.desc())
            ).first()
            if occupation is not None:
                return self._occupation(session, occupation)
            if skill is None:
                skill = session.scalars(sa.select(TaxonomySkill).where(TaxonomySkill.code == ref)).first()
            if skill is not None:
                return self._skill(session, skill)
        raise NotFoundError(
            f"no skill or occupation {ref!r} in the taxonomy: give an ESCO URI or its last segment, an ESCO or "
            "ISCO code, a skill group code, or an O*NET-SOC code such as 15-1252.00 (`credstack taxonomy search` "
            "finds them)"
        )

    def skill(self, ref: str) -> SkillDetail:
        """Like :meth:`show`, for a skill or skill group only."""
        found = self.show(ref)
        if not isinstance(found, SkillDetail):
            raise NotFoundError(f"{ref!r} is an occupation, not a skill")
        return found

    def occupation(self, ref: str) -> OccupationDetail | OnetOccupationDetail:
        """Like :meth:`show`, for an ESCO occupation, ISCO group or O*NET occupation only."""
        found = self.show(ref)
        if isinstance(found, SkillDetail):
            raise NotFoundError(f"{ref!r} is a skill, not an occupation")
        return found

    def links(self, refs: Iterable[str]) -> dict[str, ConceptLink]:
        """Batch look-up of ESCO concepts by URI or ``id`` (no relations): ``{ref: ConceptLink}`` for those found.

        For callers that hold many references at once (a catalog's skill alignments, an occupation's skills), so
        one query replaces one ``show`` per reference. Unknown references are simply absent from the result."""
        wanted = sorted({r.strip() for r in refs if r and r.strip()})
        if not wanted:
            return {}
        if not self._search.version():
            raise TaxonomyNotLoadedError("the skills taxonomy is not loaded: run `credstack taxonomy load`")
        found: dict[str, ConceptLink] = {}
        s, o = TaxonomySkill, TaxonomyOccupation
        with self._db.read() as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                for skill in session.scalars(sa.select(s).where(sa.or_(s.uri.in_(chunk), s.key.in_(chunk)))):
                    link = _skill_link(skill.uri, skill, None)
                    for ref in (skill.uri, skill.key):
                        if ref in chunk:
                            found[ref] = link
                for occupation in session.scalars(sa.select(o).where(sa.or_(o.uri.in_(chunk), o.key.in_(chunk)))):
                    link = _occupation_link(occupation.uri, occupation)
                    for ref in (occupation.uri, occupation.key):
                        if ref in chunk:
                            found[ref] = link
        return found

    def _clean(self, ref: str) -> str:
        ref = (ref or "").strip()
        if not ref:
            raise InvalidInputError("give a skill or occupation: a URI, an id from search, or a code")
        if len(ref) > _MAX_REF:
            raise InvalidInputError(f"a taxonomy reference is at most {_MAX_REF} characters")
        if not self._search.version():
            raise TaxonomyNotLoadedError("the skills taxonomy is not loaded: run `credstack taxonomy load`")
        return ref

    def _skill(self, session: Session, row: TaxonomySkill) -> SkillDetail:
        s, b, rel, os_, o = (
            TaxonomySkill, TaxonomySkillBroader, TaxonomySkillRelation, TaxonomyOccupationSkill, TaxonomyOccupation
        )  # fmt: skip

        def skill_links(query: Any) -> list[ConceptLink]:
            pairs: list[tuple[str, str | None]] = [(row[0], row[1]) for row in session.execute(query)]
            uris = [uri for uri, _ in pairs]
            found = {x.uri: x for x in session.scalars(sa.select(s).where(s.uri.in_(uris)))} if uris else {}
            return sorted((_skill_link(uri, found.get(uri), relation) for uri, relation in pairs), key=_by_label)

        broader = skill_links(sa.select(b.broader_uri, sa.null()).where(b.uri == row.uri))
        narrower = skill_links(sa.select(b.uri, sa.null()).where(b.broader_uri == row.uri))
        related = skill_links(sa.select(rel.related_uri, rel.relation_type).where(rel.skill_uri == row.uri))
        related += skill_links(
            sa.select(rel.skill_uri, "is_" + rel.relation_type + "_to").where(rel.related_uri == row.uri)
        )
        needed = session.execute(
            sa.select(os_.relation_type, o.key, o.uri, o.preferred_label)
            .join(o, o.uri == os_.occupation_uri)
            .where(os_.skill_uri == row.uri)
            .order_by(o.preferred_label)
        ).all()
        return SkillDetail(
            kind=row.kind,
            id=row.key,
            uri=row.uri,
            code=row.code,
            preferred_label=row.preferred_label,
            alt_labels=list(split_labels(row.alt_labels)),
            hidden_labels=list(split_labels(row.hidden_labels)),
            description=row.description,
            scope_note=row.scope_note,
            skill_type=row.skill_type,
            reuse_level=row.reuse_level,
            broader=broader,
            narrower=narrower,
            related=related,
            essential_for=[ConceptLink("occupation", k, u, lab, t) for t, k, u, lab in needed if t == "essential"],
            optional_for=[ConceptLink("occupation", k, u, lab, t) for t, k, u, lab in needed if t == "optional"],
        )

    def _occupation(self, session: Session, row: TaxonomyOccupation) -> OccupationDetail:
        o, b, os_, s = TaxonomyOccupation, TaxonomyOccupationBroader, TaxonomyOccupationSkill, TaxonomySkill

        def occupation_links(uris: list[str]) -> list[ConceptLink]:
            found = {x.uri: x for x in session.scalars(sa.select(o).where(o.uri.in_(uris)))} if uris else {}
            return sorted((_occupation_link(u, found.get(u)) for u in uris), key=_by_label)

        broader = occupation_links(list(session.scalars(sa.select(b.broader_uri).where(b.uri == row.uri))))
        narrower = occupation_links(list(session.scalars(sa.select(b.uri).where(b.broader_uri == row.uri))))
        isco = None
        if row.isco_group:
            group = session.scalars(sa.select(o).where(o.kind == "isco", o.code == row.isco_group)).first()
            isco = _occupation_link(group.uri, group) if group else None
        needs = session.execute(
            sa.select(os_.relation_type, os_.skill_uri, s)
            .outerjoin(s, s.uri == os_.skill_uri)
            .where(os_.occupation_uri == row.uri)
        ).all()
        skills = sorted((_skill_link(uri, target, t) for t, uri, target in needs), key=_by_label)
        onet: list[ConceptLink] = []
        if row.kind == "occupation":
            label = normalise(row.preferred_label)
            on, alt = TaxonomyOnetOccupation, TaxonomyOnetAlternateTitle
            codes = set(session.scalars(sa.select(on.code).where(on.title_norm == label)))
            codes |= set(session.scalars(sa.select(alt.code).where(alt.title_norm == label)))
            if codes:
                for code, title in session.execute(sa.select(on.code, on.title).where(on.code.in_(codes))):
                    onet.append(ConceptLink("onet", code, None, title, "same title"))
                onet.sort(key=lambda link: link.id)
        return OccupationDetail(
            kind=row.kind,
            id=row.key,
            uri=row.uri,
            code=row.code,
            isco_group=isco,
            preferred_label=row.preferred_label,
            alt_labels=list(split_labels(row.alt_labels)),
            description=row.description,
            broader=broader,
            narrower=narrower,
            essential_skills=[link for link in skills if link.relation == "essential"],
            optional_skills=[link for link in skills if link.relation == "optional"],
            onet=onet,
        )

    def _onet(self, session: Session, code: str) -> OnetOccupationDetail:
        row = session.get(TaxonomyOnetOccupation, code)
        if row is None:
            raise NotFoundError(f"no O*NET-SOC occupation {code!r} in O*NET 29.2 (codes look like 15-1252.00)")
        t, alt, task = TaxonomyOnetTechnologySkill, TaxonomyOnetAlternateTitle, TaxonomyOnetTask
        tech = session.scalars(
            sa.select(t).where(t.code == code).order_by(t.hot.desc(), t.in_demand.desc(), t.example, t.id)
        ).all()
        titles = session.execute(sa.select(alt.title, alt.title_norm).where(alt.code == code).order_by(alt.title)).all()
        tasks = session.scalars(sa.select(task).where(task.code == code).order_by(task.task_id)).all()
        names = {row.title_norm} | {norm for _, norm in titles}
        o = TaxonomyOccupation
        esco = [
            ConceptLink("occupation", key, uri, label, "same title")
            for key, uri, label in session.execute(
                sa.select(o.key, o.uri, o.preferred_label).where(o.kind == "occupation").order_by(o.preferred_label)
            )
            if normalise(label) in names
        ]
        order = {"Core": 0, "Supplemental": 1}
        return OnetOccupationDetail(
            kind="onet",
            id=row.code,
            code=row.code,
            title=row.title,
            description=row.description,
            technology_skills=[
                OnetTechnology(x.example, x.commodity_code, x.commodity_title, x.hot, x.in_demand) for x in tech
            ],
            alternate_titles=[title for title, _ in titles],
            tasks=sorted(
                (OnetTask(x.task_id, x.task, x.task_type) for x in tasks),
                key=lambda x: (order.get(x.task_type or "", 2), x.task_id),
            ),
            esco=esco,
        )


def _by_label(link: ConceptLink) -> tuple[bool, str]:
    return (link.label is None, (link.label or link.id).casefold())


def _skill_link(uri: str, row: TaxonomySkill | None, relation: str | None) -> ConceptLink:
    if row is None:
        return ConceptLink("skill", uri.rsplit("/", 1)[-1], uri, None, relation)
    return ConceptLink(_SKILL_KINDS[row.kind], row.key, row.uri, row.preferred_label, relation)


def _occupation_link(uri: str, row: TaxonomyOccupation | None) -> ConceptLink:
    if row is None:
        return ConceptLink("occupation", uri.rsplit("/", 1)[-1], uri, None)
    return ConceptLink(row.kind, row.key, row.uri, row.preferred_label)
