"""The employer tools' HTTP API (JSON twins of the ``/employer`` pages), under ``/api/employer``; every endpoint needs a
bearer token with the ``employer`` scope (``credstack token create --scopes employer``).

Bulk verification: ``POST /api/employer/batches`` (multipart field ``file``: one credential, a zip, or a CSV of
URLs) answers 201 with the finished job for small batches, 202 with a pending job for large ones (poll
``GET /api/employer/batches/{id}``); ``GET .../report.csv`` and ``.../report.json`` download the report;
``GET .../items/{position}`` one result with its trust breakdown.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from credstack.api.deps import CredstackDep
from credstack.errors import AuthError, InvalidInputError

__all__ = ["BULK_UPLOAD_PATHS", "router"]

#: Paths whose request bodies may be as large as CREDSTACK_BULK_MAX_BYTES (the body-limit middleware reads this).
BULK_UPLOAD_PATHS = ("/api/employer/batches", "/employer/verify")

router = APIRouter(prefix="/api/employer", tags=["Employer"])


_bearer = HTTPBearer(auto_error=False, description="A token with the `employer` scope")


def employer_principal(
    cs: CredstackDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Any:
    if credentials is None or not credentials.credentials:
        raise AuthError("this endpoint needs a bearer token with the 'employer' scope")
    return cs.accounts.principal_for_token(credentials.credentials)


def employer_org(cs: CredstackDep, principal: Annotated[Any, Depends(employer_principal)]) -> str:
    """The organisation the bearer token acts for (401 without a token, 403 without the scope or role)."""
    return cs.employer.org_for_principal(principal)


#: The organisation of the calling token (an ``Annotated`` dependency, so signatures read like prose).
EmployerOrg = Annotated[str, Depends(employer_org)]


@router.post("/batches", summary="Verify a batch: one file, a zip of files, or a CSV of URLs", status_code=201)
async def create_batch(
    cs: CredstackDep,
    org: EmployerOrg,
    file: Annotated[UploadFile, File(description="A credential, a zip of credentials, or a CSV with a url column")],
) -> Response:
    data = await file.read()
    if not data:
        raise InvalidInputError("the uploaded file is empty")
    batch = await run_in_threadpool(cs.employer.batches.submit, org, file.filename or "upload", data)
    status = 201 if batch.state in {"done", "failed"} else 202
    return JSONResponse(batch.to_json(), status_code=status, headers={"Location": f"/api/employer/batches/{batch.id}"})


@router.get("/batches", summary="This organisation's recent verification jobs")
def list_batches(cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    return {"batches": [b.to_json() for b in cs.employer.batches.recent(org)]}


@router.get("/batches/{batch_id}", summary="A verification job and its progress")
def get_batch(batch_id: str, cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    return cs.employer.batches.get(batch_id, org).to_json()


@router.get("/batches/{batch_id}/report.json", summary="The report: every result with each check's status and reason")
def batch_report_json(batch_id: str, cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    return cs.employer.batches.report(batch_id, org)


@router.get("/batches/{batch_id}/report.csv", summary="The report as CSV: file, verdict, each check and reason")
def batch_report_csv(batch_id: str, cs: CredstackDep, org: EmployerOrg) -> Response:
    text = cs.employer.batches.report_csv(batch_id, org)
    return Response(text, media_type="text/csv; charset=utf-8", headers=_attachment(f"verification-{batch_id}.csv"))


@router.get("/batches/{batch_id}/items/{position}", summary="One result, with the credential and trust breakdown")
def batch_item(
    batch_id: str,
    position: int,
    cs: CredstackDep,
    org: EmployerOrg,
    credential: Annotated[bool, Query(description="Include the credential read")] = True,
) -> dict[str, Any]:
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
def list_trusted(cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    return {"trusted_issuers": [t.to_json() for t in cs.employer.registry.trusted(org)]}


@router.post("/trusted-issuers", summary="Trust an issuer (a DID or a domain); idempotent", status_code=201)
def add_trusted(body: TrustedIssuerIn, cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    return cs.employer.registry.add(org, body.value, body.label).to_json()


@router.delete("/trusted-issuers/{entry_id}", summary="Remove an entry from the registry", status_code=204)
def remove_trusted(entry_id: int, cs: CredstackDep, org: EmployerOrg) -> Response:
    cs.employer.registry.remove(org, entry_id)
    return Response(status_code=204)


@router.post("/trust", summary="Verify one credential (any format) and give its trust breakdown")
async def trust_of(request: Request, cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    data = await request.body()
    if not data.strip():
        raise InvalidInputError("the request body is empty: send a credential, a JWT or a baked badge image")
    report = await run_in_threadpool(cs.verifier.verify, data)
    trust = cs.employer.trust_for(org, report.credential, verified=report.verified)
    return {**report.to_json(), "trust": trust.to_json()}


class EndorsementIn(BaseModel):
    """What to endorse (an achievement id or URL, an issuer slug or DID, or any URI), by which issuer here."""

    subject: str = Field(max_length=500)
    endorser: str | None = Field(default=None, max_length=300, description="An issuer here (slug or DID)")
    comment: str = Field(default="", max_length=5000)
    name: str | None = Field(default=None, max_length=300)


@router.post("/endorsements", summary="Sign an OB 3.0 EndorsementCredential", status_code=201)
def create_endorsement(
    body: EndorsementIn, cs: CredstackDep, org: EmployerOrg, principal: Annotated[Any, Depends(employer_principal)]
) -> dict[str, Any]:
    """An org-bound token endorses with its organisation's issuer; a platform token with any issuer here."""
    signer = cs.employer.endorser_for(org, body.endorser, any_issuer=principal.org_id is None)
    record = cs.employer.endorsements.endorse(body.subject, endorser=signer, comment=body.comment, name=body.name)
    return record.to_json()


@router.get("/endorsements", summary="Endorsements signed here (of one subject when given)")
def list_endorsements(
    cs: CredstackDep, org: EmployerOrg, subject: Annotated[str | None, Query(max_length=500)] = None
) -> dict[str, Any]:
    return {"endorsements": [e.to_json() for e in cs.employer.endorsements.list(subject)]}


@router.get("/endorsements/{endorsement_id}", summary="One endorsement")
def get_endorsement(endorsement_id: str, cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    return cs.employer.endorsements.get(endorsement_id).to_json()


@router.post("/endorsements/verify", summary="Verify an EndorsementCredential (any format, raw body)")
async def verify_endorsement(request: Request, cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    data = await request.body()
    if not data.strip():
        raise InvalidInputError("the request body is empty: send an EndorsementCredential")
    report = await run_in_threadpool(cs.employer.endorsements.verify, data)
    return report.to_json()


class PresentationRequestIn(BaseModel):
    """What the employer asks for (shown to the learner), the domain (default: this server's host), hours open."""

    purpose: str = Field(default="", max_length=2000)
    domain: str | None = Field(default=None, max_length=300)
    hours: float = Field(default=72, gt=0, le=24 * 90)


@router.post("/requests", summary="Create a presentation request (a challenge and a domain)", status_code=201)
def create_request(body: PresentationRequestIn, cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    return cs.employer.requests.create(org, body.purpose, domain=body.domain, hours=body.hours).to_json()


@router.get("/requests", summary="This organisation's presentation requests")
def list_requests(cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    return {"requests": [r.to_json() for r in cs.employer.requests.recent(org)]}


@router.get("/requests/{request_id}", summary="A presentation request and, once answered, the verified result")
def get_request(request_id: str, cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    return cs.employer.requests.get(request_id, org).to_json()


public_router = APIRouter(prefix="/api/presentation-requests", tags=["Employer"])


@public_router.get("/{request_id}", summary="What a presentation request asks for (public: the learner's side)")
def show_request(request_id: str, cs: CredstackDep) -> dict[str, Any]:
    request = cs.employer.requests.get(request_id)
    return {k: v for k, v in request.to_json().items() if k != "result"}


@public_router.post("/{request_id}/answer", summary="Answer with a VerifiablePresentation (raw JSON body)")
async def answer_request(request_id: str, request: Request, cs: CredstackDep) -> Response:
    data = await request.body()
    if not data.strip():
        raise InvalidInputError("the request body is empty: send a VerifiablePresentation")
    outcome = await run_in_threadpool(cs.employer.requests.answer, request_id, data)
    body = {"accepted": outcome.accepted, "state": outcome.request.state, "report": outcome.report.to_json()}
    return JSONResponse(body, status_code=200 if outcome.accepted else 422)


class JobIn(BaseModel):
    """A job: posting ``text``, an ESCO ``occupation`` (URI, id or code), or explicit ``skills``."""

    title: str = Field(default="", max_length=300)
    text: str = Field(default="", max_length=20_000)
    occupation: str | None = Field(default=None, max_length=300)
    skills: list[dict[str, Any]] | None = Field(default=None, max_length=40)


@router.post("/jobs", summary="Create a job (its required skills from text, an occupation, or given)", status_code=201)
def create_job(body: JobIn, cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    job = cs.employer.hiring.create_job(org, body.title, text=body.text, occupation=body.occupation, skills=body.skills)
    return job.to_json()


@router.get("/jobs", summary="This organisation's jobs")
def list_jobs(cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    return {"jobs": [j.to_json() for j in cs.employer.hiring.jobs(org)]}


@router.get("/jobs/{job_id}/candidates", summary="Rank the candidates who shared portfolios (logged)")
def rank_candidates(
    job_id: str, cs: CredstackDep, org: EmployerOrg, top: Annotated[int, Query(ge=1, le=500)] = 50
) -> dict[str, Any]:
    return cs.employer.hiring.rank(job_id, org, top=top).to_json()


@router.get("/jobs/{job_id}/rankings", summary="The log of this job's rankings")
def job_rankings(job_id: str, cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    return {"rankings": cs.employer.hiring.rankings(job_id, org)}


class TeamMemberIn(BaseModel):
    person: str = Field(max_length=500, description="An e-mail address or DID")
    name: str = Field(default="", max_length=200)
    role_profile_id: str | None = Field(default=None, max_length=64)


@router.get("/workforce/members", summary="The organisation's team (for the skills matrix and audit)")
def team(cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    return {"members": [m.to_json() for m in cs.employer.workforce.members(org)]}


@router.post("/workforce/members", summary="Add or update a team member", status_code=201)
def add_member(body: TeamMemberIn, cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    return cs.employer.workforce.add_member(org, body.person, body.name, body.role_profile_id).to_json()


class InternalCredentialIn(BaseModel):
    achievement_id: str = Field(max_length=64)
    person: str = Field(max_length=500)


@router.post("/workforce/credentials", summary="Issue an internal credential to a team member", status_code=201)
def issue_internal(body: InternalCredentialIn, cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    issued = cs.employer.workforce.issue_internal(org, body.achievement_id, body.person)
    return {"id": issued.id, "credential": issued.credential}


@router.get("/workforce/matrix", summary="The team skills matrix (members x skills, levels 0-4)")
def team_matrix(cs: CredstackDep, org: EmployerOrg) -> dict[str, Any]:
    return cs.employer.workforce.team_matrix(org)


@router.get("/workforce/audit", summary="The quarterly workforce skills audit (JSON; .csv and .pdf twins)")
def workforce_audit(
    cs: CredstackDep, org: EmployerOrg, budget: Annotated[float | None, Query(ge=0, le=1e9)] = None
) -> dict[str, Any]:
    return cs.employer.workforce.run_audit(org, budget=budget)


@router.get("/workforce/audit.csv", summary="The audit as CSV")
def workforce_audit_csv(
    cs: CredstackDep, org: EmployerOrg, budget: Annotated[float | None, Query(ge=0, le=1e9)] = None
) -> Response:
    text = cs.employer.workforce.audit_csv(cs.employer.workforce.run_audit(org, budget=budget))
    return Response(text, media_type="text/csv; charset=utf-8", headers=_attachment("skills-audit.csv"))


@router.get("/workforce/audit.pdf", summary="The audit as PDF")
def workforce_audit_pdf(
    cs: CredstackDep, org: EmployerOrg, budget: Annotated[float | None, Query(ge=0, le=1e9)] = None
) -> Response:
    pdf = cs.employer.workforce.audit_pdf(cs.employer.workforce.run_audit(org, budget=budget), org)
    return Response(pdf, media_type="application/pdf", headers=_attachment("skills-audit.pdf"))
