"""From a catalog, a learner and a target to a small integer problem the solvers share.

Steps (each keeps every optimal plan, so the optimum of the reduced problem is the optimum of the input):

1. Held achievements cost nothing, are never chosen again, and lend their skills to the learner (highest level).
2. Target skills the learner already has at the required level count as covered; the others are the gap.
3. An achievement is *available* when the filters accept it, it is not held, and each prerequisite is held or
   available (recursively; a prerequisite missing from the catalog and not held makes it unavailable).
4. *Useful* achievements cover some gap skill at the required level, or have a negative primary objective (a bonus
   from :attr:`PlanOptions.adjustments` makes them worth taking); the *candidates* are the useful ones and the
   unheld prerequisites in their closures.
5. A candidate A is *dominated* by B when B covers every gap skill A covers, B's prerequisite closure is within
   A's, B is no worse on hours, cost and the primary objective, A's primary objective is not negative, and A is no
   candidate's prerequisite. Replacing A by B keeps a plan feasible and no worse, so A is dropped (ties: keep the
   smaller id). Prerequisites that were only needed by dropped candidates go too.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from credstack.errors import InvalidInputError
from credstack.planner.model import Achievement, Learner, PlanOptions, Target
from credstack.planner.units import coverage_units, objective_units

__all__ = ["Problem", "build_problem", "prerequisite_cycle"]


@dataclass(frozen=True, eq=False)
class Problem:
    """The reduced problem. Candidates are indexed ``0..n-1``; gap skills ``0..m-1`` (bit ``j`` of a mask).

    ``weights[j]`` and ``need`` are integer coverage units: a plan is feasible when the weight of the gap skills it
    covers is at least ``need`` (``need <= 0``: the learner already qualifies). ``prerequisites[i]`` are the direct
    unheld prerequisites of candidate ``i`` (candidate indices), ``closure[i]`` the transitive ones.
    """

    achievements: tuple[Achievement, ...]
    masks: tuple[int, ...]
    prerequisites: tuple[tuple[int, ...], ...]
    closure: tuple[frozenset[int], ...]
    primary: tuple[int, ...]
    secondary: tuple[int, ...]
    gap: tuple[str, ...]
    weights: tuple[int, ...]
    need: int
    learner_covered: tuple[str, ...]
    total_weight: int
    learner_weight: int
    reachable_mask: int
    available: int
    filtered_out: int

    @property
    def size(self) -> int:
        return len(self.achievements)

    def covered_weight(self, mask: int) -> int:
        """Coverage units of the gap skills in ``mask``."""
        total, j = 0, 0
        while mask:
            if mask & 1:
                total += self.weights[j]
            mask >>= 1
            j += 1
        return total

    def is_feasible(
        self, chosen: Sequence[int], *, costs: Sequence[int] | None = None, limit: int | None = None
    ) -> bool:
        """Coverage and prerequisites hold for ``chosen`` (and ``sum(costs[i]) <= limit`` when given)."""
        picked = set(chosen)
        mask = 0
        for i in picked:
            if not set(self.prerequisites[i]) <= picked:
                return False
            mask |= self.masks[i]
        if costs is not None and limit is not None and sum(costs[i] for i in picked) > limit:
            return False
        return self.covered_weight(mask) >= self.need


def prerequisite_cycle(catalog: Sequence[Achievement]) -> list[str] | None:
    """A prerequisite cycle among catalog entries (``[a, b, a]``), or None. Prerequisites outside the catalog are
    not followed."""
    by_id = {a.id: a for a in catalog}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in by_id:
        if state.get(root):
            continue
        path: list[str] = [root]
        iters = [iter(by_id[root].prerequisites)]
        state[root] = 1
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                iters.pop()
                continue
            if nxt not in by_id or state.get(nxt) == 2:
                continue
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            state[nxt] = 1
            path.append(nxt)
            iters.append(iter(by_id[nxt].prerequisites))
    return None


def _check_catalog(catalog: Sequence[Achievement]) -> dict[str, Achievement]:
    by_id: dict[str, Achievement] = {}
    for achievement in catalog:
        if achievement.id in by_id:
            raise InvalidInputError(f"the catalog lists achievement {achievement.id} twice")
        by_id[achievement.id] = achievement
    cycle = prerequisite_cycle(catalog)
    if cycle is not None:
        raise InvalidInputError("prerequisite cycle in the catalog: " + " -> ".join(cycle))
    return by_id


def _topological(by_id: dict[str, Achievement]) -> list[str]:
    """Every catalog id, prerequisites first (Kahn's algorithm, ties by id; the catalog has no cycle)."""
    waiting = {i: sum(1 for p in a.prerequisites if p in by_id) for i, a in by_id.items()}
    dependents: dict[str, list[str]] = {}
    for i, a in by_id.items():
        for p in a.prerequisites:
            if p in by_id:
                dependents.setdefault(p, []).append(i)
    ready = [i for i, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for d in dependents.get(i, ()):
            waiting[d] -= 1
            if waiting[d] == 0:
                heapq.heappush(ready, d)
    return order


def _available(by_id: dict[str, Achievement], learner: Learner, options: PlanOptions) -> tuple[list[str], int]:
    """Available ids in a topological order (prerequisites first), and how many the filters removed."""
    held = learner.held
    accepted = {i for i, a in by_id.items() if i not in held and options.filters.accepts(a)}
    filtered_out = sum(1 for i in by_id if i not in held) - len(accepted)
    available: set[str] = set()
    order = []
    for i in _topological(by_id):
        if i in accepted and all(p in held or p in available for p in by_id[i].prerequisites):
            available.add(i)
            order.append(i)
    return order, filtered_out


def build_problem(catalog: Sequence[Achievement], learner: Learner, target: Target, options: PlanOptions) -> Problem:
    """Reduce the inputs to a :class:`Problem` (see the module docstring); raises InvalidInputError for a catalog
    with duplicate ids or a prerequisite cycle."""
    by_id = _check_catalog(catalog)
    levels = dict(learner.skills)
    for held_id in learner.held:
        held = by_id.get(held_id)
        for uri, level in held.skills.items() if held else ():
            if uri not in levels or level > levels[uri]:
                levels[uri] = level
    all_weights, threshold = coverage_units([s.weight for s in target.skills], target.coverage)
    gap_index: dict[str, int] = {}
    gap_levels: list[float] = []
    gap: list[str] = []
    weights: list[int] = []
    learner_covered: list[str] = []
    learner_weight = 0
    for skill, weight in zip(target.skills, all_weights, strict=True):
        if skill.uri in levels and levels[skill.uri] >= skill.level:
            learner_covered.append(skill.uri)
            learner_weight += weight
        else:
            gap_index[skill.uri] = len(gap)
            gap.append(skill.uri)
            gap_levels.append(skill.level)
            weights.append(weight)
    order, filtered_out = _available(by_id, learner, options)
    primary_of = _primary(order, by_id, options)
    masks: dict[str, int] = {}
    for achievement_id in order:
        mask = 0
        for uri, level in by_id[achievement_id].skills.items():
            j = gap_index.get(uri)
            if j is not None and level >= gap_levels[j]:
                mask |= 1 << j
        masks[achievement_id] = mask
    reachable = 0
    for mask in masks.values():
        reachable |= mask
    closure = _closures(order, by_id, learner.held)
    useful = [i for i in order if masks[i] or primary_of[i] < 0]
    keep = _with_closures(useful, closure)
    keep = _drop_dominated(keep, masks, closure, primary_of, by_id)
    keep = _with_closures([i for i in keep if masks[i] or primary_of[i] < 0], closure)
    ids = [i for i in order if i in keep]  # topological order (prerequisites first)
    index = {achievement_id: n for n, achievement_id in enumerate(ids)}
    secondary_values = [by_id[i].cost if options.minimize == "time" else by_id[i].hours for i in ids]
    return Problem(
        achievements=tuple(by_id[i] for i in ids),
        masks=tuple(masks[i] for i in ids),
        prerequisites=tuple(
            tuple(index[p] for p in by_id[i].prerequisites if p not in learner.held and p in index) for i in ids
        ),
        closure=tuple(frozenset(index[p] for p in closure[i]) for i in ids),
        primary=tuple(objective_units([primary_of[i] for i in ids])),
        secondary=tuple(objective_units(secondary_values)),
        gap=tuple(gap),
        weights=tuple(weights),
        need=threshold - learner_weight,
        learner_covered=tuple(learner_covered),
        total_weight=sum(all_weights),
        learner_weight=learner_weight,
        reachable_mask=reachable,
        available=len(order),
        filtered_out=filtered_out,
    )


def _primary(order: list[str], by_id: dict[str, Achievement], options: PlanOptions) -> dict[str, float]:
    out = {}
    for i in order:
        base = by_id[i].hours if options.minimize == "time" else by_id[i].cost
        out[i] = base + options.adjustments.get(i, 0.0)
    return out


def _closures(order: list[str], by_id: dict[str, Achievement], held: frozenset[str]) -> dict[str, frozenset[str]]:
    """Transitive unheld prerequisites of each available achievement (``order`` lists prerequisites first)."""
    closure: dict[str, frozenset[str]] = {}
    for i in order:
        acc: set[str] = set()
        for pre in by_id[i].prerequisites:
            if pre not in held:
                acc.add(pre)
                acc |= closure[pre]
        closure[i] = frozenset(acc)
    return closure


def _with_closures(ids: list[str], closure: dict[str, frozenset[str]]) -> set[str]:
    out = set(ids)
    for i in ids:
        out |= closure[i]
    return out


def _drop_dominated(
    keep: set[str],
    masks: dict[str, int],
    closure: dict[str, frozenset[str]],
    primary: dict[str, float],
    by_id: dict[str, Achievement],
) -> set[str]:
    """Remove dominated candidates (module docstring, step 5). Candidates B that may dominate A are looked up
    among those covering A's rarest gap skill, so the work stays near-linear."""
    is_prerequisite: set[str] = set()
    for i in keep:
        is_prerequisite |= closure[i]
    covering: dict[int, list[str]] = {}
    for i in keep:
        mask, j = masks[i], 0
        while mask:
            if mask & 1:
                covering.setdefault(j, []).append(i)
            mask >>= 1
            j += 1

    def key(i: str) -> tuple[float, float, float, str]:
        a = by_id[i]
        return (primary[i], a.hours, a.cost, i)

    dropped: set[str] = set()
    for a_id in sorted(keep, key=key, reverse=True):
        mask_a = masks[a_id]
        if a_id in is_prerequisite or primary[a_id] < 0 or not mask_a:
            continue
        bits = [j for j in range(mask_a.bit_length()) if mask_a >> j & 1]
        rarest = min(bits, key=lambda j: len(covering[j]))
        a = by_id[a_id]
        key_a = key(a_id)
        for b_id in covering[rarest]:
            if b_id == a_id or b_id in dropped:
                continue
            b = by_id[b_id]
            if (
                masks[b_id] & mask_a == mask_a
                and primary[b_id] <= primary[a_id]
                and b.hours <= a.hours
                and b.cost <= a.cost
                and closure[b_id] <= closure[a_id]
                and key(b_id) < key_a
            ):
                dropped.add(a_id)
                break
    return keep - dropped
