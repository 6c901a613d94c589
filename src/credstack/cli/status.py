"""``credstack revoke|suspend|unsuspend CREDENTIAL_ID [--reason R]``: change a credential's Bitstring Status List bits
(audited); ``credstack status ID`` shows its state and history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from credstack.cli import app
from credstack.cli._context import open_app, out

if TYPE_CHECKING:
    from credstack.services.status import CredentialStatus

__all__ = ["revoke", "status", "suspend", "unsuspend"]

CredentialId = Annotated[str, typer.Argument(help="credstack id or the credential's id URL.")]
Reason = Annotated[str | None, typer.Option("--reason", help="Why (kept in the credential's history).")]


def _show(status: CredentialStatus, verb: str) -> None:
    change = verb if status.changed else f"already {status.state}; nothing to do"
    out.print(f"{status.credential_id}: {change} (state {status.state})")


@app.command()
def revoke(credential_id: CredentialId, reason: Reason = None) -> None:
    """Revoke a credential. Permanent: it cannot be unsuspended or un-revoked; revoking again changes nothing."""
    with open_app() as credstack:
        _show(credstack.status.revoke(credential_id, actor="cli", reason=reason), "revoked")


@app.command()
def suspend(credential_id: CredentialId, reason: Reason = None) -> None:
    """Suspend a credential (reversible with unsuspend)."""
    with open_app() as credstack:
        _show(credstack.status.suspend(credential_id, actor="cli", reason=reason), "suspended")


@app.command()
def unsuspend(credential_id: CredentialId, reason: Reason = None) -> None:
    """Lift a suspension. A revoked credential cannot be unsuspended."""
    with open_app() as credstack:
        _show(credstack.status.unsuspend(credential_id, actor="cli", reason=reason), "unsuspended")


@app.command()
def status(
    credential_id: Annotated[str | None, typer.Argument(help="A credential (default: list the latest).")] = None,
    limit: Annotated[int, typer.Option(help="How many of the latest credentials to list.", min=1)] = 20,
) -> None:
    """Show a credential's state, status list positions and history (the audit log's events about it), or list the
    latest credentials with their states."""
    from rich.markup import escape
    from rich.table import Table

    with open_app() as credstack:
        if credential_id is not None:
            found = credstack.status.status_of(credential_id)
            out.print(f"{found.credential_id}: {found.state}")
            out.print(f"  revocation {found.revocation_list}#{found.revocation_index}")
            out.print(f"  suspension {found.suspension_list}#{found.suspension_index}")
            history = credstack.status.history(found.credential_id)
            views = [e for e in history if e["action"] == "credential.viewed"]
            for event in history:
                if event["action"] != "credential.viewed":
                    why = event["detail"].get("reason")
                    line = f"  {event['at']:%Y-%m-%d %H:%M} {event['action']} by {event['actor']}"
                    out.print(escape(line + (f": {why}" if why else "")))
            if views:
                out.print(f"  viewed {len(views)} time(s), last {views[-1]['at']:%Y-%m-%d %H:%M}")
            return
        latest = credstack.issuing.list(limit=limit)
    table = Table("id", "state", "issued", "achievement", "name")
    for issued in latest:
        issued_at = issued.issued_at.strftime("%Y-%m-%d %H:%M")
        table.add_row(
            issued.id, issued.state, issued_at, issued.achievement_id or "", str(issued.credential.get("name", ""))
        )
    out.print(table)
