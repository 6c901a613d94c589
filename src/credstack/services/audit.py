"""The audit log: who did what to which subject, in which organisation. The one store (``audit_events``).

``cs.audit.record(actor, action, subject, org_id, detail)`` appends one event; :meth:`AuditService.events` reads them
back, newest first, for one organisation (an org admin's page), one person, or everything (a platform admin).
Services that change something write their event in the same transaction as the change
(:func:`credstack.storage.repositories.add_audit`): issuing (``credential.issued``) and status changes, attributed to
the organisation whose issuer profile signed the credential, issuer profiles and the employer tools. The wallet and
sharing services record claims, imports, shares and views through :meth:`AuditService.record`.

Actions: ``credential.issued``, ``credential.revoked``, ``credential.suspended``, ``credential.unsuspended``,
``credential.viewed``, ``credential.claimed``, ``credential.imported``, ``share.created``, ``share.revoked``,
``share.viewed``, ``person.signed_in``, ``org.created``, ``person.created``, ``issuer.created``,
``issuer.key_rotated``, ``issuer.trusted``, ``issuer.distrusted``, ``candidates.ranked``,
``presentation.requested``, ``presentation.answered``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from credstack.errors import InvalidInputError
from credstack.storage.account_tables import AuditEventRow
from credstack.storage.engine import Database
from credstack.storage.repositories import add_audit

__all__ = ["AuditEvent", "AuditService"]

MAX_LIMIT = 1000


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    org_id: str | None
    person_id: str | None
    detail: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "org": self.org_id,
            "person": self.person_id,
            "detail": self.detail,
        }


def _event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(row.id, row.at, row.actor, row.action, row.subject, row.org_id, row.person_id, dict(row.detail))


class AuditService:
    """Append and read audit events."""

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock

    def record(
        self,
        actor: str,
        action: str,
        subject: str,
        org_id: str | None = None,
        detail: Mapping[str, Any] | None = None,
        *,
        person_id: str | None = None,
    ) -> None:
        """Append one event. ``person_id`` names the person it concerns (a learner sees their own events)."""
        with self._db.write() as session:
            add_audit(
                session,
                action,
                subject,
                at=self._clock(),
                actor=actor,
                org_id=org_id,
                person_id=person_id,
                detail=detail,
            )

    def events(
        self,
        *,
        org_id: str | None = None,
        person_id: str | None = None,
        action: str | None = None,
        subject: str | None = None,
        limit: int = 100,
        everything: bool = False,
    ) -> list[AuditEvent]:
        """Newest first. Give ``org_id`` (an organisation's events), ``person_id``, or ``everything=True``."""
        if org_id is None and person_id is None and not everything:
            raise InvalidInputError("say whose audit events: an organisation, a person, or everything")
        query = sa.select(AuditEventRow).order_by(AuditEventRow.at.desc(), AuditEventRow.id.desc())
        if org_id is not None:
            query = query.where(AuditEventRow.org_id == org_id)
        if person_id is not None:
            query = query.where(AuditEventRow.person_id == person_id)
        if action is not None:
            query = query.where(AuditEventRow.action == action)
        if subject is not None:
            query = query.where(AuditEventRow.subject == subject)
        with self._db.read() as session:
            return [_event(r) for r in session.scalars(query.limit(max(1, min(int(limit), MAX_LIMIT))))]

    def credential_viewed(self, credential_id: str, issuer_id: int, *, actor: str = "anonymous", where: str) -> None:
        """``credential.viewed``: someone opened an issued credential's page (``where`` names the page)."""
        with self._db.write() as session:
            add_audit(
                session,
                "credential.viewed",
                credential_id,
                at=self._clock(),
                actor=actor,
                issuer_id=issuer_id,
                detail={"page": where},
            )
