"""RDF Dataset Canonicalization (RDFC-1.0) over quads held as serialised N-Quads terms.

https://www.w3.org/TR/rdf-canon/ . A quad is a 4-tuple of strings ``(subject, predicate, object, graph)``:
IRIs as ``<iri>``, blank nodes as ``_:label``, literals already serialised (``"lex"``, ``"lex"@lang`` or
``"lex"^^<datatype>``, see :func:`literal`), and ``""`` for the default graph. The labels in the input are
arbitrary; the output depends only on the dataset (RDFC-1.0 §4.4).

Fast path: when every blank node has a distinct first-degree hash (§4.6) no N-degree hashing (§4.8) runs; a
dataset with a single blank node is labelled without hashing at all. Dataset poisoning (§5, "Dataset
Poisoning") is bounded by :data:`MAX_BLANK_NODES` and :data:`MAX_NDEGREE_WORK`; beyond either,
:class:`~credstack.errors.CanonicalizationError` is raised.

Literal escaping follows RDFC-1.0 §4.4 / RDF 1.1 canonical N-Quads as implemented by rdf-canonize 5 and
pyoxigraph: ``\\b \\t \\n \\f \\r \\" \\\\`` as ECHAR, every other control character (U+0000-U+001F,
U+007F) as ``\\uXXXX``. pyld 3.3 escapes only ``\\t \\n \\r \\" \\\\``, so for literals holding other
control characters credstack follows the spec, not pyld. Likewise a quad that mentions the same blank node
twice (a self-reference) is listed once for it in the blank node to quads map (§4.4.3 step 2), as rdf-canonize
and pyoxigraph do; pyld lists it twice, which changes the first-degree hash.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Sequence

from credstack.errors import CanonicalizationError

__all__ = [
    "MAX_BLANK_NODES",
    "MAX_NDEGREE_WORK",
    "Quad",
    "canonicalize",
    "escape_literal",
    "literal",
    "serialize",
]

Quad = tuple[str, str, str, str]

MAX_BLANK_NODES = 10_000
"""More blank nodes than this in one dataset is treated as dataset poisoning."""

MAX_NDEGREE_WORK = 50_000
"""Budget of Hash N-Degree Quads steps (calls plus permutations) for one dataset."""

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

_ESCAPES = {i: f"\\u{i:04X}" for i in range(0x20)}
_ESCAPES.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"})
_ESCAPES[0x7F] = "\\u007F"
_ESCAPE_TABLE = str.maketrans(_ESCAPES)
_NEEDS_ESCAPE = frozenset(chr(c) for c in _ESCAPES)


def escape_literal(value: str) -> str:
    """Escape a literal's lexical form for canonical N-Quads (RDFC-1.0 §4.4, RDF 1.1 N-Quads §8)."""
    if _NEEDS_ESCAPE.isdisjoint(value):
        return value
    return value.translate(_ESCAPE_TABLE)


def literal(lexical: str, datatype: str, language: str | None = None) -> str:
    """Serialise a literal term: ``"lex"`` for xsd:string, ``"lex"@lang`` or ``"lex"^^<datatype>``."""
    quoted = '"' + escape_literal(lexical) + '"'
    if datatype == RDF_LANGSTRING:
        return quoted + "@" + language if language else quoted
    if datatype == XSD_STRING:
        return quoted
    return quoted + "^^<" + datatype + ">"


def serialize(quad: Quad) -> str:
    """One canonical N-Quads line, ``\\n`` terminated."""
    s, p, o, g = quad
    if g:
        return f"{s} {p} {o} {g} .\n"
    return f"{s} {p} {o} .\n"


def _is_blank(term: str) -> bool:
    return term[:2] == "_:"


class _Issuer:
    """Identifier Issuer (RDFC-1.0 §4.5): issues ``prefix + counter`` in first-come order."""

    __slots__ = ("existing", "prefix")

    def __init__(self, prefix: str, existing: dict[str, str] | None = None) -> None:
        self.prefix = prefix
        self.existing: dict[str, str] = dict(existing) if existing else {}

    def issue(self, label: str) -> str:
        issued = self.existing.get(label)
        if issued is None:
            issued = self.prefix + str(len(self.existing))
            self.existing[label] = issued
        return issued

    def copy(self) -> _Issuer:
        return _Issuer(self.prefix, self.existing)


class _State:
    """Canonicalization state (RDFC-1.0 §4.2): blank node to quads map, canonical issuer, work budget."""

    def __init__(self, quads: Sequence[Quad]) -> None:
        self.quads = quads
        self.bnode_quads: dict[str, list[Quad]] = {}
        for quad in quads:
            s, _p, o, g = quad
            if _is_blank(s):
                self.bnode_quads.setdefault(s, []).append(quad)
            if _is_blank(o) and o != s:
                self.bnode_quads.setdefault(o, []).append(quad)
            if g and _is_blank(g) and g != s and g != o:
                self.bnode_quads.setdefault(g, []).append(quad)
        self.first_degree: dict[str, str] = {}
        self.canonical = _Issuer("_:c14n")
        self.work = 0

    def spend(self, units: int = 1) -> None:
        self.work += units
        if self.work > MAX_NDEGREE_WORK:
            raise CanonicalizationError(
                "RDFC-1.0 N-degree hashing exceeded its work limit (possible dataset poisoning)",
                where="rdfc",
            )

    def hash_first_degree(self, label: str) -> str:
        """Hash First Degree Quads (RDFC-1.0 §4.6)."""
        cached = self.first_degree.get(label)
        if cached is not None:
            return cached
        lines = []
        for s, p, o, g in self.bnode_quads[label]:
            if _is_blank(s):
                s = "_:a" if s == label else "_:z"
            if _is_blank(o):
                o = "_:a" if o == label else "_:z"
            if g and _is_blank(g):
                g = "_:a" if g == label else "_:z"
            lines.append(f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n")
        lines.sort()
        digest = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
        self.first_degree[label] = digest
        return digest

    def hash_related(self, related: str, quad: Quad, issuer: _Issuer, position: str) -> str:
        """Hash Related Blank Node (RDFC-1.0 §4.7)."""
        identifier = self.canonical.existing.get(related) or issuer.existing.get(related)
        if identifier is None:
            identifier = self.hash_first_degree(related)
        data = position + ("" if position == "g" else quad[1]) + identifier
        return hashlib.sha256(data.encode("utf-8")).hexdigest()

    def hash_n_degree(self, label: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        """Hash N-Degree Quads (RDFC-1.0 §4.8), with a work budget against poisoning."""
        self.spend()
        related_by_hash: dict[str, list[str]] = {}
        for quad in self.bnode_quads[label]:
            s, _p, o, g = quad
            for term, position in ((s, "s"), (o, "o"), (g, "g")):
                if term and _is_blank(term) and term != label:
                    digest = self.hash_related(term, quad, issuer, position)
                    related_by_hash.setdefault(digest, []).append(term)
        md = hashlib.sha256()
        for related_hash in sorted(related_by_hash):
            md.update(related_hash.encode("utf-8"))
            chosen_path = ""
            chosen_issuer: _Issuer | None = None
            for permutation in itertools.permutations(related_by_hash[related_hash]):
                self.spend()
                issuer_copy = issuer.copy()
                path = ""
                recursion: list[str] = []
                skip = False
                for related in permutation:
                    canonical = self.canonical.existing.get(related)
                    if canonical is not None:
                        path += canonical
                    else:
                        if related not in issuer_copy.existing:
                            recursion.append(related)
                        path += issuer_copy.issue(related)
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                for related in recursion:
                    result_hash, issuer_copy = self.hash_n_degree(related, issuer_copy)
                    path += issuer_copy.issue(related) + "<" + result_hash + ">"
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                if not chosen_path or path < chosen_path:
                    chosen_path = path
                    chosen_issuer = issuer_copy
            md.update(chosen_path.encode("utf-8"))
            if chosen_issuer is not None:
                issuer = chosen_issuer
        return md.hexdigest(), issuer


def canonicalize(quads: Iterable[Quad]) -> str:
    """RDFC-1.0 (§4.4): relabel blank nodes canonically and return the sorted canonical N-Quads."""
    quads = list(quads)
    blank = set()
    for s, _p, o, g in quads:  # terms are never empty: "<" starts an IRI, '"' a literal, "_" a blank node
        if s[0] == "_":
            blank.add(s)
        if o[0] == "_":
            blank.add(o)
        if g and g[0] == "_":
            blank.add(g)
    if not blank:
        return "".join(sorted([serialize(q) for q in quads]))
    if len(blank) > MAX_BLANK_NODES:
        raise CanonicalizationError(
            f"the dataset has {len(blank)} blank nodes, more than the limit of {MAX_BLANK_NODES} "
            "(possible dataset poisoning)",
            where="rdfc",
        )
    if len(blank) == 1:
        mapping = {blank.pop(): "_:c14n0"}
    else:
        mapping = _canonical_labels(_State(quads))
    lines = []
    for s, p, o, g in quads:
        if s[0] == "_":
            s = mapping[s]
        if o[0] == "_":
            o = mapping[o]
        if g:
            if g[0] == "_":
                g = mapping[g]
            lines.append(f"{s} {p} {o} {g} .\n")
        else:
            lines.append(f"{s} {p} {o} .\n")
    lines.sort()
    return "".join(lines)


def _canonical_labels(state: _State) -> dict[str, str]:
    """Steps 3-6 of the Canonicalization Algorithm (RDFC-1.0 §4.4.3): the canonical issuer's mapping."""
    by_hash: dict[str, list[str]] = {}
    for label in state.bnode_quads:
        by_hash.setdefault(state.hash_first_degree(label), []).append(label)
    shared: list[list[str]] = []
    for digest in sorted(by_hash):
        labels = by_hash[digest]
        if len(labels) == 1:
            state.canonical.issue(labels[0])
        else:
            shared.append(labels)
    for labels in shared:
        results = []
        for label in labels:
            if label in state.canonical.existing:
                continue
            temporary = _Issuer("_:b")
            temporary.issue(label)
            results.append(state.hash_n_degree(label, temporary))
        for _digest, issuer in sorted(results, key=lambda result: result[0]):
            for existing in issuer.existing:
                state.canonical.issue(existing)
    return state.canonical.existing
