"""Benchmark: job-posting ingestion end to end (target: >= 100 postings/s for ~300-word postings, lexical stage).

Not a test (figures depend on the machine). Postings are real: the NYC Jobs descriptions and USAJOBS questionnaire
texts shipped in ``credstack/market/data``, each cut to its first ``--words`` words (300 by default), written as a
gzipped JSON-lines file. On a fresh SQLite database, ``MarketService.ingest(file)`` is timed end to end: reading and
decompressing, field mapping, exact and near-duplicate detection, title mapping, lexical skill extraction and
linking (``credstack.skills``), the Parquet write and the DuckDB re-aggregation into the demand tables. Building
the linker and title indexes (once per process; the CLI loads them from its cache) is timed apart.

Measured: ``postings_per_s`` (rows read per second, end to end), ``accepted_per_s`` (postings that went through
extraction, per second), ``extract_per_s`` (the per-posting pipeline alone: dedup, title, skills), and with
``--semantic`` ``semantic_per_s``: the semantic stage (all-MiniLM-L6-v2 embeddings of each posting, re-ranking all
ESCO skills; label vectors from the CLI cache) on the same postings, as an extra stage.

Usage: .venv/bin/python bench/bench_market.py [--postings 2000] [--words 300] [--semantic]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from credstack.app import Credstack
from credstack.market.fields import map_row
from credstack.market.pipeline import PostingProcessor
from credstack.market.source import builtin_datasets, read_builtin
from credstack.market.titles import default_title_mapper
from credstack.settings import Settings
from credstack.skills import default_linker

_NYC_TEXT = ("Job Description", "Minimum Qual Requirements", "Preferred Skills")


def _rows(name: str) -> list[dict[str, Any]]:
    dataset = next(d for d in builtin_datasets() if d.name == name)
    return [json.loads(line) for line in read_builtin(dataset).splitlines()]


def postings(count: int, words: int) -> list[dict[str, Any]]:
    """Real postings in the generic field layout, text cut to ``words`` words, alternating the two sources."""
    nyc = [
        {"title": r["Business Title"], "date": r["Posting Date"], "employer": r["Agency"], "location": "New York, NY",
         "source_id": f"nyc-{r['Job ID']}-{i}",
         "text": " ".join(" ".join(r[k] for k in _NYC_TEXT).split()[:words])}
        for i, r in enumerate(_rows("nyc_jobs_2019"))
    ]  # fmt: skip
    usa = [
        {"title": r["title"], "date": r["open_date"], "employer": r["agency"], "source_id": r["id"],
         "text": " ".join(str(r["assessment_text"]).split()[:words])}
        for r in _rows("usajobs_questionnaires_sample")
    ]  # fmt: skip
    mixed = [p for pair in zip(usa, nyc, strict=False) for p in pair] + usa[len(nyc) :]
    return mixed[:count]


def run(count: int = 2000, words: int = 300, semantic: bool = False) -> dict[str, Any]:
    rows = postings(count, words)
    folder = Path(tempfile.mkdtemp(prefix="bench-market-"))
    path = folder / "postings.jsonl.gz"
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode("utf-8")))
    started = time.perf_counter()
    linker, titles = default_linker(), default_title_mapper()
    setup = time.perf_counter() - started

    processor = PostingProcessor(linker, titles)
    mapped = [map_row(r, "generic", "bench", i) for i, r in enumerate(rows, start=1)]
    started = time.perf_counter()
    outcomes = [processor.process(p) for p in mapped]
    extract = time.perf_counter() - started

    with Credstack.from_settings(Settings(database_url=f"sqlite:///{folder / 'bench.db'}")) as cs:
        cs.init_db()
        started = time.perf_counter()
        report = cs.market.ingest(path)
        seconds = time.perf_counter() - started
    figures: dict[str, Any] = {
        "postings": len(rows),
        "words_mean": round(statistics.mean(len(r["text"].split()) for r in rows), 1),
        "accepted": report.accepted,
        "duplicates": report.duplicates,
        "skill_mentions_per_posting": round(report.skill_mentions / max(report.accepted, 1), 1),
        "index_build_seconds": round(setup, 2),
        "ingest_seconds": round(seconds, 2),
        "postings_per_s": round(len(rows) / seconds, 1),
        "accepted_per_s": round(report.accepted / seconds, 1),
        "extract_per_s": round(sum(o.status == "new" for o in outcomes) / extract, 1),
    }
    if semantic:
        from credstack.cli._skills_index import load_semantic

        started = time.perf_counter()
        reranker = load_semantic()
        figures["semantic_load_seconds"] = round(time.perf_counter() - started, 2)
        texts = [f"{r['title']}. {r['text']}" for r in rows]
        started = time.perf_counter()
        for offset in range(0, len(texts), 64):
            reranker.link_many(texts[offset : offset + 64], top=10)
        figures["semantic_per_s"] = round(len(texts) / (time.perf_counter() - started), 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=2000)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--semantic", action="store_true", help="also time the semantic stage (needs the extra)")
    args = parser.parse_args()
    print(json.dumps(run(args.postings, args.words, args.semantic), indent=2))


if __name__ == "__main__":
    main()
