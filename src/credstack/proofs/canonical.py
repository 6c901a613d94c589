"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, with pinned contexts only.

https://www.w3.org/TR/rdf-canon/ . This module is the single entry point every cryptosuite uses.
"""

from __future__ import annotations

import copy
from typing import Any

from pyld import jsonld  # type: ignore[import-untyped]

from credstack.contexts import pyld_document_loader
from credstack.errors import CanonicalizationError, CredstackError

__all__ = ["to_canonical_nquads"]


def to_canonical_nquads(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (reference path through pyld)."""
    try:
        result: str = jsonld.normalize(
            copy.deepcopy(document),
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": pyld_document_loader,
                "safe": True,
            },
        )
    except jsonld.JsonLdError as exc:
        cause: BaseException | None = exc
        while isinstance(cause, jsonld.JsonLdError):
            cause = cause.__cause__ or cause.__context__
            if isinstance(cause, CredstackError):
                raise cause from exc
        raise CanonicalizationError(f"JSON-LD processing failed: {exc.type}: {exc}") from exc
    return result
