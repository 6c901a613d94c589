"""Signing in for tests that read a learner's data (planner, pathway progress), which only that learner, a platform
admin or a token with the right scope may see: a session cookie for a person, a platform admin's session, and the
same cookie put into a Playwright page's context."""

from __future__ import annotations

from typing import Any

from credstack.app import Credstack
from credstack.errors import NotFoundError
from credstack.web.session import SESSION_COOKIE

__all__ = ["ADMIN", "admin_session", "browser_sign_in", "session_cookie"]

ADMIN = "platform.admin@example.org"


def session_cookie(cs: Credstack, email: str) -> dict[str, str]:
    """A signed-in session of ``email`` (created without a password when the person does not exist yet)."""
    person = cs.accounts.find_person(email) or cs.accounts.create_person(email)
    raw, _ = cs.accounts.start_session(person.id)
    return {SESSION_COOKIE: raw}


def admin_session(cs: Credstack) -> dict[str, str]:
    """A platform admin's session (the person and an organisation for the role are made on first use)."""
    if cs.accounts.find_person(ADMIN) is None:
        try:
            org = cs.accounts.get_org("platform-ops")
        except NotFoundError:
            org = cs.accounts.create_org("Platform operations", slug="platform-ops")
        cs.accounts.create_person(ADMIN, org_id=org.id, roles=["platform_admin"])
    return session_cookie(cs, ADMIN)


def browser_sign_in(page: Any, base_url: str, cookies: dict[str, str]) -> None:
    """Put session cookies into a Playwright page's browser context for ``base_url``."""
    page.context.add_cookies([{"name": k, "value": v, "url": base_url} for k, v in cookies.items()])
