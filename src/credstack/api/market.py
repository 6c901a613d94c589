"""JSON API of the job market (issue 4; docs/market.md): ``POST /api/market/postings`` ingests a batch (token
scope ``market``); the ``GET /api/market/...`` routes are the public, read-only twins of ``credstack market ...``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from credstack.api.body import JsonRoute
from credstack.api.deps import CredstackDep, MarketToken
from credstack.errors import InvalidInputError

__all__ = ["router"]

router = APIRouter(prefix="/api/market", route_class=JsonRoute, tags=["Job market"])

Month = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]
Region = Annotated[str | None, Query(max_length=60, description="US state (code or name), remote, or a country.")]
Occupation = Annotated[
    str | None, Query(max_length=300, description="O*NET-SOC code, ESCO occupation URI or id, or OPM series.")
]


@router.post("/postings", summary="Ingest a batch of job postings (scope market)", status_code=200)
def post_postings(
    cs: CredstackDep,
    token: MarketToken,
    body: Annotated[
        Any,
        Body(
            description='{"postings": [{"title", "text", "date", "location", "employer", "source_id"}, ...], '
            '"source": "name", "mapping": "auto"} or a bare list of postings.'
        ),
    ],
) -> dict[str, Any]:
    source, mapping = None, "auto"
    if isinstance(body, dict):
        postings = body.get("postings")
        source = body.get("source")
        mapping = body.get("mapping") or "auto"
        if source is not None and (not isinstance(source, str) or not 0 < len(source) <= 60):
            raise InvalidInputError("source must be a name of 1 to 60 characters")
        if not isinstance(mapping, str):
            raise InvalidInputError("mapping must be a string")
    else:
        postings = body
    if not isinstance(postings, list):
        raise InvalidInputError('expected {"postings": [...]} or a JSON list of postings')
    report = cs.market.ingest_records(postings, source=source, mapping=mapping)
    return report.to_json()


@router.get(
    "/skills", summary="Skills most asked for, with their share of postings (filters: months, region, occupation)"
)
def skill_demand(
    cs: CredstackDep,
    month_from: Month = None,
    month_to: Month = None,
    region: Region = None,
    occupation: Occupation = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    found = cs.market.skill_demand(
        month_from=month_from, month_to=month_to, region=region, occupation=occupation, limit=limit
    )
    return {"skills": [s.to_json() for s in found], "coverage": cs.market.coverage().to_json()}


@router.get("/skills/series", summary="A skill's postings and share per month, with its growth")
def skill_series(
    cs: CredstackDep,
    skill: Annotated[str, Query(min_length=1, max_length=300, description="ESCO URI, id or label.")],
    region: Region = None,
) -> dict[str, Any]:
    uri = cs.market.resolve_skill(skill)
    points = cs.market.skill_series(uri, region=region)
    return {
        "skill": uri,
        "series": [p.to_json() for p in points],
        "growth": cs.market.growth(uri).to_json(),
    }


@router.get("/occupations/series", summary="Postings per month for an occupation (text or not)")
def occupation_series(
    cs: CredstackDep,
    occupation: Annotated[str, Query(min_length=1, max_length=300)],
) -> dict[str, Any]:
    return {"occupation": occupation, "series": [p.to_json() for p in cs.market.occupation_series(occupation)]}


@router.get("/occupations/skills", summary="Skills postings ask for in an ESCO occupation, next to ESCO's essentials")
def occupation_skills(
    cs: CredstackDep,
    occupation: Annotated[str, Query(min_length=1, max_length=300, description="ESCO occupation URI or id.")],
    limit: Annotated[int, Query(ge=1, le=200)] = 30,
) -> dict[str, Any]:
    return cs.market.occupation_skills(occupation, limit=limit).to_json()


@router.get("/emerging", summary="Skills whose share of postings rose fastest (with a minimum support)")
def emerging(
    cs: CredstackDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    min_support: Annotated[int, Query(ge=1, le=10_000)] = 10,
    window: Annotated[int, Query(ge=1, le=24)] = 3,
) -> dict[str, Any]:
    report = cs.market.emerging_report(limit, min_support=min_support, window=window)
    return {**report.to_json(), "coverage": cs.market.coverage().to_json()}


@router.get("/cooccurring", summary="Skills asked for in the same postings as a skill")
def cooccurring(
    cs: CredstackDep,
    skill: Annotated[str, Query(min_length=1, max_length=300)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    uri = cs.market.resolve_skill(skill)
    return {"skill": uri, "cooccurring": [c.to_json() for c in cs.market.cooccurring(uri, limit)]}


@router.get("/coverage", summary="Which months and sources the analytics stand on")
def coverage(cs: CredstackDep) -> dict[str, Any]:
    return cs.market.coverage().to_json()
