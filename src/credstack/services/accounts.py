"""Accounts: organisations, people and their roles per organisation, passwords, web sessions and org-bound tokens.

- Passwords are hashed with **Argon2id** (argon2-cffi, RFC 9106 "low memory" profile: t=3, m=64 MiB, p=4); a hash
  made with weaker parameters is re-hashed at the next sign-in. Failed sign-ins are throttled per account and client
  address, per client address and per account (:mod:`credstack.services.sign_in_throttle`).
- A web session is a random 256-bit cookie value; the server stores only its SHA-256, with the person, a CSRF token
  (checked on every form POST) and an expiry.
- An API token can be bound to an organisation (and a person): :meth:`AccountService.create_token`. It then acts only
  inside that organisation, with the person's roles there. Tokens without an owner are the platform-wide tokens of
  ``credstack token create``; with the ``admin`` scope they act as a platform admin.
- :class:`Principal` is who is asking (from a session or a token); :meth:`Principal.require_role` is the one
  authorisation check the API and the web pages use. A platform admin passes every check.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from credstack.errors import AuthError, ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from credstack.services import sign_in_throttle
from credstack.services.tokens import TokenRecord, TokenService
from credstack.storage.account_tables import (
    MembershipRow,
    OrgRow,
    PersonRow,
    SessionRow,
    TokenOwnerRow,
)
from credstack.storage.engine import Database
from credstack.storage.models import Issuer

__all__ = [
    "ROLES",
    "SESSION_DAYS",
    "AccountService",
    "Org",
    "Person",
    "Principal",
    "WebSession",
    "normalise_email",
]

#: Every role a person can hold in an organisation.
ROLES = ("platform_admin", "issuer_admin", "assessor", "employer_reviewer", "learner")
#: How long a web session lasts.
SESSION_DAYS = 14
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_hasher = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)
#: verified against when the e-mail is unknown, so a sign-in takes as long whether or not the account exists
_DUMMY_HASH = _hasher.hash("credstack-no-such-account")


def normalise_email(email: str) -> str:
    """Lower-cased, trimmed e-mail address; InvalidInputError when it does not look like one."""
    value = str(email).strip().lower()
    if not _EMAIL.match(value) or len(value) > 320:
        raise InvalidInputError(f"{email!r} is not an e-mail address")
    return value


def slugify(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:63].strip("-")
    return slug or "org"


@dataclass(frozen=True)
class Org:
    id: str
    name: str
    issuer_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class Person:
    """A person; ``roles`` maps an organisation id to the roles held there."""

    id: str
    email: str
    name: str
    created_at: datetime
    roles: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def is_platform_admin(self) -> bool:
        return any("platform_admin" in roles for roles in self.roles.values())

    def has_role(self, org_id: str, *roles: str) -> bool:
        """True when the person holds one of ``roles`` in ``org_id`` (or is a platform admin)."""
        return self.is_platform_admin or bool(self.roles.get(org_id, frozenset()) & set(roles))

    @property
    def orgs(self) -> list[str]:
        return sorted(self.roles)


@dataclass(frozen=True)
class WebSession:
    """A signed-in browser: the person, the CSRF token its forms carry, and the expiry."""

    person: Person
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class Principal:
    """Who is asking: a person (signed in, or through a person-bound token), an organisation's token, or a
    platform token. ``org_id`` is set for org-bound tokens (they act only there); ``scopes`` for tokens."""

    person: Person | None
    org_id: str | None = None
    scopes: frozenset[str] | None = None
    token_id: int | None = None

    @property
    def actor(self) -> str:
        if self.person is not None:
            return self.person.email
        return f"token:{self.token_id}" if self.token_id is not None else "anonymous"

    @property
    def is_platform_admin(self) -> bool:
        if self.org_id is not None:
            return False  # an organisation's token never acts outside that organisation
        if self.person is not None:
            return self.person.is_platform_admin
        return self.scopes is not None and "admin" in self.scopes

    def require_scope(self, scope: str) -> None:
        """Tokens need ``scope`` (or ``admin``); sessions carry the person's full rights."""
        if self.scopes is not None and scope not in self.scopes and "admin" not in self.scopes:
            raise ForbiddenError(f"this token lacks the {scope!r} scope")

    def require_person(self) -> Person:
        """The person; ForbiddenError for a token that is not bound to a person."""
        if self.person is None:
            raise ForbiddenError("this needs a signed-in person (or a token bound to one)")
        return self.person

    def require_role(self, org_id: str, *roles: str) -> None:
        """ForbiddenError unless the principal holds one of ``roles`` in ``org_id``. An org-bound token only acts
        in its organisation; without a person it acts as that organisation's admin when it has the admin scope. A
        token with only the ``wallet`` scope acts on its person's wallet and nowhere else."""
        if self.scopes is not None and not self.scopes - {"wallet"}:
            raise ForbiddenError("a wallet token acts only on its person's wallet")
        if self.is_platform_admin:
            return
        if self.org_id is not None and self.org_id != org_id:
            raise ForbiddenError(f"this token belongs to organisation {self.org_id!r}, not {org_id!r}")
        if self.person is not None and self.person.has_role(org_id, *roles):
            return
        if self.person is None and self.org_id == org_id and self.scopes is not None and "admin" in self.scopes:
            return
        raise ForbiddenError(f"this needs the role {' or '.join(roles)} in organisation {org_id!r}")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _org(row: OrgRow) -> Org:
    return Org(row.id, row.name, row.issuer_id, row.created_at)


class AccountService:
    """Organisations, people, roles, password sign-in, web sessions and org-bound API tokens."""

    def __init__(self, db: Database, tokens: TokenService, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._tokens = tokens
        self._clock = clock

    # -- organisations -----------------------------------------------------------------------------------------
    def create_org(self, name: str, *, slug: str | None = None, issuer_id: int | None = None) -> Org:
        """A new organisation; ``slug`` (its id) defaults to the name, slugified. ConflictError if it exists."""
        name = str(name).strip()
        if not name or len(name) > 200:
            raise InvalidInputError("an organisation needs a name of 1 to 200 characters")
        org_id = slug if slug is not None else slugify(name)
        if not _SLUG.match(org_id):
            raise InvalidInputError(f"{org_id!r} is not a valid organisation id (lower-case letters, digits, '-')")
        try:
            with self._db.write() as session:
                if issuer_id is not None and session.get(Issuer, issuer_id) is None:
                    raise NotFoundError(f"no issuer {issuer_id}")
                row = OrgRow(id=org_id, name=name, issuer_id=issuer_id, created_at=self._clock())
                session.add(row)
                session.flush()
                return _org(row)
        except IntegrityError as exc:
            raise ConflictError(f"an organisation {org_id!r} already exists") from exc

    def get_org(self, org_id: str) -> Org:
        with self._db.read() as session:
            row = session.get(OrgRow, str(org_id))
            if row is None:
                raise NotFoundError(f"no organisation {org_id!r}")
            return _org(row)

    def list_orgs(self) -> list[Org]:
        with self._db.read() as session:
            return [_org(r) for r in session.scalars(sa.select(OrgRow).order_by(OrgRow.id))]

    def org_of_issuer(self, issuer_id: int) -> str | None:
        """The organisation that signs with this issuer profile (None: a platform issuer)."""
        with self._db.read() as session:
            return session.scalar(sa.select(OrgRow.id).where(OrgRow.issuer_id == issuer_id).order_by(OrgRow.id))

    # -- people ------------------------------------------------------------------------------------------------
    def _person(self, session: Session, row: PersonRow) -> Person:
        roles: dict[str, set[str]] = {}
        for m in session.scalars(sa.select(MembershipRow).where(MembershipRow.person_id == row.id)):
            roles.setdefault(m.org_id, set()).add(m.role)
        return Person(row.id, row.email, row.name, row.created_at, {k: frozenset(v) for k, v in roles.items()})

    def create_person(
        self,
        email: str,
        *,
        name: str | None = None,
        password: str | None = None,
        org_id: str | None = None,
        roles: Iterable[str] = (),
    ) -> Person:
        """A new person, optionally with a password and roles in ``org_id``. ConflictError if the e-mail is taken."""
        address = normalise_email(email)
        wanted = self._check_roles(roles)
        if wanted and org_id is None:
            raise InvalidInputError("roles are held in an organisation: give --org")
        hashed = self._hash_password(password) if password is not None else None
        now = self._clock()
        try:
            with self._db.write() as session:
                if org_id is not None and session.get(OrgRow, org_id) is None:
                    raise NotFoundError(f"no organisation {org_id!r}")
                row = PersonRow(
                    id=uuid.uuid4().hex,
                    email=address,
                    name=(name or address.split("@", 1)[0]).strip()[:200],
                    password_hash=hashed,
                    created_at=now,
                )
                session.add(row)
                session.flush()
                for role in wanted:
                    session.add(MembershipRow(person_id=row.id, org_id=org_id, role=role, created_at=now))
                session.flush()
                return self._person(session, row)
        except IntegrityError as exc:
            raise ConflictError(f"an account for {address} already exists") from exc

    @staticmethod
    def _check_roles(roles: Iterable[str]) -> list[str]:
        wanted = sorted({str(r).strip() for r in roles if str(r).strip()})
        unknown = set(wanted) - set(ROLES)
        if unknown:
            raise InvalidInputError(f"unknown role(s) {', '.join(sorted(unknown))}: use {', '.join(ROLES)}")
        return wanted

    def add_role(self, person_id: str, org_id: str, role: str) -> Person:
        """Give a person a role in an organisation (idempotent)."""
        (wanted,) = self._check_roles([role]) or [""]
        if not wanted:
            raise InvalidInputError(f"a role is needed: {', '.join(ROLES)}")
        with self._db.write() as session:
            row = session.get(PersonRow, person_id)
            if row is None:
                raise NotFoundError(f"no person {person_id!r}")
            if session.get(OrgRow, org_id) is None:
                raise NotFoundError(f"no organisation {org_id!r}")
            if session.get(MembershipRow, (person_id, org_id, wanted)) is None:
                session.add(MembershipRow(person_id=person_id, org_id=org_id, role=wanted, created_at=self._clock()))
                session.flush()
            return self._person(session, row)

    def get_person(self, person_id: str) -> Person:
        with self._db.read() as session:
            row = session.get(PersonRow, str(person_id))
            if row is None:
                raise NotFoundError(f"no person {person_id!r}")
            return self._person(session, row)

    def find_person(self, email: str) -> Person | None:
        address = normalise_email(email)
        with self._db.read() as session:
            row = session.scalars(sa.select(PersonRow).where(PersonRow.email == address)).one_or_none()
            return None if row is None else self._person(session, row)

    def people(self, org_id: str) -> list[Person]:
        """The members of an organisation, by e-mail."""
        with self._db.read() as session:
            ids = session.scalars(sa.select(MembershipRow.person_id).where(MembershipRow.org_id == org_id).distinct())
            rows = session.scalars(sa.select(PersonRow).where(PersonRow.id.in_(list(ids))).order_by(PersonRow.email))
            return [self._person(session, r) for r in rows]

    def person_in_org(self, org_id: str, person_id: str) -> Person:
        """A member of ``org_id``; NotFoundError for anyone else (another organisation's people are invisible)."""
        person = self.get_person(person_id) if person_id else None
        if person is None or org_id not in person.roles:
            raise NotFoundError(f"no person {person_id!r} in organisation {org_id!r}")
        return person

    # -- passwords and sessions --------------------------------------------------------------------------------
    @staticmethod
    def _hash_password(password: str) -> str:
        if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise InvalidInputError(f"a password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters")
        return _hasher.hash(password)

    def set_password(self, person_id: str, password: str) -> None:
        hashed = self._hash_password(password)
        with self._db.write() as session:
            row = session.get(PersonRow, person_id)
            if row is None:
                raise NotFoundError(f"no person {person_id!r}")
            row.password_hash = hashed

    def authenticate(self, email: str, password: str, *, client: str | None = None) -> Person:
        """The person whose password this is; AuthError (one message for every failure) otherwise. ``client`` is
        the address the attempt comes from (the web layer passes the request's client IP). Failed sign-ins are
        throttled per account and client, per client and, at a much higher bar, per account
        (:mod:`credstack.services.sign_in_throttle`): past a limit, TooManySignInsError (even with the right
        password) until enough failures age out. The failures are kept in the database, so every server process
        and a restart see them."""
        failure = AuthError("unknown e-mail address or wrong password")
        try:
            address = normalise_email(email)
        except InvalidInputError:
            raise failure from None
        now = self._clock()
        with self._db.write() as session:
            refused = sign_in_throttle.refusal(session, address, client, now)
            if refused is not None:
                raise refused
            row = session.scalars(sa.select(PersonRow).where(PersonRow.email == address)).one_or_none()
            stored = row.password_hash if row is not None and row.password_hash else _DUMMY_HASH
            try:
                _hasher.verify(stored, str(password))
                matched = row is not None and bool(row.password_hash)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                matched = False
            if row is None or not matched or not row.password_hash:
                # the failure is committed (the AuthError is raised after the transaction)
                sign_in_throttle.record_failure(session, address, client, now)
                person = None
            else:
                sign_in_throttle.clear(session, address, client)
                if _hasher.check_needs_rehash(row.password_hash):
                    row.password_hash = _hasher.hash(str(password))
                person = self._person(session, row)
        if person is None:
            raise failure
        return person

    def sign_up(self, email: str, password: str, name: str | None = None) -> Person:
        """Self-service sign-up: a person with a password and no organisation role yet (a learner's wallet)."""
        return self.create_person(email, name=name, password=password)

    def start_session(self, person_id: str) -> tuple[str, WebSession]:
        """A new web session: ``(cookie value, session)``; the cookie value is shown once and stored hashed."""
        raw = secrets.token_urlsafe(32)
        now = self._clock()
        with self._db.write() as session:
            row = session.get(PersonRow, person_id)
            if row is None:
                raise NotFoundError(f"no person {person_id!r}")
            record = SessionRow(
                id=_digest(raw),
                person_id=person_id,
                csrf_token=secrets.token_urlsafe(24),
                created_at=now,
                expires_at=now + timedelta(days=SESSION_DAYS),
            )
            session.add(record)
            session.flush()
            return raw, WebSession(self._person(session, row), record.csrf_token, record.expires_at)

    def session(self, raw: str | None) -> WebSession | None:
        """The live session for a cookie value (None when missing, unknown or expired)."""
        if not raw or len(raw) > 100:
            return None
        with self._db.read() as session:
            record = session.get(SessionRow, _digest(raw))
            if record is None or record.expires_at <= self._clock():
                return None
            person = session.get(PersonRow, record.person_id)
            if person is None:  # pragma: no cover - the foreign key cascades
                return None
            return WebSession(self._person(session, person), record.csrf_token, record.expires_at)

    def end_session(self, raw: str | None) -> None:
        """Sign out: the session row is deleted (idempotent)."""
        if not raw:
            return
        with self._db.write() as session:
            session.execute(sa.delete(SessionRow).where(SessionRow.id == _digest(raw)))

    @staticmethod
    def require_role(principal: Principal | Person, org_id: str, *roles: str) -> None:
        """ForbiddenError unless the principal (or person) holds one of ``roles`` in ``org_id`` (platform admins
        pass); the check the API and the web pages make."""
        found = principal if isinstance(principal, Principal) else Principal(principal)
        found.require_role(org_id, *roles)

    # -- tokens ------------------------------------------------------------------------------------------------
    def create_token(
        self, org_id: str, scopes: Iterable[str], *, person_id: str | None = None, name: str | None = None
    ) -> str:
        """An API token that acts only in ``org_id`` (with ``person_id``'s roles there, when given)."""
        self.get_org(org_id)
        if person_id is not None:
            self.person_in_org(org_id, person_id)
        raw = self._tokens.create(scopes, name=name)
        record = self._tokens.authenticate(raw)
        with self._db.write() as session:
            session.add(TokenOwnerRow(token_id=record.id, org_id=org_id, person_id=person_id))
        return raw

    def create_personal_token(self, person_id: str, scopes: Iterable[str], *, name: str | None = None) -> str:
        """A token that acts for one person everywhere they have rights (their wallet), never as a platform token."""
        person = self.get_person(person_id)
        raw = self._tokens.create(scopes, name=name)
        record = self._tokens.authenticate(raw)
        with self._db.write() as session:
            session.add(TokenOwnerRow(token_id=record.id, org_id=None, person_id=person.id))
        return raw

    def principal_for_token(self, raw: str) -> Principal:
        """Who a bearer token acts for; AuthError when it is unknown or revoked."""
        record: TokenRecord = self._tokens.authenticate(raw)
        with self._db.read() as session:
            owner = session.get(TokenOwnerRow, record.id)
            if owner is None:
                return Principal(None, None, record.scopes, record.id)
            person = session.get(PersonRow, owner.person_id) if owner.person_id else None
            found = self._person(session, person) if person is not None else None
        return Principal(found, owner.org_id or None, record.scopes, record.id)

    def principal_for_session(self, web: WebSession) -> Principal:
        return Principal(web.person)

    # -- a learner's own data ------------------------------------------------------------------------------------
    def recipient_identifiers(self, person: Person) -> frozenset[str]:
        """The identifiers credentials are issued to for ``person``: their e-mail address and, once their wallet
        has made one, their holder DID."""
        with self._db.read() as session:
            row = session.get(PersonRow, person.id)
            did = row.holder_did if row is not None else None
        return frozenset(value for value in (normalise_email(person.email), did) if value)

    def require_learner_access(self, principal: Principal | None, learner: str) -> None:
        """ForbiddenError unless ``principal`` may read ``learner``'s data (skill profile, gap, plan, audit, claims,
        pathway progress): the learner themself, signed in or through a token bound to them with the ``wallet``
        scope, when ``learner`` is one of their recipient identifiers; a platform admin; or a platform token with
        the ``admin`` scope. Organisation tokens never read a learner's data this way."""
        who = "sign in as this learner (or use a token with the 'wallet' scope of this learner, or 'admin')"
        if principal is None:
            raise ForbiddenError(f"a learner's profile, gap, plan and progress are private: {who}")
        if principal.scopes is not None and not principal.scopes & {"wallet", "admin"}:
            raise ForbiddenError("reading a learner's data needs a token with the 'wallet' or 'admin' scope")
        if principal.is_platform_admin and (principal.scopes is None or "admin" in principal.scopes):
            return
        if principal.person is not None and principal.org_id is None:
            principal.require_scope("wallet")
            value = learner.strip()
            key = value.lower() if "@" in value and not value.startswith("did:") else value
            if key in self.recipient_identifiers(principal.person):
                return
        raise ForbiddenError(f"this is another learner's data: {who}")
