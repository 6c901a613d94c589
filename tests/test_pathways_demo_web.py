"""The demo stacks as a visitor and an API client see them: /pathways pages and their JSON twins, /api/pathways,
/api/awards, the catalog entry's "Stacks this belongs to"; plus what `credstack demo seed` promises (at least 12
stacks, a credit-bearing one toward a fictional degree, an articulated partner credential, awards, partial
progress and one award under review), and that seeding again changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from credstack.api import create_app
from credstack.app import Credstack
from credstack.cli._demo_stacks import StackSeed, seed_stacks
from credstack.settings import Settings
from credstack.web.session import SESSION_COOKIE
from learner_support import admin_session, session_cookie
from pathway_support import demo_stacks_database

BASE = "http://127.0.0.1:8000"
MAYA = "maya.okafor@example.org"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Credstack, StackSeed]]:
    url, report = demo_stacks_database(tmp_path_factory, BASE)
    with Credstack.from_settings(Settings(database_url=url, base_url=BASE)) as cs:
        yield cs, report


@pytest.fixture(scope="module")
def client(seeded: tuple[Credstack, StackSeed]) -> Iterator[TestClient]:
    with TestClient(create_app(seeded[0])) as test_client:
        test_client.cookies.update(admin_session(seeded[0]))  # a learner's progress is private: an admin reads it
        yield test_client


def test_the_demo_has_the_stacks_and_learners_it_promises(seeded: tuple[Credstack, StackSeed]) -> None:
    cs, report = seeded
    pathways = {p.id: p for p in cs.pathways.list()}
    assert len(pathways) >= 12
    degree = pathways["data-science-15-ects"]
    assert degree.credits == 15 and "BSc Applied Data Science (fictional)" in degree.name
    assert pathways["sql-and-databases"].qualification.articulations
    awards = {(a.pathway_id, a.learner): a for a in cs.pathways.awards.list()}
    assert awards[("data-analyst-certificate", MAYA)].status == "awarded"
    assert awards[("data-analyst-foundations", MAYA)].status == "awarded"  # the nested stack, too
    assert awards[("sql-and-databases", "jonas.weber@example.org")].status == "awarded"  # via the partner
    priya = awards[("data-science-15-ects", "priya.raman@example.org")]
    assert priya.status == "awarded" and priya.credits_earned >= 15
    certificate = awards[("data-analyst-certificate", MAYA)]
    assert certificate.clr_credential_id is not None
    clr = cs.issuing.get(certificate.clr_credential_id).credential
    edges = {e["associationType"] for e in clr["credentialSubject"]["association"]}
    assert edges == {"isPartOf", "precedes"}  # the foundation unit precedes its advanced follow-up
    assert cs.verifier.verify(clr).verified
    review = awards[("electrician-trade-units", "amara.nwosu@example.org")]
    assert review.status == "review" and review.review_reason and "was revoked by its issuer" in review.review_reason
    # in words: the unit's name and issue date, never a credential URL or the requirement path
    assert "(credential issued 20" in review.review_reason and "no longer met without it" in review.review_reason
    assert "/credentials/" not in review.review_reason and " > " not in review.review_reason
    lucas = cs.pathways.progress("lucas.silva@example.org", "software-developer-essentials", plan=False)
    assert not lucas.satisfied and 0 < lucas.progress.percent < 100
    tom = cs.pathways.progress("tom.baker@example.org", "finance-office-stack", plan=False)
    assert "expired" in {h.state for h in tom.held} and not tom.satisfied
    assert (report.awards, report.review) == (len(awards), 1)

    again = seed_stacks(cs)  # idempotent: nothing new is published, issued twice or awarded twice
    assert again.published == 0
    assert len(cs.pathways.awards.list()) == len(awards)
    assert len(cs.pathways.list()) == len(pathways)


def test_pathway_pages_draw_the_tree_with_the_learners_progress(client: TestClient) -> None:
    listing = client.get("/pathways", headers={"Accept": "text/html"})
    assert listing.status_code == 200
    assert listing.text.count('data-testid="pathway-row"') >= 12
    standing = client.get("/pathways", params={"learner": MAYA}).text
    assert "Data analyst certificate" in standing and "awarded" in standing

    page = client.get("/pathways/data-career-pathway", params={"learner": MAYA}).text
    assert 'data-kind="qualification" data-met="yes"' in page  # the certificate, awarded
    assert 'data-kind="qualification" data-met="no"' in page  # SQL and databases, part way
    assert 'data-testid="remaining"' in page and "/catalog/demo-" in page
    assert "<script" not in page and "style=" not in page  # the strict CSP: no inline script or style

    review = client.get("/pathways/electrician-trade-units", params={"learner": "amara.nwosu@example.org"}).text
    assert 'data-testid="review-reason"' in review and "Under review" in review
    reason = review.split('data-testid="review-reason">', 1)[1].split("</p>", 1)[0]
    assert "was revoked by its issuer" in reason and "/credentials/" not in reason and "all-of[" not in reason
    assert "1 flagged for review" in review


def test_json_twins_and_the_api(client: TestClient, seeded: tuple[Credstack, StackSeed]) -> None:
    cs, _ = seeded
    twin = client.get("/pathways/data-analyst-certificate.json", params={"learner": MAYA}).json()
    admin = {"Authorization": f"Bearer {cs.tokens.create(['admin'])}"}
    api = client.get("/api/pathways/data-analyst-certificate/progress", params={"learner": MAYA}, headers=admin).json()
    for body in (twin, api):
        assert body["satisfied"] is True and body["percent"] == 100.0
        assert body["award"]["status"] == "awarded" and body["award"]["awardCredentialUrl"].startswith(BASE)
    listed = client.get("/api/pathways").json()
    assert listed["total"] == len(cs.pathways.list())
    one = client.get("/api/pathways/sql-and-databases").json()
    assert one["definition"]["articulations"][0]["toward"] == "db-credits"
    (rule,) = one["articulations"]  # the same rule in words, next to its ids
    assert "counts" in rule["text"] and "did:" not in rule["text"] and "/achievements/" not in rule["text"]
    assert one["requirements"][0]["label"] and one["requirements"][0]["label"] != "all-of"
    assert client.get("/pathways.json", params={"learner": MAYA}).json()["learner"] == MAYA

    missing = client.get("/api/pathways/no-such-stack")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["code"] == "not_found"
    bad = client.get("/api/pathways/data-analyst-certificate/progress", params={"learner": MAYA, "by": "fame"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_input"
    assert client.get("/api/awards").json()["code"] == "unauthorized"
    token = cs.tokens.create(["status"], name="awards")
    flagged = client.get("/api/awards", params={"status": "review"}, headers={"Authorization": f"Bearer {token}"})
    assert flagged.status_code == 200
    assert [a["pathwayId"] for a in flagged.json()["awards"]] == ["electrician-trade-units"]


def test_a_catalog_entry_lists_the_stacks_it_belongs_to(
    client: TestClient, seeded: tuple[Credstack, StackSeed]
) -> None:
    cs, _ = seeded
    foundation = cs.pathways.get("data-analyst-foundations").qualification.requirement
    entry_id = foundation.children[0].achievement_id  # type: ignore[union-attr]
    stacks = {p.id for p in cs.pathways.containing(entry_id)}
    assert {"data-analyst-foundations", "data-analyst-certificate", "data-career-pathway"} <= stacks
    page = client.get(f"/catalog/{entry_id}").text
    assert 'data-testid="stacks"' in page and "/pathways/data-analyst-foundations" in page


# -- the whole `credstack demo seed`: the journeys across the wallet, the issuer and the employer ------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Credstack, TestClient, str]]:
    """The demo as `credstack demo seed` leaves it (minus the market and the semantic index); the printed claim
    link."""
    from credstack.cli._demo import seed_demo
    from credstack.cli._demo_wallet import seed_wallet
    from credstack.cli._employer_demo import seed_employer_demo
    from credstack.cli.serve import _seed_after_stacks

    url, _ = demo_stacks_database(tmp_path_factory, BASE)
    with Credstack.from_settings(Settings(database_url=url, base_url=BASE)) as cs:
        seeded = seed_demo(cs)
        wallet = seed_wallet(cs)
        seed_employer_demo(cs, seeded)
        _seed_after_stacks(cs)
        assert wallet.claim_url is not None
        with TestClient(create_app(cs)) as test_client:
            yield cs, test_client, wallet.claim_url


def _as(client: TestClient, cs: Credstack, email: str | None) -> TestClient:
    client.cookies.clear()
    if email is not None:
        client.cookies.update(session_cookie(cs, email))
    return client


def test_the_printed_claim_link_is_claimable(demo: tuple[Credstack, TestClient, str]) -> None:
    cs, client, claim_url = demo
    path = claim_url.removeprefix(BASE)
    ada = _as(client, cs, "ada.learner@example.org")
    page = ada.get(path)
    assert page.status_code == 200 and "already" not in page.text.lower()
    token = cs.accounts.session(ada.cookies[SESSION_COOKIE])
    assert token is not None
    claimed = ada.post(path, data={"csrf_token": token.csrf_token}, follow_redirects=False)
    assert claimed.status_code == 303 and claimed.headers["location"].endswith("?claimed=1")
    assert "2 of 2 credentials verified" in ada.get("/portfolio").text


def test_the_stack_learners_portfolios_group_their_credentials_by_stack(
    demo: tuple[Credstack, TestClient, str],
) -> None:
    cs, client, _ = demo
    maya = _as(client, cs, MAYA)
    page = maya.get("/portfolio").text
    summary = re.search(r'data-testid="portfolio-summary">(\d+) of (\d+) credentials verified', page)
    assert summary is not None and int(summary.group(1)) == int(summary.group(2)) >= 7
    groups = re.findall(r'data-testid="portfolio-group" data-pathway="([^"]*)"', page)
    assert {"data-analyst-certificate", "data-analyst-foundations", "sql-and-databases"} <= set(groups)
    certificate = page.split('data-pathway="data-analyst-certificate"', 1)[1].split("</section>", 1)[0]
    credits = certificate.split('data-testid="group-credits">', 1)[1].split("</span>", 1)[0]
    assert "complete" in certificate and re.fullmatch(r"[\d.]+ credits earned \(3 needed\)", credits), credits
    sql = page.split('data-pathway="sql-and-databases"', 1)[1].split("</section>", 1)[0]
    todo = sql.split('data-testid="still-to-do">', 1)[1].split("</p>", 1)[0]  # part way, in the pathway's words
    assert "At least 3 credits tagged database administrator" in todo and "db-credits" not in todo, todo
    for email in ("jonas.weber@example.org", "amara.nwosu@example.org", "tom.baker@example.org"):
        person = cs.accounts.find_person(email)
        assert person is not None and cs.wallet.items(person.id), f"{email}'s wallet is empty"
    amara = _as(client, cs, "amara.nwosu@example.org").get("/portfolio").text
    verified = re.search(r"(\d+) of (\d+) credentials verified", amara)
    assert verified is not None and int(verified.group(1)) < int(verified.group(2))  # the revoked unit shows


def test_the_workforce_audit_has_a_team_roles_and_a_budget_table(demo: tuple[Credstack, TestClient, str]) -> None:
    cs, client, _ = demo
    roles = cs.planner.role_profiles("acme")
    assert {r.name for r in roles} == {"Data analyst", "Database administrator", "Software developer"}
    (hit,) = [h for h in cs.taxonomy.search("data analyst", kind="occupation", limit=5) if h.label == "data analyst"]
    essential = {link.uri for link in cs.taxonomy.occupation(str(hit.uri)).essential_skills}  # type: ignore[union-attr]
    analyst = next(r for r in roles if r.name == "Data analyst")
    assert analyst.skills and {s.uri for s in analyst.skills} <= essential  # from the real ESCO occupation
    hr = _as(client, cs, "hr@acme.example")
    page = hr.get("/employer/workforce", params={"budget": 2000}).text
    matrix = page.split('data-testid="matrix"', 1)[1].split("</table>", 1)[0]
    assert "Maya Okafor" in matrix and "Jonas Weber" in matrix and "level-2" in matrix
    coverage = re.search(r"<strong>Data analyst</strong>: (\d+)% of the required skill levels met by 2 member", page)
    assert coverage is not None and 0 < int(coverage.group(1)) < 100  # Maya meets the role, Ada part of it
    assert "nobody assigned" not in page and "No role profiles yet" not in page
    assert "Jonas Weber: SQL" in page  # his older SQL credential has aged: expiring this quarter
    allocation = page.split('data-testid="allocation"', 1)[1].split("</table>", 1)[0]
    assert 'data-member="Ada Learner"' in allocation and "of the role's skill weight" in allocation
    assert "gapClosed" not in page and "gap now" not in page  # a table, not raw JSON
    spent = re.search(r'data-testid="allocation-summary">([\d,.]+) of 2,000.00 spent', page)
    assert spent is not None and 0 < float(spent.group(1).replace(",", "")) <= 2000


def test_an_employer_reviewer_sees_the_trust_breakdown_on_a_shared_link(
    demo: tuple[Credstack, TestClient, str],
) -> None:
    cs, client, _ = demo
    trusted = {t.value for t in cs.employer.registry.trusted("acme")}
    assert cs.issuers.default().did in trusted and len(trusted) >= 3
    share = cs.sharing.shared_with_org("acme")[0]
    reviewer = _as(client, cs, "hr@acme.example").get(f"/s/{share.id}").text
    trust = reviewer.split('data-testid="trust"', 1)[1].split("</table>", 1)[0]
    assert 'data-signal="registry" data-level="strong"' in trust and "on your registry" in trust
    assert 'data-testid="trust"' not in _as(client, cs, None).get(f"/s/{share.id}").text
    assert 'data-testid="trust"' not in _as(client, cs, MAYA).get(f"/s/{share.id}").text  # a learner: no


def test_the_rest_of_the_demo_seed_is_idempotent(demo: tuple[Credstack, TestClient, str]) -> None:
    from credstack.cli.serve import _seed_after_stacks

    cs, _, _ = demo
    maya = cs.accounts.find_person(MAYA)
    assert maya is not None
    before = (len(cs.wallet.items(maya.id)), len(cs.planner.role_profiles("acme")))
    again = _seed_after_stacks(cs)
    assert (len(cs.wallet.items(maya.id)), len(cs.planner.role_profiles("acme"))) == before
    assert again.members == len(cs.employer.workforce.members("acme")) == 5
    assert again.trusted == len(cs.employer.registry.trusted("acme"))
