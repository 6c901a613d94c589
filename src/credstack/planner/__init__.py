"""The pathway planner's optimiser: choose and order the credentials that close a skills gap (pure: no I/O).

    plan(catalog, learner, target, options) -> PlanResult(plan | infeasible)

Inputs are values: :class:`Achievement` (or a :class:`Catalog` indexed once for many plans), :class:`Learner`,
:class:`Target`, :class:`PlanOptions` with :class:`Filters` and per-achievement objective adjustments;
``parse_catalog``/``parse_learner``/``parse_target`` build them from JSON values with errors naming the file
and JSON path. The optimiser reduces the problem (problem.py), solves it exactly with OR-Tools CP-SAT under a
time limit (cpsat.py) with a greedy fallback (greedy.py), and reports whether the plan is proven optimal.
Number precision is documented in units.py.
"""

from __future__ import annotations

from credstack.planner.catalog import Catalog
from credstack.planner.model import (
    Achievement,
    Filters,
    Infeasibility,
    Learner,
    Objective,
    Plan,
    PlanOptions,
    PlanResult,
    Step,
    Target,
    TargetSkill,
)
from credstack.planner.parse import parse_catalog, parse_learner, parse_target
from credstack.planner.solve import plan

__all__ = [
    "Achievement",
    "Catalog",
    "Filters",
    "Infeasibility",
    "Learner",
    "Objective",
    "Plan",
    "PlanOptions",
    "PlanResult",
    "Step",
    "Target",
    "TargetSkill",
    "parse_catalog",
    "parse_learner",
    "parse_target",
    "plan",
]
