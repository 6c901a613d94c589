"""The greedy fallback: weighted set cover by cost-effectiveness, then a redundancy-pruning pass.

Each round takes the *bundle* (a candidate with its prerequisites not chosen yet) with the lowest price per unit of
newly covered weight that still fits every limit, until the coverage is reached. Pruning then removes, most
expensive first, every chosen achievement the plan can do without (coverage still reached, no chosen achievement
needs it). Achievements with a negative price (a bonus) are added at the end when they fit. Runs in
``O(rounds * candidates)`` and is never claimed optimal; CP-SAT uses its answer as a hint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from credstack.planner.problem import Problem

__all__ = ["Limit", "greedy", "prune", "total"]


@dataclass(frozen=True)
class Limit:
    """``sum(units[i] for chosen i) <= cap``: the budget or the deadline, in integer units (see units.py)."""

    name: str
    units: tuple[int, ...]
    cap: int


def total(values: Sequence[int], chosen: Sequence[int]) -> int:
    return sum(values[i] for i in chosen)


def greedy(
    problem: Problem, limits: Sequence[Limit], objective: Sequence[int], price: Sequence[int] | None = None
) -> tuple[int, ...] | None:
    """A feasible plan (candidate indices) or None when the greedy rule runs into a limit or out of candidates.

    ``price`` ranks bundles (default: ``objective``); ``objective`` decides what pruning removes first.
    """
    price = objective if price is None else price
    chosen: set[int] = set()
    covered = 0
    covered_weight = 0
    spent = [0] * len(limits)
    bundle_mask = [problem.masks[i] for i in range(problem.size)]
    for i in range(problem.size):
        for p in problem.closure[i]:
            bundle_mask[i] |= problem.masks[p]
    while covered_weight < problem.need:
        best: tuple[float, float, int] | None = None
        best_bundle: list[int] = []
        for i in range(problem.size):
            if i in chosen or not bundle_mask[i] & ~covered:
                continue
            bundle = [i, *(p for p in problem.closure[i] if p not in chosen)]
            fits = all(spent[k] + total(limit.units, bundle) <= limit.cap for k, limit in enumerate(limits))
            if not fits:
                continue
            new = 0
            for b in bundle:
                new |= problem.masks[b]
            gain = problem.covered_weight(new & ~covered)
            if not gain:
                continue
            score = (total(price, bundle) / gain, total(objective, bundle) / gain, i)
            if best is None or score < best:
                best, best_bundle = score, bundle
        if best is None:
            return None
        for b in best_bundle:
            chosen.add(b)
            covered |= problem.masks[b]
        spent = [spent[k] + total(limit.units, best_bundle) for k, limit in enumerate(limits)]
        covered_weight = problem.covered_weight(covered)
    chosen = set(prune(problem, chosen, objective))
    _add_bonuses(problem, limits, objective, chosen)
    return tuple(sorted(chosen))


def prune(problem: Problem, chosen: set[int], objective: Sequence[int]) -> tuple[int, ...]:
    """Drop, most expensive first, each achievement the plan still reaches the coverage without and that no other
    chosen achievement requires. Achievements with a negative objective are kept."""
    kept = set(chosen)
    for i in sorted(kept, key=lambda i: (-objective[i], -i)):
        if objective[i] < 0:
            continue
        if any(i in problem.prerequisites[other] for other in kept if other != i):
            continue
        mask = 0
        for other in kept:
            if other != i:
                mask |= problem.masks[other]
        if problem.covered_weight(mask) >= problem.need:
            kept.discard(i)
    return tuple(sorted(kept))


def _add_bonuses(problem: Problem, limits: Sequence[Limit], objective: Sequence[int], chosen: set[int]) -> None:
    """Add bundles whose total objective is negative while they fit the limits."""
    spent = [total(limit.units, list(chosen)) for limit in limits]
    for i in sorted(range(problem.size), key=lambda i: (objective[i], i)):
        if i in chosen or objective[i] >= 0:
            continue
        bundle = [i, *(p for p in problem.closure[i] if p not in chosen)]
        if total(objective, bundle) >= 0:
            continue
        cost = [total(limit.units, bundle) for limit in limits]
        if all(spent[k] + cost[k] <= limit.cap for k, limit in enumerate(limits)):
            chosen.update(bundle)
            spent = [s + c for s, c in zip(spent, cost, strict=True)]
