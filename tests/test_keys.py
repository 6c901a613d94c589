"""Keys, multibase, Multikey and did:key (proofs/keys.py, proofs/multibase.py), and the verification-method
helpers the verifier's resolvers are built from."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import VECTORS
from credstack.errors import InvalidInputError, KeyMaterialError
from credstack.proofs.keys import (
    Ed25519Key,
    decode_multikey,
    decode_private_multikey,
    did_key_document,
    did_key_from_public_key,
    encode_multikey,
    resolve_did_key_vm,
    unbound_fragment_vm,
    verification_method_for_did_key,
    verify_ed25519,
    vm_from_controller_document,
)
from credstack.proofs.multibase import b58decode, b58encode, decode_multibase, encode_base58btc, encode_base64url

DID_KEY_VECTORS: dict[str, Any] = json.loads((VECTORS / "w3c-ccg-did-method-key" / "ed25519-x25519.json").read_text())
P256_DID = "did:key:zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76"  # from the vc-di-eddsa employ vector
X25519_MULTIKEY = "z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW"  # keyAgreement key in the did:key vectors


# --- multibase -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"", ""),
        (b"\x00", "1"),
        (b"\x00\x00\x01", "112"),
        (b"Hello World!", "2NEpo7TZRRrLZSi2U"),
        (bytes.fromhex("0000287fb4cd"), "11233QC4"),
    ],
)
def test_base58btc_known_values(raw: bytes, text: str) -> None:
    assert b58encode(raw) == text
    assert b58decode(text) == raw


@given(st.binary(max_size=80))
def test_multibase_round_trips(data: bytes) -> None:
    assert decode_multibase(encode_base58btc(data)) == data
    assert decode_multibase(encode_base64url(data)) == data
    assert "=" not in encode_base64url(data)


@pytest.mark.parametrize("bad", ["", "z0OIl", "zabc+", "uAB=C", "uA", "u+/", "mAQID", "fabcd", 42])
def test_malformed_or_unsupported_multibase_is_refused(bad: object) -> None:
    with pytest.raises(InvalidInputError):
        decode_multibase(bad)  # type: ignore[arg-type]


# --- Ed25519Key ------------------------------------------------------------------------------------------------


def test_key_from_seed_is_deterministic_and_signs_verifiably() -> None:
    seed = bytes(range(32))
    key = Ed25519Key.from_seed(seed)
    assert key.seed == seed
    assert Ed25519Key.from_seed(seed).public_key == key.public_key
    signature = key.sign(b"message")
    assert len(signature) == 64
    assert verify_ed25519(key.public_key, signature, b"message")
    assert not verify_ed25519(key.public_key, signature, b"messagE")
    assert not verify_ed25519(Ed25519Key.generate().public_key, signature, b"message")
    assert not verify_ed25519(key.public_key, signature[:63], b"message")


def test_generated_keys_differ_and_repr_hides_the_seed() -> None:
    one, two = Ed25519Key.generate(), Ed25519Key.generate()
    assert one.seed != two.seed
    assert one.seed.hex() not in repr(one) and one.public_multibase in repr(one)


@pytest.mark.parametrize("seed", [b"", b"\x00" * 31, b"\x00" * 33, "0" * 32])
def test_seed_must_be_32_bytes(seed: object) -> None:
    with pytest.raises(KeyMaterialError):
        Ed25519Key.from_seed(seed)  # type: ignore[arg-type]


def test_private_multikey_round_trip() -> None:
    key = Ed25519Key.generate()
    assert key.private_multibase.startswith("z3u2")
    assert decode_private_multikey(key.private_multibase) == key.seed
    assert Ed25519Key.from_private_multikey(key.private_multibase).public_key == key.public_key
    with pytest.raises(KeyMaterialError, match="0x8026"):
        decode_private_multikey(key.public_multibase)


# --- Multikey and did:key --------------------------------------------------------------------------------------


@pytest.mark.parametrize("did", sorted(DID_KEY_VECTORS))
def test_did_key_vectors_seed_to_did(did: str) -> None:
    entry = DID_KEY_VECTORS[did]
    key = Ed25519Key.from_seed(bytes.fromhex(entry["seed"]))
    assert key.did == did
    assert did_key_from_public_key(key.public_key) == did
    published = entry["verificationKeyPair"]
    if "publicKeyBase58" in published:
        assert b58encode(key.public_key) == published["publicKeyBase58"]
    else:
        assert encode_base64url(key.public_key) == "u" + published["publicKeyJwk"]["x"]
    assert key.verification_method == verification_method_for_did_key(did) == f"{did}#{did[8:]}"
    # the published DID document (Ed25519VerificationKey2018 / JsonWebKey2020 forms) yields the same key
    vm = vm_from_controller_document(entry["didDocument"], key.verification_method, "assertionMethod")
    assert (vm.public_key, vm.controller, vm.bound) == (key.public_key, did, True)


def test_multikey_has_the_ed25519_header_and_z6mk_prefix() -> None:
    key = Ed25519Key.from_seed(b"\x01" * 32)
    multikey = encode_multikey(key.public_key)
    assert multikey.startswith("z6Mk")
    assert decode_multibase(multikey)[:2] == b"\xed\x01"
    assert decode_multikey(multikey) == key.public_key


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (P256_DID.removeprefix("did:key:"), "0x8024"),  # P-256 public key
        (X25519_MULTIKEY, "0xec01"),  # X25519 key-agreement key
        (encode_base58btc(b"\xe7\x01" + b"\x02" * 33), "0xe701"),  # secp256k1
        (encode_base58btc(b"\xed\x01" + b"\x02" * 31), "31 key bytes"),
        (encode_base58btc(b"\xed\x01" + b"\x02" * 33), "33 key bytes"),
        (encode_base58btc(b"\xed"), "0xed"),
        (encode_base64url(b"\xed\x01" + b"\x02" * 32), "starting with 'z'"),
        ("z6Mk0OIl", "not valid base58btc"),
    ],
)
def test_decode_multikey_refuses_anything_but_ed25519(value: str, message: str) -> None:
    with pytest.raises(KeyMaterialError, match=message):
        decode_multikey(value)


def test_did_key_document_lists_the_key_under_every_relationship() -> None:
    key = Ed25519Key.from_seed(b"\x03" * 32)
    document = did_key_document(key.did)
    vm_id = key.verification_method
    assert document["id"] == key.did
    assert document["verificationMethod"] == [
        {"id": vm_id, "type": "Multikey", "controller": key.did, "publicKeyMultibase": key.public_multibase}
    ]
    for relationship in ("assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation"):
        assert document[relationship] == [vm_id]
    assert vm_from_controller_document(document, vm_id, "assertionMethod").public_key == key.public_key


def test_did_key_document_refuses_non_ed25519_did_keys() -> None:
    with pytest.raises(KeyMaterialError):
        did_key_document(P256_DID)
    with pytest.raises(KeyMaterialError):
        did_key_document("did:web:example.com")


def test_verification_method_for_did_key() -> None:
    key = Ed25519Key.from_seed(b"\x04" * 32)
    expected = f"{key.did}#{key.public_multibase}"
    assert verification_method_for_did_key(key.did) == expected
    assert verification_method_for_did_key(expected) == expected


# --- resolver helpers ------------------------------------------------------------------------------------------


def test_resolve_did_key_vm_is_bound_to_the_did() -> None:
    key = Ed25519Key.from_seed(b"\x05" * 32)
    vm = resolve_did_key_vm(key.verification_method)
    assert (vm.id, vm.controller, vm.public_key, vm.bound) == (key.verification_method, key.did, key.public_key, True)
    assert resolve_did_key_vm(key.did) == vm  # a bare did:key names its only key


def test_resolve_did_key_vm_refuses_foreign_fragments_and_other_methods() -> None:
    key, other = Ed25519Key.from_seed(b"\x06" * 32), Ed25519Key.from_seed(b"\x07" * 32)
    with pytest.raises(KeyMaterialError, match="does not name"):
        resolve_did_key_vm(f"{key.did}#{other.public_multibase}")
    for bad in ("did:web:example.com#key-1", P256_DID + "#" + P256_DID[8:], "https://example.com#z6Mk"):
        with pytest.raises(KeyMaterialError):
            resolve_did_key_vm(bad)


def test_unbound_fragment_vm_reads_the_key_from_the_fragment_and_flags_it() -> None:
    key = Ed25519Key.from_seed(b"\x08" * 32)
    vm_id = f"https://example.edu/issuers/565049#{key.public_multibase}"
    vm = unbound_fragment_vm(vm_id)
    assert (vm.id, vm.controller, vm.public_key, vm.bound) == (
        vm_id,
        "https://example.edu/issuers/565049",
        key.public_key,
        False,
    )
    for bad in ("https://example.edu/issuers/1", "https://example.edu/issuers/1#key-1", "#" + key.public_multibase):
        with pytest.raises(KeyMaterialError):
            unbound_fragment_vm(bad)


def _web_document(key: Ed25519Key, *, embed: bool = False, listed_under: str = "assertionMethod") -> dict[str, Any]:
    did = "did:web:issuer.example:issuers:ada"
    vm = {"id": f"{did}#key-1", "type": "Multikey", "controller": did, "publicKeyMultibase": key.public_multibase}
    document: dict[str, Any] = {"@context": ["https://www.w3.org/ns/did/v1"], "id": did}
    if embed:
        document[listed_under] = [vm]
    else:
        document["verificationMethod"] = [vm]
        document[listed_under] = ["#key-1"]
    return document


def test_vm_from_controller_document_relative_and_embedded_references() -> None:
    key = Ed25519Key.from_seed(b"\x09" * 32)
    vm_id = "did:web:issuer.example:issuers:ada#key-1"
    for embed in (False, True):
        vm = vm_from_controller_document(_web_document(key, embed=embed), vm_id, "assertionMethod")
        assert (vm.id, vm.controller, vm.public_key, vm.bound) == (
            vm_id,
            "did:web:issuer.example:issuers:ada",
            key.public_key,
            True,
        )


def test_vm_from_controller_document_requires_the_relationship() -> None:
    key = Ed25519Key.from_seed(b"\x0a" * 32)
    document = _web_document(key, listed_under="authentication")
    vm_id = "did:web:issuer.example:issuers:ada#key-1"
    assert vm_from_controller_document(document, vm_id, "authentication").public_key == key.public_key
    with pytest.raises(KeyMaterialError, match="not listed under assertionMethod"):
        vm_from_controller_document(document, vm_id, "assertionMethod")


def test_vm_from_controller_document_refusals() -> None:
    key = Ed25519Key.from_seed(b"\x0b" * 32)
    vm_id = "did:web:issuer.example:issuers:ada#key-1"
    missing = _web_document(key)
    missing["verificationMethod"] = []
    with pytest.raises(KeyMaterialError, match="does not define"):
        vm_from_controller_document(missing, vm_id, "assertionMethod")
    foreign = _web_document(key)
    foreign["verificationMethod"][0]["controller"] = "did:web:attacker.example"
    with pytest.raises(KeyMaterialError, match="controlled by"):
        vm_from_controller_document(foreign, vm_id, "assertionMethod")
    wrong_curve = _web_document(key)
    wrong_curve["verificationMethod"][0]["publicKeyMultibase"] = X25519_MULTIKEY
    with pytest.raises(KeyMaterialError, match="0xec01"):
        vm_from_controller_document(wrong_curve, vm_id, "assertionMethod")
    with pytest.raises(KeyMaterialError):
        vm_from_controller_document(_web_document(key), vm_id.replace("key-1", "key-2"), "assertionMethod")


def test_vm_from_controller_document_other_ed25519_key_formats() -> None:
    key = Ed25519Key.from_seed(b"\x0c" * 32)
    did = "did:web:issuer.example"
    x = encode_base64url(key.public_key)[1:]
    variants: list[dict[str, Any]] = [
        {"type": "Ed25519VerificationKey2020", "publicKeyMultibase": key.public_multibase},
        {"type": "Ed25519VerificationKey2018", "publicKeyBase58": b58encode(key.public_key)},
        {"type": "JsonWebKey", "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": x}},
    ]
    for variant in variants:
        document = {"id": did, "verificationMethod": [{"id": f"{did}#k", "controller": did, **variant}]}
        document["assertionMethod"] = [f"{did}#k"]
        assert vm_from_controller_document(document, f"{did}#k", "assertionMethod").public_key == key.public_key
    private_jwk = {"kty": "OKP", "crv": "Ed25519", "x": x, "d": encode_base64url(key.seed)[1:]}
    document = {
        "id": did,
        "verificationMethod": [
            {"id": f"{did}#k", "controller": did, "type": "JsonWebKey", "publicKeyJwk": private_jwk}
        ],
        "assertionMethod": [f"{did}#k"],
    }
    with pytest.raises(KeyMaterialError, match="private key"):
        vm_from_controller_document(document, f"{did}#k", "assertionMethod")
