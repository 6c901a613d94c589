"""The taxonomy's JSON API and web pages, served by the real app factory on a live Uvicorn (httpx client)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api_support import free_port, live_server
from taxonomy_helpers import loaded_database, make_app

PYTHON_ID = "ccd0a1d9-afda-43d9-b901-96344886e14d"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, _ = loaded_database(tmp_path_factory)
    with make_app(url) as cs, live_server(cs, free_port()) as base:
        yield base


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield http


def test_api_skill_search(client: httpx.Client) -> None:
    response = client.get("/api/taxonomy/skills", params={"q": "pyhton", "limit": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "skill"
    assert body["results"][0]["id"] == PYTHON_ID
    assert len(body["results"]) <= 3


def test_api_occupation_search_includes_onet(client: httpx.Client) -> None:
    results = client.get("/api/taxonomy/occupations", params={"q": "software developer"}).json()["results"]
    assert results[0]["label"] == "software developer"
    assert "15-1252.00" in {r["id"] for r in results}


def test_api_skill_by_id_and_by_uri(client: httpx.Client) -> None:
    by_id = client.get(f"/api/taxonomy/skills/{PYTHON_ID}").json()
    by_uri = client.get(f"/api/taxonomy/skills/http://data.europa.eu/esco/skill/{PYTHON_ID}").json()
    assert by_id == by_uri
    assert by_id["preferred_label"] == "Python (computer programming)"
    assert "computer programming" in {b["label"] for b in by_id["broader"]}


def test_api_occupation_detail(client: httpx.Client) -> None:
    esco = client.get("/api/taxonomy/occupations/2512.4").json()
    assert len(esco["essential_skills"]) == 24
    onet = client.get("/api/taxonomy/occupations/15-1252.00").json()
    assert onet["kind"] == "onet" and onet["technology_skills"][0]["hot"] is True


def test_api_errors_are_problem_json(client: httpx.Client) -> None:
    missing = client.get("/api/taxonomy/skills/no-such-skill")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["code"] == "not_found"
    empty = client.get("/api/taxonomy/skills", params={"q": ""})
    assert (empty.status_code, empty.json()["code"]) == (400, "invalid_input")
    wrong_kind = client.get("/api/taxonomy/skills/2512.4")
    assert wrong_kind.status_code == 404 and "is an occupation, not a skill" in wrong_kind.json()["detail"]


def test_api_about(client: httpx.Client) -> None:
    about = client.get("/api/taxonomy/about").json()
    assert "European Commission" in about["attribution"]
    assert about["loaded"]["occupation_skills"] == 123_855


def test_search_page_links_to_concept_pages(client: httpx.Client) -> None:
    page = client.get("/taxonomy", params={"q": "pyhton"})
    assert page.status_code == 200
    assert f'href="/taxonomy/skills/{PYTHON_ID}"' in page.text
    assert "Python (computer programming)" in page.text
    assert client.get("/taxonomy").status_code == 200  # the empty search box


def test_skill_page_shows_relations_as_links(client: httpx.Client) -> None:
    page = client.get(f"/taxonomy/skills/{PYTHON_ID}")
    assert page.status_code == 200
    assert "<h1>Python (computer programming)</h1>" in page.text
    assert 'data-testid="broader"' in page.text and 'data-testid="optional-for"' in page.text
    assert 'href="/taxonomy/occupations/' in page.text


def test_occupation_page_lists_essential_skills(client: httpx.Client) -> None:
    page = client.get("/taxonomy/occupations/2512.4")
    assert page.status_code == 200
    assert 'data-testid="essential-skills"' in page.text and "debug software" in page.text
    assert 'href="/taxonomy/occupations/15-1252.00"' in page.text


def test_onet_page(client: httpx.Client) -> None:
    page = client.get("/taxonomy/occupations/15-1252.00")
    assert page.status_code == 200
    assert 'data-testid="technology-skills"' in page.text and 'data-testid="tasks"' in page.text


def test_about_page_shows_attribution(client: httpx.Client) -> None:
    page = client.get("/about")
    assert page.status_code == 200
    assert "ESCO classification, European Commission, v1.1.1" in page.text
    assert "USDOL/ETA" in page.text


def test_unknown_concept_page_is_a_404_page(client: httpx.Client) -> None:
    page = client.get("/taxonomy/skills/no-such-skill", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert "no skill or occupation" in page.text
