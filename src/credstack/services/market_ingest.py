"""One ingestion run: raw rows -> postings -> deduplicated, mapped, skill-tagged -> Parquet + demand tables.

The accounting is the contract: every row read is accepted, a duplicate (exact or near) or rejected, and the three
add up to the rows read (the report says so, and a run that would break it raises instead of writing).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from credstack.errors import CredstackError, InvalidInputError
from credstack.market.fields import MAPPINGS, RowError, detect_mapping, map_row
from credstack.market.pipeline import NEAR_DUPLICATE, NEW, Outcome, PostingProcessor
from credstack.market.records import IngestReport, Rejection
from credstack.market.titles import TitleMapper
from credstack.services.market_increment import add_outcomes, in_sync
from credstack.services.market_read import RawRow
from credstack.services.market_store import PostingStore
from credstack.skills import SkillLinker
from credstack.storage.engine import Database
from credstack.storage.market_tables import (
    MarketCooccurrence,
    MarketDemand,
    MarketIngestRun,
    MarketOccupation,
    MarketSkill,
    MarketTotal,
)

__all__ = ["Ingestor", "Tick"]

#: Called after each row with the number of rows read so far.
Tick = Callable[[int], None]
_CHUNK = 5_000
#: Accepted postings are written to the staging area in chunks of this many (memory stays bounded).
FLUSH = 20_000
_KEEP_REJECTIONS = 100


class Ingestor:
    """Runs ingestions against one Parquet dataset and one database."""

    def __init__(
        self,
        db: Database,
        store: PostingStore,
        linker: Callable[[], SkillLinker],
        titles: Callable[[], TitleMapper],
        clock: Callable[[], datetime],
    ) -> None:
        self._db = db
        self.store = store
        self._linker = linker
        self._titles = titles
        self._clock = clock
        self._cached: tuple[frozenset[str], PostingProcessor] | None = None

    def processor(self) -> PostingProcessor:
        """Deduplication state seeded with every stored posting; reused between runs of this service while the
        dataset holds exactly the files it was built from (another process writing invalidates it)."""
        cached, self._cached = self._cached, None
        if cached is not None and cached[0] == self.store.files():
            return cached[1]
        processor = PostingProcessor(self._linker(), self._titles())
        processor.seed(*self.store.existing())
        return processor

    def run(
        self,
        rows: Iterable[RawRow],
        *,
        mapping: str = "auto",
        source: str | None = None,
        file_name: str = "",
        rejects: IO[str] | None = None,
        tick: Tick | None = None,
        processor: PostingProcessor | None = None,
        refresh: bool = True,
        incremental: bool = False,
    ) -> IngestReport:
        """Ingest ``rows``; ``mapping`` is a name of :data:`credstack.market.fields.MAPPINGS` or ``auto`` (from the
        first row). Rejected rows are written to ``rejects`` as JSON lines ``{"line", "reason", "raw"}``.
        ``incremental``: add the new postings to the demand tables instead of recomputing them (when the tables
        agree with the dataset; the HTTP batch path)."""
        if mapping != "auto" and mapping not in MAPPINGS:
            raise InvalidInputError(f"unknown mapping {mapping!r}: use auto or {', '.join(MAPPINGS)}")
        started, clock0 = self._clock(), time.perf_counter()
        own = processor is None
        processor = processor or self.processor()
        run = f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        read = duplicates = near = mapped = with_skills = mentions = 0
        accepted: list[Outcome] = []
        flushed = 0
        rejections: list[Rejection] = []
        chosen = None if mapping == "auto" else mapping
        name = source
        for raw in rows:
            read += 1
            if tick is not None:
                tick(read)
            rejection = None
            if raw.row is None:
                rejection = Rejection(raw.line, raw.error or "unreadable row", raw.raw)
            else:
                if chosen is None:
                    chosen = detect_mapping(raw.row)
                    name = name or (chosen if chosen != "generic" else Path(file_name).name.split(".")[0] or "generic")
                try:
                    posting = map_row(raw.row, chosen, name or "generic", raw.line)
                except RowError as exc:
                    rejection = Rejection(raw.line, str(exc), raw.raw)
            if rejection is not None:
                if rejects is not None:
                    rejects.write(json.dumps(rejection.to_json()) + "\n")  # ASCII: one line per row, always
                if len(rejections) < _KEEP_REJECTIONS:
                    rejections.append(rejection)
                continue
            outcome = processor.process(posting)
            if outcome.status != NEW:
                duplicates += 1
                near += outcome.status == NEAR_DUPLICATE
                continue
            accepted.append(outcome)
            if len(accepted) - flushed >= FLUSH:
                self.store.write(accepted[flushed:], run, staged=True)
                accepted[flushed:] = [_light(o) for o in accepted[flushed:]]
                flushed = len(accepted)
            mapped += bool(outcome.title and outcome.title.mapped)
            with_skills += bool(outcome.skills)
            mentions += len(outcome.skills)
        rejected = read - len(accepted) - duplicates
        report = IngestReport(
            source=name or source or "generic",
            file_name=file_name,
            rows_read=read,
            accepted=len(accepted),
            duplicates=duplicates,
            near_duplicates=near,
            rejected=rejected,
            titles_mapped=mapped,
            with_skills=with_skills,
            skill_mentions=mentions,
            months=tuple(sorted({o.posting.month for o in accepted})),
            seconds=0.0,
            rejections=tuple(rejections),
            notes=_notes(accepted),
        )
        if not report.balanced:  # pragma: no cover - the loop above makes this impossible; refuse to write if not
            raise CredstackError("row accounting does not balance; nothing was written")
        stored_before = self.store.count() if incremental and refresh and not flushed else -1
        try:
            self.store.write(accepted[flushed:], run, staged=True)
            self.store.publish(run)
        finally:
            self.store.discard(run)
        if own:
            self._cached = (self.store.files(), processor)
        seconds = time.perf_counter() - clock0
        with self._db.write() as session:
            session.add(
                MarketIngestRun(
                    source=report.source,
                    file_name=file_name,
                    started_at=started,
                    rows_read=read,
                    accepted=report.accepted,
                    duplicates=duplicates,
                    near_duplicates=near,
                    rejected=rejected,
                    titles_mapped=mapped,
                    with_skills=with_skills,
                    seconds=seconds,
                )
            )
        if refresh and accepted:
            done = False
            if stored_before >= 0:
                with self._db.write() as session:
                    if in_sync(session, stored_before):
                        add_outcomes(session, self.store, accepted)
                        done = True
            if not done:
                self.refresh()
        return _with_seconds(report, time.perf_counter() - clock0)

    def refresh(self) -> None:
        """Recompute the demand tables from the whole Parquet dataset (one transaction: readers see old or new)."""
        agg = self.store.aggregates()
        tables: list[tuple[Any, list[dict[str, Any]]]] = [
            (MarketDemand, agg.demand),
            (MarketTotal, agg.totals),
            (MarketCooccurrence, agg.cooccurrence),
            (MarketSkill, agg.skills),
            (MarketOccupation, agg.occupations),
        ]
        with self._db.write() as session:
            for table, rows in tables:
                session.execute(sa.delete(table))
                for start in range(0, len(rows), _CHUNK):
                    session.execute(sa.insert(table), rows[start : start + _CHUNK])


def _light(outcome: Outcome) -> Outcome:
    """The outcome without the posting's text and skills (already written): what the report still needs."""
    return replace(outcome, posting=replace(outcome.posting, text="x" if outcome.posting.has_text else ""), skills=())


def _with_seconds(report: IngestReport, seconds: float) -> IngestReport:
    return replace(report, seconds=seconds)


def _notes(accepted: list[Outcome]) -> tuple[str, ...]:
    if not accepted:
        return ()
    texts = sum(1 for o in accepted if o.posting.has_text)
    notes = []
    if texts == 0:
        notes.append("no posting text: these postings count towards occupation and month totals, not skill demand")
    elif texts < len(accepted):
        notes.append(f"{len(accepted) - texts} accepted posting(s) without text count towards totals only")
    return tuple(notes)
