"""The greedy fallback: weighted set cover by cost-effectiveness, then a redundancy-pruning pass.

Each round takes the *bundle* (a candidate with its prerequisites not chosen yet) with the lowest price per unit of
newly covered weight that still fits every limit, until the coverage is reached. Scores only grow as coverage
grows, so stale scores are lower bounds and are re-evaluated lazily from a heap (a bundle only gets cheaper when one
of its prerequisites is chosen; those are re-scored at once). Pruning then removes, most expensive first, every
chosen achievement the plan can do without (coverage still reached, no chosen achievement needs it). Bundles with
a negative objective (a bonus) are added at the end when they fit. Never claimed optimal; CP-SAT starts from it.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence

from credstack.planner.problem import Problem

__all__ = ["greedy", "prune", "total"]


def total(values: Sequence[int], chosen: Iterable[int]) -> int:
    return sum(values[i] for i in chosen)


def greedy(problem: Problem, price: Sequence[int] | None = None) -> tuple[int, ...] | None:
    """A feasible plan (sorted candidate indices) or None when the greedy rule runs into a limit or out of
    candidates. ``price`` ranks bundles (default: the objective)."""
    objective, limits, masks = problem.objective, problem.limits, problem.masks
    price = objective if price is None else price
    chosen: set[int] = set()
    covered = 0
    spent = [0] * len(limits)
    dependents: dict[int, list[int]] = {}
    for i in range(problem.size):
        for p in problem.closure[i]:
            dependents.setdefault(p, []).append(i)

    def score(i: int) -> tuple[float, float, int, list[int]] | None:
        bundle = [i, *(p for p in problem.closure[i] if p not in chosen)]
        new = 0
        for b in bundle:
            new |= masks[b]
        gain = problem.covered_weight(new & ~covered)
        if not gain:
            return None
        for k, limit in enumerate(limits):
            if spent[k] + total(limit.units, bundle) > limit.cap:
                return None
        return total(price, bundle) / gain, total(objective, bundle) / gain, i, bundle

    heap = [s for s in map(score, range(problem.size)) if s is not None]
    heapq.heapify(heap)
    while problem.covered_weight(covered) < problem.need:
        pick = None
        while heap:
            entry = heapq.heappop(heap)
            if entry[2] in chosen:
                continue
            current = score(entry[2])
            if current is None:
                continue
            if not heap or current[:3] <= heap[0][:3]:
                pick = current
                break
            heapq.heappush(heap, current)
        if pick is None:
            return None
        bundle = pick[3]
        for b in bundle:
            chosen.add(b)
            covered |= masks[b]
        spent = [spent[k] + total(limit.units, bundle) for k, limit in enumerate(limits)]
        for b in bundle:
            for d in dependents.get(b, ()):
                if d not in chosen:
                    fresh = score(d)
                    if fresh is not None:
                        heapq.heappush(heap, fresh)
    kept = set(prune(problem, chosen))
    _add_bonuses(problem, kept)
    return tuple(sorted(kept))


def prune(problem: Problem, chosen: Iterable[int]) -> tuple[int, ...]:
    """Drop, most expensive first, each achievement the plan still reaches the coverage without and that no other
    chosen achievement requires. Achievements with a negative objective are kept."""
    objective = problem.objective
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


def _add_bonuses(problem: Problem, chosen: set[int]) -> None:
    """Add bundles whose total objective is negative while they fit the limits."""
    objective, limits = problem.objective, problem.limits
    spent = [total(limit.units, chosen) for limit in limits]
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
