"""Benchmark: signing and verifying credentials (part of ``make bench``). Prints the figures as JSON.

Not a test: figures depend on the machine. What is measured, on distinct credentials (different ids, subjects and
names, so no whole-document caching can help) shaped like the 1EdTech OB 3.0 implementation guide credential:

- eddsa-rdfc-2022 signing and proof verification, single process (= per core);
- the full verifier (every named check: shape, contexts, terms, proof, issuer key, validity, status), per core;
- ``credstack verify DIR`` over 2,000 signed files end to end (process start-up included), against
  ``crosscheck verify`` (the Digital Bazaar reference stack) over the same files.

Usage: python bench/bench_credentials.py [--n 2000] [--skip-crosscheck]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CROSSCHECK = ROOT.parent / "shared" / "tools" / "crosscheck" / "crosscheck"

GIVEN = ["Ada", "Grace", "Alan", "Katherine", "Edsger", "Barbara", "Dorothy", "Tim", "Zoë", "Łukasz"]
SKILLS = ["Teamwork", "Data analysis", "Welding", "Python programming", "Customer service", "Bookkeeping"]


def guide_credentials(n: int, issuer: str) -> list[dict[str, Any]]:
    """n distinct unsigned credentials with the shape of the 1EdTech guide credential."""
    out = []
    for i in range(n):
        skill = SKILLS[i % len(SKILLS)]
        out.append(
            {
                "@context": [
                    "https://www.w3.org/ns/credentials/v2",
                    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                ],
                "id": f"http://example.com/credentials/{100000 + i}",
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "issuer": {
                    "id": issuer,
                    "type": ["Profile"],
                    "url": "https://www.imsglobal.org",
                    "name": "Example Corp",
                },
                "validFrom": "2010-01-01T00:00:00Z",
                "name": f"{skill} Badge #{i}",
                "credentialSubject": {
                    "id": f"did:example:learner{i:08d}",
                    "type": ["AchievementSubject"],
                    "achievement": {
                        "id": f"https://example.com/achievements/{skill.lower().replace(' ', '-')}-{i}",
                        "type": ["Achievement"],
                        "criteria": {
                            "narrative": f"{GIVEN[i % len(GIVEN)]} was nominated for this badge by peers "
                            "and recognized upon review by Example Corp management."
                        },
                        "description": f"This badge recognizes the capacity to apply {skill.lower()}.",
                        "name": skill,
                    },
                },
            }
        )
    return out


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else float("inf")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--skip-crosscheck", action="store_true")
    args = parser.parse_args()

    from credstack.domain.verification import VerifyOptions, verify_document
    from credstack.proofs import data_integrity
    from credstack.proofs.keys import Ed25519Key, did_key_from_public_key, resolve_did_key_vm

    key = Ed25519Key.from_seed(bytes(range(32)))
    did = did_key_from_public_key(key.public_key)
    vm = f"{did}#{did.split(':')[-1]}"
    unsigned = guide_credentials(args.n, did)
    results: dict[str, Any] = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "n": args.n,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }

    t0 = time.perf_counter()
    signed = [data_integrity.sign(c, key=key, verification_method=vm, created="2010-01-01T19:23:24Z") for c in unsigned]
    results["sign_per_s_one_core"] = rate(len(signed), time.perf_counter() - t0)

    t0 = time.perf_counter()
    ok = sum(all(r.verified for r in data_integrity.verify(c, resolve=resolve_did_key_vm)) for c in signed)
    results["verify_proof_per_s_one_core"] = rate(len(signed), time.perf_counter() - t0)
    if ok != len(signed):
        raise SystemExit(f"only {ok} of {len(signed)} proofs verified")

    options = VerifyOptions(now=datetime.now(UTC), documents={}, fetch=None)
    t0 = time.perf_counter()
    ok = sum(verify_document(c, options).verified for c in signed)
    results["verify_full_report_per_s_one_core"] = rate(len(signed), time.perf_counter() - t0)
    if ok != len(signed):
        raise SystemExit(f"only {ok} of {len(signed)} credentials verified with the full report")

    with tempfile.TemporaryDirectory(prefix="credstack-bench-") as tmp:
        folder = Path(tmp)
        files = []
        for i, c in enumerate(signed):
            path = folder / f"credential-{i:05d}.json"
            path.write_text(json.dumps(c), encoding="utf-8")
            files.append(str(path))
        credstack = shutil.which("credstack", path=str(Path(sys.executable).parent)) or "credstack"
        t0 = time.perf_counter()
        proc = subprocess.run([credstack, "verify", str(folder), "--json"], capture_output=True, text=True)
        cs_seconds = time.perf_counter() - t0
        verified = sum(json.loads(line)["verified"] for line in proc.stdout.splitlines() if line.strip())
        results["cli_verify_files"] = len(files)
        results["cli_verify_seconds"] = round(cs_seconds, 3)
        results["cli_verify_per_s"] = rate(len(files), cs_seconds)
        results["cli_verify_verified"] = verified
        if proc.returncode != 0 or verified != len(files):
            print(proc.stderr[-2000:], file=sys.stderr)
            raise SystemExit(f"credstack verify failed: exit {proc.returncode}, {verified} verified")
        if not args.skip_crosscheck and CROSSCHECK.exists():
            t0 = time.perf_counter()
            proc = subprocess.run([str(CROSSCHECK), "verify", *files], capture_output=True, text=True)
            cc_seconds = time.perf_counter() - t0
            cc_verified = sum(json.loads(line)["verified"] for line in proc.stdout.splitlines() if line.strip())
            results["crosscheck_verify_seconds"] = round(cc_seconds, 3)
            results["crosscheck_verify_per_s"] = rate(len(files), cc_seconds)
            results["crosscheck_verified"] = cc_verified
            results["cli_speedup_vs_crosscheck"] = round(cc_seconds / cs_seconds, 2)

    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
