"""Label text: normalisation for matching, tokenisation, and the short keys that name concepts in URLs.

Pure functions: strings in, strings out.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["STOPWORDS", "concept_key", "normalise", "split_labels", "tokens"]

#: Words too common in labels to decide a match on their own ("manage the use of ..."). Never dropped when a
#: query has nothing else.
STOPWORDS = frozenset({"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"})

# Letters and digits make words; "+" and "#" stay inside a word so "C++" and "C#" remain searchable.
_WORD = re.compile(r"[0-9a-z][0-9a-z+#]*")


def normalise(text: str) -> str:
    """Case-folded, accent-free, punctuation-free, single-spaced text: ``"Python (Computer programming)"`` ->
    ``"python computer programming"``."""
    return " ".join(tokens(text))


def tokens(text: str) -> list[str]:
    """The words of ``text`` after case folding and accent stripping (``"Ärztin/Arzt"`` -> ``["arztin", "arzt"]``)."""
    folded = text.casefold()
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(folded)


def split_labels(cell: str) -> tuple[str, ...]:
    """ESCO's multi-valued label cell (one label per line) as a tuple of distinct, stripped labels, in order."""
    seen: dict[str, None] = {}
    for line in cell.splitlines():
        label = line.strip()
        if label:
            seen.setdefault(label, None)
    return tuple(seen)


def concept_key(uri: str) -> str:
    """The last path segment of a concept URI, used as its short id in URLs and on the command line.

    ESCO skills and occupations end in a UUID, ISCED-F skill groups in a digit code and ISCO groups in ``C`` plus
    digits, so the segments never collide within a pillar.
    """
    return uri.rstrip("/").rsplit("/", 1)[-1]
