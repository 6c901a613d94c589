"""Exact and inflected label matching: every taxonomy label found in a text, with its token span.

Labels are reduced to stem sequences without function words (:data:`~credstack.skills.text.MATCH_STOPWORDS`) and
kept in one hash table with the set of their prefixes, so a scan of a sentence is a handful of dictionary look-ups
per word (the multi-pattern matching of Aho-Corasick, on tokens rather than characters). A label such as
``Python (computer programming)`` is also indexed without its parenthesised qualifier, as a *short* label.

Two more kinds of label: an O*NET example's vendor-free *product* name (``Power BI``; see
:mod:`credstack.skills.products`); and a *loose* label, a one-word alternative label that is an ordinary word
sharing no word with the preferred label (``hearing`` for *acoustics*, ``board`` for *scaffolding components*): a
related word rather than a name of the skill, which :mod:`credstack.skills.linker` scores lower (so that it needs
a rarer word to count on its own) and :mod:`credstack.skills.retrieval` leaves out of label coverage.

A one-word product name, and a one-word label the taxonomy capitalises although it is an ordinary word
(``Access`` for *Microsoft Access*), is a name: it is found only capitalised and not as the tail of a longer
capitalised name (``Excel`` and ``MS Excel``, not "excel at"; ``Jersey`` but not "New Jersey"; ``Access`` but not
"access to"). What is an ordinary word is read from ESCO (:func:`credstack.skills.products.ordinary_words`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from credstack.skills.products import ordinary_words
from credstack.skills.text import MATCH_STOPWORDS, Token, words
from credstack.skills.vocabulary import ESCO, Concept

__all__ = ["LabelHit", "LabelMatcher", "RawMatch"]

PREFERRED, ALTERNATIVE, SHORT, PRODUCT, LOOSE = "preferred", "alternative", "short", "product", "loose"
_PAREN = re.compile(r"\s*\([^)]*\)\s*")
_SENTENCE_BREAK = re.compile(r"[.!?:;\n\u2022*]")
#: Labels longer than this (in content words) are not worth matching verbatim.
MAX_LABEL_WORDS = 8


@dataclass(frozen=True, slots=True)
class LabelHit:
    """One label that a stem sequence stands for: which concept, which label, how it was indexed."""

    concept: int
    label: str
    kind: str
    folded: tuple[str, ...]
    #: ``name``: found only as a name (see :func:`_as_written`); ``word``: the same, and never first in a sentence
    #: (an ordinary word the taxonomy capitalises, such as ``Access``); empty: found in any case
    cased: str = ""


@dataclass(frozen=True, slots=True)
class RawMatch:
    """A label found in a text: token positions ``[first, last]`` (inclusive) and the labels it matches."""

    first: int
    last: int
    exact: bool
    hits: tuple[LabelHit, ...]


def _content(words: Sequence[str]) -> list[int]:
    return [i for i, w in enumerate(words) if w not in MATCH_STOPWORDS]


def _is_loose(label: str, preferred: str, ordinary: frozenset[str]) -> bool:
    """A one-word alternative label that is an ordinary word and shares no stem with the preferred label."""
    if label.strip() not in ordinary:  # most labels: decided without analysing the words
        return False
    analysed = [w for w in words(label) if w[0] not in MATCH_STOPWORDS]
    if len(analysed) != 1 or analysed[0][0] != label.strip():
        return False
    return analysed[0][1] not in {stemmed for _folded, stemmed in words(preferred)}


def _casing(label: str, kind: str, ordinary: frozenset[str]) -> str:
    """How a one-word label must be written to count: ``word`` for an ordinary word the taxonomy capitalises
    (``Access``, ``Source``, ``Go``), ``name`` for another product name (``Excel``), else ``""`` (any case)."""
    word = label.strip()
    if word[:1].isupper() and word.casefold() in ordinary:
        return "word"
    return "name" if kind == PRODUCT else ""


def _as_written(tokens: Sequence[Token], at: int, label: str, cased: str, text: str | None) -> bool:
    """Whether ``tokens[at]`` is the name ``label``: the same word, capitalised (``Excel``, ``Jira`` for ``JIRA``;
    not ``excel``), not the tail of a longer capitalised name (``New Jersey``; ``MS Excel`` is fine) and, for an
    ordinary word (``cased == "word"``), not first in its sentence or line ("Access rights")."""
    if text is None:
        return False
    token = tokens[at]
    written = text[token.start : token.end]
    if written.casefold() != label.casefold() or not written[:1].isupper():
        return False
    before_text = text[tokens[at - 1].end if at else 0 : token.start]
    if cased == "word" and (at == 0 or _SENTENCE_BREAK.search(before_text)):
        return False
    if at > 0 and not before_text.strip():
        word = text[tokens[at - 1].start : tokens[at - 1].end]
        if word[:1].isupper() and not word.isupper():
            return False
    return True


class LabelMatcher:
    """Finds every indexed label in a tokenised text."""

    def __init__(self, concepts: Sequence[Concept]) -> None:
        # plain tuples (concept, label, kind, folded, cased) keep the table cheap to build and to pickle
        table: dict[tuple[str, ...], list[tuple[int, str, str, tuple[str, ...], str]]] = {}
        prefixes: set[tuple[str, ...]] = set()
        ordinary = ordinary_words(" ".join((*c.labels, c.description)) for c in concepts if c.scheme == ESCO)
        for index, concept in enumerate(concepts):
            variants: list[tuple[str, str]] = []
            for position, label in enumerate(concept.labels):
                if position == 0:
                    variants.append((label, PREFERRED))
                else:
                    variants.append((label, LOOSE if _is_loose(label, concept.label, ordinary) else ALTERNATIVE))
                short = _PAREN.sub(" ", label).strip()
                if short and short != label:
                    variants.append((short, SHORT))
            variants.extend((name, PRODUCT) for name in concept.names)
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
                cased = _casing(label, kind, ordinary) if len(key) == 1 else ""
                table.setdefault(key, []).append((index, label, kind, folded, cased))
                for n in range(1, len(key)):
                    prefixes.add(key[:n])
        prefixes.update(table)
        self._table = table
        self._prefixes = prefixes

    def __len__(self) -> int:
        return len(self._table)

    def loose_labels(self) -> set[tuple[int, str]]:
        """``(concept position, label)`` of every loose label."""
        return {(h[0], h[1]) for hits in self._table.values() for h in hits if h[2] == LOOSE}

    def find(self, tokens: Sequence[Token], text: str | None = None) -> list[RawMatch]:
        """Every label occurrence in ``tokens`` (overlapping ones included), left to right. ``text`` is what the
        tokens were cut from; without it, the labels found only as written (``cased``) are not found."""
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
                if hits and j - i == 1 and any(h[4] for h in hits):
                    hits = [h for h in hits if not h[4] or _as_written(tokens, content[i], h[1], h[4], text)]
                if hits:
                    folded = tuple(tokens[content[k]].folded for k in range(i, j))
                    exact = any(h[3] == folded for h in hits)
                    out.append(RawMatch(content[i], content[j - 1], exact, tuple(LabelHit(*h) for h in hits)))
        return out
