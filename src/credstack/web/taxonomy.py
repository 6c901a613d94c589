"""Web pages of the skills taxonomy: ``/taxonomy`` (search), ``/taxonomy/skills/{id}``,
``/taxonomy/occupations/{id}`` (ESCO, ISCO or O*NET), and ``/about`` (sources and attribution).

JSON twins: ``/api/taxonomy/skills?q=``, ``/api/taxonomy/skills/{id}``, ``/api/taxonomy/occupations/{id}`` and
``/api/taxonomy/about``. Handlers call one service method and render.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from credstack.services.taxonomy_records import OccupationDetail
from credstack.web.deps import CredstackDep, templates

__all__ = ["concept_url", "router"]

router = APIRouter(include_in_schema=False)

_SKILL_KINDS = {"skill", "group"}


def concept_url(kind: str, ref: str) -> str:
    """The page of a concept link or search hit: skills and groups under /taxonomy/skills, the rest occupations."""
    section = "skills" if kind in _SKILL_KINDS else "occupations"
    return f"/taxonomy/{section}/{ref}"


templates.env.globals["concept_url"] = concept_url


def _page(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"nav": "taxonomy", **context})


@router.get("/taxonomy", response_class=HTMLResponse)
def search_page(
    request: Request,
    cs: CredstackDep,
    q: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[str, Query(pattern="^(|skill|occupation)$")] = "",
) -> HTMLResponse:
    hits = cs.taxonomy.search(q, kind=kind or None, limit=25) if q.strip() else None
    return _page(request, "taxonomy_search.html", {"q": q, "kind": kind, "hits": hits})


@router.get("/taxonomy/skills/{ref:path}", response_class=HTMLResponse)
def skill_page(request: Request, ref: str, cs: CredstackDep) -> HTMLResponse:
    return _page(request, "taxonomy_skill.html", {"skill": cs.taxonomy.skill(ref)})


@router.get("/taxonomy/occupations/{ref:path}", response_class=HTMLResponse)
def occupation_page(request: Request, ref: str, cs: CredstackDep) -> HTMLResponse:
    occupation = cs.taxonomy.occupation(ref)
    if isinstance(occupation, OccupationDetail):
        return _page(request, "taxonomy_occupation.html", {"occupation": occupation})
    return _page(request, "taxonomy_onet.html", {"onet": occupation})


@router.get("/about", response_class=HTMLResponse)
def about_page(request: Request, cs: CredstackDep) -> HTMLResponse:
    context = {"nav": "about", "attribution": cs.taxonomy.attribution().split("\n"), "loaded": cs.taxonomy.counts()}
    return templates.TemplateResponse(request, "about.html", context)
