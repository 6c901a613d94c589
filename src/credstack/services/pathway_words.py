"""A pathway's requirement tree in words a learner understands, for the pathway pages, their JSON twins and the CLI.

The sentences come from the stacking core's describer (:class:`credstack.stacking.describe.RequirementWords`, the
same one that writes the award's criteria narrative); this module supplies its names. Achievement keys become their
names (catalog entries, achievements stored here, pathways), issuer DIDs the names of issuers known to this server
(current or former DIDs), skill URIs their ESCO labels. Whatever is not known here is shortened
(``did:key:z6Mkw…x7Qa``, ``achievement 1a8b2c3d… at other.example``), never shown as a raw URL or DID; in signed text
(:meth:`PathwayWords.signed_names`, the award's criteria narrative) it stays whole.

:class:`PathwayWords` is plain data (no I/O); :func:`pathway_words` reads what it needs from the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from credstack.stacking import (
    Articulation,
    MinCredits,
    Prerequisite,
    Qualification,
    RequireAchievement,
    RequireAlignment,
    Requirement,
    RequireQualification,
)
from credstack.stacking.describe import (
    Names,
    RequirementWords,
    as_is,
    short_did,
    short_ref,
    shorten,
    walk_requirements,
)
from credstack.stacking.model import node_kind
from credstack.storage.engine import Database
from credstack.storage.models import Issuer
from credstack.storage.taxonomy_tables import TaxonomySkill

__all__ = ["PathwayWords", "WordedNode", "pathway_words", "short_did", "short_ref"]


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


@dataclass(frozen=True)
class PathwayWords:
    """Names for the ids the pathways refer to, and the core describer's sentences made from them."""

    names: Mapping[str, str] = field(default_factory=dict)
    issuers: Mapping[str, str] = field(default_factory=dict)
    skills: Mapping[str, str] = field(default_factory=dict)
    #: achievement key -> the page that shows it (catalog entries); pathways link to /pathways/{id}
    links: Mapping[str, str] = field(default_factory=dict)
    qualifications: Mapping[str, Qualification] = field(default_factory=dict)

    @cached_property
    def describer(self) -> RequirementWords:
        """The describer, with these names (skills by ESCO label, else by any name known here) and short forms;
        nested stacks inlined under their reference."""
        return RequirementWords(replace(self.signed_names(), nested=self.qualifications.get, unknown=shorten))

    def signed_names(self) -> Names:
        """The same names for signed text (the award's criteria narrative, ``build_qualification_achievement``): an
        id no lookup names stays whole (:func:`as_is`: nothing is lost in a signed document), and a nested stack is
        named, not inlined."""
        return Names(
            achievement=self.names.get,
            issuer=self.issuers.get,
            skill=lambda uri: self.skills.get(uri) or self.names.get(uri),
            stack=self.names.get,
            unknown=as_is,
        )

    # -- names -------------------------------------------------------------------------------------------------
    def achievement(self, key: str) -> str:
        return self.describer.achievement(key)

    def issuer(self, did: str) -> str:
        return self.describer.issuer(did)

    def skill(self, uri: str) -> str:
        return self.describer.skill(uri)

    def link(self, node: Requirement) -> str | None:
        if isinstance(node, RequireAchievement):
            return self.links.get(node.achievement_id)
        if isinstance(node, RequireQualification):
            return f"/pathways/{node.qualification_id}"
        return None

    # -- sentences ---------------------------------------------------------------------------------------------
    def node(self, node: Requirement) -> str:
        """The label of one requirement node."""
        return self.describer.node(node)

    def articulation(self, rule: Articulation, qualification: Qualification | None = None) -> str:
        """``Applied SQL from Riverside University counts as Database querying and for 1.5 credits``."""
        return self.describer.articulation(rule, qualification)

    def prerequisite(self, rule: Prerequisite) -> str:
        return self.describer.prerequisite(rule)

    def walk(self, qualification: Qualification) -> Iterator[tuple[Requirement, int]]:
        """Pre-order (node, depth), nested stacks inlined (each once per path; a cycle is not followed)."""
        return self.describer.walk(qualification)

    def tree(self, qualification: Qualification) -> list[WordedNode]:
        """Every node, root first (pre-order), nested stacks inlined under their reference, as the engine lists them
        (``Progress.nodes``)."""
        return [
            WordedNode(
                kind=node_kind(node),
                label=self.node(node),
                depth=depth,
                ref=_ref(node),
                link=self.link(node),
                node_id=node.id,
            )
            for node, depth in self.walk(qualification)
        ]

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
        for node, _ in walk_requirements(qualification):
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
