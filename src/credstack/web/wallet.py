"""The learner's pages: wallet, claim, import, one credential (PDF, LinkedIn, presentation), portfolio and evidence,
share links (create, view log, revoke) and the public shared view.

JSON twins under ``/api/wallet/...`` and ``/api/shares/{id}`` (docs/http-api.md). Every POST form carries the
session's CSRF token; pages that need a person redirect to ``/signin`` first.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from credstack.app import Credstack
from credstack.domain.verification import VerificationReport
from credstack.errors import CredentialRejectedError, InvalidInputError
from credstack.services.accounts import WebSession
from credstack.services.employer import EMPLOYER_ROLES
from credstack.services.wallet import WalletItem
from credstack.services.wallet_exports import certificate_pdf, linkedin_url
from credstack.web.badge_image import qr_data_uri
from credstack.web.deps import CredstackDep, templates
from credstack.web.present import credential_view, overall_status
from credstack.web.session import check_csrf, current_session, sign_in_redirect

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: Expiry choices on the share form (days); "never" is allowed too.
EXPIRY_DAYS = (1, 7, 30, 90)
NO_STORE = {"Cache-Control": "no-store"}


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status, headers=NO_STORE)


def _report_view(report: VerificationReport) -> dict[str, Any]:
    """A report as the templates show it: the report, the readable view, the status pill and the failures."""
    # an Open Badges 2.0 assertion is not a VC: its page shows the title and checks, not the VC reading of it
    credential = report.credential if isinstance(report.credential, dict) and report.format != "ob2" else None
    return {
        "report": report,
        "view": credential_view(credential) if credential else None,
        "status": overall_status(report.checks, report.verified),
        "failed": report.failures,
    }


def _shown(item: WalletItem, report: VerificationReport) -> dict[str, Any]:
    """One wallet credential as the templates show it."""
    return {"item": item, **_report_view(report)}


def _wallet_context(cs: Credstack, web: WebSession, **extra: Any) -> dict[str, Any]:
    person = web.person
    return {
        "nav": "wallet",
        "web": web,
        "csrf": web.csrf_token,
        "items": [_shown(i, r) for i, r in cs.wallet.verified_items(person.id)],
        "shares": cs.sharing.shares(person.id),
        "orgs": cs.accounts.list_orgs(),
        "expiry_days": EXPIRY_DAYS,
        "rejected": None,
        "imported": None,
        **extra,
    }


@router.get("/wallet", response_class=HTMLResponse)
def wallet_page(request: Request, cs: CredstackDep) -> Response:
    web = current_session(request, cs)
    if web is None:
        return sign_in_redirect(request)
    return _page(request, "wallet.html", _wallet_context(cs, web))


@router.post("/wallet/import", response_class=HTMLResponse)
async def wallet_import(
    request: Request,
    cs: CredstackDep,
    csrf_token: Annotated[str | None, Form()] = None,
    credential: Annotated[str | None, Form()] = None,
    url: Annotated[str | None, Form()] = None,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    web = current_session(request, cs)
    if web is None:
        return sign_in_redirect(request)
    check_csrf(web, csrf_token)
    upload = await file.read() if file is not None and file.filename else None
    try:
        if upload:
            item = await run_in_threadpool(cs.wallet.import_bytes, web.person.id, upload)
        elif url and url.strip():
            item = await run_in_threadpool(cs.wallet.import_url, web.person.id, url.strip())
        elif credential and credential.strip():
            item = await run_in_threadpool(cs.wallet.import_bytes, web.person.id, credential.strip().encode("utf-8"))
        else:
            raise InvalidInputError("choose a file, paste a credential, or give a URL to import")
    except CredentialRejectedError as exc:
        return _page(request, "wallet.html", _wallet_context(cs, web, rejected=exc), status=422)
    return _page(request, "wallet.html", _wallet_context(cs, web, imported=item), status=201)


@router.get("/claim/{token}", response_class=HTMLResponse)
def claim_page(token: str, request: Request, cs: CredstackDep) -> Response:
    preview = cs.wallet.claim_preview(token)
    web = current_session(request, cs)
    report = cs.verifier.verify(preview.credential.credential)
    context = {
        "nav": "wallet",
        "web": web,
        "csrf": web.csrf_token if web else None,
        "token": token,
        "preview": preview,
        "claim_url": str(request.url),
        "qr": qr_data_uri(cs.wallet.claim_url(preview.credential.id)),
        **_report_view(report),
    }
    return _page(request, "claim.html", context)


@router.post("/claim/{token}")
def claim(token: str, request: Request, cs: CredstackDep, csrf_token: Annotated[str | None, Form()] = None) -> Response:
    web = current_session(request, cs)
    if web is None:
        return sign_in_redirect(request)
    check_csrf(web, csrf_token)
    item = cs.wallet.claim(web.person.id, token)
    return RedirectResponse(f"/wallet/items/{item.id}?claimed=1", status_code=303)


@router.get("/wallet/items/{item_id}", response_class=HTMLResponse)
def wallet_item(item_id: str, request: Request, cs: CredstackDep) -> Response:
    web = current_session(request, cs)
    if web is None:
        return sign_in_redirect(request)
    item = cs.wallet.item(web.person.id, item_id)
    report = cs.wallet.verify_raw(item.raw, item.fmt)
    facts = cs.wallet.certificate_facts(web.person.id, item.id)
    context = {
        "nav": "wallet",
        "web": web,
        "csrf": web.csrf_token,
        "claimed": request.query_params.get("claimed") == "1",
        "linkedin": linkedin_url(facts),
        "verify_url": facts.verify_url,
        "expiry_days": EXPIRY_DAYS,
        **_shown(item, report),
    }
    return _page(request, "wallet_item.html", context)


@router.get("/wallet/items/{item_id}/certificate.pdf")
def wallet_certificate(item_id: str, request: Request, cs: CredstackDep) -> Response:
    web = current_session(request, cs)
    if web is None:
        return sign_in_redirect(request)
    pdf = certificate_pdf(cs.wallet.certificate_facts(web.person.id, item_id))
    headers = {"Content-Disposition": f'attachment; filename="certificate-{item_id[:12]}.pdf"', **NO_STORE}
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.get("/wallet/items/{item_id}/presentation.json")
def wallet_presentation(item_id: str, request: Request, cs: CredstackDep) -> Response:
    web = current_session(request, cs)
    if web is None:
        return sign_in_redirect(request)
    vp = cs.wallet.presentation(web.person.id, [item_id])
    headers = {"Content-Disposition": f'attachment; filename="presentation-{item_id[:12]}.json"', **NO_STORE}
    return JSONResponse(vp, media_type="application/vp+ld+json", headers=headers)


@router.post("/wallet/items/{item_id}/remove")
def wallet_remove(
    item_id: str, request: Request, cs: CredstackDep, csrf_token: Annotated[str | None, Form()] = None
) -> Response:
    web = current_session(request, cs)
    if web is None:
        return sign_in_redirect(request)
    check_csrf(web, csrf_token)
    cs.wallet.remove(web.person.id, item_id)
    return RedirectResponse("/wallet", status_code=303)


@router.get("/portfolio", response_class=HTMLResponse)
def portfolio_page(request: Request, cs: CredstackDep) -> Response:
    web = current_session(request, cs)
    if web is None:
        return sign_in_redirect(request)
    portfolio = cs.portfolio.portfolio(web.person.id)
    groups = [{"group": g, "shown": [_shown(i, r) for i, r in g.items]} for g in portfolio.groups]
    items = cs.wallet.items(web.person.id)
    context = {"nav": "portfolio", "web": web, "csrf": web.csrf_token, "portfolio": portfolio, "groups": groups}
    return _page(request, "portfolio.html", {**context, "items": items})


@router.post("/portfolio/evidence")
async def portfolio_evidence(
    request: Request,
    cs: CredstackDep,
    title: Annotated[str, Form()],
    csrf_token: Annotated[str | None, Form()] = None,
    url: Annotated[str | None, Form()] = None,
    credential: Annotated[str | None, Form()] = None,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    web = current_session(request, cs)
    if web is None:
        return sign_in_redirect(request)
    check_csrf(web, csrf_token)
    content = await file.read() if file is not None and file.filename else None
    cs.portfolio.add_evidence(
        web.person.id,
        title,
        url=(url or "").strip() or None if content is None else None,
        filename=file.filename if file is not None and content is not None else None,
        content=content,
        media_type=file.content_type if file is not None else None,
        item_id=credential or None,
    )
    return RedirectResponse("/portfolio", status_code=303)


@router.get("/portfolio/evidence/{evidence_id}")
def portfolio_evidence_file(evidence_id: str, request: Request, cs: CredstackDep) -> Response:
    web = current_session(request, cs)
    if web is None:
        return sign_in_redirect(request)
    evidence, content = cs.portfolio.evidence_file(web.person.id, evidence_id)
    return _download(evidence.filename or "project", content)


def _download(filename: str, content: bytes) -> Response:
    """A project file, always as a download (never rendered here: it is someone's upload)."""
    safe = "".join(c for c in filename if c.isalnum() or c in "._- ")[:100] or "project"
    headers = {"Content-Disposition": f'attachment; filename="{safe}"', "Content-Security-Policy": "sandbox"}
    return Response(content, media_type="application/octet-stream", headers={**headers, **NO_STORE})


@router.post("/wallet/shares")
def share_create(
    request: Request,
    cs: CredstackDep,
    csrf_token: Annotated[str | None, Form()] = None,
    items: Annotated[list[str] | None, Form()] = None,
    title: Annotated[str | None, Form()] = None,
    expires: Annotated[str, Form()] = "30",
    org: Annotated[str | None, Form()] = None,
    include_evidence: Annotated[bool, Form()] = False,
) -> Response:
    web = current_session(request, cs)
    if web is None:
        return sign_in_redirect(request)
    check_csrf(web, csrf_token)
    chosen = items or []
    if expires == "never":
        expires_at = None
    elif expires.isdigit() and int(expires) in EXPIRY_DAYS:
        expires_at = cs.clock() + timedelta(days=int(expires))
    else:
        raise InvalidInputError(f"choose an expiry: {', '.join(map(str, EXPIRY_DAYS))} days or never")
    share = cs.sharing.create(
        web.person.id,
        chosen,
        kind="credential" if len(chosen) == 1 and not include_evidence else "portfolio",
        title=title,
        expires_at=expires_at,
        org_id=org or None,
        include_evidence=include_evidence,
    )
    return RedirectResponse(f"/wallet/shares/{share.id}", status_code=303)


@router.get("/wallet/shares/{share_id}", response_class=HTMLResponse)
def share_page(share_id: str, request: Request, cs: CredstackDep) -> Response:
    web = current_session(request, cs)
    if web is None:
        return sign_in_redirect(request)
    share = cs.sharing.get(web.person.id, share_id)
    items = cs.wallet.items_by_id(share.item_ids)
    context = {
        "nav": "wallet",
        "web": web,
        "csrf": web.csrf_token,
        "share": share,
        "items": items,
        "views": cs.sharing.views(web.person.id, share_id),
        "qr": qr_data_uri(share.url),
    }
    return _page(request, "share.html", context)


@router.post("/wallet/shares/{share_id}/revoke")
def share_revoke(
    share_id: str, request: Request, cs: CredstackDep, csrf_token: Annotated[str | None, Form()] = None
) -> Response:
    web = current_session(request, cs)
    if web is None:
        return sign_in_redirect(request)
    check_csrf(web, csrf_token)
    cs.sharing.revoke(web.person.id, share_id)
    return RedirectResponse(f"/wallet/shares/{share_id}", status_code=303)


@router.get("/s/{share_id}", response_class=HTMLResponse)
def shared_page(share_id: str, request: Request, cs: CredstackDep) -> Response:
    web = current_session(request, cs)
    viewer = web.person.email if web is not None else "anonymous"
    view = cs.sharing.open(share_id, viewer=viewer, user_agent=request.headers.get("user-agent", ""))
    evidence = []
    if view.share.state == "active" and view.share.include_evidence and view.share.kind == "portfolio":
        evidence = [e for e in cs.portfolio.evidence(view.share.person_id) if e.item_id in (None, *view.share.item_ids)]
    reviewer = _reviewer_org(cs, web)
    shown = []
    for item, report in view.items:
        entry = _shown(item, report)
        if reviewer is not None and isinstance(report.credential, dict) and report.format != "ob2":
            entry["trust"] = cs.employer.trust_for(reviewer, report.credential, verified=report.verified)
        shown.append(entry)
    context = {
        "nav": None,
        "share": view.share,
        "holder": view.holder_name,
        "shown": shown,
        "evidence": evidence,
        "reviewer_org": reviewer,
    }
    return _page(request, "shared.html", context, status=200 if view.share.state == "active" else 410)


def _reviewer_org(cs: Credstack, web: WebSession | None) -> str | None:
    """The organisation a signed-in employer reviewer (or issuer admin) reviews for: each shared credential then shows
    its trust breakdown for that organisation (its trusted-issuer list). None for anyone else."""
    if web is None:
        return None
    org = cs.employer.org_for_person(web.person)
    return org if web.person.has_role(org, *EMPLOYER_ROLES) else None


@router.get("/s/{share_id}/evidence/{evidence_id}")
def shared_evidence(share_id: str, evidence_id: str, cs: CredstackDep) -> Response:
    """A project file of an active portfolio share that includes evidence."""
    share = cs.sharing.peek(share_id)
    if share.state != "active" or not share.include_evidence:
        return Response("this share link no longer shows files", status_code=410, media_type="text/plain")
    evidence, content = cs.portfolio.evidence_file(share.person_id, evidence_id)
    if evidence.item_id not in (None, *share.item_ids):
        return Response("not part of this share", status_code=404, media_type="text/plain")
    return _download(evidence.filename or "project", content)
