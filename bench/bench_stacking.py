"""Stacking benchmark: progress for 100,000 learners against one 20-node pathway (not a timed test).

The pathway (``catalog_and_pathway()``) has 20 requirement nodes: a nested foundation qualification, a core with a
result threshold, prerequisites and a recency rule, 3-of-6 electives, an alignment node, two credits nodes (level
and skill-area filters) and an articulation rule for a partner's credential. Learners hold 0-20 credentials drawn
from a 40-achievement catalog (popular achievements more often; 12% of learners well along the pathway; about 8 on
average), 3% of them revoked/suspended/expired, some from a partner issuer, some older than the recency window,
random exam scores.

``run()`` times ``Evaluator.progress`` over every learner in one process (satisfied, percent, credits, components,
ignored credentials; the per-node reasons are worked out when ``Progress.nodes`` is first read: timed on a 2,000
learner sample and scaled) and ``Evaluator.status`` (the summary fast path). CPU seconds are reported too, since
wall time suffers when the machine is shared. ``run_plans()`` checks the cheapest-remaining search on random trees
(how often it proves optimality, and how far the greedy answer alone is from the optimum).

Usage: python bench/bench_stacking.py [--learners 100000] [--processes 2] [--plans 300]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from credstack.errors import InvalidQualificationError
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
    cheapest_remaining,
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


def random_tree(rng: random.Random, depth: int = 0) -> Any:
    """A random requirement tree over the bench catalog (for plan quality)."""
    if depth >= 2 or rng.random() < 0.3:
        roll = rng.random()
        if roll < 0.6:
            return RequireAchievement(aid(rng.randrange(N_ACHIEVEMENTS)))
        if roll < 0.8:
            return RequireAlignment(f"http://data.europa.eu/esco/skill/s{rng.randrange(12)}")
        return MinCredits(rng.choice([10, 20, 30]), CreditFilter(min_level=rng.choice([3, 5])))
    children = tuple(random_tree(rng, depth + 1) for _ in range(rng.randint(2, 5)))
    if rng.random() < 0.5:
        return AllOf(children)
    return NOf(rng.randint(1, len(children)), children)


def run_plans(instances: int = 200, seed: int = 11) -> dict[str, Any]:
    """Cheapest remaining set on random trees: how often the search proves optimality, and how far the greedy
    answer alone (``max_evaluations=1``) is from the proven optimum."""
    rng = random.Random(seed)
    catalog, _ = catalog_and_pathway()
    population = learners(instances, seed)
    exact = gaps = solved = by_cp_sat = 0
    worst = 0.0
    started = time.perf_counter()
    for facts in population:
        qualification = Qualification("random", "Random", random_tree(rng))
        try:
            evaluator = Evaluator(qualification, catalog)
        except InvalidQualificationError:  # an unsatisfiable random tree: skip it
            continue
        plan = cheapest_remaining(evaluator, facts, at=AT)
        if not plan.feasible or not plan.achievement_ids:
            continue
        solved += 1
        if plan.exact:
            exact += 1
            by_cp_sat += "CP-SAT" in plan.reason
            greedy = cheapest_remaining(evaluator, facts, at=AT, max_evaluations=1, cp_sat=False)
            if greedy.total > plan.total + 1e-9:
                gaps += 1
                worst = max(worst, greedy.total / plan.total - 1)
    return {
        "instances_with_work_left": solved,
        "proven_optimal": exact,
        "proven_by_cp_sat": by_cp_sat,
        "greedy_worse_than_optimal": gaps,
        "greedy_worst_gap_percent": round(100 * worst, 1),
        "seconds": round(time.perf_counter() - started, 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=0, help="also time the progress split over N processes")
    parser.add_argument("--plans", type=int, default=0, help="also check plan quality on N random trees")
    options = parser.parse_args()
    figures = run(options.learners)
    if options.processes > 1:
        figures["parallel"] = run_parallel(options.learners, options.processes)
    if options.plans:
        figures["plans"] = run_plans(options.plans)
    print(json.dumps(figures, indent=2))
