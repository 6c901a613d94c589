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

__all__ = ["demo", "demo_app", "demo_seed", "serve"]


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
    """Serve the HTTP API (OpenAPI at /docs) and the web pages (verify, catalog, pathways, issuer console, wallet,
    planner, employer tools, market)."""
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


demo_app = typer.Typer(
    name="demo",
    help="The demo: `credstack demo` seeds (if needed) and serves it; `credstack demo seed` seeds everything.",
    invoke_without_command=True,
)
app.add_typer(demo_app)


def _print_stacks(seeded: Any, base: str) -> None:
    typer.echo(
        f"credstack demo stacks: {len(seeded.pathways)} pathways, {seeded.awards} awards "
        f"({seeded.review} under review), {seeded.credentials} demo learner credentials"
    )
    typer.echo(f"  pathways           {base}/pathways")
    for learner, what in seeded.learners:
        typer.echo(f"  {what}")
        typer.echo(f"    {base}/pathways?learner={learner}  (signed in as {learner})")
    typer.echo("  awards to review   credstack pathway awards --review")


def _seed_after_stacks(credstack: Any) -> Any:
    """The demo steps that need the stacks' credentials: the stack learners' wallets, acme's workforce and trusted
    issuers."""
    from credstack.cli._demo_wallet import seed_learner_wallets
    from credstack.cli._employer_demo import seed_workforce

    workforce = seed_workforce(credstack)  # first: it issues a team member an older credential, claimed next
    seed_learner_wallets(credstack)
    return workforce


def _print_workforce(workforce: Any, base: str) -> None:
    typer.echo(
        f"  workforce audit    {base}/employer/workforce?budget=2000  (as hr@acme.example: "
        f"{workforce.members} team members, {len(workforce.roles)} roles, {workforce.trusted} trusted issuers)"
    )


def _print_wallet(wallet: Any, seeded_base: str, base: str) -> None:
    typer.echo(f"  sign in            {base}/signin  (password {wallet.password!r} for every demo account)")
    for email, role in wallet.people:
        typer.echo(f"    {role:<18} {email}")
    typer.echo(f"  wallet             {base}/wallet  (as {wallet.learner})")
    if wallet.claim_url:
        typer.echo(f"  a claim link       {wallet.claim_url.replace(seeded_base, base)}")


@demo_app.callback()
def demo(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1.", min=1, max=65535)] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Seed the demo data and exit.")] = False,
) -> None:
    """Create a demo issuer, achievements (one with ESCO skills) and credentials (one suspended, one revoked),
    then serve them on 127.0.0.1. Safe to run again: existing demo data is reused. When the taxonomy is loaded and
    the demo stacks are not there yet, `credstack demo seed` runs first."""
    if ctx.invoked_subcommand is not None:
        return
    from credstack.app import Credstack
    from credstack.cli._demo import seed_demo
    from credstack.cli._demo_wallet import seed_wallet

    settings = _settings_for("127.0.0.1", port)
    settings.check_for_serving()
    credstack = Credstack.from_settings(settings)
    seeded = seed_demo(credstack)
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
    _print_wallet(seed_wallet(credstack), seeded.base_url, base)
    from credstack.cli._employer_demo import seed_employer_demo

    seed_employer_demo(credstack, seeded)
    typer.echo(f"  employer tools     {base}/employer (candidates shared with 'default' and 'acme', a job to rank)")
    if credstack.taxonomy.counts().get("occupations") and not credstack.pathways.list():
        from credstack.cli._demo_stacks import seed_stacks

        _print_stacks(seed_stacks(credstack), base)
        _print_workforce(_seed_after_stacks(credstack), base)
    elif credstack.pathways.list():
        typer.echo(f"  pathways (stacks)  {base}/pathways")
    credstack.close()
    if not no_serve:
        _run(settings, "127.0.0.1", port)


def _seed_market(credstack: Any) -> list[Any]:
    """Ingest the real postings shipped with credstack (once; about half a minute) with a progress bar, so the
    market pages and the planner's demand weights have data."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from credstack.cli._skills_index import load_linker

    credstack.market.use_linker(load_linker)
    columns = (TextColumn("job postings"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("ingest", total=credstack.market.builtin_rows())
        done = [0]

        def tick(_n: int) -> None:
            done[0] += 1
            if done[0] % 250 == 0:
                progress.update(task, completed=done[0])

        return list(credstack.market.ensure_builtin(tick=tick))


@demo_app.command("seed")
def demo_seed(
    port: Annotated[int, typer.Option(help="The port `credstack demo` will serve on (for the printed URLs).")] = 8000,
    no_index: Annotated[
        bool, typer.Option("--no-index", help="Skip the catalog's semantic search index (built when installed).")
    ] = False,
) -> None:
    """Seed the whole demo (idempotent): the demo issuer and credentials, the catalog (demo + New Jersey ETPL), the
    demo stacks (pathways) with their providers' achievements, demo learners with awards, partial progress and
    one award under review, and the job market from the real postings shipped with credstack. Needs
    `credstack taxonomy load` first."""
    from credstack.app import Credstack
    from credstack.cli._demo import seed_demo
    from credstack.cli._demo_stacks import seed_stacks
    from credstack.cli._demo_wallet import seed_wallet
    from credstack.errors import TaxonomyNotLoadedError

    settings = _settings_for("127.0.0.1", port)
    settings.check_for_serving()
    with Credstack.from_settings(settings) as credstack:
        credstack.init_db()
        if not credstack.taxonomy.counts().get("occupations"):
            raise TaxonomyNotLoadedError("the demo stacks are built from the catalog: run `credstack taxonomy load`")
        market = _seed_market(credstack)  # first: the demo catalog adds units for the skills postings ask for
        seeded = seed_demo(credstack)
        wallet = seed_wallet(credstack)
        from credstack.cli._employer_demo import seed_employer_demo

        seed_employer_demo(credstack, seeded)
        stacks = seed_stacks(credstack)
        workforce = _seed_after_stacks(credstack)
        index = None
        if not no_index:
            from credstack.services.catalog_semantic import semantic_installed

            index = credstack.catalog.index() if semantic_installed() else None
    base = settings.base_url
    typer.echo(f"credstack demo: {len(seeded.credential_ids)} credentials of {seeded.issuer_name}")
    _print_wallet(wallet, seeded.base_url, base)
    _print_stacks(stacks, base)
    _print_workforce(workforce, base)
    if market:
        accepted = sum(r.accepted for r in market)
        typer.echo(f"  job market: {accepted:,} real postings ingested from the shipped datasets: {base}/market")
    else:
        typer.echo(f"  job market: the shipped postings were already ingested: {base}/market")
    if index is not None:
        typer.echo(f"  catalog semantic index: {index.embedded} embedded, {index.unchanged} unchanged")
    typer.echo(f"  stacks seeded in {stacks.seconds:g} s; serve it with: credstack demo --port {port}")
