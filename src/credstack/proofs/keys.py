"""Ed25519 keys, Multikey encoding, did:key, and verification-method helpers for key resolution.

- Multikey: Controlled Identifiers v1.0 §2.2.2 (https://www.w3.org/TR/cid-1.0/#Multikey). An Ed25519 public key is
  ``"z"`` + base58btc(0xed 0x01 ‖ 32-byte key); a secret key is ``"z"`` + base58btc(0x80 0x26 ‖ 32-byte seed).
  vc-di-eddsa §2.1.1 requires any other header to raise an error: ``decode_multikey`` is strict.
- did:key (https://w3c-ccg.github.io/did-method-key/): ``did:key:<multikey>``, one verification method
  ``did:key:<mb>#<mb>`` used for every verification relationship.
- Verification-method retrieval: CID v1.0 §3.3 "Retrieve Verification Method". Resolution itself is injected
  by the caller (``KeyResolver``); the helpers here are pure building blocks for those resolvers.

A ``VerificationMethod`` is *bound* when the key is provably controlled by ``controller`` (did:key, or a
controller document that lists it); the 1EdTech ``https://issuer.example/x#z6Mk…`` form is *unbound*.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from credstack.errors import InvalidInputError, KeyMaterialError
from credstack.proofs.multibase import b58decode, decode_multibase, encode_base58btc

__all__ = [
    "ED25519_PRIV_HEADER",
    "ED25519_PUB_HEADER",
    "Ed25519Key",
    "KeyResolver",
    "VerificationMethod",
    "decode_multikey",
    "decode_private_multikey",
    "did_key_document",
    "did_key_from_public_key",
    "encode_multikey",
    "encode_private_multikey",
    "resolve_did_key_vm",
    "unbound_fragment_vm",
    "verification_method_for_did_key",
    "verify_ed25519",
    "vm_from_controller_document",
]

ED25519_PUB_HEADER = b"\xed\x01"  # multicodec ed25519-pub (0xed) as an unsigned varint
ED25519_PRIV_HEADER = b"\x80\x26"  # multicodec ed25519-priv (0x1300) as an unsigned varint
_KEY_TYPES_WITH_MULTIBASE = ("Multikey", "Ed25519VerificationKey2020")
_JWK_TYPES = ("JsonWebKey", "JsonWebKey2020")


@dataclass(frozen=True)
class VerificationMethod:
    """A resolved verification method: its id, its controller, the raw 32-byte Ed25519 key, and whether the
    controller provably controls the key (``bound``)."""

    id: str
    controller: str
    public_key: bytes
    bound: bool


KeyResolver = Callable[[str], VerificationMethod]


class Ed25519Key:
    """An Ed25519 signing key (RFC 8032 Pure EdDSA) built on ``cryptography``. The seed is the secret."""

    __slots__ = ("_private", "_public")

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key
        self._public = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @classmethod
    def generate(cls) -> Ed25519Key:
        """A fresh key from the operating system's CSPRNG."""
        return cls.from_seed(secrets.token_bytes(32))

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519Key:
        """The key for a 32-byte seed (RFC 8032 §5.1.5 private key)."""
        if not isinstance(seed, bytes | bytearray) or len(seed) != 32:
            raise KeyMaterialError("an Ed25519 seed must be exactly 32 bytes")
        return cls(Ed25519PrivateKey.from_private_bytes(bytes(seed)))

    @classmethod
    def from_private_multikey(cls, value: str) -> Ed25519Key:
        """The key for a ``secretKeyMultibase``/``privateKeyMultibase`` value (0x8026 header + seed)."""
        return cls.from_seed(decode_private_multikey(value))

    @property
    def seed(self) -> bytes:
        return self._private.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte public key."""
        return self._public

    @property
    def public_multibase(self) -> str:
        """The Multikey ``publicKeyMultibase`` (``z6Mk…``)."""
        return encode_multikey(self._public)

    @property
    def private_multibase(self) -> str:
        return encode_private_multikey(self.seed)

    @property
    def did(self) -> str:
        """The did:key DID of this key."""
        return did_key_from_public_key(self._public)

    @property
    def verification_method(self) -> str:
        """The full did:key verification method id ``did:key:z6Mk…#z6Mk…``."""
        return verification_method_for_did_key(self.did)

    def sign(self, data: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``data``."""
        return self._private.sign(data)

    def __repr__(self) -> str:
        return f"Ed25519Key({self.public_multibase})"


def verify_ed25519(public_key: bytes, signature: bytes, data: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of ``data`` under the raw ``public_key``."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


def encode_multikey(public_key: bytes) -> str:
    """``publicKeyMultibase`` of a raw Ed25519 public key: ``z`` + base58btc(0xed01 ‖ key)."""
    if len(public_key) != 32:
        raise KeyMaterialError("an Ed25519 public key must be exactly 32 bytes")
    return encode_base58btc(ED25519_PUB_HEADER + bytes(public_key))


def _decode_with_header(value: str, header: bytes, what: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("z"):
        raise KeyMaterialError(f"{what} must be a base58btc multibase string starting with 'z'")
    try:
        raw = decode_multibase(value)
    except InvalidInputError as exc:
        raise KeyMaterialError(f"{what} is not valid base58btc: {exc.message}") from exc
    if raw[:2] != header:
        raise KeyMaterialError(
            f"{what} has multicodec header 0x{raw[:2].hex()}, expected 0x{header.hex()} (Ed25519); refusing the key"
        )
    if len(raw) != 34:
        raise KeyMaterialError(f"{what} carries {len(raw) - 2} key bytes, expected 32")
    return raw[2:]


def decode_multikey(value: str) -> bytes:
    """The raw 32-byte key of an Ed25519 ``publicKeyMultibase``; any header but 0xed01 raises KeyMaterialError."""
    return _decode_with_header(value, ED25519_PUB_HEADER, "publicKeyMultibase")


def encode_private_multikey(seed: bytes) -> str:
    """``secretKeyMultibase`` of a 32-byte seed: ``z`` + base58btc(0x8026 ‖ seed)."""
    if len(seed) != 32:
        raise KeyMaterialError("an Ed25519 seed must be exactly 32 bytes")
    return encode_base58btc(ED25519_PRIV_HEADER + bytes(seed))


def decode_private_multikey(value: str) -> bytes:
    """The 32-byte seed of an Ed25519 ``secretKeyMultibase``; the header must be 0x8026."""
    return _decode_with_header(value, ED25519_PRIV_HEADER, "secretKeyMultibase")


def did_key_from_public_key(public_key: bytes) -> str:
    """did:key DID of a raw Ed25519 public key (did:key §3.1.1 "Create")."""
    return "did:key:" + encode_multikey(public_key)


def _split_did_key(did: str) -> str:
    if not isinstance(did, str) or not did.startswith("did:key:"):
        raise KeyMaterialError(f"{did!r} is not a did:key DID")
    multibase = did[len("did:key:") :]
    decode_multikey(multibase)
    return multibase


def verification_method_for_did_key(did: str) -> str:
    """The verification method id ``did:key:<mb>#<mb>`` for a did:key DID (with or without a fragment)."""
    multibase = _split_did_key(did.split("#", 1)[0])
    return f"did:key:{multibase}#{multibase}"


def did_key_document(did: str) -> dict[str, Any]:
    """The DID document of an Ed25519 did:key (did:key §3.1.2 "Read"), with a Multikey verification method."""
    multibase = _split_did_key(did)
    vm_id = f"{did}#{multibase}"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": multibase}],
        "authentication": [vm_id],
        "assertionMethod": [vm_id],
        "capabilityDelegation": [vm_id],
        "capabilityInvocation": [vm_id],
    }


def resolve_did_key_vm(vm_id: str) -> VerificationMethod:
    """Resolve a did:key verification method locally. The fragment, when present, must repeat the key."""
    did, _, fragment = vm_id.partition("#") if isinstance(vm_id, str) else ("", "", "")
    multibase = _split_did_key(did)
    if fragment and fragment != multibase:
        raise KeyMaterialError(f"did:key verification method fragment #{fragment} does not name the DID's key")
    return VerificationMethod(
        id=f"{did}#{multibase}", controller=did, public_key=decode_multikey(multibase), bound=True
    )


def unbound_fragment_vm(vm_id: str) -> VerificationMethod:
    """The 1EdTech ``[controller]#[publicKeyMultibase]`` form, read without fetching anything.

    The key is taken from the fragment, so nothing proves that ``controller`` controls it: ``bound`` is False
    and callers must surface that (STANDARDS §1.5).
    """
    controller, sep, fragment = vm_id.partition("#") if isinstance(vm_id, str) else ("", "", "")
    if not sep or not controller or not urlsplit(controller).scheme:
        raise KeyMaterialError(f"{vm_id!r} is not of the form <controller URL>#<publicKeyMultibase>")
    return VerificationMethod(id=vm_id, controller=controller, public_key=decode_multikey(fragment), bound=False)


def _absolute(ref: str, base: str) -> str:
    return base.split("#", 1)[0] + ref if ref.startswith("#") and base else ref


def _key_from_vm_object(vm: Mapping[str, Any]) -> bytes:
    vm_type = vm.get("type")
    if vm_type in _KEY_TYPES_WITH_MULTIBASE and isinstance(vm.get("publicKeyMultibase"), str):
        return decode_multikey(vm["publicKeyMultibase"])
    if vm_type == "Ed25519VerificationKey2018" and isinstance(vm.get("publicKeyBase58"), str):
        try:
            raw = b58decode(vm["publicKeyBase58"])
        except InvalidInputError as exc:
            raise KeyMaterialError(f"publicKeyBase58 is not valid base58: {exc.message}") from exc
        if len(raw) != 32:
            raise KeyMaterialError("publicKeyBase58 must encode a 32-byte Ed25519 key")
        return raw
    jwk = vm.get("publicKeyJwk")
    if vm_type in _JWK_TYPES and isinstance(jwk, Mapping):
        if "d" in jwk:
            raise KeyMaterialError("publicKeyJwk contains a private key ('d'); refusing it")
        if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
            raise KeyMaterialError("only Ed25519 (kty OKP, crv Ed25519) JSON Web Keys can verify EdDSA proofs")
        raw = decode_multibase("u" + jwk["x"])
        if len(raw) != 32:
            raise KeyMaterialError("publicKeyJwk.x must encode a 32-byte Ed25519 key")
        return raw
    raise KeyMaterialError(f"verification method {vm.get('id')!r} of type {vm_type!r} carries no usable Ed25519 key")


def vm_from_controller_document(doc: Mapping[str, Any], vm_id: str, relationship: str) -> VerificationMethod:
    """Find ``vm_id`` in a DID/controller document and require it under ``relationship`` (CID v1.0 §3.3).

    ``relationship`` is a verification relationship such as ``assertionMethod`` or ``authentication``. Entries
    may be references (absolute or ``#fragment``) or embedded verification methods. The method's controller must
    be the document's ``id``. Raises KeyMaterialError when any of this does not hold.
    """
    if not isinstance(doc, Mapping):
        raise KeyMaterialError("a controller document must be a JSON object")
    doc_id: str = doc["id"] if isinstance(doc.get("id"), str) else ""
    listed = doc.get(relationship, [])
    listed = [listed] if isinstance(listed, str | Mapping) else listed
    if not isinstance(listed, list):
        raise KeyMaterialError(f"{relationship} in the controller document must be a list")
    candidates: list[Mapping[str, Any]] = []
    authorised = False
    for entry in listed:
        if isinstance(entry, str) and _absolute(entry, doc_id) == vm_id:
            authorised = True
        elif isinstance(entry, Mapping) and _absolute(str(entry.get("id", "")), doc_id) == vm_id:
            authorised = True
            candidates.append(entry)
    if not authorised:
        raise KeyMaterialError(f"{vm_id} is not listed under {relationship} in the controller document {doc_id}")
    methods = doc.get("verificationMethod", [])
    methods = [methods] if isinstance(methods, Mapping) else methods
    if isinstance(methods, list):
        candidates.extend(
            m for m in methods if isinstance(m, Mapping) and _absolute(str(m.get("id", "")), doc_id) == vm_id
        )
    if not candidates:
        raise KeyMaterialError(f"the controller document {doc_id} does not define {vm_id}")
    vm = candidates[0]
    controller = vm.get("controller")
    if not isinstance(controller, str) or (doc_id and controller != doc_id):
        raise KeyMaterialError(f"verification method {vm_id} is controlled by {controller!r}, not by {doc_id!r}")
    return VerificationMethod(id=vm_id, controller=controller, public_key=_key_from_vm_object(vm), bound=True)
