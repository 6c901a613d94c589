"""The cheapest set of achievements that would complete a qualification, by price or by hours.

Each candidate is a catalog achievement the tree can use (its achievement nodes, achievements aligned to its
alignment nodes, achievements that pass a credits filter, and their prerequisites), with a known cost. A planned
candidate is evaluated as a fresh credential earned at ``at`` from the catalog's issuer, worth the catalog's
credits and passing its result thresholds (the plan assumes the learner passes). Achievements that are the award of
a qualification are not candidates: they are earned by completing their tree.

Method:

1. If even every candidate together does not complete the tree, the answer is ``feasible=False`` with the nodes
   that stay unmet.
2. Greedy: repeatedly add the candidate (with any missing prerequisites) with the largest gain in progress per unit
   of cost, then drop what is no longer needed, most expensive first. Always feasible.
3. Exact branch and bound (candidates by cost, include/exclude, pruned by the best cost so far and by "even all the
   remaining candidates would not complete it"), seeded with the greedy answer. When it finishes within
   ``max_evaluations`` tree evaluations the answer is optimal (``exact=True``).
4. Otherwise (large trees) the tree is solved as a CP-SAT model (``_cpsat``), re-checked with the evaluator; if
   CP-SAT proves optimality in the time limit the answer is exact, else the best feasible set found is returned
   with ``exact=False``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from credstack.errors import InvalidInputError
from credstack.stacking._compile import ACH, ALIGN, CRED, CNode
from credstack.stacking.evaluate import Evaluator
from credstack.stacking.facts import AchievementInfo, CredentialFact, ResultFact
from credstack.stacking.model import CreditFilter
from credstack.stacking.validate import info_matches_filter

__all__ = ["RemainingPlan", "cheapest_remaining"]

_EPS = 1e-9
_GREEDY_LIMIT = 120


@dataclass(frozen=True)
class RemainingPlan:
    """What is left to earn, prerequisites first, then cheapest first. ``method`` is ``"none-needed"``,
    ``"exact"`` (proven optimal), ``"heuristic"`` (feasible, not proven optimal) or ``"infeasible"``; ``reason``
    says how the answer was found."""

    achievement_ids: tuple[str, ...]
    total: float
    by: str
    feasible: bool
    exact: bool
    method: str
    candidates: int
    evaluations: int
    reason: str


def _planned(info: AchievementInfo, at: datetime) -> CredentialFact:
    results = []
    for spec in info.results:
        if spec.allowed_values:
            results.append(ResultFact(spec.id, spec.allowed_values[-1], spec.name))
        elif spec.value_max is not None:
            results.append(ResultFact(spec.id, spec.value_max, spec.name))
    return CredentialFact(
        credential_id=f"planned:{info.id}",
        achievement_id=info.id,
        issuer_id=info.issuer_id or "planned",
        earned=at,
        credits=info.credits,
        level=info.level,
        alignments=info.alignments,
        skill_areas=info.skill_areas,
        tags=info.tags,
        results=tuple(results),
    )


def _candidate_ids(evaluator: Evaluator) -> set[str]:
    catalog = evaluator.catalog
    awards = {q.award_achievement_id for q in catalog.qualifications.values()}
    wanted: set[str] = set()
    nodes: list[CNode] = evaluator.nodes
    for node in nodes:
        if node.kind == ACH:
            wanted.update(aid for aid in node.accept if aid in catalog.achievements)
        elif node.kind == ALIGN:
            uri = next(iter(node.accept))
            wanted.update(info.id for info in catalog.achievements.values() if uri in info.alignments)
        elif node.kind == CRED:
            flt = CreditFilter(
                achievement_ids=node.f_ids or frozenset(),
                skills=node.f_skills or frozenset(),
                skill_areas=node.f_areas or frozenset(),
                providers=node.f_providers or frozenset(),
                tags=node.f_tags or frozenset(),
                min_level=node.f_min,
                max_level=node.f_max,
            )
            wanted.update(info.id for info in catalog.achievements.values() if info_matches_filter(info, flt))
    prereqs: dict[str, set[str]] = {}
    for node in nodes:
        for after, befores in node.prereqs.items():
            prereqs.setdefault(after, set()).update(befores)
    stack = list(wanted)
    while stack:
        for before in prereqs.get(stack.pop(), ()):
            if before not in wanted and before in catalog.achievements:
                wanted.add(before)
                stack.append(before)
    return wanted - awards


class _Search:
    def __init__(self, evaluator: Evaluator, held: Sequence[CredentialFact], at: datetime, max_evaluations: int):
        self.evaluator = evaluator
        self.held = list(held)
        self.at = at
        self.evaluations = 0
        self.max_evaluations = max_evaluations
        self.planned: dict[str, CredentialFact] = {}

    def status(self, chosen: Iterable[str]) -> tuple[bool, float]:
        self.evaluations += 1
        facts = self.held + [self.planned[aid] for aid in chosen]
        return self.evaluator.status(facts, at=self.at)


def cheapest_remaining(
    evaluator: Evaluator,
    facts: Iterable[CredentialFact],
    *,
    at: datetime,
    by: str = "price",
    max_evaluations: int = 1_000,
    cp_sat: bool = True,
    time_limit: float = 5.0,
) -> RemainingPlan:
    """The cheapest set of catalog achievements that completes ``evaluator``'s qualification for this learner.

    When the branch and bound runs out of ``max_evaluations`` and ``cp_sat`` is on, the CP-SAT model of the tree
    (OR-Tools, at most ``time_limit`` seconds) is solved; its answer is re-checked with the evaluator and kept if it
    is no dearer.
    """
    if by not in ("price", "hours"):
        raise InvalidInputError(f"cost must be 'price' or 'hours', not {by!r}")
    search = _Search(evaluator, tuple(facts), at, max_evaluations)
    satisfied, _ = search.status(())
    if satisfied:
        return RemainingPlan((), 0.0, by, True, True, "none-needed", 0, search.evaluations, "already complete")
    catalog = evaluator.catalog
    costs: dict[str, float] = {}
    uncosted = []
    for aid in sorted(_candidate_ids(evaluator)):
        info = catalog.achievements[aid]
        cost = info.price if by == "price" else info.hours
        if cost is None:
            uncosted.append(aid)
            continue
        costs[aid] = float(cost)
        search.planned[aid] = _planned(info, at)
    prereqs: dict[str, set[str]] = {}
    for node in evaluator.nodes:
        for after, befores in node.prereqs.items():
            prereqs.setdefault(after, set()).update(b for b in befores if b in costs)
    # Drop candidates that change nothing on their own and take no part in a prerequisite rule: whatever else is
    # added, they still change nothing (every node's rule is monotone and per-credential).
    base = evaluator.node_states(search.held, at=at)
    in_rules = set(prereqs) | {before for befores in prereqs.values() for before in befores}
    for aid in list(costs):
        if aid not in in_rules and evaluator.node_states([*search.held, search.planned[aid]], at=at) == base:
            del costs[aid]
    everything = sorted(costs, key=lambda a: (costs[a], a))
    ok, _ = search.status(everything)
    if not ok:
        progress = evaluator.progress([*search.held, *(search.planned[a] for a in everything)], at=at)
        unmet = "; ".join(f"{n.path}: {n.reason}" for n in progress.missing) or "the requirements"
        note = f" ({len(uncosted)} achievement(s) have no {by})" if uncosted else ""
        return RemainingPlan(
            (),
            0.0,
            by,
            False,
            False,
            "infeasible",
            len(costs),
            search.evaluations,
            f"cannot be completed{note}: {unmet}",
        )
    if len(everything) <= _GREEDY_LIMIT or not cp_sat:
        seed = _greedy(search, costs, prereqs, everything)
    else:  # the greedy pass costs n^2 evaluations: start from "everything, pruned" and leave the rest to CP-SAT
        seed = _prune(search, costs, set(everything))
    chosen, exact = _branch_and_bound(search, costs, everything, seed)
    how = f"optimal over {len(everything)} candidates (branch and bound, {search.evaluations} evaluations)"
    if not exact:
        how = f"greedy and a partial branch and bound over {len(everything)} candidates; not proven optimal"
        if cp_sat:
            chosen, exact, how = _with_cp_sat(search, costs, chosen, how, time_limit)
    total = sum(costs[a] for a in chosen)
    method = "exact" if exact else "heuristic"
    ordered = _in_order(chosen, prereqs, costs)
    return RemainingPlan(ordered, total, by, True, exact, method, len(everything), search.evaluations, how)


def _in_order(chosen: list[str], prereqs: dict[str, set[str]], costs: dict[str, float]) -> tuple[str, ...]:
    """Prerequisites before what needs them; otherwise cheapest first."""
    picked = set(chosen)
    levels: dict[str, int] = {}

    def level(aid: str, trail: frozenset[str]) -> int:
        if aid not in levels:
            befores = [b for b in prereqs.get(aid, ()) if b in picked and b not in trail]
            levels[aid] = 1 + max((level(b, trail | {aid}) for b in befores), default=-1)
        return levels[aid]

    return tuple(sorted(chosen, key=lambda a: (level(a, frozenset()), costs[a], a)))


def _with_cp_sat(
    search: _Search, costs: dict[str, float], chosen: list[str], how: str, time_limit: float
) -> tuple[list[str], bool, str]:
    """Try the CP-SAT model; keep its answer when the evaluator confirms it and it is no dearer."""
    from credstack.stacking._cpsat import solve_cpsat

    result = solve_cpsat(search.evaluator, search.held, search.planned, costs, search.at, time_limit)
    if result is None:
        return chosen, False, how + "; CP-SAT found nothing in time"
    found, optimal = result
    if not search.status(found)[0] or sum(costs[a] for a in found) > sum(costs[a] for a in chosen) + _EPS:
        return chosen, False, how + "; the CP-SAT answer was not better"
    if optimal:
        return found, True, f"optimal over {len(costs)} candidates (CP-SAT, costs to 1/100)"
    return found, False, f"best found by CP-SAT in {time_limit:g} s over {len(costs)} candidates; not proven optimal"


def _closure(aid: str, chosen: set[str], prereqs: dict[str, set[str]]) -> set[str]:
    bundle = {aid}
    stack = [aid]
    while stack:
        for before in prereqs.get(stack.pop(), ()):
            if before not in bundle and before not in chosen:
                bundle.add(before)
                stack.append(before)
    return bundle


def _greedy(search: _Search, costs: dict[str, float], prereqs: dict[str, set[str]], everything: list[str]) -> list[str]:
    chosen: set[str] = set()
    satisfied, fraction = search.status(chosen)
    while not satisfied:
        best: tuple[float, float, str] | None = None
        best_bundle: set[str] = set()
        best_state = (False, fraction)
        for aid in everything:
            if aid in chosen:
                continue
            bundle = _closure(aid, chosen, prereqs)
            state = search.status(chosen | bundle)
            gain = state[1] - fraction + (1.0 if state[0] else 0.0)
            if gain <= _EPS:
                continue
            cost = sum(costs[a] for a in bundle)
            key = (gain / cost if cost > 0 else float("inf"), -cost, aid)
            if best is None or key[:2] > best[:2]:
                best, best_bundle, best_state = key, bundle, state
        if best is None:  # no single step shows progress: take everything, the prune below trims it
            chosen = set(everything)
            break
        chosen |= best_bundle
        satisfied, fraction = best_state
    return _prune(search, costs, chosen)


def _prune(search: _Search, costs: dict[str, float], chosen: set[str]) -> list[str]:
    """Drop, most expensive first, every achievement the tree can do without."""
    for aid in sorted(chosen, key=lambda a: (-costs[a], a)):
        if search.status(chosen - {aid})[0]:
            chosen.discard(aid)
    return sorted(chosen)


def _branch_and_bound(
    search: _Search, costs: dict[str, float], everything: list[str], seed: list[str]
) -> tuple[list[str], bool]:
    best = list(seed)
    best_cost = sum(costs[a] for a in seed)
    order = everything
    n = len(order)
    exhausted = False

    def visit(i: int, chosen: list[str], cost: float) -> None:
        nonlocal best, best_cost, exhausted
        if exhausted or cost >= best_cost - _EPS:
            return
        if search.evaluations >= search.max_evaluations:
            exhausted = True
            return
        if search.status(chosen)[0]:
            best, best_cost = list(chosen), cost
            return
        if i >= n or cost + costs[order[i]] >= best_cost - _EPS:
            return
        if not search.status(chosen + order[i:])[0]:
            return
        chosen.append(order[i])
        visit(i + 1, chosen, cost + costs[order[i]])
        chosen.pop()
        visit(i + 1, chosen, cost)

    visit(0, [], 0.0)
    return best, not exhausted
