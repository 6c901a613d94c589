"""Tables for: Pathways (qualifications), the learner index of issued credentials, and awards (issue 3).

- ``pathways``: a qualification (stack, pathway) in the JSON form of docs/stacking.md, the issuer that awards it and
  a version bumped on every replace.
- ``learner_credentials``: which learner (a DID, or a lower-cased e-mail address) each issued credential was issued
  to. ``credentials.recipient`` only holds a subject id; an e-mail recipient is a salted hash in the document, so the
  issuing hook records the plain identifier here when it knows it.
- ``pathway_awards``: one row per (pathway, learner), UNIQUE, so a qualification is awarded exactly once even when
  two processes decide at the same moment. ``status`` is ``awarded`` or ``review`` (a component was revoked or
  suspended and the tree is no longer met: a person must decide). ``components`` lists the credentials it rests on.
- ``pathway_award_components``: the same components, one row each, to find the awards a revocation touches.

Defined on the shared :class:`~credstack.storage.models.Base`; the migration 0004_pathways creates them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from credstack.storage.models import Base

__all__ = ["LearnerCredential", "PathwayAward", "PathwayAwardComponent", "PathwayRow"]


class PathwayRow(Base):
    """A qualification: its JSON definition, the issuer of its award, and a version bumped on every replace."""

    __tablename__ = "pathways"

    id: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    issuer_id: Mapped[int] = mapped_column(sa.ForeignKey("issuers.id"), index=True)
    definition: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class LearnerCredential(Base):
    """The learner an issued credential belongs to (DID or lower-cased e-mail address)."""

    __tablename__ = "learner_credentials"

    credential_id: Mapped[str] = mapped_column(
        sa.String(64), sa.ForeignKey("credentials.id", ondelete="CASCADE"), primary_key=True
    )
    learner: Mapped[str] = mapped_column(sa.String(500), index=True)


class PathwayAward(Base):
    """A learner's award of a pathway (exactly one per pathway and learner) and its review state."""

    __tablename__ = "pathway_awards"
    __table_args__ = (sa.UniqueConstraint("pathway_id", "learner", name="uq_pathway_awards_pathway_id_learner"),)

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    pathway_id: Mapped[str] = mapped_column(sa.String(200), sa.ForeignKey("pathways.id"), index=True)
    learner: Mapped[str] = mapped_column(sa.String(500), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="awarded", index=True)
    credits_earned: Mapped[float] = mapped_column(default=0.0)
    components: Mapped[list[Any]] = mapped_column(default=list)
    award_credential_id: Mapped[str | None] = mapped_column(sa.String(64))
    clr_credential_id: Mapped[str | None] = mapped_column(sa.String(64))
    pathway_version: Mapped[int]
    awarded_at: Mapped[datetime] = mapped_column(index=True)
    review_reason: Mapped[str | None] = mapped_column(sa.Text)
    flagged_at: Mapped[datetime | None]


class PathwayAwardComponent(Base):
    """One credential an award rests on (its document id, as in the award's evidence)."""

    __tablename__ = "pathway_award_components"

    award_id: Mapped[str] = mapped_column(
        sa.String(64), sa.ForeignKey("pathway_awards.id", ondelete="CASCADE"), primary_key=True
    )
    credential_id: Mapped[str] = mapped_column(sa.String(500), primary_key=True, index=True)
