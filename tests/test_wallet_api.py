"""The accounts, audit, wallet and sharing API on a live server: the organisation boundary (every attempt to read
another organisation's person, wallet item, share or audit log fails with problem+json), claim links, imports
verified on the way in, presentations, share links with their view log, and the CLI."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from api_support import served_credstack
from credstack.app import Credstack
from credstack.domain.baking import bake_png, bake_svg
from credstack.web.badge_image import badge_png, badge_svg
from issuer_support import micro_achievement

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Credstack, str]]:
    with served_credstack(tmp_path_factory.mktemp("wallet")) as pair:
        yield pair


@pytest.fixture(scope="module")
def cs(served: tuple[Credstack, str]) -> Credstack:
    return served[0]


@pytest.fixture(scope="module")
def client(served: tuple[Credstack, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served[1], timeout=30) as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def world(cs: Credstack) -> dict[str, Any]:
    """Two organisations (an issuer and an employer), their staff, two learners and their tokens."""
    uni = cs.accounts.create_org("Example University", slug="uni", issuer_id=cs.issuers.default().id)
    acme = cs.accounts.create_org("Acme Hiring", slug="acme")
    admin = cs.accounts.create_person("admin@uni.example", org_id=uni.id, roles=["issuer_admin"])
    reviewer = cs.accounts.create_person("hr@acme.example", org_id=acme.id, roles=["employer_reviewer"])
    lea = cs.accounts.create_person("lea@example.com", org_id=uni.id, roles=["learner"], password=PASSWORD)
    max_ = cs.accounts.create_person("max@example.com", org_id=acme.id, roles=["learner"])
    achievement = micro_achievement(cs)
    return {
        "uni": uni,
        "acme": acme,
        "achievement": achievement,
        "lea": lea,
        "max": max_,
        "uni_admin": bearer(cs.accounts.create_token(uni.id, ["admin", "issue"], person_id=admin.id)),
        "acme_hr": bearer(cs.accounts.create_token(acme.id, ["employer"], person_id=reviewer.id)),
        "lea_wallet": bearer(cs.accounts.create_personal_token(lea.id, ["wallet"])),
        "max_wallet": bearer(cs.accounts.create_personal_token(max_.id, ["wallet"])),
    }


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    return body


def claim(cs: Credstack, client: httpx.Client, world: dict[str, Any], who: str, recipient: str) -> dict[str, Any]:
    issued = cs.issuing.issue(world["achievement"].id, recipient=recipient)
    link = client.get(f"/api/credentials/{issued.id}/claim-link", headers=world["uni_admin"]).json()["claim_url"]
    response = client.post(f"/api/wallet/claims/{link.rsplit('/', 1)[1]}", headers=world[who])
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()
    return {**item, "issued": issued, "token": link.rsplit("/", 1)[1]}


def test_org_members_and_audit_cannot_be_read_across_the_boundary(
    cs: Credstack, client: httpx.Client, world: dict[str, Any]
) -> None:
    me = client.get("/api/me", headers=world["acme_hr"]).json()
    assert me["org"] == "acme" and me["person"]["roles"] == {"acme": ["employer_reviewer"]}
    own = client.get(f"/api/orgs/acme/people/{world['max'].id}", headers=world["acme_hr"])
    assert own.status_code == 200 and own.json()["email"] == "max@example.com"
    # another organisation's person: through the other org's path (403) and through one's own (404)
    problem(client.get(f"/api/orgs/uni/people/{world['lea'].id}", headers=world["acme_hr"]), 403, "forbidden")
    problem(client.get(f"/api/orgs/acme/people/{world['lea'].id}", headers=world["acme_hr"]), 404, "not_found")
    problem(client.get("/api/orgs/uni/audit", headers=world["acme_hr"]), 403, "forbidden")
    problem(client.get("/api/orgs/uni/people", headers=world["acme_hr"]), 403, "forbidden")
    problem(client.get("/api/audit", headers=world["uni_admin"]), 403, "forbidden")
    problem(client.get("/api/orgs/uni/audit"), 401, "unauthorized")
    # a learner's personal token is not an organisation admin
    problem(client.get("/api/orgs/uni/audit", headers=world["lea_wallet"]), 403, "forbidden")
    assert client.get("/api/orgs/uni/audit", headers=world["uni_admin"]).status_code == 200
    # the admin's own wallet token is not an admin token
    admin = cs.accounts.find_person("admin@uni.example")
    assert admin is not None
    wallet_only = bearer(cs.accounts.create_personal_token(admin.id, ["wallet"]))
    problem(client.get("/api/orgs/uni/audit", headers=wallet_only), 403, "forbidden")


def test_claim_links_are_single_use_and_for_the_recipient(
    cs: Credstack, client: httpx.Client, world: dict[str, Any]
) -> None:
    item = claim(cs, client, world, "lea_wallet", "lea@example.com")
    assert item["source"] == "claimed" and item["title"] == "Data Wrangling"
    problem(client.post(f"/api/wallet/claims/{item['token']}", headers=world["lea_wallet"]), 409, "conflict")
    preview = client.get(f"/api/claims/{item['token']}").json()
    assert preview["claimed"] is True and preview["verified"] is True
    assert preview["credential"]["id"] == item["issued"].credential["id"]
    # another learner cannot claim a credential issued to lea's address
    issued = cs.issuing.issue(world["achievement"].id, recipient="lea@example.com")
    token = cs.wallet.claim_url(issued.id).rsplit("/", 1)[1]
    problem(client.post(f"/api/wallet/claims/{token}", headers=world["max_wallet"]), 403, "forbidden")
    problem(client.post("/api/wallet/claims/not-a-token", headers=world["lea_wallet"]), 404, "not_found")
    # the employer cannot ask for claim links of the university's credentials
    problem(client.get(f"/api/credentials/{issued.id}/claim-link", headers=world["acme_hr"]), 403, "forbidden")
    events = client.get("/api/orgs/uni/audit?action=credential.claimed", headers=world["uni_admin"]).json()["events"]
    assert any(e["subject"] == item["issued"].id and e["actor"] == "lea@example.com" for e in events)


def test_wallet_items_and_shares_are_invisible_to_others(
    cs: Credstack, client: httpx.Client, world: dict[str, Any]
) -> None:
    item = claim(cs, client, world, "lea_wallet", "lea@example.com")
    share = client.post("/api/wallet/shares", json={"items": [item["id"]]}, headers=world["lea_wallet"]).json()
    for path in (f"/api/wallet/items/{item['id']}", f"/api/wallet/shares/{share['id']}"):
        problem(client.get(path, headers=world["max_wallet"]), 404, "not_found")
        problem(client.get(path, headers=world["acme_hr"]), 403, "forbidden")  # no wallet scope, no person
    problem(client.post(f"/api/wallet/shares/{share['id']}/revoke", headers=world["max_wallet"]), 404, "not_found")
    problem(client.delete(f"/api/wallet/items/{item['id']}", headers=world["max_wallet"]), 404, "not_found")
    bad = {"items": [item["id"]]}
    problem(client.post("/api/wallet/shares", json=bad, headers=world["max_wallet"]), 404, "not_found")
    assert client.get(f"/api/wallet/items/{item['id']}", headers=world["lea_wallet"]).json()["verified"] is True


def test_imports_are_verified_and_refused_with_reasons(
    cs: Credstack, client: httpx.Client, world: dict[str, Any]
) -> None:
    issued = cs.issuing.issue(world["achievement"].id, recipient="max@example.com")
    png = bake_png(badge_png("Data Wrangling"), issued.credential)
    created = client.post(
        "/api/wallet/import", content=png, headers={**world["max_wallet"], "content-type": "image/png"}
    )
    assert created.status_code == 201, created.text
    assert created.json()["format"] == "png" and created.json()["source"] == "imported"
    problem(
        client.post("/api/wallet/import", content=png, headers={**world["max_wallet"], "content-type": "image/png"}),
        409,
        "conflict",
    )
    svg = bake_svg(badge_svg("Data Wrangling", "Example University"), issued.credential)
    # max's credential cannot go into lea's wallet: it was issued to max's (hashed) e-mail address
    body = problem(
        client.post("/api/wallet/import", content=svg, headers=world["lea_wallet"]), 422, "credential_rejected"
    )
    assert body["reasons"] == ["recipient: issued to another e-mail address than lea@example.com"]
    leas = cs.issuing.issue(world["achievement"].id, recipient="Lea@Example.com")
    svg = bake_svg(badge_svg("Data Wrangling", "Example University"), leas.credential)
    assert client.post("/api/wallet/import", content=svg, headers=world["lea_wallet"]).json()["format"] == "svg"
    tampered = json.loads(json.dumps(issued.credential))
    tampered["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    refused = client.post("/api/wallet/import", content=json.dumps(tampered), headers=world["max_wallet"])
    body = problem(refused, 422, "credential_rejected")
    assert any(r.startswith("proof:") for r in body["reasons"])
    cs.status.revoke(issued.id)
    fresh = json.dumps(issued.credential, indent=1)  # the same credential, now revoked
    body = problem(
        client.post("/api/wallet/import", content=fresh, headers=world["max_wallet"]), 422, "credential_rejected"
    )
    assert any(r.startswith("status:") and "revoked" in r for r in body["reasons"])
    titles = [i["title"] for i in client.get("/api/wallet", headers=world["max_wallet"]).json()["items"]]
    assert "Brain Surgery" not in titles
    # what was imported before the revocation is shown as revoked now (re-verified when shown)
    shown = client.get("/api/wallet", headers=world["max_wallet"]).json()["items"]
    assert [i["verified"] for i in shown if i["format"] == "png"] == [False]
    problem(
        client.post(
            "/api/wallet/import-url", json={"url": "https://badges.example.org/1"}, headers=world["lea_wallet"]
        ),
        502,
        "fetch_failed",
    )


def test_a_presentation_answers_a_challenge(cs: Credstack, client: httpx.Client, world: dict[str, Any]) -> None:
    item = claim(cs, client, world, "lea_wallet", "lea@example.com")
    body = {"credentials": [item["id"]], "challenge": "c-123", "domain": "acme.example"}
    vp = client.post("/api/wallet/presentations", json=body, headers=world["lea_wallet"]).json()
    assert vp["type"] == ["VerifiablePresentation"] and vp["holder"].startswith("did:key:z6Mk")
    assert vp["proof"]["proofPurpose"] == "authentication" and vp["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert cs.verifier.verify(vp, challenge="c-123", domain="acme.example").verified
    assert not cs.verifier.verify(vp, challenge="other", domain="acme.example").verified
    again = client.post("/api/wallet/presentations", json=body, headers=world["lea_wallet"]).json()
    assert again["holder"] == vp["holder"]  # one holder key per person


def test_share_links_expire_log_views_and_revoke(cs: Credstack, client: httpx.Client, world: dict[str, Any]) -> None:
    kept = claim(cs, client, world, "lea_wallet", "lea@example.com")
    left_out = claim(cs, client, world, "lea_wallet", "lea@example.com")
    expires = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    body = {"items": [kept["id"]], "org": "acme", "expires_at": expires, "title": "For Acme"}
    share = client.post("/api/wallet/shares", json=body, headers=world["lea_wallet"]).json()
    assert share["state"] == "active" and share["org"] == "acme"
    opened = client.get(f"/api/shares/{share['id']}")
    assert opened.status_code == 200
    shown = opened.json()["credentials"]
    assert [c["id"] for c in shown] == [kept["id"]] and shown[0]["verified"] is True
    assert left_out["id"] not in opened.text
    with_acme = cs.sharing.shared_with_org("acme")
    assert [s.id for s in with_acme] == [share["id"]] and len(with_acme[0].credentials) == 1
    log = client.get(f"/api/wallet/shares/{share['id']}", headers=world["lea_wallet"]).json()["views"]
    assert [v["outcome"] for v in log] == ["shown"]
    client.post(f"/api/wallet/shares/{share['id']}/revoke", headers=world["lea_wallet"]).raise_for_status()
    gone = client.get(f"/api/shares/{share['id']}")
    assert gone.status_code == 410 and gone.json() == {**gone.json(), "state": "revoked", "credentials": []}
    assert cs.sharing.shared_with_org("acme") == []
    audit = client.get("/api/orgs/acme/audit", headers=world["acme_hr"]).json()["events"]
    assert [e["action"] for e in audit if e["subject"] == share["id"]] == [
        "share.viewed",
        "share.revoked",
        "share.viewed",
        "share.created",
    ]
    viewed = client.get("/api/orgs/uni/audit?action=credential.viewed", headers=world["uni_admin"]).json()["events"]
    assert [e["detail"]["share"] for e in viewed if e["subject"] == kept["issued"].id] == [share["id"]]
    page = client.get(f"/credentials/{kept['issued'].id}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    viewed = client.get("/api/orgs/uni/audit?action=credential.viewed", headers=world["uni_admin"]).json()["events"]
    assert viewed[0]["subject"] == kept["issued"].id and viewed[0]["detail"] == {"page": "credential page"}
    past = {"items": [kept["id"]], "expires_at": "2020-01-01T00:00:00Z"}
    problem(client.post("/api/wallet/shares", json=past, headers=world["lea_wallet"]), 400, "invalid_input")


def test_exports_pdf_linkedin_and_evidence(cs: Credstack, client: httpx.Client, world: dict[str, Any]) -> None:
    item = claim(cs, client, world, "lea_wallet", "lea@example.com")
    detail = client.get(f"/api/wallet/items/{item['id']}", headers=world["lea_wallet"]).json()
    assert detail["linkedin"].startswith("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&")
    assert "name=Data+Wrangling" in detail["linkedin"] and "organizationName=credstack+issuer" in detail["linkedin"]
    assert "certUrl=http%3A%2F%2F127.0.0.1" in detail["linkedin"] and "issueYear=" in detail["linkedin"]
    pdf = client.get(f"/api/wallet/items/{item['id']}/certificate.pdf", headers=world["lea_wallet"])
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert b"/Subtype /Image" in pdf.content  # the QR code
    files = {"file": ("project.txt", b"my capstone report", "text/plain")}
    made = client.post(
        "/api/wallet/evidence", data={"title": "Capstone", "credential": item["id"]}, files=files,
        headers=world["lea_wallet"],
    ).json()  # fmt: skip
    assert made["sha256"] == hashlib.sha256(b"my capstone report").hexdigest() and made["size"] == 18
    too_big = {"file": ("big.bin", b"x" * (cs.settings.max_document_bytes + 1), "application/octet-stream")}
    problem(
        client.post("/api/wallet/evidence", data={"title": "Big"}, files=too_big, headers=world["lea_wallet"]),
        413,
        "document_too_large",
    )
    portfolio = client.get("/api/wallet/portfolio", headers=world["lea_wallet"]).json()
    assert portfolio["credits"] > 0 and portfolio["evidence"][0]["title"] == "Capstone"


def test_cli_org_user_and_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from typer.testing import CliRunner

    from credstack.cli import _register, app

    _register()
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    made = runner.invoke(app, ["org", "create", "Globex Corp"])
    assert made.exit_code == 0 and made.stdout.strip() == "globex-corp"
    user = runner.invoke(
        app, ["user", "create", "eve@globex.example", "--org", "globex-corp", "--role", "employer_reviewer",
              "--password-stdin", "--json"], input=PASSWORD + "\n",
    )  # fmt: skip
    assert user.exit_code == 0, user.output
    assert json.loads(user.stdout)["roles"] == {"globex-corp": ["employer_reviewer"]}
    listed = json.loads(runner.invoke(app, ["audit", "list", "--org", "globex-corp", "--json"]).stdout)
    assert [e["action"] for e in listed] == ["person.created", "org.created"]
    from credstack.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["user", "create", "x@globex.example", "--org", "globex-corp", "--role", "owner"])
    assert exited.value.code == 2
    assert "[invalid_input]: unknown role(s) owner" in capsys.readouterr().err
    from credstack.app import Credstack
    from credstack.settings import Settings

    with Credstack.from_settings(Settings.from_env()) as cs:
        assert cs.accounts.find_person("x@globex.example") is None


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_web_sessions_are_httponly_and_every_form_needs_its_csrf_token(
    served: tuple[Credstack, str], cs: Credstack, client: httpx.Client, world: dict[str, Any]
) -> None:
    claim(cs, client, world, "lea_wallet", "lea@example.com")  # lea's wallet holds a credential to share
    html = {"Accept": "text/html"}
    with httpx.Client(base_url=served[1], timeout=30, headers=html) as browser:
        form = browser.get("/signin?next=/portfolio")
        token = _csrf(form.text)
        login = {"email": "lea@example.com", "password": PASSWORD, "next": "/portfolio"}
        assert browser.post("/signin", data=login).status_code == 403  # no CSRF token
        assert (
            browser.post("/signin", data={**login, "password": "wrong password!!", "csrf_token": token}).status_code
            == 401
        )
        signed_in = browser.post("/signin", data={**login, "csrf_token": token})
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/portfolio"
        cookie = signed_in.headers["set-cookie"].lower()
        assert "credstack_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
        wallet = browser.get("/wallet")
        assert wallet.status_code == 200 and "lea@example.com" in wallet.text
        session_token = _csrf(wallet.text)
        item = cs.wallet.items(world["lea"].id)[0]
        share = {"items": item.id, "expires": "7"}
        assert browser.post("/wallet/shares", data={**share, "csrf_token": "forged"}).status_code == 403
        made = browser.post("/wallet/shares", data={**share, "csrf_token": session_token})
        assert made.status_code == 303 and made.headers["location"].startswith("/wallet/shares/")
        assert browser.get("/orgs/uni/audit").status_code == 403  # a learner is not the org's admin
        open_redirect = browser.post("/signin", data={**login, "next": "//evil.example/", "csrf_token": token})
        assert open_redirect.headers["location"] == "/wallet"  # a new session: its forms carry a new token
        assert browser.post("/signout", data={"csrf_token": session_token}).status_code == 403
        assert browser.post("/signout", data={"csrf_token": _csrf(browser.get("/wallet").text)}).status_code == 303
        assert browser.get("/wallet").headers["location"].startswith("/signin?next=")


def test_the_audit_page_shows_the_organisations_events(
    cs: Credstack, served: tuple[Credstack, str], client: httpx.Client, world: dict[str, Any]
) -> None:
    claim(cs, client, world, "lea_wallet", "lea@example.com")  # uni issues (shown) and lea claims (filtered out)
    cs.accounts.create_person("boss@uni.example", org_id="uni", roles=["issuer_admin"], password=PASSWORD)
    with httpx.Client(base_url=served[1], timeout=30, headers={"Accept": "text/html"}) as browser:
        token = _csrf(browser.get("/signin").text)
        browser.post("/signin", data={"email": "boss@uni.example", "password": PASSWORD, "csrf_token": token})
        page = browser.get("/orgs/uni/audit?action=credential.issued")
        assert page.status_code == 200 and 'data-action="credential.issued"' in page.text
        assert 'data-action="credential.claimed"' not in page.text
        assert browser.get("/orgs/acme/audit").status_code == 403


def test_portfolio_page_projects_and_a_shared_portfolio_with_files(
    served: tuple[Credstack, str], cs: Credstack, client: httpx.Client, world: dict[str, Any]
) -> None:
    claimed = claim(cs, client, world, "lea_wallet", "lea@example.com")
    with httpx.Client(base_url=served[1], timeout=30, headers={"Accept": "text/html"}) as browser:
        token = _csrf(browser.get("/signin").text)
        browser.post("/signin", data={"email": "lea@example.com", "password": PASSWORD, "csrf_token": token})
        page = browser.get("/portfolio")
        assert page.status_code == 200 and 'data-testid="portfolio-group"' in page.text
        files = {"file": ("report.txt", b"capstone: cleaning 1M rows", "text/plain")}
        made = browser.post("/portfolio/evidence", data={"title": "Capstone report", "csrf_token": _csrf(page.text)},
                            files=files)  # fmt: skip
        assert made.status_code == 303
        page = browser.get("/portfolio")
        assert "Capstone report" in page.text and hashlib.sha256(b"capstone: cleaning 1M rows").hexdigest() in page.text
        evidence = next(e for e in cs.portfolio.evidence(world["lea"].id) if e.title == "Capstone report")
        share = {"items": claimed["id"], "expires": "30", "include_evidence": "true", "csrf_token": _csrf(page.text)}
        location = browser.post("/wallet/shares", data=share).headers["location"]
    share_id = location.rsplit("/", 1)[1]
    with httpx.Client(base_url=served[1], timeout=30) as employer:
        shown = employer.get(f"/s/{share_id}")
        assert shown.status_code == 200 and "Capstone report" in shown.text
        download = employer.get(f"/s/{share_id}/evidence/{evidence.id}")
        assert download.content == b"capstone: cleaning 1M rows"
        assert download.headers["content-disposition"].startswith("attachment")
        assert download.headers["content-security-policy"] == "sandbox"
        cs.sharing.revoke(world["lea"].id, share_id)
        assert employer.get(f"/s/{share_id}/evidence/{evidence.id}").status_code == 410


def test_sign_up_creates_an_account_with_a_wallet(served: tuple[Credstack, str], cs: Credstack) -> None:
    with httpx.Client(base_url=served[1], timeout=30, headers={"Accept": "text/html"}) as browser:
        token = _csrf(browser.get("/signup").text)
        short = browser.post("/signup", data={"email": "new@example.com", "password": "short", "csrf_token": token})
        assert short.status_code == 400 and "10 to 1024 characters" in short.text
        assert cs.accounts.find_person("new@example.com") is None
        form = {"email": "new@example.com", "password": PASSWORD, "name": "Nova", "csrf_token": token}
        made = browser.post("/signup", data=form)
        assert made.status_code == 303 and made.headers["location"] == "/wallet"
        assert "new@example.com" in browser.get("/wallet").text
        taken = browser.post("/signup", data=form)
        assert taken.status_code == 409 and "already exists" in taken.text
