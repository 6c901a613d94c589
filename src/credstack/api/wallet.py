"""The learner wallet over HTTP (a personal token with the ``wallet`` scope: ``credstack user token EMAIL --scopes
wallet``), the public shared view's JSON twin, and an issued credential's claim link (issuers).

Another person's items and shares are 404 ``not_found``: they are invisible, not merely forbidden.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from credstack.api.body import JsonRoute
from credstack.api.deps import CredstackDep
from credstack.api.principal import PersonDep, PrincipalDep
from credstack.api.problems import error_response
from credstack.domain.verification import VerificationReport
from credstack.errors import CredentialRejectedError, ForbiddenError, InvalidInputError
from credstack.services.portfolio import Portfolio
from credstack.services.sharing import SharedView
from credstack.services.wallet import WalletItem
from credstack.services.wallet_exports import certificate_pdf, linkedin_url

__all__ = ["form_router", "router"]

router = APIRouter(prefix="/api", route_class=JsonRoute, tags=["Wallet"])
#: multipart routes (JsonRoute refuses non-JSON bodies)
form_router = APIRouter(prefix="/api", tags=["Wallet"])


class ImportUrl(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(description="An https URL on the fetch allow-list (CREDSTACK_FETCH_ALLOWLIST).")


class PresentationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    credentials: list[str] = Field(description="Wallet item ids or credential id URLs.")
    challenge: str | None = None
    domain: str | None = None


class ShareCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[str] = Field(description="Wallet item ids to include.")
    kind: Literal["credential", "portfolio"] = "portfolio"
    title: str | None = None
    expires_at: datetime | None = Field(default=None, description="When the link stops working (with a time zone).")
    expires_in_days: int | None = Field(default=None, ge=1, le=366)
    org: str | None = Field(default=None, description="Address the share to this organisation (employers).")
    include_evidence: bool = True


def item_json(item: WalletItem, report: VerificationReport | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": item.id,
        "title": item.title,
        "issuer": item.issuer_name,
        "source": item.source,
        "format": item.fmt,
        "credential_id": item.document_id,
        "added_at": item.added_at.isoformat().replace("+00:00", "Z"),
    }
    if report is not None:
        out["verified"] = report.verified
        out["checks"] = [c.to_json() for c in report.checks]
        out["credential"] = report.credential
    return out


def portfolio_json(portfolio: Portfolio) -> dict[str, Any]:
    return {
        "credits": portfolio.credits,
        "verified": portfolio.verified,
        "total": portfolio.total,
        "groups": [
            {
                "pathway": g.pathway_id,
                "name": g.name,
                "percent": g.percent,
                "satisfied": g.satisfied,
                "credits_earned": g.credits_earned,
                "credits_needed": g.credits_needed,
                "missing": list(g.missing),
                "credentials": [item_json(i, r) for i, r in g.items],
            }
            for g in portfolio.groups
        ],
        "evidence": [e.to_json() for e in portfolio.evidence],
    }


def shared_view_json(view: SharedView) -> dict[str, Any]:
    share = view.share
    return {
        "state": share.state,
        "title": share.title,
        "kind": share.kind,
        "holder": view.holder_name,
        "expires_at": share.to_json()["expires_at"],
        "credentials": [item_json(i, r) for i, r in view.items],
    }


@router.get("/wallet", summary="My credentials, each re-verified now")
def wallet(cs: CredstackDep, person: PersonDep) -> dict[str, Any]:
    return {"items": [item_json(i, r) for i, r in cs.wallet.verified_items(person.id)]}


@router.get("/wallet/items/{item_id}", summary="One of my credentials, re-verified, with its export links")
def wallet_item(item_id: str, cs: CredstackDep, person: PersonDep) -> dict[str, Any]:
    item = cs.wallet.item(person.id, item_id)
    facts = cs.wallet.certificate_facts(person.id, item.id)
    return {
        **item_json(item, cs.wallet.verify_raw(item.raw, item.fmt)),
        "linkedin": linkedin_url(facts),
        "certificate": f"/api/wallet/items/{item.id}/certificate.pdf",
    }


@router.delete("/wallet/items/{item_id}", status_code=204, summary="Remove a credential from my wallet")
def wallet_remove(item_id: str, cs: CredstackDep, person: PersonDep) -> Response:
    cs.wallet.remove(person.id, item_id)
    return Response(status_code=204)


@router.get("/wallet/items/{item_id}/certificate.pdf", summary="A PDF certificate with a QR code to verify")
def wallet_certificate(item_id: str, cs: CredstackDep, person: PersonDep) -> Response:
    pdf = certificate_pdf(cs.wallet.certificate_facts(person.id, item_id))
    return Response(pdf, media_type="application/pdf")


@router.get("/claims/{token}", summary="What a claim link offers (public: the credential, re-verified)")
def claim_preview(token: str, cs: CredstackDep) -> dict[str, Any]:
    preview = cs.wallet.claim_preview(token)
    report = cs.verifier.verify(preview.credential.credential)
    return {
        "claimed": preview.claimed,
        "verified": report.verified,
        "checks": [c.to_json() for c in report.checks],
        "credential": preview.credential.credential,
    }


@router.post("/wallet/claims/{token}", status_code=201, summary="Claim an issued credential into my wallet")
def wallet_claim(token: str, cs: CredstackDep, person: PersonDep) -> dict[str, Any]:
    return item_json(cs.wallet.claim(person.id, token))


def _rejected(request: Request, exc: CredentialRejectedError) -> Response:
    return error_response(request, exc, {"reasons": list(exc.reasons)})


@router.post(
    "/wallet/import",
    status_code=201,
    summary="Import a credential: the raw file as the body (JSON, JWT, baked PNG or SVG, OB 2.0 hosted assertion)",
)
async def wallet_import(request: Request, cs: CredstackDep, person: PersonDep) -> Any:
    data = await request.body()
    try:
        item = await run_in_threadpool(cs.wallet.import_bytes, person.id, data)
    except CredentialRejectedError as exc:
        return _rejected(request, exc)
    return JSONResponse(item_json(item), status_code=201)


@router.post("/wallet/import-url", status_code=201, summary="Import a credential from an allow-listed URL")
def wallet_import_url(body: ImportUrl, request: Request, cs: CredstackDep, person: PersonDep) -> Any:
    try:
        item = cs.wallet.import_url(person.id, body.url)
    except CredentialRejectedError as exc:
        return _rejected(request, exc)
    return JSONResponse(item_json(item), status_code=201)


@router.post("/wallet/presentations", summary="A signed Verifiable Presentation of my credentials")
def wallet_presentation(body: PresentationRequest, cs: CredstackDep, person: PersonDep) -> JSONResponse:
    vp = cs.wallet.presentation(person.id, body.credentials, challenge=body.challenge, domain=body.domain)
    return JSONResponse(vp, media_type="application/vp+ld+json")


@router.get("/wallet/portfolio", summary="My portfolio: credentials by qualification, progress, credits, projects")
def wallet_portfolio(cs: CredstackDep, person: PersonDep) -> dict[str, Any]:
    return portfolio_json(cs.portfolio.portfolio(person.id))


@form_router.post("/wallet/evidence", status_code=201, summary="Attach a project (a file or a link)")
async def wallet_evidence(
    cs: CredstackDep,
    person: PersonDep,
    title: Annotated[str, Form()],
    url: Annotated[str | None, Form()] = None,
    credential: Annotated[str | None, Form(description="A wallet item id it is evidence for")] = None,
    file: Annotated[UploadFile | None, File()] = None,
) -> dict[str, Any]:
    content = await file.read() if file is not None and file.filename else None
    evidence = cs.portfolio.add_evidence(
        person.id,
        title,
        url=url or None,
        filename=file.filename if file is not None else None,
        content=content,
        media_type=file.content_type if file is not None else None,
        item_id=credential or None,
    )
    return evidence.to_json()


@router.get("/wallet/shares", summary="My share links")
def wallet_shares(cs: CredstackDep, person: PersonDep) -> dict[str, Any]:
    return {"shares": [s.to_json() for s in cs.sharing.shares(person.id)]}


@router.post("/wallet/shares", status_code=201, summary="Create a share link")
def wallet_share_create(body: ShareCreate, cs: CredstackDep, person: PersonDep) -> dict[str, Any]:
    if body.expires_at is not None and body.expires_in_days is not None:
        raise InvalidInputError("give expires_at or expires_in_days, not both")
    expires = body.expires_at
    if body.expires_in_days is not None:
        expires = cs.clock() + timedelta(days=body.expires_in_days)
    share = cs.sharing.create(
        person.id,
        body.items,
        kind=body.kind,
        title=body.title,
        expires_at=expires,
        org_id=body.org,
        include_evidence=body.include_evidence,
    )
    return share.to_json()


@router.get("/wallet/shares/{share_id}", summary="One of my share links with its view log")
def wallet_share(share_id: str, cs: CredstackDep, person: PersonDep) -> dict[str, Any]:
    share = cs.sharing.get(person.id, share_id)
    return {**share.to_json(), "views": [v.to_json() for v in cs.sharing.views(person.id, share_id)]}


@router.post("/wallet/shares/{share_id}/revoke", summary="Revoke a share link now")
def wallet_share_revoke(share_id: str, cs: CredstackDep, person: PersonDep) -> dict[str, Any]:
    return cs.sharing.revoke(person.id, share_id).to_json()


@router.get("/shares/{share_id}", tags=["Wallet"], summary="A shared link's credentials, re-verified (public)")
def shared(share_id: str, request: Request, cs: CredstackDep) -> Response:
    view = cs.sharing.open(share_id, viewer="api", user_agent=request.headers.get("user-agent", ""))
    status = 200 if view.share.state == "active" else 410
    return JSONResponse(shared_view_json(view), status_code=status)


@router.get("/credentials/{credential_id}/claim-link", tags=["Credentials"], summary="The claim link to send")
def claim_link(
    credential_id: str,
    cs: CredstackDep,
    principal: PrincipalDep,
    as_qr: Annotated[bool, Query(alias="qr", description="Also return the QR code (SVG data URI)")] = False,
) -> dict[str, Any]:
    principal.require_scope("issue")
    record = cs.issuing.get(credential_id)
    if not principal.is_platform_admin and not (principal.org_id is None and principal.person is None):
        org_id = cs.accounts.org_of_issuer(record.issuer_id)
        if org_id is None:
            raise ForbiddenError("this credential was issued by a platform issuer; use a platform token")
        principal.require_role(org_id, "issuer_admin", "assessor")
    url = cs.wallet.claim_link(record.id)
    out: dict[str, Any] = {"credential": record.id, "claim_url": url}
    if as_qr:
        import segno

        out["qr"] = segno.make(url, error="m").svg_data_uri(scale=4, border=2)
    return out
