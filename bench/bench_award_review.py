"""Benchmark: re-checking pathway awards (the review sweep) on SQLite.

Not a test (figures depend on the machine). In one process, a fresh SQLite database: a two-unit stack awarded to
``--learners`` learners (each unit a signed eddsa-rdfc-2022 credential; ``--expiring`` percent of the learners hold a
unit valid for 30 days only), then measured:

- ``list_ms_without_the_pass``: the listing alone (``sweep=False``), for comparison;
- ``list_ms_nothing_expired``: ``cs.pathways.awards.list()`` (what ``GET /api/awards`` and the pages call) while no
  component has expired: the cheap pass reads the stored components' ``validUntil`` and verifies nothing;
- ``list_seconds_first_expired``: the same read 31 days later, which re-checks (verifies the credentials of) and
  flags the awards resting on an expired unit;
- ``list_ms_after``: the read again (idempotent: nothing left to re-check);
- ``sweep_seconds``: ``credstack pathway review`` (every award re-checked, each learner's credentials verified once).

Usage: .venv/bin/python bench/bench_award_review.py [--learners 200] [--expiring 10]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from credstack.app import Credstack
from credstack.catalog.model import CatalogEntry
from credstack.settings import Settings


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def run(learners: int = 200, expiring: int = 10) -> dict[str, Any]:
    clock = _Clock()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{Path(folder) / 'bench.db'}", base_url="https://bench.example")
        cs = Credstack.from_settings(settings, clock=clock)
        try:
            cs.init("Bench University")
            entries = [
                CatalogEntry(
                    id=f"u{i}", source="local", name=f"Unit {i}", description=f"Unit {i}.", provider="Bench", ects=5
                )
                for i in (1, 2)
            ]
            cs.catalog.replace_source("local", entries)
            units = [cs.catalog.publish(e.id).id for e in entries]
            cs.pathways.create(
                {
                    "id": "stack",
                    "name": "Two units",
                    "requirement": {
                        "type": "all-of",
                        "requirements": [{"type": "achievement", "achievementId": e.id} for e in entries],
                    },
                }
            )
            short = max(1, learners * expiring // 100)
            for n in range(learners):
                learner = f"learner{n}@example.org"
                until = clock.now + timedelta(days=30) if n < short else None
                cs.issuing.issue(units[0], recipient=learner, valid_until=until)
                cs.issuing.issue(units[1], recipient=learner)
            assert len(cs.pathways.awards.list(sweep=False)) == learners

            started = time.perf_counter()
            cs.pathways.awards.list(sweep=False)
            bare_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            cs.pathways.awards.list()
            quiet_ms = (time.perf_counter() - started) * 1000
            clock.now += timedelta(days=31)
            started = time.perf_counter()
            flagged = len(cs.pathways.awards.list(status="review"))
            first_seconds = time.perf_counter() - started
            started = time.perf_counter()
            cs.pathways.awards.list()
            after_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            report = cs.pathways.sweep()
            sweep_seconds = time.perf_counter() - started
            assert flagged == short and report.checked == learners and report.flagged == ()
        finally:
            cs.close()
    return {
        "learners": learners,
        "awards_flagged": flagged,
        "list_ms_without_the_pass": round(bare_ms, 1),
        "list_ms_nothing_expired": round(quiet_ms, 1),
        "list_seconds_first_expired": round(first_seconds, 2),
        "list_ms_after": round(after_ms, 1),
        "sweep_seconds": round(sweep_seconds, 2),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--expiring", type=int, default=10, help="percent of learners with an expiring unit")
    args = parser.parse_args()
    print(json.dumps(run(args.learners, args.expiring), indent=2))


if __name__ == "__main__":
    main()
