"""Issuing Open Badges 3.0 credentials: fill in, add status entries, check, sign, store, audit — in one transaction.

- ``issue_credential``: the VC-API path (W3C VC-API "Issue Credential"): an unsigned credential without ``issuer``
  (or with ours) gets ``issuer`` (an OB 3.0 ``Profile``), ``id`` and ``validFrom`` when absent, two
  ``BitstringStatusListEntry`` entries (revocation and suspension, Bitstring Status List v1.0 §2.1) at random
  unused indexes, a shape check (VCDM 2.0 + OB 3.0, :func:`credstack.domain.shape.check_shape`), and a
  ``DataIntegrityProof`` (``eddsa-rdfc-2022`` by default, ``eddsa-jcs-2022`` on request). Signing runs RDFC-1.0
  canonicalisation (``to_canonical_nquads``) for both suites, so a term no context defines is refused.
- ``issue``: builds the credential from a stored achievement and a recipient (domain/credential.py), then the same.

Nothing is stored when anything fails: status allocations, the credential row and its ``credential.issued`` audit
event share the transaction. An ``idempotency_key`` makes a retry return the credential issued the first time.
"""

from __future__ import annotations

import calendar
import copy
import logging
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from credstack.domain.credential import build_achievement_credential, xsd_datetime
from credstack.domain.shape import VC_V2, check_shape
from credstack.domain.status_list import status_entry
from credstack.errors import InvalidCredentialError, InvalidInputError, NotFoundError
from credstack.proofs.data_integrity import sign
from credstack.services.achievements import AchievementRecord, AchievementService
from credstack.services.issuers import IssuerService, SigningKey
from credstack.settings import Settings
from credstack.storage.engine import Database
from credstack.storage.models import Credential
from credstack.storage.repositories import add_audit, allocate_status_index

__all__ = [
    "CRYPTOSUITES",
    "IssuanceListener",
    "IssuanceRecorder",
    "IssuedCredential",
    "IssuingService",
    "normalise_cryptosuite",
]

_log = logging.getLogger(__name__)

CRYPTOSUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")
_ALIASES = {"rdfc": "eddsa-rdfc-2022", "jcs": "eddsa-jcs-2022"}
#: contexts that define the OB 3.0 ``Profile`` type used for the issuer (Open Badges 3.0 and CLR 2.0)
_PROFILE_CONTEXTS = ("https://purl.imsglobal.org/spec/ob/v3p0/context", "https://purl.imsglobal.org/spec/clr/v2p0/")


def normalise_cryptosuite(name: str) -> str:
    """``eddsa-rdfc-2022`` / ``eddsa-jcs-2022`` (``rdfc`` / ``jcs`` accepted as short names)."""
    suite = _ALIASES.get(name, name)
    if suite not in CRYPTOSUITES:
        raise InvalidInputError(f"unsupported cryptosuite {name!r}: use eddsa-rdfc-2022 (rdfc) or eddsa-jcs-2022 (jcs)")
    return suite


_MAX_ID = 500  # characters of a credential id (column size)
_MAX_KEY = 200  # characters of an idempotency key (column size)
_HEAD = ("@context", "id", "type", "issuer", "name", "description", "image", "validFrom", "validUntil")
_TAIL = ("credentialSubject", "evidence", "credentialSchema", "credentialStatus")


def _ordered(document: dict[str, Any]) -> dict[str, Any]:
    """The same members in reading order (envelope first, subject and status last): JSON order carries no meaning
    for either cryptosuite, but people read these documents."""
    middle = [k for k in document if k not in _HEAD and k not in _TAIL]
    return {k: document[k] for k in (*_HEAD, *middle, *_TAIL) if k in document}


@dataclass(frozen=True)
class IssuedCredential:
    """A stored credential. ``id`` is credstack's id (the last segment of ``/credentials/{id}``)."""

    id: str
    issuer_id: int
    achievement_id: str | None
    state: str
    issued_at: datetime
    credential: dict[str, Any]


#: Called after a credential is issued and committed: ``(credential, recipient)``; ``recipient`` is the identifier
#: given to :meth:`IssuingService.issue` (None for VC-API issuance). Registered by the composition root.
IssuanceListener = Callable[[IssuedCredential, str | None], None]
#: Called inside the issuing transaction, after the credential row is added: ``(session, credential, recipient)``. An
#: exception rolls the issuance back. For bookkeeping that must commit with the credential (the learner index).
IssuanceRecorder = Callable[[Session, IssuedCredential, str | None], None]


def add_months(start: datetime, months: int) -> datetime:
    """``start`` plus whole calendar months (the 31st of a shorter month becomes its last day)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def issued_record(row: Credential) -> IssuedCredential:
    return IssuedCredential(row.id, row.issuer_id, row.achievement_id, row.state, row.issued_at, dict(row.document))


class IssuingService:
    """Issue, fetch and list credentials. ``status_list_size`` below 131,072 is for tests only (lists that fill)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        issuers: IssuerService,
        achievements: AchievementService,
        clock: Callable[[], datetime],
        *,
        status_list_size: int | None = None,
    ) -> None:
        self._db = db
        self._settings = settings
        self._issuers = issuers
        self._achievements = achievements
        self._clock = clock
        self._list_size = status_list_size or settings.status_list_size
        if self._list_size <= 0 or self._list_size % 8:
            raise InvalidInputError("a status list size must be a positive multiple of 8")
        #: issuance listeners (pathway awards, the learner index); a failing listener is logged, never raised
        self.listeners: list[IssuanceListener] = []
        #: in-transaction recorders (the learner index); registered by the composition root
        self.recorders: list[IssuanceRecorder] = []
        #: how many months an achievement's credentials stay valid (its catalog entry's validity), None = no expiry;
        #: used when the caller gives no ``valid_until``. Set by the composition root.
        self.validity_months: Callable[[AchievementRecord], int | None] | None = None

    def _recorded(self, session: Session, issued: IssuedCredential, recipient: str | None) -> IssuedCredential:
        for recorder in self.recorders:
            recorder(session, issued, recipient)
        return issued

    def _notify(self, issued: IssuedCredential, recipient: str | None) -> IssuedCredential:
        for listener in self.listeners:
            try:
                listener(issued, recipient)
            except Exception:  # the credential is issued and committed; a listener must not undo that
                _log.exception("issuance listener %r failed for credential %s", listener, issued.id)
        return issued

    @property
    def base_url(self) -> str:
        return self._settings.base_url.rstrip("/")

    def status_list_url(self, list_id: int) -> str:
        return f"{self.base_url}/status/{list_id}"

    # -- the shared path -----------------------------------------------------------------------------------
    def _existing(self, session: Session, idempotency_key: str | None) -> Credential | None:
        if idempotency_key is None:
            return None
        if not isinstance(idempotency_key, str) or not 0 < len(idempotency_key) <= _MAX_KEY:
            raise InvalidInputError(f"an idempotency key must be 1 to {_MAX_KEY} characters")
        return session.scalars(sa.select(Credential).where(Credential.idempotency_key == idempotency_key)).first()

    def _envelope(
        self, unsigned: Mapping[str, Any], signing: SigningKey, credential_id: str, now: datetime
    ) -> dict[str, Any]:
        """A copy of the unsigned credential with ``issuer`` (ours), ``id`` and ``validFrom`` filled in."""
        if not isinstance(unsigned, Mapping):
            raise InvalidCredentialError("a credential must be a JSON object")
        document: dict[str, Any] = copy.deepcopy(dict(unsigned))
        contexts = document.get("@context")
        if not isinstance(contexts, list) or not contexts or contexts[0] != VC_V2:
            raise InvalidCredentialError(f"credstack issues VCDM 2.0 credentials: @context must start with {VC_V2}")
        if "proof" in document:
            raise InvalidCredentialError("the credential already has a proof; send it unsigned")
        given = document.get("issuer")
        if given is not None:
            given_id = given.get("id") if isinstance(given, Mapping) else given
            if given_id != signing.issuer.did:
                raise InvalidCredentialError(
                    f"issuer {given_id!r} is not this issuer ({signing.issuer.did}); omit issuer to have it filled"
                )
        profile = signing.issuer.profile()
        if not any(isinstance(c, str) and c.startswith(_PROFILE_CONTEXTS) for c in contexts):
            profile.pop("type")  # a plain VCDM 2.0 credential: no context defines ``Profile``; id + name remain
        document["issuer"] = {**(dict(given) if isinstance(given, Mapping) else {}), **profile}
        document.setdefault("id", f"{self.base_url}/credentials/{credential_id}")
        if not isinstance(document["id"], str) or len(document["id"]) > _MAX_ID:
            raise InvalidCredentialError(f"the credential id must be a URL of at most {_MAX_ID} characters")
        document.setdefault("validFrom", xsd_datetime(now))
        return document

    def _add_status(
        self, session: Session, document: dict[str, Any], signing: SigningKey, credential_id: str, now: datetime
    ) -> dict[str, tuple[int, int]]:
        """Reserve a revocation and a suspension index and append their BitstringStatusListEntry entries."""
        positions: dict[str, tuple[int, int]] = {}
        for purpose in ("revocation", "suspension"):
            positions[purpose] = allocate_status_index(
                session,
                issuer_id=signing.issuer.id,
                signer_did=signing.issuer.did,
                purpose=purpose,
                credential_id=credential_id,
                size=self._list_size,
                now=now,
            )
        statuses = document.get("credentialStatus")
        statuses = [] if statuses is None else statuses if isinstance(statuses, list) else [statuses]
        document["credentialStatus"] = [
            *statuses,
            *(status_entry(self.status_list_url(lid), index, purpose) for purpose, (lid, index) in positions.items()),
        ]
        return positions

    def _secure_and_store(
        self,
        session: Session,
        unsigned: Mapping[str, Any],
        *,
        issuer_id: int,
        credential_id: str,
        achievement_id: str | None,
        cryptosuite: str,
        idempotency_key: str | None,
        recipient: str | None = None,
        actor: str = "system",
    ) -> IssuedCredential:
        """Fill in, add status, check the shape, sign (canonicalising: undefined terms refused), store and audit
        (``credential.issued`` in the issuing organisation; ``recipient`` as given, else the subject id), all in the
        caller's transaction."""
        now = self._clock()
        signing = self._issuers.signing_key_in(session, issuer_id)
        document = self._envelope(unsigned, signing, credential_id, now)
        positions = self._add_status(session, document, signing, credential_id, now)
        document = _ordered(document)
        failures = [c.reason for c in check_shape(document, secured=True) if c.status == "fail"]
        if failures:
            raise InvalidCredentialError("the credential does not conform: " + "; ".join(failures))
        signed = sign(
            document,
            key=signing.key,
            verification_method=signing.verification_method,
            cryptosuite=cryptosuite,
            created=now,
        )
        subject = document.get("credentialSubject")
        subject_id = subject.get("id") if isinstance(subject, Mapping) else None
        row = Credential(
            id=credential_id,
            document_id=document["id"],
            issuer_id=issuer_id,
            achievement_id=achievement_id,
            recipient=subject_id[:_MAX_ID] if isinstance(subject_id, str) else None,
            document=signed,
            cryptosuite=cryptosuite,
            state="active",
            issued_at=now,
            idempotency_key=idempotency_key,
            revocation_list_id=positions["revocation"][0],
            revocation_index=positions["revocation"][1],
            suspension_list_id=positions["suspension"][0],
            suspension_index=positions["suspension"][1],
        )
        session.add(row)
        shown = recipient if recipient is not None else subject_id if isinstance(subject_id, str) else None
        add_audit(
            session,
            "credential.issued",
            credential_id,
            at=now,
            actor=actor,
            issuer_id=issuer_id,
            detail={
                "id": document["id"],
                "achievement": achievement_id,
                "recipient": shown,
                "cryptosuite": cryptosuite,
            },
        )
        session.flush()
        return issued_record(row)

    def _run(self, idempotency_key: str | None, work: Callable[[Session], IssuedCredential]) -> IssuedCredential:
        try:
            with self._db.write() as session:
                existing = self._existing(session, idempotency_key)
                return issued_record(existing) if existing is not None else work(session)
        except IntegrityError:
            if idempotency_key is None:
                raise
            with self._db.read() as session:  # a concurrent request with the same key won the race
                existing = self._existing(session, idempotency_key)
                if existing is None:
                    raise
                return issued_record(existing)

    # -- public API ----------------------------------------------------------------------------------------
    def issue_credential(
        self,
        credential: Mapping[str, Any],
        *,
        issuer_ref: str | int | None = None,
        cryptosuite: str = "eddsa-rdfc-2022",
        idempotency_key: str | None = None,
        actor: str = "system",
    ) -> IssuedCredential:
        """Secure and store an unsigned credential (VC-API). Raises InvalidCredentialError (shape), InvalidInputError
        subclasses (undefined terms, unknown contexts), NotFoundError (issuer). With an ``idempotency_key`` that
        was used before, returns the credential issued then, unchanged. ``actor`` is who the audit log names."""
        suite = normalise_cryptosuite(cryptosuite)
        issuer = self._issuers.default() if issuer_ref is None else self._issuers.get(issuer_ref)
        credential_id = uuid.uuid4().hex
        issued = self._run(
            idempotency_key,
            lambda session: self._recorded(
                session,
                self._secure_and_store(
                    session,
                    credential,
                    issuer_id=issuer.id,
                    credential_id=credential_id,
                    achievement_id=None,
                    cryptosuite=suite,
                    idempotency_key=idempotency_key,
                    actor=actor,
                ),
                None,
            ),
        )
        return self._notify(issued, None)

    def build(
        self,
        achievement_id: str,
        *,
        recipient: str,
        credential_id: str,
        recipient_name: str | None = None,
        results: Sequence[Any] = (),
        evidence: Sequence[Any] = (),
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        credits_earned: float | None = None,
        narrative: str | None = None,
        achievement: AchievementRecord | None = None,
    ) -> tuple[int, str, dict[str, Any]]:
        """The unsigned credential awarding an achievement: ``(issuer_id, achievement_id, credential)``.
        ``achievement``, when given, is the record already fetched for ``achievement_id`` (bulk jobs)."""
        if achievement is None or achievement.id != achievement_id:
            achievement = self._achievements.get(achievement_id)
        start = valid_from or self._clock()
        if valid_until is None and self.validity_months is not None:
            months = self.validity_months(achievement)
            if months:  # the achievement's catalog entry says how long it stays valid
                valid_until = add_months(start, months)
        unsigned = build_achievement_credential(
            credential_id=f"{self.base_url}/credentials/{credential_id}",
            achievement=achievement.definition,
            recipient=recipient,
            salt=secrets.token_hex(8),
            valid_from=start,
            valid_until=valid_until,
            recipient_name=recipient_name,
            results=results,
            evidence=evidence,
            credits_earned=credits_earned,
            narrative=narrative,
        )
        return achievement.issuer_id, achievement.id, unsigned

    def issue(
        self,
        achievement_id: str,
        *,
        recipient: str,
        recipient_name: str | None = None,
        results: Sequence[Any] = (),
        evidence: Sequence[Any] = (),
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
        credits_earned: float | None = None,
        narrative: str | None = None,
        cryptosuite: str = "eddsa-rdfc-2022",
        idempotency_key: str | None = None,
        actor: str = "system",
    ) -> IssuedCredential:
        """Award an achievement to a recipient (e-mail address -> hashed IdentityObject; DID/URL -> subject id).
        ``actor`` is who the audit log names (``credential.issued``)."""
        suite = normalise_cryptosuite(cryptosuite)
        credential_id = uuid.uuid4().hex
        issuer_id, stored_id, unsigned = self.build(
            achievement_id,
            recipient=recipient,
            credential_id=credential_id,
            recipient_name=recipient_name,
            results=results,
            evidence=evidence,
            valid_from=valid_from,
            valid_until=valid_until,
            credits_earned=credits_earned,
            narrative=narrative,
        )
        issued = self._run(
            idempotency_key,
            lambda session: self._recorded(
                session,
                self._secure_and_store(
                    session,
                    unsigned,
                    issuer_id=issuer_id,
                    credential_id=credential_id,
                    achievement_id=stored_id,
                    cryptosuite=suite,
                    idempotency_key=idempotency_key,
                    recipient=recipient,
                    actor=actor,
                ),
                recipient,
            ),
        )
        return self._notify(issued, recipient)

    def issue_in(
        self,
        session: Session,
        unsigned: Mapping[str, Any],
        *,
        issuer_id: int,
        credential_id: str,
        achievement_id: str | None,
        cryptosuite: str,
        idempotency_key: str,
        recipient: str | None = None,
    ) -> tuple[IssuedCredential, bool]:
        """Issue inside the caller's transaction (bulk jobs); returns ``(credential, newly_issued)``. The learner index
        is written in the same transaction; once it commits, the caller calls :meth:`notify` for a new credential."""
        existing = self._existing(session, idempotency_key)
        if existing is not None:
            return issued_record(existing), False
        record = self._secure_and_store(
            session,
            unsigned,
            issuer_id=issuer_id,
            credential_id=credential_id,
            achievement_id=achievement_id,
            cryptosuite=normalise_cryptosuite(cryptosuite),
            idempotency_key=idempotency_key,
            recipient=recipient,
        )
        return self._recorded(session, record, recipient), True

    def notify(self, issued: IssuedCredential, recipient: str | None) -> IssuedCredential:
        """Tell the listeners (pathway awards, wallet) about a credential committed by :meth:`issue_in`."""
        return self._notify(issued, recipient)

    def get(self, credential_id: str) -> IssuedCredential:
        """A credential by credstack id or by its ``id`` URL; NotFoundError otherwise."""
        with self._db.read() as session:
            row = session.get(Credential, str(credential_id))
            if row is None:
                row = session.scalars(sa.select(Credential).where(Credential.document_id == str(credential_id))).first()
            if row is None:
                raise NotFoundError(f"no credential {credential_id!r}")
            return issued_record(row)

    def list(
        self,
        *,
        issuer_ref: str | int | None = None,
        achievement_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[IssuedCredential]:
        """Credentials, newest first."""
        query = sa.select(Credential).order_by(Credential.issued_at.desc(), Credential.id).limit(limit).offset(offset)
        if issuer_ref is not None:
            query = query.where(Credential.issuer_id == self._issuers.get(issuer_ref).id)
        if achievement_id is not None:
            query = query.where(Credential.achievement_id == achievement_id)
        with self._db.read() as session:
            return [issued_record(r) for r in session.scalars(query)]
