"""Tables for: Job-market tables: ingestion runs and aggregated skill/occupation demand (issue 4).

The postings themselves live in a Parquet dataset (``CREDSTACK_DATA_DIR``, see docs/market.md); these tables hold
what the app reads: aggregates recomputed with DuckDB after each ingestion, and the record of each run. Empty
strings stand for "unknown" in key columns (an unmapped title, a posting without a location), so that the
composite primary keys stay portable between SQLite and PostgreSQL.

- ``market_demand``: postings asking for a skill, per month x source x skill x O*NET-SOC x ESCO occupation x region;
- ``market_totals``: all postings per month x source x occupation x region (``with_text``: those with text,
  the denominator of skill shares; the others are counted postings without text, e.g. USAJOBS metadata);
- ``market_cooccurrence``: for each skill, the top skills asked for in the same postings;
- ``market_skills`` and ``market_occupations``: labels and totals of what occurs in the aggregates;
- ``market_ingest_runs``: one row per ingestion with its row accounting.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from credstack.storage.models import Base

__all__ = [
    "MarketCooccurrence",
    "MarketDemand",
    "MarketIngestRun",
    "MarketOccupation",
    "MarketSkill",
    "MarketTotal",
]


class MarketDemand(Base):
    """Distinct postings asking for ``skill_uri`` in ``month`` (YYYY-MM), by source, occupation and region."""

    __tablename__ = "market_demand"

    month: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    skill_uri: Mapped[str] = mapped_column(sa.String(200), primary_key=True, index=True)
    soc_code: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    esco_occupation: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    region: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    postings: Mapped[int]


class MarketTotal(Base):
    """Postings per month, source, occupation (O*NET-SOC, ESCO, OPM series) and region."""

    __tablename__ = "market_totals"

    month: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    soc_code: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    esco_occupation: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    opm_series: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    region: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    postings: Mapped[int]
    with_text: Mapped[int]


class MarketCooccurrence(Base):
    """``other_uri`` is asked for in ``postings`` of the postings that ask for ``skill_uri`` (top N per skill)."""

    __tablename__ = "market_cooccurrence"

    skill_uri: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    other_uri: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    postings: Mapped[int]
    rank: Mapped[int]


class MarketSkill(Base):
    """A skill found in the postings: its label, vocabulary (esco|onet) and how many postings ask for it."""

    __tablename__ = "market_skills"

    uri: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    label: Mapped[str] = mapped_column(sa.Text)
    scheme: Mapped[str] = mapped_column(sa.String(8))
    postings: Mapped[int]


class MarketOccupation(Base):
    """An occupation code seen in the postings (``scheme``: onet, esco or opm) with its label and count."""

    __tablename__ = "market_occupations"

    code: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    scheme: Mapped[str] = mapped_column(sa.String(8))
    label: Mapped[str] = mapped_column(sa.Text)
    postings: Mapped[int]


class MarketIngestRun(Base):
    """One ingestion: where from, and its accounting (accepted + duplicates + rejected == rows_read)."""

    __tablename__ = "market_ingest_runs"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(sa.String(60))
    file_name: Mapped[str] = mapped_column(sa.Text)
    started_at: Mapped[datetime]
    rows_read: Mapped[int]
    accepted: Mapped[int]
    duplicates: Mapped[int]
    near_duplicates: Mapped[int]
    rejected: Mapped[int]
    titles_mapped: Mapped[int]
    with_skills: Mapped[int]
    seconds: Mapped[float]
