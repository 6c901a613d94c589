"""Job titles to occupations: O*NET-SOC codes (titles and alternate titles) and ESCO occupations (labels). Pure.

A title is normalised (case, accents, punctuation) and looked up exactly; failing that, in variants: without
parenthesised parts, without seniority words (*Supervisory*, *Senior*, *Lead*...), without grade numerals, each part
of ``"Nurse - Psychiatry"`` or ``"Engineer/Scientist"``, and the longest run of its words that is a known title
(*Clinical Social Worker* -> *Social Worker*). Then a fuzzy fallback: rapidfuzz's token-sort ratio against the
known titles sharing the title's rarest known word (at least 88). The two vocabularies are matched independently: a
title may get an O*NET-SOC code, an ESCO occupation, both or neither; when only O*NET matches, the O*NET
occupation's own title is looked up among the ESCO labels (exact or variant only: ``how`` "via-onet"). ``how`` says
which rule matched.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz import fuzz, process

from credstack.taxonomy import source
from credstack.taxonomy.text import tokens

__all__ = ["TitleMapper", "TitleMatch", "default_title_mapper"]

_SENIORITY = frozenset(
    {"supervisory", "supervisor", "senior", "sr", "lead", "junior", "jr", "principal", "chief", "interdisciplinary",
     "trainee", "student", "intern", "entry", "level", "experienced", "staff", "deputy"}
)  # fmt: skip
_GRADES = frozenset({"i", "ii", "iii", "iv", "v", "1", "2", "3", "4", "5", "gs", "wg"})
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SPLIT = re.compile(r"\s+[-\u2013\u2014]\s+|/|,|\|")
FUZZY_CUTOFF = 88.0
#: Known titles compared in the fuzzy fallback: those sharing the title's rarest known word (at most this many).
_FUZZY_CANDIDATES = 1500

_HOW_SCORE = {"exact": 1.0, "variant": 0.95, "part": 0.85, "words": 0.75}


@dataclass(frozen=True, slots=True)
class TitleMatch:
    """Where a title maps: O*NET-SOC ``soc_code``/``soc_title`` and ESCO ``esco_uri``/``esco_label`` ("" when not
    mapped), with a ``score`` in 0..1 and ``how`` (exact, variant, part, words, fuzzy) for each vocabulary."""

    soc_code: str = ""
    soc_title: str = ""
    soc_how: str = ""
    esco_uri: str = ""
    esco_label: str = ""
    esco_how: str = ""
    score: float = 0.0

    @property
    def mapped(self) -> bool:
        return bool(self.soc_code or self.esco_uri)


@lru_cache(maxsize=100_000)
def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ics")):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    return [_singular(w) for w in tokens(text)]


def _norm(text: str) -> str:
    return " ".join(_words(text))


def variants(title: str) -> list[tuple[str, str]]:
    """``(normalised variant, how)`` to look up, best first."""
    out: dict[str, str] = {}
    out.setdefault(_norm(title), "exact")
    bare = _PAREN.sub(" ", title)
    for text in (bare, title):
        words = [w for w in _words(text) if w not in _SENIORITY]
        while words and words[-1] in _GRADES:
            words.pop()
        if words:
            out.setdefault(" ".join(words), "variant")
    for part in _SPLIT.split(bare):
        words = [w for w in _words(part) if w not in _SENIORITY]
        if words:
            out.setdefault(" ".join(words), "part")
    return [(k, v) for k, v in out.items() if k]


class _Vocabulary:
    """One vocabulary's titles: exact look-up by normalised title, and fuzzy candidates by rare word."""

    def __init__(self, entries: Iterable[tuple[str, str, str]]) -> None:
        #: normalised title -> (code, preferred label). A title several occupations share goes to the one whose own
        #: label shares most of its words, then to the one with most titles sharing its words (the occupation those
        #: words are most typical of: "Contract Specialist" -> Purchasing Agents, not Real Estate Brokers).
        options: dict[str, dict[tuple[str, str], bool]] = defaultdict(dict)
        typical: dict[str, Counter[str]] = defaultdict(Counter)
        for code, label, title in entries:
            typical[code].update(set(_words(title)))
            for key, own in ((_norm(title), _norm(title) == _norm(label)), (_norm(_PAREN.sub(" ", title)), False)):
                if key:
                    options[key][(code, label)] = options[key].get((code, label), False) or own
        self.exact: dict[str, tuple[str, str]] = {}
        for key, found in options.items():
            words = set(key.split())
            self.exact[key] = min(
                found,
                key=lambda c: (
                    not found[c],
                    -len(words & set(_words(c[1]))),
                    -sum(typical[c[0]][w] for w in words),
                    c[0],
                ),
            )
        self.titles = list(self.exact)
        self.df: Counter[str] = Counter(w for t in self.titles for w in set(t.split()))
        self.by_word: dict[str, list[str]] = defaultdict(list)
        for t in self.titles:
            for w in set(t.split()):
                self.by_word[w].append(t)

    def lookup(self, title: str) -> tuple[str, str, str, float] | None:
        tried = variants(title)
        if not tried:
            return None
        parts = [t for t in tried if t[1] == "part"]
        first = [t for t in tried if t[1] != "part"] + parts[:1]
        for text, how in first:
            if text in self.exact:
                code, label = self.exact[text]
                return code, label, how, _HOW_SCORE[how]
        run = self._run(tried[0][0].split(), 2)
        if run is not None:
            return run
        for text, how in parts[1:]:
            if text in self.exact:
                code, label = self.exact[text]
                return code, label, how, _HOW_SCORE[how] * 0.9
        return self._run(tried[0][0].split(), 1) or self._fuzzy(tried[0][0])

    def _run(self, words: list[str], smallest: int) -> tuple[str, str, str, float] | None:
        """The longest run of ``words`` (at least ``smallest``; a single word only when rare) that is a title."""
        for size in range(len(words) - 1, smallest - 1, -1):
            for start in range(len(words) - size + 1):
                run = " ".join(words[start : start + size])
                if run in self.exact and (size > 1 or self.df[run] < 50):
                    code, label = self.exact[run]
                    return code, label, "words", _HOW_SCORE["words"] * (0.8 + 0.2 * size / len(words))
        return None

    def _fuzzy(self, text: str) -> tuple[str, str, str, float] | None:
        words = [w for w in text.split() if w in self.df]
        if not words:
            return None
        rarest = min(set(words), key=lambda w: (self.df[w], w))
        found = process.extractOne(
            text, self.by_word[rarest][:_FUZZY_CANDIDATES], scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_CUTOFF
        )
        if found is None:
            return None
        code, label = self.exact[found[0]]
        return code, label, "fuzzy", 0.9 * float(found[1]) / 100


class TitleMapper:
    """Maps titles to O*NET-SOC and ESCO occupations (build once; :meth:`map` is memoised per title)."""

    def __init__(
        self,
        onet: Iterable[tuple[str, str, str]],
        esco: Iterable[tuple[str, str, str]],
    ) -> None:
        """``onet``: ``(code, occupation title, title)`` rows (the occupation's own title and its alternates);
        ``esco``: ``(uri, preferred label, label)`` rows (preferred, alternative and hidden labels)."""
        self._onet = _Vocabulary(onet)
        self._esco = _Vocabulary(esco)
        self.map = lru_cache(maxsize=200_000)(self._map)

    def _map(self, title: str) -> TitleMatch:
        soc = self._onet.lookup(title)
        esco = self._esco.lookup(title)
        if esco is None and soc is not None:
            via = self._esco.lookup(soc[1])  # the O*NET occupation's own title, when ESCO has it as a label
            if via is not None and via[2] in {"exact", "variant"}:
                esco = (via[0], via[1], "via-onet", min(soc[3], via[3]) * 0.9)
        if soc is None and esco is None:
            return TitleMatch()
        scores = [m[3] for m in (soc, esco) if m is not None]
        return TitleMatch(
            soc_code=soc[0] if soc else "",
            soc_title=soc[1] if soc else "",
            soc_how=soc[2] if soc else "",
            esco_uri=esco[0] if esco else "",
            esco_label=esco[1] if esco else "",
            esco_how=esco[2] if esco else "",
            score=max(scores),
        )


@cache
def default_title_mapper() -> TitleMapper:
    """The mapper over the shipped O*NET 29.2 titles and alternate titles and ESCO v1.1.1 occupation labels."""
    occupations = {o.code: o.title for o in source.read("onet_occupations")}
    onet: list[tuple[str, str, str]] = [(code, title, title) for code, title in occupations.items()]
    for alt in source.read("onet_alternate_titles"):
        label = occupations.get(alt.code, alt.title)
        onet.append((alt.code, label, alt.title))
        if alt.short_title:
            onet.append((alt.code, label, alt.short_title))
    esco: list[tuple[str, str, str]] = []
    rows = list(source.read("occupations"))
    for occ in rows:
        esco.append((occ.uri, occ.preferred_label, occ.preferred_label))
    for occ in rows:
        for label in (*occ.alt_labels, *occ.hidden_labels):
            esco.append((occ.uri, occ.preferred_label, label))
    return TitleMapper(onet, esco)
