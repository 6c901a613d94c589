"""A pathway's requirement tree in words a learner understands, for the pathway pages, their JSON twins and the CLI.

Every requirement node gets a label ("All of:", "Any 1 of:", "At least 3 credits tagged database administrator",
the achievement's name, "The stack Data analyst foundations"), every articulation rule a sentence ("Applied SQL from
Riverside University counts as Database querying and for 1.5 credits"), every prerequisite a sentence. Achievement
keys become their names (catalog entries, achievements stored here, pathways), issuer DIDs the names of issuers known
to this server (current or former DIDs), skill URIs their ESCO labels. Whatever is not known here is shortened
(``did:key:z6Mkw…x7Qa``, ``achievement 1a8b2c3d… at other.example``), never shown as a raw URL or DID.

:class:`PathwayWords` is plain data (no I/O); :func:`pathway_words` reads what it needs from the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from credstack.stacking import (
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
)
from credstack.storage.engine import Database
from credstack.storage.models import Issuer
from credstack.storage.taxonomy_tables import TaxonomySkill

__all__ = ["PathwayWords", "WordedNode", "pathway_words", "short_did", "short_ref"]


def short_did(did: str) -> str:
    """A DID shortened for display: ``did:key:z6MkwTq…x7Qa`` (short DIDs as they are)."""
    if len(did) <= 28:
        return did
    head = did[: did.index(":", 4) + 1] if did.count(":") >= 2 else ""
    rest = did[len(head) :]
    return f"{head}{rest[:6]}…{rest[-4:]}"


def short_ref(ref: str) -> str:
    """An achievement or skill reference not known here, without its raw URL: ``achievement 1a8b2c3d… at host``."""
    if ref.startswith("did:"):
        return short_did(ref)
    parts = urlsplit(ref)
    if parts.scheme in ("http", "https") and parts.netloc:
        tail = parts.path.rstrip("/").rsplit("/", 1)[-1] or parts.netloc
        tail = tail if len(tail) <= 24 else tail[:8] + "…"
        return f"achievement {tail} at {parts.netloc}"
    if ref.startswith("urn:"):
        return f"achievement {ref.rsplit(':', 1)[-1][:8]}…"
    return ref


@dataclass(frozen=True)
class WordedNode:
    """One node of a tree in words: its ``label``, what it refers to (``ref``, with ``link`` when there is a page for
    it), its depth (pre-order, nested stacks inlined) and its kind."""

    kind: str
    label: str
    depth: int
    ref: str | None = None
    link: str | None = None
    node_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "label": self.label, "depth": self.depth}
        if self.ref is not None:
            out["ref"] = self.ref
        if self.link is not None:
            out["link"] = self.link
        if self.node_id is not None:
            out["nodeId"] = self.node_id
        return out


def _years(within: float | None) -> str:
    return f", earned within the last {within:g} years" if within is not None else ""


def _or(items: Iterable[str]) -> str:
    values = list(items)
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + " or " + values[-1]


@dataclass(frozen=True)
class PathwayWords:
    """Names for the ids a pathway refers to, and the sentences made from them."""

    names: Mapping[str, str] = field(default_factory=dict)
    issuers: Mapping[str, str] = field(default_factory=dict)
    skills: Mapping[str, str] = field(default_factory=dict)
    #: achievement key -> the page that shows it (catalog entries); pathways link to /pathways/{id}
    links: Mapping[str, str] = field(default_factory=dict)
    qualifications: Mapping[str, Qualification] = field(default_factory=dict)

    # -- names -------------------------------------------------------------------------------------------------
    def achievement(self, key: str) -> str:
        return self.names.get(key) or short_ref(key)

    def issuer(self, did: str) -> str:
        return self.issuers.get(did) or short_did(did)

    def skill(self, uri: str) -> str:
        return self.skills.get(uri) or self.names.get(uri) or short_ref(uri).replace("achievement ", "skill ", 1)

    def link(self, node: Requirement) -> str | None:
        if isinstance(node, RequireAchievement):
            return self.links.get(node.achievement_id)
        if isinstance(node, RequireQualification):
            return f"/pathways/{node.qualification_id}"
        return None

    # -- sentences ---------------------------------------------------------------------------------------------
    def _filter(self, flt: CreditFilter) -> str:
        parts = []
        if flt.achievement_ids:
            parts.append("from " + _or(self.achievement(a) for a in sorted(flt.achievement_ids)))
        if flt.tags:
            parts.append("tagged " + _or(sorted(flt.tags)))
        if flt.skills:
            parts.append("in " + _or(sorted(self.skill(s) for s in flt.skills)))
        if flt.skill_areas:
            parts.append("in the skill area " + _or(sorted(self.skill(s) for s in flt.skill_areas)))
        if flt.min_level is not None and flt.max_level is not None:
            parts.append(f"at EQF level {flt.min_level} to {flt.max_level}")
        elif flt.min_level is not None:
            parts.append(f"at EQF level {flt.min_level} or above")
        elif flt.max_level is not None:
            parts.append(f"at EQF level {flt.max_level} or below")
        if flt.providers:
            parts.append("issued by " + _or(sorted(self.issuer(p) for p in flt.providers)))
        return (" " + ", ".join(parts)) if parts else ""

    def node(self, node: Requirement) -> str:
        """The label of one requirement node."""
        label = f" ({node.label})" if node.label else ""
        if isinstance(node, AllOf):
            return f"All of{label}:"
        if isinstance(node, NOf):
            return f"Any {node.n} of{label}:"
        if isinstance(node, MinCredits):
            return f"At least {node.credits:g} credits{self._filter(node.filter)}{_years(node.within_years)}{label}"
        if isinstance(node, RequireAchievement):
            text = self.achievement(node.achievement_id)
            if node.threshold is not None:
                wanted = node.threshold.min_value
                shown = f"{wanted:g}" if isinstance(wanted, float) else wanted
                text += f", with {node.threshold.result} of at least {shown}"
            if node.issuers:
                text += " (also accepted from " + _or(sorted(self.issuer(i) for i in node.issuers)) + ")"
            return text + _years(node.within_years) + label
        if isinstance(node, RequireAlignment):
            text = f"Any credential in {self.skill(node.target_url)}"
            if node.issuers:
                text += " issued by " + _or(sorted(self.issuer(i) for i in node.issuers))
            return text + _years(node.within_years) + label
        name = self.names.get(node.qualification_id) or node.qualification_id
        return f"The stack {name}{label}"

    def _toward(self, qualification: Qualification | None, node_id: str) -> str:
        found = None
        if qualification is not None:
            found = next((n for n, _ in _walk(qualification.requirement, 0) if n.id == node_id), None)
        if isinstance(found, MinCredits):
            return found.label or f"the {found.credits:g} credits{self._filter(found.filter)}"
        return "the credits requirement"

    def articulation(self, rule: Articulation, qualification: Qualification | None = None) -> str:
        """``Applied SQL from Riverside University counts as Database querying and for 1.5 credits``."""
        grants = []
        if rule.equivalent_to is not None:
            grants.append(f"counts as {self.achievement(rule.equivalent_to)}")
        if rule.credits is not None:
            toward = f" toward {self._toward(qualification, rule.toward)}" if rule.toward else ""
            grants.append(("" if grants else "counts ") + f"for {rule.credits:g} credits{toward}")
        return f"{self.achievement(rule.achievement_id)} from {self.issuer(rule.issuer_id)} " + " and ".join(grants)

    def prerequisite(self, rule: Prerequisite) -> str:
        return f"{self.achievement(rule.before)} must be earned before {self.achievement(rule.after)}"

    def tree(self, qualification: Qualification) -> list[WordedNode]:
        """Every node, root first (pre-order), nested stacks inlined under their reference, as the engine lists them
        (``Progress.nodes``)."""
        out = []
        for node, depth in self.walk(qualification):
            out.append(
                WordedNode(
                    kind=_kind(node),
                    label=self.node(node),
                    depth=depth,
                    ref=_ref(node),
                    link=self.link(node),
                    node_id=node.id,
                )
            )
        return out

    def walk(self, qualification: Qualification) -> Iterator[tuple[Requirement, int]]:
        """Pre-order (node, depth), nested stacks inlined (each once per path; a cycle is not followed)."""
        yield from self._walk_in(qualification.requirement, 0, (qualification.id,))

    def _walk_in(self, node: Requirement, depth: int, trail: tuple[str, ...]) -> Iterator[tuple[Requirement, int]]:
        yield node, depth
        if isinstance(node, (AllOf, NOf)):
            for child in node.children:
                yield from self._walk_in(child, depth + 1, trail)
        elif isinstance(node, RequireQualification):
            nested = self.qualifications.get(node.qualification_id)
            if nested is not None and nested.id not in trail:
                yield from self._walk_in(nested.requirement, depth + 1, (*trail, nested.id))

    def describe(self, qualification: Qualification) -> dict[str, Any]:
        """The words of a whole pathway, for JSON: tree, articulation rules, prerequisites."""
        return {
            "requirements": [n.to_json() for n in self.tree(qualification)],
            "articulations": [
                {
                    "text": self.articulation(r, qualification),
                    "achievementId": r.achievement_id,
                    "achievement": self.achievement(r.achievement_id),
                    "issuerId": r.issuer_id,
                    "issuer": self.issuer(r.issuer_id),
                }
                for r in qualification.articulations
            ],
            "prerequisites": [
                {"text": self.prerequisite(r), "before": r.before, "after": r.after}
                for r in qualification.prerequisites
            ],
        }

    def text(self, qualification: Qualification) -> str:
        """The tree as indented lines, then articulation rules and prerequisites (for the CLI)."""
        lines = [f"{'  ' * depth}- {self.node(node)}" for node, depth in self.walk(qualification)]
        if qualification.articulations:
            lines.append("Also accepted:")
            lines += [f"  - {self.articulation(r, qualification)}" for r in qualification.articulations]
        if qualification.prerequisites:
            lines.append("Order:")
            lines += [f"  - {self.prerequisite(r)}" for r in qualification.prerequisites]
        return "\n".join(lines)


def _walk(node: Requirement, depth: int) -> Iterator[tuple[Requirement, int]]:
    yield node, depth
    if isinstance(node, (AllOf, NOf)):
        for child in node.children:
            yield from _walk(child, depth + 1)


def _kind(node: Requirement) -> str:
    from credstack.stacking.model import node_kind

    return node_kind(node)


def _ref(node: Requirement) -> str | None:
    if isinstance(node, RequireAchievement):
        return node.achievement_id
    if isinstance(node, RequireAlignment):
        return node.target_url
    if isinstance(node, RequireQualification):
        return node.qualification_id
    return node.id


def _referenced_skills(qualifications: Iterable[Qualification]) -> set[str]:
    uris: set[str] = set()
    for qualification in qualifications:
        for node, _ in _walk(qualification.requirement, 0):
            if isinstance(node, RequireAlignment):
                uris.add(node.target_url)
            elif isinstance(node, MinCredits):
                uris |= node.filter.skills | node.filter.skill_areas
    return uris


def pathway_words(
    db: Database,
    names: Mapping[str, str],
    qualifications: Mapping[str, Qualification],
    catalog_entries: Iterable[str] = (),
) -> PathwayWords:
    """Words for the pathways in ``qualifications``: issuer names (current and former DIDs) and the ESCO labels of
    the skills they refer to, read from the database; ``names`` and catalog entry ids from the stacking context."""
    issuers: dict[str, str] = {}
    skills: dict[str, str] = {}
    wanted = sorted(_referenced_skills(qualifications.values()))
    with db.read() as session:
        for did, name, former in session.execute(sa.select(Issuer.did, Issuer.name, Issuer.former_dids)):
            issuers[did] = name
            for old in former or ():
                issuers.setdefault(str(old), name)
        for start in range(0, len(wanted), 500):
            query = sa.select(TaxonomySkill.uri, TaxonomySkill.preferred_label).where(
                TaxonomySkill.uri.in_(wanted[start : start + 500])
            )
            skills.update({uri: label for uri, label in session.execute(query)})
    links = {key: f"/catalog/{key}" for key in catalog_entries}
    return PathwayWords(names, issuers, skills, links, qualifications)
