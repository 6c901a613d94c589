"""``credstack market ingest|trends|emerging|cooccur|occupation|coverage``: job postings in, skill demand out.

Each command calls :class:`credstack.services.market.MarketService` (docs/market.md) and renders the result as text
or, with ``--json``, as one JSON document on stdout. The linker's indexes come from the on-disk cache that
``credstack skills`` uses. Where the data is thin (posting text covering few months), the output says so.
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
from credstack.errors import InvalidInputError

if TYPE_CHECKING:
    from credstack.market.records import Coverage, IngestReport

__all__ = ["market_app"]

market_app = typer.Typer(
    name="market",
    help="Job-market intelligence: ingest job postings, then skill demand, trends, emerging and co-occurring skills.",
    no_args_is_help=True,
)
app.add_typer(market_app)


class Format(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


class Mapping(StrEnum):
    auto = "auto"
    generic = "generic"
    usajobs_summaries = "usajobs-summaries"
    usajobs_questionnaires = "usajobs-questionnaires"
    usajobs_announcements = "usajobs-announcements"
    nyc_jobs = "nyc-jobs"


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _use_cached_linker(credstack: Any) -> None:
    from credstack.cli._skills_index import load_linker

    credstack.market.use_linker(load_linker)


def _print_report(report: IngestReport) -> None:
    out.print(
        f"{escape(report.source)} ({escape(report.file_name)}): read {report.rows_read:,} rows = "
        f"{report.accepted:,} accepted + {report.duplicates:,} duplicates ({report.exact_duplicates:,} exact, "
        f"{report.near_duplicates:,} near) + {report.rejected:,} rejected"
    )
    if report.accepted:
        share = report.titles_mapped / report.accepted
        out.print(
            f"  titles mapped to an occupation: {report.titles_mapped:,} of {report.accepted:,} ({share:.0%}); "
            f"postings with skills: {report.with_skills:,} ({report.skill_mentions:,} skill mentions); "
            f"months {report.months[0]} .. {report.months[-1]}"
        )
    for note in report.notes:
        out.print(f"  note: {escape(note)}")
    out.print(f"  {report.seconds:.1f} s")


@market_app.command("ingest")
def ingest(
    file: Annotated[
        Path | None, typer.Argument(help="CSV or JSONL file of postings, optionally gzipped.", show_default=False)
    ] = None,
    fmt: Annotated[Format | None, typer.Option("--format", help="File format (default: from the name).")] = None,
    mapping: Annotated[Mapping, typer.Option("--mapping", help="Field mapping (default: detected).")] = Mapping.auto,
    rejects: Annotated[
        Path | None, typer.Option("--rejects", help="Write rejected rows here (JSON lines: line, reason, raw).")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="Source name stored with the postings.")] = None,
    builtin: Annotated[
        bool, typer.Option("--builtin", help="Ingest the real postings shipped with credstack.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Ingest job postings: deduplicate, map titles to occupations, extract skills, update the demand tables.
    Prints rows read = accepted + duplicates + rejected."""
    from rich.progress import BarColumn, DownloadColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if (file is None) == (not builtin):
        raise InvalidInputError("give a FILE or --builtin (not both)")
    with open_app(require_schema=False) as credstack:
        credstack.init_db()
        _use_cached_linker(credstack)
        if builtin:
            total = credstack.market.builtin_rows()
            columns: tuple[Any, ...] = (TextColumn("postings"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            with Progress(*columns, console=err, transient=True) as progress:
                task = progress.add_task("ingest", total=total)
                done = [0]

                def tick(_n: int) -> None:
                    done[0] += 1
                    if done[0] % 250 == 0:
                        progress.update(task, completed=done[0])

                reports = credstack.market.ingest_builtin(tick=tick)
        elif file is not None:
            size = file.stat().st_size if file.exists() else 0
            columns = (TextColumn(escape(file.name)), BarColumn(), DownloadColumn(), TimeElapsedColumn())
            with Progress(*columns, console=err, transient=True) as progress:
                task = progress.add_task("ingest", total=size or None)
                reports = [
                    credstack.market.ingest(
                        file,
                        fmt=fmt.value if fmt else None,
                        mapping=mapping.value,
                        source=source,
                        rejects=rejects,
                        progress=lambda n: progress.advance(task, n),
                    )
                ]
        else:
            reports = []
    if as_json:
        _json(reports[0].to_json() if len(reports) == 1 else [r.to_json() for r in reports])
        return
    for report in reports:
        _print_report(report)
    if len(reports) > 1:
        read = sum(r.rows_read for r in reports)
        accepted = sum(r.accepted for r in reports)
        duplicates = sum(r.duplicates for r in reports)
        rejected = sum(r.rejected for r in reports)
        seconds = sum(r.seconds for r in reports)
        out.print(
            f"total: read {read:,} = {accepted:,} accepted + {duplicates:,} duplicates + {rejected:,} rejected "
            f"in {seconds:.1f} s"
        )
    if rejects is not None and not as_json:
        out.print(f"rejected rows written to {escape(str(rejects))}")


def _notes(coverage: Coverage) -> None:
    for note in coverage.notes:
        err.print(f"note: {escape(note)}")


@market_app.command("trends")
def trends(
    skill: Annotated[str | None, typer.Option("--skill", help="A skill (ESCO URI, id or label): its series.")] = None,
    occupation: Annotated[
        str | None, typer.Option("--occupation", help="O*NET-SOC code, ESCO occupation URI/id or OPM series.")
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="US state (code or name), remote, country.")] = None,
    month_from: Annotated[str | None, typer.Option("--from", help="First month, YYYY-MM.")] = None,
    month_to: Annotated[str | None, typer.Option("--to", help="Last month, YYYY-MM.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="How many skills.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Skill demand: the top skills (filtered by month, region, occupation), or one skill's monthly series and
    growth (quarter on quarter, year on year, with 95 % intervals)."""
    with open_app() as credstack:
        coverage = credstack.market.coverage()
        if skill is not None:
            uri = credstack.market.resolve_skill(skill)
            points = credstack.market.skill_series(uri, region=region)
            growth = credstack.market.growth(uri)
            if as_json:
                _json(
                    {
                        "skill": uri,
                        "series": [p.to_json() for p in points],
                        "growth": growth.to_json(),
                        "coverage": coverage.to_json(),
                    }
                )
                return
            out.print(f"[bold]{escape(uri)}[/]")
            for p in points:
                out.print(f"{p.month}  {p.postings:>6,} of {p.total:>6,} postings with text  {p.share:7.2%}")
            _print_growth(growth)
            _notes(coverage)
            return
        found = credstack.market.skill_demand(
            month_from=month_from, month_to=month_to, region=region, occupation=occupation, limit=limit
        )
        if occupation is not None and occupation.strip():
            series = credstack.market.occupation_series(occupation)
        else:
            series = []
    if as_json:
        data: dict[str, Any] = {"skills": [s.to_json() for s in found], "coverage": coverage.to_json()}
        if series:
            data["occupationSeries"] = [p.to_json() for p in series]
        _json(data)
        return
    if not found:
        out.print("no skill demand in this selection")
    for s in found:
        out.print(f"{s.postings:>7,}  {s.share:7.2%}  {escape(s.label)}  [dim]{escape(s.uri)}[/]")
    if series:
        out.print(f"postings per month for {escape(occupation or '')} (text or not):")
        for p in series:
            if p.postings:
                out.print(f"{p.month}  {p.postings:>6,} of {p.total:>7,}  {p.share:7.2%}")
    _notes(coverage)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1%}"


def _print_growth(growth: Any) -> None:
    if growth.quarter:
        out.print(
            f"growth in {growth.quarter} ({growth.n:,} postings): quarter on quarter {_pct(growth.qoq)} "
            f"[95 % {_pct(growth.ci_low)} .. {_pct(growth.ci_high)}], year on year {_pct(growth.yoy)} "
            f"[95 % {_pct(growth.yoy_ci_low)} .. {_pct(growth.yoy_ci_high)}]"
        )
    if growth.note:
        out.print(f"note: {escape(growth.note)}")


@market_app.command("emerging")
def emerging(
    limit: Annotated[int, typer.Option("--limit", min=1, max=200, help="How many skills.")] = 20,
    min_support: Annotated[
        int, typer.Option("--min-support", min=1, help="At least this many recent postings per skill.")
    ] = 10,
    window: Annotated[int, typer.Option("--window", min=1, max=24, help="Recent window, in months with text.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Emerging skills: share in the last months with text against the months before, ranked by the lower end of
    the ratio's 95 % interval."""
    with open_app() as credstack:
        report = credstack.market.emerging_report(limit, min_support=min_support, window=window)
        coverage = credstack.market.coverage()
    if as_json:
        _json({**report.to_json(), "coverage": coverage.to_json()})
        return
    for e in report.skills:
        out.print(
            f"x{e.ratio:5.2f} (>= x{e.ratio_low:4.2f})  {e.recent_share:6.2%} <- {e.earlier_share:6.2%}  "
            f"{e.recent_postings:>5,} postings  {escape(e.label)}"
        )
    out.print(escape(report.note))
    _notes(coverage)


@market_app.command("cooccur")
def cooccur(
    skill: Annotated[str, typer.Argument(help="A skill: ESCO URI, id or label.")],
    limit: Annotated[int, typer.Option("--limit", min=1, max=100, help="How many skills.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Skills asked for in the same postings as SKILL, most frequent first."""
    with open_app() as credstack:
        uri = credstack.market.resolve_skill(skill)
        found = credstack.market.cooccurring(uri, limit)
    if as_json:
        _json({"skill": uri, "cooccurring": [c.to_json() for c in found]})
        return
    if not found:
        out.print("no co-occurring skills")
    for c in found:
        out.print(f"{c.postings:>6,}  {c.share:7.2%}  {escape(c.label)}")


@market_app.command("occupation")
def occupation(
    occupation_ref: Annotated[
        str, typer.Argument(metavar="OCCUPATION", help="ESCO occupation URI/id, O*NET-SOC code or OPM series.")
    ],
    limit: Annotated[int, typer.Option("--limit", min=1, max=200, help="How many skills.")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """An occupation: postings per month and, for an ESCO occupation, the skills postings ask for next to ESCO's
    essential skills."""
    from credstack.services.market_analytics import OccupationFilter

    scheme = OccupationFilter(occupation_ref).scheme
    with open_app() as credstack:
        series = credstack.market.occupation_series(occupation_ref)
        skills = credstack.market.occupation_skills(occupation_ref, limit=limit) if scheme == "esco" else None
    if as_json:
        _json(
            {
                "occupation": occupation_ref,
                "series": [p.to_json() for p in series],
                "skills": skills.to_json() if skills else None,
            }
        )
        return
    counted = [p for p in series if p.postings]
    out.print(f"{sum(p.postings for p in counted):,} postings in {len(counted)} month(s)")
    for p in counted:
        out.print(f"{p.month}  {p.postings:>6,} of {p.total:>7,}  {p.share:7.2%}")
    if skills is None:
        return
    out.print(f"[bold]{escape(skills.label)}[/]: {skills.postings:,} postings with text")
    for s in skills.asked:
        mark = f" ({s.relation} in ESCO)" if s.relation else ""
        out.print(f"  asked {s.postings:>5,}  {s.share:7.2%}  {escape(s.label)}{mark}")
    out.print(f"ESCO essential skills asked for: {skills.essential_asked} of {len(skills.essential)}")
    for s in skills.essential[:limit]:
        out.print(f"  essential {s.postings:>5,}  {escape(s.label)}")
    if skills.note:
        out.print(f"note: {escape(skills.note)}")


@market_app.command("coverage")
def coverage_command(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Which sources and months the market analytics stand on, and where the data is thin."""
    with open_app() as credstack:
        coverage = credstack.market.coverage()
    if as_json:
        _json(coverage.to_json())
        return
    for s in coverage.sources:
        out.print(
            f"{escape(s.source):<26} {s.month_from} .. {s.month_to}  {s.postings:>7,} postings, "
            f"{s.with_text:>6,} with text in {len(s.months_with_text)} month(s)"
        )
    for note in coverage.notes:
        out.print(f"note: {escape(note)}")
