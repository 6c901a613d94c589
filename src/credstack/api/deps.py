"""Dependencies shared by API and web routes: the :class:`~credstack.app.Credstack` and bearer-token scopes.

Route signatures read like prose::

    def revoke(credential_id: str, cs: CredstackDep, token: StatusToken) -> ...

A missing or unknown token is 401 (``unauthorized``); a token without the scope is 403 (``forbidden``). The
``admin`` scope grants every other scope.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from credstack.app import Credstack
from credstack.errors import AuthError, ForbiddenError
from credstack.services.tokens import TokenRecord

__all__ = [
    "SCOPES",
    "AdminToken",
    "CredstackDep",
    "EmployerToken",
    "IssueToken",
    "MarketToken",
    "StatusToken",
    "get_credstack",
    "require_scope",
]

#: Every scope a token can carry.
SCOPES = ("issue", "status", "market", "employer", "wallet", "admin")

_bearer = HTTPBearer(auto_error=False, description="A token from `credstack token create --scopes ...`")


def get_credstack(request: Request) -> Credstack:
    """The Credstack this app was created with (``create_app(credstack)``)."""
    credstack: Credstack = request.app.state.credstack
    return credstack


CredstackDep = Annotated[Credstack, Depends(get_credstack)]


def require_scope(scope: str) -> Callable[..., TokenRecord]:
    """A dependency that authenticates the bearer token and requires ``scope`` (or ``admin``)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def dependency(
        cs: CredstackDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> TokenRecord:
        if credentials is None or not credentials.credentials:
            raise AuthError(f"this endpoint needs a bearer token with the {scope!r} scope")
        record = cs.tokens.authenticate(credentials.credentials)
        if not record.allows(scope):
            raise ForbiddenError(
                f"this token lacks the {scope!r} scope (it has: {', '.join(sorted(record.scopes)) or 'none'})"
            )
        return record

    dependency.__name__ = f"require_{scope}_scope"
    return dependency


IssueToken = Annotated[TokenRecord, Depends(require_scope("issue"))]
StatusToken = Annotated[TokenRecord, Depends(require_scope("status"))]
AdminToken = Annotated[TokenRecord, Depends(require_scope("admin"))]
MarketToken = Annotated[TokenRecord, Depends(require_scope("market"))]
EmployerToken = Annotated[TokenRecord, Depends(require_scope("employer"))]
