"""The reference solver: every subset of the candidates, vectorised with NumPy (at most :data:`MAX_CANDIDATES`).

Used by the tests and the benchmark to measure CP-SAT's and the greedy fallback's optimality gap; too slow for
anything but small problems (``2**n`` subsets).
"""

from __future__ import annotations

from collections.abc import Sequence

from credstack.errors import InvalidInputError
from credstack.planner.problem import Problem

__all__ = ["MAX_CANDIDATES", "exhaustive"]

MAX_CANDIDATES = 22


def exhaustive(problem: Problem, objective: Sequence[int] | None = None) -> tuple[int, ...] | None:
    """The feasible subset with the smallest ``objective`` total (default: the problem's; ties: the smallest
    subset number), or None."""
    import numpy as np

    objective = problem.objective if objective is None else objective
    limits = problem.limits

    n = problem.size
    if n > MAX_CANDIDATES:
        raise InvalidInputError(f"exhaustive search is limited to {MAX_CANDIDATES} candidates, got {n}")
    if len(problem.gap) > 62:
        raise InvalidInputError(f"exhaustive search is limited to 62 gap skills, got {len(problem.gap)}")
    masks = np.zeros(1, dtype=np.int64)
    score = np.zeros(1, dtype=np.int64)
    spent = [np.zeros(1, dtype=np.int64) for _ in limits]
    for i in range(n):
        masks = np.concatenate([masks, masks | np.int64(problem.masks[i])])
        score = np.concatenate([score, score + np.int64(objective[i])])
        spent = [np.concatenate([s, s + np.int64(limit.units[i])]) for s, limit in zip(spent, limits, strict=True)]
    subsets = np.arange(1 << n, dtype=np.int64)
    ok = np.ones(1 << n, dtype=bool)
    for i in range(n):
        required = 0
        for p in problem.prerequisites[i]:
            required |= 1 << p
        if required:
            has = (subsets >> i) & 1 == 1
            ok &= ~has | ((subsets & required) == required)
    for s, limit in zip(spent, limits, strict=True):
        ok &= s <= limit.cap
    weight = np.zeros(1 << n, dtype=np.int64)
    for j, w in enumerate(problem.weights):
        weight += np.int64(w) * ((masks >> j) & 1)
    ok &= weight >= problem.need
    if not ok.any():
        return None
    best = int(np.argmin(np.where(ok, score, np.iinfo(np.int64).max)))
    return tuple(i for i in range(n) if best >> i & 1)
