"""VC-JWT (Open Badges 3.0 §8.2) through the verifier: RS256, ES256 and EdDSA tokens, key binding through ``kid``
(did:key, did:web with a JWK) versus an embedded ``jwk`` (unbound), tampering, ``alg: none``, claims, validity,
legacy ``vc`` tokens, and VC-JWTs enveloped in a presentation."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from credstack.domain.verification import verify_bytes, verify_document
from credstack.proofs.jose import public_jwk, sign_vc_jwt
from verification_support import KEY, VC_V2, check, failed_names, ob_credential, options

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
DID_WEB = "did:web:issuer.example"
DID_WEB_URL = "https://issuer.example/.well-known/did.json"


def _verify(token: str, **kwargs: Any) -> Any:
    return verify_bytes(token.encode(), options(**kwargs))


def _b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def test_eddsa_token_with_a_did_key_kid_verifies() -> None:
    token = sign_vc_jwt(ob_credential(), KEY, "EdDSA", kid=KEY.verification_method, embed_jwk=False)
    report = _verify(token)
    assert report.verified, report.failures
    assert report.format == "vc-jwt"
    assert [c.name for c in report.checks] == [
        "parse", "shape", "contexts", "terms", "proof", "issuer_key", "validity", "status"
    ]  # fmt: skip
    assert check(report, "issuer_key") == ("pass", "the key is the issuer's (did:key)")
    assert report.credential is not None and report.credential["issuer"]["id"] == KEY.did


def _did_web_document(jwk: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
        "id": DID_WEB,
        "verificationMethod": [
            {"id": f"{DID_WEB}#k1", "type": "JsonWebKey", "controller": DID_WEB, "publicKeyJwk": jwk}
        ],
        "assertionMethod": ["#k1"],
    }


@pytest.mark.parametrize(("alg", "key"), [("RS256", RSA_KEY), ("ES256", EC_KEY)])
def test_rs256_and_es256_tokens_with_a_did_web_kid(alg: str, key: Any) -> None:
    credential = ob_credential()
    credential["issuer"]["id"] = DID_WEB
    token = sign_vc_jwt(credential, key, alg, kid=f"{DID_WEB}#k1", embed_jwk=False)
    report = _verify(token, documents={DID_WEB_URL: _did_web_document(public_jwk(key))})
    assert report.verified, report.failures
    offline = _verify(token)
    assert "issuer_key" in failed_names(offline)
    assert f"--document {DID_WEB_URL}=FILE" in check(offline, "issuer_key")[1]


def test_an_embedded_jwk_proves_no_binding() -> None:
    token = sign_vc_jwt(ob_credential(), RSA_KEY, "RS256")
    report = _verify(token)
    assert failed_names(report) == ["issuer_key"]
    assert "--allow-unbound-keys" in check(report, "issuer_key")[1]
    allowed = _verify(token, allow_unbound_keys=True)
    assert allowed.verified and check(allowed, "issuer_key")[0] == "warning"


def test_a_pyjwt_made_token_verifies() -> None:
    credential = ob_credential()
    claims = {"iss": KEY.did, "jti": credential["id"], "sub": credential["credentialSubject"]["id"]}
    claims["nbf"] = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    token = pyjwt.encode({**credential, **claims}, EC_KEY, algorithm="ES256", headers={"jwk": public_jwk(EC_KEY)})
    assert _verify(token, allow_unbound_keys=True).verified


def test_a_tampered_token_fails_the_proof() -> None:
    token = sign_vc_jwt(ob_credential(), KEY, "EdDSA", kid=KEY.verification_method, embed_jwk=False)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["name"] = "Forged"
    report = _verify(f"{header}.{_b64(claims)}.{signature}")
    assert failed_names(report) == ["proof"]
    assert "altered" in check(report, "proof")[1]


def test_alg_none_is_refused() -> None:
    credential = ob_credential()
    payload = {**credential, "iss": KEY.did, "jti": credential["id"]}
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."
    report = _verify(token)
    assert not report.verified
    assert "alg 'none'" in check(report, "proof")[1]


def test_claims_must_match_the_credential() -> None:
    credential = ob_credential()
    token = pyjwt.encode(
        {**credential, "iss": KEY.did, "jti": "urn:uuid:another", "nbf": 1735689600},
        RSA_KEY,
        algorithm="RS256",
        headers={"jwk": public_jwk(RSA_KEY)},
    )
    report = _verify(token, allow_unbound_keys=True)
    assert failed_names(report) == ["proof"] and "jti" in check(report, "proof")[1]


def test_validity_comes_from_the_credential() -> None:
    credential = ob_credential(validUntil="2025-03-01T00:00:00Z")
    token = sign_vc_jwt(credential, KEY, "EdDSA", kid=KEY.verification_method, embed_jwk=False)
    assert _verify(token, now=datetime(2025, 2, 1, tzinfo=UTC)).verified
    late = _verify(token, now=datetime(2025, 4, 1, tzinfo=UTC))
    assert failed_names(late) == ["validity"]


def test_legacy_vc_claim_tokens() -> None:
    credential = ob_credential()
    credential["@context"] = ["https://www.w3.org/2018/credentials/v1", credential["@context"][1]]
    credential["issuanceDate"] = credential.pop("validFrom")
    payload = {"vc": credential, "iss": KEY.did, "jti": credential["id"], "nbf": 1735689600}
    token = pyjwt.encode(payload, _ed25519_private(), algorithm="EdDSA", headers={"kid": KEY.verification_method})
    report = _verify(token)
    assert report.verified, report.failures
    assert check(report, "shape")[0] == "warning"


def _ed25519_private() -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(KEY.seed)


def test_an_enveloped_vc_jwt_in_a_presentation() -> None:
    token = sign_vc_jwt(ob_credential(), KEY, "EdDSA", kid=KEY.verification_method, embed_jwk=False)
    vp = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [
            {"@context": VC_V2, "id": f"data:application/vc-ld+jwt,{token}", "type": "EnvelopedVerifiableCredential"}
        ],
    }
    report = verify_document(vp, options())
    assert report.credentials[0].verified and report.credentials[0].format == "vc-jwt"
    assert failed_names(report) == ["proof"]  # the presentation itself is unsigned


def test_a_fragment_only_kid_is_relative_to_the_issuer() -> None:
    credential = ob_credential()
    credential["issuer"]["id"] = DID_WEB
    token = sign_vc_jwt(credential, EC_KEY, "ES256", kid="#k1", embed_jwk=False)
    report = _verify(token, documents={DID_WEB_URL: _did_web_document(public_jwk(EC_KEY))})
    assert report.verified, report.failures
