"""Benchmark: rank 100,000 shared portfolios for one job (target: <= 1 s).

Not a test (figures depend on the machine). A job of 20 required ESCO-like skills (12 essential, 8 optional with half
weight, half-lives of 2.5, 5 or 10 years); each candidate holds 1-8 verified credentials aligned to 1-4 skills drawn
from a pool of 200 (so most evidence is about skills the job does not need and is filtered out first, as the service
does), with levels 1-4, ages 0-12 years and evidence strengths 0.5-1.0 (seed 7). Measured:
``credstack.employer.ranking.rank`` over the packed evidence (``rank_seconds``, median of 5 runs, top 50 explained),
and ``pack_seconds``: turning the raw (candidate, skill URI, level, age, strength) rows into the arrays.

Usage: .venv/bin/python bench/bench_rank_candidates.py [--candidates 100000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

import numpy as np

from credstack.employer.ranking import Evidence, JobSkills, rank


def run(candidates: int) -> dict[str, Any]:
    rng = np.random.default_rng(7)
    pool = [f"http://data.europa.eu/esco/skill/bench-{i}" for i in range(200)]
    job_uris = pool[:20]
    job = JobSkills(
        tuple(job_uris), tuple(f"skill {i}" for i in range(20)), tuple([1.0] * 12 + [0.5] * 8),
        tuple([True] * 12 + [False] * 8), tuple(float(h) for h in rng.choice([2.5, 5.0, 10.0], 20)),
    )  # fmt: skip
    credentials = rng.integers(1, 9, candidates)
    per_credential = rng.integers(1, 5, int(credentials.sum()))
    owner = np.repeat(np.repeat(np.arange(candidates), credentials), per_credential)
    n = len(owner)
    skill = rng.integers(0, len(pool), n)
    level = rng.integers(1, 5, n).astype(np.float64)
    age = rng.uniform(0, 12, n)
    strength = rng.uniform(0.5, 1.0, n)
    start = time.perf_counter()
    index = np.full(len(pool), -1, dtype=np.int64)
    index[: len(job_uris)] = np.arange(len(job_uris))  # skill URI -> job column (the service's dictionary)
    mapped = index[skill]
    keep = mapped >= 0
    evidence = Evidence(owner[keep], mapped[keep], level[keep], age[keep], strength[keep])
    pack = time.perf_counter() - start
    times = []
    for _ in range(5):
        start = time.perf_counter()
        ranked = rank(candidates, job, evidence, top=50)
        times.append(time.perf_counter() - start)
    return {
        "candidates": candidates,
        "job_skills": len(job_uris),
        "evidence_rows": n,
        "evidence_rows_for_the_job": int(keep.sum()),
        "pack_seconds": round(pack, 3),
        "rank_seconds": round(statistics.median(times), 3),
        "rank_max_seconds": round(max(times), 3),
        "top_score": round(ranked[0].score, 4),
        "target_seconds": 1.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    args = parser.parse_args()
    print(json.dumps(run(args.candidates), indent=2))


if __name__ == "__main__":
    main()
