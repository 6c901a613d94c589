"""Qualifications as requirement trees: plain frozen dataclasses, no behaviour beyond construction checks.

A :class:`Qualification` (a stack or a pathway) has one root :data:`Requirement`. Requirements are:

- :class:`AllOf` — every child is met;
- :class:`NOf` — at least ``n`` of the children are met;
- :class:`MinCredits` — at least ``credits`` credits from credentials that pass a :class:`CreditFilter`
  (level, skill, skill area, provider, tag, achievement id), plus credits granted by articulation rules;
- :class:`RequireAchievement` — a credential for one achievement (by id), optionally from other trusted issuers,
  earned recently enough, with a result at or above a :class:`ResultThreshold`;
- :class:`RequireAlignment` — a credential, from any (or listed) issuer, whose achievement aligns to a skill or
  framework URI;
- :class:`RequireQualification` — another qualification (nested stack), met by its own tree or by holding its award.

Qualification-wide rules: :class:`Prerequisite` ("A must be earned before B": a credential for B earned before
any credential for A does not count) and :class:`Articulation` ("credential X from issuer Y counts as Z and/or
for N credits toward a credits node").

The JSON form (``Qualification.to_json`` / ``Qualification.from_json``) is documented in docs/stacking.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from credstack.errors import InvalidQualificationError

__all__ = [
    "AllOf",
    "Articulation",
    "CreditFilter",
    "MinCredits",
    "NOf",
    "Prerequisite",
    "Qualification",
    "RequireAchievement",
    "RequireAlignment",
    "RequireQualification",
    "Requirement",
    "ResultThreshold",
    "node_kind",
    "node_title",
]


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidQualificationError(f"{what} must be a non-empty string, got {value!r}")
    return value


def _ids(values: object, what: str) -> frozenset[str]:
    if isinstance(values, str) or not isinstance(values, (frozenset, set, tuple, list)):
        raise InvalidQualificationError(f"{what} must be a set of strings, got {values!r}")
    return frozenset(_text(v, what) for v in values)


def _number(value: object, what: str, *, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidQualificationError(f"{what} must be a finite number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class ResultThreshold:
    """A minimum result on a named ResultDescription (matched by its id or its name).

    ``min_value`` is a number (``score >= 70``) or, for results with an ordered ``allowedValue`` list (lowest
    first, as OB 3.0 says), one of those values (``grade >= "B"``).
    """

    result: str
    min_value: float | str

    def __post_init__(self) -> None:
        _text(self.result, "a result threshold's result description")
        if isinstance(self.min_value, str):
            _text(self.min_value, "a result threshold's value")
        else:
            object.__setattr__(self, "min_value", _number(self.min_value, "a result threshold's value"))


@dataclass(frozen=True)
class CreditFilter:
    """Which credentials count toward a credits node. Every criterion given must hold (AND); within one
    criterion any listed value will do (OR). Without ``providers``, only issuers of catalog achievements count
    (other issuers' credentials count through articulation rules)."""

    achievement_ids: frozenset[str] = frozenset()
    skills: frozenset[str] = frozenset()
    skill_areas: frozenset[str] = frozenset()
    providers: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    min_level: int | None = None
    max_level: int | None = None

    def __post_init__(self) -> None:
        for name in ("achievement_ids", "skills", "skill_areas", "providers", "tags"):
            object.__setattr__(self, name, _ids(getattr(self, name), f"credit filter {name}"))
        for name in ("min_level", "max_level"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise InvalidQualificationError(f"credit filter {name} must be an integer, got {value!r}")

    @property
    def is_empty(self) -> bool:
        return not (self.achievement_ids or self.skills or self.skill_areas or self.providers or self.tags) and (
            self.min_level is None and self.max_level is None
        )


def _within(value: object) -> float | None:
    return _number(value, "within_years", allow_none=True)


@dataclass(frozen=True)
class AllOf:
    """Every child requirement must be met."""

    children: tuple[Requirement, ...]
    id: str | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "children", tuple(self.children))


@dataclass(frozen=True)
class NOf:
    """At least ``n`` of the child requirements must be met."""

    n: int
    children: tuple[Requirement, ...]
    id: str | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.n, bool) or not isinstance(self.n, int):
            raise InvalidQualificationError(f"n-of needs an integer n, got {self.n!r}")
        object.__setattr__(self, "children", tuple(self.children))


@dataclass(frozen=True)
class MinCredits:
    """At least ``credits`` credits from credentials that pass ``filter`` (each achievement counted once, with its
    largest credit), earned within ``within_years`` years of the evaluation time when given."""

    credits: float
    filter: CreditFilter = field(default_factory=CreditFilter)
    within_years: float | None = None
    id: str | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "credits", _number(self.credits, "credits"))
        object.__setattr__(self, "within_years", _within(self.within_years))


@dataclass(frozen=True)
class RequireAchievement:
    """A credential for ``achievement_id``. By default only from the achievement's own issuer (as the catalog
    says); ``issuers`` adds other trusted issuers of the same achievement."""

    achievement_id: str
    issuers: frozenset[str] = frozenset()
    within_years: float | None = None
    threshold: ResultThreshold | None = None
    id: str | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        _text(self.achievement_id, "an achievement requirement's achievement id")
        object.__setattr__(self, "issuers", _ids(self.issuers, "issuers"))
        object.__setattr__(self, "within_years", _within(self.within_years))


@dataclass(frozen=True)
class RequireAlignment:
    """A credential whose achievement aligns to ``target_url`` (a skill or framework URI), from any issuer unless
    ``issuers`` lists the trusted ones."""

    target_url: str
    issuers: frozenset[str] = frozenset()
    within_years: float | None = None
    id: str | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        _text(self.target_url, "an alignment requirement's target URL")
        object.__setattr__(self, "issuers", _ids(self.issuers, "issuers"))
        object.__setattr__(self, "within_years", _within(self.within_years))


@dataclass(frozen=True)
class RequireQualification:
    """Another qualification (a nested stack): met by its own requirement tree, or by holding its award."""

    qualification_id: str
    id: str | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        _text(self.qualification_id, "a nested qualification id")


Requirement = AllOf | NOf | MinCredits | RequireAchievement | RequireAlignment | RequireQualification
_REQUIREMENT_TYPES = (AllOf, NOf, MinCredits, RequireAchievement, RequireAlignment, RequireQualification)


@dataclass(frozen=True)
class Prerequisite:
    """A credential for ``after`` counts only when a credential for ``before`` was earned on or before it."""

    before: str
    after: str

    def __post_init__(self) -> None:
        _text(self.before, "a prerequisite's 'before' achievement id")
        _text(self.after, "a prerequisite's 'after' achievement id")


@dataclass(frozen=True)
class Articulation:
    """ "A credential for ``achievement_id`` from ``issuer_id`` counts ...": as ``equivalent_to`` (an achievement id
    of this qualification) and/or for ``credits`` credits toward the credits node whose id is ``toward`` (every
    credits node when ``toward`` is None), whatever that node's filter says."""

    achievement_id: str
    issuer_id: str
    credits: float | None = None
    equivalent_to: str | None = None
    toward: str | None = None

    def __post_init__(self) -> None:
        _text(self.achievement_id, "an articulation's achievement id")
        _text(self.issuer_id, "an articulation's issuer id")
        object.__setattr__(self, "credits", _number(self.credits, "an articulation's credits", allow_none=True))
        if self.credits is None and self.equivalent_to is None:
            raise InvalidQualificationError("an articulation rule must grant credits or name an equivalent")


@dataclass(frozen=True)
class Qualification:
    """A stack or pathway: a requirement tree plus the rules that apply across it.

    ``id`` is the catalog key (a slug or URI); ``achievement_id`` is the id of the Achievement awarded when the tree
    is met (defaults to ``id``); holding a verified credential for it meets a nested reference to this
    qualification. ``credits`` is the qualification's credit value (the award's ``creditsAvailable``), if any.
    """

    id: str
    name: str
    requirement: Requirement
    achievement_id: str | None = None
    credits: float | None = None
    prerequisites: tuple[Prerequisite, ...] = ()
    articulations: tuple[Articulation, ...] = ()
    description: str | None = None

    def __post_init__(self) -> None:
        _text(self.id, "a qualification id")
        _text(self.name, "a qualification name")
        if not isinstance(self.requirement, _REQUIREMENT_TYPES):
            raise InvalidQualificationError(f"qualification {self.id}: the requirement must be a requirement node")
        object.__setattr__(self, "credits", _number(self.credits, "qualification credits", allow_none=True))
        object.__setattr__(self, "prerequisites", tuple(self.prerequisites))
        object.__setattr__(self, "articulations", tuple(self.articulations))

    @property
    def award_achievement_id(self) -> str:
        """The id of the Achievement this qualification awards."""
        return self.achievement_id or self.id

    def to_json(self) -> dict[str, Any]:
        """The JSON form documented in docs/stacking.md."""
        from credstack.stacking._json import qualification_to_json

        return qualification_to_json(self)

    @classmethod
    def from_json(cls, data: object) -> Qualification:
        """Read the JSON form; raises InvalidQualificationError naming the JSON path of the first bad value."""
        from credstack.stacking._json import qualification_from_json

        return qualification_from_json(data)


def node_kind(node: Requirement) -> str:
    """The JSON ``type`` of a requirement node."""
    if isinstance(node, AllOf):
        return "all-of"
    if isinstance(node, NOf):
        return "n-of"
    if isinstance(node, MinCredits):
        return "credits"
    if isinstance(node, RequireAchievement):
        return "achievement"
    if isinstance(node, RequireAlignment):
        return "alignment"
    return "qualification"


def _num(value: float) -> str:
    return f"{value:g}"


def node_title(node: Requirement) -> str:
    """A short name for a node in a path: ``n-of(2)``, ``credits(30)``, ``achievement(urn:x)``, with its label."""
    if isinstance(node, NOf):
        title = f"n-of({node.n})"
    elif isinstance(node, MinCredits):
        title = f"credits({_num(node.credits)})"
    elif isinstance(node, RequireAchievement):
        title = f"achievement({node.achievement_id})"
    elif isinstance(node, RequireAlignment):
        title = f"alignment({node.target_url})"
    elif isinstance(node, RequireQualification):
        title = f"qualification({node.qualification_id})"
    else:
        title = "all-of"
    name = node.label or node.id
    return f'{title} "{name}"' if name else title
