"""The /catalog page in a real headless Chromium (Playwright): search with filters, switch the match toggle to
meaning (semantic search with the real model), open an entry and its CTDL export; no console errors (strict CSP)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from api_support import free_port, live_server
from browser_support import SCREENSHOTS, browser, page  # noqa: F401  (pytest fixtures)
from catalog_support import indexed_database, open_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = indexed_database(tmp_path_factory)
    with open_app(url) as cs, live_server(cs, free_port()) as base_url:
        yield base_url


def _column(pg: Any, index: int) -> list[str]:
    return [c.inner_text() for c in pg.locator(f"[data-testid=results] tbody tr td:nth-child({index})").all()]


def test_search_filters_semantic_mode_and_an_entry(page: Any, base: str) -> None:  # noqa: F811
    page.goto(f"{base}/catalog")
    assert page.locator("[data-testid=mode] input[value=hybrid]").is_checked()  # the index exists
    page.fill("#q", "welding")
    page.fill("#max_hours", "40")
    page.locator("[data-testid=mode] input[value=lexical]").check()
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=results]")
    assert "(lexical search)" in page.inner_text("[data-testid=mode-ran]")
    hours = [float(h.removesuffix(" h")) for h in _column(page, 3)]
    assert hours and all(h <= 40 for h in hours)
    assert "weld" in _column(page, 1)[0].lower()

    page.fill("#q", "looking after sick people")
    page.fill("#max_hours", "")
    page.fill("#max_price", "5000")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    lexical = _column(page, 1) if page.locator("[data-testid=results]").count() else []
    assert not any("Nursing Aide" in n for n in lexical[:3])  # no word in common

    page.locator("[data-testid=mode] input[value=semantic]").check()
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=results]")
    assert "(semantic search)" in page.inner_text("[data-testid=mode-ran]")
    assert page.locator("[data-testid=mode] input[value=semantic]").is_checked()  # the toggle keeps its state
    assert any("Certified Nursing Aide" in n for n in _column(page, 1)[:3])  # with demo nursing units
    prices = [float(re.sub(r"[^\d.]", "", p)) for p in _column(page, 4) if p.strip() != "?"]
    assert prices and all(p <= 5000 for p in prices)
    page.screenshot(path=str(SCREENSHOTS / "catalog-semantic.png"), full_page=True)

    page.click("[data-testid=results] tbody td:first-child a:text-is('Certified Nursing Aide')")
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "Certified Nursing Aide"
    assert "Provider" in page.inner_text("[data-testid=facts]")
    ctdl = page.request.get(base + page.get_attribute("[data-testid=ctdl-link]", "href")).json()
    assert ctdl["@type"].startswith("ceterms:") and ctdl["ceterms:name"]["en"] == "Certified Nursing Aide"
    assert page.console_errors == []
