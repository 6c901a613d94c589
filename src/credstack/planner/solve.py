"""``plan(catalog, learner, target, options)``: the optimiser's one entry point.

Reduce (problem.py), check the coverage can be reached at all, run the greedy rule (a plan and a hint), then CP-SAT
under the time limit; keep the better plan, say whether it is proven optimal, order it (prerequisites first, ties
by id) and schedule it at the learner's pace. When there is no plan, find the binding constraint: the coverage the
catalog cannot reach, the budget (the cheapest plan that reaches the coverage costs more), the deadline (the
shortest plan takes longer), the two together, or the time limit (nothing found, nothing proven).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from credstack.planner.cpsat import solve_cpsat
from credstack.planner.greedy import Limit, greedy, total
from credstack.planner.model import Achievement, Infeasibility, Learner, Plan, PlanOptions, PlanResult, Step, Target
from credstack.planner.problem import Problem, build_problem
from credstack.planner.units import as_decimal, lexicographic, limit_units, objective_units

__all__ = ["Solution", "limits_for", "objective_for", "plan", "solve_problem"]


@dataclass(frozen=True)
class Solution:
    """Chosen candidate indices (None: no plan), whether proven optimal, which solver answered and CP-SAT's
    status (``optimal``, ``feasible``, ``infeasible``, ``unknown`` or ``not run``)."""

    chosen: tuple[int, ...] | None
    optimal: bool
    solver: str
    status: str


def limits_for(problem: Problem, learner: Learner) -> list[Limit]:
    """The budget and the deadline as integer limits over the candidates (conservative rounding)."""
    limits = []
    if learner.budget is not None:
        units, cap = limit_units([a.cost for a in problem.achievements], learner.budget)
        limits.append(Limit("budget", tuple(units), cap))
    hours_limit = learner.hours_limit
    if hours_limit is not None:
        units, cap = limit_units([a.hours for a in problem.achievements], hours_limit)
        limits.append(Limit("hours", tuple(units), cap))
    return limits


def objective_for(problem: Problem, minimize: str | None = None) -> list[int]:
    """Per-candidate integer objective: the problem's own (with adjustments) or plain ``time``/``cost``."""
    if minimize is None:
        return lexicographic(problem.primary, problem.secondary)
    hours = objective_units([a.hours for a in problem.achievements])
    costs = objective_units([a.cost for a in problem.achievements])
    return lexicographic(hours, costs) if minimize == "time" else lexicographic(costs, hours)


def solve_problem(
    problem: Problem, limits: Sequence[Limit], objective: Sequence[int], options: PlanOptions
) -> Solution:
    """Greedy, then CP-SAT unless ``options.solver == "greedy"``; the better plan wins."""
    if problem.need <= 0 and all(c >= 0 for c in objective):
        return Solution((), True, "trivial", "not run")
    candidates = [greedy(problem, limits, objective)]
    for limit in limits:
        candidates.append(greedy(problem, limits, objective, price=limit.units))
    found = [c for c in candidates if c is not None]
    heuristic = min(found, key=lambda c: (total(objective, c), c)) if found else None
    if options.solver == "greedy" or problem.size == 0:
        return Solution(heuristic, False, "greedy", "not run")
    outcome = solve_cpsat(
        problem, limits, objective, hint=heuristic, time_limit=options.time_limit, workers=options.workers
    )
    if outcome.status == "optimal":
        return Solution(outcome.chosen, True, "cp-sat", outcome.status)
    if outcome.status == "infeasible":
        return Solution(None, False, "cp-sat", outcome.status)
    if outcome.chosen is not None and (
        heuristic is None or total(objective, outcome.chosen) <= total(objective, heuristic)
    ):
        return Solution(outcome.chosen, False, "cp-sat", outcome.status)
    return Solution(heuristic, False, "greedy", outcome.status)


def plan(
    catalog: Sequence[Achievement], learner: Learner, target: Target, options: PlanOptions | None = None
) -> PlanResult:
    """The best plan closing ``learner``'s gap to ``target`` from ``catalog``, or the reason there is none."""
    options = options or PlanOptions()
    problem = build_problem(catalog, learner, target, options)
    if problem.covered_weight(problem.reachable_mask) < problem.need:
        return PlanResult(None, _coverage_infeasibility(problem, target))
    limits = limits_for(problem, learner)
    solution = solve_problem(problem, limits, objective_for(problem), options)
    if solution.chosen is not None:
        return PlanResult(_plan(problem, learner, solution), None)
    return PlanResult(None, _diagnose(problem, learner, target, options, limits, solution))


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


def percent(share: Fraction, *, floor_below: Fraction | None = None) -> str:
    """``share`` as a percentage with as few decimals as needed; with ``floor_below`` it is rounded down, with
    enough decimals to read as less than that share."""
    value = share * 100
    if floor_below is None:
        places = next((p for p in range(6) if round(value, p) == value), 6)
        return _trim(f"{float(value):.{places}f}")
    limit = floor_below * 100
    places = next((p for p in range(6) if Fraction(int(value * 10**p), 10**p) < limit), 6)
    return _trim(f"{float(Fraction(int(value * 10**places), 10**places)):.{places}f}")


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def money(value: float) -> str:
    return f"{value:,.2f}"


def hours(value: float) -> str:
    return _trim(f"{value:,.2f}") + (" hour" if value == 1 else " hours")


def _coverage_infeasibility(problem: Problem, target: Target) -> Infeasibility:
    best = Fraction(problem.learner_weight + problem.covered_weight(problem.reachable_mask), problem.total_weight)
    required = as_decimal(target.coverage)
    message = (
        f"no plan reaches {percent(required)}% coverage: the catalog covers at most "
        f"{percent(best, floor_below=required)}% of the target weight"
    )
    missing = [problem.gap[j] for j in range(len(problem.gap)) if not problem.reachable_mask >> j & 1]
    if missing:
        levels = {s.uri: s.level for s in target.skills}
        shown = ", ".join(f"{uri} at level {levels[uri]:g}" for uri in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        message += f" (nothing available teaches {shown}{more})"
    if problem.filtered_out:
        message += f"; the filters excluded {problem.filtered_out} achievement(s)"
    return Infeasibility("coverage", message)


def _diagnose(
    problem: Problem,
    learner: Learner,
    target: Target,
    options: PlanOptions,
    limits: Sequence[Limit],
    solution: Solution,
) -> Infeasibility:
    goal = f"{percent(as_decimal(target.coverage))}% coverage"
    budget = next((limit for limit in limits if limit.name == "budget"), None)
    deadline = next((limit for limit in limits if limit.name == "hours"), None)
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
    budget_note = _over(problem, options, budget, "cost", goal, learner) if budget is not None else None
    if budget_note is not None and (deadline is None or budget_note[1]):
        return Infeasibility("budget", budget_note[0])
    hours_note = _over(problem, options, deadline, "time", goal, learner) if deadline is not None else None
    if hours_note is not None and (budget is None or hours_note[1]):
        return Infeasibility("hours", hours_note[0])
    return Infeasibility(
        "budget+hours",
        f"no plan reaching {goal} fits both the budget of {money(learner.budget or 0)} and the limit of "
        f"{hours(learner.hours_limit or 0)}; each alone can be met",
    )


def _over(
    problem: Problem, options: PlanOptions, limit: Limit, minimize: str, goal: str, learner: Learner
) -> tuple[str, bool]:
    """The message for a limit no plan fits, and whether the best plan without limits is over it (False when
    that plan fits, so the limits only bind together; unknown counts as over)."""
    best = _unlimited(problem, options, minimize)
    if minimize == "cost":
        cap_text = f"the budget of {money(learner.budget or 0)}"
        what = "cheapest"
    else:
        pace = f"{learner.max_weeks:g} weeks at {learner.hours_per_week:g} hours a week"
        cap_text = f"the limit of {hours(learner.hours_limit or 0)} ({pace})"
        what = "shortest"
    if best is None:
        return f"no plan reaching {goal} fits {cap_text}", True
    chosen, proven = best
    if total(limit.units, chosen) <= limit.cap:
        return f"no plan reaching {goal} fits {cap_text}", False
    found = f"{what} plan" if proven else f"{what} plan found"
    if minimize == "cost":
        amount = float(sum((as_decimal(problem.achievements[i].cost) for i in chosen), Fraction(0)))
        return f"the {found} reaching {goal} costs {money(amount)}, over {cap_text}", True
    amount = float(sum((as_decimal(problem.achievements[i].hours) for i in chosen), Fraction(0)))
    return f"the {found} reaching {goal} takes {hours(amount)}, over {cap_text}", True


def _unlimited(problem: Problem, options: PlanOptions, minimize: str) -> tuple[tuple[int, ...], bool] | None:
    """The plan minimising ``minimize`` with no budget and no deadline, and whether it is proven optimal."""
    solution = solve_problem(problem, [], objective_for(problem, minimize), options)
    return None if solution.chosen is None else (solution.chosen, solution.optimal)
