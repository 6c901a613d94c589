"""Credential status: revoke (irreversible), suspend, unsuspend; signed Bitstring Status List credentials.

Bitstring Status List v1.0 (REC 15 May 2025): a change flips the credential's bit in the issuer's list for that
purpose (§2.1 ``statusPurpose``: revocation is permanent, suspension reversible) and bumps the list's version.
:meth:`StatusService.status_list_credential` returns the list as a ``BitstringStatusListCredential`` (§2.2)
signed by the issuer's active key with ``eddsa-rdfc-2022``; the signed document is cached in the database until
the list changes. A list is signed by the issuer DID of its credentials (after a did:key rotation, old lists keep
their old DID and key; new credentials go to new lists). :meth:`StatusService.document_for_url` serves credstack's
own lists and did:web documents to the verifier without any network.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from credstack.domain.status_list import encode_list, get_bit, set_bit, status_list_credential
from credstack.errors import ConflictError, NotFoundError
from credstack.proofs.data_integrity import sign
from credstack.services.issuers import IssuerService
from credstack.settings import Settings
from credstack.storage.account_tables import AuditEventRow
from credstack.storage.engine import Database
from credstack.storage.models import Credential, Issuer, StatusList
from credstack.storage.repositories import add_audit, locked_status_list

__all__ = ["CredentialStatus", "StatusListener", "StatusService"]

_log = logging.getLogger(__name__)
#: the audit log's name of each status change
_AUDIT_ACTIONS = {
    "revoke": "credential.revoked",
    "suspend": "credential.suspended",
    "unsuspend": "credential.unsuspended",
}


@dataclass(frozen=True)
class CredentialStatus:
    """A credential's state (``active``, ``suspended``, ``revoked``) and where its status bits live.
    ``changed`` is False when the request was a no-op (revoking a revoked credential, ...)."""

    credential_id: str
    state: str
    revocation_list: str
    revocation_index: int
    suspension_list: str
    suspension_index: int
    changed: bool = False


#: Called after a status change is committed (not for no-ops): ``(status, action)``, action ``revoke``,
#: ``suspend`` or ``unsuspend``. Registered by the composition root (pathway awards are reviewed this way).
StatusListener = Callable[[CredentialStatus, str], None]


class StatusService:
    """Status changes and status list credentials."""

    def __init__(self, db: Database, settings: Settings, issuers: IssuerService, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._settings = settings
        self._issuers = issuers
        self._clock = clock
        #: status-change listeners; a failing listener is logged, never raised (the change is committed)
        self.listeners: list[StatusListener] = []

    @property
    def _base(self) -> str:
        return self._settings.base_url.rstrip("/")

    def _record(self, row: Credential, changed: bool = False) -> CredentialStatus:
        return CredentialStatus(
            credential_id=row.id,
            state=row.state,
            revocation_list=f"{self._base}/status/{row.revocation_list_id}",
            revocation_index=row.revocation_index,
            suspension_list=f"{self._base}/status/{row.suspension_list_id}",
            suspension_index=row.suspension_index,
            changed=changed,
        )

    def _credential(self, session: Session, credential_id: str, *, lock: bool = False) -> Credential:
        query = sa.select(Credential).where(
            sa.or_(Credential.id == str(credential_id), Credential.document_id == str(credential_id))
        )
        if lock:
            query = query.with_for_update()
        row = session.scalars(query).first()
        if row is None:
            raise NotFoundError(f"no credential {credential_id!r}")
        return row

    def _flip(self, session: Session, list_id: int, index: int, value: int, now: datetime) -> None:
        status_list = locked_status_list(session, list_id)
        if status_list is None:  # pragma: no cover - foreign keys make this impossible
            raise NotFoundError(f"no status list {list_id}")
        if get_bit(status_list.bits, index) != value:
            status_list.bits = set_bit(status_list.bits, index, value)
            status_list.version += 1
            status_list.updated_at = now

    def _change(self, credential_id: str, action: str, actor: str, reason: str | None) -> CredentialStatus:
        now = self._clock()
        with self._db.write() as session:
            row = self._credential(session, credential_id, lock=True)
            before = row.state
            if action == "revoke":
                if before == "revoked":
                    return self._record(row)
                self._flip(session, row.revocation_list_id, row.revocation_index, 1, now)
                row.state = "revoked"
            elif action == "suspend":
                if before == "revoked":
                    raise ConflictError(f"credential {row.id} is revoked; revocation is permanent")
                if before == "suspended":
                    return self._record(row)
                self._flip(session, row.suspension_list_id, row.suspension_index, 1, now)
                row.state = "suspended"
            else:
                if before == "revoked":
                    raise ConflictError(f"credential {row.id} is revoked and cannot be unsuspended")
                if before == "active":
                    return self._record(row)
                self._flip(session, row.suspension_list_id, row.suspension_index, 0, now)
                row.state = "active"
            add_audit(
                session,
                _AUDIT_ACTIONS[action],
                row.id,
                at=now,
                actor=actor,
                issuer_id=row.issuer_id,
                detail={"from": before, "state": row.state, **({"reason": reason} if reason else {})},
            )
            session.flush()
            return self._record(row, changed=True)

    def _changed(self, credential_id: str, action: str, actor: str, reason: str | None) -> CredentialStatus:
        status = self._change(credential_id, action, actor, (reason or "").strip()[:500] or None)
        if status.changed:
            for listener in self.listeners:
                try:
                    listener(status, action)
                except Exception:  # the change is committed; a listener must not hide that
                    _log.exception("status listener %r failed for credential %s", listener, status.credential_id)
        return status

    def revoke(self, credential_id: str, *, actor: str = "system", reason: str | None = None) -> CredentialStatus:
        """Revoke (permanent). Revoking a revoked credential is a no-op (``changed`` False). A change is written to
        the audit log (``credential.revoked``, by ``actor``, with the ``reason`` given) in the same transaction."""
        return self._changed(credential_id, "revoke", actor, reason)

    def suspend(self, credential_id: str, *, actor: str = "system", reason: str | None = None) -> CredentialStatus:
        """Suspend (reversible). A revoked credential cannot be suspended (ConflictError). Audited."""
        return self._changed(credential_id, "suspend", actor, reason)

    def unsuspend(self, credential_id: str, *, actor: str = "system", reason: str | None = None) -> CredentialStatus:
        """Lift a suspension. Unsuspending a revoked credential is a ConflictError; an active one is a no-op.
        Audited."""
        return self._changed(credential_id, "unsuspend", actor, reason)

    def history(self, credential_id: str) -> list[dict[str, Any]]:
        """The credential's audit events (issued, suspended, unsuspended, revoked, viewed...), oldest first, as
        ``{"at", "action", "actor", "detail"}``; NotFoundError for an unknown credential."""
        with self._db.read() as session:
            row = self._credential(session, credential_id)
            events = session.scalars(
                sa.select(AuditEventRow)
                .where(AuditEventRow.subject == row.id)
                .order_by(AuditEventRow.at, AuditEventRow.id)
            )
            return [{"at": e.at, "action": e.action, "actor": e.actor, "detail": dict(e.detail)} for e in events]

    def status_of(self, credential_id: str) -> CredentialStatus:
        with self._db.read() as session:
            return self._record(self._credential(session, credential_id))

    def status_list_credential(self, list_id: int | str) -> dict[str, Any]:
        """The list as a signed ``BitstringStatusListCredential``; re-signed only when the list has changed."""
        if not str(list_id).isdigit():
            raise NotFoundError(f"no status list {list_id!r}")
        with self._db.read() as session:
            row = session.get(StatusList, int(list_id))
            if row is None:
                raise NotFoundError(f"no status list {list_id!r}")
            if row.signed_document is not None and row.signed_version == row.version:
                return dict(row.signed_document)
            version, bits, purpose, issuer_id, did = row.version, row.bits, row.purpose, row.issuer_id, row.signer_did
            changed_at = row.updated_at
        signing = self._issuers.signing_key(issuer_id, did=did)
        now = self._clock()
        url = f"{self._base}/status/{int(list_id)}"
        # validFrom is when the list last changed, not when it was signed: a verifier that started a moment before
        # the (lazy) signing must not see the list as "not yet valid"
        unsigned = status_list_credential(url, did, purpose, encode_list(bits), min(changed_at, now))
        signed = sign(unsigned, key=signing.key, verification_method=signing.verification_method, created=now)
        with self._db.write() as session:
            row = session.get(StatusList, int(list_id))
            if row is not None and row.version == version:
                row.signed_document = signed
                row.signed_version = version
        return signed

    def document_for_url(self, url: str) -> dict[str, Any] | None:
        """Our own status list credential or did:web DID document for a URL under ``base_url`` (None otherwise).

        Accepts ``{base_url}/status/{id}``, ``{base_url}/issuers/{slug}/did.json`` (also as ``https://`` when
        ``base_url`` is ``http://``, since did:web resolves over https) and the did:web DID itself.
        """
        if not isinstance(url, str):
            return None
        target = url.split("#", 1)[0]
        if target.startswith("did:web:"):
            return self._did_web_document(did=target)
        base, parts = urlsplit(self._base), urlsplit(target)
        # did:web always resolves over https, even for a development server on http: accept either scheme
        if parts.scheme not in {"http", "https"} or parts.netloc.lower() != base.netloc.lower() or parts.query:
            return None
        if not parts.path.startswith(base.path.rstrip("/") + "/"):
            return None
        path = parts.path[len(base.path.rstrip("/")) :].strip("/").split("/")
        if len(path) == 2 and path[0] == "status" and path[1].isdigit():
            try:
                return self.status_list_credential(int(path[1]))
            except NotFoundError:
                return None
        if len(path) == 3 and path[0] == "issuers" and path[2] == "did.json":
            return self._did_web_document(slug=path[1])
        return None

    def own_list_for_url(self, url: str) -> dict[str, Any] | None:
        """The status list credential ``{any base}/status/{id}`` names, for a URL taken from a credential this server
        issued (its lists are ours whatever base URL it was issued under); None when there is no such list. Never
        use it for a URL from anyone else's credential: :meth:`document_for_url` is the general lookup."""
        found = self.document_for_url(url)
        if found is not None or not isinstance(url, str):
            return found
        parts = urlsplit(url.split("#", 1)[0])
        path = parts.path.strip("/").split("/")
        if parts.scheme not in {"http", "https"} or len(path) < 2 or path[-2] != "status" or not path[-1].isdigit():
            return None
        try:
            return self.status_list_credential(int(path[-1]))
        except NotFoundError:
            return None

    def _did_web_document(self, *, did: str | None = None, slug: str | None = None) -> dict[str, Any] | None:
        with self._db.read() as session:
            query = sa.select(Issuer.slug).where(Issuer.method == "web")
            query = query.where(Issuer.did == did) if did is not None else query.where(Issuer.slug == slug)
            found = session.scalar(query)
        return None if found is None else self._issuers.did_document(found)
