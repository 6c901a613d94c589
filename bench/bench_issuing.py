"""Issuing-side benchmark: credentials issued per second (one at a time and as a bulk job), status changes and status
list signing, on SQLite and (when reachable) PostgreSQL. Not a test: figures depend on the machine. Prints JSON.

Usage: python bench/bench_issuing.py [--n 200] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from credstack.app import Credstack
from credstack.settings import Settings


@contextmanager
def _databases(pg_admin: str | None) -> Iterator[list[tuple[str, str]]]:
    with tempfile.TemporaryDirectory() as tmp:
        found = [("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}")]
        name = f"credstack_bench_{uuid.uuid4().hex[:8]}"
        admin = None
        if pg_admin:
            try:
                admin = sa.create_engine(pg_admin, isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
                found.append(("postgresql", pg_admin.rsplit("/", 1)[0] + "/" + name))
            except sa.exc.OperationalError:
                admin = None
        try:
            yield found
        finally:
            if admin is not None:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


def _rate(n: int, work: Callable[[int], object]) -> float:
    start = time.perf_counter()
    for i in range(n):
        work(i)
    return n / (time.perf_counter() - start)


def run(n: int, pg_admin: str | None) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, float]] = {}
    with _databases(pg_admin) as databases:
        for label, url in databases:
            app = Credstack.from_settings(Settings(database_url=url, master_secret="bench-secret-0123456789"))
            app.init()
            achievement = app.achievements.create(
                None, name="Bench", description="Benchmark.", criteria_narrative="None.", achievement_type="Badge"
            )
            rows: dict[str, float] = {}
            rows["issue(), eddsa-rdfc-2022, credentials/s"] = _rate(
                n, lambda i: app.issuing.issue(achievement.id, recipient=f"r{i}@example.org")
            )
            rows["issue(), eddsa-jcs-2022, credentials/s"] = _rate(
                n, lambda i: app.issuing.issue(achievement.id, recipient=f"j{i}@example.org", cryptosuite="jcs")
            )
            roster = "recipient,name\n" + "".join(f"b{i}@example.org,B {i}\n" for i in range(n))
            start = time.perf_counter()
            report = app.bulk.run(app.bulk.start(achievement.id, roster))
            rows["bulk job, credentials/s"] = report.issued / (time.perf_counter() - start)
            ids = [c.id for c in app.issuing.list(limit=n)]
            rows["revoke, changes/s"] = _rate(min(n, len(ids)), lambda i: app.status.revoke(ids[i]))
            list_id = app.status.status_of(ids[0]).revocation_list.rsplit("/", 1)[1]
            start = time.perf_counter()
            app.status.status_list_credential(list_id)
            rows["sign a 131,072-entry status list, ms"] = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            app.status.status_list_credential(list_id)
            rows["serve the cached signed list, ms"] = (time.perf_counter() - start) * 1000
            figures[label] = {measure: round(value, 1) for measure, value in rows.items()}
            app.close()
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    print(json.dumps(run(args.n, args.pg), indent=2))
