"""The pathway page in a real browser (Chromium): a demo learner's tree with satisfied and missing nodes, the
credits bar, the cheapest remaining set, and the award; the CSP holds (no console errors)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from api_support import free_port, live_server
from browser_support import SCREENSHOTS, browser, page  # noqa: F401  (pytest fixtures)
from credstack.app import Credstack
from credstack.settings import Settings
from learner_support import admin_session, browser_sign_in
from pathway_support import demo_stacks_database

pytestmark = pytest.mark.browser

BASE = "http://127.0.0.1:8000"  # the seeded database's base URL (shared with test_pathways_demo_web)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    url, _ = demo_stacks_database(tmp_path_factory, BASE)
    with Credstack.from_settings(Settings(database_url=url, base_url=BASE)) as cs, live_server(cs, free_port()) as base:
        yield base, admin_session(cs)  # a learner's progress is private: a platform admin looks


def test_a_learners_pathway_page_shows_met_and_missing_nodes_and_the_award(
    site: tuple[str, dict[str, str]],
    page: Any,  # noqa: F811
) -> None:
    browser_sign_in(page, *site)
    page.goto(f"{site[0]}/pathways")
    page.get_by_test_id("learner").fill("maya.okafor@example.org")
    page.get_by_role("button", name="Show progress").click()
    page.get_by_role("link", name="Data career pathway").click()

    tree = page.get_by_test_id("tree")
    met = tree.locator('[data-testid="node"][data-met="yes"]')
    unmet = tree.locator('[data-testid="node"][data-met="no"]')
    assert met.count() >= 5 and unmet.count() >= 2
    assert tree.locator('[data-kind="qualification"][data-met="yes"]').first.is_visible()  # the certificate
    assert page.get_by_test_id("remaining").locator("li").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "pathway-maya.png"), full_page=True)

    page.get_by_role("link", name="Data analyst certificate").first.click()
    award = page.get_by_test_id("award")
    assert "awarded" in award.inner_text()
    page.get_by_test_id("award-credential").click()
    assert page.get_by_test_id("status").inner_text() == "active"
    assert page.console_errors == []


def test_an_award_under_review_says_why(site: tuple[str, dict[str, str]], page: Any) -> None:  # noqa: F811
    browser_sign_in(page, *site)
    page.goto(f"{site[0]}/pathways/electrician-trade-units?learner=amara.nwosu%40example.org")
    assert "Under review" in page.get_by_test_id("review-reason").inner_text()
    assert page.locator('[data-testid="node"][data-kind="achievement"][data-met="no"]').count() == 1
    page.get_by_test_id("award-credential").click()
    assert page.get_by_test_id("status").inner_text() == "suspended"
    assert page.console_errors == []
