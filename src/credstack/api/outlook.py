"""JSON API of the occupation outlook, forecasts and market value (issue 4; docs/market.md): the read-only twins of
``credstack outlook ...``. Public, like the /market pages.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from credstack.api.body import JsonRoute
from credstack.api.deps import CredstackDep
from credstack.errors import InvalidInputError, NotFoundError

__all__ = ["router"]

router = APIRouter(prefix="/api/outlook", route_class=JsonRoute, tags=["Job market"])

MAX_SKILLS = 500


@router.get("/occupations/{code:path}", summary="An occupation's outlook: BLS projection blended with momentum")
def occupation_outlook(code: str, cs: CredstackDep) -> dict[str, Any]:
    found = cs.outlook.occupation_outlook(code)
    if found is None:
        raise NotFoundError(f"BLS projects no occupation {code!r} (detailed SOC codes such as 15-1252 only)")
    return found.to_json()


@router.get("/forecast", summary="Next four quarters with 80/95 % intervals, and the backtest")
def forecast(
    cs: CredstackDep,
    skill: Annotated[str | None, Query(max_length=300, description="Skill URI, ESCO id or label.")] = None,
    occupation: Annotated[
        str | None, Query(max_length=300, description="SOC, O*NET-SOC code or ESCO occupation URI.")
    ] = None,
) -> dict[str, Any]:
    if (skill is None) == (occupation is None):
        raise InvalidInputError("give exactly one of skill= or occupation=")
    if skill is not None:
        return cs.outlook.forecast_skill(skill).to_json()
    code = occupation or ""
    return {"occupation": code, "series": [s.to_json() for s in cs.outlook.forecast_occupation(code)]}


@router.post("/value", summary="Market value of a set of skills (0..1, with its basis)")
def market_value(
    cs: CredstackDep,
    body: Annotated[Any, Body(description='{"skills": [skill URI, ...]}')],
) -> dict[str, Any]:
    skills = body.get("skills") if isinstance(body, dict) else None
    if not isinstance(skills, list) or not all(isinstance(s, str) for s in skills):
        raise InvalidInputError('the body must be {"skills": [skill URI, ...]}')
    if len(skills) > MAX_SKILLS:
        raise InvalidInputError(f"at most {MAX_SKILLS} skills, not {len(skills)}")
    return cs.outlook.market_value(skills).to_json()


@router.get("/backtest", summary="Rolling-origin backtest of the forecast model against seasonal naive")
def backtest(cs: CredstackDep) -> dict[str, Any]:
    return cs.outlook.backtests()
