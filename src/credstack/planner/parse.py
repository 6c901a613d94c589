"""The three planner inputs as JSON values (already parsed) -> model values, with errors naming the file and the
JSON path of the bad value, e.g. ``hours must be a number >= 0, got "ten" (at catalog.json $[3].hours)``.

- catalog: ``[{"id", "skills": {uri: level}, "hours", "cost", "prerequisites"?: [id], "name"?, "language"?,
  "format"?, "provider"?}, ...]``
- learner: ``{"skills"?: {uri: level}, "held"?: [id], "budget"?: number | null, "hours_per_week"?: number,
  "max_weeks"?: number}``
- target: ``{"skills": [{"uri", "weight", "level"}, ...], "coverage": number in 0..1, "name"?}``

Unknown members are refused (a misspelt ``prerequisites`` would otherwise silently plan wrong).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from credstack.errors import InvalidInputError
from credstack.planner.catalog import prerequisite_cycle
from credstack.planner.model import Achievement, Learner, Target, TargetSkill

__all__ = ["parse_catalog", "parse_learner", "parse_target"]

_ACHIEVEMENT_KEYS = {"id", "skills", "hours", "cost", "prerequisites", "name", "language", "format", "provider"}
_LEARNER_KEYS = {"skills", "held", "budget", "hours_per_week", "max_weeks"}
_TARGET_KEYS = {"skills", "coverage", "name"}
_TARGET_SKILL_KEYS = {"uri", "weight", "level", "label"}


def _member(name: str) -> str:
    return f".{name}" if name.isidentifier() else f"[{json.dumps(name, ensure_ascii=False)}]"


class _At:
    """A position in one file: raises errors that name the file and the JSON path."""

    def __init__(self, source: str, path: str = "$") -> None:
        self.source, self.path = source, path

    def key(self, name: str) -> _At:
        return _At(self.source, self.path + _member(name))

    def index(self, n: int) -> _At:
        return _At(self.source, f"{self.path}[{n}]")

    def fail(self, message: str) -> InvalidInputError:
        return InvalidInputError(message, where=f"{self.source} {self.path}")

    def object(self, value: Any, what: str, allowed: set[str], required: Iterable[str] = ()) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be a JSON object, got {_kind(value)}")
        for name in value:
            if name not in allowed:
                raise self.key(name).fail(f"unknown member {name!r} in {what} (expected {', '.join(sorted(allowed))})")
        for name in required:
            if name not in value:
                raise self.fail(f"{what} has no {name!r}")
        return value

    def number(self, value: Any, what: str, *, minimum: float | None = None, positive: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.fail(f"{what} must be a number, got {_show(value)}")
        if positive and value <= 0:
            raise self.fail(f"{what} must be a number > 0, got {_show(value)}")
        if minimum is not None and value < minimum:
            raise self.fail(f"{what} must be a number >= {minimum:g}, got {_show(value)}")
        return float(value)

    def string(self, value: Any, what: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{what} must be a non-empty string, got {_show(value)}")
        return value

    def optional_string(self, value: Any, what: str) -> str | None:
        return None if value is None else self.string(value, what)

    def levels(self, value: Any, what: str) -> dict[str, float]:
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be an object of skill URI -> level, got {_kind(value)}")
        out = {}
        for uri, level in value.items():
            if not uri.strip():
                raise self.fail(f"{what} has an empty skill URI")
            out[uri] = self.key(uri).number(level, "a skill level")
        return out

    def ids(self, value: Any, what: str) -> list[str]:
        if not isinstance(value, list):
            raise self.fail(f"{what} must be a list of achievement ids, got {_kind(value)}")
        return [self.index(n).string(item, "an achievement id") for n, item in enumerate(value)]


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_catalog(value: Any, source: str = "catalog") -> list[Achievement]:
    """The catalog list; duplicate ids and prerequisite cycles are refused."""
    at = _At(source)
    if not isinstance(value, list):
        raise at.fail(f"the catalog must be a JSON list of achievements, got {_kind(value)}")
    out: list[Achievement] = []
    seen: dict[str, int] = {}
    for n, item in enumerate(value):
        here = at.index(n)
        entry = here.object(item, "an achievement", _ACHIEVEMENT_KEYS, ("id", "skills", "hours", "cost"))
        achievement_id = here.key("id").string(entry["id"], "id")
        if achievement_id in seen:
            raise here.key("id").fail(f"id {achievement_id!r} is already used at $[{seen[achievement_id]}]")
        seen[achievement_id] = n
        prerequisites = here.key("prerequisites").ids(entry.get("prerequisites", []), "prerequisites")
        if achievement_id in prerequisites:
            raise here.key("prerequisites").fail(f"achievement {achievement_id!r} lists itself as a prerequisite")
        if "name" in entry:
            here.key("name").string(entry["name"], "name")
        out.append(
            Achievement(
                id=achievement_id,
                skills=here.key("skills").levels(entry["skills"], "skills"),
                hours=here.key("hours").number(entry["hours"], "hours", minimum=0),
                cost=here.key("cost").number(entry["cost"], "cost", minimum=0),
                prerequisites=tuple(prerequisites),
                language=here.key("language").optional_string(entry.get("language"), "language"),
                format=here.key("format").optional_string(entry.get("format"), "format"),
                provider=here.key("provider").optional_string(entry.get("provider"), "provider"),
            )
        )
    cycle = prerequisite_cycle(out)
    if cycle is not None:
        raise at.index(seen[cycle[0]]).key("prerequisites").fail("prerequisite cycle: " + " -> ".join(cycle))
    return out


def parse_learner(value: Any, source: str = "learner") -> Learner:
    at = _At(source)
    entry = at.object(value, "the learner", _LEARNER_KEYS)
    budget = entry.get("budget")
    pace = entry.get("hours_per_week")
    weeks = entry.get("max_weeks")
    if weeks is not None and pace is None:
        raise at.key("max_weeks").fail("max_weeks needs hours_per_week (the pace that turns weeks into hours)")
    return Learner(
        skills=at.key("skills").levels(entry.get("skills", {}), "skills"),
        held=frozenset(at.key("held").ids(entry.get("held", []), "held")),
        budget=None if budget is None else at.key("budget").number(budget, "budget", minimum=0),
        hours_per_week=None if pace is None else at.key("hours_per_week").number(pace, "hours_per_week", positive=True),
        max_weeks=None if weeks is None else at.key("max_weeks").number(weeks, "max_weeks", minimum=0),
    )


def parse_target(value: Any, source: str = "target") -> Target:
    at = _At(source)
    entry = at.object(value, "the target", _TARGET_KEYS, ("skills", "coverage"))
    skills_at = at.key("skills")
    if not isinstance(entry["skills"], list) or not entry["skills"]:
        raise skills_at.fail(f"skills must be a non-empty list, got {_show(entry['skills'])}")
    skills: list[TargetSkill] = []
    seen: dict[str, int] = {}
    for n, item in enumerate(entry["skills"]):
        here = skills_at.index(n)
        skill = here.object(item, "a target skill", _TARGET_SKILL_KEYS, ("uri", "weight", "level"))
        uri = here.key("uri").string(skill["uri"], "uri")
        if uri in seen:
            raise here.key("uri").fail(f"{uri} is already listed at $.skills[{seen[uri]}]")
        seen[uri] = n
        skills.append(
            TargetSkill(
                uri=uri,
                weight=here.key("weight").number(skill["weight"], "weight", positive=True),
                level=here.key("level").number(skill["level"], "level"),
                label=here.key("label").string(skill["label"], "label") if "label" in skill else "",
            )
        )
    coverage = at.key("coverage").number(entry["coverage"], "coverage", minimum=0)
    if coverage > 1:
        raise at.key("coverage").fail(f"coverage is a share between 0 and 1 (0.9 for 90%), got {_show(coverage)}")
    if "name" in entry:
        at.key("name").string(entry["name"], "name")
    return Target(skills=tuple(skills), coverage=coverage)
