"""Journey 2 in a real browser (docs/planner.md, docs/wallet.md): a learner signs in, sees her portfolio grouped by
stack with progress and credits, picks a target role by searching ESCO from the portfolio, sees the gap with an aged
skill marked, gets a plan, tries "5 more hours a week" (fewer or equal weeks), then shares her portfolio with an
expiry and sees the link listed. A second learner cannot open her plan. No CSP violations on the way."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from api_support import free_port, live_server
from browser_support import SCREENSHOTS, browser, page  # noqa: F401  (pytest fixtures)
from planning_support import LEARNER, NOW, open_planning_app, planning_database

pytestmark = pytest.mark.browser

PASSWORD = "ada-journey-2"
OTHER = "grace@example.org"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The planner's database (taxonomy slice, catalog, Ada's credentials, the dev-cert stack), copied; Ada can sign
    in, has earned one credential of the stack too, and has claimed all of hers into her wallet."""
    copy = tmp_path_factory.mktemp("journey2") / "credstack.db"
    shutil.copyfile(planning_database(tmp_path_factory).removeprefix("sqlite:///"), copy)
    cs = open_planning_app(f"sqlite:///{copy}")
    try:
        ada = cs.accounts.find_person(LEARNER) or cs.accounts.create_person(LEARNER, name="Ada")
        cs.accounts.set_password(ada.id, PASSWORD)
        cs.accounts.create_person(OTHER, password=PASSWORD)
        record = cs.catalog.publish("demo-00-04-a")  # half of the "Developer certificate" stack
        cs.issuing.issue(record.id, recipient=LEARNER, valid_from=NOW - timedelta(days=20))
        for document in cs.learners.issued_documents(LEARNER):
            cs.wallet.claim(ada.id, cs.wallet.claim_token(cs.issuing.get(str(document["id"])).id))
        with live_server(cs, free_port()) as url:
            yield url
    finally:
        cs.close()


def _sign_in(page: Any, site: str, email: str, next_path: str) -> None:  # noqa: F811
    page.goto(f"{site}/signin?next={next_path}")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_path}")


def _weeks(heading: str) -> float:
    found = re.search(r"([\d.]+) weeks at ([\d.]+) h/week", heading)
    assert found, heading
    return float(found.group(1))


def test_a_learner_walks_from_portfolio_to_plan_to_share(site: str, page: Any) -> None:  # noqa: F811
    _sign_in(page, site, LEARNER, "/portfolio")

    stack = page.locator('[data-testid="portfolio-group"][data-pathway="dev-cert"]')
    assert "Developer certificate" in stack.inner_text()
    assert "50%" in stack.inner_text() and "1.5 of 6 credits" in stack.inner_text()
    assert "credits earned" in page.get_by_test_id("portfolio-summary").inner_text()
    assert stack.get_by_test_id("pathway-link").get_attribute("href") == "/pathways/dev-cert?learner=ada%40example.org"

    search = page.get_by_test_id("portfolio-target-search")
    search.locator("input[name=q]").fill("software developer")
    search.get_by_role("button", name="Search ESCO").click()
    page.get_by_test_id("occupation-hit").filter(has_text=re.compile(r"^software developer$")).first.click()

    summary = page.get_by_test_id("gap-summary").inner_text()
    assert "software developer" in summary and "aged" in summary
    aged = page.locator("g.gap-row.aged")
    assert aged.count() >= 1 and "(aged)" in aged.first.inner_html()
    plan = page.get_by_test_id("plan")
    heading = plan.locator("h2").inner_text()
    weeks = _weeks(heading)
    assert "at 10 h/week" in heading and page.get_by_test_id("step").count() >= 1
    assert "Cost" in plan.inner_text() and page.locator(".why").first.inner_text()
    assert page.get_by_test_id("milestone-text").first.inner_text().startswith("Milestone: Developer certificate")
    page.screenshot(path=str(SCREENSHOTS / "journey2-plan.png"), full_page=True)

    page.get_by_test_id("faster-link").click()
    page.wait_for_url("**hours_per_week=15**")
    faster = page.get_by_test_id("plan").locator("h2").inner_text()
    assert "at 15 h/week" in faster and _weeks(faster) <= weeks
    assert "learner=" not in page.url  # her own plan: no identifier in the address

    page.get_by_test_id("wallet-bar").get_by_role("link", name="Wallet").click()
    share = page.get_by_test_id("share-create")
    for box in share.locator("input[name=items]").all():
        box.check()
    share.locator("#share-title").fill("For Acme")
    share.locator("#expires").select_option("7")
    share.get_by_role("button", name="Create share link").click()
    page.wait_for_url("**/wallet/shares/**")
    page.goto(f"{site}/wallet")
    listed = page.get_by_test_id("shares").inner_text()
    expires = (NOW + timedelta(days=7)).strftime("%Y-%m-%d")
    assert "For Acme" in listed and expires in listed and "active" in listed
    assert page.console_errors == []


def test_another_learner_cannot_open_her_plan(site: str, page: Any) -> None:  # noqa: F811
    _sign_in(page, site, OTHER, "/portfolio")
    response = page.goto(f"{site}/planner?learner={LEARNER}&target=software+developer")
    assert response is not None and response.status == 403
    assert "gap-summary" not in page.content()
