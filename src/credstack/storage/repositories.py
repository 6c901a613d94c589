"""Query helpers shared by the services: audit events, status-list allocation and row locking.

Everything here runs inside a caller's session (one transaction); nothing commits on its own.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from credstack.domain.status_list import new_bitstring
from credstack.errors import InvalidInputError
from credstack.storage.account_tables import AuditEventRow, OrgRow
from credstack.storage.models import Issuer, StatusAllocation, StatusList

__all__ = ["MAX_ACTION", "add_audit", "allocate_status_index", "locked_status_list", "org_of_issuer"]

#: The longest audit action name (``credential.unsuspended``...).
MAX_ACTION = 40

_RANDOM_PROBES = 16


def add_audit(
    session: Session,
    action: str,
    subject: str,
    *,
    at: datetime,
    actor: str = "system",
    org_id: str | None = None,
    issuer_id: int | None = None,
    person_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append one event to the audit log (``audit_events``) in the caller's transaction, so it exists exactly when
    the change does. Without ``org_id``, an ``issuer_id`` attributes it to the organisation whose issuer profile
    that is (the first by id when several share one)."""
    if not action or len(action) > MAX_ACTION:
        raise InvalidInputError(f"an audit action needs 1 to {MAX_ACTION} characters")
    if org_id is None and issuer_id is not None:
        org_id = org_of_issuer(session, issuer_id)
    session.add(
        AuditEventRow(
            at=at,
            actor=str(actor)[:320],
            action=action,
            subject=str(subject)[:500],
            org_id=org_id,
            person_id=person_id,
            detail=dict(detail or {}),
        )
    )


def org_of_issuer(session: Session, issuer_id: int) -> str | None:
    """The organisation whose issuer profile ``issuer_id`` is (None when no organisation signs with it)."""
    return session.scalar(sa.select(OrgRow.id).where(OrgRow.issuer_id == issuer_id).order_by(OrgRow.id).limit(1))


def locked_status_list(session: Session, list_id: int) -> StatusList | None:
    """The status list row, locked for update on PostgreSQL (SQLite write transactions are already exclusive)."""
    return session.scalars(
        sa.select(StatusList)
        .where(StatusList.id == list_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def _open_list(session: Session, issuer_id: int, signer_did: str, purpose: str, size: int, now: datetime) -> StatusList:
    current = session.scalars(
        sa.select(StatusList)
        .where(
            StatusList.issuer_id == issuer_id,
            StatusList.signer_did == signer_did,
            StatusList.purpose == purpose,
            StatusList.full.is_(False),
        )
        .order_by(StatusList.id)
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if current is not None and current.allocated < current.size:
        return current
    if current is not None:
        current.full = True
    fresh = StatusList(
        issuer_id=issuer_id,
        signer_did=signer_did,
        purpose=purpose,
        size=size,
        bits=new_bitstring(size, allow_small=True),
        allocated=0,
        full=False,
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(fresh)
    session.flush()
    return fresh


def _taken(session: Session, list_id: int, index: int) -> bool:
    return (
        session.scalar(
            sa.select(StatusAllocation.id).where(
                StatusAllocation.list_id == list_id, StatusAllocation.list_index == index
            )
        )
        is not None
    )


def allocate_status_index(
    session: Session,
    *,
    issuer_id: int,
    signer_did: str,
    purpose: str,
    credential_id: str,
    size: int,
    now: datetime,
) -> tuple[int, int]:
    """Reserve a random unused index (``secrets``) in the issuer's open list for ``purpose`` and issuer DID
    ``signer_did``; a new list of ``size`` entries is allocated when the open one is full (or when the DID changed,
    after a did:key rotation). Returns ``(list_id, index)``.

    The list row is locked for the rest of the transaction, and the (list, index) pair is UNIQUE, so two
    concurrent issuers never share an index; if the transaction rolls back, the index is free again.
    """
    # lock the issuer row first (PostgreSQL): concurrent issuers then never both open a new list
    session.execute(sa.select(Issuer.id).where(Issuer.id == issuer_id).with_for_update())
    status_list = _open_list(session, issuer_id, signer_did, purpose, size, now)
    index: int | None = None
    for _ in range(_RANDOM_PROBES):
        candidate = secrets.randbelow(status_list.size)
        if not _taken(session, status_list.id, candidate):
            index = candidate
            break
    if index is None:  # the list is crowded: pick uniformly among the free indexes
        used = set(
            session.scalars(sa.select(StatusAllocation.list_index).where(StatusAllocation.list_id == status_list.id))
        )
        free = [i for i in range(status_list.size) if i not in used]
        index = free[secrets.randbelow(len(free))]
    session.add(StatusAllocation(list_id=status_list.id, list_index=index, credential_id=credential_id))
    status_list.allocated += 1
    if status_list.allocated >= status_list.size:
        status_list.full = True
    session.flush()
    return status_list.id, index
