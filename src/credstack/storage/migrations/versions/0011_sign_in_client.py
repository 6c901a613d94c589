"""Sign-in throttling per account and client address (OWASP): ``account_sign_in_failures.client``.

Failed sign-ins were counted per e-mail address only, so anyone could lock an account's owner out by failing on
purpose. Each failure now also records the client's IP address (``client``, indexed with ``at``), so failures are
counted per (account, client), per client across accounts, and per account at a much higher threshold. Failures
recorded before this revision get ``client = ''`` (they age out within 15 minutes anyway).

Revision ID: 0011_sign_in_client
Revises: 0010_one_audit_log
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011_sign_in_client"
down_revision: str | Sequence[str] | None = "0010_one_audit_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``client`` (empty for the failures already recorded) and its index with ``at``."""
    with op.batch_alter_table("account_sign_in_failures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client", sa.String(length=64), server_default="", nullable=False))
        batch_op.create_index("ix_account_sign_in_failures_client_at", ["client", "at"], unique=False)


def downgrade() -> None:
    """Drop ``client`` and its index (the failures are then counted per address again)."""
    with op.batch_alter_table("account_sign_in_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_account_sign_in_failures_client_at")
        batch_op.drop_column("client")
