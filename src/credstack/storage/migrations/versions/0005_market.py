"""Job-market tables: ingestion runs and aggregated skill/occupation demand (issue 4).

Revision ID: 0005_market
Revises: 0004_pathways
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision: str = "0005_market"
down_revision: str | Sequence[str] | None = "0004_pathways"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Placeholder, filled in by the work on this area."""


def downgrade() -> None:
    """Placeholder, filled in by the work on this area."""
