"""The verifier end to end on JSON credentials: the report's checks and order, proofs of every suite, key binding
(did:key, did:web through the documents map or the injected fetch, unbound https keys), validity windows,
published vectors, contexts and terms, and the recipient check."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from conftest import VECTORS
from credstack.domain.identity import identity_object
from credstack.domain.verification import CHECK_ORDER, VerifyOptions, verify_bytes, verify_document
from credstack.errors import FetchError, InvalidInputError
from credstack.proofs import data_integrity
from credstack.proofs.keys import Ed25519Key
from verification_support import (
    KEY,
    OTHER_KEY,
    check,
    failed_names,
    ob_credential,
    options,
    sign,
    signed_credential,
)

GUIDE = VECTORS / "1edtech-ob-impl-guide" / "obv3p0" / "credential-signed.json"
EDDSA = VECTORS / "w3c-vc-di-eddsa"


def _load(path: Any) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return value


def test_a_credstack_credential_verifies_with_every_check_in_order() -> None:
    report = verify_document(signed_credential(), options())
    assert report.verified, report.failures
    names = [c.name for c in report.checks]
    assert names == ["parse", "shape", "contexts", "terms", "proof", "issuer_key", "validity", "status"]
    assert names == [n for n in CHECK_ORDER if n in names]
    assert all(c.status == "pass" for c in report.checks)
    assert check(report, "status") == ("pass", "no status to check (the credential has no credentialStatus)")


def test_report_json_shape() -> None:
    report = verify_bytes(json.dumps(signed_credential()).encode(), options())
    out = json.loads(json.dumps(report.to_json()))
    assert out["verified"] is True and out["format"] == "json"
    assert out["credential"]["issuer"]["id"] == KEY.did
    assert set(out["checks"][0]) == {"name", "status", "reason"}
    assert [c["name"] for c in out["checks"]][:2] == ["parse", "shape"]


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_both_cryptosuites_verify(suite: str) -> None:
    report = verify_document(sign(ob_credential(), cryptosuite=suite), options())
    assert report.verified, report.failures
    assert suite in check(report, "proof")[1]


def test_legacy_ed25519_signature_2020_verifies() -> None:
    doc = ob_credential()
    doc["@context"].append("https://w3id.org/security/suites/ed25519-2020/v1")
    report = verify_document(sign(doc, cryptosuite="Ed25519Signature2020"), options())
    assert report.verified, report.failures


def test_tampering_fails_the_proof_and_names_it() -> None:
    doc = signed_credential()
    doc["credentialSubject"]["achievement"]["name"] = "Advanced Welding"
    report = verify_document(doc, options())
    assert not report.verified
    assert failed_names(report) == ["proof"]
    assert "altered" in check(report, "proof")[1]


def test_an_unsigned_credential_is_not_verified() -> None:
    report = verify_document(ob_credential(), options())
    assert failed_names(report) == ["proof", "issuer_key"]
    assert "no proof" in check(report, "proof")[1]


def test_proof_sets_report_each_proof() -> None:
    doc = sign(sign(ob_credential()), OTHER_KEY)
    report = verify_document(doc, options())
    assert report.verified, report.failures
    proofs = [c for c in report.checks if c.name == "proof"]
    assert [c.reason[:12] for c in proofs] == ["proof 1 of 2", "proof 2 of 2"]
    assert check(report, "issuer_key")[0] == "warning"  # the co-signer is not the issuer
    doc["proof"][1]["proofValue"] = doc["proof"][0]["proofValue"]
    report = verify_document(doc, options())
    assert [c.status for c in report.checks if c.name == "proof"] == ["pass", "fail"]
    assert not report.verified


def test_a_key_that_is_not_the_issuers_fails_issuer_key() -> None:
    doc = sign(ob_credential(KEY), OTHER_KEY)
    report = verify_document(doc, options())
    assert failed_names(report) == ["issuer_key"]
    assert f"is not the issuer {KEY.did}" in check(report, "issuer_key")[1]


def test_w3c_vectors_verify_their_proofs_but_not_the_issuer_binding() -> None:
    for path in [
        EDDSA / "eddsa-rdfc-2022" / "signedDataInt.json",
        EDDSA / "eddsa-jcs-2022" / "signedJCS.json",
        EDDSA / "Ed25519Signature2020" / "signedEdSig.json",
        EDDSA / "proof-set-chain" / "signedProofSet2.json",
    ]:
        report = verify_bytes(path.read_bytes(), options())
        assert failed_names(report) == ["issuer_key"], (path.name, report.failures)
        assert "is not the issuer https://vc.example/issuers/5678" in check(report, "issuer_key")[1]


# --- the 1EdTech guide credential: an https VM whose fragment is the key ---------------------------------------


def test_unbound_key_fails_by_default_and_names_the_flag() -> None:
    report = verify_bytes(GUIDE.read_bytes(), options())
    assert failed_names(report) == ["issuer_key"]
    _, reason = check(report, "issuer_key")
    assert "proves no binding" in reason and "--allow-unbound-keys" in reason
    assert check(report, "proof")[0] == "pass"


def test_unbound_key_is_a_warning_when_allowed() -> None:
    report = verify_bytes(GUIDE.read_bytes(), options(allow_unbound_keys=True))
    assert report.verified
    assert check(report, "issuer_key")[0] == "warning"
    assert [c.name for c in report.warnings] == ["issuer_key"]


def test_a_supplied_controller_document_binds_the_https_key() -> None:
    doc = _load(GUIDE)
    vm = doc["proof"]["verificationMethod"]
    controller = "https://example.edu/issuers/565049"
    controller_doc = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": controller,
        "verificationMethod": [
            {"id": vm, "type": "Multikey", "controller": controller, "publicKeyMultibase": vm.split("#")[1]}
        ],
        "assertionMethod": [vm],
    }
    report = verify_document(doc, options(documents={controller: controller_doc}))
    assert report.verified, report.failures
    assert check(report, "issuer_key") == ("pass", f"the key is the issuer's (controller document {controller})")
    controller_doc["assertionMethod"] = []
    report = verify_document(doc, options(documents={controller: controller_doc}))
    assert "not listed under assertionMethod" in check(report, "issuer_key")[1]


# --- did:web ---------------------------------------------------------------------------------------------------

DID_WEB = "did:web:issuer.example%3A8443:issuers:acme"
DID_WEB_URL = "https://issuer.example:8443/issuers/acme/did.json"


def _did_web_document(key: Ed25519Key = KEY, relationship: str = "assertionMethod") -> dict[str, Any]:
    vm = f"{DID_WEB}#key-1"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": DID_WEB,
        "verificationMethod": [
            {"id": vm, "type": "Multikey", "controller": DID_WEB, "publicKeyMultibase": key.public_multibase}
        ],
        relationship: [vm],
    }


def _did_web_credential() -> dict[str, Any]:
    doc = ob_credential()
    doc["issuer"]["id"] = DID_WEB
    return data_integrity.sign(doc, key=KEY, verification_method=f"{DID_WEB}#key-1")


def test_did_web_through_the_documents_map() -> None:
    report = verify_document(_did_web_credential(), options(documents={DID_WEB_URL: _did_web_document()}))
    assert report.verified, report.failures
    assert check(report, "issuer_key") == ("pass", f"the key is the issuer's (did:web document {DID_WEB_URL})")


def test_did_web_offline_without_the_document_says_what_to_supply() -> None:
    report = verify_document(_did_web_credential(), options())
    assert set(failed_names(report)) == {"proof", "issuer_key"}
    assert f"--document {DID_WEB_URL}=FILE" in check(report, "issuer_key")[1]


def test_did_web_through_the_injected_fetch_and_its_failures() -> None:
    calls: list[str] = []

    def fetch(url: str) -> dict[str, Any]:
        calls.append(url)
        return _did_web_document()

    opts = options(fetch=fetch)
    assert verify_document(_did_web_credential(), opts).verified
    assert verify_document(_did_web_credential(), opts).verified
    assert calls == [DID_WEB_URL], "a fetched document is reused within one VerifyOptions"

    def refuse(url: str) -> dict[str, Any]:
        raise FetchError(f"{url} is not on the allow-list")

    report = verify_document(_did_web_credential(), options(fetch=refuse))
    assert "not on the allow-list" in check(report, "issuer_key")[1]


def test_did_web_document_with_the_wrong_key_or_relationship_fails() -> None:
    wrong_key = verify_document(_did_web_credential(), options(documents={DID_WEB_URL: _did_web_document(OTHER_KEY)}))
    assert check(wrong_key, "proof")[0] == "fail"
    auth_only = verify_document(
        _did_web_credential(), options(documents={DID_WEB_URL: _did_web_document(relationship="authentication")})
    )
    assert "not listed under assertionMethod" in check(auth_only, "issuer_key")[1]


def test_unsupported_did_methods_fail_readably() -> None:
    doc = ob_credential()
    doc["issuer"]["id"] = "did:example:issuer"
    signed = data_integrity.sign(doc, key=KEY, verification_method="did:example:issuer#key-1")
    report = verify_document(signed, options())
    assert "did:example is not supported" in check(report, "issuer_key")[1]


# --- validity --------------------------------------------------------------------------------------------------


def test_validity_window_against_the_given_time() -> None:
    doc = signed_credential(validFrom="2025-01-01T00:00:00Z", validUntil="2026-01-01T00:00:00Z")
    assert verify_document(doc, options(now=datetime(2025, 6, 1, tzinfo=UTC))).verified
    early = verify_document(doc, options(now=datetime(2024, 12, 31, 23, 59, tzinfo=UTC)))
    assert failed_names(early) == ["validity"] and "not yet valid" in check(early, "validity")[1]
    late = verify_document(doc, options(now=datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC)))
    assert failed_names(late) == ["validity"] and "expired" in check(late, "validity")[1]


def test_legacy_issuance_and_expiration_dates() -> None:
    doc = ob_credential()
    doc["@context"] = [
        "https://www.w3.org/2018/credentials/v1",
        doc["@context"][1],
        "https://w3id.org/security/data-integrity/v2",  # the v1 context does not define DataIntegrityProof
    ]
    doc["issuanceDate"] = doc.pop("validFrom")
    doc["expirationDate"] = "2025-03-01T00:00:00Z"
    signed = sign(doc)
    report = verify_document(signed, options(now=datetime(2025, 2, 1, tzinfo=UTC)))
    assert report.verified, report.failures
    assert check(report, "shape")[0] == "warning"
    expired = verify_document(signed, options(now=datetime(2025, 4, 1, tzinfo=UTC)))
    assert failed_names(expired) == ["validity"]


def test_options_need_an_aware_time() -> None:
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        VerifyOptions(now=datetime(2025, 1, 1))


# --- contexts and terms ----------------------------------------------------------------------------------------


def test_an_unknown_context_fails_and_is_never_fetched() -> None:
    fetched: list[str] = []

    def fetch(url: str) -> dict[str, Any]:
        fetched.append(url)
        raise FetchError("no")

    doc = signed_credential()
    doc["@context"].append("https://evil.example/context.jsonld")
    report = verify_document(doc, options(fetch=fetch))
    assert "contexts" in failed_names(report) and "terms" in failed_names(report)
    assert "never fetched" in check(report, "contexts")[1]
    assert fetched == []


def test_an_undefined_term_fails_closed() -> None:
    doc = signed_credential()
    doc["credentialSubject"]["favouriteColour"] = "blue"
    report = verify_document(doc, options())
    assert "terms" in failed_names(report)
    assert "favouriteColour" in check(report, "terms")[1]
    unsigned = ob_credential()
    unsigned["favouriteColour"] = "blue"
    report = verify_document(unsigned, options())
    assert "favouriteColour" in check(report, "terms")[1]


# --- recipient -------------------------------------------------------------------------------------------------


def test_recipient_check_only_when_asked() -> None:
    doc = ob_credential()
    del doc["credentialSubject"]["id"]
    doc["credentialSubject"]["identifier"] = [identity_object("ada@example.com", salt="pepper")]
    signed = sign(doc)
    assert "recipient" not in [c.name for c in verify_document(signed, options()).checks]
    assert check(verify_document(signed, options(recipient="ada@example.com")), "recipient")[0] == "pass"
    assert check(verify_document(signed, options(recipient=" Ada@Example.COM")), "recipient")[0] == "pass"
    wrong = verify_document(signed, options(recipient="grace@example.com"))
    assert failed_names(wrong) == ["recipient"]


def test_verify_document_does_not_modify_its_input() -> None:
    doc = signed_credential()
    before = copy.deepcopy(doc)
    verify_document(doc, options())
    assert doc == before


def test_every_check_is_documented() -> None:
    from conftest import ROOT

    text = (ROOT / "docs" / "verification.md").read_text(encoding="utf-8")
    assert [name for name in CHECK_ORDER if f"`{name}`" not in text] == []


def test_public_surface() -> None:
    import credstack.domain.verification as verification

    assert set(verification.__all__) == {
        "CHECK_ORDER", "Check", "CheckStatus", "VerificationReport", "VerifyOptions", "verify_bytes", "verify_document"
    }  # fmt: skip
    assert all(hasattr(verification, name) for name in verification.__all__)


# --- endorsements (OB 3.0 verification step 6) -----------------------------------------------------------------


def _endorsement(comment: str = "A rigorous, well-assessed badge.") -> dict[str, Any]:
    return sign(
        {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            ],
            "id": "urn:uuid:8b0c2a5e-2f6a-4c55-b1d2-77a1c9e0e001",
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": "Welding guild endorsement",
            "issuer": {"id": OTHER_KEY.did, "type": ["Profile"], "name": "Welding Guild"},
            "validFrom": "2025-01-01T00:00:00Z",
            "credentialSubject": {
                "id": "https://issuer.example/achievements/welding-basics",
                "type": ["EndorsementSubject"],
                "endorsementComment": comment,
            },
        },
        OTHER_KEY,
    )


def test_embedded_endorsements_are_verified() -> None:
    doc = ob_credential()
    doc["credentialSubject"]["achievement"]["endorsement"] = [_endorsement()]
    report = verify_document(sign(doc), options())
    assert report.verified, report.failures
    assert check(report, "endorsements") == ("pass", "all 1 endorsement(s) verified")


def test_a_bad_endorsement_is_a_warning_not_a_failure() -> None:
    forged = _endorsement()
    forged["credentialSubject"]["endorsementComment"] = "The best badge in the world."
    doc = ob_credential()
    doc["credentialSubject"]["achievement"]["endorsement"] = [forged]
    report = verify_document(sign(doc), options())
    assert report.verified
    status, reason = check(report, "endorsements")
    assert status == "warning" and "endorsement 1: proof" in reason


def test_no_endorsements_no_check() -> None:
    assert "endorsements" not in [c.name for c in verify_document(signed_credential(), options()).checks]


# --- CLR 2.0: a stack of credentials -----------------------------------------------------------------------------

CLR = VECTORS / "1edtech-ob-impl-guide" / "clrv2p0" / "credential-signed.json"


def test_the_clr_vector_verifies_outer_and_nested_proofs() -> None:
    strict = verify_bytes(CLR.read_bytes(), options())
    assert set(failed_names(strict)) == {"issuer_key", "credentials"}  # 1EdTech's fragment keys: unbound
    report = verify_bytes(CLR.read_bytes(), options(allow_unbound_keys=True))
    assert report.verified, (report.failures, [r.failures for r in report.credentials])
    assert check(report, "credentials") == ("pass", "all 1 embedded credential(s) verified")
    assert len(report.credentials) == 1 and report.credentials[0].credential is not None
    assert len(report.to_json()["credentials"]) == 1


def test_a_nested_credential_changed_inside_a_clr_fails_both_proofs() -> None:
    doc = _load(CLR)
    nested = doc["credentialSubject"]["verifiableCredential"][0]
    nested["credentialSubject"]["achievement"]["name"] = "Something grander"
    report = verify_document(doc, options(allow_unbound_keys=True))
    assert set(failed_names(report)) == {"proof", "credentials"}
    assert failed_names(report.credentials[0]) == ["proof"]


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:issuer.example", "https://issuer.example/.well-known/did.json"),
        ("did:web:issuer.example:issuers:acme", "https://issuer.example/issuers/acme/did.json"),
        ("did:web:localhost%3A8000:issuers:x", "https://localhost:8000/issuers/x/did.json"),
    ],
)
def test_did_web_urls(did: str, url: str) -> None:
    from credstack.domain._resolvers import did_web_url

    assert did_web_url(did) == url


@pytest.mark.parametrize("did", ["did:web:", "did:key:z6Mk", "did:web:issuer.example::x", "did:web:a%2Fb"])
def test_malformed_did_web(did: str) -> None:
    from credstack.domain._resolvers import did_web_url
    from credstack.errors import KeyMaterialError

    with pytest.raises(KeyMaterialError):
        did_web_url(did)


def test_a_did_document_for_another_did_is_refused() -> None:
    document = _did_web_document()
    document["id"] = "did:web:evil.example"
    report = verify_document(_did_web_credential(), options(documents={DID_WEB_URL: document}))
    assert "is for 'did:web:evil.example'" in check(report, "issuer_key")[1]
