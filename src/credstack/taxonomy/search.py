"""Ranked label search over taxonomy concepts: exact labels, alternative labels, word prefixes and typos.

How a query is scored against one label (0-100), and a concept gets the best score of its labels:

1. the normalised query equals the label: 100 for a preferred label, 98 for an alternative or hidden one;
2. otherwise each query word is matched to label words exactly (1.0), as a prefix of a label word (0.9, words of
   three letters or more) or, when the word is not in the vocabulary at all, to its nearest vocabulary words by
   rapidfuzz's normalised Indel similarity (a typo: "pyhton" ~ "python" is 0.83; below 0.75 is no match); a word
   found in five labels or fewer is also expanded, since the taxonomy has misspelt hidden labels of its own.
   *coverage* is the IDF-weighted mean of those word similarities, so rare words decide and "of" hardly counts;
3. score = 95 x coverage x (0.7 + 0.3 x closeness), where closeness is the whole-string similarity of query and
   label (so "python" ranks the label "Python" above "Python (computer programming)"), plus 2 for a preferred label.

Ties are broken by the concept's weight (e.g. how many occupations need a skill), then by the shorter label.
Pure: the index is built from values and holds no I/O.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from credstack.errors import InvalidInputError
from credstack.taxonomy.text import STOPWORDS, normalise, tokens

__all__ = ["MAX_QUERY_LENGTH", "Entry", "Match", "SearchIndex"]

#: Longest query accepted, in characters.
MAX_QUERY_LENGTH = 200
_PREFERRED, _ALTERNATIVE, _HIDDEN = 0, 1, 2
_KIND_NAMES = ("preferred", "alternative", "hidden")
_PREFIX_SIMILARITY = 0.9
_TYPO_CUTOFF = 75.0
_MAX_EXPANSIONS = 40
_RESCORE = 400
_RARE = 5  # a query word found in at most this many labels may still be a typo of a common word


@dataclass(frozen=True, slots=True)
class Entry:
    """A searchable concept: an opaque reference, its preferred label and other labels."""

    ref: str
    label: str
    alt_labels: tuple[str, ...] = ()
    hidden_labels: tuple[str, ...] = ()
    weight: float = 0.0


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked result: the entry, its score, the label that matched and how (``exact``, ``alternative``,
    ``words`` or ``fuzzy``)."""

    entry: Entry
    score: float
    matched_label: str
    matched_label_kind: str
    how: str


class SearchIndex:
    """An in-memory inverted index of every label of ``entries`` (build once, query many times)."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: list[Entry] = list(entries)
        self._label_text: list[str] = []
        self._label_norm: list[str] = []
        self._label_entry: list[int] = []
        self._label_kind: list[int] = []
        self._exact: dict[str, list[int]] = {}
        postings: dict[str, list[int]] = {}
        for entry_id, entry in enumerate(self.entries):
            seen: set[str] = set()
            for kind, labels in (
                (_PREFERRED, (entry.label,)),
                (_ALTERNATIVE, entry.alt_labels),
                (_HIDDEN, entry.hidden_labels),
            ):
                for label in labels:
                    words = tokens(label)
                    norm = " ".join(words)
                    if not norm or norm in seen:
                        continue
                    seen.add(norm)
                    label_id = len(self._label_text)
                    self._label_text.append(label)
                    self._label_norm.append(norm)
                    self._label_entry.append(entry_id)
                    self._label_kind.append(kind)
                    self._exact.setdefault(norm, []).append(label_id)
                    for word in set(words):
                        postings.setdefault(word, []).append(label_id)
        self._postings = postings
        self._vocabulary = sorted(postings)
        total = max(len(self._label_text), 1)
        self._idf = {word: math.log(1 + total / len(ids)) for word, ids in postings.items()}
        self._max_idf = math.log(1 + total)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def label_count(self) -> int:
        return len(self._label_text)

    def _expansions(self, word: str) -> tuple[dict[str, float], bool]:
        """Vocabulary words matching one query word, with their similarity; and whether a typo was assumed."""
        found: dict[str, float] = {}
        if word in self._postings:
            found[word] = 1.0
        if len(word) >= 3:
            start = bisect.bisect_left(self._vocabulary, word)
            for candidate in self._vocabulary[start : start + _MAX_EXPANSIONS]:
                if not candidate.startswith(word):
                    break
                found.setdefault(candidate, _PREFIX_SIMILARITY)
        if len(word) < 4 or len(self._postings.get(word, ())) > _RARE:
            return found, False
        for candidate, score, _ in process.extract(
            word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF, limit=10
        ):
            # Among equally close words, a typo more likely meant the common one ("python", not "pyston").
            commonness = math.log1p(len(self._postings[candidate])) / self._max_idf
            found.setdefault(candidate, min(0.99, score / 100.0 + 0.02 * commonness))
        return found, word not in self._postings

    def _coverage(self, words: Sequence[str]) -> tuple[dict[int, float], bool]:
        weights: list[float] = []
        similarity: list[dict[int, float]] = []
        typo = False
        for word in words:
            found, assumed_typo = self._expansions(word)
            typo = typo or assumed_typo
            best: dict[int, float] = {}
            for candidate, sim in found.items():
                for label_id in self._postings[candidate]:
                    if best.get(label_id, 0.0) < sim:
                        best[label_id] = sim
            similarity.append(best)
            # A word weighs what its most common reading weighs, so a rare misspelling cannot outweigh the rest.
            weights.append(min((self._idf[c] for c in found), default=self._max_idf))
        total = sum(weights) or 1.0
        coverage: dict[int, float] = {}
        for weight, best in zip(weights, similarity, strict=True):
            for label_id, sim in best.items():
                coverage[label_id] = coverage.get(label_id, 0.0) + weight * sim / total
        return coverage, typo

    def search(self, query: str, *, limit: int = 10, min_score: float = 40.0) -> list[Match]:
        """The best ``limit`` entries for ``query``, best first. Raises InvalidInputError for an empty query."""
        if len(query) > MAX_QUERY_LENGTH:
            raise InvalidInputError(f"search text is longer than {MAX_QUERY_LENGTH} characters")
        words = tokens(query)
        if not words:
            raise InvalidInputError("search text is empty: give at least one letter or digit")
        if limit < 1:
            raise InvalidInputError(f"limit must be at least 1, got {limit}")
        query_norm = normalise(query)
        content = [w for w in dict.fromkeys(words) if w not in STOPWORDS] or list(dict.fromkeys(words))
        coverage, typo = self._coverage(content)
        for label_id in self._exact.get(query_norm, ()):
            coverage[label_id] = 1.0
        top = heapq.nlargest(_RESCORE, coverage.items(), key=lambda item: item[1])
        best: dict[int, Match] = {}
        for label_id, cover in top:
            norm = self._label_norm[label_id]
            kind = self._label_kind[label_id]
            if norm == query_norm:
                score, how = (100.0, "exact") if kind == _PREFERRED else (98.0, "alternative")
            else:
                closeness = fuzz.ratio(query_norm, norm) / 100.0
                score = 95.0 * cover * (0.7 + 0.3 * closeness) + (2.0 if kind == _PREFERRED else 0.0)
                how = "fuzzy" if typo else "words"
            if score < min_score:
                continue
            entry_id = self._label_entry[label_id]
            current = best.get(entry_id)
            if current is None or score > current.score:
                best[entry_id] = Match(
                    entry=self.entries[entry_id],
                    score=round(score, 2),
                    matched_label=self._label_text[label_id],
                    matched_label_kind=_KIND_NAMES[kind],
                    how=how,
                )
        ranked = sorted(best.values(), key=lambda m: (-m.score, -m.entry.weight, len(m.entry.label), m.entry.label))
        return ranked[:limit]
