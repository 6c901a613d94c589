"""Catalog search extras: sentence-embedding index of catalog descriptions (issue 3).

Revision ID: 0009_catalog_search
Revises: 0008_employer
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision: str = "0009_catalog_search"
down_revision: str | Sequence[str] | None = "0008_employer"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Placeholder, filled in by the work on this area."""


def downgrade() -> None:
    """Placeholder, filled in by the work on this area."""
