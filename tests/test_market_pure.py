"""The pure parts of job-market ingestion and analytics: field mapping, dates, regions, deduplication on real
reposted USAJOBS postings, title mapping on known titles, and the trend statistics."""

from __future__ import annotations

import json
import math

import pytest

from credstack.market.dedup import exact_key, signature
from credstack.market.fields import RowError, detect_mapping, map_row, parse_date
from credstack.market.pipeline import PostingProcessor, extract_skills
from credstack.market.records import MonthPoint
from credstack.market.regions import region_code
from credstack.market.source import builtin_datasets, read_builtin
from credstack.market.stats import compare_periods, emerging, emerging_note, growth, ratio_interval, wilson
from credstack.market.titles import default_title_mapper
from credstack.skills import default_linker


def _summaries(*job_ids: str) -> list[dict[str, object]]:
    dataset = next(d for d in builtin_datasets() if d.name == "usajobs_ai_cyber_summaries")
    rows = {r["job_id"]: r for r in map(json.loads, read_builtin(dataset).splitlines())}
    return [rows[j] for j in job_ids]


def _posting(row: dict[str, object], line: int = 1):
    return map_row(row, "usajobs-summaries", "usajobs-summaries", line)


@pytest.fixture(scope="module")
def processor() -> PostingProcessor:
    return PostingProcessor(default_linker(), default_title_mapper())


# -- dedup on real reposts --------------------------------------------------------------------------------------


def test_the_same_usajobs_advert_posted_twice_is_an_exact_duplicate(processor):
    first, second = (_posting(r) for r in _summaries("842719200", "842719900"))
    assert first.source_id != second.source_id  # two announcements...
    assert exact_key(first.source, first.source_id, first.title, first.text) == exact_key(
        second.source, second.source_id, second.title, second.text
    )  # ...one advert


def test_a_reposted_advert_with_edited_wording_is_a_near_duplicate(processor):
    first, second = (_posting(r) for r in _summaries("844521200", "844479700"))
    assert first.text != second.text and first.title != second.title
    fresh = PostingProcessor(processor.linker, processor.titles)
    assert fresh.process(first).status == "new"
    assert fresh.process(second).status == "near-duplicate"


def test_different_programmes_sharing_one_summary_are_not_duplicates(processor):
    first, second = (_posting(r) for r in _summaries("844806000", "844835200"))
    assert first.text == second.text  # NSA reuses the summary for its internship programmes
    fresh = PostingProcessor(processor.linker, processor.titles)
    assert fresh.process(first).status == "new"
    assert fresh.process(second).status == "new"


def test_unrelated_postings_have_dissimilar_signatures():
    a, b = (_posting(r) for r in _summaries("842719200", "844806000"))
    sa, sb = signature(a.text), signature(b.text)
    assert sa is not None and sb is not None
    assert (sa == sb).mean() < 0.2
    assert signature("too short to shingle") is None


# -- title mapping ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "soc"),
    [
        ("Data Scientist", "15-2051.00"),
        ("Registered Nurse", "29-1141.00"),
        ("Supervisory Contract Specialist", "13-1023.00"),
        ("Budget Analyst", "13-2031.00"),
        ("Police Officer", "33-3051.00"),
        ("Medical Officer - Psychiatrist", "29-1223.00"),
        ("Softwre Developer", "15-1252.00"),  # typo: fuzzy fallback
        ("Human Resources Specialist (Recruitment & Placement)", "13-1071.00"),
    ],
)
def test_known_titles_map_to_their_onet_soc_code(title, soc):
    assert default_title_mapper().map(title).soc_code == soc


def test_titles_map_to_esco_occupations_too_and_nonsense_maps_to_nothing():
    mapper = default_title_mapper()
    found = mapper.map("Data Scientist")
    assert found.esco_label == "data scientist" and found.esco_how == "exact"
    assert found.esco_uri.startswith("http://data.europa.eu/esco/occupation/")
    assert not mapper.map("Xyzzy Frobnicator").mapped


# -- skills -----------------------------------------------------------------------------------------------------


def test_skills_come_from_named_mentions_not_from_answer_letters_or_lowercase_product_names():
    text = "Experience with Python and machine learning.\n C. I have access to the building."
    labels = {s.label for s in extract_skills(default_linker(), "Data Scientist", text)}
    assert {"Python (computer programming)", "machine learning"} <= labels
    assert "C" not in labels and "Microsoft Access" not in labels


# -- fields -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "iso"),
    [("2025-08-07", "2025-08-07"), ("2025-08-07T00:00:00", "2025-08-07"), ("08/07/2025", "2025-08-07"),
     ("2025-08", "2025-08-01"), ("2025/8/7", "2025-08-07")],
)  # fmt: skip
def test_dates_in_common_shapes_become_iso(raw, iso):
    assert parse_date(raw) == iso


@pytest.mark.parametrize("raw", ["", "yesterday", "2025-13-01", "1899-01-01", "31/12/2025"])
def test_bad_dates_are_refused_with_a_reason(raw):
    with pytest.raises(RowError):
        parse_date(raw)


def test_generic_mapping_reads_aliases_and_named_mappings_are_detected():
    row = {"Job Title": " Data  Scientist ", "Description": "Python", "Posted": "2026-01-02", "Company": "ACME",
           "Location": "Austin, Texas", "Job ID": 7}  # fmt: skip
    posting = map_row(row, "generic", "test", 3)
    assert (posting.title, posting.text, posting.date, posting.employer, posting.source_id, posting.line) == (
        "Data Scientist", "Python", "2026-01-02", "ACME", "7", 3,
    )  # fmt: skip
    assert detect_mapping({"control_number": 1, "position_title": "x", "occupation_series": []}) == (
        "usajobs-announcements"
    )
    announcement = map_row(
        {"control_number": 9, "position_title": "Contract Specialist",
         "occupation_series": ["1102: CONTRACT SPECIALIST"], "open_date": "2024-02-01", "agency": "GSA"},
        "usajobs-announcements", "usajobs", 1,
    )  # fmt: skip
    assert announcement.occupation_series == ("1102",) and announcement.series_label == "Contract Specialist"
    assert not announcement.has_text
    with pytest.raises(RowError, match="missing title"):
        map_row({"text": "x", "date": "2025-01-01"}, "generic", "t", 1)


@pytest.mark.parametrize(
    ("location", "region"),
    [("Billings, Montana", "MT"), ("Washington, District of Columbia", "DC"), ("New York, NY", "NY"),
     ("Anywhere in the U.S. (remote job)", "remote"), ("", ""), ("Lyon, France", "France")],
)  # fmt: skip
def test_locations_become_regions(location, region):
    assert region_code(location) == region


# -- statistics -------------------------------------------------------------------------------------------------


def test_ratio_interval_contains_the_ratio_and_narrows_with_more_data():
    ratio, low, high = ratio_interval(10, 100, 20, 100)
    assert math.isclose(ratio, 2.0) and low < 2.0 < high
    _, low_big, high_big = ratio_interval(1000, 10_000, 2000, 10_000)
    assert low < low_big < 2.0 < high_big < high
    lo, hi = wilson(5, 10)
    assert lo < 0.5 < hi


def test_growth_compares_the_same_sources_only_and_says_when_it_cannot():
    months = ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
    totals = {("a", m): 100 for m in months} | {("b", "2025-05"): 1000}
    counts = {("a", m): (10 if m < "2025-04" else 20) for m in months} | {("b", "2025-05"): 0}
    found = growth(counts, totals)
    assert found.quarter == "2025-Q2"
    assert math.isclose(found.qoq or 0, 1.0)  # 10 % -> 20 % within source a; source b (no Q1 text) left out
    assert found.ci_low is not None and found.ci_low > 0
    assert found.yoy is None and "2024-Q2" in found.note


def test_emerging_needs_support_and_a_lower_bound_above_one():
    recent = {"rising": 60, "rare": 3, "flat": 50}
    earlier = {"rising": 20, "rare": 0, "flat": 50}
    found = emerging(recent, 1000, earlier, 1000, {"rising": "Rising"}, min_support=10)
    assert [e.uri for e in found] == ["rising"] and found[0].label == "Rising" and found[0].ratio_low > 1


def test_emerging_compares_complete_months_of_the_same_sources_and_says_so():
    totals = {
        (
            "old",
            "2019-05",
        ): 50,
        ("old", "2019-06"): 50,
    }
    totals |= {("a", f"2026-0{m}"): 400 for m in range(1, 7)} | {("a", "2026-07"): 24}  # the file stops in July
    periods = compare_periods(totals, window=3)
    assert periods.recent == ("2026-04", "2026-05", "2026-06") and periods.incomplete_month == "2026-07"
    assert periods.earlier == ("2026-01", "2026-02", "2026-03")  # source "old" has no recent text: left out
    assert (periods.recent_postings, periods.earlier_postings, periods.sources) == (1200, 1200, ("a",))
    note = emerging_note(periods, found=1, tested=4, min_support=10)
    assert "1,200 postings with text in 2026-04 .. 2026-06 against 1,200 in 2026-01 .. 2026-03" in note
    assert "4 skill(s) are asked for in at least 10" in note and "2026-07 is left out: 24 postings" in note
    assert compare_periods({("a", f"2026-0{m}"): 400 for m in range(1, 8)}, 3).incomplete_month == ""
    few = compare_periods({("a", "2026-01"): 400, ("a", "2026-02"): 400}, window=3)
    assert few.recent == () and "Too few months" in emerging_note(few, 0, 0, 10)


def test_month_points_serialise():
    assert MonthPoint("2025-01", 1, 4, 0.25).to_json() == {"month": "2025-01", "postings": 1, "total": 4, "share": 0.25}


def test_a_label_read_across_a_list_is_not_a_skill():
    labels = {s.label for s in extract_skills(default_linker(), "Clerk", "Submit a document or interview notes.")}
    assert "document interviews" not in labels


def test_a_title_only_onet_knows_reaches_esco_through_the_onet_occupation():
    found = default_title_mapper().map("Loan Analyst")
    assert (found.soc_code, found.soc_title) == ("13-2072.00", "Loan Officers")
    assert (found.esco_label, found.esco_how) == ("loan officer", "via-onet")
