"""Vendor-free names for O*NET technology examples: ``Power BI`` for ``Microsoft Power BI``.

O*NET writes a product with its vendor; job postings usually do not ("experience with Power BI and Excel"). This
module derives, from the shipped taxonomy data alone (no list of products), the name a posting would use. Pure
functions over strings.

The rules, each read from the data:

- *Ordinary words* (:func:`ordinary_words`) are the words ESCO itself writes in lower case in the labels or
  descriptions of at least :data:`ORDINARY_MIN_SKILLS` skills (``project``, ``access``, ``word``, ``teams``,
  ``office``, ``outlook``); a *name* is a capitalised word that is not one (``Microsoft``, ``Excel``).
- A *vendor* is a leading name shared by at least :data:`VENDOR_MIN_PRODUCTS` examples (``Microsoft``, ``Adobe``,
  ``Apache``; not ``Data`` or ``Computer``, nor ``Apple``, which are ordinary words).
- Only O*NET *Hot Technologies* get a vendor-free name: O*NET flags as hot the technologies that employers' job
  postings name most often, which is where a bare product name is trustworthy evidence.
- The rest must be a product name: every word capitalised (O*NET writes generic words in lower case, as in
  ``Google Cloud software``); one word alone must be a name and no *generic term*, a word of an O*NET entry that
  describes a kind of technology (``Customer relationship management CRM software``: ``CRM``, ``IDE``, ``ERP``),
  so ``Microsoft Word`` and ``Microsoft Teams`` keep no short name while ``Microsoft Excel`` gets ``Excel``.
- A name two examples would share, or that another example already is, is dropped (ambiguous or redundant).

A one-word name is matched only as written (:mod:`credstack.skills.lexicon`): ``Excel`` but not "excel at".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from credstack.taxonomy import records

__all__ = ["ORDINARY_MIN_SKILLS", "VENDOR_MIN_PRODUCTS", "ordinary_words", "product_names"]

#: A word written in lower case in the text of at least this many ESCO skills is an ordinary word
#: (``excel`` occurs in two, as a verb; ``access`` in 95).
ORDINARY_MIN_SKILLS = 3
#: A leading name that starts at least this many distinct O*NET examples is a vendor.
VENDOR_MIN_PRODUCTS = 3

_LOWER_WORD = re.compile(r"\b[a-z]+\b")
#: Function words a product name may contain ("Visual Basic for Applications VBA").
_JOINERS = frozenset({"a", "an", "and", "for", "in", "of", "on", "or", "the", "to", "with", "&", "-"})


def ordinary_words(texts: Iterable[str]) -> frozenset[str]:
    """Words written in lower case in at least :data:`ORDINARY_MIN_SKILLS` of ``texts`` (one text per ESCO skill:
    its labels and description). The vocabulary and the label matcher both ask for the same texts while an index
    is built: the answer is kept for the last few sets of texts."""
    return _ordinary_words(tuple(texts))


@lru_cache(maxsize=4)
def _ordinary_words(texts: tuple[str, ...]) -> frozenset[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(_LOWER_WORD.findall(text)))
    return frozenset(w for w, n in counts.items() if n >= ORDINARY_MIN_SKILLS)


def _is_name(word: str, ordinary: frozenset[str]) -> bool:
    return word[:1].isupper() and word.casefold() not in ordinary


def _is_descriptive(words: Sequence[str], ordinary: frozenset[str]) -> bool:
    """An entry naming a kind of technology, not a product: it starts with an ordinary word and has a
    lower-case one (``Data acquisition software``, ``Customer relationship management CRM software``)."""
    return words[0].casefold() in ordinary and any(w.islower() and w not in _JOINERS for w in words)


def _generic_terms(examples: Iterable[Sequence[str]], ordinary: frozenset[str]) -> frozenset[str]:
    """The words of descriptive entries, up to a ``for`` (``... DATAS for Excel`` is made for Excel, it does not
    make ``Excel`` generic)."""
    out: set[str] = set()
    for words in examples:
        if _is_descriptive(words, ordinary):
            head = words[: words.index("for")] if "for" in words else words
            out.update(w.casefold() for w in head)
    return frozenset(out)


def _is_product(rest: Sequence[str], ordinary: frozenset[str], generic: frozenset[str]) -> bool:
    content = [w for w in rest if w.casefold() not in _JOINERS]
    if not content or not all(w[:1].isupper() or w[:1].isdigit() or w[:1] == "." for w in content):
        return False
    if len(content) > 1:
        return True
    word = content[0]
    return (
        len(word) > 1
        and any(ch.isalpha() for ch in word)
        and _is_name(word, ordinary)
        and word.casefold() not in generic
    )


def product_names(technologies: Iterable[records.OnetTechnologySkill], ordinary: frozenset[str]) -> dict[str, str]:
    """The vendor-free name of each O*NET Hot Technology example that has one, by example:
    ``{"Microsoft Power BI": "Power BI", "Microsoft Excel": "Excel", ...}`` (rules in the module docstring)."""
    techs = list(technologies)
    split = {t.example: t.example.split() for t in techs}
    hot = {t.example for t in techs if t.hot}
    starts = Counter(words[0] for words in split.values() if len(words) > 1)
    vendors = {w for w, n in starts.items() if n >= VENDOR_MIN_PRODUCTS and _is_name(w, ordinary)}
    generic = _generic_terms(split.values(), ordinary)
    claimed: dict[str, list[tuple[str, str]]] = {}
    for example, words in split.items():
        if len(words) > 1 and words[0] in vendors and _is_product(words[1:], ordinary, generic):
            name = " ".join(words[1:])
            claimed.setdefault(name.casefold(), []).append((example, name))
    taken = {example.casefold() for example in split}
    return {
        owners[0][0]: owners[0][1]
        for key, owners in claimed.items()
        if len(owners) == 1 and key not in taken and owners[0][0] in hot
    }
