"""The one describer of a requirement tree (stacking.describe): the words a learner reads on a pathway page and in the
award's criteria narrative, with names from whatever lookups the caller has and a fallback when they have none."""

from __future__ import annotations

from credstack.stacking import (
    AllOf,
    Articulation,
    CreditFilter,
    MinCredits,
    Names,
    NOf,
    Prerequisite,
    Qualification,
    RequireAchievement,
    RequireAlignment,
    RequirementWords,
    RequireQualification,
    ResultThreshold,
    build_qualification_achievement,
    describe_requirements,
)
from credstack.stacking.describe import shorten, walk_requirements

PARTNER = "did:key:z6MkwTqL9sQmv1pYbKk8G5x3Ck7fRz2nD4hPaWq8Ux7Qa"
SQL = "https://learn.example/achievements/1a8b2c3d4e5f60718293a4b5c6d7e8f9"
PY = "https://learn.example/achievements/python-basics"
SKILL = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
NAMES = {SQL: "Applied SQL", PY: "Python basics", "foundations": "Data analyst foundations"}
ISSUERS = {PARTNER: "Riverside University"}
SKILLS = {SKILL: "computer programming"}

QUALIFICATION = Qualification(
    "certificate",
    "Data analyst certificate",
    AllOf(
        (
            RequireQualification("foundations"),
            NOf(
                2,
                (
                    RequireAchievement(
                        SQL,
                        issuers=frozenset({PARTNER}),
                        within_years=5,
                        threshold=ResultThreshold("Final exam", 70),
                    ),
                    MinCredits(
                        3,
                        CreditFilter(tags=frozenset({"data analyst", "statistics"}), min_level=6),
                        within_years=2.5,
                        id="advanced-credits",
                    ),
                    RequireAlignment(SKILL, issuers=frozenset({PARTNER})),
                ),
                label="advanced units",
            ),
        )
    ),
    prerequisites=(Prerequisite(PY, SQL),),
    articulations=(Articulation(SQL, PARTNER, credits=1.5, equivalent_to=PY, toward="advanced-credits"),),
    achievement_id="https://learn.example/qualifications/certificate",
)
FOUNDATIONS = Qualification("foundations", "Data analyst foundations", RequireAchievement(PY, label="programming"))


def page_words() -> RequirementWords:
    return RequirementWords(
        Names(
            achievement=NAMES.get,
            issuer=ISSUERS.get,
            skill=SKILLS.get,
            stack=NAMES.get,
            nested={"foundations": FOUNDATIONS}.get,
            unknown=shorten,
        )
    )


def test_a_nested_tree_in_words_with_every_name_known() -> None:
    assert page_words().markdown(QUALIFICATION).splitlines() == [
        "- All of:",
        "  - The stack Data analyst foundations",
        "    - Python basics (programming)",  # the nested stack, inlined under its reference
        "  - Any 2 of (advanced units):",
        "    - Applied SQL, with Final exam of at least 70 (also accepted from Riverside University),"
        " earned within the last 5 years",
        "    - At least 3 credits tagged data analyst or statistics, at EQF level 6 or above,"
        " earned within the last 2.5 years",
        "    - Any credential in computer programming issued by Riverside University",
        "- Python basics must be earned before Applied SQL",
        "- Applied SQL from Riverside University counts as Python basics and for 1.5 credits toward the 3 credits"
        " tagged data analyst or statistics, at EQF level 6 or above",
    ]


def test_ids_no_lookup_names_are_kept_whole_by_default_and_shortened_for_pages() -> None:
    whole = describe_requirements(QUALIFICATION)  # the award narrative with no names: nothing is lost
    assert f"- {SQL}, with Final exam of at least 70 (also accepted from {PARTNER})" in whole
    assert f"Any credential in {SKILL} issued by {PARTNER}" in whole
    assert "  - The stack foundations\n" in whole  # a nested stack is named, not inlined, without `nested`

    short = RequirementWords(Names(unknown=shorten))
    assert short.achievement(SQL) == "achievement 1a8b2c3d… at learn.example"
    assert short.achievement(PY) == "achievement python-basics at learn.example"
    assert short.issuer(PARTNER) == "did:key:z6MkwT…x7Qa"
    assert short.skill(SKILL) == "skill ccd0a1d9… at data.europa.eu"
    assert short.stack("foundations") == "foundations"
    assert short.prerequisite(Prerequisite("urn:uuid:0f9e8d7c-aaaa", PY)) == (
        "achievement 0f9e8d7c… must be earned before achievement python-basics at learn.example"
    )


def test_a_lookup_without_an_answer_falls_back_one_id_at_a_time() -> None:
    words = RequirementWords(Names(achievement={SQL: "Applied SQL", PY: ""}.get, unknown=shorten))
    assert words.achievement(SQL) == "Applied SQL"
    assert words.achievement(PY) == "achievement python-basics at learn.example"  # an empty name is no answer
    assert words.node(
        MinCredits(4, CreditFilter(achievement_ids=frozenset({SQL, PY}), providers=frozenset({PARTNER})))
    ) == (
        "At least 4 credits from Applied SQL or achievement python-basics at learn.example,"
        " issued by did:key:z6MkwT…x7Qa"
    )


def test_an_articulation_toward_a_credits_node_says_which_credits() -> None:
    words = page_words()
    labelled = Qualification(
        "q",
        "Q",
        MinCredits(6, id="core", label="core credits"),
        articulations=(Articulation(SQL, PARTNER, 2, None, "core"),),
    )
    assert words.articulation(labelled.articulations[0], labelled) == (
        "Applied SQL from Riverside University counts for 2 credits toward core credits"
    )
    assert words.articulation(Articulation(SQL, PARTNER, 2, None, "core")) == (
        "Applied SQL from Riverside University counts for 2 credits toward the credits requirement"
    )


def test_a_cycle_of_nested_stacks_is_walked_once() -> None:
    loop = Qualification("loop", "Loop", NOf(1, (RequireQualification("loop"), RequireAchievement(PY))))
    walked = [(type(node).__name__, depth) for node, depth in walk_requirements(loop, {"loop": loop}.get)]
    assert walked == [("NOf", 0), ("RequireQualification", 1), ("RequireAchievement", 1)]


def test_the_award_achievement_takes_the_same_words_with_the_names_it_is_given() -> None:
    names = Names(achievement=NAMES.get, issuer=ISSUERS.get, stack=NAMES.get)
    narrative = build_qualification_achievement(QUALIFICATION, names=names)["criteria"]["narrative"]
    assert narrative == RequirementWords(names).markdown(QUALIFICATION)
    assert "(also accepted from Riverside University)" in narrative and PARTNER not in narrative
    plain = build_qualification_achievement(QUALIFICATION, names=NAMES)["criteria"]["narrative"]
    assert f"(also accepted from {PARTNER})" in plain and "- The stack Data analyst foundations" in plain
