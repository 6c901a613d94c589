"""Issuer private keys at rest: AES-256-GCM under a key derived from ``CREDSTACK_MASTER_SECRET`` with scrypt.

Sealed format (version 1), all in one blob:

    b"cs1" | salt (16 bytes, per key) | nonce (12 bytes) | AES-256-GCM(ciphertext || tag)

The key-encryption key is scrypt(master_secret, salt, n=2**14, r=8, p=1, length=32) (RFC 7914). The associated
data is the key's public Multikey, so a sealed seed cannot be moved to another key's row unnoticed. Opening with
the wrong master secret is a :class:`ConfigurationError` that says so.
"""

from __future__ import annotations

import os
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from credstack.errors import ConfigurationError, KeyMaterialError

__all__ = ["KeyStore"]

_MAGIC = b"cs1"
_SALT = 16
_NONCE = 12
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1


class KeyStore:
    """Seals and opens Ed25519 seeds with the master secret. Derived keys are cached per salt (scrypt is slow)."""

    def __init__(self, master_secret: str) -> None:
        if not isinstance(master_secret, str) or not master_secret:
            raise ConfigurationError("CREDSTACK_MASTER_SECRET must not be empty")
        self._secret = master_secret.encode("utf-8")
        self._cache: dict[bytes, bytes] = {}
        self._lock = threading.Lock()

    def _kek(self, salt: bytes) -> bytes:
        with self._lock:
            cached = self._cache.get(salt)
        if cached is not None:
            return cached
        derived = Scrypt(salt=salt, length=32, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P).derive(self._secret)
        with self._lock:
            self._cache[salt] = derived
        return derived

    def seal(self, seed: bytes, *, public_multibase: str) -> bytes:
        """Encrypt a 32-byte Ed25519 seed for storage, bound to its public key."""
        if len(seed) != 32:
            raise KeyMaterialError("an Ed25519 seed is 32 bytes")
        salt = os.urandom(_SALT)
        nonce = os.urandom(_NONCE)
        sealed = AESGCM(self._kek(salt)).encrypt(nonce, seed, public_multibase.encode("ascii"))
        return _MAGIC + salt + nonce + sealed

    def open(self, blob: bytes, *, public_multibase: str) -> bytes:
        """Decrypt a sealed seed; a wrong master secret (or a tampered blob) is a ConfigurationError."""
        blob = bytes(blob)
        if not blob.startswith(_MAGIC) or len(blob) != len(_MAGIC) + _SALT + _NONCE + 32 + 16:
            raise KeyMaterialError("the stored private key is not in credstack's sealed format (cs1)")
        salt = blob[len(_MAGIC) : len(_MAGIC) + _SALT]
        nonce = blob[len(_MAGIC) + _SALT : len(_MAGIC) + _SALT + _NONCE]
        body = blob[len(_MAGIC) + _SALT + _NONCE :]
        try:
            return AESGCM(self._kek(salt)).decrypt(nonce, body, public_multibase.encode("ascii"))
        except InvalidTag as exc:
            raise ConfigurationError(
                f"cannot decrypt the private key of {public_multibase}: CREDSTACK_MASTER_SECRET is not the secret "
                "it was encrypted with (or the stored key was altered)"
            ) from exc
