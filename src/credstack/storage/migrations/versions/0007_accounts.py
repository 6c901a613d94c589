"""Organisations, people, roles, sessions, audit log, wallet and sharing (issue 6).

Revision ID: 0007_accounts
Revises: 0006_planner
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007_accounts"
down_revision: str | Sequence[str] | None = "0006_planner"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the accounts, audit, wallet and sharing tables (empty)."""
    op.create_table(
        "account_people",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("holder_did", sa.String(length=300), nullable=True),
        sa.Column("holder_key", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_people")),
        sa.UniqueConstraint("email", name=op.f("uq_account_people_email")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=True),
        sa.Column("person_id", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_person_id"), ["person_id"], unique=False)

    op.create_table(
        "account_orgs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["issuer_id"], ["issuers.id"], name=op.f("fk_account_orgs_issuer_id_issuers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_orgs")),
    )
    with op.batch_alter_table("account_orgs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_orgs_issuer_id"), ["issuer_id"], unique=False)

    op.create_table(
        "account_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["account_people.id"],
            name=op.f("fk_account_sessions_person_id_account_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_sessions")),
    )
    with op.batch_alter_table("account_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_sessions_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_sessions_person_id"), ["person_id"], unique=False)

    op.create_table(
        "wallet_items",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("fmt", sa.String(length=16), nullable=False),
        sa.Column("credential_id", sa.String(length=64), nullable=True),
        sa.Column("document_id", sa.String(length=500), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("issuer_name", sa.String(length=300), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["account_people.id"],
            name=op.f("fk_wallet_items_person_id_account_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_items")),
        sa.UniqueConstraint("person_id", "digest", name="uq_wallet_items_person_id_digest"),
    )
    with op.batch_alter_table("wallet_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wallet_items_person_id"), ["person_id"], unique=False)

    op.create_table(
        "account_memberships",
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["account_orgs.id"], name=op.f("fk_account_memberships_org_id_account_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["account_people.id"],
            name=op.f("fk_account_memberships_person_id_account_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "org_id", "role", name=op.f("pk_account_memberships")),
    )
    op.create_table(
        "account_token_owners",
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=True),
        sa.Column("person_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["account_orgs.id"],
            name=op.f("fk_account_token_owners_org_id_account_orgs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["account_people.id"],
            name=op.f("fk_account_token_owners_person_id_account_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_account_token_owners_token_id_api_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_account_token_owners")),
    )
    with op.batch_alter_table("account_token_owners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_token_owners_org_id"), ["org_id"], unique=False)

    op.create_table(
        "shares",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=True),
        sa.Column("include_evidence", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["account_orgs.id"], name=op.f("fk_shares_org_id_account_orgs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["account_people.id"], name=op.f("fk_shares_person_id_account_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shares")),
    )
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shares_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shares_person_id"), ["person_id"], unique=False)

    op.create_table(
        "wallet_evidence",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("filename", sa.String(length=300), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["wallet_items.id"], name=op.f("fk_wallet_evidence_item_id_wallet_items"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["account_people.id"],
            name=op.f("fk_wallet_evidence_person_id_account_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_evidence")),
    )
    with op.batch_alter_table("wallet_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wallet_evidence_person_id"), ["person_id"], unique=False)

    op.create_table(
        "share_items",
        sa.Column("share_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["wallet_items.id"], name=op.f("fk_share_items_item_id_wallet_items"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["share_id"], ["shares.id"], name=op.f("fk_share_items_share_id_shares"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("share_id", "item_id", name=op.f("pk_share_items")),
    )
    op.create_table(
        "share_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("share_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("viewer", sa.String(length=320), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["share_id"], ["shares.id"], name=op.f("fk_share_views_share_id_shares"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_views")),
    )
    with op.batch_alter_table("share_views", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_share_views_share_id"), ["share_id"], unique=False)

    op.create_table(
        "wallet_claims",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("credential_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("person_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_wallet_claims_credential_id_credentials"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["account_people.id"],
            name=op.f("fk_wallet_claims_person_id_account_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_wallet_claims")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_wallet_claims_credential_id")),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("wallet_claims")
    with op.batch_alter_table("share_views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_share_views_share_id"))

    op.drop_table("share_views")
    op.drop_table("share_items")
    with op.batch_alter_table("wallet_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_evidence_person_id"))

    op.drop_table("wallet_evidence")
    with op.batch_alter_table("shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shares_person_id"))
        batch_op.drop_index(batch_op.f("ix_shares_org_id"))

    op.drop_table("shares")
    with op.batch_alter_table("account_token_owners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_token_owners_org_id"))

    op.drop_table("account_token_owners")
    op.drop_table("account_memberships")
    with op.batch_alter_table("wallet_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_items_person_id"))

    op.drop_table("wallet_items")
    with op.batch_alter_table("account_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_sessions_person_id"))
        batch_op.drop_index(batch_op.f("ix_account_sessions_expires_at"))

    op.drop_table("account_sessions")
    with op.batch_alter_table("account_orgs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_orgs_issuer_id"))

    op.drop_table("account_orgs")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_person_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_org_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_action"))

    op.drop_table("audit_events")
    op.drop_table("account_people")
