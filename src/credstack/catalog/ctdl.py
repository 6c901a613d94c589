"""CTDL (Credential Engine's Credential Transparency Description Language) JSON-LD export and import of catalog
entries. The export uses the registry's compact ``ceterms:`` form with the context URL
:data:`CTDL_CONTEXT` (a name for processors; nothing is fetched, by us or for us).

An entry becomes a credential class chosen by its ``achievementType`` (``ceterms:MicroCredential``,
``ceterms:Certificate``, ``ceterms:Certification``, ``ceterms:License``, ...; ``ceterms:Credential`` otherwise) with:
``ceterms:ctid`` (``ce-`` + a UUID 5 of the entry's URL: stable across exports), ``ceterms:name`` and
``ceterms:description`` (language maps), ``ceterms:identifier`` (the catalog id), ``ceterms:subjectWebpage``,
``ceterms:inLanguage``, ``ceterms:ownedBy`` (a ``ceterms:CredentialOrganization``), ``ceterms:requires`` (a
``ceterms:ConditionProfile`` whose ``ceterms:targetCompetency`` lists the ESCO skills as
``ceterms:CredentialAlignmentObject`` with the target proficiency in ``ceterms:targetNodeDescription``; a second
one, "Prerequisites", with ``ceterms:targetCredential`` and prerequisite skills), ``ceterms:creditValue``
(``ceterms:ValueProfile``: ``schema:value`` and ``ceterms:creditUnitType``, ``creditUnit:SemesterHour`` for US
credit hours, ``creditUnit:DegreeCredit`` described as ECTS for ECTS), ``ceterms:estimatedDuration``
(``ceterms:DurationProfile``, ``ceterms:exactDuration`` ISO 8601), ``ceterms:estimatedCost``
(``ceterms:CostProfile``: price, currency), ``ceterms:learningDeliveryType``, ``ceterms:assessmentMethodType``,
``ceterms:renewalFrequency`` (validity), ``ceterms:keyword`` (tags) and ``ceterms:occupationType`` (ESCO
occupations). What CTDL has no term for (EQF level, the exact format and assessment method, NJ outcomes) travels in
the catalog extension member (:mod:`credstack.catalog._exchange`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from credstack.catalog._exchange import EXTENSION, catalog_fields, entry_kwargs, extension_of, safe_id, text_of
from credstack.catalog.model import PROFICIENCY_LEVELS, CatalogEntry, Prerequisite, SkillAlignment
from credstack.errors import InvalidInputError

__all__ = ["CTDL_CONTEXT", "ctid", "entries_from_ctdl", "from_ctdl", "iso_hours", "parse_hours", "to_ctdl"]

CTDL_CONTEXT = "https://credreg.net/ctdl/schema/context/json"
ESCO_FRAMEWORK = "http://data.europa.eu/esco/model"
_CLASSES = {
    "MicroCredential": "ceterms:MicroCredential",
    "Certificate": "ceterms:Certificate",
    "Certification": "ceterms:Certification",
    "CertificateOfCompletion": "ceterms:CertificateOfCompletion",
    "License": "ceterms:License",
    "GeneralEducationDevelopment": "ceterms:GeneralEducationDevelopment",
    "Badge": "ceterms:Badge",
    "Diploma": "ceterms:Diploma",
    "Degree": "ceterms:Degree",
    "ApprenticeshipCertificate": "ceterms:ApprenticeshipCertificate",
}
_TYPES = {cls: kind for kind, cls in _CLASSES.items()}
_DELIVERY = {
    "online": "deliveryType:OnlineOnly",
    "in-person": "deliveryType:InPerson",
    "hybrid": "deliveryType:BlendedDelivery",
    "self-paced": "deliveryType:OnlineOnly",
}
_DELIVERY_BACK = {"deliveryType:OnlineOnly": "online", "deliveryType:InPerson": "in-person"}
_DELIVERY_BACK["deliveryType:BlendedDelivery"] = "hybrid"
_ASSESSMENT = {
    "proctored exam": "assessMethod:Exam",
    "licensing exam": "assessMethod:Exam",
    "oral examination": "assessMethod:Exam",
    "practical project with rubric": "assessMethod:Performance",
    "workplace observation": "assessMethod:Performance",
    "portfolio review": "assessMethod:Artifact",
}
_ASSESSMENT_BACK = {"assessMethod:Exam": "proctored exam", "assessMethod:Performance": "practical project with rubric"}
_ASSESSMENT_BACK["assessMethod:Artifact"] = "portfolio review"
_COST_TYPES = "https://credreg.net/ctdl/terms/CostType"
_ECTS = "ECTS credits (European Credit Transfer and Accumulation System)"
_LEVELS = {name: level for level, name in PROFICIENCY_LEVELS.items()}
#: What CTDL cannot say exactly: kept in the extension member.
_CATALOG_ONLY = ("achievement_type", "criteria", "eqf_level", "delivery_format", "assessment_method", "extra")
_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?)?$")


def ctid(iri: str) -> str:
    """A stable CTID for a resource: ``ce-`` and the UUID 5 of its IRI."""
    return f"ce-{uuid.uuid5(uuid.NAMESPACE_URL, iri)}"


def iso_hours(hours: float) -> str:
    """Hours as an ISO 8601 duration: 27.5 -> ``PT27H30M``."""
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    return f"PT{whole}H{rest}M" if rest else f"PT{whole}H"


def parse_hours(duration: str) -> float | None:
    """Hours from an ISO 8601 duration of days, hours and minutes (``P2DT3H``, ``PT27H30M``); None if not one."""
    match = _DURATION.match(duration or "")
    if not match or not any(match.groups()):
        return None
    days, hours, minutes = (float(g) if g else 0.0 for g in match.groups())
    return round(days * 24 + hours + minutes / 60, 4)


def _lang(language: str, text: str) -> dict[str, str]:
    return {language: text}


def _concept(framework: str, node: str) -> dict[str, Any]:
    return {"@type": "ceterms:CredentialAlignmentObject", "ceterms:framework": framework, "ceterms:targetNode": node}


def _skill(skill: SkillAlignment, language: str) -> dict[str, Any]:
    return {
        **_concept(ESCO_FRAMEWORK, skill.uri),
        "ceterms:frameworkName": _lang(language, "ESCO"),
        "ceterms:targetNodeName": _lang(language, skill.label),
        "ceterms:targetNodeDescription": _lang(
            language, f"target proficiency: {skill.level_name} ({skill.level} of 4)"
        ),
    }


def _credits(entry: CatalogEntry, language: str) -> list[dict[str, Any]]:
    out = []
    units = (("ects", entry.ects, "creditUnit:DegreeCredit"), ("us", entry.us_credits, "creditUnit:SemesterHour"))
    for kind, value, unit in units:
        if not value:
            continue
        profile: dict[str, Any] = {
            "@type": "ceterms:ValueProfile",
            "schema:value": value,
            "ceterms:creditUnitType": [_concept("https://credreg.net/ctdl/terms/CreditUnit", unit)],
        }
        if kind == "ects":
            profile["schema:description"] = _lang(language, _ECTS)
        out.append(profile)
    return out


def to_ctdl(entry: CatalogEntry, entry_url: str, *, catalog_url: str | None = None) -> dict[str, Any]:
    """The CTDL JSON-LD of ``entry`` at ``entry_url`` (prerequisite entries are ``{catalog_url}/{id}``)."""
    language = entry.language
    base = catalog_url or entry_url.rsplit("/", 1)[0]
    doc: dict[str, Any] = {
        "@context": CTDL_CONTEXT,
        "@id": entry_url,
        "@type": _CLASSES.get(entry.achievement_type, "ceterms:Credential"),
        "ceterms:ctid": ctid(entry_url),
        "ceterms:name": _lang(language, entry.name),
        "ceterms:description": _lang(language, entry.description),
        "ceterms:identifier": [
            {
                "@type": "ceterms:IdentifierValue",
                "ceterms:identifierTypeName": _lang(language, "credstack catalog id"),
                "ceterms:identifierValueCode": entry.id,
            }
        ],
        "ceterms:subjectWebpage": entry_url,
        "ceterms:inLanguage": [language],
        "ceterms:ownedBy": [
            {"@type": "ceterms:CredentialOrganization", "ceterms:name": _lang(language, entry.provider)}
        ],
    }
    criteria = entry.criteria or f"Pass the {entry.assessment_method}."
    requires: list[dict[str, Any]] = [
        {
            "@type": "ceterms:ConditionProfile",
            "ceterms:name": _lang(language, "Requirements"),
            "ceterms:description": _lang(language, criteria),
            "ceterms:targetCompetency": [_skill(s, language) for s in entry.skills],
        }
    ]
    before = [p for p in entry.prerequisites if p.kind == "achievement"]
    skills_before = [p for p in entry.prerequisites if p.kind == "skill"]
    if before or skills_before:
        prerequisite: dict[str, Any] = {
            "@type": "ceterms:ConditionProfile",
            "ceterms:name": _lang(language, "Prerequisites"),
            "ceterms:description": _lang(language, "Hold these first."),
        }
        if before:
            prerequisite["ceterms:targetCredential"] = [f"{base}/{p.ref}" for p in before]
        if skills_before:
            prerequisite["ceterms:targetCompetency"] = [_concept(ESCO_FRAMEWORK, p.ref) for p in skills_before]
        requires.append(prerequisite)
    doc["ceterms:requires"] = requires
    if entry.credit_bearing:
        doc["ceterms:creditValue"] = _credits(entry, language)
    if entry.effort_hours is not None:
        doc["ceterms:estimatedDuration"] = [
            {"@type": "ceterms:DurationProfile", "ceterms:exactDuration": iso_hours(entry.effort_hours)}
        ]
    if entry.price is not None:
        doc["ceterms:estimatedCost"] = [
            {
                "@type": "ceterms:CostProfile",
                "ceterms:description": _lang(language, "Total cost"),
                "ceterms:price": entry.price,
                "ceterms:currency": entry.currency,
                "ceterms:directCostType": [_concept(_COST_TYPES, "costType:AggregateCost")],
            }
        ]
    doc["ceterms:learningDeliveryType"] = [
        _concept("https://credreg.net/ctdl/terms/Delivery", _DELIVERY[entry.delivery_format])
    ]
    if entry.assessment_method in _ASSESSMENT:
        doc["ceterms:assessmentMethodType"] = [
            _concept("https://credreg.net/ctdl/terms/AssessmentMethod", _ASSESSMENT[entry.assessment_method])
        ]
    if entry.validity_months:
        doc["ceterms:renewalFrequency"] = f"P{entry.validity_months}M"
    if entry.tags:
        doc["ceterms:keyword"] = {language: list(entry.tags)}
    if entry.occupations:
        doc["ceterms:occupationType"] = [_concept(ESCO_FRAMEWORK, uri) for uri in entry.occupations]
    doc[EXTENSION] = catalog_fields(entry, _CATALOG_ONLY)
    return doc


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _node(concepts: Any) -> list[str]:
    return [str(c.get("ceterms:targetNode")) for c in _list(concepts) if isinstance(c, Mapping)]


def _skills(profile: Mapping[str, Any], language: str) -> list[SkillAlignment]:
    out = []
    for concept in _list(profile.get("ceterms:targetCompetency")):
        if not isinstance(concept, Mapping) or not str(concept.get("ceterms:targetNode", "")).startswith("http"):
            continue
        description = text_of(concept.get("ceterms:targetNodeDescription"), language).casefold()
        level = next((lv for name, lv in _LEVELS.items() if name in description), 2)
        uri = str(concept["ceterms:targetNode"])
        label = text_of(concept.get("ceterms:targetNodeName"), language) or uri.rsplit("/", 1)[-1]
        out.append(SkillAlignment(uri, label, level))
    return out


def _entry_id(document: Mapping[str, Any]) -> str:
    for identifier in _list(document.get("ceterms:identifier")):
        if isinstance(identifier, Mapping) and identifier.get("ceterms:identifierValueCode"):
            return safe_id(str(identifier["ceterms:identifierValueCode"]))
    raw = str(document.get("@id") or document.get("ceterms:ctid") or "")
    return safe_id(raw) if raw else ""


def from_ctdl(document: Any, source: str, where: str = "$") -> CatalogEntry:
    """A catalog entry (of ``source``) from a CTDL credential (any ``ceterms:`` credential class)."""
    if not isinstance(document, Mapping):
        raise InvalidInputError(f"{where}: expected a CTDL credential object, got {type(document).__name__}")
    kind = str(document.get("@type", ""))
    if not kind.startswith("ceterms:"):
        raise InvalidInputError(f"{where}.@type must be a ceterms: credential class, got {kind!r}")
    language = str((_list(document.get("ceterms:inLanguage")) or ["en"])[0])
    owner = next((o for o in _list(document.get("ceterms:ownedBy")) if isinstance(o, Mapping)), {})
    skills: list[SkillAlignment] = []
    prerequisites: list[Prerequisite] = []
    criteria = ""
    for profile in _list(document.get("ceterms:requires")):
        if not isinstance(profile, Mapping):
            continue
        if text_of(profile.get("ceterms:name"), language) == "Prerequisites":
            held = _list(profile.get("ceterms:targetCredential"))
            prerequisites += [Prerequisite("achievement", safe_id(str(u))) for u in held]
            prerequisites += [Prerequisite("skill", u) for u in _node(profile.get("ceterms:targetCompetency"))]
        else:
            criteria = criteria or text_of(profile.get("ceterms:description"), language)
            skills += [s for s in _skills(profile, language) if s.uri not in {k.uri for k in skills}]
    ects = us = None
    for value in _list(document.get("ceterms:creditValue")):
        if not isinstance(value, Mapping) or not isinstance(value.get("schema:value"), (int, float)):
            continue
        units = _node(value.get("ceterms:creditUnitType"))
        if "creditUnit:SemesterHour" in units:
            us = float(value["schema:value"])
        else:
            ects = float(value["schema:value"])
    duration = next((d for d in _list(document.get("ceterms:estimatedDuration")) if isinstance(d, Mapping)), {})
    cost = next((c for c in _list(document.get("ceterms:estimatedCost")) if isinstance(c, Mapping)), {})
    delivery = _node(document.get("ceterms:learningDeliveryType"))
    assessment = _node(document.get("ceterms:assessmentMethodType"))
    renewal = re.fullmatch(r"P(\d+)M", str(document.get("ceterms:renewalFrequency", "")))
    keywords = document.get("ceterms:keyword") or {}
    price = cost.get("ceterms:price")
    kwargs: dict[str, Any] = {
        "id": _entry_id(document),
        "source": source,
        "name": text_of(document.get("ceterms:name"), language),
        "description": text_of(document.get("ceterms:description"), language),
        "provider": text_of(owner.get("ceterms:name"), language) or "unknown provider",
        "skills": tuple(skills),
        "achievement_type": _TYPES.get(kind, "Achievement"),
        "criteria": criteria,
        "ects": ects,
        "us_credits": us,
        "effort_hours": parse_hours(str(duration.get("ceterms:exactDuration", ""))),
        "price": float(price) if isinstance(price, (int, float)) and not isinstance(price, bool) else None,
        "currency": str(cost.get("ceterms:currency") or "EUR"),
        "delivery_format": next((_DELIVERY_BACK[d] for d in delivery if d in _DELIVERY_BACK), "online"),
        "language": language,
        "assessment_method": next((_ASSESSMENT_BACK[a] for a in assessment if a in _ASSESSMENT_BACK), "completion"),
        "validity_months": int(renewal.group(1)) if renewal else None,
        "prerequisites": tuple(prerequisites),
        "tags": tuple(str(t) for t in (keywords.get(language) or [] if isinstance(keywords, Mapping) else [])),
        "occupations": tuple(_node(document.get("ceterms:occupationType"))),
    }
    kwargs.update(entry_kwargs(extension_of(document, where), _CATALOG_ONLY, where))
    try:
        return CatalogEntry(**kwargs)
    except (InvalidInputError, TypeError) as exc:
        raise InvalidInputError(f"{where}: {exc}") from exc


def entries_from_ctdl(data: Any, source: str) -> list[CatalogEntry]:
    """Catalog entries from one CTDL credential, a list of them, or a graph (``{"@graph": [...]}``; pathways and
    components in it are skipped); ids must be unique."""
    if isinstance(data, Mapping) and isinstance(data.get("@graph"), list):
        classes = {*_TYPES, "ceterms:Credential"}
        items: Iterable[tuple[str, Any]] = [
            (f"$.@graph[{i}]", d)
            for i, d in enumerate(data["@graph"])
            if isinstance(d, Mapping) and d.get("@type") in classes
        ]
    elif isinstance(data, list):
        items = [(f"$[{i}]", d) for i, d in enumerate(data)]
    else:
        items = [("$", data)]
    entries = [from_ctdl(d, source, where) for where, d in items]
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise InvalidInputError(f"two credentials have the catalog id {entry.id!r}")
        seen.add(entry.id)
    return entries
