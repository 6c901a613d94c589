"""The pure catalog: entries as OB 3.0 Achievements, search and ranking, the demo generator, the NJ ETPL parser."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.catalog import (
    CatalogEntry,
    CatalogIndex,
    CatalogQuery,
    DemoOccupation,
    Prerequisite,
    SkillAlignment,
    generate,
    nj,
    skill_uri,
    source,
    to_achievement,
)
from credstack.catalog.demo import article
from credstack.domain.credential import build_achievement_credential
from credstack.errors import InvalidInputError
from credstack.proofs.canonical import to_canonical_nquads

ESCO = "http://data.europa.eu/esco/skill/"
PY = SkillAlignment(ESCO + "python", "Python (computer programming)", 3)
SQL = SkillAlignment(ESCO + "sql", "SQL", 2)
STATS = SkillAlignment(ESCO + "stats", "apply statistical analysis techniques", 1)


def entry(entry_id: str, name: str, *skills: SkillAlignment, **fields) -> CatalogEntry:
    fields.setdefault("description", f"{name}, a short course.")
    fields.setdefault("provider", "Example College (demo)")
    return CatalogEntry(id=entry_id, source="test", name=name, skills=skills, **fields)


CATALOG = [
    entry("py-1", "Python for data work", PY, SQL, ects=2.0, effort_hours=50, price=300.0, delivery_format="online"),
    entry("sql-1", "Databases with SQL", SQL, us_credits=1.0, effort_hours=45, price=900.0, currency="USD"),
    entry("stats-1", "Statistics essentials", STATS, effort_hours=20, price=0.0, eqf_level=4, provider="Other (demo)"),
    entry("weld-1", "Arc welding", effort_hours=120, description="Welding, workshop.", delivery_format="in-person"),
    entry("free-1", "Data analysis with python and statistics", PY, STATS, effort_hours=None, price=None),
]


def test_an_entry_becomes_an_ob3_achievement_that_canonicalizes_without_undefined_terms():
    achievement = to_achievement(CATALOG[0], "https://cs.example/catalog/py-1")
    skills = [a for a in achievement["alignment"] if a.get("targetFramework") == "ESCO"]
    assert [a["targetUrl"] for a in skills] == [PY.uri, SQL.uri]
    assert {a["targetType"] for a in skills} == {"ceasn:Competency"}
    assert achievement["creditsAvailable"] == 2.0
    assert achievement["resultDescription"][0]["requiredValue"] == "advanced"
    assert achievement["creator"]["name"] == "Example College (demo)"
    credential = build_achievement_credential(
        credential_id="urn:uuid:6b1a3f43-0000-4000-8000-000000000001",
        achievement=achievement,
        recipient="learner@example.org",
        salt="pepper",
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    )
    credential["issuer"] = {"id": "did:example:issuer", "type": ["Profile"]}
    assert "esco/skill/python" in to_canonical_nquads(credential)  # raises UndefinedTermError on a stray term


def test_eqf_level_is_an_alignment_and_us_credits_fill_credits_available_without_ects():
    achievement = to_achievement(CATALOG[2], "https://cs.example/catalog/stats-1")
    assert any(a["targetUrl"] == "http://data.europa.eu/snb/eqf/4" for a in achievement["alignment"])
    assert "creditsAvailable" not in achievement
    assert to_achievement(CATALOG[1], "https://cs.example/catalog/sql-1")["creditsAvailable"] == 1.0


@pytest.mark.parametrize(
    "fields",
    [
        {"price": -1.0},
        {"delivery_format": "carrier pigeon"},
        {"eqf_level": 9},
        {"currency": "euro"},
        {"name": " "},
        {"skills": (PY, PY)},
    ],
)
def test_invalid_entries_are_refused(fields):
    skills = fields.pop("skills", ())
    with pytest.raises(InvalidInputError):
        entry("bad", fields.pop("name", "Bad"), *skills, **fields)


def test_skill_references_become_esco_uris():
    assert skill_uri("abc-123") == ESCO + "abc-123"
    assert skill_uri(ESCO + "abc") == ESCO + "abc"
    with pytest.raises(InvalidInputError):
        skill_uri("  ")


def search(**query):
    return CatalogIndex(CATALOG).search(CatalogQuery(**query))


def test_every_query_word_must_match_and_name_matches_rank_first():
    page = search(text="python statistics")
    assert [h.entry.id for h in page.hits] == ["free-1"]
    page = search(text="sql")
    assert [h.entry.id for h in page.hits] == ["sql-1", "py-1"]  # in the name beats in a skill label
    assert page.hits[0].score > page.hits[1].score
    assert search(text="analy").hits[0].entry.id == "free-1"  # prefix
    assert search(text="welding workshop").hits[0].entry.id == "weld-1"


def test_filters_exclude_unknown_values_and_combine():
    assert {h.entry.id for h in search(max_price=500).hits} == {"py-1", "stats-1"}
    assert {h.entry.id for h in search(max_hours=50).hits} == {"py-1", "sql-1", "stats-1"}
    assert {h.entry.id for h in search(credit_bearing=True).hits} == {"py-1", "sql-1"}
    assert {h.entry.id for h in search(provider="other").hits} == {"stats-1"}
    assert {h.entry.id for h in search(delivery_format="in-person").hits} == {"weld-1"}
    assert {h.entry.id for h in search(eqf_level=4).hits} == {"stats-1"}
    assert search(text="python", max_price=100).total == 0


def test_skill_match_strength_ranks_entries_teaching_more_of_an_occupation():
    page = search(occupation_skills={PY.uri: 1.0, SQL.uri: 1.0, STATS.uri: 0.5})
    assert page.hits[0].entry.id == "py-1"
    assert set(page.hits[0].matched_skills) == {PY.uri, SQL.uri}
    assert {h.entry.id for h in search(skills=(SQL.uri,)).hits} == {"py-1", "sql-1"}


def test_pages_share_one_total_and_do_not_overlap():
    first, second = search(limit=2), search(limit=2, offset=2)
    assert first.total == second.total == len(CATALOG)
    assert not {h.entry.id for h in first.hits} & {h.entry.id for h in second.hits}
    with pytest.raises(InvalidInputError):
        CatalogQuery(limit=0)


OCCUPATIONS = [
    DemoOccupation(
        f"http://data.europa.eu/esco/occupation/o{n}",
        f"occupation {n}",
        "2512" if n % 2 else "7212",
        tuple((f"{ESCO}s{n}-{k}", f"skill {n} {k}") for k in range(11)),
    )
    for n in range(3)
]


def test_the_demo_generator_is_deterministic_and_consistent():
    first, again, other = generate(OCCUPATIONS, seed=7), generate(OCCUPATIONS, seed=7), generate(OCCUPATIONS, seed=8)
    assert first == again and first != other
    ids = {e.id for e in first}
    assert len(ids) == len(first)
    for e in first:
        assert e.provider.endswith("(demo)")
        assert all(p.ref in ids for p in e.prerequisites if p.kind == "achievement")
        assert e.effort_hours and e.price is not None and e.eqf_level
        assert {s.uri for s in e.skills} <= {uri for o in OCCUPATIONS for uri, _ in o.essential_skills}
    capstones = [e for e in first if e.achievement_type == "Certificate"]
    assert len(capstones) == 3 and all(c.credit_bearing for c in capstones)
    with pytest.raises(InvalidInputError):
        generate([])


def test_the_demo_covers_every_essential_skill_and_the_skills_postings_ask_for():
    many = DemoOccupation(ESCO + "nurse", "ICT nurse", "2221", tuple((f"{ESCO}e{k}", f"care {k}") for k in range(60)))
    asked = (("http://data.europa.eu/esco/skill/sql", "SQL"), (f"{ESCO}e3", "care 3"), (f"{ESCO}py", "Python"))
    plain = generate([many], seed=5)
    taught = {s.uri for e in plain for s in e.skills}
    assert taught == {uri for uri, _ in many.essential_skills}  # 60 essential skills: none left out
    posted = DemoOccupation(many.uri, many.label, many.isco_group, many.essential_skills, asked)
    with_postings = generate([posted], seed=5)
    extra = [e for e in with_postings if e not in plain]
    assert with_postings[: len(plain)] == plain  # the track does not change with postings
    assert {s.label for e in extra for s in e.skills} == {"SQL", "Python"}  # an essential one is not repeated
    assert all("-m" in e.id and "asked for in job postings" in e.tags for e in extra)
    texts = [e.description for e in with_postings]
    assert all(" a ICT " not in t and "as a ICT" not in t for t in texts)
    assert any("as an ICT nurse" in t for t in texts)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [("accountant", "an"), ("electrician", "an"), ("ICT security technician", "an"), ("nurse", "a"),
     ("80-hour", "an"), ("8-hour", "an"), ("18-hour", "an"), ("15-hour", "a"), ("110-hour", "a"), ("user", "a"),
     ("SQL developer", "an"), ("web developer", "a"), ("hour", "an")],
)  # fmt: skip
def test_the_demo_text_uses_the_right_article(phrase: str, expected: str) -> None:
    assert article(phrase) == expected


def test_the_shipped_nj_programmes_parse_with_costs_hours_and_outcomes():
    programmes = [nj.parse_programme(row) for row in source.read_rows("nj_programmes")]
    assert len(programmes) == 128
    massage = next(p for p in programmes if p.programme_id == "27384")
    assert (massage.name, massage.cip, massage.total_cost, massage.clock_hours) == (
        "Massage Therapy", "51.3501", 15578.0, 750.0
    )  # fmt: skip
    crosswalk = nj.cip_to_soc(source.read_rows("cip_soc"))
    assert ("31-9011", "Massage Therapists") in crosswalk["51.3501"]
    made = nj.to_entry(massage, skills=[(ESCO + "m", "massage")], soc_codes=["31-9011"])
    assert made.price == 15578.0 and made.currency == "USD" and made.achievement_type == "Certification"
    assert made.eqf_level is None  # the ETPL states none
    outcomes = nj.outcomes_by_programme(source.read_rows("nj_outcomes"))
    assert all(v for v in outcomes.values())


def test_pick_skills_prefers_skills_the_programme_text_names():
    candidates = [(ESCO + "a", "manage staff"), (ESCO + "b", "perform massage"), (ESCO + "c", "apply massage therapy")]
    picked = [u for u, _ in nj.pick_skills("Learning massage and therapies", candidates)]
    assert picked == [ESCO + "c"]  # "perform massage" is less than half covered ("massage" is the common word)
    assert nj.pick_skills("Perform massages", candidates)[0][0] == ESCO + "b"


def test_prerequisites_are_achievements_or_skills():
    assert Prerequisite("skill", ESCO + "x").to_json() == {"kind": "skill", "ref": ESCO + "x"}
    with pytest.raises(InvalidInputError):
        Prerequisite("mood", "x")


GENERATED = generate(OCCUPATIONS, seed=3)
GENERATED_INDEX = CatalogIndex(GENERATED)


@settings(max_examples=150, deadline=None)
@given(
    text=st.sampled_from(["", "skill", "skill 1", "occupation 2", "foundations", "zzz", "ski"]),
    level=st.one_of(st.none(), st.integers(3, 6)),
    max_hours=st.one_of(st.none(), st.floats(0, 200)),
    max_price=st.one_of(st.none(), st.floats(0, 3000)),
    credit_bearing=st.booleans(),
    fmt=st.one_of(st.none(), st.sampled_from(["online", "in-person", "hybrid", "self-paced"])),
    wanted=st.lists(st.sampled_from([uri for o in OCCUPATIONS for uri, _ in o.essential_skills]), max_size=3),
    offset=st.integers(0, 30),
)
def test_every_hit_satisfies_every_filter_and_pages_are_ranked(
    text, level, max_hours, max_price, credit_bearing, fmt, wanted, offset
):
    query = CatalogQuery(
        text=text,
        skills=tuple(wanted),
        eqf_level=level,
        max_hours=max_hours,
        max_price=max_price,
        credit_bearing=credit_bearing,
        delivery_format=fmt,
        limit=10,
        offset=offset,
    )
    page = GENERATED_INDEX.search(query)
    assert len(page.hits) == max(0, min(10, page.total - offset))
    scores = [h.score for h in page.hits]
    assert scores == sorted(scores, reverse=True)
    for hit in page.hits:
        e = hit.entry
        assert level is None or e.eqf_level == level
        assert max_hours is None or (e.effort_hours is not None and e.effort_hours <= max_hours)
        assert max_price is None or (e.price is not None and e.price <= max_price)
        assert not credit_bearing or e.credit_bearing
        assert fmt is None or e.delivery_format == fmt
        assert not wanted or {s.uri for s in e.skills} & set(wanted)
        assert 0 <= hit.score <= 100

    def passes(e):
        return (
            (level is None or e.eqf_level == level)
            and (max_hours is None or e.effort_hours <= max_hours)
            and (max_price is None or e.price <= max_price)
            and (not credit_bearing or e.credit_bearing)
            and (fmt is None or e.delivery_format == fmt)
            and (not wanted or bool({s.uri for s in e.skills} & set(wanted)))
        )

    if not text:  # without words, the total is exactly the entries passing the filters (brute force)
        assert page.total == sum(1 for e in GENERATED if passes(e))


def test_search_sorts_and_filters_by_market_value():
    index = CatalogIndex(CATALOG)
    values = {"py-1": 0.4, "sql-1": 0.9, "stats-1": 0.4, "free-1": None}  # weld-1 unrated too
    page = index.search(CatalogQuery(sort="market_value"), values=values)
    assert [h.entry.id for h in page.hits][:3] == ["sql-1", "py-1", "stats-1"]  # ties by name, unrated last
    assert {h.entry.id for h in page.hits[3:]} == {"free-1", "weld-1"}
    kept = index.search(CatalogQuery("python", min_market_value=0.3), values=values)
    assert [h.entry.id for h in kept.hits] == ["py-1"]  # free-1 also says python but is not rated
    relevance = index.search(CatalogQuery("python"))
    assert relevance.total == 2
    with pytest.raises(InvalidInputError):
        index.search(CatalogQuery(sort="market_value"))  # the values are needed
    for bad in ({"sort": "price"}, {"min_market_value": 1.5}):
        with pytest.raises(InvalidInputError):
            CatalogQuery(**bad)
