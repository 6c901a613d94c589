"""Skill extraction and linking: the one object callers use.

:class:`SkillLinker` holds the concepts (ESCO skills, O*NET technologies), the label matcher and the retrieval
index. :meth:`SkillLinker.extract` finds skill mentions (character spans) and links each to its concepts;
:meth:`SkillLinker.link` ranks every ESCO skill for a sentence (the linking protocol of Decorte et al.).

Scores are in 0..1. A mention's score is ``how * specificity``: ``how`` is 1.0 for a preferred label written as in
the taxonomy, 0.95 for an alternative label or an O*NET product name without its vendor, and 0.8 for a label
without its parenthesised qualifier or a loose label (a related ordinary word: :mod:`credstack.skills.lexicon`),
times 0.85 for an inflected form; specificity grows with the IDF of the label's words (``1 - exp(-sum idf / 6)``), so
``Python`` outranks ``communication``. A concept's link score mixes its best mention, label coverage and BM25.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from credstack.errors import InvalidInputError
from credstack.skills.lexicon import ALTERNATIVE, LOOSE, PREFERRED, PRODUCT, LabelMatcher
from credstack.skills.retrieval import ConceptIndex
from credstack.skills.tagger import TaggedSpan
from credstack.skills.text import Token, tokenize
from credstack.skills.vocabulary import ESCO, Concept, shipped_concepts

__all__ = ["Link", "Mention", "SkillLinker", "Weights", "default_linker"]

_HOW = {PREFERRED: 1.0, ALTERNATIVE: 0.95, PRODUCT: 0.95, LOOSE: 0.8}
_INFLECTED, _SHORT = 0.85, 0.8
_KIND = {"knowledge": "knowledge", "technology": "tech"}
#: Mentions scoring below this are not reported by :meth:`SkillLinker.extract`.
MIN_MENTION_SCORE = 0.5
#: Extraction methods of :meth:`SkillLinker.extract`.
LEXICAL, TAGGED, UNION, NEURAL = "lexical", "tagged", "union", "neural"
METHODS = (LEXICAL, TAGGED, UNION, NEURAL)
#: Concepts retrieved for a tagged span that names no label.
TAGGED_LINKS = 5


@dataclass(frozen=True, slots=True)
class Link:
    """A concept a text is linked to: ``uri``, preferred ``label``, ``scheme`` (esco|onet) and ``score``."""

    uri: str
    label: str
    scheme: str
    score: float
    matched_label: str = ""

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"uri": self.uri, "label": self.label, "scheme": self.scheme}
        out["score"] = round(self.score, 4)
        if self.matched_label:
            out["matched_label"] = self.matched_label
        return out


@dataclass(frozen=True, slots=True)
class Mention:
    """A skill mention: ``text[start:end]`` and the concepts it names: ESCO ones first, then O*NET, best first."""

    start: int
    end: int
    text: str
    score: float
    links: tuple[Link, ...]
    #: ``skill`` or ``knowledge`` for a span the tagger found; empty for a lexical label match.
    kind: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": round(self.score, 4),
            "links": [link.to_json() for link in self.links],
        }


@dataclass(frozen=True)
class Weights:
    """How :meth:`SkillLinker.link` mixes its evidence (tuned on the development sets)."""

    mention: float = 0.5
    coverage: float = 1.0
    coverage_power: float = 1.0
    bm25: float = 0.03


class SkillLinker:
    """Extraction and linking over a fixed set of concepts (build once, reuse: it is immutable)."""

    def __init__(self, concepts: Sequence[Concept], weights: Weights | None = None) -> None:
        self.concepts = tuple(concepts)
        self.weights = weights or Weights()
        self.matcher = LabelMatcher(self.concepts)
        self.esco = np.asarray([i for i, c in enumerate(self.concepts) if c.scheme == ESCO], dtype=np.int64)
        self._esco_position = {int(ci): pos for pos, ci in enumerate(self.esco)}
        loose = {
            (self._esco_position[c], label) for c, label in self.matcher.loose_labels() if c in self._esco_position
        }
        self.index = ConceptIndex([self.concepts[i] for i in self.esco], loose)

    # -- extraction -----------------------------------------------------------------------------------------

    def _score_match(self, kind: str, exact: bool, stems: Sequence[str]) -> float:
        how = _HOW.get(kind, _SHORT) * (1.0 if exact else _INFLECTED)
        specificity = 1 - math.exp(-sum(self.index.term_idf(s) for s in stems) / 6)
        return how * specificity

    def gazetteer(self, tokens: Sequence[Token], text: str | None = None) -> list[list[str]]:
        """Per token, the label matches covering it as span-tagger cues: position (``U`` single word, ``B``, ``I``,
        ``E``), kind of the concepts (``knowledge``, ``skill``, ``tech``) and the mention score in fifths.
        ``text``: what the tokens were cut from (one-word names are matched only as written in it)."""
        out: list[set[str]] = [set() for _ in tokens]
        for match in self.matcher.find(tokens, text):
            stems = [t.stem for t in tokens[match.first : match.last + 1]]
            kinds = {_KIND.get(self.concepts[h.concept].kind, "skill") for h in match.hits}
            score = max(self._score_match(h.kind, match.exact, stems) for h in match.hits)
            bucket = f"s{min(int(score * 5), 4)}"
            for i in range(match.first, match.last + 1):
                if match.first == match.last:
                    pos = "U"
                else:
                    pos = "B" if i == match.first else "E" if i == match.last else "I"
                out[i].add(f"{pos}:{bucket}")
                out[i].update(f"{pos}:{kind}" for kind in kinds)
        return [sorted(x) for x in out]

    def _mentions(self, text: str) -> list[tuple[int, int, float, list[Link]]]:
        tokens = tokenize(text)
        out = []
        for match in self.matcher.find(tokens, text):
            stems = [t.stem for t in tokens[match.first : match.last + 1]]
            folded = tuple(t.folded for t in tokens[match.first : match.last + 1])
            best: dict[int, Link] = {}
            for hit in match.hits:
                exact = hit.folded == tuple(f for f in folded if f in hit.folded) and match.exact
                score = self._score_match(hit.kind, exact, stems)
                concept = self.concepts[hit.concept]
                if hit.concept not in best or best[hit.concept].score < score:
                    best[hit.concept] = Link(concept.uri, concept.label, concept.scheme, score, hit.label)
            links = sorted(best.values(), key=lambda link: (link.scheme != ESCO, -link.score, link.label))
            out.append((tokens[match.first].start, tokens[match.last].end, max(x.score for x in links), links))
        return out

    def extract(self, text: str, *, min_score: float = MIN_MENTION_SCORE, method: str = LEXICAL) -> list[Mention]:
        """Skill mentions in ``text``, left to right, without overlaps.

        ``method``: ``"lexical"`` (the default): taxonomy labels found in the text, scoring at least ``min_score``
        (the longest, then best, wins); ``"tagged"``: the spans the CRF tagger (:mod:`credstack.skills.tagger`)
        marks as skill or knowledge, each linked to its concepts, scored by the tagger's probability;
        ``"union"``: the tagged spans plus the lexical mentions that overlap none of them; ``"neural"``: the spans
        the fine-tuned encoder (:mod:`credstack.skills.neural`; needs torch, the ``semantic`` extra) marks, linked
        and scored like the tagged ones. For many texts, :meth:`extract_many` batches the encoder.
        """
        if not isinstance(text, str):
            raise InvalidInputError("skill extraction needs text")
        if method not in METHODS:
            raise InvalidInputError(f"unknown extraction method {method!r} (one of {', '.join(METHODS)})")
        if method == LEXICAL:
            return self._lexical(text, min_score)
        if method == NEURAL:
            return self.extract_many([text], method=NEURAL)[0]
        tagged = self._tagged(text)
        if method == UNION:
            taken = [(m.start, m.end) for m in tagged]
            for m in self._lexical(text, min_score):
                if all(m.end <= s or m.start >= e for s, e in taken):
                    tagged.append(m)
            tagged.sort(key=lambda m: m.start)
        return tagged

    def extract_many(
        self, texts: Sequence[str], *, min_score: float = MIN_MENTION_SCORE, method: str = LEXICAL
    ) -> list[list[Mention]]:
        """:meth:`extract` for each text; the ``"neural"`` method tags them in batches (much faster than one by
        one).

        The neural tagger reads a text sentence by sentence (:func:`credstack.skills.tagger.sentences`: lines, and
        sentences ended by ``.``, ``!`` or ``?``), as it was trained; spans never cross from one into the next.
        """
        if method != NEURAL:
            return [self.extract(t, min_score=min_score, method=method) for t in texts]
        if not all(isinstance(t, str) for t in texts):
            raise InvalidInputError("skill extraction needs text")
        from credstack.skills.neural import LABELS, default_neural_tagger
        from credstack.skills.tagger import default_tagger, features, sentences, split

        tagger = default_neural_tagger()
        tokens = [split(t) for t in texts]
        parts = [(i, first, end) for i, t in enumerate(texts) for first, end in sentences(t, tokens[i])]
        words = [[texts[i][x.start : x.end] for x in tokens[i][first:end]] for i, first, end in parts]
        spans: list[list[TaggedSpan]] = [[] for _ in texts]
        for (i, first, end), probs in zip(parts, tagger.probabilities(words), strict=True):
            if tagger.crf_weight:
                toks = tokens[i][first:end]
                crf = default_tagger().marginals(features(texts[i], toks, self.gazetteer(toks, texts[i])), LABELS)
                probs = (1 - tagger.crf_weight) * probs + tagger.crf_weight * np.asarray(crf, dtype=np.float32)
            spans[i].extend(
                TaggedSpan(first + s.first, first + s.end, s.kind, s.probability) for s in tagger.decode(probs)
            )
        return [self._spans(t, toks, found) for t, toks, found in zip(texts, tokens, spans, strict=True)]

    def _lexical(self, text: str, min_score: float) -> list[Mention]:
        candidates = [m for m in self._mentions(text) if m[2] >= min_score]
        candidates.sort(key=lambda m: (-(m[1] - m[0]), -m[2], m[0]))
        taken: list[tuple[int, int, float, list[Link]]] = []
        for cand in candidates:
            if all(cand[1] <= t[0] or cand[0] >= t[1] for t in taken):
                taken.append(cand)
        taken.sort(key=lambda m: m[0])
        return [Mention(s, e, text[s:e], score, tuple(links)) for s, e, score, links in taken]

    def _tagged(self, text: str) -> list[Mention]:
        from credstack.skills.tagger import default_tagger, features, split

        tokens = split(text)
        if not tokens:
            return []
        return self._spans(text, tokens, default_tagger().tag(features(text, tokens, self.gazetteer(tokens, text))))

    def _spans(self, text: str, tokens: Sequence[Token], spans: Sequence[TaggedSpan]) -> list[Mention]:
        """Mentions for tagged word spans: linked to the labels inside them, else to retrieved ESCO skills."""
        if not spans:
            return []
        lexical = self._mentions(text)
        out = []
        for span in spans:
            start, end = tokens[span.first].start, tokens[span.end - 1].end
            best: dict[str, Link] = {}
            for s, e, _score, links in lexical:
                if start <= s and e <= end:
                    for link in links:
                        if link.uri not in best or best[link.uri].score < link.score:
                            best[link.uri] = link
            links = sorted(best.values(), key=lambda link: (link.scheme != ESCO, -link.score, link.label))
            if not links:
                links = self._retrieved(text[start:end])
            out.append(Mention(start, end, text[start:end], span.probability, tuple(links), span.kind.lower()))
        return out

    def _retrieved(self, phrase: str, top: int = TAGGED_LINKS) -> list[Link]:
        """The best ESCO skills for a phrase that names none by its label; scored by label coverage (0..1)."""
        scores = self.scores(phrase)
        k = min(top, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        coverage = self.index.coverage(self.index.query_terms(phrase))
        out = []
        for pos in best:
            if scores[pos] <= 0:
                break
            concept = self.concepts[int(self.esco[pos])]
            out.append(Link(concept.uri, concept.label, concept.scheme, float(min(coverage[pos], 1.0))))
        return out

    # -- linking ----------------------------------------------------------------------------------------------

    def scores(self, text: str) -> NDArray[np.float32]:
        """A score for every ESCO concept (in :attr:`esco` order) for ``text``."""
        w = self.weights
        terms = self.index.query_terms(text)
        total = w.coverage * self.index.coverage(terms) ** w.coverage_power
        if w.bm25:
            total += w.bm25 * self.index.bm25(terms)
        for _start, _end, _score, links in self._mentions(text):
            for link in links:
                pos = self._esco_position.get(self._concept_index(link.uri))
                if pos is not None:
                    total[pos] += w.mention * link.score
        return total

    @cache  # noqa: B019 - one linker per process; the cache is the URI map
    def _uri_map(self) -> dict[str, int]:
        return {c.uri: i for i, c in enumerate(self.concepts)}

    def _concept_index(self, uri: str) -> int:
        return self._uri_map().get(uri, -1)

    def link(self, text: str, *, top: int = 10) -> list[Link]:
        """The ``top`` ESCO skills for ``text``, best first; an empty or skill-free text gives ``[]``."""
        if top < 1:
            raise InvalidInputError(f"top must be at least 1, not {top}")
        if not text.strip():
            return []
        scores = self.scores(text)
        k = min(top, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        out = []
        for pos in best:
            if scores[pos] <= 0:
                break
            concept = self.concepts[int(self.esco[pos])]
            out.append(Link(concept.uri, concept.label, concept.scheme, float(scores[pos])))
        return out

    def rank(self, text: str) -> list[str]:
        """Every ESCO URI ordered by score for ``text`` (the evaluation protocol ranks the whole space)."""
        scores = self.scores(text)
        order = np.argsort(-scores, kind="stable")
        return [self.concepts[int(self.esco[p])].uri for p in order]


@cache
def default_linker() -> SkillLinker:
    """The linker over the shipped taxonomy (ESCO v1.1.1 and O*NET 29.2), built once per process."""
    return SkillLinker(shipped_concepts())
