"""Endorsements: an employer or industry body (an issuer on this server, with its own keys) endorses an achievement,
an issuer or a credential with a signed Open Badges 3.0 ``EndorsementCredential`` (OB 3.0 §B.1.9: ``type``
``EndorsementCredential``, ``credentialSubject`` an ``EndorsementSubject`` with the endorsed thing's ``id`` and an
``endorsementComment``).

The endorsement is issued through :class:`~credstack.services.issuing.IssuingService` (so it has status entries,
can be revoked like any credential, and is audited) and indexed by what it endorses, so the trust breakdown of
every credential of that achievement or issuer shows it. Verifying one is the ordinary verification (OB 3.0
verification.md "EndorsementCredential Verification").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from credstack.domain.shape import VC_V2
from credstack.domain.verification import VerificationReport
from credstack.errors import InvalidInputError, NotFoundError
from credstack.services.achievements import AchievementService
from credstack.services.issuers import IssuerService
from credstack.services.issuing import IssuingService
from credstack.services.verifying import VerificationService
from credstack.storage.employer_tables import EndorsementRow
from credstack.storage.engine import Database

__all__ = ["OB_CONTEXT", "EndorsementRecord", "EndorsementService"]

OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
_MAX_COMMENT = 5_000


@dataclass(frozen=True)
class EndorsementRecord:
    """A signed endorsement: ``id`` (credstack's), the endorser issuer, the endorsed ``subject_id``, the document."""

    id: str
    issuer_id: int
    subject_id: str
    comment: str
    document: dict[str, Any]
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subject_id": self.subject_id,
            "endorser": self.document.get("issuer"),
            "comment": self.comment,
            "created_at": self.created_at.isoformat(),
            "credential": self.document,
        }


def _record(row: EndorsementRow) -> EndorsementRecord:
    return EndorsementRecord(row.id, row.issuer_id, row.subject_id, row.comment, dict(row.document), row.created_at)


class EndorsementService:
    """Issue, list and verify EndorsementCredentials."""

    def __init__(
        self,
        db: Database,
        issuers: IssuerService,
        achievements: AchievementService,
        issuing: IssuingService,
        verifier: VerificationService,
        clock: Callable[[], datetime],
    ) -> None:
        self._db = db
        self._issuers = issuers
        self._achievements = achievements
        self._issuing = issuing
        self._verifier = verifier
        self._clock = clock

    def subject(self, ref: str) -> tuple[str, str]:
        """``(id, name)`` of what is endorsed: an achievement on this server (its id or URL), an issuer on this
        server (slug or DID), or any other URI (an achievement or issuer elsewhere)."""
        text = (ref or "").strip()
        if not text:
            raise InvalidInputError("say what is endorsed: an achievement id or URL, an issuer slug or DID, or a URI")
        try:
            achievement = self._achievements.get(text.rsplit("/", 1)[-1] if text.startswith("http") else text)
            if not text.startswith("http") or achievement.url == text:
                return achievement.url, achievement.name
        except NotFoundError:
            pass
        try:
            issuer = self._issuers.get(text)
            return issuer.did, issuer.name
        except (NotFoundError, InvalidInputError):
            pass
        if ":" not in text or len(text) > 500 or any(c.isspace() for c in text):
            raise InvalidInputError(f"{text[:80]!r} is not an achievement, an issuer here, or a URI")
        return text, text

    def endorse(
        self, subject: str, *, endorser: str | int | None = None, comment: str = "", name: str | None = None
    ) -> EndorsementRecord:
        """Sign an EndorsementCredential by ``endorser`` (an issuer here; the default one when None)."""
        subject_id, subject_name = self.subject(subject)
        comment = (comment or "").strip()
        if len(comment) > _MAX_COMMENT:
            raise InvalidInputError(f"an endorsement comment may have at most {_MAX_COMMENT:,} characters")
        issuer = self._issuers.get(endorser) if endorser is not None else self._issuers.default()
        credential_subject: dict[str, Any] = {"id": subject_id, "type": ["EndorsementSubject"]}
        if comment:
            credential_subject["endorsementComment"] = comment
        unsigned = {
            "@context": [VC_V2, OB_CONTEXT],
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": (name or f"{issuer.name} endorses {subject_name}")[:300],
            "credentialSubject": credential_subject,
        }
        issued = self._issuing.issue_credential(unsigned, issuer_ref=issuer.id)
        with self._db.write() as session:
            row = EndorsementRow(
                id=issued.id,
                issuer_id=issuer.id,
                subject_id=subject_id,
                comment=comment,
                document=issued.credential,
                created_at=self._clock(),
            )
            session.add(row)
            session.flush()
            return _record(row)

    def list(self, subject: str | None = None, *, limit: int = 100) -> list[EndorsementRecord]:
        """Endorsements signed here, newest first; only those of ``subject`` when given."""
        query = sa.select(EndorsementRow).order_by(EndorsementRow.created_at.desc()).limit(limit)
        if subject:
            query = query.where(EndorsementRow.subject_id == self.subject(subject)[0])
        with self._db.read() as session:
            return [_record(r) for r in session.scalars(query)]

    def get(self, endorsement_id: str) -> EndorsementRecord:
        with self._db.read() as session:
            row = session.get(EndorsementRow, endorsement_id)
            if row is None:
                raise NotFoundError(f"no endorsement {endorsement_id}")
            return _record(row)

    def verify(self, data: bytes | str | dict[str, Any]) -> VerificationReport:
        """Verify an endorsement (any format): the ordinary report, plus a ``shape`` failure if it is not one."""
        report = self._verifier.verify(data)
        kinds = (report.credential or {}).get("type", [])
        if report.credential is not None and "EndorsementCredential" not in (
            kinds if isinstance(kinds, list) else [kinds]
        ):
            from credstack.domain._checks import Check

            checks = (*report.checks, Check("shape", "fail", "this is not an EndorsementCredential"))
            return VerificationReport(False, report.format, report.credential, checks)
        return report
