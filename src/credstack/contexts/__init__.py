"""Pinned JSON-LD contexts, shipped inside the package and never fetched.

The files and ``manifest.json`` are copied unchanged from credstack's pinned set (see PROVENANCE.md for
the origin, commit and licence of each). Every file is checked against its SHA-256 the first time it is
loaded; a mismatch or an unknown URL is a hard error (:class:`credstack.errors.UnknownContextError`).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from typing import Any

from credstack.errors import UnknownContextError

__all__ = ["KNOWN_CONTEXTS", "load_context", "pyld_document_loader"]

_VARIANT_SUFFIX = "#1edtech-validator-variant"


@cache
def _manifest() -> dict[str, dict[str, Any]]:
    raw = resources.files(__name__).joinpath("manifest.json").read_bytes()
    contexts: dict[str, dict[str, Any]] = json.loads(raw)["contexts"]
    return contexts


def _known() -> frozenset[str]:
    return frozenset(url for url in _manifest() if not url.endswith(_VARIANT_SUFFIX))


KNOWN_CONTEXTS: frozenset[str] = _known()


@cache
def load_context(url: str) -> dict[str, Any]:
    """Return the pinned JSON-LD document for ``url``; raise UnknownContextError for anything else."""
    entry = _manifest().get(url)
    if entry is None or url.endswith(_VARIANT_SUFFIX):
        raise UnknownContextError(
            f"JSON-LD context {url!r} is not pinned by credstack and is never fetched", where="@context"
        )
    raw = resources.files(__name__).joinpath(entry["file"]).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != entry["sha256"]:  # pragma: no cover - only a corrupted install gets here
        raise UnknownContextError(f"pinned context {url!r} fails its SHA-256 check ({digest})")
    document: dict[str, Any] = json.loads(raw)
    return document


def pyld_document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader that serves pinned contexts only (no network, ever)."""
    return {"contextUrl": None, "documentUrl": url, "document": load_context(url)}
