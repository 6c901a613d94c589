"""Share links: a learner shares one credential or a portfolio, chosen item by item, until a date, optionally
addressed to an organisation; revocable at any time; every opening is logged for the learner to see.

The link is ``{base_url}/s/{id}`` where ``id`` is 192 random bits. Opening it (:meth:`SharingService.open`)
re-verifies every included credential now and records the view (the share's view log and the audit log). A
revoked or expired share shows nothing but its state. Employers read the shares addressed to their organisation
with :meth:`SharingService.shared_with_org` (candidate ranking).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from credstack.domain.verification import VerificationReport
from credstack.errors import InvalidInputError, NotFoundError
from credstack.services.wallet import WalletItem, WalletService, item_document
from credstack.settings import Settings
from credstack.storage.account_tables import OrgRow, PersonRow, ShareItemRow, ShareRow, ShareViewRow
from credstack.storage.engine import Database
from credstack.storage.models import Credential

__all__ = ["MAX_SHARE_DAYS", "Share", "ShareView", "SharedView", "SharingService"]

#: Longest a share link may live.
MAX_SHARE_DAYS = 366
AuditHook = Callable[..., None]


@dataclass(frozen=True)
class Share:
    """A share link. ``state`` is ``active``, ``expired`` or ``revoked`` (at the time it was read); ``credentials``
    holds the included credentials as held (a JSON object, or a VC-JWT string), in ``item_ids`` order."""

    id: str
    person_id: str
    kind: str
    title: str
    org_id: str | None
    include_evidence: bool
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    state: str
    url: str
    item_ids: tuple[str, ...]
    credentials: tuple[dict[str, Any] | str, ...] = field(default=(), repr=False)
    holder_email: str | None = None

    def to_json(self) -> dict[str, Any]:
        def when(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat().replace("+00:00", "Z")

        return {
            "id": self.id,
            "url": self.url,
            "kind": self.kind,
            "title": self.title,
            "org": self.org_id,
            "state": self.state,
            "include_evidence": self.include_evidence,
            "created_at": when(self.created_at),
            "expires_at": when(self.expires_at),
            "revoked_at": when(self.revoked_at),
            "items": list(self.item_ids),
        }


@dataclass(frozen=True)
class ShareView:
    """One line of a share's view log."""

    at: datetime
    viewer: str
    outcome: str
    user_agent: str

    def to_json(self) -> dict[str, Any]:
        at = self.at.isoformat().replace("+00:00", "Z")
        return {"at": at, "viewer": self.viewer, "outcome": self.outcome, "user_agent": self.user_agent}


@dataclass(frozen=True)
class SharedView:
    """What the person opening a share link sees: the share, and each included credential re-verified now
    (empty unless ``share.state`` is ``active``)."""

    share: Share
    holder_name: str
    items: tuple[tuple[WalletItem, VerificationReport], ...]


class SharingService:
    """Create, list, revoke and open share links."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        wallet: WalletService,
        clock: Callable[[], datetime],
        audit: AuditHook | None = None,
    ) -> None:
        self._db = db
        self._settings = settings
        self._wallet = wallet
        self._clock = clock
        self._audit = audit

    def _url(self, share_id: str) -> str:
        return f"{self._settings.base_url.rstrip('/')}/s/{share_id}"

    def _state(self, row: ShareRow, now: datetime) -> str:
        if row.revoked_at is not None:
            return "revoked"
        if row.expires_at is not None and row.expires_at <= now:
            return "expired"
        return "active"

    def _share(self, session: Session, row: ShareRow, *, with_credentials: bool = False) -> Share:
        item_ids = tuple(
            session.scalars(sa.select(ShareItemRow.item_id).where(ShareItemRow.share_id == row.id).order_by("item_id"))
        )
        credentials: tuple[dict[str, Any] | str, ...] = ()
        if with_credentials:
            items = self._wallet.items_by_id(item_ids)
            credentials = tuple(item_document(i) or i.raw for i in items if not i.is_legacy)
        person = session.get(PersonRow, row.person_id)
        return Share(
            row.id,
            row.person_id,
            row.kind,
            row.title,
            row.org_id,
            row.include_evidence,
            row.created_at,
            row.expires_at,
            row.revoked_at,
            self._state(row, self._clock()),
            self._url(row.id),
            item_ids,
            credentials,
            person.email if person is not None else None,
        )

    def create(
        self,
        person_id: str,
        item_ids: Sequence[str],
        *,
        kind: str = "portfolio",
        title: str | None = None,
        expires_at: datetime | None = None,
        org_id: str | None = None,
        include_evidence: bool = True,
    ) -> Share:
        """A share link of some of the person's credentials. ``kind`` ``credential`` takes exactly one item."""
        if kind not in ("credential", "portfolio"):
            raise InvalidInputError("a share is of one 'credential' or of a 'portfolio'")
        chosen = list(dict.fromkeys(str(i) for i in item_ids))
        if not chosen:
            raise InvalidInputError("choose at least one credential to share")
        if kind == "credential" and len(chosen) != 1:
            raise InvalidInputError("a credential share includes exactly one credential")
        items = [self._wallet.item(person_id, i) for i in chosen]  # NotFoundError for anyone else's
        now = self._clock()
        if expires_at is not None:
            if expires_at.tzinfo is None:
                raise InvalidInputError("the expiry must include a time zone")
            if expires_at <= now:
                raise InvalidInputError("the expiry must be in the future")
            if expires_at > now + timedelta(days=MAX_SHARE_DAYS):
                raise InvalidInputError(f"a share link lives at most {MAX_SHARE_DAYS} days")
        name = (title or "").strip() or (items[0].title if kind == "credential" else "My portfolio")
        with self._db.write() as session:
            if org_id is not None and session.get(OrgRow, org_id) is None:
                raise NotFoundError(f"no organisation {org_id!r}")
            row = ShareRow(
                id=secrets.token_urlsafe(24),
                person_id=person_id,
                kind=kind,
                title=name[:300],
                org_id=org_id,
                include_evidence=include_evidence,
                created_at=now,
                expires_at=expires_at,
                revoked_at=None,
            )
            session.add(row)
            session.flush()
            for item in items:
                session.add(ShareItemRow(share_id=row.id, item_id=item.id))
            session.flush()
            share = self._share(session, row)
        self._record("share.created", share, {"items": len(items), "expires_at": share.to_json()["expires_at"]})
        return share

    def _record(self, action: str, share: Share, detail: dict[str, Any], actor: str | None = None) -> None:
        if self._audit is not None:
            self._audit(
                actor or share.holder_email or "anonymous",
                action,
                share.id,
                share.org_id,
                detail,
                person_id=share.person_id,
            )

    def shares(self, person_id: str) -> list[Share]:
        """The person's share links, newest first."""
        with self._db.read() as session:
            query = sa.select(ShareRow).where(ShareRow.person_id == person_id).order_by(ShareRow.created_at.desc())
            return [self._share(session, r) for r in session.scalars(query)]

    def get(self, person_id: str, share_id: str) -> Share:
        """One of the person's shares; NotFoundError for anyone else's."""
        with self._db.read() as session:
            row = session.get(ShareRow, str(share_id))
            if row is None or row.person_id != person_id:
                raise NotFoundError(f"no share {share_id!r}")
            return self._share(session, row)

    def revoke(self, person_id: str, share_id: str) -> Share:
        """Revoke a share link now (idempotent); it shows nothing from then on."""
        with self._db.write() as session:
            row = session.get(ShareRow, str(share_id), with_for_update=True)
            if row is None or row.person_id != person_id:
                raise NotFoundError(f"no share {share_id!r}")
            changed = row.revoked_at is None
            if changed:
                row.revoked_at = self._clock()
            session.flush()
            share = self._share(session, row)
        if changed:
            self._record("share.revoked", share, {})
        return share

    def views(self, person_id: str, share_id: str) -> list[ShareView]:
        """The view log of one of the person's shares, newest first."""
        self.get(person_id, share_id)
        with self._db.read() as session:
            rows = session.scalars(
                sa.select(ShareViewRow)
                .where(ShareViewRow.share_id == share_id)
                .order_by(ShareViewRow.at.desc(), ShareViewRow.id.desc())
            )
            return [ShareView(r.at, r.viewer, r.outcome, r.user_agent) for r in rows]

    def peek(self, share_id: str) -> Share:
        """A share by its link id, without logging a view (files of a shared portfolio)."""
        with self._db.read() as session:
            row = session.get(ShareRow, str(share_id)) if 0 < len(str(share_id)) <= 64 else None
            if row is None:
                raise NotFoundError("no such share link")
            return self._share(session, row)

    def open(self, share_id: str, *, viewer: str = "anonymous", user_agent: str = "") -> SharedView:
        """What the link shows now, each credential re-verified; the view is logged (also when revoked or
        expired). NotFoundError for an unknown link."""
        with self._db.read() as session:
            row = session.get(ShareRow, str(share_id)) if 0 < len(str(share_id)) <= 64 else None
            if row is None:
                raise NotFoundError("no such share link")
            share = self._share(session, row)
            person = session.get(PersonRow, row.person_id)
            holder_name = person.name if person is not None else "a learner"
        items: tuple[tuple[WalletItem, VerificationReport], ...] = ()
        if share.state == "active":
            held = self._wallet.items_by_id(share.item_ids)
            items = tuple(self._wallet.verify_many(held))
        outcome = "shown" if share.state == "active" else share.state
        with self._db.write() as session:
            session.add(
                ShareViewRow(
                    share_id=share.id,
                    at=self._clock(),
                    viewer=viewer[:320],
                    outcome=outcome,
                    user_agent=user_agent[:300],
                )
            )
        self._record("share.viewed", share, {"outcome": outcome}, actor=viewer)
        if self._audit is not None:
            for item, report in items:  # each credential shown is a view of it, in its issuer's organisation
                self._audit(
                    viewer,
                    "credential.viewed",
                    item.credential_id or item.document_id or item.id,
                    self._org_of_credential(item.credential_id),
                    {"share": share.id, "verified": report.verified},
                    person_id=share.person_id,
                )
        return SharedView(share, holder_name, items)

    def _org_of_credential(self, credential_id: str | None) -> str | None:
        if credential_id is None:
            return None
        with self._db.read() as session:
            issuer_id = session.scalar(sa.select(Credential.issuer_id).where(Credential.id == credential_id))
            if issuer_id is None:
                return None
            return session.scalar(sa.select(OrgRow.id).where(OrgRow.issuer_id == issuer_id).order_by(OrgRow.id))

    def shared_with_org(self, org_id: str) -> list[Share]:
        """The active shares addressed to an organisation, with their credentials (for candidate ranking)."""
        now = self._clock()
        with self._db.read() as session:
            rows = session.scalars(
                sa.select(ShareRow)
                .where(ShareRow.org_id == org_id, ShareRow.revoked_at.is_(None))
                .where(sa.or_(ShareRow.expires_at.is_(None), ShareRow.expires_at > now))
                .order_by(ShareRow.created_at.desc())
            )
            return [self._share(session, r, with_credentials=True) for r in rows]
