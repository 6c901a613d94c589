"""``credstack plan``: the pathway planner, on plain files or over the database (docs/planner.md).

- ``credstack plan --learner L --target T [--minimize time|cost] [--budget B] [--hours-per-week H] [--json]``: over
  the database (the learner's verified credentials and claims, the catalog; T is an ESCO occupation URI, id, code
  or label, ``role:ID`` or ``@posting.txt``). ``credstack plan suggest --learner L`` and ``credstack plan audit
  --learner L [--target T]`` suggest targets and run the quarterly audit.
- ``credstack plan --catalog FILE --learner FILE --target FILE [--minimize time|cost] [--json] [--time-limit S]``
  (file mode, chosen by ``--catalog``): plans the cheapest (in hours, or money with ``--minimize cost``) set of
  achievements that brings the learner to the target's coverage, within the learner's budget, with
  :func:`credstack.planner.plan`; no database is needed. Output: a table of the achievements in a valid order, or
  with ``--json`` one object ``{"achievements", "total_hours", "total_cost", "coverage", "optimal"}``.

Exit status: 0 with a plan; 1 when no plan is feasible (the message names the binding constraint; with ``--json``
stdout also gets ``{"feasible": false, "constraint", "message"}``); 2 for bad input (for files, the message names the
file and the JSON path of the bad value).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from credstack.cli import app
from credstack.cli._context import err, open_app, out
from credstack.errors import InvalidInputError

if TYPE_CHECKING:
    from credstack.planner import Objective, Plan

__all__ = ["plan", "plan_app", "read_json"]


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


plan_app = typer.Typer(
    name="plan",
    help="The pathway planner: a plan to a target role (over the database, or on JSON files with --catalog), "
    "target suggestions and the quarterly skills audit.",
    invoke_without_command=True,
)
app.add_typer(plan_app)


def _target(value: str) -> tuple[str, str | None]:
    """``@file`` -> (file name, posting text); anything else -> (value, None)."""
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInputError(f"cannot read the job posting {path}: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise InvalidInputError(f"{path} is not UTF-8 (byte {exc.start})") from exc
        return path.name, text
    return value, None


@plan_app.callback()
def plan(
    ctx: typer.Context,
    catalog: Annotated[
        Path | None, typer.Option("--catalog", help="File mode: catalog JSON (a list of achievements).")
    ] = None,
    learner: Annotated[
        str | None, typer.Option("--learner", help="The learner (e-mail or DID); in file mode a learner JSON file.")
    ] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", help="ESCO occupation, role:ID or @posting.txt; in file mode a target JSON file."),
    ] = None,
    minimize: Annotated[str, typer.Option("--minimize", help="time (hours) or cost; ties go to the other.")] = "time",
    budget: Annotated[float | None, typer.Option("--budget", help="Most the plan may cost.", min=0)] = None,
    hours_per_week: Annotated[
        float | None, typer.Option("--hours-per-week", help="Study pace: gives the week-by-week schedule.", min=0.1)
    ] = None,
    coverage: Annotated[
        float, typer.Option("--coverage", help="Share of the target's weight to reach (0-1).", min=0, max=1)
    ] = 0.9,
    language: Annotated[list[str] | None, typer.Option("--language", help="Accept only this language.")] = None,
    delivery: Annotated[list[str] | None, typer.Option("--format", help="Accept only this delivery format.")] = None,
    provider: Annotated[list[str] | None, typer.Option("--provider", help="Accept only this provider.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the plan as one JSON object.")] = False,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds the exact solver may spend.")] = 2.0,
) -> None:
    """Plan the achievements that close a learner's skills gap to a target (exit 1 when no plan is feasible)."""
    if ctx.invoked_subcommand is not None:
        return
    if minimize not in ("time", "cost"):
        raise InvalidInputError(f"--minimize must be 'time' or 'cost', got {minimize!r}")
    if not time_limit > 0:
        raise InvalidInputError(f"--time-limit must be a positive number of seconds, got {time_limit:g}")
    if learner is None or target is None:
        raise InvalidInputError("give --learner and --target (and --catalog for file mode); see credstack plan --help")
    if catalog is not None:
        _file_mode(catalog, Path(learner), Path(target), minimize, json_output, time_limit)
        return
    from credstack.cli._skills_index import load_linker

    ref, posting = _target(target)
    with open_app() as cs:
        cs.planner.linker = load_linker
        report = cs.planner.plan(
            learner,
            ref,
            posting=posting,
            minimize=minimize,
            budget=budget,
            hours_per_week=hours_per_week,
            coverage=coverage,
            languages=language or (),
            formats=delivery or (),
            providers=provider or (),
            time_limit=time_limit,
        )
    data = report.to_json()
    if json_output:
        typer.echo(json.dumps(data, ensure_ascii=False))
    else:
        _render_report(data)
    if not data["feasible"]:
        err.print(f"no plan: {data['message']}", markup=False)
        raise SystemExit(1)


def _file_mode(catalog: Path, learner: Path, target: Path, minimize: str, json_output: bool, time_limit: float) -> None:
    from credstack.planner import PlanOptions, parse_catalog, parse_learner, parse_target
    from credstack.planner import plan as make_plan

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


def _render_report(data: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from credstack.planner.gap import rows_to_show

    target, gap = data["target"], data["gap"]
    out.print(f"[bold]{escape(data['learner'])}[/] -> [bold]{escape(target['name'])}[/] ({target['kind']})")
    out.print(escape(gap["summary"]))
    table = Table(title="Gap (skills with evidence first, then the most important missing)", title_justify="left")
    for column in ("skill", "required", "current", "weight", "status"):
        table.add_column(column, justify="right" if column in ("required", "current", "weight") else "left")
    for item in rows_to_show(gap["skills"], 15):
        status = (
            item["status"] + (" (aged)" if item["aged"] else "") + (" (self-declared)" if item["selfDeclared"] else "")
        )
        table.add_row(
            escape(item["label"]), f"{item['required']:g}", f"{item['current']:.2f}", f"{item['weight']:.2f}", status
        )
    out.print(table)
    plan = data.get("plan")
    if plan is not None:
        steps = Table(title="Plan", title_justify="left")
        for column in ("#", "credential", "hours", "cost", "weeks", "why"):
            steps.add_column(column, justify="right" if column in ("#", "hours", "cost") else "left", overflow="fold")
        why = {e["achievement"]: e["why"] for e in plan["explanations"]}
        for n, step in enumerate(plan["steps"], 1):
            weeks = "" if step["startWeek"] is None else f"{step['startWeek']:.1f}-{step['endWeek']:.1f}"
            steps.add_row(
                str(n),
                escape(f"{step['name']} ({step['achievement']})"),
                f"{step['hours']:g}",
                step.get("costText") or f"{step['cost']:,.2f}",
                weeks,
                escape(why.get(step["achievement"], "")),
            )
        out.print(steps)
        status = "proven optimal" if plan["optimal"] else f"best found by {plan['solver']}, not proven optimal"
        weeks = f", {plan['weeks']:.1f} weeks" if plan["weeks"] is not None else ""
        out.print(
            f"total {plan['total_hours']:g} hours, cost {plan.get('costText') or format(plan['total_cost'], ',.2f')}"
            f"{weeks}, coverage "
            f"{plan['coverage']:.1%} ({status})"
        )
        for m in plan["milestones"]:
            out.print(f"milestone: {escape(m['name'])} completes after step {m['step']}")
        for r in plan.get("stacksInReach") or ():
            out.print(
                f"within reach: {escape(r['name'])}: {escape(', '.join(r['missingNames']))} would complete it "
                f"(+{r['hours']:g} hours, +{r['costText']})"
            )
        for what in data.get("whatIfs") or ():
            if what.get("weeksSaved") is not None:
                out.print(f"what if: {what['what']}: {what['weeks']:g} weeks ({what['weeksSaved']:g} fewer)")
            elif what.get("totalCost") is not None:
                cost = what.get("costText") or f"{what['totalCost']:,.2f}"
                out.print(f"what if: {what['what']}: {what['totalHours']:g} hours, cost {cost}")
        alternative = data.get("alternative")
        if alternative:
            out.print(
                f"next best: without {escape(alternative.get('withoutName') or alternative['without'])}: "
                f"{alternative['totalHours']:g} hours, "
                f"cost {alternative.get('costText') or format(alternative['totalCost'], ',.2f')}"
            )
    for note in data["notes"]:
        out.print(f"note: {escape(note)}")


@plan_app.command("suggest")
def suggest(
    learner: Annotated[str, typer.Option("--learner", help="The learner (e-mail or DID).")],
    limit: Annotated[int, typer.Option("--limit", help="How many occupations.", min=1, max=50)] = 10,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Occupations close to the learner's verified skills, ranked by closeness and outlook, with their gap."""
    from rich.markup import escape
    from rich.table import Table

    with open_app() as cs:
        found, notes = cs.planner.suggest(learner, limit=limit)
    if json_output:
        typer.echo(json.dumps({"learner": learner, "suggestions": [s.to_json() for s in found], "notes": notes}))
        return
    table = Table(title="Suggested targets", title_justify="left")
    for column in ("occupation", "closeness", "gap", "score", "outlook"):
        table.add_column(column)
    for s in found:
        look = s.outlook or {}
        outlook = "" if not look else f"growth {look.get('growthPct')}%, median wage {look.get('medianWage')}"
        table.add_row(escape(s.label), f"{s.closeness:.1%}", f"{s.gap:.1%}", f"{s.score:.3f}", escape(outlook))
    out.print(table)
    for note in notes:
        out.print(f"note: {escape(note)}")


@plan_app.command("audit")
def audit(
    learner: Annotated[str, typer.Option("--learner", help="The learner (e-mail or DID).")],
    target: Annotated[str | None, typer.Option("--target", help="ESCO occupation or role:ID to audit against.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The quarterly skills audit: decaying skills, expiring credentials, newly in-demand skills, refreshers."""
    from rich.markup import escape

    with open_app() as cs:
        report = cs.planner.audit(learner, target=target)
    data = report.to_json()
    if json_output:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    out.print(f"[bold]Quarterly skills audit[/] for {escape(learner)} as of {data['at'][:10]}")
    for d in data["decaying"]:
        out.print(f"decaying: {escape(d['label'])}: level {d['level']:.2f} -> {d['nextQuarter']:.2f} ({d['status']})")
    for c in data["expiring"]:
        out.print(f"expiring: {escape(c['name'])} on {c['validUntil'][:10]}")
    for s in data["inDemand"]:
        out.print(f"in demand: {escape(s['label'])} (+{s['yoy']:.0%} a year){'' if s['have'] else ' - not held'}")
    for r in data["refreshers"]:
        out.print(f"refresher: {escape(r['label'])} -> {escape(r['name'])} ({r['achievement']}, {r['hours']:g} h)")
    if not (data["decaying"] or data["expiring"] or data["inDemand"]):
        out.print("nothing to act on this quarter")
    for note in data["notes"]:
        out.print(f"note: {escape(note)}")


@plan_app.command("declare")
def declare(
    learner: Annotated[str, typer.Option("--learner", help="The learner (e-mail or DID).")],
    skill: Annotated[str, typer.Option("--skill", help="An ESCO skill: URI, id or code.")],
    level: Annotated[float, typer.Option("--level", help="Proficiency 1-4 (4: expert).", min=0.1, max=4)],
    assessment: Annotated[
        bool, typer.Option("--assessment", help="An assessment result (trusted more than a self-declaration).")
    ] = False,
    note: Annotated[str, typer.Option("--note", help="Where the skill comes from.")] = "",
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Record a self-declared skill (or with --assessment an assessment result) for a learner."""
    with open_app() as cs:
        claim = cs.planner.declare_skill(
            learner, skill, level, source="assessment" if assessment else "self", note=note
        )
    if json_output:
        typer.echo(json.dumps(claim.to_json()))
    else:
        kind = "assessment result" if assessment else "self-declared skill"
        out.print(f"recorded {kind}: {claim.skill_uri} at level {claim.level:g} for {claim.learner}", markup=False)
