"""Evaluation measures for skill linking and span extraction (pure; used by ``bench/eval_skills.py``).

- :func:`reciprocal_rank` / :func:`rp_at_k`: the ranking measures of Decorte et al. (RecSys in HR 2022), where
  RP@K = |top-K ∩ gold| / min(K, |gold|); averaged over sentences by the caller.
- :func:`bio_spans` / :func:`span_prf`: exact span matching as in SkillSpan (Zhang et al., NAACL 2022).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from credstack.errors import InvalidInputError

__all__ = ["SpanScore", "bio_spans", "mean", "reciprocal_rank", "rp_at_k", "span_prf"]


def reciprocal_rank(ranking: Sequence[str], gold: Collection[str]) -> float:
    """1 / rank of the first gold item in ``ranking`` (1-based), 0.0 when none appears."""
    if not gold:
        raise InvalidInputError("reciprocal rank needs at least one gold item")
    for position, item in enumerate(ranking, start=1):
        if item in gold:
            return 1.0 / position
    return 0.0


def rp_at_k(ranking: Sequence[str], gold: Collection[str], k: int) -> float:
    """R-precision at ``k``: gold items among the first ``k``, divided by ``min(k, |gold|)``."""
    if not gold:
        raise InvalidInputError("RP@K needs at least one gold item")
    if k < 1:
        raise InvalidInputError(f"k must be at least 1, not {k}")
    found = len(set(ranking[:k]) & set(gold))
    return found / min(k, len(set(gold)))


def mean(values: Iterable[float]) -> float:
    """Arithmetic mean; 0.0 for no values."""
    items = list(values)
    return sum(items) / len(items) if items else 0.0


def bio_spans(tags: Sequence[str]) -> set[tuple[int, int]]:
    """Token spans ``(first, end)`` (end exclusive) of a BIO sequence; an ``I`` without a ``B`` opens a span."""
    spans = set()
    start: int | None = None
    for i, tag in enumerate(tags):
        if tag.startswith("B") or (tag.startswith("I") and start is None):
            if start is not None:
                spans.add((start, i))
            start = i
        elif not tag.startswith("I"):
            if start is not None:
                spans.add((start, i))
            start = None
    if start is not None:
        spans.add((start, len(tags)))
    return spans


@dataclass(frozen=True)
class SpanScore:
    """Exact-match span precision, recall and F1 with the counts behind them."""

    true_positives: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def span_prf(pairs: Iterable[tuple[Collection[object], Collection[object]]]) -> SpanScore:
    """Micro-averaged exact span match over ``(predicted, gold)`` span sets, one pair per sentence."""
    tp = predicted = gold = 0
    for pred, ref in pairs:
        pred_set, gold_set = set(pred), set(ref)
        tp += len(pred_set & gold_set)
        predicted += len(pred_set)
        gold += len(gold_set)
    return SpanScore(tp, predicted, gold)
