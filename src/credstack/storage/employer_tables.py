"""Tables: employer side: trusted issuers, verification batches, presentation requests, endorsements, jobs (issue 6).

Defined on the shared :class:`~credstack.storage.models.Base`; the migration 0008_employer creates them.
``org_id`` is the organisation's own identifier (a plain string, as in the planner's role profiles), not a foreign
key, so the employer tools work before and beside the accounts tables.

- ``employer_trusted_issuers``: the organisation's trusted-issuer registry (a DID or a web domain per row).
- ``employer_batches`` / ``employer_batch_items``: bulk verification jobs and one result per credential read.
- ``employer_endorsements``: EndorsementCredentials this server signed (for an achievement, an issuer, ...).
- ``employer_presentation_requests``: a challenge and domain the employer asked a learner to answer, and the
  verified answer (a request is answered once: a replay is refused).
- ``employer_jobs`` / ``employer_rankings``: jobs with their required skills, and a log line per ranking run.
- ``employer_team_members``: the people of an organisation the workforce tools look at (no demographic data).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from credstack.storage.models import Base

__all__ = [
    "BatchItemRow",
    "BatchRow",
    "EndorsementRow",
    "JobRow",
    "PresentationRequestRow",
    "RankingRow",
    "TeamMemberRow",
    "TrustedIssuerRow",
]


class TrustedIssuerRow(Base):
    """One entry of an organisation's trusted-issuer registry: ``kind`` is ``did`` or ``domain``."""

    __tablename__ = "employer_trusted_issuers"
    __table_args__ = (
        sa.UniqueConstraint("org_id", "kind", "value", name="uq_employer_trusted_issuers_org_id_kind_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[str] = mapped_column(sa.String(200), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8))
    value: Mapped[str] = mapped_column(sa.String(300))
    label: Mapped[str] = mapped_column(sa.Text, default="")
    added_at: Mapped[datetime]


class BatchRow(Base):
    """A bulk verification job: ``state`` pending -> running -> done (or failed, with ``error``)."""

    __tablename__ = "employer_batches"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(sa.String(200), index=True)
    source: Mapped[str] = mapped_column(sa.String(300))
    state: Mapped[str] = mapped_column(sa.String(16))
    total: Mapped[int]
    done: Mapped[int] = mapped_column(default=0)
    verified: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None]


class BatchItemRow(Base):
    """One input of a batch: its file name, verdict, format, the named checks, and the credential read (if any)."""

    __tablename__ = "employer_batch_items"

    batch_id: Mapped[str] = mapped_column(sa.ForeignKey("employer_batches.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    file: Mapped[str] = mapped_column(sa.String(500))
    verified: Mapped[bool]
    format: Mapped[str] = mapped_column(sa.String(32))
    checks: Mapped[list[Any]]
    credential: Mapped[dict[str, Any] | None]


class EndorsementRow(Base):
    """An OB 3.0 EndorsementCredential signed here: who endorsed (issuer), what (``subject_id``), the document."""

    __tablename__ = "employer_endorsements"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    issuer_id: Mapped[int] = mapped_column(sa.ForeignKey("issuers.id"), index=True)
    subject_id: Mapped[str] = mapped_column(sa.String(500), index=True)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    document: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class PresentationRequestRow(Base):
    """A presentation request: the challenge (unique) and domain a learner's presentation must carry."""

    __tablename__ = "employer_presentation_requests"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(sa.String(200), index=True)
    challenge: Mapped[str] = mapped_column(sa.String(100), unique=True)
    domain: Mapped[str] = mapped_column(sa.String(300))
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    result: Mapped[dict[str, Any] | None]


class JobRow(Base):
    """A job an organisation hires for, with the skills it requires (``skills``: uri, label, weight, essential)."""

    __tablename__ = "employer_jobs"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(sa.String(200), index=True)
    title: Mapped[str] = mapped_column(sa.Text)
    source: Mapped[str] = mapped_column(sa.String(16))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    occupation: Mapped[str | None] = mapped_column(sa.String(300))
    skills: Mapped[list[Any]]
    created_at: Mapped[datetime]


class RankingRow(Base):
    """A log line per ranking run: when, for which job, how many candidates, and the ranked order (ids, scores)."""

    __tablename__ = "employer_rankings"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    org_id: Mapped[str] = mapped_column(sa.String(200), index=True)
    ranked_at: Mapped[datetime]
    candidates: Mapped[int]
    ranking: Mapped[list[Any]]


class TeamMemberRow(Base):
    """A member of an organisation's workforce: an identifier (email or DID), a name and a role profile."""

    __tablename__ = "employer_team_members"

    org_id: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    person: Mapped[str] = mapped_column(sa.String(500), primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text, default="")
    role_profile_id: Mapped[str | None] = mapped_column(sa.String(64))
    added_at: Mapped[datetime]
