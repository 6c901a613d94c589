"""One audit log, sign-in lockout in the database (issue 6).

The older ``audit_log`` (issuing, status changes, issuer profiles, employer tools) is moved into ``audit_events``
and dropped: each line becomes an event with the action's new name (``issue`` -> ``credential.issued``,
``revoke`` -> ``credential.revoked``, ``trust_issuer`` -> ``issuer.trusted``...), its subject (the credential, the
issuer's slug, the trusted DID or domain, the job, the presentation request) and its organisation (``detail.org``,
else the organisation whose issuer profile signed). A line that ``audit_events`` already holds (the same action
and subject within five minutes: since 0007 both logs were written) is not copied twice. ``rank_candidates``
events already in ``audit_events`` are renamed ``candidates.ranked``.

Also: ``audit_events.subject`` is indexed (a credential's history), and ``account_sign_in_failures`` holds failed
sign-ins per address, so the lockout holds across server processes and restarts.

Revision ID: 0010_one_audit_log
Revises: 0009_catalog_search
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010_one_audit_log"
down_revision: str | Sequence[str] | None = "0009_catalog_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: old ``audit_log`` action -> ``audit_events`` action
ACTIONS = {
    "issue": "credential.issued",
    "revoke": "credential.revoked",
    "suspend": "credential.suspended",
    "unsuspend": "credential.unsuspended",
    "issuer.create": "issuer.created",
    "issuer.rotate_key": "issuer.key_rotated",
    "trust_issuer": "issuer.trusted",
    "distrust_issuer": "issuer.distrusted",
    "rank_candidates": "candidates.ranked",
    "presentation_request": "presentation.requested",
    "presentation_answered": "presentation.answered",
}
#: how far apart the two logs' lines of one change may be (the newer log was written just after the commit)
TWIN_WINDOW = timedelta(minutes=5)

_audit_log = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("action", sa.String()),
    sa.column("credential_id", sa.String()),
    sa.column("issuer_id", sa.Integer()),
    sa.column("detail", sa.JSON()),
)
_events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("subject", sa.String()),
    sa.column("org_id", sa.String()),
    sa.column("person_id", sa.String()),
    sa.column("detail", sa.JSON()),
)
_orgs = sa.table("account_orgs", sa.column("id", sa.String()), sa.column("issuer_id", sa.Integer()))
_issuers = sa.table("issuers", sa.column("id", sa.Integer()), sa.column("slug", sa.String()))
_credentials = sa.table("credentials", sa.column("id", sa.String()), sa.column("issuer_id", sa.Integer()))


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo is not None else value


def _event_of(line: Any, orgs: dict[int, str], slugs: dict[int, str]) -> dict[str, Any]:
    """The ``audit_events`` row of one ``audit_log`` line."""
    detail = dict(line.detail or {})
    org = detail.pop("org", None)
    action = ACTIONS.get(line.action, str(line.action)[:40])
    subject = line.credential_id or ""
    if line.action.startswith("issuer."):
        subject = slugs.get(line.issuer_id, str(line.issuer_id or ""))
    elif line.action in ("trust_issuer", "distrust_issuer"):
        kind = next((k for k in ("did", "domain") if k in detail), None) or next(iter(detail), "")
        subject = str(detail.pop(kind, ""))
        detail = {"kind": kind, **detail}
    elif line.action == "rank_candidates":
        subject = str(detail.pop("job", ""))
    elif line.action.startswith("presentation_"):
        subject = str(detail.pop("request", ""))
    if org is None and line.issuer_id is not None:
        org = orgs.get(line.issuer_id)
    return {
        "at": line.at,
        "actor": "employer" if line.action == "rank_candidates" else "system",
        "action": action,
        "subject": subject[:500],
        "org_id": org,
        "person_id": None,
        "detail": detail,
    }


def upgrade() -> None:
    """Move ``audit_log`` into ``audit_events`` and drop it; index ``audit_events.subject``; create
    ``account_sign_in_failures``."""
    bind = op.get_bind()
    bind.execute(sa.update(_events).where(_events.c.action == "rank_candidates").values(action="candidates.ranked"))
    orgs: dict[int, str] = {}
    for org_id, issuer_id in bind.execute(sa.select(_orgs.c.id, _orgs.c.issuer_id).order_by(_orgs.c.id.desc())):
        if issuer_id is not None:
            orgs[issuer_id] = org_id  # the first organisation by id wins, as in the services
    slugs = {i: s for i, s in bind.execute(sa.select(_issuers.c.id, _issuers.c.slug))}
    twins: dict[tuple[str, str], list[datetime]] = {}
    for action, subject, at in bind.execute(
        sa.select(_events.c.action, _events.c.subject, _events.c.at).where(_events.c.action.in_(set(ACTIONS.values())))
    ):
        twins.setdefault((action, subject), []).append(_naive_utc(at))
    copied: list[dict[str, Any]] = []
    for line in bind.execute(sa.select(_audit_log).order_by(_audit_log.c.at, _audit_log.c.id)):
        event = _event_of(line, orgs, slugs)
        seen = twins.get((event["action"], event["subject"]), [])
        when = _naive_utc(event["at"])
        twin = next((t for t in seen if abs(t - when) <= TWIN_WINDOW), None)
        if twin is not None:
            seen.remove(twin)  # one line of the old log per event of the new one
            continue
        copied.append(event)
    for start in range(0, len(copied), 500):
        bind.execute(sa.insert(_events), copied[start : start + 500])

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_credential_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
    op.drop_table("audit_log")

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_subject"), ["subject"], unique=False)

    op.create_table(
        "account_sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_sign_in_failures")),
    )
    with op.batch_alter_table("account_sign_in_failures", schema=None) as batch_op:
        batch_op.create_index("ix_account_sign_in_failures_address_at", ["address", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_sign_in_failures_at"), ["at"], unique=False)


def downgrade() -> None:
    """Recreate ``audit_log`` with the events it used to hold (they stay in ``audit_events`` too, as before this
    revision); drop the subject index and ``account_sign_in_failures``."""
    with op.batch_alter_table("account_sign_in_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_sign_in_failures_at"))
        batch_op.drop_index("ix_account_sign_in_failures_address_at")
    op.drop_table("account_sign_in_failures")

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_subject"))

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("credential_id", sa.String(length=64), nullable=True),
        sa.Column("issuer_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_credential_id"), ["credential_id"], unique=False)

    bind = op.get_bind()
    old_names = {new: old for old, new in ACTIONS.items()}
    issuer_of = {c: i for c, i in bind.execute(sa.select(_credentials.c.id, _credentials.c.issuer_id))}
    issuer_by_slug = {s: i for i, s in bind.execute(sa.select(_issuers.c.id, _issuers.c.slug))}
    lines: list[dict[str, Any]] = []
    query = sa.select(_events).where(_events.c.action.in_(set(old_names))).order_by(_events.c.at, _events.c.id)
    for event in bind.execute(query):
        old = old_names[event.action]
        detail = dict(event.detail or {})
        credential_id = event.subject[:64] if old in ("issue", "revoke", "suspend", "unsuspend") else None
        issuer_id = issuer_of.get(credential_id) if credential_id else issuer_by_slug.get(event.subject)
        if old in ("trust_issuer", "distrust_issuer"):
            detail = {"org": event.org_id, str(detail.get("kind") or "did"): event.subject}
        elif old == "rank_candidates":
            detail = {"org": event.org_id, "job": event.subject, **detail}
        elif old.startswith("presentation_"):
            detail = {"org": event.org_id, "request": event.subject}
        lines.append(
            {"at": event.at, "action": old, "credential_id": credential_id, "issuer_id": issuer_id, "detail": detail}
        )
    for start in range(0, len(lines), 500):
        bind.execute(sa.insert(_audit_log), lines[start : start + 500])
    bind.execute(sa.update(_events).where(_events.c.action == "candidates.ranked").values(action="rank_candidates"))
