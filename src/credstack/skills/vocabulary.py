"""The concepts skills are linked to: ESCO v1.1.1 skills first, O*NET 29.2 technology skills second.

Read from the taxonomy files shipped in the package (:mod:`credstack.taxonomy.source`); nothing else is read.
O*NET has no URIs for its technology examples, so they get ``onet:tech:<commodity code>:<slug>`` names, and the
ones postings name without their vendor get that name too (``Power BI`` for ``Microsoft Power BI``; see
:mod:`credstack.skills.products`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from credstack.skills.products import ordinary_words, product_names
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
    #: Vendor-free product names (``Excel`` for the O*NET example ``Microsoft Excel``); a one-word name is matched
    #: only as written.
    names: tuple[str, ...] = ()

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


def onet_concepts(
    technologies: Iterable[records.OnetTechnologySkill], names: Mapping[str, str] | None = None
) -> list[Concept]:
    """O*NET technology examples (``Microsoft Excel``, ``Python``), one concept per distinct example; ``names``
    gives an example's vendor-free name (:func:`credstack.skills.products.product_names`)."""
    names = names or {}
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
            names=(names[tech.example],) if tech.example in names else (),
        )
    return list(seen.values())


@cache
def shipped_concepts() -> tuple[Concept, ...]:
    """ESCO skills then O*NET technology examples, from the package's own taxonomy data (read once)."""
    esco = esco_concepts(source.read("skills"))
    technologies = list(source.read("onet_technology_skills"))
    ordinary = ordinary_words(" ".join((*c.labels, c.description)) for c in esco)
    return (*esco, *onet_concepts(technologies, product_names(technologies, ordinary)))
