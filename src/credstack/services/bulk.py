"""Bulk issuance from a CSV roster, as a resumable job stored in the database.

Roster (RFC 4180 CSV, UTF-8, header row): ``recipient`` (e-mail address, DID or URL) is required; ``name``,
``result``, ``evidence_url``, ``valid_until`` (ISO 8601 date or date-time) and ``idempotency_key`` are optional;
other columns are ignored. :meth:`BulkIssuanceService.start` stores the job with one row per data row;
:meth:`BulkIssuanceService.run` issues row by row, committing each credential together with its row's outcome
under the row's idempotency key (default: SHA-256 of the achievement id and the row's content). A run killed at
any point resumes where it stopped: no credential is issued twice and none is lost.

A recipient listed again in the same roster (e-mail addresses compared without case and ``mailto:``) is rejected when
the job is stored, as a duplicate of the first line that names them (``[duplicate_recipient] ... line N``): one
roster gives each recipient one credential. Rejected rows are final; ``issued + rejected + skipped + pending ==
rows_read`` always holds.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from credstack.errors import CredstackError, CsvRosterError, InvalidInputError, NotFoundError
from credstack.services.achievements import AchievementRecord, AchievementService
from credstack.services.issuing import IssuingService, normalise_cryptosuite
from credstack.storage.engine import Database
from credstack.storage.models import Achievement, BulkJob, BulkJobRow

_log = logging.getLogger(__name__)

__all__ = [
    "COLUMNS",
    "BulkIssuanceService",
    "BulkReport",
    "RowRejection",
    "duplicate_lines",
    "parse_roster",
    "recipient_key",
]

COLUMNS = ("recipient", "name", "result", "evidence_url", "valid_until", "idempotency_key")
MAX_ROWS = 100_000

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class _PendingRow:
    id: int
    data: dict[str, str]
    idempotency_key: str


@dataclass(frozen=True)
class RowRejection:
    line: int
    reason: str


@dataclass(frozen=True)
class BulkReport:
    """Where a job stands: ``issued + rejected + skipped + pending == rows_read``."""

    job_id: str
    achievement_id: str
    state: str
    rows_read: int
    issued: int
    skipped: int
    rejected: int
    pending: int
    rejections: tuple[RowRejection, ...]
    credential_ids: tuple[str, ...]


def _decode(data: str | bytes) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvRosterError(
            f"the roster is not UTF-8 (byte 0x{data[exc.start]:02x} on line {line})", where=f"line {line}"
        ) from exc


def parse_roster(data: str | bytes) -> list[tuple[int, dict[str, str]]]:
    """``(line, row)`` for each non-blank data row; CsvRosterError (with the line) for a malformed roster."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvRosterError(
            "the roster is empty: a header row with a 'recipient' column is required", where="line 1"
        ) from None
    except csv.Error as exc:
        raise CsvRosterError(f"malformed CSV: {exc}", where="line 1") from exc
    names = [h.strip().lower() for h in header]
    if "recipient" not in names:
        raise CsvRosterError("the header row has no 'recipient' column", where="line 1")
    duplicated = sorted({n for n in names if n in COLUMNS and names.count(n) > 1})
    if duplicated:
        raise CsvRosterError(f"the header repeats column(s) {', '.join(duplicated)}", where="line 1")
    rows: list[tuple[int, dict[str, str]]] = []
    start = reader.line_num + 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(names):
                raise CsvRosterError(
                    f"line {line} has {len(cells)} fields; the header has {len(names)}", where=f"line {line}"
                )
            row = {n: c.strip() for n, c in zip(names, cells, strict=False) if n in COLUMNS and c.strip()}
            rows.append((line, row))
            if len(rows) > MAX_ROWS:
                raise CsvRosterError(f"the roster has more than {MAX_ROWS} rows; split it", where=f"line {line}")
    except csv.Error as exc:
        # the record that failed began on line ``start``
        raise CsvRosterError(
            f"malformed CSV in the record starting on line {start}: {exc}", where=f"line {start}"
        ) from exc
    return rows


def row_idempotency_key(achievement_id: str, row: dict[str, str]) -> str:
    """The row's own ``idempotency_key``, else ``roster:`` + SHA-256 of the achievement id and the row content."""
    if row.get("idempotency_key"):
        return row["idempotency_key"]
    content = json.dumps({k: v for k, v in sorted(row.items()) if k != "idempotency_key"}, separators=(",", ":"))
    return "roster:" + hashlib.sha256(f"{achievement_id}\n{content}".encode()).hexdigest()


def recipient_key(recipient: str) -> str:
    """A recipient as compared for duplicates: e-mail addresses without case or ``mailto:``; DIDs and URLs as given."""
    text = recipient.strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    if "@" in text and not text.lower().startswith(("did:", "http://", "https://")):
        return text.lower()
    return text


def duplicate_lines(rows: list[tuple[int, dict[str, str]]]) -> dict[int, int]:
    """Line of each row whose recipient an earlier row already names -> the line of that earlier row."""
    first: dict[str, int] = {}
    duplicates: dict[int, int] = {}
    for line, row in rows:
        key = recipient_key(row.get("recipient", ""))
        if not key:
            continue
        if key in first:
            duplicates[line] = first[key]
        else:
            first[key] = line
    return duplicates


def _valid_until(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInputError(f"valid_until {value!r} is not an ISO 8601 date or date-time") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


class BulkIssuanceService:
    """Start, run (resumably) and report bulk issuance jobs."""

    def __init__(
        self,
        db: Database,
        issuing: IssuingService,
        achievements: AchievementService,
        clock: Callable[[], datetime],
    ) -> None:
        self._db = db
        self._issuing = issuing
        self._achievements = achievements
        self._clock = clock

    def start(self, achievement_id: str, csv_text: str | bytes, *, cryptosuite: str = "eddsa-rdfc-2022") -> str:
        """Store a job for the roster (nothing is issued yet); returns the job id."""
        achievement = self._achievements.get(achievement_id)
        suite = normalise_cryptosuite(cryptosuite)
        rows = parse_roster(csv_text)
        duplicates = duplicate_lines(rows)
        job_id = uuid.uuid4().hex
        with self._db.write() as session:
            session.add(
                BulkJob(
                    id=job_id,
                    achievement_id=achievement.id,
                    cryptosuite=suite,
                    state="pending",
                    rows_read=len(rows),
                    created_at=self._clock(),
                )
            )
            session.flush()
            session.add_all(
                BulkJobRow(
                    job_id=job_id,
                    line=line,
                    data=row,
                    idempotency_key=row_idempotency_key(achievement.id, row),
                    outcome="rejected" if line in duplicates else "pending",
                    reason=(
                        f"[duplicate_recipient] {row.get('recipient', '')} is already on line {duplicates[line]} of "
                        "this roster; one credential per recipient per roster (issue it again in another roster)"
                    )
                    if line in duplicates
                    else None,
                )
                for line, row in rows
            )
        return job_id

    def _issue_row(self, job: BulkJob, achievement: AchievementRecord, row: _PendingRow) -> None:
        credential_id = uuid.uuid4().hex
        data = row.data
        try:
            issuer_id, achievement_id, unsigned = self._issuing.build(
                job.achievement_id,
                recipient=data.get("recipient", ""),
                credential_id=credential_id,
                recipient_name=data.get("name"),
                results=[data["result"]] if data.get("result") else (),
                evidence=[data["evidence_url"]] if data.get("evidence_url") else (),
                valid_until=_valid_until(data["valid_until"]) if data.get("valid_until") else None,
                achievement=achievement,
            )
            with self._db.write() as session:
                # the row lock makes a second runner of this job wait here, then see the outcome
                stored = session.get(BulkJobRow, row.id, with_for_update=True)
                if stored is None or stored.outcome != "pending":
                    return  # another runner of this job got there first
                record, created = self._issuing.issue_in(
                    session,
                    unsigned,
                    issuer_id=issuer_id,
                    credential_id=credential_id,
                    achievement_id=achievement_id,
                    cryptosuite=job.cryptosuite,
                    idempotency_key=row.idempotency_key,
                    recipient=data.get("recipient") or None,
                )
                stored.outcome = "issued" if created else "skipped"
                stored.credential_id = record.id
            if created:  # committed: audit log, pathway awards and the wallet hear of it, as for a single issue
                self._issuing.notify(record, data.get("recipient") or None)
        except IntegrityError:
            return  # a concurrent runner committed this row's idempotency key; it records the outcome
        except (InvalidInputError, NotFoundError) as exc:
            self._reject(row.id, exc)
        except CredstackError as exc:
            if exc.http_status >= 500:
                raise
            self._reject(row.id, exc)

    def _reject(self, row_id: int, exc: CredstackError) -> None:
        with self._db.write() as session:
            stored = session.get(BulkJobRow, row_id)
            if stored is not None and stored.outcome == "pending":
                stored.outcome = "rejected"
                stored.reason = f"[{exc.code}] {exc}"

    def run(self, job_id: str, progress: ProgressCallback | None = None) -> BulkReport:
        """Issue every pending row; ``progress(done, total)`` after each. Safe to re-run after a crash."""
        with self._db.write() as session:
            job = session.get(BulkJob, job_id)
            if job is None:
                raise NotFoundError(f"no bulk job {job_id!r}")
            job.state = "running"
        achievement = self._achievements.get(job.achievement_id)
        with self._db.read() as session:
            pending = [
                _PendingRow(r.id, dict(r.data), r.idempotency_key)
                for r in session.scalars(
                    sa.select(BulkJobRow)
                    .where(BulkJobRow.job_id == job_id, BulkJobRow.outcome == "pending")
                    .order_by(BulkJobRow.line)
                )
            ]
        total = job.rows_read
        done = total - len(pending)
        if progress is not None:
            progress(done, total)
        for row in pending:
            self._issue_row(job, achievement, row)
            done += 1
            if progress is not None:
                progress(done, total)
        with self._db.write() as session:
            stored = session.get(BulkJob, job_id)
            if stored is not None:
                stored.state = "done"
                stored.finished_at = self._clock()
        return self.report(job_id)

    def run_in_background(self, job_id: str) -> threading.Thread:
        """Run a job on a daemon thread (a web upload returns at once; :meth:`report` shows the progress)."""

        def work() -> None:
            try:
                self.run(job_id)
            except Exception:  # logged; the job stays resumable (`credstack issue --resume JOB`)
                _log.exception("bulk job %s failed", job_id)

        thread = threading.Thread(target=work, name=f"bulk-{job_id[:8]}", daemon=True)
        thread.start()
        return thread

    def recent(self, issuer_id: int, *, limit: int = 10) -> list[BulkReport]:
        """The latest jobs for achievements of ``issuer_id``, newest first."""
        query = (
            sa.select(BulkJob.id)
            .join(Achievement, Achievement.id == BulkJob.achievement_id)
            .where(Achievement.issuer_id == issuer_id)
            .order_by(BulkJob.created_at.desc(), BulkJob.id)
            .limit(limit)
        )
        with self._db.read() as session:
            ids = list(session.scalars(query))
        return [self.report(i) for i in ids]

    def report_csv(self, job_id: str, *, claim_url: Callable[[str], str] | None = None) -> str:
        """Every roster row of a job as CSV: line, recipient, outcome, credential id, reason; with ``claim_url``
        (credential id -> its claim link: for the issuer's own staff only) a ``claim_url`` column too, filled for the
        issued rows."""
        self.report(job_id)  # NotFoundError for an unknown job
        with self._db.read() as session:
            rows = list(
                session.scalars(sa.select(BulkJobRow).where(BulkJobRow.job_id == job_id).order_by(BulkJobRow.line))
            )
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        head = ["line", "recipient", "outcome", "credential_id", "reason"]
        writer.writerow([*head, "claim_url"] if claim_url is not None else head)
        for row in rows:
            recipient = str(dict(row.data).get("recipient", ""))
            line = [row.line, recipient, row.outcome, row.credential_id or "", row.reason or ""]
            if claim_url is not None:
                line.append(claim_url(row.credential_id) if row.credential_id and row.outcome != "rejected" else "")
            writer.writerow(line)
        return out.getvalue()

    def report(self, job_id: str) -> BulkReport:
        """Counts, rejections (line and reason) and the credential ids of a job."""
        with self._db.read() as session:
            job = session.get(BulkJob, job_id)
            if job is None:
                raise NotFoundError(f"no bulk job {job_id!r}")
            rows = list(
                session.scalars(sa.select(BulkJobRow).where(BulkJobRow.job_id == job_id).order_by(BulkJobRow.line))
            )
        counts: dict[str, int] = {"issued": 0, "skipped": 0, "rejected": 0, "pending": 0}
        for row in rows:
            counts[row.outcome] = counts.get(row.outcome, 0) + 1
        return BulkReport(
            job_id=job.id,
            achievement_id=job.achievement_id,
            state=job.state,
            rows_read=job.rows_read,
            issued=counts["issued"],
            skipped=counts["skipped"],
            rejected=counts["rejected"],
            pending=counts["pending"],
            rejections=tuple(RowRejection(r.line, r.reason or "") for r in rows if r.outcome == "rejected"),
            credential_ids=tuple(r.credential_id for r in rows if r.credential_id and r.outcome == "issued"),
        )
