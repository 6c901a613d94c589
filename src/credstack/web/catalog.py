"""Web pages of the achievement catalog: ``/catalog`` (search with filters) and ``/catalog/{id}`` (one entry: skills
linked to their taxonomy pages, credits, effort, price, provider, assessment).

JSON twins: ``/api/catalog?q=`` and ``/api/catalog/{id}``. Handlers call one service method and render.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from credstack.catalog.model import DELIVERY_FORMATS
from credstack.web.deps import CredstackDep, templates

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PAGE = 20


def _page(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"nav": "catalog", **context})


def _number(text: str, label: str, problems: list[str], *, most: float | None = None) -> float | None:
    """An optional numeric form field ("" = not given); anything else that is not a number (or out of range) is
    left out of the search and named in ``problems``, which the page shows."""
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        problems.append(f"{label}: {text!r} is not a number, so it was not applied")
        return None
    if value != value or value < 0 or (most is not None and value > most):  # NaN, negative, over the range
        top = f" and {most:g}" if most is not None else " or more"
        problems.append(f"{label}: {text!r} must be a number between 0{top}, so it was not applied")
        return None
    return value


@router.get("/catalog", response_class=HTMLResponse)
def catalog_page(
    request: Request,
    cs: CredstackDep,
    q: Annotated[str, Query(max_length=500)] = "",
    skill: Annotated[str, Query(max_length=300)] = "",
    occupation: Annotated[str, Query(max_length=300)] = "",
    level: Annotated[str, Query(pattern="^[1-8]?$")] = "",
    max_hours: Annotated[str, Query(max_length=12)] = "",
    max_price: Annotated[str, Query(max_length=12)] = "",
    credit_bearing: Annotated[bool, Query()] = False,
    provider: Annotated[str, Query(max_length=200)] = "",
    format: Annotated[str, Query(pattern="^(|online|in-person|hybrid|self-paced)$")] = "",
    mode: Annotated[str, Query(pattern="^(|lexical|semantic|hybrid)$")] = "",
    sort: Annotated[str, Query(pattern="^(|relevance|market_value)$")] = "",
    min_value: Annotated[str, Query(max_length=12)] = "",
    page: Annotated[int, Query(ge=1, le=5000)] = 1,
) -> HTMLResponse:
    form = {
        "q": q,
        "skill": skill,
        "occupation": occupation,
        "level": level,
        "max_hours": max_hours,
        "max_price": max_price,
        "credit_bearing": credit_bearing,
        "provider": provider,
        "format": format,
        "mode": mode,
        "sort": sort,
        "min_value": min_value,
    }
    # a skill's name is looked up in the taxonomy; the page says which skill it used
    used = cs.catalog.resolve_skill(skill) if skill.strip() else None
    problems: list[str] = []
    minimum = _number(min_value, "Min market value", problems, most=1.0)
    hours, price = _number(max_hours, "Max hours", problems), _number(max_price, "Max price", problems)
    results = cs.catalog.search(
        q,
        skills=[used[0]] if used else (),
        occupation=occupation.strip() or None,
        level=int(level) if level else None,
        max_hours=hours,
        max_price=price,
        credit_bearing=credit_bearing,
        provider=provider.strip() or None,
        delivery_format=format or None,
        limit=PAGE,
        offset=(page - 1) * PAGE,
        mode=mode or None,
        sort=sort or "relevance",
        min_market_value=minimum,
    )
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])
    context = {
        "form": form,
        "problems": problems,
        "skill_used": used,
        "results": results,
        "page": page,
        "pages": max(1, -(-results.total // PAGE)),
        "query": query,
        "formats": DELIVERY_FORMATS,
        "count": cs.catalog.count(),
        "semantic": cs.catalog.semantic_ready(),
        "values": cs.outlook.market_values({h.entry.id: [s.uri for s in h.entry.skills] for h in results.hits}),
    }
    return _page(request, "catalog_search.html", context)


@router.get("/catalog/{entry_id}", response_class=HTMLResponse)
def entry_page(request: Request, entry_id: str, cs: CredstackDep) -> HTMLResponse:
    entry = cs.catalog.get(entry_id)
    stacks = cs.pathways.containing(entry.id)
    context = {"entry": entry, "attribution": cs.catalog.attribution(entry), "stacks": stacks}
    context["value"] = cs.outlook.entry_value(entry.id)
    return _page(request, "catalog_entry.html", context)
