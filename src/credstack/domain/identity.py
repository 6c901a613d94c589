"""Open Badges 3.0 IdentityObject and IdentityHash (recipient identity without exposing the identifier).

OB 3.0 §B.1.12 "IdentityObject" and §B.2.4 "IdentityHash" (``common_credentials.lines``): an IdentityHash is
``"sha256$" + hex(SHA-256(UTF-8(identifier + salt)))`` (``"md5$" + hex(MD5(...))`` is also allowed for legacy
issuers). Verification: OB 3.0 ``verification.md`` "Verify the Recipient Using an Identifier" -- hash the
candidate identifier with the object's salt and compare, or compare the plain value when ``hashed`` is false.

Spec vector: ``sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399`` =
SHA-256 of ``a@example.comKosher``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from typing import Any

from credstack.errors import InvalidInputError

__all__ = [
    "email_identities",
    "identity_object",
    "make_identity_hash",
    "matches_identity",
    "matches_identity_hash",
]

_HASH = re.compile(r"(?P<alg>sha256|md5)\$(?P<hex>[0-9a-fA-F]+)")
_HEX_LENGTH = {"sha256": 64, "md5": 32}


def make_identity_hash(identifier: str, salt: str = "", *, algorithm: str = "sha256") -> str:
    """``"sha256$" + hex(SHA-256(identifier + salt))`` (or ``md5$``), as OB 3.0 §B.2.4 defines it."""
    if not isinstance(identifier, str) or not isinstance(salt, str):
        raise InvalidInputError("an identity hash needs a string identifier and salt")
    data = (identifier + salt).encode("utf-8")
    if algorithm == "sha256":
        return "sha256$" + hashlib.sha256(data).hexdigest()
    if algorithm == "md5":
        return "md5$" + hashlib.md5(data, usedforsecurity=False).hexdigest()
    raise InvalidInputError(f"unsupported identity hash algorithm {algorithm!r}: use sha256 (or md5)")


def matches_identity_hash(identifier: str, identity_hash: str, salt: str = "") -> bool:
    """True when ``identity_hash`` (``sha256$...`` or ``md5$...``) is the hash of ``identifier + salt``.

    The comparison is constant-time and case-insensitive in the hex digits; a malformed hash never matches.
    """
    match = _HASH.fullmatch(identity_hash) if isinstance(identity_hash, str) else None
    if match is None or len(match["hex"]) != _HEX_LENGTH[match["alg"]] or not isinstance(identifier, str):
        return False
    expected = make_identity_hash(identifier, salt if isinstance(salt, str) else "", algorithm=match["alg"])
    return hmac.compare_digest(expected.lower(), identity_hash.lower())


def matches_identity(identifier: str, identity: Mapping[str, Any]) -> bool:
    """Whether an IdentityObject names ``identifier`` (hashed with its salt, or the plain value when not hashed)."""
    if not isinstance(identity, Mapping):
        return False
    value = identity.get("identityHash")
    if not isinstance(value, str):
        return False
    if identity.get("hashed") is True:
        return matches_identity_hash(identifier, value, identity.get("salt") or "")
    return hmac.compare_digest(value.encode("utf-8"), identifier.encode("utf-8"))


def identity_object(
    identifier: str, *, identity_type: str = "emailAddress", hashed: bool = True, salt: str | None = None
) -> dict[str, Any]:
    """An OB 3.0 IdentityObject for ``identifier``; hashed with a fresh random salt unless one is given."""
    if not isinstance(identifier, str) or not identifier:
        raise InvalidInputError("an IdentityObject needs a non-empty identifier")
    if not hashed:
        return {"type": "IdentityObject", "hashed": False, "identityHash": identifier, "identityType": identity_type}
    salt = secrets.token_hex(8) if salt is None else salt
    return {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": make_identity_hash(identifier, salt),
        "identityType": identity_type,
        "salt": salt,
    }


def email_identities(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The e-mail recipient identities a credential names, as IdentityObject-shaped mappings: OB 3.0
    ``credentialSubject.identifier`` entries with ``identityType`` ``emailAddress`` (one subject or several), and an
    OB 2.0 assertion's ``recipient`` of type ``email`` (``identity``, ``hashed``, ``salt``). Empty when the
    credential names its recipient only by a DID or URL (or not at all)."""
    found: list[dict[str, Any]] = []
    subjects = document.get("credentialSubject") if isinstance(document, Mapping) else None
    for subject in subjects if isinstance(subjects, list) else [subjects]:
        identifiers = subject.get("identifier") if isinstance(subject, Mapping) else None
        for identity in identifiers if isinstance(identifiers, list) else [identifiers]:
            if isinstance(identity, Mapping) and identity.get("identityType") == "emailAddress":
                found.append(dict(identity))
    recipient = document.get("recipient") if isinstance(document, Mapping) else None
    if isinstance(recipient, Mapping) and recipient.get("type") == "email":
        found.append(
            {
                "identityHash": recipient.get("identity"),
                "hashed": recipient.get("hashed") is True,
                "salt": recipient.get("salt") or "",
            }
        )
    return found
