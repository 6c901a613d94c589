"""Planner invariants on random small instances (hypothesis): a returned plan is always feasible and in a valid
order; CP-SAT's proven optimum equals exhaustive search over every subset (so the reduction keeps the optimum);
no plan exactly when exhaustive search finds none; the greedy fallback's plans are feasible too; a larger budget
never gives a worse optimum."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credstack.planner import Achievement, Learner, PlanOptions, Target, TargetSkill, plan
from planner_support import brute_force, check_feasible, dec

SKILLS = [f"https://skills.example/s{i}" for i in range(4)]
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[Achievement], Learner, Target]:
    n = draw(st.integers(1, 9))
    catalog: list[Achievement] = []
    for i in range(n):
        skills = draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 4), min_size=1, max_size=2))
        earlier = [a.id for a in catalog]
        prerequisites = draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True)) if earlier else []
        catalog.append(
            Achievement(
                id=f"a{i}",
                skills=skills,
                hours=draw(st.sampled_from([1, 2, 2.5, 5, 8, 10, 12.5, 20, 40])),
                cost=draw(st.sampled_from([0, 10, 25.5, 50, 99.99, 100, 250, 400])),
                prerequisites=tuple(prerequisites),
            )
        )
    held = draw(st.frozensets(st.sampled_from([a.id for a in catalog]), max_size=2))
    learner = Learner(
        skills=draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 3), max_size=2)),
        held=held,
        budget=draw(st.one_of(st.none(), st.sampled_from([0, 50, 100, 200, 350.5, 500, 1000]))),
    )
    uris = draw(st.lists(st.sampled_from(SKILLS), min_size=1, max_size=4, unique=True))
    target = Target(
        tuple(TargetSkill(uri, draw(st.sampled_from([0.5, 1, 1, 2, 3])), draw(st.integers(1, 4))) for uri in uris),
        coverage=draw(st.sampled_from([0, 0.3, 0.5, 0.6, 0.75, 0.9, 1])),
    )
    return catalog, learner, target


def _totals(result_plan: object, minimize: str) -> tuple[Fraction, Fraction]:
    hours, cost = dec(result_plan.total_hours), dec(result_plan.total_cost)  # type: ignore[attr-defined]
    return (hours, cost) if minimize == "time" else (cost, hours)


@SETTINGS
@given(instances(), st.sampled_from(["time", "cost"]))
def test_cp_sat_plans_are_feasible_and_optimal_as_exhaustive_search(
    instance: tuple[list[Achievement], Learner, Target], minimize: str
) -> None:
    catalog, learner, target = instance
    result = plan(catalog, learner, target, PlanOptions(minimize=minimize, time_limit=5.0))  # type: ignore[arg-type]
    best = brute_force(catalog, learner, target, minimize)
    if best is None:
        assert result.plan is None and result.infeasible is not None
        return
    assert result.plan is not None, result.infeasible
    check_feasible(catalog, learner, target, result.plan.achievements)
    assert result.plan.optimal
    assert _totals(result.plan, minimize) == best
    assert result.plan.coverage >= target.coverage


@SETTINGS
@given(instances())
def test_greedy_plans_are_feasible_and_never_claimed_optimal(
    instance: tuple[list[Achievement], Learner, Target],
) -> None:
    catalog, learner, target = instance
    result = plan(catalog, learner, target, PlanOptions(solver="greedy"))
    if result.plan is not None:
        check_feasible(catalog, learner, target, result.plan.achievements)
        assert result.plan.optimal is (result.plan.solver == "trivial")
        best = brute_force(catalog, learner, target)
        assert best is not None and _totals(result.plan, "time") >= best


@SETTINGS
@given(instances(), st.sampled_from([0, 50, 100, 250, 500]), st.sampled_from([0, 25, 100, 1000]))
def test_a_larger_budget_never_gives_a_worse_optimum(
    instance: tuple[list[Achievement], Learner, Target], budget: float, extra: float
) -> None:
    catalog, learner, target = instance
    small = Learner(skills=learner.skills, held=learner.held, budget=budget)
    large = Learner(skills=learner.skills, held=learner.held, budget=budget + extra)
    tight = plan(catalog, small, target, PlanOptions(time_limit=5.0)).plan
    loose = plan(catalog, large, target, PlanOptions(time_limit=5.0)).plan
    if tight is not None:
        assert loose is not None
        assert tight.optimal and loose.optimal
        assert _totals(loose, "time") <= _totals(tight, "time")
