"""The planner's values: what goes in (a catalog, a learner, a target, options) and what comes out (a plan or the
reason there is none). Frozen dataclasses, validated on construction with explicit raises.

Skill levels are plain numbers: a higher level satisfies a lower requirement. Money has no currency here; hours are
study hours. Everything is a value: nothing in this package reads files, clocks or settings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from credstack.errors import InvalidInputError

__all__ = [
    "Achievement",
    "Filters",
    "Infeasibility",
    "Learner",
    "Objective",
    "Plan",
    "PlanOptions",
    "PlanResult",
    "Step",
    "Target",
    "TargetSkill",
]

Objective = Literal["time", "cost"]
_OBJECTIVES = ("time", "cost")
_SOLVERS = ("auto", "cp-sat", "greedy")


def _number(value: Any, what: str, *, minimum: float | None = None, strict: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInputError(f"{what} must be a finite number, got {value!r}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        raise InvalidInputError(f"{what} must be {'>' if strict else '>='} {minimum:g}, got {value!r}")
    return float(value)


def _levels(levels: Mapping[str, float], what: str) -> Mapping[str, float]:
    out = {}
    for uri, level in levels.items():
        if not isinstance(uri, str) or not uri:
            raise InvalidInputError(f"{what}: a skill URI must be a non-empty string, got {uri!r}")
        out[uri] = _number(level, f"{what}: level of {uri}")
    return MappingProxyType(out)


@dataclass(frozen=True, eq=False)
class Achievement:
    """A credential a learner can earn: the skills it certifies (URI -> level), its effort, price and prerequisites.

    ``language``, ``format`` and ``provider`` are optional facts that :class:`Filters` can select on.
    """

    id: str
    skills: Mapping[str, float]
    hours: float
    cost: float
    prerequisites: tuple[str, ...] = ()
    language: str | None = None
    format: str | None = None
    provider: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise InvalidInputError(f"an achievement id must be a non-empty string, got {self.id!r}")
        object.__setattr__(self, "skills", _levels(self.skills, f"achievement {self.id} skills"))
        object.__setattr__(self, "hours", _number(self.hours, f"achievement {self.id} hours", minimum=0))
        object.__setattr__(self, "cost", _number(self.cost, f"achievement {self.id} cost", minimum=0))
        prerequisites = tuple(self.prerequisites)
        if self.id in prerequisites:
            raise InvalidInputError(f"achievement {self.id} lists itself as a prerequisite")
        object.__setattr__(self, "prerequisites", tuple(dict.fromkeys(prerequisites)))


@dataclass(frozen=True, eq=False)
class Learner:
    """Who the plan is for: skill levels already held, achievements already held, and limits.

    ``budget`` caps the total cost; ``hours_per_week`` sets the pace (the plan gets a week-by-week schedule) and,
    with ``max_weeks``, a deadline: the total hours may not exceed ``hours_per_week * max_weeks``.
    ``held_skills`` (library only; default True, the file format's rule): held achievements' catalog levels count as
    the learner's skills. The database planner passes False: its ``skills`` already come from those credentials
    (their results, decayed by age), so an old certificate does not cover a requirement at its catalog level.
    """

    skills: Mapping[str, float] = field(default_factory=dict)
    held: frozenset[str] = frozenset()
    budget: float | None = None
    hours_per_week: float | None = None
    max_weeks: float | None = None
    held_skills: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "skills", _levels(self.skills, "learner skills"))
        object.__setattr__(self, "held", frozenset(self.held))
        if self.budget is not None:
            object.__setattr__(self, "budget", _number(self.budget, "budget", minimum=0))
        if self.hours_per_week is not None:
            object.__setattr__(
                self, "hours_per_week", _number(self.hours_per_week, "hours_per_week", minimum=0, strict=True)
            )
        if self.max_weeks is not None:
            if self.hours_per_week is None:
                raise InvalidInputError("max_weeks needs hours_per_week (the pace that turns weeks into hours)")
            object.__setattr__(self, "max_weeks", _number(self.max_weeks, "max_weeks", minimum=0))

    @property
    def hours_limit(self) -> float | None:
        """The most study hours the plan may take (``hours_per_week * max_weeks``), or None."""
        if self.max_weeks is None or self.hours_per_week is None:
            return None
        return self.hours_per_week * self.max_weeks


@dataclass(frozen=True)
class TargetSkill:
    """A skill the target role needs at ``level``, weighing ``weight`` in the coverage; ``label`` names it in
    messages (the URI when empty)."""

    uri: str
    weight: float
    level: float
    label: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.uri, str) or not self.uri:
            raise InvalidInputError(f"a target skill URI must be a non-empty string, got {self.uri!r}")
        object.__setattr__(self, "weight", _number(self.weight, f"weight of {self.uri}", minimum=0, strict=True))
        object.__setattr__(self, "level", _number(self.level, f"level of {self.uri}"))


@dataclass(frozen=True)
class Target:
    """The role: its skills and the share of their total weight (0..1) a plan must cover."""

    skills: tuple[TargetSkill, ...]
    coverage: float

    def __post_init__(self) -> None:
        skills = tuple(self.skills)
        if not skills:
            raise InvalidInputError("the target lists no skills")
        seen: set[str] = set()
        for skill in skills:
            if skill.uri in seen:
                raise InvalidInputError(f"the target lists {skill.uri} twice")
            seen.add(skill.uri)
        object.__setattr__(self, "skills", skills)
        coverage = _number(self.coverage, "coverage", minimum=0)
        if coverage > 1:
            raise InvalidInputError(f"coverage is a share between 0 and 1 (0.9 for 90%), got {coverage!r}")
        object.__setattr__(self, "coverage", coverage)


@dataclass(frozen=True)
class Filters:
    """Which catalog entries a learner accepts. ``None`` accepts any value; an achievement that does not state the
    attribute passes unless ``keep_unknown`` is False. ``exclude`` removes achievements by id."""

    languages: frozenset[str] | None = None
    formats: frozenset[str] | None = None
    providers: frozenset[str] | None = None
    exclude_providers: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()
    keep_unknown: bool = True

    def accepts(self, achievement: Achievement) -> bool:
        """True when ``achievement`` passes every filter."""
        if achievement.id in self.exclude or achievement.provider in self.exclude_providers:
            return False
        for allowed, value in (
            (self.languages, achievement.language),
            (self.formats, achievement.format),
            (self.providers, achievement.provider),
        ):
            if allowed is None:
                continue
            if value is None:
                if not self.keep_unknown:
                    return False
            elif value not in allowed:
                return False
        return True

    @property
    def active(self) -> bool:
        return bool(
            self.languages is not None
            or self.formats is not None
            or self.providers is not None
            or self.exclude_providers
            or self.exclude
        )


@dataclass(frozen=True, eq=False)
class PlanOptions:
    """How to plan.

    - ``minimize``: ``time`` (hours, ties broken by cost) or ``cost`` (ties broken by hours).
    - ``adjustments``: achievement id -> an amount added to that achievement's primary objective, in its units (hours
      or money). Negative prefers it (e.g. it completes a stack), positive discourages it. The hook for stacking.
    - ``time_limit``: seconds CP-SAT may spend (the greedy fallback answers when it finds nothing in time).
    - ``workers``: CP-SAT search workers (default 1, tuned for this model, see cpsat.py; 0: CP-SAT's portfolio).
    - ``solver``: ``auto`` (CP-SAT, greedy fallback), ``cp-sat`` (CP-SAT's plan only) or ``greedy`` (never proven
      optimal).
    """

    minimize: Objective = "time"
    filters: Filters = Filters()
    adjustments: Mapping[str, float] = field(default_factory=dict)
    time_limit: float = 1.0
    workers: int = 1
    solver: str = "auto"

    def __post_init__(self) -> None:
        if self.minimize not in _OBJECTIVES:
            raise InvalidInputError(f"minimize must be 'time' or 'cost', got {self.minimize!r}")
        if self.solver not in _SOLVERS:
            raise InvalidInputError(f"solver must be one of {', '.join(_SOLVERS)}, got {self.solver!r}")
        _number(self.time_limit, "time_limit", minimum=0, strict=True)
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 0:
            raise InvalidInputError(f"workers must be an integer >= 0, got {self.workers!r}")
        adjustments = {str(k): _number(v, f"adjustment of {k}") for k, v in self.adjustments.items()}
        object.__setattr__(self, "adjustments", MappingProxyType(adjustments))


@dataclass(frozen=True)
class Step:
    """One achievement in the plan, in a valid order; ``covers`` are the target skills it brings to the required
    level; weeks are given when the learner's pace is known (sequential study)."""

    achievement_id: str
    hours: float
    cost: float
    covers: tuple[str, ...]
    start_week: float | None = None
    end_week: float | None = None


@dataclass(frozen=True)
class Plan:
    """A feasible plan. ``optimal`` is True only when CP-SAT proved no better plan exists."""

    steps: tuple[Step, ...]
    total_hours: float
    total_cost: float
    coverage: float
    covered: tuple[str, ...]
    optimal: bool
    solver: str
    weeks: float | None = None

    @property
    def achievements(self) -> tuple[str, ...]:
        return tuple(step.achievement_id for step in self.steps)

    def to_json(self) -> dict[str, Any]:
        """The plan as the CLI prints it with ``--json``."""
        return {
            "achievements": list(self.achievements),
            "total_hours": self.total_hours,
            "total_cost": self.total_cost,
            "coverage": self.coverage,
            "optimal": self.optimal,
        }


@dataclass(frozen=True)
class Infeasibility:
    """Why no plan is returned. ``constraint`` names the binding one: ``coverage`` (the catalog cannot reach it),
    ``budget``, ``hours`` (the deadline), ``budget+hours`` (each alone could be met, not both) or ``time_limit``
    (nothing found in time, nothing proven)."""

    constraint: str
    message: str


@dataclass(frozen=True)
class PlanResult:
    """Exactly one of ``plan`` and ``infeasible`` is set."""

    plan: Plan | None
    infeasible: Infeasibility | None

    @property
    def feasible(self) -> bool:
        return self.plan is not None
