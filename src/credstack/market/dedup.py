"""Duplicate postings: exact (same normalised text) and near (MinHash LSH over word shingles). Pure.

Job boards repost the same advert with a new id, a new date, another location or a changed sentence.
:func:`exact_key` hashes the normalised title and text (case, accents, punctuation and spacing ignored), so a
posting copied to another location is a duplicate; postings without text are keyed by source and id instead.
:class:`NearDuplicates` finds postings whose sets of 3-word shingles overlap (Jaccard) by at least ``threshold``:
each text gets a 64-value MinHash signature (stable across processes: words hashed with CRC-32, shingles and
permutations computed with NumPy), split into 16 bands of 4 rows for locality-sensitive hashing, and a candidate
from a shared band counts only when the signatures agree on at least ``threshold`` of their values *and* the titles
are alike (rapidfuzz ratio of the normalised titles at least 70: one agency's internship programmes share a
summary but are different postings).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from credstack.taxonomy.text import tokens

__all__ = ["NUM_PERM", "NearDuplicates", "exact_key", "normalised", "signature"]

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
SHINGLE = 3
#: Only the first words of a long text are shingled (enough to tell reposts apart, and it bounds the cost).
MAX_WORDS = 600
MIN_WORDS = 8
_PRIME = np.uint64(4294967311)  # the first prime above 2**32
_rng = np.random.default_rng(20260401)
_A = _rng.integers(1, 2**32 - 1, size=NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, 2**32 - 1, size=NUM_PERM, dtype=np.uint64)
_WORD_CACHE: dict[str, int] = {}


def normalised(title: str, text: str) -> str:
    """Title and text as one case-folded, accent-free, punctuation-free, single-spaced string."""
    return " ".join([*tokens(title), "|", *tokens(text)])


def exact_key(source: str, source_id: str, title: str, text: str, date: str = "", employer: str = "") -> str:
    """128-bit hex key: of the normalised title and text when there is text, else of source, id (or title, date
    and employer when there is no id)."""
    if text.strip():
        basis = "t\x00" + normalised(title, text)
    elif source_id:
        basis = f"i\x00{source}\x00{source_id}"
    else:
        basis = "m\x00" + "\x00".join((normalised(title, ""), date, employer.casefold()))
    return hashlib.blake2b(basis.encode("utf-8"), digest_size=16).hexdigest()


def _word_id(word: str) -> int:
    found = _WORD_CACHE.get(word)
    if found is None:
        found = zlib.crc32(word.encode("utf-8"))
        if len(_WORD_CACHE) < 500_000:
            _WORD_CACHE[word] = found
    return found


def signature(text: str) -> NDArray[np.uint32] | None:
    """The MinHash signature of ``text``'s 3-word shingles, or ``None`` when the text has too few words."""
    words = tokens(text)[:MAX_WORDS]
    if len(words) < MIN_WORDS:
        return None
    ids = np.fromiter((_word_id(w) for w in words), dtype=np.uint64, count=len(words))
    with np.errstate(over="ignore"):
        shingles = ids[:-2] * np.uint64(0x9E3779B1) ^ ids[1:-1] * np.uint64(0x85EBCA77) ^ ids[2:]
    shingles = np.unique(shingles & np.uint64(0xFFFFFFFF))
    with np.errstate(over="ignore"):
        hashed = (shingles[:, None] * _A[None, :] + _B[None, :]) % _PRIME
    return np.asarray(hashed.min(axis=0), dtype=np.uint32)


class NearDuplicates:
    """An LSH index of signatures: :meth:`check_and_add` says whether a text near-duplicates one already added."""

    def __init__(self, threshold: float = 0.8) -> None:
        if not 0 < threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        self.threshold = threshold
        self._buckets: list[dict[bytes, list[int]]] = [{} for _ in range(BANDS)]
        self._signatures: list[NDArray[np.uint32]] = []
        self._titles: list[frozenset[str]] = []

    def __len__(self) -> int:
        return len(self._signatures)

    def match(self, sig: NDArray[np.uint32], title: str = "") -> int | None:
        """The index of an added signature estimated at least ``threshold`` similar whose title's words contain or
        are contained in ``title``'s (when both have one), or ``None``."""
        words = frozenset(tokens(title))
        seen: set[int] = set()
        for band in range(BANDS):
            key = sig[band * ROWS : (band + 1) * ROWS].tobytes()
            for candidate in self._buckets[band].get(key, ()):
                if candidate in seen:
                    continue
                seen.add(candidate)
                if float(np.mean(self._signatures[candidate] == sig)) < self.threshold:
                    continue
                other = self._titles[candidate]
                if words and other and not (words <= other or other <= words):
                    continue
                return candidate
        return None

    def add(self, sig: NDArray[np.uint32], title: str = "") -> int:
        index = len(self._signatures)
        self._signatures.append(sig)
        self._titles.append(frozenset(tokens(title)))
        for band in range(BANDS):
            self._buckets[band].setdefault(sig[band * ROWS : (band + 1) * ROWS].tobytes(), []).append(index)
        return index

    def add_all(self, items: Iterable[tuple[NDArray[np.uint32], str]]) -> None:
        for sig, title in items:
            self.add(sig, title)

    def check_and_add(self, sig: NDArray[np.uint32], title: str = "") -> bool:
        """True (and not added) when ``sig`` near-duplicates an indexed text; else add it and return False."""
        if self.match(sig, title) is not None:
            return True
        self.add(sig, title)
        return False
