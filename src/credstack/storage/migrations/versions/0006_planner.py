"""Planner: learner skill claims and organisations' role profiles (issue 5).

Revision ID: 0006_planner
Revises: 0005_market
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006_planner"
down_revision: str | Sequence[str] | None = "0005_market"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the planner tables (empty)."""
    op.create_table(
        "planner_skill_claims",
        sa.Column("learner", sa.String(length=500), nullable=False),
        sa.Column("skill_uri", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Double(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("learner", "skill_uri", "source", name=op.f("pk_planner_skill_claims")),
    )
    op.create_table(
        "planner_role_profiles",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planner_role_profiles")),
    )
    with op.batch_alter_table("planner_role_profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planner_role_profiles_org_id"), ["org_id"], unique=False)
    op.create_table(
        "planner_role_profile_skills",
        sa.Column("profile_id", sa.String(length=64), nullable=False),
        sa.Column("skill_uri", sa.String(length=200), nullable=False),
        sa.Column("level", sa.Double(), nullable=False),
        sa.Column("weight", sa.Double(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["planner_role_profiles.id"],
            name=op.f("fk_planner_role_profile_skills_profile_id_planner_role_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("profile_id", "skill_uri", name=op.f("pk_planner_role_profile_skills")),
    )


def downgrade() -> None:
    """Drop the planner tables."""
    op.drop_table("planner_role_profile_skills")
    with op.batch_alter_table("planner_role_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planner_role_profiles_org_id"))
    op.drop_table("planner_role_profiles")
    op.drop_table("planner_skill_claims")
