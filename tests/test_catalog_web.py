"""The catalog's JSON API, web pages and CLI, served by the real app factory on a live Uvicorn (httpx client)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from api_support import free_port, live_server
from catalog_support import open_app, seeded_database
from credstack.cli import main


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url, _ = seeded_database(tmp_path_factory)
    return url


@pytest.fixture(scope="module")
def base_url(database: str) -> Iterator[str]:
    with open_app(database) as cs, live_server(cs, free_port()) as base:
        yield base


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield http


def test_api_search_with_filters(client: httpx.Client) -> None:
    body = client.get("/api/catalog", params={"q": "welding", "max_hours": 40, "limit": 5}).json()
    assert body["total"] >= 1 and len(body["results"]) <= 5
    assert all(r["effortHours"] <= 40 for r in body["results"])
    assert "welding" in json.dumps(body["results"][0]).lower()
    skill = body["results"][0]["skills"][0]["uri"]
    by_skill = client.get("/api/catalog", params={"skill": skill}).json()
    assert all(any(s["uri"] == skill for s in r["skills"]) for r in by_skill["results"])
    refused = client.get("/api/catalog", params={"format": "by-pigeon"})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_input"


def test_api_entry_has_its_ob3_achievement(client: httpx.Client) -> None:
    body = client.get("/api/catalog/nj-27384").json()
    assert body["price"] == {"amount": 15578.0, "currency": "USD"}
    assert body["achievement"]["type"] == ["Achievement"]
    assert body["achievement"]["achievementType"] == "Certification"
    missing = client.get("/api/catalog/nope")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_search_page_filters_and_links_to_entries(client: httpx.Client) -> None:
    page = client.get("/catalog", params={"q": "massage", "credit_bearing": "true"})
    assert page.status_code == 200
    assert 'href="/catalog/nj-27384"' in page.text and "Massage Therapy" in page.text
    assert "<script" not in page.text.split("</head>")[-1]  # strict CSP: no inline scripts
    paged = client.get("/catalog", params={"provider": "(demo)", "format": "online"}).text
    assert "provider=%28demo%29&amp;format=online&amp;page=2" in paged  # the next page keeps the filters
    empty = client.get("/catalog", params={"q": "zzzzqqq"})
    assert 'data-testid="no-results"' in empty.text


def test_entry_page_links_skills_to_the_taxonomy(client: httpx.Client) -> None:
    page = client.get("/catalog/demo-00-capstone").text
    assert ("/taxonomy/skills/" in page and "ECTS" in page) or "US credit" in page
    assert 'href="/catalog/demo-00-' in page  # prerequisites link to their entries
    assert client.get("/catalog/nope").status_code == 404


def run(*args: str) -> int:
    try:
        main(["catalog", *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_search_and_show(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", database)
    assert run("search", "massage", "--max-price", "20000", "--json") == 0
    body = json.loads(capsys.readouterr().out)
    assert body["total"] >= 1 and all(r["price"]["amount"] <= 20000 for r in body["results"])
    assert run("show", "nj-27384") == 0
    assert "15,578 USD" in capsys.readouterr().out
    assert run("seed", "--no-index") == 0  # no embedding here: tests/test_catalog_semantic.py covers the index
    assert "unchanged" in capsys.readouterr().out
    assert run("show", "nope") == 2
    assert "not_found" in capsys.readouterr().err


def test_api_sorts_and_filters_by_market_value(client: httpx.Client) -> None:
    params: dict[str, str | int | float] = {"q": "data", "limit": 20}
    by_value = client.get("/api/catalog", params={**params, "sort": "market_value"}).json()
    assert by_value["sort"] == "market_value" and by_value["total"] >= 20
    scores = [r["marketValue"]["score"] for r in by_value["results"] if r["marketValue"]["rated"]]
    assert len(scores) >= 10 and scores == sorted(scores, reverse=True)
    relevance = client.get("/api/catalog", params=params).json()
    assert [r["id"] for r in relevance["results"]] != [r["id"] for r in by_value["results"]]
    floor = scores[len(scores) // 2]
    kept = client.get("/api/catalog", params={**params, "limit": 100, "min_market_value": floor}).json()
    assert 0 < kept["total"] < relevance["total"]
    assert all(r["marketValue"]["rated"] and r["marketValue"]["score"] >= floor for r in kept["results"])
    refused = client.get("/api/catalog", params={"sort": "price"})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_input"
    assert client.get("/api/catalog", params={"min_market_value": 2}).status_code == 400


def test_api_unknown_skill_or_occupation_is_not_found(client: httpx.Client) -> None:
    for params in ({"skill": "nope"}, {"occupation": "nope"}):
        missing = client.get("/api/catalog", params=params)
        assert missing.status_code == 404, params
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert missing.json()["code"] == "not_found" and "nope" in missing.json()["detail"]
    sql = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"  # a real skill: found or not
    assert client.get("/api/catalog", params={"skill": sql}).status_code == 200


def test_search_page_takes_a_skill_name_and_sorts_by_market_value(client: httpx.Client) -> None:
    page = client.get("/catalog", params={"skill": "Apply massage therapy"})
    assert page.status_code == 200
    used = page.text.split('data-testid="skill-used"')[1].split("</p>")[0]
    assert "/taxonomy/skills/" in used and ">apply massage therapy</a>" in used and "best match" not in used
    assert 'href="/catalog/nj-27384"' in page.text
    near = client.get("/catalog", params={"skill": "massage therapy"}).text  # an alternative label: says so
    used = near.split('data-testid="skill-used"')[1].split("</p>")[0]
    assert "best match for “massage therapy”" in used
    sorted_page = client.get("/catalog", params={"q": "data", "sort": "market_value", "min_value": "0.5"}).text
    assert '<option value="market_value" selected' in sorted_page
    cells = sorted_page.split('data-testid="results"')[1].split('data-testid="market-value">')[1:]
    values = [float(c.split(" ")[0]) for c in cells]
    assert values and values == sorted(values, reverse=True) and min(values) >= 0.5
    assert client.get("/catalog", params={"skill": "http://data.europa.eu/esco/skill/nope"}).status_code == 404


def test_entry_page_names_the_licence_and_credential_a_programme_leads_to(client: httpx.Client) -> None:
    page = client.get("/catalog/nj-45131").text  # Certified Nursing Aide
    licences = page.split('data-testid="licences">')[1].split("</dd>")[0]
    assert "Nurse aide" in licences and "31-1131.00" in licences and "by the licence" in licences
    adobe = client.get("/catalog/nj-47909").text
    assert "Adobe Certified Associate" in adobe.split('data-testid="industry-credentials">')[1].split("</dd>")[0]


def test_cli_sorts_by_market_value(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", database)
    assert run("search", "data", "--sort", "market-value", "--limit", "15", "--json") == 0
    body = json.loads(capsys.readouterr().out)
    scores = [r["marketValue"]["score"] for r in body["results"] if r["marketValue"]["rated"]]
    assert len(scores) >= 10 and scores == sorted(scores, reverse=True)
    assert run("search", "data", "--min-market-value", "0.99") == 0
    assert "no catalog entry matches" in capsys.readouterr().out
    assert run("search", "--skill", "nope") == 2
    assert "not_found" in capsys.readouterr().err


def test_an_issued_achievement_id_dereferences(database: str, tmp_path) -> None:
    """The achievement ``id`` inside issued credentials opens: JSON-LD for a machine, the catalog page for a person
    when the achievement was published from the catalog."""
    import shutil

    copy = tmp_path / "published.db"  # publishing writes: a copy, not the database other tests share
    shutil.copyfile(database.removeprefix("sqlite:///"), copy)
    with open_app(f"sqlite:///{copy}") as cs:
        cs.init()  # an issuer to publish under
        published = cs.catalog.publish("nj-27384")
        own = cs.achievements.create(None, name="Team lead basics", description="d", criteria_narrative="c")
        path = published.url.split("://", 1)[1].split("/", 1)[1]
        with live_server(cs, free_port()) as base, httpx.Client(base_url=base, timeout=30) as client:
            as_json = client.get(f"/{path}", headers={"Accept": "application/ld+json"})
            assert as_json.status_code == 200 and as_json.headers["content-type"].startswith("application/ld+json")
            assert as_json.json()["id"] == published.url and as_json.json()["type"] == ["Achievement"]
            assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in as_json.json()["@context"]
            page = client.get(f"/{path}", headers={"Accept": "text/html"}, follow_redirects=False)
            assert page.status_code == 303 and page.headers["location"] == "/catalog/nj-27384"
            own_page = client.get(f"/achievements/{own.id}", headers={"Accept": "text/html"})
            assert own_page.status_code == 200 and own_page.json()["name"] == "Team lead basics"  # no catalog page
            missing = client.get("/achievements/nope", headers={"Accept": "application/json"})
            assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_each_entry_page_names_where_its_data_comes_from(client: httpx.Client) -> None:
    nj = client.get("/catalog/nj-27384").text
    assert "Eligible Training Provider" in nj
    demo_id = client.get("/api/catalog", params={"provider": "Open Skills Academy (demo)", "limit": 1}).json()
    demo = client.get(f"/catalog/{demo_id['results'][0]['id']}").text
    assert "Generated demo entry" in demo and "Eligible Training Provider" not in demo


def test_search_page_says_which_filters_it_could_not_apply(client: httpx.Client) -> None:
    import html
    import re

    page = client.get("/catalog", params={"q": "welding", "max_price": "abc", "min_value": "2", "max_hours": "40"})
    assert page.status_code == 200
    block = re.search(r'data-testid="problems">(.*?)</div></div>', page.text, re.S)
    assert block is not None
    problems = [html.unescape(p) for p in re.findall(r"<div>(.*?)</div>", block.group(1) + "</div>")]
    assert problems == [
        "Min market value: '2' must be a number between 0 and 1, so it was not applied",
        "Max price: 'abc' is not a number, so it was not applied",
    ]  # max_hours=40 was fine and is applied
    assert "welding" in page.text.lower()  # the rest of the search still ran
