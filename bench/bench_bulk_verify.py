"""Benchmark: bulk verification of 10,000 credentials from one zip (target: <= 10 s on 2 cores).

Not a test (figures depend on the machine). Setup (not timed): a fresh SQLite database, 200 credentials issued by
the issuing service (each with its revocation and suspension entries in this server's status lists; 1 in 50
revoked), then the rest up to ``--n`` signed by the same issuer key (eddsa-rdfc-2022) from those templates with a
new id and recipient each, so every credential is a distinct document with real status entries; one in 100 is
tampered after signing. All of them are zipped (deflate), as an employer would upload them.

Measured, through ``cs.employer.batches`` exactly as the page and the API call it:

- ``read_seconds``: reading the zip (limits checked) and recording the job;
- ``verify_store_seconds``: verifying every credential (full report: shape, contexts, terms, proof, issuer key,
  validity, status) on the process pool, storing every result;
- ``total_seconds`` and ``credentials_per_s``; ``report_csv_seconds`` for the CSV download;
- ``load_average_1min`` (other work on the machine stretches the wall time). The first batch also pays for starting
  the fork server the workers come from (about a second), as a freshly started server would;
- ``verified`` / ``not_verified`` (expected: the tampered and revoked ones fail).

Usage: .venv/bin/python bench/bench_bulk_verify.py [--n 10000] [--workers N]
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import io
import json
import os
import tempfile
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

from credstack.app import Credstack
from credstack.proofs.data_integrity import sign
from credstack.settings import Settings


def identity_hash(identifier: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((identifier + salt).encode()).hexdigest()


def _credentials(cs: Credstack, n: int) -> tuple[list[bytes], int]:
    achievement = cs.achievements.create(
        None,
        name="Bench skill",
        description="Benchmark.",
        criteria_narrative="Pass the proctored exam.",
        achievement_type="MicroCredential",
    )
    templates = [cs.issuing.issue(achievement.id, recipient=f"t{i}@example.org").credential for i in range(200)]
    for template in templates[::50]:
        cs.status.revoke(template["id"])
    signing = cs.issuers.signing_key(cs.issuers.default().id)
    out = [json.dumps(t).encode() for t in templates]
    for i in range(len(templates), n):
        document = copy.deepcopy(templates[i % len(templates)])
        document.pop("proof")
        document["id"] = f"urn:uuid:{uuid.uuid4()}"
        document["credentialSubject"]["identifier"][0]["identityHash"] = identity_hash(f"bench{i}@example.org", "s")
        signed = sign(document, key=signing.key, verification_method=signing.verification_method)
        out.append(json.dumps(signed).encode())
    tampered = 0
    for i in range(7, n, 100):
        doc: dict[str, Any] = json.loads(out[i])
        doc["name"] = "Tampered"
        out[i] = json.dumps(doc).encode()
        tampered += 1
    return out, tampered


def run(n: int, workers: int | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}", master_secret="bench-secret-0123456789")
        with Credstack.from_settings(settings) as cs:
            cs.init()
            files, tampered = _credentials(cs, n)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for i, data in enumerate(files):
                    archive.writestr(f"credentials/{i:05d}.json", data)
            upload = buffer.getvalue()
            batches = cs.employer.batches
            if workers is not None:
                batches.workers = workers
            start = time.perf_counter()
            record = batches.start("bench", "bench.zip", upload)
            read = time.perf_counter() - start
            done = batches.run(record.id)
            total = time.perf_counter() - start
            start = time.perf_counter()
            batches.report_csv(record.id, "bench")
            csv_seconds = time.perf_counter() - start
    return {
        "n": n,
        "workers": batches.workers,
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "zip_bytes": len(upload),
        "read_seconds": round(read, 3),
        "verify_store_seconds": round(total - read, 3),
        "total_seconds": round(total, 3),
        "credentials_per_s": round(n / total, 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "report_csv_seconds": round(csv_seconds, 3),
        "verified": done.verified,
        "not_verified": done.not_verified,
        "tampered": tampered,
        "target_seconds": 10.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    print(json.dumps(run(args.n, args.workers), indent=2))


if __name__ == "__main__":
    main()
