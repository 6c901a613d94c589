"""The ``eddsa-rdfc-2022`` cryptosuite: RDFC-1.0 canonicalisation, SHA-256, Ed25519.

W3C Data Integrity EdDSA Cryptosuites v1.0 (REC 15 May 2025), §3.2 "eddsa-rdfc-2022"
(https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022). One function per algorithm of that section:
Create Proof, Verify Proof, Transformation, Hashing, Proof Configuration, Proof Serialization,
Proof Verification. The functions are pure; canonicalisation goes through ``credstack.proofs.canonical``.

``hashData = SHA-256(canonicalProofConfig) ‖ SHA-256(transformedDocument)`` (proof hash first) and
``proofValue = "z" + base58btc(Ed25519 signature)``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from credstack.errors import InvalidInputError, UndefinedTermError
from credstack.proofs.canonical import to_canonical_nquads
from credstack.proofs.keys import Ed25519Key, verify_ed25519
from credstack.proofs.multibase import decode_multibase, encode_base58btc

__all__ = [
    "CRYPTOSUITE",
    "PROOF_TYPE",
    "SIGNATURE_MISMATCH",
    "create_proof",
    "decode_proof_value",
    "hashing",
    "is_date_time_stamp",
    "proof_configuration",
    "proof_serialization",
    "proof_verification",
    "transformation",
    "verify_proof",
]

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
SIGNATURE_MISMATCH = (
    "signature does not match the document: the credential was altered after signing, or signed with another key"
)
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_DATE_TIME_STAMP = re.compile(r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def is_date_time_stamp(value: object) -> bool:
    """True for a valid XML Schema ``dateTimeStamp`` (a dateTime with a mandatory time zone)."""
    if not isinstance(value, str) or not _DATE_TIME_STAMP.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def transformation(unsecured_document: Mapping[str, Any]) -> str:
    """Transformation (eddsa-rdfc-2022), §3.2.3: the RDFC-1.0 canonical N-Quads of the unsecured document.

    Undefined terms raise UndefinedTermError (they would otherwise be dropped, leaving them unsigned).
    """
    if not isinstance(unsecured_document.get("@context"), str | list | dict):
        raise InvalidInputError("the document has no @context, so it cannot be canonicalised as JSON-LD")
    return to_canonical_nquads(dict(unsecured_document))


def hashing(transformed_document: str, canonical_proof_config: str) -> bytes:
    """Hashing (eddsa-rdfc-2022), §3.2.4: SHA-256(proof config) ‖ SHA-256(document), 64 bytes."""
    proof_config_hash = hashlib.sha256(canonical_proof_config.encode("utf-8")).digest()
    document_hash = hashlib.sha256(transformed_document.encode("utf-8")).digest()
    return proof_config_hash + document_hash


def proof_configuration(
    options: Mapping[str, Any],
    unsecured_document: Mapping[str, Any],
    *,
    proof_type: str = PROOF_TYPE,
    cryptosuite: str | None = CRYPTOSUITE,
) -> str:
    """Proof Configuration (eddsa-rdfc-2022), §3.2.5: canonical N-Quads of the proof options (minus
    ``proofValue``) with the document's ``@context``. Refuses a wrong type/cryptosuite or a bad ``created``."""
    config = {key: value for key, value in options.items() if key != "proofValue"}
    if config.get("type") != proof_type or (cryptosuite is not None and config.get("cryptosuite") != cryptosuite):
        raise InvalidInputError(f"proof options must have type {proof_type!r} and cryptosuite {cryptosuite!r}")
    if "created" in config and not is_date_time_stamp(config["created"]):
        raise InvalidInputError(f"proof created {config['created']!r} is not a valid dateTimeStamp")
    config["@context"] = unsecured_document.get("@context")
    canonical = to_canonical_nquads(config)
    _require_every_option_signed(config, canonical)
    return canonical


def _require_every_option_signed(config: Mapping[str, Any], canonical: str) -> None:
    """Fail closed when JSON-LD processing dropped a proof option (a term the document's contexts do not define,
    e.g. a DataIntegrityProof under a VCDM 1.1 context only): each option must yield its own predicate, and the
    proof node must be typed ``sec:<type>``. ``id`` names the node and ``@context`` is not data."""
    options = sorted(name for name in config if name not in ("@context", "id"))
    lines = [line.split(" ", 3) for line in canonical.splitlines() if line]
    predicates = {parts[1] for parts in lines if len(parts) > 2}
    types = {parts[2] for parts in lines if len(parts) > 2 and parts[1] == _RDF_TYPE}
    if len(predicates) != len(options) or types != {f"<https://w3id.org/security#{config.get('type')}>"}:
        raise UndefinedTermError(
            f"the proof options {', '.join(options)} are not all defined by the document's @context "
            f"({len(predicates)} of {len(options)} kept): they would not be signed",
            where="proof",
        )


def proof_serialization(hash_data: bytes, key: Ed25519Key) -> str:
    """Proof Serialization (eddsa-rdfc-2022), §3.2.6: Ed25519-sign the hash data, multibase base58btc."""
    return encode_base58btc(key.sign(hash_data))


def decode_proof_value(proof_value: object) -> bytes | None:
    """The 64-byte signature in a ``z`` proofValue, or None when it is not one."""
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        return None
    try:
        signature = decode_multibase(proof_value)
    except InvalidInputError:
        return None
    return signature if len(signature) == 64 else None


def proof_verification(hash_data: bytes, signature: bytes, public_key: bytes) -> bool:
    """Proof Verification (eddsa-rdfc-2022), §3.2.7: Ed25519 verification of the hash data."""
    return verify_ed25519(public_key, signature, hash_data)


def create_proof(unsecured_document: Mapping[str, Any], options: Mapping[str, Any], key: Ed25519Key) -> dict[str, Any]:
    """Create Proof (eddsa-rdfc-2022), §3.2.1: the proof object, options plus ``proofValue``."""
    canonical_config = proof_configuration(options, unsecured_document)
    transformed = transformation(unsecured_document)
    proof = {key_: value for key_, value in options.items() if key_ != "proofValue"}
    proof["proofValue"] = proof_serialization(hashing(transformed, canonical_config), key)
    return proof


def verify_proof(unsecured_document: Mapping[str, Any], proof: Mapping[str, Any], public_key: bytes) -> str | None:
    """Verify Proof (eddsa-rdfc-2022), §3.2.2. Returns None when the proof verifies, else the reason it fails."""
    signature = decode_proof_value(proof.get("proofValue"))
    if signature is None:
        return "proofValue is not a base58btc ('z') multibase Ed25519 signature of 64 bytes"
    canonical_config = proof_configuration(proof, unsecured_document)
    transformed = transformation(unsecured_document)
    if not proof_verification(hashing(transformed, canonical_config), signature, public_key):
        return SIGNATURE_MISMATCH
    return None
