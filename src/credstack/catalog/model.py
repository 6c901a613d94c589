"""A catalog entry: an achievement definition (micro-credential, certificate, programme) in Open Badges 3.0 terms.

What OB 3.0 can say goes into the ``Achievement`` JSON that :func:`to_achievement` builds (and the issuing service
embeds in every credential): name, description, criteria, ``achievementType``, ``alignment`` to ESCO skills
(``targetFramework`` "ESCO", ``targetType`` "ceasn:Competency") and to the EQF level, ``creditsAvailable``, a
``resultDescription`` per skill carrying its target proficiency, ``tag``, ``inLanguage``, ``humanCode`` and the
provider as ``creator``. What OB has no term for (effort, price, delivery format, assessment method, validity,
prerequisites, outcomes) stays in the catalog's own tables: the issuing pipeline refuses undefined JSON-LD terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from credstack.domain.credential import build_achievement
from credstack.errors import InvalidInputError

__all__ = [
    "ASSESSMENT_METHODS",
    "DELIVERY_FORMATS",
    "ESCO_SKILL_PREFIX",
    "PROFICIENCY_LEVELS",
    "CatalogEntry",
    "Prerequisite",
    "SkillAlignment",
    "skill_uri",
    "to_achievement",
]

ESCO_SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
_EQF_PREFIX = "http://data.europa.eu/snb/eqf/"

#: Target proficiency, 1-4 (after the ESCO/DigComp-style foundation → expert scale).
PROFICIENCY_LEVELS: Mapping[int, str] = {1: "foundation", 2: "intermediate", 3: "advanced", 4: "expert"}
DELIVERY_FORMATS = ("online", "in-person", "hybrid", "self-paced")
ASSESSMENT_METHODS = (
    "proctored exam",
    "practical project with rubric",
    "portfolio review",
    "workplace observation",
    "oral examination",
    "licensing exam",
    "completion",
)
_MAX_TEXT = 20_000


def skill_uri(ref: str) -> str:
    """An ESCO skill reference as its full URI: a URI stays, a bare id (the URI's last segment) gets the prefix."""
    ref = (ref or "").strip()
    if not ref:
        raise InvalidInputError("a skill reference is empty")
    return ref if ref.startswith(("http://", "https://")) else ESCO_SKILL_PREFIX + ref


@dataclass(frozen=True)
class SkillAlignment:
    """A skill the achievement teaches: its ESCO URI, label and target proficiency level (1-4)."""

    uri: str
    label: str
    level: int = 2

    def __post_init__(self) -> None:
        if not self.uri.startswith(("http://", "https://")):
            raise InvalidInputError(f"a skill alignment needs a URI, got {self.uri!r}")
        if self.level not in PROFICIENCY_LEVELS:
            raise InvalidInputError(f"proficiency level must be 1-4, got {self.level!r}")

    @property
    def level_name(self) -> str:
        return PROFICIENCY_LEVELS[self.level]

    def to_json(self) -> dict[str, Any]:
        return {"uri": self.uri, "label": self.label, "level": self.level, "levelName": self.level_name}


@dataclass(frozen=True)
class Prerequisite:
    """Something to hold first: another catalog ``achievement`` (its id) or a ``skill`` (an ESCO URI)."""

    kind: str
    ref: str

    def __post_init__(self) -> None:
        if self.kind not in ("achievement", "skill"):
            raise InvalidInputError(f"a prerequisite is an achievement or a skill, got {self.kind!r}")

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "ref": self.ref}


@dataclass(frozen=True)
class CatalogEntry:
    """One achievement definition in the catalog. Money is in ``currency`` (ISO 4217), effort in hours,
    ``ects`` in ECTS credits and ``us_credits`` in US semester credit hours; ``validity_months`` None = no expiry."""

    id: str
    source: str
    name: str
    description: str
    provider: str
    skills: tuple[SkillAlignment, ...] = ()
    achievement_type: str = "MicroCredential"
    criteria: str = ""
    eqf_level: int | None = None
    ects: float | None = None
    us_credits: float | None = None
    effort_hours: float | None = None
    price: float | None = None
    currency: str = "EUR"
    delivery_format: str = "online"
    language: str = "en"
    assessment_method: str = "completion"
    validity_months: int | None = None
    prerequisites: tuple[Prerequisite, ...] = ()
    tags: tuple[str, ...] = ()
    occupations: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.id or len(self.id) > 64 or not self.id.replace("-", "").replace("_", "").isalnum():
            raise InvalidInputError(f"a catalog id is 1-64 letters, digits, '-' or '_', got {self.id!r}")
        for what, text in (("name", self.name), ("description", self.description), ("provider", self.provider)):
            if not text.strip():
                raise InvalidInputError(f"catalog entry {self.id}: {what} is empty")
            if len(text) > _MAX_TEXT:
                raise InvalidInputError(f"catalog entry {self.id}: {what} is longer than {_MAX_TEXT} characters")
        uris = [s.uri for s in self.skills]
        if len(set(uris)) != len(uris):
            raise InvalidInputError(f"catalog entry {self.id}: a skill is aligned twice")
        if self.eqf_level is not None and not 1 <= self.eqf_level <= 8:
            raise InvalidInputError(f"catalog entry {self.id}: EQF level must be 1-8, got {self.eqf_level}")
        for what, number in (
            ("ects", self.ects),
            ("us_credits", self.us_credits),
            ("effort_hours", self.effort_hours),
            ("price", self.price),
        ):
            if number is not None and number < 0:
                raise InvalidInputError(f"catalog entry {self.id}: {what} must not be negative")
        if self.delivery_format not in DELIVERY_FORMATS:
            raise InvalidInputError(f"delivery format must be one of {', '.join(DELIVERY_FORMATS)}")
        if self.assessment_method not in ASSESSMENT_METHODS:
            raise InvalidInputError(f"assessment method must be one of {', '.join(ASSESSMENT_METHODS)}")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise InvalidInputError(f"currency must be an ISO 4217 code, got {self.currency!r}")

    @property
    def credit_bearing(self) -> bool:
        return bool(self.ects) or bool(self.us_credits)

    @property
    def credits_available(self) -> float | None:
        """What ``creditsAvailable`` says: ECTS when known, otherwise US credit hours (the tables keep both)."""
        if self.ects:
            return self.ects
        return self.us_credits or None

    def to_json(self) -> dict[str, Any]:
        """The catalog's own view (every field, extensions included), for the API and ``--json``."""
        return {
            "id": self.id,
            "source": self.source,
            "name": self.name,
            "description": self.description,
            "provider": self.provider,
            "achievementType": self.achievement_type,
            "criteria": self.criteria,
            "skills": [s.to_json() for s in self.skills],
            "eqfLevel": self.eqf_level,
            "credits": {"ects": self.ects, "usCreditHours": self.us_credits, "creditBearing": self.credit_bearing},
            "effortHours": self.effort_hours,
            "price": None if self.price is None else {"amount": self.price, "currency": self.currency},
            "deliveryFormat": self.delivery_format,
            "language": self.language,
            "assessmentMethod": self.assessment_method,
            "validityMonths": self.validity_months,
            "prerequisites": [p.to_json() for p in self.prerequisites],
            "tags": list(self.tags),
            "occupations": list(self.occupations),
            "extra": dict(self.extra),
        }


def _criteria(entry: CatalogEntry) -> str:
    if entry.criteria:
        return entry.criteria
    skills = ", ".join(s.label for s in entry.skills) or "the programme outcomes"
    return f"Pass the {entry.assessment_method} demonstrating {skills}."


def to_achievement(entry: CatalogEntry, achievement_url: str, *, provider_url: str | None = None) -> dict[str, Any]:
    """The OB 3.0 ``Achievement`` for ``entry`` at ``achievement_url`` (what the issuing service signs).

    Skills become ESCO alignments and, per skill, a ``PerformanceLevel`` result description whose
    ``requiredValue`` is the target proficiency; the EQF level an alignment to its Europass URI."""
    alignments: list[dict[str, Any]] = [
        {
            "targetName": s.label,
            "targetUrl": s.uri,
            "targetCode": s.uri.rsplit("/", 1)[-1],
            "targetFramework": "ESCO",
            "targetType": "ceasn:Competency",
            "targetDescription": f"target proficiency: {s.level_name} ({s.level} of 4)",
        }
        for s in entry.skills
    ]
    if entry.eqf_level is not None:
        alignments.append(
            {
                "targetName": f"EQF level {entry.eqf_level}",
                "targetUrl": f"{_EQF_PREFIX}{entry.eqf_level}",
                "targetCode": str(entry.eqf_level),
                "targetFramework": "European Qualifications Framework",
            }
        )
    results = [
        {
            "id": f"{achievement_url}#proficiency-{i}",
            "name": f"{s.label}: proficiency",
            "resultType": "PerformanceLevel",
            "allowedValue": list(PROFICIENCY_LEVELS.values()),
            "requiredValue": s.level_name,
            "alignment": [alignments[i]],
        }
        for i, s in enumerate(entry.skills)
    ]
    achievement = build_achievement(
        achievement_url,
        name=entry.name,
        description=entry.description,
        criteria_narrative=_criteria(entry),
        achievement_type=entry.achievement_type,
        alignments=alignments,
        credits_available=entry.credits_available,
        result_descriptions=results,
        tags=entry.tags,
        human_code=entry.id,
    )
    achievement["inLanguage"] = entry.language
    creator_id = provider_url or f"{achievement_url.rsplit('/', 1)[0]}#provider"
    achievement["creator"] = {"id": creator_id, "type": ["Profile"], "name": entry.provider}
    return achievement
