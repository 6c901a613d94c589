"""JSON round trip of qualifications (schema in docs/stacking.md). Strict: unknown members are refused, and an
error names the JSON path of the bad value (``$.requirement.requirements[2].n``)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from credstack.errors import InvalidQualificationError
from credstack.stacking.model import (
    AllOf,
    Articulation,
    CreditFilter,
    MinCredits,
    NOf,
    Prerequisite,
    Qualification,
    RequireAchievement,
    RequireAlignment,
    Requirement,
    RequireQualification,
    ResultThreshold,
    node_kind,
)

__all__ = ["qualification_from_json", "qualification_to_json", "requirement_from_json", "requirement_to_json"]

_MAX_DEPTH = 32
_COMMON = ("type", "id", "label")
_FILTER_SETS = {
    "achievementIds": "achievement_ids",
    "skills": "skills",
    "skillAreas": "skill_areas",
    "providers": "providers",
    "tags": "tags",
}


def _common(node: Requirement) -> dict[str, Any]:
    out: dict[str, Any] = {"type": node_kind(node)}
    if node.id is not None:
        out["id"] = node.id
    if node.label is not None:
        out["label"] = node.label
    return out


def _filter_to_json(flt: CreditFilter) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, attr in _FILTER_SETS.items():
        values = getattr(flt, attr)
        if values:
            out[key] = sorted(values)
    if flt.min_level is not None:
        out["minLevel"] = flt.min_level
    if flt.max_level is not None:
        out["maxLevel"] = flt.max_level
    return out


def requirement_to_json(node: Requirement) -> dict[str, Any]:
    """One requirement node (and its children) as JSON."""
    out = _common(node)
    if isinstance(node, AllOf):
        out["requirements"] = [requirement_to_json(child) for child in node.children]
    elif isinstance(node, NOf):
        out["n"] = node.n
        out["requirements"] = [requirement_to_json(child) for child in node.children]
    elif isinstance(node, MinCredits):
        out["credits"] = node.credits
        flt = _filter_to_json(node.filter)
        if flt:
            out["filter"] = flt
    elif isinstance(node, RequireAchievement):
        out["achievementId"] = node.achievement_id
        if node.issuers:
            out["issuers"] = sorted(node.issuers)
        if node.threshold is not None:
            out["minResult"] = {"resultDescription": node.threshold.result, "value": node.threshold.min_value}
    elif isinstance(node, RequireAlignment):
        out["targetUrl"] = node.target_url
        if node.issuers:
            out["issuers"] = sorted(node.issuers)
    else:
        out["qualificationId"] = node.qualification_id
    within = getattr(node, "within_years", None)
    if within is not None:
        out["withinYears"] = within
    return out


def qualification_to_json(qualification: Qualification) -> dict[str, Any]:
    """A qualification as JSON (``type: "Qualification"``)."""
    out: dict[str, Any] = {"type": "Qualification", "id": qualification.id, "name": qualification.name}
    if qualification.achievement_id is not None:
        out["achievementId"] = qualification.achievement_id
    if qualification.description is not None:
        out["description"] = qualification.description
    if qualification.credits is not None:
        out["credits"] = qualification.credits
    out["requirement"] = requirement_to_json(qualification.requirement)
    if qualification.prerequisites:
        out["prerequisites"] = [{"before": p.before, "after": p.after} for p in qualification.prerequisites]
    if qualification.articulations:
        rules = []
        for rule in qualification.articulations:
            item: dict[str, Any] = {"achievementId": rule.achievement_id, "issuerId": rule.issuer_id}
            if rule.credits is not None:
                item["credits"] = rule.credits
            if rule.equivalent_to is not None:
                item["equivalentTo"] = rule.equivalent_to
            if rule.toward is not None:
                item["toward"] = rule.toward
            rules.append(item)
        out["articulations"] = rules
    return out


# ---------------------------------------------------------------- reading


def _fail(where: str, message: str) -> InvalidQualificationError:
    return InvalidQualificationError(f"{message} (at {where})", where=where)


def _object(data: object, where: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise _fail(where, f"expected an object, got {type(data).__name__}")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise _fail(where, f"unknown member(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(allowed)}")
    return data


def _str(data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(f"{where}.{key}", f"expected a non-empty string, got {value!r}")
    return value


def _num(data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> float | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(f"{where}.{key}", f"expected a finite number, got {value!r}")
    return float(value)


def _int(data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> int | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(f"{where}.{key}", f"expected an integer, got {value!r}")
    return value


def _strings(data: Mapping[str, Any], key: str, where: str) -> frozenset[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(f"{where}.{key}", "expected a list of non-empty strings")
    return frozenset(value)


def _children(data: Mapping[str, Any], where: str, depth: int) -> tuple[Requirement, ...]:
    items = data.get("requirements")
    if not isinstance(items, list):
        raise _fail(f"{where}.requirements", "expected a list of requirements")
    return tuple(_node(item, f"{where}.requirements[{i}]", depth + 1) for i, item in enumerate(items))


def _node(data: object, where: str, depth: int = 0) -> Requirement:
    if depth > _MAX_DEPTH:
        raise _fail(where, f"requirements nested more than {_MAX_DEPTH} levels deep")
    if not isinstance(data, Mapping):
        raise _fail(where, f"expected a requirement object, got {type(data).__name__}")
    kind = data.get("type")
    node_id = label = None
    if kind == "all-of":
        body = _object(data, where, (*_COMMON, "requirements"))
    elif kind == "n-of":
        body = _object(data, where, (*_COMMON, "n", "requirements"))
    elif kind == "credits":
        body = _object(data, where, (*_COMMON, "credits", "filter", "withinYears"))
    elif kind == "achievement":
        body = _object(data, where, (*_COMMON, "achievementId", "issuers", "minResult", "withinYears"))
    elif kind == "alignment":
        body = _object(data, where, (*_COMMON, "targetUrl", "issuers", "withinYears"))
    elif kind == "qualification":
        body = _object(data, where, (*_COMMON, "qualificationId"))
    else:
        kinds = "all-of, n-of, credits, achievement, alignment, qualification"
        raise _fail(f"{where}.type", f"unknown requirement type {kind!r}; expected one of {kinds}")
    node_id = _str(body, "id", where, required=False)
    label = _str(body, "label", where, required=False)
    if kind == "all-of":
        return AllOf(_children(body, where, depth), id=node_id, label=label)
    if kind == "n-of":
        n = _int(body, "n", where)
        return NOf(n if n is not None else 0, _children(body, where, depth), id=node_id, label=label)
    within = _num(body, "withinYears", where, required=False)
    if kind == "credits":
        raw_filter = _object(body.get("filter", {}), f"{where}.filter", (*_FILTER_SETS, "minLevel", "maxLevel"))
        sets = {attr: _strings(raw_filter, key, f"{where}.filter") for key, attr in _FILTER_SETS.items()}
        flt = CreditFilter(
            **sets,
            min_level=_int(raw_filter, "minLevel", f"{where}.filter", required=False),
            max_level=_int(raw_filter, "maxLevel", f"{where}.filter", required=False),
        )
        credits = _num(body, "credits", where)
        return MinCredits(credits or 0.0, flt, within_years=within, id=node_id, label=label)
    if kind == "achievement":
        threshold = None
        if "minResult" in body:
            raw = _object(body["minResult"], f"{where}.minResult", ("resultDescription", "value"))
            wanted = raw.get("value")
            value: str | float
            if isinstance(wanted, str):
                value = _str(raw, "value", f"{where}.minResult") or ""
            else:
                value = _num(raw, "value", f"{where}.minResult") or 0.0
            threshold = ResultThreshold(_str(raw, "resultDescription", f"{where}.minResult") or "", value)
        return RequireAchievement(
            _str(body, "achievementId", where) or "",
            issuers=_strings(body, "issuers", where),
            within_years=within,
            threshold=threshold,
            id=node_id,
            label=label,
        )
    if kind == "alignment":
        target = _str(body, "targetUrl", where) or ""
        return RequireAlignment(target, _strings(body, "issuers", where), within, id=node_id, label=label)
    return RequireQualification(_str(body, "qualificationId", where) or "", id=node_id, label=label)


def requirement_from_json(data: object, where: str = "$") -> Requirement:
    """One requirement node from JSON."""
    return _node(data, where)


def qualification_from_json(data: object) -> Qualification:
    """A qualification from its JSON form; raises InvalidQualificationError with the JSON path of the problem."""
    allowed = (
        "type",
        "id",
        "name",
        "achievementId",
        "description",
        "credits",
        "requirement",
        "prerequisites",
        "articulations",
    )
    body = _object(data, "$", allowed)
    if body.get("type", "Qualification") != "Qualification":
        raise _fail("$.type", f"expected 'Qualification', got {body.get('type')!r}")
    prerequisites = body.get("prerequisites", [])
    if not isinstance(prerequisites, list):
        raise _fail("$.prerequisites", "expected a list")
    prereqs = []
    for i, item in enumerate(prerequisites):
        where = f"$.prerequisites[{i}]"
        raw = _object(item, where, ("before", "after"))
        prereqs.append(Prerequisite(_str(raw, "before", where) or "", _str(raw, "after", where) or ""))
    articulations = body.get("articulations", [])
    if not isinstance(articulations, list):
        raise _fail("$.articulations", "expected a list")
    rules = []
    for i, item in enumerate(articulations):
        where = f"$.articulations[{i}]"
        raw = _object(item, where, ("achievementId", "issuerId", "credits", "equivalentTo", "toward"))
        credits = _num(raw, "credits", where, required=False)
        equivalent = _str(raw, "equivalentTo", where, required=False)
        if credits is None and equivalent is None:
            raise _fail(where, "an articulation rule needs 'credits' or 'equivalentTo'")
        rules.append(
            Articulation(
                _str(raw, "achievementId", where) or "",
                _str(raw, "issuerId", where) or "",
                credits=credits,
                equivalent_to=equivalent,
                toward=_str(raw, "toward", where, required=False),
            )
        )
    return Qualification(
        id=_str(body, "id", "$") or "",
        name=_str(body, "name", "$") or "",
        requirement=_node(body.get("requirement"), "$.requirement"),
        achievement_id=_str(body, "achievementId", "$", required=False),
        credits=_num(body, "credits", "$", required=False),
        prerequisites=tuple(prereqs),
        articulations=tuple(rules),
        description=_str(body, "description", "$", required=False),
    )
