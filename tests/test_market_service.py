"""Job-posting ingestion and demand analytics on real postings (USAJOBS, NYC), on SQLite and PostgreSQL.

One module-scoped database per engine is filled once from slices of the shipped real postings (gzip JSONL, a gzip
CSV in the NYC column layout, the no-text USAJOBS announcement metadata); the analytics are then checked against
brute-force counts over the Parquet dataset.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import _drop_postgres, _postgres_url
from credstack.app import Credstack
from credstack.errors import InvalidInputError, NotFoundError
from credstack.settings import Settings
from market_support import real_rows, write_csv, write_jsonl

DATA_SCIENTIST = "http://data.europa.eu/esco/occupation/258e46f9-0075-4a2e-adae-1ff0477e0f30"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def market(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp(f"market-{request.param}")
    url = f"sqlite:///{folder / 'credstack.db'}" if request.param == "sqlite" else _postgres_url()
    cs = Credstack.from_settings(Settings(database_url=url, data_dir=str(folder / "data")))
    try:
        cs.init_db()
        if request.param == "sqlite":  # occupation_skills reads the taxonomy; loading it once is enough
            cs.taxonomy.load(only=("skills", "occupations", "occupation_skills"))
        files = {
            "summaries": write_jsonl(
                folder / "summaries.jsonl.gz", real_rows("usajobs_ai_cyber_summaries", step=10), gzipped=True
            ),
            "questionnaires": write_jsonl(
                folder / "questionnaires.jsonl", real_rows("usajobs_questionnaires_sample", step=25)
            ),
            "nyc": write_csv(folder / "nyc.csv.gz", real_rows("nyc_jobs_2019", step=4), gzipped=True),
            "announcements": write_jsonl(
                folder / "announcements.jsonl", real_rows("usajobs_announcements_2024_2025", step=40)
            ),
        }
        reports = {name: cs.market.ingest(path, refresh=False) for name, path in files.items()}
        cs.market.refresh()
        yield {"cs": cs, "reports": reports, "files": files, "engine": request.param}
    finally:
        cs.close()
        if request.param != "sqlite":
            _drop_postgres(url)


def _sql(cs: Credstack, query: str) -> list[tuple[Any, ...]]:
    return cs.market.store.sql(query)


def test_every_row_is_accounted_for_and_reposts_are_caught(market):
    reports = market["reports"]
    for name, report in reports.items():
        assert report.balanced, name
        assert report.rejected == 0, (name, report.rejections[:3])
    assert reports["summaries"].rows_read == len(real_rows("usajobs_ai_cyber_summaries", step=10))
    assert reports["summaries"].exact_duplicates > 0 and reports["summaries"].near_duplicates > 0
    assert reports["nyc"].source == "nyc-jobs" and reports["nyc"].duplicates > 0  # internal + external rows
    assert reports["announcements"].source == "usajobs-announcements"
    assert reports["announcements"].with_skills == 0 and reports["announcements"].notes
    for report in reports.values():
        assert report.titles_mapped > 0.6 * report.accepted


def test_ingesting_the_same_file_again_accepts_nothing(market):
    cs = market["cs"]
    before = _sql(cs, "SELECT count(*) FROM postings")[0][0]
    again = cs.market.ingest(market["files"]["nyc"])
    assert again.accepted == 0 and again.duplicates == again.rows_read
    assert _sql(cs, "SELECT count(*) FROM postings")[0][0] == before


def test_skill_shares_match_a_brute_force_count_over_the_parquet_dataset(market):
    cs = market["cs"]
    top = cs.market.skill_demand(limit=5)
    assert len(top) == 5 and top == sorted(top, key=lambda s: -s.postings)
    with_text = _sql(cs, "SELECT count(*) FROM postings WHERE has_text")[0][0]
    for skill in top:
        count = _sql(cs, f"SELECT count(DISTINCT posting_id) FROM posting_skills WHERE skill_uri = '{skill.uri}'")[0][0]
        assert skill.postings == count
        assert skill.share == pytest.approx(count / with_text)


def test_filters_narrow_the_selection(market):
    cs = market["cs"]
    ny = cs.market.skill_demand(region="New York", limit=3)
    ny_text = _sql(cs, "SELECT count(*) FROM postings WHERE has_text AND region = 'NY'")[0][0]
    assert ny and all(s.share == pytest.approx(s.postings / ny_text) for s in ny)
    recent = cs.market.skill_demand(month_from="2026-01", month_to="2026-03", limit=3)
    counted = _sql(
        cs,
        "SELECT count(DISTINCT posting_id) FROM posting_skills WHERE month BETWEEN '2026-01' AND '2026-03' "
        f"AND skill_uri = '{recent[0].uri}'",
    )[0][0]
    assert recent[0].postings == counted
    with pytest.raises(InvalidInputError):
        cs.market.skill_demand(month_from="January")


def test_a_skill_series_adds_up_and_growth_says_what_it_can(market):
    cs = market["cs"]
    uri = cs.market.skill_demand(month_from="2025-08", limit=1)[0].uri
    series = cs.market.skill_series(uri)
    overall = next(s.postings for s in cs.market.skill_demand(limit=500) if s.uri == uri)
    assert sum(p.postings for p in series) == overall
    per_month = dict(_sql(cs, "SELECT month, count(*) FROM postings WHERE has_text GROUP BY month"))
    assert {p.month: p.total for p in series} == per_month
    growth = cs.market.growth(uri)
    assert growth.quarter == "2026-Q2"
    assert growth.qoq is not None and growth.ci_low is not None and growth.ci_low <= growth.qoq <= growth.ci_high
    assert growth.yoy is None and "year-on-year" in growth.note  # no source has text in 2025-Q2 and 2026-Q2


def test_occupation_series_counts_postings_without_text_too(market):
    cs = market["cs"]
    series = cs.market.occupation_series("2210")
    expected = dict(_sql(cs, "SELECT month, count(*) FROM postings WHERE opm_series = '2210' GROUP BY month"))
    assert {p.month: p.postings for p in series if p.postings} == expected
    assert all(0 <= p.share <= 1 for p in series)
    with pytest.raises(InvalidInputError):
        cs.market.occupation_series("not a code")


def test_cooccurring_skills_are_counted_in_the_same_postings(market):
    cs = market["cs"]
    uri = cs.market.skill_demand(limit=1)[0].uri
    found = cs.market.cooccurring(uri, limit=5)
    assert found and all(0 < c.share <= 1 and c.uri != uri for c in found)
    both = _sql(
        cs,
        "SELECT count(*) FROM posting_skills a JOIN posting_skills b USING (posting_id) "
        f"WHERE a.skill_uri = '{uri}' AND b.skill_uri = '{found[0].uri}'",
    )[0][0]
    assert found[0].postings == both
    with pytest.raises(NotFoundError):
        cs.market.cooccurring("no such skill label")


@pytest.mark.parametrize("market", ["sqlite"], indirect=True)  # the taxonomy is loaded there only (suite speed)
def test_occupation_skills_set_what_postings_ask_next_to_escos_essentials(market):
    cs = market["cs"]
    found = cs.market.occupation_skills(DATA_SCIENTIST)
    assert found.label == "data scientist"
    detail = cs.taxonomy.occupation(DATA_SCIENTIST)
    assert {s.uri for s in found.essential} == {s.uri for s in detail.essential_skills if s.uri}
    posted = _sql(cs, f"SELECT count(*) FROM postings WHERE has_text AND esco_occupation = '{DATA_SCIENTIST}'")[0][0]
    assert found.postings == posted
    if posted:
        assert found.asked and all(s.relation in {"", "essential", "optional"} for s in found.asked)
    else:
        assert found.note


def test_emerging_skills_have_support_and_coverage_names_the_gaps(market):
    cs = market["cs"]
    for e in cs.market.emerging(min_support=3):
        assert e.recent_postings >= 3 and e.ratio_low > 1
    coverage = cs.market.coverage()
    assert {s.source for s in coverage.sources} == {
        "usajobs-summaries", "usajobs-questionnaires", "nyc-jobs", "usajobs-announcements",
    }  # fmt: skip
    assert any("no posting text from 2020-01" in n for n in coverage.notes)
    assert coverage.with_text == _sql(cs, "SELECT count(*) FROM postings WHERE has_text")[0][0]


def test_rejects_file_names_each_bad_row_with_its_line_and_reason(tmp_path: Path):
    cs = Credstack.from_settings(Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}"))
    cs.init_db()
    messy = tmp_path / "messy.csv"
    messy.write_bytes(
        b"title,text,date,location,employer,source_id\n"
        b'Data Scientist,Python and statistics,2026-01-05,"Austin, TX",ACME,1\n'
        b",no title here,2026-01-05,,ACME,2\n"
        b"Nurse,Care,yesterday,,H,3\n"
        b"Too,many,fields,2026-01-05,x,4,extra\n"
        b"\n"
        b'"Multi\nline title",text,2026-02-01,,E,5\n'
        b"Welder,\xff\xfe bad bytes,2026-01-05,,W,6\n"
        b'Data Scientist,Python and statistics,2026-01-06,"Boston, MA",ACME,7\n'
    )
    rejects = tmp_path / "rejects.jsonl"
    with cs:
        report = cs.market.ingest(messy, rejects=rejects)
    # 7 rows (the blank line is not a row; the quoted multi-line title is one row starting on line 7)
    assert (report.rows_read, report.accepted, report.duplicates, report.rejected) == (7, 2, 1, 4)
    lines = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert [(r["line"], r["reason"]) for r in lines] == [
        (3, "missing title"),
        (4, "unreadable date 'yesterday' (use YYYY-MM-DD)"),
        (5, "7 fields where the header has 6"),
        (9, "not UTF-8"),
    ]
    assert lines[0]["raw"] == ",no title here,2026-01-05,,ACME,2"
    assert (tmp_path / "c-data" / "postings").is_dir()  # the data directory sits next to the SQLite file
