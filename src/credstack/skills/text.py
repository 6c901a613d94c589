"""Tokens with character offsets, and the light English normalisation that skill matching needs.

Pure functions. :func:`tokenize` keeps each word's span in the original text so that a match can be reported as
character offsets; :func:`stem` folds English plurals and verb forms (``managing``, ``managed``, ``manages`` ->
``manag``) so that a label and a sentence meet whatever the inflection. The stemmer is deliberately small: both
sides of every comparison go through it, so it needs to be consistent rather than linguistically right.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["MATCH_STOPWORDS", "QUERY_STOPWORDS", "Token", "fold", "stem", "stems", "tokenize", "words"]

#: Function words skipped when a label is matched against text ("work in a team" meets "work in teams").
MATCH_STOPWORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with", "its", "their"}
)

#: Words that carry no skill on their own; left out of retrieval queries (never out of labels being matched).
QUERY_STOPWORDS = MATCH_STOPWORDS | frozenset(
    {
        "about", "all", "also", "am", "any", "are", "be", "been", "being", "but", "can", "could", "do", "does",
        "e", "eg", "etc", "g", "good", "great", "has", "have", "he", "her", "his", "i", "ie", "if", "into", "is",
        "it", "looking", "may", "me", "must", "my", "new", "not", "our", "ours", "s", "she", "should", "so",
        "some", "such", "than", "that", "the", "them", "then", "there", "these", "they", "this", "those", "us",
        "very", "was", "we", "were", "what", "when", "where", "which", "who", "will", "would", "you", "your",
        "organization", "location", "address", "years", "year", "plus", "within", "other", "well", "more",
        "least", "including", "strong", "ability", "able", "experience", "knowledge", "skills", "skill",
        "understanding", "work", "working", "team", "job", "role", "candidate", "position", "required",
        "requirements", "preferred", "excellent", "solid", "proven", "relevant",
    }
)  # fmt: skip

# A word starts with a letter or digit; "+", "#" and inner dots stay inside it ("C++", "C#", "node.js", ".NET"
# loses only its leading dot).
_WORD = re.compile(r"[^\W_](?:[\w+#.]*[\w+#])?")

# Nouns that end in -ing and mean something other than their verb (keeping "accounting" apart from "account").
_ING_NOUNS = frozenset(
    {
        "accounting", "advertising", "banking", "building", "catering", "clothing", "engineering", "funding",
        "housing", "learning", "lighting", "marketing", "meeting", "nursing", "painting", "plumbing", "printing",
        "training", "welding", "writing", "bookkeeping", "computing", "consulting", "financing", "manufacturing",
        "mining", "packaging", "publishing", "shipping", "tooling",
    }
)  # fmt: skip
_APOSTROPHES = frozenset("'\u2019")
_CONTRACTIONS = frozenset({"s", "re", "t", "ll", "ve", "d", "m"})
_VOWEL = re.compile(r"[aeiouy]")
_UNDOUBLE = frozenset("bdgkmnprt")


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: its character span, its folded form and its stem."""

    start: int
    end: int
    folded: str
    stem: str


def fold(word: str) -> str:
    """Case-folded, accent-free form of one word (``"Ärztin"`` -> ``"arztin"``)."""
    folded = word.casefold()
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return folded


def _undouble(word: str) -> str:
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] in _UNDOUBLE:
        return word[:-1]
    return word


def stem(word: str) -> str:
    """The stem of a folded word: plural ``-s``/``-es``/``-ies``, ``-ing``, ``-ed`` and a final ``-e`` removed.

    ``"technologies"`` -> ``"technology"``, ``"processes"`` -> ``"process"``, ``"programming"`` ->
    ``"program"``, ``"managed"`` -> ``"manag"``. Words of three letters or fewer, and words with ``+``, ``#``,
    digits or dots, are returned as they are.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ied") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word in _ING_NOUNS:
        return word
    if word.endswith("ing") and len(word) > 5 and _VOWEL.search(word[:-3]):
        return _undouble(word[:-3])
    if word.endswith("ed") and len(word) > 4 and not word.endswith("eed") and _VOWEL.search(word[:-2]):
        return _undouble(word[:-2])
    if word.endswith("e") and len(word) > 3:
        return word[:-1]
    return word


@lru_cache(maxsize=1 << 18)
def _analyse(word: str) -> tuple[str, str]:
    folded = fold(word)
    return folded, stem(folded)


def tokenize(text: str) -> list[Token]:
    """The words of ``text`` with their character offsets, folded forms and stems (contraction endings such as
    the ``re`` of ``we're`` are not words)."""
    out = []
    for m in _WORD.finditer(text):
        if m.start() > 0 and text[m.start() - 1] in _APOSTROPHES and m.group().casefold() in _CONTRACTIONS:
            continue
        folded, stemmed = _analyse(m.group())
        out.append(Token(m.start(), m.end(), folded, stemmed))
    return out


def words(text: str) -> list[tuple[str, str]]:
    """``(folded, stem)`` for each word of ``text`` (no offsets: for labels and descriptions)."""
    return [_analyse(w) for w in _WORD.findall(text)]


def stems(text: str) -> list[str]:
    """Just the stems of ``text``'s words (for labels and descriptions)."""
    return [_analyse(w)[1] for w in _WORD.findall(text)]
