"""Journey 3 in a real browser (Chromium via Playwright): the employer uploads a batch with one tampered and one
revoked credential and downloads the report; opens a verified credential, sees the trust breakdown, trusts the issuer
and sees it marked trusted; posts a job and ranks the candidates who shared their portfolios."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from api_support import served_credstack
from browser_support import SCREENSHOTS, browser, page  # noqa: F401  (pytest fixtures)
from credstack.app import Credstack

pytestmark = pytest.mark.browser

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Credstack, str]]:
    with served_credstack(tmp_path_factory.mktemp("employer-browser")) as pair:
        yield pair


def achievement(cs: Credstack, name: str, skills: list[tuple[str, str]]) -> str:
    return cs.achievements.create(
        None,
        name=name,
        description=f"{name}.",
        criteria_narrative="Pass the proctored exam.",
        achievement_type="MicroCredential",
        alignments=[{"targetName": label, "targetUrl": uri, "targetFramework": "ESCO"} for uri, label in skills],
    ).id


def test_verify_a_batch_trust_an_issuer_and_rank_candidates(
    served: tuple[Credstack, str],
    page: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    cs, base = served
    data_skills = achievement(cs, "Data skills", [(PYTHON, "Python"), (SQL, "SQL")])
    good, tampered, revoked = (
        cs.issuing.issue(data_skills, recipient=f"{n}@example.org").credential for n in ("good", "tampered", "revoked")
    )
    tampered["credentialSubject"]["achievement"]["name"] = "Brain surgery"
    cs.status.revoke(revoked["id"])
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name, doc in (("good.json", good), ("tampered.json", tampered), ("revoked.json", revoked)):
            z.writestr(name, json.dumps(doc))

    # 1. upload the batch, see each verdict, download the CSV report
    page.goto(f"{base}/employer/verify")
    page.set_input_files("#file", str(archive))
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=batch-verdict]")
    assert "1 of 3 verified" in page.inner_text("[data-testid=batch-verdict]")
    assert page.get_attribute("tr[data-file='tampered.json']", "data-verified") == "false"
    assert "status" in page.inner_text("tr[data-file='revoked.json']")
    with page.expect_download() as download:
        page.click("[data-testid=report-csv]")
    rows = {r["file"]: r for r in csv.DictReader(io.StringIO(Path(download.value.path()).read_text()))}
    assert (rows["good.json"]["verdict"], rows["tampered.json"]["proof"], rows["revoked.json"]["status"]) == (
        "verified",
        "fail",
        "fail",
    )
    page.screenshot(path=str(SCREENSHOTS / "employer-batch.png"), full_page=True)

    # 2. open the verified credential: the trust breakdown; trust its issuer; it is marked trusted
    page.click("tr[data-file='good.json'] a")
    page.wait_for_selector("[data-testid=trust]")
    assert page.get_attribute("tr[data-signal=registry]", "data-level") in {"unknown", "weak"}
    assert page.get_attribute("tr[data-signal=assessment]", "data-level") == "strong"
    page.click("[data-testid=trust-issuer] button")
    page.wait_for_selector("tr[data-signal=registry][data-level=strong]")
    assert "trusted: on your registry" in page.inner_text("tr[data-signal=registry]")
    page.screenshot(path=str(SCREENSHOTS / "employer-trust.png"), full_page=True)

    # 3. candidates share portfolios with the organisation; post a job; rank them
    org = cs.accounts.create_org("Default employer", slug="default").id
    for email, skills in (
        ("pat@example.org", [(PYTHON, "Python")]),
        ("sam@example.org", [(PYTHON, "Python"), (SQL, "SQL")]),
    ):
        person = cs.accounts.create_person(email)
        issued = cs.issuing.issue(achievement(cs, f"Skills of {email}", skills), recipient=email).credential
        item = cs.wallet.import_bytes(person.id, json.dumps(issued).encode())
        cs.sharing.create(
            person.id, [item.id], title=f"Portfolio of {email}", org_id=org, expires_at=cs.clock() + timedelta(days=7)
        )
    page.goto(f"{base}/employer/jobs")
    page.fill("#title", "Data engineer")
    page.fill("#text", "We are hiring a data engineer who writes Python and SQL every day.")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=candidates]")
    assert "Python" in page.inner_text("[data-testid=job-skills]")
    names = page.locator("[data-testid=candidates] tbody tr td:nth-child(2) a").all_inner_texts()
    assert names == ["Portfolio of sam@example.org", "Portfolio of pat@example.org"]
    assert "missing essential: SQL" in page.inner_text("[data-testid=candidates] tbody tr:nth-child(2)")
    page.screenshot(path=str(SCREENSHOTS / "employer-ranking.png"), full_page=True)
    assert page.console_errors == []
