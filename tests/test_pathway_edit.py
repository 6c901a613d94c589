"""Editing a pathway's groups in its JSON form (pure): groups numbered in pre-order, adding to and removing from
all-of, n-of and a credits rule's achievement list, and the refusals an issuer sees as one line."""

from __future__ import annotations

from typing import Any

import pytest

from credstack.errors import InvalidInputError
from credstack.services.pathway_edit import edit_group, editable_groups


def _definition() -> dict[str, Any]:
    return {
        "id": "s",
        "name": "S",
        "requirement": {
            "type": "all-of",
            "requirements": [
                {"type": "n-of", "n": 1, "requirements": [{"type": "achievement", "achievementId": "a"}]},
                {"type": "qualification", "qualificationId": "nested"},
                {"type": "credits", "credits": 3, "filter": {"achievementIds": ["a", "b"]}},
                {"type": "credits", "credits": 3, "filter": {"tags": ["x"]}},
            ],
        },
    }


def test_groups_are_numbered_in_pre_order_and_list_their_achievements() -> None:
    groups = editable_groups(_definition())
    assert [(g.index, g.kind, g.achievements) for g in groups] == [
        (0, "all-of", ()),
        (1, "n-of", ("a",)),
        (4, "credits", ("a", "b")),  # the tag-filtered credits rule is not a list of achievements: not editable
    ]


def test_add_and_remove_change_a_copy() -> None:
    original = _definition()
    added = edit_group(original, 1, add="c")
    assert [r["achievementId"] for r in added["requirement"]["requirements"][0]["requirements"]] == ["a", "c"]
    assert len(original["requirement"]["requirements"][0]["requirements"]) == 1  # the input is left alone
    fewer = edit_group(original, 4, remove="a")
    assert fewer["requirement"]["requirements"][2]["filter"]["achievementIds"] == ["b"]


@pytest.mark.parametrize(
    ("group", "change", "message"),
    [
        (1, {"add": "a"}, "already in this group"),
        (1, {"remove": "zzz"}, "not in this group"),
        (2, {"add": "c"}, "no group 2"),
        (5, {"add": "c"}, "no group 5"),
        (99, {"add": "c"}, "no group 99"),
        (1, {}, "one achievement to add or one to remove"),
        (1, {"add": "c", "remove": "a"}, "one achievement to add or one to remove"),
    ],
)
def test_refusals_say_what_is_wrong(group: int, change: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        edit_group(_definition(), group, **change)


def test_a_credits_rule_keeps_at_least_one_achievement() -> None:
    one = edit_group(_definition(), 4, remove="a")
    with pytest.raises(InvalidInputError, match="at least one achievement"):
        edit_group(one, 4, remove="b")  # an empty list would mean "any achievement": refused, not widened
