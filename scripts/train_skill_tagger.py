"""Train the skill/knowledge span tagger (``src/credstack/skills/data/span_tagger.crfsuite.xz``).

A linear-chain CRF (CRFsuite through python-crfsuite, L-BFGS with L1 + L2 regularisation) on the SkillSpan
*train* split (../shared/data/eval/skillspan/train.json.gz; Zhang et al., NAACL 2022; MIT / CC BY 4.0), with the
features of :mod:`credstack.skills.tagger` (word clusters from ``scripts/build_skill_clusters.py`` must exist).
The dev split chooses the regularisation and the number of iterations; it is never trained on. Deterministic.

SkillSpan tokens are joined with spaces and re-split with :func:`credstack.skills.tagger.split` (what the tagger
sees at run time); a dataset token's tag goes to its first piece, ``I-`` to the rest. A token that is both skill
and knowledge (nested spans, 3% of spans) is trained as skill.

Usage: .venv/bin/python scripts/train_skill_tagger.py [--data ../shared/data] [--c1 0.05 --c2 0.01 --iterations 200]
       .venv/bin/python scripts/train_skill_tagger.py --grid     (small grid on dev; writes the best model)
"""

from __future__ import annotations

import argparse
import gzip
import json
import lzma
import tempfile
import time
from pathlib import Path
from typing import Any

from credstack.skills import SkillLinker, default_linker
from credstack.skills.metrics import span_prf
from credstack.skills.tagger import SpanTagger, features, split

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "credstack" / "skills" / "data" / "span_tagger.crfsuite.xz"


def load(data: Path, split_name: str) -> list[dict[str, Any]]:
    with gzip.open(data / "eval" / "skillspan" / f"{split_name}.json.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def combined_tags(row: dict[str, Any]) -> list[str]:
    out = []
    for s, k in zip(row["tags_skill"], row["tags_knowledge"], strict=True):
        if s != "O":
            out.append(f"{s[0]}-SKILL")
        elif k != "O":
            out.append(f"{k[0]}-KNOWLEDGE")
        else:
            out.append("O")
    return out


def prepared(linker: SkillLinker, row: dict[str, Any]) -> tuple[list[list[str]], list[str], list[int]]:
    """Attributes and tags per piece, and for each piece the dataset token it belongs to."""
    tokens = row["tokens"]
    text = " ".join(tokens)
    owner_at = []
    for i, tok in enumerate(tokens):
        owner_at.extend([i] * (len(tok) + 1))
    pieces = split(text)
    owners = [owner_at[p.start] for p in pieces]
    gold = combined_tags(row)
    tags = []
    for n in range(len(pieces)):
        tag = gold[owners[n]]
        if n > 0 and owners[n - 1] == owners[n] and tag != "O":
            tag = "I-" + tag[2:]
        tags.append(tag)
    return features(text, pieces, linker.gazetteer(pieces, text)), tags, owners


def gold_spans(row: dict[str, Any], typed: bool) -> set[tuple[int, ...]]:
    from credstack.skills.metrics import bio_spans

    skill = {(*s, "SKILL") if typed else s for s in bio_spans(row["tags_skill"])}
    knowledge = {(*s, "KNOWLEDGE") if typed else s for s in bio_spans(row["tags_knowledge"])}
    return skill | knowledge


def evaluate(tagger: SpanTagger, dev: list[tuple[list[list[str]], list[int], dict[str, Any]]]) -> dict[str, float]:
    untyped, typed = [], []
    for attributes, owners, row in dev:
        found = tagger.tag(attributes)
        pred_u = {(owners[s.first], owners[s.end - 1] + 1) for s in found}
        pred_t = {(owners[s.first], owners[s.end - 1] + 1, s.kind) for s in found}
        untyped.append((pred_u, gold_spans(row, False)))
        typed.append((pred_t, gold_spans(row, True)))
    u, t = span_prf(untyped), span_prf(typed)
    return {"f1": u.f1, "precision": u.precision, "recall": u.recall, "typed_f1": t.f1}


def train(items: list[tuple[list[list[str]], list[str]]], c1: float, c2: float, iterations: int) -> bytes:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for attributes, tags in items:
        trainer.append(attributes, tags)
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": iterations, "feature.possible_transitions": True})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.crfsuite"
        trainer.train(str(path))
        return path.read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--c1", type=float, default=0.05)
    parser.add_argument("--c2", type=float, default=0.01)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--grid", action="store_true")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    started = time.perf_counter()
    linker = default_linker()
    train_items = []
    for row in load(args.data, "train"):
        attributes, tags, _owners = prepared(linker, row)
        train_items.append((attributes, tags))
    dev = []
    for row in load(args.data, "dev"):
        attributes, _tags, owners = prepared(linker, row)
        dev.append((attributes, owners, row))
    print(f"features ready in {time.perf_counter() - started:.0f} s")
    grid = (
        [(c1, c2, it) for c1 in (0.02, 0.1, 0.3) for c2 in (0.01, 0.1) for it in (150, 300)]
        if args.grid
        else [(args.c1, args.c2, args.iterations)]
    )
    best: tuple[float, bytes, tuple[float, float, int]] | None = None
    for params in grid:
        t0 = time.perf_counter()
        model = train(train_items, *params)
        result = evaluate(SpanTagger(model), dev)
        print(
            f"c1={params[0]} c2={params[1]} it={params[2]}: dev F1 {100 * result['f1']:.1f} "
            f"(P {100 * result['precision']:.1f} R {100 * result['recall']:.1f}; typed {100 * result['typed_f1']:.1f})"
            f" {len(model) / 1e6:.1f} MB, {time.perf_counter() - t0:.0f} s",
            flush=True,
        )
        if best is None or result["f1"] > best[0]:
            best = (result["f1"], model, params)
    if best is None:
        raise SystemExit("no setting was trained")
    args.out.write_bytes(lzma.compress(best[1], preset=9 | lzma.PRESET_EXTREME))
    print(f"best {best[2]}: dev F1 {100 * best[0]:.1f}; written {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
