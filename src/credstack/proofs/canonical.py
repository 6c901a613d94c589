"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, with pinned contexts only.

https://www.w3.org/TR/rdf-canon/ . :func:`to_canonical_nquads` is the single entry point every cryptosuite
uses. It runs in two stages:

1. JSON-LD 1.1 expansion + Deserialize JSON-LD to RDF (https://www.w3.org/TR/json-ld11-api/ §5.1, §8.1):
   the fast path (:mod:`credstack.proofs._jsonld_to_rdf`, with active contexts cached per pinned context in
   :mod:`credstack.proofs._jsonld_context`); for the rare JSON-LD feature it does not implement, pyld
   (:mod:`credstack.proofs._jsonld_reference`). Both give the same dataset and the same errors.
2. RDFC-1.0 (:mod:`credstack.proofs._rdfc`), with a first-degree fast path and limits against dataset
   poisoning.

Errors: :class:`~credstack.errors.UnknownContextError` for a context URL that is not pinned (never
fetched); :class:`~credstack.errors.UndefinedTermError` for a key or type that no context defines (JSON-LD
would drop it, leaving it unsigned), naming it and its JSON path; :class:`~credstack.errors.CanonicalizationError`
for relative IRIs, malformed values and exceeded limits. Inline (object) contexts are allowed.

The output is byte-identical to pyld's URDNA2015 N-Quads, except where pyld 3.3 departs from RDFC-1.0 and
credstack follows the spec, rdf-canonize 5 (the JavaScript stack) and pyoxigraph: literals holding control
characters other than tab, line feed and carriage return are escaped, and a quad naming one blank node twice is
hashed once for it. Beyond pyld, credstack refuses (fail closed) what would be dropped unsigned or read
differently by JavaScript verifiers: relative IRIs, ``@direction``, integers beyond ±2^53 and floats such as
``1e-7``.
"""

from __future__ import annotations

from typing import Any

from credstack.proofs import _jsonld_to_rdf, _rdfc
from credstack.proofs._jsonld_context import Unsupported

__all__ = [
    "FastPathUnsupported",
    "fast_canonical_nquads",
    "reference_canonical_nquads",
    "to_canonical_nquads",
    "to_dataset",
]

FastPathUnsupported = Unsupported
"""Raised by :func:`fast_canonical_nquads` for a JSON-LD feature only the pyld path implements."""


def to_dataset(document: dict[str, Any]) -> list[_rdfc.Quad]:
    """Stage 1 alone: the RDF dataset of a JSON-LD document (blank node labels arbitrary), with the same errors
    as :func:`to_canonical_nquads` for unknown contexts, undefined terms and malformed values. Used where only
    those errors matter (the eddsa-jcs-2022 undefined-term guard), so RDFC-1.0 never runs there."""
    try:
        return _jsonld_to_rdf.to_quads(document)
    except Unsupported:
        from credstack.proofs import _jsonld_reference  # pyld is slow to import: only when the fast path cannot

        return _jsonld_reference.to_quads(document)


def to_canonical_nquads(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (sorted lines, each ending in ``\\n``)."""
    return _rdfc.canonicalize(to_dataset(document))


def fast_canonical_nquads(document: dict[str, Any]) -> str:
    """The fast path alone; raises :data:`FastPathUnsupported` instead of falling back to pyld."""
    return _rdfc.canonicalize(_jsonld_to_rdf.to_quads(document))


def reference_canonical_nquads(document: dict[str, Any]) -> str:
    """The pyld path alone (pyld expansion and toRDF, guarded; credstack's RDFC-1.0)."""
    from credstack.proofs import _jsonld_reference

    return _rdfc.canonicalize(_jsonld_reference.to_quads(document))
