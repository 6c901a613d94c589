"""``credstack plan --catalog FILE --learner FILE --target FILE [--minimize time|cost] [--json] [--time-limit S]``.

Plans the cheapest (in hours, or money with ``--minimize cost``) set of achievements that brings the learner to the
target's coverage, within the learner's budget, with :func:`credstack.planner.plan`; no database is needed. Output:
a table of the achievements in a valid order (prerequisites first), or with ``--json`` one object
``{"achievements", "total_hours", "total_cost", "coverage", "optimal"}``.

Exit status: 0 with a plan; 1 when no plan is feasible (the message names the binding constraint; with ``--json``
stdout also gets ``{"feasible": false, "constraint", "message"}``); 2 for unreadable or invalid files (the message
names the file and the JSON path of the bad value).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from credstack.cli import app
from credstack.cli._context import err, out
from credstack.errors import InvalidInputError

if TYPE_CHECKING:
    from credstack.planner import Objective, Plan

__all__ = ["plan", "read_json"]


def _no_duplicates(source: str) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            names = [name for name, _ in pairs]
            duplicate = next(name for name in names if names.count(name) > 1)
            raise InvalidInputError(f"{source}: duplicate member name {duplicate!r} in a JSON object")
        return result

    return hook


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def read_json(path: Path) -> Any:
    """The JSON value in ``path``; InvalidInputError naming the file when it cannot be read or parsed."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{path} is not UTF-8 (byte {exc.start})") from exc
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates(str(path)), parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{path} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
    except (ValueError, RecursionError) as exc:
        raise InvalidInputError(f"{path} is not valid JSON: {exc}") from exc


def _render(result: Plan) -> None:
    from rich.markup import escape
    from rich.table import Table

    from credstack.planner.solve import hours, money, percent
    from credstack.planner.units import as_decimal

    table = Table(title="Plan", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("achievement")
    table.add_column("hours", justify="right")
    table.add_column("cost", justify="right")
    weeks = result.weeks is not None
    if weeks:
        table.add_column("weeks", justify="right")
    table.add_column("covers", overflow="fold")
    for n, step in enumerate(result.steps, 1):
        row = [str(n), escape(step.achievement_id), f"{step.hours:g}", money(step.cost)]
        if weeks:
            row.append(
                f"{step.start_week:.2f}".rstrip("0").rstrip(".") + "-" + f"{step.end_week:.2f}".rstrip("0").rstrip(".")
            )
        row.append(escape(", ".join(step.covers)) or "-")
        table.add_row(*row)
    if result.steps:
        out.print(table)
    else:
        out.print("Nothing to take: the learner already reaches the coverage.")
    status = "proven optimal" if result.optimal else f"best found by {result.solver}, not proven optimal"
    out.print(
        f"total {hours(result.total_hours)}, cost {money(result.total_cost)}, coverage "
        f"{percent(as_decimal(round(result.coverage, 4)))}% ({status})"
    )


@app.command("plan")
def plan(
    catalog: Annotated[Path, typer.Option("--catalog", help="Catalog JSON: a list of achievements.")],
    learner: Annotated[Path, typer.Option("--learner", help="Learner JSON: skills, held achievements, budget.")],
    target: Annotated[Path, typer.Option("--target", help="Target JSON: weighted skills and the coverage to reach.")],
    minimize: Annotated[str, typer.Option("--minimize", help="time (hours) or cost; ties go to the other.")] = "time",
    json_output: Annotated[bool, typer.Option("--json", help="Print the plan as one JSON object.")] = False,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds the exact solver may spend.")] = 2.0,
) -> None:
    """Plan the achievements that close a learner's skills gap to a target (exit 1 when no plan is feasible)."""
    from credstack.planner import PlanOptions, parse_catalog, parse_learner, parse_target
    from credstack.planner import plan as make_plan

    if minimize not in ("time", "cost"):
        raise InvalidInputError(f"--minimize must be 'time' or 'cost', got {minimize!r}")
    if not time_limit > 0:
        raise InvalidInputError(f"--time-limit must be a positive number of seconds, got {time_limit:g}")
    achievements = parse_catalog(read_json(catalog), str(catalog))
    who = parse_learner(read_json(learner), str(learner))
    goal = parse_target(read_json(target), str(target))
    objective: Objective = "cost" if minimize == "cost" else "time"
    result = make_plan(achievements, who, goal, PlanOptions(minimize=objective, time_limit=time_limit))
    if result.plan is None:
        reason = result.infeasible
        constraint, message = (reason.constraint, reason.message) if reason else ("unknown", "no plan")
        if json_output:
            typer.echo(json.dumps({"feasible": False, "constraint": constraint, "message": message}))
        err.print(f"no plan: {message}", markup=False)
        raise SystemExit(1)
    if json_output:
        typer.echo(json.dumps(result.plan.to_json()))
    else:
        _render(result.plan)
