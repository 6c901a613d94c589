"""The employer pages and their JSON twins on a live server: bulk upload -> progress -> report downloads, one result
with its trust breakdown, the trusted-issuer registry (pages and API), tokens and organisation scoping."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api_support import served_credstack
from credstack.app import Credstack
from credstack.services.employer import DEFAULT_ORG
from issuer_support import micro_achievement


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Credstack, str]]:
    folder: Path = tmp_path_factory.mktemp("employer-web")
    with served_credstack(folder, bulk_max_bytes=3_000_000) as pair:
        yield pair


@pytest.fixture
def client(served: tuple[Credstack, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served[1], timeout=60, follow_redirects=True) as http:
        yield http


@pytest.fixture(scope="module")
def token(served: tuple[Credstack, str]) -> str:
    return served[0].tokens.create(["employer"], name="employer tests")


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def credentials(cs: Credstack, n: int) -> list[dict[str, Any]]:
    achievement = micro_achievement(cs)
    return [cs.issuing.issue(achievement.id, recipient=f"w{i}@example.org").credential for i in range(n)]


def test_upload_a_batch_and_download_the_reports(served: tuple[Credstack, str], client: httpx.Client) -> None:
    cs, _ = served
    good, tampered, revoked = credentials(cs, 3)
    tampered["validFrom"] = "2001-01-01T00:00:00Z"
    cs.status.revoke(revoked["id"])
    upload = zipped({f"{n}.json": json.dumps(c).encode() for n, c in
                     (("good", good), ("tampered", tampered), ("revoked", revoked))})  # fmt: skip
    response = client.post("/employer/verify", files={"file": ("batch.zip", upload, "application/zip")})
    assert response.status_code == 200 and "/employer/batches/" in str(response.url)
    page = response.text
    assert "1 of 3 verified" in page and 'data-file="tampered.json"' in page and "revoked" in page
    report = client.get(f"{response.url}/report.csv")
    assert report.headers["content-disposition"].startswith("attachment")
    rows = {r["file"]: r for r in csv.DictReader(io.StringIO(report.text))}
    assert rows["tampered.json"]["proof"] == "fail" and rows["revoked.json"]["status"] == "fail"
    assert rows["good.json"]["verdict"] == "verified"
    as_json = client.get(f"{response.url}/report.json").json()
    assert [r["verified"] for r in as_json["results"]] == [True, False, False]

    item = client.get(f"{response.url}/items/0")
    assert "Why trust it?" in item.text and 'data-signal="registry"' in item.text
    assert 'data-signal="registry" data-level="unknown"' in item.text


def test_the_registry_marks_an_issuer_trusted(served: tuple[Credstack, str], client: httpx.Client, token: str) -> None:
    cs, _ = served
    (credential,) = credentials(cs, 1)
    auth = {"Authorization": f"Bearer {token}"}
    before = client.post("/api/employer/trust", content=json.dumps(credential), headers=auth).json()
    registry = {s["name"]: s for s in before["trust"]["signals"]}["registry"]
    assert before["verified"] and registry["level"] in {"unknown", "weak"}
    added = client.post("/api/employer/trusted-issuers", json={"value": credential["issuer"]["id"]}, headers=auth)
    assert added.status_code == 201 and added.json()["kind"] == "did"
    again = client.post("/api/employer/trusted-issuers", json={"value": credential["issuer"]["id"]}, headers=auth)
    assert again.json()["id"] == added.json()["id"]
    after = client.post("/api/employer/trust", content=json.dumps(credential), headers=auth).json()
    registry = {s["name"]: s for s in after["trust"]["signals"]}["registry"]
    assert registry["level"] == "strong" and registry["finding"].startswith("trusted")
    assert "trusted_issuers" in client.get("/api/employer/trusted-issuers", headers=auth).json()
    page = client.post("/verify", data={"credential": json.dumps(credential)}).text  # the public verify page
    assert "Why trust it?" in page and 'data-signal="registry" data-level="strong"' in page
    bad = client.post("/api/employer/trusted-issuers", json={"value": "not a domain!"}, headers=auth)
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_input"
    assert client.delete(f"/api/employer/trusted-issuers/{added.json()['id']}", headers=auth).status_code == 204
    page = client.get("/employer/trusted")
    assert credential["issuer"]["id"] not in page.text


def test_the_api_needs_an_employer_token(served: tuple[Credstack, str], client: httpx.Client) -> None:
    cs, _ = served
    assert client.get("/api/employer/batches").status_code == 401
    other = cs.tokens.create(["issue"])
    refused = client.get("/api/employer/batches", headers={"Authorization": f"Bearer {other}"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def test_api_batches_bad_uploads_and_limits(served: tuple[Credstack, str], client: httpx.Client, token: str) -> None:
    cs, _ = served
    auth = {"Authorization": f"Bearer {token}"}
    (credential,) = credentials(cs, 1)
    listing = f"url\n{credential['id']}\n".encode()
    created = client.post("/api/employer/batches", files={"file": ("list.csv", listing, "text/csv")}, headers=auth)
    assert created.status_code == 201 and created.json()["verified"] == 1
    batch_id = created.json()["id"]
    item = client.get(f"/api/employer/batches/{batch_id}/items/0", headers=auth).json()
    assert item["verified"] and {s["name"] for s in item["trust"]["signals"]} >= {"issuer", "freshness"}
    bad = client.post("/api/employer/batches", files={"file": ("list.csv", b"name\nx\n", "text/csv")}, headers=auth)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_batch"
    # bigger than the ordinary 1 MB body limit but within CREDSTACK_BULK_MAX_BYTES: accepted (then judged per file)
    big = zipped({"big.json": b"[" + b"1," * 700_000 + b"1]"})
    stored = zipfile.ZipFile(io.BytesIO(big)).infolist()[0]
    assert stored.file_size > 1_000_000
    accepted = client.post("/api/employer/batches", files={"file": ("big.zip", big, "application/zip")}, headers=auth)
    assert accepted.status_code == 201
    result = client.get(f"/api/employer/batches/{accepted.json()['id']}/report.json", headers=auth).json()
    assert "larger than 1,000,000 bytes" in result["results"][0]["checks"][0]["reason"]
    huge = b"0" * 3_200_000
    over = client.post("/api/employer/batches", files={"file": ("x.zip", huge, "application/zip")}, headers=auth)
    assert over.status_code == 413 and over.json()["code"] == "document_too_large"
    elsewhere = client.post("/api/verify", content=b"0" * 1_100_000)
    assert elsewhere.status_code == 413  # other endpoints keep the ordinary limit


def test_organisations_cannot_read_each_others_work(served: tuple[Credstack, str], client: httpx.Client) -> None:
    cs, _ = served
    acme, globex = cs.accounts.create_org("Acme Hiring"), cs.accounts.create_org("Globex Hiring")
    acme_token = cs.accounts.create_token(acme.id, ["employer"])
    globex_token = cs.accounts.create_token(globex.id, ["employer"])
    learner = cs.accounts.create_person("learner@example.org", org_id=globex.id, roles=["learner"])
    learner_token = cs.accounts.create_token(globex.id, ["employer"], person_id=learner.id)
    (credential,) = credentials(cs, 1)
    as_acme = {"Authorization": f"Bearer {acme_token}"}
    as_globex = {"Authorization": f"Bearer {globex_token}"}
    upload = {"file": ("one.json", json.dumps(credential).encode(), "application/json")}
    batch = client.post("/api/employer/batches", files=upload, headers=as_acme).json()
    assert client.get(f"/api/employer/batches/{batch['id']}", headers=as_acme).status_code == 200
    for path in ("", "/report.csv", "/report.json", "/items/0"):
        crossed = client.get(f"/api/employer/batches/{batch['id']}{path}", headers=as_globex)
        assert crossed.status_code == 404 and crossed.json()["code"] == "not_found"
    entry = client.post("/api/employer/trusted-issuers", json={"value": "acme.example"}, headers=as_acme).json()
    assert client.get("/api/employer/trusted-issuers", headers=as_globex).json()["trusted_issuers"] == []
    assert client.delete(f"/api/employer/trusted-issuers/{entry['id']}", headers=as_globex).status_code == 404
    refused = client.get("/api/employer/batches", headers={"Authorization": f"Bearer {learner_token}"})
    assert refused.status_code == 403  # a learner's token is not an employer's, even with the scope
    # an organisation endorses with its own issuer only (Acme has none; Globex's is not Acme's)
    subject = {"subject": credential["issuer"]["id"], "comment": "ok"}
    assert client.post("/api/employer/endorsements", json=subject, headers=as_acme).status_code == 403
    own = cs.issuers.create("Globex Hiring", method="key")
    cs.accounts.create_org("Initrode", slug="initrode", issuer_id=own.id)
    initrode = {"Authorization": f"Bearer {cs.accounts.create_token('initrode', ['employer'])}"}
    endorsed = client.post("/api/employer/endorsements", json=subject, headers=initrode)
    assert endorsed.status_code == 201 and endorsed.json()["endorser"]["id"] == own.did
    other = {**subject, "endorser": cs.issuers.default().slug}
    assert client.post("/api/employer/endorsements", json=other, headers=initrode).status_code == 403


def test_a_large_batch_runs_in_the_background_with_progress(
    served: tuple[Credstack, str], client: httpx.Client, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from credstack.services import employer_bulk

    monkeypatch.setattr(employer_bulk, "PARALLEL_THRESHOLD", 2)  # "large" = more than 2, to keep the test quick
    monkeypatch.setattr(employer_bulk, "CHUNK", 2)
    cs, _ = served
    upload = zipped({f"{i}.json": json.dumps(c).encode() for i, c in enumerate(credentials(cs, 5))})
    auth = {"Authorization": f"Bearer {token}"}
    started = client.post("/api/employer/batches", files={"file": ("big.zip", upload, "application/zip")}, headers=auth)
    assert started.status_code == 202 and started.json()["state"] in {"pending", "running", "done"}
    location = started.headers["location"]
    deadline = time.monotonic() + 60
    seen = []
    while True:
        job = client.get(location, headers=auth).json()
        seen.append(job["done"])
        if job["state"] == "done" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert job["state"] == "done" and (job["done"], job["verified"]) == (5, 5) and seen == sorted(seen)
    page = client.get(f"/employer/batches/{job['id']}")
    assert "5 of 5 verified" in page.text and 'http-equiv="refresh"' not in page.text


def test_a_signed_in_reviewer_works_in_their_organisation_with_csrf(
    served: tuple[Credstack, str], client: httpx.Client
) -> None:
    cs, _ = served
    org = cs.accounts.create_org("Initech Hiring").id
    robin = cs.accounts.create_person("robin@initech.example", org_id=org, roles=["employer_reviewer"])
    raw, session = cs.accounts.start_session(robin.id)
    client.cookies.set("credstack_session", raw)
    try:
        page = client.get("/employer/trusted").text
        assert f'name="csrf_token" value="{session.csrf_token}"' in page
        refused = client.post("/employer/trusted", data={"value": "initech.example"})
        assert refused.status_code == 403
        added = client.post("/employer/trusted", data={"value": "initech.example", "csrf_token": session.csrf_token})
        assert added.status_code == 200 and "initech.example" in added.text
    finally:
        client.cookies.clear()
    assert [t.value for t in cs.employer.registry.trusted(org)] == ["initech.example"]
    assert "initech.example" not in client.get("/employer/trusted").text  # the anonymous default organisation


def test_trust_this_issuer_is_offered_only_when_it_is_not_on_the_registry(
    served: tuple[Credstack, str], client: httpx.Client
) -> None:
    cs, _ = served
    (credential,) = credentials(cs, 1)
    upload = zipped({"one.json": json.dumps(credential).encode()})
    response = client.post("/employer/verify", files={"file": ("one.zip", upload, "application/zip")})
    item_url = f"{response.url}/items/0"
    before = client.get(item_url).text
    assert 'data-testid="trust-issuer"' in before and "Trust this issuer" in before
    entry = cs.employer.registry.add(DEFAULT_ORG, credential["issuer"]["id"])
    try:
        after = client.get(item_url).text
        assert 'data-signal="registry" data-level="strong"' in after
        assert "Trust this issuer" not in after and 'data-testid="issuer-trusted"' in after
        assert "already on your" in after
    finally:
        cs.employer.registry.remove(DEFAULT_ORG, entry.id)
