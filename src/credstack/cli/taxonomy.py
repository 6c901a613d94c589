"""``credstack taxonomy load|search|show|about``: the skills taxonomy (ESCO v1.1.1, O*NET 29.2).

Each command calls one method of :class:`credstack.services.taxonomy.TaxonomyService` and renders the result, as
text or, with ``--json``, as one JSON document on stdout. The application (SQLAlchemy, rapidfuzz) is imported
inside the commands so that ``credstack verify`` keeps starting fast.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from credstack.cli import app
from credstack.cli._context import err, open_app, out

if TYPE_CHECKING:
    from credstack.services.taxonomy_records import (
        ConceptLink,
        LoadReport,
        OccupationDetail,
        OnetOccupationDetail,
        SkillDetail,
    )

__all__ = ["taxonomy_app"]

taxonomy_app = typer.Typer(
    name="taxonomy",
    help="The skills taxonomy (ESCO v1.1.1 and O*NET 29.2): load it, search it, show a skill or occupation.",
    no_args_is_help=True,
)
app.add_typer(taxonomy_app)

#: How many related items the text view lists before "... and N more" (``--json`` always gives them all).
SHOWN = 25


class Kind(StrEnum):
    skill = "skill"
    occupation = "occupation"


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@taxonomy_app.command("load")
def load(
    force: Annotated[bool, typer.Option("--force", help="Reload every table even when it is up to date.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the load report as JSON.")] = False,
) -> None:
    """Load the shipped ESCO and O*NET data into the database (creating the schema if needed). Idempotent."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with open_app(require_schema=False) as credstack:
        credstack.init_db()
        shipped = credstack.taxonomy.datasets()
        done: dict[str, int] = {}
        columns = (TextColumn("{task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=as_json) as progress:
            task = progress.add_task("taxonomy", total=sum(shipped.values()))

            def step(name: str, rows: int, _total: int) -> None:
                done[name] = rows
                progress.update(task, description=name, completed=sum(done.values()))

            report = credstack.taxonomy.load(progress=step, force=force)
            progress.update(task, description="done", completed=sum(shipped.values()))
    if as_json:
        _json({**report.to_json(), "changed": report.changed})
        return
    _print_load(report)


def _print_load(report: LoadReport) -> None:
    rows = sum(t.rows for t in report.tables)
    for t in report.tables:
        out.print(f"{t.name:<24} {t.table:<34} {t.rows:>8,} rows  {t.action:<9} {t.seconds:6.2f} s")
    dangling = ", ".join(f"{n} {name}" for name, n in report.dangling.items() if n)
    if dangling:
        out.print(f"kept as published: relations naming a concept absent from the release ({dangling})")
    if report.changed:
        loaded = sum(t.rows for t in report.tables if t.action == "loaded")
        out.print(f"loaded {loaded:,} rows in {report.seconds:.1f} s ({rows:,} in the taxonomy)")
    else:
        out.print(f"nothing to do: the taxonomy is already loaded and unchanged ({rows:,} rows)")


@taxonomy_app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="What to look for: a skill or job title; typos are forgiven.")],
    kind: Annotated[Kind | None, typer.Option(help="Only skills or only occupations.")] = None,
    limit: Annotated[int, typer.Option(help="How many results (1-100).")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as a JSON array.")] = False,
) -> None:
    """Search skills and occupations by preferred label, alternative labels and fuzzy text, best first."""
    with open_app() as credstack:
        hits = credstack.taxonomy.search(text, kind=kind.value if kind else None, limit=limit)
    if as_json:
        _json([h.to_json() for h in hits])
        return
    if not hits:
        out.print(f"no skill or occupation matches {text!r}")
        return
    for h in hits:
        via = "" if h.matched_label == h.label else f"  (via {h.matched_label_kind} label {h.matched_label!r})"
        scheme = "O*NET" if h.scheme == "onet" else "ESCO"
        out.print(
            f"{h.score:6.2f}  {h.kind:<10} {scheme:<5} {escape(h.label)}  [dim]{h.detail or ''}  id {h.id}[/]"
            f"{escape(via)}"
        )


@taxonomy_app.command("show")
def show(
    ref: Annotated[str, typer.Argument(metavar="URI_OR_CODE", help="ESCO URI or id, ESCO/ISCO code, O*NET-SOC code.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the concept and all its relations as JSON.")] = False,
) -> None:
    """Show a skill (labels, type, hierarchy, related skills, occupations needing it) or an occupation (ISCO group,
    essential and optional skills; for an O*NET-SOC code: technology skills, alternate titles and tasks)."""
    from credstack.services.taxonomy_records import OccupationDetail, SkillDetail

    with open_app() as credstack:
        concept = credstack.taxonomy.show(ref)
    if as_json:
        _json(concept.to_json())
    elif isinstance(concept, SkillDetail):
        _print_skill(concept)
    elif isinstance(concept, OccupationDetail):
        _print_occupation(concept)
    else:
        _print_onet(concept)


@taxonomy_app.command("about")
def about() -> None:
    """Where the taxonomy comes from, its licences and attribution, and what is loaded."""
    with open_app() as credstack:
        counts = credstack.taxonomy.counts()
        out.print(escape(credstack.taxonomy.attribution()))
    loaded = ", ".join(f"{name} {rows:,}" for name, rows in counts.items()) or "nothing yet (credstack taxonomy load)"
    out.print(f"\nloaded: {loaded}")


def _links(title: str, links: list[ConceptLink], *, shown: int = SHOWN) -> None:
    if not links:
        return
    out.print(f"[bold]{title}[/] ({len(links)})")
    for link in links[:shown]:
        relation = f" [{link.relation}]" if link.relation and link.relation not in title.lower() else ""
        label = link.label or "(not in this release)"
        out.print(f"  {escape(label)}{escape(relation)}  [dim]{link.kind} {link.id}[/]")
    if len(links) > shown:
        out.print(f"  ... and {len(links) - shown} more (--json lists all)")


def _print_skill(s: SkillDetail) -> None:
    facts = ", ".join(x for x in (s.skill_type, s.reuse_level, s.code) if x)
    out.print(f"[bold]{escape(s.preferred_label)}[/] ({'ESCO skill group' if s.kind == 'group' else 'ESCO skill'}"
              f"{', ' + escape(facts) if facts else ''})")  # fmt: skip
    out.print(f"[dim]{s.uri}  id {s.id}[/]")
    if s.alt_labels:
        out.print("also: " + escape("; ".join(s.alt_labels)))
    if s.description:
        out.print(escape(s.description))
    if s.scope_note:
        out.print("[dim]scope:[/] " + escape(s.scope_note))
    _links("broader", s.broader)
    _links("narrower", s.narrower)
    _links("related skills", s.related)
    _links("essential for", s.essential_for)
    _links("optional for", s.optional_for)


def _print_occupation(o: OccupationDetail) -> None:
    what = "ISCO-08 group" if o.kind == "isco" else "ESCO occupation"
    out.print(f"[bold]{escape(o.preferred_label)}[/] ({what} {o.code})")
    out.print(f"[dim]{o.uri}  id {o.id}[/]")
    if o.isco_group:
        out.print(f"ISCO-08 group: {o.isco_group.id.removeprefix('C')} {escape(o.isco_group.label or '')}")
    if o.alt_labels:
        out.print("also: " + escape("; ".join(o.alt_labels)))
    if o.description:
        out.print(escape(o.description))
    _links("essential skills", o.essential_skills, shown=1000)
    _links("optional skills", o.optional_skills)
    _links("broader", o.broader)
    _links("narrower", o.narrower)
    _links("O*NET occupations with the same title", o.onet)


def _print_onet(o: OnetOccupationDetail) -> None:
    out.print(f"[bold]{escape(o.title)}[/] (O*NET-SOC {o.code}, O*NET 29.2)")
    if o.description:
        out.print(escape(o.description))
    hot = sum(t.hot for t in o.technology_skills)
    demand = sum(t.in_demand for t in o.technology_skills)
    out.print(f"[bold]technology skills[/] ({len(o.technology_skills)}; {hot} hot, {demand} in demand)")
    for t in o.technology_skills[:SHOWN]:
        flags = ", ".join(f for f, on in (("hot", t.hot), ("in demand", t.in_demand)) if on)
        out.print(
            f"  {escape(t.example)}  [dim]{escape(t.commodity_title)}[/]{escape(f'  [{flags}]') if flags else ''}"
        )
    if len(o.technology_skills) > SHOWN:
        out.print(f"  ... and {len(o.technology_skills) - SHOWN} more (--json lists all)")
    if o.alternate_titles:
        shown = "; ".join(o.alternate_titles[:SHOWN])
        more = f" ... and {len(o.alternate_titles) - SHOWN} more" if len(o.alternate_titles) > SHOWN else ""
        out.print(f"[bold]alternate titles[/] ({len(o.alternate_titles)}): {escape(shown)}{more}")
    if o.tasks:
        out.print(f"[bold]tasks[/] ({len(o.tasks)})")
        for task in o.tasks[:SHOWN]:
            out.print(f"  - {escape(task.task)}{' [dim](' + task.task_type + ')[/]' if task.task_type else ''}")
        if len(o.tasks) > SHOWN:
            out.print(f"  ... and {len(o.tasks) - SHOWN} more (--json lists all)")
    _links("ESCO occupations with the same title", o.esco)
