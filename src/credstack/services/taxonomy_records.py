"""What the taxonomy service hands out: plain frozen dataclasses (never ORM rows), each with ``to_json()``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "ConceptLink",
    "LoadReport",
    "OccupationDetail",
    "OnetOccupationDetail",
    "OnetTask",
    "OnetTechnology",
    "SearchHit",
    "SkillDetail",
    "TableLoad",
]


class _Json:
    def to_json(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]


@dataclass(frozen=True)
class ConceptLink(_Json):
    """A link to another concept: ``kind`` is skill, group, occupation, isco or onet; ``id`` is what ``show``,
    the API and the web pages take; ``relation`` says how it relates (essential, optional, ...) when it matters.
    ``label`` is None for the few concepts ESCO's relations name but its release does not contain."""

    kind: str
    id: str
    uri: str | None
    label: str | None
    relation: str | None = None


@dataclass(frozen=True)
class SearchHit(_Json):
    """One search result. ``match`` is exact, alternative, words or fuzzy; ``matched_label`` is the label that
    matched (a preferred, alternative or hidden label: ``matched_label_kind``)."""

    kind: str
    scheme: str
    id: str
    uri: str | None
    label: str
    score: float
    match: str
    matched_label: str
    matched_label_kind: str
    detail: str | None


@dataclass(frozen=True)
class SkillDetail(_Json):
    """An ESCO skill (``kind="skill"``) or skill group (``kind="group"``) with its relations."""

    kind: str
    id: str
    uri: str
    code: str | None
    preferred_label: str
    alt_labels: list[str]
    hidden_labels: list[str]
    description: str
    scope_note: str
    skill_type: str | None
    reuse_level: str | None
    broader: list[ConceptLink]
    narrower: list[ConceptLink]
    related: list[ConceptLink]
    essential_for: list[ConceptLink]
    optional_for: list[ConceptLink]


@dataclass(frozen=True)
class OccupationDetail(_Json):
    """An ESCO occupation (``kind="occupation"``) or ISCO-08 group (``kind="isco"``) with its relations.

    ``onet`` lists O*NET occupations with a title or alternate title equal (after normalisation) to this
    occupation's preferred label: ESCO and O*NET are separate vocabularies and this is a title match, no more."""

    kind: str
    id: str
    uri: str
    code: str
    isco_group: ConceptLink | None
    preferred_label: str
    alt_labels: list[str]
    description: str
    broader: list[ConceptLink]
    narrower: list[ConceptLink]
    essential_skills: list[ConceptLink]
    optional_skills: list[ConceptLink]
    onet: list[ConceptLink]


@dataclass(frozen=True)
class OnetTechnology(_Json):
    """A technology an O*NET occupation uses; ``hot`` and ``in_demand`` are O*NET's flags."""

    example: str
    commodity_code: str
    commodity_title: str
    hot: bool
    in_demand: bool


@dataclass(frozen=True)
class OnetTask(_Json):
    task_id: int
    task: str
    task_type: str | None


@dataclass(frozen=True)
class OnetOccupationDetail(_Json):
    """An O*NET-SOC occupation with its technology skills, alternate titles and tasks; ``esco`` lists ESCO
    occupations whose preferred label equals one of its titles (normalised)."""

    kind: str
    id: str
    code: str
    title: str
    description: str
    technology_skills: list[OnetTechnology]
    alternate_titles: list[str]
    tasks: list[OnetTask]
    esco: list[ConceptLink]


@dataclass(frozen=True)
class TableLoad(_Json):
    """One dataset of a load: its rows and whether this run ``loaded`` it or found it ``unchanged``."""

    name: str
    table: str
    rows: int
    action: str
    seconds: float


@dataclass(frozen=True)
class LoadReport(_Json):
    """What ``credstack taxonomy load`` did. ``dangling`` counts relations whose concept is not in the release."""

    tables: list[TableLoad]
    seconds: float
    dangling: dict[str, int]

    @property
    def changed(self) -> bool:
        return any(t.action == "loaded" for t in self.tables)
