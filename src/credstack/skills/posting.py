"""The ESCO skills a job posting asks for: what a planner target pasted as a posting and an employer's job read.

Each skill mention in the text (:meth:`SkillLinker.extract`) gives at most one ESCO skill:

- its best ESCO skill link, when that scores at least :data:`MIN_ESCO_SCORE`;
- otherwise, when the mention names an O*NET technology (``Tableau``, ``pandas``), the ESCO skill that best matches
  the technology's O*NET commodity class ("Business intelligence and data analysis software" -> *business
  intelligence*), at :data:`VIA_ONET` of the mention's score: ESCO has few product names, O*NET has many;
- otherwise nothing (a weak link is a guess, not a requirement).

A skill named several times keeps its best score; the result is ordered best first.
"""

from __future__ import annotations

from dataclasses import dataclass

from credstack.skills.linker import LEXICAL, SkillLinker
from credstack.skills.vocabulary import ESCO, ONET

__all__ = ["MIN_ESCO_SCORE", "VIA_ONET", "PostingSkill", "posting_skills"]

#: An ESCO link of a mention counts from this score up.
MIN_ESCO_SCORE = 0.5
#: A skill reached through an O*NET technology's commodity class scores this share of the mention's score.
VIA_ONET = 0.8


@dataclass(frozen=True, slots=True)
class PostingSkill:
    """An ESCO skill the posting asks for: ``mention`` is the text that names it, ``via`` how it was reached
    (``"esco"``, or ``"O*NET Tableau: Business intelligence and data analysis software"``)."""

    uri: str
    label: str
    score: float
    mention: str
    via: str


def posting_skills(linker: SkillLinker, text: str, *, method: str = LEXICAL) -> list[PostingSkill]:
    """The ESCO skills ``text`` asks for, best first (see the module docstring)."""
    found: dict[str, PostingSkill] = {}
    via_commodity: dict[str, tuple[str, str, str] | None] = {}  # O*NET uri -> (ESCO uri, label, commodity title)
    for mention in linker.extract(text, method=method):
        esco = next((k for k in mention.links if k.scheme == ESCO and "/esco/skill/" in k.uri), None)
        onet = next((k for k in mention.links if k.scheme == ONET), None)
        if esco is not None and esco.score >= MIN_ESCO_SCORE:
            skill = PostingSkill(esco.uri, esco.label, esco.score, mention.text, "esco")
        elif onet is not None:
            if onet.uri not in via_commodity:
                via_commodity[onet.uri] = _commodity_skill(linker, onet.uri)
            mapped = via_commodity[onet.uri]
            if mapped is None:
                continue
            uri, label, title = mapped
            skill = PostingSkill(
                uri, label, round(onet.score * VIA_ONET, 4), mention.text, f"O*NET {onet.label}: {title}"
            )
        else:
            continue
        if skill.uri not in found or found[skill.uri].score < skill.score:
            found[skill.uri] = skill
    return sorted(found.values(), key=lambda s: (-s.score, s.label))


def _commodity_skill(linker: SkillLinker, onet_uri: str) -> tuple[str, str, str] | None:
    """The ESCO skill that best matches an O*NET technology's commodity class: ``(uri, label, commodity title)``."""
    concept = next((c for c in linker.concepts if c.uri == onet_uri), None)
    title = concept.description if concept is not None else ""
    if not title:
        return None
    best = next((k for k in linker.link(title, top=3) if "/esco/skill/" in k.uri), None)
    return (best.uri, best.label, title) if best is not None else None
