"""The concepts skills are linked to: ESCO v1.1.1 skills first, O*NET 29.2 technology skills second.

Read from the taxonomy files shipped in the package (:mod:`credstack.taxonomy.source`); nothing else is read.
O*NET has no URIs for its technology examples, so they get ``onet:tech:<commodity code>:<slug>`` names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from credstack.taxonomy import records, source

__all__ = ["ESCO", "ONET", "Concept", "esco_concepts", "onet_concepts", "shipped_concepts"]

ESCO = "esco"
ONET = "onet"


@dataclass(frozen=True, slots=True)
class Concept:
    """A skill that text can be linked to. ``labels[0]`` is the preferred label; the rest are alternatives."""

    uri: str
    scheme: str
    labels: tuple[str, ...]
    description: str
    kind: str

    @property
    def label(self) -> str:
        return self.labels[0]


def esco_concepts(skills: Iterable[records.Skill]) -> list[Concept]:
    """ESCO skills as concepts: preferred, alternative and hidden labels, description."""
    out = []
    for skill in skills:
        labels = dict.fromkeys((skill.preferred_label, *skill.alt_labels, *skill.hidden_labels))
        out.append(
            Concept(
                uri=skill.uri,
                scheme=ESCO,
                labels=tuple(labels),
                description=skill.description,
                kind=skill.skill_type or "skill/competence",
            )
        )
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z+#]+", "-", text.casefold()).strip("-")


def onet_concepts(technologies: Iterable[records.OnetTechnologySkill]) -> list[Concept]:
    """O*NET technology examples (``Microsoft Excel``, ``Python``), one concept per distinct example."""
    seen: dict[str, Concept] = {}
    for tech in technologies:
        key = tech.example.casefold()
        if key in seen:
            continue
        seen[key] = Concept(
            uri=f"onet:tech:{tech.commodity_code}:{_slug(tech.example)}",
            scheme=ONET,
            labels=(tech.example,),
            description=tech.commodity_title,
            kind="technology",
        )
    return list(seen.values())


@cache
def shipped_concepts() -> tuple[Concept, ...]:
    """ESCO skills then O*NET technology examples, from the package's own taxonomy data (read once)."""
    esco = esco_concepts(source.read("skills"))
    onet = onet_concepts(source.read("onet_technology_skills"))
    return (*esco, *onet)
