"""Reading posting files: CSV or JSONL, plain or gzip (detected from the bytes), as numbered raw rows.

Every record read becomes one :class:`RawRow`, either a ``row`` (a dict) or an ``error`` (why it cannot be one),
with the line it starts on and its raw text, so the ingestion can account for every row. Blank lines are not rows.
A file that cannot be read at all (missing, a CSV without a usable header) raises :class:`InvalidInputError`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from credstack.errors import InvalidInputError

__all__ = ["FORMATS", "CountingReader", "RawRow", "detect_format", "open_stream", "read_rows"]

FORMATS = ("csv", "jsonl")
_MAX_RAW = 20_000
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass(frozen=True, slots=True)
class RawRow:
    """Record ``line`` (1-based, where it starts) of a file: ``row`` when it parsed, else ``error``; ``raw`` text."""

    line: int
    row: dict[str, Any] | None
    raw: str
    error: str = ""


class CountingReader(io.RawIOBase):
    """A binary stream that reports how many bytes were read from it (the compressed bytes, for a gzip file)."""

    def __init__(self, inner: IO[bytes], on_bytes: Callable[[int], None] | None = None) -> None:
        self._inner = inner
        self._on_bytes = on_bytes
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.consumed += n
        if self._on_bytes is not None and n:
            self._on_bytes(n)
        return n

    def close(self) -> None:
        self._inner.close()
        super().close()


def open_stream(raw: IO[bytes] | io.RawIOBase) -> IO[bytes]:
    """``raw`` decompressed when it starts with the gzip magic bytes, else buffered as it is."""
    buffered: Any = io.BufferedReader(raw) if isinstance(raw, io.RawIOBase) else raw
    head = buffered.peek(2)[:2] if hasattr(buffered, "peek") else b""
    if head == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[return-value]
    return buffered


def detect_format(name: str, head: bytes = b"") -> str:
    """``csv`` or ``jsonl`` from the file name (``.csv``, ``.jsonl``, ``.ndjson``, ``.json``; ``.gz`` ignored),
    else from the first byte (``{`` means JSON lines)."""
    lowered = name.lower().removesuffix(".gz")
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    return "jsonl" if head.lstrip()[:1] == b"{" else "csv"


def _jsonl(stream: IO[bytes]) -> Iterator[RawRow]:
    for number, data in enumerate(stream, start=1):
        if not data.strip():
            continue
        try:
            text = data.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield RawRow(
                number, None, data.decode("utf-8", "replace")[:_MAX_RAW].rstrip("\n"), f"not UTF-8 (byte {exc.start})"
            )
            continue
        raw = text.rstrip("\r\n")
        try:
            value = json.loads(raw)
        except ValueError as exc:
            yield RawRow(number, None, raw[:_MAX_RAW], f"invalid JSON: {exc}")
            continue
        if not isinstance(value, dict):
            yield RawRow(number, None, raw[:_MAX_RAW], f"a JSON line must be an object, not {type(value).__name__}")
            continue
        yield RawRow(number, value, raw[:_MAX_RAW])


def _serialise(record: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(record)
    return out.getvalue().encode("utf-8", "replace").decode("utf-8")[:_MAX_RAW]


def _has_bad_bytes(record: list[str]) -> bool:
    return any("\udc80" <= ch <= "\udcff" for field in record for ch in field if "\udc80" <= ch <= "\udcff")


def _csv(stream: IO[bytes]) -> Iterator[RawRow]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.reader(text)
    header: list[str] | None = None
    previous = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            start, previous = previous + 1, reader.line_num
            if header is None:
                raise InvalidInputError(f"the CSV header cannot be read: {exc}") from exc
            yield RawRow(start, None, "", f"malformed CSV: {exc}")
            continue
        start, previous = previous + 1, reader.line_num
        if not record or all(not f.strip() for f in record):
            continue
        if header is None:
            header = [h.strip() for h in record]
            if _has_bad_bytes(header) or len(set(header)) != len(header) or not all(header):
                raise InvalidInputError("the CSV header must name every column once (UTF-8)")
            continue
        raw = _serialise(record)
        if _has_bad_bytes(record):
            yield RawRow(start, None, raw, "not UTF-8")
        elif len(record) != len(header):
            yield RawRow(start, None, raw, f"{len(record)} fields where the header has {len(header)}")
        else:
            yield RawRow(start, dict(zip(header, record, strict=True)), raw)


def read_rows(stream: IO[bytes], fmt: str) -> Iterator[RawRow]:
    """The rows of a decompressed binary ``stream`` in format ``fmt`` (csv | jsonl)."""
    if fmt == "jsonl":
        return _jsonl(stream)
    if fmt == "csv":
        return _csv(stream)
    raise InvalidInputError(f"unknown format {fmt!r}: use csv or jsonl")


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
