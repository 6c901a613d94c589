"""The cheapest remaining set: it completes the tree, and on small instances nothing cheaper does (brute force)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from credstack.errors import InvalidInputError
from credstack.stacking import (
    AllOf,
    Catalog,
    CredentialFact,
    CreditFilter,
    Evaluator,
    MinCredits,
    NOf,
    Prerequisite,
    Qualification,
    RequireAchievement,
    RequireAlignment,
    ResultFact,
    cheapest_remaining,
    validate,
)
from stacking_support import (
    AT,
    N_CATALOG,
    PROVIDER,
    aid,
    catalog,
    fact,
    generated_catalog,
    holdings,
    info,
    qualifications,
)

FAST = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)


def earned_now(i: int) -> CredentialFact:
    """What finishing catalog achievement i now looks like (passing its exam with full marks)."""
    base = info(i)
    return CredentialFact(
        credential_id=f"urn:planned:{i}",
        achievement_id=base.id,
        issuer_id=PROVIDER,
        earned=AT,
        credits=base.credits,
        level=base.level,
        alignments=base.alignments,
        skill_areas=base.skill_areas,
        tags=base.tags,
        results=(ResultFact(f"{base.id}#exam", 100, "Final exam"),),
    )


def brute_force(ev: Evaluator, held: list[CredentialFact], by: str) -> float | None:
    """The cheapest total over every subset of the catalog, or None when nothing completes the tree."""
    best = None
    for size in range(N_CATALOG + 1):
        for subset in itertools.combinations(range(N_CATALOG), size):
            cost = sum(getattr(info(i), by) for i in subset)
            if best is not None and cost >= best:
                continue
            if ev.status(held + [earned_now(i) for i in subset], at=AT)[0]:
                best = cost
    return best


def test_the_plan_names_the_cheapest_way_to_finish() -> None:
    q = Qualification(
        "q",
        "Q",
        AllOf((RequireAchievement(aid(0)), NOf(2, tuple(RequireAchievement(aid(i)) for i in (1, 2, 3, 4))))),
    )
    ev = Evaluator(q, catalog(8))
    prices = {i: info(i).price for i in range(5)}
    plan = cheapest_remaining(ev, [fact(0)], at=AT, by="price")
    cheapest_two = sorted((1, 2, 3, 4), key=lambda i: (prices[i], i))[:2]
    assert plan.feasible and plan.exact and plan.method == "exact"
    assert set(plan.achievement_ids) == {aid(i) for i in cheapest_two}
    assert plan.total == sum(prices[i] for i in cheapest_two)  # type: ignore[misc]
    done = cheapest_remaining(ev, [fact(0), fact(1), fact(2)], at=AT)
    assert (done.achievement_ids, done.total, done.method) == ((), 0.0, "none-needed")


def test_a_missing_prerequisite_is_part_of_the_plan() -> None:
    q = Qualification("q", "Q", RequireAchievement(aid(1)), prerequisites=(Prerequisite(aid(0), aid(1)),))
    plan = cheapest_remaining(Evaluator(q, catalog(8)), [], at=AT, by="hours")
    assert set(plan.achievement_ids) == {aid(0), aid(1)}
    assert plan.total == info(0).hours + info(1).hours  # type: ignore[operator]
    # a credential earned before its prerequisite has to be earned again after it
    stale = cheapest_remaining(Evaluator(q, catalog(8)), [fact(1, days_ago=10)], at=AT, by="hours")
    assert set(stale.achievement_ids) == {aid(0), aid(1)}


def test_when_nothing_in_the_catalog_can_finish_it_the_plan_says_so() -> None:
    unpriced = Catalog.of([info(0, price=None), info(1)])
    q = Qualification("q", "Q", AllOf((RequireAchievement(aid(0)), RequireAchievement(aid(1)))))
    plan = cheapest_remaining(Evaluator(q, unpriced), [], at=AT, by="price")
    assert not plan.feasible and plan.method == "infeasible"
    assert "1 achievement(s) have no price" in plan.reason and f"achievement({aid(0)})" in plan.reason
    with pytest.raises(InvalidInputError):
        cheapest_remaining(Evaluator(q, unpriced), [], at=AT, by="euros")


def test_a_large_tree_gets_a_cp_sat_optimum_or_a_feasible_heuristic_answer_and_says_which() -> None:
    many = Catalog.of([info(i) for i in range(60)])
    q = Qualification(
        "big",
        "Big",
        AllOf(
            (
                NOf(8, tuple(RequireAchievement(aid(i)) for i in range(0, 30))),
                MinCredits(150, CreditFilter(min_level=4)),
                RequireAlignment("http://data.europa.eu/esco/skill/s3"),
            )
        ),
    )
    ev = Evaluator(q, many)
    greedy = cheapest_remaining(ev, [fact(0), fact(5)], at=AT, max_evaluations=3000, cp_sat=False)
    assert greedy.feasible and not greedy.exact and greedy.method == "heuristic"
    assert "not proven optimal" in greedy.reason
    plan = cheapest_remaining(ev, [fact(0), fact(5)], at=AT, max_evaluations=3000)
    assert plan.exact and plan.method == "exact" and "CP-SAT" in plan.reason
    assert plan.total <= greedy.total
    completed = [fact(0), fact(5)] + [
        CredentialFact(
            f"urn:p:{a}",
            a,
            PROVIDER,
            AT,
            many.achievements[a].credits,
            many.achievements[a].level,
            many.achievements[a].alignments,
        )
        for a in plan.achievement_ids
    ]
    assert ev.status(completed, at=AT)[0]


@FAST
@given(qualifications(), holdings(max_size=3), st.sampled_from(["price", "hours"]))
def test_the_plan_completes_the_tree_and_nothing_cheaper_does(
    q: Qualification, held: list[CredentialFact], by: str
) -> None:
    cat = generated_catalog()
    assume(not validate(q, cat))
    ev = Evaluator(q, cat)
    plan = cheapest_remaining(ev, held, at=AT, by=by)
    optimum = brute_force(ev, held, by)
    if optimum is None:
        assert not plan.feasible
        return
    assert plan.feasible
    chosen = [int(a.rsplit("a", 1)[1]) for a in plan.achievement_ids]
    assert ev.status(held + [earned_now(i) for i in chosen], at=AT)[0]
    assert plan.total == pytest.approx(sum(getattr(info(i), by) for i in chosen))
    assert plan.exact
    assert plan.total == pytest.approx(optimum)


@FAST
@given(qualifications(), holdings(max_size=3))
def test_the_heuristic_alone_is_always_feasible(q: Qualification, held: list[CredentialFact]) -> None:
    cat = generated_catalog()
    assume(not validate(q, cat))
    ev = Evaluator(q, cat)
    plan = cheapest_remaining(ev, held, at=AT, max_evaluations=1, cp_sat=False)
    if plan.feasible and plan.method != "none-needed":
        chosen = [int(a.rsplit("a", 1)[1]) for a in plan.achievement_ids]
        assert ev.status(held + [earned_now(i) for i in chosen], at=AT)[0]
    assert plan.feasible == (brute_force(ev, held, "price") is not None)


@FAST
@given(qualifications(), holdings(max_size=3), st.sampled_from(["price", "hours"]))
def test_the_cp_sat_model_finds_the_same_optimum_as_brute_force(
    q: Qualification, held: list[CredentialFact], by: str
) -> None:
    cat = generated_catalog()
    assume(not validate(q, cat))
    ev = Evaluator(q, cat)
    plan = cheapest_remaining(ev, held, at=AT, by=by, max_evaluations=1)  # no search budget: straight to CP-SAT
    optimum = brute_force(ev, held, by)
    assert plan.feasible == (optimum is not None)
    if optimum is not None and plan.method != "none-needed":
        chosen = [int(a.rsplit("a", 1)[1]) for a in plan.achievement_ids]
        assert ev.status(held + [earned_now(i) for i in chosen], at=AT)[0]
        assert plan.exact and "CP-SAT" in plan.reason
        assert plan.total == pytest.approx(optimum)


def test_hundreds_of_candidates_are_solved_to_optimality_by_cp_sat() -> None:
    many = Catalog.of([info(i) for i in range(160)])
    q = Qualification(
        "wide", "Wide", AllOf((NOf(12, tuple(RequireAchievement(aid(i)) for i in range(140))), MinCredits(200)))
    )
    ev = Evaluator(q, many)
    plan = cheapest_remaining(ev, [fact(1)], at=AT, by="hours")
    assert plan.candidates > 120 and plan.exact and "CP-SAT" in plan.reason
    completed = [fact(1)] + [
        CredentialFact(f"urn:p:{a}", a, PROVIDER, AT, many.achievements[a].credits, many.achievements[a].level)
        for a in plan.achievement_ids
    ]
    assert ev.status(completed, at=AT)[0]
    assert plan.total == sum(many.achievements[a].hours or 0 for a in plan.achievement_ids)


def test_the_plan_lists_prerequisites_first() -> None:
    expensive_first = Catalog.of([info(0, price=900.0), info(1, price=10.0), info(2, price=50.0)])
    q = Qualification(
        "q",
        "Q",
        AllOf((RequireAchievement(aid(1)), RequireAchievement(aid(2)))),
        prerequisites=(Prerequisite(aid(0), aid(1)), Prerequisite(aid(1), aid(2))),
    )
    plan = cheapest_remaining(Evaluator(q, expensive_first), [], at=AT)
    assert plan.achievement_ids == (aid(0), aid(1), aid(2))
