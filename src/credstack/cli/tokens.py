"""``credstack token create|list``: API tokens for the HTTP API (scopes issue, status, market, employer, admin)."""

from __future__ import annotations

from typing import Annotated

import typer

from credstack.cli import app
from credstack.cli._context import open_app, out

__all__ = ["token_app"]

token_app = typer.Typer(name="token", help="API tokens: created once, stored hashed.", no_args_is_help=True)
app.add_typer(token_app)


@token_app.command("create")
def create(
    scopes: Annotated[
        str, typer.Option(help="Comma-separated scopes: issue, status, market, employer, wallet, admin.")
    ],
    name: Annotated[str | None, typer.Option(help="A label to recognise the token by.")] = None,
) -> None:
    """Create a token and print only the token (it is shown once): TOKEN=$(credstack token create --scopes issue)."""
    with open_app() as credstack:
        raw = credstack.tokens.create(scopes.split(","), name=name)
    typer.echo(raw)


@token_app.command("list")
def list_tokens() -> None:
    """List tokens (never their values)."""
    with open_app() as credstack:
        tokens = credstack.tokens.list()
    for token in tokens:
        state = "revoked" if token.revoked else "active"
        out.print(f"{token.id}\t{','.join(sorted(token.scopes))}\t{state}\t{token.name or ''}")
