"""VC-API endpoints (https://w3c-ccg.github.io/vc-api/): the shapes the W3C test suites drive.

``POST /credentials/issue`` (scope ``issue``; the credential's ``issuer``, when given, picks which of this server's
issuers signs), ``POST /credentials/status`` (scope ``status``),
``POST /credentials/verify`` and ``POST /presentations/verify`` (public: a credential that fails verification is a
200 answer with ``verified: false``, every check and its reason; only unusable input is an error).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse

from credstack.api.body import JsonRoute
from credstack.api.deps import CredstackDep, IssueToken, StatusToken
from credstack.api.schemas import (
    IssueRequest,
    PresentationVerifyRequest,
    StatusUpdateRequest,
    VerificationResult,
    VerifyRequest,
)
from credstack.api.views import apply_status_change, credential_document, record_json, verification_result
from credstack.app import Credstack
from credstack.errors import InvalidCredentialError, InvalidInputError, NotFoundError

__all__ = ["router"]

router = APIRouter(route_class=JsonRoute, tags=["VC-API"])


def _parse_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInputError(f"options.at is not an RFC 3339 date-time: {value!r}", where="/options/at") from exc
    if moment.tzinfo is None:
        raise InvalidInputError("options.at needs a time zone (for example Z)", where="/options/at")
    return moment


def _issuer_on_this_server(cs: Credstack, credential: dict[str, Any]) -> str | None:
    """Which of this server's issuers the credential's ``issuer`` (an id or a Profile) names; None: the default."""
    issuer = credential.get("issuer")
    ref = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(ref, str) or not ref:
        return None
    try:
        cs.issuers.get(ref)
    except NotFoundError as exc:
        raise InvalidCredentialError(
            f"issuer {ref!r} is not an issuer of this server; omit issuer to have the default issuer sign",
            where="/credential/issuer",
        ) from exc
    return ref


@router.post(
    "/credentials/issue",
    status_code=201,
    summary="Issue (sign) a credential",
    response_description='`{"verifiableCredential": {...}}` with a Data Integrity proof',
)
def issue_credential(
    body: IssueRequest,
    cs: CredstackDep,
    token: IssueToken,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    record = cs.issuing.issue_credential(
        body.credential,
        issuer_ref=_issuer_on_this_server(cs, body.credential),
        cryptosuite=body.options.cryptosuite,
        idempotency_key=idempotency_key,
        actor=f"token:{token.id}",
    )
    return JSONResponse({"verifiableCredential": credential_document(record)}, status_code=201)


@router.post("/credentials/verify", summary="Verify a credential", response_model=VerificationResult)
def verify_credential(body: VerifyRequest, cs: CredstackDep) -> dict[str, Any]:
    report = cs.verifier.verify(
        body.verifiableCredential,
        documents=body.documents,
        at=_parse_at(body.options.at),
        challenge=body.options.challenge,
        domain=body.options.domain,
    )
    return verification_result(report)


@router.post("/presentations/verify", summary="Verify a presentation", response_model=VerificationResult)
def verify_presentation(body: PresentationVerifyRequest, cs: CredstackDep) -> dict[str, Any]:
    report = cs.verifier.verify(
        body.verifiablePresentation,
        documents=body.documents,
        at=_parse_at(body.options.at),
        challenge=body.options.challenge,
        domain=body.options.domain,
    )
    return verification_result(report)


@router.post("/credentials/status", summary="Revoke, suspend or unsuspend a credential")
def update_status(body: StatusUpdateRequest, cs: CredstackDep, token: StatusToken) -> dict[str, Any]:
    for entry in body.credentialStatus:
        apply_status_change(
            cs, body.credentialId, purpose=entry.statusPurpose, status=entry.status, actor=f"token:{token.id}"
        )
    return {"credentialId": body.credentialId, "status": record_json(cs.status.status_of(body.credentialId))}
