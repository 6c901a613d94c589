"""The ``eddsa-jcs-2022`` cryptosuite: JSON Canonicalization Scheme (RFC 8785), SHA-256, Ed25519.

W3C Data Integrity EdDSA Cryptosuites v1.0 (REC 15 May 2025), §3.3 "eddsa-jcs-2022"
(https://www.w3.org/TR/vc-di-eddsa/#eddsa-jcs-2022). One function per algorithm of that section.

Differences from eddsa-rdfc-2022: the proof carries a copy of the document's ``@context`` (Create Proof step 2);
the proof configuration and the document are serialised with JCS, not RDFC; on verification the document's
``@context`` must start with the proof's ``@context`` (Verify Proof step 4).

JCS signs the JSON bytes, so in principle no term is lost. credstack still refuses documents with terms that no
JSON-LD context defines (it converts the document to RDF, JSON-LD expansion only, as a guard): a JSON-LD consumer
would drop such a term, and an undefined term must never be presented as "signed". RDFC-1.0 canonicalisation does
not run, so blank-node-heavy documents (a presentation embedding a CLR) are not subject to its N-degree work limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rfc8785

from credstack.errors import CanonicalizationError, InvalidInputError
from credstack.proofs.canonical import to_dataset
from credstack.proofs.eddsa_rdfc_2022 import (
    SIGNATURE_MISMATCH,
    decode_proof_value,
    hashing,
    is_date_time_stamp,
    proof_serialization,
    proof_verification,
)
from credstack.proofs.keys import Ed25519Key

__all__ = [
    "CRYPTOSUITE",
    "PROOF_TYPE",
    "create_proof",
    "jcs",
    "proof_configuration",
    "transformation",
    "undefined_term_guard",
    "verify_proof",
]

CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_TYPE = "DataIntegrityProof"


def jcs(value: Any) -> str:
    """RFC 8785 canonical JSON text of ``value``; raises CanonicalizationError for values JCS cannot represent."""
    try:
        return rfc8785.dumps(value).decode("utf-8")
    except rfc8785.CanonicalizationError as exc:
        raise CanonicalizationError(f"JCS (RFC 8785) cannot serialise this value: {exc}") from exc


def undefined_term_guard(document: Mapping[str, Any]) -> None:
    """Raise UndefinedTermError / UnknownContextError when JSON-LD processing would drop or refuse anything."""
    if not isinstance(document.get("@context"), str | list | dict):
        raise InvalidInputError("the document has no @context; credstack only signs JSON-LD credentials")
    to_dataset(dict(document))


def transformation(unsecured_document: Mapping[str, Any]) -> str:
    """Transformation (eddsa-jcs-2022), §3.3.3: JCS of the unsecured document (after the undefined-term guard)."""
    undefined_term_guard(unsecured_document)
    return jcs(unsecured_document)


def proof_configuration(proof_config: Mapping[str, Any]) -> str:
    """Proof Configuration (eddsa-jcs-2022), §3.3.5: JCS of the proof options, ``@context`` included, without
    ``proofValue``. Refuses a wrong type/cryptosuite or a bad ``created``; also guards undefined terms."""
    config = {key: value for key, value in proof_config.items() if key != "proofValue"}
    if config.get("type") != PROOF_TYPE or config.get("cryptosuite") != CRYPTOSUITE:
        raise InvalidInputError(f"proof options must have type {PROOF_TYPE!r} and cryptosuite {CRYPTOSUITE!r}")
    if "created" in config and not is_date_time_stamp(config["created"]):
        raise InvalidInputError(f"proof created {config['created']!r} is not a valid dateTimeStamp")
    return jcs(config)


def create_proof(unsecured_document: Mapping[str, Any], options: Mapping[str, Any], key: Ed25519Key) -> dict[str, Any]:
    """Create Proof (eddsa-jcs-2022), §3.3.1: copy the document ``@context`` into the proof, then sign."""
    proof = {name: value for name, value in options.items() if name != "proofValue"}
    if "@context" in unsecured_document:
        proof["@context"] = unsecured_document["@context"]
    undefined_term_guard(proof)
    canonical_config = proof_configuration(proof)
    transformed = transformation(unsecured_document)
    proof["proofValue"] = proof_serialization(hashing(transformed, canonical_config), key)
    return proof


def _context_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def verify_proof(unsecured_document: Mapping[str, Any], proof: Mapping[str, Any], public_key: bytes) -> str | None:
    """Verify Proof (eddsa-jcs-2022), §3.3.2. Returns None when the proof verifies, else the reason it fails."""
    signature = decode_proof_value(proof.get("proofValue"))
    if signature is None:
        return "proofValue is not a base58btc ('z') multibase Ed25519 signature of 64 bytes"
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    document = dict(unsecured_document)
    if "@context" in options:
        proof_context = _context_list(options["@context"])
        document_context = _context_list(document.get("@context"))
        if document_context[: len(proof_context)] != proof_context:
            return "the document's @context does not start with the proof's @context: the contexts were changed"
        if document_context != proof_context:
            # what is shown to people is the document as received: it must pass the guard too
            undefined_term_guard(document)
        document["@context"] = options["@context"]
        undefined_term_guard(options)
    else:
        undefined_term_guard({**options, "@context": document.get("@context")})
    canonical_config = proof_configuration(options)
    transformed = transformation(document)
    if not proof_verification(hashing(transformed, canonical_config), signature, public_key):
        return SIGNATURE_MISMATCH
    return None
