"""Public documents other verifiers fetch: Bitstring Status List credentials and did:web DID documents."""

from __future__ import annotations

import hashlib
import json

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from credstack.api.deps import CredstackDep

__all__ = ["STATUS_LIST_MAX_AGE", "router"]

router = APIRouter(tags=["Public documents"])

#: Seconds a status list may be cached: short, so revocation and suspension show everywhere within a minute.
STATUS_LIST_MAX_AGE = 30

VC_MEDIA_TYPE = "application/vc+ld+json"
DID_MEDIA_TYPE = "application/did+ld+json"


def _vc_media_type(request: Request) -> str:
    """``application/vc+ld+json``, unless the client asked for plain JSON and not for that."""
    accept = request.headers.get("accept", "")
    if "application/json" in accept and VC_MEDIA_TYPE not in accept:
        return "application/json"
    return VC_MEDIA_TYPE


@router.get(
    "/status/{list_id}",
    summary="A signed BitstringStatusListCredential",
    responses={200: {"content": {VC_MEDIA_TYPE: {}, "application/json": {}}}},
)
def status_list(list_id: str, request: Request, cs: CredstackDep) -> Response:
    document = cs.status.status_list_credential(list_id)
    headers = {
        "Cache-Control": f"public, max-age={STATUS_LIST_MAX_AGE}",
        "Vary": "Accept",
        "Access-Control-Allow-Origin": "*",  # verifiers in browsers on other origins must read status lists
        # the list is re-signed whenever a bit changes: its content identifies the version
        "ETag": '"' + hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:32] + '"',
    }
    if headers["ETag"] in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return JSONResponse(document, media_type=_vc_media_type(request), headers=headers)


@router.get(
    "/issuers/{slug}/did.json",
    summary="The did:web DID document of an issuer",
    responses={200: {"content": {"application/json": {}, DID_MEDIA_TYPE: {}}}},
)
def did_document(slug: str, request: Request, cs: CredstackDep) -> JSONResponse:
    document = cs.issuers.did_document(slug)
    return JSONResponse(
        document,
        media_type=DID_MEDIA_TYPE if DID_MEDIA_TYPE in request.headers.get("accept", "") else "application/json",
        headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"},
    )
