"""Employer side: trusted issuers, verification batches, presentation requests, endorsements, jobs (issue 6).

Revision ID: 0008_employer
Revises: 0007_accounts
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008_employer"
down_revision: str | Sequence[str] | None = "0007_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def _index(table: str, column: str, *, unique: bool = False) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=unique)


def upgrade() -> None:
    """Create the employer tables (empty)."""
    op.create_table(
        "employer_trusted_issuers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("added_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_trusted_issuers")),
        sa.UniqueConstraint("org_id", "kind", "value", name="uq_employer_trusted_issuers_org_id_kind_value"),
    )
    _index("employer_trusted_issuers", "org_id")

    op.create_table(
        "employer_batches",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("verified", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("finished_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_batches")),
    )
    _index("employer_batches", "org_id")
    _index("employer_batches", "created_at")

    op.create_table(
        "employer_batch_items",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("file", sa.String(length=500), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("credential", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["employer_batches.id"],
            name=op.f("fk_employer_batch_items_batch_id_employer_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("batch_id", "position", name=op.f("pk_employer_batch_items")),
    )

    op.create_table(
        "employer_endorsements",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.String(length=500), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["issuer_id"], ["issuers.id"], name=op.f("fk_employer_endorsements_issuer_id_issuers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_endorsements")),
    )
    _index("employer_endorsements", "issuer_id")
    _index("employer_endorsements", "subject_id")

    op.create_table(
        "employer_presentation_requests",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=200), nullable=False),
        sa.Column("challenge", sa.String(length=100), nullable=False),
        sa.Column("domain", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("answered_at", _TS, nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_presentation_requests")),
        sa.UniqueConstraint("challenge", name=op.f("uq_employer_presentation_requests_challenge")),
    )
    _index("employer_presentation_requests", "org_id")

    op.create_table(
        "employer_jobs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=200), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("occupation", sa.String(length=300), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_jobs")),
    )
    _index("employer_jobs", "org_id")

    op.create_table(
        "employer_rankings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=200), nullable=False),
        sa.Column("ranked_at", _TS, nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("ranking", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employer_rankings")),
    )
    _index("employer_rankings", "job_id")
    _index("employer_rankings", "org_id")

    op.create_table(
        "employer_team_members",
        sa.Column("org_id", sa.String(length=200), nullable=False),
        sa.Column("person", sa.String(length=500), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role_profile_id", sa.String(length=64), nullable=True),
        sa.Column("added_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("org_id", "person", name=op.f("pk_employer_team_members")),
    )


def downgrade() -> None:
    """Drop the employer tables."""
    op.drop_table("employer_team_members")
    for table, columns in (
        ("employer_rankings", ("org_id", "job_id")),
        ("employer_jobs", ("org_id",)),
        ("employer_presentation_requests", ("org_id",)),
        ("employer_endorsements", ("subject_id", "issuer_id")),
        ("employer_batch_items", ()),
        ("employer_batches", ("created_at", "org_id")),
        ("employer_trusted_issuers", ("org_id",)),
    ):
        if columns:
            with op.batch_alter_table(table, schema=None) as batch_op:
                for column in columns:
                    batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
        op.drop_table(table)
