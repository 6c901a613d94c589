"""The record of a pathway award, shared by awarding (:mod:`credstack.services.pathway_awards`) and review
(:mod:`credstack.services.pathway_review`): :class:`AwardRecord`, made from its row, and :func:`find_award`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from credstack.services.learners import normalise_learner
from credstack.storage.engine import Database
from credstack.storage.pathway_tables import PathwayAward

__all__ = ["AWARD_STATUSES", "AwardRecord", "award_record", "find_award"]

AWARD_STATUSES = ("awarded", "review", "revoked")


@dataclass(frozen=True)
class AwardRecord:
    """An award of a pathway to a learner. ``status`` is ``awarded``, ``review`` (with ``review_reason``) or
    ``revoked`` (a person revoked the award credential; its CLR is revoked with it)."""

    id: str
    pathway_id: str
    learner: str
    status: str
    credits_earned: float
    components: tuple[dict[str, Any], ...]
    award_credential_id: str | None
    clr_credential_id: str | None
    awarded_at: datetime
    review_reason: str | None
    flagged_at: datetime | None
    pathway_version: int
    created: bool = False
    #: False when the status shown was computed on read and is not recorded yet (see :meth:`AwardService.list`)
    recorded: bool = True

    def to_json(self, base_url: str | None = None) -> dict[str, Any]:
        def url(cid: str | None) -> str | None:
            return None if cid is None or base_url is None else f"{base_url}/credentials/{cid}"

        return {
            "id": self.id,
            "pathwayId": self.pathway_id,
            "learner": self.learner,
            "status": self.status,
            "creditsEarned": self.credits_earned,
            "components": list(self.components),
            "awardCredentialId": self.award_credential_id,
            "clrCredentialId": self.clr_credential_id,
            "awardCredentialUrl": url(self.award_credential_id),
            "clrCredentialUrl": url(self.clr_credential_id),
            "awardedAt": self.awarded_at.isoformat(),
            "reviewReason": self.review_reason,
            "flaggedAt": None if self.flagged_at is None else self.flagged_at.isoformat(),
            "pathwayVersion": self.pathway_version,
            "recorded": self.recorded,
        }


def award_record(row: PathwayAward, created: bool = False) -> AwardRecord:
    """The record of a stored award (``created``: made by the call that returns it)."""
    return AwardRecord(
        id=row.id,
        pathway_id=row.pathway_id,
        learner=row.learner,
        status=row.status,
        credits_earned=row.credits_earned,
        components=tuple(dict(c) for c in row.components),
        award_credential_id=row.award_credential_id,
        clr_credential_id=row.clr_credential_id,
        awarded_at=row.awarded_at,
        review_reason=row.review_reason,
        flagged_at=row.flagged_at,
        pathway_version=row.pathway_version,
        created=created,
    )


def find_award(db: Database, pathway_id: str, learner: str) -> AwardRecord | None:
    """The award of ``pathway_id`` to ``learner``, if there is one."""
    key = normalise_learner(learner)
    with db.read() as session:
        row = session.scalars(
            sa.select(PathwayAward).where(PathwayAward.pathway_id == pathway_id, PathwayAward.learner == key)
        ).first()
        return None if row is None else award_record(row)
