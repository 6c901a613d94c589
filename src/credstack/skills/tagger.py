"""Skill and knowledge span tagging: a linear-chain CRF over words, trained on the SkillSpan train split.

SkillSpan (Zhang et al., NAACL 2022) marks *skill* spans ("work independently in a fast-paced environment") and
*knowledge* spans ("Kafka", "enterprise level messaging platform") in job postings. A label gazetteer cannot
delimit such phrases; a sequence tagger learns where they start and end. The model is CRFsuite's (through
``python-crfsuite``), shipped in the package (``skills/data/span_tagger.crfsuite.xz``, built by
``scripts/train_skill_tagger.py``), and read from memory: no file is written or read outside the package.

Features per word (:func:`features`): the word, its stem, affixes, shape; three Brown-like cluster ids from
all-MiniLM-L6-v2 word embeddings (``skills/data/word_clusters.tsv.xz``, built by
``scripts/build_skill_clusters.py``); function-word cues; whether an ESCO skill, ESCO knowledge or O*NET technology
label covers it (the gazetteer, computed by :class:`~credstack.skills.linker.SkillLinker`), and the same for
the neighbouring words. Tags: ``B-SKILL I-SKILL B-KNOWLEDGE I-KNOWLEDGE O``.
"""

from __future__ import annotations

import lzma
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from credstack.errors import ConfigurationError
from credstack.skills.text import Token, fold, stem

__all__ = ["KNOWLEDGE", "SKILL", "SpanTagger", "TaggedSpan", "features", "split", "word_clusters"]

SKILL, KNOWLEDGE = "SKILL", "KNOWLEDGE"
MODEL_FILE = "span_tagger.crfsuite.xz"
CLUSTER_FILE = "word_clusters.tsv.xz"

#: Words and single punctuation marks, as SkillSpan tokenises ("C++", "node.js", "e-mail" stay whole).
_SPLIT = re.compile(r"[^\W_](?:[\w'’+#&./-]*[\w+#])?|[^\w\s]|_")

_FUNCTION = frozenset(
    {
        "a", "an", "the", "and", "or", "but", "nor", "of", "in", "on", "at", "by", "for", "from", "to", "with",
        "into", "as", "about", "within", "across", "through", "via", "per", "than", "if", "while", "be", "is",
        "are", "was", "were", "been", "being", "have", "has", "had", "do", "does", "will", "would", "can",
        "could", "should", "may", "might", "must", "shall", "you", "your", "we", "our", "us", "they", "their",
        "he", "she", "it", "its", "this", "that", "these", "those", "who", "which", "what", "where", "when",
        "all", "any", "some", "such", "other", "more", "most", "very", "also", "not", "no", "well", "both",
        "either", "etc", "e.g", "i.e", "including", "like",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class TaggedSpan:
    """A tagged span: word positions ``[first, end)``, ``kind`` (SKILL|KNOWLEDGE) and its probability."""

    first: int
    end: int
    kind: str
    probability: float


def split(text: str) -> list[Token]:
    """The words and punctuation marks of ``text`` with offsets, folded forms and stems."""
    out = []
    for m in _SPLIT.finditer(text):
        folded = fold(m.group())
        out.append(Token(m.start(), m.end(), folded, stem(folded)))
    return out


#: Marks that end a sentence when the next word starts with a capital letter or a digit.
_SENTENCE_END = frozenset({".", "!", "?"})


def sentences(text: str, tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Sentence spans ``[first, end)`` of ``tokens`` (the words of ``text``): a new sentence starts after a line
    break, or after ``.``, ``!`` or ``?`` when the next word starts with a capital letter or a digit. Postings are
    mostly lists, one item per line, so lines carry most of the structure."""
    out, first = [], 0
    for i in range(1, len(tokens)):
        gap = text[tokens[i - 1].end : tokens[i].start]
        word = text[tokens[i].start : tokens[i].end]
        ends = text[tokens[i - 1].start : tokens[i - 1].end] in _SENTENCE_END and (
            word[:1].isupper() or word[:1].isdigit()
        )
        if "\n" in gap or "\r" in gap or ends:
            out.append((first, i))
            first = i
    if tokens:
        out.append((first, len(tokens)))
    return out


@cache
def word_clusters() -> dict[str, tuple[str, str, str]]:
    """Folded word -> its cluster ids at 32, 128 and 512 classes (from the shipped table)."""
    data = _read(CLUSTER_FILE).decode("utf-8")
    out = {}
    for line in data.splitlines():
        word, a, b, c = line.split("\t")
        out[word] = (a, b, c)
    return out


def _read(name: str) -> bytes:
    try:
        return lzma.decompress(resources.files("credstack.skills").joinpath("data", name).read_bytes())
    except (OSError, lzma.LZMAError) as exc:
        raise ConfigurationError(f"the skills package data file {name} is missing or damaged: {exc}") from exc


def _shape(word: str) -> str:
    return "".join("X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch for ch in word)


def _short_shape(shape: str) -> str:
    out: list[str] = []
    for ch in shape:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


_NO_CLUSTER = ("-", "-", "-")


def _word_features(raw: str, token: Token, clusters: dict[str, tuple[str, str, str]]) -> dict[str, str]:
    low = token.folded
    shape = _shape(raw)
    c = clusters.get(low) or clusters.get(low.rstrip(".")) or _NO_CLUSTER
    return {
        "w": low,
        "st": token.stem,
        "p2": low[:2],
        "p3": low[:3],
        "s2": low[-2:],
        "s3": low[-3:],
        "s4": low[-4:],
        "sh": shape if len(shape) <= 6 else _short_shape(shape),
        "ss": _short_shape(shape),
        "len": str(min(len(low), 10)),
        "fn": "1" if low in _FUNCTION else "0",
        "c1": c[0],
        "c2": c[1],
        "c3": c[2],
    }


def features(text: str, tokens: Sequence[Token], gazetteer: Sequence[Sequence[str]]) -> list[list[str]]:
    """CRFsuite attribute lists, one per token: the word's own, its neighbours', and the gazetteer cues."""
    clusters = word_clusters()
    words = [_word_features(text[t.start : t.end], t, clusters) for t in tokens]
    n = len(words)
    out = []
    for i, me in enumerate(words):
        f = [f"{k}={v}" for k, v in me.items()]
        f.extend(f"g={g}" for g in gazetteer[i])
        if i == 0:
            f.append("BOS")
        if i == n - 1:
            f.append("EOS")
        for o in (-2, -1, 1, 2):
            j = i + o
            if 0 <= j < n:
                nb = words[j]
                f.extend((f"{o}w={nb['w']}", f"{o}c2={nb['c2']}", f"{o}c3={nb['c3']}", f"{o}ss={nb['ss']}"))
                if abs(o) == 1:
                    f.extend((f"{o}s3={nb['s3']}", f"{o}c1={nb['c1']}", f"{o}fn={nb['fn']}"))
                    f.extend(f"{o}g={g}" for g in gazetteer[j])
            else:
                f.append(f"{o}pad")
        if i > 0:
            f.append(f"bw={words[i - 1]['w']}|{me['w']}")
            f.append(f"bc={words[i - 1]['c2']}|{me['c2']}")
        if i < n - 1:
            f.append(f"fw={me['w']}|{words[i + 1]['w']}")
            f.append(f"fc={me['c2']}|{words[i + 1]['c2']}")
        out.append(f)
    return out


def spans_from_tags(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """``(first, end, kind)`` for each ``B-``/``I-`` run of a tag sequence (an ``I`` of a new kind opens a span)."""
    out: list[tuple[int, int, str]] = []
    start: int | None = None
    kind = ""
    for i, tag in enumerate((*tags, "O")):
        inside = tag[2:] if tag.startswith("I-") else ""
        if start is not None and inside != kind:
            out.append((start, i, kind))
            start = None
        if tag.startswith("B-") or (inside and start is None):
            start, kind = i, tag[2:]
    return out


class SpanTagger:
    """The shipped CRF (or any CRFsuite model given as bytes); :meth:`tag` is thread-unsafe, like CRFsuite's."""

    def __init__(self, model: bytes) -> None:
        import pycrfsuite

        self._model = model  # CRFsuite reads the model in place: the bytes must outlive the tagger
        self._tagger = pycrfsuite.Tagger()
        try:
            self._tagger.open_inmemory(model)
        except (ValueError, OSError) as exc:
            raise ConfigurationError(f"the span tagger model cannot be read: {exc}") from exc
        self.labels = tuple(self._tagger.labels())

    def tag(self, attributes: list[list[str]]) -> list[TaggedSpan]:
        """The spans the model finds in one sentence (given its :func:`features`)."""
        if not attributes:
            return []
        tags = self._tagger.tag(attributes)
        out = []
        for first, end, kind in spans_from_tags(tags):
            probability = min(self._tagger.marginal(tags[i], i) for i in range(first, end))
            out.append(TaggedSpan(first, end, kind, probability))
        return out

    def marginals(self, attributes: list[list[str]], labels: Sequence[str]) -> list[list[float]]:
        """Per token, the marginal probability of each of ``labels`` (in that order)."""
        if not attributes:
            return []
        self._tagger.set(attributes)
        known = set(self.labels)
        return [[self._tagger.marginal(y, i) if y in known else 0.0 for y in labels] for i in range(len(attributes))]


@cache
def default_tagger() -> SpanTagger:
    """The CRF shipped in the package (trained on SkillSpan train; see ``skills/data/PROVENANCE.md``)."""
    return SpanTagger(_read(MODEL_FILE))
