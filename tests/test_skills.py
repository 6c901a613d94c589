"""Skill extraction and linking over the shipped ESCO v1.1.1 / O*NET 29.2 data (credstack.skills)."""

from __future__ import annotations

import pytest

import credstack.skills
from credstack.errors import InvalidInputError
from credstack.skills import SkillLinker, default_linker
from credstack.skills.text import stem, tokenize

PYTHON = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
PROJECT_MANAGEMENT = "http://data.europa.eu/esco/skill/7111b95d-0ce3-441a-9d92-4c75d05c4388"
MANAGE_MUSICAL_STAFF = "http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab"


@pytest.fixture(scope="session")
def linker() -> SkillLinker:
    return default_linker()


def _mention(linker: SkillLinker, text: str, uri: str) -> tuple[int, int, str]:
    for m in linker.extract(text):
        if any(link.uri == uri for link in m.links):
            return m.start, m.end, m.text
    raise LookupError(f"{uri} not found in {text!r}: {linker.extract(text)}")


def test_python_and_project_management_are_found_with_their_spans(linker: SkillLinker) -> None:
    text = "We need Python and Project Management skills."
    assert _mention(linker, text, PYTHON) == (8, 14, "Python")
    assert _mention(linker, text, PROJECT_MANAGEMENT) == (19, 37, "Project Management")
    top = [link.uri for link in linker.link(text, top=5)]
    assert PYTHON in top[:3] and PROJECT_MANAGEMENT in top[:3]


def test_an_alternative_label_links_to_its_concept(linker: SkillLinker) -> None:
    start, _end, span = _mention(linker, "You will manage music staff for the orchestra.", MANAGE_MUSICAL_STAFF)
    assert span == "manage music staff"
    mention = next(m for m in linker.extract("You will manage music staff.") if m.start == start)
    link = next(x for x in mention.links if x.uri == MANAGE_MUSICAL_STAFF)
    assert link.label == "manage musical staff" and link.matched_label == "manage music staff"


@pytest.mark.parametrize(
    "text",
    ["Managing musical staff is part of the job", "She managed musical staff", "He manages the musical staff"],
)
def test_verb_forms_match(linker: SkillLinker, text: str) -> None:
    _mention(linker, text, MANAGE_MUSICAL_STAFF)


def test_plural_forms_match_and_score_below_the_exact_label(linker: SkillLinker) -> None:
    exact = linker.extract("project management")[0]
    plural = linker.extract("project managements")[0]
    assert plural.links[0].uri == PROJECT_MANAGEMENT
    assert plural.score < exact.score


def test_specific_labels_outscore_generic_ones(linker: SkillLinker) -> None:
    scores = {m.text: m.score for m in linker.extract("Python and communication", min_score=0.0)}
    assert scores["Python"] > scores["communication"]


def test_onet_technologies_are_a_second_vocabulary(linker: SkillLinker) -> None:
    mention = next(m for m in linker.extract("Reports in Microsoft Excel") if m.text == "Microsoft Excel")
    assert any(link.scheme == "onet" and link.label == "Microsoft Excel" for link in mention.links)
    schemes = [link.scheme for link in mention.links]
    assert schemes == sorted(schemes, key=lambda s: s != "esco")  # ESCO first


def test_empty_and_skill_free_text(linker: SkillLinker) -> None:
    assert linker.link("", top=5) == []
    assert linker.link("   ", top=5) == []
    assert linker.extract("") == []


def test_link_honours_top_and_sorts_best_first(linker: SkillLinker) -> None:
    links = linker.link("Design relational databases with SQL and Python", top=7)
    assert len(links) == 7
    assert [x.score for x in links] == sorted((x.score for x in links), reverse=True)
    assert all(x.uri.startswith("http://data.europa.eu/esco/skill/") for x in links)
    with pytest.raises(InvalidInputError):
        linker.link("SQL", top=0)


def test_rank_orders_the_whole_esco_space(linker: SkillLinker) -> None:
    ranking = linker.rank("SQL databases")
    assert len(ranking) == len(set(ranking)) > 13_000


def test_stemming_folds_plurals_and_verb_forms() -> None:
    assert {stem(w) for w in ("manage", "manages", "managing", "managed")} == {"manag"}
    assert stem("technologies") == stem("technology")
    assert stem("programming") == stem("program")
    assert stem("accounting") != stem("account")  # a noun in -ing keeps its meaning
    assert [t.folded for t in tokenize("C++, C# and Node.js.")] == ["c++", "c#", "and", "node.js"]
    assert [t.folded for t in tokenize("We’re hiring; you're great")] == ["we", "hiring", "you", "great"]


def test_public_surface() -> None:
    assert set(credstack.skills.__all__) == {
        "Concept", "Link", "Mention", "SkillLinker", "Weights", "default_linker", "shipped_concepts",
    }  # fmt: skip
