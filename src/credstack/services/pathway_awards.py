"""Automatic awards of pathways: exactly once per learner.

When a learner's verified credentials meet a pathway (``evaluate_learner``, run by the issuing listener after every
issuance), the pathway's issuer signs two credentials in **one transaction** with the award row:

- an OB 3.0 ``AchievementCredential`` for the qualification (``creditsEarned`` summed, components as evidence);
- a CLR 2.0 ``ClrCredential`` bundling the signed components and the award, with ``isPartOf`` / ``precedes``
  associations.

``pathway_awards`` has UNIQUE(pathway_id, learner): a second decision (another process, a retry) finds the first
award, or loses the race on the constraint and rolls back everything it signed.

Awards are reviewed (flagged when a component is revoked, suspended or expires; restored when the tree stands again;
the sweep behind ``credstack pathway review``) by :class:`credstack.services.pathway_review.AwardReview`,
``AwardService.reviews``. Reads never write: :meth:`AwardService.list` shows an award whose component expired as the
sweep would record it (``recorded`` False) and leaves the recording to the write paths.
"""

from __future__ import annotations

import builtins
import hashlib
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from credstack.errors import InvalidInputError
from credstack.services.issuers import IssuerService
from credstack.services.issuing import IssuedCredential, IssuingService
from credstack.services.learners import HeldCredential, normalise_learner
from credstack.services.pathway_award_records import AWARD_STATUSES, AwardRecord, award_record, find_award
from credstack.services.pathway_review import AwardReview, SweepReport
from credstack.services.pathway_words import pathway_words
from credstack.services.status import StatusService
from credstack.stacking import (
    Progress,
    award_decision,
    build_award_credential,
    build_clr_credential,
    build_qualification_achievement,
)
from credstack.storage.engine import Database
from credstack.storage.pathway_tables import LearnerCredential, PathwayAward, PathwayAwardComponent, PathwayRow

if TYPE_CHECKING:
    from credstack.services.pathways import PathwayRecord, PathwayService

__all__ = ["AWARD_STATUSES", "AwardRecord", "AwardService", "SweepReport", "find_award"]

_SUITE = "eddsa-rdfc-2022"


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
    """Awards: decide and issue (exactly once) and list; their review is :attr:`reviews`."""

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
        #: review of the awards (on status changes, the sweep, as they stand now for reads)
        self.reviews = AwardReview(db, pathways, clock, status)

    # -- listing -----------------------------------------------------------------------------------------------
    def list(
        self,
        *,
        status: str | None = None,
        pathway_id: str | None = None,
        learner: str | None = None,
    ) -> list[AwardRecord]:
        """Awards, newest first; ``status`` ``awarded``, ``review`` or ``revoked``. A read writes nothing: an
        ``awarded`` award with a component past its ``validUntil`` that no longer stands is shown as the review
        sweep would record it (``review``, the reason in words, ``recorded`` False); the sweep (``credstack pathway
        review``) and the next issuance, import or status change for the learner record it and suspend the award's
        credentials. ``status`` filters on the status shown."""
        if status is not None and status not in AWARD_STATUSES:
            raise InvalidInputError(f"award status must be one of {', '.join(AWARD_STATUSES)}, got {status!r}")
        query = sa.select(PathwayAward).order_by(PathwayAward.awarded_at.desc(), PathwayAward.id)
        if pathway_id is not None:
            query = query.where(PathwayAward.pathway_id == pathway_id)
        if learner is not None:
            query = query.where(PathwayAward.learner == normalise_learner(learner))
        with self._db.read() as session:
            awards = [award_record(row) for row in session.scalars(query)]
        shown = self.reviews.as_now(awards, self._clock())
        return [a for a in shown if status is None or a.status == status]

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
                rows = session.scalars(sa.select(PathwayAward).where(PathwayAward.learner == key))
                mine = {row.pathway_id: award_record(row) for row in rows}
            now = self._clock()
            todo = [pid for pid in sorted(context.qualifications) if pid not in mine]
            # a renewed component can make one under review whole again; an expired one unmake an awarded one
            expired = set(
                self.reviews.expired([(a.id, list(a.components)) for a in mine.values() if a.status == "awarded"], now)
            )
            review = [
                a
                for a in mine.values()
                if (a.status == "review" or a.id in expired) and a.pathway_id in context.qualifications
            ]
            if not todo and not review:
                return made
            held, facts, context = self._pathways.facts(key, extra=extra, at=now, bundles=False)
            for award in review if not extra else ():
                self.reviews.check(award, held, facts, now)
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
        # issuer and skill names read now (not the pages' cached words): the narrative is signed, for good
        words = pathway_words(self._db, context.names, {pathway.id: pathway.qualification})
        achievement = build_qualification_achievement(
            pathway.qualification,
            names=words.signed_names(),
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
        until = {h.credential_id: h.valid_until.isoformat() for h in held if h.valid_until is not None}
        titles = {h.credential_id: h.achievement_name for h in held if h.achievement_name}
        parts = [
            {
                "credentialId": c.credential_id,
                "achievementId": c.achievement_id,
                "name": context.names.get(c.achievement_id) or titles.get(c.credential_id) or c.achievement_id,
                "issuerId": c.issuer_id,
                "credits": c.credits,
                "validUntil": until.get(c.credential_id),
            }
            for c in decision.components
        ]
        try:
            with self._db.write() as session:
                found = session.scalars(
                    sa.select(PathwayAward).where(PathwayAward.pathway_id == pathway.id, PathwayAward.learner == key)
                ).first()
                if found is not None:
                    return award_record(found)
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
                return award_record(row, created=True)
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
