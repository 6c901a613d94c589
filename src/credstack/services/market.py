"""Job-market intelligence: posting ingestion and demand analytics (``Credstack.market``; docs/market.md).

:class:`MarketService` is the one entry point. Ingestion (``ingest``, ``ingest_records``, ``ingest_builtin``)
writes postings to the Parquet dataset under the data directory and recomputes the demand tables in the main
database; the analytics (``skill_demand``, ``skill_series``, ``occupation_series``, ``growth``, ``emerging``,
``cooccurring``, ``occupation_skills``, ``coverage``) read those tables only.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from credstack.errors import InvalidInputError
from credstack.market.records import (
    Cooccurring,
    Coverage,
    Emerging,
    EmergingReport,
    Growth,
    IngestReport,
    MonthPoint,
    OccupationSkill,
    OccupationSkills,
    SkillDemand,
)
from credstack.market.source import builtin_datasets, read_builtin
from credstack.market.titles import TitleMapper, default_title_mapper
from credstack.services.market_analytics import Analytics
from credstack.services.market_ingest import Ingestor, Tick
from credstack.services.market_read import CountingReader, RawRow, detect_format, open_stream, read_rows
from credstack.services.market_store import PostingStore
from credstack.services.taxonomy import TaxonomyService
from credstack.services.taxonomy_records import OccupationDetail
from credstack.settings import Settings
from credstack.skills import SkillLinker, default_linker
from credstack.storage.engine import Database
from credstack.storage.market_tables import MarketIngestRun

__all__ = ["MAX_BATCH", "MarketService", "data_dir_for"]

#: Most postings one HTTP batch may carry.
MAX_BATCH = 5_000


def data_dir_for(settings: Settings) -> Path:
    """``CREDSTACK_DATA_DIR``; by default ``<name>-data`` next to the SQLite file (``./credstack-data`` for
    ``./credstack.db``), or ``./credstack-data`` for PostgreSQL and in-memory SQLite."""
    if settings.data_dir:
        return Path(settings.data_dir).expanduser()
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database).expanduser()
        return path.with_name(f"{path.stem}-data")
    return Path("credstack-data")


class MarketService:
    """Postings in (files, HTTP batches, the shipped subset), demand analytics out."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        taxonomy: TaxonomyService,
        clock: Callable[[], datetime],
        *,
        linker: Callable[[], SkillLinker] = default_linker,
        titles: Callable[[], TitleMapper] = default_title_mapper,
    ) -> None:
        self._db = db
        self._taxonomy = taxonomy
        self._linker = linker
        self.data_dir = data_dir_for(settings)
        self.store = PostingStore(self.data_dir)
        self.analytics = Analytics(db)
        self._ingestor = Ingestor(db, self.store, lambda: self._linker(), titles, clock)

    def use_linker(self, factory: Callable[[], SkillLinker]) -> None:
        """Use another way of getting the skill linker (the CLI loads a cached one from disk)."""
        self._linker = factory

    # -- ingestion --------------------------------------------------------------------------------------------

    def ingest(
        self,
        path: Path,
        *,
        fmt: str | None = None,
        mapping: str = "auto",
        source: str | None = None,
        rejects: Path | None = None,
        progress: Callable[[int], None] | None = None,
        tick: Tick | None = None,
        refresh: bool = True,
    ) -> IngestReport:
        """Ingest a CSV or JSONL file (gzip detected from its bytes). ``progress`` gets the bytes read from the
        file as they are consumed; ``tick`` the number of rows read. Rejected rows go to ``rejects`` (JSON lines).
        ``refresh=False`` leaves the demand tables for a later :meth:`refresh` (loading many files)."""
        try:
            raw = path.open("rb")
        except OSError as exc:
            raise InvalidInputError(f"cannot read {path}: {exc.strerror or exc}") from exc
        with raw, CountingReader(raw, progress) as counted:
            stream = open_stream(counted)
            head = stream.peek(64)[:64] if hasattr(stream, "peek") else b""
            chosen = fmt or detect_format(path.name, head)
            rejects_file = None
            try:
                if rejects is not None:
                    try:
                        rejects_file = rejects.open("w", encoding="utf-8")
                    except OSError as exc:
                        raise InvalidInputError(f"cannot write {rejects}: {exc.strerror or exc}") from exc
                return self._ingestor.run(
                    read_rows(stream, chosen),
                    mapping=mapping,
                    source=source,
                    file_name=path.name,
                    rejects=rejects_file,
                    tick=tick,
                    refresh=refresh,
                )
            finally:
                if rejects_file is not None:
                    rejects_file.close()

    def ingest_records(
        self, records: Sequence[Any], *, source: str | None = None, mapping: str = "auto"
    ) -> IngestReport:
        """Ingest a batch of JSON objects (the HTTP endpoint); ``line`` numbers are 1-based positions."""
        if len(records) > MAX_BATCH:
            raise InvalidInputError(f"a batch holds at most {MAX_BATCH} postings, not {len(records)}")
        rows = (
            RawRow(i, r, json.dumps(r, ensure_ascii=False)[:20_000])
            if isinstance(r, dict)
            else RawRow(i, None, json.dumps(r)[:20_000], f"a posting must be an object, not {type(r).__name__}")
            for i, r in enumerate(records, start=1)
        )
        return self._ingestor.run(rows, mapping=mapping, source=source or "api", file_name="api", incremental=True)

    def ingest_builtin(self, *, tick: Tick | None = None) -> list[IngestReport]:
        """Ingest the real postings shipped with the package (idempotent: a second run finds only duplicates)."""
        reports = []
        processor = self._ingestor.processor()
        for dataset in builtin_datasets():
            stream = io.BytesIO(read_builtin(dataset))
            reports.append(
                self._ingestor.run(
                    read_rows(stream, "jsonl"),
                    mapping=dataset.mapping,
                    source=dataset.mapping,
                    file_name=f"builtin:{dataset.name}",
                    tick=tick,
                    processor=processor,
                    refresh=False,
                )
            )
        if any(r.accepted for r in reports):
            self._ingestor.refresh()
        return reports

    def ensure_builtin(self, *, tick: Tick | None = None) -> list[IngestReport]:
        """:meth:`ingest_builtin` unless every shipped dataset was already ingested in full (then ``[]`` at once):
        what the demo seed calls."""
        with self._db.read() as session:
            done = {
                name: rows
                for name, rows in session.execute(
                    sa.select(MarketIngestRun.file_name, sa.func.max(MarketIngestRun.rows_read)).group_by(
                        MarketIngestRun.file_name
                    )
                )
            }
        if all(done.get(f"builtin:{d.name}", -1) >= d.rows for d in builtin_datasets()):
            return []
        return self.ingest_builtin(tick=tick)

    def builtin_rows(self) -> int:
        return sum(d.rows for d in builtin_datasets())

    def refresh(self) -> None:
        """Recompute the demand tables from the Parquet dataset."""
        self._ingestor.refresh()

    # -- analytics --------------------------------------------------------------------------------------------

    def resolve_skill(self, ref: str) -> str:
        """A skill URI from a URI, an ESCO id or a label seen in the postings (NotFoundError otherwise)."""
        return self.analytics.resolve_skill(ref)

    def skill_demand(
        self,
        *,
        month_from: str | None = None,
        month_to: str | None = None,
        region: str | None = None,
        occupation: str | None = None,
        limit: int = 50,
    ) -> list[SkillDemand]:
        """The skills most asked for in the selection, with their share of its postings with text."""
        return self.analytics.skill_demand(
            month_from=month_from, month_to=month_to, region=region, occupation=occupation, limit=limit
        )

    def skill_series(self, uri: str, *, region: str | None = None) -> list[MonthPoint]:
        """Postings asking for a skill per month with text (``total``: postings with text that month)."""
        return self.analytics.skill_series(uri, region=region)

    def occupation_series(self, code: str) -> list[MonthPoint]:
        """Postings per month for an occupation (O*NET-SOC code, ESCO URI or OPM series), text or not."""
        return self.analytics.occupation_series(code)

    def growth(self, uri: str) -> Growth:
        """Quarter-on-quarter and year-on-year change of a skill's share, with 95 % intervals."""
        return self.analytics.growth(uri)

    def emerging(self, limit: int = 20, *, min_support: int = 10, window: int = 3) -> list[Emerging]:
        """Skills whose share rose in the last ``window`` months with text against the months before."""
        return self.analytics.emerging(limit, min_support=min_support, window=window)

    def emerging_report(self, limit: int = 20, *, min_support: int = 10, window: int = 3) -> EmergingReport:
        """:meth:`emerging` with the months, sources and postings it compares, and a note saying so in words."""
        return self.analytics.emerging_report(limit, min_support=min_support, window=window)

    def cooccurring(self, uri: str, limit: int = 20) -> list[Cooccurring]:
        """Skills asked for in the same postings as ``uri``."""
        return self.analytics.cooccurring(uri, limit)

    def coverage(self) -> Coverage:
        """Which months and sources have postings and text, with notes where the data is thin."""
        return self.analytics.coverage()

    def occupation_skills(self, esco_occupation_uri: str, *, limit: int = 30) -> OccupationSkills:
        """Skills postings mapped to an ESCO occupation ask for, next to ESCO's essential skills for it
        (needs ``credstack taxonomy load``)."""
        detail = self._taxonomy.occupation(esco_occupation_uri)
        if not isinstance(detail, OccupationDetail) or detail.kind != "occupation":
            raise InvalidInputError(f"{esco_occupation_uri!r} is not an ESCO occupation")
        uri = detail.uri
        essentials = [(s.uri, s.label or s.uri) for s in detail.essential_skills if s.uri]
        relation = {u: "essential" for u, _ in essentials}
        relation.update({s.uri: "optional" for s in detail.optional_skills if s.uri and s.uri not in relation})
        total = self.analytics.text_total(occupation=uri)
        asked = self.analytics.skill_demand(occupation=uri, limit=limit)
        counts = self.analytics.skill_counts([u for u, _ in essentials], occupation=uri)
        essential = sorted(
            (
                OccupationSkill(u, label, counts.get(u, 0), counts.get(u, 0) / total if total else 0.0, "essential")
                for u, label in essentials
            ),
            key=lambda s: (-s.postings, s.label),
        )  # fmt: skip
        note = ""
        if total == 0:
            note = "no ingested posting with text maps to this occupation"
        elif total < 30:
            note = f"only {total} posting(s) with text map to this occupation: shares are rough"
        return OccupationSkills(
            uri,
            detail.preferred_label,
            total,
            tuple(OccupationSkill(a.uri, a.label, a.postings, a.share, relation.get(a.uri, "")) for a in asked),
            tuple(essential),
            note,
        )
