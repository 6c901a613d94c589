"""What ``credstack catalog seed`` reads from the taxonomy tables: the demo occupations with their essential skills,
and the NJ ETPL programmes mapped CIP → SOC → O*NET → ESCO occupation → essential skills.

SOC codes meet O*NET-SOC codes by prefix (``29-1141`` → ``29-1141.00``, ``.01`` …); O*NET titles and alternate
titles meet ESCO occupations by normalised preferred label (as ``TaxonomyService.show`` links them), falling back to
ESCO alternative labels. Functions here take a session and return plain values; the service writes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from credstack.catalog import nj
from credstack.catalog.demo import DEMO_OCCUPATIONS, DemoOccupation
from credstack.catalog.model import CatalogEntry
from credstack.catalog.source import read_rows
from credstack.storage.taxonomy_tables import (
    TaxonomyOccupation,
    TaxonomyOccupationSkill,
    TaxonomyOnetAlternateTitle,
    TaxonomyOnetOccupation,
    TaxonomySkill,
)
from credstack.taxonomy.text import normalise, split_labels

__all__ = ["demo_occupations", "nj_entries"]

_MAX_OCCUPATIONS_PER_PROGRAMME = 3


def _essential_skills(session: Session, occupation_uris: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    os_, s = TaxonomyOccupationSkill, TaxonomySkill
    out: dict[str, list[tuple[str, str]]] = {uri: [] for uri in occupation_uris}
    if not occupation_uris:
        return out
    rows = session.execute(
        sa.select(os_.occupation_uri, s.uri, s.preferred_label)
        .join(s, s.uri == os_.skill_uri)
        .where(os_.occupation_uri.in_(list(occupation_uris)), os_.relation_type == "essential", s.kind == "skill")
        .order_by(os_.occupation_uri, s.preferred_label)
    )
    for occupation_uri, uri, label in rows:
        out[occupation_uri].append((uri, label))
    return out


def demo_occupations(session: Session, labels: Sequence[str] = DEMO_OCCUPATIONS) -> list[DemoOccupation]:
    """The ESCO occupations named in ``labels`` that are loaded, with their essential skills, in ``labels`` order."""
    o = TaxonomyOccupation
    rows = {
        row.preferred_label: row
        for row in session.scalars(sa.select(o).where(o.kind == "occupation", o.preferred_label.in_(list(labels))))
    }
    found = [rows[label] for label in labels if label in rows]
    skills = _essential_skills(session, [row.uri for row in found])
    return [
        DemoOccupation(row.uri, row.preferred_label, row.isco_group or "", tuple(skills[row.uri]))
        for row in found
        if skills[row.uri]
    ]


def _esco_by_label(session: Session) -> tuple[dict[str, str], dict[str, str]]:
    preferred: dict[str, str] = {}
    alternative: dict[str, str] = {}
    o = TaxonomyOccupation
    for uri, label, alt in session.execute(
        sa.select(o.uri, o.preferred_label, o.alt_labels).where(o.kind == "occupation").order_by(o.uri)
    ):
        preferred.setdefault(normalise(label), uri)
        for other in split_labels(alt):
            alternative.setdefault(normalise(other), uri)
    return preferred, alternative


def _soc_to_esco(session: Session, socs: Sequence[str]) -> dict[str, list[str]]:
    """SOC 2018 code -> ESCO occupation URIs sharing a title with one of its O*NET occupations."""
    on, alt = TaxonomyOnetOccupation, TaxonomyOnetAlternateTitle
    preferred, alternative = _esco_by_label(session)
    out: dict[str, list[str]] = {}
    for soc in socs:
        like = f"{soc}.%"
        titles = list(session.scalars(sa.select(on.title_norm).where(on.code.like(like)).order_by(on.code)))
        titles += list(session.scalars(sa.select(alt.title_norm).where(alt.code.like(like)).order_by(alt.id)))
        found: dict[str, None] = {}
        for table in (preferred, alternative):
            for title in titles:
                if title in table:
                    found.setdefault(table[title], None)
        out[soc] = list(found)
    return out


def nj_entries(session: Session) -> tuple[list[CatalogEntry], int]:
    """The NJ ETPL programmes as catalog entries, and how many of them were aligned to ESCO skills."""
    programmes = [nj.parse_programme(row) for row in read_rows("nj_programmes")]
    crosswalk = nj.cip_to_soc(read_rows("cip_soc"))
    outcomes = nj.outcomes_by_programme(read_rows("nj_outcomes"))
    socs = sorted({soc for p in programmes for soc, _ in crosswalk.get(p.cip, [])})
    esco = _soc_to_esco(session, socs)
    occupation_uris = sorted({uri for uris in esco.values() for uri in uris})
    skills = _essential_skills(session, occupation_uris)
    entries: list[CatalogEntry] = []
    aligned = 0
    for programme in programmes:
        socs_titled = nj.rank_socs(programme, crosswalk.get(programme.cip, []))
        soc_codes = [soc for soc, _ in socs_titled]
        occupations = list(dict.fromkeys(uri for soc in soc_codes for uri in esco.get(soc, [])))
        occupations = occupations[:_MAX_OCCUPATIONS_PER_PROGRAMME]
        candidates = [skill for uri in occupations for skill in skills.get(uri, [])]
        chosen = nj.pick_skills(f"{programme.name} {programme.description}", candidates) if candidates else []
        aligned += bool(chosen)
        entries.append(
            nj.to_entry(
                programme,
                skills=chosen,
                occupations=occupations,
                soc_codes=soc_codes,
                outcome=outcomes.get((programme.provider_id, programme.cip)),
            )
        )
    return entries, aligned
