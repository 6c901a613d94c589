"""The postings dataset: Parquet files partitioned by month, read back with DuckDB.

Layout under the data directory (``CREDSTACK_DATA_DIR``; docs/market.md)::

    postings/month=2025-08/part-<run>-<n>.parquet        one row per accepted posting
    posting_skills/month=2025-08/part-<run>-<n>.parquet  one row per (posting, skill)

Hive-style ``month=`` directories are what DuckDB, Spark, Trino and Athena read as a partition column, so the same
files serve a bigger engine unchanged. Files are written to a temporary name and renamed, so a reader never sees a
half-written file; an ingestion that fails writes nothing.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from credstack.market.dedup import NUM_PERM
from credstack.market.pipeline import Outcome

__all__ = ["POSTINGS_SCHEMA", "SKILLS_SCHEMA", "Aggregates", "PostingStore"]

POSTINGS_SCHEMA = pa.schema(
    [
        ("posting_id", pa.string()),
        ("source", pa.string()),
        ("source_id", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("date", pa.string()),
        ("location", pa.string()),
        ("region", pa.string()),
        ("employer", pa.string()),
        ("soc_code", pa.string()),
        ("soc_title", pa.string()),
        ("esco_occupation", pa.string()),
        ("esco_label", pa.string()),
        ("title_score", pa.float32()),
        ("opm_series", pa.string()),
        ("opm_label", pa.string()),
        ("has_text", pa.bool_()),
        ("skills", pa.int32()),
        ("minhash", pa.binary()),
        ("run", pa.string()),
        ("line", pa.int64()),
    ]
)
SKILLS_SCHEMA = pa.schema(
    [
        ("posting_id", pa.string()),
        ("skill_uri", pa.string()),
        ("label", pa.string()),
        ("scheme", pa.string()),
        ("score", pa.float32()),
    ]
)


@dataclass(frozen=True)
class Aggregates:
    """Rows for the market tables, computed over the whole dataset."""

    demand: list[dict[str, Any]]
    totals: list[dict[str, Any]]
    cooccurrence: list[dict[str, Any]]
    skills: list[dict[str, Any]]
    occupations: list[dict[str, Any]]


def _posting_row(o: Outcome, run: str) -> dict[str, Any]:
    p, t = o.posting, o.title
    return {
        "posting_id": o.key,
        "source": p.source,
        "source_id": p.source_id,
        "title": p.title,
        "text": p.text,
        "date": p.date,
        "location": p.location,
        "region": o.region,
        "employer": p.employer,
        "soc_code": t.soc_code if t else "",
        "soc_title": t.soc_title if t else "",
        "esco_occupation": t.esco_uri if t else "",
        "esco_label": t.esco_label if t else "",
        "title_score": t.score if t else 0.0,
        "opm_series": p.occupation_series[0] if p.occupation_series else "",
        "opm_label": p.series_label,
        "has_text": p.has_text,
        "skills": len(o.skills),
        "minhash": o.signature.tobytes() if o.signature is not None else None,
        "run": run,
        "line": p.line,
    }


class PostingStore:
    """The Parquet dataset under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.postings = root / "postings"
        self.skills = root / "posting_skills"

    def _glob(self, folder: Path) -> str | None:
        if not any(folder.glob("month=*/*.parquet")):
            return None
        return str(folder / "month=*" / "*.parquet")

    def _connect(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(":memory:")
        con.execute("SET threads TO 2")
        return con

    def existing(self) -> tuple[list[str], list[tuple[NDArray[np.uint32], str]]]:
        """Keys, and MinHash signatures with titles, of every stored posting (to deduplicate against)."""
        pattern = self._glob(self.postings)
        if pattern is None:
            return [], []
        with self._connect() as con:
            query = f"SELECT posting_id, minhash, title FROM {_scan(pattern)}"  # noqa: S608 - quoted path
            rows = con.execute(query).fetchall()
        keys = [r[0] for r in rows]
        sigs = [
            (np.frombuffer(r[1], dtype=np.uint32), r[2] or "")
            for r in rows
            if r[1] is not None and len(r[1]) == NUM_PERM * 4
        ]
        return keys, sigs

    def write(self, outcomes: Sequence[Outcome], run: str, *, staged: bool = False) -> list[str]:
        """Write the accepted postings and their skills, one file per month; returns the months written.

        ``staged``: into ``.staging-<run>/`` instead, invisible to readers until :meth:`publish` moves them in
        (so a long ingestion can flush in chunks and still publish all or nothing)."""
        by_month: dict[str, list[Outcome]] = defaultdict(list)
        for o in outcomes:
            by_month[o.posting.month].append(o)
        part = uuid.uuid4().hex[:8]
        base = self.root / f".staging-{run}" if staged else self.root
        for month, items in sorted(by_month.items()):
            postings = pa.Table.from_pylist([_posting_row(o, run) for o in items], schema=POSTINGS_SCHEMA)
            skills = pa.Table.from_pylist(
                [
                    {"posting_id": o.key, "skill_uri": s.uri, "label": s.label, "scheme": s.scheme, "score": s.score}
                    for o in items
                    for s in o.skills
                ],
                schema=SKILLS_SCHEMA,
            )
            name = f"part-{run}-{part}.parquet"
            self._write(base / self.postings.name / f"month={month}" / name, postings)
            self._write(base / self.skills.name / f"month={month}" / name, skills)
        return sorted(by_month)

    def publish(self, run: str) -> None:
        """Move the staged files of ``run`` into the dataset (each file appears whole)."""
        staging = self.root / f".staging-{run}"
        if not staging.is_dir():
            return
        for path in sorted(staging.rglob("*.parquet")):
            target = self.root / path.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
        self.discard(run)

    def discard(self, run: str) -> None:
        """Forget the staged files of ``run`` (a failed ingestion)."""
        shutil.rmtree(self.root / f".staging-{run}", ignore_errors=True)

    @staticmethod
    def _write(path: Path, table: pa.Table) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)

    def aggregates(self, *, top_n: int = 20) -> Aggregates:
        """The demand tables, recomputed with DuckDB over every file of the dataset."""
        postings = self._glob(self.postings)
        if postings is None:
            return Aggregates([], [], [], [], [])
        skills = self._glob(self.skills)
        with self._connect() as con:
            con.execute(f"CREATE TEMP VIEW p AS SELECT * FROM {_scan(postings)}")  # noqa: S608 - quoted path
            if skills is None:
                con.execute(
                    "CREATE TEMP TABLE s (posting_id VARCHAR, skill_uri VARCHAR, label VARCHAR, scheme VARCHAR, "
                    "score FLOAT, month VARCHAR)"
                )
            else:
                con.execute(f"CREATE TEMP VIEW s AS SELECT * FROM {_scan(skills)}")  # noqa: S608 - quoted path
            totals = _dicts(
                con,
                """SELECT CAST(month AS VARCHAR) AS month, source, soc_code, esco_occupation, opm_series, region,
                          count(*) AS postings, CAST(sum(CASE WHEN has_text THEN 1 ELSE 0 END) AS INTEGER) AS with_text
                   FROM p GROUP BY ALL""",
            )
            demand = _dicts(
                con,
                """SELECT CAST(p.month AS VARCHAR) AS month, p.source, s.skill_uri, p.soc_code, p.esco_occupation,
                          p.region, count(DISTINCT p.posting_id) AS postings
                   FROM s JOIN p USING (posting_id) GROUP BY ALL""",
            )
            skill_rows = _dicts(
                con,
                """SELECT skill_uri AS uri, min(label) AS label, min(scheme) AS scheme,
                          count(DISTINCT posting_id) AS postings
                   FROM s GROUP BY skill_uri""",
            )
            cooccurrence = _dicts(con, _COOCCURRENCE.format(where="", top_n=int(top_n)))
            occupations = _dicts(
                con,
                """SELECT soc_code AS code, 'onet' AS scheme, min(soc_title) AS label, count(*) AS postings
                   FROM p WHERE soc_code <> '' GROUP BY soc_code
                   UNION ALL
                   SELECT esco_occupation, 'esco', min(esco_label), count(*)
                   FROM p WHERE esco_occupation <> '' GROUP BY esco_occupation
                   UNION ALL
                   SELECT opm_series, 'opm', max(opm_label), count(*)
                   FROM p WHERE opm_series <> '' GROUP BY opm_series""",
            )
        return Aggregates(demand, totals, cooccurrence, skill_rows, occupations)

    def cooccurrence(self, uris: Sequence[str], *, top_n: int = 20) -> list[dict[str, Any]]:
        """The top ``top_n`` co-occurring skills of each of ``uris``, over the whole dataset."""
        skills = self._glob(self.skills)
        if skills is None or not uris:
            return []
        with self._connect() as con:
            con.execute(f"CREATE TEMP VIEW s AS SELECT * FROM {_scan(skills)}")  # noqa: S608 - quoted path
            con.execute("CREATE TEMP TABLE wanted (uri VARCHAR)")
            con.executemany("INSERT INTO wanted VALUES (?)", [[u] for u in uris])
            query = _COOCCURRENCE.format(where="WHERE a.skill_uri IN (SELECT uri FROM wanted)", top_n=int(top_n))
            return _dicts(con, query)

    def count(self) -> int:
        """Postings stored."""
        pattern = self._glob(self.postings)
        if pattern is None:
            return 0
        with self._connect() as con:
            found = con.execute(f"SELECT count(*) FROM {_scan(pattern)}").fetchone()  # noqa: S608 - quoted path
        return int(found[0]) if found else 0

    def files(self) -> frozenset[str]:
        """The dataset's posting files (what a cached deduplication state was built from)."""
        return frozenset(str(p.relative_to(self.root)) for p in self.postings.glob("month=*/*.parquet"))

    def sql(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run DuckDB SQL with views ``postings`` and ``posting_skills`` over the dataset (``month`` included)."""
        with self._connect() as con:
            for name, folder, schema in (
                ("postings", self.postings, POSTINGS_SCHEMA),
                ("posting_skills", self.skills, SKILLS_SCHEMA),
            ):
                pattern = self._glob(folder)
                if pattern is not None:
                    con.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM {_scan(pattern)}")  # noqa: S608
                else:  # an empty dataset still answers queries (with no rows)
                    con.register(name, schema.append(pa.field("month", pa.string())).empty_table())
            return list(con.execute(query, list(params)).fetchall())


_COOCCURRENCE = """
    WITH pairs AS (
        SELECT a.skill_uri, b.skill_uri AS other_uri, count(*) AS postings
        FROM s a JOIN s b ON a.posting_id = b.posting_id AND a.skill_uri <> b.skill_uri
        {where}
        GROUP BY ALL)
    SELECT skill_uri, other_uri, postings,
           CAST(row_number() OVER (PARTITION BY skill_uri ORDER BY postings DESC, other_uri) AS INTEGER) AS rank
    FROM pairs QUALIFY rank <= {top_n}"""


def _scan(pattern: str) -> str:
    """``read_parquet`` of a glob, as SQL (views cannot take parameters; the path is quoted)."""
    quoted = "'" + pattern.replace("'", "''") + "'"
    return f"read_parquet({quoted}, hive_partitioning = true, union_by_name = true)"


def _dicts(con: duckdb.DuckDBPyConnection, query: str) -> list[dict[str, Any]]:
    cursor = con.execute(query)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
