"""``credstack verify PATH... [--json] [--document URL=FILE] [--at TIME] [--allow-unbound-keys]``.

Verifies credentials and presentations in any format credstack reads (JSON, VC-JWT, baked PNG/SVG) with
:class:`credstack.services.verifying.VerificationService`; no database is needed. A PATH that is a directory means
every file in it. Exit status: 0 when every input verified, 1 otherwise, 2 on usage errors (a missing or unreadable
file, a bad ``--document`` or ``--at``).

Output: one line per file (``verified`` / ``NOT verified`` with the failing checks and their reasons), or with
``--json`` one JSON object per line: ``{"file", "verified", "checks": [{"name", "status", "reason"}...]}``, in
input order. Large batches (more than :data:`PARALLEL_THRESHOLD` files) are spread over a process pool.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from credstack.cli import app
from credstack.errors import InvalidInputError

__all__ = ["PARALLEL_THRESHOLD", "verify"]

#: Batches larger than this are verified by a pool of worker processes (one per core).
PARALLEL_THRESHOLD = 200

_Result = tuple[str, bool | None, list[dict[str, str]], str | None]  # file, verified, checks, read error
_STATE: dict[str, Any] = {}


def _expand(paths: list[Path]) -> list[Path]:
    """Files named on the command line, a directory standing for every file directly inside it (sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")))
        elif path.exists():
            files.append(path)
        else:
            raise InvalidInputError(f"{path}: no such file or directory")
    return files


def _documents(pairs: list[str]) -> dict[str, Any]:
    """``URL=FILE`` pairs -> {URL: parsed JSON object}; a usage error when malformed or unreadable."""
    from credstack.domain._formats import parse_json_object

    documents: dict[str, Any] = {}
    for pair in pairs:
        url, sep, file = pair.partition("=")
        if not sep or not url or not file:
            raise InvalidInputError(f"--document expects URL=FILE, got {pair!r}")
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"--document {url}: cannot read {file}: {exc}") from exc
        try:
            documents[url] = parse_json_object(text)
        except InvalidInputError as exc:
            raise InvalidInputError(f"--document {url}: {file} is not a JSON object: {exc.message}") from exc
    return documents


def _parse_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    from credstack.domain.shape import parse_datetime

    text = value.strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # a bare date means its first instant, UTC
        text += "T00:00:00Z"
    moment = parse_datetime(text)
    if moment is None:
        raise InvalidInputError(f"--at expects a date-time with a time zone, e.g. 2030-01-01T00:00:00Z; got {value!r}")
    return moment


def _init(documents: dict[str, Any], at: datetime | None, allow_unbound_keys: bool) -> None:
    """Build the service and the shared options once per process (also the pool's initializer)."""
    from credstack.services.verifying import VerificationService
    from credstack.settings import Settings

    service = VerificationService(Settings.from_env())
    _STATE["options"] = service.options(documents=documents, at=at, allow_unbound_keys=allow_unbound_keys)
    _STATE["service"] = service


def _verify_file(file: str) -> _Result:
    try:
        data = Path(file).read_bytes()
    except OSError as exc:
        return file, None, [], f"cannot read {file}: {exc.strerror or exc}"
    report = _STATE["service"].verify_with(data, _STATE["options"])
    return file, report.verified, [c.to_json() for c in report.checks], None


def _results(files: list[str], documents: dict[str, Any], at: datetime | None, unbound: bool) -> Iterator[_Result]:
    _init(documents, at, unbound)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = min(cores, 8)
    if len(files) <= PARALLEL_THRESHOLD or workers < 2:
        yield from map(_verify_file, files)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    chunk = max(1, len(files) // (workers * 8))
    with ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context(method), initializer=_init, initargs=(documents, at, unbound)
    ) as pool:
        yield from pool.map(_verify_file, files, chunksize=chunk)


def _human_line(file: str, verified: bool, checks: list[dict[str, str]]) -> str:
    from rich.markup import escape

    failed = [c for c in checks if c["status"] == "fail"]
    warned = [c for c in checks if c["status"] == "warning"]
    if verified:
        line = f"[bold green]verified[/] {escape(file)}"
        if warned:
            line += " [yellow](warnings: " + escape("; ".join(f"{c['name']}: {c['reason']}" for c in warned)) + ")[/]"
        return line
    details = "; ".join(f"{c['name']}: {c['reason']}" for c in failed)
    return f"[bold red]NOT verified[/] {escape(file)}: failed {escape(details)}"


@app.command()
def verify(
    paths: Annotated[list[Path], typer.Argument(help="Files to verify; a directory means every file in it.")],
    json_output: Annotated[bool, typer.Option("--json", help="One JSON object per input, one per line.")] = False,
    document: Annotated[
        list[str] | None,
        typer.Option("--document", help="URL=FILE: use FILE whenever URL is needed (status list, DID document)."),
    ] = None,
    at: Annotated[str | None, typer.Option("--at", help="Check validity at this time (ISO 8601 with zone).")] = None,
    allow_unbound_keys: Annotated[
        bool,
        typer.Option("--allow-unbound-keys", help="Accept https://...#z6Mk... keys (no proven binding) as a warning."),
    ] = False,
) -> None:
    """Verify credentials and presentations (JSON, VC-JWT, baked PNG/SVG): exit 0 only when all verified."""
    documents = _documents(document or [])
    moment = _parse_at(at)
    files = [str(p) for p in _expand(paths)]
    if not files:
        raise InvalidInputError("no files to verify")
    console = None
    if not json_output:
        from rich.console import Console

        console = Console(highlight=False, emoji=False, soft_wrap=True)
    all_verified, read_errors = True, []
    out = sys.stdout
    for file, verified, checks, error in _results(files, documents, moment, allow_unbound_keys):
        if error is not None:
            read_errors.append(error)
            continue
        all_verified = all_verified and bool(verified)
        if console is None:
            out.write(json.dumps({"file": file, "verified": verified, "checks": checks}, ensure_ascii=False) + "\n")
        else:
            console.print(_human_line(file, bool(verified), checks))
    out.flush()
    if read_errors:
        raise InvalidInputError("; ".join(read_errors))
    if not all_verified:
        raise SystemExit(1)
