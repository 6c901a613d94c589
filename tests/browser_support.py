"""Shared helpers for browser tests: Debian's Chromium driven by Playwright.

Use in a test module::

    from browser_support import browser, page  # noqa: F401  (pytest fixtures)
    pytestmark = pytest.mark.browser

A missing browser fails in CI and skips, with the reason, elsewhere. ``page.console_errors`` collects console
errors (the pages' CSP forbids inline scripts and styles, so a violation shows up there).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import IN_CI

CHROMIUM = "/usr/bin/chromium"
#: Where browser tests leave screenshots to look at.
SCREENSHOTS = Path(os.environ.get("CREDSTACK_SCREENSHOT_DIR", "/tmp"))

__all__ = ["CHROMIUM", "SCREENSHOTS", "browser", "chromium_executable", "page"]


def chromium_executable() -> str:
    found = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if found is None:
        if IN_CI:
            pytest.fail(f"browser tests must run in CI but {CHROMIUM} is missing")
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_executable()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox", "--disable-background-networking"]
        )
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    try:
        yield pg
    finally:
        context.close()
