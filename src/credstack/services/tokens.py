"""API tokens: ``cs_<random>`` shown once, stored as SHA-256, with scopes ``issue``, ``status``, ``market`` (post
job postings), ``employer`` (the employer tools under /api/employer), ``wallet`` (a learner's wallet, on a personal
token from ``credstack user token``) and ``admin``.

The raw token carries 256 bits from :mod:`secrets`; since it is not a password, one unsalted SHA-256 is enough
to make the stored value useless to a database reader, and lets :meth:`TokenService.authenticate` look it up.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from credstack.errors import AuthError, InvalidInputError, NotFoundError
from credstack.storage.engine import Database
from credstack.storage.models import ApiToken

__all__ = ["SCOPES", "TOKEN_PREFIX", "TokenRecord", "TokenService"]

SCOPES = frozenset({"issue", "status", "market", "employer", "wallet", "admin"})
TOKEN_PREFIX = "cs_"


@dataclass(frozen=True)
class TokenRecord:
    """A token as stored (never the raw value). ``admin`` implies every scope (see :meth:`allows`)."""

    id: int
    name: str | None
    scopes: frozenset[str]
    created_at: datetime
    revoked: bool = False

    def allows(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _record(row: ApiToken) -> TokenRecord:
    return TokenRecord(row.id, row.name, frozenset(s for s in row.scopes.split(",") if s), row.created_at, row.revoked)


class TokenService:
    """Create, authenticate, list and revoke API tokens."""

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock

    def create(self, scopes: Iterable[str], name: str | None = None) -> str:
        """A new token with ``scopes`` (issue, status, market, admin); the raw value is returned once, never stored."""
        wanted = sorted({s.strip() for s in scopes if s.strip()})
        if not wanted:
            raise InvalidInputError(f"a token needs at least one scope: {', '.join(sorted(SCOPES))}")
        unknown = set(wanted) - SCOPES
        if unknown:
            raise InvalidInputError(f"unknown scope(s) {', '.join(sorted(unknown))}: use {', '.join(sorted(SCOPES))}")
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._db.write() as session:
            session.add(ApiToken(name=name, token_hash=_hash(raw), scopes=",".join(wanted), created_at=self._clock()))
        return raw

    def authenticate(self, raw: str) -> TokenRecord:
        """The token's record; AuthError when the token is unknown, malformed or revoked."""
        if not isinstance(raw, str) or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
            raise AuthError("missing or malformed API token")
        digest = _hash(raw)
        with self._db.read() as session:
            row = session.scalars(sa.select(ApiToken).where(ApiToken.token_hash == digest)).one_or_none()
        if row is None or not hmac.compare_digest(row.token_hash, digest) or row.revoked:
            raise AuthError("unknown or revoked API token")
        return _record(row)

    def list(self) -> list[TokenRecord]:
        with self._db.read() as session:
            return [_record(r) for r in session.scalars(sa.select(ApiToken).order_by(ApiToken.id))]

    def revoke(self, token_id: int) -> TokenRecord:
        with self._db.write() as session:
            row = session.get(ApiToken, token_id)
            if row is None:
                raise NotFoundError(f"no API token {token_id}")
            row.revoked = True
            session.flush()
            return _record(row)
