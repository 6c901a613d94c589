"""The planner page: ``/planner?learner=...&target=...`` shows the skills gap as a bar chart (aged skills marked), the
plan as a week-by-week timeline with stack milestones, why each credential is there, and the "5 more hours a week"
what-if. ``/planner.json`` (same parameters) is its JSON twin, identical to ``GET /api/planner/plan``.

Charts are server-rendered inline SVG (no script, CSP-safe); the geometry is computed here, the template only draws.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from credstack.web.deps import CredstackDep, templates

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

BAR_ROWS = 20
CHART_WIDTH = 360
ROW = 22
DEFAULT_PACE = 10.0


def _report(
    cs: Any, learner: str, target: str, minimize: str, budget: float | None, hours_per_week: float | None
) -> dict[str, Any]:
    report = cs.planner.plan(
        learner, target, minimize=minimize, budget=budget, hours_per_week=hours_per_week or DEFAULT_PACE
    )
    data: dict[str, Any] = report.to_json()
    return data


def gap_chart(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows of the gap chart: the required level as an outline, the current level as a filled bar (0-4 scale)."""
    scale = CHART_WIDTH / 4
    rows = []
    for n, item in enumerate(items[:BAR_ROWS]):
        rows.append(
            {
                "y": n * ROW,
                "label": item["label"],
                "required": round(item["required"] * scale, 1),
                "current": round(min(4.0, item["current"]) * scale, 1),
                "status": item["status"],
                "aged": item["aged"],
                "selfDeclared": item["selfDeclared"],
                "title": f"{item['label']}: {item['current']:.2f} of {item['required']:g} needed"
                + (" (aged)" if item["aged"] else "")
                + (" (self-declared)" if item["selfDeclared"] else ""),
            }
        )
    return {"rows": rows, "height": max(ROW, len(rows) * ROW), "width": CHART_WIDTH, "shown": len(rows)}


def timeline(plan: dict[str, Any]) -> dict[str, Any]:
    """Bars from each step's start week to its end week, milestones as markers after the step that completes them."""
    weeks = plan.get("weeks") or 0.0
    scale = CHART_WIDTH / weeks if weeks else 0.0
    bars = []
    for n, step in enumerate(plan["steps"]):
        start, end = step.get("startWeek") or 0.0, step.get("endWeek") or 0.0
        bars.append(
            {
                "y": n * ROW,
                "x": round(start * scale, 1),
                "width": max(2.0, round((end - start) * scale, 1)),
                "name": step["name"],
                "weeks": f"weeks {start:.1f}-{end:.1f}",
            }
        )
    marks = [
        {"x": round((m["week"] or 0) * scale, 1), "y": (m["step"] - 1) * ROW, "name": m["name"]}
        for m in plan.get("milestones", [])
    ]
    step = next((k for k in (1, 2, 5, 10, 20, 50, 100) if weeks / k <= 10), 200)
    ticks = [{"x": round(w * scale, 1), "label": str(w)} for w in range(0, int(weeks) + 1, step)] if weeks else []
    height = max(ROW, len(bars) * ROW)
    return {"bars": bars, "marks": marks, "ticks": ticks, "height": height, "width": CHART_WIDTH, "weeks": weeks}


@router.get("/planner", response_class=HTMLResponse)
def planner_page(
    request: Request,
    cs: CredstackDep,
    learner: Annotated[str, Query(max_length=500)] = "",
    target: Annotated[str, Query(max_length=300)] = "",
    minimize: Annotated[str, Query(pattern="^(time|cost)$")] = "time",
    budget: Annotated[float | None, Query(ge=0)] = None,
    hours_per_week: Annotated[float | None, Query(gt=0, le=168)] = None,
) -> HTMLResponse:
    form = {
        "learner": learner,
        "target": target,
        "minimize": minimize,
        "budget": budget,
        "hours_per_week": hours_per_week or DEFAULT_PACE,
    }
    context: dict[str, Any] = {"nav": "planner", "form": form, "data": None}
    if learner.strip() and target.strip():
        data = _report(cs, learner, target, minimize, budget, hours_per_week)
        params = {k: v for k, v in form.items() if v not in (None, "")}
        faster = {**params, "hours_per_week": f"{(hours_per_week or DEFAULT_PACE) + 5:g}"}
        context.update(
            data=data,
            gap=gap_chart(data["gap"]["skills"]),
            timeline=timeline(data["plan"]) if data.get("plan") else None,
            json_url="/planner.json?" + urlencode(params),
            faster_url="/planner?" + urlencode(faster),
        )
    return templates.TemplateResponse(request, "planner.html", context)


@router.get("/planner.json")
def planner_json(
    cs: CredstackDep,
    learner: Annotated[str, Query(min_length=1, max_length=500)],
    target: Annotated[str, Query(min_length=1, max_length=300)],
    minimize: Annotated[str, Query(pattern="^(time|cost)$")] = "time",
    budget: Annotated[float | None, Query(ge=0)] = None,
    hours_per_week: Annotated[float | None, Query(gt=0, le=168)] = None,
) -> JSONResponse:
    return JSONResponse(_report(cs, learner, target, minimize, budget, hours_per_week))
