"""``credstack init``: create or upgrade the database schema and make a default did:key issuer (idempotent)."""

from __future__ import annotations

from typing import Annotated

import typer

from credstack.cli import app
from credstack.cli._context import err, open_app
from credstack.settings import DEFAULT_MASTER_SECRET

__all__ = ["init"]


@app.command()
def init(
    issuer_name: Annotated[
        str, typer.Option(help="Name of the default issuer, if one is created.")
    ] = "credstack issuer",
) -> None:
    """Create or upgrade the schema (CREDSTACK_DATABASE_URL) and a default did:key issuer; print its DID."""
    with open_app(require_schema=False) as credstack:
        result = credstack.init(issuer_name)
        development_secret = credstack.settings.master_secret == DEFAULT_MASTER_SECRET
    if development_secret:
        err.print(
            "warning: issuer keys are encrypted with the development CREDSTACK_MASTER_SECRET; "
            "set your own before issuing real credentials (the server refuses it outside development)"
        )
    state = "created" if result.created else "already there"
    err.print(f"database ready (schema {result.revision}); default issuer {result.issuer.name!r} {state}")
    typer.echo(result.issuer.did)
