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
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[Achievement], Learner, Target]:
    """Small instances drawn uniformly (hypothesis' own value choices favour the simplest values, which rarely
    make hours and cost pull in different directions under a budget, where the reduction is most delicate)."""
    rng = draw(st.randoms(use_true_random=False))
    catalog: list[Achievement] = []
    for i in range(rng.randint(1, 9)):
        skills = {uri: rng.randint(1, 4) for uri in rng.sample(SKILLS, rng.randint(1, 2))}
        earlier = [a.id for a in catalog]
        prerequisites = rng.sample(earlier, min(len(earlier), rng.choice([0, 0, 1, 2])))
        hours = rng.choice([1, 2, 2.5, 5, 8, 10, 12.5, 20, 40])
        cost = rng.choice([0, 10, 25.5, 50, 99.99, 100, 250, 400])
        catalog.append(Achievement(f"a{i}", skills, hours, cost, tuple(prerequisites)))
    held = frozenset(rng.sample([a.id for a in catalog], rng.choice([0, 0, 1, 2]) if len(catalog) > 2 else 0))
    # a budget that binds often: the price of some subset of the catalog (or a round figure, or none)
    subset = rng.sample(catalog, min(len(catalog), rng.randint(0, 3)))
    budget = rng.choice([None, sum(a.cost for a in subset), 0, 100, 350.5])
    learner = Learner(
        skills={uri: rng.randint(1, 3) for uri in rng.sample(SKILLS, rng.randint(0, 2))}, held=held, budget=budget
    )
    uris = rng.sample(SKILLS, rng.randint(1, 4))
    target = Target(
        tuple(TargetSkill(uri, rng.choice([0.5, 1, 1, 2, 3]), rng.randint(1, 4)) for uri in uris),
        coverage=rng.choice([0, 0.3, 0.5, 0.6, 0.75, 0.9, 1]),
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
