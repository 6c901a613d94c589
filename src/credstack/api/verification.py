"""The verify page's JSON twin: verify any format credstack reads, sent as the raw request body.

``POST /api/verify`` takes the bytes of a JSON credential or presentation, a VC-JWT, or a baked PNG or SVG badge
(exactly what the page's upload accepts) and answers with the full report; ``GET /api/verify?credential=<URL>``
verifies a credential issued by this server, like ``/verify?credential=<URL>``; ``POST /api/verify/batch`` takes
several files (multipart) like the page's multiple upload.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from credstack.api.deps import CredstackDep
from credstack.api.views import verification_result
from credstack.errors import InvalidInputError

__all__ = ["MAX_BATCH", "router"]

router = APIRouter(prefix="/api", tags=["Verification"])

#: Most files one batch may hold (the request size limit applies to the whole batch too).
MAX_BATCH = 50

_ANY_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/plain": {"schema": {"type": "string", "description": "A VC-JWT (compact JWS)"}},
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "image/svg+xml": {"schema": {"type": "string"}},
        },
    }
}


@router.post("/verify", summary="Verify a file: JSON, VC-JWT, baked PNG or SVG", openapi_extra=_ANY_BODY)
async def verify_any(request: Request, cs: CredstackDep) -> dict[str, Any]:
    data = await request.body()
    if not data.strip():
        raise InvalidInputError("the request body is empty: send a credential, a JWT or a baked badge image")
    report = await run_in_threadpool(cs.verifier.verify, data)
    return verification_result(report)


@router.post("/verify/batch", summary="Verify several files at once (multipart, field `file`)")
async def verify_batch(
    cs: CredstackDep,
    file: Annotated[list[UploadFile], File(description="JSON, VC-JWT, baked PNG or SVG files")],
) -> dict[str, Any]:
    if len(file) > MAX_BATCH:
        raise InvalidInputError(f"{len(file)} files: a batch can have at most {MAX_BATCH}")
    results = []
    for upload in file:
        report = await run_in_threadpool(cs.verifier.verify, await upload.read())
        results.append({"file": upload.filename, **verification_result(report)})
    return {"verified": sum(1 for r in results if r["verified"]), "total": len(results), "results": results}


@router.get("/verify", summary="Verify a credential issued by this server, by its URL")
def verify_link(
    cs: CredstackDep,
    credential: Annotated[str, Query(description="The credential's id (a URL on this server)")],
) -> dict[str, Any]:
    record = cs.issuing.get(credential)
    return verification_result(cs.verifier.verify(record.credential))
