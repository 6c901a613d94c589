"""A learner's data is theirs: the planner (profile, gap, plan, suggestions, audit, claims) and pathway progress are
shown to that signed-in learner (their own recipient identifiers), a platform admin, or a token with the right scope
(the learner's own ``wallet`` token, a platform ``admin`` token); a second learner, an anonymous visitor, an
employer's token and an organisation's token are refused with 403. Pathway definitions stay public."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient

from credstack.api.app import create_app
from credstack.app import Credstack
from credstack.errors import CredentialRejectedError
from credstack.services.wallet import WalletItem
from credstack.settings import Settings
from credstack.web.session import SESSION_COOKIE
from planning_support import LEARNER, NOW, PYTHON, SOFTWARE_DEVELOPER, open_planning_app, planning_database

PASSWORD = "correct horse battery"
OTHER = "bob@example.org"
PLAN = {"learner": LEARNER, "target": SOFTWARE_DEVELOPER, "hours_per_week": 10}
#: every read of a learner's data: (path, params)
READS = (
    ("/api/planner/profile", {"learner": LEARNER}),
    ("/api/planner/gap", {"learner": LEARNER, "target": SOFTWARE_DEVELOPER}),
    ("/api/planner/plan", PLAN),
    ("/api/planner/suggestions", {"learner": LEARNER, "limit": 2}),
    ("/api/planner/audit", {"learner": LEARNER}),
    ("/api/planner/claims", {"learner": LEARNER}),
    ("/api/pathways/dev-cert/progress", {"learner": LEARNER}),
    ("/planner.json", PLAN),
    ("/pathways/dev-cert.json", {"learner": LEARNER}),
    ("/pathways.json", {"learner": LEARNER}),
)
PAGES = (("/planner", PLAN), ("/pathways/dev-cert", {"learner": LEARNER}), ("/pathways", {"learner": LEARNER}))


@pytest.fixture(scope="module")
def cs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Credstack]:
    source = planning_database(tmp_path_factory).removeprefix("sqlite:///")
    copy = tmp_path_factory.mktemp("privacy") / "credstack.db"
    shutil.copyfile(source, copy)
    app = open_planning_app(f"sqlite:///{Path(copy)}")
    # the planning database is shared per process: other modules may have made "acme" or these people already
    org = next((o for o in app.accounts.list_orgs() if o.id == "acme"), None)
    org = org or app.accounts.create_org("Acme Hiring", slug="acme")
    people = [(LEARNER, None, ()), (OTHER, None, ()), ("root@example.org", org.id, ("platform_admin",))]
    for email, org_id, roles in [*people, ("hr@example.org", org.id, ("employer_reviewer",))]:
        if app.accounts.find_person(email) is None:
            app.accounts.create_person(email, password=PASSWORD, org_id=org_id, roles=list(roles))
    yield app
    app.close()


@pytest.fixture(scope="module")
def client(cs: Credstack) -> Iterator[TestClient]:
    with TestClient(create_app(cs)) as test_client:
        yield test_client


def _session(cs: Credstack, email: str) -> dict[str, str]:
    person = cs.accounts.find_person(email)
    assert person is not None
    raw, _ = cs.accounts.start_session(person.id)
    return {SESSION_COOKIE: raw}


def _bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def _get(client: TestClient, path: str, params: dict[str, object], **kwargs: object) -> tuple[int, dict[str, object]]:
    client.cookies.clear()
    cookies = kwargs.pop("cookies", None)
    if isinstance(cookies, dict):
        client.cookies.update(cookies)
    got = client.get(path, params=params, **kwargs)  # type: ignore[arg-type]
    client.cookies.clear()
    return got.status_code, got.json() if "json" in got.headers.get("content-type", "") else {}


def test_the_learner_and_an_admin_read_the_learners_data(cs: Credstack, client: TestClient) -> None:
    ada = cs.accounts.find_person(LEARNER)
    assert ada is not None
    own_token = _bearer(cs.accounts.create_personal_token(ada.id, ["wallet"]))
    admin_token = _bearer(cs.tokens.create(["admin"]))
    for path, params in READS:
        credentials = admin_token if path.startswith("/api/") else None
        status, _ = _get(client, path, params, headers=credentials)
        if path.startswith("/api/"):
            assert status == 200, path
            assert _get(client, path, params, headers=own_token)[0] == 200, path
        else:  # the web twins go by the session
            assert status == 403, path
            assert _get(client, path, params, cookies=_session(cs, LEARNER))[0] == 200, path
            assert _get(client, path, params, cookies=_session(cs, "root@example.org"))[0] == 200, path
    # the learner's own identifier is matched case-insensitively, as credentials hash e-mail addresses
    upper = {**PLAN, "learner": LEARNER.upper()}
    assert _get(client, "/api/planner/plan", upper, headers=own_token)[0] == 200
    # the JSON twin and the API agree
    _, api = _get(client, "/api/planner/plan", PLAN, headers=own_token)
    _, twin = _get(client, "/planner.json", PLAN, cookies=_session(cs, LEARNER))
    assert api["plan"] == twin["plan"]


def test_others_are_refused_with_403(cs: Credstack, client: TestClient) -> None:
    bob = cs.accounts.find_person(OTHER)
    assert bob is not None
    bob_token = _bearer(cs.accounts.create_personal_token(bob.id, ["wallet"]))
    employer_token = _bearer(cs.tokens.create(["employer", "market"]))
    org_token = _bearer(cs.accounts.create_token("acme", ["admin"]))
    for path, params in READS:
        refusals = [
            _get(client, path, params),
            _get(client, path, params, headers=bob_token),
            _get(client, path, params, headers=employer_token),
            _get(client, path, params, headers=org_token),
            _get(client, path, params, cookies=_session(cs, OTHER)),
            _get(client, path, params, cookies=_session(cs, "hr@example.org")),
        ]
        for status, problem in refusals:
            assert status == 403, path
            assert problem["code"] == "forbidden" and problem["status"] == 403, path
    assert _get(client, "/api/planner/plan", PLAN, headers=_bearer("not-a-token"))[0] == 401
    posted = client.post("/api/planner/plan", json={"learner": LEARNER, "target": SOFTWARE_DEVELOPER})
    assert posted.status_code == 403


def test_pages_show_the_403_page_to_others_and_stay_public_without_a_learner(cs: Credstack, client: TestClient) -> None:
    html = {"Accept": "text/html"}
    for path, params in PAGES:
        for cookies in (None, _session(cs, OTHER)):
            client.cookies.clear()
            if cookies:
                client.cookies.update(cookies)
            page = client.get(path, params=params, headers=html)
            assert page.status_code == 403, path
            assert "text/html" in page.headers["content-type"] and LEARNER not in page.text
            assert 'data-testid="error-sign-in"' in page.text
        client.cookies.update(_session(cs, LEARNER))
        assert client.get(path, params=params, headers=html).status_code == 200, path
    client.cookies.clear()
    definition = client.get("/pathways/dev-cert", headers=html)
    assert definition.status_code == 200 and "Developer certificate" in definition.text
    assert client.get("/api/pathways/dev-cert").status_code == 200
    form = client.get("/planner", headers=html)
    assert form.status_code == 200 and 'data-testid="sign-in-note"' in form.text


def test_a_signed_in_learner_plans_for_themself_by_default(cs: Credstack, client: TestClient) -> None:
    client.cookies.clear()
    client.cookies.update(_session(cs, LEARNER))
    found = client.get("/planner", params={"q": "software developer"}, headers={"Accept": "text/html"})
    assert found.status_code == 200 and urlencode({"target": SOFTWARE_DEVELOPER}) in found.text
    mine = client.get("/planner", params={"target": SOFTWARE_DEVELOPER}, headers={"Accept": "text/html"})
    assert mine.status_code == 200 and 'data-testid="plan"' in mine.text and "(aged)" in mine.text
    assert 'name="learner"' not in mine.text  # a learner plans only for themself
    pathways = client.get("/pathways", headers={"Accept": "text/html"}).text
    assert f'href="/pathways?learner={quote(LEARNER)}" data-testid="my-progress"' in pathways
    client.cookies.clear()


def test_a_pasted_job_posting_is_planned_for_the_signed_in_learner_only(cs: Credstack, client: TestClient) -> None:
    posting = "Python developer: develop software prototypes, design SQL databases, debug software in agile teams."
    form = {"posting": posting, "title": "Developer at Acme", "hours_per_week": "10"}
    client.cookies.clear()
    anonymous = client.post("/planner", data=form, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin")
    ada = cs.accounts.find_person(LEARNER)
    assert ada is not None
    raw, web = cs.accounts.start_session(ada.id)
    client.cookies.update({SESSION_COOKIE: raw})
    forged = client.post("/planner", data=form, headers={"Accept": "text/html"})
    assert forged.status_code == 403  # no CSRF token
    planned = client.post("/planner", data={**form, "csrf_token": web.csrf_token}, headers={"Accept": "text/html"})
    client.cookies.clear()
    assert planned.status_code == 200
    assert "Skills gap to Developer at Acme" in planned.text and 'data-testid="gap-row"' in planned.text
    assert 'name="posting"' in planned.text and "plan at 15 hours a week" in planned.text  # the what-if re-posts


def test_a_credential_imported_from_elsewhere_counts_in_the_learners_profile(
    cs: Credstack, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Journey 2's seam between step 1 (import a credential earned elsewhere) and step 3 (the gap): the planner
    reads the learner's wallet, not only what this server issued."""
    skill = "http://data.europa.eu/esco/skill/f28617ad-afdd-4041-814c-216153a38998"  # not in Ada's profile
    assert skill not in cs.planner.profile(LEARNER).profile.skills
    elsewhere_db = tmp_path_factory.mktemp("elsewhere") / "credstack.db"
    settings = Settings(database_url=f"sqlite:///{elsewhere_db}", base_url="https://elsewhere.example")
    with Credstack.from_settings(settings, clock=lambda: NOW) as elsewhere:
        elsewhere.init()
        issuer = elsewhere.issuers.create("Elsewhere Academy", method="key")
        achievement = elsewhere.achievements.create(
            issuer.slug,
            name="Elsewhere micro-credential",
            description="Taught and assessed elsewhere.",
            criteria_narrative="Pass the assessment.",
            alignments=[{"targetName": "an ESCO skill", "targetUrl": skill, "targetType": "ext:ESCO"}],
        )
        issued = elsewhere.issuing.issue(achievement.id, recipient=LEARNER, valid_from=NOW - timedelta(days=30))
    ada = cs.accounts.find_person(LEARNER)
    assert ada is not None
    item = cs.wallet.import_bytes(ada.id, json.dumps(issued.credential).encode("utf-8"))
    try:
        evidence = cs.planner.profile(LEARNER).profile.skills[skill]
        assert evidence.source == "credential" and evidence.level > 0 and not evidence.aged
    finally:
        cs.wallet.remove(ada.id, item.id)
    assert skill not in cs.planner.profile(LEARNER).profile.skills


def _import_one(cs: Credstack, person_id: str) -> WalletItem:
    """The first of the learner's credentials the wallet accepts now (older ones have expired)."""
    for issued in cs.issuing.list(limit=50):
        try:
            return cs.wallet.import_bytes(person_id, json.dumps(issued.credential).encode("utf-8"))
        except CredentialRejectedError:
            continue
    raise AssertionError("no credential of the learner verifies now")


def _allocate(client: TestClient, headers: dict[str, str], *learners: str) -> tuple[int, dict[str, object]]:
    body = {"members": [[learner, "privacy-dev"] for learner in learners], "budget": 5000}
    got = client.post("/api/planner/allocation", json=body, headers=headers)
    return got.status_code, got.json()


def test_a_budget_allocation_covers_only_the_organisations_team_and_learners_sharing_with_it(
    cs: Credstack, client: TestClient
) -> None:
    """POST /api/planner/allocation shows each member's skill gap: an employer gets it for its own team members and
    for learners who share a portfolio with it, never for anyone else (403 problem+json, no gap in the answer)."""
    try:
        cs.planner.role_profile("privacy-dev")
    except Exception:
        cs.planner.create_role_profile("acme", "Developer", [{"uri": PYTHON, "level": 3}], profile_id="privacy-dev")
    if cs.accounts.find_person("dan@example.org") is None:
        globex = cs.accounts.create_org("Globex", slug="globex")
        cs.accounts.create_person("dan@example.org", password=PASSWORD, org_id=globex.id, roles=["employer_reviewer"])
    acme = _bearer(cs.accounts.create_token("acme", ["employer"]))
    hr = cs.accounts.find_person("hr@example.org")
    ada = cs.accounts.find_person(LEARNER)
    assert hr is not None and ada is not None
    hr_token = _bearer(cs.accounts.create_personal_token(hr.id, ["employer"]))
    globex = _bearer(cs.accounts.create_token("globex", ["employer"]))
    platform_employer = _bearer(cs.tokens.create(["employer"]))
    ada_wallet = _bearer(cs.accounts.create_personal_token(ada.id, ["wallet"]))

    def refused(headers: dict[str, str], *learners: str, status: int = 403) -> None:
        code, problem = _allocate(client, headers, *learners)
        assert code == status and problem["code"] == "forbidden", problem
        assert set(problem) <= {"type", "title", "status", "detail", "code", "instance"}  # no allocation, no gap

    for headers in (acme, hr_token, globex, platform_employer):  # a stranger to all of them
        refused(headers, LEARNER)
    refused(ada_wallet, LEARNER)  # no employer scope
    assert _allocate(client, {}, LEARNER)[0] == 401

    cs.employer.workforce.add_member("acme", LEARNER, "Ada", "privacy-dev")
    try:
        for headers in (acme, hr_token):
            code, allocation = _allocate(client, headers, LEARNER.upper())
            assert code == 200 and allocation["members"], allocation
        refused(globex, LEARNER)  # another organisation's team member stays private
        refused(acme, LEARNER, OTHER)  # one stranger refuses the whole request
    finally:
        cs.employer.workforce.remove_member("acme", LEARNER)
    refused(acme, LEARNER)

    item = _import_one(cs, ada.id)  # one of the learner's credentials, into their wallet to share
    try:
        just_one = cs.sharing.create(ada.id, [item.id], kind="credential", org_id="acme")
        refused(acme, LEARNER)  # one credential shared is not the portfolio
        cs.sharing.revoke(ada.id, just_one.id)
        share = cs.sharing.create(ada.id, [item.id], org_id="globex")
        code, allocation = _allocate(client, globex, LEARNER)
        assert code == 200 and allocation["members"], allocation
        refused(acme, LEARNER)  # shared with Globex, not with Acme
        cs.sharing.revoke(ada.id, share.id)
        refused(globex, LEARNER)  # a revoked share ends it
    finally:
        cs.wallet.remove(ada.id, item.id)
    admin = _bearer(cs.tokens.create(["admin"]))
    assert _allocate(client, admin, LEARNER, OTHER)[0] == 200  # a platform admin reads any learner's data
