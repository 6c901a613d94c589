"""credstack benchmarks: ``make bench`` runs every ``bench/bench_*.py`` script, one after the other.

Not a test: figures depend on the machine, so each script measures and prints its figures as a JSON object (its
last output); this runner collects them with the machine's facts into ``bench/out/results.json`` and prints a
summary. Run one script alone with ``python bench/bench_<name>.py --help``.

Usage: python bench/run.py [NAME ...]      (NAME: credentials, canonical, catalog, ..., default all)
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"


def last_json_object(text: str) -> Any:
    """The last top-level JSON object a script printed (scripts may print progress lines before it)."""
    decoder = json.JSONDecoder()
    found: Any = None
    index = text.find("{")
    while index != -1:
        try:
            value, end = decoder.raw_decode(text, index)
        except json.JSONDecodeError:
            index = text.find("{", index + 1)
            continue
        found = value
        index = text.find("{", end)
    return found


def main(argv: list[str]) -> int:
    scripts = sorted(BENCH.glob("bench_*.py"))
    wanted = set(argv)
    if wanted:
        unknown = wanted - {s.stem.removeprefix("bench_") for s in scripts}
        if unknown:
            print(f"unknown benchmark(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]
    results: dict[str, Any] = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "benchmarks": {},
    }
    failed = []
    for script in scripts:
        name = script.stem.removeprefix("bench_")
        print(f"== {name} ({script.name})", flush=True)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
        seconds = round(time.perf_counter() - t0, 1)
        figures = last_json_object(proc.stdout)
        if proc.returncode != 0 or figures is None:
            failed.append(name)
            print(proc.stdout[-1500:] + proc.stderr[-1500:], file=sys.stderr)
            results["benchmarks"][name] = {"error": f"exit {proc.returncode}", "seconds": seconds}
            continue
        results["benchmarks"][name] = figures
        print(json.dumps(figures, indent=2), flush=True)
        print(f"   ({seconds} s)", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT / 'results.json'} ({os.cpu_count()} cores)")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
