"""The taxonomy pages in a real headless Chromium (Playwright): search with a typo, follow relations as links,
read the attribution; no console errors (the pages' CSP forbids inline scripts and styles)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api_support import free_port, live_server
from conftest import IN_CI
from taxonomy_helpers import loaded_database, make_app

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("CREDSTACK_SCREENSHOT_DIR", "/tmp"))

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, _ = loaded_database(tmp_path_factory)
    with make_app(url) as cs, live_server(cs, free_port()) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM) and shutil.which("chromium") is None:
        if IN_CI:
            pytest.fail(f"browser tests must run in CI but {CHROMIUM} is missing")
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-background-networking"]
        )
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    try:
        yield pg
    finally:
        context.close()


def test_search_then_follow_relations(page: Any, base: str) -> None:
    page.goto(f"{base}/taxonomy")
    page.fill("#q", "pyhton")
    page.select_option("select[name=kind]", "skill")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=results]")
    first = page.locator("[data-testid=results] tbody tr").first.locator("a")
    assert first.inner_text() == "Python (computer programming)"
    page.screenshot(path=str(SCREENSHOTS / "credstack-taxonomy-search.png"), full_page=True)
    first.click()
    assert page.inner_text("h1") == "Python (computer programming)"
    assert "computer programming" in page.inner_text("[data-testid=broader]")
    page.get_by_role("link", name="software developer", exact=True).click()
    assert page.inner_text("h1") == "software developer"
    assert "debug software" in page.inner_text("[data-testid=essential-skills]")
    page.locator("[data-testid=onet] a").first.click()
    assert page.inner_text("h1") == "Software Developers"
    assert "hot" in page.inner_text("[data-testid=technology-skills]")
    page.screenshot(path=str(SCREENSHOTS / "credstack-taxonomy-onet.png"), full_page=True)
    page.click("a[href='/about']")
    assert "ESCO classification, European Commission, v1.1.1" in page.inner_text("[data-testid=attribution]")
    assert page.console_errors == []
