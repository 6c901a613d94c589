"""The learner wallet: claim credentials issued here, import others, re-verify on every showing, present them.

- **Claim links**: every issued credential gets a single-use claim link ``{base_url}/claim/{token}`` (created by the
  issuing listener :meth:`WalletService.on_issued`, or on demand). The token is an HMAC of the credential id under
  a key derived from the master secret, so the issuer can show the link again; the database keeps only its SHA-256
  and whether (and by whom) it was used. Claiming binds the credential to the person's wallet; a credential issued
  to an e-mail address is claimable only by the person with that address.
- **Import**: OB 3.0 JSON or VC-JWT, a baked PNG/SVG, a credential fetched from an allow-listed URL (the verifier's
  fetch settings), or an OB 2.0 hosted assertion (read as legacy: its hosted copy must match). Each is verified on
  import; a failure is refused with the reasons (:class:`~credstack.errors.CredentialRejectedError`) and nothing is
  stored. After an import, :attr:`WalletService.listeners` hear of it (the composition root registers the pathway
  awards: an import that completes a stack awards it).
- **Counting**: :meth:`WalletService.learner_documents` gives the credential JSON in the wallet of the person with a
  learner's e-mail address; pathway progress and awards read it (each document re-verified there).
- **Showing**: :meth:`WalletService.verified_items` re-verifies every item now.
- **Presentations**: :meth:`WalletService.presentation` returns a VC 2.0 ``VerifiablePresentation`` signed by the
  person's holder did:key (``DataIntegrityProof``, ``eddsa-jcs-2022``, ``proofPurpose`` ``authentication``, with
  the verifier's ``challenge`` and ``domain`` when answering a request). Each embedded credential keeps its own
  proof (a CLR its issuer's ``eddsa-rdfc-2022``); JCS because RDFC-1.0 of a presentation holding a CLR exceeds the
  N-degree work limit (see :meth:`WalletService.presentation`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from credstack.domain._checks import FAIL, PASS, Check
from credstack.domain._formats import parse_input
from credstack.domain.identity import email_identities, matches_identity
from credstack.domain.ob2_legacy import check_ob2_assertion, is_ob2_assertion, ob2_title
from credstack.domain.shape import VC_V2
from credstack.domain.verification import VerificationReport, VerifyOptions
from credstack.errors import (
    ConflictError,
    CredentialRejectedError,
    CredstackError,
    FetchError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)
from credstack.proofs.data_integrity import sign
from credstack.proofs.keys import Ed25519Key
from credstack.services.issuing import IssuedCredential, IssuingService
from credstack.services.keystore import KeyStore
from credstack.services.verifying import VerificationService
from credstack.services.wallet_exports import CertificateFacts, certificate_facts, verification_url
from credstack.settings import Settings
from credstack.storage.account_tables import ClaimRow, OrgRow, PersonRow, WalletItemRow
from credstack.storage.engine import Database
from credstack.storage.models import Credential

__all__ = ["ClaimPreview", "WalletItem", "WalletService", "item_document"]

AuditHook = Callable[..., None]
#: Called after an import is committed: ``(item, email)``, the holder's e-mail address
ImportListener = Callable[["WalletItem", str], None]
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WalletItem:
    """A credential in a wallet. ``raw`` is the credential as held: JSON text, or a compact JWS for a VC-JWT."""

    id: str
    person_id: str
    source: str
    fmt: str
    credential_id: str | None
    document_id: str | None
    title: str
    issuer_name: str | None
    raw: str
    digest: str
    added_at: datetime

    @property
    def is_jwt(self) -> bool:
        return not self.raw.lstrip().startswith("{")

    @property
    def is_legacy(self) -> bool:
        return self.fmt == "ob2"


@dataclass(frozen=True)
class ClaimPreview:
    credential: IssuedCredential
    claimed: bool
    claimed_by: str | None


def item_document(item: WalletItem) -> dict[str, Any] | None:
    """The credential JSON of an item (None for a VC-JWT, which is held as its token)."""
    if item.is_jwt:
        return None
    parsed = json.loads(item.raw)
    return parsed if isinstance(parsed, dict) else None


def _item(row: WalletItemRow) -> WalletItem:
    return WalletItem(
        row.id,
        row.person_id,
        row.source,
        row.fmt,
        row.credential_id,
        row.document_id,
        row.title,
        row.issuer_name,
        row.raw,
        row.digest,
        row.added_at,
    )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _name(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("en", "en-US", "@value"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return None


def _titles(credential: dict[str, Any] | None) -> tuple[str, str | None]:
    """The achievement (or credential) name and the issuer's name."""
    if not isinstance(credential, dict):
        return "Credential", None
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    title = (_name(achievement.get("name")) if isinstance(achievement, dict) else None) or _name(credential.get("name"))
    issuer = credential.get("issuer")
    issuer_name = _name(issuer.get("name")) if isinstance(issuer, dict) else issuer if isinstance(issuer, str) else None
    return (title or "Credential")[:300], issuer_name[:300] if issuer_name else None


class WalletService:
    """Claim, import, list (re-verified) and present a person's credentials."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        keystore: KeyStore,
        verifier: VerificationService,
        issuing: IssuingService,
        clock: Callable[[], datetime],
        audit: AuditHook | None = None,
    ) -> None:
        self._db = db
        self._settings = settings
        self._keystore = keystore
        self._verifier = verifier
        self._issuing = issuing
        self._clock = clock
        self._audit = audit
        self._claim_key = hashlib.sha256(b"credstack wallet claim links\0" + settings.master_secret.encode()).digest()
        #: import listeners; a failing listener is logged, never raised (the import is committed)
        self.listeners: list[ImportListener] = []

    def _record(self, *args: Any, **kwargs: Any) -> None:
        if self._audit is not None:
            self._audit(*args, **kwargs)

    # -- claim links -------------------------------------------------------------------------------------------
    def claim_token(self, credential_id: str) -> str:
        mac = hmac.new(self._claim_key, credential_id.encode("utf-8"), hashlib.sha256).hexdigest()
        return mac[:40]

    def claim_url(self, credential_id: str) -> str:
        return f"{self._settings.base_url.rstrip('/')}/claim/{self.claim_token(credential_id)}"

    def _ensure_claim(self, credential_id: str) -> None:
        with self._db.write() as session:
            if session.scalars(sa.select(ClaimRow).where(ClaimRow.credential_id == credential_id)).first() is None:
                token = self.claim_token(credential_id)
                session.add(ClaimRow(token_hash=_sha256(token), credential_id=credential_id, created_at=self._clock()))

    def claim_link(self, credential_id: str) -> str:
        """The claim link of an issued credential (by id or ``id`` URL; created when missing)."""
        record = self._issuing.get(credential_id)
        self._ensure_claim(record.id)
        return self.claim_url(record.id)

    def on_issued(self, issued: IssuedCredential, recipient: str | None) -> None:
        """Issuing listener: every issued credential gets its claim link."""
        self._ensure_claim(issued.id)

    def _claim_row(self, token: str) -> ClaimRow:
        if not isinstance(token, str) or not 0 < len(token) <= 100:
            raise NotFoundError("no such claim link")
        with self._db.read() as session:
            row = session.get(ClaimRow, _sha256(token))
        if row is None:
            raise NotFoundError("no such claim link (it may have been mistyped)")
        return row

    def claim_preview(self, token: str) -> ClaimPreview:
        row = self._claim_row(token)
        claimed_by = None
        if row.person_id is not None:
            with self._db.read() as session:
                person = session.get(PersonRow, row.person_id)
                claimed_by = person.email if person is not None else None
        return ClaimPreview(self._issuing.get(row.credential_id), row.claimed_at is not None, claimed_by)

    def claim(self, person_id: str, token: str, *, revoked_ok: bool = False) -> WalletItem:
        """Bind the credential behind a claim link to the person's wallet (once: ConflictError afterwards). A revoked
        credential cannot be claimed (ConflictError); a suspended one can, and shows as suspended in the wallet.
        ``revoked_ok`` is for the demo seed only, which stands in for claims made before the revocation."""
        row = self._claim_row(token)
        credential = self._issuing.get(row.credential_id)
        if credential.state == "revoked" and not revoked_ok:
            raise ConflictError("this credential has been revoked by its issuer; it cannot be added to a wallet")
        now = self._clock()
        with self._db.write() as session:
            claim = session.get(ClaimRow, row.token_hash, with_for_update=True)
            person = session.get(PersonRow, person_id)
            if claim is None or person is None:
                raise NotFoundError("no such claim link")
            if claim.claimed_at is not None:
                raise ConflictError("this claim link has already been used")
            emails = email_identities(credential.credential)
            if emails and not any(matches_identity(person.email, i) for i in emails):
                raise ForbiddenError(f"this credential was issued to another e-mail address than {person.email}")
            raw = json.dumps(credential.credential, ensure_ascii=False, separators=(",", ":"))
            title, issuer_name = _titles(credential.credential)
            item = WalletItemRow(
                id=uuid.uuid4().hex,
                person_id=person_id,
                source="claimed",
                fmt="json",
                credential_id=credential.id,
                document_id=str(credential.credential.get("id"))[:500],
                title=title,
                issuer_name=issuer_name,
                raw=raw,
                digest=_sha256(raw),
                added_at=now,
            )
            session.add(item)
            claim.claimed_at, claim.person_id = now, person_id
            try:
                session.flush()
            except IntegrityError as exc:
                raise ConflictError("this credential is already in your wallet") from exc
            org_id = session.scalar(sa.select(OrgRow.id).where(OrgRow.issuer_id == credential.issuer_id))
            email = person.email
            held = _item(item)
        self._record(email, "credential.claimed", credential.id, org_id, {"item": held.id}, person_id=person_id)
        return held

    # -- import ------------------------------------------------------------------------------------------------
    def _legacy_report(self, doc: dict[str, Any], at: datetime | None = None) -> VerificationReport:
        hosted: dict[str, Any] | None = None
        url = doc.get("id")
        reason = None
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            try:
                hosted = self._verifier.fetch(url)
            except FetchError as exc:
                reason = exc.message
        checks = [Check("parse", PASS, "an Open Badges 2.0 assertion (JSON)")]
        checks += check_ob2_assertion(doc, hosted, at or self._clock())
        if reason is not None:
            checks = [Check(c.name, c.status, f"{c.reason}: {reason}") if c.name == "hosted" else c for c in checks]
        verified = not any(c.status == FAIL for c in checks)
        return VerificationReport(verified, "ob2", doc, tuple(checks))

    def verify_raw(
        self, raw: str, fmt: str, *, at: datetime | None = None, options: VerifyOptions | None = None
    ) -> VerificationReport:
        """Verify a held credential now (the OB 2.0 legacy checks for ``ob2`` items). ``options`` shared by several
        calls share the status lists and documents fetched and verified (one wallet showing)."""
        if fmt == "ob2":
            return self._legacy_report(json.loads(raw), at)
        if options is not None:
            return self._verifier.verify_with(raw, options)
        return self._verifier.verify(raw, at=at)

    def verify_many(
        self, items: Sequence[WalletItem], *, at: datetime | None = None
    ) -> list[tuple[WalletItem, VerificationReport]]:
        """Each item verified now, sharing one set of fetched (and verified) status lists."""
        options = self._verifier.options(at=at)
        return [(item, self.verify_raw(item.raw, item.fmt, at=at, options=options)) for item in items]

    def import_bytes(self, person_id: str, data: bytes, *, fmt_hint: str | None = None) -> WalletItem:
        """Import a credential file (JSON, JWT, baked PNG or SVG, OB 2.0 hosted assertion): verified first; a
        failure raises CredentialRejectedError with every failed check, and nothing is stored."""
        try:
            parsed = parse_input(bytes(data), max_bytes=self._settings.max_document_bytes)
        except CredstackError as exc:
            raise CredentialRejectedError(
                f"the file could not be read: {exc.message}", reasons=(f"parse: {exc.message}",)
            ) from exc
        if parsed.token is not None:
            raw, document = parsed.token, None
        else:
            document = parsed.document
            raw = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        legacy = (
            document is not None
            and is_ob2_assertion(document)
            and "VerifiableCredential" not in str(document.get("type"))
        )
        fmt = "ob2" if legacy else fmt_hint or parsed.format.split("+", 1)[0]
        report = self.verify_raw(raw, "ob2" if legacy else "json")
        if not report.verified:
            reasons = tuple(f"{c.name}: {c.reason}" for c in report.failures)
            raise CredentialRejectedError(
                "the credential did not verify, so it was not imported: " + "; ".join(reasons), reasons=reasons
            )
        if report.presentation is not None:
            raise CredentialRejectedError(
                "a presentation is not a credential: import its credentials one by one",
                reasons=("parse: a VerifiablePresentation",),
            )
        self._check_recipient(person_id, document if legacy and document is not None else report.credential or {})
        if legacy and document is not None:
            title, issuer_name = ob2_title(document)
        else:
            title, issuer_name = _titles(report.credential)
        credential = report.credential or {}
        return self._store(person_id, raw, fmt[:16], title, issuer_name, credential.get("id"))

    def _check_recipient(self, person_id: str, credential: dict[str, Any]) -> None:
        """A credential issued to an e-mail address goes only into the wallet of the person with that address
        (hashed identities are checked with their salt); one naming its recipient by a DID or URL is accepted, as
        the holder proves control of that identifier when presenting it."""
        emails = email_identities(credential)
        if not emails:
            return
        with self._db.read() as session:
            person = session.get(PersonRow, person_id)
            address = person.email if person is not None else ""
        if not any(matches_identity(address, identity) for identity in emails):
            reason = f"recipient: issued to another e-mail address than {address}"
            raise CredentialRejectedError(
                f"this credential was issued to another e-mail address than {address}, so it was not imported",
                reasons=(reason,),
            )

    def import_url(self, person_id: str, url: str) -> WalletItem:
        """Fetch a credential from an allow-listed URL (CREDSTACK_FETCH_ALLOWLIST; FetchError otherwise) and import
        it."""
        document = self._verifier.fetch(str(url).strip())
        return self.import_bytes(person_id, json.dumps(document).encode("utf-8"), fmt_hint=None)

    def _store(
        self, person_id: str, raw: str, fmt: str, title: str, issuer_name: str | None, document_id: Any
    ) -> WalletItem:
        now = self._clock()
        try:
            with self._db.write() as session:
                person = session.get(PersonRow, person_id)
                if person is None:
                    raise NotFoundError(f"no person {person_id!r}")
                local = None
                if isinstance(document_id, str):
                    local = session.scalar(sa.select(Credential.id).where(Credential.document_id == document_id))
                row = WalletItemRow(
                    id=uuid.uuid4().hex,
                    person_id=person_id,
                    source="imported",
                    fmt=fmt,
                    credential_id=local,
                    document_id=document_id[:500] if isinstance(document_id, str) else None,
                    title=title[:300],
                    issuer_name=issuer_name,
                    raw=raw,
                    digest=_sha256(raw),
                    added_at=now,
                )
                session.add(row)
                session.flush()
                item, email = _item(row), person.email
        except IntegrityError as exc:
            raise ConflictError("this credential is already in your wallet") from exc
        subject = document_id if isinstance(document_id, str) else item.id
        self._record(email, "credential.imported", subject, None, {"format": fmt, "item": item.id}, person_id=person_id)
        for listener in self.listeners:
            try:
                listener(item, email)
            except Exception:  # a listener never undoes the import
                _log.exception("wallet import listener %r failed for item %s", listener, item.id)
        return item

    # -- reading -----------------------------------------------------------------------------------------------
    def items(self, person_id: str) -> list[WalletItem]:
        """The person's credentials, newest first (not verified: see :meth:`verified_items`)."""
        with self._db.read() as session:
            query = (
                sa.select(WalletItemRow)
                .where(WalletItemRow.person_id == person_id)
                .order_by(WalletItemRow.added_at.desc(), WalletItemRow.id)
            )
            return [_item(r) for r in session.scalars(query)]

    def learner_documents(self, learner: str) -> list[dict[str, Any]]:
        """The credential JSON of every item in the wallet of the person whose e-mail address (or holder DID) is
        ``learner``, oldest first; none when no person has it. VC-JWT items and OB 2.0 assertions are left out (they
        cannot be embedded, signed, in a CLR), and so, for the e-mail address, are those issued to the person's
        holder DID (they are the DID's). Not verified here: callers verify each one (and that it was issued to
        ``learner``)."""
        value = learner.strip() if isinstance(learner, str) else ""
        if value.startswith("did:"):
            whose = PersonRow.holder_did == value
        elif "@" in value:
            whose = PersonRow.email == value.lower()
        else:
            return []
        with self._db.read() as session:
            query = (
                sa.select(WalletItemRow)
                .join(PersonRow, PersonRow.id == WalletItemRow.person_id)
                .where(whose)
                .order_by(WalletItemRow.added_at, WalletItemRow.id)
            )
            items = [_item(r) for r in session.scalars(query)]
            own_did = session.scalar(sa.select(PersonRow.holder_did).where(whose)) if items else None
        documents = []
        for item in items:
            if item.is_legacy:
                continue
            try:
                document = item_document(item)
            except ValueError:
                continue
            subject = document.get("credentialSubject") if document is not None else None
            if own_did and own_did != value and isinstance(subject, dict) and subject.get("id") == own_did:
                continue
            if document is not None:
                documents.append(document)
        return documents

    def item(self, person_id: str, item_id: str) -> WalletItem:
        """One of the person's items; NotFoundError for anyone else's (they are invisible, not forbidden)."""
        with self._db.read() as session:
            row = session.get(WalletItemRow, str(item_id))
            if row is None or row.person_id != person_id:
                raise NotFoundError(f"no wallet item {item_id!r}")
            return _item(row)

    def items_by_id(self, item_ids: Sequence[str]) -> list[WalletItem]:
        """Items by id, whoever holds them (for shares, which carry their own authorisation)."""
        if not item_ids:
            return []
        with self._db.read() as session:
            rows = {
                r.id: _item(r) for r in session.scalars(sa.select(WalletItemRow).where(WalletItemRow.id.in_(item_ids)))
            }
        return [rows[i] for i in item_ids if i in rows]

    def verified_items(
        self, person_id: str, *, at: datetime | None = None
    ) -> list[tuple[WalletItem, VerificationReport]]:
        """Every item with a verification report made now (credentials are re-verified whenever shown)."""
        return self.verify_many(self.items(person_id), at=at)

    def remove(self, person_id: str, item_id: str) -> None:
        item = self.item(person_id, item_id)
        with self._db.write() as session:
            session.execute(sa.delete(WalletItemRow).where(WalletItemRow.id == item.id))

    # -- presentations -----------------------------------------------------------------------------------------
    def holder_key(self, person_id: str) -> Ed25519Key:
        """The person's holder key (did:key), created and sealed with the master secret on first use."""
        with self._db.write() as session:
            person = session.get(PersonRow, person_id, with_for_update=True)
            if person is None:
                raise NotFoundError(f"no person {person_id!r}")
            if person.holder_key is not None and person.holder_did is not None:
                multibase = person.holder_did.removeprefix("did:key:")
                return Ed25519Key.from_seed(self._keystore.open(person.holder_key, public_multibase=multibase))
            key = Ed25519Key.generate()
            person.holder_key = self._keystore.seal(key.seed, public_multibase=key.public_multibase)
            person.holder_did = key.did
            return key

    def presentation(
        self,
        person_id: str,
        credential_ids: Sequence[str],
        *,
        challenge: str | None = None,
        domain: str | None = None,
    ) -> dict[str, Any]:
        """A signed VC 2.0 VerifiablePresentation of the person's credentials (wallet item ids or credential ``id``
        URLs). OB 2.0 legacy items cannot be presented (they are not Verifiable Credentials)."""
        if not credential_ids:
            raise InvalidInputError("choose at least one credential to present")
        held = self.items(person_id)
        chosen: list[WalletItem] = []
        for wanted in credential_ids:
            match = next((i for i in held if wanted in (i.id, i.document_id, i.credential_id)), None)
            if match is None:
                raise NotFoundError(f"no credential {wanted!r} in this wallet")
            if match.is_legacy:
                raise InvalidInputError(f"{match.title!r} is an Open Badges 2.0 assertion and cannot be presented")
            if match not in chosen:
                chosen.append(match)
        key = self.holder_key(person_id)
        embedded: list[dict[str, Any]] = []
        for item in chosen:
            document = item_document(item)
            if document is None:
                embedded.append(
                    {
                        "@context": VC_V2,
                        "id": f"data:application/vc+jwt,{item.raw.strip()}",
                        "type": "EnvelopedVerifiableCredential",
                    }
                )
            else:
                embedded.append(document)
        unsigned = {
            "@context": [VC_V2],
            "type": ["VerifiablePresentation"],
            "id": f"urn:uuid:{uuid.uuid4()}",
            "holder": key.did,
            "verifiableCredential": embedded,
        }
        # eddsa-jcs-2022, not eddsa-rdfc-2022: in a presentation each embedded credential is a blank-node named
        # graph, which makes every blank node in it related to every other; a CLR repeats identical structures
        # (each unit's alignments and result lists appear in the unit and again in the CLR), so RDFC-1.0 N-degree
        # hashing permutes them factorially (488,400 steps for a three-unit CLR, 84 for the same CLR alone) and
        # hits the poisoning limit. JCS signs the JSON as written; each embedded credential keeps its own proof.
        return sign(
            unsigned,
            key=key,
            verification_method=key.verification_method,
            cryptosuite="eddsa-jcs-2022",
            proof_purpose="authentication",
            challenge=challenge,
            domain=domain,
            created=self._clock(),
        )

    # -- exports -----------------------------------------------------------------------------------------------
    def certificate_facts(self, person_id: str, item_id: str) -> CertificateFacts:
        """What the PDF certificate and the LinkedIn link say about one of the person's credentials."""
        item = self.item(person_id, item_id)
        report = self.verify_raw(item.raw, item.fmt)
        with self._db.read() as session:
            person = session.get(PersonRow, person_id)
            holder = person.name if person is not None else ""
        url = verification_url(self._settings.base_url, item.document_id, issued_here=item.credential_id is not None)
        return certificate_facts(
            report.credential or {}, title=item.title, issuer_name=item.issuer_name, holder=holder, verify_url=url
        )
