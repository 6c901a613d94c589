"""Trend statistics on posting counts: shares, growth with confidence intervals, emerging skills. Pure.

A skill's *share* in a period is ``x / n``: postings asking for it over postings with text. Growth compares two
shares as a ratio ``(x2/n2) / (x1/n1)``; its 95 % interval is Katz's log interval for a ratio of two independent
proportions (``se = sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)``), with 0.5 added to zero counts. It reflects sampling noise
only, not changes in which sources were collected (see :func:`credstack.market.records.Coverage`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from credstack.market.records import Emerging, Growth, MonthPoint

__all__ = [
    "Z95",
    "add_months",
    "emerging",
    "growth",
    "quarter_of",
    "quarters",
    "ratio_interval",
    "wilson",
]

Z95 = 1.959964


def wilson(x: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``x / n`` (``(0, 1)`` when ``n`` is 0)."""
    if n <= 0:
        return 0.0, 1.0
    p = x / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def ratio_interval(x1: int, n1: int, x2: int, n2: int, z: float = Z95) -> tuple[float, float, float]:
    """``(ratio, low, high)`` of ``(x2/n2) / (x1/n1)`` with Katz's log interval; zero counts get 0.5."""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("both periods need postings")
    a, b = (x1 or 0.5), (x2 or 0.5)
    ratio = (b / n2) / (a / n1)
    se = math.sqrt(max(0.0, 1 / a - 1 / n1 + 1 / b - 1 / n2))
    return ratio, ratio * math.exp(-z * se), ratio * math.exp(z * se)


def add_months(month: str, k: int) -> str:
    """``"2025-11"`` plus ``k`` months."""
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) + k
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def quarter_of(month: str) -> str:
    """``"2025-11"`` -> ``"2025-Q4"``."""
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def quarters(points: Iterable[MonthPoint]) -> dict[str, tuple[int, int]]:
    """Monthly points summed to quarters: ``{"2025-Q4": (postings, total)}`` in time order."""
    out: dict[str, list[int]] = {}
    for p in sorted(points, key=lambda p: p.month):
        acc = out.setdefault(quarter_of(p.month), [0, 0])
        acc[0] += p.postings
        acc[1] += p.total
    return {q: (v[0], v[1]) for q, v in out.items()}


def _previous_quarter(quarter: str, back: int) -> str:
    year, q = int(quarter[:4]), int(quarter[-1])
    index = year * 4 + (q - 1) - back
    return f"{index // 4}-Q{index % 4 + 1}"


def growth(points: Sequence[MonthPoint], *, complete_quarters: Iterable[str] | None = None) -> Growth:
    """Quarter-on-quarter and year-on-year change of a skill's share, from its monthly series.

    The latest quarter with postings with text is compared with the quarter before it and with the same quarter a
    year earlier. ``complete_quarters`` (when given) restricts "latest" to quarters whose three months all have
    text, so a half-collected quarter is not read as a fall.
    """
    by_quarter = {q: v for q, v in quarters(points).items() if v[1] > 0}
    if not by_quarter:
        return Growth(None, None, None, None, 0, note="no postings with text")
    candidates = [q for q in by_quarter if complete_quarters is None or q in set(complete_quarters)]
    latest = max(candidates or by_quarter)
    x2, n2 = by_quarter[latest]
    notes = []
    qoq = low = high = None
    previous = _previous_quarter(latest, 1)
    if previous in by_quarter:
        x1, n1 = by_quarter[previous]
        ratio, lo, hi = ratio_interval(x1, n1, x2, n2)
        qoq, low, high = ratio - 1, lo - 1, hi - 1
    else:
        notes.append(f"no postings with text in {previous}: no quarter-on-quarter change")
    yoy = ylow = yhigh = None
    year_before = _previous_quarter(latest, 4)
    if year_before in by_quarter:
        x0, n0 = by_quarter[year_before]
        ratio, lo, hi = ratio_interval(x0, n0, x2, n2)
        yoy, ylow, yhigh = ratio - 1, lo - 1, hi - 1
    else:
        notes.append(f"no postings with text in {year_before}: no year-on-year change")
    return Growth(qoq, yoy, low, high, x2, latest, ylow, yhigh, "; ".join(notes))


def emerging(
    recent: Mapping[str, int],
    recent_total: int,
    earlier: Mapping[str, int],
    earlier_total: int,
    labels: Mapping[str, str],
    *,
    limit: int = 20,
    min_support: int = 10,
) -> list[Emerging]:
    """Skills whose share rose from the earlier window to the recent one, ranked by the *lower* bound of the
    share ratio's 95 % interval (so a jump from 1 to 3 postings does not outrank a solid rise). Only skills with at
    least ``min_support`` recent postings and a lower bound above 1 are returned."""
    if recent_total <= 0 or earlier_total <= 0:
        return []
    out = []
    for uri, x2 in recent.items():
        if x2 < min_support:
            continue
        x1 = earlier.get(uri, 0)
        ratio, low, _high = ratio_interval(x1, earlier_total, x2, recent_total)
        if low <= 1.0:
            continue
        out.append(Emerging(uri, labels.get(uri, uri), x2, x2 / recent_total, x1, x1 / earlier_total, ratio, low))
    out.sort(key=lambda e: (-e.ratio_low, -e.recent_postings, e.uri))
    return out[:limit]
