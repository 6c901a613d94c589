"""Skill extraction and linking quality on the development sets in ../shared/data/eval (``make eval``).

Not a test. Measured with :func:`credstack.skills.default_linker`:

- ESCO linking on the HOUSE and TECH validation sets of Decorte et al. (protocol in ../shared/data/eval/README.md):
  every ESCO skill is ranked for each sentence; gold = the sentence's ESCO v1.1.0 preferred labels, mapped to
  URIs through the v1.1.0 skills file (``conceptUri``; the URIs are stable into v1.1.1); sentences with no gold
  label are skipped. MRR, RP@5 and RP@10 averaged over sentences.
- The same on the SkillSkape dev split (synthetic LLM sentences: a sanity check, not evidence of real quality).
- The same again with the semantic stage (``semantic`` rows: all-MiniLM-L6-v2 re-ranking), when it is installed.
- Span extraction on SkillSpan dev with each extraction method (``lexical``, ``tagged``, ``union``, ``neural``) of
  :meth:`SkillLinker.extract`, mentions mapped to the dataset's tokens: exact span match with skill and knowledge
  spans pooled (``F1``), exact match with the type too (``typedF1``, SkillSpan's own convention: span-level F1
  over both layers), and a documented loose variant (``looseF1``, any overlap counts). The ``neural, whole postings``
  row extracts each posting as one text (its sentences joined by line breaks), as when a posting is pasted whole.
- Test figures (rows ``test/...``) when the held-out test files are given with ``--test-data DIR`` (laid out as
  in ../shared/data/eval: ``decorte_esco_linking/{house,tech}_test_annotations.csv``, ``skillspan/test.json.gz``);
  they are not in ../shared/data, so by default the output says they were not measured.

Usage: .venv/bin/python bench/eval_skills.py [--test-data DIR]   (prints a table; writes bench/out/eval.json)
"""

from __future__ import annotations

import argparse
import ast
import bisect
import csv
import gzip
import io
import itertools
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from credstack.errors import ConfigurationError
from credstack.skills import Mention, SkillLinker, default_linker
from credstack.skills.metrics import bio_spans, mean, reciprocal_rank, rp_at_k, span_prf
from credstack.skills.neural import neural_available
from credstack.taxonomy.text import normalise

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "data" / "eval"
TAXONOMY = ROOT.parent / "shared" / "data" / "taxonomy"
OUT = ROOT / "bench" / "out"


def label_to_uri() -> dict[str, str]:
    """ESCO v1.1.0 preferred label (normalised) -> concept URI, from the v1.1.0 skills file."""
    with gzip.open(TAXONOMY / "esco_v1.1.0" / "skills_en.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        return {normalise(row["preferredLabel"]): row["conceptUri"] for row in csv.DictReader(fh)}


def decorte(
    name: str, labels: dict[str, str], split: str = "validation", root: Path = EVAL
) -> list[tuple[str, set[str]]]:
    """(sentence, gold URIs) for one annotation file (``split`` validation|test), in file order, skipping sentences
    without ESCO labels."""
    gold: dict[str, set[str]] = {}
    unmapped = 0
    with (root / "decorte_esco_linking" / f"{name}_{split}_annotations.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            gold.setdefault(row["sentence"], set())
            label = row["label"].strip()
            if label in {"LABEL NOT PRESENT", "UNDERSPECIFIED", ""}:
                continue
            uri = labels.get(normalise(label))
            if uri is None:
                unmapped += 1
                continue
            gold[row["sentence"]].add(uri)
    if unmapped:
        print(f"warning: {unmapped} {name} {split} labels not found in ESCO v1.1.0", file=sys.stderr)
    return [(s, g) for s, g in gold.items() if g]


def skillskape(labels: dict[str, str], split: str = "dev", root: Path = EVAL) -> list[tuple[str, set[str]]]:
    out = []
    with (root / "skillskape" / f"{split}.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            names = ast.literal_eval(row["skills"])
            uris = {labels[normalise(n)] for n in names if normalise(n) in labels}
            if uris:
                out.append((row["sentence"], uris))
    return out


class Ranker(Protocol):
    def rank(self, text: str) -> list[str]: ...


def _rankings(linker: Ranker, sentences: list[str], depth: int = 100) -> list[list[str]]:
    """The first ``depth`` URIs for each sentence; the semantic stage embeds the sentences in batches."""
    from credstack.skills.semantic import SemanticLinker

    if not isinstance(linker, SemanticLinker):
        return [linker.rank(s)[:depth] for s in sentences]
    out = []
    for offset in range(0, len(sentences), 64):
        scores = linker.scores(sentences[offset : offset + 64])
        for row in scores:
            best = np.argpartition(-row, depth)[:depth]
            best = best[np.argsort(-row[best], kind="stable")]
            out.append([linker.linker.concepts[int(linker.linker.esco[p])].uri for p in best])
    return out


def ranking_metrics(linker: Ranker, data: list[tuple[str, set[str]]]) -> dict[str, Any]:
    rr, rp5, rp10 = [], [], []
    for ranking, (_sentence, gold) in zip(_rankings(linker, [s for s, _ in data]), data, strict=True):
        rr.append(reciprocal_rank(ranking, gold))
        rp5.append(rp_at_k(ranking, gold, 5))
        rp10.append(rp_at_k(ranking, gold, 10))
    return {"sentences": len(data), "mrr": mean(rr), "rp@5": mean(rp5), "rp@10": mean(rp10)}


def skillspan(split: str = "dev", root: Path = EVAL) -> list[dict[str, Any]]:
    with gzip.open(root / "skillspan" / f"{split}.json.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in io.StringIO(fh.read()) if line.strip()]


def skillspan_dev() -> list[dict[str, Any]]:
    return skillspan("dev")


def predicted_token_spans(
    linker: SkillLinker, tokens: list[str], method: str = "lexical", mentions: list[Mention] | None = None
) -> set[tuple[int, int, str]]:
    """Mentions found in the space-joined tokens (or the given ``mentions`` of that text), as (first token, end
    token, kind) spans."""
    starts, ends, pos = {}, {}, 0
    for i, tok in enumerate(tokens):
        starts[pos] = i
        ends[pos + len(tok)] = i + 1
        pos += len(tok) + 1
    text = " ".join(tokens)
    out = set()
    for m in linker.extract(text, method=method) if mentions is None else mentions:
        first = max((p for p in starts if p <= m.start), default=0)
        last = min((p for p in ends if p >= m.end), default=pos)
        out.add((starts[first], ends[last], m.kind.upper()))
    return out


def _gold(row: dict[str, Any]) -> set[tuple[int, int, str]]:
    skill = {(*s, "SKILL") for s in bio_spans(row["tags_skill"])}
    return skill | {(*s, "KNOWLEDGE") for s in bio_spans(row["tags_knowledge"])}


def _loose_f1(pairs: list[tuple[set[tuple[int, int, str]], set[tuple[int, int, str]]]]) -> float:
    """Overlap match, types ignored (not SkillSpan's convention; shows how many errors are only boundaries):
    precision = predicted spans overlapping a gold span, recall = gold spans overlapped by a prediction."""
    hit_p = hit_g = n_p = n_g = 0
    for pred, gold in pairs:
        n_p, n_g = n_p + len(pred), n_g + len(gold)
        hit_p += sum(any(p[0] < g[1] and g[0] < p[1] for g in gold) for p in pred)
        hit_g += sum(any(p[0] < g[1] and g[0] < p[1] for p in pred) for g in gold)
    precision, recall = hit_p / n_p if n_p else 0.0, hit_g / n_g if n_g else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def span_metrics(
    linker: SkillLinker, rows: list[dict[str, Any]], method: str = "lexical", whole_postings: bool = False
) -> dict[str, Any]:
    """Exact span match per source and overall: ``f1`` ignores the span type (skill and knowledge spans pooled),
    ``typed_f1`` needs the type right too (SkillSpan's convention; lexical mentions have no type, so 0).

    ``whole_postings``: each posting's sentences (consecutive rows with one ``idx``) are joined with line breaks
    into one text and extracted as one, as credstack reads a pasted posting; the mentions are then mapped back to
    their sentences. No label is read for this: only the dataset's posting ids and sentence order.
    """
    texts = [" ".join(r["tokens"]) for r in rows]
    if whole_postings:
        found: list[list[Mention]] = []
        for _idx, group in itertools.groupby(range(len(rows)), key=lambda i: rows[i]["idx"]):
            members = [texts[i] for i in group]
            offsets = list(itertools.accumulate((len(t) + 1 for t in members), initial=0))
            per_row: list[list[Mention]] = [[] for _ in members]
            for m in linker.extract_many(["\n".join(members)], method=method)[0]:
                at = bisect.bisect_right(offsets, m.start) - 1
                per_row[at].append(replace(m, start=m.start - offsets[at], end=m.end - offsets[at]))
            found.extend(per_row)
    else:
        found = linker.extract_many(texts, method=method)
    predicted = [predicted_token_spans(linker, r["tokens"], method, m) for r, m in zip(rows, found, strict=True)]
    result: dict[str, Any] = {}
    for source in ("house", "tech", "all"):
        chosen = [i for i, r in enumerate(rows) if source == "all" or r["source"] == source]
        untyped = span_prf(({s[:2] for s in predicted[i]}, {s[:2] for s in _gold(rows[i])}) for i in chosen)
        typed = span_prf((predicted[i], _gold(rows[i])) for i in chosen)
        loose = _loose_f1([(predicted[i], _gold(rows[i])) for i in chosen])
        result[source] = {
            "sentences": len(chosen),
            "precision": untyped.precision,
            "recall": untyped.recall,
            "f1": untyped.f1,
            "typed_f1": typed.f1,
            "loose_f1": loose,
            "gold_spans": untyped.gold,
            "predicted_spans": untyped.predicted,
        }
    return result


#: The held-out test files, looked for under ``--test-data`` (they are not in ../shared/data).
TEST_FILES = {
    "house": "decorte_esco_linking/house_test_annotations.csv",
    "tech": "decorte_esco_linking/tech_test_annotations.csv",
    "skillspan": "skillspan/test.json.gz",
}


def run(test_root: Path = EVAL) -> dict[str, Any]:
    if not EVAL.exists():
        raise SystemExit(f"evaluation data not found at {EVAL}")
    started = time.perf_counter()
    linker = default_linker()
    build = time.perf_counter() - started
    labels = label_to_uri()
    results: dict[str, Any] = {"index_build_seconds": round(build, 2)}
    linking: dict[str, list[tuple[str, set[str]]]] = {
        "dev/house": decorte("house", labels),
        "dev/tech": decorte("tech", labels),
        "dev/skillskape": skillskape(labels),
    }
    spans = {"dev/skillspan": skillspan("dev")}
    missing = []
    for name in ("house", "tech"):
        if (test_root / TEST_FILES[name]).exists():
            linking[f"test/{name}"] = decorte(name, labels, "test", test_root)
        else:
            missing.append(str(test_root / TEST_FILES[name]))
    if (test_root / TEST_FILES["skillspan"]).exists():
        spans["test/skillspan"] = skillspan("test", test_root)
    else:
        missing.append(str(test_root / TEST_FILES["skillspan"]))
    results["test_files_missing"] = missing
    results["linking"] = {f"{name} lexical": ranking_metrics(linker, data) for name, data in linking.items()}
    try:
        from credstack.cli._skills_index import load_semantic

        semantic = load_semantic()
    except (ImportError, ConfigurationError) as exc:
        print(f"semantic stage skipped: {exc}", file=sys.stderr)
    else:
        for name, data in linking.items():
            results["linking"][f"{name} semantic"] = ranking_metrics(semantic, data)
    results["spans"] = {}
    for name, rows in spans.items():
        for method in ("lexical", "tagged", "union", "neural"):
            if method == "neural" and not neural_available():
                print("neural tagger skipped: torch or the base model is not installed", file=sys.stderr)
                continue
            started = time.perf_counter()
            results["spans"][f"{name} {method}"] = span_metrics(linker, rows, method)
            rate = len(rows) / (time.perf_counter() - started)
            results["spans"][f"{name} {method}"]["sentences_per_second"] = round(rate)
            if method == "neural":
                results["spans"][f"{name} neural, whole postings"] = span_metrics(linker, rows, method, True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--test-data", type=Path, default=EVAL, help="folder with the held-out test files")
    args = parser.parse_args()
    results = run(args.test_data)
    print(f"{'ESCO linking':<44}{'sentences':>10}{'MRR':>8}{'RP@5':>8}{'RP@10':>8}")
    for name, r in sorted(results["linking"].items()):
        print(f"{name:<44}{r['sentences']:>10}{100 * r['mrr']:>8.1f}{100 * r['rp@5']:>8.1f}{100 * r['rp@10']:>8.1f}")
    columns = "".join(f"{c:>8}" for c in ("P", "R", "F1", "typedF1", "looseF1"))
    print(f"\n{'SkillSpan spans (P R F1: exact match)':<44}{'sentences':>10}{columns}")
    for name, spans in results["spans"].items():
        for source, r in spans.items():
            if not isinstance(r, dict):
                continue
            figures = (r["precision"], r["recall"], r["f1"], r["typed_f1"], r["loose_f1"])
            line = "".join(f"{100 * x:>8.1f}" for x in figures)
            print(f"{name + ' ' + source:<44}{r['sentences']:>10}{line}")
    for path in results["test_files_missing"]:
        print(f"test split not measured (held out, not in this checkout's data): {path}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "eval.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {OUT / 'eval.json'}")


if __name__ == "__main__":
    main()
