"""Bad input to the verifier: every one is a clear failed check (never an exception), except misuse of the API.

Malformed JSON, wrong types, oversized and deeply nested documents, duplicate members, non-UTF-8 bytes, unknown
contexts, undefined terms, ``alg: none`` JWTs, and arbitrary bytes (property-based)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.domain._formats import MAX_DEPTH
from credstack.domain.verification import VerifyOptions, verify_bytes, verify_document
from credstack.errors import InvalidInputError
from credstack.services.verifying import VerificationService
from credstack.settings import Settings
from verification_support import KEY, NOW, check, failed_names, options, signed_credential


def _parse_failure(data: bytes, **kwargs: Any) -> str:
    report = verify_bytes(data, options(**kwargs))
    assert not report.verified
    assert [c.name for c in report.checks] == ["parse"], report.checks
    assert report.checks[0].status == "fail"
    assert report.format == "unknown" and report.credential is None
    return report.checks[0].reason


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b'{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ', "malformed_json"),
        (b'{"a": 1,}', "line 1 column"),
        (b"[1, 2, 3]", "expected a JSON object"),
        (b'"a string"', "unsupported_format"),
        (b"", "empty"),
        (b"   \n ", "empty"),
        (b'{"a": NaN}', "NaN is not a JSON value"),
        (b'{"name": "A", "name": "B"}', "duplicate member name 'name'"),
        (b"\xff\xfe{\x00}\x00", "not_utf8"),
        (b'{"name": "caf\xe9"}', "not UTF-8"),
        (b"GIF89a\x01\x00\x01\x00", "none of: a JSON credential"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "truncated"),
        (b"<html><body>hello</body></html>", "unsupported_format"),
        (b"abc.def", "unsupported_format"),
    ],
)
def test_unreadable_input_fails_the_parse_check(data: bytes, needle: str) -> None:
    assert needle in _parse_failure(data)


def test_documents_over_the_size_limit() -> None:
    data = json.dumps({**signed_credential(), "description": "x" * 2000}).encode()
    assert "document_too_large" in _parse_failure(data, max_bytes=1000)
    assert verify_bytes(data, options(max_bytes=len(data))).checks[0].status == "pass"
    service = VerificationService(Settings(max_document_bytes=500, offline=True))
    report = service.verify(data)
    assert failed_names(report) == ["parse"] and "the limit is 500" in report.checks[0].reason


def test_deep_nesting_is_refused_before_parsing() -> None:
    assert "document_too_deep" in _parse_failure(b"{" + b'"a":{' * 100_000 + b"}" * 100_001)
    assert "document_too_deep" in _parse_failure(b'{"a":' + b"[" * 200_000 + b"]" * 200_000 + b"}")
    nested: Any = "leaf"
    for _ in range(MAX_DEPTH):
        nested = {"a": nested}
    ok = verify_bytes(json.dumps(nested).encode(), options())
    assert ok.checks[0].status == "pass"  # 64 levels parse (and then fail on shape)
    assert "document_too_deep" in _parse_failure(json.dumps({"a": nested}).encode())


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    doc = signed_credential(description="[" * 500 + "{" * 500)
    report = verify_bytes(json.dumps(doc).encode(), options())
    assert report.verified, report.failures


def test_a_utf8_bom_is_tolerated() -> None:
    assert verify_bytes(b"\xef\xbb\xbf" + json.dumps(signed_credential()).encode(), options()).verified


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        ({"credentialSubject": "did:example:learner-1"}, "shape"),
        ({"type": 42}, "shape"),
        ({"issuer": ["did:example:a", "did:example:b"]}, "shape"),
        ({"validFrom": "yesterday"}, "validity"),
        ({"proof": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk"}, "proof"),
        ({"proof": [None]}, "proof"),
        ({"@context": "https://www.w3.org/ns/credentials/v2"}, "shape"),
        ({"@context": [None]}, "contexts"),
    ],
)
def test_wrong_types_are_failed_checks(change: dict[str, Any], failing: str) -> None:
    report = verify_document({**signed_credential(), **change}, options())
    assert not report.verified
    assert failing in failed_names(report), report.checks


def test_unknown_contexts_and_undefined_terms() -> None:
    doc = signed_credential()
    doc["@context"] = [*doc["@context"], "https://example.com/contexts/mine.jsonld"]
    report = verify_document(doc, options())
    assert "never fetched" in check(report, "contexts")[1]
    doc = signed_credential()
    doc["credentialSubject"]["achievement"]["shoeSize"] = 44
    report = verify_document(doc, options())
    assert "terms" in failed_names(report) and "shoeSize" in check(report, "terms")[1]


def _b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("header", [{"alg": "none"}, {"alg": "NONE", "typ": "JWT"}, {"typ": "JWT"}, {"alg": "HS256"}])
def test_unsigned_or_unsupported_jwts_are_refused(header: dict[str, Any]) -> None:
    credential = signed_credential()
    payload = {**credential, "iss": KEY.did, "jti": credential["id"]}
    report = verify_bytes(f"{_b64(header)}.{_b64(payload)}.".encode(), options())
    assert not report.verified and "proof" in failed_names(report)


def test_a_jws_with_garbage_segments_fails_the_parse_check() -> None:
    report = verify_bytes(b"eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.c2ln", options())
    assert failed_names(report) == ["parse"] and "not UTF-8 JSON" in report.checks[0].reason


def test_misuse_raises() -> None:
    with pytest.raises(InvalidInputError):
        VerifyOptions(now=NOW, max_bytes=0)
    with pytest.raises(TypeError):
        verify_bytes("text", options())  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        VerificationService(Settings(offline=True)).verify(42)  # type: ignore[arg-type]


def test_a_non_object_document_is_a_parse_failure() -> None:
    report = verify_document([1, 2], options())  # type: ignore[arg-type]
    assert failed_names(report) == ["parse"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(data=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    report = verify_bytes(data, options())
    assert report.verified is False
    assert report.checks and all(c.status in {"pass", "fail", "warning"} for c in report.checks)


@settings(max_examples=100, deadline=None)
@given(value=st.dictionaries(st.sampled_from(["@context", "type", "issuer", "proof", "credentialSubject", "holder",
                                               "verifiableCredential", "validFrom", "credentialStatus"]),
                             json_values, max_size=6))  # fmt: skip
def test_arbitrary_json_objects_never_raise(value: dict[str, Any]) -> None:
    report = verify_bytes(json.dumps(value).encode(), options())
    assert report.verified is False
    json.dumps(report.to_json())


def test_an_unknown_context_nested_in_a_node_fails_the_contexts_check() -> None:
    doc = signed_credential()
    doc["credentialSubject"]["achievement"]["@context"] = "https://example.com/contexts/nested.jsonld"
    report = verify_document(doc, options())
    assert {"contexts", "terms", "proof"} <= set(failed_names(report))
    assert "nested.jsonld" in check(report, "contexts")[1]


@settings(max_examples=150, deadline=None)
@given(
    key=st.sampled_from(["proof", "credentialStatus", "issuer", "credentialSubject", "@context", "validFrom", "type",
                         "validUntil", "id", "holder", "verifiableCredential"]),
    value=json_values,
)  # fmt: skip
def test_signed_credentials_with_any_member_replaced_never_raise(key: str, value: Any) -> None:
    doc = {**signed_credential(), key: value}
    report = verify_document(doc, options(documents={"https://issuer.example/status/1": {"id": 1}}))
    if key in {"proof", "credentialSubject", "issuer", "type", "@context"}:
        assert report.verified is False  # signed or required members: any replacement breaks the credential
    json.dumps(report.to_json())


@settings(max_examples=60, deadline=None)
@given(entry=st.dictionaries(st.sampled_from(["type", "statusPurpose", "statusListIndex", "statusListCredential",
                                               "id", "statusSize"]), json_values, max_size=6))  # fmt: skip
def test_any_status_entry_never_raises(entry: dict[str, Any]) -> None:
    entry.setdefault("type", "BitstringStatusListEntry")
    doc = {**signed_credential(), "credentialStatus": entry}
    verify_document(doc, options(documents={"https://issuer.example/status/1": signed_credential()}))


def test_an_absurdly_deep_parsed_object_fails_without_raising() -> None:
    doc = signed_credential()
    value: Any = "welding"
    for _ in range(5000):
        value = [value]
    doc["credentialSubject"]["achievement"]["tag"] = value  # verify_document takes parsed objects: no depth limit yet
    report = verify_document(doc, options())
    assert not report.verified and "proof" in failed_names(report)
