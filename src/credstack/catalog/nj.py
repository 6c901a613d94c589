"""The New Jersey Eligible Training Provider List (ETPL) as a catalog source: rows in, :class:`CatalogEntry` out.

Each programme keeps its real name, description, provider, total cost (USD), clock hours, college credits, credential
type, prerequisites and, where the state publishes them, outcomes (share employed and median quarterly wage four
quarters after exit, by provider and CIP code). Programmes link to occupations through their CIP code and the NCES
CIP 2020 → SOC 2018 crosswalk; the service maps SOC codes to O*NET and ESCO occupations and picks, among their
essential skills, those the programme text talks about (:func:`pick_skills`). The ETPL states no EQF level, so
none is invented.

What a programme leads to comes from the ETPL's lookups: the industry credential (``TBLINDUSTRYCREDENTIAL``: name,
code, issuer id, whether the state has since retired it) and the state licence (``TBLLICENSE``: name and O*NET-SOC
code). A licence's occupation is the most specific thing the ETPL says about a programme, so the service puts its
ESCO occupations first (:func:`licence_title_variants` gives the names tried when the state's O*NET code is one
O*NET no longer has).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credstack.catalog.model import CatalogEntry, SkillAlignment
from credstack.taxonomy.text import STOPWORDS, normalise, tokens

__all__ = [
    "CIP_2020_MOVED",
    "NJ_SOURCE",
    "IndustryCredential",
    "Licence",
    "LicenceOccupation",
    "NjProgramme",
    "cip_to_soc",
    "industry_credentials",
    "licence_title_variants",
    "licences",
    "outcomes_by_programme",
    "parse_programme",
    "pick_skills",
    "rank_socs",
    "to_entry",
]

NJ_SOURCE = "nj-etpl"
_TYPES = {
    "Certification": ("Certification", "proctored exam"),
    "CertificateOfCompletion": ("CertificateOfCompletion", "completion"),
    "License": ("License", "licensing exam"),
    "GeneralEducationDevelopment": ("GeneralEducationDevelopment", "proctored exam"),
}
_SUPPRESSED = "-99999"
#: CIP 2010 codes the ETPL still uses that CIP 2020 renumbered (NCES CIP 2020 "moved to" notes), so that the CIP 2020
#: crosswalk finds them: 15.0505 Solar Energy Technology/Technician became 15.1703 (same title, in the crosswalk).
CIP_2020_MOVED = {"15.0505": "15.1703"}
#: How much of a skill label (IDF-weighted) the programme text must contain for the skill to be aligned.
_MIN_SHARE = 0.5


def _clean(text: str) -> str:
    return " ".join(text.replace('"', " ").split()).strip()


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value >= 0 else None


def _cip(code: str) -> str:
    digits = "".join(ch for ch in code if ch.isdigit()).zfill(6)
    return f"{digits[:2]}.{digits[2:6]}"


@dataclass(frozen=True)
class NjProgramme:
    """One ETPL programme, cleaned (quotes and runs of spaces removed, numbers parsed)."""

    programme_id: str
    name: str
    description: str
    cip: str
    provider_id: str
    provider: str
    city: str
    total_cost: float | None
    clock_hours: float | None
    credits: float | None
    credential_type: str
    credential_names: tuple[str, ...]
    prerequisites: str
    distance_learning: bool
    hybrid: bool
    industry_credential_id: str = ""
    licence_id: str = ""


@dataclass(frozen=True)
class IndustryCredential:
    """An industry-recognised credential from the ETPL lookup (``retired``: the state flagged it deleted)."""

    id: str
    name: str
    code: str
    issuer_id: str
    retired: bool

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "code": self.code or None, "issuerId": self.issuer_id or None,
                "retired": self.retired}  # fmt: skip


@dataclass(frozen=True)
class Licence:
    """A New Jersey occupational licence from the ETPL lookup: its official name and O*NET-SOC code as given."""

    id: str
    name: str
    onet_code: str
    retired: bool

    @property
    def label(self) -> str:
        """The official upper-case name made readable, acronyms in brackets kept: "Licensed practical nurse (LPN)"."""
        parts = re.split(r"(\([^)]*\))", self.name)
        text = "".join(part if part.startswith("(") else part.lower() for part in parts)
        return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class LicenceOccupation:
    """Where a licence lands in O*NET 29.2: the code(s) used, their titles and how they were found (``code``: the
    state's code as given; ``code prefix``: its SOC part, the O*NET detail code being gone; ``name``: the licence's
    name is an O*NET title or alternate title, the state's code being unknown to O*NET 29.2)."""

    licence: Licence
    onet: tuple[tuple[str, str], ...]
    via: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.licence.label,
            "officialName": self.licence.name,
            "onetCode": self.licence.onet_code or None,
            "onet": [{"code": code, "title": title} for code, title in self.onet],
            "matchedBy": self.via,
            "retired": self.licence.retired,
        }


def parse_programme(row: Mapping[str, str]) -> NjProgramme:
    """A programme from one row of ``nj_etpl_programs.csv``."""
    provider = _clean(row.get("standardized_name_1") or row.get("name") or "")
    names = (row.get("industrycredentialname", ""), row.get("licenseawardedname", ""))
    return NjProgramme(
        programme_id=row["programid"].strip(),
        name=_clean(row.get("standardized_name") or row.get("officialname") or ""),
        description=_clean(row.get("standardized_description") or row.get("description") or ""),
        cip=_cip(row.get("cipcode", "")),
        provider_id=row.get("providerid", "").strip(),
        provider=provider or f"New Jersey ETPL provider {row.get('providerid', '').strip()}",
        city=_clean(row.get("city", "")),
        total_cost=_number(row.get("totalcost", "")),
        clock_hours=_number(row.get("totalclockhours", "")),
        credits=_number(row.get("credit", "")) or None,
        credential_type=row.get("credentialtype", "").strip(),
        credential_names=tuple(_clean(n) for n in names if _clean(n)),
        prerequisites=_clean(row.get("prerequisites", "")),
        distance_learning=row.get("distancelearning", "").strip() == "1",
        hybrid=row.get("mention_hybrid", "").strip() == "True",
        industry_credential_id=row.get("industrycredential", "").strip(),
        licence_id=row.get("licenseawarded", "").strip(),
    )


def _flag(row: Mapping[str, str], key: str) -> str:
    return (row.get(key) or "").strip()


def industry_credentials(rows: Iterable[Mapping[str, str]]) -> dict[str, IndustryCredential]:
    """Lookup id -> industry credential, from the rows of ``nj_etpl_industry_credentials.csv``."""
    out = {}
    for row in rows:
        key = row["ID"].strip()
        retired = _flag(row, "ISDELETED") == "1"
        out[key] = IndustryCredential(key, _clean(row["NAME"]), _flag(row, "CODE"), _flag(row, "ISSUERID"), retired)
    return out


def licences(rows: Iterable[Mapping[str, str]]) -> dict[str, Licence]:
    """Lookup id -> licence, from the rows of ``nj_etpl_licenses_onet.csv``."""
    out = {}
    for row in rows:
        key = row["ID"].strip()
        out[key] = Licence(key, _clean(row["NAME"]), _flag(row, "CODE"), _flag(row, "ISDELETED") == "1")
    return out


def licence_title_variants(licence: Licence) -> list[str]:
    """The normalised names to look a licence up by among O*NET titles and alternate titles: the name without its
    bracketed acronym, and each part of a hyphenated name ("HOMEMAKER-HOME HEALTH AIDE" -> "home health aide"),
    each also in the plural O*NET titles use ("home health aides")."""
    base = re.sub(r"\([^)]*\)", " ", licence.name)
    names = [base, *base.split("-")] if "-" in base else [base]
    out: list[str] = []
    for name in names:
        words = normalise(name)
        if words:
            out.extend((words, words + "s"))
    return list(dict.fromkeys(out))


def cip_to_soc(rows: Iterable[Mapping[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """CIP 2020 code (``51.3501``) -> [(SOC 2018 code, title)] from the NCES crosswalk rows."""
    out: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        soc = row["SOC2018Code"].strip()
        if soc and not soc.startswith("99-"):  # 99-9999: "no match"
            out.setdefault(_cip(row["CIP2020Code"]), []).append((soc, row["SOC2018Title"].strip()))
    return out


def outcomes_by_programme(rows: Iterable[Mapping[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(provider id, CIP code) -> published outcomes four quarters after exit (suppressed cells left out)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        found: dict[str, Any] = {}
        if row.get("PerEmployed4", _SUPPRESSED) != _SUPPRESSED:
            found["employedAfter4Quarters"] = float(row["PerEmployed4"])
        if row.get("AvgQuarterlyWage4", _SUPPRESSED) != _SUPPRESSED:
            found["averageQuarterlyWageUsd"] = float(row["AvgQuarterlyWage4"])
        if row.get("NumCompleted4", _SUPPRESSED) != _SUPPRESSED:
            found["completers"] = int(float(row["NumCompleted4"]))
        if found:
            out[(row["providerid"].strip(), _cip(row["cipcode"]))] = found
    return out


def _words(text: str) -> set[str]:
    return {t for t in tokens(text) if t not in STOPWORDS and len(t) > 2}


def rank_socs(programme: NjProgramme, socs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The crosswalk's SOC (code, title) pairs for a programme, those whose title words (crudely stemmed:
    "therapists" ~ "therapy") occur in the programme's name first, then in its description, then as given.

    The crosswalk maps nearly every CIP code to the postsecondary teachers who teach it (SOC 25-1xxx); those are
    dropped unless the programme is about teaching, or they would align a Photoshop course to "assess students"."""
    name, text = _stems(programme.name), _stems(programme.description)
    if not name & {"teachi", "teache", "instru", "educat"}:
        socs = [soc for soc in socs if not soc[0].startswith("25-1")]

    def key(item: tuple[int, tuple[str, str]]) -> tuple[int, int, int]:
        position, (_, title) = item
        words = _stems(title)
        return (-len(words & name), -len(words & text), position)

    return [soc for _, soc in sorted(enumerate(socs), key=key)]


_SUFFIXES = ("ings", "ing", "ions", "ion", "ists", "ist", "ies", "es", "ed", "s", "y", "e")


def _stem(word: str) -> str:
    """A crude stem: one common English suffix off (keeping four letters), then the first six letters, so that
    driving ~ drive, vehicles ~ vehicle, therapist ~ therapy, but technology !~ techniques."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:6]


def _stems(text: str) -> set[str]:
    return {_stem(w) for w in _words(text)}


def pick_skills(text: str, candidates: Sequence[tuple[str, str]], limit: int = 8) -> list[tuple[str, str]]:
    """Up to ``limit`` of ``candidates`` (URI, label) whose labels the programme ``text`` talks about: scored by the
    IDF-weighted share of each label's words (crudely stemmed) found in the text, IDF over the candidates' labels
    (so "massage" counts, "apply" hardly); a label must be at least half covered to be chosen."""
    words = _stems(text)
    unique = list(dict.fromkeys(candidates))
    stems = [_stems(label) for _, label in unique]
    df: dict[str, int] = {}
    for label_stems in stems:
        for stem in label_stems:
            df[stem] = df.get(stem, 0) + 1
    idf = {stem: math.log(1 + len(unique) / n) for stem, n in df.items()}
    scored = []
    for position, ((uri, label), label_stems) in enumerate(zip(unique, stems, strict=True)):
        total = sum(idf[s] for s in label_stems)
        found = sum(idf[s] for s in label_stems & words)
        if total and found / total >= _MIN_SHARE:
            scored.append((-found / total, position, uri, label))
    scored.sort()
    return [(uri, label) for _, _, uri, label in scored[:limit]]


def to_entry(
    programme: NjProgramme,
    *,
    skills: Sequence[tuple[str, str]] = (),
    occupations: Sequence[str] = (),
    soc_codes: Sequence[str] = (),
    outcome: Mapping[str, Any] | None = None,
    credential: IndustryCredential | None = None,
    licence: LicenceOccupation | None = None,
) -> CatalogEntry:
    """The catalog entry of a programme, aligned to ``skills`` (ESCO URI, label) at intermediate level. What it
    leads to (the industry ``credential`` and the ``licence`` from the ETPL lookups, else the names on the
    programme row) is named in the criteria and the tags (so a search for "CompTIA A+" finds it) and kept in
    ``extra`` (``industryCredentials``, ``licences``)."""
    achievement_type, assessment = _TYPES.get(programme.credential_type, ("Certificate", "completion"))
    delivery = "online" if programme.distance_learning else "hybrid" if programme.hybrid else "in-person"
    extra: dict[str, Any] = {"cip": programme.cip, "soc": list(soc_codes), "city": programme.city}
    if programme.prerequisites:
        extra["prerequisitesText"] = programme.prerequisites
    if outcome:
        extra["outcomes"] = dict(outcome)
    leads_to: list[str] = []
    if credential is not None:
        extra["industryCredentials"] = [credential.to_json()]
        leads_to.append(credential.name)
    if licence is not None:
        extra["licences"] = [licence.to_json()]
        leads_to.append(f"New Jersey licence: {licence.licence.label}")
    known = {normalise(name) for name in leads_to} | ({normalise(licence.licence.name)} if licence else set())
    leads_to += [name for name in programme.credential_names if normalise(name) not in known]
    description = programme.description or f"{programme.name} at {programme.provider} (New Jersey ETPL)."
    criteria = (
        "Complete the programme" if assessment == "completion" else f"Complete the programme and pass its {assessment}"
    )
    return CatalogEntry(
        id=f"nj-{programme.programme_id}",
        source=NJ_SOURCE,
        name=programme.name or f"Programme {programme.programme_id}",
        description=description,
        provider=programme.provider,
        skills=tuple(SkillAlignment(uri, label, 2) for uri, label in skills),
        achievement_type=achievement_type,
        criteria=criteria + (f", leading to: {'; '.join(leads_to)}." if leads_to else "."),
        us_credits=programme.credits,
        effort_hours=programme.clock_hours,
        price=programme.total_cost,
        currency="USD",
        delivery_format=delivery,
        language="en",
        assessment_method=assessment,
        tags=tuple(dict.fromkeys(["New Jersey ETPL", programme.credential_type, *leads_to])),
        occupations=tuple(occupations),
        extra=extra,
    )
