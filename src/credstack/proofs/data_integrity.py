"""Data Integrity proofs: add a proof (or a proof to a set or chain) and verify every proof of a document.

W3C Verifiable Credential Data Integrity 1.0 (REC 15 May 2025), https://www.w3.org/TR/vc-data-integrity/ :
§4.2 Add Proof, §4.3 Add Proof Set/Chain, §4.4 Verify Proof, §4.5 Verify Proof Sets and Chains.
The cryptographic work is delegated to one module per cryptosuite (``eddsa_rdfc_2022``, ``eddsa_jcs_2022``,
``ed25519_signature_2020``); key resolution is injected as a ``KeyResolver``.

Verification never raises for a bad proof: each proof gives a ``ProofResult`` whose ``reason`` a person can read.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from credstack.errors import CredstackError, InvalidInputError, KeyMaterialError
from credstack.proofs import ed25519_signature_2020, eddsa_jcs_2022, eddsa_rdfc_2022
from credstack.proofs.eddsa_rdfc_2022 import is_date_time_stamp
from credstack.proofs.keys import Ed25519Key, KeyResolver, VerificationMethod, decode_multikey

__all__ = [
    "SUPPORTED_CRYPTOSUITES",
    "KeyResolver",
    "ProofResult",
    "VerificationMethod",
    "format_date_time",
    "sign",
    "verify",
]

# (proof type, cryptosuite or None) -> the module implementing it
_SUITES: dict[tuple[str, str | None], ModuleType] = {
    ("DataIntegrityProof", "eddsa-rdfc-2022"): eddsa_rdfc_2022,
    ("DataIntegrityProof", "eddsa-jcs-2022"): eddsa_jcs_2022,
    ("Ed25519Signature2020", None): ed25519_signature_2020,
}
# the names accepted by ``sign(cryptosuite=...)`` -> (proof type, cryptosuite)
_SIGNING_NAMES: dict[str, tuple[str, str | None]] = {
    "eddsa-rdfc-2022": ("DataIntegrityProof", "eddsa-rdfc-2022"),
    "eddsa-jcs-2022": ("DataIntegrityProof", "eddsa-jcs-2022"),
    "Ed25519Signature2020": ("Ed25519Signature2020", None),
}
SUPPORTED_CRYPTOSUITES: tuple[str, ...] = tuple(_SIGNING_NAMES)


@dataclass(frozen=True)
class ProofResult:
    """The outcome of verifying one proof. ``bound`` is False when the key is not provably the controller's
    (the 1EdTech ``https://…#z6Mk…`` form); ``controller`` is the resolved controller, for issuer binding.

    ``code`` is None when verified; otherwise a Data Integrity error name (``PROOF_VERIFICATION_ERROR``,
    ``INVALID_CHALLENGE_ERROR``, ``INVALID_DOMAIN_ERROR``, ``MALFORMED_PROOF_ERROR``, ``PARSING_ERROR``,
    ``PROOF_EXPIRED``, ``UNSUPPORTED_CRYPTOSUITE``) or, when a credstack error stopped the check, that error's
    stable code (``undefined_term``, ``unknown_context``, ``key_error``, ``fetch_failed`` …)."""

    verified: bool
    type: str | None
    cryptosuite: str | None
    verification_method: str | None
    reason: str
    bound: bool
    controller: str | None = None
    code: str | None = None


def format_date_time(moment: datetime) -> str:
    """An aware datetime as an XML Schema dateTimeStamp in UTC, to the second (``2024-01-02T03:04:05Z``)."""
    if moment.tzinfo is None:
        raise InvalidInputError("proof timestamps must be timezone-aware datetimes")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _proofs_of(document: Mapping[str, Any]) -> list[Any]:
    proof = document.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def _check_key_matches(key: Ed25519Key, verification_method: str) -> None:
    """Refuse to sign when the verification method visibly names another key (did:key or ``#z6Mk…`` form)."""
    fragment = verification_method.partition("#")[2]
    if verification_method.startswith("did:key:"):
        fragment = fragment or verification_method[len("did:key:") :]
    if not fragment.startswith("z6Mk"):
        return
    try:
        named = decode_multikey(fragment)
    except KeyMaterialError:
        return
    if named != key.public_key:
        raise KeyMaterialError(
            f"the signing key {key.public_multibase} is not the key named by verification method {verification_method}"
        )


def sign(
    document: Mapping[str, Any],
    *,
    key: Ed25519Key,
    verification_method: str,
    cryptosuite: str = "eddsa-rdfc-2022",
    created: datetime | str | None = None,
    proof_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
    proof_id: str | None = None,
    previous_proof: str | list[str] | None = None,
) -> dict[str, Any]:
    """Add a proof to ``document`` (DI §4.2; §4.3 when it already has proofs) and return the new document.

    An existing ``proof`` is kept and the new one appended, making a proof set; with ``previous_proof`` (ids of
    existing proofs) the new proof also signs those proofs, making a proof chain. ``created`` is omitted when
    None (this module reads no clock). Raises InvalidInputError / KeyMaterialError / canonicalisation errors.
    """
    if not isinstance(document, Mapping):
        raise InvalidInputError("only a JSON object can be signed")
    names = _SIGNING_NAMES.get(cryptosuite)
    if names is None:
        raise InvalidInputError(f"unsupported cryptosuite {cryptosuite!r}; use one of {', '.join(_SIGNING_NAMES)}")
    if not isinstance(verification_method, str) or not verification_method:
        raise InvalidInputError("a verification method id is required to sign")
    if not proof_purpose:
        raise InvalidInputError("a proof purpose is required to sign")
    _check_key_matches(key, verification_method)
    proof_type, suite_name = names
    options: dict[str, Any] = {"type": proof_type}
    if suite_name is not None:
        options["cryptosuite"] = suite_name
    if proof_id is not None:
        options["id"] = proof_id
    if created is not None:
        options["created"] = format_date_time(created) if isinstance(created, datetime) else created
    options["verificationMethod"] = verification_method
    options["proofPurpose"] = proof_purpose
    if challenge is not None:
        options["challenge"] = challenge
    if domain is not None:
        options["domain"] = domain
    existing = _proofs_of(document)
    if proof_id is not None and any(isinstance(p, Mapping) and p.get("id") == proof_id for p in existing):
        raise InvalidInputError(f"the document already has a proof with id {proof_id!r}")
    unsecured = {name: copy.deepcopy(value) for name, value in document.items() if name != "proof"}
    if previous_proof is not None:
        options["previousProof"] = previous_proof
        unsecured["proof"] = _matching_proofs(existing, previous_proof)
    new_proof = _SUITES[names].create_proof(unsecured, options, key)
    secured = {name: copy.deepcopy(value) for name, value in document.items() if name != "proof"}
    secured["proof"] = [*copy.deepcopy(existing), new_proof] if existing else new_proof
    return secured


def _matching_proofs(all_proofs: list[Any], previous: object) -> list[Any]:
    """DI §4.5 step 3.2: the proofs named by ``previousProof``; raise InvalidInputError if one is missing."""
    ids = [previous] if isinstance(previous, str) else previous
    if not isinstance(ids, list) or not ids or not all(isinstance(item, str) for item in ids):
        raise InvalidInputError("previousProof must be a proof id or a non-empty list of proof ids")
    matching = []
    for wanted in ids:
        found = [p for p in all_proofs if isinstance(p, Mapping) and p.get("id") == wanted]
        if not found:
            raise InvalidInputError(f"previousProof {wanted!r} names no proof in this document's proof set")
        matching.append(copy.deepcopy(found[0]))
    return matching


class _Refused(Exception):
    """Internal: a proof that fails a check before any cryptography (turned into a ProofResult)."""

    def __init__(self, reason: str, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


def _check_options(
    proof: Mapping[str, Any],
    *,
    expected_purpose: str,
    challenge: str | None,
    domain: str | None,
    now: datetime | None,
) -> None:
    """DI §4.4 steps 1-6: the proof's own properties, purpose, domain, challenge and dates."""
    for name in ("type", "verificationMethod", "proofPurpose", "proofValue"):
        if not isinstance(proof.get(name), str) or not proof[name]:
            raise _Refused(f"the proof has no {name}", "PROOF_VERIFICATION_ERROR")
    if proof["type"] == "DataIntegrityProof" and not isinstance(proof.get("cryptosuite"), str):
        raise _Refused("the DataIntegrityProof has no cryptosuite", "PROOF_VERIFICATION_ERROR")
    for name in ("created", "expires"):
        if name in proof and not is_date_time_stamp(proof[name]):
            raise _Refused(f"proof {name} {proof[name]!r} is not a valid dateTimeStamp", "MALFORMED_PROOF_ERROR")
    if now is not None and "expires" in proof:
        expires = datetime.fromisoformat(str(proof["expires"]).replace("Z", "+00:00"))
        if expires < (now if now.tzinfo is not None else now.replace(tzinfo=UTC)):
            raise _Refused(f"the proof expired at {proof['expires']}", "PROOF_EXPIRED")
    if proof["proofPurpose"] != expected_purpose:
        raise _Refused(
            f"the proof is for {proof['proofPurpose']!r} but {expected_purpose!r} was expected",
            "PROOF_VERIFICATION_ERROR",
        )
    if challenge is not None and proof.get("challenge") != challenge:
        raise _Refused(
            f"the proof's challenge {proof.get('challenge')!r} does not match the expected challenge",
            "INVALID_CHALLENGE_ERROR",
        )
    if domain is not None:
        proof_domain = proof.get("domain")
        domains = proof_domain if isinstance(proof_domain, list) else [proof_domain]
        if domain not in domains:
            raise _Refused(
                f"the proof's domain {proof_domain!r} does not match the expected domain {domain!r}",
                "INVALID_DOMAIN_ERROR",
            )


def _verify_one(
    document: Mapping[str, Any],
    proof: Any,
    all_proofs: list[Any],
    *,
    resolve: KeyResolver,
    expected_purpose: str,
    challenge: str | None,
    domain: str | None,
    now: datetime | None,
) -> ProofResult:
    if not isinstance(proof, Mapping):
        return ProofResult(False, None, None, None, "the proof is not a JSON object", False, None, "PARSING_ERROR")
    proof_type = proof.get("type") if isinstance(proof.get("type"), str) else None
    suite_name = proof.get("cryptosuite") if isinstance(proof.get("cryptosuite"), str) else None
    vm_id = proof.get("verificationMethod") if isinstance(proof.get("verificationMethod"), str) else None

    def refused(reason: str, code: str | None, vm: VerificationMethod | None = None) -> ProofResult:
        bound = vm.bound if vm is not None else False
        controller = vm.controller if vm is not None else None
        return ProofResult(False, proof_type, suite_name, vm_id, reason, bound, controller, code)

    try:
        _check_options(proof, expected_purpose=expected_purpose, challenge=challenge, domain=domain, now=now)
        key = (str(proof_type), suite_name if proof_type == "DataIntegrityProof" else None)
        suite = _SUITES.get(key)
        if suite is None:
            described = f"{proof_type} / {suite_name}" if proof_type == "DataIntegrityProof" else str(proof_type)
            raise _Refused(f"unsupported proof type or cryptosuite: {described}", "UNSUPPORTED_CRYPTOSUITE")
        unsecured = {name: value for name, value in document.items() if name != "proof"}
        if "previousProof" in proof:
            try:
                unsecured["proof"] = _matching_proofs(all_proofs, proof["previousProof"])
            except InvalidInputError as exc:
                raise _Refused(exc.message, "PROOF_VERIFICATION_ERROR") from exc
    except _Refused as refusal:
        return refused(refusal.reason, refusal.code)
    try:
        vm = resolve(str(vm_id))
    except CredstackError as exc:
        return refused(f"the verification method {vm_id} could not be resolved: {exc}", exc.code)
    try:
        failure = suite.verify_proof(unsecured, proof, vm.public_key)
    except CredstackError as exc:
        return refused(f"the proof could not be checked: {exc}", exc.code, vm)
    if failure is not None:
        return refused(failure, "PROOF_VERIFICATION_ERROR", vm)
    reason = "signature verified" if vm.bound else "signature verified, but the key is not bound to its controller"
    return ProofResult(True, proof_type, suite_name, vm_id, reason, vm.bound, vm.controller, None)


def verify(
    document: Mapping[str, Any],
    *,
    resolve: KeyResolver,
    expected_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
    now: datetime | None = None,
) -> list[ProofResult]:
    """Verify every proof of ``document`` independently (DI §4.4, §4.5); ``[]`` when it has no proof.

    A proof with ``previousProof`` is checked over the document plus the proofs it chains to. ``now``, when
    given, rejects proofs past their ``expires``. Callers decide whether one or all results must verify.
    """
    if not isinstance(document, Mapping):
        raise InvalidInputError("only a JSON object can carry Data Integrity proofs")
    all_proofs = _proofs_of(document)
    return [
        _verify_one(
            document,
            proof,
            all_proofs,
            resolve=resolve,
            expected_purpose=expected_purpose,
            challenge=challenge,
            domain=domain,
            now=now,
        )
        for proof in all_proofs
    ]
