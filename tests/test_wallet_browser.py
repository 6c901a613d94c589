"""End to end in Chromium: a learner signs in, claims a credential from its link, imports a baked PNG earned
elsewhere, shares one of the two with an expiry; the employer (a second browser context) opens the link and sees
that credential verified, and not the other; the learner sees the view in the log and revokes the link; the
employer's reload shows it revoked."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from api_support import OB_CONTEXT, VC_CONTEXT, served_credstack
from browser_support import SCREENSHOTS, browser, page  # noqa: F401  (pytest fixtures)
from credstack.app import Credstack
from credstack.domain.baking import bake_png
from credstack.proofs.data_integrity import sign
from credstack.proofs.keys import Ed25519Key
from credstack.web.badge_image import badge_png
from issuer_support import micro_achievement

pytestmark = pytest.mark.browser

PASSWORD = "learner password 1"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Credstack, str]]:
    with served_credstack(tmp_path_factory.mktemp("wallet-browser")) as pair:
        yield pair


def credential_from_elsewhere() -> dict[str, Any]:
    """An OB 3.0 credential signed by another issuer's did:key, with no status list: verifiable offline."""
    key = Ed25519Key.generate()
    unsigned = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": "urn:uuid:5f0f9a52-3a0b-4c55-9a7e-3b4f6f3a7e01",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": key.did, "type": ["Profile"], "name": "Other College"},
        "validFrom": "2025-06-01T00:00:00Z",
        "name": "Spreadsheet Modelling",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": "did:example:lea",
            "achievement": {
                "id": "https://other.example/achievements/spreadsheets",
                "type": ["Achievement"],
                "name": "Spreadsheet Modelling",
                "description": "Builds and audits spreadsheet models.",
                "criteria": {"narrative": "Passed the modelling exam."},
            },
        },
    }
    return sign(unsigned, key=key, verification_method=key.verification_method, created=datetime.now(UTC))


def test_learner_claims_imports_shares_and_revokes(
    served: tuple[Credstack, str],
    browser: Any,  # noqa: F811
    page: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    cs, base = served
    cs.accounts.create_org("Example University", slug="uni", issuer_id=cs.issuers.default().id)
    cs.accounts.create_person("lea@example.com", name="Lea Learner", password=PASSWORD)
    issued = cs.issuing.issue(micro_achievement(cs).id, recipient="lea@example.com")
    claim_url = cs.wallet.claim_link(issued.id)
    badge = tmp_path / "spreadsheets.png"
    badge.write_bytes(bake_png(badge_png("Spreadsheet Modelling"), credential_from_elsewhere()))

    # 1. the claim link asks to sign in, and comes back to the claim after signing in
    page.goto(claim_url)
    page.get_by_test_id("signin-to-claim").click()
    page.fill("#email", "lea@example.com")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("claim").click()
    assert page.get_by_test_id("claimed").is_visible()
    assert page.get_by_test_id("verdict").inner_text().startswith("✔ Verified")

    # 2. import a baked PNG from elsewhere: verified on the spot
    page.goto(f"{base}/wallet")
    page.set_input_files("#file", str(badge))
    page.get_by_role("button", name="Verify and import").click()
    assert "Spreadsheet Modelling" in page.get_by_test_id("import-ok").inner_text()
    rows = page.get_by_test_id("wallet-items").locator("tr[data-item]")
    assert rows.count() == 2
    assert page.get_by_test_id("item-status").all_inner_texts() == ["active", "active"]

    # the portfolio counts both as verified; the claimed one downloads as a PDF certificate
    page.goto(f"{base}/portfolio")
    assert page.get_by_test_id("portfolio-summary").inner_text().startswith("2 of 2 credentials verified")
    page.goto(f"{base}/wallet")
    page.get_by_role("link", name="Data Wrangling").click()
    with page.expect_download() as download:
        page.get_by_test_id("pdf").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    assert page.get_by_test_id("linkedin").get_attribute("href").startswith("https://www.linkedin.com/profile/add?")
    page.get_by_test_id("share-one").get_by_role("button").click()  # a share of this one credential
    assert page.get_by_test_id("share-items").inner_text().strip() == "Data Wrangling"
    page.goto(f"{base}/wallet")

    # 3. share only the claimed credential, expiring in 7 days
    form = page.get_by_test_id("share-create")
    form.locator('input[data-title="Data Wrangling"]').check()
    form.locator("#expires").select_option("7")
    form.get_by_role("button", name="Create share link").click()
    share_url = page.get_by_test_id("share-url").inner_text()
    assert re.fullmatch(rf"{re.escape(base)}/s/[\w-]+", share_url)
    assert page.get_by_test_id("share-items").inner_text().strip() == "Data Wrangling"

    # 4. the employer, in another browser context, sees the shared credential verified and nothing else
    employer = browser.new_context()
    try:
        shared = employer.new_page()
        response = shared.goto(share_url)
        assert response is not None and response.status == 200
        cards = shared.get_by_test_id("shared-credential")
        assert cards.count() == 1 and cards.first.get_attribute("data-title") == "Data Wrangling"
        assert cards.first.get_by_test_id("verdict").inner_text().startswith("✔ Verified")
        checks = cards.first.locator("tr[data-check]")
        assert {"proof", "status", "validity"} <= {
            checks.nth(i).get_attribute("data-check") for i in range(checks.count())
        }
        assert "Spreadsheet Modelling" not in shared.content()
        shared.screenshot(path=str(SCREENSHOTS / "wallet-shared-view.png"), full_page=True)

        # 5. the learner sees the view in the log and revokes the link
        page.reload()
        log = page.get_by_test_id("view-log").locator("tr[data-outcome]")
        assert log.count() == 1 and log.first.get_attribute("data-outcome") == "shown"
        page.get_by_test_id("revoke-share").click()
        assert page.get_by_test_id("share-state").inner_text() == "revoked"

        # 6. the employer's reload shows it is revoked, and no credential
        response = shared.reload()
        assert response is not None and response.status == 410
        assert "revoked" in shared.get_by_test_id("share-unavailable").inner_text()
        assert shared.get_by_test_id("shared-credential").count() == 0
    finally:
        employer.close()
    page.reload()
    outcomes = page.get_by_test_id("view-log").locator("tr[data-outcome]")
    assert [outcomes.nth(i).get_attribute("data-outcome") for i in range(outcomes.count())] == ["revoked", "shown"]
    assert page.console_errors == []
