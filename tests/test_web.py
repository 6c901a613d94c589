"""The web pages in a real headless Chromium (Debian's chromium, driven by Playwright) against a real server:
paste, upload and link verification, tampered and revoked credentials, the credential page and its downloads."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from api_support import served_credstack, unsigned_credential
from conftest import IN_CI
from credstack.app import Credstack
from credstack.domain.baking import extract_png, extract_svg
from credstack.web.badge_image import qr_data_uri

CHROMIUM = "/usr/bin/chromium"
#: Where the tests leave a screenshot of the verify page and of a credential page, to look at.
SCREENSHOTS = Path(os.environ.get("CREDSTACK_SCREENSHOT_DIR", "/tmp"))

pytestmark = pytest.mark.browser


def _chromium() -> str:
    """Debian's chromium; a missing browser fails in CI and skips (with the reason) elsewhere."""
    found = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if found is None:
        if IN_CI:
            pytest.fail(f"browser tests must run in CI but {CHROMIUM} is missing")
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox", "--disable-background-networking"]
        )
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A served credstack with an achievement (ESCO-aligned), an active, a revoked and a suspended credential."""
    with served_credstack(tmp_path_factory.mktemp("web")) as (cs, base):
        achievement = cs.achievements.create(
            None,
            name="Data Analysis with Python",
            description="Clean, analyse and visualise data with Python.",
            criteria_narrative="Passed a practical assessment.",
            achievement_type="MicroCredential",
            alignments=[
                {
                    "targetName": "Python (computer programming)",
                    "targetUrl": "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d",
                    "targetFramework": "ESCO v1.1.1",
                }
            ],
        )
        active = cs.issuing.issue(achievement.id, recipient="ada@example.org", recipient_name="Ada")
        revoked = cs.issuing.issue(achievement.id, recipient="linus@example.org")
        cs.status.revoke(revoked.id)
        suspended = cs.issuing.issue(achievement.id, recipient="grace@example.org")
        cs.status.suspend(suspended.id)
        yield {"cs": cs, "base": base, "active": active, "revoked": revoked, "suspended": suspended}


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.console_errors = []  # CSP violations and script errors show up here
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    try:
        yield pg
    finally:
        context.close()


def _paste_and_verify(page: Any, base: str, text: str) -> None:
    page.goto(f"{base}/verify")
    page.fill("#credential", text)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=verdict]")


def _checks(page: Any) -> dict[str, str]:
    rows = page.locator("tr.check")
    return {
        rows.nth(i).get_attribute("data-check"): rows.nth(i).get_attribute("data-status") for i in range(rows.count())
    }


def test_pasting_a_valid_credential_shows_verified_with_every_check(page: Any, site: dict[str, Any]) -> None:
    cs: Credstack = site["cs"]
    credential = site["active"].credential
    _paste_and_verify(page, site["base"], json.dumps(credential, indent=2))
    assert page.inner_text("[data-testid=verdict]").startswith("✔ Verified")
    expected = cs.verifier.verify(credential)
    assert _checks(page) == {c.name: c.status for c in expected.checks}
    assert set(_checks(page).values()) == {"pass"}
    assert page.inner_text("[data-testid=achievement-name]") == "Data Analysis with Python"
    assert page.inner_text("[data-testid=status]") == "active"
    issuer = page.inner_text("[data-testid=issuer]")
    assert cs.issuers.default().name in issuer and cs.issuers.default().did in issuer
    recipient = page.inner_text("[data-testid=recipient]")
    assert recipient.startswith("Hashed e-mail address: sha256$")
    assert "ada@example.org" not in recipient
    assert page.get_by_text("Python (computer programming)").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "credstack-verify.png"), full_page=True)
    assert page.console_errors == []


def test_a_tampered_credential_names_the_failing_check(page: Any, site: dict[str, Any]) -> None:
    tampered = json.loads(json.dumps(site["active"].credential))
    tampered["credentialSubject"]["achievement"]["name"] = "Quantum Physics PhD"
    _paste_and_verify(page, site["base"], json.dumps(tampered))
    verdict = page.inner_text("[data-testid=verdict]")
    assert verdict.startswith("✘ Not verified")
    assert "failed: proof" in verdict
    assert _checks(page)["proof"] == "fail"
    reason = page.locator("tr.check[data-check=proof] td").nth(2).inner_text()
    assert reason


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_uploading_a_baked_badge_verifies_it(page: Any, site: dict[str, Any], tmp_path: Path, kind: str) -> None:
    import httpx

    image = httpx.get(f"{site['base']}/credentials/{site['active'].id}.{kind}").content
    path = tmp_path / f"badge.{kind}"
    path.write_bytes(image)
    page.goto(f"{site['base']}/verify")
    page.set_input_files("#file", str(path))
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=verdict]")
    assert page.inner_text("[data-testid=verdict]").startswith("✔ Verified")
    assert f"format: {kind}" in page.inner_text("[data-testid=verdict]")
    assert f"badge.{kind}" in page.inner_text("main")
    shown = page.locator(".badge-row img")
    assert shown.get_attribute("src").startswith(f"data:image/{kind}")
    assert page.evaluate("document.querySelector('.badge-row img').naturalWidth") > 0
    assert page.console_errors == []
    assert page.inner_text("[data-testid=achievement-name]") == "Data Analysis with Python"


def test_uploading_a_batch_summarises_and_details_each_file(page: Any, site: dict[str, Any], tmp_path: Path) -> None:
    import httpx

    good = tmp_path / "good.png"
    good.write_bytes(httpx.get(f"{site['base']}/credentials/{site['active'].id}.png").content)
    revoked = tmp_path / "revoked.json"
    revoked.write_text(json.dumps(site["revoked"].credential), encoding="utf-8")
    tampered_doc = json.loads(json.dumps(site["active"].credential))
    tampered_doc["validFrom"] = "2020-01-01T00:00:00Z"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(tampered_doc), encoding="utf-8")

    page.goto(f"{site['base']}/verify")
    page.set_input_files("#file", [str(good), str(revoked), str(tampered)])
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=batch-verdict]")
    assert page.inner_text("[data-testid=batch-verdict]") == "1 of 3 verified"
    rows = page.locator("[data-testid=batch] tbody tr")
    assert [rows.nth(i).get_attribute("data-file") for i in range(3)] == ["good.png", "revoked.json", "tampered.json"]
    assert [rows.nth(i).get_attribute("class") for i in range(3)] == ["check pass", "check fail", "check fail"]
    assert "revoked" in rows.nth(1).inner_text()
    details = page.locator("[data-testid=batch-result]")
    assert details.count() == 3
    assert details.nth(2).locator("tr.check[data-check=proof]").get_attribute("data-status") == "fail"
    page.screenshot(path=str(SCREENSHOTS / "credstack-batch.png"))
    assert page.console_errors == []


def test_a_link_to_a_credential_from_elsewhere_is_explained(page: Any, site: dict[str, Any]) -> None:
    response = page.goto(f"{site['base']}/verify?credential=https://elsewhere.example/credentials/1")
    assert response.status == 404
    assert "only those can be opened by link" in page.inner_text("main")


def test_a_revoked_credential_opened_by_link_shows_revoked(page: Any, site: dict[str, Any]) -> None:
    credential_id = site["revoked"].credential["id"]
    page.goto(f"{site['base']}/verify?credential={credential_id}")
    assert page.inner_text("[data-testid=status]") == "revoked"
    assert page.inner_text("[data-testid=verdict]").startswith("✘ Not verified")
    assert _checks(page)["status"] == "fail"
    assert "revoked" in page.locator("tr.check[data-check=status] td").nth(2).inner_text()


def test_an_expired_credential_shows_expired(page: Any, site: dict[str, Any]) -> None:
    from datetime import UTC, datetime

    cs: Credstack = site["cs"]
    achievement = cs.achievements.list()[0]
    expired = cs.issuing.issue(
        achievement.id,
        recipient="old@example.org",
        valid_from=datetime(2020, 1, 1, tzinfo=UTC),
        valid_until=datetime(2021, 1, 1, tzinfo=UTC),
    )
    page.goto(f"{site['base']}/credentials/{expired.id}")
    assert page.inner_text("[data-testid=status]") == "expired"
    assert "1 January 2021" in page.inner_text("main")
    assert _checks(page)["validity"] == "fail"


def test_a_suspended_credential_page_shows_suspended(page: Any, site: dict[str, Any]) -> None:
    page.goto(f"{site['base']}/credentials/{site['suspended'].id}")
    assert page.inner_text("[data-testid=status]") == "suspended"


def test_the_credential_page_downloads_work(page: Any, site: dict[str, Any], tmp_path: Path) -> None:
    cs: Credstack = site["cs"]
    record = site["active"]
    page.goto(f"{site['base']}/credentials/{record.id}")
    assert page.inner_text("h1") == "Data Analysis with Python"
    assert page.inner_text("[data-testid=status]") == "active"
    page.screenshot(path=str(SCREENSHOTS / "credstack-credential.png"), full_page=True)
    assert page.evaluate("document.querySelector('.badge-row img').naturalWidth") == 240
    assert page.console_errors == []

    saved: dict[str, bytes] = {}
    for kind in ("json", "png", "svg"):
        with page.expect_download() as info:
            page.click(f"[data-testid=download-{kind}]")
        target = tmp_path / f"download.{kind}"
        info.value.save_as(str(target))
        saved[kind] = target.read_bytes()

    assert json.loads(saved["json"]) == record.credential
    assert json.loads(extract_png(saved["png"])) == record.credential
    assert json.loads(extract_svg(saved["svg"])) == record.credential
    for data in saved.values():
        assert cs.verifier.verify(data).verified

    verify_url = f"{site['base']}/verify?credential={quote(record.credential['id'], safe='')}"
    assert page.get_attribute("[data-testid=verify-link]", "href") == verify_url
    assert page.get_attribute("[data-testid=qr]", "src") == qr_data_uri(verify_url)
    assert page.evaluate("document.querySelector('[data-testid=qr]').naturalWidth") > 0

    page.click("[data-testid=verify-link]")
    page.wait_for_selector("[data-testid=verdict]")
    assert page.inner_text("[data-testid=verdict]").startswith("✔ Verified")


def test_an_unknown_credential_is_a_404_page(page: Any, site: dict[str, Any]) -> None:
    response = page.goto(f"{site['base']}/credentials/00000000000000000000000000000000")
    assert response.status == 404
    assert "404" in page.inner_text("h1")
    assert "not_found" in page.inner_text("main")


def test_the_home_page_links_to_the_verifier(page: Any, site: dict[str, Any]) -> None:
    page.goto(site["base"] + "/")
    assert "Open Badges 3.0" in page.inner_text("main")
    counts = page.inner_text("[data-testid=counts]")
    assert "1 issuable" in counts and "0 stacks" in counts  # this site defines one achievement and no pathway
    journeys = page.locator("[data-testid=journeys] a")
    hrefs = {journeys.nth(i).get_attribute("href") for i in range(journeys.count())}
    assert {"/issuer", "/wallet", "/planner", "/employer", "/market"} <= hrefs  # a way into every journey
    page.click("text=Open the verifier")
    page.wait_for_url(f"{site['base']}/verify")
    assert page.inner_text("h1") == "Verify a credential"


def test_the_api_documentation_renders_offline(page: Any, site: dict[str, Any]) -> None:
    page.goto(site["base"] + "/docs")
    page.get_by_text("/credentials/issue", exact=True).first.wait_for()
    assert page.locator(".swagger-ui .title").first.inner_text().startswith("credstack")


def test_pasting_a_vc_jwt_shows_the_credential_inside(page: Any, site: dict[str, Any]) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from credstack.proofs.jose import sign_vc_jwt
    from credstack.proofs.keys import did_key_from_public_key, verification_method_for_did_key

    private = Ed25519PrivateKey.generate()
    did = did_key_from_public_key(private.public_key().public_bytes_raw())
    credential = unsigned_credential(issuer={"id": did, "type": ["Profile"], "name": "JWT Academy"})
    credential["validFrom"] = "2025-01-01T00:00:00Z"
    credential["id"] = "urn:uuid:6a8f5a4c-3f0e-4c56-9d43-2f1f1f6f0b7e"
    token = sign_vc_jwt(credential, private, "EdDSA", kid=verification_method_for_did_key(did), embed_jwk=False)
    _paste_and_verify(page, site["base"], token)
    assert page.inner_text("[data-testid=verdict]").startswith("✔ Verified"), page.inner_text("main")
    assert "JWT Academy" in page.inner_text("[data-testid=issuer]")
    assert page.inner_text("[data-testid=achievement-name]") == credential["credentialSubject"]["achievement"]["name"]


def test_pasting_a_presentation_lists_each_credential_with_its_checks(page: Any, site: dict[str, Any]) -> None:
    from credstack.proofs.data_integrity import sign
    from credstack.proofs.keys import Ed25519Key, did_key_from_public_key, verification_method_for_did_key

    holder = Ed25519Key.generate()
    did = did_key_from_public_key(holder.public_key)
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": did,
        "verifiableCredential": [site["active"].credential, site["revoked"].credential],
    }
    signed = sign(
        presentation,
        key=holder,
        verification_method=verification_method_for_did_key(did),
        proof_purpose="authentication",
    )
    _paste_and_verify(page, site["base"], json.dumps(signed))
    assert page.inner_text("[data-testid=verdict] >> nth=0").startswith("✘ Not verified")
    assert did in page.inner_text("main")
    embedded = page.locator("[data-testid=embedded-credential]")
    assert embedded.count() == 2
    assert embedded.nth(0).locator("[data-testid=status]").inner_text() == "active"
    assert embedded.nth(0).locator("[data-testid=verdict]").inner_text().startswith("✔ Verified")
    assert embedded.nth(1).locator("[data-testid=status]").inner_text() == "revoked"
    assert embedded.nth(1).locator("tr.check[data-check=status]").get_attribute("data-status") == "fail"


def test_an_upload_over_the_size_limit_is_refused_with_a_page(page: Any, site: dict[str, Any], tmp_path: Path) -> None:
    big = tmp_path / "huge.json"
    big.write_bytes(b" " * (site["cs"].settings.max_document_bytes + 100_000))
    page.goto(f"{site['base']}/verify")
    page.set_input_files("#file", str(big))
    with page.expect_navigation() as navigation:
        page.click("button[type=submit]")
    assert navigation.value.status == 413
    assert "Document too large" in page.inner_text("h1")
    assert "document_too_large" in page.inner_text("main")
