"""Verifiable Presentations: the holder's proof (purpose authentication, challenge, domain), holder binding, and
every embedded credential, including the published Blockcerts eddsa-rdfc-2022 presentation."""

from __future__ import annotations

import copy
import json
from typing import Any

from conftest import VECTORS
from credstack.domain.verification import verify_bytes, verify_document
from credstack.proofs.keys import Ed25519Key
from verification_support import VC_V2, check, failed_names, options, sign, signed_credential

HOLDER = Ed25519Key.from_seed(b"\x05" * 32)
BLOCKCERTS_VP = VECTORS / "blockcerts-cert-verifier-js" / "vp-eddsa-rdfc-2022.json"


def presentation(*credentials: dict[str, Any], holder: Ed25519Key = HOLDER, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("challenge", "c-123")
    kwargs.setdefault("domain", "verifier.example")
    vp = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER.did,
        "verifiableCredential": list(credentials),
    }
    return sign(vp, holder, proof_purpose="authentication", **kwargs)


def test_a_presentation_verifies_with_its_challenge_and_domain() -> None:
    vp = presentation(signed_credential(), signed_credential(id="urn:uuid:second"))
    report = verify_document(vp, options(challenge="c-123", domain="verifier.example"))
    assert report.verified, (report.failures, [r.failures for r in report.credentials])
    assert [c.name for c in report.checks] == [
        "parse", "shape", "contexts", "terms", "proof", "holder_key", "credentials"
    ]  # fmt: skip
    assert len(report.credentials) == 2 and all(r.verified for r in report.credentials)
    assert report.presentation == vp and report.credential is None
    out = report.to_json()
    assert len(out["credentials"]) == 2 and out["credentials"][0]["verified"] is True


def test_wrong_challenge_or_domain_fails_the_proof() -> None:
    vp = presentation(signed_credential())
    wrong_challenge = verify_document(vp, options(challenge="other", domain="verifier.example"))
    assert failed_names(wrong_challenge) == ["proof"]
    assert "challenge" in check(wrong_challenge, "proof")[1]
    wrong_domain = verify_document(vp, options(challenge="c-123", domain="evil.example"))
    assert failed_names(wrong_domain) == ["proof"] and "domain" in check(wrong_domain, "proof")[1]


def test_an_unexpected_challenge_is_a_warning() -> None:
    report = verify_document(presentation(signed_credential()), options())
    assert report.verified
    status, reason = check(report, "proof")
    assert status == "warning" and "replay" in reason


def test_an_assertion_proof_is_not_a_presentation_proof() -> None:
    vp = {"@context": [VC_V2], "type": ["VerifiablePresentation"], "holder": HOLDER.did}
    signed = sign(vp, HOLDER)  # proofPurpose assertionMethod
    report = verify_document(signed, options())
    assert "proof" in failed_names(report) and "authentication" in check(report, "proof")[1]


def test_the_holder_must_control_the_key() -> None:
    impostor = Ed25519Key.from_seed(b"\x09" * 32)
    vp = presentation(signed_credential(), holder=impostor)
    report = verify_document(vp, options(challenge="c-123", domain="verifier.example"))
    assert failed_names(report) == ["holder_key"]
    assert f"not the holder {HOLDER.did}" in check(report, "holder_key")[1]


def test_a_bad_embedded_credential_fails_the_presentation() -> None:
    bad = signed_credential()
    bad["name"] = "Forged"
    vp = presentation(signed_credential(), bad)
    report = verify_document(vp, options(challenge="c-123", domain="verifier.example"))
    assert not report.verified
    assert failed_names(report) == ["credentials"]
    assert "2 of 2" in check(report, "credentials")[1]
    assert [r.verified for r in report.credentials] == [True, False]
    assert failed_names(report.credentials[1]) == ["proof"]


def test_tampering_with_the_presentation_fails() -> None:
    vp = presentation(signed_credential())
    vp["holder"] = "did:example:someone-else"
    report = verify_document(vp, options(challenge="c-123", domain="verifier.example"))
    assert "proof" in failed_names(report)


def test_an_unsigned_presentation_is_not_verified() -> None:
    vp = {"@context": [VC_V2], "type": ["VerifiablePresentation"], "verifiableCredential": [signed_credential()]}
    report = verify_document(vp, options())
    assert failed_names(report) == ["proof"] and "no proof" in check(report, "proof")[1]


def test_the_blockcerts_presentation_vector() -> None:
    proof = json.loads(BLOCKCERTS_VP.read_text())["proof"]
    report = verify_bytes(BLOCKCERTS_VP.read_bytes(), options(challenge=proof["challenge"], domain=proof["domain"]))
    assert report.verified, report.failures
    assert all(c.status == "pass" for c in report.checks), report.checks
    assert check(report, "holder_key")[1].startswith("no holder is named")
    wrong = verify_bytes(BLOCKCERTS_VP.read_bytes(), options(challenge=proof["challenge"], domain="example.org"))
    assert failed_names(wrong) == ["proof"]


def test_the_input_is_not_modified() -> None:
    vp = presentation(signed_credential())
    before = copy.deepcopy(vp)
    verify_document(vp, options(challenge="c-123", domain="verifier.example"))
    assert vp == before
