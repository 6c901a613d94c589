"""Award decisions, revocation review, and the award credentials (OB 3.0 and CLR 2.0) signed and verified."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from credstack.domain.credential import build_achievement, build_achievement_credential
from credstack.errors import InvalidInputError, UndefinedTermError
from credstack.proofs.canonical import to_canonical_nquads
from credstack.proofs.data_integrity import sign, verify
from credstack.proofs.keys import Ed25519Key, resolve_did_key_vm
from credstack.stacking import (
    AllOf,
    AwardDecision,
    Evaluator,
    MinCredits,
    NOf,
    Prerequisite,
    Qualification,
    RequireAchievement,
    award_decision,
    build_award_credential,
    build_clr_credential,
    build_qualification_achievement,
    describe_requirements,
    review_on_revocation,
)
from stacking_support import AT, PROVIDER, aid, catalog, fact, info

KEY = Ed25519Key.from_seed(bytes(range(32)))
LEARNER = "did:example:learner-1"
QUALIFICATION = Qualification(
    "data-analyst",
    "Data analyst",
    AllOf(
        (
            RequireAchievement(aid(0)),
            NOf(1, (RequireAchievement(aid(1)), RequireAchievement(aid(2)))),
            MinCredits(15),
        )
    ),
    achievement_id="https://learn.example/qualifications/data-analyst",
    credits=30,
    prerequisites=(Prerequisite(aid(0), aid(1)),),
    description="Analyse data end to end.",
)


def issuer_profile(did: str, name: str) -> dict[str, Any]:
    return {"id": did, "type": ["Profile"], "name": name}


def signed_component(i: int, cid: str) -> dict[str, Any]:
    """A real, signed OB 3.0 credential for catalog achievement i."""
    achievement = build_achievement(
        aid(i), name=info(i).name, description=f"Unit {i}", criteria_narrative="Pass the exam.", credits_available=5
    )
    credential = build_achievement_credential(
        credential_id=cid, achievement=achievement, recipient=LEARNER, salt="s", valid_from=AT, credits_earned=5
    )
    credential["issuer"] = issuer_profile(KEY.did, "Learn Example")
    return sign(credential, key=KEY, verification_method=KEY.verification_method)


def decided(*indices: int) -> AwardDecision:
    facts = [fact(i, cid=f"urn:uuid:c{i}", days_ago=100 - i) for i in indices]
    ev = Evaluator(QUALIFICATION, catalog(8))
    return award_decision(QUALIFICATION, ev.progress(facts, at=AT))


def test_award_decision_sums_credits_and_names_the_components() -> None:
    award = decided(0, 1, 3)
    assert award.satisfied and award.credits_earned == 5 + 10 + 5  # a0 5, a1 10, a3 5 (credits node)
    assert award.component_ids == ("urn:uuid:c0", "urn:uuid:c1", "urn:uuid:c3")
    not_yet = decided(0)
    assert not not_yet.satisfied and not_yet.components == () and not_yet.credits_earned == 0
    assert not_yet.reason.startswith("not yet: 44.4% complete;") and "n-of[0] > achievement(" in not_yet.reason
    with pytest.raises(InvalidInputError):
        award_decision(Qualification("other", "Other", RequireAchievement(aid(0))), not_yet.progress)


def test_revoking_a_component_flags_the_award_for_review_unless_others_carry_it() -> None:
    award = decided(0, 1, 2, 3)  # n-of(1) uses a1; a2 could stand in
    replaced = review_on_revocation(award, "urn:uuid:c1")
    assert replaced.was_component and replaced.still_stands and not replaced.flag_for_review
    assert "urn:uuid:c2" in {c.credential_id for c in replaced.components}
    core = review_on_revocation(award, "urn:uuid:c0")
    assert core.was_component and not core.still_stands and core.flag_for_review
    assert f"achievement({aid(0)})" in core.reason and "is revoked" in core.reason
    unrelated = review_on_revocation(award, "urn:uuid:not-mine")
    assert not unrelated.was_component and unrelated.still_stands
    with pytest.raises(InvalidInputError):
        review_on_revocation(decided(0), "urn:uuid:c0")


def test_the_qualification_achievement_describes_its_tree() -> None:
    achievement = build_qualification_achievement(QUALIFICATION, names={aid(0): "Unit 0"})
    assert achievement["id"] == QUALIFICATION.award_achievement_id
    assert achievement["creditsAvailable"] == 30.0
    narrative = achievement["criteria"]["narrative"]
    assert narrative == describe_requirements(QUALIFICATION, {aid(0): "Unit 0"})
    assert narrative.splitlines()[:3] == ["- All of:", "  - Unit 0", "  - Any 1 of:"]  # the pages' wording
    assert f"- Unit 0 must be earned before {aid(1)}" in narrative


def _award_credentials() -> tuple[AwardDecision, list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    award = decided(0, 1, 3)
    components = [signed_component(i, f"urn:uuid:c{i}") for i in (0, 1, 3)]
    achievement = build_qualification_achievement(QUALIFICATION)
    ob = build_award_credential(
        award,
        credential_id="urn:uuid:award-1",
        achievement=achievement,
        recipient=LEARNER,
        salt="s",
        components=components,
        issuer=issuer_profile(KEY.did, "Learn Example"),
    )
    return award, components, achievement, ob


def test_the_award_credential_links_components_canonicalises_signs_and_verifies() -> None:
    award, components, _, ob = _award_credentials()
    assert ob["type"] == ["VerifiableCredential", "AchievementCredential"]
    assert ob["credentialSubject"]["creditsEarned"] == award.credits_earned == 20.0
    assert [e["id"] for e in ob["evidence"]] == [c["id"] for c in components]
    to_canonical_nquads(ob)  # raises UndefinedTermError on any term no context defines
    signed = sign(ob, key=KEY, verification_method=KEY.verification_method)
    assert [r.verified for r in verify(signed, resolve=resolve_did_key_vm)] == [True]
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["creditsEarned"] = 60.0
    assert [r.verified for r in verify(tampered, resolve=resolve_did_key_vm)] == [False]


def test_the_clr_bundles_the_signed_components_unchanged_and_verifies_inside_and_out() -> None:
    award, components, achievement, ob = _award_credentials()
    signed_award = sign(ob, key=KEY, verification_method=KEY.verification_method)
    clr = build_clr_credential(
        award,
        credential_id="urn:uuid:clr-1",
        achievement=achievement,
        recipient=LEARNER,
        salt="s",
        components=list(reversed(components)),
        award_credential=signed_award,
        issuer=issuer_profile(KEY.did, "Learn Example"),
    )
    assert clr["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    ]
    subject = clr["credentialSubject"]
    assert subject["type"] == ["ClrSubject"] and subject["id"] == LEARNER
    assert subject["verifiableCredential"] == [signed_award, *components]  # unchanged, award first
    assert [a["id"] for a in subject["achievement"]] == [achievement["id"], aid(0), aid(1), aid(3)]
    edges = {(e["associationType"], e["sourceId"], e["targetId"]) for e in subject["association"]}
    assert edges == {
        ("isPartOf", aid(0), achievement["id"]),
        ("isPartOf", aid(1), achievement["id"]),
        ("isPartOf", aid(3), achievement["id"]),
        ("precedes", aid(0), aid(1)),
    }
    to_canonical_nquads(clr)
    signed = sign(clr, key=KEY, verification_method=KEY.verification_method)
    assert [r.verified for r in verify(signed, resolve=resolve_did_key_vm)] == [True]
    for inner in signed["credentialSubject"]["verifiableCredential"]:
        assert [r.verified for r in verify(inner, resolve=resolve_did_key_vm)] == [True]
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["verifiableCredential"][1]["credentialSubject"]["creditsEarned"] = 50.0
    assert [r.verified for r in verify(tampered, resolve=resolve_did_key_vm)] == [False]


def test_an_undefined_term_in_the_award_would_be_caught() -> None:
    _, _, _, ob = _award_credentials()
    ob["credentialSubject"]["stackProgress"] = 1.0
    with pytest.raises(UndefinedTermError):
        to_canonical_nquads(ob)


def test_builders_refuse_missing_extra_or_unawarded_components() -> None:
    award, components, achievement, _ = _award_credentials()
    common: dict[str, Any] = {"credential_id": "urn:uuid:x", "achievement": achievement, "recipient": LEARNER}
    with pytest.raises(InvalidInputError, match="not supplied: urn:uuid:c3"):
        build_award_credential(award, salt="s", components=components[:2], **common)
    with pytest.raises(InvalidInputError, match="not components of the award"):
        build_clr_credential(award, salt="s", components=[*components, signed_component(2, "urn:uuid:c2")], **common)
    with pytest.raises(InvalidInputError, match="not met"):
        build_award_credential(decided(0), salt="s", components=[], **common)
    assert PROVIDER  # the component facts came from the catalog issuer
