"""IssuerService (did:key, did:web, rotation), AchievementService and TokenService."""

from __future__ import annotations

from typing import Any

import pytest

from credstack.errors import AuthError, ConflictError, InvalidInputError, NotFoundError
from credstack.proofs.data_integrity import verify
from credstack.proofs.keys import (
    VerificationMethod,
    resolve_did_key_vm,
    verification_method_for_did_key,
    vm_from_controller_document,
)
from credstack.services.issuers import did_web_for
from credstack.storage.migrate import head_revision
from issuer_support import BASE_URL, micro_achievement, open_app, unsigned_ob


def test_did_web_identifiers() -> None:
    assert did_web_for("https://creds.example.edu:8443", "eng") == "did:web:creds.example.edu%3A8443:issuers:eng"
    assert did_web_for("https://example.edu/badges/", "eng") == "did:web:example.edu:badges:issuers:eng"
    with pytest.raises(InvalidInputError, match="no host"):
        did_web_for("file:///tmp", "eng")


def test_default_issuer_is_a_did_key_and_init_is_idempotent(database_url: str) -> None:
    with open_app(database_url) as app:
        issuer = app.issuers.default()
        assert issuer.method == "key" and issuer.did.startswith("did:key:z6Mk") and issuer.is_default
        assert issuer.verification_method == verification_method_for_did_key(issuer.did)
        again = app.init("Another name")
        assert not again.created and again.issuer == issuer and again.revision == head_revision()
        assert [i.slug for i in app.issuers.list()] == [issuer.slug]
        assert app.issuers.did_document(issuer.slug)["assertionMethod"] == [issuer.verification_method]


def test_did_key_rotation_keeps_earlier_credentials_verifying(database_url: str) -> None:
    with open_app(database_url) as app:
        before = app.issuing.issue_credential(unsigned_ob()).credential
        old = app.issuers.default()
        rotated = app.issuers.rotate_key(old.slug)
        assert rotated.did != old.did and rotated.former_dids == (old.did,)
        assert [k.active for k in rotated.keys] == [True, False] and rotated.keys[1].retired_at is not None
        after = app.issuing.issue_credential(unsigned_ob()).credential
        assert after["issuer"]["id"] == rotated.did
        for doc in (before, after):
            assert all(r.verified for r in verify(doc, resolve=resolve_did_key_vm))
        assert app.issuers.get(old.did) == rotated  # found by a former DID
        assert app.verifier.verify(before).verified  # its status lists are still signed by the old DID
        app.status.revoke(before["id"])
        revoked = app.verifier.verify(before)
        assert not revoked.verified and any(c.name == "status" and c.status == "fail" for c in revoked.checks)
        assert app.verifier.verify(after).verified


def _resolver(document: dict[str, Any]) -> Any:
    def resolve(vm_id: str) -> VerificationMethod:
        return vm_from_controller_document(document, vm_id, "assertionMethod")

    return resolve


def test_did_web_issuer_lists_every_key_after_rotation(database_url: str) -> None:
    with open_app(database_url) as app:
        web = app.issuers.create("School of Engineering", method="web", url="https://eng.example.edu")
        assert web.did == f"did:web:creds.example.edu%3A8443:issuers:{web.slug}"
        assert web.verification_method.startswith(web.did + "#z6Mk")
        before = app.issuing.issue_credential(unsigned_ob(), issuer_ref=web.slug).credential
        assert before["issuer"]["url"] == "https://eng.example.edu"
        rotated = app.issuers.rotate_key(web.did)
        assert rotated.did == web.did and rotated.former_dids == ()
        after = app.issuing.issue_credential(unsigned_ob(), issuer_ref=web.slug).credential
        document = app.issuers.did_document(web.slug)
        assert document["id"] == web.did
        assert [m["type"] for m in document["verificationMethod"]] == ["Multikey", "Multikey"]
        assert set(document["assertionMethod"]) == {web.verification_method, rotated.verification_method}
        for doc in (before, after):
            assert all(r.verified for r in verify(doc, resolve=_resolver(document)))
        assert before["proof"]["verificationMethod"] != after["proof"]["verificationMethod"]
        assert app.verifier.verify(before).verified, app.verifier.verify(before).checks


def test_did_web_on_a_development_http_base_url_verifies_locally(sqlite_url: str) -> None:
    """did:web resolves to https://127.0.0.1%3A8000/...: the verifier still finds our own document, offline."""
    with open_app(sqlite_url, base_url="http://127.0.0.1:8000") as app:
        web = app.issuers.create("Dev Faculty", method="web", slug="dev")
        assert web.did == "did:web:127.0.0.1%3A8000:issuers:dev"
        issued = app.issuing.issue_credential(unsigned_ob(), issuer_ref="dev").credential
        report = app.verifier.verify(issued)
        assert report.verified, [c for c in report.checks if c.status != "pass"]
        assert app.status.document_for_url("https://127.0.0.1:8000/issuers/dev/did.json")["id"] == web.did  # type: ignore[index]
        assert app.status.document_for_url("https://127.0.0.1:8001/issuers/dev/did.json") is None
        assert app.status.document_for_url("ftp://127.0.0.1:8000/issuers/dev/did.json") is None


def test_issuer_validation(sqlite_url: str) -> None:
    with open_app(sqlite_url) as app:
        with pytest.raises(InvalidInputError, match="method"):
            app.issuers.create("X", method="jwk")
        with pytest.raises(InvalidInputError, match="needs a name"):
            app.issuers.create("  ")
        with pytest.raises(InvalidInputError, match="http"):
            app.issuers.create("X", url="ftp://x")
        app.issuers.create("Same Name", slug="same")
        with pytest.raises(ConflictError, match="already exists"):
            app.issuers.create("Other", slug="same")
        assert app.issuers.create("Same Name").slug == "same-name"
        assert app.issuers.create("Same Name").slug == "same-name-2"
        with pytest.raises(NotFoundError, match="no issuer"):
            app.issuers.get("nobody")


def test_achievements_store_their_definition(database_url: str) -> None:
    with open_app(database_url) as app:
        record = micro_achievement(app)
        assert record.url == f"{BASE_URL}/achievements/{record.id}"
        assert record.definition["criteria"] == {"narrative": "Complete the three data wrangling labs."}
        assert app.achievements.get(record.id) == record == app.achievements.get(record.url)
        assert app.achievements.list() == [record]
        assert app.achievements.list(issuer_ref=app.issuers.default().slug) == [record]
        with pytest.raises(InvalidInputError, match="achievementType"):
            app.achievements.create(None, name="X", description="Y", criteria_narrative="Z", achievement_type="Nope")
        with pytest.raises(InvalidInputError, match="criteria"):
            app.achievements.create(None, name="X", description="Y")
        with pytest.raises(InvalidInputError, match="targetUrl"):
            app.achievements.create(
                None, name="X", description="Y", criteria_url="https://c.example", alignments=[{"targetName": "A"}]
            )
        ext = app.achievements.create(
            None, name="X", description="Y", criteria_url="https://c.example/x", achievement_type="ext:Bootcamp"
        )
        assert ext.achievement_type == "ext:Bootcamp"
        assert len(app.achievements.list()) == 2


def test_tokens(database_url: str) -> None:
    with open_app(database_url) as app:
        raw = app.tokens.create(["issue", "status"], name="ci")
        assert raw.startswith("cs_") and len(raw) > 40
        record = app.tokens.authenticate(raw)
        assert record.scopes == {"issue", "status"} and record.name == "ci"
        assert record.allows("issue") and not record.allows("admin")
        assert app.tokens.authenticate(app.tokens.create(["admin"])).allows("status")
        with pytest.raises(AuthError):
            app.tokens.authenticate(raw[:-1] + ("A" if raw[-1] != "A" else "B"))
        with pytest.raises(AuthError):
            app.tokens.authenticate("Bearer nonsense")
        with pytest.raises(InvalidInputError, match="unknown scope"):
            app.tokens.create(["issue", "delete"])
        with pytest.raises(InvalidInputError, match="at least one scope"):
            app.tokens.create([])
        app.tokens.revoke(record.id)
        with pytest.raises(AuthError, match="revoked"):
            app.tokens.authenticate(raw)
        assert [t.revoked for t in app.tokens.list()] == [True, False]
