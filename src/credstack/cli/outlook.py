"""``credstack outlook occupation|forecast|value|backtest``: where occupations and skills are heading.

Each command calls :class:`credstack.services.outlook.OutlookService` (docs/market.md) and renders text or, with
``--json``, one JSON document. Every figure names its source.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape

from credstack.cli import app
from credstack.cli._context import open_app, out
from credstack.errors import InvalidInputError, NotFoundError

__all__ = ["outlook_app"]

outlook_app = typer.Typer(
    name="outlook",
    help="Occupation outlook (BLS projections blended with posting momentum), demand forecasts, market value.",
    no_args_is_help=True,
)
app.add_typer(outlook_app)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _pct(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{100 * value:+.{digits}f} %"


@outlook_app.command("occupation")
def occupation(
    code: Annotated[str, typer.Argument(help="SOC (15-1252), O*NET-SOC (15-1252.00) or ESCO occupation URI.")],
    as_json: JsonOption = False,
) -> None:
    """BLS 2024-34 projection, OEWS wage, Bright Outlook, posting momentum and the blended outlook."""
    with open_app(require_schema=False) as credstack:
        found = credstack.outlook.occupation_outlook(code)
    if found is None:
        raise NotFoundError(f"BLS projects no occupation {code!r} (detailed SOC codes such as 15-1252 only)")
    if as_json:
        _json(found.to_json())
        return
    o = found
    out.print(f"[bold]{escape(o.title)}[/bold]  SOC {o.soc}" + (f"  ({escape(o.mapping)})" if o.mapping else ""))
    out.print(f"  employment 2024: {o.employment:,}  ->  2034: {o.employment_2034:,}  ({o.growth_pct:+.1f} %)")
    out.print(f"  openings per year: {o.openings_per_year:,}")
    wage = f"{o.median_wage:,} USD" if o.median_wage else "n/a"
    bright = "yes (" + ", ".join(o.bright_categories) + ")" if o.bright_outlook else "no"
    out.print(f"  median annual wage: {wage}   Bright Outlook: {bright}")
    m = o.momentum
    if m.value is None:
        out.print(f"  momentum: n/a ({escape(m.note)})")
    else:
        out.print(
            f"  momentum: {_pct(m.value)} vs all sectors ({escape(m.series)} postings {_pct(m.sector_yoy)} year on "
            f"year to {m.as_of}, all sectors {_pct(m.market_yoy)})"
        )
    out.print(f"  blended outlook: {o.blended_outlook:+.2f} % a year (BLS alone {o.long_run_annual_pct:+.2f} %)")
    for note in o.notes:
        out.print(f"  note: {escape(note)}")
    out.print("  sources: " + escape("; ".join(o.sources)))


def _print_forecast(title: str, unit: str, data: dict[str, Any], scale: float = 1.0, suffix: str = "") -> None:
    out.print(f"[bold]{escape(title)}[/bold] ({escape(unit)})")
    history = data["history"]
    if history:
        tail = ", ".join(f"{h['period']} {h['value'] * scale:.4g}{suffix}" for h in history[-4:])
        out.print(f"  last quarters: {tail}")
    if not data["forecast"]:
        out.print(f"  no forecast: {escape(data['note'])}")
    for p in data["forecast"]:
        out.print(
            f"  {p['period']}: {p['value'] * scale:.4g}{suffix}  80 % [{p['low80'] * scale:.4g}, "
            f"{p['high80'] * scale:.4g}]  95 % [{p['low95'] * scale:.4g}, {p['high95'] * scale:.4g}]"
        )
    b = data["backtest"]
    if b["mase_model"] is not None:
        out.print(
            f"  backtest ({b['origins']} origins, {b['forecasts']} forecasts): MASE {b['mase_model']:.3f} vs "
            f"seasonal naive {b['mase_naive']:.3f}; sMAPE {b['smape_model']:.1f} % vs {b['smape_naive']:.1f} %"
        )


@outlook_app.command("forecast")
def forecast(
    skill: Annotated[
        str | None, typer.Option("--skill", help="Skill URI, ESCO id or a label seen in postings.")
    ] = None,
    occupation: Annotated[
        str | None, typer.Option("--occupation", help="SOC, O*NET-SOC code or ESCO occupation URI.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The next four quarters with 80 % and 95 % intervals, and the backtest against seasonal naive."""
    if (skill is None) == (occupation is None):
        raise InvalidInputError("give exactly one of --skill or --occupation")
    with open_app() as credstack:
        if skill is not None:
            result = credstack.outlook.forecast_skill(skill)
            if as_json:
                _json(result.to_json())
                return
            _print_forecast(
                f"{result.label} <{result.uri}>", "share of postings with text", result.to_json(), 100, " %"
            )
            for note in result.notes:
                if not note.startswith("not forecast:"):  # said above
                    out.print(f"  note: {escape(note)}")
            out.print("  source: " + escape("; ".join(result.sources)))
            return
        series = credstack.outlook.forecast_occupation(occupation or "")
    if as_json:
        _json({"occupation": occupation, "series": [s.to_json() for s in series]})
        return
    if not series:
        out.print("no demand series covers this occupation")
    for s in series:
        _print_forecast(s.series, s.unit, s.to_json())
        for note in s.notes:
            out.print(f"  note: {escape(note)}")
        out.print(f"  source: {escape(s.source)}")


@outlook_app.command("value")
def value(
    entry: Annotated[str, typer.Argument(help="A catalog id from `credstack catalog search`.")],
    as_json: JsonOption = False,
) -> None:
    """A credential's market value: the demand-weighted share of in-demand skills it teaches (0..1)."""
    with open_app() as credstack:
        result = credstack.outlook.entry_value(entry)
    if as_json:
        _json({"entry": entry, **result.to_json()})
        return
    out.print(f"market value {result.score:.2f} (basis: {result.basis}; {result.rated} of {result.total} skills rated)")
    for s in result.top_skills:
        detail = (
            f"{s.postings:,} postings, share {100 * s.share:.2f} %" if s.basis == "postings" else "occupation outlook"
        )
        out.print(f"  {s.demand or 0:.2f}  {escape(s.label)}  ({detail})")
    if result.note:
        out.print(f"  note: {escape(result.note)}")


@outlook_app.command("backtest")
def backtest(as_json: JsonOption = False) -> None:
    """Rolling-origin backtest of the forecast model against seasonal naive on the shipped Indeed series."""
    with open_app(require_schema=False) as credstack:
        report = credstack.outlook.backtests()
    if as_json:
        _json(report)
        return
    p = report["pooled"]
    out.print(
        f"{report['seriesScored']} series, horizon {report['horizon']} quarters: MASE {p['mase_model']:.3f} "
        f"(seasonal naive {p['mase_naive']:.3f}), sMAPE {p['smape_model']:.1f} % ({p['smape_naive']:.1f} %); "
        f"model better on {report['modelBetterOn']} of {report['seriesScored']} series"
    )
    out.print("source: " + escape(report["source"]))
