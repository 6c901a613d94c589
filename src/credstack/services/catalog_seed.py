"""What ``credstack catalog seed`` reads from the taxonomy tables: the demo occupations with their essential skills,
and the NJ ETPL programmes mapped CIP → SOC → O*NET → ESCO occupation → essential skills.

SOC codes meet O*NET-SOC codes by prefix (``29-1141`` → ``29-1141.00``, ``.01`` …); O*NET titles and alternate
titles meet ESCO occupations by normalised preferred label (as ``TaxonomyService.show`` links them), falling back to
ESCO alternative labels. A programme leading to a state licence also gets the licence's O*NET occupation (the
lookup's code; its SOC part when O*NET 29.2 no longer has the detail code; the licence's name among O*NET titles
and alternate titles when it has neither), put before the CIP ones. Functions here take a session and return plain
values; the service writes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from credstack.catalog import nj
from credstack.catalog.demo import DEMO_OCCUPATIONS, DemoOccupation
from credstack.catalog.model import CatalogEntry
from credstack.catalog.source import read_rows
from credstack.storage.market_tables import MarketDemand
from credstack.storage.taxonomy_tables import (
    TaxonomyOccupation,
    TaxonomyOccupationSkill,
    TaxonomyOnetAlternateTitle,
    TaxonomyOnetOccupation,
    TaxonomySkill,
)
from credstack.taxonomy.text import normalise, split_labels

__all__ = ["MAX_ASKED", "MIN_ASKED", "demo_occupations", "nj_entries"]

_MAX_OCCUPATIONS_PER_PROGRAMME = 3
#: An optional skill of a demo occupation gets demo micro-credentials when at least this many postings ask for it
MIN_ASKED = 3
#: ... and at most this many of an occupation's optional skills do (the most asked)
MAX_ASKED = 8


def _essential_skills(
    session: Session, occupation_uris: Sequence[str], relation: str = "essential"
) -> dict[str, list[tuple[str, str]]]:
    os_, s = TaxonomyOccupationSkill, TaxonomySkill
    out: dict[str, list[tuple[str, str]]] = {uri: [] for uri in occupation_uris}
    if not occupation_uris:
        return out
    rows = session.execute(
        sa.select(os_.occupation_uri, s.uri, s.preferred_label)
        .join(s, s.uri == os_.skill_uri)
        .where(os_.occupation_uri.in_(list(occupation_uris)), os_.relation_type == relation, s.kind == "skill")
        .order_by(os_.occupation_uri, s.preferred_label)
    )
    for occupation_uri, uri, label in rows:
        out[occupation_uri].append((uri, label))
    return out


def _asked(session: Session, uris: Sequence[str]) -> dict[str, int]:
    """Skill URI -> ingested postings asking for it (all sources, months and occupations): empty without postings."""
    d = MarketDemand
    found: dict[str, int] = {}
    wanted = sorted(set(uris))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.execute(
            sa.select(d.skill_uri, sa.func.sum(d.postings)).where(d.skill_uri.in_(chunk)).group_by(d.skill_uri)
        )
        found.update({uri: int(n or 0) for uri, n in rows})
    return found


def demo_occupations(session: Session, labels: Sequence[str] = DEMO_OCCUPATIONS) -> list[DemoOccupation]:
    """The ESCO occupations named in ``labels`` that are loaded, with their essential skills, in ``labels`` order,
    and, when job postings have been ingested (``credstack market ingest``), the occupation's optional skills the
    postings ask for most (at least :data:`MIN_ASKED` postings, at most :data:`MAX_ASKED`, most asked first)."""
    o = TaxonomyOccupation
    rows = {
        row.preferred_label: row
        for row in session.scalars(sa.select(o).where(o.kind == "occupation", o.preferred_label.in_(list(labels))))
    }
    found = [rows[label] for label in labels if label in rows]
    uris = [row.uri for row in found]
    skills = _essential_skills(session, uris)
    optional = _essential_skills(session, uris, "optional")
    demand = _asked(session, [uri for pairs in optional.values() for uri, _ in pairs])
    out = []
    for row in found:
        if not skills[row.uri]:
            continue
        asked = [pair for pair in optional[row.uri] if demand.get(pair[0], 0) >= MIN_ASKED]
        asked.sort(key=lambda pair: (-demand[pair[0]], pair[1]))
        out.append(
            DemoOccupation(
                row.uri, row.preferred_label, row.isco_group or "", tuple(skills[row.uri]), tuple(asked[:MAX_ASKED])
            )
        )
    return out


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


def _licence_onet(session: Session, licence: nj.Licence) -> nj.LicenceOccupation:
    """Where ``licence`` lands in the loaded O*NET (see the module docstring); ``onet`` empty when nowhere."""
    on, alt = TaxonomyOnetOccupation, TaxonomyOnetAlternateTitle
    code = licence.onet_code
    if len(code) == 10:
        found = session.execute(sa.select(on.code, on.title).where(on.code == code)).all()
        if found:
            return nj.LicenceOccupation(licence, tuple((c, t) for c, t in found), "code")
        found = session.execute(
            sa.select(on.code, on.title).where(on.code.like(f"{code[:7]}.%")).order_by(on.code).limit(3)
        ).all()
        if found:
            return nj.LicenceOccupation(licence, tuple((c, t) for c, t in found), "code prefix")
    for title in nj.licence_title_variants(licence):
        codes = list(session.scalars(sa.select(on.code).where(on.title_norm == title).order_by(on.code)))
        codes += list(session.scalars(sa.select(alt.code).where(alt.title_norm == title).order_by(alt.code)))
        codes = list(dict.fromkeys(codes))[:3]
        if codes:
            titles = {c: t for c, t in session.execute(sa.select(on.code, on.title).where(on.code.in_(codes)))}
            return nj.LicenceOccupation(licence, tuple((c, titles.get(c, c)) for c in codes), "name")
    return nj.LicenceOccupation(licence, (), "")


def nj_entries(session: Session) -> tuple[list[CatalogEntry], int]:
    """The NJ ETPL programmes as catalog entries, and how many of them were aligned to ESCO skills."""
    programmes = [nj.parse_programme(row) for row in read_rows("nj_programmes")]
    crosswalk = nj.cip_to_soc(read_rows("cip_soc"))
    outcomes = nj.outcomes_by_programme(read_rows("nj_outcomes"))
    credentials = nj.industry_credentials(read_rows("nj_industry_credentials"))
    licences = nj.licences(read_rows("nj_licences"))
    licence_onet = {
        key: _licence_onet(session, licences[key])
        for key in sorted({p.licence_id for p in programmes if p.licence_id in licences})
    }
    licence_socs = {
        key: list(dict.fromkeys((code[:7], title) for code, title in found.onet)) for key, found in licence_onet.items()
    }
    socs = sorted(
        {soc for p in programmes for soc, _ in crosswalk.get(nj.CIP_2020_MOVED.get(p.cip, p.cip), [])}
        | {soc for pairs in licence_socs.values() for soc, _ in pairs}
    )
    esco = _soc_to_esco(session, socs)
    occupation_uris = sorted({uri for uris in esco.values() for uri in uris})
    skills = _essential_skills(session, occupation_uris)
    optional = _essential_skills(session, occupation_uris, "optional")
    entries: list[CatalogEntry] = []
    aligned = 0
    for programme in programmes:
        # the licence's occupations before the CIP code's, then ranked by how much the programme's name says of them
        cip_socs = crosswalk.get(nj.CIP_2020_MOVED.get(programme.cip, programme.cip), [])
        socs_titled = nj.rank_socs(programme, [*licence_socs.get(programme.licence_id, []), *cip_socs])
        soc_codes = list(dict.fromkeys(soc for soc, _ in socs_titled))
        occupations = list(dict.fromkeys(uri for soc in soc_codes for uri in esco.get(soc, [])))
        occupations = occupations[:_MAX_OCCUPATIONS_PER_PROGRAMME]
        licensed = [uri for soc, _ in licence_socs.get(programme.licence_id, []) for uri in esco.get(soc, [])]
        if licensed and not set(licensed) & set(occupations):
            occupations.append(licensed[0])  # the licence's occupation always counts
        candidates = [skill for uri in occupations for skill in skills.get(uri, [])]
        candidates += [skill for uri in occupations for skill in optional.get(uri, [])]
        licence = licence_onet.get(programme.licence_id)
        credential = credentials.get(programme.industry_credential_id)
        text = " ".join(
            [
                programme.name,
                programme.description,
                *programme.credential_names,
                licence.licence.label if licence else "",
            ]
        )
        chosen = nj.pick_skills(text, candidates) if candidates else []
        aligned += bool(chosen)
        entries.append(
            nj.to_entry(
                programme,
                skills=chosen,
                occupations=occupations,
                soc_codes=soc_codes,
                outcome=outcomes.get((programme.provider_id, programme.cip)),
                credential=credential,
                licence=licence,
            )
        )
    return entries, aligned
