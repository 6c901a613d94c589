"""Server-rendered SVG charts for the /market pages (CSP-safe: no scripts, no inline styles; classes in style.css).

Every data point is one element with a ``data-point`` attribute (bars: ``rect``, lines: ``circle``), so a test can
count them; values are in ``<title>`` tooltips for readers and screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

__all__ = ["bar_chart", "line_chart"]

WIDTH = 640


def _f(x: float) -> str:
    return f"{x:.1f}"


def _ordinal(period: str) -> int:
    """``YYYY-Qn`` or ``YYYY-MM`` as a running number, so gaps between periods show as gaps."""
    if "-Q" in period:
        return int(period[:4]) * 4 + int(period[-1]) - 1
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def bar_chart(rows: Sequence[tuple[str, float, str]], *, fmt: str = "{:.1%}", testid: str = "bars") -> Markup:
    """Horizontal bars: ``(label, value, href or "")``, longest first as given."""
    if not rows:
        return Markup("")
    bar_h, gap, label_w = 18, 6, 250
    height = len(rows) * (bar_h + gap) + gap
    top = max(v for _, v, _ in rows) or 1.0
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" data-testid="{testid}" '
        f'aria-label="bar chart, {len(rows)} bars">'
    ]
    for i, (label, value, href) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(1.0, (WIDTH - label_w - 90) * value / top)
        text = escape(label if len(label) <= 38 else label[:37] + "…")
        name = f'<text class="chart-label" x="{label_w - 6}" y="{y + 13}" text-anchor="end">{text}</text>'
        parts.append(f'<a class="chart-link" href="{escape(href)}">{name}</a>' if href else name)
        parts.append(
            f'<rect class="chart-bar" data-point="{i}" x="{label_w}" y="{y}" width="{_f(w)}" height="{bar_h}">'
            f"<title>{escape(label)}: {escape(fmt.format(value))}</title></rect>"
        )
        parts.append(
            f'<text class="chart-value" x="{_f(label_w + w + 4)}" y="{y + 13}">{escape(fmt.format(value))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every label and value above is escaped


def line_chart(
    history: Sequence[tuple[str, float]],
    forecast: Sequence[dict[str, Any]] = (),
    *,
    fmt: str = "{:.3g}",
    testid: str = "line",
) -> Markup:
    """A line of ``(period, value)`` points, then forecast points (``period``, ``value``, ``low80``, ``high80``,
    ``low95``, ``high95``) dashed, inside their 95 % and 80 % bands. Periods are placed by date: the line breaks
    where periods are missing."""
    if not history:
        return Markup("")
    height, left, right, top_pad, bottom = 240, 56, 28, 12, 36
    n = len(history) + len(forecast)
    values = [v for _, v in history] + [p["value"] for p in forecast]
    values += [p["high95"] for p in forecast] + [p["low95"] for p in forecast]
    lo, hi = min(values), max(values)
    if hi == lo:
        hi, lo = hi + 1, lo - 1 if lo >= 1 else 0
    lo = min(lo, 0) if lo >= 0 and lo < (hi - lo) else lo

    labels = [p for p, _ in history] + [p["period"] for p in forecast]
    ordinals = [_ordinal(p) for p in labels]
    first, span = ordinals[0], max(1, ordinals[-1] - ordinals[0])

    def x(i: int) -> float:
        return left + (WIDTH - left - right) * ((ordinals[i] - first) / span)

    def y(v: float) -> float:
        return top_pad + (height - top_pad - bottom) * (1 - (v - lo) / (hi - lo))

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" data-testid="{testid}" '
        f'aria-label="line chart, {len(history)} observed and {len(forecast)} forecast points">'
    ]
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        parts.append(f'<line class="chart-grid" x1="{left}" x2="{WIDTH - right}" y1="{_f(y(v))}" y2="{_f(y(v))}"/>')
        parts.append(
            f'<text class="chart-axis" x="{left - 4}" y="{_f(y(v) + 4)}" text-anchor="end">'
            f"{escape(fmt.format(v))}</text>"
        )
    placed = -1e9  # x of the last axis label drawn: labels keep 64 px apart
    for i in range(n):
        if x(i) - placed < 64:
            continue
        placed = x(i)
        parts.append(
            f'<text class="chart-axis" x="{_f(x(i))}" y="{height - 14}" text-anchor="middle">{escape(labels[i])}</text>'
        )
    if forecast:
        start = len(history) - 1
        anchor = (start, history[-1][1])
        for band, low, high in (("chart-band95", "low95", "high95"), ("chart-band80", "low80", "high80")):
            upper = [(_f(x(anchor[0])), _f(y(anchor[1])))] + [
                (_f(x(start + 1 + j)), _f(y(p[high]))) for j, p in enumerate(forecast)
            ]
            lower = [(_f(x(start + 1 + j)), _f(y(p[low]))) for j, p in enumerate(forecast)][::-1]
            lower.append((_f(x(anchor[0])), _f(y(anchor[1]))))
            points = " ".join(f"{a},{b}" for a, b in upper + lower)
            parts.append(f'<polygon class="{band}" points="{points}"/>')
        line = [f"{_f(x(start))},{_f(y(anchor[1]))}"] + [
            f"{_f(x(start + 1 + j))},{_f(y(p['value']))}" for j, p in enumerate(forecast)
        ]
        parts.append(f'<polyline class="chart-forecast" points="{" ".join(line)}"/>')
    runs: list[list[str]] = [[]]
    for i, (_, v) in enumerate(history):
        if i and ordinals[i] - ordinals[i - 1] > 1:
            runs.append([])
        runs[-1].append(f"{_f(x(i))},{_f(y(v))}")
    for run in runs:
        parts.append(f'<polyline class="chart-line" points="{" ".join(run)}"/>')
    for i, (period, v) in enumerate(history):
        parts.append(
            f'<circle class="chart-dot" data-point="{i}" cx="{_f(x(i))}" cy="{_f(y(v))}" r="3">'
            f"<title>{escape(period)}: {escape(fmt.format(v))}</title></circle>"
        )
    for j, p in enumerate(forecast):
        i = len(history) + j
        low, high = fmt.format(p["low80"]), fmt.format(p["high80"])
        tip = f"{p['period']} forecast {fmt.format(p['value'])} (80 %: {low} to {high})"
        parts.append(
            f'<circle class="chart-dot chart-dot-forecast" data-point="{i}" data-forecast="1" cx="{_f(x(i))}" '
            f'cy="{_f(y(p["value"]))}" r="3"><title>{escape(tip)}</title></circle>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every label and value above is escaped
