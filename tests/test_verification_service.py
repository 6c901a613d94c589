"""VerificationService: the clock, this server's own documents, and the allow-listed fetch (HTTPS only, allow-listed
hosts only, never offline, size cap). The network is replaced by httpx's MockTransport, so every request the
service would make is observed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from credstack.errors import FetchError, InvalidInputError
from credstack.proofs import data_integrity
from credstack.proofs.jose import sign_vc_jwt
from credstack.services.verifying import VerificationService
from credstack.settings import Settings
from verification_support import (
    KEY,
    LIST_URL,
    check,
    failed_names,
    ob_credential,
    signed_credential,
    status_list,
    with_status,
)

DID = "did:web:issuer.example"
DID_URL = "https://issuer.example/.well-known/did.json"
DID_DOCUMENT = {
    "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
    "id": DID,
    "verificationMethod": [
        {"id": f"{DID}#key-1", "type": "Multikey", "controller": DID, "publicKeyMultibase": KEY.public_multibase}
    ],
    "assertionMethod": [f"{DID}#key-1"],
}


def _did_web_credential() -> dict[str, Any]:
    doc = ob_credential()
    doc["issuer"]["id"] = DID
    return data_integrity.sign(doc, key=KEY, verification_method=f"{DID}#key-1")


class Network:
    """Records requests and answers from a dict of URL -> (status, body bytes)."""

    def __init__(self, answers: dict[str, tuple[int, bytes]]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, body = self.answers.get(str(request.url), (404, b"not found"))
        return httpx.Response(status, content=body)


def _service(network: Network, **settings: Any) -> VerificationService:
    return VerificationService(Settings(**settings), http_transport=httpx.MockTransport(network))


def test_did_web_is_fetched_from_an_allow_listed_host() -> None:
    network = Network({DID_URL: (200, json.dumps(DID_DOCUMENT).encode())})
    report = _service(network, fetch_allowlist=("issuer.example",)).verify(_did_web_credential())
    assert report.verified, report.failures
    assert [str(r.url) for r in network.requests] == [DID_URL]
    assert "application/did+json" in network.requests[0].headers["accept"]


def test_nothing_is_fetched_offline_or_off_the_allow_list() -> None:
    network = Network({DID_URL: (200, json.dumps(DID_DOCUMENT).encode())})
    offline = _service(network, fetch_allowlist=("issuer.example",), offline=True).verify(_did_web_credential())
    assert "offline mode" in check(offline, "issuer_key")[1]
    elsewhere = _service(network, fetch_allowlist=("other.example",)).verify(_did_web_credential())
    assert "not on the fetch allow-list" in check(elsewhere, "issuer_key")[1]
    assert network.requests == []
    with pytest.raises(FetchError, match="allow-list"):
        _service(network, fetch_allowlist=("issuer.example",)).fetch("http://issuer.example/.well-known/did.json")
    assert network.requests == []


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        ((500, b"oops"), "HTTP 500"),
        ((200, b"<html>"), "did not return a JSON object"),
        ((200, b"[1]"), "did not return a JSON object"),
        ((200, b'{"x": "' + b"a" * 2000 + b'"}'), "more than 1,000 bytes"),
    ],
)
def test_fetch_failures_are_readable(answer: tuple[int, bytes], needle: str) -> None:
    service = _service(Network({DID_URL: answer}), fetch_allowlist=("issuer.example",), max_document_bytes=1000)
    with pytest.raises(FetchError, match=needle):
        service.fetch(DID_URL)
    report = service.verify(_did_web_credential())
    assert needle in check(report, "issuer_key")[1]


def test_local_documents_come_first_and_need_no_network() -> None:
    network = Network({})
    lists = {LIST_URL: status_list((7,))}
    service = VerificationService(
        Settings(offline=True), local_documents=lists.get, http_transport=httpx.MockTransport(network)
    )
    assert service.verify(with_status(6)).verified
    revoked = service.verify(with_status(7))
    assert failed_names(revoked) == ["status"]
    assert network.requests == []


def test_supplied_documents_need_no_network() -> None:
    network = Network({})
    service = _service(network, fetch_allowlist=("issuer.example",))
    assert service.verify(_did_web_credential(), documents={DID_URL: DID_DOCUMENT}).verified
    assert network.requests == []


def test_every_input_type_and_the_clock() -> None:
    service = VerificationService(Settings(offline=True))
    signed = signed_credential(validUntil="2030-01-01T00:00:00Z")
    assert service.verify(signed).verified
    assert service.verify(json.dumps(signed)).verified
    assert service.verify(json.dumps(signed).encode()).verified
    token = sign_vc_jwt(ob_credential(), KEY, "EdDSA", kid=KEY.verification_method, embed_jwk=False)
    assert service.verify(token).format == "vc-jwt"
    late = service.verify(signed, at=datetime(2031, 1, 1, tzinfo=UTC))
    assert failed_names(late) == ["validity"]
    with pytest.raises(InvalidInputError, match="time zone"):
        service.verify(signed, at=datetime(2031, 1, 1))


def test_options_carry_the_request() -> None:
    service = VerificationService(Settings(offline=True, max_document_bytes=1234))
    options = service.options(challenge="c", domain="d", allow_unbound_keys=True, recipient="ada@example.com")
    assert (options.challenge, options.domain, options.allow_unbound_keys, options.max_bytes) == ("c", "d", True, 1234)
    assert options.recipient == "ada@example.com" and options.now.tzinfo is not None
