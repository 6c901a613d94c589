"""Web pages of the employer tools, under ``/employer``: bulk verification (upload, progress, results, report
downloads), one result with its trust breakdown, and the trusted-issuer registry.

JSON twins under ``/api/employer`` (see :mod:`credstack.api.employer`). Handlers parse input, call one service
method and render. The organisation is :func:`web_org`'s (the default organisation until accounts name one).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from credstack.app import Credstack
from credstack.domain._checks import Check, CheckStatus
from credstack.errors import AuthError, CredstackError, InvalidInputError
from credstack.services.employer import DEFAULT_ORG
from credstack.web.badge_image import qr_data_uri
from credstack.web.deps import CredstackDep, templates
from credstack.web.present import credential_view, overall_status
from credstack.web.session import check_csrf, current_session

__all__ = ["router", "web_org"]

router = APIRouter(include_in_schema=False)
PAGE = 100


def web_org(request: Request, cs: Credstack) -> str:
    """The organisation the signed-in person uses the employer tools for (the default organisation when the person
    holds no employer role). Nobody signed in: the default organisation in development mode (the demo), else 401."""
    session = current_session(request, cs)
    if session is None:
        if not cs.settings.development:
            raise AuthError("sign in to use the employer tools")
        return DEFAULT_ORG
    return cs.employer.org_for_person(session.person)


def _guard(request: Request, cs: Credstack, csrf_token: str | None) -> str:
    """The organisation for a form POST; a signed-in person's form must carry the session's CSRF token."""
    session = current_session(request, cs)
    if session is not None:
        check_csrf(session, csrf_token)
    return web_org(request, cs)


def _status(value: Any) -> CheckStatus:
    return "pass" if value == "pass" else "warning" if value == "warning" else "fail"


def _page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    session = current_session(request, request.app.state.credstack)
    org = context.get("org") or (
        request.app.state.credstack.employer.org_for_person(session.person) if session else DEFAULT_ORG
    )
    extra = {"nav": "employer", "csrf": session.csrf_token if session else None, "org": org}
    return templates.TemplateResponse(request, name, {**extra, **context}, status_code=status_code)


@router.get("/employer", response_class=HTMLResponse)
def employer_home(request: Request, cs: CredstackDep) -> HTMLResponse:
    org = web_org(request, cs)
    context = {
        "org": org,
        "batches": cs.employer.batches.recent(org, limit=5),
        "trusted": cs.employer.registry.trusted(org),
    }
    return _page(request, "employer_home.html", context)


@router.get("/employer/verify", response_class=HTMLResponse)
def bulk_page(request: Request, cs: CredstackDep) -> HTMLResponse:
    org = web_org(request, cs)
    return _page(
        request,
        "employer_verify.html",
        {"batches": cs.employer.batches.recent(org), "limits": cs.employer.batches.limits},
    )


@router.post("/employer/verify")
async def bulk_submit(
    request: Request,
    cs: CredstackDep,
    file: Annotated[UploadFile | None, File()] = None,
    csrf_token: Annotated[str | None, Form()] = None,
) -> RedirectResponse:
    org = _guard(request, cs, csrf_token)
    data = await file.read() if file is not None else b""
    if not data:
        raise InvalidInputError("choose a file to upload: a credential, a zip of credentials, or a CSV of URLs")
    filename = file.filename if file is not None and file.filename else "upload"
    batch = await run_in_threadpool(cs.employer.batches.submit, org, filename, data)
    return RedirectResponse(f"/employer/batches/{batch.id}", status_code=303)


@router.get("/employer/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(
    request: Request, batch_id: str, cs: CredstackDep, page: Annotated[int, Query(ge=1, le=10_000)] = 1
) -> HTMLResponse:
    org = web_org(request, cs)
    batch = cs.employer.batches.get(batch_id, org)
    items = cs.employer.batches.items(batch_id, org, offset=(page - 1) * PAGE, limit=PAGE)
    rows = []
    for item in items:
        view = credential_view(item.credential) if item.credential else None
        failed = [c for c in item.checks if c.get("status") == "fail"]
        rows.append({"item": item, "view": view, "failed": failed})
    pages = max(1, -(-batch.done // PAGE))
    context = {
        "batch": batch,
        "rows": rows,
        "page": page,
        "pages": pages,
        "running": batch.state in {"pending", "running"},
    }
    return _page(request, "employer_batch.html", context)


@router.get("/employer/batches/{batch_id}/report.csv")
def batch_csv(request: Request, batch_id: str, cs: CredstackDep) -> Response:
    text = cs.employer.batches.report_csv(batch_id, web_org(request, cs))
    headers = {"Content-Disposition": f'attachment; filename="verification-{batch_id}.csv"'}
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/employer/batches/{batch_id}/report.json")
def batch_json(request: Request, batch_id: str, cs: CredstackDep) -> JSONResponse:
    report = cs.employer.batches.report(batch_id, web_org(request, cs))
    headers = {"Content-Disposition": f'attachment; filename="verification-{batch_id}.json"'}
    return JSONResponse(report, headers=headers)


@router.get("/employer/batches/{batch_id}/items/{position}", response_class=HTMLResponse)
def item_page(request: Request, batch_id: str, position: int, cs: CredstackDep) -> HTMLResponse:
    org = web_org(request, cs)
    batch = cs.employer.batches.get(batch_id, org)
    item = cs.employer.batches.item(batch_id, position, org)
    checks = [Check(str(c["name"]), _status(c.get("status")), str(c.get("reason", ""))) for c in item.checks]
    report = {"verified": item.verified, "format": item.format, "checks": checks}
    trust = cs.employer.trust_for(org, item.credential, verified=item.verified)
    context = {
        "batch": batch,
        "item": item,
        "report": report,
        "failed": [c for c in checks if c.status == "fail"],
        "view": credential_view(item.credential) if item.credential else None,
        "status": overall_status(checks, item.verified),
        "trust": trust,
        "badge_url": None,
    }
    return _page(request, "employer_item.html", context)


@router.get("/employer/trusted", response_class=HTMLResponse)
def trusted_page(request: Request, cs: CredstackDep) -> HTMLResponse:
    return _page(request, "employer_trusted.html", {"trusted": cs.employer.registry.trusted(web_org(request, cs))})


@router.post("/employer/trusted")
def trusted_add(
    request: Request,
    cs: CredstackDep,
    value: Annotated[str, Form(max_length=400)],
    label: Annotated[str, Form(max_length=200)] = "",
    back: Annotated[str, Form(max_length=300)] = "",
    csrf_token: Annotated[str | None, Form()] = None,
) -> RedirectResponse:
    cs.employer.registry.add(_guard(request, cs, csrf_token), value, label)
    target = back if back.startswith("/employer/") else "/employer/trusted"
    return RedirectResponse(target, status_code=303)


@router.post("/employer/trusted/{entry_id}/delete")
def trusted_remove(
    request: Request, entry_id: int, cs: CredstackDep, csrf_token: Annotated[str | None, Form()] = None
) -> RedirectResponse:
    cs.employer.registry.remove(_guard(request, cs, csrf_token), entry_id)
    return RedirectResponse("/employer/trusted", status_code=303)


@router.get("/employer/endorsements", response_class=HTMLResponse)
def endorsements_page(request: Request, cs: CredstackDep) -> HTMLResponse:
    context = {"endorsements": cs.employer.endorsements.list(), "issuers": cs.issuers.list(),
               "achievements": cs.achievements.list()}  # fmt: skip
    return _page(request, "employer_endorsements.html", context)


@router.post("/employer/endorsements", response_class=HTMLResponse)
def endorsements_submit(
    request: Request,
    cs: CredstackDep,
    subject: Annotated[str, Form(max_length=500)],
    endorser: Annotated[str, Form(max_length=300)] = "",
    comment: Annotated[str, Form(max_length=5000)] = "",
    csrf_token: Annotated[str | None, Form()] = None,
) -> HTMLResponse:
    org = _guard(request, cs, csrf_token)
    session = current_session(request, cs)
    any_issuer = session.person.is_platform_admin if session is not None else cs.settings.development
    signer = cs.employer.endorser_for(org, endorser or None, any_issuer=any_issuer)
    record = cs.employer.endorsements.endorse(subject, endorser=signer, comment=comment)
    context = {"endorsements": cs.employer.endorsements.list(), "issuers": cs.issuers.list(),
               "achievements": cs.achievements.list(), "created": record}  # fmt: skip
    return _page(request, "employer_endorsements.html", context, status_code=201)


@router.get("/employer/requests", response_class=HTMLResponse)
def requests_page(request: Request, cs: CredstackDep) -> HTMLResponse:
    return _page(request, "employer_requests.html", {"requests": cs.employer.requests.recent(web_org(request, cs))})


@router.post("/employer/requests")
def requests_create(
    request: Request,
    cs: CredstackDep,
    purpose: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str | None, Form()] = None,
) -> RedirectResponse:
    created = cs.employer.requests.create(_guard(request, cs, csrf_token), purpose)
    return RedirectResponse(f"/employer/requests/{created.id}", status_code=303)


@router.get("/employer/requests/{request_id}", response_class=HTMLResponse)
def request_page(request: Request, request_id: str, cs: CredstackDep) -> HTMLResponse:
    found = cs.employer.requests.get(request_id, web_org(request, cs))
    context = {"req": found, "qr": qr_data_uri(found.answer_url), "running": found.state == "open"}
    return _page(request, "employer_request.html", context)


@router.get("/present/{request_id}", response_class=HTMLResponse)
def present_page(request: Request, request_id: str, cs: CredstackDep) -> HTMLResponse:
    """The learner's side: pick credentials from the wallet (signed in), or paste a presentation."""
    found = cs.employer.requests.get(request_id)
    session = current_session(request, cs)
    items = cs.wallet.items(session.person.id) if session is not None and cs.employer.peer("wallet") else []
    context = {"req": found, "items": [i for i in items if not i.is_legacy], "signed_in": session is not None}
    return _page(request, "present.html", {**context, "nav": "wallet"})


@router.post("/present/{request_id}", response_class=HTMLResponse)
def present_submit(
    request: Request,
    request_id: str,
    cs: CredstackDep,
    item: Annotated[list[str] | None, Form()] = None,
    presentation: Annotated[str, Form(max_length=1_000_000)] = "",
    csrf_token: Annotated[str | None, Form()] = None,
) -> HTMLResponse:
    session = current_session(request, cs)
    if session is not None:
        check_csrf(session, csrf_token)
    if item and session is not None:
        outcome = cs.employer.requests.answer_from_wallet(request_id, session.person.id, item)
    elif presentation.strip():
        outcome = cs.employer.requests.answer(request_id, presentation.strip().encode("utf-8"))
    else:
        raise InvalidInputError("choose credentials from your wallet, or paste a presentation")
    context = {"req": outcome.request, "outcome": outcome, "items": [], "signed_in": session is not None}
    return _page(request, "present.html", {**context, "nav": "wallet"}, status_code=200 if outcome.accepted else 422)


@router.get("/employer/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, cs: CredstackDep) -> HTMLResponse:
    return _page(request, "employer_jobs.html", {"jobs": cs.employer.hiring.jobs(web_org(request, cs))})


@router.post("/employer/jobs")
def jobs_create(
    request: Request,
    cs: CredstackDep,
    title: Annotated[str, Form(max_length=300)] = "",
    text: Annotated[str, Form(max_length=20_000)] = "",
    occupation: Annotated[str, Form(max_length=300)] = "",
    csrf_token: Annotated[str | None, Form()] = None,
) -> RedirectResponse:
    org = _guard(request, cs, csrf_token)
    job = cs.employer.hiring.create_job(org, title, text=text, occupation=occupation.strip() or None)
    return RedirectResponse(f"/employer/jobs/{job.id}", status_code=303)


@router.get("/employer/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str, cs: CredstackDep) -> HTMLResponse:
    result = cs.employer.hiring.rank(job_id, web_org(request, cs))
    return _page(request, "employer_job.html", {"result": result, "job": result.job})


def _workforce_context(request: Request, cs: Credstack, org: str, budget: float | None) -> dict[str, Any]:
    workforce = cs.employer.workforce
    issuer = workforce.issuer_id(org)
    achievements = cs.achievements.list(issuer_ref=issuer) if issuer is not None else cs.achievements.list()
    members = workforce.members(org)
    roles = cs.planner.role_profiles(org)
    audit = workforce.run_audit(org, budget=budget)
    return {
        "members": members,
        "roles": roles,
        "matrix": workforce.team_matrix(org),
        "audit": audit,
        "allocation": _allocation_rows(cs, audit.get("allocation"), members, roles),
        "budget": budget,
        "achievements": achievements,
    }


def _allocation_rows(cs: Credstack, allocation: Any, members: list[Any], roles: list[Any]) -> list[dict[str, Any]]:
    """The recommended budget allocation as table rows: the member's and role's names, the funded and unfunded
    catalog credentials by name, the cost and the share of the member's role gap the funded ones close."""
    if not isinstance(allocation, dict):
        return []
    names = {m.person: m.name or m.person for m in members}
    role_names = {r.id: r.name for r in roles}
    titles: dict[str, str] = {}

    def title(entry_id: str) -> str:
        if entry_id not in titles:
            try:
                titles[entry_id] = cs.catalog.get(entry_id).name
            except CredstackError:
                titles[entry_id] = entry_id
        return titles[entry_id]

    rows = []
    for share in allocation.get("members", ()):
        rows.append(
            {
                "member": names.get(share["member"], share["member"]),
                "role": role_names.get(share["role"], share["role"]),
                "funded": [{"id": a, "name": title(a)} for a in share.get("funded", ())],
                "unfunded": [{"id": a, "name": title(a)} for a in share.get("unfunded", ())],
                "cost": share.get("cost", 0.0),
                "closed": share.get("gapClosed", 0.0),
                "note": share.get("note", ""),
            }
        )
    return rows


@router.get("/employer/workforce", response_class=HTMLResponse)
def workforce_page(
    request: Request, cs: CredstackDep, budget: Annotated[float | None, Query(ge=0, le=1e9)] = None
) -> HTMLResponse:
    return _page(request, "employer_workforce.html", _workforce_context(request, cs, web_org(request, cs), budget))


@router.post("/employer/workforce")
def workforce_submit(
    request: Request,
    cs: CredstackDep,
    action: Annotated[str, Form(pattern="^(member|role|issue)$")],
    person: Annotated[str, Form(max_length=500)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=64)] = "",
    skills: Annotated[str, Form(max_length=10_000)] = "",
    achievement: Annotated[str, Form(max_length=64)] = "",
    csrf_token: Annotated[str | None, Form()] = None,
) -> RedirectResponse:
    org = _guard(request, cs, csrf_token)
    workforce = cs.employer.workforce
    if action == "member":
        workforce.add_member(org, person, name, role or None)
    elif action == "role":
        workforce.create_role(org, name, skills)
    else:
        workforce.issue_internal(org, achievement, person)
    return RedirectResponse("/employer/workforce", status_code=303)


@router.get("/employer/workforce/audit.csv")
def workforce_csv(
    request: Request, cs: CredstackDep, budget: Annotated[float | None, Query(ge=0, le=1e9)] = None
) -> Response:
    report = cs.employer.workforce.run_audit(web_org(request, cs), budget=budget)
    headers = {"Content-Disposition": 'attachment; filename="skills-audit.csv"'}
    return Response(cs.employer.workforce.audit_csv(report), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/employer/workforce/audit.pdf")
def workforce_pdf(
    request: Request, cs: CredstackDep, budget: Annotated[float | None, Query(ge=0, le=1e9)] = None
) -> Response:
    org = web_org(request, cs)
    report = cs.employer.workforce.run_audit(org, budget=budget)
    headers = {"Content-Disposition": 'attachment; filename="skills-audit.pdf"'}
    return Response(cs.employer.workforce.audit_pdf(report, org), media_type="application/pdf", headers=headers)
