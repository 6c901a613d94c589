"""Every W3C vc-di-eddsa test vector (tests/fixtures/vectors/w3c-vc-di-eddsa), bit-exact.

For eddsa-rdfc-2022, eddsa-jcs-2022 and Ed25519Signature2020 the pipeline is checked step by step: canonical
document, document hash, canonical proof configuration, proof hash, combined hash, signature (hex and base58btc),
and the signed document, both reproduced by signing and accepted by verifying. Then the proof sets and chains.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import VECTORS
from credstack.proofs import data_integrity as di
from credstack.proofs import ed25519_signature_2020, eddsa_jcs_2022, eddsa_rdfc_2022
from credstack.proofs.keys import Ed25519Key, decode_multikey, resolve_did_key_vm
from credstack.proofs.multibase import decode_multibase, encode_base58btc

EDDSA = VECTORS / "w3c-vc-di-eddsa"
KEY_PAIR = json.loads((EDDSA / "keyPair.json").read_text())


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def key() -> Ed25519Key:
    return Ed25519Key.from_private_multikey(KEY_PAIR["privateKeyMultibase"])


@pytest.fixture(scope="module")
def unsigned() -> dict[str, Any]:
    return _json(EDDSA / "unsigned.json")


def test_key_pair_private_multikey_decodes_to_the_published_public_key(key: Ed25519Key) -> None:
    raw = decode_multibase(KEY_PAIR["privateKeyMultibase"])
    assert raw[:2] == b"\x80\x26" and len(raw) == 34
    assert key.public_multibase == KEY_PAIR["publicKeyMultibase"]
    assert key.public_key == decode_multikey(KEY_PAIR["publicKeyMultibase"])
    assert key.private_multibase == KEY_PAIR["privateKeyMultibase"]


# --- eddsa-rdfc-2022 -------------------------------------------------------------------------------------------

RDFC = EDDSA / "eddsa-rdfc-2022"


def test_rdfc_canonical_document_and_document_hash(unsigned: dict[str, Any]) -> None:
    canonical = eddsa_rdfc_2022.transformation(unsigned)
    assert canonical == _text(RDFC / "canonDocDataInt.txt")
    assert hashlib.sha256(canonical.encode()).hexdigest() == _text(RDFC / "docHashDataInt.txt")


def test_rdfc_canonical_proof_config_and_proof_hash(unsigned: dict[str, Any]) -> None:
    config = _json(RDFC / "proofConfigDataInt.json")
    options = {name: value for name, value in config.items() if name != "@context"}
    canonical = eddsa_rdfc_2022.proof_configuration(options, unsigned)
    assert canonical == _text(RDFC / "proofCanonDataInt.txt")
    assert hashlib.sha256(canonical.encode()).hexdigest() == _text(RDFC / "proofHashDataInt.txt")


def test_rdfc_combined_hash_signature_and_proof_value(unsigned: dict[str, Any], key: Ed25519Key) -> None:
    options = {name: value for name, value in _json(RDFC / "proofConfigDataInt.json").items() if name != "@context"}
    combined = eddsa_rdfc_2022.hashing(
        eddsa_rdfc_2022.transformation(unsigned), eddsa_rdfc_2022.proof_configuration(options, unsigned)
    )
    assert combined.hex() == _text(RDFC / "combinedHashDataInt.txt")
    assert key.sign(combined).hex() == _text(RDFC / "sigHexDataInt.txt")
    assert eddsa_rdfc_2022.proof_serialization(combined, key) == _text(RDFC / "sigBTC58DataInt.txt")


def test_rdfc_signing_reproduces_the_signed_document(unsigned: dict[str, Any], key: Ed25519Key) -> None:
    signed = di.sign(unsigned, key=key, verification_method=key.verification_method, created="2023-02-24T23:36:38Z")
    assert signed == _json(RDFC / "signedDataInt.json")


def test_rdfc_signed_document_verifies() -> None:
    """signedDataInt.json: valid signature; its issuer is not the key's controller, which is the orchestrator's
    concern (the result reports the did:key controller so it can decide)."""
    [result] = di.verify(_json(RDFC / "signedDataInt.json"), resolve=resolve_did_key_vm)
    assert result.verified, result.reason
    assert (result.type, result.cryptosuite, result.bound) == ("DataIntegrityProof", "eddsa-rdfc-2022", True)
    assert result.controller == "did:key:" + KEY_PAIR["publicKeyMultibase"]


def test_rdfc_employment_vector_signature_steps(key: Ed25519Key) -> None:
    """The employ/ vector needs https://w3id.org/citizenship/v4rc1, which is not pinned: its hashing and signature
    steps are checked from the published intermediate values, and the signed document is refused, not fetched."""
    employ = RDFC / "employ"
    doc_hash = hashlib.sha256(_text(employ / "canonDocDataInt.txt").encode()).hexdigest()
    proof_hash = hashlib.sha256(_text(employ / "proofCanonDataInt.txt").encode()).hexdigest()
    assert doc_hash == _text(employ / "docHashDataInt.txt")
    assert proof_hash == _text(employ / "proofHashDataInt.txt")
    combined = eddsa_rdfc_2022.hashing(_text(employ / "canonDocDataInt.txt"), _text(employ / "proofCanonDataInt.txt"))
    assert combined.hex() == _text(employ / "combinedHashDataInt.txt")
    assert key.sign(combined).hex() == _text(employ / "sigHexDataInt.txt")
    assert encode_base58btc(key.sign(combined)) == _text(employ / "sigBTC58DataInt.txt")
    [result] = di.verify(_json(employ / "signedDataInt.json"), resolve=resolve_did_key_vm)
    assert not result.verified
    assert result.code == "unknown_context" and "citizenship/v4rc1" in result.reason


# --- eddsa-jcs-2022 --------------------------------------------------------------------------------------------

JCS = EDDSA / "eddsa-jcs-2022"


def test_jcs_canonical_document_and_document_hash(unsigned: dict[str, Any]) -> None:
    canonical = eddsa_jcs_2022.transformation(unsigned)
    assert canonical == _text(JCS / "canonDocJCS.txt")
    assert hashlib.sha256(canonical.encode()).hexdigest() == _text(JCS / "docHashJCS.txt")


def test_jcs_canonical_proof_config_and_proof_hash() -> None:
    canonical = eddsa_jcs_2022.proof_configuration(_json(JCS / "proofConfigJCS.json"))
    assert canonical == _text(JCS / "proofCanonJCS.txt")
    assert hashlib.sha256(canonical.encode()).hexdigest() == _text(JCS / "proofHashJCS.txt")


def test_jcs_combined_hash_signature_and_proof_value(unsigned: dict[str, Any], key: Ed25519Key) -> None:
    combined = eddsa_jcs_2022.hashing(
        eddsa_jcs_2022.transformation(unsigned), eddsa_jcs_2022.proof_configuration(_json(JCS / "proofConfigJCS.json"))
    )
    assert combined.hex() == _text(JCS / "combinedHashJCS.txt")
    assert key.sign(combined).hex() == _text(JCS / "sigHexJCS.txt")
    assert eddsa_jcs_2022.proof_serialization(combined, key) == _text(JCS / "sigBTC58JCS.txt")


def test_jcs_signing_reproduces_the_signed_document_with_proof_context(
    unsigned: dict[str, Any], key: Ed25519Key
) -> None:
    signed = di.sign(
        unsigned,
        key=key,
        verification_method=key.verification_method,
        cryptosuite="eddsa-jcs-2022",
        created="2023-02-24T23:36:38Z",
    )
    expected = _json(JCS / "signedJCS.json")
    assert signed == expected
    assert signed["proof"]["@context"] == unsigned["@context"]


def test_jcs_signed_document_verifies() -> None:
    [result] = di.verify(_json(JCS / "signedJCS.json"), resolve=resolve_did_key_vm)
    assert result.verified, result.reason
    assert result.cryptosuite == "eddsa-jcs-2022"


# --- Ed25519Signature2020 (Annex A) ----------------------------------------------------------------------------

EDSIG = EDDSA / "Ed25519Signature2020"


def test_ed25519_signature_2020_pipeline(key: Ed25519Key) -> None:
    signed = _json(EDSIG / "signedEdSig.json")
    unsecured = {name: value for name, value in signed.items() if name != "proof"}
    config = {name: value for name, value in _json(EDSIG / "proofConfigEdSig.json").items() if name != "@context"}
    canonical_doc = eddsa_rdfc_2022.transformation(unsecured)
    canonical_config = ed25519_signature_2020.proof_configuration(config, unsecured)
    assert canonical_doc == _text(EDSIG / "canonDocEdSig.txt")
    assert hashlib.sha256(canonical_doc.encode()).hexdigest() == _text(EDSIG / "docHashEdSig.txt")
    assert canonical_config == _text(EDSIG / "proofCanonEdSig.txt")
    assert hashlib.sha256(canonical_config.encode()).hexdigest() == _text(EDSIG / "proofHashEdSig.txt")
    combined = eddsa_rdfc_2022.hashing(canonical_doc, canonical_config)
    assert combined.hex() == _text(EDSIG / "combinedHashEdSig.txt")
    assert key.sign(combined).hex() == _text(EDSIG / "sigHexEdSig.txt")
    assert encode_base58btc(key.sign(combined)) == _text(EDSIG / "sigBTC58EdSig.txt")


def test_ed25519_signature_2020_sign_and_verify(key: Ed25519Key) -> None:
    signed = _json(EDSIG / "signedEdSig.json")
    unsecured = {name: value for name, value in signed.items() if name != "proof"}
    resigned = di.sign(
        unsecured,
        key=key,
        verification_method=key.verification_method,
        cryptosuite="Ed25519Signature2020",
        created="2023-02-24T23:36:38Z",
    )
    assert resigned == signed
    [result] = di.verify(signed, resolve=resolve_did_key_vm)
    assert result.verified, result.reason
    assert (result.type, result.cryptosuite) == ("Ed25519Signature2020", None)


# --- proof sets and chains -------------------------------------------------------------------------------------

CHAIN = EDDSA / "proof-set-chain"
KEY_PAIRS = _json(CHAIN / "multiKeyPairs.json")


def _pair(number: int) -> Ed25519Key:
    pair = KEY_PAIRS[f"keyPair{number}"]
    key = Ed25519Key.from_private_multikey(pair["privateKeyMultibase"])
    assert key.public_multibase == pair["publicKeyMultibase"]
    return key


@pytest.mark.parametrize(
    ("name", "count"),
    [("signedProofSet1", 1), ("signedProofSet2", 2), ("signedProofChain1", 3), ("signedProofChain2", 4)],
)
def test_proof_set_and_chain_files_verify(name: str, count: int) -> None:
    results = di.verify(_json(CHAIN / f"{name}.json"), resolve=resolve_did_key_vm)
    assert len(results) == count
    assert all(result.verified for result in results), [result.reason for result in results]


def test_proof_sets_and_chains_are_reproduced_by_signing() -> None:
    """Sign the unsigned document step by step with the published keys and proof configurations."""
    document = _json(CHAIN / "unsigned.json")
    steps = [
        (1, "proofSetConfig1", "signedProofSet1"),
        (2, "proofSetConfig2", "signedProofSet2"),
        (3, "proofChainConfig1", "signedProofChain1"),
        (4, "proofChainConfig2", "signedProofChain2"),
    ]
    for number, config_name, expected_name in steps:
        config = _json(CHAIN / f"{config_name}.json")
        key = _pair(number)
        document = di.sign(
            document,
            key=key,
            verification_method=config["verificationMethod"],
            created=config["created"],
            proof_id=config.get("id"),
            previous_proof=config.get("previousProof"),
        )
        assert document == _json(CHAIN / f"{expected_name}.json"), expected_name
        new_proof = document["proof"][-1] if isinstance(document["proof"], list) else document["proof"]
        assert new_proof == _json(CHAIN / f"{config_name.replace('Config', 'ConfigSigned')}.json")


def test_chain_temp_documents_are_what_the_chained_proofs_sign() -> None:
    """proofChainTempDocN.json is the document a chained proof covers: the base document plus the proofs named
    in previousProof. Verifying the chained proof against it alone, as a plain proof, must succeed."""
    for temp_name, signed_config in (
        ("proofChainTempDoc1", "proofChainConfigSigned1"),
        ("proofChainTempDoc2", "proofChainConfigSigned2"),
    ):
        temp = _json(CHAIN / f"{temp_name}.json")
        proof = _json(CHAIN / f"{signed_config}.json")
        vm = resolve_did_key_vm(proof["verificationMethod"])
        assert eddsa_rdfc_2022.verify_proof(temp, proof, vm.public_key) is None


def test_chained_proof_fails_when_a_previous_proof_is_removed() -> None:
    chain = _json(CHAIN / "signedProofChain2.json")
    del chain["proof"][2]  # the proof the last one chains to
    results = di.verify(chain, resolve=resolve_did_key_vm)
    assert [r.verified for r in results] == [True, True, False]
    assert "urn:uuid:d94f792a-c546-4d06-b38a-da070ab56c23" in results[2].reason


def test_chained_proof_fails_when_a_previous_proof_is_altered() -> None:
    chain = _json(CHAIN / "signedProofChain1.json")
    chain["proof"][0]["created"] = "2023-02-24T23:36:39Z"
    results = di.verify(chain, resolve=resolve_did_key_vm)
    # the altered proof and the proof chained to it both fail; the independent one still verifies
    assert [r.verified for r in results] == [False, True, False]
