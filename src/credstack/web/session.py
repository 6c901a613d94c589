"""Web sign-in state: the session cookie, CSRF tokens on every form POST, and the redirect to sign in.

- ``credstack_session``: the raw session value (the server stores its SHA-256), ``HttpOnly``, ``SameSite=Lax``,
  ``Secure`` when ``base_url`` is https, ``Path=/``.
- Forms of a signed-in person carry the session's CSRF token (``csrf_token`` field); :func:`check_csrf` refuses a
  POST without the right one (403 ``forbidden``). The sign-in and sign-up forms, which have no session yet, use a
  double-submit cookie (``credstack_csrf``) instead.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from credstack.app import Credstack
from credstack.errors import ForbiddenError
from credstack.services.accounts import SESSION_DAYS, WebSession

__all__ = [
    "CSRF_COOKIE",
    "SESSION_COOKIE",
    "check_csrf",
    "check_form_csrf",
    "client_address",
    "current_session",
    "form_csrf",
    "remember_form_csrf",
    "require_learner",
    "set_session_cookie",
    "sign_in_redirect",
]

SESSION_COOKIE = "credstack_session"
CSRF_COOKIE = "credstack_csrf"


def _secure(cs: Credstack) -> bool:
    return cs.settings.base_url.lower().startswith("https://")


def client_address(request: Request, proxy_hops: int) -> str:
    """The client's IP address: the peer address, or, behind ``proxy_hops`` proxies (``CREDSTACK_PROXY_HOPS``), the
    ``proxy_hops``-th entry from the right of ``X-Forwarded-For`` (entries left of it are the client's own words).
    ``""`` when unknown (a Unix socket)."""
    peer = request.client.host if request.client is not None else ""
    if proxy_hops <= 0:
        return peer
    forwarded = [part.strip() for part in ",".join(request.headers.getlist("x-forwarded-for")).split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return peer
    return forwarded[-min(proxy_hops, len(forwarded))]


def current_session(request: Request, cs: Credstack) -> WebSession | None:
    """The signed-in person's session, or None."""
    return cs.accounts.session(request.cookies.get(SESSION_COOKIE))


def require_learner(request: Request, cs: Credstack, learner: str) -> WebSession | None:
    """The session, when it may see ``learner``'s data (their own identifiers, or a platform admin); else 403."""
    web = current_session(request, cs)
    cs.accounts.require_learner_access(cs.accounts.principal_for_session(web) if web else None, learner)
    return web


def sign_in_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)


def set_session_cookie(response: Response, cs: Credstack, raw: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        max_age=SESSION_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=_secure(cs),
        path="/",
    )


def check_csrf(web: WebSession, token: str | None) -> None:
    """403 unless ``token`` is this session's CSRF token."""
    if not token or not hmac.compare_digest(str(token), web.csrf_token):
        raise ForbiddenError("the form's CSRF token is missing or wrong; reload the page and try again")


def form_csrf(request: Request) -> str:
    """The double-submit token for a form shown before sign-in (reuses the cookie's when there is one)."""
    existing = request.cookies.get(CSRF_COOKIE)
    return existing if existing and len(existing) <= 64 else secrets.token_urlsafe(24)


def remember_form_csrf(response: Response, cs: Credstack, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(cs), path="/")


def check_form_csrf(request: Request, token: str | None) -> None:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not token or not cookie or not hmac.compare_digest(str(token), cookie):
        raise ForbiddenError("the form's CSRF token is missing or wrong; reload the page and try again")
