"""Exact and inflected label matching: every taxonomy label found in a text, with its token span.

Labels are reduced to stem sequences without function words (:data:`~credstack.skills.text.MATCH_STOPWORDS`) and
kept in one hash table with the set of their prefixes, so a scan of a sentence is a handful of dictionary look-ups
per word (the multi-pattern matching of Aho-Corasick, on tokens rather than characters). A label such as
``Python (computer programming)`` is also indexed without its parenthesised qualifier, as a *short* label.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from credstack.skills.text import MATCH_STOPWORDS, Token, words
from credstack.skills.vocabulary import Concept

__all__ = ["LabelHit", "LabelMatcher", "RawMatch"]

PREFERRED, ALTERNATIVE, SHORT = "preferred", "alternative", "short"
_PAREN = re.compile(r"\s*\([^)]*\)\s*")
#: Labels longer than this (in content words) are not worth matching verbatim.
MAX_LABEL_WORDS = 8


@dataclass(frozen=True, slots=True)
class LabelHit:
    """One label that a stem sequence stands for: which concept, which label, how it was indexed."""

    concept: int
    label: str
    kind: str
    folded: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RawMatch:
    """A label found in a text: token positions ``[first, last]`` (inclusive) and the labels it matches."""

    first: int
    last: int
    exact: bool
    hits: tuple[LabelHit, ...]


def _content(words: Sequence[str]) -> list[int]:
    return [i for i, w in enumerate(words) if w not in MATCH_STOPWORDS]


class LabelMatcher:
    """Finds every indexed label in a tokenised text."""

    def __init__(self, concepts: Sequence[Concept]) -> None:
        # plain tuples (concept, label, kind, folded) keep the table cheap to build and to pickle
        table: dict[tuple[str, ...], list[tuple[int, str, str, tuple[str, ...]]]] = {}
        prefixes: set[tuple[str, ...]] = set()
        for index, concept in enumerate(concepts):
            variants: list[tuple[str, str]] = []
            for position, label in enumerate(concept.labels):
                variants.append((label, PREFERRED if position == 0 else ALTERNATIVE))
                short = _PAREN.sub(" ", label).strip()
                if short and short != label:
                    variants.append((short, SHORT))
            seen: set[tuple[str, ...]] = set()
            for label, kind in variants:
                analysed = [w for w in words(label) if w[0] not in MATCH_STOPWORDS]
                if not analysed or len(analysed) > MAX_LABEL_WORDS:
                    continue
                folded = tuple(w[0] for w in analysed)
                key = tuple(w[1] for w in analysed)
                if key in seen:
                    continue
                seen.add(key)
                table.setdefault(key, []).append((index, label, kind, folded))
                for n in range(1, len(key)):
                    prefixes.add(key[:n])
        prefixes.update(table)
        self._table = table
        self._prefixes = prefixes

    def __len__(self) -> int:
        return len(self._table)

    def find(self, tokens: Sequence[Token]) -> list[RawMatch]:
        """Every label occurrence in ``tokens`` (overlapping ones included), left to right."""
        content = _content([t.folded for t in tokens])
        words = [tokens[i].stem for i in content]
        out = []
        table, prefixes = self._table, self._prefixes
        for i in range(len(words)):
            for j in range(i + 1, min(len(words), i + MAX_LABEL_WORDS) + 1):
                key = tuple(words[i:j])
                if key not in prefixes:
                    break
                hits = table.get(key)
                if hits:
                    folded = tuple(tokens[content[k]].folded for k in range(i, j))
                    exact = any(h[3] == folded for h in hits)
                    out.append(RawMatch(content[i], content[j - 1], exact, tuple(LabelHit(*h) for h in hits)))
        return out
