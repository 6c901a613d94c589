"""Multibase encodings used by Data Integrity proofs and Multikey: base58btc (``z``) and base64url (``u``).

Controlled Identifiers v1.0 §2.4 "Multibase" (https://www.w3.org/TR/cid-1.0/#multibase-0) and the
multibase draft (https://datatracker.ietf.org/doc/draft-multiformats-multibase/): a one-character prefix names
the base. ``z`` is base58btc with the Bitcoin alphabet; ``u`` is RFC 4648 §5 base64url without padding.

base58btc is implemented here (it is small) rather than pulled in as a dependency. Leading zero bytes map to
leading ``1`` characters, per the Bitcoin convention the multibase table points to.
"""

from __future__ import annotations

import base64
import binascii
import re

from credstack.errors import InvalidInputError

__all__ = [
    "BASE58_ALPHABET",
    "b58decode",
    "b58encode",
    "decode_multibase",
    "encode_base58btc",
    "encode_base64url",
]

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: index for index, char in enumerate(BASE58_ALPHABET)}
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def b58encode(data: bytes) -> str:
    """base58btc (Bitcoin alphabet) of ``data``, without a multibase prefix."""
    zeros = len(data) - len(data.lstrip(b"\x00"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    """Decode base58btc text (no multibase prefix); raise InvalidInputError on a character outside the alphabet."""
    number = 0
    for position, char in enumerate(text):
        value = _B58_INDEX.get(char)
        if value is None:
            raise InvalidInputError(f"{char!r} at position {position} is not a base58btc character")
        number = number * 58 + value
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * zeros + body


def encode_base58btc(data: bytes) -> str:
    """Multibase base58btc: ``"z"`` + base58btc(data)."""
    return "z" + b58encode(data)


def encode_base64url(data: bytes) -> str:
    """Multibase base64url without padding: ``"u"`` + base64url(data)."""
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_multibase(value: str) -> bytes:
    """Decode a ``z`` (base58btc) or ``u`` (base64url-no-pad) multibase string; anything else is refused."""
    if not isinstance(value, str) or not value:
        raise InvalidInputError("a multibase value must be a non-empty string")
    prefix, body = value[0], value[1:]
    if prefix == "z":
        return b58decode(body)
    if prefix == "u":
        if not _B64URL.fullmatch(body) or len(body) % 4 == 1:
            raise InvalidInputError("malformed base64url multibase value (unpadded base64url alphabet expected)")
        try:
            return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError) as exc:
            raise InvalidInputError(f"malformed base64url multibase value: {exc}") from exc
    raise InvalidInputError(f"unsupported multibase prefix {prefix!r}: only 'z' (base58btc) and 'u' (base64url)")
