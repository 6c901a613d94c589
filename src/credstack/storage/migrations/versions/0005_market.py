"""Job-market tables: ingestion runs and aggregated skill/occupation demand (issue 4).

Revision ID: 0005_market
Revises: 0004_pathways
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005_market"
down_revision: str | Sequence[str] | None = "0004_pathways"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the market tables (empty; ``credstack market ingest`` fills them)."""
    op.create_table(
        "market_demand",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("skill_uri", sa.String(length=200), nullable=False),
        sa.Column("soc_code", sa.String(length=10), nullable=False),
        sa.Column("esco_occupation", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=60), nullable=False),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "source", "skill_uri", "soc_code", "esco_occupation", "region", name=op.f("pk_market_demand")
        ),
    )
    with op.batch_alter_table("market_demand", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_market_demand_skill_uri"), ["skill_uri"], unique=False)

    op.create_table(
        "market_totals",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("soc_code", sa.String(length=10), nullable=False),
        sa.Column("esco_occupation", sa.String(length=200), nullable=False),
        sa.Column("opm_series", sa.String(length=8), nullable=False),
        sa.Column("region", sa.String(length=60), nullable=False),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.Column("with_text", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "month", "source", "soc_code", "esco_occupation", "opm_series", "region", name=op.f("pk_market_totals")
        ),
    )
    op.create_table(
        "market_cooccurrence",
        sa.Column("skill_uri", sa.String(length=200), nullable=False),
        sa.Column("other_uri", sa.String(length=200), nullable=False),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("skill_uri", "other_uri", name=op.f("pk_market_cooccurrence")),
    )
    op.create_table(
        "market_skills",
        sa.Column("uri", sa.String(length=200), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("scheme", sa.String(length=8), nullable=False),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("uri", name=op.f("pk_market_skills")),
    )
    op.create_table(
        "market_occupations",
        sa.Column("code", sa.String(length=200), nullable=False),
        sa.Column("scheme", sa.String(length=8), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("postings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_market_occupations")),
    )
    op.create_table(
        "market_ingest_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("near_duplicates", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("titles_mapped", sa.Integer(), nullable=False),
        sa.Column("with_skills", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_ingest_runs")),
    )


def downgrade() -> None:
    """Drop the market tables."""
    for table in (
        "market_ingest_runs",
        "market_occupations",
        "market_skills",
        "market_cooccurrence",
        "market_totals",
    ):
        op.drop_table(table)
    with op.batch_alter_table("market_demand", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_market_demand_skill_uri"))
    op.drop_table("market_demand")
