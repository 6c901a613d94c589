"""Stacking benchmark: progress for 100,000 learners against one 20-node pathway (not a timed test).

The pathway (``pathway()``) has 20 requirement nodes: a nested foundation qualification, a core with a result
threshold, prerequisites and a recency rule, 3-of-6 electives, an alignment node, two credits nodes (level and
skill-area filters) and an articulation rule for a partner's credential. Learners hold 0-14 credentials drawn from
a 40-achievement catalog (popular achievements more often), 3% of them revoked/suspended/expired, some from a
partner issuer, some older than the recency window, random exam scores.

``run()`` times ``Evaluator.progress`` (full per-node progress with reasons) over every learner, one process, and
``Evaluator.status`` (the summary fast path); CPU seconds are reported too, since wall time suffers when the machine
is shared. Usage: python bench/bench_stacking.py [--learners 100000] [--processes 2]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from credstack.stacking import (
    AchievementInfo,
    AllOf,
    Articulation,
    Catalog,
    CredentialFact,
    CreditFilter,
    Evaluator,
    MinCredits,
    NOf,
    Prerequisite,
    Qualification,
    RequireAchievement,
    RequireAlignment,
    RequireQualification,
    ResultFact,
    ResultSpec,
    ResultThreshold,
)

PROVIDER = "did:web:learn.example"
PARTNER = "did:web:partner.example"
AT = datetime(2026, 11, 1, tzinfo=UTC)
N_ACHIEVEMENTS = 40


def aid(i: int) -> str:
    return f"https://learn.example/achievements/{i}"


def catalog_and_pathway() -> tuple[Catalog, Qualification]:
    infos = [
        AchievementInfo(
            aid(i),
            name=f"Unit {i}",
            issuer_id=PROVIDER,
            credits=float(5 + (i % 3) * 5),
            level=3 + i % 4,
            alignments=frozenset({f"http://data.europa.eu/esco/skill/s{i % 12}"}),
            skill_areas=frozenset({f"area-{i % 5}"}),
            tags=frozenset({"data"} if i % 2 else {"business"}),
            price=100.0 + 25 * (i % 7),
            hours=10.0 + 5 * (i % 5),
            results=(ResultSpec(f"{aid(i)}#exam", "Final exam", 0, 100),),
        )
        for i in range(N_ACHIEVEMENTS)
    ]
    infos.append(AchievementInfo(f"{aid(0)}-foundation", name="Foundation", issuer_id=PROVIDER))
    foundation = Qualification(
        "foundation",
        "Data foundation",
        AllOf((RequireAchievement(aid(0)), RequireAchievement(aid(1)), RequireAchievement(aid(2)))),
        achievement_id=f"{aid(0)}-foundation",
    )
    pathway = Qualification(
        "data-analyst",
        "Data analyst",
        AllOf(
            (
                RequireQualification("foundation", label="foundation"),
                AllOf(
                    (
                        RequireAchievement(aid(3), threshold=ResultThreshold("Final exam", 70)),
                        RequireAchievement(aid(4), issuers=frozenset({PARTNER})),
                        RequireAchievement(aid(5), within_years=5),
                    ),
                    label="core",
                ),
                NOf(3, tuple(RequireAchievement(aid(i)) for i in range(6, 12)), label="electives"),
                RequireAlignment("http://data.europa.eu/esco/skill/s7"),
                MinCredits(40, CreditFilter(min_level=5), id="advanced", label="advanced credits"),
                MinCredits(15, CreditFilter(skill_areas=frozenset({"area-2"})), within_years=6),
            )
        ),
        credits=90,
        prerequisites=(Prerequisite(aid(3), aid(5)),),
        articulations=(Articulation("https://partner.example/a/sql", PARTNER, credits=10, toward="advanced"),),
    )
    return Catalog.of(infos, [foundation, pathway]), pathway


def learners(n: int, seed: int = 7) -> list[list[CredentialFact]]:
    """``n`` learners with realistic holdings (skewed toward the first units, a few bad states)."""
    rng = random.Random(seed)
    weights = [1.0 / (1 + i / 12) for i in range(N_ACHIEVEMENTS)]
    out = []
    serial = 0
    for _ in range(n):
        count = min(20, int(rng.expovariate(1 / 9)))
        held = set(rng.choices(range(N_ACHIEVEMENTS), weights=weights, k=count))
        if rng.random() < 0.12:  # learners well along the pathway
            held |= set(range(12)) | set(rng.sample(range(12, N_ACHIEVEMENTS), 6))
        facts = []
        for i in sorted(held):
            serial += 1
            roll = rng.random()
            state = "verified" if roll > 0.03 else rng.choice(("revoked", "suspended", "expired"))
            issuer = PARTNER if i == 4 and rng.random() < 0.5 else PROVIDER
            facts.append(
                CredentialFact(
                    credential_id=f"urn:uuid:{serial:012d}",
                    achievement_id=aid(i),
                    issuer_id=issuer,
                    earned=AT - timedelta(days=rng.randint(10, 9 * 365)),
                    credits=float(5 + (i % 3) * 5),
                    level=3 + i % 4,
                    alignments=frozenset({f"http://data.europa.eu/esco/skill/s{i % 12}"}),
                    skill_areas=frozenset({f"area-{i % 5}"}),
                    results=(ResultFact(f"{aid(i)}#exam", str(rng.randint(40, 100)), "Final exam"),),
                    state=state,
                )
            )
        if rng.random() < 0.1:
            serial += 1
            facts.append(
                CredentialFact(
                    f"urn:uuid:{serial:012d}", "https://partner.example/a/sql", PARTNER, AT - timedelta(days=400), 10
                )
            )
        out.append(facts)
    return out


def _shard(args: tuple[int, int]) -> tuple[int, float]:
    """Evaluate one share of the learners in a worker process: (satisfied, seconds)."""
    n, seed = args
    catalog, pathway = catalog_and_pathway()
    evaluator = Evaluator(pathway, catalog)
    population = learners(n, seed)
    started = time.perf_counter()
    satisfied = sum(1 for facts in population if evaluator.progress(facts, at=AT).satisfied)
    return satisfied, time.perf_counter() - started


def run_parallel(n: int = 100_000, processes: int = 2) -> dict[str, Any]:
    """The same progress computation split over ``processes`` worker processes (each generates its own share)."""
    shares = [(n // processes + (1 if i < n % processes else 0), 100 + i) for i in range(processes)]
    with ProcessPoolExecutor(processes) as pool:
        results = list(pool.map(_shard, shares))
    seconds = max(s for _, s in results)
    return {
        "processes": processes,
        "progress_seconds": round(seconds, 2),
        "progress_learners_per_second": round(n / seconds),
    }


def run(n: int = 100_000) -> dict[str, Any]:
    """Generate ``n`` learners, time full progress and the summary path; return the figures."""
    catalog, pathway = catalog_and_pathway()
    started = time.perf_counter()
    evaluator = Evaluator(pathway, catalog)
    compile_seconds = time.perf_counter() - started
    population = learners(n)
    holdings = sum(len(facts) for facts in population)
    started, cpu = time.perf_counter(), time.process_time()
    satisfied = 0
    for facts in population:
        if evaluator.progress(facts, at=AT).satisfied:
            satisfied += 1
    progress_seconds = time.perf_counter() - started
    progress_cpu = time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    for facts in population:
        evaluator.status(facts, at=AT)
    status_seconds = time.perf_counter() - started
    status_cpu = time.process_time() - cpu
    sample = population[:2000]
    cpu = time.process_time()
    for facts in sample:
        _ = evaluator.progress(facts, at=AT).nodes
    explained_cpu = (time.process_time() - cpu) * n / len(sample)
    return {
        "learners": n,
        "nodes": len(evaluator.nodes),
        "credentials_held": holdings,
        "satisfied": satisfied,
        "compile_seconds": round(compile_seconds, 4),
        "progress_seconds": round(progress_seconds, 2),
        "progress_cpu_seconds": round(progress_cpu, 2),
        "progress_learners_per_second": round(n / progress_seconds),
        "with_node_reasons_cpu_seconds_estimated": round(explained_cpu, 2),
        "status_seconds": round(status_seconds, 2),
        "status_cpu_seconds": round(status_cpu, 2),
        "status_learners_per_second": round(n / status_seconds),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=0, help="also time the progress split over N processes")
    options = parser.parse_args()
    figures = run(options.learners)
    if options.processes > 1:
        figures["parallel"] = run_parallel(options.learners, options.processes)
    print(json.dumps(figures, indent=2))
