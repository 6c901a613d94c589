"""The planner page: ``/planner?learner=...&target=...`` shows the skills gap as a bar chart (aged skills marked), the
plan as a week-by-week timeline with stack milestones, why each credential is there, and the "5 more hours a week"
what-if. ``/planner.json`` (same parameters) is its JSON twin, identical to ``GET /api/planner/plan``.

A learner's plan is private: the signed-in learner sees their own (``learner`` defaults to their e-mail address and
must be one of their recipient identifiers), a platform admin anyone's; everyone else gets the 403 page. Picking a
target: ``/planner?q=...`` searches ESCO occupations by label (the taxonomy search), each hit links to the plan for
it; ``POST /planner`` (signed in, CSRF) plans against a pasted job posting. For the learner whose page it is, the
page also lists target suggestions (each a link to its plan) and the quarterly skills audit.

Charts are server-rendered inline SVG (no script, CSP-safe); the geometry is computed here, the template only draws.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from credstack.errors import CredstackError
from credstack.planner.gap import rows_to_show
from credstack.services.accounts import WebSession
from credstack.web.deps import CredstackDep, templates
from credstack.web.session import check_csrf, current_session, require_learner, sign_in_redirect

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

BAR_ROWS = 20
CHART_WIDTH = 360
ROW = 22
DEFAULT_PACE = 10.0


def _report(
    cs: Any,
    learner: str,
    target: str,
    minimize: str,
    budget: float | None,
    hours_per_week: float | None,
    posting: str | None = None,
) -> dict[str, Any]:
    report = cs.planner.plan(
        learner,
        target,
        posting=posting,
        minimize=minimize,
        budget=budget,
        hours_per_week=hours_per_week or DEFAULT_PACE,
    )
    data: dict[str, Any] = report.to_json()
    return data


def gap_chart(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Rows of the gap chart: the required level as an outline, the current (decayed) level as a filled bar (0-4
    scale), the skills with evidence first (partial, then met), then the most important missing ones
    (:func:`credstack.planner.gap.rows_to_show`)."""
    scale = CHART_WIDTH / 4
    rows = []
    for n, item in enumerate(rows_to_show(items, BAR_ROWS)):
        credited = item.get("credited", item["current"])
        counted = f" (counts as {credited:.2f}: the evidence is not aged)" if credited > item["current"] + 0.005 else ""
        rows.append(
            {
                "y": n * ROW,
                "label": item["label"],
                "required": round(item["required"] * scale, 1),
                "current": round(min(4.0, item["current"]) * scale, 1),
                "status": item["status"],
                "mark": {"met": "met", "partial": "partial"}.get(item["status"], ""),
                "aged": item["aged"],
                "selfDeclared": item["selfDeclared"],
                "title": f"{item['label']}: {item['current']:.2f} of {item['required']:g} needed, {item['status']}"
                + counted
                + (" (aged)" if item["aged"] else "")
                + (" (self-declared)" if item["selfDeclared"] else ""),
            }
        )
    counts = {s: sum(1 for i in items if i["status"] == s) for s in ("met", "partial", "missing")}
    return {
        "rows": rows,
        "height": max(ROW, len(rows) * ROW),
        "width": CHART_WIDTH,
        "shown": len(rows),
        "counts": counts,
        "missingShown": sum(1 for r in rows if r["status"] == "missing"),
    }


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


SUGGESTIONS = 5


def _insights(cs: Any, learner: str, target: str | None, pace: float, own: str) -> dict[str, Any]:
    """Target suggestions (occupations close to the learner's verified skills, each a link to its plan) and the
    quarterly skills audit (against ``target`` when it is an occupation or role; a posting has no stored target),
    as ``credstack plan suggest`` / ``audit`` and ``GET /api/planner/suggestions`` / ``audit`` give them."""
    found, notes = cs.planner.suggest(learner, limit=SUGGESTIONS)
    keep = {"hours_per_week": f"{pace:g}", **({"learner": learner} if learner != own else {})}
    suggestions = [
        {**s.to_json(), "url": "/planner?" + urlencode({"target": s.occupation, **keep})}
        for s in found
        if s.occupation != target
    ]
    try:
        audit = cs.planner.audit(learner, target=target).to_json()
    except CredstackError:  # an unknown target: the plan says so; the audit runs without it
        audit = cs.planner.audit(learner).to_json()
    return {"suggestions": suggestions, "suggestion_notes": notes, "audit": audit}


NO_STORE = {"Cache-Control": "no-store"}
SEARCH_HITS = 12


def _occupations(cs: Any, q: str) -> list[Any] | None:
    """ESCO occupations whose labels match ``q`` (the taxonomy search), or None without a query."""
    if not q.strip():
        return None
    try:
        return [h for h in cs.taxonomy.search(q, kind="occupation", limit=SEARCH_HITS) if h.scheme == "esco"]
    except CredstackError:  # no taxonomy loaded: the page says there is nothing to pick from
        return []


def _context(web: WebSession | None, form: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "nav": "planner",
        "web": web,
        "csrf": web.csrf_token if web else None,
        "form": form,
        "data": None,
        "hits": None,
        "q": "",
        "posting": None,
        "suggestions": None,
        "suggestion_notes": [],
        "audit": None,
        **extra,
    }


def _page(request: Request, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, "planner.html", context, status_code=status, headers=NO_STORE)


@router.get("/planner", response_class=HTMLResponse)
def planner_page(
    request: Request,
    cs: CredstackDep,
    learner: Annotated[str, Query(max_length=500)] = "",
    target: Annotated[str, Query(max_length=300)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    minimize: Annotated[str, Query(pattern="^(time|cost)$")] = "time",
    budget: Annotated[float | None, Query(ge=0)] = None,
    hours_per_week: Annotated[float | None, Query(gt=0, le=168)] = None,
) -> HTMLResponse:
    web = current_session(request, cs)
    own = web.person.email if web else ""
    learner = learner.strip() or own
    form = {
        "learner": learner,
        "target": target,
        "minimize": minimize,
        "budget": budget,
        "hours_per_week": hours_per_week or DEFAULT_PACE,
    }
    context = _context(web, form, q=q, hits=_occupations(cs, q))
    if learner and (target.strip() or web is not None):
        require_learner(request, cs, learner)
        context.update(_insights(cs, learner, target.strip() or None, hours_per_week or DEFAULT_PACE, own))
    if learner and target.strip():
        data = _report(cs, learner, target, minimize, budget, hours_per_week)
        params = {k: v for k, v in form.items() if v not in (None, "") and not (k == "learner" and v == own)}
        faster = {**params, "hours_per_week": f"{(hours_per_week or DEFAULT_PACE) + 5:g}"}
        context.update(
            data=data,
            gap=gap_chart(data["gap"]["skills"]),
            timeline=timeline(data["plan"]) if data.get("plan") else None,
            json_url="/planner.json?" + urlencode(params),
            faster_url="/planner?" + urlencode(faster),
        )
    return _page(request, context)


@router.post("/planner", response_class=HTMLResponse)
def planner_posting(
    request: Request,
    cs: CredstackDep,
    posting: Annotated[str, Form(max_length=100_000)],
    csrf_token: Annotated[str | None, Form()] = None,
    title: Annotated[str, Form(max_length=300)] = "",
    minimize: Annotated[str, Form(pattern="^(time|cost)$")] = "time",
    budget: Annotated[float | None, Form(ge=0)] = None,
    hours_per_week: Annotated[float | None, Form(gt=0, le=168)] = None,
) -> Response:
    """A plan for the signed-in learner against a pasted job posting (the what-if re-posts the same text)."""
    web = current_session(request, cs)
    if web is None:
        return sign_in_redirect(request)
    check_csrf(web, csrf_token)
    name = title.strip() or "the job posting"
    form = {
        "learner": web.person.email,
        "target": name,
        "minimize": minimize,
        "budget": budget,
        "hours_per_week": hours_per_week or DEFAULT_PACE,
    }
    data = _report(cs, web.person.email, name, minimize, budget, hours_per_week, posting=posting)
    context = _context(
        web,
        form,
        **_insights(cs, web.person.email, None, hours_per_week or DEFAULT_PACE, web.person.email),
        data=data,
        posting=posting,
        faster_hours=f"{(hours_per_week or DEFAULT_PACE) + 5:g}",
        gap=gap_chart(data["gap"]["skills"]),
        timeline=timeline(data["plan"]) if data.get("plan") else None,
    )
    return _page(request, context)


@router.get("/planner.json")
def planner_json(
    request: Request,
    cs: CredstackDep,
    target: Annotated[str, Query(min_length=1, max_length=300)],
    learner: Annotated[str, Query(max_length=500)] = "",
    minimize: Annotated[str, Query(pattern="^(time|cost)$")] = "time",
    budget: Annotated[float | None, Query(ge=0)] = None,
    hours_per_week: Annotated[float | None, Query(gt=0, le=168)] = None,
) -> JSONResponse:
    web = current_session(request, cs)
    learner = learner.strip() or (web.person.email if web else "")
    require_learner(request, cs, learner)
    return JSONResponse(_report(cs, learner, target, minimize, budget, hours_per_week), headers=NO_STORE)
