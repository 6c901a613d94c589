"""The downloadable bulk-verification report (pure): one row per input, one status and reason column per check.

Columns: ``file``, ``verdict`` (``verified`` / ``not verified``), ``format``, then for every check name in
:data:`~credstack.domain.verification.CHECK_ORDER` that occurs in the batch, ``<name>`` (pass / fail / warning)
and ``<name>_reason``. A check that occurs more than once in one report (a credential with two proofs) shows its
worst status and the reasons joined with `` | ``. Cells that a spreadsheet would run as a formula (``=``, ``+``,
``-``, ``@`` first) are prefixed with ``'`` (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from credstack.domain.verification import CHECK_ORDER

__all__ = ["REPORT_HEAD", "check_columns", "report_csv", "report_rows", "summarise_checks"]

REPORT_HEAD = ("file", "verdict", "format")
_RANK = {"pass": 0, "warning": 1, "fail": 2}


def summarise_checks(checks: Iterable[Mapping[str, Any]]) -> dict[str, tuple[str, str]]:
    """Check name -> (worst status, reasons joined), in report order."""
    out: dict[str, tuple[str, str]] = {}
    for check in checks:
        name, status, reason = str(check.get("name")), str(check.get("status")), str(check.get("reason", ""))
        if name in out:
            old_status, old_reason = out[name]
            worst = status if _RANK.get(status, 0) > _RANK.get(old_status, 0) else old_status
            out[name] = (worst, f"{old_reason} | {reason}")
        else:
            out[name] = (status, reason)
    return out


def check_columns(items: Sequence[Mapping[str, Any]]) -> list[str]:
    """The check names that occur in any item, in the verifier's order (unknown names last, alphabetically)."""
    seen = {str(c.get("name")) for item in items for c in item.get("checks", ())}
    known = [n for n in CHECK_ORDER if n in seen]
    return known + sorted(seen - set(known))


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def report_rows(items: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """``(header, rows)`` for items of ``{"file", "verified", "format", "checks": [{name, status, reason}]}``."""
    names = check_columns(items)
    header = [*REPORT_HEAD]
    for name in names:
        header += [name, f"{name}_reason"]
    rows = []
    for item in items:
        summary = summarise_checks(item.get("checks", ()))
        row = [str(item.get("file", "")), "verified" if item.get("verified") else "not verified", str(item["format"])]
        for name in names:
            status, reason = summary.get(name, ("", ""))
            row += [status, reason]
        rows.append([_cell(c) for c in row])
    return header, rows


def report_csv(items: Sequence[Mapping[str, Any]]) -> str:
    """The report as CSV text (RFC 4180, CRLF line ends)."""
    header, rows = report_rows(items)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
