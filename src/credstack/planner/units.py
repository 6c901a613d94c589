"""Floats to integers for CP-SAT, which only knows integers.

Every number is read as the shortest decimal that round-trips its float (``0.1`` is one tenth, as written in the
JSON file), then scaled by a power of ten:

- **Coverage** is exact: weights and the coverage share are scaled by ``10**k`` where ``k`` is the largest number
  of decimals among them (at most :data:`WEIGHT_DECIMALS`); the threshold is the exact ceiling of
  ``coverage * total``. Beyond that many decimals weights are rounded to ``10**-WEIGHT_DECIMALS``.
- **Budget and deadline** are conservative: costs and hours are rounded *up* and the limit *down* at
  ``10**-LIMIT_DECIMALS``, so a returned plan never exceeds a limit; a plan that only fits thanks to digits past the
  sixth decimal may be refused.
- **The objective** uses ``10**-OBJECTIVE_DECIMALS`` (0.001 hour or money unit), divided by the common divisor of
  the coefficients. Ties on the primary objective are broken by the secondary one, whose unit is coarsened when
  needed so that ``primary * M + secondary`` stays below 2**53 (then secondary differences below that unit may be
  broken arbitrarily).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

__all__ = [
    "LIMIT_DECIMALS",
    "OBJECTIVE_DECIMALS",
    "WEIGHT_DECIMALS",
    "as_decimal",
    "coverage_units",
    "decimals",
    "lexicographic",
    "limit_units",
    "objective_units",
]

WEIGHT_DECIMALS = 9
LIMIT_DECIMALS = 6
OBJECTIVE_DECIMALS = 3
_EXACT_LIMIT = 2**53
_FAST_LIMIT = 2**50


def as_decimal(value: float) -> Fraction:
    """The decimal a float was written as: ``Fraction(repr(value))`` (0.1 -> 1/10, not the binary neighbour)."""
    return Fraction(repr(float(value)))


def decimals(value: float) -> int:
    """How many decimals the shortest round-trip form of ``value`` has (0 for integers)."""
    text = repr(float(value))
    if "e" not in text:
        return 0 if text.endswith(".0") else len(text) - text.index(".") - 1
    denominator = as_decimal(value).denominator
    k = 0
    while denominator % 10**k:
        k += 1
    return k


def coverage_units(weights: Sequence[float], coverage: float) -> tuple[list[int], int]:
    """Integer weights and the threshold T such that ``sum(w[j] for covered j) >= T`` exactly when the covered
    weight share is at least ``coverage`` (exact up to :data:`WEIGHT_DECIMALS` decimals)."""
    k = min(max([decimals(w) for w in weights] + [0]), WEIGHT_DECIMALS)
    scale = 10**k
    ints = [max(1, round(as_decimal(w) * scale)) for w in weights]
    divisor = math.gcd(*ints) if ints else 1
    ints = [w // divisor for w in ints]
    threshold = math.ceil(as_decimal(coverage) * sum(ints))
    return ints, threshold


def limit_units(costs: Sequence[float], limit: float) -> tuple[list[int], int]:
    """Integer costs (rounded up) and limit (rounded down), at the finest power of ten the numbers need, at most
    :data:`LIMIT_DECIMALS` decimals; ``sum(costs) <= limit`` in integers implies it for the decimals."""
    needed = max([decimals(c) for c in costs] + [decimals(limit)])
    scale = 10 ** min(needed, LIMIT_DECIMALS)
    if needed <= LIMIT_DECIMALS and max([*costs, limit]) * scale < _FAST_LIMIT:
        # each value has at most `needed` decimals, so value * scale is within an ulp of an integer: exact
        return [round(c * scale) for c in costs], round(limit * scale)
    return [math.ceil(as_decimal(c) * scale) for c in costs], math.floor(as_decimal(limit) * scale)


def objective_units(values: Sequence[float]) -> list[int]:
    """Values rounded to :data:`OBJECTIVE_DECIMALS` decimals, as integers divided by their common divisor."""
    scale = 10**OBJECTIVE_DECIMALS
    ints = [round(v * scale) for v in values]
    divisor = math.gcd(*ints) if any(ints) else 1
    return [v // divisor for v in ints]


def lexicographic(primary: Sequence[int], secondary: Sequence[int]) -> list[int]:
    """One integer objective ordering plans by ``primary`` then ``secondary`` (both per item, secondary >= 0).

    ``M`` exceeds any plan's secondary total, so one primary unit outweighs every secondary difference. When
    ``sum|primary| * M`` would pass 2**53 the secondary is coarsened (divided, rounding to nearest) first.
    """
    span = sum(abs(p) for p in primary) + 1
    secondary = list(secondary)
    total = sum(secondary)
    if span * (total + 1) >= _EXACT_LIMIT:
        factor = math.ceil(span * (total + 1) / _EXACT_LIMIT) + 1
        secondary = [round(s / factor) for s in secondary]
        total = sum(secondary)
    weight = total + 1
    return [p * weight + s for p, s in zip(primary, secondary, strict=True)]
