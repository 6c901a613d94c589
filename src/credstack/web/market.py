"""Web pages of the job market: ``/market`` (overview), ``/market/skills/{ref}`` (a skill's demand over time with
its forecast) and ``/market/occupations/{code}`` (outlook, demand forecasts, skills asked vs ESCO essential).

Each has a ``.json`` twin with the same data. Handlers call one method of ``cs.outlook.views`` and render; charts
are inline SVG built in :mod:`credstack.web.market_charts`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from credstack.web.deps import CredstackDep, templates
from credstack.web.market_charts import bar_chart, line_chart

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _page(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"nav": "market", **context})


def _skill_href(uri: str) -> str:
    return "/market/skills/" + uri.rsplit("/", 1)[-1]


@router.get("/market.json")
def overview_json(cs: CredstackDep) -> JSONResponse:
    return JSONResponse(cs.outlook.views.overview())


@router.get("/market", response_class=HTMLResponse)
def overview_page(request: Request, cs: CredstackDep) -> HTMLResponse:
    data = cs.outlook.views.overview()
    charts = {
        "top": bar_chart(
            [(s["label"], s["share"], _skill_href(s["uri"])) for s in data["topSkills"]], testid="top-skills"
        ),
        "emerging": bar_chart(
            [(e["label"], e["ratio"], _skill_href(e["uri"])) for e in data["emerging"]],
            fmt="×{:.2f}",
            testid="emerging",
        ),
        "index": line_chart(
            [(p["month"], p["value"]) for p in data["postingIndex"]], fmt="{:.0f}", testid="posting-index"
        ),
        "occupations": bar_chart(
            [(o["title"], o["blendedOutlook"] / 100, f"/market/occupations/{o['soc']}") for o in data["occupations"]],
            fmt="{:+.2%}",
            testid="occupations",
        ),
    }
    return _page(request, "market_overview.html", {"data": data, "charts": charts})


@router.get("/market/skills/{ref:path}.json")
def skill_json(ref: str, cs: CredstackDep) -> JSONResponse:
    return JSONResponse(cs.outlook.views.skill(ref))


@router.get("/market/skills/{ref:path}", response_class=HTMLResponse)
def skill_page(request: Request, ref: str, cs: CredstackDep) -> HTMLResponse:
    data = cs.outlook.views.skill(ref)
    history = [(h["period"], 100 * h["value"]) for h in data["history"]]
    forecast = [{k: (100 * v if k != "period" else v) for k, v in p.items()} for p in data["forecast"]]
    chart = line_chart(history, forecast, fmt="{:.2f} %", testid="skill-demand")
    occupations = bar_chart(
        [(o["title"], o["blendedOutlook"] / 100, f"/market/occupations/{o['soc']}") for o in data["occupations"]],
        fmt="{:+.2%}",
        testid="skill-occupations",
    )
    context = {"data": data, "chart": chart, "occupations": occupations, "href": _skill_href}
    return _page(request, "market_skill.html", context)


@router.get("/market/occupations/{code:path}.json")
def occupation_json(code: str, cs: CredstackDep) -> JSONResponse:
    return JSONResponse(cs.outlook.views.occupation(code))


@router.get("/market/occupations/{code:path}", response_class=HTMLResponse)
def occupation_page(request: Request, code: str, cs: CredstackDep) -> HTMLResponse:
    data = cs.outlook.views.occupation(code)
    charts = [
        line_chart(
            [(h["period"], h["value"]) for h in f["history"]], f["forecast"], fmt="{:.0f}", testid=f"forecast-{i}"
        )
        for i, f in enumerate(data["forecasts"])
    ]
    skills = data["skills"] or {}
    asked = bar_chart(
        [(s["label"], s["share"], _skill_href(s["uri"])) for s in skills.get("asked", [])], testid="asked"
    )
    essential = bar_chart(
        [(s["label"], s["share"], _skill_href(s["uri"])) for s in skills.get("essential", [])[:15]],
        testid="essential",
    )
    context = {"data": data, "charts": charts, "asked": asked, "essential": essential, "href": _skill_href}
    return _page(request, "market_occupation.html", context)
