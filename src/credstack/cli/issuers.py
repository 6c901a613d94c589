"""``credstack issuer create|list|rotate-key``: issuer profiles and their Ed25519 keys."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from credstack.cli import app
from credstack.cli._context import err, open_app, out

__all__ = ["issuer_app"]

issuer_app = typer.Typer(
    name="issuer", help="Issuer profiles (did:key or did:web) and their keys.", no_args_is_help=True
)
app.add_typer(issuer_app)


@issuer_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="The issuer's name, shown on every credential.")],
    method: Annotated[
        str, typer.Option(help="DID method: key (did:key) or web (did:web under CREDSTACK_BASE_URL).")
    ] = "key",
    url: Annotated[str | None, typer.Option(help="The issuer's home page.")] = None,
    slug: Annotated[str | None, typer.Option(help="Short name used in URLs (default: from the name).")] = None,
    default: Annotated[bool, typer.Option("--default", help="Make it the default issuer.")] = False,
) -> None:
    """Create an issuer with a fresh Ed25519 key (private key encrypted with CREDSTACK_MASTER_SECRET); print its DID."""
    with open_app() as credstack:
        issuer = credstack.issuers.create(name, method=method, url=url, slug=slug, default=default)
    err.print(f"issuer {issuer.slug!r} created ({issuer.method})")
    typer.echo(issuer.did)


@issuer_app.command("list")
def list_issuers() -> None:
    """List issuers with their DIDs and key counts."""
    with open_app() as credstack:
        issuers = credstack.issuers.list()
    table = Table("slug", "name", "method", "DID", "keys", "default")
    for issuer in issuers:
        table.add_row(
            issuer.slug,
            issuer.name,
            issuer.method,
            issuer.did,
            str(len(issuer.keys)),
            "yes" if issuer.is_default else "",
        )
    out.print(table)


@issuer_app.command("rotate-key")
def rotate_key(
    issuer: Annotated[str, typer.Argument(help="The issuer's slug, DID or number.")],
) -> None:
    """Make a new key active and retire the old one; earlier credentials keep verifying.

    For a did:web issuer the DID stays the same and its DID document lists every key, old and new. For a did:key
    issuer the DID *is* the key, so the issuer gets a new did:key; the old DID is recorded on the issuer, and
    credentials signed with it keep verifying because did:key is self-certifying (their status lists stay signed by
    the old DID).
    """
    with open_app() as credstack:
        record = credstack.issuers.rotate_key(issuer)
    if record.former_dids:
        err.print(f"new key active; the issuer's DID changed (earlier DIDs: {', '.join(record.former_dids)})")
    else:
        err.print(f"new key active; {len(record.keys)} keys listed in the DID document")
    typer.echo(record.did)
