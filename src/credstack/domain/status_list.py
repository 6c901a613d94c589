"""Bitstring Status List v1.0 (W3C REC 15 May 2025): the bitstring, its encoding, entries and list credentials.

https://www.w3.org/TR/2025/REC-vc-bitstring-status-list-20250515/

- §2.1 ``BitstringStatusListEntry``: ``statusPurpose``, ``statusListIndex`` (a base-10 *string*),
  ``statusListCredential`` (URL) and an optional ``id`` that must differ from the list URL.
- §2.2 ``BitstringStatusListCredential``: ``credentialSubject`` of type ``BitstringStatusList`` with
  ``statusPurpose`` and ``encodedList``.
- §2.2 / §3.1 ``encodedList`` = multibase ``u`` + base64url-no-pad(GZIP(bitstring)); the uncompressed bitstring
  has at least 131,072 entries (16 KB) and index 0 is the left-most (most significant) bit of byte 0.
- §3.2 "Validate Algorithm", steps 3-7, as :func:`read_status` (the proof check of step 2 is the caller's).

Pure: no I/O, no clock. Bits are ``bytes``; :func:`set_bit` returns a new value.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from credstack.errors import InvalidInputError

__all__ = [
    "MAX_DECODED_BYTES",
    "MIN_ENTRIES",
    "STATUS_PURPOSES",
    "StatusResult",
    "decode_list",
    "encode_list",
    "get_bit",
    "new_bitstring",
    "read_status",
    "set_bit",
    "status_entry",
    "status_list_credential",
]

#: §3.2 step 1: minimumNumberOfEntries.
MIN_ENTRIES = 131_072
#: Largest uncompressed list :func:`decode_list` accepts (16 MiB = 134 million entries); a gzip bomb stops here.
MAX_DECODED_BYTES = 16 * 1024 * 1024
#: §2.1 statusPurpose values.
STATUS_PURPOSES = frozenset({"revocation", "suspension", "refresh", "message"})
_VC_V2 = "https://www.w3.org/ns/credentials/v2"
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def new_bitstring(size: int = MIN_ENTRIES, *, allow_small: bool = False) -> bytes:
    """An all-zero bitstring of ``size`` bits (§3.1 "Bitstring Generation Algorithm", step 1).

    ``size`` must be a multiple of 8 and at least :data:`MIN_ENTRIES`; ``allow_small`` lifts the minimum for tests
    that need a list to fill up quickly (lists that small fail §3.2 step 5 in any verifier).
    """
    if size <= 0 or size % 8:
        raise InvalidInputError(f"a status list size must be a positive multiple of 8, got {size}")
    if size < MIN_ENTRIES and not allow_small:
        raise InvalidInputError(f"a status list needs at least {MIN_ENTRIES} entries, got {size}")
    return bytes(size // 8)


def encode_list(bits: bytes) -> str:
    """§3.1 "Bitstring Generation Algorithm" steps 3-4: ``"u"`` + base64url-no-pad(GZIP(bits)).

    The gzip header carries mtime 0 so the same bits always encode to the same string.
    """
    compressed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_list(encoded: str, *, max_bytes: int = MAX_DECODED_BYTES) -> bytes:
    """§3.1 "Bitstring Expansion Algorithm": the uncompressed bitstring of an ``encodedList``.

    Decompression stops at ``max_bytes`` (a gzip bomb raises instead of exhausting memory). Every failure is an
    InvalidInputError naming what is wrong.
    """
    if not isinstance(encoded, str) or not encoded:
        raise InvalidInputError("encodedList must be a non-empty string", where="encodedList")
    if encoded[0] != "u":
        raise InvalidInputError(
            f"encodedList must be multibase base64url (prefix 'u'), got prefix {encoded[0]!r}", where="encodedList"
        )
    body = encoded[1:]
    if not _B64URL.fullmatch(body) or len(body) % 4 == 1:
        raise InvalidInputError("encodedList is not base64url without padding", where="encodedList")
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:  # pragma: no cover - the regex above admits only valid text
        raise InvalidInputError(f"encodedList is not base64url: {exc}", where="encodedList") from exc
    inflater = zlib.decompressobj(wbits=31)  # 31 = gzip container only
    try:
        bits = inflater.decompress(compressed, max_bytes + 1)
    except zlib.error as exc:
        raise InvalidInputError(f"encodedList is not GZIP data: {exc}", where="encodedList") from exc
    if len(bits) > max_bytes:
        raise InvalidInputError(f"encodedList expands beyond {max_bytes} bytes; refused", where="encodedList")
    if not inflater.eof:
        raise InvalidInputError("encodedList holds truncated GZIP data", where="encodedList")
    if inflater.unused_data:
        raise InvalidInputError("encodedList has trailing data after the GZIP stream", where="encodedList")
    return bits


def _check_index(bits: bytes, index: int) -> None:
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise InvalidInputError(f"a status list index must be a non-negative integer, got {index!r}")
    if index >= len(bits) * 8:
        raise InvalidInputError(f"status list index {index} is out of range (list of {len(bits) * 8} entries)")


def get_bit(bits: bytes, index: int) -> int:
    """The bit at ``index`` (0 = most significant bit of byte 0, §2.2 / §3.2 step 6-7): 0 or 1."""
    _check_index(bits, index)
    return (bits[index // 8] >> (7 - index % 8)) & 1


def set_bit(bits: bytes, index: int, value: bool | int) -> bytes:
    """A copy of ``bits`` with the bit at ``index`` set to ``value`` (MSB-first, like :func:`get_bit`)."""
    _check_index(bits, index)
    out = bytearray(bits)
    mask = 1 << (7 - index % 8)
    if value:
        out[index // 8] |= mask
    else:
        out[index // 8] &= ~mask & 0xFF
    return bytes(out)


def _check_purpose(purpose: str) -> None:
    if purpose not in STATUS_PURPOSES:
        raise InvalidInputError(f"statusPurpose must be one of {sorted(STATUS_PURPOSES)}, got {purpose!r}")


def status_entry(list_url: str, index: int, purpose: str) -> dict[str, Any]:
    """§2.1 ``BitstringStatusListEntry``: string ``statusListIndex``, ``id`` = ``{list_url}#{index}``."""
    _check_purpose(purpose)
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise InvalidInputError(f"statusListIndex must be a non-negative integer, got {index!r}")
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise InvalidInputError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_list_credential(
    list_url: str,
    issuer: str | Mapping[str, Any],
    purpose: str,
    encoded: str,
    valid_from: datetime,
    *,
    valid_until: datetime | None = None,
    ttl: int | None = None,
) -> dict[str, Any]:
    """§2.2 unsigned ``BitstringStatusListCredential`` (VCDM 2.0; the status terms are in the v2 context).

    ``issuer`` is a URL/DID or a Profile object; ``ttl`` is in milliseconds.
    """
    _check_purpose(purpose)
    subject: dict[str, Any] = {
        "id": f"{list_url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": encoded,
    }
    if ttl is not None:
        subject["ttl"] = ttl
    credential: dict[str, Any] = {
        "@context": [_VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer if isinstance(issuer, str) else dict(issuer),
        "validFrom": _timestamp(valid_from),
        "credentialSubject": subject,
    }
    if valid_until is not None:
        credential["validUntil"] = _timestamp(valid_until)
    return credential


@dataclass(frozen=True)
class StatusResult:
    """§3.2 step 7 result ``{status, purpose, valid}``; ``error`` names a §3.2 error when the check could not run."""

    purpose: str
    status: int | None
    valid: bool
    error: str | None = None
    reason: str | None = None


def _failure(purpose: str, error: str, reason: str) -> StatusResult:
    return StatusResult(purpose=purpose, status=None, valid=False, error=error, reason=reason)


def read_status(
    entry: Mapping[str, Any], list_credential: Mapping[str, Any], *, min_entries: int = MIN_ENTRIES
) -> StatusResult:
    """§3.2 "Validate Algorithm" steps 3-7 for one ``BitstringStatusListEntry`` against its (already verified) list.

    Lenient on read: an integer ``statusListIndex`` (seen in 1EdTech fixtures) is accepted. ``statusSize`` other
    than 1 is refused as unsupported. Outcomes are values: a failed check returns ``valid=False`` with an ``error``
    code (STATUS_VERIFICATION_ERROR, STATUS_LIST_LENGTH_ERROR, RANGE_ERROR, MALFORMED_VALUE_ERROR).
    """
    purpose = str(entry.get("statusPurpose", ""))
    raw_index = entry.get("statusListIndex")
    if isinstance(raw_index, bool) or not isinstance(raw_index, (str, int)) or not str(raw_index).isdigit():
        return _failure(purpose, "MALFORMED_VALUE_ERROR", f"statusListIndex {raw_index!r} is not a base-10 integer")
    index = int(raw_index)
    size = entry.get("statusSize", 1)
    if size != 1 and str(size) != "1":
        return _failure(purpose, "MALFORMED_VALUE_ERROR", f"statusSize {size!r} is not supported (only 1)")
    subject = list_credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if len(subject) == 1 else None
    if not isinstance(subject, Mapping):
        return _failure(purpose, "MALFORMED_VALUE_ERROR", "the status list credential has no single credentialSubject")
    list_purposes = subject.get("statusPurpose")
    purposes = list_purposes if isinstance(list_purposes, list) else [list_purposes]
    if purpose not in purposes:  # step 3
        return _failure(
            purpose,
            "STATUS_VERIFICATION_ERROR",
            f"the list's statusPurpose {list_purposes!r} does not match {purpose!r}",
        )
    try:  # step 4
        bits = decode_list(subject.get("encodedList"))  # type: ignore[arg-type]
    except InvalidInputError as exc:
        return _failure(purpose, "MALFORMED_VALUE_ERROR", exc.message)
    if len(bits) * 8 < min_entries:  # step 5
        return _failure(
            purpose, "STATUS_LIST_LENGTH_ERROR", f"the list has {len(bits) * 8} entries; at least {min_entries} needed"
        )
    if index >= len(bits) * 8:  # step 6
        return _failure(purpose, "RANGE_ERROR", f"statusListIndex {index} is beyond the list's {len(bits) * 8} entries")
    status = get_bit(bits, index)  # step 7
    return StatusResult(purpose=purpose, status=status, valid=status == 0)
