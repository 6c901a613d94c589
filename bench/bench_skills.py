"""Benchmark: skill linking throughput (``credstack skills link``) on real sentences.

Not a test (figures depend on the machine). The sentences are O*NET 29.2 task statements from the shipped
taxonomy (job-posting-like duties, e.g. "Direct or coordinate an organization's financial or budget activities"),
the first N in file order. Measured:

- ``index_build_seconds``: building :func:`credstack.skills.default_linker` (reading the taxonomy included);
- ``link_sentences_per_second``: warm ``SkillLinker.link(top=10)`` in this process;
- ``extract_sentences_per_second``: warm ``SkillLinker.extract`` (lexical, the library default);
- ``extract_tagged_sentences_per_second``: warm ``SkillLinker.extract(method="tagged")`` (the CRF tagger, what
  ``credstack skills extract`` does);
- ``neural_load_seconds``, ``extract_neural_sentences_per_second``: loading the fine-tuned encoder tagger (torch,
  base model, shipped deltas) and warm ``SkillLinker.extract_many(method="neural")`` in batches of 256 on 2 torch
  threads (only when the ``semantic`` extra is installed);
- ``cli_cold_*``: ``credstack skills link FILE`` end to end in a fresh process with an empty index cache
  (start-up, index build and cache write included), output to a file;
- ``cli_warm_*``: the same again, the indexes now read from the cache (the usual case).

Usage: .venv/bin/python bench/bench_skills.py [--n 5000]
``run()`` returns the figures as a dict.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path
from typing import Any

from credstack.taxonomy import source

ROOT = Path(__file__).resolve().parent.parent
CREDSTACK = Path(sys.executable).parent / "credstack"


def sentences(n: int) -> list[str]:
    return [task.task for task in islice(source.read("onet_tasks"), n)]


def run(n: int = 5000) -> dict[str, Any]:
    lines = sentences(n)
    started = time.perf_counter()
    from credstack.skills import default_linker

    linker = default_linker()
    build = time.perf_counter() - started

    started = time.perf_counter()
    for line in lines:
        linker.link(line, top=10)
    link_s = time.perf_counter() - started

    started = time.perf_counter()
    for line in lines:
        linker.extract(line)
    extract_s = time.perf_counter() - started

    started = time.perf_counter()
    for line in lines:
        linker.extract(line, method="tagged")
    tagged_s = time.perf_counter() - started

    neural: dict[str, Any] = {}
    from credstack.skills.neural import default_neural_tagger, neural_available

    if neural_available():
        started = time.perf_counter()
        default_neural_tagger()
        neural["neural_load_seconds"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        for offset in range(0, len(lines), 256):
            linker.extract_many(lines[offset : offset + 256], method="neural")
        neural["extract_neural_sentences_per_second"] = round(len(lines) / (time.perf_counter() - started))

    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "sentences.txt"
        text.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        cold = _cli(text, Path(tmp) / "cold.jsonl", env, len(lines))
        warm = _cli(text, Path(tmp) / "warm.jsonl", env, len(lines))
    return {
        "sentences": len(lines),
        "index_build_seconds": round(build, 2),
        "link_sentences_per_second": round(len(lines) / link_s),
        "extract_sentences_per_second": round(len(lines) / extract_s),
        "extract_tagged_sentences_per_second": round(len(lines) / tagged_s),
        **neural,
        "cli_cold_seconds": round(cold, 2),
        "cli_cold_sentences_per_second": round(len(lines) / cold),
        "cli_warm_seconds": round(warm, 2),
        "cli_warm_sentences_per_second": round(len(lines) / warm),
    }


def _cli(text: Path, result: Path, env: dict[str, str], expected: int) -> float:
    started = time.perf_counter()
    with result.open("wb") as fh:
        subprocess.run([str(CREDSTACK), "skills", "link", str(text)], stdout=fh, check=True, env=env)
    seconds = time.perf_counter() - started
    produced = sum(1 for _ in result.open(encoding="utf-8"))
    if produced != expected:
        raise SystemExit(f"credstack skills link printed {produced} lines for {expected}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    args = parser.parse_args()
    print(json.dumps(run(args.n), indent=2))


if __name__ == "__main__":
    main()
