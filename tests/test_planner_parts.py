"""The planner's pure parts for the database planner: decay and evidence, the gap, market weighting, stack
milestones and adjustments, budget allocation (exact against brute force, greedy within budget), and the LP
reduced-cost filter (it never changes the optimum: checked against exhaustive search)."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.errors import InvalidInputError
from credstack.planner import Achievement, Learner, PlanOptions, Step, Target, TargetSkill
from credstack.planner.allocate import MemberOptions, OptionStep, allocate
from credstack.planner.exhaustive import exhaustive
from credstack.planner.gap import Requirement, TargetSpec, gap_analysis, market_weight
from credstack.planner.greedy import greedy, total
from credstack.planner.lp import reduced_cost_keep
from credstack.planner.milestones import Stack, milestones, stack_adjustments, weekly
from credstack.planner.problem import build_problem
from credstack.planner.profile import (
    Evidence,
    HalfLives,
    build_profile,
    credential_level,
    credential_skill_levels,
    result_score,
)

AT = datetime(2026, 1, 1, tzinfo=UTC)
YEAR = timedelta(days=365.25)


def test_a_2019_credential_counts_for_less_than_a_2025_one() -> None:
    evidence = [
        Evidence("s:old", 3, AT - 7 * YEAR, "credential"),
        Evidence("s:new", 3, AT - 1 * YEAR, "credential"),
    ]
    profile = build_profile(evidence, {}, HalfLives(), AT)
    old, new = profile.skills["s:old"], profile.skills["s:new"]
    assert old.level < new.level < 3
    assert old.level == pytest.approx(3 * 0.5 ** (7 / 5), rel=1e-3) and old.aged and not new.aged


def test_half_life_by_kind_and_source_trust() -> None:
    evidence = [
        Evidence("tech", 4, AT - 5 * YEAR, "credential"),
        Evidence("soft", 4, AT - 5 * YEAR, "credential"),
        Evidence("claimed", 4, AT, "self"),
        Evidence("tested", 4, AT, "assessment"),
    ]
    profile = build_profile(evidence, {"tech": "technology", "soft": "transversal"}, HalfLives(), AT)
    assert profile.skills["tech"].level == pytest.approx(1.0, rel=1e-3)  # two half-lives
    assert profile.skills["soft"].level == pytest.approx(4 * 0.5**0.5, rel=1e-3)
    assert profile.skills["claimed"].level == 2 and profile.skills["claimed"].self_declared
    assert profile.skills["tested"].level == pytest.approx(3.6) and not profile.skills["tested"].self_declared
    mixed = build_profile([*evidence, Evidence("claimed", 1, AT, "credential")], {}, HalfLives(), AT)
    assert not mixed.skills["claimed"].self_declared  # verified evidence exists too
    with pytest.raises(InvalidInputError):
        HalfLives(technology=0)


def test_credential_levels_from_results_and_alignment() -> None:
    skill = "http://data.europa.eu/esco/skill/abc"
    achievement = {
        "alignment": [
            {"targetUrl": skill, "targetFramework": "ESCO"},
            {
                "targetUrl": "https://europa.eu/europass/eqf/6",
                "targetFramework": "European Qualifications Framework",
                "targetCode": "6",
            },
        ],
        "resultDescription": [{"id": "urn:rd:1", "requiredValue": "intermediate", "alignment": [{"targetUrl": skill}]}],
    }
    names = {"foundation": 1, "intermediate": 2, "advanced": 3, "expert": 4}
    assert credential_skill_levels(achievement, [], names) == {skill: 2.0}
    achieved = [{"resultDescription": "urn:rd:1", "value": "expert"}]
    assert credential_skill_levels(achievement, achieved, names) == {skill: 4.0}
    bare = {"alignment": achievement["alignment"]}
    assert credential_skill_levels(bare, [], names) == {skill: 3.0}  # EQF 6 -> 3
    assert credential_skill_levels(bare, [{"value": "100"}], names) == {skill: 3.75}
    assert result_score([{"value": "85%"}]) == pytest.approx(0.85) and result_score([{"value": "pass"}]) is None
    assert credential_level(None, None, []) == 2.0


def test_gap_ranks_by_weighted_shortfall_and_market_weighting() -> None:
    reqs = [Requirement("a", "A", 3, 3.0), Requirement("b", "B", 2, 1.0, "optional"), Requirement("c", "C", 3, 3.0)]
    profile = build_profile(
        [Evidence("c", 3, AT, "credential"), Evidence("a", 2, AT, "credential")], {}, HalfLives(), AT
    )
    report = gap_analysis(profile, TargetSpec("occupation", "x", "X", tuple(reqs)))
    assert [i.uri for i in report.items] == ["a", "b", "c"] and report.items[-1].status == "met"
    assert report.met_share == pytest.approx(3 / 7)
    weighted = market_weight(reqs, {"a": (0.2, 1.0), "b": (0.1, -0.9)})
    by = {r.uri: r for r in weighted}
    assert by["a"].weight == pytest.approx(3 * 1.5 * 1.5) and by["b"].weight == pytest.approx(1 * 1.25 * 0.75)
    assert by["c"].weight == 3.0 and by["c"].share is None


def test_milestones_and_stack_adjustments() -> None:
    steps = (Step("x", 10, 0, (), 0, 1), Step("y", 10, 0, (), 1, 2), Step("z", 10, 0, (), 2, 3))
    stack = Stack("s", "Certificate", frozenset({"h", "x", "y"}), frozenset({"x", "y"}), 10.0, True)
    other = Stack("t", "Diploma", frozenset({"q", "z"}), frozenset({"q", "z"}))
    found = milestones(steps, [stack, other], frozenset({"h"}))
    assert [(m.stack_id, m.step, m.week) for m in found] == [("s", 2, 2)]
    catalog = [
        Achievement("x", {"u": 1}, 10, 100),
        Achievement("z", {"u": 1}, 10, 100),
        Achievement("w", {"u": 1}, 10, 100),
    ]
    adjust = stack_adjustments(catalog, [stack, other], frozenset({"w"}), "time")
    assert adjust == {"x": pytest.approx(-1.5), "z": pytest.approx(-1.5), "w": pytest.approx(-0.5)}


def _brute(members: list[MemberOptions], budget: float) -> float:
    best = 0.0
    for combo in itertools.product(*(range(len(m.steps) + 1) for m in members)):
        cost = sum(s.cost for m, n in zip(members, combo, strict=True) for s in m.steps[:n])
        if cost <= budget + 1e-9:
            best = max(best, sum(s.gain for m, n in zip(members, combo, strict=True) for s in m.steps[:n]))
    return best


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.floats(0, 3000))
def test_allocation_exact_matches_brute_force_and_greedy_stays_within_budget(seed: int, budget: float) -> None:
    rng = random.Random(seed)
    members = [
        MemberOptions(
            f"m{k}",
            "r",
            tuple(
                OptionStep(f"a{k}{n}", float(rng.choice([0, 100, 250, 400, 800])), rng.random() / 3)
                for n in range(rng.randint(0, 4))
            ),
        )
        for k in range(rng.randint(1, 4))
    ]
    result = allocate(members, budget)
    assert result.method == "exact" and result.spent <= budget + 1e-9
    assert result.gain == pytest.approx(_brute(members, budget))
    import credstack.planner.allocate as module

    limit, module.EXACT_LIMIT = module.EXACT_LIMIT, 0
    try:
        quick = allocate(members, budget)
    finally:
        module.EXACT_LIMIT = limit
    assert quick.method == "greedy" and quick.spent <= budget + 1e-9 and quick.gain <= result.gain + 1e-9


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 100_000))
def test_reduced_cost_filter_keeps_the_optimum(seed: int) -> None:
    rng = random.Random(seed)
    skills = [f"s{j}" for j in range(8)]
    catalog = []
    for i in range(rng.randint(4, 16)):
        taught = {u: float(rng.randint(1, 3)) for u in rng.sample(skills, rng.randint(1, 4))}
        pre = (f"a{rng.randrange(i)}",) if i and rng.random() < 0.25 else ()
        catalog.append(Achievement(f"a{i}", taught, float(rng.randint(1, 40)), float(rng.randint(0, 500)), pre))
    target = Target(tuple(TargetSkill(u, float(rng.randint(1, 3)), float(rng.randint(1, 3))) for u in skills), 0.6)
    learner = Learner(budget=rng.choice([None, float(rng.randint(200, 1500))]))
    problem = build_problem(catalog, learner, target, PlanOptions(), reduce=False)
    heuristic = greedy(problem)
    if heuristic is None:
        return
    bound = total(problem.objective, heuristic)
    kept = reduced_cost_keep(problem, bound, heuristic)
    assert kept is not None and set(heuristic) <= set(kept)
    best = exhaustive(problem)
    reduced = problem.restrict(kept)
    best_reduced = exhaustive(reduced)
    assert best is not None and best_reduced is not None
    assert total(problem.objective, best) == total(reduced.objective, best_reduced)


def test_week_by_week_schedule_splits_steps_at_the_pace() -> None:
    steps = (Step("x", 15, 0, ()), Step("y", 7, 0, ()))
    weeks = weekly(steps, 10)
    assert [w["hours"] for w in weeks] == [10, 10, 2]
    assert weeks[1]["items"] == [{"achievement": "x", "hours": 5}, {"achievement": "y", "hours": 5}]
    assert sum(i["hours"] for w in weeks for i in w["items"]) == 22
