"""``credstack issue``: issue one credential, or a CSV roster as a resumable bulk job with a progress bar."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from credstack.cli import app
from credstack.cli._context import err, open_app
from credstack.errors import InvalidInputError

if TYPE_CHECKING:
    from credstack.app import Credstack
    from credstack.services.bulk import BulkReport

__all__ = ["issue"]


def _date(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInputError(f"--valid-until {value!r} is not an ISO 8601 date or date-time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _run_job(credstack: Credstack, job_id: str) -> BulkReport:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("issuing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err) as bar:
        task = bar.add_task("issuing", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return credstack.bulk.run(job_id, progress=progress)


def _report(report: BulkReport) -> None:
    err.print(
        f"job {report.job_id}: {report.rows_read} rows read, {report.issued} issued, "
        f"{report.skipped} skipped (already issued), {report.rejected} rejected, {report.pending} pending"
    )
    for rejection in report.rejections:
        err.print(f"  line {rejection.line}: {rejection.reason}", markup=False)
    typer.echo(report.job_id)
    if report.rejected:
        sys.exit(1)


@app.command()
def issue(
    achievement: Annotated[str | None, typer.Option(help="Achievement id (see `credstack achievement list`).")] = None,
    recipient: Annotated[
        str | None, typer.Option(help="E-mail address (hashed in the credential), DID or URL.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="The recipient's name.")] = None,
    result: Annotated[str | None, typer.Option(help="A result value (e.g. a grade).")] = None,
    evidence: Annotated[str | None, typer.Option(help="URL of evidence.")] = None,
    valid_until: Annotated[str | None, typer.Option(help="Expiry (ISO 8601 date or date-time).")] = None,
    suite: Annotated[str, typer.Option(help="Cryptosuite: rdfc (eddsa-rdfc-2022) or jcs (eddsa-jcs-2022).")] = "rdfc",
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the signed credential here.")] = None,
    roster: Annotated[
        Path | None, typer.Option(help="CSV roster (recipient[,name,result,evidence_url,valid_until,idempotency_key]).")
    ] = None,
    resume: Annotated[str | None, typer.Option(help="Continue an interrupted bulk job by its id.")] = None,
) -> None:
    """Issue one credential (--achievement and --recipient), a CSV roster (--achievement and --roster), or resume a
    bulk job (--resume JOB). A single credential is printed as JSON (with --out: written there, and its id printed);
    a job prints its id, reports rejected rows with their line numbers, and exits 1 when any row was rejected."""
    with open_app() as credstack:
        if resume is not None:
            _report(_run_job(credstack, resume))
            return
        if achievement is None:
            raise InvalidInputError("--achievement is required (or --resume JOB)")
        if roster is not None:
            job_id = credstack.bulk.start(achievement, roster.read_bytes(), cryptosuite=suite)
            err.print(f"bulk job {job_id} started (resume it with `credstack issue --resume {job_id}`)")
            _report(_run_job(credstack, job_id))
            return
        if recipient is None:
            raise InvalidInputError("--recipient is required (or --roster FILE)")
        issued = credstack.issuing.issue(
            achievement,
            recipient=recipient,
            recipient_name=name,
            results=[result] if result else (),
            evidence=[evidence] if evidence else (),
            valid_until=_date(valid_until),
            cryptosuite=suite,
            actor="cli",
        )
    text = json.dumps(issued.credential, indent=2, ensure_ascii=False)
    if out_file is None:
        typer.echo(text)
    else:
        out_file.write_text(text + "\n", encoding="utf-8")
        typer.echo(issued.id)
    err.print(f"issued {issued.id}: {issued.credential['id']}" + (f", written to {out_file}" if out_file else ""))
