"""Stacks in a plan (pure): objective adjustments that prefer stack-completing, credit-bearing choices, and the
milestones where a stack completes on the plan's schedule.

A :class:`Stack` is a qualification seen from the planner: the catalog entries it still needs from this learner
(``remaining``), the entries it counts at all (``members``) and its credits. The adjustment subtracts from an
achievement's primary objective (hours or money) 15% for each stack it advances that the learner has started or
that the plan can complete, and 5% when it bears credits: a preference, never a reason to take an achievement that
closes no gap (the objective stays positive).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credstack.planner.model import Achievement, Objective, Step

__all__ = ["Milestone", "Stack", "StackInReach", "milestones", "stack_adjustments", "weekly", "within_reach"]

STACK_BONUS = 0.15
CREDIT_BONUS = 0.05
#: A stack the learner has not started is "within reach" when the plan advances it and this many entries complete it.
NEAR = 2


@dataclass(frozen=True)
class Stack:
    id: str
    name: str
    members: frozenset[str]
    remaining: frozenset[str]
    credits: float | None = None
    started: bool = False


@dataclass(frozen=True)
class Milestone:
    """``stack`` completes when ``achievement_id`` is done, at ``week`` (None without a pace)."""

    stack_id: str
    stack_name: str
    achievement_id: str
    step: int
    week: float | None
    credits: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack_id,
            "name": self.stack_name,
            "achievement": self.achievement_id,
            "step": self.step,
            "week": None if self.week is None else round(self.week, 2),
            "credits": self.credits,
        }


def stack_adjustments(
    achievements: Iterable[Achievement],
    stacks: Sequence[Stack],
    credit_bearing: frozenset[str],
    minimize: Objective,
) -> dict[str, float]:
    """Achievement id -> amount added to its primary objective (negative: preferred), as in the docstring."""
    advancing: dict[str, int] = {}
    for stack in stacks:
        if not stack.remaining:
            continue
        for member in stack.remaining:
            advancing[member] = advancing.get(member, 0) + 1
    out: dict[str, float] = {}
    for a in achievements:
        share = STACK_BONUS * min(2, advancing.get(a.id, 0)) + (CREDIT_BONUS if a.id in credit_bearing else 0.0)
        if share:
            primary = a.hours if minimize == "time" else a.cost
            if primary > 0:
                out[a.id] = -share * primary
    return out


def milestones(steps: Sequence[Step], stacks: Sequence[Stack], held: frozenset[str]) -> list[Milestone]:
    """Where each stack completes along the plan: the step after which nothing in ``remaining`` is missing."""
    position: Mapping[str, int] = {s.achievement_id: n for n, s in enumerate(steps)}
    out = []
    for stack in stacks:
        missing = [m for m in stack.remaining if m not in held]
        if not missing or any(m not in position for m in missing):
            continue
        last = max(missing, key=position.__getitem__)
        step = steps[position[last]]
        out.append(Milestone(stack.id, stack.name, last, position[last] + 1, step.end_week, stack.credits))
    out.sort(key=lambda m: (m.step, m.stack_id))
    return out


@dataclass(frozen=True)
class StackInReach:
    """A stack the plan does not complete although the learner has started it or the plan advances it: the plan's
    steps that count toward it (``advanced_by``) and the catalog entries still ``missing`` after the plan, with
    their hours and price (the cheapest remaining set the pathway named; prices as given, by entry)."""

    stack_id: str
    stack_name: str
    started: bool
    advanced_by: tuple[str, ...]
    missing: tuple[str, ...]
    hours: float
    credits: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack_id,
            "name": self.stack_name,
            "started": self.started,
            "advancedBy": list(self.advanced_by),
            "missing": list(self.missing),
            "hours": self.hours,
            "credits": self.credits,
        }


def within_reach(
    steps: Sequence[Step], stacks: Sequence[Stack], held: frozenset[str], achievements: Mapping[str, Achievement]
) -> list[StackInReach]:
    """Stacks the plan leaves incomplete that the learner has started, or that the plan advances and at most
    :data:`NEAR` entries would complete; fewest missing entries first. (A plan never takes a credential only to
    complete a stack; this says what would.)"""
    in_plan = [s.achievement_id for s in steps]
    out = []
    for stack in stacks:
        missing = sorted(m for m in stack.remaining if m not in held and m not in in_plan)
        advanced = tuple(a for a in in_plan if a in stack.remaining)
        near = stack.started or (advanced and len(missing) <= NEAR)
        if not missing or not near or any(m not in achievements for m in missing):
            continue
        hours = sum(achievements[m].hours for m in missing)
        out.append(StackInReach(stack.id, stack.name, stack.started, advanced, tuple(missing), hours, stack.credits))
    out.sort(key=lambda r: (not r.advanced_by, len(r.missing), r.hours, r.stack_id))
    return out


def weekly(steps: Sequence[Step], hours_per_week: float) -> list[dict[str, Any]]:
    """The plan week by week at a steady pace: ``[{"week": 1, "hours", "items": [{"achievement", "hours"}]}]``
    (sequential study; the last week may be partial)."""
    if hours_per_week <= 0:
        return []
    out: list[dict[str, Any]] = []
    week, room = 1, hours_per_week
    current: dict[str, Any] = {"week": 1, "hours": 0.0, "items": []}
    for step in steps:
        left = step.hours
        while left > 1e-9:
            take = min(left, room)
            current["items"].append({"achievement": step.achievement_id, "hours": round(take, 2)})
            current["hours"] = round(current["hours"] + take, 2)
            left -= take
            room -= take
            if room <= 1e-9:
                out.append(current)
                week += 1
                room = hours_per_week
                current = {"week": week, "hours": 0.0, "items": []}
    if current["items"]:
        out.append(current)
    return out
