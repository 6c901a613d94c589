"""The taxonomy service on a real database: load counts, idempotency, search and show, and bad input."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from credstack.app import Credstack
from credstack.errors import InvalidInputError, NotFoundError, TaxonomyNotLoadedError
from credstack.services.taxonomy_records import LoadReport, OccupationDetail, OnetOccupationDetail, SkillDetail
from taxonomy_helpers import PG_SLICE, loaded_database, make_app

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Credstack, LoadReport]]:
    """The whole taxonomy, loaded once per test process (shared with the CLI and web tests)."""
    url, report = loaded_database(tmp_path_factory)
    with make_app(url) as app:
        yield app, report


def _count(app: Credstack, sql: str) -> int:
    with app.db.engine.connect() as conn:
        return int(conn.execute(sa.text(sql)).scalar_one())


def test_load_holds_every_row_of_the_release(loaded: tuple[Credstack, LoadReport]) -> None:
    app, report = loaded
    assert report.changed
    rows = {t.name: t.rows for t in report.tables}
    assert rows["skills"] == 13_896
    assert rows["occupations"] == 3_007
    assert rows["occupation_skills"] == 123_855
    assert rows["onet_occupations"] == 1_016
    assert rows["onet_technology_skills"] == 32_627
    assert _count(app, "select count(*) from taxonomy_skills where kind = 'skill'") == 13_896
    assert _count(app, "select count(*) from taxonomy_occupations where kind = 'occupation'") == 3_007
    assert _count(app, "select count(*) from taxonomy_occupation_skills") == 123_855
    assert _count(app, "select count(*) from taxonomy_occupation_skills where relation_type = 'essential'") == 64_946
    assert _count(app, "select count(*) from taxonomy_onet_occupations") == 1_016
    assert _count(app, "select count(*) from taxonomy_onet_technology_skills") == 32_627
    assert _count(app, "select count(*) from taxonomy_onet_technology_skills where hot") == 11_621
    assert app.taxonomy.counts() == app.taxonomy.datasets()
    # The release's own dangling references are kept as published, and reported.
    assert report.dangling == {"occupation_skills": 67, "skill_broader": 7, "occupation_broader": 1}


def test_second_load_changes_nothing_and_says_so(loaded: tuple[Credstack, LoadReport]) -> None:
    app, _ = loaded
    again = app.taxonomy.load()
    assert not again.changed
    assert {t.action for t in again.tables} == {"unchanged"}
    assert _count(app, "select count(*) from taxonomy_occupation_skills") == 123_855


def test_a_damaged_table_is_reloaded_alone(loaded: tuple[Credstack, LoadReport]) -> None:
    app, _ = loaded
    with app.db.engine.begin() as conn:
        conn.execute(sa.text("delete from taxonomy_onet_tasks where code like '15-%'"))
    report = app.taxonomy.load()
    assert [t.name for t in report.tables if t.action == "loaded"] == ["onet_tasks"]
    assert _count(app, "select count(*) from taxonomy_onet_tasks") == 18_796


def test_typo_finds_python(loaded: tuple[Credstack, LoadReport]) -> None:
    hits = loaded[0].taxonomy.search("pyhton", kind="skill")
    assert hits[0].label == "Python (computer programming)"
    assert hits[0].uri == PYTHON
    assert hits[0].match == "fuzzy"


def test_alternative_label_finds_the_concept(loaded: tuple[Credstack, LoadReport]) -> None:
    hit = loaded[0].taxonomy.search("bookkeeping", kind="skill")[0]
    assert (hit.label, hit.matched_label, hit.match) == ("accounting", "bookkeeping", "alternative")


def test_occupation_search_ranks_esco_and_onet(loaded: tuple[Credstack, LoadReport]) -> None:
    hits = loaded[0].taxonomy.search("software developer", kind="occupation", limit=5)
    assert (hits[0].scheme, hits[0].label, hits[0].match) == ("esco", "software developer", "exact")
    assert ("onet", "15-1252.00") in {(h.scheme, h.id) for h in hits}
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_search_without_kind_returns_both(loaded: tuple[Credstack, LoadReport]) -> None:
    kinds = {h.kind for h in loaded[0].taxonomy.search("welding", limit=20)}
    assert kinds == {"skill", "occupation"}


def test_show_occupation_lists_its_essential_skills(loaded: tuple[Credstack, LoadReport]) -> None:
    occupation = loaded[0].taxonomy.show("2512.4")
    assert isinstance(occupation, OccupationDetail)
    assert occupation.preferred_label == "software developer"
    assert occupation.isco_group is not None and occupation.isco_group.id == "C2512"
    essential = {link.label for link in occupation.essential_skills}
    assert {"debug software", "computer programming", "analyse software specifications"} <= essential
    assert all(link.relation == "essential" for link in occupation.essential_skills)
    assert [link.id for link in occupation.onet] == ["15-1252.00"]
    assert loaded[0].taxonomy.show(occupation.uri) == occupation == loaded[0].taxonomy.show(occupation.id)


def test_show_skill_has_hierarchy_and_occupations(loaded: tuple[Credstack, LoadReport]) -> None:
    skill = loaded[0].taxonomy.skill(PYTHON)
    assert isinstance(skill, SkillDetail)
    assert skill.skill_type == "knowledge"
    assert "Python3" in skill.alt_labels
    assert "computer programming" in {b.label for b in skill.broader}
    assert skill.optional_for and all(link.kind == "occupation" for link in skill.optional_for)
    assert not {link.id for link in skill.essential_for} & {link.id for link in skill.optional_for}


def test_show_skill_group_and_isco_group(loaded: tuple[Credstack, LoadReport]) -> None:
    group = loaded[0].taxonomy.show("S1")
    assert isinstance(group, SkillDetail) and group.kind == "group"
    assert group.narrower
    isco = loaded[0].taxonomy.show("2512")
    assert isinstance(isco, OccupationDetail) and isco.kind == "isco"
    assert "software developer" in {n.label for n in isco.narrower}


def test_show_onet_occupation(loaded: tuple[Credstack, LoadReport]) -> None:
    onet = loaded[0].taxonomy.occupation("15-1252")
    assert isinstance(onet, OnetOccupationDetail)
    assert onet.title == "Software Developers"
    python = [t for t in onet.technology_skills if t.example == "Python"]
    assert python and python[0].hot
    assert onet.technology_skills[0].hot  # hot technologies first
    assert len(onet.alternate_titles) > 10
    assert len(onet.tasks) > 10
    chief = loaded[0].taxonomy.occupation("11-1011.00")
    assert isinstance(chief, OnetOccupationDetail)
    types = [t.task_type for t in chief.tasks]
    assert types[0] == "Core" and types == sorted(types, key=lambda t: {"Core": 0, "Supplemental": 1}.get(t or "", 2))
    assert "software developer" in {link.label for link in onet.esco}


def test_unknown_reference_is_not_found_with_a_hint(loaded: tuple[Credstack, LoadReport]) -> None:
    with pytest.raises(NotFoundError, match=r"no skill or occupation 'no-such-thing'.*taxonomy search"):
        loaded[0].taxonomy.show("no-such-thing")
    with pytest.raises(NotFoundError, match=r"99-9999\.00"):
        loaded[0].taxonomy.show("99-9999.00")
    with pytest.raises(NotFoundError, match="is an occupation, not a skill"):
        loaded[0].taxonomy.skill("2512.4")
    with pytest.raises(NotFoundError, match="is a skill, not an occupation"):
        loaded[0].taxonomy.occupation(PYTHON)


@pytest.mark.parametrize(
    ("text", "kwargs"), [("", {}), ("   ", {}), ("?!", {}), ("python", {"kind": "tool"}), ("python", {"limit": 0})]
)
def test_bad_search_input_is_invalid_input(
    loaded: tuple[Credstack, LoadReport], text: str, kwargs: dict[str, object]
) -> None:
    with pytest.raises(InvalidInputError):
        loaded[0].taxonomy.search(text, **kwargs)  # type: ignore[arg-type]


def test_empty_reference_is_invalid_input(loaded: tuple[Credstack, LoadReport]) -> None:
    with pytest.raises(InvalidInputError):
        loaded[0].taxonomy.show("  ")


def test_attribution_is_available(loaded: tuple[Credstack, LoadReport]) -> None:
    assert "European Commission" in loaded[0].taxonomy.attribution()
    assert "USDOL/ETA" in loaded[0].taxonomy.attribution()


def test_before_loading_search_says_to_load(sqlite_url: str) -> None:
    with make_app(sqlite_url) as app:
        with pytest.raises(TaxonomyNotLoadedError, match="credstack taxonomy load"):
            app.taxonomy.search("python")
        with pytest.raises(TaxonomyNotLoadedError):
            app.taxonomy.show("2512.4")


def test_unknown_dataset_is_refused(sqlite_url: str) -> None:
    with make_app(sqlite_url) as app, pytest.raises(InvalidInputError, match="unknown taxonomy dataset"):
        app.taxonomy.load(only=["skills", "spells"])


def test_load_search_and_show_on_each_database(database_url: str) -> None:
    """The same behaviour on SQLite and PostgreSQL (a slice of the datasets, to keep it quick)."""
    with make_app(database_url) as app:
        first = app.taxonomy.load(only=PG_SLICE)
        assert first.changed and {t.name for t in first.tables} == set(PG_SLICE)
        assert not app.taxonomy.load(only=PG_SLICE).changed
        assert app.taxonomy.search("pyhton", kind="skill")[0].uri == PYTHON
        assert app.taxonomy.search("Software Developers", kind="occupation")[0].id == "15-1252.00"
        skill = app.taxonomy.skill("ccd0a1d9-afda-43d9-b901-96344886e14d")
        assert "computer programming" in {b.label for b in skill.broader}
        onet = app.taxonomy.show("15-1252.00")
        assert isinstance(onet, OnetOccupationDetail) and onet.tasks


@pytest.mark.parametrize(
    "module",
    [
        "credstack.services.taxonomy",
        "credstack.services.taxonomy_load",
        "credstack.services.taxonomy_search",
        "credstack.services.taxonomy_records",
        "credstack.storage.taxonomy_tables",
        "credstack.cli.taxonomy",
        "credstack.api.taxonomy",
        "credstack.web.taxonomy",
    ],
)
def test_public_names_exist(module: str) -> None:
    imported = importlib.import_module(module)
    assert imported.__all__ and all(hasattr(imported, name) for name in imported.__all__)


def test_concurrent_loads_load_each_table_once(database_url: str) -> None:
    """Two processes' worth of loads at once (two apps, two threads): no conflict, every dataset loaded once."""
    make_app(database_url).close()
    apps = [make_app(database_url) for _ in range(2)]
    try:
        both_checked = threading.Barrier(2, timeout=30)

        def meet(name: str, done: int, _total: int) -> None:
            if name == PG_SLICE[0] and done == 0:  # both have found the table empty and are about to write
                both_checked.wait()

        with ThreadPoolExecutor(max_workers=2) as pool:
            reports = list(pool.map(lambda app: app.taxonomy.load(only=PG_SLICE, progress=meet), apps))
        loaded = sorted(t.name for r in reports for t in r.tables if t.action == "loaded")
        assert loaded == sorted(PG_SLICE)
        assert apps[0].taxonomy.counts() == {name: apps[0].taxonomy.datasets()[name] for name in PG_SLICE}
    finally:
        for app in apps:
            app.close()


def test_links_resolves_many_references_at_once(loaded: tuple[Credstack, LoadReport]) -> None:
    occupation = loaded[0].taxonomy.show("2512.4")
    assert isinstance(occupation, OccupationDetail)
    refs = [PYTHON, "ccd0a1d9-afda-43d9-b901-96344886e14d", occupation.uri, "no-such-thing", "  "]
    links = loaded[0].taxonomy.links(refs)
    assert set(links) == {PYTHON, "ccd0a1d9-afda-43d9-b901-96344886e14d", occupation.uri}
    assert links[PYTHON].label == "Python (computer programming)" and links[PYTHON].kind == "skill"
    assert links[occupation.uri].kind == "occupation"
    many = [link.uri or "" for link in occupation.essential_skills + occupation.optional_skills]
    assert len(loaded[0].taxonomy.links(many)) == len(set(many))


def test_force_reloads_even_when_unchanged(loaded: tuple[Credstack, LoadReport]) -> None:
    report = loaded[0].taxonomy.load(force=True, only=["onet_occupations"])
    assert [(t.name, t.action, t.rows) for t in report.tables] == [("onet_occupations", "loaded", 1_016)]
    assert _count(loaded[0], "select count(*) from taxonomy_onet_occupations") == 1_016
