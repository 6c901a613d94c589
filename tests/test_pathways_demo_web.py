"""The demo stacks as a visitor and an API client see them: /pathways pages and their JSON twins, /api/pathways,
/api/awards, the catalog entry's "Stacks this belongs to"; plus what `credstack demo seed` promises (at least 12
stacks, a credit-bearing one toward a fictional degree, an articulated partner credential, awards, partial
progress and one award under review), and that seeding again changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from credstack.api import create_app
from credstack.app import Credstack
from credstack.cli._demo_stacks import StackSeed, seed_stacks
from credstack.settings import Settings
from learner_support import admin_session
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
    assert review.status == "review" and review.review_reason and "revoked" in review.review_reason
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
