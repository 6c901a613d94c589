"""SQLAlchemy 2 ORM models: credstack's tables (the Alembic migrations in ``storage/migrations`` build the same).

ORM objects stay inside ``storage`` and ``services``; services hand frozen dataclasses to their callers.
Timestamps are stored timezone-aware (:class:`UTCDateTime` returns UTC-aware values on SQLite too).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Achievement",
    "ApiToken",
    "Base",
    "BulkJob",
    "BulkJobRow",
    "Credential",
    "Issuer",
    "IssuerKey",
    "StatusAllocation",
    "StatusList",
    "UTCDateTime",
]


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware timestamp: stored as UTC, always read back as an aware UTC datetime."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("credstack stores timezone-aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention so constraint names match across SQLite and PostgreSQL."""

    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: sa.JSON(),
        list[Any]: sa.JSON(),
    }


class Issuer(Base):
    """An issuer profile. ``did`` is current; ``former_dids`` keeps a did:key issuer's earlier DIDs (rotation)."""

    __tablename__ = "issuers"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    did: Mapped[str] = mapped_column(sa.String(300), unique=True)
    method: Mapped[str] = mapped_column(sa.String(8))
    url: Mapped[str | None] = mapped_column(sa.String(500))
    former_dids: Mapped[list[Any]] = mapped_column(default=list)
    is_default: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]


class IssuerKey(Base):
    """An Ed25519 key of an issuer: public Multikey in clear, seed encrypted (AES-256-GCM, see keystore)."""

    __tablename__ = "issuer_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(sa.ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    public_multibase: Mapped[str] = mapped_column(sa.String(100), unique=True)
    verification_method: Mapped[str] = mapped_column(sa.String(500))
    encrypted_private_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]


class Achievement(Base):
    """An OB 3.0 Achievement: the JSON definition plus the columns that are queried."""

    __tablename__ = "achievements"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    issuer_id: Mapped[int] = mapped_column(sa.ForeignKey("issuers.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    achievement_type: Mapped[str | None] = mapped_column(sa.String(100))
    definition: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class StatusList(Base):
    """A Bitstring Status List of one issuer and purpose; ``version`` increases on every bit change.

    ``signer_did`` is the issuer DID of the credentials in the list, which signs it: after a did:key rotation the
    old lists stay signed by the old DID (a verifier requires list issuer == credential issuer)."""

    __tablename__ = "status_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_id: Mapped[int] = mapped_column(sa.ForeignKey("issuers.id"), index=True)
    signer_did: Mapped[str] = mapped_column(sa.String(300))
    purpose: Mapped[str] = mapped_column(sa.String(16))
    size: Mapped[int]
    bits: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    allocated: Mapped[int] = mapped_column(default=0)
    full: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    signed_document: Mapped[dict[str, Any] | None] = mapped_column(deferred=True)
    signed_version: Mapped[int | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class StatusAllocation(Base):
    """One used index of a status list (UNIQUE per list): allocation and credential commit together."""

    __tablename__ = "status_allocations"
    __table_args__ = (sa.UniqueConstraint("list_id", "list_index", name="uq_status_allocations_list_id_list_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("status_lists.id"))
    list_index: Mapped[int]
    credential_id: Mapped[str] = mapped_column(sa.String(64), index=True)


class Credential(Base):
    """An issued credential: the signed JSON, its state and its status list positions."""

    __tablename__ = "credentials"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    document_id: Mapped[str] = mapped_column(sa.String(500), index=True)
    issuer_id: Mapped[int] = mapped_column(sa.ForeignKey("issuers.id"), index=True)
    achievement_id: Mapped[str | None] = mapped_column(sa.ForeignKey("achievements.id"), index=True)
    recipient: Mapped[str | None] = mapped_column(sa.String(500))
    document: Mapped[dict[str, Any]]
    cryptosuite: Mapped[str] = mapped_column(sa.String(32))
    state: Mapped[str] = mapped_column(sa.String(16), default="active")
    issued_at: Mapped[datetime] = mapped_column(index=True)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    revocation_list_id: Mapped[int] = mapped_column(sa.ForeignKey("status_lists.id"))
    revocation_index: Mapped[int]
    suspension_list_id: Mapped[int] = mapped_column(sa.ForeignKey("status_lists.id"))
    suspension_index: Mapped[int]


class BulkJob(Base):
    """A bulk issuance job from a CSV roster; one :class:`BulkJobRow` per data row."""

    __tablename__ = "bulk_jobs"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    achievement_id: Mapped[str] = mapped_column(sa.ForeignKey("achievements.id"), index=True)
    cryptosuite: Mapped[str] = mapped_column(sa.String(32))
    state: Mapped[str] = mapped_column(sa.String(16), default="pending")
    rows_read: Mapped[int]
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class BulkJobRow(Base):
    """One roster row: its CSV line number, data, idempotency key and outcome (pending/issued/skipped/rejected)."""

    __tablename__ = "bulk_job_rows"
    __table_args__ = (sa.UniqueConstraint("job_id", "line", name="uq_bulk_job_rows_job_id_line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(sa.ForeignKey("bulk_jobs.id", ondelete="CASCADE"))
    line: Mapped[int]
    data: Mapped[dict[str, Any]]
    idempotency_key: Mapped[str] = mapped_column(sa.String(200))
    outcome: Mapped[str] = mapped_column(sa.String(16), default="pending")
    credential_id: Mapped[str | None] = mapped_column(sa.String(64))
    reason: Mapped[str | None] = mapped_column(sa.Text)


class ApiToken(Base):
    """An API token, stored as the SHA-256 of the raw token; scopes comma-separated."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scopes: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime]
    revoked: Mapped[bool] = mapped_column(default=False)


# Feature tables declared in their own modules join Base.metadata here, so migrations and schema checks see them.
from credstack.storage import account_tables as _account_tables  # noqa: E402,F401
from credstack.storage import catalog_search_tables as _catalog_search_tables  # noqa: E402,F401
from credstack.storage import catalog_tables as _catalog_tables  # noqa: E402,F401
from credstack.storage import employer_tables as _employer_tables  # noqa: E402,F401
from credstack.storage import market_tables as _market_tables  # noqa: E402,F401
from credstack.storage import pathway_tables as _pathway_tables  # noqa: E402,F401
from credstack.storage import planner_tables as _planner_tables  # noqa: E402,F401
from credstack.storage import taxonomy_tables as _taxonomy_tables  # noqa: E402,F401
