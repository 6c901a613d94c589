"""The VC-API endpoints over real HTTP (Uvicorn on a free port, SQLite in tmp): issuing, verifying, status changes,
and problem+json for every kind of bad request, with nothing stored after a refused issue."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api_support import OB_CONTEXT, VC_CONTEXT, make_credstack, served_credstack, unsigned_credential
from credstack.app import Credstack
from credstack.domain.status_list import decode_list, get_bit
from credstack.proofs.data_integrity import sign
from credstack.proofs.keys import Ed25519Key, did_key_from_public_key, verification_method_for_did_key

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Credstack, str]]:
    with served_credstack(tmp_path_factory.mktemp("api")) as pair:
        yield pair


@pytest.fixture(scope="module")
def cs(served: tuple[Credstack, str]) -> Credstack:
    return served[0]


@pytest.fixture(scope="module")
def client(served: tuple[Credstack, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served[1], timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def issuer_token(cs: Credstack) -> dict[str, str]:
    return {"Authorization": f"Bearer {cs.tokens.create(['issue', 'status'])}"}


@pytest.fixture(scope="module")
def status_only(cs: Credstack) -> dict[str, str]:
    return {"Authorization": f"Bearer {cs.tokens.create(['status'])}"}


@pytest.fixture(scope="module")
def issue_only(cs: Credstack) -> dict[str, str]:
    return {"Authorization": f"Bearer {cs.tokens.create(['issue'])}"}


def issue(client: httpx.Client, headers: dict[str, str], **options: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"credential": unsigned_credential()}
    if options:
        body["options"] = options
    response = client.post("/credentials/issue", json=body, headers=headers)
    assert response.status_code == 201, response.text
    credential: dict[str, Any] = response.json()["verifiableCredential"]
    return credential


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["code"] == code
    assert problem["type"].endswith(code)
    assert problem["title"] and problem["detail"] and problem["instance"]
    return problem


# -- issuing --------------------------------------------------------------------------------------------------


def test_issue_signs_with_the_default_issuer_and_stores_the_credential(
    client: httpx.Client, cs: Credstack, issuer_token: dict[str, str], served: tuple[Credstack, str]
) -> None:
    credential = issue(client, issuer_token)
    proof = credential["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    default = cs.issuers.default()
    assert credential["issuer"]["id"] == default.did
    assert proof["verificationMethod"].startswith(default.did + "#")
    assert credential["id"].startswith(served[1] + "/credentials/")
    assert cs.issuing.get(credential["id"]).credential == credential


def test_issue_with_the_jcs_cryptosuite(client: httpx.Client, issuer_token: dict[str, str]) -> None:
    credential = issue(client, issuer_token, cryptosuite="eddsa-jcs-2022")
    assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    verified = client.post("/credentials/verify", json={"verifiableCredential": credential}).json()
    assert verified["verified"] is True, verified


def test_the_same_idempotency_key_issues_once(
    client: httpx.Client, cs: Credstack, issuer_token: dict[str, str]
) -> None:
    headers = {**issuer_token, "Idempotency-Key": "api-test-once"}
    body = {"credential": unsigned_credential()}
    first = client.post("/credentials/issue", json=body, headers=headers)
    before = len(cs.issuing.list(limit=1000))
    second = client.post("/credentials/issue", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert len(cs.issuing.list(limit=1000)) == before


# -- verifying --------------------------------------------------------------------------------------------------


def test_verify_reports_every_check_and_a_tampered_copy_fails_the_proof(
    client: httpx.Client, issuer_token: dict[str, str]
) -> None:
    credential = issue(client, issuer_token)
    result = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert result.status_code == 200
    body = result.json()
    assert body["verified"] is True
    assert body["errors"] == []
    assert {"proof", "status", "validity"} <= set(body["checks"])
    assert all(c["status"] == "pass" for c in body["report"]["checks"])

    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["achievement"]["name"] = "Something I did not earn"
    result = client.post("/credentials/verify", json={"verifiableCredential": tampered})
    assert result.status_code == 200
    body = result.json()
    assert body["verified"] is False
    assert "proof" in [e["title"] for e in body["errors"]]
    assert "proof" not in body["checks"]


def test_verify_uses_supplied_documents_instead_of_the_network(
    client: httpx.Client, tmp_path: Path, issuer_token: dict[str, str]
) -> None:
    # a credential from another credstack, whose status list this server cannot fetch
    with make_credstack(tmp_path, "https://other.example") as other:
        foreign = other.issuing.issue_credential(unsigned_credential()).credential
        list_url = foreign["credentialStatus"][0]["statusListCredential"]
        status_list = other.status.status_list_credential(list_url.rsplit("/", 1)[1])
        suspension_url = foreign["credentialStatus"][1]["statusListCredential"]
        suspension_list = other.status.status_list_credential(suspension_url.rsplit("/", 1)[1])
    without = client.post("/credentials/verify", json={"verifiableCredential": foreign}).json()
    assert [w["title"] for w in without["warnings"]] == ["status"]
    documents = {list_url: status_list, suspension_url: suspension_list}
    with_docs = client.post("/credentials/verify", json={"verifiableCredential": foreign, "documents": documents})
    body = with_docs.json()
    assert body["verified"] is True
    assert body["warnings"] == []
    assert "status" in body["checks"]


def _presentation(credential: dict[str, Any], challenge: str) -> dict[str, Any]:
    holder = Ed25519Key.generate()
    did = did_key_from_public_key(holder.public_key)
    presentation = {
        "@context": [VC_CONTEXT],
        "type": ["VerifiablePresentation"],
        "holder": did,
        "verifiableCredential": [credential],
    }
    return sign(
        presentation,
        key=holder,
        verification_method=verification_method_for_did_key(did),
        proof_purpose="authentication",
        challenge=challenge,
        domain="employer.example",
    )


def test_presentations_verify_checks_the_challenge(client: httpx.Client, issuer_token: dict[str, str]) -> None:
    presentation = _presentation(issue(client, issuer_token), challenge="c-123")
    good = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": presentation, "options": {"challenge": "c-123", "domain": "employer.example"}},
    )
    assert good.status_code == 200
    assert good.json()["verified"] is True, good.json()
    replayed = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": presentation, "options": {"challenge": "other", "domain": "employer.example"}},
    )
    assert replayed.status_code == 200
    assert replayed.json()["verified"] is False


# -- status -----------------------------------------------------------------------------------------------------


def _bit(client: httpx.Client, credential: dict[str, Any], purpose: str) -> int:
    entry = next(e for e in credential["credentialStatus"] if e["statusPurpose"] == purpose)
    response = client.get(entry["statusListCredential"])
    assert response.status_code == 200
    bits = decode_list(response.json()["credentialSubject"]["encodedList"])
    return get_bit(bits, int(entry["statusListIndex"]))


def _set(
    client: httpx.Client, headers: dict[str, str], credential_id: str, purpose: str, value: bool
) -> httpx.Response:
    body = {
        "credentialId": credential_id,
        "credentialStatus": [{"type": "BitstringStatusListEntry", "status": value, "statusPurpose": purpose}],
    }
    return client.post("/credentials/status", json=body, headers=headers)


def test_a_status_change_shows_in_the_served_status_list_at_once(
    client: httpx.Client, issuer_token: dict[str, str]
) -> None:
    credential = issue(client, issuer_token)
    assert _bit(client, credential, "suspension") == 0

    response = _set(client, issuer_token, credential["id"], "suspension", True)
    assert response.status_code == 200, response.text
    assert response.json()["status"]["state"] == "suspended"
    assert _bit(client, credential, "suspension") == 1
    report = client.post("/credentials/verify", json={"verifiableCredential": credential}).json()
    assert report["verified"] is False
    assert [e["title"] for e in report["errors"]] == ["status"]
    assert "suspended" in report["errors"][0]["detail"]

    assert _set(client, issuer_token, credential["id"], "suspension", False).status_code == 200
    assert _bit(client, credential, "suspension") == 0
    assert client.post("/credentials/verify", json={"verifiableCredential": credential}).json()["verified"] is True

    assert _set(client, issuer_token, credential["id"], "revocation", True).status_code == 200
    assert _bit(client, credential, "revocation") == 1
    assert_problem(_set(client, issuer_token, credential["id"], "revocation", False), 409, "conflict")
    assert _bit(client, credential, "revocation") == 1


def test_status_lists_are_served_as_vc_with_short_caching(client: httpx.Client, issuer_token: dict[str, str]) -> None:
    credential = issue(client, issuer_token)
    url = credential["credentialStatus"][0]["statusListCredential"]
    response = client.get(url)
    assert response.headers["content-type"].startswith("application/vc+ld+json")
    assert "max-age=30" in response.headers["cache-control"]
    assert response.headers["access-control-allow-origin"] == "*"
    document = response.json()
    assert "BitstringStatusListCredential" in document["type"]
    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    etag = response.headers["etag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    listed = next(e for e in credential["credentialStatus"] if e["statusListCredential"] == url)
    status = "suspension" if listed["statusPurpose"] == "suspension" else "revocation"
    assert _set(client, issuer_token, credential["id"], status, True).status_code == 200
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200  # a status change is a new version of the list
    assert changed.headers["etag"] != etag
    as_json = client.get(url, headers={"Accept": "application/json"})
    assert as_json.headers["content-type"].startswith("application/json")
    assert_problem(client.get("/status/999999"), 404, "not_found")


def test_status_changes_need_the_status_scope(
    client: httpx.Client, issuer_token: dict[str, str], issue_only: dict[str, str]
) -> None:
    credential = issue(client, issuer_token)
    assert_problem(_set(client, issue_only, credential["id"], "revocation", True), 403, "forbidden")
    assert_problem(_set(client, {}, credential["id"], "revocation", True), 401, "unauthorized")
    assert _bit(client, credential, "revocation") == 0


# -- bad input: problem+json, and nothing stored ---------------------------------------------------------------

JSON = {"content-type": "application/json"}


def _body(credential: Any) -> bytes:
    return json.dumps({"credential": credential}).encode()


BAD_ISSUES: list[tuple[str, bytes, dict[str, str], int, str]] = [
    ("empty body", b"", JSON, 400, "invalid_input"),
    ("malformed JSON", b'{"credential": {"type": [}', JSON, 400, "malformed_json"),
    ("trailing garbage", _body(unsigned_credential()) + b"}", JSON, 400, "malformed_json"),
    ("NaN", b'{"credential": {"n": NaN}}', JSON, 400, "malformed_json"),
    ("not UTF-8", b'{"credential": {"name": "caf\xe9"}}', JSON, 400, "not_utf8"),
    ("credential is a string", _body("a credential"), JSON, 400, "invalid_input"),
    ("no credential member", b'{"vc": {}}', JSON, 400, "invalid_input"),
    ("deep nesting", b'{"credential": {"a": ' + b"[" * 80 + b"]" * 80 + b"}}", JSON, 400, "document_too_deep"),
    ("over the size limit", _body(unsigned_credential(description="x" * 1_000_100)), JSON, 413, "document_too_large"),
    (
        "unknown context",
        _body(unsigned_credential(**{"@context": [VC_CONTEXT, OB_CONTEXT, "https://evil.example/context.jsonld"]})),
        JSON,
        400,
        "unknown_context",
    ),
    ("undefined term", _body(unsigned_credential(favouriteColour="blue")), JSON, 400, "undefined_term"),
    (
        "not a conforming credential",
        _body({k: v for k, v in unsigned_credential().items() if k != "credentialSubject"}),
        JSON,
        422,
        "invalid_credential",
    ),
    (
        "not JSON at all",
        b"credential=1",
        {"content-type": "application/x-www-form-urlencoded"},
        415,
        "unsupported_format",
    ),
]


@pytest.mark.parametrize(("case", "body", "headers", "status", "code"), BAD_ISSUES, ids=[c[0] for c in BAD_ISSUES])
def test_a_bad_issue_request_is_a_clear_problem_and_stores_nothing(
    client: httpx.Client,
    cs: Credstack,
    issuer_token: dict[str, str],
    case: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    before = len(cs.issuing.list(limit=10_000))
    response = client.post("/credentials/issue", content=body, headers={**issuer_token, **headers})
    problem = assert_problem(response, status, code)
    assert problem.get("pointer", "/").startswith("/")
    assert len(cs.issuing.list(limit=10_000)) == before


def test_wrong_types_name_the_json_pointer_of_each_bad_field(
    client: httpx.Client, issuer_token: dict[str, str]
) -> None:
    body = {"credential": ["not", "an", "object"], "options": {"cryptosuite": "rsa-2048"}}
    problem = assert_problem(client.post("/credentials/issue", json=body, headers=issuer_token), 400, "invalid_input")
    assert problem["pointer"] == "/credential"
    assert [e["pointer"] for e in problem["errors"]] == ["/credential", "/options/cryptosuite"]


def test_an_oversize_streamed_body_is_refused_without_reading_it_all(
    client: httpx.Client, issuer_token: dict[str, str]
) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(500):  # 5 MB in 10 kB chunks, no Content-Length
            sent += 10_000
            yield b" " * 10_000

    response = client.post("/credentials/issue", content=chunks(), headers={**issuer_token, **JSON})
    assert_problem(response, 413, "document_too_large")


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "unauthorized"),
        ({"Authorization": "Bearer not-a-real-token"}, 401, "unauthorized"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401, "unauthorized"),
    ],
    ids=["no token", "unknown token", "not a bearer token"],
)
def test_issuing_needs_a_valid_token(
    client: httpx.Client, cs: Credstack, headers: dict[str, str], status: int, code: str
) -> None:
    before = len(cs.issuing.list(limit=10_000))
    response = client.post("/credentials/issue", json={"credential": unsigned_credential()}, headers=headers)
    assert_problem(response, status, code)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert len(cs.issuing.list(limit=10_000)) == before


def test_issuing_needs_the_issue_scope(client: httpx.Client, cs: Credstack, status_only: dict[str, str]) -> None:
    before = len(cs.issuing.list(limit=10_000))
    response = client.post("/credentials/issue", json={"credential": unsigned_credential()}, headers=status_only)
    problem = assert_problem(response, 403, "forbidden")
    assert "issue" in problem["detail"]
    assert len(cs.issuing.list(limit=10_000)) == before


def test_unknown_paths_and_wrong_methods_are_problem_json(client: httpx.Client) -> None:
    assert_problem(client.get("/no/such/thing"), 404, "not_found")
    problem = assert_problem(client.delete("/credentials/issue"), 405, "method_not_allowed")
    assert problem["title"] == "Method not allowed"
    assert client.put("/presentations/verify", json={}).status_code == 405


def test_verify_refuses_unusable_input_but_answers_200_for_a_failing_credential(client: httpx.Client) -> None:
    assert_problem(client.post("/credentials/verify", content=b"[1, 2", headers=JSON), 400, "malformed_json")
    problem = assert_problem(client.post("/credentials/verify", json={"credential": {}}), 400, "invalid_input")
    assert problem["pointer"] == "/verifiableCredential"
    unsigned = client.post("/credentials/verify", json={"verifiableCredential": unsigned_credential()})
    assert unsigned.status_code == 200
    assert unsigned.json()["verified"] is False


def test_openapi_documents_the_vc_api(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/credentials/issue", "/credentials/verify", "/presentations/verify", "/credentials/status"):
        assert "post" in spec["paths"][path]
    assert "bearer" in json.dumps(spec["components"]["securitySchemes"]).lower()
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_the_api_docs_load_their_assets_from_this_server_not_a_cdn(client: httpx.Client) -> None:
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert assets
        for asset in assets:
            assert asset.startswith("/"), f"{page} loads {asset} from elsewhere"
            assert client.get(asset).status_code == 200


def test_verify_as_of_a_date_sees_expiry(client: httpx.Client, issuer_token: dict[str, str]) -> None:
    body = {"credential": unsigned_credential(validUntil="2030-01-01T00:00:00Z")}
    credential = client.post("/credentials/issue", json=body, headers=issuer_token).json()["verifiableCredential"]
    later = {"verifiableCredential": credential, "options": {"at": "2031-06-01T00:00:00Z"}}
    result = client.post("/credentials/verify", json=later).json()
    assert result["verified"] is False
    assert [e["title"] for e in result["errors"]] == ["validity"]
    assert result["errors"][0]["detail"].startswith("expired")
    bad = client.post("/credentials/verify", json={"verifiableCredential": credential, "options": {"at": "tomorrow"}})
    assert assert_problem(bad, 400, "invalid_input")["pointer"] == "/options/at"


def test_the_credential_issuer_picks_which_issuer_of_this_server_signs(
    client: httpx.Client, cs: Credstack, issuer_token: dict[str, str]
) -> None:
    second = cs.issuers.create("Second Faculty")
    body = {"credential": unsigned_credential(issuer={"id": second.did, "type": ["Profile"], "name": "Second Faculty"})}
    signed = client.post("/credentials/issue", json=body, headers=issuer_token)
    assert signed.status_code == 201, signed.text
    credential = signed.json()["verifiableCredential"]
    assert credential["issuer"]["id"] == second.did
    assert credential["proof"]["verificationMethod"] == second.verification_method
    assert client.post("/credentials/verify", json={"verifiableCredential": credential}).json()["verified"] is True

    before = len(cs.issuing.list(limit=10_000))
    foreign = {"credential": unsigned_credential(issuer="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")}
    problem = assert_problem(
        client.post("/credentials/issue", json=foreign, headers=issuer_token), 422, "invalid_credential"
    )
    assert problem["pointer"] == "/credential/issuer"
    assert len(cs.issuing.list(limit=10_000)) == before


def test_the_vc_api_round_trip_on_each_database(database_url: str, tmp_path: Path) -> None:
    """Issue, verify, suspend and see it in the served list, on SQLite and on PostgreSQL (threads share the engine)."""
    with served_credstack(tmp_path, database_url=database_url) as (db_cs, base), httpx.Client(base_url=base) as http:
        headers = {"Authorization": f"Bearer {db_cs.tokens.create(['issue', 'status'])}"}
        credential = issue(http, headers)
        assert http.post("/credentials/verify", json={"verifiableCredential": credential}).json()["verified"] is True
        assert _set(http, headers, credential["id"], "suspension", True).status_code == 200
        assert _bit(http, credential, "suspension") == 1
        assert http.post("/credentials/verify", json={"verifiableCredential": credential}).json()["verified"] is False
