"""The per-posting work of an ingestion, pure: deduplicate, map the title, extract skills.

:class:`PostingProcessor` keeps the state that makes deduplication work across a file (and across files, when the
service seeds it with the keys and signatures already stored): ``process(posting)`` returns an
:class:`Outcome` saying whether the posting is new, an exact duplicate or a near duplicate, and for a new one its
occupation and skills. Skills are the mentions :meth:`credstack.skills.SkillLinker.extract` finds in the title and
text, each linked to its best concept (ESCO first, O*NET technologies second), kept when the mention scores at
least ``min_score``; a posting asking twice for a skill counts once, with its best score.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from credstack.market.dedup import NearDuplicates, exact_key, signature
from credstack.market.records import Posting
from credstack.market.regions import region_code
from credstack.market.titles import TitleMapper, TitleMatch
from credstack.skills import SkillLinker
from credstack.skills.linker import Link
from credstack.skills.vocabulary import ESCO

__all__ = ["MIN_SKILL_SCORE", "Outcome", "PostingProcessor", "PostingSkill", "extract_skills"]

#: Mentions scoring below this are not counted as demand (the linker's own extraction floor is 0.5; the higher
#: floor drops single generic words such as "warning" or "stay" and keeps named skills and multi-word labels).
MIN_SKILL_SCORE = 0.6
#: A line seen in this many earlier postings of the same ingestion is boilerplate (site footers, legal notices) and
#: is not read for skills.
BOILERPLATE_LINES = 20
NEW, DUPLICATE, NEAR_DUPLICATE = "new", "duplicate", "near-duplicate"
_JOINS = re.compile(r"[;,]|\b(?:or|and|nor)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PostingSkill:
    """A skill a posting asks for: concept URI, preferred label, vocabulary (esco|onet) and best mention score."""

    uri: str
    label: str
    scheme: str
    score: float


@dataclass(frozen=True)
class Outcome:
    """What happened to one posting: ``status`` new | duplicate | near-duplicate; for a new one, its keys,
    occupation, region and skills."""

    posting: Posting
    status: str
    key: str
    signature: NDArray[np.uint32] | None = None
    title: TitleMatch | None = None
    region: str = ""
    skills: tuple[PostingSkill, ...] = ()


def _plausible(mention_text: str, link: Link) -> bool:
    """Drop the mentions a gazetteer gets wrong in postings: one- and two-letter words ("C." of an answer list),
    a capitalised name met in lower case ("access" is not *Microsoft Access*), and O*NET product names not written
    exactly as named ("Act" is not *Act!*), and a label read across a list ("document or interview" is not
    *document interviews*)."""
    if len(mention_text) < 3 and not any(ch in mention_text for ch in "+#"):
        return False
    label = link.matched_label or link.label
    if _JOINS.search(mention_text) and not _JOINS.search(label):
        return False
    if link.scheme != ESCO:
        return mention_text == label
    if label != label.lower() and label.lower() == mention_text.lower():
        return mention_text == label
    return True


def extract_skills(
    linker: SkillLinker, title: str, text: str, min_score: float = MIN_SKILL_SCORE
) -> list[PostingSkill]:
    """The skills ``title`` and ``text`` ask for, best first (one entry per concept)."""
    best: dict[str, PostingSkill] = {}
    for mention in linker.extract(f"{title}.\n{text}" if text else title, min_score=min_score):
        if not mention.links or not _plausible(mention.text, mention.links[0]):
            continue
        link = mention.links[0]
        found = best.get(link.uri)
        if found is None or found.score < mention.score:
            best[link.uri] = PostingSkill(link.uri, link.label, link.scheme, mention.score)
    return sorted(best.values(), key=lambda s: (-s.score, s.uri))


class PostingProcessor:
    """Deduplication state plus the linker and title mapper; feed postings in file order."""

    def __init__(
        self,
        linker: SkillLinker,
        titles: TitleMapper,
        *,
        near_threshold: float = 0.8,
        min_score: float = MIN_SKILL_SCORE,
    ) -> None:
        self.linker = linker
        self.titles = titles
        self.min_score = min_score
        self.keys: set[str] = set()
        self.near = NearDuplicates(near_threshold)
        self._lines: Counter[int] = Counter()

    def seed(self, keys: Iterable[str], signatures: Iterable[tuple[NDArray[np.uint32], str]]) -> None:
        """Make postings already stored count as seen (their keys, and signatures with titles)."""
        self.keys.update(keys)
        self.near.add_all(signatures)

    def _without_boilerplate(self, text: str) -> str:
        kept = []
        for line in text.splitlines():
            stripped = line.strip()
            if len(stripped) < 25:
                kept.append(line)
                continue
            key = hash(stripped.casefold())
            if key in self._lines or len(self._lines) < 300_000:
                self._lines[key] += 1
            if self._lines[key] <= BOILERPLATE_LINES:
                kept.append(line)
        return "\n".join(kept)

    def process(self, posting: Posting) -> Outcome:
        key = exact_key(posting.source, posting.source_id, posting.title, posting.text, posting.date, posting.employer)
        if key in self.keys:
            return Outcome(posting, DUPLICATE, key)
        sig = signature(f"{posting.title} {posting.text}") if posting.has_text else None
        if sig is not None and self.near.match(sig, posting.title) is not None:
            self.keys.add(key)
            return Outcome(posting, NEAR_DUPLICATE, key)
        self.keys.add(key)
        if sig is not None:
            self.near.add(sig, posting.title)
        skills = (
            extract_skills(self.linker, posting.title, self._without_boilerplate(posting.text), self.min_score)
            if posting.has_text
            else []
        )
        return Outcome(
            posting,
            NEW,
            key,
            sig,
            self.titles.map(posting.title),
            region_code(posting.location),
            tuple(skills),
        )
