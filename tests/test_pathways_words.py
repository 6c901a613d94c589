"""The demo pathways in words a learner understands, on the web page, its JSON twin and the CLI: "All of:",
"Any 1 of:", "At least 3 credits tagged ...", achievement names with links, nested stacks by name, the articulation
rule as "Applied SQL from Riverside University ... counts as ... and for 1.5 credits", issuer names instead of DIDs;
and no raw achievement URL or did:key as a label (the JSON keeps the ids next to the words)."""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from credstack.api import create_app
from credstack.app import Credstack
from credstack.cli import main
from credstack.services.pathway_words import PathwayWords, short_did, short_ref
from credstack.settings import Settings
from credstack.stacking import Articulation, Qualification
from learner_support import admin_session
from pathway_support import demo_stacks_database

BASE = "http://127.0.0.1:8000"
RAW = re.compile(r"https?://[^\s\"<]*/achievements/|did:key:z\w{20,}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Credstack, TestClient, str]]:
    url, _ = demo_stacks_database(tmp_path_factory, BASE)
    with Credstack.from_settings(Settings(database_url=url, base_url=BASE)) as cs, TestClient(create_app(cs)) as client:
        yield cs, client, url


def _labels(page: str) -> list[str]:
    found = re.findall(r'data-testid="node-label">(.*?)</span>', page, flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", f)).strip() for f in found]


def _partner(cs: Credstack) -> tuple[str, str]:
    rule = cs.pathways.get("sql-and-databases").qualification.articulations[0]
    partner = next(i for i in cs.issuers.list() if i.did == rule.issuer_id)
    return rule.achievement_id, partner.name


def test_the_pathway_page_says_every_requirement_in_words(demo: tuple[Credstack, TestClient, str]) -> None:
    cs, client, _ = demo
    achievement_url, partner = _partner(cs)
    assert achievement_url.startswith(f"{BASE}/achievements/") and partner.startswith("Riverside University")
    page = client.get("/pathways/sql-and-databases").text
    labels = _labels(page)
    assert labels[0] == "All of:" and "At least 3 credits tagged database administrator" in labels
    query = cs.pathways.get("sql-and-databases").qualification.requirement.children[0].achievement_id  # type: ignore[union-attr]
    query_name = cs.catalog.get(query).name
    assert f"{query_name} (query languages)" in labels
    assert f'<a href="/catalog/{query}">{query_name} (query languages)</a>' in page  # the name, with a link
    rules = [html.unescape(r) for r in re.findall(r'data-testid="articulation">(.*?)</li>', page)]
    assert rules == [
        f"Applied SQL from {partner} counts as {query_name} and for 1.5 credits toward the 3 credits tagged "
        "database administrator"
    ]
    for label in [*labels, *rules]:
        assert not RAW.search(label), label
        assert "all-of" not in label and "credits(" not in label and '"db-credits"' not in label

    certificate = _labels(client.get("/pathways/data-analyst-certificate").text)
    assert "The stack Data analyst foundations" in certificate
    assert "Any 2 of (advanced units):" in certificate
    assert any(
        label.startswith("At least 3 credits tagged data analyst, at EQF level 6 or above") for label in certificate
    )
    essentials = _labels(client.get("/pathways/software-developer-essentials").text)
    assert "Any 1 of:" in essentials
    aligned = next(label for label in essentials if label.startswith("Any credential in "))
    assert "http" not in aligned and aligned.endswith("(programming)")


def test_a_learners_progress_is_in_words_too(demo: tuple[Credstack, TestClient, str]) -> None:
    cs, client, _ = demo
    client.cookies.update(admin_session(cs))
    page = client.get("/pathways/data-career-pathway", params={"learner": "jonas.weber@example.org"}).text
    labels = _labels(page)
    assert "The stack SQL and databases" in labels and "The stack Data analyst certificate" in labels
    reasons = [html.unescape(r) for r in re.findall(r'<div class="reason muted">(.*?)</div>', page, flags=re.S)]
    assert reasons and all(not RAW.search(r) and "all-of" not in r and "credits(" not in r for r in reasons)
    assert any("still needed: The stack Data analyst certificate" in r for r in reasons)
    amara = client.get("/pathways/electrician-trade-units", params={"learner": "amara.nwosu@example.org"}).text
    reasons = [html.unescape(r) for r in re.findall(r'<div class="reason muted">(.*?)</div>', amara, flags=re.S)]
    revoked = [r for r in reasons if r.startswith("not met: ")]
    assert len(revoked) == 1 and "is revoked" in revoked[0]  # named by its achievement, not its credential id
    assert all(not re.search(r"\b[0-9a-f]{32}\b", r) for r in reasons)


def test_the_json_twin_has_the_words_and_keeps_the_ids(demo: tuple[Credstack, TestClient, str]) -> None:
    cs, client, _ = demo
    achievement_url, partner = _partner(cs)
    twin = client.get("/pathways/sql-and-databases.json").json()
    assert twin["definition"]["articulations"][0]["achievementId"] == achievement_url  # the ids stay
    rule = twin["articulations"][0]
    assert rule["achievementId"] == achievement_url and rule["achievement"] == "Applied SQL"
    assert rule["issuer"] == partner and rule["issuerId"].startswith("did:key:")
    assert rule["text"].startswith(f"Applied SQL from {partner} counts as ")
    requirements = twin["requirements"]
    assert requirements[0] == {"kind": "all-of", "label": "All of:", "depth": 0}
    credits = next(r for r in requirements if r["kind"] == "credits")
    assert credits["nodeId"] == "db-credits" and credits["label"] == "At least 3 credits tagged database administrator"
    assert all(not RAW.search(r["label"]) for r in requirements)
    client.cookies.update(admin_session(cs))
    progress = client.get("/pathways/sql-and-databases.json", params={"learner": "jonas.weber@example.org"}).json()
    assert [n["label"] for n in progress["nodes"]][:1] == ["All of:"]
    assert all(not RAW.search(n["label"]) for n in progress["nodes"])


def test_the_cli_shows_names_not_dids(
    demo: tuple[Credstack, TestClient, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cs, _, url = demo
    _, partner = _partner(cs)
    for name in list(os.environ):
        if name.startswith("CREDSTACK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", url)
    monkeypatch.setenv("CREDSTACK_BASE_URL", BASE)
    capsys.readouterr()
    main(["pathway", "show", "sql-and-databases"])
    shown = capsys.readouterr().out
    assert "- All of:" in shown and "At least 3 credits tagged database administrator" in shown
    assert f"Applied SQL from {partner} counts as" in shown
    assert not RAW.search(shown), shown
    main(["pathway", "show", "sql-and-databases", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert data["articulations"][0]["issuer"] == partner
    main(["progress", "--learner", "jonas.weber@example.org", "--pathway", "sql-and-databases"])
    progress = capsys.readouterr().out
    assert "All of:" in progress and not RAW.search(progress.split("cheapest remaining")[0])


def test_unknown_ids_are_shortened_not_shown_raw() -> None:
    did = "did:key:z6MkwTqL9sQmv1pYbKk8G5x3Ck7fRz2nD4hPaWq8Ux7Qa"
    assert short_did(did) == "did:key:z6MkwT…x7Qa" and short_did("did:web:a.example") == "did:web:a.example"
    url = "https://other.example/achievements/1a8b2c3d4e5f60718293a4b5c6d7e8f9"
    assert short_ref(url) == "achievement 1a8b2c3d… at other.example"
    words = PathwayWords(names={"u1": "Unit 1"})
    qualification = Qualification.from_json(
        {
            "id": "q",
            "name": "Q",
            "requirement": {
                "type": "credits",
                "id": "c",
                "credits": 5,
                "filter": {"providers": [did]},
            },
            "articulations": [{"achievementId": url, "issuerId": did, "credits": 5}],
        }
    )
    rule: Articulation = qualification.articulations[0]
    assert words.articulation(rule, qualification) == (
        "achievement 1a8b2c3d… at other.example from did:key:z6MkwT…x7Qa counts for 5 credits"
    )
    assert words.node(qualification.requirement) == "At least 5 credits issued by did:key:z6MkwT…x7Qa"
