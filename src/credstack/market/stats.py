"""Trend statistics on posting counts: shares, growth with confidence intervals, emerging skills. Pure.

A skill's *share* in a period is ``x / n``: postings asking for it over postings with text. Growth compares two
shares as a ratio ``(x2/n2) / (x1/n1)``; its 95 % interval is Katz's log interval for a ratio of two independent
proportions (``se = sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)``), with 0.5 added to zero counts. It reflects sampling noise
only, not changes in which sources were collected (see :func:`credstack.market.records.Coverage`).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from credstack.market.records import Emerging, Growth, MonthPoint

__all__ = [
    "INCOMPLETE_MONTH_SHARE",
    "Z95",
    "Periods",
    "add_months",
    "compare_periods",
    "emerging",
    "emerging_note",
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


def _compare(
    counts: Mapping[tuple[str, str], int],
    totals: Mapping[tuple[str, str], int],
    earlier: str,
    later: str,
) -> tuple[tuple[float, float, float] | None, str]:
    """Share ratio between two quarters over the sources with text in *both* (like with like), and a note."""

    def sources(quarter: str) -> set[str]:
        return {src for (src, m), n in totals.items() if n and quarter_of(m) == quarter}

    common = sources(earlier) & sources(later)
    if not common:
        if not sources(earlier):
            return None, f"no postings with text in {earlier}"
        return None, f"no source has postings with text in both {earlier} and {later}"

    def sums(quarter: str) -> tuple[int, int]:
        x = sum(n for (src, m), n in counts.items() if src in common and quarter_of(m) == quarter)
        t = sum(n for (src, m), n in totals.items() if src in common and quarter_of(m) == quarter)
        return x, t

    (x1, n1), (x2, n2) = sums(earlier), sums(later)
    note = ""
    if common != sources(later) or common != sources(earlier):
        note = f"{earlier} vs {later} compares {', '.join(sorted(common))} only (the sources present in both)"
    return ratio_interval(x1, n1, x2, n2), note


def growth(
    counts: Mapping[tuple[str, str], int],
    totals: Mapping[tuple[str, str], int],
    *,
    complete_quarters: Iterable[str] | None = None,
) -> Growth:
    """Quarter-on-quarter and year-on-year change of a skill's share of postings with text.

    ``counts`` and ``totals`` are keyed by ``(source, month)``: postings asking for the skill, and postings with
    text. The latest quarter with text (restricted to ``complete_quarters`` when given, so a half-collected quarter
    is not read as a fall) is compared with the quarter before it and with the same quarter a year earlier, each
    time over the sources with text in both quarters only, so that a change of sources is not read as a change of
    demand.
    """
    with_text = sorted({quarter_of(m) for (_src, m), n in totals.items() if n})
    if not with_text:
        return Growth(None, None, None, None, 0, note="no postings with text")
    wanted = set(complete_quarters) if complete_quarters is not None else None
    candidates = [q for q in with_text if wanted is None or q in wanted]
    latest = max(candidates or with_text)
    n_latest = sum(n for (_src, m), n in counts.items() if quarter_of(m) == latest)
    notes = []
    qoq_cmp, note = _compare(counts, totals, _previous_quarter(latest, 1), latest)
    notes.append(note)
    yoy_cmp, note = _compare(counts, totals, _previous_quarter(latest, 4), latest)
    notes.append(note)
    qoq = low = high = yoy = ylow = yhigh = None
    if qoq_cmp is not None:
        qoq, low, high = (v - 1 for v in qoq_cmp)
    else:
        notes[0] = notes[0] + ": no quarter-on-quarter change"
    if yoy_cmp is not None:
        yoy, ylow, yhigh = (v - 1 for v in yoy_cmp)
    else:
        notes[1] = notes[1] + ": no year-on-year change"
    return Growth(qoq, yoy, low, high, n_latest, latest, ylow, yhigh, "; ".join(n for n in notes if n))


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


#: A last month with fewer postings with text than this share of the median of the (up to six) months before it is
#: incomplete: the data stops during it (a file exported mid-month), so it is left out of the emerging comparison.
INCOMPLETE_MONTH_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Periods:
    """What an emerging-skills comparison compares: ``recent`` months (empty when there are too few months),
    ``earlier`` months, the ``sources`` with text in the recent months and the postings with text of those sources
    in each period; ``incomplete_month``: a last month left out, with its postings and the ``typical`` month's."""

    recent: tuple[str, ...]
    earlier: tuple[str, ...]
    sources: tuple[str, ...]
    recent_postings: int
    earlier_postings: int
    incomplete_month: str = ""
    incomplete_postings: int = 0
    typical_postings: int = 0


def compare_periods(totals: Mapping[tuple[str, str], int], window: int) -> Periods:
    """The last ``window`` months with text against the months before, from the recent months' sources only (a
    source that stopped before the window would otherwise stand in for the past). ``totals``: postings with text
    by (source, month). A last month with fewer than :data:`INCOMPLETE_MONTH_SHARE` of the typical month's
    postings is left out first: three months of which the last holds a few days would compare less than three."""
    per_month: dict[str, int] = defaultdict(int)
    for (_source, month), n in totals.items():
        per_month[month] += n
    months = sorted(m for m, n in per_month.items() if n > 0)
    incomplete, incomplete_n, typical = "", 0, 0
    if len(months) > 1:
        typical = round(statistics.median(per_month[m] for m in months[-7:-1]))
        if per_month[months[-1]] < INCOMPLETE_MONTH_SHARE * typical:
            incomplete, incomplete_n = months[-1], per_month[months[-1]]
            months = months[:-1]
    if len(months) <= window:
        return Periods((), tuple(months), (), 0, 0, incomplete, incomplete_n, typical)
    recent = months[-window:]
    sources = sorted({src for (src, m), n in totals.items() if m in recent and n > 0})
    earlier = sorted({m for (src, m), n in totals.items() if m < recent[0] and src in sources and n > 0})
    recent_n = sum(n for (src, m), n in totals.items() if m in recent)
    earlier_n = sum(n for (src, m), n in totals.items() if m in earlier and src in sources)
    return Periods(
        tuple(recent), tuple(earlier), tuple(sources), recent_n, earlier_n, incomplete, incomplete_n, typical
    )


def _span(months: tuple[str, ...]) -> str:
    return months[0] if len(months) == 1 else f"{months[0]} .. {months[-1]}"


def emerging_note(periods: Periods, found: int, tested: int, min_support: int) -> str:
    """In words, what an emerging-skills list stands on and, when it is short or empty, why."""
    left_out = (
        f" {periods.incomplete_month} is left out: {periods.incomplete_postings:,} postings with text against "
        f"{periods.typical_postings:,} in a typical month before it, so the data stops during that month."
        if periods.incomplete_month
        else ""
    )
    if not periods.recent or periods.earlier_postings == 0:
        months = len(periods.recent) + len(periods.earlier)
        return f"Too few months with posting text to compare periods ({months} month(s) with text).{left_out}"
    sources = ", ".join(periods.sources)
    return (
        f"{found} skill(s) rose significantly. The comparison stands on {periods.recent_postings:,} postings with "
        f"text in {_span(periods.recent)} against {periods.earlier_postings:,} in {_span(periods.earlier)}, from "
        f"the same source(s) ({sources}); {tested} skill(s) are asked for in at least {min_support} of the recent "
        f"postings, and a skill counts as rising only when the 95 % interval of its share ratio lies above 1."
        f"{left_out}"
    )
