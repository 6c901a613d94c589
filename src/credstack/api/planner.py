"""JSON API of the pathway planner (``/api/planner/...``); the ``/planner`` web page is the twin of ``GET
/api/planner/plan``.

A learner's data (profile, gap, plan, suggestions, audit, claims) is private: only a token bound to that learner
(``credstack user token EMAIL --scopes wallet``; the learner is one of their recipient identifiers) or a platform
token with the ``admin`` scope (or a platform admin's own token) reads it; anyone else gets 403 ``forbidden``. Role
profiles are public; writing them needs the ``employer`` scope in the role's organisation (or a platform admin).
Recording skill claims (self-declared or assessed) needs the ``admin`` scope. Allocating a budget needs the
``employer`` scope and covers only the caller's organisation's team members and learners sharing a portfolio with it
(403 ``forbidden`` for anyone else; a platform admin may name any learner).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from credstack.api.body import JsonRoute
from credstack.api.deps import AdminToken, CredstackDep
from credstack.api.principal import MaybePrincipalDep, PrincipalDep
from credstack.app import Credstack
from credstack.errors import ForbiddenError, InvalidInputError
from credstack.services.accounts import Principal

__all__ = ["router"]

router = APIRouter(prefix="/api/planner", route_class=JsonRoute, tags=["Planner"])

Learner = Annotated[str, Query(min_length=1, max_length=500, description="The learner: e-mail address or DID.")]
TargetRef = Annotated[
    str, Query(min_length=1, max_length=300, description="ESCO occupation (URI, id, code or label) or role:ID.")
]


class PlanRequest(BaseModel):
    learner: str = Field(min_length=1, max_length=500)
    target: str | None = Field(
        default=None,
        max_length=300,
        description="ESCO occupation (URI, id, code or label) or role:ID; with posting, the posting's title.",
    )
    posting: str | None = Field(default=None, max_length=100_000, description="A job posting's text (the target).")
    minimize: str = Field(default="time", pattern="^(time|cost)$")
    budget: float | None = Field(default=None, ge=0)
    hours_per_week: float | None = Field(default=None, gt=0, le=168)
    max_weeks: float | None = Field(default=None, gt=0)
    coverage: float = Field(default=0.9, ge=0, le=1)
    languages: list[str] = Field(default_factory=list, max_length=20)
    formats: list[str] = Field(default_factory=list, max_length=20)
    providers: list[str] = Field(default_factory=list, max_length=50)


class ClaimRequest(BaseModel):
    learner: str = Field(min_length=1, max_length=500)
    skill: str = Field(min_length=1, max_length=300)
    level: float = Field(gt=0, le=4)
    source: str = Field(default="self", pattern="^(self|assessment)$")
    note: str = Field(default="", max_length=2000)


class RoleSkillModel(BaseModel):
    uri: str = Field(min_length=1, max_length=200)
    level: float = Field(default=3, gt=0, le=4)
    weight: float = Field(default=1, gt=0, le=1000)


class RoleRequest(BaseModel):
    org_id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=5000)
    skills: list[RoleSkillModel] = Field(min_length=1, max_length=500)
    id: str | None = Field(default=None, max_length=64)


class RoleUpdate(BaseModel):
    name: str | None = Field(default=None, max_length=300)
    description: str | None = Field(default=None, max_length=5000)
    skills: list[RoleSkillModel] | None = Field(default=None, max_length=500)


class AllocationRequest(BaseModel):
    members: list[tuple[str, str]] = Field(min_length=1, max_length=500, description="[learner, role profile id]")
    budget: float = Field(ge=0)


@router.get("/profile", summary="A learner's skill profile: verified, assessed and self-declared, decayed by age")
def profile(cs: CredstackDep, learner: Learner, who: MaybePrincipalDep) -> dict[str, Any]:
    cs.accounts.require_learner_access(who, learner)
    return cs.planner.profile(learner).to_json()


@router.get("/gap", summary="The skills gap between a learner and a target, most important first")
def gap(cs: CredstackDep, learner: Learner, target: TargetRef, who: MaybePrincipalDep) -> dict[str, Any]:
    cs.accounts.require_learner_access(who, learner)
    spec = cs.planner.target(target)
    return {"learner": learner, "target": spec.to_json(), **cs.planner.gap(learner, target).to_json()}


@router.get("/plan", summary="A plan of catalog credentials closing a learner's gap to a target")
def plan_get(
    cs: CredstackDep,
    learner: Learner,
    target: TargetRef,
    who: MaybePrincipalDep,
    minimize: Annotated[str, Query(pattern="^(time|cost)$")] = "time",
    budget: Annotated[float | None, Query(ge=0)] = None,
    hours_per_week: Annotated[float | None, Query(gt=0, le=168)] = None,
    coverage: Annotated[float, Query(ge=0, le=1)] = 0.9,
    language: Annotated[list[str] | None, Query(max_length=20)] = None,
    format: Annotated[list[str] | None, Query(max_length=20)] = None,
    provider: Annotated[list[str] | None, Query(max_length=50)] = None,
) -> dict[str, Any]:
    cs.accounts.require_learner_access(who, learner)
    report = cs.planner.plan(
        learner,
        target,
        minimize=minimize,
        budget=budget,
        hours_per_week=hours_per_week,
        coverage=coverage,
        languages=language or (),
        formats=format or (),
        providers=provider or (),
    )
    return report.to_json()


@router.post("/plan", summary="A plan, with the target given as a job posting's text or any GET parameter")
def plan_post(cs: CredstackDep, body: PlanRequest, who: MaybePrincipalDep) -> dict[str, Any]:
    target = (body.target or "").strip()
    if not target and body.posting is None:  # never a guess: "job posting" once matched an occupation by its words
        raise InvalidInputError(
            "target is required: an ESCO occupation (URI, id, code or label), role:ID, or a posting's text in posting",
            where="/target",
        )
    cs.accounts.require_learner_access(who, body.learner)
    report = cs.planner.plan(
        body.learner,
        target or "job posting",
        posting=body.posting,
        minimize=body.minimize,
        budget=body.budget,
        hours_per_week=body.hours_per_week,
        max_weeks=body.max_weeks,
        coverage=body.coverage,
        languages=body.languages,
        formats=body.formats,
        providers=body.providers,
    )
    return report.to_json()


@router.get("/suggestions", summary="Occupations close to a learner's verified skills, with outlook and gap")
def suggestions(
    cs: CredstackDep, learner: Learner, who: MaybePrincipalDep, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> dict[str, Any]:
    cs.accounts.require_learner_access(who, learner)
    found, notes = cs.planner.suggest(learner, limit=limit)
    return {"learner": learner, "suggestions": [s.to_json() for s in found], "notes": notes}


@router.get("/audit", summary="The quarterly skills audit of a learner")
def audit(
    cs: CredstackDep,
    learner: Learner,
    who: MaybePrincipalDep,
    target: Annotated[str | None, Query(max_length=300)] = None,
) -> dict[str, Any]:
    cs.accounts.require_learner_access(who, learner)
    return cs.planner.audit(learner, target=target or None).to_json()


@router.get("/claims", summary="A learner's self-declared and assessed skills")
def claims(cs: CredstackDep, learner: Learner, who: MaybePrincipalDep) -> dict[str, Any]:
    cs.accounts.require_learner_access(who, learner)
    return {"learner": learner, "claims": [c.to_json() for c in cs.planner.claims(learner)]}


@router.post("/claims", summary="Record a self-declared skill or an assessment result (scope admin)", status_code=201)
def add_claim(cs: CredstackDep, body: ClaimRequest, token: AdminToken) -> dict[str, Any]:
    return cs.planner.declare_skill(body.learner, body.skill, body.level, source=body.source, note=body.note).to_json()


@router.get("/roles", summary="Role profiles, optionally of one organisation")
def roles(cs: CredstackDep, org_id: Annotated[str | None, Query(max_length=200)] = None) -> dict[str, Any]:
    return {"roles": [r.to_json() for r in cs.planner.role_profiles(org_id)]}


def _is_admin(who: Principal) -> bool:
    """A platform admin (a person, or a platform token with the ``admin`` scope): acts for any organisation."""
    return who.is_platform_admin and (who.scopes is None or "admin" in who.scopes)


def _require_role_writer(cs: Credstack, who: Principal, org_id: str) -> None:
    """ForbiddenError unless the caller writes role profiles of ``org_id``: its own organisation (scope
    ``employer``; a platform ``employer`` token's is the default organisation), or any for a platform admin."""
    org = cs.employer.org_for_principal(who)
    if org != org_id and not _is_admin(who):
        raise ForbiddenError(f"this token writes the role profiles of organisation {org!r} only")


@router.post("/roles", summary="Create a role profile (scope employer)", status_code=201)
def create_role(cs: CredstackDep, body: RoleRequest, who: PrincipalDep) -> dict[str, Any]:
    _require_role_writer(cs, who, body.org_id)
    role = cs.planner.create_role_profile(
        body.org_id,
        body.name,
        [s.model_dump() for s in body.skills],
        description=body.description,
        profile_id=body.id,
    )
    return role.to_json()


@router.get("/roles/{profile_id}", summary="One role profile")
def get_role(cs: CredstackDep, profile_id: str) -> dict[str, Any]:
    return cs.planner.role_profile(profile_id).to_json()


@router.put("/roles/{profile_id}", summary="Change a role profile's name, description or skills (scope employer)")
def update_role(cs: CredstackDep, profile_id: str, body: RoleUpdate, who: PrincipalDep) -> dict[str, Any]:
    _require_role_writer(cs, who, cs.planner.role_profile(profile_id).org_id)
    skills = None if body.skills is None else [s.model_dump() for s in body.skills]
    return cs.planner.update_role_profile(
        profile_id, name=body.name, description=body.description, skills=skills
    ).to_json()


@router.delete("/roles/{profile_id}", summary="Delete a role profile (scope employer)", status_code=204)
def delete_role(cs: CredstackDep, profile_id: str, who: PrincipalDep) -> Response:
    _require_role_writer(cs, who, cs.planner.role_profile(profile_id).org_id)
    cs.planner.delete_role_profile(profile_id)
    return Response(status_code=204)


@router.post("/allocation", summary="Recommend how a learning budget is spent across employees (scope employer)")
def allocation(cs: CredstackDep, body: AllocationRequest, who: PrincipalDep) -> dict[str, Any]:
    org = cs.employer.org_for_principal(who)
    allocation = cs.employer.workforce.allocate_budget(org, body.members, body.budget, any_learner=_is_admin(who))
    return dict(allocation.to_json())
