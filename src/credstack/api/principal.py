"""Who is calling the API: a :class:`~credstack.services.accounts.Principal` from the bearer token.

``PrincipalDep`` authenticates any token (401 ``unauthorized`` without one); the route then asks the principal what
it needs (``principal.require_role(org, ...)`` -> 403 ``forbidden``; ``principal.require_person()`` for wallet
routes). Org-bound tokens act only in their organisation; personal tokens act for one person (their wallet).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from credstack.api.deps import CredstackDep
from credstack.errors import AuthError
from credstack.services.accounts import Person, Principal

__all__ = ["MaybePrincipalDep", "PersonDep", "PrincipalDep", "get_maybe_principal", "get_person", "get_principal"]

_bearer = HTTPBearer(
    auto_error=False, description="A token from `credstack user token` (a person) or `credstack token create`"
)


def get_principal(
    cs: CredstackDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise AuthError("this endpoint needs a bearer token")
    return cs.accounts.principal_for_token(credentials.credentials)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_maybe_principal(
    cs: CredstackDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal | None:
    """The bearer token's principal, or None without one (the route decides; a wrong token is still 401)."""
    if credentials is None or not credentials.credentials:
        return None
    return cs.accounts.principal_for_token(credentials.credentials)


MaybePrincipalDep = Annotated[Principal | None, Depends(get_maybe_principal)]


def get_person(principal: PrincipalDep) -> Person:
    """The person a token acts for, with the ``wallet`` scope (or ``admin``)."""
    principal.require_scope("wallet")
    return principal.require_person()


PersonDep = Annotated[Person, Depends(get_person)]
