"""Benchmark: the learner wallet on SQLite: claiming, importing and showing credentials, opening a share link.

Not a test (figures depend on the machine). In one process, a fresh SQLite database: ``--credentials`` credentials
issued to one learner (eddsa-rdfc-2022, with status lists), then measured:

- ``claim_ms_median``: one claim (claim link -> wallet item, with the recipient check), median over all;
- ``import_png_ms_median``: importing a baked PNG of another learner's credential (parse, full verification, store);
- ``wallet_show_seconds``: ``verified_items`` for the whole wallet (every credential re-verified: what ``/wallet``
  does on each showing);
- ``share_open_ms``: opening a portfolio share of ``--share`` credentials (re-verified, view logged, audited);
- ``presentation_ms``: a signed Verifiable Presentation of ``--share`` credentials;
- ``password_hash_ms``: one Argon2id hash (t=3, m=64 MiB, p=4) as a sign-in pays it.

Usage: .venv/bin/python bench/bench_wallet.py [--credentials 200] [--share 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from credstack.app import Credstack
from credstack.domain.baking import bake_png
from credstack.services.accounts import _hasher
from credstack.settings import Settings
from credstack.web.badge_image import badge_png


def run(credentials: int = 200, share: int = 20) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{Path(folder) / 'bench.db'}", base_url="https://bench.example")
        cs = Credstack.from_settings(settings)
        try:
            cs.init("Bench University")
            achievement = cs.achievements.create(
                None, name="Data Wrangling", description="Cleans data.", criteria_narrative="Three labs."
            )
            learner = cs.accounts.create_person("lea@example.com")
            issued = [cs.issuing.issue(achievement.id, recipient="lea@example.com") for _ in range(credentials)]
            claims = []
            for record in issued:
                started = time.perf_counter()
                cs.wallet.claim(learner.id, cs.wallet.claim_token(record.id))
                claims.append((time.perf_counter() - started) * 1000)
            imports = []
            for _ in range(20):
                other = cs.issuing.issue(achievement.id, recipient="someone@example.org")
                png = bake_png(badge_png("Data Wrangling"), other.credential)
                started = time.perf_counter()
                cs.wallet.import_bytes(learner.id, png)
                imports.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            shown = cs.wallet.verified_items(learner.id)
            show_seconds = time.perf_counter() - started
            ids = [item.id for item, _ in shown[:share]]
            made = cs.sharing.create(learner.id, ids)
            started = time.perf_counter()
            view = cs.sharing.open(made.id, viewer="bench")
            share_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            cs.wallet.presentation(learner.id, ids)
            vp_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            _hasher.hash("a bench password")
            hash_ms = (time.perf_counter() - started) * 1000
            assert all(r.verified for _, r in shown) and len(view.items) == len(ids)
        finally:
            cs.close()
    return {
        "credentials": credentials + 20,
        "share": share,
        "claim_ms_median": round(statistics.median(claims), 1),
        "import_png_ms_median": round(statistics.median(imports), 1),
        "wallet_show_seconds": round(show_seconds, 2),
        "share_open_ms": round(share_ms, 1),
        "presentation_ms": round(vp_ms, 1),
        "password_hash_ms": round(hash_ms, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credentials", type=int, default=200)
    parser.add_argument("--share", type=int, default=20)
    args = parser.parse_args()
    print(json.dumps(run(args.credentials, args.share), indent=2))


if __name__ == "__main__":
    main()
