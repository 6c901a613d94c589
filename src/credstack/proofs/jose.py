"""VC-JWT as profiled by Open Badges 3.0: compact JWS with RS256, ES256 or EdDSA, built on ``cryptography`` only.

Open Badges 3.0 §8.2 "JSON Web Token Proof Format" (https://www.imsglobal.org/spec/ob/v3p0/#jwt-proof), on top of
RFC 7515 (JWS compact serialisation), RFC 7517/7518 (JWK, algorithms) and RFC 8037 (EdDSA/OKP):

- JOSE header: ``alg`` (RS256 at least; ES256 and EdDSA also accepted here), the key as a public ``jwk`` (never
  containing ``d``) or a ``kid`` resolved by the caller; ``typ``, when present, is ``JWT``.
- Payload: the credential itself plus ``iss`` = issuer id, ``jti`` = credential id, ``nbf`` = validFrom,
  ``sub`` = credentialSubject.id and ``exp`` = validUntil. Legacy VCDM 1.1 tokens carry the credential in ``vc``
  (and use issuanceDate / expirationDate).
- Verification: the signature, then every claim against the credential (a mismatch is a failure), then nbf/exp.

``alg: none`` and every other algorithm are refused. This is the OB profile, not W3C VC-JOSE-COSE (``vc+jwt``).
A key taken from the token's own ``jwk`` header proves nothing about who the issuer is: results say so (``bound``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from credstack.errors import CredstackError, InvalidInputError, KeyMaterialError, MalformedJsonError
from credstack.proofs.keys import Ed25519Key
from credstack.proofs.multibase import decode_multibase

__all__ = [
    "SUPPORTED_ALGORITHMS",
    "JwkResolver",
    "JwtResult",
    "parse_compact_jws",
    "public_jwk",
    "public_key_from_jwk",
    "sign_vc_jwt",
    "verify_vc_jwt",
]

SUPPORTED_ALGORITHMS = ("RS256", "ES256", "EdDSA")
_PRIVATE_JWK_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
_REGISTERED_CLAIMS = ("iss", "sub", "aud", "exp", "nbf", "iat", "jti")
_MIN_RSA_BITS = 2048

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | Ed25519PublicKey
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | Ed25519PrivateKey | Ed25519Key
JwkResolver = Callable[[str], Mapping[str, Any]]


@dataclass(frozen=True)
class JwtResult:
    """The outcome of verifying a VC-JWT. ``credential`` is the credential the token carries (also when it does
    not verify, for display); ``bound`` is True only when the key came from the injected ``kid`` resolver."""

    verified: bool
    reason: str
    credential: dict[str, Any] | None
    header: dict[str, Any] = field(default_factory=dict)
    algorithm: str | None = None
    kid: str | None = None
    bound: bool = False
    problems: tuple[str, ...] = ()


# --- base64url and JWK -----------------------------------------------------------------------------------------


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: str, what: str) -> bytes:
    if not isinstance(text, str):
        raise InvalidInputError(f"{what} is not unpadded base64url")
    try:
        return decode_multibase("u" + text)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{what} is not unpadded base64url") from exc


def _uint(value: int, length: int | None = None) -> str:
    size = length if length is not None else max(1, (value.bit_length() + 7) // 8)
    return _b64e(value.to_bytes(size, "big"))


def public_jwk(key: PrivateKey | PublicKey) -> dict[str, str]:
    """The public JWK (RFC 7517/7518/8037) of a key: RSA, EC P-256 or Ed25519. Never includes private members."""
    if isinstance(key, Ed25519Key):
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64e(key.public_key)}
    public: object = key
    if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | Ed25519PrivateKey):
        public = key.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        numbers = public.public_numbers()
        return {"kty": "RSA", "n": _uint(numbers.n), "e": _uint(numbers.e)}
    if isinstance(public, ec.EllipticCurvePublicKey):
        if not isinstance(public.curve, ec.SECP256R1):
            raise KeyMaterialError("only the P-256 curve is supported for EC keys (ES256)")
        point = public.public_numbers()
        return {"kty": "EC", "crv": "P-256", "x": _uint(point.x, 32), "y": _uint(point.y, 32)}
    if isinstance(public, Ed25519PublicKey):
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64e(raw)}
    raise KeyMaterialError(f"unsupported key type {type(key).__name__}")


def public_key_from_jwk(jwk: Mapping[str, Any]) -> PublicKey:
    """A public key from a JWK; refuses private members (``d`` …) and anything but RSA, EC P-256 and Ed25519."""
    if not isinstance(jwk, Mapping):
        raise KeyMaterialError("a JWK must be a JSON object")
    private = [name for name in _PRIVATE_JWK_MEMBERS if name in jwk]
    if private:
        raise KeyMaterialError(f"the JWK contains private key material ({', '.join(private)}); refusing it")
    try:
        kty = jwk.get("kty")
        if kty == "RSA":
            n = int.from_bytes(_b64d(jwk["n"], "JWK n"), "big")
            e = int.from_bytes(_b64d(jwk["e"], "JWK e"), "big")
            return rsa.RSAPublicNumbers(e, n).public_key()
        if kty == "EC":
            if jwk.get("crv") != "P-256":
                raise KeyMaterialError(f"unsupported EC curve {jwk.get('crv')!r}: only P-256 (ES256)")
            x, y = _b64d(jwk["x"], "JWK x"), _b64d(jwk["y"], "JWK y")
            if len(x) != 32 or len(y) != 32:
                raise KeyMaterialError("P-256 JWK coordinates must be 32 bytes")
            numbers = ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1())
            return numbers.public_key()
        if kty == "OKP":
            if jwk.get("crv") != "Ed25519":
                raise KeyMaterialError(f"unsupported OKP curve {jwk.get('crv')!r}: only Ed25519 (EdDSA)")
            return Ed25519PublicKey.from_public_bytes(_b64d(jwk["x"], "JWK x"))
    except (KeyError, TypeError, ValueError, InvalidInputError) as exc:
        if isinstance(exc, KeyMaterialError):
            raise
        raise KeyMaterialError(f"malformed JWK: {exc}") from exc
    raise KeyMaterialError(f"unsupported JWK key type {jwk.get('kty')!r}")


# --- compact JWS -----------------------------------------------------------------------------------------------


def parse_compact_jws(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """Split a compact JWS (RFC 7515 §7.1) into header, payload (both JSON objects), signing input and signature.

    Raises InvalidInputError / MalformedJsonError when the text is not a compact JWS with JSON header and payload.
    """
    if not isinstance(token, str):
        raise InvalidInputError("a compact JWS must be text")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise InvalidInputError(f"a compact JWS has 3 dot-separated parts, this has {len(parts)}")
    decoded: list[dict[str, Any]] = []
    for part, what in zip(parts[:2], ("header", "payload"), strict=True):
        raw = _b64d(part, f"JWS {what}")
        try:
            value = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise MalformedJsonError(f"the JWS {what} is not UTF-8 JSON: {exc}") from exc
        if not isinstance(value, dict):
            raise MalformedJsonError(f"the JWS {what} must be a JSON object")
        decoded.append(value)
    signature = _b64d(parts[2], "JWS signature") if parts[2] else b""
    return decoded[0], decoded[1], f"{parts[0]}.{parts[1]}".encode("ascii"), signature


def _verify_signature(alg: str, key: PublicKey, signing_input: bytes, signature: bytes) -> str | None:
    """RFC 7518 §3.3 (RS256), §3.4 (ES256), RFC 8037 §3.1 (EdDSA). None when valid, else the reason."""
    try:
        if alg == "RS256":
            if not isinstance(key, rsa.RSAPublicKey):
                return "alg RS256 needs an RSA key"
            if key.key_size < _MIN_RSA_BITS:
                return f"RSA keys must have at least {_MIN_RSA_BITS} bits, this one has {key.key_size}"
            key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        elif alg == "ES256":
            if not isinstance(key, ec.EllipticCurvePublicKey):
                return "alg ES256 needs a P-256 EC key"
            if len(signature) != 64:
                return "an ES256 signature is 64 bytes (r || s)"
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
        elif alg == "EdDSA":
            if not isinstance(key, Ed25519PublicKey):
                return "alg EdDSA needs an Ed25519 (OKP) key"
            key.verify(signature, signing_input)
        else:  # pragma: no cover - callers check the algorithm first
            return f"unsupported algorithm {alg!r}"
    except InvalidSignature:
        return "the JWT signature does not match: the token was altered, or signed with another key"
    return None


def _sign(alg: str, key: PrivateKey, signing_input: bytes) -> bytes:
    if alg == "EdDSA":
        if isinstance(key, Ed25519Key):
            return key.sign(signing_input)
        if isinstance(key, Ed25519PrivateKey):
            return key.sign(signing_input)
        raise KeyMaterialError("alg EdDSA needs an Ed25519 key")
    if alg == "RS256":
        if not isinstance(key, rsa.RSAPrivateKey):
            raise KeyMaterialError("alg RS256 needs an RSA private key")
        if key.key_size < _MIN_RSA_BITS:
            raise KeyMaterialError(f"RSA keys must have at least {_MIN_RSA_BITS} bits")
        return key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    if alg == "ES256":
        if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
            raise KeyMaterialError("alg ES256 needs a P-256 EC private key")
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    raise InvalidInputError(f"unsupported JWT algorithm {alg!r}; use one of {', '.join(SUPPORTED_ALGORITHMS)}")


# --- claims ----------------------------------------------------------------------------------------------------


def _numeric_date(value: object) -> int | None:
    """Seconds since the epoch for an XML Schema dateTime string (naive means UTC), else None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _issuer_id(credential: Mapping[str, Any]) -> object:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _subject_id(credential: Mapping[str, Any]) -> object:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    return subject.get("id") if isinstance(subject, Mapping) else None


def _expected_claims(credential: Mapping[str, Any]) -> dict[str, object]:
    """The OB 3.0 §8.2.1 claims a credential implies (absent fields imply no claim)."""
    valid_from = credential.get("validFrom", credential.get("issuanceDate"))
    valid_until = credential.get("validUntil", credential.get("expirationDate"))
    claims: dict[str, object] = {
        "iss": _issuer_id(credential),
        "jti": credential.get("id"),
        "nbf": _numeric_date(valid_from) if valid_from is not None else None,
        "sub": _subject_id(credential),
        "exp": _numeric_date(valid_until) if valid_until is not None else None,
    }
    return {name: value for name, value in claims.items() if value is not None}


def _claim_problems(payload: Mapping[str, Any], credential: Mapping[str, Any], now: datetime | None) -> list[str]:
    expected = _expected_claims(credential)
    problems: list[str] = []
    if "iss" not in expected:
        problems.append("the credential has no issuer id for the iss claim to match")
    for name in ("iss", "jti", "nbf", "sub", "exp"):
        claimed = payload.get(name)
        if name in ("nbf", "exp") and claimed is not None and not isinstance(claimed, int | float):
            problems.append(f"the {name} claim must be a NumericDate, not {claimed!r}")
            continue
        if name in ("nbf", "exp") and claimed is not None:
            claimed = int(claimed)
        if name == "iss" and claimed is None:
            problems.append("the iss claim is missing (it must be the issuer id)")
        elif claimed is not None and claimed != expected.get(name):
            problems.append(f"the {name} claim {claimed!r} does not match the credential ({expected.get(name)!r})")
    if now is not None:
        instant = now.timestamp()
        if isinstance(payload.get("nbf"), int | float) and instant < payload["nbf"]:
            problems.append("the token is not valid yet (nbf is in the future)")
        if isinstance(payload.get("exp"), int | float) and instant >= payload["exp"]:
            problems.append("the token has expired (exp is in the past)")
    return problems


def _credential_of(payload: Mapping[str, Any]) -> dict[str, Any] | None:
    if "vc" in payload:
        return dict(payload["vc"]) if isinstance(payload["vc"], Mapping) else None
    return {name: value for name, value in payload.items() if name not in _REGISTERED_CLAIMS}


# --- public API ------------------------------------------------------------------------------------------------


def _header_problem(header: Mapping[str, Any]) -> str | None:
    alg = header.get("alg")
    if alg is None or (isinstance(alg, str) and alg.lower() == "none"):
        return "alg 'none' (an unsigned token) is refused"
    if alg not in SUPPORTED_ALGORITHMS:
        return f"algorithm {alg!r} is not accepted; only {', '.join(SUPPORTED_ALGORITHMS)} are"
    if "typ" in header and header["typ"] != "JWT":
        return f"typ {header['typ']!r} is not the Open Badges VC-JWT type 'JWT'"
    if "crit" in header:
        return "critical header parameters (crit) are not supported"
    return None


def verify_vc_jwt(token: str, *, resolve_kid: JwkResolver | None = None, now: datetime | None = None) -> JwtResult:
    """Verify an Open Badges VC-JWT. Raises only when ``token`` is not a compact JWS at all; every other failure is
    a ``JwtResult`` with ``verified=False`` and a readable reason (all problems are listed in ``problems``).

    With ``resolve_kid`` and a ``kid`` header the key comes from the resolver (``bound=True``); otherwise from the
    public ``jwk`` header (``bound=False``). ``now`` enables the nbf/exp time checks.
    """
    header, payload, signing_input, signature = parse_compact_jws(token)
    credential = _credential_of(payload)
    alg = header.get("alg") if isinstance(header.get("alg"), str) else None
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None

    def failed(*problems: str, bound: bool = False) -> JwtResult:
        return JwtResult(False, "; ".join(problems), credential, dict(header), alg, kid, bound, tuple(problems))

    problem = _header_problem(header)
    if problem is not None:
        return failed(problem)
    if credential is None:
        return failed("the vc claim is not a JSON object")
    bound = False
    try:
        if kid is not None and resolve_kid is not None:
            key = public_key_from_jwk(resolve_kid(kid))
            bound = True
        elif isinstance(header.get("jwk"), Mapping):
            key = public_key_from_jwk(header["jwk"])
        elif kid is not None:
            return failed(f"the token names key {kid!r} but no key resolver was provided")
        else:
            return failed("the token carries neither a jwk nor a kid header, so there is no key to verify with")
    except CredstackError as exc:
        return failed(f"the token's key could not be obtained or used: {exc}")
    signature_problem = _verify_signature(str(alg), key, signing_input, signature)
    if signature_problem is not None:
        return failed(signature_problem, bound=bound)
    problems = _claim_problems(payload, credential, now)
    if problems:
        return failed(*problems, bound=bound)
    reason = "signature and claims verified" + ("" if bound else " (key taken from the token's own jwk header)")
    return JwtResult(True, reason, credential, dict(header), alg, kid, bound, ())


def sign_vc_jwt(
    credential: Mapping[str, Any],
    private_key: PrivateKey,
    alg: str,
    kid: str | None = None,
    embed_jwk: bool = True,
) -> str:
    """A compact JWS VC-JWT (OB 3.0 §8.2) for ``credential``: payload = credential + iss/jti/nbf/sub/exp claims."""
    if alg not in SUPPORTED_ALGORITHMS:
        raise InvalidInputError(f"unsupported JWT algorithm {alg!r}; use one of {', '.join(SUPPORTED_ALGORITHMS)}")
    if not isinstance(credential, Mapping):
        raise InvalidInputError("only a JSON object credential can be signed as a JWT")
    if kid is None and not embed_jwk:
        raise InvalidInputError("a VC-JWT needs a kid or an embedded jwk so verifiers can find the key")
    claims = _expected_claims(credential)
    if "iss" not in claims:
        raise InvalidInputError("the credential needs an issuer id (the iss claim)")
    header: dict[str, Any] = {"alg": alg, "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    if embed_jwk:
        header["jwk"] = public_jwk(private_key)
    payload = {**credential, **claims}
    encoded_header = _b64e(json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    encoded_payload = _b64e(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    signing_input = f"{encoded_header}.{encoded_payload}".encode("ascii")
    return f"{encoded_header}.{encoded_payload}.{_b64e(_sign(alg, private_key, signing_input))}"
