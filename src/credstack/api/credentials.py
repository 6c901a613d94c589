"""REST resources for issued credentials and bulk issuance jobs.

A credential's record is public (its page is public too); listing them needs ``issue``; revoking, suspending
and unsuspending need ``status``. A bulk job takes a CSV roster (``text/csv`` body), answers 202 at once and runs
in the background; ``GET /api/bulk-jobs/{id}`` shows progress, then the report (issued and rejected rows, why).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from credstack.api.body import JsonRoute
from credstack.api.deps import CredstackDep, IssueToken, StatusToken
from credstack.api.schemas import StatusReason
from credstack.api.views import record_json
from credstack.errors import UnsupportedFormatError

__all__ = ["router"]

router = APIRouter(prefix="/api", route_class=JsonRoute)


@router.get("/credentials", tags=["Credentials"], summary="List issued credentials")
def list_credentials(
    cs: CredstackDep,
    token: IssueToken,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    achievement: Annotated[str | None, Query(description="Only credentials of this achievement")] = None,
) -> dict[str, Any]:
    records = cs.issuing.list(achievement_id=achievement, limit=limit, offset=offset)
    return {"credentials": [record_json(c) for c in records], "limit": limit, "offset": offset}


@router.get("/credentials/{credential_id}", tags=["Credentials"], summary="One issued credential and its status")
def get_credential(credential_id: str, cs: CredstackDep) -> dict[str, Any]:
    record = cs.issuing.get(credential_id)
    return {**record_json(record), "status": record_json(cs.status.status_of(record.id))}


@router.post("/credentials/{credential_id}/revoke", tags=["Credentials"], summary="Revoke (permanent)")
def revoke(
    credential_id: str, cs: CredstackDep, token: StatusToken, body: StatusReason | None = None
) -> dict[str, Any]:
    record = cs.issuing.get(credential_id)
    cs.status.revoke(record.id, actor=f"token:{token.id}", reason=body.reason if body else None)
    return {"id": record.id, "status": record_json(cs.status.status_of(record.id))}


@router.post("/credentials/{credential_id}/suspend", tags=["Credentials"], summary="Suspend (reversible)")
def suspend(
    credential_id: str, cs: CredstackDep, token: StatusToken, body: StatusReason | None = None
) -> dict[str, Any]:
    record = cs.issuing.get(credential_id)
    cs.status.suspend(record.id, actor=f"token:{token.id}", reason=body.reason if body else None)
    return {"id": record.id, "status": record_json(cs.status.status_of(record.id))}


@router.post("/credentials/{credential_id}/unsuspend", tags=["Credentials"], summary="Lift a suspension")
def unsuspend(credential_id: str, cs: CredstackDep, token: StatusToken) -> dict[str, Any]:
    record = cs.issuing.get(credential_id)
    cs.status.unsuspend(record.id, actor=f"token:{token.id}")
    return {"id": record.id, "status": record_json(cs.status.status_of(record.id))}


@router.post(
    "/bulk-jobs",
    tags=["Bulk issuance"],
    status_code=202,
    summary="Issue an achievement to a CSV roster (runs in the background)",
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def start_bulk_job(
    request: Request,
    achievement: Annotated[str, Query(description="The achievement to issue")],
    cs: CredstackDep,
    token: IssueToken,
    background: BackgroundTasks,
) -> JSONResponse:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in {"text/csv", "text/plain"}:
        raise UnsupportedFormatError(f"send the roster as text/csv, not {media or 'no content type'!r}")
    raw = await request.body()
    job_id = await run_in_threadpool(cs.bulk.start, achievement, raw)
    background.add_task(cs.bulk.run, job_id)
    return JSONResponse(
        {"job": job_id, "href": f"/api/bulk-jobs/{job_id}"},
        status_code=202,
        headers={"Location": f"/api/bulk-jobs/{job_id}"},
    )


@router.get("/bulk-jobs/{job_id}", tags=["Bulk issuance"], summary="Progress and report of a bulk job")
def bulk_job(job_id: str, cs: CredstackDep, token: IssueToken) -> dict[str, Any]:
    return record_json(cs.bulk.report(job_id))
