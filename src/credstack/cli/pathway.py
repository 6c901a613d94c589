"""``credstack pathway list|show|create|delete|awards|evaluate|review`` and ``credstack progress``: stacks
(docs/stacking.md).

Each command calls one method of :class:`credstack.services.pathways.PathwayService` and renders the result, as
text or, with ``--json``, as one JSON document on stdout.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from credstack.cli import app
from credstack.cli._context import open_app, out
from credstack.errors import InvalidInputError

if TYPE_CHECKING:
    from credstack.services.pathway_awards import AwardRecord
    from credstack.services.pathways import LearnerProgress

__all__ = ["pathway_app", "progress"]

pathway_app = typer.Typer(
    name="pathway",
    help="Pathways (stacks of micro-credentials into qualifications): list, show, create, awards, review.",
    no_args_is_help=True,
)
app.add_typer(pathway_app)


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _bar(fraction: float, width: int = 30) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "[" + "#" * filled + "-" * (width - filled) + "]"


@pathway_app.command("list")
def list_pathways(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Every pathway: id, name, credits and the issuer of its award."""
    with open_app() as credstack:
        pathways = credstack.pathways.list()
    if as_json:
        _json([p.to_json() for p in pathways])
        return
    if not pathways:
        out.print("no pathways yet: `credstack pathway create FILE` or `credstack demo seed`")
        return
    for p in pathways:
        credits = f"{p.credits:g} credits" if p.credits is not None else "no credit value"
        out.print(f"{escape(p.id):<32} {escape(p.name)}  ({credits}; awarded by {escape(p.issuer.name)})")


@pathway_app.command("show")
def show(
    pathway_id: Annotated[str, typer.Argument(metavar="ID", help="The pathway id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the pathway's JSON.")] = False,
) -> None:
    """One pathway: its requirement tree in words (names, not ids), and how many have been awarded."""
    from credstack.services.pathway_words import short_did

    with open_app() as credstack:
        pathway = credstack.pathways.get(pathway_id)
        words = credstack.pathways.words()
        awards = credstack.pathways.awards.list(pathway_id=pathway.id)
    if as_json:
        _json({**pathway.to_json(), **words.describe(pathway.qualification)})
        return
    out.print(f"[bold]{escape(pathway.name)}[/bold]  ({escape(pathway.id)}, version {pathway.version})")
    if pathway.description:
        out.print(escape(pathway.description))
    if pathway.credits is not None:
        out.print(f"credits: {pathway.credits:g}")
    out.print(f"awarded by: {escape(pathway.issuer.name)} ({escape(short_did(pathway.issuer.did))})")
    out.print(escape(words.text(pathway.qualification)))
    review = sum(1 for a in awards if a.status == "review")
    revoked = sum(1 for a in awards if a.status == "revoked")
    notes = [f"{review} flagged for review"] * bool(review) + [f"{revoked} revoked"] * bool(revoked)
    out.print(f"awards: {len(awards)}" + (f" ({', '.join(notes)})" if notes else ""))


@pathway_app.command("create")
def create(
    file: Annotated[Path, typer.Argument(help="The pathway as JSON (docs/stacking.md).", exists=False)],
    issuer: Annotated[str | None, typer.Option(help="Issuer (slug or DID) of the award; default issuer.")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace a pathway with the same id.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the stored pathway as JSON.")] = False,
) -> None:
    """Store a pathway from a JSON file; every problem is reported with where it is."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInputError(f"cannot read {file}: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{file} is not JSON: {exc}") from exc
    with open_app() as credstack:
        pathway = credstack.pathways.create(data, issuer_ref=issuer, replace=replace)
    if as_json:
        _json(pathway.to_json())
        return
    out.print(f"pathway {escape(pathway.id)} stored (version {pathway.version}): {escape(pathway.name)}")


@pathway_app.command("delete")
def delete(pathway_id: Annotated[str, typer.Argument(metavar="ID", help="The pathway id.")]) -> None:
    """Delete a pathway that has no awards and is nested in no other pathway."""
    with open_app() as credstack:
        credstack.pathways.delete(pathway_id)
    out.print(f"pathway {escape(pathway_id)} deleted")


def _award_line(award: AwardRecord) -> str:
    line = (
        f"{award.awarded_at:%Y-%m-%d}  {escape(award.pathway_id):<28} {escape(award.learner):<32} "
        f"{award.status:<8} {award.credits_earned:g} credits"
    )
    if award.review_reason:
        line += f"\n    {'review' if award.status == 'review' else 'note'}: {escape(award.review_reason)}"
    return line


@pathway_app.command("awards")
def awards(
    review: Annotated[bool, typer.Option("--review", help="Only awards flagged for review.")] = False,
    pathway: Annotated[str | None, typer.Option(help="Only awards of this pathway.")] = None,
    learner: Annotated[str | None, typer.Option(help="Only awards of this learner.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Awards of pathways, newest first; --review lists those flagged because a component was revoked, suspended or
    expired, or no longer verifies."""
    with open_app() as credstack:
        found = credstack.pathways.awards.list(status="review" if review else None, pathway_id=pathway, learner=learner)
        base = credstack.settings.base_url.rstrip("/")
    if as_json:
        _json([a.to_json(base) for a in found])
        return
    if not found:
        out.print("no awards flagged for review" if review else "no awards yet")
        return
    for award in found:
        out.print(_award_line(award))


@pathway_app.command("evaluate")
def evaluate(
    learner: Annotated[str, typer.Option(help="The learner (DID or e-mail address).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Award every pathway the learner meets now and does not hold yet (awards also happen on issuance)."""
    with open_app() as credstack:
        made = credstack.pathways.evaluate_learner(learner)
        base = credstack.settings.base_url.rstrip("/")
    if as_json:
        _json([a.to_json(base) for a in made])
        return
    out.print(f"{len(made)} new award(s)")
    for award in made:
        out.print(_award_line(award))


@pathway_app.command("review")
def review(
    pathway: Annotated[str | None, typer.Option(help="Only awards of this pathway.")] = None,
    learner: Annotated[str | None, typer.Option(help="Only awards of this learner.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Re-check awards: flag those whose components expired or no longer verify (revoked or suspended by their
    issuer, removed from the wallet), restore those under review that stand again. Safe to run repeatedly (cron)."""
    with open_app() as credstack:
        report = credstack.pathways.sweep(pathway_id=pathway, learner=learner)
        base = credstack.settings.base_url.rstrip("/")
    if as_json:
        _json(report.to_json(base))
        return
    out.print(
        f"{report.checked} award(s) checked: {len(report.flagged)} flagged for review, {len(report.restored)} restored"
    )
    for award in (*report.flagged, *report.restored):
        out.print(_award_line(award))


def _render(result: LearnerProgress) -> None:
    progress = result.progress
    out.print(f"[bold]{escape(result.pathway.name)}[/bold] ({escape(result.pathway.id)}) for {escape(result.learner)}")
    status = "complete" if progress.satisfied else "in progress"
    out.print(f"{escape(_bar(progress.fraction))} {progress.percent:g}%  {status}")
    if progress.credits_needed is not None:
        out.print(f"credits: {progress.credits_earned:g} of {progress.credits_needed:g}")
    out.print("")
    for node, text in zip(progress.nodes, result.labels(), strict=True):
        mark = "[green]✓[/green]" if node.satisfied else "[red]✗[/red]"
        label = escape(text)
        extra = ""
        if node.kind == "credits" and node.credits_needed is not None:
            extra = f"  {node.credits_earned or 0:g}/{node.credits_needed:g} credits"
        out.print(f"{'  ' * node.depth}{mark} {label}{extra}")
    unverified = [h for h in result.held if not h.verified]
    if unverified:
        out.print("\nnot counted (do not verify):")
        for held in unverified:
            name = held.achievement_name or held.credential.get("name") or held.credential_id
            out.print(f"  {escape(str(name))}: {held.state}")
    if result.award is not None:
        out.print(f"\naward: {result.award.status} on {result.award.awarded_at:%Y-%m-%d}")
        if result.award.review_reason:
            out.print(f"  review: {escape(result.award.review_reason)}")
    if result.plan is not None:
        plan = result.plan
        unit = "EUR (approx.)" if plan.by == "price" else "hours"
        if not plan.feasible:
            out.print(f"\ncannot be completed from the catalog: {escape(plan.reason)}")
        else:
            out.print(f"\ncheapest remaining set by {plan.by} ({plan.method}): {plan.total:,.2f} {unit}")
            for item in result.planned:
                price = "" if item.price is None else f"{item.price:,.0f} {item.currency}"
                hours = "" if item.hours is None else f"{item.hours:g} h"
                out.print(f"  - {escape(item.name)} ({escape(item.id)})  {price}  {hours}")


@app.command("progress")
def progress(
    learner: Annotated[str, typer.Option(help="The learner (DID or e-mail address).")],
    pathway: Annotated[str, typer.Option(help="The pathway id.")],
    by: Annotated[str, typer.Option(help="Cheapest remaining set by 'price' or 'hours'.")] = "price",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A learner's progress toward a pathway, from credentials that verify now, with what is left to earn."""
    with open_app() as credstack:
        result = credstack.pathways.progress(learner, pathway, by=by)
    if as_json:
        _json(result.to_json())
        return
    _render(result)
