"""Issuer profiles and their Ed25519 keys: did:key (default) and did:web, key rotation, DID documents.

- did:key (https://w3c-ccg.github.io/did-method-key/): the DID *is* the public key, so rotating gives the issuer a
  new DID. Earlier credentials keep verifying because did:key is self-certifying; the old DIDs are kept in
  ``former_dids``.
- did:web (https://w3c-ccg.github.io/did-method-web/): ``did:web:<host%3Aport>[:path]:issuers:<slug>``, served
  at ``{base_url}/issuers/<slug>/did.json``. Its DID document lists every key, current and retired, as Multikey
  under ``verificationMethod`` and ``assertionMethod`` (Controlled Identifiers v1.0 §2.2), so credentials signed
  before a rotation keep verifying.

Private keys are sealed with :class:`~credstack.services.keystore.KeyStore` before they reach the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from credstack.errors import ConflictError, InvalidInputError, NotFoundError
from credstack.proofs.keys import Ed25519Key, did_key_document
from credstack.services.keystore import KeyStore
from credstack.settings import Settings
from credstack.storage.engine import Database
from credstack.storage.models import Issuer, IssuerKey
from credstack.storage.repositories import add_audit

__all__ = ["IssuerKeyRecord", "IssuerRecord", "IssuerService", "SigningKey", "did_web_for"]

_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
_DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


@dataclass(frozen=True)
class IssuerKeyRecord:
    public_multibase: str
    verification_method: str
    active: bool
    created_at: datetime
    retired_at: datetime | None


@dataclass(frozen=True)
class IssuerRecord:
    """An issuer profile. ``verification_method`` is the active key's; ``keys`` lists all keys, newest first."""

    id: int
    slug: str
    name: str
    did: str
    method: str
    url: str | None
    verification_method: str
    keys: tuple[IssuerKeyRecord, ...]
    former_dids: tuple[str, ...]
    is_default: bool
    created_at: datetime

    def profile(self) -> dict[str, Any]:
        """The issuer as an OB 3.0 ``Profile`` object for the credential's ``issuer``."""
        profile: dict[str, Any] = {"id": self.did, "type": ["Profile"], "name": self.name}
        if self.url:
            profile["url"] = self.url
        return profile


@dataclass(frozen=True)
class SigningKey:
    """What signing needs: the issuer, its active private key and the verification method id to name."""

    issuer: IssuerRecord
    key: Ed25519Key
    verification_method: str


def did_web_for(base_url: str, slug: str) -> str:
    """``did:web:<host%3Aport>[:path...]:issuers:<slug>`` for an issuer served under ``base_url``."""
    parts = urlsplit(base_url)
    if not parts.hostname:
        raise InvalidInputError(f"CREDSTACK_BASE_URL {base_url!r} has no host; did:web needs one")
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    segments = [quote(host, safe="")] + [quote(s, safe="") for s in parts.path.split("/") if s]
    return "did:web:" + ":".join([*segments, "issuers", slug])


def _slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-")
    return slug or "issuer"


class IssuerService:
    """Create, list, find and rotate issuers; produce DID documents and signing keys."""

    def __init__(self, db: Database, settings: Settings, keystore: KeyStore, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._settings = settings
        self._keystore = keystore
        self._clock = clock

    # -- records -------------------------------------------------------------------------------------------
    @staticmethod
    def _record(session: Session, issuer: Issuer) -> IssuerRecord:
        keys = session.scalars(
            sa.select(IssuerKey).where(IssuerKey.issuer_id == issuer.id).order_by(IssuerKey.id.desc())
        ).all()
        active = next((k for k in keys if k.active), None)
        return IssuerRecord(
            id=issuer.id,
            slug=issuer.slug,
            name=issuer.name,
            did=issuer.did,
            method=issuer.method,
            url=issuer.url,
            verification_method=active.verification_method if active else "",
            keys=tuple(
                IssuerKeyRecord(k.public_multibase, k.verification_method, k.active, k.created_at, k.retired_at)
                for k in keys
            ),
            former_dids=tuple(issuer.former_dids or ()),
            is_default=issuer.is_default,
            created_at=issuer.created_at,
        )

    def _find(self, session: Session, ref: str | int) -> Issuer:
        text = str(ref).strip()
        query = sa.select(Issuer)
        found = session.scalars(query.where(sa.or_(Issuer.slug == text, Issuer.did == text))).one_or_none()
        if found is None and text.isdigit():
            found = session.get(Issuer, int(text))
        if found is None and text.startswith("did:"):
            found = next((i for i in session.scalars(query) if text in (i.former_dids or [])), None)
        if found is None:
            raise NotFoundError(f"no issuer {text!r} (give its slug, DID or number; see `credstack issuer list`)")
        return found

    # -- keys ----------------------------------------------------------------------------------------------
    def _new_key(self, session: Session, issuer: Issuer, now: datetime) -> Ed25519Key:
        key = Ed25519Key.generate()
        if issuer.method == "key":
            issuer.did = key.did
            vm = key.verification_method
        else:
            vm = f"{issuer.did}#{key.public_multibase}"
        sealed = self._keystore.seal(key.seed, public_multibase=key.public_multibase)
        session.add(
            IssuerKey(
                issuer_id=issuer.id,
                public_multibase=key.public_multibase,
                verification_method=vm,
                encrypted_private_key=sealed,
                active=True,
                created_at=now,
            )
        )
        return key

    # -- public API ----------------------------------------------------------------------------------------
    def create(
        self, name: str, *, url: str | None = None, method: str = "key", slug: str | None = None, default: bool = False
    ) -> IssuerRecord:
        """A new issuer with a fresh Ed25519 key; ``method`` is ``"key"`` (did:key) or ``"web"`` (did:web)."""
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError("an issuer needs a name")
        if method not in {"key", "web"}:
            raise InvalidInputError(f"issuer method must be 'key' or 'web', got {method!r}")
        if url is not None and not re.fullmatch(r"https?://\S+", url):
            raise InvalidInputError(f"issuer url must be an http(s) URL, got {url!r}")
        if slug is not None and not _SLUG.fullmatch(slug):
            raise InvalidInputError(f"slug {slug!r} must be lower-case letters, digits and dashes (max 64)")
        now = self._clock()
        try:
            with self._db.write() as session:
                wanted = slug or _slugify(name)
                chosen, n = wanted, 1
                while session.scalar(sa.select(Issuer.id).where(Issuer.slug == chosen)) is not None:
                    if slug is not None:
                        raise ConflictError(f"an issuer with slug {slug!r} already exists")
                    n += 1
                    chosen = f"{wanted}-{n}"
                if default:
                    session.execute(sa.update(Issuer).values(is_default=False))
                placeholder = f"pending:{chosen}"
                issuer = Issuer(
                    slug=chosen,
                    name=name.strip(),
                    did=placeholder,
                    method=method,
                    url=url,
                    former_dids=[],
                    is_default=default,
                    created_at=now,
                )
                if method == "web":
                    issuer.did = did_web_for(self._settings.base_url, chosen)
                session.add(issuer)
                session.flush()
                self._new_key(session, issuer, now)
                session.flush()
                add_audit(
                    session, "issuer.created", issuer.slug, at=now, issuer_id=issuer.id, detail={"did": issuer.did}
                )
                return self._record(session, issuer)
        except IntegrityError as exc:
            raise ConflictError(f"could not create issuer {name!r}: it conflicts with an existing one") from exc

    def list(self) -> list[IssuerRecord]:
        with self._db.read() as session:
            return [self._record(session, i) for i in session.scalars(sa.select(Issuer).order_by(Issuer.id))]

    def get(self, ref: str | int) -> IssuerRecord:
        """An issuer by slug, DID (current or former) or number; NotFoundError otherwise."""
        with self._db.read() as session:
            return self._record(session, self._find(session, ref))

    def default(self) -> IssuerRecord:
        """The default issuer (made by ``credstack init``)."""
        with self._db.read() as session:
            issuer = session.scalars(sa.select(Issuer).where(Issuer.is_default.is_(True))).first()
            if issuer is None:
                raise NotFoundError("there is no default issuer yet: run `credstack init`")
            return self._record(session, issuer)

    def ensure_default(self, name: str = "credstack issuer") -> tuple[IssuerRecord, bool]:
        """The default issuer, creating a did:key one when there is none; returns ``(issuer, created)``."""
        try:
            return self.default(), False
        except NotFoundError:
            return self.create(name, default=True), True

    def rotate_key(self, ref: str | int) -> IssuerRecord:
        """Retire the active key and make a new one active. For did:key the DID changes (old one kept)."""
        now = self._clock()
        with self._db.write() as session:
            issuer = self._find(session, ref)
            old_did = issuer.did
            for key in session.scalars(
                sa.select(IssuerKey).where(IssuerKey.issuer_id == issuer.id, IssuerKey.active.is_(True))
            ):
                key.active = False
                key.retired_at = now
            self._new_key(session, issuer, now)
            if issuer.method == "key":
                issuer.former_dids = [*(issuer.former_dids or []), old_did]
            session.flush()
            add_audit(
                session,
                "issuer.key_rotated",
                issuer.slug,
                at=now,
                issuer_id=issuer.id,
                detail={"old": old_did, "new": issuer.did},
            )
            return self._record(session, issuer)

    def did_document(self, ref: str | int) -> dict[str, Any]:
        """The issuer's DID document: every key (current and retired) for did:web; the did:key document otherwise."""
        record = self.get(ref)
        if record.method == "key":
            return did_key_document(record.did)
        methods = [
            {
                "id": k.verification_method,
                "type": "Multikey",
                "controller": record.did,
                "publicKeyMultibase": k.public_multibase,
            }
            for k in record.keys
        ]
        ids = [m["id"] for m in methods]
        return {
            "@context": list(_DID_CONTEXTS),
            "id": record.did,
            "verificationMethod": methods,
            "assertionMethod": ids,
            "authentication": [record.verification_method],
        }

    def signing_key(self, ref: str | int, *, did: str | None = None) -> SigningKey:
        """The issuer's active key (or the key for ``did``, see :meth:`signing_key_in`), decrypted with the master
        secret (ConfigurationError for a wrong secret)."""
        with self._db.read() as session:
            issuer = self._find(session, ref)
            return self.signing_key_in(session, issuer.id, did=did)

    def signing_key_in(self, session: Session, issuer_id: int, *, did: str | None = None) -> SigningKey:
        """:meth:`signing_key` inside the caller's session (used while issuing, in one transaction).

        With ``did`` (a status list's signer): for a did:key issuer, the key that *is* that DID, retired or not,
        so lists of credentials issued before a rotation stay signed by their issuer; otherwise the active key.
        """
        issuer = session.get(Issuer, issuer_id)
        if issuer is None:
            raise NotFoundError(f"no issuer {issuer_id}")
        query = sa.select(IssuerKey).where(IssuerKey.issuer_id == issuer_id)
        if did is not None and issuer.method == "key" and did != issuer.did:
            query = query.where(IssuerKey.verification_method.startswith(did + "#", autoescape=True))
        else:
            query = query.where(IssuerKey.active.is_(True))
        row = session.scalars(query).first()
        if row is None:
            raise NotFoundError(f"issuer {issuer.slug!r} has no key for {did or 'signing'}")
        seed = self._keystore.open(row.encrypted_private_key, public_multibase=row.public_multibase)
        return SigningKey(self._record(session, issuer), Ed25519Key.from_seed(seed), row.verification_method)
