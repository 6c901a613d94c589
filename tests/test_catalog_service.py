"""The catalog service: seeding from the real taxonomy and the NJ ETPL, search, look-up, storage on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from catalog_support import open_app, seeded_database
from credstack.app import Credstack
from credstack.catalog import CatalogEntry, Prerequisite, SkillAlignment
from credstack.errors import InvalidInputError, NotFoundError, TaxonomyNotLoadedError
from credstack.settings import Settings

ESCO = "http://data.europa.eu/esco/skill/"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Credstack, object]]:
    url, report = seeded_database(tmp_path_factory)
    with open_app(url) as app:
        yield app, report


def test_seed_loads_a_demo_catalog_of_real_skills_and_the_nj_programmes(seeded):
    app, report = seeded
    by_source = {s.source: s for s in report.sources}
    assert by_source["demo"].rows >= 300 and by_source["nj-etpl"].rows == 128
    demo = app.catalog.search(source="demo", limit=100)
    assert demo.total >= 300
    providers = {e for e in app.catalog.providers() if e.endswith("(demo)")}
    assert len(providers) >= 8
    occupations = {o for h in demo.hits for o in h.entry.occupations}
    everything = [app.catalog.get(h.entry.id) for p in range(4) for h in app.catalog.search(
        source="demo", limit=100, offset=100 * p).hits]  # fmt: skip
    assert len({o for e in everything for o in e.occupations}) >= 15 and occupations
    skills = {s.uri for e in everything for s in e.skills}
    known = app.taxonomy.links(skills)
    assert set(known) == skills  # every alignment is a real ESCO skill
    assert all(e.effort_hours and e.price is not None for e in everything)


def test_seeding_again_changes_nothing(seeded):
    app, _ = seeded
    before = app.catalog.count()
    report = app.catalog.seed()
    assert {s.action for s in report.sources} == {"unchanged"}
    assert app.catalog.count() == before


def test_nj_programmes_keep_their_real_figures_and_map_to_occupation_skills(seeded):
    app, _ = seeded
    massage = app.catalog.get("nj-27384")
    assert (massage.name, massage.price, massage.currency, massage.effort_hours) == (
        "Massage Therapy", 15578.0, "USD", 750.0
    )  # fmt: skip
    assert "31-9011" in massage.extra["soc"]
    assert any("massage" in s.label for s in massage.skills)
    page = app.catalog.search("massage therapy", source="nj-etpl")
    assert page.hits and page.hits[0].entry.id.startswith("nj-")


def test_occupation_search_ranks_the_tracks_built_for_it_first(seeded):
    app, _ = seeded
    page = app.catalog.search(occupation="2512.4", limit=5)  # ESCO code of "software developer"
    assert page.hits[0].entry.name == "Software developer: professional certificate"
    assert page.hits[0].matched_skills
    assert all(h.score >= page.hits[-1].score for h in page.hits)
    onet = app.catalog.search(occupation="15-1252.00", limit=5)  # O*NET Software Developers, via the ESCO title
    assert onet.total and all(h.matched_skills for h in onet.hits)
    welding = app.catalog.search("welding", max_hours=40, limit=50)
    assert welding.total and all(h.entry.effort_hours <= 40 for h in welding.hits)


def test_the_ob3_achievement_of_an_entry_lives_under_the_catalog_url(seeded):
    app, _ = seeded
    achievement = app.catalog.achievement("demo-00-capstone")
    assert achievement["id"].endswith("/catalog/demo-00-capstone")
    assert all(a["targetUrl"].startswith("http://data.europa.eu/") for a in achievement["alignment"])
    with pytest.raises(NotFoundError):
        app.catalog.get("no-such-entry")


def test_seed_needs_the_taxonomy(sqlite_url):
    with Credstack.from_settings(Settings(database_url=sqlite_url)) as app:
        app.init_db()
        with pytest.raises(TaxonomyNotLoadedError):
            app.catalog.seed()


def _local(entry_id: str, name: str, **fields) -> CatalogEntry:
    return CatalogEntry(id=entry_id, source="local", name=name, description=f"{name}.", provider="Local", **fields)


def test_entries_round_trip_through_storage(database_url):
    with Credstack.from_settings(Settings(database_url=database_url)) as app:
        app.init_db()
        first = _local(
            "local-1",
            "Kubernetes operations",
            skills=(SkillAlignment(ESCO + "k8s", "Kubernetes", 3), SkillAlignment(ESCO + "linux", "Linux", 2)),
            ects=3.0,
            effort_hours=80,
            price=450.0,
            validity_months=24,
            assessment_method="practical project with rubric",
            prerequisites=(Prerequisite("skill", ESCO + "linux"),),
            tags=("cloud",),
            extra={"note": "kept"},
        )
        assert app.catalog.replace_source("local", [first, _local("local-2", "Linux basics")]) == 2
        assert app.catalog.get("local-1") == first
        assert [h.entry.id for h in app.catalog.search("kubernetes").hits] == ["local-1"]
        assert app.catalog.search(skills=["linux"]).hits[0].entry.id == "local-1"
        app.catalog.replace_source("local", [_local("local-3", "Git")])
        assert app.catalog.count() == 1
        with pytest.raises(NotFoundError):
            app.catalog.get("local-1")
        with pytest.raises(InvalidInputError):
            app.catalog.replace_source("other", [_local("x", "X")])


def test_a_published_entry_is_issued_and_verifies(sqlite_url):
    with Credstack.from_settings(Settings(database_url=sqlite_url)) as app:
        app.init()
        entry = _local(
            "local-py",
            "Python for analysts",
            skills=(SkillAlignment(ESCO + "ccd0a1d9-afda-43d9-b901-96344886e14d", "Python", 3),),
            ects=2.0,
            eqf_level=5,
            effort_hours=50,
            price=200.0,
            tags=("python",),
        )
        app.catalog.replace_source("local", [entry])
        record = app.catalog.publish("local-py")
        definition = record.definition
        assert definition["humanCode"] == "local-py" and definition["creditsAvailable"] == 2.0
        assert definition["alignment"][0]["targetFramework"] == "ESCO"
        assert definition["resultDescription"][0]["requiredValue"] == "advanced"
        issued = app.issuing.issue(record.id, recipient="learner@example.org")
        report = app.verifier.verify(issued.credential)
        assert report.verified, [c for c in report.checks if c.status == "fail"]


def test_a_credential_of_an_entry_with_a_validity_period_expires_after_it(sqlite_url):
    """The catalog's "valid for N months" is what the issued credential says: validUntil = validFrom + N months."""
    from datetime import UTC, datetime

    with Credstack.from_settings(Settings(database_url=sqlite_url)) as app:
        app.init()
        app.catalog.replace_source(
            "local", [_local("local-fa", "First aid at work", validity_months=24), _local("local-git", "Git")]
        )
        first_aid = app.catalog.publish("local-fa")
        start = datetime(2024, 2, 29, 9, 30, tzinfo=UTC)
        issued = app.issuing.issue(first_aid.id, recipient="learner@example.org", valid_from=start)
        assert issued.credential["validFrom"] == "2024-02-29T09:30:00Z"
        assert issued.credential["validUntil"] == "2026-02-28T09:30:00Z"  # no 29 February in 2026
        assert app.verifier.verify(issued.credential).verified is False  # expired by now

        chosen = app.issuing.issue(
            first_aid.id, recipient="learner@example.org", valid_until=datetime(2030, 1, 1, tzinfo=UTC)
        )
        assert chosen.credential["validUntil"] == "2030-01-01T00:00:00Z"  # the issuer's own date wins
        never = app.issuing.issue(app.catalog.publish("local-git").id, recipient="learner@example.org")
        assert "validUntil" not in never.credential
        own = app.achievements.create(None, name="First aid at work", description="d", criteria_narrative="c")
        assert "validUntil" not in app.issuing.issue(own.id, recipient="learner@example.org").credential
