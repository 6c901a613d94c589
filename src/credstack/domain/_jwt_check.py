"""Verifying a VC-JWT (Open Badges 3.0 §8.2 "JSON Web Token Proof Format") into the same named checks.

The signature and the iss/jti/nbf/sub/exp claim matching are :func:`credstack.proofs.jose.verify_vc_jwt`; this
module finds the key and judges its binding to the issuer:

- ``kid`` naming a did:key verification method: resolved locally (bound, controller = the DID);
- ``kid`` naming a did:web (or HTTPS controller document) verification method: the document from the supplied
  documents or the allow-listed fetch, the method listed under ``assertionMethod`` (bound);
- ``kid`` that is an HTTPS URL of a bare JWK: bound to the URL it was served from (its controller is that URL);
- only a ``jwk`` header: the token carries its own key, which proves nothing about the issuer (unbound: a failure
  unless unbound keys are allowed, then a warning).

The time window is judged by the ``validity`` check from the credential's own dates (which the claims must match).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from credstack.domain._checks import FAIL, PASS, WARNING, Check, merge_checks
from credstack.domain._named_checks import contexts_check, recipient_check, terms_check, validity_check
from credstack.domain._resolvers import DocumentSource, did_web_url
from credstack.domain._status_check import check_status, issuer_id
from credstack.domain.shape import as_list, check_shape
from credstack.errors import CredstackError, KeyMaterialError
from credstack.proofs.jose import verify_vc_jwt as jose_verify
from credstack.proofs.keys import decode_multikey, resolve_did_key_vm
from credstack.proofs.multibase import encode_base64url

if TYPE_CHECKING:
    from credstack.domain.verification import VerificationReport, VerifyOptions

__all__ = ["verify_vc_jwt"]


def _okp(public_key: bytes) -> dict[str, str]:
    return {"kty": "OKP", "crv": "Ed25519", "x": encode_base64url(public_key)[1:]}


def _jwk_of_method(method: Mapping[str, Any]) -> dict[str, Any]:
    jwk = method.get("publicKeyJwk")
    if isinstance(jwk, Mapping):
        return dict(jwk)
    if isinstance(method.get("publicKeyMultibase"), str):
        return _okp(decode_multikey(method["publicKeyMultibase"]))
    raise KeyMaterialError(f"verification method {method.get('id')!r} has no publicKeyJwk or publicKeyMultibase")


def _method_in(document: Mapping[str, Any], kid: str) -> dict[str, Any]:
    """The verification method ``kid`` of a controller document, required under ``assertionMethod``."""
    raw_id = document.get("id")
    doc_id: str = raw_id if isinstance(raw_id, str) else ""

    def absolute(ref: str) -> str:
        return doc_id + ref if ref.startswith("#") else ref

    listed = as_list(document.get("assertionMethod"))
    ids = {absolute(e if isinstance(e, str) else str(e.get("id", ""))) for e in listed if isinstance(e, str | Mapping)}
    if kid not in ids:
        raise KeyMaterialError(f"{kid} is not listed under assertionMethod in {doc_id or 'the controller document'}")
    candidates = [e for e in listed if isinstance(e, Mapping)] + [
        m for m in as_list(document.get("verificationMethod")) if isinstance(m, Mapping)
    ]
    for method in candidates:
        if absolute(str(method.get("id", ""))) == kid:
            if method.get("controller") != doc_id:
                raise KeyMaterialError(f"{kid} is controlled by {method.get('controller')!r}, not {doc_id!r}")
            return dict(method)
    raise KeyMaterialError(f"the controller document {doc_id} does not define {kid}")


def _resolve_kid(kid: str, source: DocumentSource) -> tuple[dict[str, Any], str, str]:
    """(JWK, controller, how) for a ``kid``; raises CredstackError with a reason when it cannot be resolved."""
    if kid.startswith("did:key:"):
        method = resolve_did_key_vm(kid)
        return _okp(method.public_key), method.controller, "did:key"
    base = kid.partition("#")[0]
    if kid.startswith("did:web:"):
        document = source.get(did_web_url(base), base)
        if document.get("id") != base:
            raise KeyMaterialError(f"the DID document for {base} names itself {document.get('id')!r}")
        return _jwk_of_method(_method_in(document, kid)), base, "did:web document"
    if kid.startswith(("https://", "http://")):
        document = source.get(base)
        if "kty" in document:
            return document, base, f"the JWK at {base}"
        return _jwk_of_method(_method_in(document, kid)), base, f"controller document {base}"
    raise KeyMaterialError(f"kid {kid!r} is neither a did:key, a did:web nor an HTTPS URL")


def _key_check(
    header: Mapping[str, Any], issuer: str | None, source: DocumentSource, options: VerifyOptions
) -> tuple[Check, dict[str, Any] | None]:
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    if kid is not None and kid.startswith("#") and issuer is not None:
        kid = issuer + kid  # a fragment-only kid is relative to the issuer's DID (did:web, did:key)
    if kid is not None:
        try:
            jwk, controller, how = _resolve_kid(kid, source)
        except CredstackError as exc:
            if not isinstance(header.get("jwk"), Mapping):
                return Check("issuer_key", FAIL, f"the key {kid} could not be resolved: {exc.message}"), None
        else:
            if issuer is not None and controller != issuer:
                return Check("issuer_key", FAIL, f"the key's controller {controller} is not the issuer {issuer}"), jwk
            return Check("issuer_key", PASS, f"the key is the issuer's ({how})"), jwk
    if not isinstance(header.get("jwk"), Mapping):
        return Check("issuer_key", FAIL, "the token names no key (no kid, no jwk)"), None
    if options.allow_unbound_keys:
        return Check(
            "issuer_key",
            WARNING,
            "the key is the token's own jwk header: nothing proves the issuer controls it "
            "(accepted because unbound keys are allowed)",
        ), None
    return Check(
        "issuer_key",
        FAIL,
        "the key is the token's own jwk header, which proves no binding to the issuer; use a kid the issuer's "
        "DID document lists, or allow unbound keys (--allow-unbound-keys) to accept it as a warning",
    ), None


def verify_vc_jwt(token: str, options: VerifyOptions, fmt: str, size: int) -> VerificationReport:
    """Verify a compact JWS VC-JWT and report the same named checks as a JSON credential."""
    from credstack.domain import verification as v

    try:
        result = jose_verify(token, resolve_kid=None, now=None)
    except CredstackError as exc:
        return v._report(fmt, [Check("parse", FAIL, f"not a readable compact JWS: {exc.message} [{exc.code}]")], None)
    credential = result.credential
    header = result.header
    if credential is None:
        return v._report(
            fmt, [Check("parse", FAIL, "the JWT carries no credential (its vc claim is not an object)")], None
        )
    checks = [Check("parse", PASS, f"a compact JWS (VC-JWT, alg {header.get('alg')!r}, {size:,} bytes)")]
    checks.append(merge_checks("shape", check_shape(credential, secured=True), passed="the data model rules hold"))
    contexts = contexts_check(credential)
    checks += [contexts, terms_check(credential, [], contexts)]
    source = v._source(options)
    key_check, jwk = _key_check(header, issuer_id(credential), source, options)
    if jwk is not None:
        result = jose_verify(token, resolve_kid=lambda _kid: jwk, now=None)
    if result.verified:
        checks.append(Check("proof", PASS, f"VC-JWT {result.algorithm} signature and claims verified"))
    else:
        checks.append(Check("proof", FAIL, f"VC-JWT: {result.reason}"))
    checks.append(key_check)
    checks.append(validity_check(credential, options.now))
    checks.append(check_status(credential, source, v._list_verifier(options), options.memo, options.now))
    if options.recipient is not None:
        checks.append(recipient_check(credential, options.recipient))
    return v._report(fmt, checks, credential)
