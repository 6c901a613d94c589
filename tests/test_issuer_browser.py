"""Journey 1 in a real browser (Chromium via Playwright): an issuer admin signs in, defines a micro-credential with
two ESCO skills found by search and sees its market value, stacks it with an existing achievement, issues it to a
3-row roster (one bad row: 2 issued, 1 rejected with the reason), then suspends one credential and revokes another
and sees both statuses on the public verification page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api_support import served_credstack
from browser_support import SCREENSHOTS, browser, page  # noqa: F401  (pytest fixtures)
from credstack.app import Credstack

pytestmark = pytest.mark.browser

PASSWORD = "issuer-browser-pw"
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Credstack, str]]:
    with served_credstack(tmp_path_factory.mktemp("issuer-browser")) as (cs, base):
        cs.taxonomy.load(only=("skills",))
        cs.accounts.create_org("Demo Training Provider", slug="demo-provider", issuer_id=cs.issuers.default().id)
        cs.accounts.create_person(
            "admin@provider.example", password=PASSWORD, org_id="demo-provider", roles=["issuer_admin"]
        )
        spreadsheet = cs.achievements.create(
            None,
            name="Spreadsheet basics",
            description="Formulas, pivots and charts.",
            criteria_narrative="Completed the graded workbook.",
            achievement_type="MicroCredential",
            credits_available=2,
        )
        cs.pathways.create(  # an existing stack of the provider's, to add the new micro-credential to
            {
                "id": "office-data-track",
                "name": "Office data track",
                "requirement": {
                    "type": "all-of",
                    "requirements": [{"type": "achievement", "achievementId": spreadsheet.url}],
                },
            }
        )
        yield cs, base


def test_journey_1_define_stack_issue_and_revoke(
    served: tuple[Credstack, str],
    page: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    cs, base = served

    # 1. sign in as the issuer admin; the console is one click away
    page.goto(f"{base}/issuer")
    page.fill("#email", "admin@provider.example")
    page.fill("#password", PASSWORD)
    page.click("form[data-testid=signin] button[type=submit]")
    page.wait_for_selector("text=Issuer console: Demo Training Provider")
    assert page.is_visible("[data-testid=nav-issue]")

    # 2. define a micro-credential: two ESCO skills from search, the market value, level, credits, price...
    page.click("text=Define a micro-credential >> nth=0")
    page.fill("#name", "Data wrangling with Python and SQL")
    for query, uri in (("python", PYTHON), ("SQL", SQL)):
        page.fill("#q", query)
        page.click("[data-testid=skill-search]")
        page.click(f"button[data-add='{uri}']")
        page.wait_for_selector(f"[data-testid=chosen-skills] li[data-skill='{uri}']")
    assert page.locator("[data-testid=chosen-skills] li").count() == 2
    score = page.inner_text("[data-testid=market-score]")
    expected = cs.outlook.market_value([PYTHON, SQL])
    assert score == f"{round(expected.score * 100)} / 100"
    assert page.inner_text("[data-testid=market-basis]") == expected.basis
    with page.expect_navigation():
        page.press("#name", "Enter")  # Enter searches (the form's default button); it removes nothing
    assert page.locator("[data-testid=chosen-skills] li").count() == 2
    assert page.input_value("#name") == "Data wrangling with Python and SQL"
    page.fill("#description", "Clean, join and reshape data with pandas and SQL.")
    page.fill("#criteria", "A graded data-wrangling project.")
    page.fill("#eqf_level", "5")
    page.fill("#ects", "3")
    page.fill("#effort_hours", "75")
    page.fill("#price", "490")
    page.fill("#validity_months", "36")
    page.select_option("#assessment_method", "practical project with rubric")
    page.screenshot(path=str(SCREENSHOTS / "issuer-define.png"), full_page=True)
    page.click("[data-testid=create]")
    page.wait_for_selector("[data-testid=achievements] >> text=Data wrangling with Python and SQL")

    # 3. stack it with the existing achievement (at least 5 credits from the two)
    page.click("text=Make a stack >> nth=0")
    page.fill("#name", "Data foundations")
    page.check("input[data-name='Data wrangling with Python and SQL']")
    page.check("input[data-name='Spreadsheet basics']")
    page.check("input[name=rule][value=credits]")
    page.fill("input[name=min_credits]", "5")
    page.fill("#credits", "5")
    page.click("[data-testid=create-stack]")
    page.wait_for_selector("[data-testid=stacks] >> text=Data foundations")

    # 3b. add it to the provider's existing stack too (edit the stack: add to its all-of group)
    page.click("[data-stack=office-data-track] [data-testid=edit-stack]")
    page.select_option(
        "[data-group='0'] [data-testid=add-achievement]", label="Data wrangling with Python and SQL (3 credits)"
    )
    page.click("[data-group='0'] [data-testid=add-to-group]")
    page.wait_for_selector("[data-testid=stack-saved]")
    members = page.locator("[data-group='0'] [data-testid=stack-member]").all_inner_texts()
    assert [m.split("\n")[0].replace("Remove", "").strip() for m in members] == [
        "Spreadsheet basics",
        "Data wrangling with Python and SQL",
    ]
    assert cs.pathways.get("office-data-track").version == 2
    page.goto(f"{base}/issuer")

    # 4. issue to a roster with one bad row: a progress bar, then 2 issued and 1 rejected with the reason
    roster = tmp_path / "roster.csv"
    roster.write_text("recipient,name\nana@example.org,Ana\nnot an address,Bo\ncy@example.org,Cy\n")
    page.click("text=Issue to a roster >> nth=0")
    page.select_option("#achievement", label="Data wrangling with Python and SQL")
    page.set_input_files("#roster", str(roster))
    page.click("[data-testid=upload-roster]")
    page.wait_for_selector("[data-testid=job-report]")  # the progress bar polls the job; the page reloads when done
    assert "2 issued · 1 rejected" in page.inner_text("[data-testid=job-report]")
    assert "neither an e-mail address" in page.inner_text("[data-testid=rejections] tr[data-line='3']")
    with page.expect_download() as download:
        page.click("[data-testid=report-csv]")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [r["outcome"] for r in rows] == ["issued", "rejected", "issued"]
    page.screenshot(path=str(SCREENSHOTS / "issuer-job.png"), full_page=True)
    first, second = (page.get_attribute(f"[data-testid=issued] li:nth-child({n}) a", "data-credential") for n in (1, 2))

    # 5. suspend one, revoke the other (after confirming); the verify page shows both
    page.goto(f"{base}/credentials/{first}")
    page.click("[data-testid=suspend]")
    page.wait_for_selector("[data-testid=credential-state]:has-text('suspended')")
    page.goto(f"{base}/credentials/{second}")
    page.check("[data-testid=revoke-confirm]")
    page.click("[data-testid=revoke]")
    page.wait_for_selector("[data-testid=credential-state]:has-text('revoked')")
    for credential_id, state in ((first, "suspended"), (second, "revoked")):
        url = cs.issuing.get(str(credential_id)).credential["id"]
        page.goto(f"{base}/verify?credential={url}")
        assert state in page.inner_text("main").lower()
    page.screenshot(path=str(SCREENSHOTS / "issuer-verify-revoked.png"), full_page=True)
    assert page.console_errors == []
