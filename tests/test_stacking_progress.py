"""Learner progress: what counts, what does not and why, and the invariants that hold for any tree."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import credstack.stacking as stacking
from credstack.errors import InvalidInputError
from credstack.stacking import (
    AllOf,
    Articulation,
    Catalog,
    CreditFilter,
    Evaluator,
    MinCredits,
    NOf,
    Prerequisite,
    Qualification,
    RequireAchievement,
    RequireAlignment,
    RequireQualification,
    ResultSpec,
    ResultThreshold,
    validate,
)
from stacking_support import (
    AT,
    PARTNER,
    PROVIDER,
    SKILL,
    STRANGER,
    aid,
    catalog,
    fact,
    generated_catalog,
    holdings,
    info,
    qualifications,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def evaluator(root: object, *nested: Qualification, **kwargs: object) -> Evaluator:
    qualification = Qualification("data-analyst", "Data analyst", root, **kwargs)  # type: ignore[arg-type]
    return Evaluator(qualification, catalog(8, *nested))


def test_public_surface_is_exported() -> None:
    for name in stacking.__all__:
        assert hasattr(stacking, name), name
    assert "Evaluator" in stacking.__all__ and "cheapest_remaining" in stacking.__all__


def test_a_learner_sees_each_node_met_or_missing_with_the_credential_that_met_it() -> None:
    ev = evaluator(
        AllOf(
            (
                RequireAchievement(aid(0)),
                NOf(2, (RequireAchievement(aid(1)), RequireAchievement(aid(2)), RequireAchievement(aid(3)))),
                MinCredits(30, CreditFilter(min_level=4)),
            )
        )
    )
    progress = ev.progress([fact(0, cid="urn:c0"), fact(1, cid="urn:c1")], at=AT)
    assert not progress.satisfied
    by_title = {node.title: node for node in progress.nodes}
    assert by_title[f"achievement({aid(0)})"].credentials == ("urn:c0",)
    assert by_title[f"achievement({aid(0)})"].reason == "met by credential urn:c0"
    assert by_title["n-of(2)"].reason == "1 of 3 met, needs 2"
    credits = by_title["credits(30)"]
    assert (credits.credits_earned, credits.credits_needed) == (10.0, 30.0)  # a1 is level 4, 10 credits
    assert credits.reason == "10 of 30 credits: 20 more needed"
    # root: mean of (1, 1/2, 1/3)
    assert progress.percent == pytest.approx(round(100 * (1 + 0.5 + 10 / 30) / 3, 1))
    assert [n.path for n in progress.missing] == [
        f"qualification data-analyst > all-of[1] > n-of[1] > achievement({aid(2)})",
        f"qualification data-analyst > all-of[1] > n-of[2] > achievement({aid(3)})",
        "qualification data-analyst > all-of[2] > credits(30)",
    ]
    assert progress.satisfied_by()["urn:c1"] == (
        f"qualification data-analyst > all-of[1] > n-of[0] > achievement({aid(1)})",
        "qualification data-analyst > all-of[2] > credits(30)",
    )


def test_progress_has_a_json_twin() -> None:
    import json

    ev = evaluator(AllOf((RequireAchievement(aid(0)), MinCredits(20))))
    data = json.loads(json.dumps(ev.progress([fact(0, cid="urn:c0"), fact(1, state="revoked")], at=AT).to_json()))
    assert data["percent"] == 62.5 and data["creditsEarned"] == 5.0 and data["satisfied"] is False
    assert data["components"] == [{"credentialId": "urn:c0", "achievementId": aid(0), "credits": 5.0}]
    assert data["ignored"][0]["reason"] == "is revoked: it never counts"
    assert data["nodes"][2] == {
        "path": "qualification data-analyst > all-of[1] > credits(20)",
        "kind": "credits",
        "satisfied": False,
        "percent": 25.0,
        "credentials": ["urn:c0"],
        "reason": "5 of 20 credits: 15 more needed",
        "creditsEarned": 5.0,
        "creditsNeeded": 20.0,
    }


@pytest.mark.parametrize("state", ["revoked", "suspended", "expired", "tampered", "unverified"])
def test_a_credential_that_is_not_verified_never_counts(state: str) -> None:
    ev = evaluator(RequireAchievement(aid(0)))
    progress = ev.progress([fact(0, cid="urn:bad", state=state)], at=AT)
    assert not progress.satisfied and progress.components == ()
    assert progress.ignored[0].credential_id == "urn:bad" and state in progress.ignored[0].reason
    assert f"urn:bad is {state}" in progress.nodes[0].reason


def test_a_credential_past_its_valid_until_does_not_count() -> None:
    ev = evaluator(RequireAchievement(aid(0)))
    expired = fact(0, cid="urn:old", valid_until=AT - timedelta(days=1))
    assert not ev.progress([expired], at=AT).satisfied
    assert ev.progress([replace(expired, valid_until=AT + timedelta(days=1))], at=AT).satisfied


def test_recency_counts_only_credentials_earned_within_n_years() -> None:
    ev = evaluator(RequireAchievement(aid(0), within_years=3))
    assert ev.progress([fact(0, days_ago=2 * 365)], at=AT).satisfied
    old = ev.progress([fact(0, cid="urn:old", days_ago=4 * 365)], at=AT)
    assert not old.satisfied
    assert "urn:old was earned before 2023-06-01 (too long ago)" in old.nodes[0].reason


def test_result_threshold_on_a_named_result() -> None:
    ev = evaluator(RequireAchievement(aid(0), threshold=ResultThreshold("Final exam", 70)))
    assert not ev.progress([fact(0, score=69.5)], at=AT).satisfied
    assert ev.progress([fact(0, score=70)], at=AT).satisfied
    assert ev.progress([fact(0, score="88")], at=AT).satisfied  # OB stores result values as strings
    assert not ev.progress([fact(0)], at=AT).satisfied  # no result at all
    for junk in ("inf", "NaN", "seventy"):
        assert not ev.progress([fact(0, score=junk)], at=AT).satisfied, junk


def test_letter_grade_threshold_uses_the_ordered_allowed_values() -> None:
    grades = ResultSpec("urn:grade", "Grade", allowed_values=("D", "C", "B", "A"))
    cat = Catalog.of([info(0, results=(grades,))])
    ev = Evaluator(Qualification("q", "Q", RequireAchievement(aid(0), threshold=ResultThreshold("Grade", "B"))), cat)
    for grade, ok in (("A", True), ("B", True), ("C", False), ("Z", False)):
        learner = replace(fact(0), results=(stacking.ResultFact("urn:grade", grade, "Grade"),))
        assert ev.progress([learner], at=AT).satisfied is ok, grade


def test_prerequisite_must_be_earned_before() -> None:
    ev = evaluator(
        AllOf((RequireAchievement(aid(0)), RequireAchievement(aid(1)))), prerequisites=(Prerequisite(aid(0), aid(1)),)
    )
    in_order = [fact(0, days_ago=100), fact(1, days_ago=50)]
    assert ev.progress(in_order, at=AT).satisfied
    reversed_order = [fact(0, days_ago=50), fact(1, cid="urn:early", days_ago=100)]
    progress = ev.progress(reversed_order, at=AT)
    assert not progress.satisfied
    assert f"urn:early was earned before its prerequisite {aid(0)}" in progress.missing[0].reason


def test_credentials_from_other_issuers_need_to_be_trusted_by_the_tree() -> None:
    plain = evaluator(RequireAchievement(aid(0)))
    forged = fact(0, cid="urn:forged", issuer=STRANGER)
    assert not plain.progress([forged], at=AT).satisfied  # anyone can claim an achievement id
    assert "is from did:web:stranger.example, not an accepted issuer" in plain.progress([forged], at=AT).nodes[0].reason
    partner = evaluator(RequireAchievement(aid(0), issuers=frozenset({PARTNER})))
    assert partner.progress([fact(0, issuer=PARTNER)], at=AT).satisfied
    assert partner.progress([fact(0, issuer=PROVIDER)], at=AT).satisfied


def test_alignment_matches_a_credential_from_any_issuer_unless_restricted() -> None:
    ev = evaluator(RequireAlignment(f"{SKILL}s1"))
    assert ev.progress([fact(1, issuer=STRANGER)], at=AT).satisfied
    assert not ev.progress([fact(2)], at=AT).satisfied
    strict = evaluator(RequireAlignment(f"{SKILL}s1", issuers=frozenset({PROVIDER})))
    assert not strict.progress([fact(1, issuer=STRANGER)], at=AT).satisfied


def test_articulation_rules_count_external_credentials_as_equivalent_or_for_credits() -> None:
    external = stacking.CredentialFact("urn:ext", "https://partner.example/sql", PARTNER, AT - timedelta(days=9), 3)
    ev = evaluator(
        AllOf((RequireAchievement(aid(0)), MinCredits(20, id="electives"))),
        articulations=(
            Articulation("https://partner.example/sql", PARTNER, equivalent_to=aid(0)),
            Articulation("https://partner.example/sql", PARTNER, credits=15, toward="electives"),
        ),
    )
    progress = ev.progress([external, fact(0, cid="urn:a0")], at=AT)
    assert progress.nodes[1].satisfied
    credits = progress.nodes[2]
    assert credits.credits_earned == 20.0 and credits.satisfied  # 15 articulated + 5 from a0
    alone = ev.progress([external], at=AT)
    assert alone.nodes[1].credentials == ("urn:ext",)
    # the same credential from someone else gets nothing
    fake = replace(external, credential_id="urn:fake", issuer_id=STRANGER)
    assert ev.progress([fake], at=AT).fraction == 0


def test_a_retake_is_not_counted_twice_toward_credits() -> None:
    ev = evaluator(MinCredits(10))
    twice = [fact(0, cid="urn:first", days_ago=400), fact(0, cid="urn:retake", days_ago=20)]
    progress = ev.progress(twice, at=AT)
    assert progress.nodes[0].credits_earned == 5.0 and not progress.satisfied


def test_nested_qualification_is_met_by_its_tree_or_by_its_award() -> None:
    foundation = Qualification(
        "foundation",
        "Foundation",
        AllOf((RequireAchievement(aid(0)), RequireAchievement(aid(1)))),
        achievement_id=aid(7),
    )
    ev = evaluator(AllOf((RequireQualification("foundation"), RequireAchievement(aid(2)))), foundation)
    by_parts = ev.progress([fact(0), fact(1), fact(2)], at=AT)
    assert by_parts.satisfied
    assert by_parts.nodes[1].path == "qualification data-analyst > all-of[0] > qualification(foundation)"
    assert by_parts.nodes[2].path.startswith(
        "qualification data-analyst > all-of[0] > qualification(foundation) > qualification foundation > all-of"
    )
    by_award = ev.progress([fact(7, cid="urn:award"), fact(2, cid="urn:a2")], at=AT)
    assert by_award.satisfied
    assert {c.credential_id for c in by_award.components} == {"urn:award", "urn:a2"}


def test_components_of_a_met_n_of_are_only_the_n_used() -> None:
    ev = evaluator(NOf(1, (RequireAchievement(aid(0)), RequireAchievement(aid(1)))))
    progress = ev.progress([fact(0, cid="urn:c0"), fact(1, cid="urn:c1")], at=AT)
    assert [c.credential_id for c in progress.components] == ["urn:c0"]
    assert progress.credits_earned == 5.0


def test_evaluation_time_must_be_timezone_aware() -> None:
    with pytest.raises(InvalidInputError):
        evaluator(RequireAchievement(aid(0))).progress([], at=AT.replace(tzinfo=None))


# ------------------------------------------------------------------ invariants


def _valid(q: Qualification) -> Evaluator:
    cat = generated_catalog()
    assume(not validate(q, cat))
    return Evaluator(q, cat)


@FAST
@given(qualifications(), holdings(), holdings(max_size=2))
def test_adding_verified_credentials_never_lowers_progress(
    q: Qualification, held: list[stacking.CredentialFact], more: list[stacking.CredentialFact]
) -> None:
    ev = _valid(q)
    before = ev.progress(held, at=AT)
    after = ev.progress(held + [replace(f, state="verified") for f in more], at=AT)
    assert after.fraction >= before.fraction - 1e-12
    if before.satisfied:
        assert after.satisfied
    for b, a in zip(before.nodes, after.nodes, strict=True):
        assert a.fraction >= b.fraction - 1e-12 and (a.satisfied or not b.satisfied)


@FAST
@given(qualifications(), holdings(), st.randoms(use_true_random=False))
def test_progress_does_not_depend_on_the_order_of_credentials_and_ignores_revoked_ones(
    q: Qualification, held: list[stacking.CredentialFact], rnd: object
) -> None:
    ev = _valid(q)
    progress = ev.progress(held, at=AT)
    shuffled = list(held)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    again = ev.progress(shuffled, at=AT)
    assert (again.satisfied, again.fraction) == (progress.satisfied, progress.fraction)
    revoked_extra = [replace(f, credential_id=f.credential_id + "-x", state="revoked") for f in held]
    with_revoked = ev.progress(held + revoked_extra, at=AT)
    assert (with_revoked.satisfied, with_revoked.fraction) == (progress.satisfied, progress.fraction)
    assert 0.0 <= progress.fraction <= 1.0
    assert progress.satisfied == (progress.fraction == 1.0)
    assert ev.status(held, at=AT) == (progress.satisfied, progress.fraction)
    for i, node in enumerate(progress.nodes):  # the one-pass explanation agrees with the per-node walk
        assert node.credentials == tuple(dict.fromkeys(f.credential_id for f in ev.used(progress.run, i)))
    progress.run.prune = True  # the shortcut for components must agree with the full walk of the tree
    assert ev.components(progress.run, 0) == progress.components


def test_recency_in_whole_years_is_calendar_years_even_from_29_february() -> None:
    from datetime import UTC, datetime

    from credstack.stacking._compile import years_before

    leap = datetime(2028, 2, 29, 12, tzinfo=UTC)
    assert years_before(leap, 1) == datetime(2027, 2, 28, 12, tzinfo=UTC)
    assert years_before(leap, 4) == datetime(2024, 2, 29, 12, tzinfo=UTC)
    assert years_before(leap, 0.5) == leap - timedelta(days=182.625)
    assert years_before(leap, 5000).year == 1


def test_a_credential_earned_without_its_prerequisite_earns_no_credits_either() -> None:
    ev = evaluator(MinCredits(10), prerequisites=(Prerequisite(aid(0), aid(1)),))
    alone = ev.progress([fact(1, cid="urn:b")], at=AT)  # a1 is worth 10 credits, but a0 was never earned
    assert alone.nodes[0].credits_earned == 0 and not alone.satisfied
    after = ev.progress([fact(0, days_ago=200), fact(1, cid="urn:b", days_ago=100)], at=AT)
    assert after.nodes[0].credits_earned == 15 and after.satisfied
