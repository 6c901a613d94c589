"""Ranking every concept for a sentence: label coverage and BM25 over descriptions, on stems.

Two scores per concept, each computed from inverted lists with NumPy so that a query costs a few array additions:

- *label coverage*: for each label, the share of its IDF mass (content stems) that the sentence contains; a
  concept takes the best of its labels. ``project management`` scores 1.0 for any sentence with both words.
  *Loose* labels (:mod:`credstack.skills.lexicon`: ``hearing`` for *acoustics*) name a related word, not the
  skill, and do not count here.
- *description BM25* (k1 = 1.2, b = 0.75) over the concept's labels and description, the fuzzy evidence for
  sentences that describe a skill without naming it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet

import numpy as np
from numpy.typing import NDArray

from credstack.skills.text import MATCH_STOPWORDS, QUERY_STOPWORDS, stems, tokenize, words
from credstack.skills.vocabulary import Concept

__all__ = ["ConceptIndex"]

K1, B = 1.2, 0.75


def _content_stems(text: str) -> list[str]:
    return [stemmed for folded, stemmed in words(text) if folded not in MATCH_STOPWORDS]


def _postings(pairs: dict[str, list[tuple[int, float]]]) -> dict[str, tuple[NDArray[np.int32], NDArray[np.float32]]]:
    out = {}
    for term, items in pairs.items():
        ids = np.fromiter((i for i, _ in items), dtype=np.int32, count=len(items))
        weights = np.fromiter((w for _, w in items), dtype=np.float32, count=len(items))
        out[term] = (ids, weights)
    return out


class ConceptIndex:
    """Inverted lists over the labels and descriptions of ``concepts`` (the ranking space, in order)."""

    def __init__(self, concepts: Sequence[Concept], loose: AbstractSet[tuple[int, str]] = frozenset()) -> None:
        """``loose``: (position in ``concepts``, label) pairs left out of label coverage."""
        self.size = len(concepts)
        documents = [[s for s in stems(" ".join((*c.labels, c.description))) if s] for c in concepts]
        df: Counter[str] = Counter()
        for doc in documents:
            df.update(set(doc))
        n = max(self.size, 1)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._default_idf = math.log(1 + (n + 0.5) / 0.5)

        # label coverage: one row per label, labels grouped by concept
        label_pairs: dict[str, list[tuple[int, float]]] = {}
        owners: list[int] = []
        for ci, concept in enumerate(concepts):
            for label in concept.labels:
                terms = set(self._label_terms(label))
                if not terms or (ci, label) in loose:
                    continue
                mass = sum(self.idf.get(t, self._default_idf) for t in terms)
                row = len(owners)
                owners.append(ci)
                for t in terms:
                    label_pairs.setdefault(t, []).append((row, self.idf.get(t, self._default_idf) / mass))
        self._label_owner = np.asarray(owners, dtype=np.int32)
        self._label_postings = _postings(label_pairs)

        # BM25 over labels + description
        lengths = np.asarray([len(d) for d in documents], dtype=np.float32)
        avg = float(lengths.mean()) if self.size else 1.0
        doc_pairs: dict[str, list[tuple[int, float]]] = {}
        for di, doc in enumerate(documents):
            norm = K1 * (1 - B + B * lengths[di] / avg)
            for t, tf in Counter(doc).items():
                if t in QUERY_STOPWORDS:
                    continue
                doc_pairs.setdefault(t, []).append((di, self.idf[t] * tf * (K1 + 1) / (tf + norm)))
        self._doc_postings = _postings(doc_pairs)

    @staticmethod
    def _label_terms(label: str) -> list[str]:
        return _content_stems(label)

    def query_terms(self, text: str) -> list[str]:
        """The distinct content stems of ``text`` that retrieval uses, in order of first appearance."""
        return list(dict.fromkeys(t.stem for t in tokenize(text) if t.folded not in QUERY_STOPWORDS))

    def coverage(self, terms: Iterable[str]) -> NDArray[np.float32]:
        """Per concept, the best share of one label's IDF mass found among ``terms`` (0..1)."""
        out = np.zeros(self.size, dtype=np.float32)
        hits = [self._label_postings[t] for t in terms if t in self._label_postings]
        if not hits:
            return out
        rows = np.concatenate([h[0] for h in hits])
        weights = np.concatenate([h[1] for h in hits])
        touched, inverse = np.unique(rows, return_inverse=True)
        sums = np.bincount(inverse, weights=weights).astype(np.float32)
        np.maximum.at(out, self._label_owner[touched], sums)
        return out

    def bm25(self, terms: Iterable[str]) -> NDArray[np.float32]:
        """Per concept, the BM25 score of ``terms`` against its labels and description."""
        out = np.zeros(self.size, dtype=np.float32)
        for t in terms:
            hit = self._doc_postings.get(t)
            if hit is not None:
                out[hit[0]] += hit[1]
        return out

    def term_idf(self, term: str) -> float:
        """IDF of a stem over the concepts' labels and descriptions (unseen stems get the largest value)."""
        return self.idf.get(term, self._default_idf)
