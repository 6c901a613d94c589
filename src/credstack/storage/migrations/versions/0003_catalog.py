"""Achievement catalog: entries (OB 3.0 fields plus effort, price, format, assessment, validity, prerequisites),
their ESCO skill alignments with target proficiency, and the record of which version each source was seeded from.

Revision ID: 0003_catalog
Revises: 0002_taxonomy
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003_catalog"
down_revision: str | Sequence[str] | None = "0002_taxonomy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the catalog tables (empty; ``credstack catalog seed`` fills them)."""
    op.create_table(
        "catalog_entries",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("achievement_type", sa.String(length=40), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("eqf_level", sa.Integer(), nullable=True),
        sa.Column("ects", sa.Double(), nullable=True),
        sa.Column("us_credits", sa.Double(), nullable=True),
        sa.Column("effort_hours", sa.Double(), nullable=True),
        sa.Column("price", sa.Double(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("delivery_format", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("assessment_method", sa.String(length=40), nullable=False),
        sa.Column("validity_months", sa.Integer(), nullable=True),
        sa.Column("prerequisites", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("occupations", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_entries")),
    )
    with op.batch_alter_table("catalog_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalog_entries_provider"), ["provider"], unique=False)
        batch_op.create_index(batch_op.f("ix_catalog_entries_source"), ["source"], unique=False)
        batch_op.create_index(batch_op.f("ix_catalog_entries_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "catalog_entry_skills",
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("skill_uri", sa.String(length=200), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "skill_uri", name=op.f("pk_catalog_entry_skills")),
    )
    with op.batch_alter_table("catalog_entry_skills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_catalog_entry_skills_skill_uri"), ["skill_uri"], unique=False)

    op.create_table(
        "catalog_sources",
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("version", sa.String(length=80), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_catalog_sources")),
    )


def downgrade() -> None:
    """Drop the catalog tables."""
    op.drop_table("catalog_sources")
    with op.batch_alter_table("catalog_entry_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_entry_skills_skill_uri"))

    op.drop_table("catalog_entry_skills")
    with op.batch_alter_table("catalog_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_catalog_entries_updated_at"))
        batch_op.drop_index(batch_op.f("ix_catalog_entries_source"))
        batch_op.drop_index(batch_op.f("ix_catalog_entries_provider"))

    op.drop_table("catalog_entries")
