"""Real posting fixtures for the market tests: slices of the postings shipped in ``credstack/market/data``."""

from __future__ import annotations

import csv
import gzip
import io
import json
from functools import cache
from pathlib import Path
from typing import Any

from credstack.market.source import builtin_datasets, read_builtin


@cache
def _all_rows(name: str) -> tuple[dict[str, Any], ...]:
    dataset = next(d for d in builtin_datasets() if d.name == name)
    return tuple(json.loads(line) for line in read_builtin(dataset).splitlines())


def real_rows(name: str, *, step: int = 1, limit: int | None = None) -> list[dict[str, Any]]:
    """Every ``step``-th row of shipped dataset ``name`` (at most ``limit``; read once per process, do not
    modify the rows)."""
    rows = list(_all_rows(name)[::step])
    return rows[:limit] if limit is not None else rows


def write_jsonl(path: Path, rows: list[dict[str, Any]], *, gzipped: bool = False) -> Path:
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    path.write_bytes(gzip.compress(data) if gzipped else data)
    return path


def write_csv(path: Path, rows: list[dict[str, Any]], *, gzipped: bool = False) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    path.write_bytes(gzip.compress(data) if gzipped else data)
    return path
