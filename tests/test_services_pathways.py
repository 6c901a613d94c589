"""cs.pathways on SQLite and PostgreSQL: pathways stored and validated, progress from verified credentials only,
automatic award exactly once (even when two threads decide together), review when a component is revoked."""

from __future__ import annotations

import copy
import threading
from datetime import timedelta
from typing import Any

import pytest

from credstack.app import Credstack
from credstack.errors import ConflictError, InvalidQualificationError, NotFoundError
from issuer_support import Clock, open_app
from pathway_support import publish_units

LEARNER = "ada@example.org"


def _catalog(cs: Credstack) -> dict[str, str]:
    return publish_units(cs, 5)


CERT: dict[str, Any] = {
    "id": "cert",
    "name": "Test certificate",
    "credits": 15,
    "requirement": {
        "type": "all-of",
        "requirements": [
            {"type": "achievement", "achievementId": "u1"},
            {
                "type": "n-of",
                "n": 1,
                "requirements": [
                    {"type": "achievement", "achievementId": "u2"},
                    {"type": "achievement", "achievementId": "u3"},
                ],
            },
            {"type": "credits", "credits": 15},
        ],
    },
}


def test_progress_counts_only_verified_credentials(database_url: str) -> None:
    clock = Clock()
    with open_app(database_url, clock=clock) as cs:
        units = _catalog(cs)
        revoked = cs.issuing.issue(units["u1"], recipient=LEARNER)
        suspended = cs.issuing.issue(units["u2"], recipient=LEARNER)
        cs.issuing.issue(units["u3"], recipient=LEARNER, valid_until=clock.now + timedelta(hours=1))
        genuine = cs.issuing.issue(units["u5"], recipient="did:example:other")
        tampered = copy.deepcopy(genuine.credential)
        tampered["id"] = "urn:uuid:00000000-0000-4000-8000-00000000000a"
        tampered["credentialSubject"] = copy.deepcopy(
            cs.issuing.issue(units["u4"], recipient=LEARNER).credential["credentialSubject"]
        )
        cs.status.revoke(revoked.id)
        cs.status.suspend(suspended.id)
        clock.advance(hours=2)  # the u3 credential has expired
        cs.pathways.create(CERT)

        result = cs.pathways.progress(LEARNER, "cert", extra=[tampered])

        assert not result.satisfied
        states = {h.achievement_name: h.state for h in result.held}
        assert states["Unit 1"] == "revoked" and states["Unit 2"] == "suspended" and states["Unit 3"] == "expired"
        assert {h.state for h in result.held if h.source == "external"} == {"tampered"}
        # only the u4 credential counts: 5 of 15 credits, no achievement node met
        assert result.progress.credits_earned == 5.0
        met = {n.ref for n in result.progress.nodes if n.satisfied and n.kind == "achievement"}
        assert met == set()
        assert {n.ref for n in result.progress.missing} >= {"u1"}
        # the cheapest way to finish: u1 and u2 (100 + 200 EUR), the learner passes their assessments
        assert result.plan is not None and result.plan.feasible
        assert set(result.plan.achievement_ids) == {"u1", "u2"}
        assert result.plan.total == 300.0
        assert cs.pathways.awards.list() == []
        as_json = result.to_json()
        assert as_json["satisfied"] is False and as_json["creditsEarned"] == 5.0
        assert [a["id"] for a in as_json["remaining"]["achievements"]] == list(result.plan.achievement_ids)


def test_a_met_pathway_is_awarded_once_with_an_award_and_a_clr_that_verify(database_url: str) -> None:
    with open_app(database_url) as cs:
        units = _catalog(cs)
        cs.pathways.create(CERT)
        for unit in ("u1", "u3"):
            cs.issuing.issue(units[unit], recipient=LEARNER)
        assert cs.pathways.awards.list() == []
        cs.issuing.issue(units["u5"], recipient=LEARNER)  # the issuing listener awards it

        awards = cs.pathways.awards.list()
        assert len(awards) == 1
        award = awards[0]
        assert (award.pathway_id, award.learner, award.status, award.credits_earned) == ("cert", LEARNER, "awarded", 15)
        assert cs.pathways.evaluate_learner(LEARNER) == []  # called again: nothing new
        assert len(cs.pathways.awards.list()) == 1

        assert award.award_credential_id is not None and award.clr_credential_id is not None
        badge = cs.issuing.get(award.award_credential_id).credential
        assert badge["credentialSubject"]["creditsEarned"] == 15.0
        assert badge["credentialSubject"]["achievement"]["id"] == "https://creds.example.edu:8443/pathways/cert"
        assert len(badge["evidence"]) == 3
        clr = cs.issuing.get(award.clr_credential_id).credential
        assert "ClrCredential" in clr["type"]
        edges = clr["credentialSubject"]["association"]
        assert {e["associationType"] for e in edges} == {"isPartOf"} and len(edges) == 3
        assert len(clr["credentialSubject"]["verifiableCredential"]) == 4  # the award and its three parts
        for credential in (badge, clr):
            report = cs.verifier.verify(credential)
            assert report.verified, [c.reason for c in report.failures]
        held = {h.credential_id for h in cs.learners.verified_credentials(LEARNER) if h.verified}
        assert badge["id"] in held and clr["id"] in held
        assert cs.pathways.progress(LEARNER, "cert").award == award


def test_the_award_narrative_names_issuers_and_skills_and_keeps_unknown_ids_whole(sqlite_url: str) -> None:
    programming = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
    stranger = "did:key:z6MkwTqL9sQmv1pYbKk8G5x3Ck7fRz2nD4hPaWq8Ux7Qa"  # no issuer known here
    with open_app(sqlite_url) as cs:
        cs.taxonomy.load(only=("skills",))
        label = cs.taxonomy.skill(programming).preferred_label
        units = _catalog(cs)
        home = cs.issuers.default()
        cs.pathways.create(
            {
                "id": "named",
                "name": "Named certificate",
                "requirement": {
                    "type": "all-of",
                    "requirements": [
                        {"type": "credits", "credits": 10, "filter": {"providers": [home.did, stranger]}},
                        {
                            "type": "n-of",
                            "n": 1,
                            "requirements": [
                                {"type": "achievement", "achievementId": "u1"},
                                {"type": "alignment", "targetUrl": programming},
                            ],
                        },
                    ],
                },
            }
        )
        for unit in ("u1", "u2"):
            cs.issuing.issue(units[unit], recipient=LEARNER)

        [award] = cs.pathways.awards.list()
        assert award.award_credential_id is not None
        badge = cs.issuing.get(award.award_credential_id).credential
        narrative = badge["credentialSubject"]["achievement"]["criteria"]["narrative"]
        lines = narrative.splitlines()
        assert f"  - At least 10 credits issued by Example University or {stranger}" in lines
        assert f"    - Any credential in {label}" in lines
        assert home.did not in narrative and programming not in narrative
        assert cs.verifier.verify(badge).verified  # the names are signed with the rest


def test_concurrent_decisions_award_exactly_once(database_url: str) -> None:
    with open_app(database_url) as cs:
        units = _catalog(cs)
        for unit in ("u1", "u2", "u4"):
            cs.issuing.issue(units[unit], recipient=LEARNER)
        cs.pathways.create(CERT)  # created after the credentials: nothing was awarded yet
        pathway = cs.pathways.get("cert")
        held, facts, context = cs.pathways.facts(LEARNER)
        progress = cs.pathways.evaluator("cert", context).progress(facts, at=cs.clock())
        assert progress.satisfied
        results: list[Any] = []
        barrier = threading.Barrier(4)

        def decide() -> None:
            barrier.wait()
            results.append(cs.pathways.awards.award(pathway, LEARNER, progress, held))

        threads = [threading.Thread(target=decide) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert len(results) == 4
        assert sum(1 for r in results if r.created) == 1
        assert len({r.id for r in results}) == 1
        assert len(cs.pathways.awards.list()) == 1
        issued = [c for c in cs.issuing.list() if c.achievement_id is None]
        assert len(issued) == 2  # one award and one CLR were signed and kept; the losers rolled theirs back


def test_revoking_a_component_flags_the_award_for_review(database_url: str) -> None:
    with open_app(database_url) as cs:
        units = _catalog(cs)
        cs.pathways.create(CERT)
        kept = {u: cs.issuing.issue(units[u], recipient=LEARNER) for u in ("u1", "u2", "u3", "u4")}
        award = cs.pathways.awards.list()[0]
        assert award.status == "awarded"
        if "u4" in {c["achievementId"] for c in award.components}:
            spare = "u3"  # u2 and u3 are interchangeable in the n-of; revoke the one not needed for credits
        else:
            spare = "u4"
        cs.status.revoke(kept[spare].id)
        assert cs.pathways.awards.list()[0].status == "awarded"  # not a component, or others still carry it

        cs.status.suspend(kept["u1"].id)
        flagged = cs.pathways.awards.list(status="review")
        assert len(flagged) == 1
        assert flagged[0].review_reason is not None
        assert "suspended" in flagged[0].review_reason and "Unit 1" in flagged[0].review_reason
        assert flagged[0].award_credential_id is not None and flagged[0].clr_credential_id is not None
        held_award = cs.issuing.get(flagged[0].award_credential_id).credential
        assert not cs.verifier.verify(held_award).verified  # suspended while under review, never silently valid
        assert cs.status.status_of(flagged[0].award_credential_id).state == "suspended"

        cs.status.unsuspend(kept["u1"].id)
        assert cs.pathways.awards.list()[0].status == "awarded"
        assert cs.status.status_of(flagged[0].award_credential_id).state == "active"
        assert cs.verifier.verify(held_award).verified
        cs.status.revoke(kept["u1"].id)
        again = cs.pathways.awards.list(status="review")
        assert len(again) == 1 and "revoked" in (again[0].review_reason or "")


def test_pathways_are_validated_stored_replaced_and_deleted(database_url: str) -> None:
    with open_app(database_url) as cs:
        _catalog(cs)
        broken = copy.deepcopy(CERT)
        broken["requirement"]["requirements"][1]["n"] = 3
        with pytest.raises(InvalidQualificationError) as error:
            cs.pathways.create(broken)
        assert "qualification cert > all-of[1] > n-of(3)" in str(error.value)
        dangling = copy.deepcopy(CERT)
        dangling["requirement"]["requirements"][0]["achievementId"] = "no-such-unit"
        with pytest.raises(InvalidQualificationError, match="no-such-unit"):
            cs.pathways.create(dangling)
        malformed = copy.deepcopy(CERT)
        malformed["requirement"]["requirements"][2]["credits"] = "many"
        with pytest.raises(InvalidQualificationError, match=r"\$\.requirement\.requirements\[2\]\.credits"):
            cs.pathways.create(malformed)
        assert cs.pathways.list() == []

        created = cs.pathways.create(CERT)
        assert created.version == 1 and created.issuer.did == cs.issuers.default().did
        with pytest.raises(ConflictError):
            cs.pathways.create(CERT)
        outer = {
            "id": "outer",
            "name": "Outer",
            "requirement": {"type": "qualification", "qualificationId": "cert"},
        }
        cs.pathways.create(outer)
        looping = copy.deepcopy(CERT)
        looping["requirement"]["requirements"].append({"type": "qualification", "qualificationId": "outer"})
        with pytest.raises(InvalidQualificationError, match="contain each other: cert -> outer -> cert"):
            cs.pathways.create(looping, replace=True)
        replaced = cs.pathways.create(CERT | {"name": "Test certificate (2027)"}, replace=True)
        assert replaced.version == 2 and cs.pathways.get("cert").name == "Test certificate (2027)"
        assert [p.id for p in cs.pathways.list()] == ["outer", "cert"]
        with pytest.raises(ConflictError, match="nested in outer"):
            cs.pathways.delete("cert")
        cs.pathways.delete("outer")
        with pytest.raises(NotFoundError):
            cs.pathways.get("outer")
        with pytest.raises(NotFoundError):
            cs.pathways.progress(LEARNER, "outer")
        assert [p.id for p in cs.pathways.containing("u2")] == ["cert"]


def test_a_roster_issue_completes_a_pathway_and_is_audited(database_url: str) -> None:
    """A bulk (CSV roster) issuance is an issuance like any other: the last unit awards the stack, the learner's
    e-mail address finds the credential, and the audit log records it."""
    with open_app(database_url) as cs:
        units = _catalog(cs)
        cs.pathways.create(CERT)
        for unit in ("u1", "u3"):
            cs.issuing.issue(units[unit], recipient=LEARNER)
        report = cs.bulk.run(cs.bulk.start(units["u5"], f"recipient\n{LEARNER}\nbob@example.org\n"))
        assert report.issued == 2

        awards = cs.pathways.awards.list()
        assert [(a.pathway_id, a.learner, a.status) for a in awards] == [("cert", LEARNER, "awarded")]
        roster_credential = report.credential_ids[0]
        held = {h.credential_id for h in cs.learners.verified_credentials(LEARNER) if h.verified}
        assert cs.issuing.get(roster_credential).credential["id"] in held
        issued = cs.audit.events(action="credential.issued", subject=roster_credential, everything=True)
        assert len(issued) == 1 and issued[0].detail["recipient"] == LEARNER
