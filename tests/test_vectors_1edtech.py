"""The 1EdTech OB 3.0 and CLR 2.0 "Linked Data Proof Test Vector" appendices, bit-exact.

Signing the unsigned credential with the published key and proof options must reproduce the guide's document
hash, proof hash, data to sign, signature and proofValue exactly; the signed credentials verify, reporting the
``https://…#z6Mk…`` verification method as unbound (nothing proves the issuer controls that key).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import VECTORS
from credstack.proofs import data_integrity as di
from credstack.proofs import eddsa_rdfc_2022
from credstack.proofs.keys import Ed25519Key, decode_multikey, resolve_did_key_vm, unbound_fragment_vm

GUIDE = VECTORS / "1edtech-ob-impl-guide"
CASES = ["obv3p0", "clrv2p0"]


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _key(case: str) -> Ed25519Key:
    pair = _json(GUIDE / case / "keypair.json")
    secret = bytes.fromhex(pair["privateKeyHex_ed25519_seed_plus_public"])
    key = Ed25519Key.from_seed(secret[:32])
    assert key.public_key.hex() == pair["publicKeyHex"] == secret[32:].hex()
    assert key.public_multibase == pair["publicKeyMultibase"]
    assert decode_multikey(pair["publicKeyMultibase"]).hex() == pair["publicKeyHex"]
    return key


@pytest.mark.parametrize("case", CASES)
def test_canonical_forms_match_the_guide(case: str) -> None:
    unsigned = _json(GUIDE / case / "credential-unsigned.json")
    options = _json(GUIDE / case / "proof-options.json")
    assert eddsa_rdfc_2022.transformation(unsigned) == (GUIDE / case / "document-canon.txt").read_text()
    assert eddsa_rdfc_2022.proof_configuration(options, unsigned) == (GUIDE / case / "proof-canon.txt").read_text()


@pytest.mark.parametrize("case", CASES)
def test_signing_reproduces_expected_values_bit_exact(case: str) -> None:
    unsigned = _json(GUIDE / case / "credential-unsigned.json")
    options = _json(GUIDE / case / "proof-options.json")
    expected = _json(GUIDE / case / "expected-values.json")
    key = _key(case)
    transformed = eddsa_rdfc_2022.transformation(unsigned)
    canonical_config = eddsa_rdfc_2022.proof_configuration(options, unsigned)
    assert hashlib.sha256(transformed.encode()).hexdigest() == expected["documentHashHex"]
    assert hashlib.sha256(canonical_config.encode()).hexdigest() == expected["proofHashHex"]
    data_to_sign = eddsa_rdfc_2022.hashing(transformed, canonical_config)
    assert data_to_sign.hex() == expected["dataToSignHex"]
    assert key.sign(data_to_sign).hex() == expected["signatureHex"]
    signed = di.sign(
        unsigned,
        key=key,
        verification_method=options["verificationMethod"],
        created=options["created"],
        proof_purpose=options["proofPurpose"],
    )
    assert signed["proof"]["proofValue"] == expected["proofValue"]
    assert signed["proof"] == {**options, "proofValue": expected["proofValue"]}


def test_ob_signed_credential_verifies_as_unbound() -> None:
    signed = _json(GUIDE / "obv3p0" / "credential-signed.json")
    [result] = di.verify(signed, resolve=unbound_fragment_vm)
    assert result.verified, result.reason
    assert result.bound is False
    assert result.controller == "https://example.edu/issuers/565049"
    assert "not bound" in result.reason


def test_ob_signed_credential_fails_when_altered() -> None:
    signed = _json(GUIDE / "obv3p0" / "credential-signed.json")
    signed["credentialSubject"]["achievement"]["name"] = "Teamwork (forged)"
    [result] = di.verify(signed, resolve=unbound_fragment_vm)
    assert not result.verified
    assert "altered after signing" in result.reason


def test_clr_signed_credential_and_its_nested_credential_verify() -> None:
    clr = _json(GUIDE / "clrv2p0" / "credential-signed.json")
    [outer] = di.verify(clr, resolve=unbound_fragment_vm)
    assert outer.verified, outer.reason
    nested = clr["credentialSubject"]["verifiableCredential"]
    assert len(nested) >= 1
    for credential in nested:
        results = di.verify(credential, resolve=unbound_fragment_vm)
        assert results and all(result.verified for result in results), [r.reason for r in results]


def test_clr_outer_proof_covers_the_nested_credentials() -> None:
    clr = _json(GUIDE / "clrv2p0" / "credential-signed.json")
    clr["credentialSubject"]["verifiableCredential"][0]["name"] = "Changed inside the CLR"
    [outer] = di.verify(clr, resolve=unbound_fragment_vm)
    assert not outer.verified


def test_fragment_verification_method_is_not_a_did_key() -> None:
    """A did:key-only resolver cannot resolve the 1EdTech form: a clear, non-verified result, no exception."""
    signed = _json(GUIDE / "obv3p0" / "credential-signed.json")
    [result] = di.verify(signed, resolve=resolve_did_key_vm)
    assert not result.verified
    assert "could not be resolved" in result.reason and result.code == "key_error"
