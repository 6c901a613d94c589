"""Tables for: organisations, people, roles, sessions, API-token scope, audit log, wallet and sharing (issue 6).

Defined on the shared :class:`~credstack.storage.models.Base`; the migration 0007_accounts creates them.

- ``account_orgs``: an organisation; ``id`` is its slug, the plain-string ``org_id`` other areas use (employer,
  planner). ``issuer_id`` links the issuer profile an issuing organisation signs with (audit attribution).
- ``account_people`` / ``account_memberships``: a person (e-mail, Argon2id password hash, holder key for
  presentations) and their roles per organisation (one row per person, organisation and role).
- ``account_sessions``: web sessions, stored server side by the SHA-256 of the cookie value, with a CSRF token.
- ``account_token_owners``: which organisation (and person) an API token acts for; tokens without a row are the
  platform-wide tokens that existed before accounts.
- ``audit_events``: the one audit log: who did what to which subject, in which organisation (credential issued,
  revoked, suspended, shared, viewed, claimed, imported...). Migration 0010 moved the older ``audit_log`` into it.
- ``account_sign_in_failures``: failed sign-ins per e-mail address (the lockout; kept 15 minutes, cleared by a
  successful sign-in), so every server process and a restart see the same count. Migration 0010.
- ``wallet_items`` / ``wallet_claims``: a person's held credentials (claimed here or imported) and the single-use
  claim links of issued credentials (stored as SHA-256 of the token).
- ``wallet_evidence``: applied projects (an uploaded file or a link), content-hashed with SHA-256.
- ``shares`` / ``share_items`` / ``share_views``: share links with expiry, selected credentials, and the view log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from credstack.storage.models import Base

__all__ = [
    "AuditEventRow",
    "ClaimRow",
    "EvidenceRow",
    "MembershipRow",
    "OrgRow",
    "PersonRow",
    "SessionRow",
    "ShareItemRow",
    "ShareRow",
    "ShareViewRow",
    "SignInFailureRow",
    "TokenOwnerRow",
    "WalletItemRow",
]


class OrgRow(Base):
    """An organisation (training provider, employer, ...); ``id`` is a URL-safe slug."""

    __tablename__ = "account_orgs"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    issuer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("issuers.id"), index=True)
    created_at: Mapped[datetime]


class PersonRow(Base):
    """A person. ``password_hash`` is an Argon2id PHC string; the holder key (for Verifiable Presentations) is an
    Ed25519 seed sealed with the master secret, created on first use."""

    __tablename__ = "account_people"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))
    holder_did: Mapped[str | None] = mapped_column(sa.String(300))
    holder_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime]


class MembershipRow(Base):
    """A role a person holds in an organisation."""

    __tablename__ = "account_memberships"

    person_id: Mapped[str] = mapped_column(sa.ForeignKey("account_people.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[str] = mapped_column(sa.ForeignKey("account_orgs.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    created_at: Mapped[datetime]


class SessionRow(Base):
    """A web session: ``id`` is the SHA-256 of the cookie value (the raw value is never stored)."""

    __tablename__ = "account_sessions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    person_id: Mapped[str] = mapped_column(sa.ForeignKey("account_people.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class TokenOwnerRow(Base):
    """The organisation (and person) an API token acts for; a personal token (a learner's) has no organisation."""

    __tablename__ = "account_token_owners"

    token_id: Mapped[int] = mapped_column(sa.ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[str | None] = mapped_column(sa.ForeignKey("account_orgs.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str | None] = mapped_column(sa.ForeignKey("account_people.id", ondelete="CASCADE"))


class AuditEventRow(Base):
    """One audit event: ``actor`` (person e-mail, ``token:<id>``, ``system`` or ``anonymous``), ``action``
    (``credential.issued``, ``share.viewed``...), ``subject`` (what it acted on) and the organisation it belongs to."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(sa.String(320))
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    subject: Mapped[str] = mapped_column(sa.String(500), index=True)
    org_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    person_id: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SignInFailureRow(Base):
    """One failed sign-in: for which account (``address``, the normalised e-mail address), from which client
    (``client``, its IP address; ``""`` when unknown) and when. Counted per account and client, per client and per
    account (services/sign_in_throttle.py)."""

    __tablename__ = "account_sign_in_failures"
    __table_args__ = (
        sa.Index("ix_account_sign_in_failures_address_at", "address", "at"),
        sa.Index("ix_account_sign_in_failures_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(sa.String(320))
    client: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    at: Mapped[datetime] = mapped_column(index=True)


class WalletItemRow(Base):
    """A credential a person holds: ``source`` is ``claimed`` (issued here) or ``imported``; ``raw`` is the credential
    as received (JSON text or a compact JWS) and ``fmt`` how it arrived (json, jwt, png, svg, ob2, url)."""

    __tablename__ = "wallet_items"
    __table_args__ = (sa.UniqueConstraint("person_id", "digest", name="uq_wallet_items_person_id_digest"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    person_id: Mapped[str] = mapped_column(sa.ForeignKey("account_people.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(sa.String(16))
    fmt: Mapped[str] = mapped_column(sa.String(16))
    credential_id: Mapped[str | None] = mapped_column(sa.String(64))
    document_id: Mapped[str | None] = mapped_column(sa.String(500))
    title: Mapped[str] = mapped_column(sa.String(300))
    issuer_name: Mapped[str | None] = mapped_column(sa.String(300))
    raw: Mapped[str] = mapped_column(sa.Text)
    digest: Mapped[str] = mapped_column(sa.String(64))
    added_at: Mapped[datetime]


class ClaimRow(Base):
    """A single-use claim link for an issued credential (SHA-256 of the token), and who claimed it, when."""

    __tablename__ = "wallet_claims"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    credential_id: Mapped[str] = mapped_column(sa.ForeignKey("credentials.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    person_id: Mapped[str | None] = mapped_column(sa.ForeignKey("account_people.id", ondelete="SET NULL"))


class EvidenceRow(Base):
    """An applied project: an uploaded file (``content``) or a link (``url``), SHA-256 of the file or the URL."""

    __tablename__ = "wallet_evidence"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    person_id: Mapped[str] = mapped_column(sa.ForeignKey("account_people.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str | None] = mapped_column(sa.ForeignKey("wallet_items.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.String(300))
    url: Mapped[str | None] = mapped_column(sa.String(2000))
    filename: Mapped[str | None] = mapped_column(sa.String(300))
    media_type: Mapped[str | None] = mapped_column(sa.String(100))
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    added_at: Mapped[datetime]


class ShareRow(Base):
    """A share link: ``id`` is the unguessable token in the URL; ``kind`` is ``credential`` or ``portfolio``;
    ``org_id`` addresses it to an organisation (None: anyone with the link)."""

    __tablename__ = "shares"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    person_id: Mapped[str] = mapped_column(sa.ForeignKey("account_people.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(300))
    org_id: Mapped[str | None] = mapped_column(sa.ForeignKey("account_orgs.id", ondelete="SET NULL"), index=True)
    include_evidence: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class ShareItemRow(Base):
    """A wallet credential included in a share."""

    __tablename__ = "share_items"

    share_id: Mapped[str] = mapped_column(sa.ForeignKey("shares.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[str] = mapped_column(sa.ForeignKey("wallet_items.id", ondelete="CASCADE"), primary_key=True)


class ShareViewRow(Base):
    """One opening of a share link (the learner's view log): when, by whom if signed in, and the outcome."""

    __tablename__ = "share_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[str] = mapped_column(sa.ForeignKey("shares.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    viewer: Mapped[str] = mapped_column(sa.String(320))
    outcome: Mapped[str] = mapped_column(sa.String(16))
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
