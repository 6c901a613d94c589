"""Sign up, sign in, sign out, and an organisation's audit log page (JSON twins: ``/api/me``,
``/api/orgs/{org}/audit``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from credstack.errors import AuthError, CredstackError, TooManySignInsError
from credstack.web.deps import CredstackDep, templates
from credstack.web.session import (
    SESSION_COOKIE,
    check_csrf,
    check_form_csrf,
    client_address,
    current_session,
    form_csrf,
    remember_form_csrf,
    set_session_cookie,
    sign_in_redirect,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only local paths: ``/wallet``, never ``//evil.example`` or ``https://...``."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/wallet"


def _form_page(request: Request, cs: Any, name: str, context: dict[str, Any], status: int = 200) -> Response:
    token = form_csrf(request)
    response = templates.TemplateResponse(request, name, {**context, "csrf": token}, status_code=status)
    remember_form_csrf(response, cs, token)
    return response


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, cs: CredstackDep, next: Annotated[str | None, Query()] = None) -> Response:
    return _form_page(request, cs, "signin.html", {"nav": "signin", "next": _safe_next(next), "error": None})


@router.post("/signin")
def signin(
    request: Request,
    cs: CredstackDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str | None, Form()] = None,
    next: Annotated[str | None, Form()] = None,
) -> Response:
    check_form_csrf(request, csrf_token)
    try:
        person = cs.accounts.authenticate(email, password, client=client_address(request, cs.settings.proxy_hops))
    except TooManySignInsError as exc:
        if "text/html" not in request.headers.get("accept", ""):
            raise  # a script: 429 problem+json with Retry-After
        context = {"nav": "signin", "next": _safe_next(next), "error": exc.message, "email": email}
        response = _form_page(request, cs, "signin.html", context, status=exc.http_status)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except AuthError as exc:
        context = {"nav": "signin", "next": _safe_next(next), "error": exc.message, "email": email}
        return _form_page(request, cs, "signin.html", context, status=401)
    raw, _ = cs.accounts.start_session(person.id)
    cs.audit.record(person.email, "person.signed_in", person.email, None, person_id=person.id)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, cs, raw)
    return response


@router.get("/signup", response_class=HTMLResponse)
def signup_page(request: Request, cs: CredstackDep) -> Response:
    return _form_page(request, cs, "signup.html", {"nav": "signin", "error": None})


@router.post("/signup")
def signup(
    request: Request,
    cs: CredstackDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    name: Annotated[str | None, Form()] = None,
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    check_form_csrf(request, csrf_token)
    try:
        person = cs.accounts.sign_up(email, password, name)
    except CredstackError as exc:
        context = {"nav": "signin", "error": exc.message, "email": email, "name": name}
        return _form_page(request, cs, "signup.html", context, status=exc.http_status)
    cs.audit.record(person.email, "person.created", person.email, None, person_id=person.id)
    raw, _ = cs.accounts.start_session(person.id)
    response = RedirectResponse("/wallet", status_code=303)
    set_session_cookie(response, cs, raw)
    return response


@router.post("/signout")
def signout(request: Request, cs: CredstackDep, csrf_token: Annotated[str | None, Form()] = None) -> Response:
    web = current_session(request, cs)
    if web is not None:
        check_csrf(web, csrf_token)
        cs.accounts.end_session(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/orgs/{org_id}/audit", response_class=HTMLResponse)
def audit_page(
    org_id: str,
    request: Request,
    cs: CredstackDep,
    action: Annotated[str | None, Query()] = None,
) -> Response:
    web = current_session(request, cs)
    if web is None:
        return sign_in_redirect(request)
    principal = cs.accounts.principal_for_session(web)
    principal.require_role(org_id, "issuer_admin", "employer_reviewer")
    org = cs.accounts.get_org(org_id)
    events = cs.audit.events(org_id=org_id, action=action or None, limit=200)
    context = {"nav": "audit", "org": org, "events": events, "action": action or "", "web": web}
    return templates.TemplateResponse(request, "audit.html", context)
