"""Catalog search extras: sentence-embedding index of catalog descriptions (issue 3).

Revision ID: 0009_catalog_search
Revises: 0008_employer
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009_catalog_search"
down_revision: str | Sequence[str] | None = "0008_employer"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``catalog_embeddings`` (empty; ``credstack catalog index`` fills it)."""
    op.create_table(
        "catalog_embeddings",
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=80), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("dimensions", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "model", name=op.f("pk_catalog_embeddings")),
    )
    with op.batch_alter_table("catalog_embeddings", schema=None) as batch_op:
        batch_op.create_index("ix_catalog_embeddings_model_updated_at", ["model", "updated_at"], unique=False)


def downgrade() -> None:
    """Drop ``catalog_embeddings``."""
    with op.batch_alter_table("catalog_embeddings", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_embeddings_model_updated_at")
    op.drop_table("catalog_embeddings")
