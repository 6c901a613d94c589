"""A stacking qualification (its JSON form, docs/stacking.md) as a CTDL ``ceterms:Pathway`` graph.

One ``ceterms:Pathway`` with ``ceterms:hasDestinationComponent`` (and ``ceterms:hasChild``) pointing at a
``ceterms:CredentialComponent`` for the qualification's own award (``ceterms:proxyFor`` its achievement id,
``ceterms:creditValue`` its credits). The requirement tree becomes that component's ``ceterms:hasCondition``:

* ``all-of`` -> a ``ceterms:ComponentCondition`` whose ``ceterms:requiredNumber`` is the number of its children;
* ``n-of`` -> one whose ``ceterms:requiredNumber`` is n;
* ``credits`` -> one with a ``ceterms:Constraint`` (``ceterms:leftAction`` ``arrayOperation:SumOf`` over
  ``ceterms:creditValue``, ``ceterms:comparator`` ``comparator:greaterThanEqualTo``, ``ceterms:rightSource`` the
  credits) whose ``ceterms:targetComponent`` lists the catalog entries that pass the node's filter (achievement ids,
  skills, tags, EQF level; issuer and skill-area filters are stated in the description only) and
  ``ceterms:requiredNumber`` 1;
* leaves -> ``ceterms:targetComponent``: ``ceterms:CredentialComponent`` for an ``achievement`` (``ceterms:proxyFor``
  the catalog entry's URL when the id names one, else the id), ``ceterms:CompetencyComponent`` for an ``alignment``,
  a ``ceterms:CredentialComponent`` (category "qualification") for a nested ``qualification``;
  nested groups -> the condition's own ``ceterms:hasCondition``.

Prerequisite rules become ``ceterms:prerequisite`` / ``ceterms:precedes`` between components. Result thresholds,
recency, issuer lists and articulation rules are written into descriptions (CTDL pathways have no terms for them).
Pure: takes the JSON form and the catalog entries, returns the graph.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from credstack.catalog.ctdl import CTDL_CONTEXT, ctid
from credstack.catalog.model import CatalogEntry

__all__ = ["pathway_to_ctdl"]

_GROUPS = ("all-of", "n-of", "credits")


def _lang(text: str) -> dict[str, str]:
    return {"en": text}


class _Builder:
    def __init__(self, pathway_iri: str, catalog_url: str, entries: Sequence[CatalogEntry]) -> None:
        self.iri = pathway_iri
        self.catalog_url = catalog_url.rstrip("/")
        self.entries = {e.id: e for e in entries}
        self.components: dict[str, dict[str, Any]] = {}  # key -> component node

    def entry_for(self, achievement_id: str) -> CatalogEntry | None:
        key = achievement_id.rstrip("/").rsplit("/", 1)[-1]
        return self.entries.get(achievement_id) or self.entries.get(key)

    def _component(self, key: str, node: dict[str, Any]) -> str:
        if key not in self.components:
            iri = f"{self.iri}/components/{len(self.components) + 1}"
            self.components[key] = {"@id": iri, "ceterms:ctid": ctid(iri), **node}
        return str(self.components[key]["@id"])

    def achievement(self, achievement_id: str, note: str = "") -> str:
        entry = self.entry_for(achievement_id)
        node: dict[str, Any] = {"@type": "ceterms:CredentialComponent"}
        if entry is not None:
            node["ceterms:name"] = _lang(entry.name)
            node["ceterms:proxyFor"] = f"{self.catalog_url}/{entry.id}"
            if entry.credits_available:
                unit = "creditUnit:DegreeCredit" if entry.ects else "creditUnit:SemesterHour"
                node["ceterms:creditValue"] = [_credit(entry.credits_available, unit)]
        else:
            node["ceterms:name"] = _lang(achievement_id)
            node["ceterms:proxyFor"] = achievement_id
        iri = self._component(f"achievement {achievement_id}", node)  # one component per achievement
        if note:
            component = self.components[f"achievement {achievement_id}"]
            before = component.get("ceterms:description", {}).get("en")
            component["ceterms:description"] = _lang(f"{before}; {note}" if before else note)
        return iri

    def leaf(self, node: Mapping[str, Any]) -> str:
        kind = node.get("type")
        if kind == "achievement":
            notes = []
            if node.get("minResult"):
                threshold = node["minResult"]
                notes.append(f"result {threshold.get('resultDescription')} at least {threshold.get('value')}")
            if node.get("withinYears") is not None:
                notes.append(f"earned within {node['withinYears']:g} years")
            if node.get("issuers"):
                notes.append("also from " + ", ".join(node["issuers"]))
            return self.achievement(str(node["achievementId"]), "; ".join(notes))
        if kind == "alignment":
            url = str(node["targetUrl"])
            component = {
                "@type": "ceterms:CompetencyComponent",
                "ceterms:name": _lang(str(node.get("label") or url.rsplit("/", 1)[-1])),
                "ceterms:proxyFor": url,
                "ceterms:description": _lang(f"a credential aligned to {url}"),
            }
            return self._component(f"alignment {url}", component)
        qualification = str(node.get("qualificationId"))
        component = {
            "@type": "ceterms:CredentialComponent",
            "ceterms:name": _lang(str(node.get("label") or qualification)),
            "ceterms:componentCategory": _lang("qualification"),
            "ceterms:proxyFor": f"{self.iri.rsplit('/', 1)[0]}/{qualification}",
        }
        return self._component(f"qualification {qualification}", component)

    def passes(self, entry: CatalogEntry, flt: Mapping[str, Any]) -> bool:
        if (
            flt.get("achievementIds")
            and entry.id not in {a.rstrip("/").rsplit("/", 1)[-1] for a in flt["achievementIds"]}
            and entry.id not in flt["achievementIds"]
        ):
            return False
        if flt.get("skills") and not {s.uri for s in entry.skills} & set(flt["skills"]):
            return False
        if flt.get("tags") and not set(entry.tags) & set(flt["tags"]):
            return False
        low, high = flt.get("minLevel"), flt.get("maxLevel")
        if (low is not None or high is not None) and entry.eqf_level is None:
            return False
        if low is not None and entry.eqf_level is not None and entry.eqf_level < low:
            return False
        return not (high is not None and entry.eqf_level is not None and entry.eqf_level > high)

    def condition(self, node: Mapping[str, Any]) -> dict[str, Any]:
        kind = node.get("type")
        label = node.get("label")
        out: dict[str, Any] = {"@type": "ceterms:ComponentCondition"}
        if kind == "credits":
            credits = float(node["credits"])
            flt = dict(node.get("filter") or {})
            targets = [
                self.achievement(e.id) for e in self.entries.values() if e.credit_bearing and self.passes(e, flt)
            ]
            out["ceterms:name"] = _lang(str(label or f"at least {credits:g} credits"))
            described = f"at least {credits:g} credits from the listed components"
            if flt:
                described += f" (filter: {', '.join(f'{k}={v}' for k, v in sorted(flt.items()))})"
            if node.get("withinYears") is not None:
                described += f", earned within {node['withinYears']:g} years"
            out["ceterms:description"] = _lang(described)
            out["ceterms:requiredNumber"] = 1
            out["ceterms:hasConstraint"] = [
                {
                    "@type": "ceterms:Constraint",
                    "ceterms:leftAction": "arrayOperation:SumOf",
                    "ceterms:leftSource": ["ceterms:creditValue"],
                    "ceterms:comparator": "comparator:greaterThanEqualTo",
                    "ceterms:rightSource": [f"{credits:g}"],
                }
            ]
            out["ceterms:requiredConstraints"] = 1
            out["ceterms:targetComponent"] = list(dict.fromkeys(targets))
            return out
        children = list(node.get("requirements") or [])
        required = len(children) if kind == "all-of" else int(node.get("n", 0))
        out["ceterms:name"] = _lang(str(label or ("all of" if kind == "all-of" else f"{required} of {len(children)}")))
        out["ceterms:requiredNumber"] = required
        leaves = [self.leaf(c) for c in children if c.get("type") not in _GROUPS]
        groups = [self.condition(c) for c in children if c.get("type") in _GROUPS]
        if leaves:
            out["ceterms:targetComponent"] = leaves
        if groups:
            out["ceterms:hasCondition"] = groups
        return out


def _credit(value: float, unit: str) -> dict[str, Any]:
    return {
        "@type": "ceterms:ValueProfile",
        "schema:value": value,
        "ceterms:creditUnitType": [
            {
                "@type": "ceterms:CredentialAlignmentObject",
                "ceterms:framework": "https://credreg.net/ctdl/terms/CreditUnit",
                "ceterms:targetNode": unit,
            }
        ],
    }


def _targets(condition: Mapping[str, Any]) -> list[str]:
    found = list(condition.get("ceterms:targetComponent", []))
    for child in condition.get("ceterms:hasCondition", []):
        found += _targets(child)
    return found


def pathway_to_ctdl(
    qualification: Mapping[str, Any], entries: Sequence[CatalogEntry], *, base_url: str
) -> dict[str, Any]:
    """The CTDL JSON-LD graph (``{"@context", "@graph"}``) of one qualification in its stacking JSON form, with
    achievement ids resolved against the catalog ``entries`` (at ``{base_url}/catalog/{id}``)."""
    base = base_url.rstrip("/")
    iri = f"{base}/pathways/{qualification['id']}"
    build = _Builder(iri, f"{base}/catalog", entries)
    root = dict(qualification["requirement"])
    if root.get("type") not in _GROUPS:
        root = {"type": "all-of", "requirements": [root]}
    award = str(qualification.get("achievementId") or qualification["id"])
    destination: dict[str, Any] = {
        "@id": f"{iri}/destination",
        "@type": "ceterms:CredentialComponent",
        "ceterms:ctid": ctid(f"{iri}/destination"),
        "ceterms:name": _lang(str(qualification["name"])),
        "ceterms:proxyFor": award,
        "ceterms:isDestinationComponentOf": [iri],
        "ceterms:hasCondition": [build.condition(root)],
    }
    if qualification.get("credits") is not None:
        destination["ceterms:creditValue"] = [_credit(float(qualification["credits"]), "creditUnit:DegreeCredit")]
    destination["ceterms:hasChild"] = list(dict.fromkeys(_targets(destination["ceterms:hasCondition"][0])))
    by_achievement = {
        c["ceterms:proxyFor"].rsplit("/", 1)[-1]: c
        for c in build.components.values()
        if c["@type"] == "ceterms:CredentialComponent"
    }
    for rule in qualification.get("prerequisites") or []:
        before = by_achievement.get(str(rule["before"]).rstrip("/").rsplit("/", 1)[-1])
        after = by_achievement.get(str(rule["after"]).rstrip("/").rsplit("/", 1)[-1])
        if before is not None and after is not None:
            after.setdefault("ceterms:prerequisite", []).append(before["@id"])
            before.setdefault("ceterms:precedes", []).append(after["@id"])
    description = str(qualification.get("description") or qualification["name"])
    for rule in qualification.get("articulations") or []:
        counts = f"{rule['credits']:g} credits" if rule.get("credits") is not None else f"as {rule.get('equivalentTo')}"
        description += f" Articulation: {rule['achievementId']} from {rule['issuerId']} counts {counts}."
    pathway = {
        "@id": iri,
        "@type": "ceterms:Pathway",
        "ceterms:ctid": ctid(iri),
        "ceterms:name": _lang(str(qualification["name"])),
        "ceterms:description": _lang(description),
        "ceterms:hasDestinationComponent": [destination["@id"]],
        "ceterms:hasChild": [destination["@id"]],
        "ceterms:hasPart": [destination["@id"], *(c["@id"] for c in build.components.values())],
    }
    return {"@context": CTDL_CONTEXT, "@graph": [pathway, destination, *build.components.values()]}
