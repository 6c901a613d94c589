"""The exact solver: the reduced problem as a CP-SAT model (OR-Tools), under a time limit.

Model (``x_i``: candidate ``i`` is chosen; ``y_j``: gap skill ``j`` is covered):

- ``y_j <= sum(x_i for i covering j)``, only for gap skills some candidate covers;
- ``sum(weight_j * y_j) >= need`` (coverage, exact integer units);
- ``x_i => x_p`` for each direct prerequisite ``p`` of ``i`` (closures follow by chaining);
- ``sum(units_i * x_i) <= cap`` for the budget and the deadline;
- minimise ``sum(objective_i * x_i)`` (primary and tie-break in one integer, see units.py).

The greedy plan is given as a hint. ``optimal`` is reported only on CP-SAT's OPTIMAL status. OR-Tools is imported
when a model is solved, so importing the planner stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from credstack.planner.problem import Problem

__all__ = ["SUBSOLVERS", "CpSatOutcome", "solve_cpsat"]

#: The full-problem workers, best first, for this model: the LP relaxation of the coverage constraints is what
#: proves optimality (``max_lp``: linearization level 2), the max-SAT core search helps on tight budgets. With
#: the default search on two workers CP-SAT rarely proves anything in a second; with these it usually does.
SUBSOLVERS = ("max_lp", "core", "quick_restart", "default_lp", "reduced_costs", "no_lp")


@dataclass(frozen=True)
class CpSatOutcome:
    """``status``: ``optimal``, ``feasible`` (a plan, not proven best), ``infeasible`` (proven) or ``unknown``."""

    status: str
    chosen: tuple[int, ...] | None
    seconds: float


def solve_cpsat(
    problem: Problem, *, hint: Sequence[int] | None = None, time_limit: float = 1.0, workers: int = 0
) -> CpSatOutcome:
    """Solve the model above; ``hint`` is a feasible plan to start from (candidate indices)."""
    from ortools.sat.python import cp_model

    objective, limits = problem.objective, problem.limits

    model = cp_model.CpModel()
    n = problem.size
    x = [model.new_bool_var(f"x{i}") for i in range(n)]
    covering: dict[int, list[int]] = {}
    for i, mask in enumerate(problem.masks):
        j = 0
        while mask:
            if mask & 1:
                covering.setdefault(j, []).append(i)
            mask >>= 1
            j += 1
    terms = []
    for j, who in sorted(covering.items()):
        y = model.new_bool_var(f"y{j}")
        model.add(sum(x[i] for i in who) >= y)  # linear, so the LP relaxation sees it
        terms.append(problem.weights[j] * y)
    if problem.need > 0:
        if not terms:
            return CpSatOutcome("infeasible", None, 0.0)
        model.add(sum(terms) >= problem.need)
    for i, prerequisites in enumerate(problem.prerequisites):
        for p in prerequisites:
            model.add_implication(x[i], x[p])
    for limit in limits:
        model.add(sum(u * x[i] for i, u in enumerate(limit.units) if u) <= limit.cap)
    model.minimize(sum(c * x[i] for i, c in enumerate(objective) if c))
    if hint is not None:
        picked = set(hint)
        for i in range(n):
            model.add_hint(x[i], i in picked)
    solver = cp_model.CpSolver()
    _configure(solver.parameters, time_limit, workers)
    status = solver.solve(model)
    seconds = solver.wall_time
    if status == cp_model.OPTIMAL:
        return CpSatOutcome("optimal", tuple(i for i in range(n) if solver.boolean_value(x[i])), seconds)
    if status == cp_model.FEASIBLE:
        return CpSatOutcome("feasible", tuple(i for i in range(n) if solver.boolean_value(x[i])), seconds)
    if status == cp_model.INFEASIBLE:
        return CpSatOutcome("infeasible", None, seconds)
    return CpSatOutcome("unknown", None, seconds)


def _configure(parameters: Any, time_limit: float, workers: int) -> None:
    """Time limit, seed and workers. One worker (the default) runs the ``max_lp`` configuration (linearization
    level 2) after a single presolve pass: on the benchmark it proves optimality with the least CPU, the model
    being reduced already. Two to six workers take the first of :data:`SUBSOLVERS`; more (or 0: one per core)
    keep CP-SAT's own portfolio."""
    parameters.max_time_in_seconds = time_limit
    parameters.random_seed = 0
    parameters.num_workers = workers
    if workers == 1:
        parameters.linearization_level = 2
        parameters.max_presolve_iterations = 1
    elif 1 < workers <= len(SUBSOLVERS):
        parameters.subsolvers.extend(SUBSOLVERS[:workers])
