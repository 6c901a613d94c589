"""Bulk verification for employers: an upload (one file, a zip, a CSV of URLs/files) becomes a job whose every
credential is verified with every check explained, stored, and downloadable as a CSV or JSON report.

- :meth:`BulkVerificationService.start` reads the upload (:func:`credstack.employer.batch_input.read_upload`, with
  the limits in docs/employer.md; an unreadable upload raises and nothing is stored) and records a ``pending`` job.
- :meth:`run` verifies: entries over :data:`PARALLEL_THRESHOLD` are spread over a pool of forked worker processes
  (one per core; each worker reuses one set of options, so a status list is fetched once per worker and batch),
  results are stored in chunks of :data:`CHUNK` and the job's ``done`` count moves as they land (the progress bar).
- :meth:`submit` = start, then run on a background thread (the web page and the API poll :meth:`get`).
- URL entries are this server's credentials (looked up locally) or documents on allow-listed hosts (fetched by the
  verifier's fetch policy); anything else becomes a failed entry with the reason.

A job interrupted by a restart is reported as ``failed`` (``interrupted``) when next read; run it again by uploading.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from credstack.employer.batch_input import BatchEntry, BatchLimits, read_upload
from credstack.employer.report import report_csv
from credstack.errors import CredstackError, NotFoundError
from credstack.services.verifying import VerificationService
from credstack.settings import Settings
from credstack.storage.employer_tables import BatchItemRow, BatchRow
from credstack.storage.engine import Database

__all__ = ["CHUNK", "PARALLEL_THRESHOLD", "BatchItem", "BatchRecord", "BulkVerificationService"]

#: Batches with more entries than this are verified by a process pool (one worker per core).
PARALLEL_THRESHOLD = 200
#: Results stored (and progress advanced) per write.
CHUNK = 500

_Outcome = tuple[bool, str, list[dict[str, str]], dict[str, Any] | None]
_WORKER: dict[str, Any] = {}


@dataclass(frozen=True)
class BatchRecord:
    """A verification job: ``state`` pending / running / done / failed; ``done`` of ``total`` verified so far."""

    id: str
    org_id: str
    source: str
    state: str
    total: int
    done: int
    verified: int
    error: str | None
    created_at: datetime
    finished_at: datetime | None

    @property
    def not_verified(self) -> int:
        return self.done - self.verified

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "state": self.state,
            "total": self.total,
            "done": self.done,
            "verified": self.verified,
            "not_verified": self.not_verified,
            "error": self.error,
            "created_at": self.created_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


@dataclass(frozen=True)
class BatchItem:
    """One verified input: file, verdict, format, named checks, and the credential read (None if none)."""

    batch_id: str
    position: int
    file: str
    verified: bool
    format: str
    checks: list[dict[str, str]]
    credential: dict[str, Any] | None

    def to_json(self, *, credential: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "position": self.position,
            "file": self.file,
            "verified": self.verified,
            "format": self.format,
            "checks": self.checks,
        }
        if credential:
            out["credential"] = self.credential
        return out


def _record(row: BatchRow, interrupted: bool = False) -> BatchRecord:
    state, error = row.state, row.error
    if interrupted and state in {"pending", "running"}:
        state, error = "failed", "interrupted: the server stopped before the job finished; upload it again"
    return BatchRecord(
        row.id,
        row.org_id,
        row.source,
        state,
        row.total,
        row.done,
        row.verified,
        error,
        row.created_at,
        row.finished_at,
    )


def _failed_entry(entry: BatchEntry) -> _Outcome:
    return False, "unknown", [{"name": "parse", "status": "fail", "reason": entry.error or "nothing to read"}], None


def _verify_in_worker(data: bytes) -> _Outcome:
    report = VerificationService.verify_with(data, _WORKER["options"])
    credential = report.credential if isinstance(report.credential, dict) else None
    return report.verified, report.format, [c.to_json() for c in report.checks], credential


def _init_worker() -> None:
    """In a forked worker: drop the parent's database connections, and start a fresh memo for this batch."""
    db: Database = _WORKER["db"]
    db.engine.dispose(close=False)
    _WORKER["options"] = _WORKER["verifier"].options()


class BulkVerificationService:
    """Start, run and read bulk verification jobs (see the module docstring)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        verifier: VerificationService,
        clock: Callable[[], datetime],
        *,
        lookup: Callable[[str], dict[str, Any] | None] | None = None,
        workers: int | None = None,
    ) -> None:
        """``lookup`` finds a credential issued by this server by its URL (None when it is not ours)."""
        self._db = db
        self._settings = settings
        self._verifier = verifier
        self._clock = clock
        self._lookup = lookup
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        self.workers = workers if workers is not None else min(cores, 8)
        self._pending: dict[str, list[BatchEntry]] = {}
        self._active: set[str] = set()
        self._lock = threading.Lock()

    @property
    def limits(self) -> BatchLimits:
        return BatchLimits(
            max_file_bytes=self._settings.max_document_bytes, max_total_bytes=self._settings.bulk_max_bytes * 8
        )

    # -- jobs --------------------------------------------------------------------------------------------------
    def start(self, org_id: str, filename: str, data: bytes) -> BatchRecord:
        """Read the upload and record a pending job (InvalidBatchError / DocumentTooLargeError when unreadable)."""
        entries = read_upload(filename, data, self.limits)
        batch_id = uuid.uuid4().hex
        now = self._clock()
        with self._db.write() as session:
            row = BatchRow(
                id=batch_id,
                org_id=org_id,
                source=(filename or "upload")[:300],
                state="pending",
                total=len(entries),
                done=0,
                verified=0,
                error=None,
                created_at=now,
                finished_at=None,
            )
            session.add(row)
            session.flush()
            record = _record(row)
        with self._lock:
            self._pending[batch_id] = entries
            self._active.add(batch_id)
        return record

    def submit(self, org_id: str, filename: str, data: bytes, *, background: bool | None = None) -> BatchRecord:
        """Start a job and run it: in the caller for small batches, on a background thread for large ones."""
        record = self.start(org_id, filename, data)
        if background is None:
            background = record.total > PARALLEL_THRESHOLD
        if not background:
            return self.run(record.id)
        threading.Thread(
            target=self._run_quietly, args=(record.id,), name=f"batch-{record.id[:8]}", daemon=True
        ).start()
        return record

    def _run_quietly(self, batch_id: str) -> None:
        try:
            self.run(batch_id)
        except Exception as exc:  # a background job records its failure instead of dying unseen
            self._finish(batch_id, "failed", f"{type(exc).__name__}: {exc}")

    def run(self, batch_id: str, progress: Callable[[int, int], None] | None = None) -> BatchRecord:
        """Verify every entry of a pending job, storing results in chunks; returns the finished job."""
        with self._lock:
            entries = self._pending.pop(batch_id, None)
        if entries is None:
            raise NotFoundError(f"no pending verification job {batch_id}")
        self._set_state(batch_id, "running")
        try:
            done = verified = 0
            buffer: list[dict[str, Any]] = []
            for position, outcome in enumerate(self._outcomes(entries)):
                ok, fmt, checks, credential = outcome
                buffer.append(
                    {
                        "batch_id": batch_id,
                        "position": position,
                        "file": entries[position].name[:500],
                        "verified": ok,
                        "format": fmt[:32],
                        "checks": checks,
                        "credential": credential,
                    }
                )
                verified += int(ok)
                if len(buffer) >= CHUNK:
                    done += len(buffer)
                    self._store(batch_id, buffer, done, verified)
                    buffer = []
                    if progress is not None:
                        progress(done, len(entries))
            done += len(buffer)
            self._store(batch_id, buffer, done, verified)
            if progress is not None:
                progress(done, len(entries))
        except CredstackError as exc:
            self._finish(batch_id, "failed", exc.message)
            raise
        return self._finish(batch_id, "done", None)

    def _outcomes(self, entries: Sequence[BatchEntry]) -> Iterator[_Outcome]:
        """Each entry's outcome, in order; data entries go to the process pool when the batch is large."""
        resolved = [self._resolve(e) for e in entries]
        work = [e.data for e in resolved if e.data is not None]
        results = iter(self._verify_all(work))
        for entry in resolved:
            yield next(results) if entry.data is not None else _failed_entry(entry)

    def _resolve(self, entry: BatchEntry) -> BatchEntry:
        """A URL entry becomes its document (ours, or fetched from an allow-listed host) or an error."""
        if entry.url is None:
            return entry
        document = self._lookup(entry.url) if self._lookup is not None else None
        if document is None:
            try:
                document = self._verifier.fetch(entry.url)
            except CredstackError as exc:
                return BatchEntry(entry.name, error=f"{entry.url}: {exc.message}")
        return BatchEntry(entry.name, data=json.dumps(document).encode("utf-8"))

    def _verify_all(self, work: list[bytes]) -> Iterator[_Outcome]:
        _WORKER.update(db=self._db, verifier=self._verifier, options=self._verifier.options())
        import multiprocessing

        if len(work) <= PARALLEL_THRESHOLD or self.workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            yield from map(_verify_in_worker, work)
            return
        from concurrent.futures import ProcessPoolExecutor

        _verify_in_worker(work[0])  # warm the parent's caches (contexts, canonicaliser) so every fork inherits them
        chunk = max(1, min(256, len(work) // (self.workers * 8)))
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(self.workers, mp_context=context, initializer=_init_worker) as pool:
            yield from pool.map(_verify_in_worker, work, chunksize=chunk)

    # -- storage -----------------------------------------------------------------------------------------------
    def _store(self, batch_id: str, rows: list[dict[str, Any]], done: int, verified: int) -> None:
        with self._db.write() as session:
            if rows:
                session.execute(sa.insert(BatchItemRow), rows)
            session.execute(sa.update(BatchRow).where(BatchRow.id == batch_id).values(done=done, verified=verified))

    def _set_state(self, batch_id: str, state: str) -> None:
        with self._db.write() as session:
            session.execute(sa.update(BatchRow).where(BatchRow.id == batch_id).values(state=state))

    def _finish(self, batch_id: str, state: str, error: str | None) -> BatchRecord:
        with self._lock:
            self._active.discard(batch_id)
            self._pending.pop(batch_id, None)
        with self._db.write() as session:
            row = session.get(BatchRow, batch_id)
            if row is None:
                raise NotFoundError(f"no verification job {batch_id}")
            row.state, row.error, row.finished_at = state, error, self._clock()
            session.flush()
            return _record(row)

    # -- reading -----------------------------------------------------------------------------------------------
    def get(self, batch_id: str, org_id: str | None = None) -> BatchRecord:
        """A job (NotFoundError for another organisation's job)."""
        with self._db.read() as session:
            row = session.get(BatchRow, batch_id)
            if row is None or (org_id is not None and row.org_id != org_id):
                raise NotFoundError(f"no verification job {batch_id}")
            with self._lock:
                active = batch_id in self._active
            return _record(row, interrupted=not active)

    def recent(self, org_id: str, *, limit: int = 20) -> list[BatchRecord]:
        with self._db.read() as session:
            rows = session.scalars(
                sa.select(BatchRow).where(BatchRow.org_id == org_id).order_by(BatchRow.created_at.desc()).limit(limit)
            ).all()
            with self._lock:
                active = set(self._active)
            return [_record(r, interrupted=r.id not in active) for r in rows]

    def items(
        self, batch_id: str, org_id: str | None = None, *, offset: int = 0, limit: int | None = None
    ) -> list[BatchItem]:
        """The job's results in input order (``limit`` None: all)."""
        self.get(batch_id, org_id)
        with self._db.read() as session:
            query = sa.select(BatchItemRow).where(BatchItemRow.batch_id == batch_id).order_by(BatchItemRow.position)
            query = query.offset(offset)
            if limit is not None:
                query = query.limit(limit)
            return [
                BatchItem(r.batch_id, r.position, r.file, r.verified, r.format, list(r.checks), r.credential)
                for r in session.scalars(query)
            ]

    def item(self, batch_id: str, position: int, org_id: str | None = None) -> BatchItem:
        found = self.items(batch_id, org_id, offset=position, limit=1)
        if not found or found[0].position != position:
            raise NotFoundError(f"verification job {batch_id} has no item {position}")
        return found[0]

    def report(self, batch_id: str, org_id: str | None = None) -> dict[str, Any]:
        """The JSON report: the job and every result with its checks."""
        record = self.get(batch_id, org_id)
        return {**record.to_json(), "results": [i.to_json() for i in self.items(batch_id, org_id)]}

    def report_csv(self, batch_id: str, org_id: str | None = None) -> str:
        """The CSV report (see :mod:`credstack.employer.report`)."""
        return report_csv([i.to_json() for i in self.items(batch_id, org_id)])
