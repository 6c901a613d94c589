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


def _linked(linker: SkillLinker, text: str) -> dict[str, list[str]]:
    """Mention text -> the preferred labels of its links (lexical extraction)."""
    return {m.text: [link.label for link in m.links] for m in linker.extract(text)}


def test_tools_named_without_their_vendor_link_to_the_onet_product(linker: SkillLinker) -> None:
    found = _linked(linker, "Experience with Power BI and Excel; dashboards in Tableau, scripts in PowerShell.")
    assert "Microsoft Power BI" in found["Power BI"]
    assert "Microsoft Excel" in found["Excel"]
    assert "Microsoft PowerShell" in found["PowerShell"]
    assert "Tableau" in found["Tableau"]
    assert "Microsoft Excel" in _linked(linker, "Advanced MS Excel and Jira")["Excel"]
    assert "Atlassian JIRA" in _linked(linker, "Advanced MS Excel and Jira")["Jira"]


@pytest.mark.parametrize(
    "text",
    [
        "You will excel in a fast-paced team.",  # the verb, not the product
        "Based in New Jersey.",  # the tail of a longer name, not Eclipse Jersey
        "Keep the project on track with your teams; a word processor in the office.",
    ],
)
def test_ordinary_words_do_not_become_products(linker: SkillLinker, text: str) -> None:
    onet = [link.label for m in linker.extract(text) for link in m.links if link.scheme == "onet"]
    assert onet == []


def test_vendor_free_names_come_from_the_data_not_a_list() -> None:
    from credstack.skills.products import product_names
    from credstack.taxonomy.records import OnetTechnologySkill

    def tech(example: str, hot: bool = True) -> OnetTechnologySkill:
        return OnetTechnologySkill("15-1252.00", example, "43232", "software", hot, False)

    techs = [
        tech("Acme Widget Pro"), tech("Acme Gizmo"), tech("Acme Teams"), tech("Acme Sprocket Studio", hot=False),
        tech("Data entry software"), tech("Customer relationship management CRM software"), tech("Acme CRM"),
        tech("Bolt Reader"), tech("Bolt Writer"),  # only two examples: Bolt is not shown to be a vendor
    ]  # fmt: skip
    names = product_names(techs, ordinary=frozenset({"teams", "data", "customer", "widget"}))
    assert names == {"Acme Widget Pro": "Widget Pro", "Acme Gizmo": "Gizmo"}
    # Teams: an ordinary word; Sprocket Studio: not a Hot Technology; CRM: a generic term (a descriptive entry)


def test_hearing_is_not_acoustics(linker: SkillLinker) -> None:
    for text in ("A hearing before the board is scheduled.", "Serve as hearing officer for appeals."):
        labels = [link.label for m in linker.extract(text) for link in m.links]
        assert "acoustics" not in labels and "scaffolding components" not in labels, text
    assert "acoustics" in _linked(linker, "Room acoustics and noise control")["acoustics"]
    # a related word is scored lower, not ignored: a rare one still counts on its own
    assert "perform venepuncture procedures" in _linked(linker, "Phlebotomy experience")["Phlebotomy"]


def test_a_capitalised_ordinary_word_counts_only_as_a_name(linker: SkillLinker) -> None:
    assert "Microsoft Access" in _linked(linker, "Reports in Excel and Access")["Access"]
    for text in ("Provide access to the files.", "Access rights are managed centrally."):
        assert "Access" not in _linked(linker, text), text
