"""The REST resources behind the CLI (issuers, achievements, credentials, bulk jobs), the public DID document,
and the JSON twins of the web pages (credential JSON by content negotiation, baked images, /api/verify)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api_support import served_credstack
from credstack.app import Credstack
from credstack.domain.baking import extract_png, extract_svg


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Credstack, str]]:
    with served_credstack(tmp_path_factory.mktemp("resources")) as pair:
        yield pair


@pytest.fixture(scope="module")
def cs(served: tuple[Credstack, str]) -> Credstack:
    return served[0]


@pytest.fixture(scope="module")
def client(served: tuple[Credstack, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served[1], timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def admin(cs: Credstack) -> dict[str, str]:
    return {"Authorization": f"Bearer {cs.tokens.create(['admin'])}"}


@pytest.fixture(scope="module")
def issuer_token(cs: Credstack) -> dict[str, str]:
    return {"Authorization": f"Bearer {cs.tokens.create(['issue', 'status'])}"}


@pytest.fixture(scope="module")
def achievement(client: httpx.Client, issuer_token: dict[str, str]) -> dict[str, Any]:
    body = {
        "name": "SQL for Analysts",
        "description": "Query, join and model relational data.",
        "criteria_narrative": "Eight graded exercises.",
        "achievement_type": "MicroCredential",
        "alignments": [
            {
                "targetName": "SQL",
                "targetUrl": "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742",
                "targetFramework": "ESCO v1.1.1",
            }
        ],
    }
    response = client.post("/api/achievements", json=body, headers=issuer_token)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.fixture(scope="module")
def issued(cs: Credstack, achievement: dict[str, Any]) -> Any:
    return cs.issuing.issue(achievement["id"], recipient="ada@example.org")


def test_issuers_list_and_did_web_document(client: httpx.Client, cs: Credstack, admin: dict[str, str]) -> None:
    listed = client.get("/api/issuers").json()["issuers"]
    assert [i["did"] for i in listed] == [cs.issuers.default().did]

    created = client.post("/api/issuers", json={"name": "Web Issuer", "method": "web"}, headers=admin)
    assert created.status_code == 201, created.text
    issuer = created.json()
    assert issuer["did"].startswith("did:web:127.0.0.1%3A")
    document = client.get(f"/issuers/{issuer['slug']}/did.json")
    assert document.status_code == 200
    assert document.json()["id"] == issuer["did"]
    assert document.json()["assertionMethod"]

    rotated = client.post(f"/api/issuers/{issuer['slug']}/rotate-key", headers=admin)
    assert rotated.status_code == 200
    assert rotated.json()["verification_method"] != issuer["verification_method"]
    assert len(client.get(f"/issuers/{issuer['slug']}/did.json").json()["verificationMethod"]) == 2


def test_creating_issuers_needs_admin(client: httpx.Client, issuer_token: dict[str, str]) -> None:
    response = client.post("/api/issuers", json={"name": "Nope"}, headers=issuer_token)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_achievements_are_created_listed_and_fetched(client: httpx.Client, achievement: dict[str, Any]) -> None:
    assert achievement["definition"]["achievementType"] == "MicroCredential"
    assert achievement["definition"]["alignment"][0]["targetName"] == "SQL"
    assert achievement["id"] in [a["id"] for a in client.get("/api/achievements").json()["achievements"]]
    assert client.get(f"/api/achievements/{achievement['id']}").json()["name"] == "SQL for Analysts"
    missing = client.get("/api/achievements/does-not-exist")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_an_invalid_achievement_is_refused_with_a_pointer(client: httpx.Client, issuer_token: dict[str, str]) -> None:
    response = client.post("/api/achievements", json={"name": "", "description": 3}, headers=issuer_token)
    assert response.status_code == 400
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert {"/name", "/description"} <= pointers


def test_credentials_get_list_and_status_changes(
    client: httpx.Client, issued: Any, issuer_token: dict[str, str]
) -> None:
    record = client.get(f"/api/credentials/{issued.id}").json()
    assert record["credential"] == issued.credential
    assert record["status"]["state"] == "active"
    assert client.get("/api/credentials").status_code == 401
    listed = client.get("/api/credentials", headers=issuer_token).json()["credentials"]
    assert issued.id in [c["id"] for c in listed]
    page = client.get("/api/credentials", params={"limit": 1}, headers=issuer_token).json()
    assert len(page["credentials"]) == 1
    too_many = client.get("/api/credentials", params={"limit": 5000}, headers=issuer_token)
    assert too_many.status_code == 400
    assert "limit" in too_many.json()["errors"][0]["parameter"]

    assert client.post(f"/api/credentials/{issued.id}/suspend", headers=issuer_token).json()["status"]["state"] == (
        "suspended"
    )
    assert client.post(f"/api/credentials/{issued.id}/unsuspend", headers=issuer_token).json()["status"]["state"] == (
        "active"
    )
    assert client.post(f"/api/credentials/{issued.id}/revoke", json={"reason": "issued in error"}, headers=issuer_token)
    assert client.get(f"/api/credentials/{issued.id}").json()["status"]["state"] == "revoked"
    refused = client.post(f"/api/credentials/{issued.id}/suspend", headers=issuer_token)
    assert (refused.status_code, refused.json()["code"]) == (409, "conflict")


def test_a_bulk_job_runs_in_the_background_and_reports_each_row(
    client: httpx.Client, cs: Credstack, achievement: dict[str, Any], issuer_token: dict[str, str]
) -> None:
    roster = "recipient,name\nada@example.org,Ada\nnot-an-address,Nobody\ngrace@example.org,Grace\n"
    response = client.post(
        "/api/bulk-jobs",
        params={"achievement": achievement["id"]},
        content=roster.encode(),
        headers={**issuer_token, "content-type": "text/csv"},
    )
    assert response.status_code == 202, response.text
    location = response.headers["location"]
    deadline = time.monotonic() + 60
    while True:
        report = client.get(location, headers=issuer_token).json()
        if report["state"] == "done" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert report["state"] == "done"
    assert (report["issued"], report["rejected"]) == (2, 1)
    assert report["rejections"][0]["line"] == 3
    for credential_id in report["credential_ids"]:
        assert cs.issuing.get(credential_id).achievement_id == achievement["id"]


def test_a_bad_roster_is_refused_before_any_job_starts(
    client: httpx.Client, achievement: dict[str, Any], issuer_token: dict[str, str]
) -> None:
    no_column = client.post(
        "/api/bulk-jobs",
        params={"achievement": achievement["id"]},
        content=b"email\nada@example.org\n",
        headers={**issuer_token, "content-type": "text/csv"},
    )
    assert (no_column.status_code, no_column.json()["code"]) == (422, "invalid_roster")
    not_csv = client.post(
        "/api/bulk-jobs",
        params={"achievement": achievement["id"]},
        json={"recipient": "ada@example.org"},
        headers=issuer_token,
    )
    assert (not_csv.status_code, not_csv.json()["code"]) == (415, "unsupported_format")


def test_the_credential_url_serves_json_to_machines_and_html_to_people(client: httpx.Client, issued: Any) -> None:
    url = issued.credential["id"]
    as_json = client.get(url, headers={"Accept": "application/json"})
    assert as_json.headers["content-type"].startswith("application/vc+ld+json")
    assert as_json.json() == issued.credential
    assert as_json.headers["access-control-allow-origin"] == "*"
    assert client.get(url + ".json").json() == issued.credential
    html = client.get(url, headers={"Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")
    assert "SQL for Analysts" in html.text


def test_baked_images_carry_the_credential_and_verify(client: httpx.Client, cs: Credstack, issued: Any) -> None:
    png = client.get(issued.credential["id"] + ".png")
    assert png.headers["content-type"] == "image/png"
    assert json.loads(extract_png(png.content)) == issued.credential
    svg = client.get(issued.credential["id"] + ".svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert json.loads(extract_svg(svg.content)) == issued.credential
    for image, media in ((png.content, "image/png"), (svg.content, "image/svg+xml")):
        result = client.post("/api/verify", content=image, headers={"content-type": media}).json()
        assert result["report"]["format"].split("+")[0] == media.split("/")[1].split("+")[0]
        assert result["report"]["credential"] == issued.credential


def test_api_verify_by_link_is_the_json_twin_of_the_verify_page(client: httpx.Client, cs: Credstack) -> None:
    achievement = cs.achievements.list()[0]
    record = cs.issuing.issue(achievement.id, recipient="linus@example.org")
    by_link = client.get("/api/verify", params={"credential": record.credential["id"]}).json()
    assert by_link["verified"] is True
    cs.status.revoke(record.id)
    revoked = client.get("/api/verify", params={"credential": record.credential["id"]}).json()
    assert revoked["verified"] is False
    assert revoked["errors"][0]["title"] == "status"
    missing = client.get("/api/verify", params={"credential": "https://elsewhere.example/credentials/1"})
    assert missing.status_code == 404
    empty = client.post("/api/verify", content=b"  ", headers={"content-type": "text/plain"})
    assert (empty.status_code, empty.json()["code"]) == (400, "invalid_input")


def test_pages_and_badges_carry_security_headers(client: httpx.Client, issued: Any) -> None:
    page = client.get(issued.credential["id"], headers={"Accept": "text/html"})
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "script-src" not in page.headers["content-security-policy"]  # no script may run
    svg = client.get(issued.credential["id"] + ".svg")
    assert svg.headers["content-security-policy"].startswith("default-src 'none'")
    for response in (page, svg, client.get("/api/issuers")):
        assert response.headers["x-content-type-options"] == "nosniff"


def test_api_verify_batch_answers_per_file(client: httpx.Client, cs: Credstack, achievement: dict[str, Any]) -> None:
    record = cs.issuing.issue(achievement["id"], recipient="batch@example.org")
    png = client.get(record.credential["id"] + ".png").content
    files = [
        ("file", ("badge.png", png, "image/png")),
        ("file", ("not-a-credential.txt", b"hello", "text/plain")),
    ]
    result = client.post("/api/verify/batch", files=files).json()
    assert (result["verified"], result["total"]) == (1, 2)
    assert [r["file"] for r in result["results"]] == ["badge.png", "not-a-credential.txt"]
    assert result["results"][0]["report"]["credential"] == record.credential
    assert [e["title"] for e in result["results"][1]["errors"]] == ["parse"]
