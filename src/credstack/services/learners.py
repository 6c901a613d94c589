"""A learner's credentials, each re-verified: what stacking, the planner, the wallet and employers read.

``LearnerService.verified_credentials(learner, extra=..., at=...)`` returns every credential this server issued to
``learner`` (a DID, or an e-mail address as given to ``cs.issuing.issue(recipient=...)``: e-mail recipients are
salted hashes in the document, matched case-insensitively) plus the ``extra`` credential documents a caller brings
and the ``wallet`` documents (credentials imported into the learner's wallet: the pathways service's
``wallet_documents`` hook), each run through the real verifier at ``at``. A revoked, suspended, expired,
tampered or not-this-learner's credential comes back with ``verified=False``, a ``state`` and the reason; callers
must count only ``verified`` ones.

Finding a learner's issued credentials: a DID subject is in ``credentials.recipient``; an e-mail recipient is
recorded in ``learner_credentials`` by :meth:`LearnerService.record_issued` (an issuing recorder: it runs inside the
issuing transaction; the composition root registers it). Credentials issued without that record (VC-API issuance,
bulk jobs) are found by matching the IdentityObject hashes of the credentials that have no subject id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from credstack.domain.credential import is_email
from credstack.domain.identity import matches_identity
from credstack.domain.verification import VerificationReport
from credstack.errors import InvalidInputError, NotFoundError
from credstack.services.issuing import IssuedCredential
from credstack.services.verifying import VerificationService
from credstack.storage.engine import Database
from credstack.storage.models import Credential
from credstack.storage.pathway_tables import LearnerCredential

__all__ = ["HeldCredential", "LearnerService", "catalog_levels", "credential_state", "normalise_learner"]

_EQF = "http://data.europa.eu/snb/eqf/"
LevelLookup = Callable[[str], int | None]


@dataclass(frozen=True)
class HeldCredential:
    """One of a learner's credentials as verified now. Only ``verified`` ones may count for anything.

    ``credential_id`` is the document's ``id`` (for an external credential without one, a ``urn:sha256:`` of its
    JSON); ``achievement_id`` / ``achievement_name`` come from ``credentialSubject.achievement``; ``credits`` is
    ``creditsEarned``, else the achievement's ``creditsAvailable``; ``level`` is the EQF level (from an EQF
    alignment, else from the catalog entry named by ``humanCode``); ``state`` is ``verified``, ``revoked``,
    ``suspended``, ``expired``, ``tampered`` or ``unverified``; ``status_reason`` says why it is not verified;
    ``earned`` is ``awardedDate`` (else ``validFrom``); ``source`` is ``issued``, ``external`` (brought by the
    caller) or ``wallet`` (imported into the learner's wallet).
    """

    credential: dict[str, Any]
    credential_id: str
    achievement_id: str | None
    achievement_name: str | None
    issuer_id: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    results: list[dict[str, Any]]
    alignments: list[dict[str, Any]]
    credits: float | None
    level: int | None
    verified: bool
    status_reason: str | None
    source: str
    state: str = "verified"
    earned: datetime | None = None
    achievement: dict[str, Any] | None = None


def normalise_learner(learner: str) -> str:
    """The learner key: the identifier stripped; an e-mail address lower-cased (as credentials hash it)."""
    if not isinstance(learner, str) or not learner.strip():
        raise InvalidInputError("a learner (a DID or an e-mail address) is required")
    value = learner.strip()
    if len(value) > 500:
        raise InvalidInputError("a learner identifier is at most 500 characters")
    return value.lower() if is_email(value) else value


def credential_state(report: VerificationReport) -> tuple[str, str | None]:
    """(state, reason) from a verification report: ``verified`` or why not, most telling failure first."""
    if report.verified:
        return "verified", None
    failures = report.failures
    reason = "; ".join(f"{c.name}: {c.reason}" for c in failures) or "did not verify"
    for check in failures:
        if check.name == "status" and check.reason.startswith("revoked"):
            return "revoked", reason
    for check in failures:
        if check.name == "status" and check.reason.startswith("suspended"):
            return "suspended", reason
    for check in failures:
        if check.name == "validity" and check.reason.startswith("expired"):
            return "expired", reason
    for check in failures:
        if check.name in ("proof", "issuer_key"):
            return "tampered", reason
    return "unverified", reason


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _subject(credential: Mapping[str, Any]) -> Mapping[str, Any]:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    return subject if isinstance(subject, Mapping) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value] if isinstance(value, Mapping) else []
    return [dict(item) for item in items if isinstance(item, Mapping)]


def _document_id(credential: Mapping[str, Any]) -> str:
    given = credential.get("id")
    if isinstance(given, str) and given:
        return given
    digest = hashlib.sha256(json.dumps(credential, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    return f"urn:sha256:{digest}"


def _types(document: Mapping[str, Any]) -> list[str]:
    value = document.get("type")
    if isinstance(value, str):
        return [value]
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


def _issued_to(document: Mapping[str, Any], learner: str) -> bool:
    subject = _subject(document)
    if subject.get("id") == learner:
        return True
    return any(matches_identity(learner, identity) for identity in _dicts(subject.get("identifier")))


class LearnerService:
    """Learners' credentials, re-verified (see the module docstring)."""

    def __init__(
        self,
        db: Database,
        verifier: VerificationService,
        clock: Callable[[], datetime],
        level_of: LevelLookup | None = None,
    ) -> None:
        self._db = db
        self._verifier = verifier
        self._clock = clock
        self._level_of = level_of
        #: this server's status list credential for a list URL found in a credential it issued, whatever base URL
        #: it was issued under (set by the composition root: StatusService.own_list_for_url)
        self.own_status_list: Callable[[str], dict[str, Any] | None] | None = None

    # -- the issuing hook --------------------------------------------------------------------------------------
    def record_issued(self, session: Session, issued: IssuedCredential, recipient: str | None) -> None:
        """Issuing recorder (inside the issuing transaction): which learner a new credential belongs to. A DID
        subject is already in ``credentials.recipient``; an e-mail address is recorded here."""
        if recipient is None or not is_email(recipient.strip()):
            return
        key = normalise_learner(recipient)
        if session.get(LearnerCredential, issued.id) is None:
            session.add(LearnerCredential(credential_id=issued.id, learner=key))

    # -- reading -----------------------------------------------------------------------------------------------
    def issued_documents(self, learner: str) -> list[dict[str, Any]]:
        """The signed documents this server issued to ``learner``, oldest first."""
        key = normalise_learner(learner)
        indexed = sa.select(LearnerCredential.credential_id).where(LearnerCredential.learner == key)
        query = (
            sa.select(Credential.id, Credential.document)
            .where(sa.or_(Credential.recipient == key, Credential.id.in_(indexed)))
            .order_by(Credential.issued_at, Credential.id)
        )
        with self._db.read() as session:
            found = {row_id: document for row_id, document in session.execute(query)}
            if is_email(key):  # credentials whose owner was never recorded: match their hashed identifiers
                unrecorded = (
                    sa.select(Credential.id, Credential.document, Credential.issued_at)
                    .outerjoin(LearnerCredential, LearnerCredential.credential_id == Credential.id)
                    .where(Credential.recipient.is_(None), LearnerCredential.credential_id.is_(None))
                    .order_by(Credential.issued_at, Credential.id)
                )
                for row_id, document, _ in session.execute(unrecorded):
                    if row_id not in found and _issued_to(document, key):
                        found[row_id] = document
        return [dict(document) for document in found.values()]

    def verified_credentials(
        self,
        learner: str,
        *,
        extra: Sequence[Mapping[str, Any]] = (),
        at: datetime | None = None,
        wallet: Sequence[Mapping[str, Any]] = (),
        bundles: bool = True,
    ) -> list[HeldCredential]:
        """Every credential issued here to ``learner`` plus ``extra`` (external documents, source ``external``) and
        ``wallet`` (documents in the learner's wallet, source ``wallet``), each re-verified at ``at`` (now by
        default) and checked to be issued to ``learner``. Duplicates (same id) are listed once, the first kept
        (a wallet copy of a credential issued here is the issued one) and verified once. ``bundles=False`` leaves
        out CLR 2.0 ``ClrCredential`` bundles (they award no achievement of their own, so stacking never counts them,
        and verifying one verifies every credential inside it)."""
        key = normalise_learner(learner)
        when = at if at is not None else self._clock()
        if when.tzinfo is None:
            raise InvalidInputError("the evaluation time must be timezone-aware")
        issued = self.issued_documents(key)
        options = self._verifier.options(at=when, recipient=key, documents=self._own_lists(issued))
        out: list[HeldCredential] = []
        seen: set[str] = set()
        sources: Iterable[tuple[str, Any]] = [
            *(("issued", d) for d in issued),
            *(("external", d) for d in extra),
            *(("wallet", d) for d in wallet),
        ]
        for source, document in sources:
            if not isinstance(document, Mapping):
                raise InvalidInputError("an extra credential must be a JSON object")
            if isinstance(document.get("id"), str) and document["id"] in seen:
                continue  # already read (and verified) under that id
            if not bundles and "ClrCredential" in _types(document):
                continue
            report = self._verifier.verify_with(dict(document), options)
            held = self._held(report, dict(document), source)
            if held.credential_id in seen:
                continue
            seen.add(held.credential_id)
            out.append(held)
        return out

    def _own_lists(self, issued: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """The status lists of credentials issued here, by the URLs those credentials name: checked locally even
        when the server now runs under another base URL (a CLI without CREDSTACK_BASE_URL, a moved server), so a
        revoked or suspended credential is never counted because its status could not be fetched."""
        if self.own_status_list is None:
            return {}
        found: dict[str, Any] = {}
        for document in issued:
            for entry in _dicts(document.get("credentialStatus")):
                url = entry.get("statusListCredential")
                if isinstance(url, str) and url not in found:
                    listed = self.own_status_list(url)
                    if listed is not None:
                        found[url] = listed
        return found

    def _held(self, report: VerificationReport, document: dict[str, Any], source: str) -> HeldCredential:
        credential = report.credential if isinstance(report.credential, dict) else document
        state, reason = credential_state(report)
        subject = _subject(credential)
        achievement = subject.get("achievement")
        achievement = dict(achievement) if isinstance(achievement, Mapping) else None
        issuer = credential.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
        alignments = _dicts(achievement.get("alignment")) if achievement else []
        credits = _number(subject.get("creditsEarned"))
        if credits is None and achievement is not None:
            credits = _number(achievement.get("creditsAvailable"))
        valid_from = _date(credential.get("validFrom")) or _date(credential.get("issuanceDate"))
        return HeldCredential(
            credential=credential,
            credential_id=_document_id(credential),
            achievement_id=achievement.get("id") if achievement and isinstance(achievement.get("id"), str) else None,
            achievement_name=str(achievement["name"]) if achievement and achievement.get("name") else None,
            issuer_id=issuer_id if isinstance(issuer_id, str) else None,
            valid_from=valid_from,
            valid_until=_date(credential.get("validUntil")) or _date(credential.get("expirationDate")),
            results=_dicts(subject.get("result")),
            alignments=alignments,
            credits=credits,
            level=self._level(achievement, alignments),
            verified=state == "verified",
            status_reason=reason,
            source=source,
            state=state,
            earned=_date(credential.get("awardedDate")) or valid_from,
            achievement=achievement,
        )

    def _level(self, achievement: Mapping[str, Any] | None, alignments: list[dict[str, Any]]) -> int | None:
        for alignment in alignments:
            url = alignment.get("targetUrl")
            if isinstance(url, str) and url.startswith(_EQF) and url[len(_EQF) :].isdigit():
                return int(url[len(_EQF) :])
        code = achievement.get("humanCode") if achievement else None
        if isinstance(code, str) and code and self._level_of is not None:
            return self._level_of(code)
        return None


def catalog_levels(get_entry: Callable[[str], Any]) -> LevelLookup:
    """A level lookup from a catalog getter (``CatalogService.get``): the entry's EQF level, None when unknown."""

    def level_of(code: str) -> int | None:
        try:
            level = getattr(get_entry(code), "eqf_level", None)
        except NotFoundError:
            return None
        return level if isinstance(level, int) else None

    return level_of
