"""The audit log: who did what to which subject, in which organisation.

``cs.audit.record(actor, action, subject, org_id, detail)`` appends one event; :meth:`AuditService.events` reads them
back, newest first, for one organisation (an org admin's page) or for everything (a platform admin). Issuance and
status changes arrive through the issuing and status services' listener hooks (:meth:`AuditService.on_issued`,
:meth:`AuditService.on_status`), attributed to the organisation whose issuer profile signed the credential; the
wallet and sharing services record claims, imports, shares and views themselves.

Actions: ``credential.issued``, ``credential.revoked``, ``credential.suspended``, ``credential.unsuspended``,
``credential.claimed``, ``credential.imported``, ``share.created``, ``share.revoked``, ``share.viewed``,
``person.signed_in``, ``org.created``, ``person.created``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from credstack.errors import InvalidInputError
from credstack.services.issuing import IssuedCredential
from credstack.services.status import CredentialStatus
from credstack.storage.account_tables import AuditEventRow, OrgRow
from credstack.storage.engine import Database
from credstack.storage.models import Credential

__all__ = ["AuditEvent", "AuditService"]

_STATUS_ACTIONS = {
    "revoke": "credential.revoked",
    "suspend": "credential.suspended",
    "unsuspend": "credential.unsuspended",
}
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
        if not action or len(action) > 40:
            raise InvalidInputError("an audit action needs 1 to 40 characters")
        with self._db.write() as session:
            session.add(
                AuditEventRow(
                    at=self._clock(),
                    actor=str(actor)[:320],
                    action=action,
                    subject=str(subject)[:500],
                    org_id=org_id,
                    person_id=person_id,
                    detail=dict(detail or {}),
                )
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

    def _org_of_issuer(self, issuer_id: int) -> str | None:
        with self._db.read() as session:
            return session.scalar(sa.select(OrgRow.id).where(OrgRow.issuer_id == issuer_id).order_by(OrgRow.id))

    def credential_viewed(self, credential_id: str, issuer_id: int, *, actor: str = "anonymous", where: str) -> None:
        """``credential.viewed``: someone opened an issued credential's page (``where`` names the page)."""
        self.record(actor, "credential.viewed", credential_id, self._org_of_issuer(issuer_id), {"page": where})

    # -- listeners (registered by the composition root) --------------------------------------------------------
    def on_issued(self, issued: IssuedCredential, recipient: str | None) -> None:
        """Issuing listener: ``credential.issued`` in the issuing organisation."""
        self.record(
            "system",
            "credential.issued",
            issued.id,
            self._org_of_issuer(issued.issuer_id),
            {"id": issued.credential.get("id"), "achievement": issued.achievement_id, "recipient": recipient},
        )

    def on_status(self, status: CredentialStatus, action: str) -> None:
        """Status listener: ``credential.revoked`` / ``suspended`` / ``unsuspended`` in the issuing organisation."""
        with self._db.read() as session:
            issuer_id = session.scalar(sa.select(Credential.issuer_id).where(Credential.id == status.credential_id))
        org_id = self._org_of_issuer(issuer_id) if issuer_id is not None else None
        name = _STATUS_ACTIONS.get(action, f"credential.{action}")
        self.record("system", name, status.credential_id, org_id, {"state": status.state})
