"""The planner's gap counts a recent credential at the level it shows (decay lowers confidence over years, it does
not turn a two-month-old certificate into a gap), while the plain-file optimiser keeps its contract; the rows a
chart shows put the skills with evidence first; stacks within reach; notes name skills by label (pure)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from credstack.planner import Achievement, Learner, PlanOptions, Target, TargetSkill, parse_target, plan
from credstack.planner.gap import Requirement, TargetSpec, gap_analysis, rows_to_show
from credstack.planner.milestones import Stack, within_reach
from credstack.planner.model import Step
from credstack.planner.profile import AGED_BELOW, Evidence, HalfLives, build_profile, credited_level

AT = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
STATS = "http://data.europa.eu/esco/skill/stats"
SQL = "http://data.europa.eu/esco/skill/sql"
VIZ = "http://data.europa.eu/esco/skill/viz"
YEAR = timedelta(days=365.25)


def _spec(*skills: tuple[str, float]) -> TargetSpec:
    return TargetSpec(
        "occupation",
        "data-analyst",
        "data analyst",
        tuple(Requirement(uri, uri.rsplit("/", 1)[1], level, 3.0) for uri, level in skills),
    )


def _evidence(uri: str, level: float, age: timedelta, source: str = "credential") -> Evidence:
    return Evidence(uri, level, AT - age, source, "urn:cred", "Data analyst: professional certificate")


def test_a_two_month_old_certificate_at_exactly_the_level_needed_is_met_with_its_decayed_level_shown() -> None:
    kinds = {STATS: "knowledge", SQL: "technology"}
    evidence = [_evidence(STATS, 3, timedelta(days=61)), _evidence(SQL, 3, timedelta(days=61))]
    profile = build_profile(evidence, kinds, HalfLives(), AT)
    gap = gap_analysis(profile, _spec((STATS, 3), (SQL, 3), (VIZ, 3)))
    by_uri = {i.uri: i for i in gap.items}
    for uri in (STATS, SQL):
        item = by_uri[uri]
        assert item.status == "met" and not item.aged and item.shortfall == 0
        assert 2.8 < item.current < 3 and item.counted == 3  # the decayed figure stays visible
        assert item.to_json()["current"] < 3 and item.to_json()["credited"] == 3
    assert by_uri[VIZ].status == "missing"
    assert gap.summary.startswith("You meet 2 of the 3 skills data analyst needs (67% of their weight).")
    assert "below the level needed" not in gap.summary and "2 of them show a decayed level" in gap.summary
    assert gap.met_share == pytest.approx(2 / 3)


def test_evidence_counts_at_its_own_level_until_it_is_aged_then_at_its_decayed_level() -> None:
    half_life = HalfLives().technology
    threshold = half_life * math.log2(1 / AGED_BELOW)  # the age at which a skill is marked "(aged)"
    for years, met in ((threshold - 0.01, True), (threshold + 0.01, False), (3.0, False)):
        profile = build_profile([_evidence(SQL, 3, years * YEAR)], {SQL: "technology"}, HalfLives(), AT)
        skill = profile.skills[SQL]
        item = gap_analysis(profile, _spec((SQL, 3))).items[0]
        assert skill.aged is not met and (item.status == "met") is met, years
        if not met:  # aged: the decayed level is what counts, and the summary says why it falls short
            assert item.counted == pytest.approx(skill.level) and item.shortfall > 0
            assert "because the evidence has aged" in gap_analysis(profile, _spec((SQL, 3))).summary


def test_a_self_declared_skill_still_counts_at_half_and_a_lower_requirement_is_met_by_aged_evidence() -> None:
    profile = build_profile(
        [_evidence(STATS, 3, timedelta(days=10), source="self"), _evidence(SQL, 4, 3 * YEAR)],
        {SQL: "technology"},
        HalfLives(),
        AT,
    )
    gap = {i.uri: i for i in gap_analysis(profile, _spec((STATS, 2), (SQL, 1.5))).items}
    assert gap[STATS].status == "partial" and gap[STATS].counted == pytest.approx(1.5)  # trusted at half
    assert gap[SQL].aged and gap[SQL].status == "met"  # 4 decayed to 1.74 still meets 1.5


def test_credited_level_is_the_best_piece_of_evidence() -> None:
    old_high = _evidence(SQL, 4, 4 * YEAR)  # aged: 4 * 0.33 = 1.32
    new_low = _evidence(SQL, 2, timedelta(days=30))  # fresh: counts 2
    assert credited_level([old_high, new_low], 2.5, AT) == 2
    assert credited_level([], 2.5, AT) == 0


def test_the_plain_file_optimiser_still_compares_the_learners_level_as_given() -> None:
    course = Achievement("sql-course", {SQL: 3}, hours=10, cost=100)
    target = Target((TargetSkill(SQL, 1, 3),), 1.0)
    below = plan([course], Learner(skills={SQL: 2.93}), target, PlanOptions())
    assert below.plan is not None and below.plan.achievements == ("sql-course",)
    at_level = plan([course], Learner(skills={SQL: 3}), target, PlanOptions())
    assert at_level.plan is not None and at_level.plan.achievements == ()


def test_infeasible_coverage_names_skills_by_label_and_the_file_format_accepts_one() -> None:
    target = parse_target(
        {
            "skills": [{"uri": SQL, "weight": 1, "level": 3, "label": "SQL"}, {"uri": VIZ, "weight": 1, "level": 2}],
            "coverage": 1,
        },
    )
    result = plan([Achievement("viz", {VIZ: 2}, hours=5, cost=1)], Learner(), target, PlanOptions())
    assert result.infeasible is not None and result.infeasible.constraint == "coverage"
    assert "nothing available teaches SQL at level 3" in result.infeasible.message
    assert SQL not in result.infeasible.message
    unlabelled = Target((TargetSkill(SQL, 1, 3),), 1.0)
    assert SQL in plan([], Learner(), unlabelled, PlanOptions()).infeasible.message  # type: ignore[union-attr]


def test_rows_to_show_put_skills_with_evidence_first_then_the_most_important_missing() -> None:
    items = [{"label": f"m{n}", "status": "missing"} for n in range(30)]
    items += [{"label": "p1", "status": "partial"}, {"label": "ok", "status": "met"}]
    shown = rows_to_show(items, 20)
    assert [r["label"] for r in shown[:2]] == ["p1", "ok"] and len(shown) == 20
    assert [r["label"] for r in shown[2:]] == [f"m{n}" for n in range(18)]
    many = [{"label": f"p{n}", "status": "partial"} for n in range(30)] + items[:5]
    shown = rows_to_show(many, 20)
    assert sum(r["status"] == "partial" for r in shown) == 15 and sum(r["status"] == "missing" for r in shown) == 5
    assert len(rows_to_show(items[:3], 20)) == 3


def test_a_started_stack_the_plan_leaves_open_is_within_reach_with_what_completes_it() -> None:
    catalog = {
        "a": Achievement("a", {SQL: 2}, hours=15, cost=325),
        "b": Achievement("b", {VIZ: 2}, hours=15, cost=110),
        "x": Achievement("x", {}, hours=40, cost=10),
        "y": Achievement("y", {}, hours=40, cost=10),
        "z": Achievement("z", {}, hours=40, cost=10),
    }
    steps = [Step("a", 15, 325, (SQL,), 0, 1.5)]
    started = Stack("dev", "Software developer essentials", frozenset("ab") | {"held"}, frozenset("ab"), started=True)
    far = Stack("far", "Far stack", frozenset("axyz"), frozenset("axyz"))
    done = Stack("done", "Done by the plan", frozenset("a"), frozenset("a"))
    reach = within_reach(steps, [far, started, done], frozenset({"held"}), catalog)
    assert [r.stack_id for r in reach] == ["dev"]  # "far" needs 3 more, "done" completes (a milestone)
    assert reach[0].missing == ("b",) and reach[0].advanced_by == ("a",) and reach[0].hours == 15


def test_the_database_planner_can_keep_held_certificates_from_covering_skills_at_their_catalog_level() -> None:
    held = Achievement("old-sql", {SQL: 3}, hours=10, cost=100)
    refresher = Achievement("sql-refresher", {SQL: 3}, hours=5, cost=50)
    target = Target((TargetSkill(SQL, 1, 3),), 1.0)
    as_file = plan([held, refresher], Learner(skills={SQL: 1.2}, held=frozenset({"old-sql"})), target, PlanOptions())
    assert as_file.plan is not None and as_file.plan.achievements == ()  # the file format's rule: held skills count
    decayed = Learner(skills={SQL: 1.2}, held=frozenset({"old-sql"}), held_skills=False)
    result = plan([held, refresher], decayed, target, PlanOptions())
    assert result.plan is not None and result.plan.achievements == ("sql-refresher",)  # never the held one again
