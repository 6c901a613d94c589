"""VC-JWT, Open Badges 3.0 profile (proofs/jose.py), cross-checked both ways with PyJWT (an independent JOSE
implementation): tokens credstack signs decode with PyJWT, tokens PyJWT signs verify with credstack, and the
refusals (alg none, other algorithms, private JWKs, claim mismatches, tampering) are readable results."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from credstack.errors import FetchError, InvalidInputError, KeyMaterialError, MalformedJsonError
from credstack.proofs.jose import public_jwk, public_key_from_jwk, sign_vc_jwt, verify_vc_jwt
from credstack.proofs.keys import Ed25519Key
from proof_samples import ob_credential

ISSUER_KEY = Ed25519Key.from_seed(b"\x11" * 32)
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
ED_KEY = Ed25519PrivateKey.from_private_bytes(b"\x22" * 32)
KEYS: dict[str, Any] = {"RS256": RSA_KEY, "ES256": EC_KEY, "EdDSA": ED_KEY}
PYJWT_JWK = {
    "RS256": lambda k: json.loads(RSAAlgorithm.to_jwk(k)),
    "ES256": lambda k: json.loads(ECAlgorithm.to_jwk(k)),
    "EdDSA": lambda k: json.loads(OKPAlgorithm.to_jwk(k)),
}
ALGS = sorted(KEYS)
VALID_FROM = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())


def _credential(**changes: Any) -> dict[str, Any]:
    credential = ob_credential(ISSUER_KEY, issuer_name="Université de Montréal", achievement_name="Économie — 経済学")
    credential.update(changes)
    return credential


def _claims(credential: dict[str, Any]) -> dict[str, Any]:
    return {
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": VALID_FROM,
        "sub": credential["credentialSubject"]["id"],
    }


def _pyjwt_token(payload: dict[str, Any], alg: str, headers: dict[str, Any] | None = None) -> str:
    key = KEYS[alg]
    return pyjwt.encode(
        payload, key, algorithm=alg, headers={"jwk": PYJWT_JWK[alg](key.public_key()), **(headers or {})}
    )


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("alg", ALGS)
def test_credstack_tokens_verify_with_pyjwt_and_credstack(alg: str) -> None:
    credential = _credential()
    token = sign_vc_jwt(credential, KEYS[alg], alg)
    header = pyjwt.get_unverified_header(token)
    assert header["alg"] == alg and header["typ"] == "JWT" and "d" not in header["jwk"]
    decoded = pyjwt.decode(token, KEYS[alg].public_key(), algorithms=[alg], issuer=credential["issuer"]["id"])
    assert decoded == {**credential, **_claims(credential)}
    result = verify_vc_jwt(token)
    assert result.verified, result.reason
    assert result.credential == credential
    assert (result.algorithm, result.bound) == (alg, False)
    assert "jwk header" in result.reason


@pytest.mark.parametrize("alg", ALGS)
def test_pyjwt_tokens_verify_with_credstack(alg: str) -> None:
    credential = _credential()
    token = _pyjwt_token({**credential, **_claims(credential)}, alg)
    result = verify_vc_jwt(token)
    assert result.verified, result.reason
    assert result.credential == credential


@pytest.mark.parametrize("alg", ALGS)
def test_public_jwk_matches_pyjwt(alg: str) -> None:
    ours = public_jwk(KEYS[alg])
    theirs = PYJWT_JWK[alg](KEYS[alg].public_key())
    assert {k: v for k, v in theirs.items() if k in ours} == ours
    assert public_jwk(public_key_from_jwk(theirs)) == ours


def test_credstack_ed25519_key_signs_eddsa_tokens() -> None:
    token = sign_vc_jwt(_credential(), ISSUER_KEY, "EdDSA")
    assert pyjwt.get_unverified_header(token)["jwk"]["x"] == public_jwk(ISSUER_KEY)["x"]
    assert verify_vc_jwt(token).verified


@pytest.mark.parametrize("alg", ALGS)
def test_tampered_payload_fails(alg: str) -> None:
    token = sign_vc_jwt(_credential(), KEYS[alg], alg)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["credentialSubject"]["achievement"]["name"] = "Something else"
    result = verify_vc_jwt(f"{header}.{_b64(claims)}.{signature}")
    assert not result.verified and "altered" in result.reason


def test_alg_none_is_refused() -> None:
    credential = _credential()
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64({**credential, **_claims(credential)})}."
    result = verify_vc_jwt(token)
    assert not result.verified and "'none'" in result.reason
    assert result.credential == credential  # still readable for display, never verified
    no_alg = f"{_b64({'typ': 'JWT'})}.{_b64({**credential, **_claims(credential)})}.c2ln"
    assert not verify_vc_jwt(no_alg).verified


@pytest.mark.parametrize("alg", ["HS256", "RS512", "ES384", "PS256"])
def test_other_algorithms_are_refused(alg: str) -> None:
    credential = _credential()
    if alg == "HS256":  # the classic confusion: the public key used as an HMAC secret
        key: Any = b"public-key-bytes-used-as-a-shared-secret!"
    elif alg == "ES384":
        key = ec.generate_private_key(ec.SECP384R1())
    else:
        key = RSA_KEY
    jwk = public_jwk(RSA_KEY)
    token = pyjwt.encode({**credential, **_claims(credential)}, key, algorithm=alg, headers={"jwk": jwk})
    result = verify_vc_jwt(token)
    assert not result.verified
    assert f"{alg!r} is not accepted" in result.reason and "RS256, ES256, EdDSA" in result.reason


def test_key_type_must_match_the_algorithm() -> None:
    credential = _credential()
    token = pyjwt.encode(
        {**credential, **_claims(credential)}, ED_KEY, algorithm="EdDSA", headers={"jwk": public_jwk(RSA_KEY)}
    )
    result = verify_vc_jwt(token)
    assert not result.verified and "needs an Ed25519" in result.reason


def test_a_jwk_with_private_material_is_refused() -> None:
    credential = _credential()
    private_jwk = json.loads(OKPAlgorithm.to_jwk(ED_KEY))
    assert "d" in private_jwk
    token = pyjwt.encode({**credential, **_claims(credential)}, ED_KEY, algorithm="EdDSA", headers={"jwk": private_jwk})
    result = verify_vc_jwt(token)
    assert not result.verified and "private key material" in result.reason
    with pytest.raises(KeyMaterialError):
        public_key_from_jwk(private_jwk)


def test_kid_is_resolved_by_the_injected_resolver() -> None:
    credential = _credential()
    kid = "https://example.edu/issuers/1/keys/1"
    token = sign_vc_jwt(credential, EC_KEY, "ES256", kid=kid, embed_jwk=False)
    assert "jwk" not in pyjwt.get_unverified_header(token)
    seen: list[str] = []

    def resolve(wanted: str) -> dict[str, Any]:
        seen.append(wanted)
        return public_jwk(EC_KEY)

    result = verify_vc_jwt(token, resolve_kid=resolve)
    assert result.verified and result.bound and seen == [kid] and result.kid == kid
    unresolved = verify_vc_jwt(token)
    assert not unresolved.verified and "no key resolver" in unresolved.reason

    def refuse(wanted: str) -> dict[str, Any]:
        raise FetchError(f"{wanted} is not allow-listed")

    refused = verify_vc_jwt(token, resolve_kid=refuse)
    assert not refused.verified and "allow-listed" in refused.reason


def test_resolved_kid_wins_over_an_embedded_jwk() -> None:
    """An attacker can embed any jwk; when the kid resolves, the resolved key is the one that must verify."""
    credential = _credential()
    attacker = Ed25519PrivateKey.generate()
    token = pyjwt.encode(
        {**credential, **_claims(credential)},
        attacker,
        algorithm="EdDSA",
        headers={"kid": "issuer-key", "jwk": public_jwk(attacker)},
    )
    assert verify_vc_jwt(token).verified  # self-asserted key: verifies, but unbound
    result = verify_vc_jwt(token, resolve_kid=lambda kid: public_jwk(ED_KEY))
    assert not result.verified and result.bound
    assert "signed with another key" in result.reason


@pytest.mark.parametrize(
    ("claim", "value", "fragment"),
    [
        ("iss", "did:example:someone-else", "iss claim"),
        ("jti", "urn:uuid:another", "jti claim"),
        ("nbf", VALID_FROM + 1, "nbf claim"),
        ("sub", "did:example:another-learner", "sub claim"),
        ("exp", VALID_FROM + 10**9, "exp claim"),
        ("nbf", "2025-01-01T00:00:00Z", "NumericDate"),
    ],
)
def test_claims_must_match_the_credential(claim: str, value: Any, fragment: str) -> None:
    credential = _credential()
    token = _pyjwt_token({**credential, **_claims(credential), claim: value}, "EdDSA")
    result = verify_vc_jwt(token)
    assert not result.verified and fragment in result.reason


def test_missing_iss_is_refused() -> None:
    credential = _credential()
    claims = _claims(credential)
    del claims["iss"]
    result = verify_vc_jwt(_pyjwt_token({**credential, **claims}, "EdDSA"))
    assert not result.verified and "iss claim is missing" in result.reason


def test_valid_until_becomes_exp_and_time_is_checked_when_given() -> None:
    credential = _credential(validUntil="2030-01-01T00:00:00Z")
    token = sign_vc_jwt(credential, ED_KEY, "EdDSA")
    assert pyjwt.decode(token, options={"verify_signature": False})["exp"] == 1893456000
    assert verify_vc_jwt(token, now=datetime(2026, 1, 1, tzinfo=UTC)).verified
    expired = verify_vc_jwt(token, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert not expired.verified and "expired" in expired.reason
    early = verify_vc_jwt(token, now=datetime(2024, 12, 31, tzinfo=UTC))
    assert not early.verified and "not valid yet" in early.reason


def test_legacy_vc_claim_tokens_are_read() -> None:
    legacy = {
        "@context": ["https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context.json"],
        "id": "urn:uuid:legacy-1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.edu/issuers/1", "type": "Profile", "name": "Example"},
        "issuanceDate": "2022-05-01T10:00:00Z",
        "credentialSubject": {"id": "did:example:learner", "type": "AchievementSubject"},
    }
    payload = {
        "iss": "https://example.edu/issuers/1",
        "jti": "urn:uuid:legacy-1",
        "nbf": int(datetime(2022, 5, 1, 10, tzinfo=UTC).timestamp()),
        "sub": "did:example:learner",
        "vc": legacy,
    }
    result = verify_vc_jwt(_pyjwt_token(payload, "RS256"))
    assert result.verified, result.reason
    assert result.credential == legacy
    mismatched = verify_vc_jwt(_pyjwt_token({**payload, "iss": "https://evil.example"}, "RS256"))
    assert not mismatched.verified


@pytest.mark.parametrize(
    ("header", "fragment"),
    [({"typ": "vc+jwt"}, "typ"), ({"crit": ["https://example.com/ext"], "https://example.com/ext": True}, "crit")],
)
def test_unsupported_headers_are_refused(header: dict[str, Any], fragment: str) -> None:
    credential = _credential()
    result = verify_vc_jwt(_pyjwt_token({**credential, **_claims(credential)}, "EdDSA", header))
    assert not result.verified and fragment in result.reason


@pytest.mark.parametrize(
    ("token", "error"),
    [
        ("only.two", InvalidInputError),
        ("a.b.c.d", InvalidInputError),
        ("!!!.e30.", InvalidInputError),
        (f"{_b64({'alg': 'EdDSA'})}.bm90IGpzb24.", MalformedJsonError),
        (f"{base64.urlsafe_b64encode(b'[1]').decode().rstrip('=')}.e30.", MalformedJsonError),
    ],
)
def test_text_that_is_not_a_compact_jws_raises(token: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        verify_vc_jwt(token)


def test_es256_signature_must_be_raw_r_s() -> None:
    token = sign_vc_jwt(_credential(), EC_KEY, "ES256")
    header, payload, signature = token.split(".")
    result = verify_vc_jwt(f"{header}.{payload}.{signature[:-4]}")
    assert not result.verified and "64 bytes" in result.reason


def test_signing_refusals() -> None:
    small_rsa = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(KeyMaterialError, match="2048"):
        sign_vc_jwt(_credential(), small_rsa, "RS256")
    with pytest.raises(KeyMaterialError):
        sign_vc_jwt(_credential(), ED_KEY, "RS256")
    with pytest.raises(InvalidInputError):
        sign_vc_jwt(_credential(), ED_KEY, "none")
    with pytest.raises(InvalidInputError):
        sign_vc_jwt(_credential(), ED_KEY, "EdDSA", embed_jwk=False)
    with pytest.raises(InvalidInputError, match="issuer"):
        sign_vc_jwt({k: v for k, v in _credential().items() if k != "issuer"}, ED_KEY, "EdDSA")


def test_standard_base64_characters_are_not_base64url() -> None:
    token = sign_vc_jwt(_credential(), ED_KEY, "EdDSA")
    header, payload, signature = token.split(".")
    with pytest.raises(InvalidInputError, match="base64url"):
        verify_vc_jwt(f"{header}.{payload}.{signature[:-2]}+/")
    with pytest.raises(InvalidInputError, match="base64url"):
        verify_vc_jwt(f"{header}.{payload}.{signature}==")
