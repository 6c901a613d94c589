"""Read a bulk-verification upload into entries (pure: bytes in, entries out; nothing touches a disk or a socket).

An upload is one of:

- a **single credential** (JSON, VC-JWT, baked PNG or SVG): one entry;
- a **zip archive** of such files: one entry per file (directories, ``__MACOSX/`` and dot-files skipped; a zip
  inside the zip is not opened: it becomes an entry that fails with a reason). When the archive holds a
  ``.csv`` file, the archive's other files are only read when a CSV row names them;
- a **CSV** (``.csv``) with a header naming a ``url`` and/or a ``file`` column: one entry per row. ``url`` entries
  are fetched by the service (only this server's credentials and allow-listed hosts); ``file`` entries name files
  in the same zip.

Limits (:class:`BatchLimits`, documented in docs/employer.md) protect the server: the number of entries, the size
of each file *as it is read* (a zip's declared sizes are not trusted: reading stops one byte past the limit), the
total uncompressed bytes, and the compression ratio of each member (zip bombs). Breaking a limit of the whole
upload raises :class:`~credstack.errors.InvalidBatchError` (or ``DocumentTooLargeError``); a file that breaks a
per-file limit becomes an entry with an ``error`` (the rest of the batch is still verified).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from credstack.errors import DocumentTooLargeError, InvalidBatchError

__all__ = ["BatchEntry", "BatchLimits", "read_upload"]

_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP = b"PK\x05\x06"


@dataclass(frozen=True)
class BatchLimits:
    """What one upload may hold. ``max_file_bytes`` is per credential file; ``max_total_bytes`` for everything
    uncompressed; ``max_ratio`` the largest uncompressed/compressed ratio of a zip member over 64 KiB."""

    max_entries: int = 20_000
    max_file_bytes: int = 1_000_000
    max_total_bytes: int = 256 * 1024 * 1024
    max_ratio: float = 200.0
    max_csv_bytes: int = 8 * 1024 * 1024


@dataclass(frozen=True)
class BatchEntry:
    """One thing to verify: ``name`` (file name, or ``line N`` of a CSV) and either ``data``, a ``url`` to fetch,
    or an ``error`` saying why it cannot be read."""

    name: str
    data: bytes | None = None
    url: str | None = None
    error: str | None = None


def read_upload(filename: str, data: bytes, limits: BatchLimits | None = None) -> list[BatchEntry]:
    """The entries of one upload (see the module docstring). Raises InvalidBatchError for an unreadable upload."""
    limits = limits or BatchLimits()
    name = filename or "upload"
    if not data:
        raise InvalidBatchError(f"{name} is empty")
    if data.startswith((_ZIP_MAGIC, _EMPTY_ZIP)):
        return _read_zip(name, data, limits)
    if name.lower().endswith(".csv"):
        return _read_csv(name, data, limits, members={})
    if len(data) > limits.max_file_bytes:
        raise DocumentTooLargeError(f"{name} is {len(data):,} bytes; one credential may be {limits.max_file_bytes:,}")
    return [BatchEntry(name, data=data)]


def _skipped(path: str) -> bool:
    parts = path.split("/")
    return path.endswith("/") or parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts if p)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: BatchLimits, cap: int) -> bytes | str:
    """The member's bytes, or the reason it is refused. Reads at most ``cap + 1`` bytes whatever the header says."""
    if info.flag_bits & 0x1:
        return "the file is encrypted"
    try:
        with archive.open(info) as stream:
            content = stream.read(cap + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        return f"cannot be read from the archive: {exc}"
    if len(content) > cap:
        return f"is larger than {cap:,} bytes uncompressed"
    compressed = max(info.compress_size, 1)
    if len(content) > 65_536 and len(content) / compressed > limits.max_ratio:
        ratio = len(content) / compressed
        return f"expands {ratio:,.0f} times (more than {limits.max_ratio:,.0f}): refused as a zip bomb"
    return content


def _read_zip(name: str, data: bytes, limits: BatchLimits) -> list[BatchEntry]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not _skipped(i.filename)]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidBatchError(f"{name} is not a readable zip archive: {exc}") from exc
    if len(infos) > limits.max_entries + 1:
        raise InvalidBatchError(f"{name} holds {len(infos):,} files; a batch may have at most {limits.max_entries:,}")
    with archive:
        csvs = [i for i in infos if i.filename.lower().endswith(".csv")]
        if len(csvs) > 1:
            raise InvalidBatchError(f"{name} holds {len(csvs)} CSV files; put at most one list in an archive")
        others = [i for i in infos if i not in csvs]
        if csvs:
            content = _read_member(archive, csvs[0], limits, limits.max_csv_bytes)
            if isinstance(content, str):
                raise InvalidBatchError(f"{csvs[0].filename} {content}")
            members = {i.filename: i for i in others}
            entries = _read_csv(csvs[0].filename, content, limits, members=members)
            return [_load(archive, e, members, limits) for e in entries]
        if not others:
            raise InvalidBatchError(f"{name} holds no files to verify")
        if len(others) > limits.max_entries:
            raise InvalidBatchError(
                f"{name} holds {len(others):,} files; a batch may have at most {limits.max_entries:,}"
            )
        entries, total = [], 0
        for info in others:
            content = _read_member(archive, info, limits, limits.max_file_bytes)
            if isinstance(content, str):
                entries.append(BatchEntry(info.filename, error=f"{info.filename} {content}"))
                continue
            total += len(content)
            if total > limits.max_total_bytes:
                raise DocumentTooLargeError(
                    f"{name} expands to more than {limits.max_total_bytes:,} bytes; split it into smaller batches"
                )
            if content.startswith(_ZIP_MAGIC):
                entries.append(BatchEntry(info.filename, error="an archive inside the archive is not opened"))
            else:
                entries.append(BatchEntry(info.filename, data=content))
        return entries


def _load(
    archive: zipfile.ZipFile, entry: BatchEntry, members: dict[str, zipfile.ZipInfo], limits: BatchLimits
) -> BatchEntry:
    """A CSV ``file`` row resolved to the archive member it names."""
    if entry.data is None or entry.url is not None or entry.error is not None:
        return entry
    wanted = entry.data.decode("utf-8")
    info = members.get(wanted)
    if info is None:
        return BatchEntry(entry.name, error=f"{entry.name}: the archive has no file {wanted!r}")
    content = _read_member(archive, info, limits, limits.max_file_bytes)
    if isinstance(content, str):
        return BatchEntry(wanted, error=f"{wanted} {content}")
    return BatchEntry(wanted, data=content)


def _read_csv(name: str, data: bytes, limits: BatchLimits, *, members: dict[str, zipfile.ZipInfo]) -> list[BatchEntry]:
    """Rows of a ``url``/``file`` CSV. A ``file`` row's data is the member name until :func:`_load` reads it."""
    if len(data) > limits.max_csv_bytes:
        raise DocumentTooLargeError(f"{name} is {len(data):,} bytes; a CSV list may be {limits.max_csv_bytes:,}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidBatchError(f"{name} is not UTF-8 text (byte {exc.start})") from exc
    if "\x00" in text:
        raise InvalidBatchError(f"{name} contains NUL bytes: it is not a CSV file")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise InvalidBatchError(f"{name} is not valid CSV: {exc}") from exc
    if not rows:
        raise InvalidBatchError(f"{name} is empty")
    header = [cell.strip().lower() for cell in rows[0]]
    if "url" not in header and "file" not in header:
        raise InvalidBatchError(f"{name}: the first line must be a header with a 'url' or a 'file' column")
    if "file" in header and not members:
        raise InvalidBatchError(f"{name}: a 'file' column needs the files: upload the CSV inside a zip with them")
    url_at = header.index("url") if "url" in header else None
    file_at = header.index("file") if "file" in header else None
    body = [(number, row) for number, row in enumerate(rows[1:], 2) if any(cell.strip() for cell in row)]
    if not body:
        raise InvalidBatchError(f"{name} has a header but no rows")
    if len(body) > limits.max_entries:
        raise InvalidBatchError(f"{name} has {len(body):,} rows; a batch may have at most {limits.max_entries:,}")
    entries = []
    for number, row in body:
        url = row[url_at].strip() if url_at is not None and url_at < len(row) else ""
        file = row[file_at].strip() if file_at is not None and file_at < len(row) else ""
        where = f"{name} line {number}"
        if url and file:
            entries.append(BatchEntry(where, error=f"{where}: give a url or a file, not both"))
        elif url:
            if not url.lower().startswith(("https://", "http://")):
                entries.append(BatchEntry(where, error=f"{where}: {url[:80]!r} is not an http(s) URL"))
            else:
                entries.append(BatchEntry(url, url=url))
        elif file:
            entries.append(BatchEntry(where, data=file.encode("utf-8")))
        else:
            entries.append(BatchEntry(where, error=f"{where}: the url/file cell is empty"))
    return entries
