"""``plan(catalog, learner, target, options)``: the optimiser's one entry point.

Reduce (problem.py), check the coverage can be reached at all, run the greedy rule (a plan and a hint), then CP-SAT
under the time limit; keep the better plan, say whether it is proven optimal, order it (prerequisites first, ties
by id) and schedule it at the learner's pace. When there is no plan, find the binding constraint: the coverage the
catalog cannot reach, the budget (the cheapest plan that reaches the coverage costs more), the deadline (the
shortest plan takes longer), the two together, or the time limit (nothing found, nothing proven).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from credstack.planner.catalog import Catalog
from credstack.planner.cpsat import solve_cpsat
from credstack.planner.greedy import greedy, total
from credstack.planner.lp import reduced_cost_keep
from credstack.planner.model import (
    Achievement,
    Infeasibility,
    Learner,
    Objective,
    Plan,
    PlanOptions,
    PlanResult,
    Step,
    Target,
)
from credstack.planner.problem import Problem, build_problem
from credstack.planner.units import as_decimal

__all__ = ["Solution", "plan", "solve_problem"]


@dataclass(frozen=True)
class Solution:
    """Chosen candidate indices (None: no plan), whether proven optimal, which solver answered and CP-SAT's
    status (``optimal``, ``feasible``, ``infeasible``, ``unknown`` or ``not run``)."""

    chosen: tuple[int, ...] | None
    optimal: bool
    solver: str
    status: str


def solve_problem(problem: Problem, options: PlanOptions) -> Solution:
    """Greedy (ranked by the objective, then by each limit), then CP-SAT unless ``options.solver == "greedy"``;
    the better plan wins (``solver == "cp-sat"``: only CP-SAT's plan, the greedy one serving as a hint). Before
    CP-SAT, candidates that alone (with their prerequisites) cost more than the greedy plan are dropped."""
    objective = problem.objective
    if problem.need <= 0 and all(c >= 0 for c in objective):
        return Solution((), True, "trivial", "not run")
    found = [greedy(problem)] + [greedy(problem, price=limit.units) for limit in problem.limits]
    plans = [c for c in found if c is not None]
    heuristic = min(plans, key=lambda c: (total(objective, c), c)) if plans else None
    if options.solver == "greedy" or problem.size == 0:
        return Solution(heuristic, False, "greedy", "not run")
    reduced, kept = problem, list(range(problem.size))
    if heuristic is not None and all(c >= 0 for c in objective):
        bound = total(objective, heuristic)
        kept = [i for i in kept if objective[i] + total(objective, problem.closure[i]) <= bound]
        reduced = problem.restrict(kept)
        position = {old: new for new, old in enumerate(kept)}
        fixed = reduced_cost_keep(reduced, bound, [position[i] for i in heuristic])
        if fixed is not None and len(fixed) < reduced.size:
            kept = [kept[i] for i in fixed]
            reduced = reduced.restrict(fixed)
    position = {old: new for new, old in enumerate(kept)}
    outcome = solve_cpsat(
        reduced,
        hint=None if heuristic is None else [position[i] for i in heuristic],
        time_limit=options.time_limit,
        workers=options.workers,
    )
    exact = None if outcome.chosen is None else tuple(kept[i] for i in outcome.chosen)
    if outcome.status == "optimal":
        return Solution(exact, True, "cp-sat", outcome.status)
    if outcome.status == "infeasible":
        return Solution(None, False, "cp-sat", outcome.status)
    if exact is not None and (heuristic is None or total(objective, exact) <= total(objective, heuristic)):
        return Solution(exact, False, "cp-sat", outcome.status)
    if options.solver == "cp-sat":
        return Solution(None, False, "cp-sat", outcome.status)
    return Solution(heuristic, False, "greedy", outcome.status)


def plan(
    catalog: Catalog | Sequence[Achievement], learner: Learner, target: Target, options: PlanOptions | None = None
) -> PlanResult:
    """The best plan closing ``learner``'s gap to ``target`` from ``catalog``, or the reason there is none.

    Pass a :class:`Catalog` when planning repeatedly over the same achievements (a list is indexed on each call).
    """
    options = options or PlanOptions()
    catalog = catalog if isinstance(catalog, Catalog) else Catalog.of(catalog)
    problem = build_problem(catalog, learner, target, options)
    if problem.covered_weight(problem.reachable_mask) < problem.need:
        filters = options.filters
        excluded = sum(1 for a in catalog.achievements if a.id not in learner.held and not filters.accepts(a))
        return PlanResult(None, _coverage_infeasibility(problem, target, excluded))
    solution = solve_problem(problem, options)
    if solution.chosen is not None:
        return PlanResult(_plan(problem, learner, solution), None)
    return PlanResult(None, _diagnose(catalog, learner, target, options, solution))


def _plan(problem: Problem, learner: Learner, solution: Solution) -> Plan:
    chosen = solution.chosen or ()
    order = _order(problem, chosen)
    mask = 0
    for i in chosen:
        mask |= problem.masks[i]
    steps = []
    hours_done = Fraction(0)
    pace = learner.hours_per_week
    for i in order:
        achievement = problem.achievements[i]
        covers = tuple(problem.gap[j] for j in range(len(problem.gap)) if problem.masks[i] >> j & 1)
        start = hours_done
        hours_done += as_decimal(achievement.hours)
        weeks = (
            (None, None) if pace is None else (float(start / as_decimal(pace)), float(hours_done / as_decimal(pace)))
        )
        steps.append(Step(achievement.id, achievement.hours, achievement.cost, covers, *weeks))
    covered = problem.learner_covered + tuple(problem.gap[j] for j in range(len(problem.gap)) if mask >> j & 1)
    weight = problem.learner_weight + problem.covered_weight(mask)
    return Plan(
        steps=tuple(steps),
        total_hours=float(sum((as_decimal(problem.achievements[i].hours) for i in chosen), Fraction(0))),
        total_cost=float(sum((as_decimal(problem.achievements[i].cost) for i in chosen), Fraction(0))),
        coverage=weight / problem.total_weight,
        covered=covered,
        optimal=solution.optimal,
        solver=solution.solver,
        weeks=None if pace is None else float(hours_done / as_decimal(pace)),
    )


def _order(problem: Problem, chosen: Sequence[int]) -> list[int]:
    """Prerequisites first; among the achievements ready at each point, the smallest id first."""
    picked = set(chosen)
    waiting = {i: sum(1 for p in problem.prerequisites[i] if p in picked) for i in picked}
    dependents: dict[int, list[int]] = {}
    for i in picked:
        for p in problem.prerequisites[i]:
            dependents.setdefault(p, []).append(i)
    ready = [(problem.achievements[i].id, i) for i, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, i = heapq.heappop(ready)
        order.append(i)
        for d in dependents.get(i, ()):
            waiting[d] -= 1
            if waiting[d] == 0:
                heapq.heappush(ready, (problem.achievements[d].id, d))
    return order


def percent(share: Fraction, *, below: Fraction | None = None) -> str:
    """``share`` as a percentage with as few decimals as needed (at most six). With ``below`` (a larger share) it
    is rounded *up*, with enough decimals to still read as less than ``below``: "at most 89.99%" stays true and
    never reads as the 90% it falls short of."""
    value = share * 100
    if below is None:
        places = next((p for p in range(6) if round(value, p) == value), 6)
        return _trim(f"{float(value):.{places}f}")
    limit = below * 100

    def up(places: int) -> Fraction:
        return Fraction(math.ceil(value * 10**places), 10**places)

    places = next((p for p in range(6) if up(p) < limit), 6)
    return _trim(f"{float(up(places)):.{places}f}")


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(value: float) -> str:
    return f"{value:,.2f}"


def hours(value: float) -> str:
    return _trim(f"{value:,.2f}") + (" hour" if value == 1 else " hours")


def _coverage_infeasibility(problem: Problem, target: Target, excluded: int) -> Infeasibility:
    best = Fraction(problem.learner_weight + problem.covered_weight(problem.reachable_mask), problem.total_weight)
    required = as_decimal(target.coverage)
    message = (
        f"no plan reaches {percent(required)}% coverage: the catalog covers at most "
        f"{percent(best, below=required)}% of the target weight"
    )
    missing = [problem.gap[j] for j in range(len(problem.gap)) if not problem.reachable_mask >> j & 1]
    if missing:
        named = {s.uri: s for s in target.skills}
        shown = ", ".join(f"{named[uri].label or uri} at level {named[uri].level:g}" for uri in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        message += f" (nothing available teaches {shown}{more})"
    if excluded:
        message += f"; the filters excluded {excluded} achievement(s)"
    return Infeasibility("coverage", message)


def _diagnose(
    catalog: Catalog, learner: Learner, target: Target, options: PlanOptions, solution: Solution
) -> Infeasibility:
    """The binding constraint when the limits leave no plan (the coverage itself is reachable)."""
    goal = f"{percent(as_decimal(target.coverage))}% coverage"
    if solution.status != "infeasible":
        within = []
        if learner.budget is not None:
            within.append(f"the budget of {money(learner.budget)}")
        if learner.hours_limit is not None:
            within.append(f"the limit of {hours(learner.hours_limit)}")
        return Infeasibility(
            "time_limit",
            f"no plan reaching {goal} within {' and '.join(within) or 'the limits'} was found in the "
            f"{options.time_limit:g} s time limit (none was proven impossible either); allow more time",
        )
    free = Learner(
        skills=learner.skills,
        held=learner.held,
        hours_per_week=learner.hours_per_week,
        held_skills=learner.held_skills,
    )
    budget_note = deadline_note = None
    if learner.budget is not None:
        budget_note = _over(catalog, free, target, options, "cost", goal, learner)
        if budget_note[1] or learner.hours_limit is None:
            return Infeasibility("budget", budget_note[0])
    if learner.hours_limit is not None:
        deadline_note = _over(catalog, free, target, options, "time", goal, learner)
        if deadline_note[1] or learner.budget is None:
            return Infeasibility("hours", deadline_note[0])
    return Infeasibility(
        "budget+hours",
        f"no plan reaching {goal} fits both the budget of {money(learner.budget or 0)} and the limit of "
        f"{hours(learner.hours_limit or 0)}; each alone can be met",
    )


def _over(
    catalog: Catalog,
    free: Learner,
    target: Target,
    options: PlanOptions,
    minimize: Objective,
    goal: str,
    learner: Learner,
) -> tuple[str, bool]:
    """The message for the budget (``cost``) or deadline (``time``) no plan fits, and whether the best plan with
    no limits is over it (False: it fits, so only the two limits together bind; not found counts as over)."""
    unlimited = replace(options, minimize=minimize, adjustments={})
    best = plan(catalog, free, target, unlimited).plan
    if minimize == "cost":
        cap, amount_of, what = learner.budget or 0.0, (lambda p: p.total_cost), "cheapest"
        cap_text = f"the budget of {money(cap)}"
    else:
        cap, amount_of, what = learner.hours_limit or 0.0, (lambda p: p.total_hours), "shortest"
        pace = f"{learner.max_weeks:g} weeks at {learner.hours_per_week:g} hours a week"
        cap_text = f"the limit of {hours(cap)} ({pace})"
    if best is None:
        return f"no plan reaching {goal} fits {cap_text}", True
    amount = amount_of(best)
    if as_decimal(amount) <= as_decimal(cap):
        return f"no plan reaching {goal} fits {cap_text}", False
    found = f"{what} plan" if best.optimal else f"{what} plan found"
    verb = f"costs {money(amount)}" if minimize == "cost" else f"takes {hours(amount)}"
    return f"the {found} reaching {goal} {verb}, over {cap_text}", True
