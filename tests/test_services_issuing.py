"""IssuingService: issue -> verify round trips, what gets filled in, refusals that store nothing, idempotency."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.app import Credstack
from credstack.domain.identity import matches_identity
from credstack.errors import InvalidCredentialError, InvalidInputError, NotFoundError, UndefinedTermError
from credstack.proofs.data_integrity import verify
from credstack.proofs.keys import resolve_did_key_vm
from credstack.storage.account_tables import AuditEventRow
from credstack.storage.models import Credential, StatusAllocation
from issuer_support import BASE_URL, Clock, micro_achievement, open_app, unsigned_ob


def _counts(app: Credstack) -> tuple[int, int, int]:
    with app.db.read() as session:
        return (
            session.scalar(sa.select(sa.func.count()).select_from(Credential)) or 0,
            session.scalar(sa.select(sa.func.count()).select_from(StatusAllocation)) or 0,
            session.scalar(
                sa.select(sa.func.count()).select_from(AuditEventRow).where(AuditEventRow.action == "credential.issued")
            )
            or 0,
        )


def _plain_vc(credential: dict[str, Any], **claims: Any) -> None:
    """Turn ``credential`` into a plain VCDM 2.0 credential (no OB context, whose @vocab defines every term)."""
    credential.clear()
    credential.update(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "credentialSubject": {"id": "did:example:learner-1", **claims},
        }
    )


def _verified(document: dict[str, Any]) -> bool:
    results = verify(document, resolve=resolve_did_key_vm)
    return bool(results) and all(r.verified for r in results)


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "jcs"])
def test_issue_from_an_achievement_round_trips(database_url: str, suite: str) -> None:
    clock = Clock()
    with open_app(database_url, clock=clock) as app:
        achievement = micro_achievement(app)
        until = clock.now + timedelta(days=365)
        issued = app.issuing.issue(
            achievement.id,
            recipient="Ada@Example.org",
            recipient_name="Ada Lovelace",
            results=["A"],
            evidence=["https://portfolio.example.org/ada/wrangling"],
            valid_until=until,
            cryptosuite=suite,
        )
        doc = issued.credential
        assert _verified(doc)
        assert doc["proof"]["cryptosuite"] == ("eddsa-jcs-2022" if suite == "jcs" else "eddsa-rdfc-2022")
        assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert doc["id"] == f"{BASE_URL}/credentials/{issued.id}"
        assert doc["issuer"] == {"id": app.issuers.default().did, "type": ["Profile"], "name": "Example University"}
        assert doc["validFrom"] == "2026-03-01T12:00:00Z" and doc["validUntil"] == "2027-03-01T12:00:00Z"
        subject = doc["credentialSubject"]
        email, name = subject["identifier"]
        assert email["identityType"] == "emailAddress" and email["hashed"] is True
        assert matches_identity("ada@example.org", email) and not matches_identity("eve@example.org", email)
        assert name == {
            "type": "IdentityObject",
            "hashed": False,
            "identityHash": "Ada Lovelace",
            "identityType": "name",
        }
        ach = subject["achievement"]
        assert ach["achievementType"] == "MicroCredential" and ach["creditsAvailable"] == 1.5
        assert ach["alignment"][0]["targetUrl"] == "https://skills.example.org/data-wrangling"
        assert subject["result"] == [
            {"type": ["Result"], "value": "A", "resultDescription": ach["resultDescription"][0]["id"]}
        ]
        assert doc["evidence"] == [{"type": ["Evidence"], "id": "https://portfolio.example.org/ada/wrangling"}]
        purposes = [(s["statusPurpose"], s["type"]) for s in doc["credentialStatus"]]
        assert purposes == [("revocation", "BitstringStatusListEntry"), ("suspension", "BitstringStatusListEntry")]
        assert all(isinstance(s["statusListIndex"], str) for s in doc["credentialStatus"])
        assert app.issuing.get(issued.id) == issued
        assert app.issuing.get(doc["id"]) == issued
        assert issued.state == "active" and issued.achievement_id == achievement.id
        assert _counts(app) == (1, 2, 1)


def test_issued_credentials_pass_the_verifier_service(database_url: str) -> None:
    with open_app(database_url) as app:
        issued = app.issuing.issue(micro_achievement(app).id, recipient="did:example:learner-9")
        report = app.verifier.verify(issued.credential)
        assert report.verified, [c for c in report.checks if c.status == "fail"]
        assert any(c.name == "status" and c.status == "pass" for c in report.checks), report.checks


def test_vc_api_issue_fills_issuer_id_validfrom_and_status(database_url: str) -> None:
    clock = Clock()
    with open_app(database_url, clock=clock) as app:
        issued = app.issuing.issue_credential(unsigned_ob())
        doc = issued.credential
        assert _verified(doc)
        issuer = app.issuers.default()
        assert doc["issuer"]["id"] == issuer.did and doc["issuer"]["name"] == issuer.name
        assert doc["id"] == f"{BASE_URL}/credentials/{issued.id}"
        assert doc["validFrom"] == "2026-03-01T12:00:00Z"
        assert doc["proof"]["verificationMethod"] == issuer.verification_method
        assert doc["proof"]["created"] == "2026-03-01T12:00:00Z"
        assert len(doc["credentialStatus"]) == 2 and issued.achievement_id is None

        own = unsigned_ob() | {"id": "urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5", "issuer": issuer.did}
        own["validFrom"] = "2025-01-01T00:00:00Z"
        kept = app.issuing.issue_credential(own).credential
        assert kept["id"] == own["id"] and kept["validFrom"] == "2025-01-01T00:00:00Z"
        assert kept["issuer"]["id"] == issuer.did and _verified(kept)
        assert app.issuing.get(own["id"]).id != own["id"]  # found by its document id too


def test_plain_vcdm2_credentials_are_issued_too(sqlite_url: str) -> None:
    with open_app(sqlite_url) as app:
        credential: dict[str, Any] = {}
        _plain_vc(credential, name="Jane Doe")
        doc = app.issuing.issue_credential(credential).credential
        assert _verified(doc) and doc["credentialSubject"]["name"] == "Jane Doe"
        issuer = app.issuers.default()
        assert doc["issuer"] == {"id": issuer.did, "name": issuer.name}  # no Profile type outside OB / CLR


def test_random_indexes_are_distinct(sqlite_url: str) -> None:
    with open_app(sqlite_url) as app:
        docs = [app.issuing.issue_credential(unsigned_ob(f"did:example:{n}")).credential for n in range(12)]
        revocation = {d["credentialStatus"][0]["statusListIndex"] for d in docs}
        assert len(revocation) == 12
        assert max(int(i) for i in revocation) > 1000  # random over 131,072, not sequential


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda c: c.update(issuer="did:example:someone-else"), InvalidCredentialError, "is not this issuer"),
        (lambda c: c.update(proof={"type": "DataIntegrityProof"}), InvalidCredentialError, "already has a proof"),
        (
            lambda c: c.update({"@context": ["https://www.w3.org/2018/credentials/v1"]}),
            InvalidCredentialError,
            "VCDM 2.0",
        ),
        (lambda c: c.update(type=["OpenBadgeCredential"]), InvalidCredentialError, "VerifiableCredential"),
        (lambda c: c.update(validFrom="yesterday"), InvalidCredentialError, "validFrom"),
        (lambda c: _plain_vc(c, favouriteColour="blue"), UndefinedTermError, "favouriteColour"),
        (lambda c: c.pop("credentialSubject"), InvalidCredentialError, "credentialSubject"),
    ],
)
def test_refused_credentials_store_nothing(
    database_url: str, change: Any, error: type[Exception], message: str
) -> None:
    with open_app(database_url) as app:
        app.issuing.issue_credential(unsigned_ob())
        before = _counts(app)
        credential = unsigned_ob()
        change(credential)
        with pytest.raises(error, match=message):
            app.issuing.issue_credential(credential)
        assert _counts(app) == before == (1, 2, 1)


def test_idempotency_key_returns_the_first_credential(database_url: str) -> None:
    with open_app(database_url) as app:
        first = app.issuing.issue_credential(unsigned_ob(), idempotency_key="order-17")
        again = app.issuing.issue_credential(unsigned_ob("did:example:other"), idempotency_key="order-17")
        assert again == first
        achievement = micro_achievement(app)
        one = app.issuing.issue(achievement.id, recipient="did:example:x", idempotency_key="row-1")
        assert app.issuing.issue(achievement.id, recipient="did:example:x", idempotency_key="row-1") == one
        assert _counts(app) == (2, 4, 2)
        with pytest.raises(InvalidInputError, match="idempotency key"):
            app.issuing.issue_credential(unsigned_ob(), idempotency_key="k" * 201)
        with pytest.raises(InvalidCredentialError, match="at most 500"):
            app.issuing.issue_credential(unsigned_ob() | {"id": "urn:x:" + "y" * 500})
        assert _counts(app) == (2, 4, 2)


def test_issue_input_errors(sqlite_url: str) -> None:
    with open_app(sqlite_url) as app:
        achievement = micro_achievement(app)
        with pytest.raises(InvalidInputError, match="neither an e-mail address nor a DID/URL"):
            app.issuing.issue(achievement.id, recipient="not a recipient")
        with pytest.raises(InvalidInputError, match="cryptosuite"):
            app.issuing.issue(achievement.id, recipient="did:example:1", cryptosuite="ecdsa-rdfc-2019")
        with pytest.raises(InvalidCredentialError, match="validUntil must be later"):
            app.issuing.issue(achievement.id, recipient="did:example:1", valid_until=datetime(2020, 1, 1, tzinfo=UTC))
        with pytest.raises(NotFoundError, match="no achievement"):
            app.issuing.issue("missing", recipient="did:example:1")
        with pytest.raises(NotFoundError, match="no credential"):
            app.issuing.get("missing")
        assert _counts(app) == (0, 0, 0)


def test_list_is_newest_first_and_filters(sqlite_url: str) -> None:
    clock = Clock()
    with open_app(sqlite_url, clock=clock) as app:
        achievement = micro_achievement(app)
        ids = []
        for n in range(3):
            ids.append(app.issuing.issue(achievement.id, recipient=f"did:example:{n}").id)
            clock.advance(minutes=1)
        app.issuing.issue_credential(unsigned_ob())
        assert [c.id for c in app.issuing.list(achievement_id=achievement.id)] == ids[::-1]
        assert len(app.issuing.list()) == 4 and len(app.issuing.list(limit=2)) == 2


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(str.strip)


def test_any_names_and_results_round_trip_and_tampering_is_caught(sqlite_url: str) -> None:
    """Property: whatever the (Unicode) recipient name and result, the issued credential verifies, and changing
    either afterwards breaks the proof."""
    with open_app(sqlite_url) as app:
        achievement = micro_achievement(app)

        @settings(max_examples=25, deadline=None)
        @given(name=_text, result=_text, suite=st.sampled_from(["rdfc", "jcs"]))
        def check(name: str, result: str, suite: str) -> None:
            doc = app.issuing.issue(
                achievement.id, recipient="did:example:prop", recipient_name=name, results=[result], cryptosuite=suite
            ).credential
            assert _verified(doc)
            tampered = copy.deepcopy(doc)
            tampered["credentialSubject"]["result"][0]["value"] = result + "!"
            assert not _verified(tampered)

        check()
