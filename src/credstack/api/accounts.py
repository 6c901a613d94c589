"""Accounts and the audit log over HTTP: ``/api/me``, ``/api/orgs/...`` (people, audit) and ``/api/audit``.

Every route authenticates the bearer token and checks the caller's role in the organisation named in the path:
a token of another organisation gets 403 ``forbidden``; a person who is not a member of the organisation is 404
``not_found`` (other organisations' people are invisible).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from credstack.api.body import JsonRoute
from credstack.api.deps import CredstackDep
from credstack.api.principal import PrincipalDep
from credstack.errors import ForbiddenError
from credstack.services.accounts import Org, Person

__all__ = ["router"]

router = APIRouter(prefix="/api", route_class=JsonRoute, tags=["Accounts"])

#: who may read an organisation's people and audit log
ORG_READERS = ("issuer_admin", "employer_reviewer")


class OrgCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="The organisation's name.")
    slug: str | None = Field(default=None, description="Its id (default: the name, slugified).")


class PersonCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str
    name: str | None = None
    roles: list[str] = Field(default_factory=list, description="Roles in this organisation.")


def org_json(org: Org) -> dict[str, Any]:
    return {"id": org.id, "name": org.name, "issuer_id": org.issuer_id}


def person_json(person: Person, org_id: str | None = None) -> dict[str, Any]:
    """A person; with ``org_id``, only the roles held there (an organisation never sees its members' others)."""
    roles = {org_id: person.roles.get(org_id, frozenset())} if org_id else person.roles
    return {
        "id": person.id,
        "email": person.email,
        "name": person.name,
        "roles": {org: sorted(r) for org, r in sorted(roles.items())},
    }


@router.get("/me", summary="Who this token acts for")
def me(principal: PrincipalDep) -> dict[str, Any]:
    return {
        "person": person_json(principal.person) if principal.person else None,
        "org": principal.org_id,
        "scopes": sorted(principal.scopes or ()),
        "platform_admin": principal.is_platform_admin,
    }


@router.post("/orgs", status_code=201, summary="Create an organisation (platform admin)")
def create_org(body: OrgCreate, cs: CredstackDep, principal: PrincipalDep) -> dict[str, Any]:
    if not principal.is_platform_admin:
        raise ForbiddenError("only a platform admin creates organisations")
    org = cs.accounts.create_org(body.name, slug=body.slug)
    cs.audit.record(principal.actor, "org.created", org.id, org.id, {"name": org.name})
    return org_json(org)


@router.get("/orgs/{org_id}", summary="One organisation")
def get_org(org_id: str, cs: CredstackDep, principal: PrincipalDep) -> dict[str, Any]:
    principal.require_role(org_id, *ORG_READERS, "assessor", "learner")
    return org_json(cs.accounts.get_org(org_id))


@router.get("/orgs/{org_id}/people", summary="The members of an organisation")
def list_people(org_id: str, cs: CredstackDep, principal: PrincipalDep) -> dict[str, Any]:
    principal.require_role(org_id, *ORG_READERS)
    return {"people": [person_json(p, org_id) for p in cs.accounts.people(org_id)]}


@router.post("/orgs/{org_id}/people", status_code=201, summary="Add a person with roles (issuer admin)")
def create_person(org_id: str, body: PersonCreate, cs: CredstackDep, principal: PrincipalDep) -> dict[str, Any]:
    principal.require_role(org_id, "issuer_admin")
    principal.require_scope("admin")
    if "platform_admin" in body.roles and not principal.is_platform_admin:
        raise ForbiddenError("only a platform admin grants platform_admin")
    person = cs.accounts.create_person(body.email, name=body.name, org_id=org_id, roles=body.roles)
    cs.audit.record(principal.actor, "person.created", person.email, org_id, {"roles": body.roles})
    return person_json(person, org_id)


@router.get("/orgs/{org_id}/people/{person_id}", summary="One member of an organisation")
def get_person(org_id: str, person_id: str, cs: CredstackDep, principal: PrincipalDep) -> dict[str, Any]:
    principal.require_role(org_id, *ORG_READERS)
    return person_json(cs.accounts.person_in_org(org_id, person_id), org_id)


@router.get("/orgs/{org_id}/audit", summary="An organisation's audit log, newest first")
def org_audit(
    org_id: str,
    cs: CredstackDep,
    principal: PrincipalDep,
    action: Annotated[str | None, Query(description="Only this action, e.g. credential.revoked")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    principal.require_role(org_id, *ORG_READERS)
    events = cs.audit.events(org_id=org_id, action=action, limit=limit)
    return {"org": org_id, "events": [e.to_json() for e in events]}


@router.get("/audit", summary="The whole audit log (platform admin)")
def all_audit(
    cs: CredstackDep,
    principal: PrincipalDep,
    action: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    if not principal.is_platform_admin:
        raise ForbiddenError("only a platform admin reads the whole audit log")
    return {"events": [e.to_json() for e in cs.audit.events(action=action, limit=limit, everything=True)]}
