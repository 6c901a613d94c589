"""The issuer console (/issuer) through HTTP on a live server: who may use it, defining a micro-credential with
validation errors and its market value, stacks validated by the pathway service, roster jobs with their report,
and status changes from a credential's page (CSRF required, another organisation's admin refused)."""

from __future__ import annotations

import csv
import html
import io
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api_support import served_credstack
from credstack.app import Credstack
from credstack.web.session import SESSION_COOKIE

PASSWORD = "issuer-console-pw"
PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Credstack, str, dict[str, str]]]:
    with served_credstack(tmp_path_factory.mktemp("issuer-console")) as (cs, base):
        cs.taxonomy.load(only=("skills",))
        cs.accounts.create_org("Provider", slug="provider", issuer_id=cs.issuers.default().id)
        other = cs.issuers.create("Other College")
        cs.accounts.create_org("Other College", slug="other", issuer_id=other.id)
        people = {
            "admin": cs.accounts.create_person("admin@provider.test", org_id="provider", roles=["issuer_admin"]),
            "learner": cs.accounts.create_person("learner@provider.test", org_id="provider", roles=["learner"]),
            "other": cs.accounts.create_person("admin@other.test", org_id="other", roles=["issuer_admin"]),
        }
        cookies = {name: cs.accounts.start_session(p.id)[0] for name, p in people.items()}
        yield cs, base, cookies


def client(base: str, cookie: str | None) -> httpx.Client:
    http = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
    if cookie:
        http.cookies.set(SESSION_COOKIE, cookie)
    return http


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def test_only_issuer_admins_of_the_organisation_get_in(served: tuple[Credstack, str, dict[str, str]]) -> None:
    cs, base, cookies = served
    with client(base, None) as anonymous:
        response = anonymous.get("/issuer")
        assert response.status_code == 303 and response.headers["location"].startswith("/signin?next=")
    with client(base, cookies["learner"]) as learner:
        refused = learner.get("/issuer", headers={"Accept": "text/html"})
        assert refused.status_code == 403 and "issuer admins" in refused.text
        assert 'data-testid="nav-issue"' not in learner.get("/catalog").text
    with client(base, cookies["other"]) as other:
        assert other.get("/issuer", params={"org": "provider"}).status_code == 403
        assert "Other College" in other.get("/issuer").text
    with client(base, cookies["admin"]) as admin:
        home = admin.get("/issuer")
        assert home.status_code == 200 and "Issuer console: Provider" in home.text
        assert 'data-testid="nav-issue"' in home.text
        twin = admin.get("/issuer.json").json()
        assert twin["org"] == {"id": "provider", "name": "Provider", "issuerId": cs.issuers.default().id}
    with client(base, cookies["learner"]) as learner:
        assert learner.get("/issuer.json").status_code == 403


def test_define_a_micro_credential_with_skills_and_market_value(
    served: tuple[Credstack, str, dict[str, str]],
) -> None:
    cs, base, cookies = served
    with client(base, cookies["admin"]) as admin:
        token = csrf_of(admin.get("/issuer/achievements/new").text)
        form: dict[str, Any] = {"csrf_token": token, "org": "provider", "name": "Data wrangling"}
        searched = admin.post("/issuer/achievements/new", data={**form, "q": "python", "op": "search"})
        assert searched.status_code == 200 and f'data-add="{PYTHON}"' in searched.text
        added = admin.post(
            "/issuer/achievements/new",
            data={**form, "op": f"add:{PYTHON}|Python (computer programming)", "skill": f"{SQL}|SQL"},
        )
        assert f'data-skill="{PYTHON}"' in added.text and f'data-skill="{SQL}"' in added.text
        assert 'data-testid="market-score"' in added.text and 'data-testid="market-basis"' in added.text
        expected = cs.outlook.market_value([SQL, PYTHON])
        assert f"{round(expected.score * 100)} / 100" in added.text
        twin = admin.get("/issuer/market-value.json", params={"skill": [SQL, PYTHON]}).json()
        assert (twin["score"], twin["basis"], twin["total"]) == (round(expected.score, 4), expected.basis, 2)

        skills = [f"{PYTHON}|Python (computer programming)", f"{SQL}|SQL"]
        bad = admin.post(
            "/issuer/achievements/new",
            data={**form, "op": "create", "skill": skills, "description": "", "eqf_level": "11", "ects": "lots"},
        )
        assert bad.status_code == 400
        assert 'data-error="description"' in bad.text and "EQF level is 1 to 8" in bad.text
        assert "ECTS credits must be a number" in bad.text
        assert not [a for a in cs.achievements.list() if a.name == "Data wrangling"]

        created = admin.post(
            "/issuer/achievements/new",
            data={
                **form,
                "op": "create",
                "skill": skills,
                "description": "Clean and join data in Python and SQL.",
                "criteria": "A graded project.",
                "achievement_type": "MicroCredential",
                "eqf_level": "5",
                "ects": "3",
                "effort_hours": "75",
                "price": "490",
                "currency": "EUR",
                "assessment_method": "practical project with rubric",
                "validity_months": "36",
            },
        )
        assert created.status_code == 303
    (record,) = [a for a in cs.achievements.list() if a.name == "Data wrangling"]
    assert record.issuer_id == cs.issuers.default().id
    assert {x["targetUrl"] for x in record.definition["alignment"]} >= {PYTHON, SQL}
    entry = cs.catalog.get(record.definition["humanCode"])
    assert (entry.eqf_level, entry.ects, entry.effort_hours, entry.price, entry.validity_months) == (5, 3, 75, 490, 36)
    assert entry.provider == "Provider"


def test_forms_need_the_csrf_token(served: tuple[Credstack, str, dict[str, str]]) -> None:
    cs, base, cookies = served
    with client(base, cookies["admin"]) as admin:
        refused = admin.post("/issuer/achievements/new", data={"op": "search", "q": "python"})
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
        record = cs.issuing.issue(cs.achievements.list()[0].id, recipient="csrf@example.org")
        assert admin.post(f"/issuer/credentials/{record.id}/suspend", data={"csrf_token": "x"}).status_code == 403
    assert cs.status.status_of(record.id).state == "active"


def test_stack_errors_are_shown_and_a_valid_stack_is_stored(served: tuple[Credstack, str, dict[str, str]]) -> None:
    cs, base, cookies = served
    first = cs.achievements.create(
        None, name="Stack part one", description="One.", criteria_narrative="Pass.", credits_available=2
    )
    second = cs.achievements.create(
        None, name="Stack part two", description="Two.", criteria_narrative="Pass.", credits_available=3
    )
    with client(base, cookies["admin"]) as admin:
        token = csrf_of(admin.get("/issuer/stacks/new").text)
        base_form = {"csrf_token": token, "org": "provider", "name": "Two parts"}
        too_many = admin.post(
            "/issuer/stacks/new", data={**base_form, "rule": "n-of", "n": "3", "achievement": [first.url, second.url]}
        )
        assert too_many.status_code == 400 and 'data-testid="stack-error"' in too_many.text
        assert "n-of(3): needs 3 of 2 requirements" in too_many.text  # where the problem is, and what it is
        made = admin.post(
            "/issuer/stacks/new",
            data={
                **base_form,
                "rule": "credits",
                "min_credits": "5",
                "credits": "5",
                "achievement": [first.url, second.url],
            },
        )
        assert made.status_code == 303
        assert "Two parts" in admin.get("/issuer").text
        larger = admin.post(
            "/issuer/stacks/new",
            data={
                **base_form,
                "name": "Larger qualification",
                "rule": "all-of",
                "credits": "10",
                "achievement": [first.url],
                "nested": "provider-two-parts",
            },
        )
        assert larger.status_code == 303
    stack = cs.pathways.get("provider-two-parts")
    assert stack.definition["requirement"]["type"] == "credits" and stack.issuer.id == cs.issuers.default().id
    nested = cs.pathways.get("provider-larger-qualification").definition["requirement"]["requirements"]
    assert {"type": "qualification", "qualificationId": "provider-two-parts"} in nested


def test_an_issuer_adds_a_new_micro_credential_to_an_existing_stack(
    served: tuple[Credstack, str, dict[str, str]],
) -> None:
    """Journey 1.3: the edit page lists the stack's groups; adding the new achievement stores version 2 (the public
    page shows it by name); removing one that leaves n larger than the group is refused at that group; a stale form
    gets 409; CSRF is required; another organisation's admin can neither see nor change the stack."""
    cs, base, cookies = served
    parts = [
        cs.achievements.create(
            None, name=f"Edit part {n}", description="A part.", criteria_narrative="Pass.", credits_available=2
        )
        for n in ("A", "B")
    ]
    new = cs.achievements.create(
        None, name="Freshly defined unit", description="New.", criteria_narrative="Pass.", credits_available=2
    )
    a, b, c = (x.url for x in (*parts, new))
    cs.pathways.create(
        {
            "id": "provider-edit-me",
            "name": "Edit me",
            "requirement": {
                "type": "all-of",
                "requirements": [
                    {
                        "type": "n-of",
                        "n": 2,
                        "requirements": [{"type": "achievement", "achievementId": x} for x in (a, b)],
                    },
                    {"type": "credits", "credits": 2, "filter": {"achievementIds": [a]}},
                ],
            },
        },
        issuer_ref=cs.issuers.default().id,
    )
    edit = "/issuer/stacks/provider-edit-me/edit"
    with client(base, cookies["admin"]) as admin:
        home = admin.get("/issuer").text
        assert f'href="{edit}?org=provider" data-testid="edit-stack"' in home
        just_defined = admin.get("/issuer", params={"created": new.id}).text  # where "create" lands
        assert 'data-testid="add-created">Add Freshly defined unit to one of your stacks' in just_defined
        link = re.search(r'href="(/issuer/stacks/provider-edit-me/edit[^"]*)" data-testid="edit-stack"', just_defined)
        assert link is not None
        page = admin.get(html.unescape(link.group(1)))
        assert page.status_code == 200
        assert re.findall(r'data-group="(\d+)" data-kind="([a-z-]+)"', page.text) == [
            ("0", "all-of"),
            ("1", "n-of"),
            ("4", "credits"),
        ]
        assert "Any 2 of:" in page.text and "At least 2 credits from:" in page.text
        assert f'<option value="{c}" selected>Freshly defined unit (2 credits)</option>' in page.text
        token = csrf_of(page.text)
        form = {"csrf_token": token, "org": "provider", "version": "1"}
        added = admin.post(edit, data={**form, "group": "1", "achievement": c})
        assert added.status_code == 303 and "added=1" in added.headers["location"]
        stored = cs.pathways.get("provider-edit-me")
        assert stored.version == 2
        group = stored.definition["requirement"]["requirements"][0]
        assert [r["achievementId"] for r in group["requirements"]] == [a, b, c]
        assert "Freshly defined unit" in admin.get("/pathways/provider-edit-me").text
        saved = admin.get(added.headers["location"]).text
        assert 'data-testid="stack-saved"' in saved and 'data-testid="stack-version">2<' in saved

        stale = admin.post(edit, data={**form, "group": "4", "achievement": c})  # the form still says version 1
        assert stale.status_code == 409 and "changed since you opened it" in stale.text
        form["version"] = "2"
        assert 'data-group="5" data-kind="credits"' in saved  # groups are numbered in the current version
        credits = admin.post(edit, data={**form, "group": "5", "achievement": c})
        assert credits.status_code == 303
        credit_filter = cs.pathways.get("provider-edit-me").definition["requirement"]["requirements"][1]["filter"]
        assert sorted(credit_filter["achievementIds"]) == sorted([a, c])
        form["version"] = "3"
        assert admin.post(edit, data={**form, "group": "1", "remove": a}).status_code == 303
        form["version"] = "4"
        refused = admin.post(edit, data={**form, "group": "1", "remove": b})  # 2 of 1: not valid
        assert refused.status_code == 400
        section = refused.text.split('id="group-1"', 1)[1].split("</section>", 1)[0]
        assert 'data-testid="stack-error"' in section and "needs 2 of 1 requirements" in section
        assert cs.pathways.get("provider-edit-me").version == 4
        assert admin.post(edit, data={**form, "csrf_token": "x", "group": "1", "achievement": a}).status_code == 403
    with client(base, cookies["other"]) as other:
        assert other.get(edit, params={"org": "other"}).status_code == 404  # not Other College's stack
        assert other.get(edit, params={"org": "provider"}).status_code == 403
        token = csrf_of_session(cs, cookies["other"])
        theirs = {"csrf_token": token, "org": "other", "version": "4", "group": "1", "achievement": a}
        assert other.post(edit, data=theirs).status_code == 404
        assert other.post(edit, data={**theirs, "org": "provider"}).status_code == 403
    with client(base, cookies["learner"]) as learner:
        assert learner.get(edit, params={"org": "provider"}).status_code == 403
    assert cs.pathways.get("provider-edit-me").version == 4


def _finished(http: httpx.Client, job_url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        job: dict[str, Any] = http.get(f"{job_url}.json").json()
        if job["state"] == "done" or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def test_roster_job_report_and_status_changes(served: tuple[Credstack, str, dict[str, str]]) -> None:
    cs, base, cookies = served
    achievement = cs.achievements.create(
        None, name="Roster badge", description="For the roster.", criteria_narrative="Attend."
    )
    roster = "recipient,name\nana@example.org,Ana\nnot an address,Bo\ncy@example.org,Cy\n"
    with client(base, cookies["admin"]) as admin:
        token = csrf_of(admin.get("/issuer/issue").text)
        empty = admin.post("/issuer/issue", data={"csrf_token": token, "achievement": achievement.id})
        assert empty.status_code == 400 and "choose a CSV roster" in empty.text
        uploaded = admin.post(
            "/issuer/issue",
            data={"csrf_token": token, "achievement": achievement.id, "org": "provider"},
            files={"roster": ("roster.csv", roster.encode(), "text/csv")},
        )
        assert uploaded.status_code == 303
        job_url = uploaded.headers["location"].split("?")[0]
        job = _finished(admin, job_url)
        assert (job["issued"], job["rejected"]) == (2, 1)
        assert job["rejections"][0]["line"] == 3 and "neither an e-mail address" in job["rejections"][0]["reason"]
        page = admin.get(job_url).text
        assert "2 issued · 1 rejected" in page and 'data-line="3"' in page
        rows = list(csv.DictReader(io.StringIO(admin.get(f"{job_url}/report.csv").text)))
        assert [(r["line"], r["outcome"]) for r in rows] == [("2", "issued"), ("3", "rejected"), ("4", "issued")]
        # the issuer's staff send each recipient their claim link: from the report, the job page or the credential
        claim_links = {r["recipient"]: r["claim_url"] for r in rows}
        assert claim_links["not an address"] == "" and claim_links["ana@example.org"].startswith(f"{base}/claim/")
        assert page.count('data-testid="claim-link"') == 2 and claim_links["cy@example.org"] in page

        first, second = job["credentialIds"]
        credential_page = admin.get(f"/credentials/{first}").text
        assert 'data-testid="claim-qr"' in credential_page and 'data-testid="claim-state">Not claimed yet' in (
            credential_page
        )
        claim_url = re.search(r'value="([^"]+)"[^>]*data-testid="claim-link"', credential_page)
        assert claim_url is not None and claim_url.group(1) in claim_links.values()
        ana = cs.accounts.create_person("ana@example.org")
        cs.wallet.claim(ana.id, claim_url.group(1).rsplit("/", 1)[1])  # the link works, once
        assert 'data-testid="claim-state">Already claimed' in admin.get(f"/credentials/{first}").text
        token = csrf_of(credential_page)
        assert admin.post(f"/issuer/credentials/{first}/suspend", data={"csrf_token": token}).status_code == 303
        not_confirmed = admin.post(f"/issuer/credentials/{second}/revoke", data={"csrf_token": token})
        assert not_confirmed.status_code == 400 and cs.status.status_of(second).state == "active"
        revoked = admin.post(f"/issuer/credentials/{second}/revoke", data={"csrf_token": token, "confirm": "yes"})
        assert revoked.status_code == 303
        assert 'data-testid="credential-state">suspended' in admin.get(f"/credentials/{first}").text
    with client(base, cookies["other"]) as other:
        page = other.get(f"/credentials/{first}").text
        assert 'data-testid="issuer-actions"' not in page and "/claim/" not in page
        assert other.get(f"{job_url}/report.csv").status_code in (403, 404)
        refused = other.post(
            f"/issuer/credentials/{first}/unsuspend", data={"csrf_token": csrf_of_session(cs, cookies["other"])}
        )
        assert refused.status_code == 403
        assert other.get(f"{job_url}.json").status_code in (403, 404)
    assert cs.status.status_of(first).state == "suspended" and cs.status.status_of(second).state == "revoked"
    with client(base, None) as anyone:
        verify = anyone.get("/verify", params={"credential": cs.issuing.get(second).credential["id"]}).text
        assert "revoked" in verify.lower()
        assert "/claim/" not in anyone.get(f"/credentials/{first}").text  # never public
        assert anyone.get(f"{job_url}/report.csv").status_code in (303, 307, 401)  # to the sign-in page
    with client(base, cookies["learner"]) as learner:
        assert "/claim/" not in learner.get(f"/credentials/{first}").text
    with client(base, cookies["admin"]) as admin:
        token = csrf_of_session(cs, cookies["admin"])
        assert admin.post(f"/issuer/credentials/{first}/unsuspend", data={"csrf_token": token}).status_code == 303
        refused = admin.post(f"/issuer/credentials/{second}/unsuspend", data={"csrf_token": token})
        assert refused.status_code == 409 and refused.json()["code"] == "conflict"
    assert cs.status.status_of(first).state == "active" and cs.status.status_of(second).state == "revoked"


def csrf_of_session(cs: Credstack, raw: str) -> str:
    web = cs.accounts.session(raw)
    assert web is not None
    return web.csrf_token


def test_console_services_on_both_databases(database_url: str, tmp_path: Any) -> None:
    """The service methods the console adds: a defined catalog entry published as an achievement, a job listed for
    its issuer (not another's), and the job's CSV report, on SQLite and PostgreSQL."""
    from api_support import make_credstack
    from credstack.catalog.model import CatalogEntry, SkillAlignment
    from credstack.errors import ConflictError

    cs = make_credstack(tmp_path, "https://issuer.test", database_url=database_url)
    try:
        other = cs.issuers.create("Elsewhere")
        entry = CatalogEntry(
            id="prov-abc123",
            source="o-prov",
            name="Data wrangling",
            description="Clean data.",
            provider="Provider",
            skills=(SkillAlignment(PYTHON, "Python"),),
            eqf_level=5,
            ects=3,
            effort_hours=75,
            price=490,
            validity_months=36,
        )
        record = cs.catalog.define(entry)
        assert record.definition["humanCode"] == "prov-abc123" and record.definition["creditsAvailable"] == 3
        assert cs.catalog.get("prov-abc123").price == 490
        with pytest.raises(ConflictError):
            cs.catalog.define(entry)
        job = cs.bulk.start(record.id, "recipient\nana@example.org\nnobody\n")
        cs.bulk.run(job)
        assert [j.job_id for j in cs.bulk.recent(cs.issuers.default().id)] == [job]
        assert cs.bulk.recent(other.id) == []
        rows = list(csv.DictReader(io.StringIO(cs.bulk.report_csv(job))))
        assert [(r["line"], r["recipient"], r["outcome"]) for r in rows] == [
            ("2", "ana@example.org", "issued"),
            ("3", "nobody", "rejected"),
        ]
        assert rows[1]["reason"].startswith("[invalid_input]") and rows[0]["credential_id"]
    finally:
        cs.close()


def test_recently_issued_names_a_clr_by_its_name(tmp_path: Any) -> None:
    """A pathway award's CLR has no credentialSubject.achievement: the table shows the CLR's own name."""
    from fastapi.testclient import TestClient

    from api_support import make_credstack
    from credstack.api.app import create_app
    from test_services_pathways import CERT, LEARNER, _catalog

    cs = make_credstack(tmp_path, "https://issuer.test")
    try:
        cs.accounts.create_org("Provider", slug="provider", issuer_id=cs.issuers.default().id)
        admin = cs.accounts.create_person("admin@provider.test", org_id="provider", roles=["issuer_admin"])
        units = _catalog(cs)
        cs.pathways.create(CERT)
        for unit in ("u1", "u3", "u5"):
            cs.issuing.issue(units[unit], recipient=LEARNER)
        [award] = cs.pathways.awards.list()
        assert award.clr_credential_id is not None
        with TestClient(create_app(cs)) as http:
            http.cookies.set(SESSION_COOKIE, cs.accounts.start_session(admin.id)[0])
            page = http.get("/issuer").text
        table = page.split('data-testid="issued"', 1)[1].split("</table>", 1)[0]
        cell = re.compile(r'/credentials/(\w+)">\w+</a></td>\s*<td data-testid="issued-achievement">(.*?)</td>', re.S)
        rows = {m.group(1): html.unescape(re.sub(r"<[^>]+>", "", m.group(2))).strip() for m in cell.finditer(table)}
        assert rows[award.clr_credential_id] == "Test certificate: comprehensive learner record (CLR)"
        assert rows[award.award_credential_id or ""] == "Test certificate"
        assert "Unit 5" in rows.values()
    finally:
        cs.close()
