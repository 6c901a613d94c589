"""Targets and the skills gap (pure).

A :class:`Requirement` is a skill a target role needs at a level (1-4) with a weight. Weights come from the
requirement's status (``essential`` 3, ``optional`` 1, a role profile's own weight, a posting mention's score) and,
when job-market figures are given, from demand and trend:

    weight = base * (1 + 0.5 * share / max_share) * (1 + 0.5 * clamp(yoy, -0.5, 1.0))

(``share``: the skill's share of postings; ``yoy``: its trend, year-on-year growth as a fraction, or quarter on
quarter when the data has no year to compare). So the most demanded skill
of the target weighs up to 1.5 times its base, and a skill growing 100% a year another 1.5 times.

The gap compares each requirement with the learner's credited level (:mod:`credstack.planner.profile`: evidence
counts at its own level until it is aged, at its decayed level after): ``met`` at or above the required level,
``partial`` below it, ``missing`` with no evidence; ranked by ``weight * shortfall / required``. The decayed level
is reported too (``current``), so a fresh credential at exactly the level needed is met, with 2.93 of 3 shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from credstack.planner.model import Target, TargetSkill
from credstack.planner.profile import SkillProfile

__all__ = ["GapItem", "GapReport", "Requirement", "TargetSpec", "gap_analysis", "market_weight", "rows_to_show"]

BASE_WEIGHTS = {"essential": 3.0, "optional": 1.0}
DEFAULT_LEVELS = {"essential": 3.0, "optional": 2.0}


@dataclass(frozen=True)
class Requirement:
    """A target skill: ``status`` is essential, optional, profile or posting; ``share``/``yoy`` are the market's."""

    uri: str
    label: str
    level: float
    weight: float
    status: str = "essential"
    base_weight: float | None = None
    share: float | None = None
    yoy: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "label": self.label,
            "level": self.level,
            "weight": round(self.weight, 4),
            "status": self.status,
            "share": self.share,
            "yoy": self.yoy,
        }


@dataclass(frozen=True)
class TargetSpec:
    """A target: ``kind`` (occupation, role or posting), a reference, a name, requirements, and notes (what data
    was missing, e.g. no market figures)."""

    kind: str
    ref: str
    name: str
    requirements: tuple[Requirement, ...]
    notes: tuple[str, ...] = ()

    def optimiser_target(self, coverage: float) -> Target:
        return Target(tuple(TargetSkill(r.uri, r.weight, r.level, r.label) for r in self.requirements), coverage)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ref": self.ref,
            "name": self.name,
            "skills": [r.to_json() for r in self.requirements],
            "notes": list(self.notes),
        }


def market_weight(
    requirements: Iterable[Requirement], demand: Mapping[str, tuple[float | None, float | None]]
) -> tuple[Requirement, ...]:
    """Requirements re-weighted by ``demand`` (URI -> (share, yoy); either may be None) as in the docstring."""
    items = list(requirements)
    shares = [demand[r.uri][0] or 0.0 for r in items if r.uri in demand]
    top = max(shares, default=0.0)
    out = []
    for r in items:
        base = r.base_weight if r.base_weight is not None else r.weight
        share, yoy = demand.get(r.uri, (None, None))
        weight = base
        if share is not None and top > 0:
            weight *= 1 + 0.5 * share / top
        if yoy is not None:
            weight *= 1 + 0.5 * min(1.0, max(-0.5, yoy))
        out.append(replace(r, weight=weight, base_weight=base, share=share, yoy=yoy))
    return tuple(out)


@dataclass(frozen=True)
class GapItem:
    uri: str
    label: str
    required: float
    current: float
    weight: float
    status: str
    aged: bool
    self_declared: bool
    requirement: str
    share: float | None
    credited: float | None = None

    @property
    def counted(self) -> float:
        """The level compared with ``required``: the credited level (the decayed ``current`` when not given)."""
        return self.current if self.credited is None else max(self.current, self.credited)

    @property
    def shortfall(self) -> float:
        return max(0.0, self.required - self.counted)

    def to_json(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "label": self.label,
            "required": self.required,
            "current": round(self.current, 3),
            "credited": round(self.counted, 3),
            "shortfall": round(self.shortfall, 3),
            "weight": round(self.weight, 4),
            "status": self.status,
            "aged": self.aged,
            "selfDeclared": self.self_declared,
            "requirement": self.requirement,
            "share": self.share,
        }


@dataclass(frozen=True)
class GapReport:
    """Per-skill gap, most important first; ``met_share`` is the share of target weight already met."""

    items: tuple[GapItem, ...]
    met_share: float
    summary: str

    def to_json(self) -> dict[str, Any]:
        return {
            "metShare": round(self.met_share, 4),
            "summary": self.summary,
            "skills": [i.to_json() for i in self.items],
        }


def gap_analysis(profile: SkillProfile, target: TargetSpec) -> GapReport:
    """Compare the profile with the target's requirements (module docstring) and summarise in one paragraph."""
    items = []
    total = sum(r.weight for r in target.requirements) or 1.0
    met_weight = 0.0
    for r in target.requirements:
        skill = profile.skills.get(r.uri)
        current = skill.level if skill else 0.0
        credited = skill.meets_level if skill else 0.0
        status = "met" if credited >= r.level else "partial" if skill else "missing"
        if status == "met":
            met_weight += r.weight
        items.append(
            GapItem(
                uri=r.uri,
                label=r.label,
                required=r.level,
                current=current,
                weight=r.weight,
                status=status,
                aged=bool(skill and skill.aged),
                self_declared=bool(skill and skill.self_declared),
                requirement=r.status,
                share=r.share,
                credited=credited,
            )
        )
    items.sort(key=lambda i: (-(i.weight * i.shortfall / i.required if i.required else 0), -i.weight, i.label))
    met_share = met_weight / total
    return GapReport(tuple(items), met_share, _summary(target, items, met_share))


def _summary(target: TargetSpec, items: list[GapItem], met_share: float) -> str:
    met = [i for i in items if i.status == "met"]
    partial = [i for i in items if i.status == "partial"]
    missing = [i for i in items if i.status == "missing"]
    aged = [i for i in items if i.aged and i.status != "met"]
    parts = [
        f"You meet {len(met)} of the {len(items)} skills {target.name} needs "
        f"({round(100 * met_share)}% of their weight)."
    ]
    decayed = [i for i in met if i.current < i.required]
    if decayed:
        parts.append(
            f"{len(decayed)} of them show a decayed level a little below the one needed: evidence counts at its own "
            "level until it is aged."
        )
    if partial:
        parts.append(
            f"{len(partial)} are below the level needed"
            + (f", {len(aged)} of them because the evidence has aged" if aged else "")
            + "."
        )
    if missing:
        parts.append(f"{len(missing)} have no evidence yet.")
    top = [i.label for i in items if i.status != "met"][:3]
    if top:
        parts.append("Most important to close: " + ", ".join(top) + ".")
    self_only = [i for i in met if i.self_declared]
    if self_only:
        parts.append(f"{len(self_only)} of the skills met rest on self-declaration only.")
    return " ".join(parts)


def rows_to_show(items: Sequence[Mapping[str, Any]], limit: int) -> list[Mapping[str, Any]]:
    """At most ``limit`` gap items (``to_json`` shapes) for a chart or table: the skills with evidence first (partial,
    then met, each in rank order; at most half the rows while skills without evidence remain to show), then the most
    important missing ones. So the learner sees what they already have next to the gap, not only empty bars."""
    evidence = [i for i in items if i.get("status") == "partial"] + [i for i in items if i.get("status") == "met"]
    missing = [i for i in items if i.get("status") not in ("partial", "met")]
    room = limit if not missing else max(limit // 2, limit - len(missing))
    shown = evidence[:room]
    return shown + missing[: limit - len(shown)]
