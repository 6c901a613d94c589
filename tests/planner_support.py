"""Planner test helpers written from the issue's definitions, independently of credstack.planner's internals:
a feasibility check of a returned plan and an exhaustive search over every subset of a small catalog."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction

from credstack.planner import Achievement, Learner, Target


def dec(value: float) -> Fraction:
    """The decimal a float was written as (0.1 is one tenth)."""
    return Fraction(repr(float(value)))


def coverage_of(catalog: Sequence[Achievement], learner: Learner, target: Target, chosen: Sequence[str]) -> Fraction:
    """Covered weight / total weight when the learner holds ``chosen`` (and what they already hold)."""
    by_id = {a.id: a for a in catalog}
    levels: dict[str, float] = dict(learner.skills)
    for achievement_id in [*learner.held, *chosen]:
        for uri, level in by_id[achievement_id].skills.items() if achievement_id in by_id else ():
            levels[uri] = max(level, levels.get(uri, level))
    total = sum(dec(s.weight) for s in target.skills)
    covered = sum(dec(s.weight) for s in target.skills if s.uri in levels and levels[s.uri] >= s.level)
    return covered / total


def check_feasible(catalog: Sequence[Achievement], learner: Learner, target: Target, order: Sequence[str]) -> None:
    """Assert the issue's feasibility rules for ``order``: coverage, prerequisites earlier or held, budget,
    nothing held or repeated."""
    by_id = {a.id: a for a in catalog}
    assert len(set(order)) == len(order), f"an achievement is chosen twice: {order}"
    done: set[str] = set()
    for achievement_id in order:
        assert achievement_id in by_id, f"{achievement_id} is not in the catalog"
        assert achievement_id not in learner.held, f"{achievement_id} is held already"
        for pre in by_id[achievement_id].prerequisites:
            assert pre in done or pre in learner.held, f"{achievement_id} comes before its prerequisite {pre}"
        done.add(achievement_id)
    assert coverage_of(catalog, learner, target, order) >= dec(target.coverage)
    if learner.budget is not None:
        assert sum((dec(by_id[i].cost) for i in order), Fraction(0)) <= dec(learner.budget)


def brute_force(
    catalog: Sequence[Achievement], learner: Learner, target: Target, minimize: str = "time"
) -> tuple[Fraction, Fraction] | None:
    """The best (primary, secondary) totals over every feasible subset, or None when none is feasible."""
    options = [a for a in catalog if a.id not in learner.held]
    best: tuple[Fraction, Fraction] | None = None
    for r in range(len(options) + 1):
        for subset in itertools.combinations(options, r):
            ids = {a.id for a in subset}
            if any(p not in ids and p not in learner.held for a in subset for p in a.prerequisites):
                continue
            cost = sum((dec(a.cost) for a in subset), Fraction(0))
            if learner.budget is not None and cost > dec(learner.budget):
                continue
            if coverage_of(catalog, learner, target, list(ids)) < dec(target.coverage):
                continue
            hours = sum((dec(a.hours) for a in subset), Fraction(0))
            score = (hours, cost) if minimize == "time" else (cost, hours)
            if best is None or score < best:
                best = score
    return best
