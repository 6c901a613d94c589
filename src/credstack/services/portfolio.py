"""The learner's portfolio: wallet credentials re-verified and grouped by the qualification (pathway) they stack
toward, with progress and credits, plus applied projects as evidence.

- Grouping and progress come from ``cs.pathways.progress(learner, pathway, extra=wallet credentials)``: a
  credential belongs to every pathway it counts toward (a component of its progress).
  The service is read through the ``peer`` lookup, so the portfolio works (ungrouped) without pathways.
- Credits earned: the sum over *verified* credentials of ``creditsEarned`` (else the achievement's
  ``creditsAvailable``).
- Evidence: an uploaded file (at most ``max_document_bytes``) or a link; each stored with its SHA-256 (of the file's
  bytes, or of the URL text for a link, since links are never fetched).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from credstack.domain.verification import VerificationReport
from credstack.errors import DocumentTooLargeError, InvalidInputError, NotFoundError
from credstack.services.accounts import AccountService
from credstack.services.wallet import WalletItem, WalletService, item_document
from credstack.settings import Settings
from credstack.storage.account_tables import EvidenceRow
from credstack.storage.engine import Database

__all__ = ["Evidence", "Portfolio", "PortfolioGroup", "PortfolioService", "credits_of"]


@dataclass(frozen=True)
class Evidence:
    """An applied project: a file (``filename``, ``size``) or a link (``url``); ``sha256`` of the bytes or URL."""

    id: str
    title: str
    url: str | None
    filename: str | None
    media_type: str | None
    size: int
    sha256: str
    item_id: str | None
    added_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "filename": self.filename,
            "media_type": self.media_type,
            "size": self.size,
            "sha256": self.sha256,
            "credential": self.item_id,
            "added_at": self.added_at.isoformat().replace("+00:00", "Z"),
        }


@dataclass(frozen=True)
class PortfolioGroup:
    """A qualification and the credentials that count toward it (``pathway_id`` None: not part of any stack)."""

    pathway_id: str | None
    name: str
    items: tuple[tuple[WalletItem, VerificationReport], ...]
    percent: float | None = None
    satisfied: bool = False
    credits_earned: float | None = None
    credits_needed: float | None = None
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Portfolio:
    person_id: str
    groups: tuple[PortfolioGroup, ...]
    credits: float
    verified: int
    total: int
    evidence: tuple[Evidence, ...] = field(default=())


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def credits_of(credential: dict[str, Any] | None) -> float:
    """``creditsEarned``, else the achievement's ``creditsAvailable``, else 0."""
    if not isinstance(credential, dict):
        return 0.0
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    if not isinstance(subject, dict):
        return 0.0
    earned = _number(subject.get("creditsEarned"))
    if earned is not None:
        return earned
    achievement = subject.get("achievement")
    available = _number(achievement.get("creditsAvailable")) if isinstance(achievement, dict) else None
    return available or 0.0


def _evidence(row: EvidenceRow) -> Evidence:
    return Evidence(
        row.id, row.title, row.url, row.filename, row.media_type, row.size, row.sha256, row.item_id, row.added_at
    )


class PortfolioService:
    """The portfolio view and evidence."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        wallet: WalletService,
        accounts: AccountService,
        clock: Callable[[], datetime],
        peer: Callable[[str], Any] = lambda name: None,
    ) -> None:
        self._db = db
        self._settings = settings
        self._wallet = wallet
        self._accounts = accounts
        self._clock = clock
        self._peer = peer

    # -- evidence ----------------------------------------------------------------------------------------------
    def add_evidence(
        self,
        person_id: str,
        title: str,
        *,
        url: str | None = None,
        filename: str | None = None,
        content: bytes | None = None,
        media_type: str | None = None,
        item_id: str | None = None,
    ) -> Evidence:
        """Attach a project: a file (``filename`` + ``content``) or a link (``url``), optionally to a credential."""
        title = str(title or "").strip()
        if not title or len(title) > 300:
            raise InvalidInputError("a project needs a title of 1 to 300 characters")
        if (url is None) == (content is None):
            raise InvalidInputError("give either a file or a link")
        if item_id:
            self._wallet.item(person_id, item_id)  # NotFoundError for anyone else's
        limit = self._settings.max_document_bytes
        if content is not None:
            if len(content) > limit:
                raise DocumentTooLargeError(f"the file is {len(content):,} bytes; the limit is {limit:,}")
            if not content:
                raise InvalidInputError("the file is empty")
            media = (media_type or "application/octet-stream").split(";")[0].strip().lower()
            digest, size = hashlib.sha256(content).hexdigest(), len(content)
        else:
            parts = urlsplit(str(url).strip())
            if parts.scheme not in ("https", "http") or not parts.netloc or len(str(url)) > 2000:
                raise InvalidInputError("a project link must be an http(s) URL of at most 2,000 characters")
            url = parts.geturl()
            media, digest, size = None, hashlib.sha256(url.encode("utf-8")).hexdigest(), 0
        with self._db.write() as session:
            row = EvidenceRow(
                id=uuid.uuid4().hex,
                person_id=person_id,
                item_id=item_id or None,
                title=title,
                url=url if content is None else None,
                filename=(filename or "project")[:300] if content is not None else None,
                media_type=media,
                content=content,
                size=size,
                sha256=digest,
                added_at=self._clock(),
            )
            session.add(row)
            session.flush()
            return _evidence(row)

    def evidence(self, person_id: str) -> list[Evidence]:
        with self._db.read() as session:
            query = sa.select(EvidenceRow).where(EvidenceRow.person_id == person_id).order_by(EvidenceRow.added_at)
            return [_evidence(r) for r in session.scalars(query)]

    def evidence_file(self, person_id: str | None, evidence_id: str) -> tuple[Evidence, bytes]:
        """A project file: the owner's (``person_id``) or, with ``person_id`` None, any (share views check first)."""
        with self._db.read() as session:
            row = session.get(EvidenceRow, str(evidence_id))
            if row is None or (person_id is not None and row.person_id != person_id) or row.content is None:
                raise NotFoundError(f"no project file {evidence_id!r}")
            return _evidence(row), bytes(row.content)

    def evidence_of(self, person_id: str, evidence_id: str) -> Evidence:
        with self._db.read() as session:
            row = session.get(EvidenceRow, str(evidence_id))
            if row is None or row.person_id != person_id:
                raise NotFoundError(f"no project {evidence_id!r}")
            return _evidence(row)

    def remove_evidence(self, person_id: str, evidence_id: str) -> None:
        found = self.evidence_of(person_id, evidence_id)
        with self._db.write() as session:
            session.execute(sa.delete(EvidenceRow).where(EvidenceRow.id == found.id))

    # -- the portfolio -----------------------------------------------------------------------------------------
    def portfolio(self, person_id: str, *, at: datetime | None = None) -> Portfolio:
        """The wallet, re-verified, grouped by qualification with progress; credits earned; projects."""
        person = self._accounts.get_person(person_id)
        verified = self._wallet.verified_items(person_id, at=at)
        credits = sum(credits_of(r.credential) for _, r in verified if r.verified)
        groups: list[PortfolioGroup] = []
        placed: set[str] = set()
        pathways = self._peer("pathways")
        if pathways is not None:
            good = [(item, report) for item, report in verified if report.verified]
            documents = [d for item, _ in good if (d := item_document(item)) is not None]
            ids = {item.document_id: (item, report) for item, report in good if item.document_id}
            for record in sorted(pathways.list(), key=lambda r: r.name) if documents else []:
                progress = pathways.progress(person.email, record.id, extra=documents, at=at, plan=False)
                state = progress.progress
                counted = [c.credential_id for c in state.components if c.credential_id in ids]
                members = tuple(ids[c] for c in dict.fromkeys(counted))
                if not members:
                    continue
                groups.append(
                    PortfolioGroup(
                        record.id,
                        record.name,
                        members,
                        percent=state.percent,
                        satisfied=state.satisfied,
                        credits_earned=state.credits_earned,
                        credits_needed=state.credits_needed,
                        missing=tuple(progress.missing_labels()),
                    )
                )
                placed.update(item.id for item, _ in members)
        rest = tuple((i, r) for i, r in verified if i.id not in placed)
        if rest:
            groups.append(PortfolioGroup(None, "Other credentials", rest))
        return Portfolio(
            person_id,
            tuple(groups),
            round(credits, 2),
            sum(1 for _, r in verified if r.verified),
            len(verified),
            tuple(self.evidence(person_id)),
        )
