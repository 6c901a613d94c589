"""Shared by the OB 3.0 and CTDL exports: the catalog extension member, reading back the catalog's own fields, ids.

What neither format can say (or says lossily) rides along in one member whose key is an absolute IRI, so JSON-LD
processors keep it as a JSON literal (``{"@type": "@json", "@value": {...}}``) and no context has to define it:
``urn:credstack:catalog-entry``. An import reads the format's own terms first and then takes from that member only
the fields the format lacks; a document without it (from another system) still imports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from credstack.catalog.model import CatalogEntry, Prerequisite
from credstack.errors import InvalidInputError

__all__ = ["EXTENSION", "catalog_fields", "entry_kwargs", "extension_of", "safe_id", "text_of"]

EXTENSION = "urn:credstack:catalog-entry"

#: CatalogEntry attribute -> key in the extension member (the keys of CatalogEntry.to_json where they exist).
_FIELDS = {
    "id": "id",
    "achievement_type": "achievementType",
    "criteria": "criteria",
    "eqf_level": "eqfLevel",
    "ects": "ects",
    "us_credits": "usCreditHours",
    "effort_hours": "effortHours",
    "price": "price",
    "currency": "currency",
    "delivery_format": "deliveryFormat",
    "assessment_method": "assessmentMethod",
    "validity_months": "validityMonths",
    "prerequisites": "prerequisites",
    "occupations": "occupations",
    "extra": "extra",
}


def catalog_fields(entry: CatalogEntry, names: tuple[str, ...]) -> dict[str, Any]:
    """The extension member for ``entry``, carrying the attributes ``names``."""
    value: dict[str, Any] = {}
    for name in names:
        item = getattr(entry, name)
        if name == "prerequisites":
            item = [p.to_json() for p in item]
        elif name == "occupations":
            item = list(item)
        elif name == "extra":
            item = dict(item)
        value[_FIELDS[name]] = item
    return {"@type": "@json", "@value": value}


def extension_of(document: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The catalog fields a document carries in its extension member ({} when it has none)."""
    member = document.get(EXTENSION)
    if member is None:
        return {}
    value = member.get("@value") if isinstance(member, Mapping) else None
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"{where}.{EXTENSION} must be a JSON literal ({{'@type': '@json', '@value': {{...}}}})")
    return dict(value)


def entry_kwargs(extension: Mapping[str, Any], names: tuple[str, ...], where: str) -> dict[str, Any]:
    """CatalogEntry keyword arguments for the attributes ``names`` found in an extension member."""
    out: dict[str, Any] = {}
    for name in names:
        key = _FIELDS[name]
        if key not in extension:
            continue
        value = extension[key]
        try:
            if name == "prerequisites":
                value = tuple(Prerequisite(str(p["kind"]), str(p["ref"])) for p in value)
            elif name == "occupations":
                value = tuple(str(v) for v in value)
            elif name == "extra":
                value = dict(value)
        except (TypeError, KeyError) as exc:
            raise InvalidInputError(f"{where}.{EXTENSION}.{key} is malformed") from exc
        out[name] = value
    return out


def text_of(value: Any, language: str = "en") -> str:
    """A plain string from a string or a JSON-LD language map ({"en": "..."} / {"en-US": "..."})."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for key in (language, "en", "en-US", "en-GB"):
            if isinstance(value.get(key), str):
                return str(value[key])
        for item in value.values():
            if isinstance(item, str):
                return item
    if isinstance(value, list) and value:
        return text_of(value[0], language)
    return ""


def safe_id(raw: str) -> str:
    """A catalog id (1-64 of letters, digits, '-', '_') from a URI's last segment or any string."""
    tail = raw.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", tail).strip("-")[:64]
    if not cleaned:
        raise InvalidInputError(f"cannot make a catalog id of {raw!r}")
    return cleaned
