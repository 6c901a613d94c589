"""Planner benchmark: optimality and latency of :func:`credstack.planner.plan` on instances built from the ESCO
taxonomy shipped in the package (read-only). Not a test: figures depend on the machine.

Instances: a target occupation's essential then optional skills (weights 3/1, levels 1-4) are the target; the
catalog is synthetic: each achievement teaches 2-8 skills of one occupation (the target's, one in the same ISCO
group, or any) at levels 1-4, takes 5-120 hours (in half hours), costs 0-2,000 (15% free) and one in four has one
or two prerequisites among earlier achievements of the same occupation. The learner knows some target skills,
holds a few achievements and has a budget half of the time.

Reported:

- ``small``: catalogs of 12-22 achievements focused on the target (60% from its occupation, 30% from its ISCO
  group) with 4-20 candidates after reduction; the optimum is found by exhaustive search over the *unreduced*
  problem (every available achievement), and the optimality gap of CP-SAT and of the greedy fallback is measured
  against it, with the planner's latency;
- ``medium``: 500-2,000 achievements, 40 target skills: share of instances proven optimal, latency;
- ``large``: 10,000 achievements and 40 target skills: latency p50/p95/max (plan() on a prepared Catalog, and cold
  with indexing), CPU time, share proven optimal; ``large_dense`` the same on a catalog five times denser around
  the target (500-2,000 candidates after reduction);
- ``cli``: ``credstack plan --json`` on a 10,000-achievement catalog in a subprocess;
- ``demo_small``, ``demo``: instances from the demo catalog generator (``credstack.catalog.demo``, the entries
  ``credstack catalog seed`` loads) over the real ESCO occupations it covers: a demo occupation's essential skills
  (weight 3, level 3) and optional ones (weight 1, level 2) as the target, at 90% of the weight the catalog can
  reach (what the database planner does when 90% is out of reach), a learner holding a few entries and knowing a
  few skills, a budget half of the time, minimising time or cost. ``demo_small`` keeps instances with at most 20
  candidates and compares CP-SAT and greedy with exhaustive search; ``demo`` runs the demo catalog as seeded
  (373 entries), and catalogs of 2,000 and 10,000 entries made by the same generator with more seeds (new
  providers' prices, effort and groupings of the same skills).

Usage: python bench/bench_planner.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from credstack.planner import Achievement, Catalog, Learner, PlanOptions, Target, TargetSkill, plan
from credstack.planner.exhaustive import MAX_CANDIDATES, exhaustive
from credstack.planner.greedy import greedy, total
from credstack.planner.problem import build_problem
from credstack.planner.units import as_decimal
from credstack.taxonomy import source

#: Share of catalog entries drawn from the target occupation and from occupations in its ISCO group.
FOCUS = (0.04, 0.16)


@dataclass(frozen=True)
class Taxonomy:
    occupation_skills: dict[str, tuple[list[str], list[str]]]  # occupation -> (essential, optional)
    isco: dict[str, str]  # occupation -> ISCO unit group
    by_isco: dict[str, list[str]]


def load_taxonomy() -> Taxonomy:
    essential: dict[str, list[str]] = defaultdict(list)
    optional: dict[str, list[str]] = defaultdict(list)
    for rel in source.read("occupation_skills"):
        (essential if rel.relation_type == "essential" else optional)[rel.occupation_uri].append(rel.skill_uri)
    isco = {o.uri: o.isco_group for o in source.read("occupations")}
    by_isco: dict[str, list[str]] = defaultdict(list)
    for uri, group in isco.items():
        by_isco[group[:3]].append(uri)
    skills = {o: (essential.get(o, []), optional.get(o, [])) for o in isco}
    return Taxonomy(skills, isco, dict(by_isco))


def instance(
    tax: Taxonomy, rng: random.Random, *, size: int, n_target: int, focus: tuple[float, float] = FOCUS
) -> tuple[list[Achievement], Learner, Target]:
    """One planning instance (see the module docstring)."""
    occupations = [o for o, (e, opt) in tax.occupation_skills.items() if len(e) + len(opt) >= n_target and e]
    occupation = rng.choice(occupations)
    essential, optional = tax.occupation_skills[occupation]
    target_uris = (essential + optional)[:n_target]
    target = Target(
        tuple(
            TargetSkill(
                uri, 3.0 if uri in essential else 1.0, rng.randint(2, 4) if uri in essential else rng.randint(1, 3)
            )
            for uri in target_uris
        ),
        coverage=rng.choice([0.7, 0.8, 0.85, 0.9, 0.95]),
    )
    neighbours = [o for o in tax.by_isco.get(tax.isco[occupation][:3], []) if o != occupation] or [occupation]
    everyone = list(tax.occupation_skills)
    catalog: list[Achievement] = []
    by_source: dict[str, list[Achievement]] = defaultdict(list)
    for n in range(size):
        roll = rng.random()
        origin = (
            occupation
            if roll < focus[0]
            else rng.choice(neighbours)
            if roll < focus[0] + focus[1]
            else rng.choice(everyone)
        )
        pool = tax.occupation_skills[origin][0] + tax.occupation_skills[origin][1]
        if len(pool) < 2:
            pool = target_uris
        k = rng.randint(2, min(8, len(pool)))
        skills = {uri: float(rng.randint(1, 4)) for uri in rng.sample(pool, k)}
        depth = sum(skills.values())
        hours = min(120.0, max(5.0, round(depth * rng.uniform(1.5, 5.0) * 2) / 2))
        cost = 0.0 if rng.random() < 0.15 else float(min(2000, round(hours * rng.uniform(2, 25))))
        earlier = by_source[origin]
        prerequisites = ()
        if earlier and rng.random() < 0.25:
            prerequisites = tuple(a.id for a in rng.sample(earlier, min(len(earlier), rng.randint(1, 2))))
        achievement = Achievement(f"a{n:05d}", skills, hours, cost, prerequisites)
        catalog.append(achievement)
        by_source[origin].append(achievement)
    known = {s.uri: float(rng.randint(1, 3)) for s in target.skills if rng.random() < 0.2}
    held = frozenset(a.id for a in rng.sample(catalog, min(3, len(catalog))) if rng.random() < 0.5)
    budget = rng.choice([None, float(rng.randint(1000, 8000))])
    return catalog, Learner(skills=known, held=held, budget=budget), target


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _hours_cost(problem: Any, chosen: tuple[int, ...]) -> tuple[Fraction, Fraction]:
    hours = sum((as_decimal(problem.achievements[i].hours) for i in chosen), Fraction(0))
    cost = sum((as_decimal(problem.achievements[i].cost) for i in chosen), Fraction(0))
    return hours, cost


def bench_small(tax: Taxonomy, rng: random.Random, count: int) -> dict[str, Any]:
    """Instances with <= 20 candidates: CP-SAT and greedy against exhaustive search on the unreduced problem."""
    cp_gaps: list[float] = []
    greedy_gaps: list[float] = []
    latencies: list[float] = []
    greedy_failed = infeasible = tried = 0
    while len(cp_gaps) + infeasible < count:
        tried += 1
        size, n_target = rng.randint(12, MAX_CANDIDATES), rng.randint(6, 12)
        catalog, learner, target = instance(tax, rng, size=size, n_target=n_target, focus=(0.6, 0.3))
        options = PlanOptions(time_limit=5.0)
        full = build_problem(catalog, learner, target, options, reduce=False)
        reduced = build_problem(catalog, learner, target, options)
        if full.size > MAX_CANDIDATES or reduced.size > 20 or reduced.size < 4:
            continue
        if full.covered_weight(full.reachable_mask) < full.need:
            continue
        best = exhaustive(full)
        start = time.perf_counter()
        result = plan(catalog, learner, target, options)
        latencies.append(time.perf_counter() - start)
        if best is None:
            infeasible += 1
            if result.plan is not None:
                raise SystemExit("CP-SAT returned a plan where exhaustive search finds none")
            continue
        optimum, _ = _hours_cost(full, best)
        if result.plan is None or not result.plan.optimal:
            raise SystemExit("CP-SAT found no proven-optimal plan on a small feasible instance")
        cp_gaps.append(float(Fraction(str(result.plan.total_hours)) / optimum - 1) if optimum else 0.0)
        heuristic = greedy(reduced)
        if heuristic is None:
            greedy_failed += 1
        else:
            hours, _ = _hours_cost(reduced, heuristic)
            greedy_gaps.append(float(hours / optimum - 1) if optimum else 0.0)
    return {
        "instances": len(cp_gaps) + infeasible,
        "feasible": len(cp_gaps),
        "cp_sat_max_gap": max(cp_gaps),
        "cp_sat_equal_to_exhaustive": sum(1 for g in cp_gaps if abs(g) < 1e-12) / len(cp_gaps),
        "greedy_mean_gap": statistics.fmean(greedy_gaps),
        "greedy_max_gap": max(greedy_gaps),
        "greedy_optimal_share": sum(1 for g in greedy_gaps if g < 1e-12) / len(greedy_gaps),
        "greedy_found_no_plan": greedy_failed,
        "latency_p50_ms": 1000 * _percentile(latencies, 0.5),
        "latency_p95_ms": 1000 * _percentile(latencies, 0.95),
    }


def bench_sized(
    tax: Taxonomy, rng: random.Random, sizes: list[int], count: int, n_target: int, focus: tuple[float, float] = FOCUS
) -> dict[str, Any]:
    """Per size, over ``count`` instances: plan() on a prepared :class:`Catalog` (the service case: wall and CPU
    time), the same with indexing the list first (cold), the share proven optimal and the reduced size."""
    out: dict[str, Any] = {}
    for size in sizes:
        walls: list[float] = []
        cpus: list[float] = []
        colds: list[float] = []
        optimal = feasible = 0
        candidates: list[int] = []
        reasons: dict[str, int] = {}
        for _ in range(count):
            achievements, learner, target = instance(tax, rng, size=size, n_target=n_target, focus=focus)
            start = time.perf_counter()
            catalog = Catalog.of(achievements)
            indexed = time.perf_counter()
            cpu = time.process_time()
            result = plan(catalog, learner, target)
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - indexed)
            colds.append(time.perf_counter() - start)
            candidates.append(build_problem(catalog, learner, target, PlanOptions()).size)
            if result.plan is not None:
                feasible += 1
                optimal += result.plan.optimal
            elif result.infeasible is not None:
                reasons[result.infeasible.constraint] = reasons.get(result.infeasible.constraint, 0) + 1
        out[str(size)] = {
            "instances": count,
            "feasible": feasible,
            "infeasible_by_binding_constraint": reasons,
            "proven_optimal_share_of_feasible": round(optimal / feasible, 3) if feasible else None,
            "candidates_after_reduction_median": statistics.median(candidates),
            "latency_p50_ms": round(1000 * _percentile(walls, 0.5), 1),
            "latency_p95_ms": round(1000 * _percentile(walls, 0.95), 1),
            "latency_max_ms": round(1000 * max(walls), 1),
            "cpu_p95_ms": round(1000 * _percentile(cpus, 0.95), 1),
            "cold_latency_p95_ms": round(1000 * _percentile(colds, 0.95), 1),
        }
    return out


def bench_cli(tax: Taxonomy, rng: random.Random, size: int) -> dict[str, Any]:
    """``credstack plan --json`` end to end in a subprocess (start-up, JSON parsing, planning) on one instance."""
    import subprocess
    import tempfile
    from pathlib import Path

    achievements, learner, target = instance(tax, rng, size=size, n_target=40)
    with tempfile.TemporaryDirectory() as tmp:
        files = {
            "catalog": [
                {
                    "id": a.id,
                    "skills": dict(a.skills),
                    "hours": a.hours,
                    "cost": a.cost,
                    "prerequisites": list(a.prerequisites),
                }
                for a in achievements
            ],
            "learner": {"skills": dict(learner.skills), "held": sorted(learner.held), "budget": learner.budget},
            "target": {
                "skills": [{"uri": s.uri, "weight": s.weight, "level": s.level} for s in target.skills],
                "coverage": target.coverage,
            },
        }
        args = [sys.executable, "-c", "from credstack.cli import main; main()", "plan", "--json"]
        for name, value in files.items():
            path = Path(tmp) / f"{name}.json"
            path.write_text(json.dumps(value), encoding="utf-8")
            args += [f"--{name}", str(path)]
        start = time.perf_counter()
        done = subprocess.run(args, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    return {"achievements": size, "exit": done.returncode, "seconds": round(seconds, 2)}


def demo_occupations(tax: Taxonomy) -> list[Any]:
    """The demo catalog's occupations (credstack.catalog.demo.DEMO_OCCUPATIONS) from the shipped taxonomy."""
    from credstack.catalog.demo import DEMO_OCCUPATIONS, DemoOccupation

    labels = {s.uri: s.preferred_label for s in source.read("skills")}
    by_label = {o.preferred_label: o for o in source.read("occupations")}
    out = []
    for label in DEMO_OCCUPATIONS:
        occupation = by_label.get(label)
        if occupation is None:
            continue
        essential = sorted(tax.occupation_skills[occupation.uri][0])
        skills = tuple((uri, labels[uri]) for uri in essential if uri in labels)
        if skills:
            out.append(DemoOccupation(occupation.uri, label, occupation.isco_group or "", skills))
    return out


def demo_catalog(occupations: list[Any], size: int) -> list[Achievement]:
    """The demo generator's entries (seed 2026 first, as seeded) until ``size``, as planner achievements: effort
    (or ECTS x 25 hours), price, skills at their target proficiency, achievement prerequisites."""
    from credstack.catalog.demo import generate

    out: list[Achievement] = []
    seed = 2026
    while len(out) < max(size, 1):
        prefix = "" if seed == 2026 else f"s{seed}-"
        for entry in generate(occupations, seed=seed):
            hours = entry.effort_hours if entry.effort_hours is not None else (entry.ects or 0) * 25
            if not hours or entry.price is None or not entry.skills:
                continue
            out.append(
                Achievement(
                    prefix + entry.id,
                    {s.uri: float(s.level) for s in entry.skills},
                    float(hours),
                    float(entry.price),
                    tuple(prefix + p.ref for p in entry.prerequisites if p.kind == "achievement"),
                    language=entry.language,
                    format=entry.delivery_format,
                    provider=entry.provider,
                )
            )
        seed += 1
    return out[:size] if size else out


def demo_instance(
    tax: Taxonomy, occupations: list[Any], catalog: Catalog, rng: random.Random, *, essential_only: bool = False
) -> tuple[Learner, Target, PlanOptions]:
    """A learner and target over a demo catalog (see the module docstring)."""
    occupation = rng.choice(occupations)
    essential, optional = tax.occupation_skills[occupation.uri]
    skills = [TargetSkill(uri, 3.0, 3.0) for uri in essential]
    if not essential_only:
        skills += [TargetSkill(uri, 1.0, 2.0) for uri in optional if uri not in set(essential)]
    own = [a.id for a in catalog.achievements if a.id.startswith(f"demo-{occupations.index(occupation):02d}-")]
    held = frozenset(rng.sample(own, min(len(own), rng.randint(0, 3))))
    known = {s.uri: float(rng.randint(1, 3)) for s in skills if rng.random() < 0.15}
    budget = rng.choice([None, float(rng.randint(1500, 6000))])
    learner = Learner(skills=known, held=held, budget=budget, hours_per_week=float(rng.choice([5, 8, 10, 15])))
    options = PlanOptions(minimize=rng.choice(["time", "cost"]))
    probe = build_problem(catalog, learner, Target(tuple(skills), 0.0), options)
    reachable = Fraction(probe.learner_weight + probe.covered_weight(probe.reachable_mask), probe.total_weight)
    coverage = math.floor(float(reachable) * 0.9 * 1000) / 1000
    return learner, Target(tuple(skills), coverage), options


def bench_demo_small(tax: Taxonomy, occupations: list[Any], rng: random.Random, count: int) -> dict[str, Any]:
    """Demo-catalog instances with at most 20 candidates: CP-SAT and greedy against exhaustive search."""
    catalog = Catalog.of(demo_catalog(occupations, 0))
    cp_gaps: list[float] = []
    greedy_gaps: list[float] = []
    latencies: list[float] = []
    infeasible = tried = 0
    while len(cp_gaps) + infeasible < count and tried < 50 * count:
        tried += 1
        learner, target, options = demo_instance(tax, occupations, catalog, rng, essential_only=True)
        options = PlanOptions(minimize=options.minimize, time_limit=5.0)
        reduced = build_problem(catalog, learner, target, options)
        if not 4 <= reduced.size <= 20:
            continue
        best = exhaustive(reduced)
        start = time.perf_counter()
        result = plan(catalog, learner, target, options)
        latencies.append(time.perf_counter() - start)
        if best is None:
            infeasible += 1
            if result.plan is not None:
                raise SystemExit("the planner returned a plan where exhaustive search finds none")
            continue
        optimum = total(reduced.objective, best)
        if result.plan is None or not result.plan.optimal:
            raise SystemExit("no proven-optimal plan on a small feasible demo instance")
        found = build_problem(catalog, learner, target, options)
        index = {a.id: i for i, a in enumerate(found.achievements)}
        cp_gaps.append(
            total(found.objective, [index[i] for i in result.plan.achievements]) / optimum - 1 if optimum else 0.0
        )
        heuristic = greedy(reduced)
        if heuristic is not None:
            greedy_gaps.append(total(reduced.objective, heuristic) / optimum - 1 if optimum else 0.0)
    return {
        "instances": len(cp_gaps) + infeasible,
        "feasible": len(cp_gaps),
        "tried": tried,
        "cp_sat_max_gap": max(cp_gaps, default=None),
        "greedy_mean_gap": statistics.fmean(greedy_gaps) if greedy_gaps else None,
        "greedy_max_gap": max(greedy_gaps, default=None),
        "greedy_optimal_share": sum(1 for g in greedy_gaps if g < 1e-12) / len(greedy_gaps) if greedy_gaps else None,
        "latency_p95_ms": round(1000 * _percentile(latencies, 0.95), 1) if latencies else None,
    }


def bench_demo(
    tax: Taxonomy, occupations: list[Any], rng: random.Random, sizes: list[int], count: int
) -> dict[str, Any]:
    """Per catalog size (0: the demo catalog as seeded): latency, CPU, share proven optimal, greedy's gap to it."""
    out: dict[str, Any] = {}
    for size in sizes:
        catalog = Catalog.of(demo_catalog(occupations, size))
        walls: list[float] = []
        cpus: list[float] = []
        gaps: list[float] = []
        optimal = feasible = 0
        for _ in range(count):
            learner, target, options = demo_instance(tax, occupations, catalog, rng)
            start, cpu = time.perf_counter(), time.process_time()
            result = plan(catalog, learner, target, options)
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - start)
            if result.plan is None:
                continue
            feasible += 1
            optimal += result.plan.optimal
            if result.plan.optimal:
                quick = plan(catalog, learner, target, PlanOptions(minimize=options.minimize, solver="greedy")).plan
                if quick is not None:
                    key = (lambda p: p.total_hours) if options.minimize == "time" else (lambda p: p.total_cost)
                    best = key(result.plan)
                    gaps.append(key(quick) / best - 1 if best else 0.0)
        out[str(len(catalog))] = {
            "instances": count,
            "feasible": feasible,
            "proven_optimal_share_of_feasible": round(optimal / feasible, 3) if feasible else None,
            "greedy_mean_gap": round(statistics.fmean(gaps), 4) if gaps else None,
            "greedy_max_gap": round(max(gaps), 4) if gaps else None,
            "latency_p50_ms": round(1000 * _percentile(walls, 0.5), 1),
            "latency_p95_ms": round(1000 * _percentile(walls, 0.95), 1),
            "cpu_p95_ms": round(1000 * _percentile(cpus, 0.95), 1),
        }
    return out


def run(quick: bool = False) -> dict[str, Any]:
    """Run every part; ``quick`` uses fewer instances."""
    rng = random.Random(20261122)
    started = time.perf_counter()
    tax = load_taxonomy()
    results: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "taxonomy_load_s": round(time.perf_counter() - started, 2),
    }
    from ortools.sat.python import cp_model  # noqa: F401  (imported on the first solve; not timed)

    results["load_average_before"] = os.getloadavg()
    results["small"] = bench_small(tax, rng, 20 if quick else 100)
    results["medium"] = bench_sized(tax, rng, [500, 1000, 2000], 10 if quick else 60, n_target=40)
    results["large"] = bench_sized(tax, rng, [10_000], 10 if quick else 60, n_target=40)
    # a denser catalog: 15% of it teaches the target occupation's skills, 35% its ISCO group's
    results["large_dense"] = bench_sized(tax, rng, [10_000], 10 if quick else 30, n_target=40, focus=(0.15, 0.35))
    results["cli"] = bench_cli(tax, rng, 10_000)
    occupations = demo_occupations(tax)
    results["demo_small"] = bench_demo_small(tax, occupations, rng, 20 if quick else 100)
    results["demo"] = bench_demo(tax, occupations, rng, [0, 2000, 10_000], 10 if quick else 40)
    results["load_average_after"] = os.getloadavg()
    results["total_s"] = round(time.perf_counter() - started, 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer instances")
    parser.add_argument("--json", action="store_true", help="print the results as JSON only")
    args = parser.parse_args()
    results = run(quick=args.quick)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
