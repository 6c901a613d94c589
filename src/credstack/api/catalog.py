"""REST resources for issuers and achievements (what ``credstack issuer ...`` and ``achievement ...`` do).

Reading the catalog is public; creating achievements needs the ``issue`` scope, issuers and key rotation ``admin``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from credstack.api.body import JsonRoute
from credstack.api.deps import AdminToken, CredstackDep, IssueToken
from credstack.api.schemas import AchievementCreate, IssuerCreate
from credstack.api.views import record_json

__all__ = ["router"]

router = APIRouter(prefix="/api", route_class=JsonRoute)


@router.get("/issuers", tags=["Issuers"], summary="List issuers")
def list_issuers(cs: CredstackDep) -> dict[str, Any]:
    return {"issuers": [record_json(i) for i in cs.issuers.list()]}


@router.post("/issuers", tags=["Issuers"], status_code=201, summary="Create an issuer (did:key or did:web)")
def create_issuer(body: IssuerCreate, cs: CredstackDep, token: AdminToken) -> dict[str, Any]:
    return record_json(cs.issuers.create(body.name, url=body.url, method=body.method))


@router.get("/issuers/{ref}", tags=["Issuers"], summary="One issuer by id, slug or DID")
def get_issuer(ref: str, cs: CredstackDep) -> dict[str, Any]:
    return record_json(cs.issuers.get(ref))


@router.post("/issuers/{ref}/rotate-key", tags=["Issuers"], summary="Rotate an issuer's signing key")
def rotate_key(ref: str, cs: CredstackDep, token: AdminToken) -> dict[str, Any]:
    return record_json(cs.issuers.rotate_key(ref))


@router.get("/achievements", tags=["Achievements"], summary="List achievements")
def list_achievements(cs: CredstackDep) -> dict[str, Any]:
    return {"achievements": [record_json(a) for a in cs.achievements.list()]}


@router.post("/achievements", tags=["Achievements"], status_code=201, summary="Create an achievement")
def create_achievement(body: AchievementCreate, cs: CredstackDep, token: IssueToken) -> dict[str, Any]:
    record = cs.achievements.create(
        body.issuer,
        name=body.name,
        description=body.description,
        criteria_narrative=body.criteria_narrative,
        criteria_url=body.criteria_url,
        image=body.image,
        achievement_type=body.achievement_type,
        alignments=body.alignments,
        credits_available=body.credits_available,
        tags=body.tags,
    )
    return record_json(record)


@router.get("/achievements/{achievement_id}", tags=["Achievements"], summary="One achievement")
def get_achievement(achievement_id: str, cs: CredstackDep) -> dict[str, Any]:
    return record_json(cs.achievements.get(achievement_id))
