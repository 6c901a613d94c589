"""Pathways (qualifications), the learner index of issued credentials, awards and their components (issue 3).

Revision ID: 0004_pathways
Revises: 0003_catalog
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004_pathways"
down_revision: str | Sequence[str] | None = "0003_catalog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``pathways``, ``learner_credentials``, ``pathway_awards`` and ``pathway_award_components``."""
    op.create_table(
        "pathways",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["issuer_id"], ["issuers.id"], name=op.f("fk_pathways_issuer_id_issuers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathways")),
    )
    with op.batch_alter_table("pathways", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pathways_issuer_id"), ["issuer_id"], unique=False)

    op.create_table(
        "learner_credentials",
        sa.Column("credential_id", sa.String(length=64), nullable=False),
        sa.Column("learner", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_learner_credentials_credential_id_credentials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("credential_id", name=op.f("pk_learner_credentials")),
    )
    with op.batch_alter_table("learner_credentials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learner_credentials_learner"), ["learner"], unique=False)

    op.create_table(
        "pathway_awards",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("pathway_id", sa.String(length=200), nullable=False),
        sa.Column("learner", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("credits_earned", sa.Double(), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("award_credential_id", sa.String(length=64), nullable=True),
        sa.Column("clr_credential_id", sa.String(length=64), nullable=True),
        sa.Column("pathway_version", sa.Integer(), nullable=False),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["pathway_id"], ["pathways.id"], name=op.f("fk_pathway_awards_pathway_id_pathways")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway_awards")),
        sa.UniqueConstraint("pathway_id", "learner", name="uq_pathway_awards_pathway_id_learner"),
    )
    with op.batch_alter_table("pathway_awards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pathway_awards_awarded_at"), ["awarded_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_pathway_awards_learner"), ["learner"], unique=False)
        batch_op.create_index(batch_op.f("ix_pathway_awards_pathway_id"), ["pathway_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pathway_awards_status"), ["status"], unique=False)

    op.create_table(
        "pathway_award_components",
        sa.Column("award_id", sa.String(length=64), nullable=False),
        sa.Column("credential_id", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_id"],
            ["pathway_awards.id"],
            name=op.f("fk_pathway_award_components_award_id_pathway_awards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("award_id", "credential_id", name=op.f("pk_pathway_award_components")),
    )
    with op.batch_alter_table("pathway_award_components", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pathway_award_components_credential_id"), ["credential_id"], unique=False)


def downgrade() -> None:
    """Drop the pathway tables."""
    with op.batch_alter_table("pathway_award_components", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pathway_award_components_credential_id"))
    op.drop_table("pathway_award_components")
    with op.batch_alter_table("pathway_awards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pathway_awards_status"))
        batch_op.drop_index(batch_op.f("ix_pathway_awards_pathway_id"))
        batch_op.drop_index(batch_op.f("ix_pathway_awards_learner"))
        batch_op.drop_index(batch_op.f("ix_pathway_awards_awarded_at"))
    op.drop_table("pathway_awards")
    with op.batch_alter_table("learner_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learner_credentials_learner"))
    op.drop_table("learner_credentials")
    with op.batch_alter_table("pathways", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pathways_issuer_id"))
    op.drop_table("pathways")
