"""The award decision for a qualification, and what a later revocation of one of its components means for it.

``award_decision(qualification, progress)`` is the value the service stores when it issues (or declines to issue)
the stacked credential: whether the tree is met, the credits summed for ``creditsEarned`` and the component
credentials. ``review_on_revocation(award, credential_id)`` re-evaluates the same facts, at the same time, without
the revoked credential: the award either still stands (other credentials carry it) or is flagged for review, with
the nodes that are no longer met. It never revokes anything itself: that is a human's decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from credstack.errors import InvalidInputError
from credstack.stacking.facts import CredentialFact
from credstack.stacking.model import Qualification
from credstack.stacking.progress import Component, Progress

__all__ = ["AwardDecision", "RevocationReview", "award_decision", "review_on_revocation"]


@dataclass(frozen=True)
class AwardDecision:
    """Whether to award ``qualification_id``, for ``credits_earned`` credits, resting on ``components``."""

    qualification_id: str
    award_achievement_id: str
    satisfied: bool
    credits_earned: float
    components: tuple[Component, ...]
    at: datetime
    reason: str
    progress: Progress = field(repr=False, compare=False)

    @property
    def component_ids(self) -> tuple[str, ...]:
        return tuple(c.credential_id for c in self.components)


@dataclass(frozen=True)
class RevocationReview:
    """The outcome of re-checking an award without one revoked component."""

    qualification_id: str
    revoked_credential_id: str
    was_component: bool
    still_stands: bool
    flag_for_review: bool
    reason: str
    components: tuple[Component, ...]
    credits_earned: float


def award_decision(qualification: Qualification, progress: Progress) -> AwardDecision:
    """The award decision for ``progress`` (which must be progress toward ``qualification``)."""
    if progress.qualification_id != qualification.id:
        raise InvalidInputError(
            f"progress is toward {progress.qualification_id}, not toward qualification {qualification.id}"
        )
    if progress.satisfied:
        reason = f"all requirements met by {len(progress.components)} credential(s)"
        components = progress.components
        credits = progress.credits_earned
    else:
        unmet = "; ".join(f"{node.path}: {node.reason}" for node in progress.missing)
        reason = f"not yet: {progress.percent:g}% complete; {unmet or 'requirements unmet'}"
        components = ()
        credits = 0.0
    return AwardDecision(
        qualification_id=qualification.id,
        award_achievement_id=qualification.award_achievement_id,
        satisfied=progress.satisfied,
        credits_earned=credits,
        components=components,
        at=progress.at,
        reason=reason,
        progress=progress,
    )


def review_on_revocation(award: AwardDecision, revoked_credential_id: str) -> RevocationReview:
    """Does ``award`` still stand once ``revoked_credential_id`` no longer counts?

    The facts the award was decided on are re-evaluated at the award's time with that credential marked revoked.
    If the tree is still met, the award stands (the new components are returned); if not, it is flagged for review
    with the nodes that are no longer met.
    """
    if not award.satisfied:
        raise InvalidInputError(f"qualification {award.qualification_id} was not awarded; there is nothing to review")
    was_component = revoked_credential_id in award.component_ids
    if not was_component:
        return RevocationReview(
            award.qualification_id,
            revoked_credential_id,
            False,
            True,
            False,
            f"{revoked_credential_id} is not a component of this award",
            award.components,
            award.credits_earned,
        )
    facts: list[CredentialFact] = [
        replace(f, state="revoked") if f.credential_id == revoked_credential_id else f for f in award.progress.facts
    ]
    progress = award.progress.evaluator.progress(facts, at=award.at)
    if progress.satisfied:
        return RevocationReview(
            award.qualification_id,
            revoked_credential_id,
            True,
            True,
            False,
            f"still met without {revoked_credential_id}: other credentials carry every requirement",
            progress.components,
            progress.credits_earned,
        )
    unmet = "; ".join(f"{node.path}: {node.reason}" for node in progress.missing)
    return RevocationReview(
        award.qualification_id,
        revoked_credential_id,
        True,
        False,
        True,
        f"without {revoked_credential_id} the qualification is no longer met ({progress.percent:g}%): {unmet}",
        progress.components,
        progress.credits_earned,
    )
