"""``credstack serve`` and ``credstack demo``: run the HTTP API and web pages with Uvicorn.

Module-level imports stay light (no FastAPI, Uvicorn or database here) so that other commands, ``credstack verify``
above all, start fast; the heavy imports happen inside the commands.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from credstack.cli import app
from credstack.settings import Settings

__all__ = ["demo", "serve"]


def _settings_for(host: str, port: int) -> Settings:
    """Settings from the environment; without ``CREDSTACK_BASE_URL``, the base URL is where we are serving."""
    import dataclasses

    settings = Settings.from_env()
    if "CREDSTACK_BASE_URL" not in os.environ:
        public_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104 - comparing, not binding
        settings = dataclasses.replace(settings, base_url=f"http://{public_host}:{port}")
    return settings


def _run(settings: Settings, host: str, port: int, *, get: str | None = None) -> None:
    import uvicorn

    from credstack.api import create_app
    from credstack.app import Credstack

    credstack = Credstack.from_settings(settings)
    credstack.require_schema()  # fail now with "run credstack init", not on every request
    if get is not None:
        _answer_one(create_app(credstack), settings.base_url, get)
        return
    uvicorn.run(create_app(credstack), host=host, port=port, log_level="info", proxy_headers=False)


def _answer_one(asgi_app: Any, base_url: str, path: str) -> None:
    """``serve --get PATH``: answer one GET in-process (no socket), print the body, exit 1 on an error status."""
    import asyncio

    import httpx

    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=asgi_app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            return await client.get(path, headers={"Accept": "application/json"})

    response = asyncio.run(fetch())
    typer.echo(response.text)
    if response.status_code >= 400:
        raise SystemExit(1)  # main() runs click in non-standalone mode: typer.Exit would be swallowed


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    get: Annotated[
        str | None, typer.Option(help="Answer one GET for this path in-process, print it and exit (no server).")
    ] = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs) and the web pages (home, /verify, credential pages)."""
    settings = _settings_for(host, port)
    settings.check_for_serving()
    if get is None:
        typer.echo(f"credstack serving {settings.base_url} (API docs: {settings.base_url}/docs)", err=True)
    if get is None and "CREDSTACK_BASE_URL" not in os.environ:
        typer.echo(
            f"CREDSTACK_BASE_URL is not set: credential and status list URLs use {settings.base_url}; "
            "set it to the public URL (and export it for other commands) to change that",
            err=True,
        )
    _run(settings, host, port, get=get)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1.", min=1, max=65535)] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Seed the demo data and exit.")] = False,
) -> None:
    """Create a demo issuer, achievements (one with ESCO skills) and credentials (one suspended, one revoked),
    then serve them on 127.0.0.1. Safe to run again: existing demo data is reused."""
    from credstack.app import Credstack
    from credstack.cli._demo import seed_demo

    settings = _settings_for("127.0.0.1", port)
    settings.check_for_serving()
    seeded = seed_demo(Credstack.from_settings(settings))
    base = settings.base_url
    typer.echo(
        f"credstack demo: {len(seeded.credential_ids)} credentials of {seeded.issuer_name} ({seeded.issuer_did})"
    )
    typer.echo(f"  home page          {base}/")
    typer.echo(f"  verify page        {base}/verify")
    typer.echo(f"  a credential       {seeded.credential_ids[0].replace(seeded.base_url, base)}")
    typer.echo(f"  a suspended one    {seeded.suspended_id.replace(seeded.base_url, base)}")
    typer.echo(f"  a revoked one      {seeded.revoked_id.replace(seeded.base_url, base)}")
    typer.echo(f"  API documentation  {base}/docs")
    if not no_serve:
        _run(settings, "127.0.0.1", port)
