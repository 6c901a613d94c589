"""Bitstring Status List (domain/status_list.py): encoding, bit order, entries, list credentials, status reads."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.domain.status_list import (
    MIN_ENTRIES,
    decode_list,
    encode_list,
    get_bit,
    new_bitstring,
    read_status,
    set_bit,
    status_entry,
    status_list_credential,
)
from credstack.errors import InvalidInputError
from credstack.proofs.canonical import to_canonical_nquads

REC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
LIST_URL = "https://issuer.example/status/3"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_rec_example_decodes_to_16384_zero_bytes() -> None:
    assert decode_list(REC_EXAMPLE) == bytes(16_384)


def test_encode_is_multibase_base64url_gzip_and_round_trips() -> None:
    bits = set_bit(new_bitstring(), 5, 1)
    encoded = encode_list(bits)
    assert encoded.startswith("u")
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert gzip.decompress(raw) == bits
    assert decode_list(encoded) == bits
    assert encode_list(bits) == encoded  # deterministic (mtime 0)


def test_index_zero_is_the_most_significant_bit_of_byte_zero() -> None:
    bits = set_bit(new_bitstring(), 0, 1)
    assert bits[0] == 0b1000_0000
    bits = set_bit(bits, 7, True)
    assert bits[0] == 0b1000_0001
    bits = set_bit(bits, 8, 1)
    assert bits[1] == 0b1000_0000
    assert [get_bit(bits, i) for i in range(10)] == [1, 0, 0, 0, 0, 0, 0, 1, 1, 0]
    assert get_bit(set_bit(bits, 0, 0), 0) == 0
    assert set_bit(bits, 0, 0)[0] == 0b0000_0001


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=MIN_ENTRIES - 1), max_size=30))
def test_set_bits_survive_encoding(indexes: set[int]) -> None:
    bits = new_bitstring()
    for index in indexes:
        bits = set_bit(bits, index, 1)
    decoded = decode_list(encode_list(bits))
    probe = indexes | {0, MIN_ENTRIES - 1, 12_345}
    assert {i for i in probe if get_bit(decoded, i)} == indexes


def test_size_rules() -> None:
    assert len(new_bitstring()) == MIN_ENTRIES // 8
    with pytest.raises(InvalidInputError, match="at least 131072"):
        new_bitstring(1024)
    with pytest.raises(InvalidInputError, match="multiple of 8"):
        new_bitstring(MIN_ENTRIES + 1)
    assert len(new_bitstring(64, allow_small=True)) == 8


def test_out_of_range_and_bad_indexes_are_refused() -> None:
    bits = new_bitstring(16, allow_small=True)
    with pytest.raises(InvalidInputError, match="out of range"):
        get_bit(bits, 16)
    with pytest.raises(InvalidInputError, match="non-negative"):
        set_bit(bits, -1, 1)


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        ("", "non-empty"),
        ("zH4sI", "prefix 'u'"),
        ("u@@@", "base64url"),
        ("u" + base64.urlsafe_b64encode(b"not gzip at all").decode().rstrip("="), "not GZIP"),
        ("u" + base64.urlsafe_b64encode(gzip.compress(b"x" * 100, mtime=0)[:-12]).decode().rstrip("="), "truncated"),
    ],
    ids=["empty", "base58", "alphabet", "not-gzip", "truncated"],
)
def test_decode_errors_are_clear(encoded: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        decode_list(encoded)


def test_decompression_is_bounded() -> None:
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(4096))).decode().rstrip("=")
    with pytest.raises(InvalidInputError, match="beyond 1024 bytes"):
        decode_list(bomb, max_bytes=1024)
    assert len(decode_list(bomb, max_bytes=4096)) == 4096


def test_status_entry_shape() -> None:
    entry = status_entry(LIST_URL, 94567, "revocation")
    assert entry == {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }
    with pytest.raises(InvalidInputError, match="statusPurpose"):
        status_entry(LIST_URL, 1, "deleted")


def test_status_list_credential_is_vcdm2_and_canonicalises() -> None:
    encoded = encode_list(new_bitstring())
    credential = status_list_credential(
        LIST_URL, "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "suspension", encoded, NOW, ttl=300000
    )
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["validFrom"] == "2026-01-02T03:04:05Z"
    assert credential["credentialSubject"]["type"] == "BitstringStatusList"
    assert credential["credentialSubject"]["statusPurpose"] == "suspension"
    assert credential["credentialSubject"]["encodedList"] == encoded
    nquads = to_canonical_nquads(credential)  # every term is defined by the v2 context
    assert "https://www.w3.org/ns/credentials/status#encodedList" in nquads
    later = status_list_credential(
        LIST_URL, {"id": "did:example:1", "type": ["Profile"]}, "revocation", encoded,
        datetime(2026, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2))),
    )  # fmt: skip
    assert later["validFrom"] == "2026-01-02T03:04:05Z"
    with pytest.raises(InvalidInputError, match="timezone"):
        status_list_credential(LIST_URL, "did:example:1", "revocation", encoded, datetime(2026, 1, 1))


def test_read_status_follows_the_validate_algorithm() -> None:
    bits = set_bit(new_bitstring(), 42, 1)
    listed = status_list_credential(LIST_URL, "did:example:1", "revocation", encode_list(bits), NOW)
    revoked = read_status(status_entry(LIST_URL, 42, "revocation"), listed)
    assert (revoked.status, revoked.valid, revoked.error) == (1, False, None)
    fine = read_status(status_entry(LIST_URL, 43, "revocation"), listed)
    assert (fine.status, fine.valid) == (0, True)
    lenient = dict(status_entry(LIST_URL, 42, "revocation"), statusListIndex=42)
    assert read_status(lenient, listed).status == 1
    assert read_status(status_entry(LIST_URL, 42, "suspension"), listed).error == "STATUS_VERIFICATION_ERROR"
    assert read_status(status_entry(LIST_URL, MIN_ENTRIES, "revocation"), listed).error == "RANGE_ERROR"
    short = status_list_credential(
        LIST_URL, "did:example:1", "revocation", encode_list(new_bitstring(64, allow_small=True)), NOW
    )
    assert read_status(status_entry(LIST_URL, 1, "revocation"), short).error == "STATUS_LIST_LENGTH_ERROR"
    bad = dict(status_entry(LIST_URL, 1, "revocation"), statusListIndex="-1")
    assert read_status(bad, listed).error == "MALFORMED_VALUE_ERROR"


@pytest.mark.crosscheck
def test_crosscheck_reads_the_bits_we_set(crosscheck: Path, tmp_path: Path) -> None:
    bits = new_bitstring()
    for index in (0, 77_777, MIN_ENTRIES - 1):
        bits = set_bit(bits, index, 1)
    listed = status_list_credential(LIST_URL, "did:example:1", "revocation", encode_list(bits), NOW)
    path = tmp_path / "list.json"
    path.write_text(json.dumps(listed))
    for index, expected in ((77_777, "1"), (77_778, "0")):
        out = subprocess.run([str(crosscheck), "status-list", str(path), str(index)], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == expected
