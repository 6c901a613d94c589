"""The demo catalog as seeded from the real taxonomy: every essential skill of its occupations, and, once job
postings are ingested, the optional skills they ask for most (SQL for software developers)."""

from __future__ import annotations

import shutil
from pathlib import Path

from catalog_support import open_app, seeded_database
from credstack.app import Credstack
from credstack.catalog import CatalogEntry
from credstack.storage.market_tables import MarketDemand

SQL = "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"


def _demo(app: Credstack) -> list[CatalogEntry]:
    total = app.catalog.search(source="demo", limit=1).total
    pages = [app.catalog.search(source="demo", limit=100, offset=o) for o in range(0, total, 100)]
    return [h.entry for page in pages for h in page.hits]


def test_seeding_after_postings_adds_the_asked_skills_and_keeps_the_tracks(tmp_path_factory, tmp_path: Path):
    url, report = seeded_database(tmp_path_factory)
    assert "no postings yet" in next(s.detail for s in report.sources if s.source == "demo")
    copy = tmp_path / "with-postings.db"
    shutil.copyfile(url.removeprefix("sqlite:///"), copy)
    with open_app(f"sqlite:///{copy}") as app:
        before = {e.id: e for e in _demo(app)}
        assert not any(s.uri == SQL for e in before.values() for s in e.skills)
        with app.db.write() as session:
            session.add(MarketDemand(month="2026-01", source="test", skill_uri=SQL, soc_code="15-1252.00",
                                     esco_occupation="", region="", postings=40))  # fmt: skip
        seeded = app.catalog.seed()
        demo = next(s for s in seeded.sources if s.source == "demo")
        assert demo.action == "loaded" and "1 optional skill asked for in postings" in demo.detail
        after = {e.id: e for e in _demo(app)}
        added = [e for key, e in after.items() if key not in before]
        assert added and all(any(s.uri == SQL for s in e.skills) for e in added)
        assert {e.tags[0] for e in added} >= {"software developer"}  # SQL is optional for it in ESCO
        assert all(after[key] == entry for key, entry in before.items())  # the tracks stay as they were
        assert {s.action for s in app.catalog.seed().sources} == {"unchanged"}
        found = app.catalog.search(skills=[SQL])
        assert found.total == len(added)


def test_every_essential_skill_of_a_demo_occupation_is_taught(tmp_path_factory):
    url, _ = seeded_database(tmp_path_factory)
    with open_app(url) as app:
        entries = _demo(app)
        nurse = [e for e in entries if e.tags[0] == "nurse responsible for general care"]
        detail = app.taxonomy.occupation(nurse[0].occupations[0])
        essential = {link.uri for link in detail.essential_skills if link.uri}  # type: ignore[union-attr]
        taught = {s.uri for e in nurse for s in e.skills}
        assert len(essential) > 48 and essential <= taught | _knowledge_groups(app, essential)
        assert not any(" a accountant" in e.description or "A 80-hour" in e.description for e in entries)


def _knowledge_groups(app: Credstack, uris: set[str]) -> set[str]:
    """Essential relations that point at skill groups rather than skills (the seed aligns skills only)."""
    links = app.taxonomy.links(uris)
    return {uri for uri in uris if uri not in links or links[uri].kind != "skill"}
