"""The evaluation measures on tiny hand-made examples (credstack.skills.metrics)."""

from __future__ import annotations

import pytest

from credstack.errors import InvalidInputError
from credstack.skills.metrics import bio_spans, mean, reciprocal_rank, rp_at_k, span_prf


def test_reciprocal_rank() -> None:
    assert reciprocal_rank(["a", "b", "c"], {"a"}) == 1.0
    assert reciprocal_rank(["a", "b", "c"], {"c", "b"}) == 0.5
    assert reciprocal_rank(["a", "b"], {"z"}) == 0.0
    with pytest.raises(InvalidInputError):
        reciprocal_rank(["a"], set())


def test_rp_at_k_divides_by_the_smaller_of_k_and_gold() -> None:
    ranking = ["a", "b", "c", "d", "e", "f"]
    assert rp_at_k(ranking, {"b"}, 5) == 1.0  # one gold item, found: perfect
    assert rp_at_k(ranking, {"b", "f"}, 5) == 0.5
    assert rp_at_k(ranking, {"a", "b", "c", "d", "e", "x", "y"}, 5) == 1.0  # more gold than K
    assert rp_at_k(ranking, {"f"}, 5) == 0.0
    with pytest.raises(InvalidInputError):
        rp_at_k(ranking, {"a"}, 0)


def test_mean_of_nothing_is_zero() -> None:
    assert mean([]) == 0.0
    assert mean([1.0, 0.0, 0.5]) == 0.5


def test_bio_spans() -> None:
    assert bio_spans(["O", "B", "I", "O", "B", "B", "I"]) == {(1, 3), (4, 5), (5, 7)}
    assert bio_spans(["I", "I", "O"]) == {(0, 2)}  # a stray I opens a span
    assert bio_spans(["O", "O"]) == set()


def test_span_prf_is_exact_and_micro_averaged() -> None:
    score = span_prf([({(0, 2), (3, 4)}, {(0, 2), (3, 5)}), (set(), {(1, 2)}), ({(7, 8)}, set())])
    assert (score.true_positives, score.predicted, score.gold) == (1, 3, 3)
    assert score.precision == pytest.approx(1 / 3)
    assert score.recall == pytest.approx(1 / 3)
    assert score.f1 == pytest.approx(1 / 3)
    assert span_prf([]).f1 == 0.0
