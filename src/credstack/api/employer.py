"""The employer tools' HTTP API (JSON twins of the ``/employer`` pages), under ``/api/employer``; every endpoint needs a
bearer token with the ``employer`` scope (``credstack token create --scopes employer``).

Bulk verification: ``POST /api/employer/batches`` (multipart field ``file``: one credential, a zip, or a CSV of
URLs) answers 201 with the finished job for small batches, 202 with a pending job for large ones (poll
``GET /api/employer/batches/{id}``); ``GET .../report.csv`` and ``.../report.json`` download the report;
``GET .../items/{position}`` one result with its trust breakdown.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from credstack.api.deps import CredstackDep, EmployerToken
from credstack.errors import InvalidInputError
from credstack.services.employer import DEFAULT_ORG

__all__ = ["BULK_UPLOAD_PATHS", "router"]

#: Paths whose request bodies may be as large as CREDSTACK_BULK_MAX_BYTES (the body-limit middleware reads this).
BULK_UPLOAD_PATHS = ("/api/employer/batches", "/employer/verify")

router = APIRouter(prefix="/api/employer", tags=["Employer"])


def org_of(token: Any) -> str:
    """The organisation a token acts for. Tokens carry no organisation yet: every one acts for the default one."""
    org = getattr(token, "org_id", None)
    return org if isinstance(org, str) and org else DEFAULT_ORG


@router.post("/batches", summary="Verify a batch: one file, a zip of files, or a CSV of URLs", status_code=201)
async def create_batch(
    cs: CredstackDep,
    token: EmployerToken,
    file: Annotated[UploadFile, File(description="A credential, a zip of credentials, or a CSV with a url column")],
) -> Response:
    data = await file.read()
    if not data:
        raise InvalidInputError("the uploaded file is empty")
    batch = await run_in_threadpool(cs.employer.batches.submit, org_of(token), file.filename or "upload", data)
    status = 201 if batch.state in {"done", "failed"} else 202
    return JSONResponse(batch.to_json(), status_code=status, headers={"Location": f"/api/employer/batches/{batch.id}"})


@router.get("/batches", summary="This organisation's recent verification jobs")
def list_batches(cs: CredstackDep, token: EmployerToken) -> dict[str, Any]:
    return {"batches": [b.to_json() for b in cs.employer.batches.recent(org_of(token))]}


@router.get("/batches/{batch_id}", summary="A verification job and its progress")
def get_batch(batch_id: str, cs: CredstackDep, token: EmployerToken) -> dict[str, Any]:
    return cs.employer.batches.get(batch_id, org_of(token)).to_json()


@router.get("/batches/{batch_id}/report.json", summary="The report: every result with each check's status and reason")
def batch_report_json(batch_id: str, cs: CredstackDep, token: EmployerToken) -> dict[str, Any]:
    return cs.employer.batches.report(batch_id, org_of(token))


@router.get("/batches/{batch_id}/report.csv", summary="The report as CSV: file, verdict, each check and reason")
def batch_report_csv(batch_id: str, cs: CredstackDep, token: EmployerToken) -> Response:
    text = cs.employer.batches.report_csv(batch_id, org_of(token))
    return Response(text, media_type="text/csv; charset=utf-8", headers=_attachment(f"verification-{batch_id}.csv"))


@router.get("/batches/{batch_id}/items/{position}", summary="One result, with the credential and trust breakdown")
def batch_item(
    batch_id: str,
    position: int,
    cs: CredstackDep,
    token: EmployerToken,
    credential: Annotated[bool, Query(description="Include the credential read")] = True,
) -> dict[str, Any]:
    org = org_of(token)
    item = cs.employer.batches.item(batch_id, position, org)
    out = item.to_json(credential=credential)
    out["trust"] = cs.employer.trust_for(org, item.credential, verified=item.verified).to_json()
    return out


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


class TrustedIssuerIn(BaseModel):
    """A DID (``did:web:...``, ``did:key:...``) or a web domain, with an optional label."""

    value: str = Field(max_length=400)
    label: str = Field(default="", max_length=200)


@router.get("/trusted-issuers", summary="The organisation's trusted-issuer registry")
def list_trusted(cs: CredstackDep, token: EmployerToken) -> dict[str, Any]:
    return {"trusted_issuers": [t.to_json() for t in cs.employer.registry.trusted(org_of(token))]}


@router.post("/trusted-issuers", summary="Trust an issuer (a DID or a domain); idempotent", status_code=201)
def add_trusted(body: TrustedIssuerIn, cs: CredstackDep, token: EmployerToken) -> dict[str, Any]:
    return cs.employer.registry.add(org_of(token), body.value, body.label).to_json()


@router.delete("/trusted-issuers/{entry_id}", summary="Remove an entry from the registry", status_code=204)
def remove_trusted(entry_id: int, cs: CredstackDep, token: EmployerToken) -> Response:
    cs.employer.registry.remove(org_of(token), entry_id)
    return Response(status_code=204)


@router.post("/trust", summary="Verify one credential (any format) and give its trust breakdown")
async def trust_of(request: Request, cs: CredstackDep, token: EmployerToken) -> dict[str, Any]:
    data = await request.body()
    if not data.strip():
        raise InvalidInputError("the request body is empty: send a credential, a JWT or a baked badge image")
    report = await run_in_threadpool(cs.verifier.verify, data)
    trust = cs.employer.trust_for(org_of(token), report.credential, verified=report.verified)
    return {**report.to_json(), "trust": trust.to_json()}


class EndorsementIn(BaseModel):
    """What to endorse (an achievement id or URL, an issuer slug or DID, or any URI), by which issuer here."""

    subject: str = Field(max_length=500)
    endorser: str | None = Field(default=None, max_length=300, description="An issuer here (slug or DID)")
    comment: str = Field(default="", max_length=5000)
    name: str | None = Field(default=None, max_length=300)


@router.post("/endorsements", summary="Sign an OB 3.0 EndorsementCredential", status_code=201)
def create_endorsement(body: EndorsementIn, cs: CredstackDep, token: EmployerToken) -> dict[str, Any]:
    record = cs.employer.endorsements.endorse(
        body.subject, endorser=body.endorser, comment=body.comment, name=body.name
    )
    return record.to_json()


@router.get("/endorsements", summary="Endorsements signed here (of one subject when given)")
def list_endorsements(
    cs: CredstackDep, token: EmployerToken, subject: Annotated[str | None, Query(max_length=500)] = None
) -> dict[str, Any]:
    return {"endorsements": [e.to_json() for e in cs.employer.endorsements.list(subject)]}


@router.get("/endorsements/{endorsement_id}", summary="One endorsement")
def get_endorsement(endorsement_id: str, cs: CredstackDep, token: EmployerToken) -> dict[str, Any]:
    return cs.employer.endorsements.get(endorsement_id).to_json()


@router.post("/endorsements/verify", summary="Verify an EndorsementCredential (any format, raw body)")
async def verify_endorsement(request: Request, cs: CredstackDep, token: EmployerToken) -> dict[str, Any]:
    data = await request.body()
    if not data.strip():
        raise InvalidInputError("the request body is empty: send an EndorsementCredential")
    report = await run_in_threadpool(cs.employer.endorsements.verify, data)
    return report.to_json()
