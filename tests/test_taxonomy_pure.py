"""The pure taxonomy core: label normalisation, row parsing, the shipped data and ranked search."""

from __future__ import annotations

import functools
import importlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.errors import InvalidInputError
from credstack.taxonomy import records, source
from credstack.taxonomy.search import MAX_QUERY_LENGTH, Entry, SearchIndex
from credstack.taxonomy.text import concept_key, normalise, split_labels, tokens

# The source's row counts (shared/data/taxonomy/README.md), which the shipped files must keep.
SOURCE_ROWS = {
    "skills": 13_896,
    "occupations": 3_007,
    "occupation_skills": 123_855,
    "onet_occupations": 1_016,
    "onet_technology_skills": 32_627,
    "onet_alternate_titles": 56_560,
    "onet_tasks": 18_796,
}


def test_normalise_folds_case_accents_and_punctuation_but_keeps_cpp_and_csharp() -> None:
    assert normalise("Python (Computer  programming)") == "python computer programming"
    assert normalise("Ärztin/Arzt") == "arztin arzt"
    assert tokens("C++ and C#") == ["c++", "and", "c#"]
    assert normalise("  --  ") == ""


def test_split_labels_drops_blanks_and_duplicates_in_order() -> None:
    assert split_labels("Python3\n\nPython\n Python3 \n") == ("Python3", "Python")


def test_concept_key_is_the_last_uri_segment() -> None:
    assert concept_key("http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d") == (
        "ccd0a1d9-afda-43d9-b901-96344886e14d"
    )
    assert concept_key("http://data.europa.eu/esco/isco/C2512") == "C2512"


def test_parser_names_the_file_and_line_of_a_bad_row() -> None:
    with pytest.raises(InvalidInputError, match=r"relationType.*sometimes.*at x\.csv line 7"):
        records.parse_occupation_skill(
            {"occupationUri": "o", "relationType": "sometimes", "skillUri": "s"}, "x.csv line 7"
        )
    with pytest.raises(InvalidInputError, match="preferredLabel"):
        records.parse_skill({"conceptUri": "http://x/skill/1", "preferredLabel": " "}, "y")


def test_onet_flags_and_na_values_become_python_values() -> None:
    tech = records.parse_onet_technology_skill(
        {
            "O*NET-SOC Code": "15-1252.00",
            "Example": "Python",
            "Commodity Code": "43232405",
            "Commodity Title": "Object or component oriented development software",
            "Hot Technology": "Y",
            "In Demand": "N",
        },
        "t",
    )
    assert (tech.hot, tech.in_demand) == (True, False)
    title = records.parse_onet_alternate_title(
        {"O*NET-SOC Code": "15-1252.00", "Alternate Title": "Coder", "Short Title": "n/a"}, "t"
    )
    assert title.short_title is None


@pytest.mark.parametrize(("name", "rows"), sorted(SOURCE_ROWS.items()))
def test_shipped_files_keep_every_source_row(name: str, rows: int) -> None:
    assert source.datasets()[name].rows == rows
    assert sum(1 for _ in source.read(name)) == rows


def test_shipped_skills_parse_into_values() -> None:
    skills = {s.preferred_label: s for s in source.read("skills")}
    python = skills["Python (computer programming)"]
    assert python.skill_type == "knowledge"
    assert "Python" in python.alt_labels
    assert python.description.startswith("The techniques and principles of software development")
    assert sum(1 for s in skills.values() if s.skill_type is None) == 6


def test_attribution_names_both_publishers() -> None:
    assert "ESCO classification, European Commission, v1.1.1" in source.ATTRIBUTION
    assert "O*NET 29.2 Database by the U.S. Department of Labor" in source.ATTRIBUTION
    assert "CC BY 4.0" in source.ATTRIBUTION


def _index() -> SearchIndex:
    return SearchIndex(
        [
            Entry("py", "Python (computer programming)", ("Python", "Python3"), weight=3),
            Entry("js", "JavaScript", ("ECMAScript",)),
            Entry("team", "work in teams", ("teamwork",)),
            Entry("lead", "lead a team", ("team leadership",)),
            Entry("plan", "plan teamwork", ()),
        ]
    )


def test_exact_preferred_label_ranks_first_with_score_100() -> None:
    hits = _index().search("javascript")
    assert hits[0].entry.ref == "js"
    assert (hits[0].score, hits[0].how, hits[0].matched_label_kind) == (100.0, "exact", "preferred")


def test_alternative_label_finds_its_concept() -> None:
    hits = _index().search("ECMAScript")
    assert [h.entry.ref for h in hits] == ["js"]
    assert hits[0].how == "alternative"
    assert hits[0].matched_label == "ECMAScript"


def test_typo_is_forgiven() -> None:
    hits = _index().search("pyhton")
    assert hits[0].entry.ref == "py"
    assert hits[0].how == "fuzzy"


def test_closer_labels_rank_higher_and_unrelated_ones_are_left_out() -> None:
    hits = _index().search("teamwork")
    assert [h.entry.ref for h in hits] == ["team", "plan"]
    assert hits[0].score > hits[1].score


def test_word_prefixes_match() -> None:
    assert _index().search("javas")[0].entry.ref == "js"


def test_limit_caps_the_results() -> None:
    assert len(_index().search("team", limit=1)) == 1


@pytest.mark.parametrize("query", ["", "   ", "?!", "x" * (MAX_QUERY_LENGTH + 1)])
def test_empty_or_oversized_query_is_invalid_input(query: str) -> None:
    with pytest.raises(InvalidInputError):
        _index().search(query)


def test_nonsense_finds_nothing() -> None:
    assert _index().search("qwxzv") == []


# -- properties over the real data ---------------------------------------------------------------------------------

_SKILLS = list(source.read("skills"))


@functools.cache
def _skill_index() -> SearchIndex:
    return SearchIndex(Entry(s.key, s.preferred_label, s.alt_labels, s.hidden_labels) for s in _SKILLS)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_SKILLS))
def test_every_preferred_label_finds_its_skill_with_score_100(skill: records.Skill) -> None:
    hits = _skill_index().search(skill.preferred_label, limit=10)
    assert (skill.key, 100.0) in {(h.entry.ref, h.score) for h in hits}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([s for s in _SKILLS if s.alt_labels]), st.data())
def test_every_alternative_label_finds_its_skill(skill: records.Skill, data: st.DataObject) -> None:
    label = data.draw(st.sampled_from(skill.alt_labels))
    hits = _skill_index().search(label, limit=10)
    assert skill.key in {h.entry.ref for h in hits if h.score >= 98.0}


@given(st.text(max_size=60))
def test_normalise_is_idempotent_and_plain(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert once == once.strip() and "  " not in once


@pytest.mark.parametrize(
    "module",
    ["credstack.taxonomy.text", "credstack.taxonomy.records", "credstack.taxonomy.source", "credstack.taxonomy.search"],
)
def test_public_names_exist(module: str) -> None:
    imported = importlib.import_module(module)
    assert imported.__all__ and all(hasattr(imported, name) for name in imported.__all__)
