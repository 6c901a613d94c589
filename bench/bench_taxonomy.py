"""Benchmark: load the shipped taxonomy into a fresh SQLite database, then search it.

Not a test (figures depend on the machine). Measured, in this one process:

- ``load_seconds``: ``TaxonomyService.load()`` of every dataset (281,188 rows) into an empty, migrated database;
  ``reload_seconds``: the second, idempotent run (nothing changes);
- ``first_search_ms``: the first skill and the first occupation search, which build the in-memory indexes;
- ``search_p50_ms`` / ``search_p95_ms`` / ``search_max_ms``: warm ``search()`` latency over 200 queries made from
  real ESCO labels, deterministic (seed 7), in five styles in turn: the exact preferred label, an alternative
  label, the preferred label with one typo (two neighbouring letters swapped), with two typos, and with one word
  of three or more dropped; skill and occupation searches alternate (limit 10);
- ``found_in_top5`` (and ``found_in_top5_by_style``): the share of queries whose source concept is among the
  first five results. Exact labels that several concepts share, and dropped words that leave an ambiguous
  phrase, make 100% unreachable by design.

Usage: .venv/bin/python bench/bench_taxonomy.py [--queries 200]
``run()`` returns the figures as a dict (bench/run.py may import it).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from credstack.app import Credstack
from credstack.settings import Settings
from credstack.taxonomy import source


def _typo(text: str, rng: random.Random) -> str:
    """Swap two neighbouring letters inside the longest word (the commonest typing slip)."""
    words = text.split(" ")
    i = max(range(len(words)), key=lambda k: len(words[k]))
    word = words[i]
    if len(word) < 4:
        return text
    j = rng.randrange(1, len(word) - 2)
    words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)


STYLES = ("exact", "alternative", "one_typo", "two_typos", "word_dropped")


def _drop_word(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    if len(words) < 3:
        return text
    del words[rng.randrange(len(words))]
    return " ".join(words)


def queries(n: int, seed: int = 7) -> list[tuple[str, str, str, str]]:
    """n (style, kind, query, expected id) from the shipped data, deterministic for a seed: styles in turn, skill
    and occupation searches alternating."""
    rng = random.Random(seed)
    skills = [(s.key, s.preferred_label, s.alt_labels) for s in source.read("skills")]
    occupations = [(o.key, o.preferred_label, o.alt_labels) for o in source.read("occupations")]
    out = []
    for i in range(n):
        kind, pool = ("skill", skills) if i % 2 == 0 else ("occupation", occupations)
        style = STYLES[(i // 2) % len(STYLES)]
        key, label, alt = rng.choice(pool)
        if style == "alternative" and alt:
            text = rng.choice(alt)
        elif style == "one_typo":
            text = _typo(label, rng)
        elif style == "two_typos":
            text = _typo(_typo(label, rng), rng)
        elif style == "word_dropped":
            text = _drop_word(label, rng)
        else:
            text = label
        out.append((style, kind, text[:200], key))
    return out


def run(n_queries: int = 200) -> dict[str, Any]:
    """Load the taxonomy into a temporary SQLite database and measure load and search; returns the figures."""
    with tempfile.TemporaryDirectory(prefix="credstack-taxonomy-bench-") as tmp:
        app = Credstack.from_settings(Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}"))
        try:
            app.init_db()
            t0 = time.perf_counter()
            report = app.taxonomy.load()
            load_seconds = time.perf_counter() - t0
            t0 = time.perf_counter()
            again = app.taxonomy.load()
            reload_seconds = time.perf_counter() - t0
            if again.changed:
                raise SystemExit("the second load changed something: not idempotent")
            t0 = time.perf_counter()
            app.taxonomy.search("python", kind="skill")
            app.taxonomy.search("welder", kind="occupation")
            first_search_ms = (time.perf_counter() - t0) * 1000
            latencies: list[float] = []
            found: dict[str, list[bool]] = {style: [] for style in STYLES}
            for style, kind, text, expected in queries(n_queries):
                t0 = time.perf_counter()
                hits = app.taxonomy.search(text, kind=kind, limit=10)
                latencies.append((time.perf_counter() - t0) * 1000)
                found[style].append(expected in {h.id for h in hits[:5]})
        finally:
            app.close()
    latencies.sort()
    return {
        "rows_loaded": sum(t.rows for t in report.tables),
        "load_seconds": round(load_seconds, 2),
        "reload_seconds": round(reload_seconds, 3),
        "first_search_ms": round(first_search_ms, 1),
        "queries": n_queries,
        "search_p50_ms": round(statistics.median(latencies), 2),
        "search_p95_ms": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 2),
        "search_max_ms": round(latencies[-1], 2),
        "found_in_top5": round(sum(sum(v) for v in found.values()) / n_queries, 3),
        "found_in_top5_by_style": {style: round(sum(v) / len(v), 3) for style, v in found.items() if v},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(run(args.queries), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
