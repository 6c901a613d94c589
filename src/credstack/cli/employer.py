"""``credstack endorse``, ``credstack employer verify-batch|trust|trusted``: the employer tools (docs/employer.md).

Each command calls one method of ``cs.employer`` and renders the result as text, or with ``--json`` as JSON on
stdout. The organisation is ``--org`` (default: the default organisation).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from credstack.cli import app
from credstack.cli._context import open_app, out
from credstack.errors import InvalidInputError

__all__ = ["employer_app"]

employer_app = typer.Typer(
    name="employer",
    help="Employer tools: verify a batch with a report, trust breakdowns, the trusted-issuer registry.",
    no_args_is_help=True,
)
app.add_typer(employer_app)

Org = Annotated[str, typer.Option("--org", help="The organisation (default: the default organisation).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror or exc}") from exc


@app.command()
def endorse(
    subject: Annotated[str, typer.Argument(help="What is endorsed: an achievement id or URL, an issuer slug or DID.")],
    by: Annotated[
        str | None, typer.Option("--by", help="The endorsing issuer here (slug or DID); default one.")
    ] = None,
    comment: Annotated[str, typer.Option("--comment", help="The endorsement comment (Markdown).")] = "",
    name: Annotated[str | None, typer.Option("--name", help="The endorsement's name.")] = None,
    output: Annotated[Path | None, typer.Option("--out", help="Also write the signed credential to this file.")] = None,
    json_output: Json = False,
) -> None:
    """Sign an Open Badges 3.0 EndorsementCredential of an achievement or issuer (it then shows in trust signals)."""
    with open_app() as cs:
        record = cs.employer.endorsements.endorse(subject, endorser=by, comment=comment, name=name)
    if output is not None:
        output.write_text(json.dumps(record.document, indent=2, ensure_ascii=False), encoding="utf-8")
    if json_output:
        _json(record.to_json())
        return
    issuer = record.document.get("issuer", {})
    out.print(
        f"endorsed {escape(record.subject_id)} by {escape(str(issuer.get('name')))} ({escape(str(issuer.get('id')))})"
    )
    out.print(f"endorsement {record.id}: {escape(str(record.document.get('id')))}")


@employer_app.command("verify-batch")
def verify_batch(
    upload: Annotated[Path, typer.Argument(help="A credential, a zip of credentials, or a CSV with a url column.")],
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write the CSV report to this file.")] = None,
    org: Org = "default",
    json_output: Json = False,
) -> None:
    """Verify a batch as the employer page does; exit 1 when any credential did not verify."""
    data = _read(upload)
    with open_app() as cs:
        batch = cs.employer.batches.submit(org, upload.name, data, background=False)
        report = cs.employer.batches.report(batch.id, org)
        if csv_out is not None:
            csv_out.write_text(cs.employer.batches.report_csv(batch.id, org), encoding="utf-8")
    if json_output:
        _json(report)
    else:
        for result in report["results"]:
            failed = "; ".join(f"{c['name']}: {c['reason']}" for c in result["checks"] if c["status"] == "fail")
            verdict = "[bold green]verified[/]" if result["verified"] else "[bold red]NOT verified[/]"
            out.print(f"{verdict} {escape(result['file'])}" + (f": {escape(failed)}" if failed else ""))
        out.print(f"{batch.verified} of {batch.total} verified (job {batch.id})")
    if batch.verified != batch.total:
        raise SystemExit(1)


@employer_app.command("trust")
def trust(
    credential: Annotated[Path, typer.Argument(help="A credential file (JSON, JWT, baked PNG or SVG).")],
    org: Org = "default",
    json_output: Json = False,
) -> None:
    """Verify one credential and show its trust breakdown (each signal with its level and reason)."""
    data = _read(credential)
    with open_app() as cs:
        report = cs.verifier.verify(data)
        breakdown = cs.employer.trust_for(org, report.credential, verified=report.verified)
    if json_output:
        _json({"verified": report.verified, "trust": breakdown.to_json()})
        return
    for signal in breakdown.signals:
        line = f"{signal.label:<28} {signal.level:<9} {signal.finding}"
        out.print(escape(line + (f" ({signal.detail})" if signal.detail else "")))


@employer_app.command("trusted")
def trusted(
    add: Annotated[str | None, typer.Option("--add", help="Trust this DID or domain.")] = None,
    label: Annotated[str, typer.Option("--label", help="A label for --add.")] = "",
    remove: Annotated[int | None, typer.Option("--remove", help="Remove the entry with this number.")] = None,
    org: Org = "default",
    json_output: Json = False,
) -> None:
    """List the trusted-issuer registry; --add a DID or domain, --remove an entry."""
    with open_app() as cs:
        if add is not None:
            cs.employer.registry.add(org, add, label)
        if remove is not None:
            cs.employer.registry.remove(org, remove)
        entries = cs.employer.registry.trusted(org)
    if json_output:
        _json({"trusted_issuers": [e.to_json() for e in entries]})
        return
    for entry in entries:
        out.print(
            f"{entry.id:>4}  {entry.kind:<6} {escape(entry.value)}"
            + (f"  {escape(entry.label)}" if entry.label else "")
        )
    if not entries:
        out.print("the registry is empty")
