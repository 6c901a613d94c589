"""Reduced-cost fixing: the LP relaxation of the CP-SAT model (OR-Tools GLOP) proves that most candidates cannot be
part of a plan as good as the greedy one, so they are removed before CP-SAT runs.

The relaxation (``0 <= x, y <= 1``) has the model's rows: coverage per gap skill, the coverage threshold,
prerequisite implications ``x_i <= x_p`` and the limits. With its optimum ``LB`` and the reduced cost ``rc_i`` of a
candidate at its lower bound, every plan that takes ``i`` costs at least ``LB + rc_i``; when that is more than the
greedy plan's cost ``UB``, no plan at least as good as the greedy one takes ``i``, so removing it keeps the optimum
(and the greedy plan, which is never removed). Candidates needing a removed one go too. A relative margin of
``1e-7`` guards against the LP's floating-point tolerances; when GLOP does not reach an optimum, nothing is removed.
"""

from __future__ import annotations

from collections.abc import Sequence

from credstack.planner.problem import Problem

__all__ = ["reduced_cost_keep"]

MARGIN = 1e-7


def reduced_cost_keep(problem: Problem, bound: int, keep_always: Sequence[int]) -> list[int] | None:
    """Candidate indices that may be part of a plan costing at most ``bound`` (sorted), or None when the LP gave no
    answer. ``keep_always`` (the incumbent plan) is never removed."""
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:  # pragma: no cover - GLOP ships with OR-Tools
        return None
    n = problem.size
    scale = max(1, max((abs(c) for c in problem.objective), default=1))
    x = [solver.NumVar(0.0, 1.0, "") for _ in range(n)]
    covering: dict[int, list[int]] = {}
    for i, mask in enumerate(problem.masks):
        j = 0
        while mask:
            if mask & 1:
                covering.setdefault(j, []).append(i)
            mask >>= 1
            j += 1
    if problem.need > 0:
        threshold = solver.Constraint(float(problem.need), solver.infinity())
        for j, who in covering.items():
            y = solver.NumVar(0.0, 1.0, "")
            threshold.SetCoefficient(y, float(problem.weights[j]))
            row = solver.Constraint(0.0, solver.infinity())
            row.SetCoefficient(y, -1.0)
            for i in who:
                row.SetCoefficient(x[i], 1.0)
    for i, prerequisites in enumerate(problem.prerequisites):
        for p in prerequisites:
            row = solver.Constraint(-solver.infinity(), 0.0)
            row.SetCoefficient(x[i], 1.0)
            row.SetCoefficient(x[p], -1.0)
    for limit in problem.limits:
        row = solver.Constraint(-solver.infinity(), float(limit.cap))
        for i, units in enumerate(limit.units):
            if units:
                row.SetCoefficient(x[i], float(units))
    objective = solver.Objective()
    for i, c in enumerate(problem.objective):
        objective.SetCoefficient(x[i], c / scale)
    objective.SetMinimization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    lower = objective.Value()
    cap = bound / scale
    margin = MARGIN * max(1.0, abs(cap), abs(lower))
    protected = set(keep_always)
    dropped = {i for i in range(n) if i not in protected and lower + x[i].reduced_cost() > cap + margin}
    if not dropped:
        return list(range(n))
    return [i for i in range(n) if i not in dropped and not (problem.closure[i] & dropped)]
