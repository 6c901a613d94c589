"""cs.outlook over a real database: the seeded catalog, the ESCO slice and real USAJOBS/NYC postings; the /market
pages and their JSON twins, the market value in the catalog (page, search column, API)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from browser_support import browser, page  # noqa: F401  (pytest fixtures)
from catalog_support import seeded_database
from credstack.api.app import create_app
from credstack.app import Credstack
from credstack.errors import InvalidInputError, NotFoundError
from credstack.market.outlook import percentile_ranks
from credstack.settings import Settings
from market_support import real_rows, write_jsonl

SOFTWARE_DEVELOPER = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"


def build_market_app(factory: pytest.TempPathFactory) -> Credstack:
    """A copy of the seeded catalog database with a slice of the shipped real postings ingested."""
    source, _ = seeded_database(factory)
    folder = factory.mktemp("outlook")
    shutil.copyfile(source.removeprefix("sqlite:///"), folder / "credstack.db")
    cs = Credstack.from_settings(
        Settings(database_url=f"sqlite:///{folder / 'credstack.db'}", data_dir=str(folder / "data"))
    )
    for name, step in (
        ("usajobs_ai_cyber_summaries", 4),
        ("usajobs_questionnaires_sample", 12),
        ("usajobs_announcements_2024_2025", 40),
    ):
        cs.market.ingest(write_jsonl(folder / f"{name}.jsonl", real_rows(name, step=step)), refresh=False)
    cs.market.refresh()
    return cs


@pytest.fixture(scope="module")
def cs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Credstack]:
    app = build_market_app(tmp_path_factory)
    try:
        yield app
    finally:
        app.close()


@pytest.fixture(scope="module")
def client(cs: Credstack) -> Iterator[TestClient]:
    with TestClient(create_app(cs)) as c:
        yield c


def _top_skill(cs: Credstack) -> Any:
    return cs.market.skill_demand(limit=1)[0]


# -- service --------------------------------------------------------------------------------------------------


def test_outlook_by_soc_onet_and_esco(cs: Credstack) -> None:
    by_esco = cs.outlook.occupation_outlook(SOFTWARE_DEVELOPER)
    by_onet = cs.outlook.occupation_outlook("15-1252.00")
    assert by_esco is not None and by_onet is not None
    assert by_esco.soc == by_onet.soc == "15-1252"
    assert by_esco.blended_outlook == by_onet.blended_outlook
    assert by_esco.mapped_from == SOFTWARE_DEVELOPER and by_onet.onet_code == "15-1252.00"
    assert cs.outlook.occupation_outlook("53-2011") is not None  # airline pilots: no Indeed sector, still projected
    assert cs.outlook.occupation_outlook("00-0000") is None
    with pytest.raises(InvalidInputError):
        cs.outlook.occupation_outlook("software")
    with pytest.raises(NotFoundError):
        cs.outlook.occupation_outlook("http://data.europa.eu/esco/occupation/00000000-0000-0000-0000-000000000000")


def test_skill_forecast_uses_quarters_with_enough_text_and_says_when_too_short(cs: Credstack) -> None:
    top = _top_skill(cs)
    result = cs.outlook.forecast_skill(top.uri)
    monthly = {m: (p, t) for m, p, t in result.monthly}
    for period, share in result.forecast.history:
        months = [m for m in monthly if f"{m[:4]}-Q{(int(m[5:7]) - 1) // 3 + 1}" == period]
        postings = sum(monthly[m][0] for m in months)
        total = sum(monthly[m][1] for m in months)
        assert total >= 30 and share == pytest.approx(postings / total)
    # the shipped posting text covers 2025-06 .. 2026-07: too short to forecast, and the result says so
    assert not result.forecast.forecast
    assert any(n.startswith("not forecast:") for n in result.notes)
    assert result.backtest.origins == 0


def test_occupation_forecasts_name_their_sources(cs: Credstack) -> None:
    series = cs.outlook.forecast_occupation("15-1212.00")
    indeed = series[0]
    assert indeed.source.startswith("Indeed Hiring Lab") and len(indeed.forecast.points) == 4
    assert indeed.backtest.mase_model is not None and indeed.backtest.mase_naive is not None
    postings = [s for s in series if s.source.startswith("job postings ingested")]
    assert postings and postings[0].unit == "postings per quarter"
    months = {p.month: p.postings for p in cs.market.occupation_series("15-1212.00")}
    for quarter, count in postings[0].forecast.history:  # complete quarters, summed
        year, q = int(quarter[:4]), int(quarter[-1])
        assert count == sum(months[f"{year}-{3 * (q - 1) + k:02d}"] for k in (1, 2, 3))


def test_market_value_follows_the_documented_formula(cs: Credstack) -> None:
    demand = cs.market.skill_demand(limit=100_000)
    ranks = percentile_ranks({d.uri: d.share for d in demand})
    asked = [d for d in demand if d.postings >= 3][:3]
    value = cs.outlook.market_value([d.uri for d in asked])
    assert value.basis == "postings" and value.rated == 3
    assert value.score == pytest.approx(sum(ranks[d.uri] for d in asked) / 3)
    assert value.top_skills[0].label == asked[0].label  # labels from the taxonomy
    unseen = next(uri for uri in sorted(cs.outlook._skill_outlook) if uri not in ranks)
    fallback = cs.outlook.market_value([unseen])
    assert fallback.basis == "outlook" and 0 < fallback.score < 1
    assert cs.outlook.market_value([]).basis == "none"


# -- pages and JSON twins -------------------------------------------------------------------------------------


def test_overview_page_and_twin(client: TestClient) -> None:
    data = client.get("/market.json").json()
    response = client.get("/market")
    assert response.status_code == 200
    html = response.text
    assert len(data["topSkills"]) == 15
    top = re.search(r'data-testid="top-skills".*?</svg>', html, re.S)
    assert top and top.group(0).count("data-point=") == 15
    assert data["topSkills"][0]["label"] in html
    index = re.search(r'data-testid="posting-index".*?</svg>', html, re.S)
    assert index and index.group(0).count("data-point=") == len(data["postingIndex"]) > 70
    assert html.count('data-testid="source"') == 4
    # the rising skills say in words what they stand on (and why there are so few)
    note = data["emergingNote"]
    assert note.startswith(f"{len(data['emerging'])} skill(s) rose significantly. The comparison stands on ")
    assert html.count('data-testid="emerging-note"') == 1 and str(escape(note)) in html
    assert "Indeed Hiring Lab" in html and "BLS Employment Projections 2024-34" in html
    assert 'href="/market" aria-current="page"' in html


def test_skill_page_and_twin(client: TestClient, cs: Credstack) -> None:
    top = _top_skill(cs)
    key = top.uri.rsplit("/", 1)[-1]
    data = client.get(f"/market/skills/{key}.json").json()
    assert data["uri"] == top.uri and data["growth"]["n"] >= 0
    html = client.get(f"/market/skills/{key}").text
    chart = re.search(r'data-testid="skill-demand".*?</svg>', html, re.S)
    assert chart and chart.group(0).count("data-point=") == len(data["history"]) + len(data["forecast"])
    assert "not forecast" in html
    growth, qoq = data["growth"], re.search(r'data-testid="qoq">(.*?)</dd>', html, re.S)
    assert qoq is not None
    if growth.get("qoq") is not None and growth["ci_low"] < 0 < growth["ci_high"]:  # an interval across zero
        assert qoq.group(1).startswith("no clear change") and "too few postings to tell" in qoq.group(1)
    elif growth.get("qoq") is not None:
        assert qoq.group(1).startswith(("+", "-")) and "no clear change" not in qoq.group(1)
    # where it is heading: the SOC outlooks of the ESCO occupations that list it as essential
    rows = data["occupations"]
    assert rows and [r["blendedOutlook"] for r in rows] == sorted((r["blendedOutlook"] for r in rows), reverse=True)
    essential_for = {link.uri for link in cs.taxonomy.skill(top.uri).essential_for}
    assert all(set(r["escoOccupations"]) <= essential_for for r in rows)
    bars = re.search(r'data-testid="skill-occupations".*?</svg>', html, re.S)
    assert bars and bars.group(0).count("data-point=") == len(rows)
    assert client.get("/market/skills/not-a-skill-anywhere").status_code == 404
    # a taxonomy skill no posting asks for still shows where it is heading
    asked = {d.uri for d in cs.market.skill_demand(limit=100_000)}
    quiet = next(uri for uri in sorted(cs.outlook._essential_for) if uri not in asked)
    unposted = client.get(f"/market/skills/{quiet.rsplit('/', 1)[-1]}.json").json()
    assert unposted["uri"] == quiet and unposted["history"] == [] and unposted["occupations"]
    shown = client.get(f"/market/skills/{quiet.rsplit('/', 1)[-1]}")
    assert shown.status_code == 200 and "no ingested posting with text asks for this skill" in shown.text


def test_occupation_page_and_twin(client: TestClient) -> None:
    data = client.get("/market/occupations/15-1212.00.json").json()
    assert data["outlook"]["soc"] == "15-1212" and data["forecasts"]
    html = client.get("/market/occupations/15-1212.00").text
    chart = re.search(r'data-testid="forecast-0".*?</svg>', html, re.S)
    first = data["forecasts"][0]
    assert chart and chart.group(0).count("data-point=") == len(first["history"]) + 4
    assert chart.group(0).count('data-forecast="1"') == 4
    assert "Blended outlook" in html and "Bright Outlook" in html
    esco = client.get(f"/market/occupations/{SOFTWARE_DEVELOPER}.json").json()
    assert esco["outlook"]["mapping"].startswith("ESCO preferred label") and esco["escoOccupations"] == [
        {"uri": SOFTWARE_DEVELOPER, "label": "software developer", "mapping": "title:exact"}
    ]
    bad = client.get("/market/occupations/nonsense.json")
    assert bad.status_code == 400 and bad.json()["type"].endswith("invalid_input")


def test_catalog_shows_market_value(client: TestClient, cs: Credstack) -> None:
    api = client.get("/api/catalog", params={"q": "data analysis"}).json()
    hits = api["results"]
    assert hits and all(0 <= h["marketValue"]["score"] <= 1 for h in hits)
    entry = hits[0]["id"]
    expected = cs.outlook.entry_value(entry)
    one = client.get(f"/api/catalog/{entry}").json()
    assert one["marketValue"]["score"] == round(expected.score, 4) and one["marketValue"]["basis"] == expected.basis
    listing = client.get("/catalog", params={"q": "data analysis"}).text
    assert listing.count('data-testid="market-value"') == len(hits)
    assert f"{expected.score:.2f}" in client.get(f"/catalog/{entry}").text


# -- in a real browser ----------------------------------------------------------------------------------------


@pytest.mark.browser
def test_market_pages_in_a_browser(cs: Credstack, page: Any) -> None:  # noqa: F811
    from api_support import free_port, live_server
    from browser_support import SCREENSHOTS

    top = _top_skill(cs)
    with live_server(cs, free_port()) as base:
        page.goto(f"{base}/catalog")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Market", exact=True).click()
        page.wait_for_url(f"{base}/market")
        overview = client_json(page, f"{base}/market.json")
        page.goto(f"{base}/market")
        assert page.locator('[data-testid="top-skills"] rect[data-point]').count() == len(overview["topSkills"])
        index = page.locator('[data-testid="posting-index"] circle[data-point]')
        assert index.count() == len(overview["postingIndex"])
        sources = page.locator('[data-testid="source"]').all_inner_texts()
        assert len(sources) == 4 and any("Indeed Hiring Lab" in s for s in sources)
        assert page.locator('[data-testid="notes"] li').count() >= 1  # the thin-data notes are shown
        page.screenshot(path=str(SCREENSHOTS / "market_overview.png"), full_page=True)

        page.locator('[data-testid="top-skills"] a').first.click()
        page.wait_for_url(re.compile(r"/market/skills/"))
        assert top.label in page.locator("h1").inner_text()
        history = client_json(page, page.url + ".json")
        points = page.locator('[data-testid="skill-demand"] circle[data-point]')
        assert points.count() == len(history["history"]) + len(history["forecast"])

        page.goto(f"{base}/market/occupations/15-1212.00")
        data = client_json(page, f"{base}/market/occupations/15-1212.00.json")
        page.goto(f"{base}/market/occupations/15-1212.00")
        chart = page.locator('[data-testid="forecast-0"]')
        assert chart.locator("circle[data-point]").count() == len(data["forecasts"][0]["history"]) + 4
        assert chart.locator("polygon").count() == 2  # the 80 % and 95 % bands
        assert chart.locator("rect, circle").first.bounding_box() is not None  # drawn (the stylesheet loaded)
        assert "Information security analysts" in page.locator("h1").inner_text()
        assert "BLS Employment Projections" in page.locator('[data-testid="section-outlook"]').inner_text()
        page.screenshot(path=str(SCREENSHOTS / "market_occupation.png"), full_page=True)
    assert page.console_errors == []


def client_json(tab: Any, url: str) -> Any:
    response = tab.request.get(url)
    assert response.ok, url
    return response.json()


# -- command line ---------------------------------------------------------------------------------------------


def _run(*args: str) -> int:
    from credstack.cli import main

    try:
        main(["outlook", *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_outlook_commands(
    cs: Credstack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    monkeypatch.setenv("CREDSTACK_DATABASE_URL", cs.settings.database_url)
    monkeypatch.setenv("CREDSTACK_DATA_DIR", str(cs.market.data_dir))
    assert _run("occupation", SOFTWARE_DEVELOPER, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["soc"] == "15-1252" and data["medianWage"] == 135_980 and data["sources"]
    assert _run("occupation", "15-1212") == 0
    text = capsys.readouterr().out
    assert "Information security analysts" in text and "blended outlook" in text and "sources: BLS" in text
    assert _run("occupation", "not-a-code") == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "invalid_input" in error[0]
    assert _run("forecast", "--occupation", "15-1212", "--json") == 0
    series = json.loads(capsys.readouterr().out)["series"]
    assert len(series[0]["forecast"]) == 4
    assert _run("forecast", "--skill", _top_skill(cs).uri) == 0
    assert "no forecast" in capsys.readouterr().out
    assert _run("forecast") == 2 and "exactly one of" in capsys.readouterr().err
    entry = cs.catalog.search("data analysis", limit=1).hits[0].entry.id
    assert _run("value", entry, "--json") == 0
    value = json.loads(capsys.readouterr().out)
    assert value["entry"] == entry and value["score"] == round(cs.outlook.entry_value(entry).score, 4)
    assert _run("value", "no-such-entry") == 2 and "not_found" in capsys.readouterr().err


def test_outlook_api(client: TestClient, cs: Credstack) -> None:
    one = client.get("/api/outlook/occupations/15-1252.00").json()
    assert one["soc"] == "15-1252" and one["title"] == "Software developers" and one["brightOutlook"] is True
    by_esco = client.get(f"/api/outlook/occupations/{SOFTWARE_DEVELOPER}").json()
    assert by_esco["blendedOutlook"] == one["blendedOutlook"]
    missing = client.get("/api/outlook/occupations/00-0000")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/outlook/occupations/bogus").json()["status"] == 400
    series = client.get("/api/outlook/forecast", params={"occupation": "15-1212"}).json()["series"]
    assert series[0]["forecast"] and series[0]["backtest"]["origins"] > 0
    skill = client.get("/api/outlook/forecast", params={"skill": _top_skill(cs).uri}).json()
    assert skill["uri"] == _top_skill(cs).uri and skill["forecast"] == [] and skill["note"]
    assert client.get("/api/outlook/forecast").status_code == 400
    uris = [d.uri for d in cs.market.skill_demand(limit=3)]
    value = client.post("/api/outlook/value", json={"skills": uris}).json()
    assert value["score"] == round(cs.outlook.market_value(uris).score, 4) and value["basis"] == "postings"
    assert client.post("/api/outlook/value", json={"skills": "x"}).status_code == 400
    pooled = client.get("/api/outlook/backtest").json()["pooled"]
    assert pooled["mase_model"] < pooled["mase_naive"]


def test_outlook_on_an_empty_market_on_both_engines(database_url: str, tmp_path: Path) -> None:
    """No postings ingested (SQLite and PostgreSQL): outlooks stand on the shipped data, market values fall back to
    the occupation outlook, the overview says there are no postings, and a skill forecast has nothing to stand on."""
    with Credstack.from_settings(Settings(database_url=database_url, data_dir=str(tmp_path / "data"))) as app:
        app.init_db()
        dev = app.outlook.occupation_outlook("15-1252")
        assert dev is not None and dev.growth_pct == 15.8
        skill = next(iter(sorted(app.outlook._skill_outlook)))
        value = app.outlook.market_value([skill])
        assert value.basis == "outlook" and value.score == pytest.approx(app.outlook._skill_outlook[skill])
        overview = app.outlook.views.overview()
        assert overview["topSkills"] == [] and overview["notes"][0].startswith("no job postings")
        assert len(overview["postingIndex"]) > 70 and overview["occupations"]
        empty = app.outlook.forecast_skill(skill)
        assert empty.forecast.history == () and not empty.forecast.forecast
        assert any(n.startswith("not forecast: 0 consecutive") for n in empty.notes)
