"""The optimiser's behaviour as a user sees it: what gets chosen, in which order, what held achievements and
levels mean, limits and the messages naming the binding constraint, filters, the stacking hook, the schedule, the
reduction keeping the optimum, exact decimals, and a pure package with a documented public surface."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

import credstack.planner as planner
from credstack.errors import InvalidInputError
from credstack.planner import (
    Achievement,
    Catalog,
    Filters,
    Learner,
    PlanOptions,
    Target,
    TargetSkill,
    plan,
)
from credstack.planner.cpsat import CpSatOutcome
from credstack.planner.exhaustive import exhaustive
from credstack.planner.problem import build_problem
from planner_support import check_feasible

PY, SQL, ML, VIZ = (f"https://skills.example/{name}" for name in ("python", "sql", "ml", "viz"))


def target(*skills: tuple[str, float, float], coverage: float = 1.0) -> Target:
    return Target(tuple(TargetSkill(uri, weight, level) for uri, weight, level in skills), coverage)


CATALOG = [
    Achievement("intro", {PY: 1}, hours=10, cost=0),
    Achievement("data", {PY: 3, SQL: 2}, hours=40, cost=500, prerequisites=("intro",)),
    Achievement("sql", {SQL: 3}, hours=20, cost=300),
    Achievement("ml", {ML: 2, PY: 2}, hours=60, cost=900, prerequisites=("data",)),
    Achievement("pyfast", {PY: 2}, hours=15, cost=1200),
]
ROLE = target((PY, 2, 2), (SQL, 1, 2), (ML, 1, 2))


def test_the_shortest_plan_is_chosen_with_prerequisites_first() -> None:
    result = plan(CATALOG, Learner(), ROLE)
    assert result.plan is not None
    assert result.plan.achievements == ("intro", "data", "ml")
    assert (result.plan.total_hours, result.plan.total_cost, result.plan.coverage) == (110, 1400, 1.0)
    assert result.plan.optimal and result.plan.solver == "cp-sat"
    assert result.plan.to_json() == {
        "achievements": ["intro", "data", "ml"],
        "total_hours": 110.0,
        "total_cost": 1400.0,
        "coverage": 1.0,
        "optimal": True,
    }


def test_minimize_cost_and_ties_broken_by_the_other_objective() -> None:
    cheap = plan(CATALOG, Learner(), target((PY, 1, 2)), PlanOptions(minimize="cost")).plan
    assert cheap is not None and cheap.achievements == ("intro", "data")  # 500 beats pyfast's 1,200
    fast = plan(CATALOG, Learner(), target((PY, 1, 2))).plan
    assert fast is not None and fast.achievements == ("pyfast",)  # 15 hours beats 50
    twins = [Achievement("b", {PY: 2}, hours=10, cost=50), Achievement("a", {PY: 2}, hours=10, cost=80)]
    tie = plan(twins, Learner(), target((PY, 1, 2))).plan
    assert tie is not None and tie.achievements == ("b",)  # same hours: the cheaper one


def test_held_achievements_count_as_skills_satisfy_prerequisites_and_are_never_rechosen() -> None:
    result = plan(CATALOG, Learner(held=frozenset({"data"})), ROLE).plan
    assert result is not None
    assert result.achievements == ("ml",)  # "intro" is not needed: "data" is held
    assert result.total_cost == 900
    done = plan(CATALOG, Learner(held=frozenset({"ml", "sql"})), ROLE).plan
    assert done is not None and done.achievements == () and done.optimal and done.coverage == 1.0


def test_a_higher_level_satisfies_a_lower_requirement_but_not_the_reverse() -> None:
    catalog = [Achievement("basic", {PY: 1}, 5, 0), Achievement("expert", {PY: 4}, 50, 0)]
    assert plan(catalog, Learner(), target((PY, 1, 3))).plan.achievements == ("expert",)  # type: ignore[union-attr]
    assert plan(catalog, Learner(), target((PY, 1, 1))).plan.achievements == ("basic",)  # type: ignore[union-attr]
    assert plan(catalog, Learner(skills={PY: 3}), target((PY, 1, 3))).plan.achievements == ()  # type: ignore[union-attr]


def test_partial_coverage_takes_the_cheapest_weight() -> None:
    result = plan(CATALOG, Learner(), target((PY, 2, 2), (SQL, 1, 2), (ML, 1, 2), coverage=0.5)).plan
    assert result is not None and result.achievements == ("pyfast",) and result.coverage == 0.5


def test_coverage_is_exact_in_decimals() -> None:
    # 0.1 + 0.2 of a total 0.3 + 0.7: exactly 30% covered, so 0.3 is reached (binary floats would say 0.3000...04)
    catalog = [Achievement("a", {PY: 1}, 1, 0), Achievement("b", {SQL: 1}, 1, 0), Achievement("c", {ML: 1}, 9, 0)]
    role = target((PY, 0.1, 1), (SQL, 0.2, 1), (ML, 0.7, 1), coverage=0.3)
    result = plan(catalog, Learner(), role).plan
    assert result is not None and result.achievements == ("a", "b")


def test_unreachable_coverage_names_the_best_share_and_the_missing_skills() -> None:
    role = target((PY, 2, 2), (SQL, 1, 2), (VIZ, 1, 2), coverage=0.9)
    result = plan(CATALOG, Learner(), role)
    assert result.plan is None and result.infeasible is not None
    assert result.infeasible.constraint == "coverage"
    assert result.infeasible.message.startswith(
        "no plan reaches 90% coverage: the catalog covers at most 75% of the target weight"
    )
    assert f"nothing available teaches {VIZ} at level 2" in result.infeasible.message


def test_the_best_share_is_rounded_down_so_it_never_reads_as_enough() -> None:
    role = target((PY, 0.8999, 1), (VIZ, 0.1001, 1), coverage=0.9)
    result = plan([Achievement("a", {PY: 1}, 1, 0)], Learner(), role)
    assert result.infeasible is not None and "covers at most 89.99% of" in result.infeasible.message


def test_budget_bound_message_gives_the_cheapest_plan() -> None:
    catalog = [Achievement("a", {PY: 2}, 10, 1450), Achievement("b", {PY: 2}, 5, 2000.5)]
    result = plan(catalog, Learner(budget=1000), target((PY, 1, 2), coverage=0.9))
    assert result.infeasible is not None and result.infeasible.constraint == "budget"
    assert (
        result.infeasible.message
        == "the cheapest plan reaching 90% coverage costs 1,450.00, over the budget of 1,000.00"
    )


def test_budget_can_change_the_choice_and_is_never_exceeded() -> None:
    catalog = [Achievement("slow", {PY: 2}, 10, 0), Achievement("fast", {PY: 2}, 5, 100)]
    assert plan(catalog, Learner(), target((PY, 1, 2))).plan.achievements == ("fast",)  # type: ignore[union-attr]
    capped = plan(catalog, Learner(budget=50), target((PY, 1, 2))).plan
    assert capped is not None and capped.achievements == ("slow",)
    exact = plan(catalog, Learner(budget=100), target((PY, 1, 2))).plan
    assert exact is not None and exact.achievements == ("fast",)  # a budget met exactly is met


def test_deadline_from_pace_and_schedule_in_weeks() -> None:
    learner = Learner(hours_per_week=10, max_weeks=4)
    result = plan(CATALOG, learner, target((PY, 2, 2), (SQL, 1, 2))).plan
    assert result is not None and result.achievements == ("pyfast", "sql")
    assert [(s.start_week, s.end_week) for s in result.steps] == [(0.0, 1.5), (1.5, 3.5)]
    assert result.weeks == 3.5
    tight = plan(CATALOG, Learner(hours_per_week=10, max_weeks=2), target((PY, 2, 2), (SQL, 1, 2)))
    assert tight.infeasible is not None and tight.infeasible.constraint == "hours"
    assert tight.infeasible.message == (
        "the shortest plan reaching 100% coverage takes 35 hours, "
        "over the limit of 20 hours (2 weeks at 10 hours a week)"
    )


def test_budget_and_deadline_that_only_bind_together() -> None:
    catalog = [Achievement("cheap_slow", {PY: 2}, 40, 0), Achievement("fast_dear", {PY: 2}, 5, 500)]
    learner = Learner(budget=100, hours_per_week=10, max_weeks=2)
    result = plan(catalog, learner, target((PY, 1, 2)))
    assert result.infeasible is not None and result.infeasible.constraint == "budget+hours"
    assert "fits both the budget of 100.00 and the limit of 20 hours" in result.infeasible.message


def test_filters_drop_achievements_and_what_needs_them() -> None:
    catalog = [
        Achievement("intro-fr", {PY: 1}, 5, 0, language="fr"),
        Achievement("adv", {PY: 3}, 10, 0, prerequisites=("intro-fr",), language="en"),
        Achievement("other", {PY: 3}, 50, 0, language="en"),
        Achievement("unknown", {PY: 3}, 30, 0),
    ]
    role = target((PY, 1, 3))
    assert plan(catalog, Learner(), role).plan.achievements == ("intro-fr", "adv")  # type: ignore[union-attr]
    english = PlanOptions(filters=Filters(languages=frozenset({"en"})))
    assert plan(catalog, Learner(), role, english).plan.achievements == ("unknown",)  # type: ignore[union-attr]
    strict = PlanOptions(filters=Filters(languages=frozenset({"en"}), keep_unknown=False))
    assert plan(catalog, Learner(), role, strict).plan.achievements == ("other",)  # type: ignore[union-attr]
    nothing = PlanOptions(filters=Filters(exclude=frozenset({"adv", "other", "unknown"})))
    result = plan(catalog, Learner(), role, nothing)
    assert result.infeasible is not None and "the filters excluded 3 achievement(s)" in result.infeasible.message


def test_adjustments_are_the_hook_for_preferring_stacks() -> None:
    catalog = [Achievement("plain", {PY: 2}, 10, 0), Achievement("stackable", {PY: 2}, 12, 0)]
    assert plan(catalog, Learner(), target((PY, 1, 2))).plan.achievements == ("plain",)  # type: ignore[union-attr]
    prefer = PlanOptions(adjustments={"stackable": -5})
    assert plan(catalog, Learner(), target((PY, 1, 2)), prefer).plan.achievements == ("stackable",)  # type: ignore[union-attr]
    bonus = PlanOptions(adjustments={"plain": -11})  # worth taking even when nothing is missing
    result = plan(catalog, Learner(skills={PY: 2}), target((PY, 1, 2)), bonus).plan
    assert result is not None and result.achievements == ("plain",)


def test_greedy_fallback_is_feasible_and_not_claimed_optimal() -> None:
    result = plan(CATALOG, Learner(), ROLE, PlanOptions(solver="greedy")).plan
    assert result is not None and not result.optimal and result.solver == "greedy"
    check_feasible(CATALOG, Learner(), ROLE, result.achievements)


def _timed_out(status: str, chosen: tuple[int, ...] | None = None) -> Any:
    def fake(problem: Any, **kwargs: Any) -> CpSatOutcome:
        return CpSatOutcome(status, chosen, kwargs["time_limit"])

    return fake


def test_when_cp_sat_runs_out_of_time_the_greedy_plan_answers_unproven(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("credstack.planner.solve.solve_cpsat", _timed_out("unknown"))
    result = plan(CATALOG, Learner(), ROLE).plan
    assert result is not None and result.solver == "greedy" and not result.optimal
    check_feasible(CATALOG, Learner(), ROLE, result.achievements)
    assert plan(CATALOG, Learner(), ROLE, PlanOptions(solver="cp-sat")).plan is None


def test_nothing_found_and_nothing_proven_names_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("credstack.planner.solve.solve_cpsat", _timed_out("unknown"))
    # both greedy rankings (hours or cost per weight) take "z" first, after which nothing fits the budget
    catalog = [
        Achievement("z", {PY: 2, ML: 2}, 1, 15),
        Achievement("x", {PY: 2, SQL: 2}, 10, 16),
        Achievement("m", {ML: 2}, 10, 14),
        Achievement("w", {SQL: 2}, 10, 16),
    ]
    role = target((PY, 1, 2), (SQL, 1, 2), (ML, 1, 2))
    result = plan(catalog, Learner(budget=30), role, PlanOptions(time_limit=0.5))
    assert result.infeasible is not None and result.infeasible.constraint == "time_limit"
    assert result.infeasible.message == (
        "no plan reaching 100% coverage within the budget of 30.00 was found in the 0.5 s time limit "
        "(none was proven impossible either); allow more time"
    )
    monkeypatch.undo()
    solved = plan(catalog, Learner(budget=30), role).plan
    assert solved is not None and solved.achievements == ("m", "x") and solved.optimal


def test_order_is_topological_with_ties_by_id() -> None:
    catalog = [
        Achievement("z-base", {PY: 1}, 1, 0),
        Achievement("b-top", {SQL: 1}, 1, 0, prerequisites=("z-base",)),
        Achievement("a-free", {ML: 1}, 1, 0),
    ]
    result = plan(catalog, Learner(), target((PY, 1, 1), (SQL, 1, 1), (ML, 1, 1))).plan
    assert result is not None and result.achievements == ("a-free", "z-base", "b-top")


def test_reduction_drops_dominated_and_useless_achievements_but_keeps_the_optimum() -> None:
    catalog = [
        *CATALOG,
        Achievement("dominated", {PY: 2}, 16, 1300),  # pyfast is better on everything
        Achievement("unrelated", {VIZ: 4}, 1, 0),
        Achievement("needs-dominated", {ML: 4}, 1, 0, prerequisites=("dominated",)),
    ]
    options = PlanOptions()
    reduced = build_problem(catalog, Learner(), ROLE, options)
    full = build_problem(catalog, Learner(), ROLE, options, reduce=False)
    ids = {a.id for a in reduced.achievements}
    assert "unrelated" not in ids and "needs-dominated" in ids and "dominated" in ids  # kept: a prerequisite
    assert full.size == len(catalog)
    best = exhaustive(full)
    assert best is not None
    hours = sum(full.achievements[i].hours for i in best)
    assert plan(catalog, Learner(), ROLE).plan.total_hours == hours  # type: ignore[union-attr]


def test_a_cheaper_dominator_is_not_used_when_the_budget_excludes_it() -> None:
    catalog = [Achievement("slow-free", {PY: 2}, 10, 0), Achievement("fast-dear", {PY: 2}, 5, 100)]
    result = plan(catalog, Learner(budget=50), target((PY, 1, 2)))
    assert result.plan is not None and result.plan.achievements == ("slow-free",)


def test_catalog_errors_are_invalid_input() -> None:
    with pytest.raises(InvalidInputError, match="lists achievement a twice"):
        Catalog.of([Achievement("a", {PY: 1}, 1, 0), Achievement("a", {PY: 1}, 1, 0)])
    cycle = [Achievement("a", {PY: 1}, 1, 0, ("b",)), Achievement("b", {PY: 1}, 1, 0, ("a",))]
    with pytest.raises(InvalidInputError, match="prerequisite cycle in the catalog: a -> b -> a"):
        plan(cycle, Learner(), target((PY, 1, 1)))
    with pytest.raises(InvalidInputError, match="lists itself"):
        Achievement("a", {PY: 1}, 1, 0, ("a",))
    with pytest.raises(InvalidInputError, match="coverage is a share between 0 and 1"):
        target((PY, 1, 1), coverage=90)
    with pytest.raises(InvalidInputError, match="hours must be >= 0"):
        Achievement("a", {PY: 1}, -1, 0)


def test_missing_prerequisite_makes_an_achievement_unavailable_unless_held() -> None:
    catalog = [Achievement("adv", {PY: 3}, 1, 0, prerequisites=("elsewhere",)), Achievement("long", {PY: 3}, 90, 0)]
    assert plan(catalog, Learner(), target((PY, 1, 3))).plan.achievements == ("long",)  # type: ignore[union-attr]
    held = Learner(held=frozenset({"elsewhere"}))
    assert plan(catalog, held, target((PY, 1, 3))).plan.achievements == ("adv",)  # type: ignore[union-attr]


def test_a_prepared_catalog_gives_the_same_plan() -> None:
    prepared = Catalog.of(CATALOG)
    assert plan(prepared, Learner(), ROLE) == plan(CATALOG, Learner(), ROLE)


def test_public_surface() -> None:
    assert sorted(planner.__all__) == [
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
    for name in planner.__all__:
        assert getattr(planner, name) is not None


def test_the_planner_is_pure_and_imports_no_solver_until_it_solves() -> None:
    code = (
        "import sys, credstack.planner\n"
        "bad = [m for m in ('ortools', 'sqlalchemy', 'fastapi', 'typer', 'httpx', 'jinja2', 'numpy',"
        " 'credstack.services', 'credstack.storage', 'credstack.app', 'credstack.cli') if m in sys.modules]\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
