"""The /planner page in a real browser: the gap chart (aged skills marked), the plan's timeline and steps, the
"5 more hours a week" what-if followed as a link, and the JSON twin; no CSP violations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from api_support import free_port, live_server
from browser_support import SCREENSHOTS, browser, page  # noqa: F401  (pytest fixtures)
from learner_support import admin_session, browser_sign_in
from planning_support import LEARNER, SOFTWARE_DEVELOPER, open_planning_app, planning_database

pytestmark = pytest.mark.browser
SIGNED_IN: dict[str, dict[str, str]] = {}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    cs = open_planning_app(planning_database(tmp_path_factory))
    try:
        with live_server(cs, free_port()) as url:
            SIGNED_IN[url] = admin_session(cs)  # a learner's plan is private: a platform admin looks
            yield url
    finally:
        cs.close()


def test_planner_page_shows_gap_timeline_and_what_if(base: str, page: Any) -> None:  # noqa: F811
    query = urlencode({"learner": LEARNER, "target": SOFTWARE_DEVELOPER, "hours_per_week": 8})
    browser_sign_in(page, base, SIGNED_IN[base])
    page.goto(f"{base}/planner?{query}")
    summary = page.get_by_test_id("gap-summary").inner_text()
    assert "software developer" in summary and "aged" in summary
    rows = page.get_by_test_id("gap-row")
    assert rows.count() >= 10
    assert page.locator("g.gap-row.aged").count() >= 1
    assert "(aged)" in page.locator("g.gap-row.aged").first.inner_html()
    steps = page.get_by_test_id("step")
    bars = page.get_by_test_id("timeline-bar")
    assert steps.count() >= 1 and bars.count() == steps.count()
    heading = page.get_by_test_id("plan").locator("h2").inner_text()
    assert "at 8 h/week" in heading
    page.screenshot(path=str(SCREENSHOTS / "credstack-planner.png"), full_page=True)
    weeks_at_8 = float(heading.split(" weeks at")[0].rsplit(", ", 1)[1])
    page.get_by_test_id("faster-link").click()
    page.wait_for_url("**hours_per_week=13**")
    heading = page.get_by_test_id("plan").locator("h2").inner_text()
    weeks_at_13 = float(heading.split(" weeks at")[0].rsplit(", ", 1)[1])
    assert "at 13 h/week" in heading and weeks_at_13 < weeks_at_8
    assert page.console_errors == []  # before the JSON twin, whose tab asks for a /favicon.ico
    twin = page.get_by_test_id("json-link").get_attribute("href")
    page.goto(f"{base}{twin}")
    data = json.loads(page.locator("body").inner_text())
    assert data["feasible"] and data["options"]["hoursPerWeek"] == 13


def test_planner_page_suggests_targets_and_shows_the_quarterly_audit(base: str, page: Any) -> None:  # noqa: F811
    browser_sign_in(page, base, SIGNED_IN[base])
    page.goto(f"{base}/planner?" + urlencode({"learner": LEARNER, "target": SOFTWARE_DEVELOPER}))
    audit = page.get_by_test_id("audit")
    assert audit.is_visible() and "software developer" in audit.locator("h2").inner_text()
    assert page.get_by_test_id("audit-expiring").first.inner_text().startswith("ICT debugging tools: introduction")
    assert page.get_by_test_id("audit-decaying").count() >= 1 and page.get_by_test_id("audit-refresher").count() >= 1
    suggestions = page.get_by_test_id("suggestion")
    assert suggestions.count() >= 1
    assert page.console_errors == []  # server-rendered: nothing the CSP blocks
    first = suggestions.first.locator("a")
    label = first.inner_text()
    first.click()
    page.wait_for_url("**target=*")
    assert label in page.get_by_test_id("gap").locator("h2").inner_text()
    assert f"learner={LEARNER}".replace("@", "%40") in page.url  # an admin stays on the learner's plans


def test_planner_page_without_input_shows_the_form(base: str, page: Any) -> None:  # noqa: F811
    page.goto(f"{base}/planner")
    assert page.get_by_test_id("planner-form").is_visible()
    assert page.get_by_test_id("gap").count() == 0
    browser_sign_in(page, base, SIGNED_IN[base])
    page.goto(f"{base}/planner?" + urlencode({"learner": LEARNER, "target": "role:missing"}))
    assert "role:missing" in page.content() or "no role profile" in page.content()
