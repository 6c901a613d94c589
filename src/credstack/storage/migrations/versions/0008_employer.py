"""Employer side: trusted issuers, verification batches, presentation requests, endorsements, jobs (issue 6).

Revision ID: 0008_employer
Revises: 0007_accounts
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision: str = "0008_employer"
down_revision: str | Sequence[str] | None = "0007_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Placeholder, filled in by the work on this area."""


def downgrade() -> None:
    """Placeholder, filled in by the work on this area."""
