"""``credstack achievement create|list``: Open Badges 3.0 achievements (what a credential awards)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from credstack.cli import app
from credstack.cli._context import err, open_app, out

__all__ = ["achievement_app"]

achievement_app = typer.Typer(name="achievement", help="Achievements: what credentials award.", no_args_is_help=True)
app.add_typer(achievement_app)


def _alignment(spec: str) -> dict[str, Any]:
    """``NAME|URL[|CODE[|FRAMEWORK[|TYPE]]]`` -> an OB 3.0 Alignment (validated by the service)."""
    parts = [p.strip() for p in spec.split("|")]
    keys = ["targetName", "targetUrl", "targetCode", "targetFramework", "targetType"]
    return {k: v for k, v in zip(keys, parts, strict=False) if v}


def _result_description(spec: str) -> dict[str, Any]:
    """``NAME|RESULT_TYPE[|ALLOWED,VALUES]`` -> an OB 3.0 ResultDescription (validated by the service)."""
    parts = [p.strip() for p in spec.split("|")]
    out: dict[str, Any] = {"name": parts[0], "resultType": parts[1] if len(parts) > 1 else None}
    if len(parts) > 2 and parts[2]:
        out["allowedValue"] = [v.strip() for v in parts[2].split(",") if v.strip()]
    return out


@achievement_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="The achievement's name.")],
    description: Annotated[str, typer.Option(help="What it recognises.")],
    criteria: Annotated[str | None, typer.Option(help="Criteria narrative (Markdown).")] = None,
    criteria_url: Annotated[str | None, typer.Option(help="URL of the criteria.")] = None,
    achievement_type: Annotated[
        str | None, typer.Option("--type", help="achievementType, e.g. MicroCredential, Badge, Course, ext:Custom.")
    ] = None,
    image: Annotated[str | None, typer.Option(help="Image URL (or data: URI).")] = None,
    credits: Annotated[float | None, typer.Option(help="creditsAvailable.")] = None,
    alignment: Annotated[
        list[str] | None, typer.Option(help="Skill alignment NAME|URL[|CODE[|FRAMEWORK[|TYPE]]] (repeatable).")
    ] = None,
    result_description: Annotated[
        list[str] | None,
        typer.Option(
            help="What results mean: NAME|RESULT_TYPE[|ALLOWED,VALUES] (repeatable), e.g. 'Grade|LetterGrade|A,B,C'."
        ),
    ] = None,
    tag: Annotated[list[str] | None, typer.Option(help="A tag (repeatable).")] = None,
    issuer: Annotated[str | None, typer.Option(help="Issuer slug or DID (default: the default issuer).")] = None,
) -> None:
    """Create an achievement and print its id (for `credstack issue --achievement`)."""
    with open_app() as credstack:
        record = credstack.achievements.create(
            issuer,
            name=name,
            description=description,
            criteria_narrative=criteria,
            criteria_url=criteria_url,
            achievement_type=achievement_type,
            image=image,
            credits_available=credits,
            alignments=[_alignment(a) for a in alignment or []],
            result_descriptions=[_result_description(r) for r in result_description or []],
            tags=tag or [],
        )
    err.print(f"achievement {record.name!r}: {record.url}")
    typer.echo(record.id)


@achievement_app.command("list")
def list_achievements() -> None:
    """List achievements."""
    with open_app() as credstack:
        records = credstack.achievements.list()
    table = Table("id", "name", "type", "issuer")
    for record in records:
        table.add_row(record.id, record.name, record.achievement_type or "", str(record.issuer_id))
    out.print(table)
