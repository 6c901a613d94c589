"""cs.learners.verified_credentials: everything issued to a learner (DID or e-mail) plus external documents, each
re-verified; revoked, suspended, expired and tampered ones come back unverified with the reason."""

from __future__ import annotations

import copy
from datetime import timedelta

from issuer_support import Clock, micro_achievement, open_app


def test_a_learner_holds_what_was_issued_to_them_and_only_verified_ones_count(database_url: str) -> None:
    clock = Clock()
    with open_app(database_url, clock=clock) as cs:
        achievement = micro_achievement(cs)
        kept = cs.issuing.issue(achievement.id, recipient="Ada@Example.org", credits_earned=2)
        revoked = cs.issuing.issue(achievement.id, recipient="ada@example.org")
        suspended = cs.issuing.issue(achievement.id, recipient="ada@example.org")
        expiring = cs.issuing.issue(
            achievement.id, recipient="ada@example.org", valid_until=clock.now + timedelta(days=1)
        )
        cs.issuing.issue(achievement.id, recipient="did:example:someone-else")
        cs.status.revoke(revoked.id)
        cs.status.suspend(suspended.id)
        clock.advance(days=2)

        held = {h.credential_id: h for h in cs.learners.verified_credentials("ADA@example.org ")}

        assert set(held) == {str(c.credential["id"]) for c in (kept, revoked, suspended, expiring)}
        good = held[str(kept.credential["id"])]
        assert (good.verified, good.state, good.status_reason, good.source) == (True, "verified", None, "issued")
        assert good.credits == 2.0
        assert good.achievement_id == achievement.url
        assert good.achievement_name == "Data Wrangling"
        assert good.issuer_id == cs.issuers.default().did
        assert good.alignments and good.alignments[0]["targetName"] == "Data wrangling"
        for issued, state in ((revoked, "revoked"), (suspended, "suspended"), (expiring, "expired")):
            entry = held[str(issued.credential["id"])]
            assert entry.verified is False
            assert entry.state == state
            assert entry.status_reason and state in entry.status_reason


def test_external_credentials_are_verified_and_must_be_the_learners(database_url: str) -> None:
    with open_app(database_url) as cs:
        achievement = micro_achievement(cs)
        mine = cs.issuing.issue(achievement.id, recipient="did:example:bob")
        theirs = cs.issuing.issue(achievement.id, recipient="did:example:carol")
        tampered = copy.deepcopy(mine.credential)
        tampered["id"] = "urn:uuid:5d0c1a4e-0000-4000-8000-000000000001"
        tampered["credentialSubject"]["achievement"]["name"] = "Brain surgery"

        held = cs.learners.verified_credentials("did:example:bob", extra=[tampered, theirs.credential])

        states = {h.credential_id: (h.source, h.state, h.verified) for h in held}
        assert states[str(mine.credential["id"])] == ("issued", "verified", True)
        assert states[tampered["id"]] == ("external", "tampered", False)
        assert states[str(theirs.credential["id"])] == ("external", "unverified", False)
        reason = next(h.status_reason for h in held if h.credential_id == str(theirs.credential["id"]))
        assert reason is not None and "not issued to did:example:bob" in reason


def test_e_mail_credentials_issued_without_the_learner_index_are_still_found(database_url: str) -> None:
    with open_app(database_url) as cs:
        achievement = micro_achievement(cs)
        issued = cs.issuing.issue(achievement.id, recipient="grace@example.org")
        unsigned = copy.deepcopy(issued.credential)
        for member in ("proof", "id", "issuer", "credentialStatus", "validFrom"):
            unsigned.pop(member, None)
        via_vc_api = cs.issuing.issue_credential(unsigned)  # the plain address is never known to the server here

        ids = {h.credential_id for h in cs.learners.verified_credentials("grace@example.org") if h.verified}

        assert ids == {str(issued.credential["id"]), str(via_vc_api.credential["id"])}
        assert cs.learners.verified_credentials("nobody@example.org") == []


def test_a_revoked_credential_never_counts_when_the_server_runs_under_another_base_url(database_url: str) -> None:
    """Credentials issued under one base URL (a demo served on port 8766) and read by a process configured with
    another (the CLI without CREDSTACK_BASE_URL): their status lists are still this server's, checked locally, so a
    revoked or suspended credential is not counted as 'status not checked'."""
    clock = Clock()
    with open_app(database_url, clock=clock, base_url="http://127.0.0.1:8766") as served:
        achievement = micro_achievement(served)
        kept = served.issuing.issue(achievement.id, recipient="ada@example.org")
        revoked = served.issuing.issue(achievement.id, recipient="ada@example.org")
        suspended = served.issuing.issue(achievement.id, recipient="ada@example.org")
        served.status.revoke(revoked.id)
        served.status.suspend(suspended.id)
    with open_app(database_url, clock=clock, base_url="http://127.0.0.1:8000") as cli:
        held = {h.credential_id: h for h in cli.learners.verified_credentials("ada@example.org")}
        states = {
            c.id: (held[c.credential["id"]].verified, held[c.credential["id"]].state)
            for c in (kept, revoked, suspended)
        }
        assert states == {
            kept.id: (True, "verified"),
            revoked.id: (False, "revoked"),
            suspended.id: (False, "suspended"),
        }
        # a foreign credential's list at another host with the same path is not taken for ours
        assert cli.status.document_for_url("https://elsewhere.example/status/1") is None
