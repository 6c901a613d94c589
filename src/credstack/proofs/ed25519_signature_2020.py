"""The legacy ``Ed25519Signature2020`` proof type (read for older Open Badges / CLR credentials).

W3C Data Integrity EdDSA Cryptosuites v1.0, Annex A "The Ed25519Signature2020 Suite"
(https://www.w3.org/TR/vc-di-eddsa/#the-ed25519signature2020-suite). The pipeline is the RDFC one of
eddsa-rdfc-2022 (proof configuration with the document's ``@context``, RDFC-1.0, SHA-256 of each, proof hash
first, Ed25519, ``z`` + base58btc), but the proof ``type`` is ``Ed25519Signature2020`` and there is no
``cryptosuite``; its terms come from ``https://w3id.org/security/suites/ed25519-2020/v1``, which the document's
``@context`` must therefore include.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credstack.proofs import eddsa_rdfc_2022 as rdfc
from credstack.proofs.keys import Ed25519Key

__all__ = ["CONTEXT", "PROOF_TYPE", "create_proof", "proof_configuration", "verify_proof"]

PROOF_TYPE = "Ed25519Signature2020"
CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"


def proof_configuration(options: Mapping[str, Any], unsecured_document: Mapping[str, Any]) -> str:
    """Annex A, Proof Configuration (Ed25519Signature2020): canonical N-Quads of the options with the
    document's ``@context``."""
    return rdfc.proof_configuration(options, unsecured_document, proof_type=PROOF_TYPE, cryptosuite=None)


def create_proof(unsecured_document: Mapping[str, Any], options: Mapping[str, Any], key: Ed25519Key) -> dict[str, Any]:
    """Annex A, Create Proof (Ed25519Signature2020): the proof object, options plus ``proofValue``."""
    canonical_config = proof_configuration(options, unsecured_document)
    transformed = rdfc.transformation(unsecured_document)
    proof = {name: value for name, value in options.items() if name != "proofValue"}
    proof["proofValue"] = rdfc.proof_serialization(rdfc.hashing(transformed, canonical_config), key)
    return proof


def verify_proof(unsecured_document: Mapping[str, Any], proof: Mapping[str, Any], public_key: bytes) -> str | None:
    """Annex A, Verify Proof (Ed25519Signature2020). Returns None when the proof verifies, else the reason it fails."""
    signature = rdfc.decode_proof_value(proof.get("proofValue"))
    if signature is None:
        return "proofValue is not a base58btc ('z') multibase Ed25519 signature of 64 bytes"
    canonical_config = proof_configuration(proof, unsecured_document)
    transformed = rdfc.transformation(unsecured_document)
    if not rdfc.proof_verification(rdfc.hashing(transformed, canonical_config), signature, public_key):
        return rdfc.SIGNATURE_MISMATCH
    return None
