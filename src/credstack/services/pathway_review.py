"""Review of pathway awards: flagged when a component stops counting, restored when the tree stands again.

When a component is revoked or suspended (the status listener, :meth:`AwardReview.on_status`), the award is
re-checked with :func:`credstack.stacking.review_on_revocation`; if the qualification is no longer met (and not met
now by other credentials either), it is flagged ``review`` with the reason, and the award credential and its CLR are
**suspended** meanwhile (verifiers see them as suspended, not valid). It is never revoked automatically: a person
decides (``credstack status revoke``, or ``unsuspend`` to keep it). An unsuspension of the component that makes the
tree whole again returns it to ``awarded`` and lifts the suspension.

Components can also stop counting without a status change here: they expire (``validUntil``), are revoked by another
issuer, or leave the learner's wallet. :meth:`AwardReview.sweep` re-checks awards for that (``credstack pathway
review``: every award, each learner's credentials verified once); the issuance, import and status listeners run a
cheap version for the learner concerned (only awards with a component past its ``validUntil``, known from the stored
components). Both flag as above and restore an award in review that stands again (a component renewed, unsuspended
elsewhere). Unsuspending a flagged award's credential is a person keeping it: it returns to ``awarded`` and the
components' failures it was flagged for are not flagged again.

Reads never write: :meth:`AwardReview.as_now` (behind ``AwardService.list``) and a learner's progress show an award
whose component expired as the sweep would record it (:meth:`AwardReview.assess`, ``recorded`` False) and leave the
recording to the write paths. Awarding itself is :mod:`credstack.services.pathway_awards`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from credstack.domain.shape import parse_datetime
from credstack.errors import InvalidInputError
from credstack.services.learners import HeldCredential, normalise_learner
from credstack.services.pathway_award_records import AwardRecord, award_record
from credstack.services.status import CredentialStatus, StatusService
from credstack.stacking import CredentialFact, award_decision, review_on_revocation
from credstack.storage.engine import Database
from credstack.storage.models import Credential
from credstack.storage.pathway_tables import PathwayAward, PathwayAwardComponent

if TYPE_CHECKING:
    from credstack.services.pathways import PathwayService

__all__ = ["AwardReview", "SweepReport"]

#: the logger named in docs/stacking.md (kept from before the review moved out of pathway_awards)
_log = logging.getLogger("credstack.services.pathway_awards")


@dataclass(frozen=True)
class SweepReport:
    """What a review sweep did: how many awards it checked, and those it flagged or restored."""

    checked: int
    flagged: tuple[AwardRecord, ...]
    restored: tuple[AwardRecord, ...]

    def to_json(self, base_url: str | None = None) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "flagged": [a.to_json(base_url) for a in self.flagged],
            "restored": [a.to_json(base_url) for a in self.restored],
        }


def _component_words(name: str, held: HeldCredential | None, credential_id: str | None) -> str:
    """A component as a person reads it: "Unit 4 (credential issued 2026-01-02)", never a credential URL."""
    day = held.earned or held.valid_from if held is not None else None
    if day is not None:
        return f"{name} (credential issued {day:%Y-%m-%d})"
    if credential_id:
        return f"{name} (credential …{str(credential_id).rstrip('/')[-8:]})"
    return name


_STATE_WORDS = {
    "revoked": "was revoked by its issuer",
    "suspended": "was suspended by its issuer",
    "tampered": "no longer verifies (its contents were changed after signing)",
}


def _failure(component: Mapping[str, Any], held: HeldCredential | None) -> tuple[str, str] | None:
    """(state, why in words) when a component of an award no longer counts, None while it verifies."""
    name = component.get("name") or component.get("achievementId") or "a component"
    if name == component.get("achievementId") and held is not None and held.achievement_name:
        name = held.achievement_name  # an outside achievement: the catalog has no name for it
    cid = component.get("credentialId")
    label = _component_words(str(name), held, None if cid is None else str(cid))
    if held is None:
        return "missing", f"{label} is no longer among the learner's credentials"
    if held.verified:
        return None
    if held.state == "expired":
        day = f" on {held.valid_until:%Y-%m-%d}" if held.valid_until is not None else ""
        return "expired", f"{label} expired{day}"
    return held.state, f"{label} {_STATE_WORDS.get(held.state, 'no longer verifies')}"


class AwardReview:
    """Review of awards: on status changes (:meth:`on_status`), by the sweep (:meth:`sweep`), and as they stand now
    for reads (:meth:`as_now`, :meth:`assess`)."""

    def __init__(
        self,
        db: Database,
        pathways: PathwayService,
        clock: Callable[[], datetime],
        status: StatusService | None = None,
    ) -> None:
        self._db = db
        self._pathways = pathways
        self._clock = clock
        self._status = status

    # -- as the awards stand now (reads) -----------------------------------------------------------------------
    def as_now(self, awards: Sequence[AwardRecord], now: datetime) -> list[AwardRecord]:
        """``awards`` as they stand at ``now``, computed without writing: those ``awarded`` with a component past
        its ``validUntil`` are re-checked against the learner's credentials (verified once per learner)."""
        pairs = [(a.id, list(a.components)) for a in awards if a.status == "awarded"]
        expired = set(self.expired(pairs, now, store=False)) if pairs else set()
        if not expired:
            return list(awards)
        by_id = {a.id: a for a in awards}
        for key in sorted({by_id[i].learner for i in expired}):
            held, facts, context = self._pathways.facts(key, at=now, bundles=False)
            for award_id in sorted(i for i in expired if by_id[i].learner == key):
                if by_id[award_id].pathway_id in context.qualifications:
                    by_id[award_id] = self.assess(by_id[award_id], held, facts, now)
        return [by_id[a.id] for a in awards]

    # -- the review sweep --------------------------------------------------------------------------------------
    def sweep(self, *, pathway_id: str | None = None, learner: str | None = None, verify: bool = True) -> SweepReport:
        """Re-check awards whose components may have stopped counting without a status change here: expired
        (``validUntil`` passed), revoked or suspended by another issuer, tampered, gone from the wallet.

        ``verify`` (``credstack pathway review``): every award (of ``pathway_id`` / ``learner`` when given) is
        re-checked, each learner's credentials verified once. Without it (run by the issuance, import and status
        listeners for the learner concerned) only ``awarded`` awards with a component past its ``validUntil`` (from
        the stored components, else the credential issued here) are re-checked: no verification when none has
        expired. An award that no longer
        stands is flagged ``review`` with the reason (and suspended, as on a revocation); one in review that stands
        again is restored. Idempotent: a flagged award is not flagged again, nor a kept one for the same failures.
        """
        filters = [PathwayAward.status == "awarded" if not verify else PathwayAward.status != "revoked"]
        if pathway_id is not None:
            filters.append(PathwayAward.pathway_id == pathway_id)
        if learner is not None:
            filters.append(PathwayAward.learner == normalise_learner(learner))
        now = self._clock()
        if not verify:  # the cheap pass reads only the components, and whole awards only for those past a validUntil
            with self._db.read() as session:
                rows = session.execute(sa.select(PathwayAward.id, PathwayAward.components).where(*filters))
                pairs = [(award_id, list(components)) for award_id, components in rows]
            ids = self.expired(pairs, now)
            if not ids:
                return SweepReport(0, (), ())
            filters.append(PathwayAward.id.in_(ids))
        with self._db.read() as session:
            query = sa.select(PathwayAward).where(*filters).order_by(PathwayAward.learner, PathwayAward.id)
            awards = [award_record(row) for row in session.scalars(query)]
        by_learner: dict[str, list[AwardRecord]] = {}
        for award in awards:
            by_learner.setdefault(award.learner, []).append(award)
        flagged: list[AwardRecord] = []
        restored: list[AwardRecord] = []
        for key, mine in by_learner.items():
            held, facts, context = self._pathways.facts(key, at=now, bundles=False)
            for award in mine:
                if award.pathway_id not in context.qualifications:
                    continue  # pragma: no cover - pathways with awards are never deleted
                result = self.check(award, held, facts, now)
                if result.status != award.status:
                    (flagged if result.status == "review" else restored).append(result)
        return SweepReport(len(awards), tuple(flagged), tuple(restored))

    def expired(self, awards: Sequence[tuple[str, list[Any]]], now: datetime, *, store: bool = True) -> list[str]:
        """The ids of the awards (id, components) with a component past its ``validUntil`` not kept expired. With
        ``store`` (write paths only), a ``validUntil`` read from the credential is stored in the award."""
        unknown = {
            str(c.get("credentialId"))
            for _, components in awards
            for c in components
            if "validUntil" not in c and c.get("kept") != "expired"
        }
        until: dict[str, datetime | None] = {}
        if unknown:  # awards made before the components' validUntil was stored: read the credentials issued here
            with self._db.read() as session:
                rows = session.execute(
                    sa.select(Credential.document_id, Credential.document).where(
                        Credential.document_id.in_(sorted(unknown))
                    )
                )
                for document_id, document in rows:
                    ends = document.get("validUntil") or document.get("expirationDate")
                    until[document_id] = parse_datetime(ends)
            if store:
                self._store_valid_until([a for a in awards if any("validUntil" not in c for c in a[1])], until)
        out = []
        for award_id, components in awards:
            for component in components:
                if component.get("kept") == "expired":
                    continue
                cid = str(component.get("credentialId"))
                limit = parse_datetime(component["validUntil"]) if "validUntil" in component else until.get(cid)
                if limit is not None and limit <= now:
                    out.append(award_id)
                    break
        return out

    def _store_valid_until(self, awards: Sequence[tuple[str, list[Any]]], until: Mapping[str, datetime | None]) -> None:
        """Write the components' ``validUntil`` into awards that lack it (once: later reads need no lookup). An
        outside component's is unknown here (None); the full sweep verifies it."""
        with self._db.write() as session:
            for award_id, _ in awards:
                row = session.get(PathwayAward, award_id, with_for_update=True)
                if row is None:  # pragma: no cover - awards are never deleted
                    continue
                components = [dict(c) for c in row.components]
                for component in components:
                    if "validUntil" not in component:
                        limit = until.get(str(component.get("credentialId")))
                        component["validUntil"] = None if limit is None else limit.isoformat()
                row.components = components

    def check(
        self,
        award: AwardRecord,
        held: Sequence[HeldCredential],
        facts: Sequence[CredentialFact],
        now: datetime,
        *,
        unsuspended: str | None = None,
    ) -> AwardRecord:
        """Re-check one award against the learner's credentials verified at ``now`` (``held`` and their ``facts``)
        and record the outcome (a write path): flag it when a component stopped counting and the tree is no longer
        met without it (as at the award, or now), suspending its credentials; restore it from review when it stands
        again, lifting that. ``unsuspended``: the component whose unsuspension asked (an award that still does not
        stand then says what else is missing). Returns the award as it is afterwards."""
        change = self._decide(award, held, facts, now, unsuspended=unsuspended)
        if change is None:
            return award
        status, reason, flagged_at, flagged = change
        if status == "review" and award.status == "awarded":
            _log.info("award %s of pathway %s flagged for review: %s", award.id, award.pathway_id, reason)
        result = self._set(award.id, status, reason, flagged_at, flagged=flagged)
        if status != award.status:
            self._hold(result, lift=status == "awarded")
        return result

    def assess(
        self, award: AwardRecord, held: Sequence[HeldCredential], facts: Sequence[CredentialFact], now: datetime
    ) -> AwardRecord:
        """The award as :meth:`check` would leave it, computed without writing (for reads): a changed one has
        ``recorded`` False and no ``flagged_at`` until a write path records it."""
        change = self._decide(award, held, facts, now)
        if change is None:
            return award
        status, reason, _, flagged = change
        components = tuple(
            {**c, "flagged": flagged[str(c.get("credentialId"))]} if str(c.get("credentialId")) in flagged else c
            for c in award.components
        )
        flagged_at = award.flagged_at if status == award.status else None
        return replace(
            award,
            status=status,
            review_reason=reason[:4000],
            flagged_at=flagged_at,
            components=components,
            recorded=False,
        )

    def _decide(
        self,
        award: AwardRecord,
        held: Sequence[HeldCredential],
        facts: Sequence[CredentialFact],
        now: datetime,
        *,
        unsuspended: str | None = None,
    ) -> tuple[str, str, datetime | None, dict[str, str]] | None:
        """What :meth:`check` records, decided without writing: ``(status, reason, flagged_at, {credential id:
        failure it is flagged for})``, or None when the award stays as it is."""
        if award.status == "revoked":
            return None
        evaluator = self._pathways.evaluator(award.pathway_id)
        stands = self._stands(award, evaluator, facts, now)
        if award.status == "review":
            if stands and not self._revoked(award):
                if unsuspended is not None:
                    note = f"restored {now:%Y-%m-%d}: {unsuspended} was unsuspended and the requirements are met again"
                else:
                    note = f"restored {now:%Y-%m-%d}: the requirements are met again (was: {award.review_reason})"
                return "awarded", note, None, {}
            failures = self._failures(award, held) if unsuspended is not None and not stands else []
            if failures:  # say what keeps it under review now
                why = "; ".join(why for _, (_, why) in failures)
                note = f"{unsuspended} was unsuspended on {now:%Y-%m-%d}, but {why}; the qualification is still not met"
                return "review", note, None, {str(c.get("credentialId")): state for c, (state, _) in failures}
            return None
        if stands:
            return None
        failures = self._failures(award, held)
        if not failures:
            return None  # every component still counts: a changed definition does not unmake an award
        without = "it" if len(failures) == 1 else "them"
        reason = "; ".join(why for _, (_, why) in failures) + f"; the qualification is no longer met without {without}"
        return "review", reason, now, {str(c.get("credentialId")): state for c, (state, _) in failures}

    def _failures(
        self, award: AwardRecord, held: Sequence[HeldCredential]
    ) -> list[tuple[Mapping[str, Any], tuple[str, str]]]:
        """The award's components that no longer count, with (state, why); failures a person kept are left out."""
        by_id = {h.credential_id: h for h in held}
        failures: list[tuple[Mapping[str, Any], tuple[str, str]]] = []
        for component in award.components:
            failure = _failure(component, by_id.get(str(component.get("credentialId"))))
            if failure is not None and component.get("kept") != failure[0]:
                failures.append((component, failure))
        return failures

    def _stands(self, award: AwardRecord, evaluator: Any, facts: Sequence[CredentialFact], now: datetime) -> bool:
        """Whether the award stands on the credentials as they verify now: met as at the award (recency counted
        from the award, credentials earned since left out), or met now by the learner's credentials."""
        return bool(
            evaluator.progress(facts, at=award.awarded_at).satisfied or evaluator.progress(facts, at=now).satisfied
        )

    def _revoked(self, award: AwardRecord) -> bool:
        """Whether a person revoked the award credential (or its CLR): then it is never restored."""
        if self._status is None:
            return False
        return any(
            self._status.status_of(cid).state == "revoked"
            for cid in (award.award_credential_id, award.clr_credential_id)
            if cid is not None
        )

    # -- status changes ----------------------------------------------------------------------------------------
    def on_status(self, status: CredentialStatus, action: str) -> None:
        """Status listener: review the awards that rest on a credential whose status changed; a person unsuspending
        the credential (or CLR) of an award under review keeps the award."""
        if action == "revoke":
            with self._db.read() as session:
                withdrawn = list(
                    session.scalars(
                        sa.select(PathwayAward.id).where(
                            PathwayAward.status != "revoked", PathwayAward.award_credential_id == status.credential_id
                        )
                    )
                )
            for award_id in withdrawn:
                self._withdrawn(award_id, status.credential_id)
        if action == "unsuspend":
            with self._db.read() as session:
                kept = list(
                    session.scalars(
                        sa.select(PathwayAward.id).where(
                            PathwayAward.status == "review",
                            sa.or_(
                                PathwayAward.award_credential_id == status.credential_id,
                                PathwayAward.clr_credential_id == status.credential_id,
                            ),
                        )
                    )
                )
            for award_id in kept:
                self.keep(award_id)
        with self._db.read() as session:
            document_id = session.scalar(sa.select(Credential.document_id).where(Credential.id == status.credential_id))
            if document_id is None:
                return
            award_ids = list(
                session.scalars(
                    sa.select(PathwayAwardComponent.award_id).where(PathwayAwardComponent.credential_id == document_id)
                )
            )
        learners = set()
        for award_id in award_ids:
            learners.add(self.review(award_id, document_id, action).learner)
        for learner in sorted(learners):  # record what else expired meanwhile for the learners concerned
            self.sweep(learner=learner, verify=False)

    def _withdrawn(self, award_id: str, credential_id: str) -> None:
        """A person revoked the award credential: the award is ``revoked``, for good, and so is its CLR (which
        asserts the award)."""
        with self._db.read() as session:
            row = session.get(PathwayAward, award_id)
            award = None if row is None else award_record(row)
        if award is None:  # pragma: no cover - awards are never deleted
            return
        note = f"revoked {self._clock():%Y-%m-%d}: the award credential {credential_id} was revoked"
        if award.review_reason:
            note += f" (was: {award.review_reason})"
        self._set(award.id, "revoked", note, None)
        clr = award.clr_credential_id
        if self._status is not None and clr is not None and self._status.status_of(clr).state != "revoked":
            self._status.revoke(clr, actor="pathway review", reason=note)

    def keep(self, award_id: str) -> AwardRecord:
        """A person keeps an award under review: ``awarded`` again, its credentials unsuspended, and the failures
        it was flagged for are not flagged again (a new failure is)."""
        with self._db.read() as session:
            row = session.get(PathwayAward, award_id)
            if row is None:
                raise InvalidInputError(f"no award {award_id}")
            award = award_record(row)
        if award.status != "review":
            return award
        now = self._clock()
        note = f"kept {now:%Y-%m-%d}: the award credential was unsuspended (was: {award.review_reason})"
        kept = self._set(award.id, "awarded", note, None, keep=True)
        self._hold(kept, lift=True)
        return kept

    def review(self, award_id: str, credential_id: str, action: str) -> AwardRecord:
        """Re-check one award after ``credential_id`` was revoked, suspended or unsuspended."""
        with self._db.read() as session:
            row = session.get(PathwayAward, award_id)
            if row is None:
                raise InvalidInputError(f"no award {award_id}")
            award = award_record(row)
        if award.status == "revoked":
            return award
        now = self._clock()
        held, facts, context = self._pathways.facts(award.learner, at=now, bundles=False)
        evaluator = self._pathways.evaluator(award.pathway_id, context)
        progress_now = evaluator.progress(facts, at=now)
        if action == "unsuspend":
            if award.status != "review":
                return award
            return self.check(award, held, facts, now, unsuspended=credential_id)
        # As at the award: the facts then, with this credential as it was (verified), re-checked without it.
        then = [replace(f, state="verified") if f.credential_id == credential_id else f for f in facts]
        decision = award_decision(evaluator.qualification, evaluator.progress(then, at=award.awarded_at))
        verb = "revoked" if action == "revoke" else "suspended"
        words = self._component(award, held, credential_id)
        if not decision.satisfied:  # the facts changed in other ways too (expiry, other revocations)
            raw = f"component {credential_id} {verb}; the qualification is no longer met"
            reason = f"{words} was {verb} by its issuer; the qualification is no longer met"
        else:
            review = review_on_revocation(decision, credential_id)
            if review.still_stands:
                return award
            raw = f"component {credential_id} {verb}: {review.reason}"
            reason = f"{words} was {verb} by its issuer; the qualification is no longer met without it"
        if progress_now.satisfied:
            return award  # other credentials, earned since, carry it now
        _log.info("award %s of pathway %s flagged for review: %s", award.id, award.pathway_id, raw)
        flagged = self._set(award.id, "review", reason, now, flagged={credential_id: verb})
        self._hold(flagged, lift=False)
        return flagged

    @staticmethod
    def _component(award: AwardRecord, held: Sequence[HeldCredential], credential_id: str) -> str:
        """The component ``credential_id`` (an id or its URL) of ``award`` in words (its name and issue date)."""

        def same(other: Any) -> bool:
            other = str(other or "")
            return bool(other) and (other == credential_id or other.rstrip("/").endswith("/" + credential_id)
                                    or credential_id.rstrip("/").endswith("/" + other))  # fmt: skip

        component = next((c for c in award.components if same(c.get("credentialId"))), None)
        found = next((h for h in held if same(h.credential_id)), None)
        name = (component or {}).get("name") or (found.achievement_name if found is not None else None) or "a unit"
        return _component_words(str(name), found, credential_id)

    def _hold(self, award: AwardRecord, *, lift: bool) -> None:
        """Suspend the award and its CLR while under review (so no verifier sees them as valid), or lift that."""
        if self._status is None:
            return
        for credential_id in (award.award_credential_id, award.clr_credential_id):
            if credential_id is None:
                continue
            state = self._status.status_of(credential_id).state
            why = f"pathway {award.pathway_id} award: {award.review_reason or award.status}"
            if lift and state == "suspended":
                self._status.unsuspend(credential_id, actor="pathway review", reason=why)
            elif not lift and state == "active":
                self._status.suspend(credential_id, actor="pathway review", reason=why)

    def _set(
        self,
        award_id: str,
        status: str,
        reason: str,
        flagged_at: datetime | None,
        *,
        flagged: Mapping[str, str] | None = None,
        keep: bool = False,
    ) -> AwardRecord:
        """Set the status and reason. ``flagged`` marks components with the failure they were flagged for; ``keep``
        turns those marks into ``kept`` (a person kept the award: the same failures are not flagged again)."""
        with self._db.write() as session:
            row = session.get(PathwayAward, award_id, with_for_update=True)
            if row is None:  # pragma: no cover - awards are never deleted
                raise InvalidInputError(f"no award {award_id}")
            row.status = status
            row.review_reason = reason[:4000]
            if flagged_at is not None:
                row.flagged_at = flagged_at
            if flagged or keep:
                components = [dict(c) for c in row.components]
                for component in components:
                    state = (flagged or {}).get(str(component.get("credentialId")))
                    if state is not None:
                        component["flagged"] = state
                    if keep and "flagged" in component:
                        component["kept"] = component.pop("flagged")
                row.components = components
            session.flush()
            return award_record(row)
