"""From a catalog, a learner and a target to a small integer problem the solvers share.

Steps (each keeps an optimal plan, so the optimum of the reduced problem is the optimum of the input):

1. Held achievements cost nothing, are never chosen again, and lend their skills to the learner (highest level).
2. Target skills the learner already has at the required level count as covered; the others are the gap.
3. An achievement is *available* when the filters accept it, it is not held, and each prerequisite is held or
   available (recursively; a prerequisite missing from the catalog and not held makes it unavailable).
4. *Useful* achievements cover some gap skill at the required level, or have a negative objective (a bonus from
   :attr:`PlanOptions.adjustments` makes them worth taking); the *candidates* are the useful ones and the unheld
   prerequisites in their closures.
5. A candidate A is *dominated* by B when B covers every gap skill A covers, B's prerequisite closure is within
   A's, B is no worse on the objective and on every limit (budget, deadline), A's objective is not negative, and
   A is no candidate's prerequisite. Replacing A by B keeps a plan feasible and no worse, so A is dropped (ties:
   keep the smaller id). Prerequisites only needed by dropped candidates go too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from credstack.planner.catalog import Catalog
from credstack.planner.model import Achievement, Learner, PlanOptions, Target
from credstack.planner.units import coverage_units, lexicographic, limit_units, objective_units

__all__ = ["Limit", "Problem", "build_problem", "drop_dominated"]

_EMPTY: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Limit:
    """``sum(units[i] for chosen i) <= cap``: the budget or the deadline, in integer units (see units.py)."""

    name: str
    units: tuple[int, ...]
    cap: int


@dataclass(frozen=True, eq=False)
class Problem:
    """The reduced problem. Candidates are indexed ``0..n-1`` (prerequisites first); gap skills ``0..m-1`` (bit
    ``j`` of a mask).

    ``weights[j]`` and ``need`` are integer coverage units: a plan is feasible when the weight of the gap skills it
    covers is at least ``need`` (``need <= 0``: the learner already qualifies) and it keeps every limit.
    ``prerequisites[i]`` are the direct unheld prerequisites of candidate ``i``, ``closure[i]`` the transitive
    ones; ``objective[i]`` is the integer objective (primary and tie-break in one number, see units.py).
    """

    achievements: tuple[Achievement, ...]
    masks: tuple[int, ...]
    prerequisites: tuple[tuple[int, ...], ...]
    closure: tuple[frozenset[int], ...]
    objective: tuple[int, ...]
    limits: tuple[Limit, ...]
    gap: tuple[str, ...]
    weights: tuple[int, ...]
    need: int
    learner_covered: tuple[str, ...]
    total_weight: int
    learner_weight: int
    reachable_mask: int

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

    def is_feasible(self, chosen: Iterable[int]) -> bool:
        """Coverage, prerequisites and limits hold for the candidate indices ``chosen``."""
        picked = set(chosen)
        mask = 0
        for i in picked:
            if not set(self.prerequisites[i]) <= picked:
                return False
            mask |= self.masks[i]
        if any(sum(limit.units[i] for i in picked) > limit.cap for limit in self.limits):
            return False
        return self.covered_weight(mask) >= self.need

    def restrict(self, keep: Iterable[int]) -> Problem:
        """The same problem over the candidates ``keep`` only (each with its prerequisites), re-indexed."""
        kept = sorted(set(keep))
        index = {old: new for new, old in enumerate(kept)}
        for old in kept:
            if any(p not in index for p in self.prerequisites[old]):
                raise ValueError("restrict() must keep the prerequisites of every kept candidate")
        return replace(
            self,
            achievements=tuple(self.achievements[i] for i in kept),
            masks=tuple(self.masks[i] for i in kept),
            prerequisites=tuple(tuple(index[p] for p in self.prerequisites[i]) for i in kept),
            closure=tuple(frozenset(index[p] for p in self.closure[i]) if self.closure[i] else _EMPTY for i in kept),
            objective=tuple(self.objective[i] for i in kept),
            limits=tuple(Limit(lim.name, tuple(lim.units[i] for i in kept), lim.cap) for lim in self.limits),
        )


def build_problem(
    catalog: Catalog | Sequence[Achievement],
    learner: Learner,
    target: Target,
    options: PlanOptions,
    *,
    reduce: bool = True,
) -> Problem:
    """Reduce the inputs to a :class:`Problem` (see the module docstring); a plain list is indexed first
    (:meth:`Catalog.of` refuses duplicate ids and prerequisite cycles). ``reduce=False`` keeps every available
    achievement (steps 4 and 5 skipped: the reference the tests check the reduction against)."""
    catalog = catalog if isinstance(catalog, Catalog) else Catalog.of(catalog)
    by_id, held = catalog.by_id, learner.held
    available = catalog.availability(held, options.filters)

    levels = dict(learner.skills)
    for held_id in held if learner.held_skills else ():
        if held_id in by_id:
            for uri, level in by_id[held_id].skills.items():
                if uri not in levels or level > levels[uri]:
                    levels[uri] = level
    all_weights, threshold = coverage_units([s.weight for s in target.skills], target.coverage)
    gap: list[str] = []
    weights: list[int] = []
    learner_covered: list[str] = []
    learner_weight = 0
    masks: dict[str, int] = {}
    for skill, weight in zip(target.skills, all_weights, strict=True):
        if skill.uri in levels and levels[skill.uri] >= skill.level:
            learner_covered.append(skill.uri)
            learner_weight += weight
            continue
        bit = 1 << len(gap)
        gap.append(skill.uri)
        weights.append(weight)
        for achievement_id, level in catalog.teaching.get(skill.uri, ()):
            if level >= skill.level and available(achievement_id):
                masks[achievement_id] = masks.get(achievement_id, 0) | bit
    reachable = 0
    for mask in masks.values():
        reachable |= mask

    if reduce:
        keep = set(masks)
        keep.update(i for i, v in options.adjustments.items() if v < 0 and i in by_id and available(i))
        for i in list(keep):
            keep.update(_ancestors(i, by_id, held))
    else:
        keep = {i for i in by_id if available(i)}
    ids = sorted(keep, key=catalog.rank.__getitem__)
    index = {achievement_id: n for n, achievement_id in enumerate(ids)}
    chosen = [by_id[i] for i in ids]
    prerequisites = tuple(tuple(index[p] for p in a.prerequisites if p not in held) for a in chosen)
    closure: list[frozenset[int]] = []
    for pres in prerequisites:
        closure.append(frozenset().union(*(closure[p] | {p} for p in pres)) if pres else _EMPTY)
    problem = Problem(
        achievements=tuple(chosen),
        masks=tuple(masks.get(i, 0) for i in ids),
        prerequisites=prerequisites,
        closure=tuple(closure),
        objective=tuple(_objective(chosen, options)),
        limits=tuple(_limits(chosen, learner)),
        gap=tuple(gap),
        weights=tuple(weights),
        need=threshold - learner_weight,
        learner_covered=tuple(learner_covered),
        total_weight=sum(all_weights),
        learner_weight=learner_weight,
        reachable_mask=reachable,
    )
    return drop_dominated(problem) if reduce else problem


def _ancestors(achievement_id: str, by_id: Mapping[str, Achievement], held: frozenset[str]) -> set[str]:
    out: set[str] = set()
    stack = [p for p in by_id[achievement_id].prerequisites if p not in held]
    while stack:
        p = stack.pop()
        if p not in out:
            out.add(p)
            stack.extend(q for q in by_id[p].prerequisites if q not in held)
    return out


def _objective(achievements: Sequence[Achievement], options: PlanOptions) -> list[int]:
    adjust = options.adjustments
    hours = [a.hours + adjust.get(a.id, 0.0) if options.minimize == "time" else a.hours for a in achievements]
    costs = [a.cost + adjust.get(a.id, 0.0) if options.minimize == "cost" else a.cost for a in achievements]
    if options.minimize == "time":
        return lexicographic(objective_units(hours), objective_units(costs))
    return lexicographic(objective_units(costs), objective_units(hours))


def _limits(achievements: Sequence[Achievement], learner: Learner) -> list[Limit]:
    limits = []
    if learner.budget is not None:
        units, cap = limit_units([a.cost for a in achievements], learner.budget)
        limits.append(Limit("budget", tuple(units), cap))
    hours_limit = learner.hours_limit
    if hours_limit is not None:
        units, cap = limit_units([a.hours for a in achievements], hours_limit)
        limits.append(Limit("hours", tuple(units), cap))
    return limits


def drop_dominated(problem: Problem) -> Problem:
    """Remove dominated candidates (module docstring, step 5), then candidates no longer useful or needed.

    B can only dominate A when it is no worse on the objective, so for each of A's gap skills the candidates
    covering it are scanned in objective order, only as far as A's own objective: near-linear in practice.
    """
    n = problem.size
    objective, masks, closure, limits = problem.objective, problem.masks, problem.closure, problem.limits
    is_prerequisite: set[int] = set()
    for i in range(n):
        is_prerequisite |= closure[i]

    def key(i: int) -> tuple[int, tuple[int, ...], str]:
        return (objective[i], tuple(limit.units[i] for limit in limits), problem.achievements[i].id)

    keys = [key(i) for i in range(n)]
    covering: dict[int, list[int]] = {}
    for i in range(n):
        mask, j = masks[i], 0
        while mask:
            if mask & 1:
                covering.setdefault(j, []).append(i)
            mask >>= 1
            j += 1
    for members in covering.values():
        members.sort(key=keys.__getitem__)
    dropped: set[int] = set()
    for a in range(n):
        mask_a = masks[a]
        if a in is_prerequisite or objective[a] < 0 or not mask_a:
            continue
        rarest = min((j for j in range(mask_a.bit_length()) if mask_a >> j & 1), key=lambda j: len(covering[j]))
        key_a = keys[a]
        for b in covering[rarest]:
            if keys[b] >= key_a:
                break
            if (
                masks[b] & mask_a == mask_a
                and objective[b] <= objective[a]
                and all(limit.units[b] <= limit.units[a] for limit in limits)
                and closure[b] <= closure[a]
            ):
                dropped.add(a)
                break
    if not dropped:
        return problem
    useful = [i for i in range(n) if i not in dropped and (masks[i] or objective[i] < 0)]
    keep = set(useful)
    for i in useful:
        keep |= closure[i]
    return problem.restrict(keep)
