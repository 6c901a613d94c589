"""The ESCO skills a pasted job posting asks for (planner targets, employer jobs): product names reach ESCO through
their O*NET commodity class; a skill named twice counts once."""

from __future__ import annotations

from credstack.skills.linker import default_linker
from credstack.skills.posting import posting_skills

POSTING = (
    "We are hiring a data analyst. You will write SQL queries, build dashboards in Tableau, analyse data with "
    "Python and pandas, and apply statistics. SQL is a must."
)


def test_a_posting_names_esco_skills_and_products_reach_esco_through_onet() -> None:
    skills = {s.label: s for s in posting_skills(default_linker(), POSTING)}
    assert {"SQL", "statistics", "Python (computer programming)"} <= set(skills)
    tableau = skills["business intelligence"]  # Tableau is an O*NET technology, not an ESCO skill
    assert tableau.mention == "Tableau" and tableau.via.startswith("O*NET Tableau: Business intelligence")
    assert skills["SQL"].via == "esco" and list(skills).count("SQL") == 1  # named twice, listed once
    scores = [s.score for s in posting_skills(default_linker(), POSTING)]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)


def test_text_without_skills_asks_for_nothing() -> None:
    assert posting_skills(default_linker(), "Apply by Friday. We look forward to your letter.") == []
