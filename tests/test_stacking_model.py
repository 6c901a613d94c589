"""Qualification model: JSON round trip, strict reading, and validation that reports every problem with its path."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.errors import InvalidQualificationError
from credstack.stacking import (
    AllOf,
    Articulation,
    CreditFilter,
    Evaluator,
    MinCredits,
    NOf,
    Prerequisite,
    Qualification,
    RequireAchievement,
    RequireAlignment,
    RequireQualification,
    ResultThreshold,
    ensure_valid,
    validate,
)
from stacking_support import PARTNER, aid, catalog, qualifications

EXAMPLE = {
    "type": "Qualification",
    "id": "data-analyst",
    "name": "Data analyst certificate",
    "achievementId": "https://learn.example/achievements/data-analyst",
    "credits": 60,
    "requirement": {
        "type": "all-of",
        "requirements": [
            {"type": "qualification", "qualificationId": "foundation"},
            {
                "type": "achievement",
                "achievementId": aid(3),
                "minResult": {"resultDescription": "Final exam", "value": 70},
                "withinYears": 5,
            },
            {
                "type": "n-of",
                "n": 2,
                "label": "electives",
                "requirements": [
                    {"type": "achievement", "achievementId": aid(4), "issuers": [PARTNER]},
                    {"type": "achievement", "achievementId": aid(5)},
                    {"type": "alignment", "targetUrl": "http://data.europa.eu/esco/skill/s2"},
                ],
            },
            {"type": "credits", "id": "advanced", "credits": 20, "filter": {"minLevel": 5, "tags": ["data"]}},
        ],
    },
    "prerequisites": [{"before": aid(3), "after": aid(5)}],
    "articulations": [
        {"achievementId": "https://partner.example/sql", "issuerId": PARTNER, "credits": 5, "toward": "advanced"}
    ],
}
FOUNDATION = Qualification("foundation", "Foundation", AllOf((RequireAchievement(aid(0)), RequireAchievement(aid(1)))))


def test_the_documented_example_reads_validates_and_round_trips() -> None:
    q = Qualification.from_json(EXAMPLE)
    assert validate(q, catalog(8, FOUNDATION)) == ()
    assert q.to_json() == json.loads(json.dumps(EXAMPLE)) | {"credits": 60.0} | {
        "requirement": q.to_json()["requirement"]
    }
    assert Qualification.from_json(json.loads(json.dumps(q.to_json()))) == q
    assert q.requirement.children[3] == MinCredits(  # type: ignore[union-attr]
        20, CreditFilter(min_level=5, tags=frozenset({"data"})), id="advanced"
    )


def test_the_example_in_docs_stacking_md_is_the_same_and_valid() -> None:
    from conftest import ROOT

    text = (ROOT / "docs" / "stacking.md").read_text(encoding="utf-8")
    block = text.split("```json", 1)[1].split("```", 1)[0]
    assert Qualification.from_json(json.loads(block)) == Qualification.from_json(EXAMPLE)


@settings(max_examples=80, deadline=None)
@given(qualifications())
def test_any_qualification_round_trips_through_json(q: Qualification) -> None:
    assert Qualification.from_json(json.loads(json.dumps(q.to_json()))) == q


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda d: d["requirement"]["requirements"][2].__setitem__("n", "two"), "$.requirement.requirements[2].n"),
        (lambda d: d["requirement"]["requirements"][1].__setitem__("colour", "red"), "$.requirement.requirements[1]"),
        (lambda d: d["requirement"].__setitem__("type", "any-of"), "$.requirement.type"),
        (lambda d: d["prerequisites"][0].pop("after"), "$.prerequisites[0].after"),
        (lambda d: d["articulations"][0].pop("credits"), "$.articulations[0]"),
        (lambda d: d.__setitem__("requirement", []), "$.requirement"),
    ],
)
def test_bad_json_is_refused_with_the_json_path(mutate: object, where: str) -> None:
    data = json.loads(json.dumps(EXAMPLE))
    mutate(data)  # type: ignore[operator]
    with pytest.raises(InvalidQualificationError) as caught:
        Qualification.from_json(data)
    assert caught.value.where == where
    assert caught.value.code == "invalid_qualification"


def test_validation_returns_every_problem_with_where_it_is() -> None:
    bad = Qualification(
        "data-analyst",
        "Data analyst",
        AllOf(
            (
                RequireAchievement(aid(0)),
                RequireAchievement("https://nowhere.example/a"),
                NOf(3, (RequireAchievement(aid(1)), RequireAchievement(aid(2)))),
                MinCredits(500, CreditFilter(min_level=5)),
                RequireAchievement(aid(3), threshold=ResultThreshold("Final exam", 120)),
                RequireAchievement(aid(4), threshold=ResultThreshold("Oral exam", 50)),
                RequireQualification("missing"),
            )
        ),
        articulations=(Articulation("https://partner.example/x", PARTNER, credits=5, toward="nope"),),
    )
    problems = validate(bad, catalog(8))
    found = {(p.path, p.code) for p in problems}
    assert found == {
        ("qualification data-analyst > all-of[1] > achievement(https://nowhere.example/a)", "dangling_reference"),
        ("qualification data-analyst > all-of[2] > n-of(3)", "unsatisfiable"),
        ("qualification data-analyst > all-of[3] > credits(500)", "unsatisfiable"),
        (f"qualification data-analyst > all-of[4] > achievement({aid(3)})", "unsatisfiable"),
        (f"qualification data-analyst > all-of[5] > achievement({aid(4)})", "dangling_reference"),
        ("qualification data-analyst > all-of[6] > qualification(missing)", "dangling_reference"),
        ("qualification data-analyst > articulations[0]", "dangling_reference"),
    }
    messages = {p.path.rsplit(" > ", 1)[-1]: p.message for p in problems}
    assert messages["n-of(3)"] == "needs 3 of 2 requirements: n is larger than m"
    assert messages["credits(500)"] == "needs 500 credits, but every matching option together gives 35"
    assert "above the maximum 100 of 'Final exam'" in messages[f"achievement({aid(3)})"]
    with pytest.raises(InvalidQualificationError) as caught:
        ensure_valid(bad, catalog(8))
    assert len(caught.value.problems) == 7 and caught.value.where == problems[0].path
    with pytest.raises(InvalidQualificationError):
        Evaluator(bad, catalog(8))


def test_n_of_with_too_few_satisfiable_options_is_unsatisfiable() -> None:
    q = Qualification("q", "Q", NOf(2, (RequireAchievement(aid(0)), RequireAchievement("urn:gone"))))
    problems = validate(q, catalog(8))
    assert [(p.path, p.message) for p in problems if p.code == "unsatisfiable"] == [
        ("qualification q > n-of(2)", "needs 2 of 2, but only 1 can be met")
    ]


def test_nested_qualifications_that_contain_each_other_are_a_cycle() -> None:
    a = Qualification("a", "A", AllOf((RequireAchievement(aid(0)), RequireQualification("b"))))
    b = Qualification("b", "B", NOf(1, (RequireQualification("a"), RequireAchievement(aid(1)))))
    problems = validate(a, catalog(8, a, b))
    assert [(p.path, p.code, p.message) for p in problems] == [
        (
            "qualification a > all-of[1] > qualification(b) > qualification b > n-of[0] > qualification(a)",
            "cycle",
            "nested qualifications contain each other: a -> b -> a",
        )
    ]


def test_prerequisite_loops_are_cycles_even_through_the_qualification_itself() -> None:
    loop = Qualification(
        "q",
        "Q",
        AllOf((RequireAchievement(aid(0)), RequireAchievement(aid(1)))),
        prerequisites=(Prerequisite(aid(0), aid(1)), Prerequisite(aid(1), aid(0))),
    )
    assert [p.code for p in validate(loop, catalog(8))] == ["cycle"]
    assert "prerequisites form a loop" in validate(loop, catalog(8))[0].message
    # a part that would have to wait for the whole: the award of q before one of q's own parts
    whole_first = Qualification(
        "q", "Q", RequireAchievement(aid(0)), achievement_id=aid(7), prerequisites=(Prerequisite(aid(7), aid(0)),)
    )
    problems = validate(whole_first, catalog(8))
    assert [p.code for p in problems] == ["cycle"]
    assert problems[0].path == "qualification q > prerequisites[0]"
    self_loop = Qualification("q", "Q", RequireAchievement(aid(0)), prerequisites=(Prerequisite(aid(0), aid(0)),))
    assert [p.code for p in validate(self_loop, catalog(8))] == ["cycle"]


def test_values_out_of_range_are_reported() -> None:
    q = Qualification(
        "q",
        "Q",
        AllOf(
            (
                AllOf((), id="x"),
                NOf(0, (RequireAchievement(aid(0)),), id="x"),
                RequireAlignment("http://data.europa.eu/esco/skill/s1", within_years=0),
                MinCredits(5, CreditFilter(min_level=6, max_level=4)),
            )
        ),
    )
    codes = sorted((p.path.split(" > ", 2)[-1], p.code) for p in validate(q, catalog(8)))
    assert codes == sorted(
        [
            ('all-of "x"', "invalid"),
            ("alignment(http://data.europa.eu/esco/skill/s1)", "invalid"),
            ("credits(5)", "unsatisfiable"),
            ('n-of(0) "x"', "invalid"),
            ('n-of(0) "x"', "invalid"),
        ]
    )


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=True) | st.sampled_from(["", "x", "n-of"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from([*EXAMPLE, "n"]), inner),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_reading_any_json_either_works_or_raises_invalid_qualification(data: st.DataObject) -> None:
    document = json.loads(json.dumps(EXAMPLE))
    path = data.draw(st.sampled_from(["root", "requirement", "child", "articulation"]))
    value = data.draw(JSON_VALUES)
    key = data.draw(st.sampled_from(["type", "n", "credits", "requirements", "achievementId", "filter", "withinYears"]))
    target = {
        "root": document,
        "requirement": document["requirement"],
        "child": document["requirement"]["requirements"][2],
        "articulation": document["articulations"][0],
    }[path]
    target[key] = value
    try:
        Qualification.from_json(document)
    except InvalidQualificationError as error:
        assert error.code == "invalid_qualification" and error.where


@pytest.mark.parametrize("bad", [float("inf"), float("-inf"), float("nan")])
def test_numbers_must_be_finite(bad: float) -> None:
    with pytest.raises(InvalidQualificationError):
        RequireAchievement(aid(0), within_years=bad)
    with pytest.raises(InvalidQualificationError):
        MinCredits(bad)
    document = json.loads(json.dumps(EXAMPLE))
    document["requirement"]["requirements"][1]["withinYears"] = bad
    with pytest.raises(InvalidQualificationError) as caught:
        Qualification.from_json(document)
    assert caught.value.where == "$.requirement.requirements[1].withinYears"


def test_credential_facts_refuse_what_cannot_be_evaluated() -> None:
    from datetime import datetime

    from credstack.errors import InvalidInputError
    from credstack.stacking import CredentialFact

    with pytest.raises(InvalidInputError, match="timezone-aware"):
        CredentialFact("urn:c", aid(0), PARTNER, datetime(2026, 1, 1))
    with pytest.raises(InvalidInputError, match="state 'lost'"):
        CredentialFact("urn:c", aid(0), PARTNER, datetime(2026, 1, 1).astimezone(), state="lost")
    with pytest.raises(InvalidInputError, match="credits"):
        CredentialFact("urn:c", aid(0), PARTNER, datetime(2026, 1, 1).astimezone(), credits=-1)
