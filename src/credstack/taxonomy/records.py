"""The taxonomy as values: one frozen dataclass per kind of row, and parsers from the publishers' CSV rows.

Parsers take one row (a mapping of column name to string, as :class:`csv.DictReader` yields it) and its 1-based
line number, validate what credstack relies on, and raise :class:`~credstack.errors.InvalidInputError` naming the
file and line otherwise. No I/O here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from credstack.errors import InvalidInputError
from credstack.taxonomy.text import concept_key, split_labels

__all__ = [
    "RELATION_TYPES",
    "SKILL_TYPES",
    "BroaderRelation",
    "IscoGroup",
    "Occupation",
    "OccupationSkillRelation",
    "OnetAlternateTitle",
    "OnetOccupation",
    "OnetTask",
    "OnetTechnologySkill",
    "Skill",
    "SkillGroup",
    "SkillRelation",
    "parse_broader",
    "parse_isco_group",
    "parse_occupation",
    "parse_occupation_skill",
    "parse_onet_alternate_title",
    "parse_onet_occupation",
    "parse_onet_task",
    "parse_onet_technology_skill",
    "parse_skill",
    "parse_skill_group",
    "parse_skill_relation",
]

#: ESCO skill types; six ESCO concepts have none (stored as None).
SKILL_TYPES = frozenset({"skill/competence", "knowledge"})
#: ESCO relation types between occupations and skills, and between skills.
RELATION_TYPES = frozenset({"essential", "optional"})
_FLAGS = {"Y": True, "N": False}


@dataclass(frozen=True, slots=True)
class Skill:
    """An ESCO skill, competence or knowledge concept (``skills_en``)."""

    uri: str
    key: str
    preferred_label: str
    alt_labels: tuple[str, ...]
    hidden_labels: tuple[str, ...]
    description: str
    scope_note: str
    skill_type: str | None
    reuse_level: str | None


@dataclass(frozen=True, slots=True)
class SkillGroup:
    """A node of the ESCO skills hierarchy (``skillGroups_en``), e.g. ``S1.2`` or an ISCED-F field."""

    uri: str
    key: str
    code: str | None
    preferred_label: str
    alt_labels: tuple[str, ...]
    description: str
    scope_note: str


@dataclass(frozen=True, slots=True)
class Occupation:
    """An ESCO occupation (``occupations_en``) with its ESCO code and ISCO-08 unit group."""

    uri: str
    key: str
    code: str
    isco_group: str
    preferred_label: str
    alt_labels: tuple[str, ...]
    hidden_labels: tuple[str, ...]
    description: str


@dataclass(frozen=True, slots=True)
class IscoGroup:
    """An ISCO-08 group as ESCO publishes it (``ISCOGroups_en``)."""

    uri: str
    key: str
    code: str
    preferred_label: str
    description: str


@dataclass(frozen=True, slots=True)
class OccupationSkillRelation:
    """An occupation needs a skill, ``essential`` or ``optional``."""

    occupation_uri: str
    skill_uri: str
    relation_type: str


@dataclass(frozen=True, slots=True)
class SkillRelation:
    """A skill is ``essential`` or ``optional`` to another skill (``skillSkillRelations``)."""

    skill_uri: str
    related_uri: str
    relation_type: str


@dataclass(frozen=True, slots=True)
class BroaderRelation:
    """``uri`` is narrower than ``broader_uri`` (a skill under a skill or group; an occupation under one or ISCO)."""

    uri: str
    broader_uri: str


@dataclass(frozen=True, slots=True)
class OnetOccupation:
    """An O*NET-SOC occupation (``Occupation Data``)."""

    code: str
    title: str
    description: str


@dataclass(frozen=True, slots=True)
class OnetTechnologySkill:
    """A technology an O*NET occupation uses, with O*NET's Hot Technology and In Demand flags."""

    code: str
    example: str
    commodity_code: str
    commodity_title: str
    hot: bool
    in_demand: bool


@dataclass(frozen=True, slots=True)
class OnetAlternateTitle:
    """Another title for an O*NET occupation (``Alternate Titles``)."""

    code: str
    title: str
    short_title: str | None


@dataclass(frozen=True, slots=True)
class OnetTask:
    """A task statement of an O*NET occupation; ``task_type`` is Core, Supplemental or None."""

    task_id: int
    code: str
    task: str
    task_type: str | None


def _required(row: Mapping[str, str], column: str, where: str) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise InvalidInputError(f"column {column!r} is empty", where=where)
    return value


def _choice(row: Mapping[str, str], column: str, allowed: frozenset[str], where: str) -> str:
    value = _required(row, column, where)
    if value not in allowed:
        raise InvalidInputError(f"column {column!r} is {value!r}, expected one of {sorted(allowed)}", where=where)
    return value


def _optional(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if value and value != "n/a" else None


def parse_skill(row: Mapping[str, str], where: str) -> Skill:
    uri = _required(row, "conceptUri", where)
    skill_type = _optional(row.get("skillType"))
    if skill_type is not None and skill_type not in SKILL_TYPES:
        raise InvalidInputError(f"unknown skillType {skill_type!r}", where=where)
    return Skill(
        uri=uri,
        key=concept_key(uri),
        preferred_label=_required(row, "preferredLabel", where),
        alt_labels=split_labels(row.get("altLabels", "")),
        hidden_labels=split_labels(row.get("hiddenLabels", "")),
        description=(row.get("description") or "").strip(),
        scope_note=(row.get("scopeNote") or "").strip(),
        skill_type=skill_type,
        reuse_level=_optional(row.get("reuseLevel")),
    )


def parse_skill_group(row: Mapping[str, str], where: str) -> SkillGroup:
    uri = _required(row, "conceptUri", where)
    return SkillGroup(
        uri=uri,
        key=concept_key(uri),
        code=_optional(row.get("code")),
        preferred_label=_required(row, "preferredLabel", where),
        alt_labels=split_labels(row.get("altLabels", "")),
        description=(row.get("description") or "").strip(),
        scope_note=(row.get("scopeNote") or "").strip(),
    )


def parse_occupation(row: Mapping[str, str], where: str) -> Occupation:
    uri = _required(row, "conceptUri", where)
    return Occupation(
        uri=uri,
        key=concept_key(uri),
        code=_required(row, "code", where),
        isco_group=_required(row, "iscoGroup", where),
        preferred_label=_required(row, "preferredLabel", where),
        alt_labels=split_labels(row.get("altLabels", "")),
        hidden_labels=split_labels(row.get("hiddenLabels", "")),
        description=(row.get("description") or "").strip(),
    )


def parse_isco_group(row: Mapping[str, str], where: str) -> IscoGroup:
    uri = _required(row, "conceptUri", where)
    return IscoGroup(
        uri=uri,
        key=concept_key(uri),
        code=_required(row, "code", where),
        preferred_label=_required(row, "preferredLabel", where),
        description=(row.get("description") or "").strip(),
    )


def parse_occupation_skill(row: Mapping[str, str], where: str) -> OccupationSkillRelation:
    return OccupationSkillRelation(
        occupation_uri=_required(row, "occupationUri", where),
        skill_uri=_required(row, "skillUri", where),
        relation_type=_choice(row, "relationType", RELATION_TYPES, where),
    )


def parse_skill_relation(row: Mapping[str, str], where: str) -> SkillRelation:
    return SkillRelation(
        skill_uri=_required(row, "originalSkillUri", where),
        related_uri=_required(row, "relatedSkillUri", where),
        relation_type=_choice(row, "relationType", RELATION_TYPES, where),
    )


def parse_broader(row: Mapping[str, str], where: str) -> BroaderRelation:
    return BroaderRelation(uri=_required(row, "conceptUri", where), broader_uri=_required(row, "broaderUri", where))


def parse_onet_occupation(row: Mapping[str, str], where: str) -> OnetOccupation:
    return OnetOccupation(
        code=_required(row, "O*NET-SOC Code", where),
        title=_required(row, "Title", where),
        description=(row.get("Description") or "").strip(),
    )


def _flag(row: Mapping[str, str], column: str, where: str) -> bool:
    value = _choice(row, column, frozenset(_FLAGS), where)
    return _FLAGS[value]


def parse_onet_technology_skill(row: Mapping[str, str], where: str) -> OnetTechnologySkill:
    return OnetTechnologySkill(
        code=_required(row, "O*NET-SOC Code", where),
        example=_required(row, "Example", where),
        commodity_code=_required(row, "Commodity Code", where),
        commodity_title=_required(row, "Commodity Title", where),
        hot=_flag(row, "Hot Technology", where),
        in_demand=_flag(row, "In Demand", where),
    )


def parse_onet_alternate_title(row: Mapping[str, str], where: str) -> OnetAlternateTitle:
    return OnetAlternateTitle(
        code=_required(row, "O*NET-SOC Code", where),
        title=_required(row, "Alternate Title", where),
        short_title=_optional(row.get("Short Title")),
    )


def parse_onet_task(row: Mapping[str, str], where: str) -> OnetTask:
    raw_id = _required(row, "Task ID", where)
    if not raw_id.isdigit():
        raise InvalidInputError(f"Task ID {raw_id!r} is not a number", where=where)
    return OnetTask(
        task_id=int(raw_id),
        code=_required(row, "O*NET-SOC Code", where),
        task=_required(row, "Task", where),
        task_type=_optional(row.get("Task Type")),
    )
