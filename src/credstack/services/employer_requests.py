"""Presentation requests: the employer asks for a Verifiable Presentation bound to a fresh challenge and its
domain; the learner answers from the wallet (or any wallet, by sending a presentation); the employer sees the
verified result.

- :meth:`PresentationRequestService.create`: a random 192-bit ``challenge`` (unique), the ``domain`` (this server's
  host unless given), a purpose, and an expiry (72 hours by default).
- :meth:`answer`: the presentation is verified with the request's challenge and domain (Data Integrity §4.4:
  proofPurpose ``authentication``; a wrong challenge or domain fails the proof), every embedded credential with
  its own checks. A verified answer closes the request: answering it again is refused (replay), as is an answer
  after the expiry. An answer that does not verify is returned with its report and leaves the request open.
- :meth:`answer_from_wallet`: the learner picks credentials; ``cs.wallet.presentation`` signs the presentation with
  the learner's holder key, bound to the challenge and domain; then :meth:`answer`.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from credstack.domain.verification import VerificationReport
from credstack.errors import ConfigurationError, ConflictError, InvalidInputError, NotFoundError
from credstack.services.verifying import VerificationService
from credstack.settings import Settings
from credstack.storage.employer_tables import PresentationRequestRow
from credstack.storage.engine import Database
from credstack.storage.repositories import add_audit

__all__ = ["AnswerResult", "PresentationRequest", "PresentationRequestService"]

_MAX_HOURS = 24 * 90


@dataclass(frozen=True)
class PresentationRequest:
    id: str
    org_id: str
    challenge: str
    domain: str
    purpose: str
    state: str
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    result: dict[str, Any] | None
    answer_url: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "challenge": self.challenge,
            "domain": self.domain,
            "purpose": self.purpose,
            "state": self.state,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
            "answer_url": self.answer_url,
            "result": self.result,
        }


@dataclass(frozen=True)
class AnswerResult:
    """The outcome of an answer: ``accepted`` (verified and recorded) and the full report."""

    accepted: bool
    request: PresentationRequest
    report: VerificationReport


class PresentationRequestService:
    """Create, read and answer presentation requests."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        verifier: VerificationService,
        clock: Callable[[], datetime],
        peer: Callable[[str], Any],
    ) -> None:
        self._db = db
        self._settings = settings
        self._verifier = verifier
        self._clock = clock
        self._peer = peer

    def _record(self, row: PresentationRequestRow, now: datetime | None = None) -> PresentationRequest:
        state = row.state
        if state == "open" and (now or self._clock()) >= row.expires_at:
            state = "expired"
        url = f"{self._settings.base_url.rstrip('/')}/present/{row.id}"
        return PresentationRequest(
            row.id, row.org_id, row.challenge, row.domain, row.purpose, state, row.created_at, row.expires_at,
            row.answered_at, row.result, url,
        )  # fmt: skip

    def create(
        self, org_id: str, purpose: str = "", *, domain: str | None = None, hours: float = 72
    ) -> PresentationRequest:
        if not 0 < hours <= _MAX_HOURS:
            raise InvalidInputError(f"a request may stay open between a minute and {_MAX_HOURS} hours")
        domain = (domain or urlsplit(self._settings.base_url).netloc or "").strip()
        if not domain or len(domain) > 300 or any(c.isspace() for c in domain):
            raise InvalidInputError("the domain must be a host name (this server's, by default)")
        now = self._clock()
        with self._db.write() as session:
            row = PresentationRequestRow(
                id=uuid.uuid4().hex, org_id=org_id, challenge=secrets.token_urlsafe(24), domain=domain,
                purpose=(purpose or "").strip()[:2000], state="open", created_at=now,
                expires_at=now + timedelta(hours=hours), answered_at=None, result=None,
            )  # fmt: skip
            session.add(row)
            session.flush()
            add_audit(session, "presentation.requested", row.id, at=now, org_id=org_id, detail={"domain": domain})
            return self._record(row, now)

    def get(self, request_id: str, org_id: str | None = None) -> PresentationRequest:
        with self._db.read() as session:
            row = session.get(PresentationRequestRow, request_id)
            if row is None or (org_id is not None and row.org_id != org_id):
                raise NotFoundError(f"no presentation request {request_id}")
            return self._record(row)

    def recent(self, org_id: str, *, limit: int = 50) -> list[PresentationRequest]:
        query = sa.select(PresentationRequestRow).where(PresentationRequestRow.org_id == org_id)
        with self._db.read() as session:
            rows = session.scalars(query.order_by(PresentationRequestRow.created_at.desc()).limit(limit)).all()
            return [self._record(r) for r in rows]

    def answer(self, request_id: str, presentation: bytes | str | dict[str, Any]) -> AnswerResult:
        """Verify a presentation against the request; a verified one is recorded and closes the request."""
        request = self.get(request_id)
        if request.state == "answered":
            raise ConflictError("this request was already answered: a presentation is accepted once (no replay)")
        if request.state == "expired":
            raise ConflictError("this request has expired; ask the employer for a new one")
        report = self._verifier.verify(presentation, challenge=request.challenge, domain=request.domain)
        if report.presentation is None:
            raise InvalidInputError("send a VerifiablePresentation (a credential alone cannot carry the challenge)")
        if not report.verified:
            return AnswerResult(False, request, report)
        now = self._clock()
        result = _summary(report)
        with self._db.write() as session:
            row = session.get(PresentationRequestRow, request_id)
            if row is None:
                raise NotFoundError(f"no presentation request {request_id}")
            if row.state != "open":  # a concurrent answer won
                raise ConflictError("this request was already answered: a presentation is accepted once (no replay)")
            row.state, row.answered_at, row.result = "answered", now, result
            add_audit(session, "presentation.answered", row.id, at=now, org_id=row.org_id)
            session.flush()
            return AnswerResult(True, self._record(row, now), report)

    def answer_from_wallet(self, request_id: str, person_id: str, credential_ids: Sequence[str]) -> AnswerResult:
        """The learner's answer: a presentation of the chosen wallet credentials, signed by their holder key."""
        wallet = self._peer("wallet")
        if wallet is None:
            raise ConfigurationError("this server has no wallet service")
        request = self.get(request_id)
        if request.state != "open":
            raise ConflictError(f"this request is {request.state}; it cannot be answered")
        vp = wallet.presentation(person_id, list(credential_ids), challenge=request.challenge, domain=request.domain)
        return self.answer(request_id, vp)


def _summary(report: VerificationReport) -> dict[str, Any]:
    """What the employer sees of an accepted answer: the holder, the checks, and each credential with its checks."""
    presentation = report.presentation or {}
    holder = presentation.get("holder")
    holder_id = holder.get("id") if isinstance(holder, dict) else holder
    return {
        "verified": report.verified,
        "holder": holder_id,
        "checks": [c.to_json() for c in report.checks],
        "credentials": [
            {"verified": r.verified, "checks": [c.to_json() for c in r.checks], "credential": r.credential}
            for r in report.credentials
        ],
    }
