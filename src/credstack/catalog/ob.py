"""Open Badges 3.0 ``Achievement`` JSON export and import of catalog entries.

Export: :func:`to_ob` is :func:`~credstack.catalog.model.to_achievement` (ESCO ``alignment`` with targetType
``ceasn:Competency``, the EQF alignment, ``creditsAvailable``, one ``PerformanceLevel`` ``resultDescription`` per
skill, ``tag``, ``inLanguage``, ``humanCode``, the provider as ``creator``) with the VC 2.0 and OB 3.0 contexts, plus
the catalog extension member (see :mod:`credstack.catalog._exchange`) for what OB has no term for.

Import: :func:`from_ob` reads those terms back (a skill's level from its result description's ``requiredValue`` or
the alignment's ``targetDescription``; ``creditsAvailable`` as ECTS), so Achievements from other systems import too;
an OpenBadgeCredential contributes its ``credentialSubject.achievement``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from credstack.catalog._exchange import EXTENSION, catalog_fields, entry_kwargs, extension_of, safe_id, text_of
from credstack.catalog.model import ESCO_SKILL_PREFIX, PROFICIENCY_LEVELS, CatalogEntry, SkillAlignment, to_achievement
from credstack.errors import InvalidInputError

__all__ = ["OB_CONTEXTS", "entries_from_ob", "from_ob", "to_ob"]

OB_CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
_EQF_PREFIX = "http://data.europa.eu/snb/eqf/"
#: What the OB JSON cannot carry (or carries lossily: creditsAvailable is one number, criteria may be generated).
_CATALOG_ONLY = (
    "criteria",
    "ects",
    "us_credits",
    "effort_hours",
    "price",
    "currency",
    "delivery_format",
    "assessment_method",
    "validity_months",
    "prerequisites",
    "occupations",
    "extra",
)
_LEVELS = {name: level for level, name in PROFICIENCY_LEVELS.items()}


def to_ob(entry: CatalogEntry, achievement_url: str) -> dict[str, Any]:
    """The OB 3.0 Achievement of ``entry`` at ``achievement_url``, standalone (with its contexts) and with the
    catalog extension member."""
    achievement = to_achievement(entry, achievement_url)
    return {"@context": list(OB_CONTEXTS), **achievement, EXTENSION: catalog_fields(entry, _CATALOG_ONLY)}


def _level(url: str, alignment: Mapping[str, Any], results: list[Any]) -> int:
    for result in results:
        if not isinstance(result, Mapping):
            continue
        aligned = result.get("alignment") or []
        if any(isinstance(a, Mapping) and a.get("targetUrl") == url for a in aligned):
            level = _LEVELS.get(str(result.get("requiredValue", "")).casefold())
            if level:
                return level
    description = str(alignment.get("targetDescription", "")).casefold()
    for name, level in _LEVELS.items():
        if name in description:
            return level
    return 2


def _is_skill(alignment: Mapping[str, Any]) -> bool:
    url = str(alignment.get("targetUrl", ""))
    return (
        url.startswith(ESCO_SKILL_PREFIX)
        or alignment.get("targetFramework") == "ESCO"
        or alignment.get("targetType") in ("ceasn:Competency", "ceterms:Competency", "CFItem")
    ) and url.startswith(("http://", "https://"))


def from_ob(document: Any, source: str, where: str = "$") -> CatalogEntry:
    """A catalog entry (of ``source``) from an OB 3.0 Achievement (or an OpenBadgeCredential's achievement)."""
    if not isinstance(document, Mapping):
        raise InvalidInputError(f"{where}: expected an Achievement object, got {type(document).__name__}")
    subject = document.get("credentialSubject")
    if isinstance(subject, Mapping) and isinstance(subject.get("achievement"), Mapping):
        return from_ob(subject["achievement"], source, f"{where}.credentialSubject.achievement")
    kinds = document.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds or []
    if "Achievement" not in kinds:
        raise InvalidInputError(f"{where}.type must include 'Achievement', got {document.get('type')!r}")
    extension = extension_of(document, where)
    language = str(document.get("inLanguage") or "en")
    creator = document.get("creator")
    results = list(document.get("resultDescription") or [])
    skills: list[SkillAlignment] = []
    eqf: int | None = None
    for i, alignment in enumerate(document.get("alignment") or []):
        if not isinstance(alignment, Mapping):
            raise InvalidInputError(f"{where}.alignment[{i}] must be an object")
        url = str(alignment.get("targetUrl", ""))
        if url.startswith(_EQF_PREFIX) and url[len(_EQF_PREFIX) :].isdigit():
            eqf = int(url[len(_EQF_PREFIX) :])
        elif _is_skill(alignment) and url not in {s.uri for s in skills}:
            label = str(alignment.get("targetName") or url.rsplit("/", 1)[-1])
            skills.append(SkillAlignment(url, label, _level(url, alignment, results)))
    criteria = document.get("criteria")
    credits = document.get("creditsAvailable")
    raw_id = str(document.get("humanCode") or document.get("id") or "")
    kwargs: dict[str, Any] = {
        "id": safe_id(raw_id) if raw_id else "",
        "source": source,
        "name": text_of(document.get("name"), language),
        "description": text_of(document.get("description"), language),
        "provider": (text_of(creator.get("name"), language) if isinstance(creator, Mapping) else "")
        or "unknown provider",
        "skills": tuple(skills),
        "achievement_type": str(document.get("achievementType") or "Achievement"),
        "criteria": text_of(criteria.get("narrative"), language) if isinstance(criteria, Mapping) else "",
        "eqf_level": eqf,
        "ects": float(credits) if isinstance(credits, (int, float)) and not isinstance(credits, bool) else None,
        "language": language,
        "tags": tuple(str(t) for t in document.get("tag") or ()),
    }
    kwargs.update(entry_kwargs(extension, _CATALOG_ONLY, where))
    try:
        return CatalogEntry(**kwargs)
    except (InvalidInputError, TypeError) as exc:
        raise InvalidInputError(f"{where}: {exc}") from exc


def entries_from_ob(data: Any, source: str) -> list[CatalogEntry]:
    """Catalog entries from one Achievement (or credential) or a list of them; ids must be unique."""
    items: Iterable[Any] = data if isinstance(data, list) else [data]
    entries = [from_ob(item, source, f"$[{i}]" if isinstance(data, list) else "$") for i, item in enumerate(items)]
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise InvalidInputError(f"two achievements have the catalog id {entry.id!r}")
        seen.add(entry.id)
    return entries
