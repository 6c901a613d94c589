"""Catalog search: filters, ranking and pages over an in-memory index of :class:`CatalogEntry` values.

Ranking combines two signals, each in [0, 1]:

* **text relevance**: every query word (stop words aside) must occur in the entry's name, skill labels, tags,
  provider or description (a word of three letters or more also matches as a prefix, ``analy`` → ``analysis``);
  each contributes its IDF times the weight of the best field it occurs in (name 3, skills 2, tags 1.5,
  provider and description 1), divided by what a name match on every word would give. When no entry has every
  word, entries with any of them are ranked instead.
* **skill-match strength**: with ``skills`` and/or ``occupation_skills`` given, the mean of *coverage* (the share
  of the wanted skills' weight the entry teaches, 1 for a requested skill or an essential skill of the occupation,
  0.5 for an optional one, each scaled by its target proficiency: 0.625 foundation … 1.0 expert) and *focus* (the
  share of the entry's own skills that are wanted).

The score is their mean over the signals the query uses, times 100; ties go by name then id.

**Sort by market value.** ``sort="market_value"`` orders the matches by their market value (the demand-weighted
share of in-demand skills they teach, 0-1, passed in as ``values``: entry id -> value, None or absent = not rated),
highest first, unrated entries last, the score breaking ties; ``min_market_value`` keeps only entries rated at least
that (so unrated ones drop out). The score is computed as above either way.

**Modes.** ``lexical`` is the text relevance above. ``semantic`` replaces it with the cosine similarity between the
query's and the entry's sentence embeddings (passed in as ``similarities``: entry id -> cosine, only entries at or
above :data:`~credstack.catalog.semantic.MIN_SIMILARITY` match). ``hybrid`` uses the mean of the two (an entry found
by one only gets 0 for the other), over the entries either finds. The filters and the skill signal are the same in
every mode.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from credstack.catalog.model import CatalogEntry
from credstack.errors import InvalidInputError
from credstack.taxonomy.text import STOPWORDS, tokens

__all__ = ["MODES", "SORTS", "CatalogHit", "CatalogIndex", "CatalogPage", "CatalogQuery"]

_FIELD_WEIGHTS = {"name": 3.0, "skills": 2.0, "tags": 1.5, "provider": 1.0, "description": 1.0}
_PREFIX_FACTOR = 0.7
_MAX_PREFIX_EXPANSIONS = 50
MAX_LIMIT = 100
#: How the text of a query is matched: words, sentence embeddings, or both.
MODES = ("lexical", "semantic", "hybrid")
#: How results are ordered: best score first, or highest market value first.
SORTS = ("relevance", "market_value")


@dataclass(frozen=True)
class CatalogQuery:
    """What to look for. ``skills``: ESCO URIs of which an entry must teach at least one; ``occupation_skills``:
    the wanted skills of an occupation with their weights (an entry must teach one of them)."""

    text: str = ""
    skills: tuple[str, ...] = ()
    occupation_skills: Mapping[str, float] = field(default_factory=dict)
    eqf_level: int | None = None
    max_hours: float | None = None
    max_price: float | None = None
    credit_bearing: bool = False
    provider: str | None = None
    delivery_format: str | None = None
    source: str | None = None
    limit: int = 20
    offset: int = 0
    mode: str = "lexical"
    sort: str = "relevance"
    min_market_value: float | None = None

    @property
    def needs_values(self) -> bool:
        """Whether this query needs the entries' market values (to sort or filter by them)."""
        return self.sort == "market_value" or self.min_market_value is not None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InvalidInputError(f"search mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if self.sort not in SORTS:
            raise InvalidInputError(f"sort must be one of {', '.join(SORTS)}, got {self.sort!r}")
        value = self.min_market_value
        if value is not None and (math.isnan(value) or not 0 <= value <= 1):
            raise InvalidInputError("the minimum market value is a number from 0 to 1")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInputError(f"limit must be 1-{MAX_LIMIT}, got {self.limit}")
        if self.offset < 0:
            raise InvalidInputError("offset must not be negative")
        if self.eqf_level is not None and not 1 <= self.eqf_level <= 8:
            raise InvalidInputError(f"EQF level must be 1-8, got {self.eqf_level}")
        for what, value in (("max hours", self.max_hours), ("max price", self.max_price)):
            if value is not None and (math.isnan(value) or value < 0):
                raise InvalidInputError(f"{what} must be a number >= 0")
        if len(self.text) > 500:
            raise InvalidInputError("a catalog search is at most 500 characters")


@dataclass(frozen=True)
class CatalogHit:
    """One result: the entry, its score (0-100), its signals and which wanted skills it teaches.
    ``text_score`` is the text signal of the mode (lexical relevance, cosine, or their mean in hybrid mode),
    ``semantic_score`` the cosine similarity itself (semantic and hybrid modes)."""

    entry: CatalogEntry
    score: float
    text_score: float | None
    skill_score: float | None
    matched_skills: tuple[str, ...]
    semantic_score: float | None = None


@dataclass(frozen=True)
class CatalogPage:
    """One page of results, best first; ``total`` counts every entry that matched; ``mode`` is the one that ran."""

    total: int
    offset: int
    limit: int
    hits: tuple[CatalogHit, ...]
    mode: str = "lexical"


def _words(text: str) -> list[str]:
    return [t for t in tokens(text) if t not in STOPWORDS]


class CatalogIndex:
    """An inverted index of catalog entries, built once, searched many times (no I/O)."""

    def __init__(self, entries: Iterable[CatalogEntry]) -> None:
        self.entries: tuple[CatalogEntry, ...] = tuple(entries)
        self._by_id = {e.id: e for e in self.entries}
        self._position = {e.id: i for i, e in enumerate(self.entries)}
        postings: dict[str, dict[int, float]] = {}
        skills: dict[str, dict[int, int]] = {}
        words_of: dict[str, set[str]] = {}  # labels, providers and tags repeat across entries: tokenise each once
        for i, entry in enumerate(self.entries):
            fields = (
                ("name", [entry.name]),
                ("skills", [s.label for s in entry.skills]),
                ("tags", list(entry.tags)),
                ("provider", [entry.provider]),
                ("description", [entry.description]),
            )
            for name, texts in fields:
                weight = _FIELD_WEIGHTS[name]
                for text in texts:
                    words = words_of.get(text)
                    if words is None:
                        words = set(_words(text))
                        if name != "description":
                            words_of[text] = words
                    for word in words:
                        posting = postings.setdefault(word, {})
                        if posting.get(i, 0.0) < weight:
                            posting[i] = weight
            for skill in entry.skills:
                skills.setdefault(skill.uri, {})[i] = skill.level
        self._postings = postings
        self._vocabulary = sorted(postings)
        self._skills = skills
        self._n = max(len(self.entries), 1)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entry_id: str) -> CatalogEntry | None:
        return self._by_id.get(entry_id)

    def providers(self) -> list[str]:
        return sorted({e.provider for e in self.entries}, key=str.casefold)

    def teaches(self, skill_uri: str) -> bool:
        """Whether some entry is aligned to the skill ``skill_uri``."""
        return skill_uri in self._skills

    def _expand(self, word: str) -> dict[int, float]:
        """Entry -> best weight for ``word``: exact occurrences, then prefix matches at a discount."""
        found = dict(self._postings.get(word, {}))
        if len(word) >= 3:
            start = bisect.bisect_left(self._vocabulary, word)
            for other in self._vocabulary[start : start + _MAX_PREFIX_EXPANSIONS]:
                if not other.startswith(word):
                    break
                if other == word:
                    continue
                for i, weight in self._postings[other].items():
                    discounted = weight * _PREFIX_FACTOR
                    if found.get(i, 0.0) < discounted:
                        found[i] = discounted
        return found

    def _text_scores(self, text: str) -> dict[int, float] | None:
        words = list(dict.fromkeys(_words(text))) or list(dict.fromkeys(tokens(text)))
        if not words:
            return None
        matches = [self._expand(w) for w in words]
        idf = [math.log(1.0 + self._n / (1 + len(m))) for m in matches]
        best = sum(idf) * _FIELD_WEIGHTS["name"] or 1.0
        common = set.intersection(*(set(m) for m in matches)) if matches else set()
        candidates = common or set().union(*(set(m) for m in matches))
        return {i: sum(m.get(i, 0.0) * f for m, f in zip(matches, idf, strict=True)) / best for i in candidates}

    def _skill_scores(self, query: CatalogQuery) -> dict[int, tuple[float, tuple[str, ...]]] | None:
        wanted: dict[str, float] = dict.fromkeys(query.skills, 1.0)
        for uri, weight in query.occupation_skills.items():
            wanted[uri] = max(wanted.get(uri, 0.0), weight)
        if not wanted:
            return None
        total = sum(wanted.values()) or 1.0
        teaches: dict[int, list[str]] = {}
        for uri in wanted:
            for i in self._skills.get(uri, {}):
                teaches.setdefault(i, []).append(uri)
        out = {}
        for i, uris in teaches.items():
            if query.skills and not any(u in uris for u in query.skills):
                continue
            if query.occupation_skills and not any(u in query.occupation_skills for u in uris):
                continue
            coverage = min(1.0, sum(wanted[u] * (0.5 + self._skills[u][i] / 8) for u in uris) / total)
            precision = len(uris) / max(1, len(self.entries[i].skills))
            out[i] = (0.5 * coverage + 0.5 * precision, tuple(sorted(uris)))
        return out

    def _passes(self, entry: CatalogEntry, query: CatalogQuery) -> bool:
        if query.eqf_level is not None and entry.eqf_level != query.eqf_level:
            return False
        if query.max_hours is not None and (entry.effort_hours is None or entry.effort_hours > query.max_hours):
            return False
        if query.max_price is not None and (entry.price is None or entry.price > query.max_price):
            return False
        if query.credit_bearing and not entry.credit_bearing:
            return False
        if query.provider and query.provider.casefold() not in entry.provider.casefold():
            return False
        if query.delivery_format and entry.delivery_format != query.delivery_format:
            return False
        return not (query.source and entry.source != query.source)

    def _semantic_scores(
        self, query: CatalogQuery, similarities: Mapping[str, float] | None
    ) -> tuple[dict[int, float] | None, dict[int, float] | None]:
        """(text signal, cosine) per entry position for the query's mode; (None, None) without query text."""
        if not query.text.strip():
            return None, None
        lexical = self._text_scores(query.text) if query.mode != "semantic" else None
        if query.mode == "lexical":
            return lexical, None
        if similarities is None:
            raise InvalidInputError(f"a {query.mode} search needs the query's similarities to the entries")
        cosine = {self._position[k]: v for k, v in similarities.items() if k in self._position}
        if query.mode == "semantic":
            return {i: max(0.0, v) for i, v in cosine.items()}, cosine
        lexical = lexical or {}
        text = {i: 0.5 * lexical.get(i, 0.0) + 0.5 * max(0.0, cosine.get(i, 0.0)) for i in lexical.keys() | cosine}
        return text, cosine

    def search(
        self,
        query: CatalogQuery,
        similarities: Mapping[str, float] | None = None,
        values: Mapping[str, float | None] | None = None,
    ) -> CatalogPage:
        """The page of entries matching every filter of ``query``, best first (or highest market value first).
        ``similarities`` (entry id -> cosine similarity to the query text, see
        :class:`~credstack.catalog.semantic.VectorIndex`) is needed for the semantic and hybrid modes, ``values``
        (entry id -> market value 0-1, None = not rated) to sort or filter by market value."""
        if query.needs_values and values is None:
            raise InvalidInputError("sorting or filtering by market value needs the entries' market values")
        values = values or {}
        text, cosine = self._semantic_scores(query, similarities)
        skill = self._skill_scores(query)
        if text is None and skill is None:
            pool: Iterable[int] = range(len(self.entries))
        elif text is None:
            pool = skill or {}
        elif skill is None:
            pool = text
        else:
            pool = text.keys() & skill.keys()
        by_value = query.sort == "market_value"
        scored: list[tuple[float, float, str, str, int, float | None, tuple[float, tuple[str, ...]] | None]] = []
        for i in pool:
            entry = self.entries[i]
            if not self._passes(entry, query):
                continue
            value = values.get(entry.id)
            if query.min_market_value is not None and (value is None or value < query.min_market_value):
                continue
            t = None if text is None else text[i]
            s = None if skill is None else skill[i]
            parts = [x for x in (t, None if s is None else s[0]) if x is not None]
            score = round(100.0 * sum(parts) / len(parts), 2) if parts else 0.0
            first = (1.0 if value is None else -value) if by_value else 0.0  # unrated last
            scored.append((first, -score, entry.name.casefold(), entry.id, i, t, s))
        scored.sort(key=lambda row: row[:4])
        page = scored[query.offset : query.offset + query.limit]
        hits = tuple(
            CatalogHit(
                entry=self.entries[i],
                score=-neg,
                text_score=None if t is None else round(t, 4),
                skill_score=None if s is None else round(s[0], 4),
                matched_skills=() if s is None else s[1],
                semantic_score=None if cosine is None else round(cosine.get(i, 0.0), 4),
            )
            for _, neg, _, _, i, t, s in page
        )
        mode = query.mode if query.text.strip() else "lexical"
        return CatalogPage(total=len(scored), offset=query.offset, limit=query.limit, hits=hits, mode=mode)
