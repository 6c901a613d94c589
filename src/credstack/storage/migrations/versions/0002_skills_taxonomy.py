"""Skills taxonomy: ESCO v1.1.1 skills, skill groups, occupations, ISCO groups and their relations; O*NET 29.2
occupations, technology skills, alternate titles and tasks; the record of which shipped file each table holds.

Revision ID: 0002_taxonomy
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002_taxonomy"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the taxonomy tables (empty; ``credstack taxonomy load`` fills them)."""
    op.create_table(
        "taxonomy_datasets",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_taxonomy_datasets")),
    )
    op.create_table(
        "taxonomy_occupation_broader",
        sa.Column("uri", sa.String(length=200), nullable=False),
        sa.Column("broader_uri", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("uri", "broader_uri", name=op.f("pk_taxonomy_occupation_broader")),
    )
    with op.batch_alter_table("taxonomy_occupation_broader", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxonomy_occupation_broader_broader_uri"), ["broader_uri"], unique=False)

    op.create_table(
        "taxonomy_occupation_skills",
        sa.Column("occupation_uri", sa.String(length=200), nullable=False),
        sa.Column("skill_uri", sa.String(length=200), nullable=False),
        sa.Column("relation_type", sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint("occupation_uri", "skill_uri", name=op.f("pk_taxonomy_occupation_skills")),
    )
    with op.batch_alter_table("taxonomy_occupation_skills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxonomy_occupation_skills_skill_uri"), ["skill_uri"], unique=False)

    op.create_table(
        "taxonomy_occupations",
        sa.Column("uri", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("isco_group", sa.String(length=8), nullable=True),
        sa.Column("preferred_label", sa.Text(), nullable=False),
        sa.Column("alt_labels", sa.Text(), nullable=False),
        sa.Column("hidden_labels", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("uri", name=op.f("pk_taxonomy_occupations")),
        sa.UniqueConstraint("key", name=op.f("uq_taxonomy_occupations_key")),
    )
    with op.batch_alter_table("taxonomy_occupations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxonomy_occupations_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_taxonomy_occupations_isco_group"), ["isco_group"], unique=False)

    op.create_table(
        "taxonomy_onet_alternate_titles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_norm", sa.String(length=200), nullable=False),
        sa.Column("short_title", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxonomy_onet_alternate_titles")),
    )
    with op.batch_alter_table("taxonomy_onet_alternate_titles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxonomy_onet_alternate_titles_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_taxonomy_onet_alternate_titles_title_norm"), ["title_norm"], unique=False)

    op.create_table(
        "taxonomy_onet_occupations",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("title_norm", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_taxonomy_onet_occupations")),
    )
    with op.batch_alter_table("taxonomy_onet_occupations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxonomy_onet_occupations_title_norm"), ["title_norm"], unique=False)

    op.create_table(
        "taxonomy_onet_tasks",
        sa.Column("task_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("task", sa.Text(), nullable=False),
        sa.Column("task_type", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("task_id", name=op.f("pk_taxonomy_onet_tasks")),
    )
    with op.batch_alter_table("taxonomy_onet_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxonomy_onet_tasks_code"), ["code"], unique=False)

    op.create_table(
        "taxonomy_onet_technology_skills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("example", sa.Text(), nullable=False),
        sa.Column("commodity_code", sa.String(length=10), nullable=False),
        sa.Column("commodity_title", sa.Text(), nullable=False),
        sa.Column("hot", sa.Boolean(), nullable=False),
        sa.Column("in_demand", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxonomy_onet_technology_skills")),
    )
    with op.batch_alter_table("taxonomy_onet_technology_skills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxonomy_onet_technology_skills_code"), ["code"], unique=False)

    op.create_table(
        "taxonomy_skill_broader",
        sa.Column("uri", sa.String(length=200), nullable=False),
        sa.Column("broader_uri", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("uri", "broader_uri", name=op.f("pk_taxonomy_skill_broader")),
    )
    with op.batch_alter_table("taxonomy_skill_broader", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxonomy_skill_broader_broader_uri"), ["broader_uri"], unique=False)

    op.create_table(
        "taxonomy_skill_relations",
        sa.Column("skill_uri", sa.String(length=200), nullable=False),
        sa.Column("related_uri", sa.String(length=200), nullable=False),
        sa.Column("relation_type", sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint("skill_uri", "related_uri", name=op.f("pk_taxonomy_skill_relations")),
    )
    with op.batch_alter_table("taxonomy_skill_relations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxonomy_skill_relations_related_uri"), ["related_uri"], unique=False)

    op.create_table(
        "taxonomy_skills",
        sa.Column("uri", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=True),
        sa.Column("preferred_label", sa.Text(), nullable=False),
        sa.Column("alt_labels", sa.Text(), nullable=False),
        sa.Column("hidden_labels", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("scope_note", sa.Text(), nullable=False),
        sa.Column("skill_type", sa.String(length=20), nullable=True),
        sa.Column("reuse_level", sa.String(length=24), nullable=True),
        sa.PrimaryKeyConstraint("uri", name=op.f("pk_taxonomy_skills")),
        sa.UniqueConstraint("key", name=op.f("uq_taxonomy_skills_key")),
    )
    with op.batch_alter_table("taxonomy_skills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxonomy_skills_code"), ["code"], unique=False)


def downgrade() -> None:
    """Drop the taxonomy tables."""
    with op.batch_alter_table("taxonomy_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxonomy_skills_code"))

    op.drop_table("taxonomy_skills")
    with op.batch_alter_table("taxonomy_skill_relations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxonomy_skill_relations_related_uri"))

    op.drop_table("taxonomy_skill_relations")
    with op.batch_alter_table("taxonomy_skill_broader", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxonomy_skill_broader_broader_uri"))

    op.drop_table("taxonomy_skill_broader")
    with op.batch_alter_table("taxonomy_onet_technology_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxonomy_onet_technology_skills_code"))

    op.drop_table("taxonomy_onet_technology_skills")
    with op.batch_alter_table("taxonomy_onet_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxonomy_onet_tasks_code"))

    op.drop_table("taxonomy_onet_tasks")
    with op.batch_alter_table("taxonomy_onet_occupations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxonomy_onet_occupations_title_norm"))

    op.drop_table("taxonomy_onet_occupations")
    with op.batch_alter_table("taxonomy_onet_alternate_titles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxonomy_onet_alternate_titles_title_norm"))
        batch_op.drop_index(batch_op.f("ix_taxonomy_onet_alternate_titles_code"))

    op.drop_table("taxonomy_onet_alternate_titles")
    with op.batch_alter_table("taxonomy_occupations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxonomy_occupations_isco_group"))
        batch_op.drop_index(batch_op.f("ix_taxonomy_occupations_code"))

    op.drop_table("taxonomy_occupations")
    with op.batch_alter_table("taxonomy_occupation_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxonomy_occupation_skills_skill_uri"))

    op.drop_table("taxonomy_occupation_skills")
    with op.batch_alter_table("taxonomy_occupation_broader", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxonomy_occupation_broader_broader_uri"))

    op.drop_table("taxonomy_occupation_broader")
    op.drop_table("taxonomy_datasets")
