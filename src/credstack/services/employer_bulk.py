"""Bulk verification for employers: an upload (one file, a zip, a CSV of URLs/files) becomes a job whose every
credential is verified with every check explained, stored, and downloadable as a CSV or JSON report.

- :meth:`BulkVerificationService.start` reads the upload (:func:`credstack.employer.batch_input.read_upload`, with
  the limits in docs/employer.md; an unreadable upload raises and nothing is stored) and records a ``pending`` job.
- :meth:`run` verifies: entries over :data:`PARALLEL_THRESHOLD` are spread over a pool of worker processes
  (one per core; each worker reuses one set of options, so a status list is fetched once per worker and batch),
  each worker stores the results of the chunk of :data:`CHUNK` it verified, and the job's ``done`` count moves as
  chunks finish (the progress bar).
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
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
#: Credentials verified and stored per unit of work (the progress advances by chunks).
CHUNK = 250

_Outcome = tuple[bool, str, list[dict[str, str]], dict[str, Any] | None]
_Chunk = tuple[str, list[tuple[int, str, bytes]]]
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


def _verify_data(data: bytes) -> _Outcome:
    report = VerificationService.verify_with(data, _WORKER["options"])
    credential = report.credential if isinstance(report.credential, dict) else None
    return report.verified, report.format, [c.to_json() for c in report.checks], credential


def _row(batch_id: str, position: int, name: str, outcome: _Outcome) -> dict[str, Any]:
    ok, fmt, checks, credential = outcome
    return {"batch_id": batch_id, "position": position, "file": name[:500], "verified": ok, "format": fmt[:32],
            "checks": checks, "credential": credential}  # fmt: skip


def _verify_chunk(chunk: _Chunk) -> tuple[int, int]:
    """Verify and store one chunk of a batch (in a worker process, or in the caller): ``(count, verified)``."""
    batch_id, work = chunk
    rows = [_row(batch_id, position, name, _verify_data(data)) for position, name, data in work]
    db: Database = _WORKER["db"]
    with db.write() as session:
        session.execute(sa.insert(BatchItemRow), rows)
    return len(rows), sum(1 for r in rows if r["verified"])


def _init_worker(settings: Settings, database_url: str, now: datetime) -> None:
    """In a worker (started by the fork server, never forked from the threaded web server): open the database and
    assemble the verifier (this server's status lists resolve locally), with one memo of fetched documents."""
    from credstack.services.issuers import IssuerService
    from credstack.services.keystore import KeyStore
    from credstack.services.status import StatusService

    db = Database.from_url(database_url)
    issuers = IssuerService(db, settings, KeyStore(settings.master_secret), _utc_now)
    status = StatusService(db, settings, issuers, _utc_now)
    verifier = VerificationService(settings, local_documents=status.document_for_url)
    _WORKER.update(db=db, verifier=verifier, options=verifier.options(at=now))


def _utc_now() -> datetime:
    return datetime.now(UTC)


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
        """Verify every entry of a pending job; each chunk's results are stored as it finishes (by the worker that
        verified it), and the job's ``done`` count advances. Returns the finished job."""
        with self._lock:
            entries = self._pending.pop(batch_id, None)
        if entries is None:
            raise NotFoundError(f"no pending verification job {batch_id}")
        self._set_state(batch_id, "running")
        total = len(entries)
        try:
            resolved = [self._resolve(e) for e in entries]
            failed = [_row(batch_id, i, e.name, _failed_entry(e)) for i, e in enumerate(resolved) if e.data is None]
            done, verified = len(failed), 0
            self._store(batch_id, failed, done, verified)
            work = [(i, e.name, e.data) for i, e in enumerate(resolved) if e.data is not None]
            chunks = [(batch_id, work[i : i + CHUNK]) for i in range(0, len(work), CHUNK)]
            for count, passed in self._verify_chunks(chunks, parallel=len(work) > PARALLEL_THRESHOLD):
                done, verified = done + count, verified + passed
                self._store(batch_id, [], done, verified)
                if progress is not None:
                    progress(done, total)
        except CredstackError as exc:
            self._finish(batch_id, "failed", exc.message)
            raise
        return self._finish(batch_id, "done", None)

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

    def _verify_chunks(self, chunks: list[_Chunk], *, parallel: bool) -> Iterator[tuple[int, int]]:
        """``(count, verified)`` per chunk as chunks finish: in this process, or on a pool of worker processes (one
        per core)."""
        _WORKER.update(db=self._db, verifier=self._verifier, options=self._verifier.options())
        import multiprocessing

        if not parallel or self.workers < 2 or "forkserver" not in multiprocessing.get_all_start_methods():
            yield from map(_verify_chunk, chunks)
            return
        from concurrent.futures import ProcessPoolExecutor, as_completed

        # Not "fork": this process runs the web server's threads, and a child forked while one of them holds a lock
        # (a connection pool, the key store) waits on it forever. The fork server is a clean process that imports
        # credstack once (the first batch pays about a second) and forks the workers from there.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["credstack.services.status", "credstack.services.verifying"])
        url = self._db.engine.url.render_as_string(hide_password=False)
        now = _WORKER["options"].now
        with ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_init_worker, initargs=(self._settings, url, now)
        ) as pool:
            for future in as_completed([pool.submit(_verify_chunk, chunk) for chunk in chunks]):
                yield future.result()

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
        self,
        batch_id: str,
        org_id: str | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
        credentials: bool = True,
    ) -> list[BatchItem]:
        """The job's results in input order (``limit`` None: all; ``credentials`` False leaves them out: faster)."""
        self.get(batch_id, org_id)
        t = BatchItemRow
        columns = [t.batch_id, t.position, t.file, t.verified, t.format, t.checks]
        query = sa.select(*columns, t.credential if credentials else sa.null())
        query = query.where(t.batch_id == batch_id).order_by(t.position).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self._db.read() as session:
            rows: list[Any] = list(session.execute(query).all())
        return [BatchItem(r[0], r[1], r[2], r[3], r[4], list(r[5]), r[6]) for r in rows]

    def item(self, batch_id: str, position: int, org_id: str | None = None) -> BatchItem:
        found = self.items(batch_id, org_id, offset=position, limit=1)
        if not found or found[0].position != position:
            raise NotFoundError(f"verification job {batch_id} has no item {position}")
        return found[0]

    def report(self, batch_id: str, org_id: str | None = None) -> dict[str, Any]:
        """The JSON report: the job and every result with its checks."""
        record = self.get(batch_id, org_id)
        items = self.items(batch_id, org_id, credentials=False)
        return {**record.to_json(), "results": [i.to_json() for i in items]}

    def report_csv(self, batch_id: str, org_id: str | None = None) -> str:
        """The CSV report (see :mod:`credstack.employer.report`)."""
        return report_csv([i.to_json() for i in self.items(batch_id, org_id, credentials=False)])
