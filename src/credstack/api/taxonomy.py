"""JSON API of the skills taxonomy (ESCO v1.1.1, O*NET 29.2): search and look-up, public and read-only.

``GET /api/taxonomy/skills?q=`` and ``/api/taxonomy/occupations?q=`` search; ``/api/taxonomy/skills/{id}`` and
``/api/taxonomy/occupations/{id}`` take the ``id`` of a search result, a full ESCO URI, an ESCO/ISCO code or an
O*NET-SOC code; ``/api/taxonomy/about`` gives the attribution. The web pages under ``/taxonomy`` are their twins.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from credstack.api.body import JsonRoute
from credstack.api.deps import CredstackDep

__all__ = ["router"]

router = APIRouter(prefix="/api/taxonomy", route_class=JsonRoute, tags=["Taxonomy"])

Text = Annotated[str, Query(description="What to look for (labels, alternative labels; typos are forgiven).")]
Limit = Annotated[int, Query(ge=1, le=100, description="How many results, best first.")]


def _search(cs: CredstackDep, q: str, kind: str, limit: int) -> dict[str, Any]:
    return {"query": q, "kind": kind, "results": [h.to_json() for h in cs.taxonomy.search(q, kind=kind, limit=limit)]}


@router.get("/skills", summary="Search ESCO skills")
def search_skills(cs: CredstackDep, q: Text = "", limit: Limit = 10) -> dict[str, Any]:
    return _search(cs, q, "skill", limit)


@router.get("/skills/{ref:path}", summary="One ESCO skill or skill group with its relations")
def get_skill(ref: str, cs: CredstackDep) -> dict[str, Any]:
    return cs.taxonomy.skill(ref).to_json()


@router.get("/occupations", summary="Search ESCO and O*NET occupations")
def search_occupations(cs: CredstackDep, q: Text = "", limit: Limit = 10) -> dict[str, Any]:
    return _search(cs, q, "occupation", limit)


@router.get("/occupations/{ref:path}", summary="One ESCO occupation, ISCO group or O*NET occupation")
def get_occupation(ref: str, cs: CredstackDep) -> dict[str, Any]:
    return cs.taxonomy.occupation(ref).to_json()


@router.get("/about", summary="Sources, licences and attribution of the taxonomy, and what is loaded")
def about(cs: CredstackDep) -> dict[str, Any]:
    return {"attribution": cs.taxonomy.attribution(), "loaded": cs.taxonomy.counts()}
