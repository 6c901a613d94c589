"""Automatic awards of pathways: exactly once per learner, and reviewed when a component is revoked or suspended.

When a learner's verified credentials meet a pathway (``evaluate_learner``, run by the issuing listener after every
issuance), the pathway's issuer signs two credentials in **one transaction** with the award row:

- an OB 3.0 ``AchievementCredential`` for the qualification (``creditsEarned`` summed, components as evidence);
- a CLR 2.0 ``ClrCredential`` bundling the signed components and the award, with ``isPartOf`` / ``precedes``
  associations.

``pathway_awards`` has UNIQUE(pathway_id, learner): a second decision (another process, a retry) finds the first
award, or loses the race on the constraint and rolls back everything it signed. When a component is revoked or
suspended (the status listener), the award is re-checked with :func:`credstack.stacking.review_on_revocation`; if the
qualification is no longer met (and not met now by other credentials either), it is flagged ``review`` with the
reason, and the award credential and its CLR are **suspended** meanwhile (verifiers see them as suspended, not valid).
It is never revoked automatically: a person decides (``credstack status revoke``, or ``unsuspend`` to keep it). An
unsuspension of the component that makes the tree whole again returns it to ``awarded`` and lifts the suspension.
"""

from __future__ import annotations

import builtins
import hashlib
import logging
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from credstack.errors import InvalidInputError
from credstack.services.issuers import IssuerService
from credstack.services.issuing import IssuedCredential, IssuingService
from credstack.services.learners import HeldCredential, normalise_learner
from credstack.services.status import CredentialStatus, StatusService
from credstack.stacking import (
    Progress,
    award_decision,
    build_award_credential,
    build_clr_credential,
    build_qualification_achievement,
    review_on_revocation,
)
from credstack.storage.engine import Database
from credstack.storage.models import Credential
from credstack.storage.pathway_tables import LearnerCredential, PathwayAward, PathwayAwardComponent, PathwayRow

if TYPE_CHECKING:
    from credstack.services.pathways import PathwayRecord, PathwayService

__all__ = ["AWARD_STATUSES", "AwardRecord", "AwardService", "find_award"]

AWARD_STATUSES = ("awarded", "review")
_log = logging.getLogger(__name__)
_SUITE = "eddsa-rdfc-2022"


@dataclass(frozen=True)
class AwardRecord:
    """An award of a pathway to a learner. ``status`` is ``awarded`` or ``review`` (with ``review_reason``)."""

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
        }


def _record(row: PathwayAward, created: bool = False) -> AwardRecord:
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
        return None if row is None else _record(row)


def _precedes(
    clr: dict[str, Any], pathway: PathwayRecord, parts: Sequence[Any], documents: Sequence[Mapping[str, Any]]
) -> None:
    """Add the CLR's ``precedes`` edges for the pathway's prerequisite rules. The rules name catalog entry ids; the
    components' achievements have the URLs they were published under, so the edges are drawn between those."""
    url_of: dict[str, str] = {}
    for part, document in zip(parts, documents, strict=True):
        subject = document.get("credentialSubject")
        achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
        url = achievement.get("id") if isinstance(achievement, Mapping) else None
        if isinstance(url, str):
            url_of.setdefault(part.achievement_id, url)
    subject = clr["credentialSubject"]
    edges = subject.setdefault("association", [])
    present = {(e.get("associationType"), e.get("sourceId"), e.get("targetId")) for e in edges}
    for rule in pathway.qualification.prerequisites:
        source, target = url_of.get(rule.before), url_of.get(rule.after)
        if source and target and ("precedes", source, target) not in present:
            edges.append({"type": "Association", "associationType": "precedes", "sourceId": source, "targetId": target})
            present.add(("precedes", source, target))
    if not edges:
        del subject["association"]


def _key(kind: str, pathway_id: str, learner: str) -> str:
    digest = hashlib.sha256(f"{pathway_id}\n{learner}".encode()).hexdigest()
    return f"pathway-{kind}:{digest}"


class AwardService:
    """Awards: decide and issue (exactly once), list, and review on status changes."""

    def __init__(
        self,
        db: Database,
        pathways: PathwayService,
        issuers: IssuerService,
        issuing: IssuingService,
        clock: Callable[[], datetime],
        status: StatusService | None = None,
    ) -> None:
        self._db = db
        self._pathways = pathways
        self._issuers = issuers
        self._issuing = issuing
        self._clock = clock
        self._status = status

    # -- listing -----------------------------------------------------------------------------------------------
    def list(
        self, *, status: str | None = None, pathway_id: str | None = None, learner: str | None = None
    ) -> list[AwardRecord]:
        """Awards, newest first; ``status`` ``awarded`` or ``review``."""
        if status is not None and status not in AWARD_STATUSES:
            raise InvalidInputError(f"award status must be one of {', '.join(AWARD_STATUSES)}, got {status!r}")
        query = sa.select(PathwayAward).order_by(PathwayAward.awarded_at.desc(), PathwayAward.id)
        if status is not None:
            query = query.where(PathwayAward.status == status)
        if pathway_id is not None:
            query = query.where(PathwayAward.pathway_id == pathway_id)
        if learner is not None:
            query = query.where(PathwayAward.learner == normalise_learner(learner))
        with self._db.read() as session:
            return [_record(row) for row in session.scalars(query)]

    # -- awarding ----------------------------------------------------------------------------------------------
    def evaluate_learner(self, learner: str, *, extra: Sequence[Mapping[str, Any]] = ()) -> builtins.list[AwardRecord]:
        """Award every pathway the learner now meets and does not hold yet; returns the new awards. A nested
        pathway's award can complete an outer one, so this repeats (at most as deep as pathways nest)."""
        key = normalise_learner(learner)
        made: list[AwardRecord] = []
        with self._db.read() as session:  # the common case on a server without pathways: one cheap query
            if not session.scalar(sa.select(sa.func.count()).select_from(PathwayRow)):
                return made
        for _ in range(8):
            context = self._pathways.contexts.context()
            if not context.qualifications:
                return made
            with self._db.read() as session:
                held_ids = set(session.scalars(sa.select(PathwayAward.pathway_id).where(PathwayAward.learner == key)))
            todo = [pid for pid in sorted(context.qualifications) if pid not in held_ids]
            if not todo:
                return made
            now = self._clock()
            held, facts, context = self._pathways.facts(key, extra=extra, at=now)
            new = []
            for pathway_id in todo:
                progress = self._pathways.evaluator(pathway_id, context).progress(facts, at=now)
                if progress.satisfied:
                    record = self.award(self._pathways.get(pathway_id), key, progress, held)
                    if record.created:
                        new.append(record)
            made.extend(new)
            if not new:
                return made
        return made

    def award(
        self, pathway: PathwayRecord, learner: str, progress: Progress, held: Sequence[HeldCredential]
    ) -> AwardRecord:
        """Issue the award and the CLR for a met pathway, exactly once (``created`` False when it was there)."""
        key = normalise_learner(learner)
        existing = find_award(self._db, pathway.id, key)
        if existing is not None:
            return existing
        decision = award_decision(pathway.qualification, progress)
        if not decision.satisfied:
            raise InvalidInputError(f"pathway {pathway.id} is not met by {key}: {decision.reason}")
        documents = {h.credential_id: h.credential for h in held}
        components = [documents[c.credential_id] for c in decision.components]
        base = self._pathways.base_url
        context = self._pathways.contexts.context()
        achievement = build_qualification_achievement(
            pathway.qualification,
            names=dict(context.names),
            criteria_url=f"{base}/pathways/{pathway.id}",
            creator=pathway.issuer.profile(),
        )
        award_id, clr_id = uuid.uuid4().hex, uuid.uuid4().hex
        now = self._clock()
        unsigned = build_award_credential(
            decision,
            credential_id=f"{base}/credentials/{award_id}",
            achievement=achievement,
            recipient=key,
            salt=secrets.token_hex(8),
            components=components,
            valid_from=now,
        )
        parts = [
            {
                "credentialId": c.credential_id,
                "achievementId": c.achievement_id,
                "name": context.name(c.achievement_id),
                "issuerId": c.issuer_id,
                "credits": c.credits,
            }
            for c in decision.components
        ]
        try:
            with self._db.write() as session:
                found = session.scalars(
                    sa.select(PathwayAward).where(PathwayAward.pathway_id == pathway.id, PathwayAward.learner == key)
                ).first()
                if found is not None:
                    return _record(found)
                row = PathwayAward(
                    id=uuid.uuid4().hex,
                    pathway_id=pathway.id,
                    learner=key,
                    status="awarded",
                    credits_earned=decision.credits_earned,
                    components=parts,
                    pathway_version=pathway.version,
                    awarded_at=now,
                )
                session.add(row)
                session.flush()  # PostgreSQL: a concurrent award of the same pair waits here, then fails
                signed, _ = self._issuing.issue_in(
                    session,
                    unsigned,
                    issuer_id=pathway.issuer.id,
                    credential_id=award_id,
                    achievement_id=None,
                    cryptosuite=_SUITE,
                    idempotency_key=_key("award", pathway.id, key),
                )
                clr = build_clr_credential(
                    decision,
                    credential_id=f"{base}/credentials/{clr_id}",
                    achievement=achievement,
                    recipient=key,
                    salt=secrets.token_hex(8),
                    components=components,
                    award_credential=signed.credential,
                    valid_from=now,
                )
                _precedes(clr, pathway, decision.components, components)
                bundle, _ = self._issuing.issue_in(
                    session,
                    clr,
                    issuer_id=pathway.issuer.id,
                    credential_id=clr_id,
                    achievement_id=None,
                    cryptosuite=_SUITE,
                    idempotency_key=_key("clr", pathway.id, key),
                )
                row.award_credential_id = signed.id
                row.clr_credential_id = bundle.id
                session.add_all(
                    [
                        LearnerCredential(credential_id=signed.id, learner=key),
                        LearnerCredential(credential_id=bundle.id, learner=key),
                        *(PathwayAwardComponent(award_id=row.id, credential_id=cid) for cid in decision.component_ids),
                    ]
                )
                session.flush()
                return _record(row, created=True)
        except IntegrityError:
            winner = find_award(self._db, pathway.id, key)
            if winner is None:
                raise
            return winner

    # -- listeners ---------------------------------------------------------------------------------------------
    def on_issued(self, issued: IssuedCredential, recipient: str | None) -> None:
        """Issuing listener: award what the recipient now meets."""
        learner = recipient
        if learner is None:
            subject = issued.credential.get("credentialSubject")
            learner = subject.get("id") if isinstance(subject, Mapping) else None
        if isinstance(learner, str) and learner.strip():
            self.evaluate_learner(learner)

    def on_status(self, status: CredentialStatus, action: str) -> None:
        """Status listener: review the awards that rest on a credential whose status changed."""
        with self._db.read() as session:
            document_id = session.scalar(sa.select(Credential.document_id).where(Credential.id == status.credential_id))
            if document_id is None:
                return
            award_ids = list(
                session.scalars(
                    sa.select(PathwayAwardComponent.award_id).where(PathwayAwardComponent.credential_id == document_id)
                )
            )
        for award_id in award_ids:
            self.review(award_id, document_id, action)

    def review(self, award_id: str, credential_id: str, action: str) -> AwardRecord:
        """Re-check one award after ``credential_id`` was revoked, suspended or unsuspended."""
        with self._db.read() as session:
            row = session.get(PathwayAward, award_id)
            if row is None:
                raise InvalidInputError(f"no award {award_id}")
            award = _record(row)
        now = self._clock()
        _, facts, context = self._pathways.facts(award.learner, at=now)
        evaluator = self._pathways.evaluator(award.pathway_id, context)
        progress_now = evaluator.progress(facts, at=now)
        if action == "unsuspend":
            if award.status == "review" and progress_now.satisfied:
                note = f"restored {now:%Y-%m-%d}: {credential_id} was unsuspended and the requirements are met again"
                restored = self._set(award.id, "awarded", note, None)
                self._hold(restored, lift=True)
                return restored
            return award
        # As at the award: the facts then, with this credential as it was (verified), re-checked without it.
        then = [replace(f, state="verified") if f.credential_id == credential_id else f for f in facts]
        decision = award_decision(evaluator.qualification, evaluator.progress(then, at=award.awarded_at))
        verb = "revoked" if action == "revoke" else "suspended"
        if not decision.satisfied:  # the facts changed in other ways too (expiry, other revocations)
            reason = f"component {credential_id} {verb}; the qualification is no longer met"
        else:
            review = review_on_revocation(decision, credential_id)
            if review.still_stands:
                return award
            reason = f"component {credential_id} {verb}: {review.reason}"
        if progress_now.satisfied:
            return award  # other credentials, earned since, carry it now
        _log.info("award %s of pathway %s flagged for review: %s", award.id, award.pathway_id, reason)
        flagged = self._set(award.id, "review", reason, now)
        self._hold(flagged, lift=False)
        return flagged

    def _hold(self, award: AwardRecord, *, lift: bool) -> None:
        """Suspend the award and its CLR while under review (so no verifier sees them as valid), or lift that."""
        if self._status is None:
            return
        for credential_id in (award.award_credential_id, award.clr_credential_id):
            if credential_id is None:
                continue
            state = self._status.status_of(credential_id).state
            if lift and state == "suspended":
                self._status.unsuspend(credential_id)
            elif not lift and state == "active":
                self._status.suspend(credential_id)

    def _set(self, award_id: str, status: str, reason: str, flagged_at: datetime | None) -> AwardRecord:
        with self._db.write() as session:
            row = session.get(PathwayAward, award_id, with_for_update=True)
            if row is None:  # pragma: no cover - awards are never deleted
                raise InvalidInputError(f"no award {award_id}")
            row.status = status
            row.review_reason = reason[:4000]
            if flagged_at is not None:
                row.flagged_at = flagged_at
            session.flush()
            return _record(row)
