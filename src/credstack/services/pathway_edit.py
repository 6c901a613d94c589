"""Editing a stored pathway's groups: add an achievement to, or remove one from, an all-of or n-of group, or the
achievement list of a credits node (``filter.achievementIds``), the groups the issuer console makes.

Groups are numbered in pre-order over the pathway's own JSON tree (nested stacks are references, not inlined: they
are edited on their own page). The edit is a change to the JSON form only (pure: no I/O); the pathway service stores
the result through ``create(..., replace=True)``, so it is validated like any definition (n larger than the group,
an unknown achievement, a pathway that nests this one broken by the change) and refused with every problem.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from credstack.errors import InvalidInputError

__all__ = ["EditableGroup", "edit_group", "editable_groups"]

_GROUPS = ("all-of", "n-of")


@dataclass(frozen=True)
class EditableGroup:
    """One group of a pathway that achievements can be added to or removed from."""

    index: int
    kind: str  # all-of, n-of or credits
    n: int | None
    credits: float | None
    label: str | None
    depth: int
    #: the achievement keys it lists (its achievement children, or a credits node's achievementIds), in order
    achievements: tuple[str, ...]


def _walk(node: Mapping[str, Any], depth: int = 0) -> Iterator[tuple[Mapping[str, Any], int]]:
    yield node, depth
    if node.get("type") in _GROUPS:
        for child in node.get("requirements") or ():
            if isinstance(child, Mapping):
                yield from _walk(child, depth + 1)


def _members(node: Mapping[str, Any]) -> tuple[str, ...]:
    if node.get("type") == "credits":
        return tuple(str(a) for a in (node.get("filter") or {}).get("achievementIds") or ())
    return tuple(
        str(c["achievementId"])
        for c in node.get("requirements") or ()
        if isinstance(c, Mapping) and c.get("type") == "achievement" and "achievementId" in c
    )


def _editable(node: Mapping[str, Any]) -> bool:
    if node.get("type") in _GROUPS:
        return True
    return node.get("type") == "credits" and bool((node.get("filter") or {}).get("achievementIds"))


def editable_groups(definition: Mapping[str, Any]) -> list[EditableGroup]:
    """The groups of a pathway's JSON form an issuer can add achievements to or remove them from, in pre-order."""
    out = []
    for index, (node, depth) in enumerate(_walk(definition.get("requirement") or {})):
        if not _editable(node):
            continue
        out.append(
            EditableGroup(
                index=index,
                kind=str(node.get("type")),
                n=node.get("n") if node.get("type") == "n-of" else None,
                credits=node.get("credits") if node.get("type") == "credits" else None,
                label=node.get("label") if isinstance(node.get("label"), str) else None,
                depth=depth,
                achievements=_members(node),
            )
        )
    return out


def edit_group(
    definition: Mapping[str, Any], group: int, *, add: str | None = None, remove: str | None = None
) -> dict[str, Any]:
    """A copy of ``definition`` with ``add`` added to (or ``remove`` removed from) group number ``group``.
    InvalidInputError for an unknown group, an achievement already there or not there, or no change asked for."""
    if (add is None) == (remove is None):
        raise InvalidInputError("choose one achievement to add or one to remove")
    changed = copy.deepcopy(dict(definition))
    nodes = list(_walk(changed.get("requirement") or {}))
    if not 0 <= group < len(nodes) or not _editable(nodes[group][0]):
        raise InvalidInputError(f"this stack has no group {group} that lists achievements; reload the page")
    node: Any = nodes[group][0]
    members = _members(node)
    if add is not None:
        key = add.strip()
        if not key:
            raise InvalidInputError("choose the achievement to add")
        if key in members:
            raise InvalidInputError("that achievement is already in this group")
        if node["type"] == "credits":
            node["filter"]["achievementIds"] = [*members, key]
        else:
            node["requirements"] = [*node.get("requirements", []), {"type": "achievement", "achievementId": key}]
        return changed
    key = str(remove).strip()
    if key not in members:
        raise InvalidInputError("that achievement is not in this group; reload the page")
    if node["type"] == "credits":
        node["filter"]["achievementIds"] = [a for a in members if a != key]
        if not node["filter"]["achievementIds"]:
            raise InvalidInputError("a credits group needs at least one achievement; add another before removing it")
    else:
        node["requirements"] = [
            c
            for c in node.get("requirements", [])
            if not (isinstance(c, Mapping) and c.get("type") == "achievement" and c.get("achievementId") == key)
        ]
    return changed
