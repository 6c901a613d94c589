"""The trusted-issuer registry of each organisation, and the trust breakdown of a credential
(:func:`credstack.employer.trust.assess` fed with the registry, verified endorsements, market value and half-lives).

Registry entries are a DID (``did:web:...``, ``did:key:...``, any DID) or a web domain (``example.edu`` also covers
``www.example.edu``). Adding an entry twice is a no-op; every change is audited.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from credstack.domain.shape import as_list
from credstack.employer.trust import (
    EndorsementInfo,
    MarketInfo,
    RegistryEntry,
    TrustBreakdown,
    achievement_of,
    assess,
    issuer_id,
    skill_uris,
)
from credstack.errors import InvalidInputError, NotFoundError
from credstack.services.verifying import VerificationService
from credstack.settings import Settings
from credstack.storage.employer_tables import EndorsementRow, TrustedIssuerRow
from credstack.storage.engine import Database
from credstack.storage.repositories import add_audit

__all__ = ["RegistryService", "TrustService", "TrustedIssuer", "parse_registry_value"]

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$|^localhost$")
_DID = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$")


@dataclass(frozen=True)
class TrustedIssuer:
    id: int
    org_id: str
    kind: str
    value: str
    label: str
    added_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "value": self.value,
            "label": self.label,
            "added_at": self.added_at.isoformat(),
        }


def parse_registry_value(text: str) -> tuple[str, str]:
    """``(kind, value)`` for a DID, a domain, or a URL (its host): what the registry stores."""
    value = (text or "").strip()
    if not value:
        raise InvalidInputError("give a DID (did:web:..., did:key:...) or a web domain (example.edu)")
    if value.startswith("did:"):
        if len(value) > 300 or not _DID.match(value):
            raise InvalidInputError(f"{value[:80]!r} is not a DID")
        return "did", value
    host = value.lower()
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0].split(":", 1)[0].removeprefix("*.")
    if not _DOMAIN.match(host):
        raise InvalidInputError(f"{value[:80]!r} is neither a DID nor a web domain")
    return "domain", host


def _record(row: TrustedIssuerRow) -> TrustedIssuer:
    return TrustedIssuer(row.id, row.org_id, row.kind, row.value, row.label, row.added_at)


class RegistryService:
    """An organisation's trusted-issuer registry."""

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock

    def trusted(self, org_id: str) -> list[TrustedIssuer]:
        with self._db.read() as session:
            rows = session.scalars(
                sa.select(TrustedIssuerRow).where(TrustedIssuerRow.org_id == org_id).order_by(TrustedIssuerRow.id)
            ).all()
            return [_record(r) for r in rows]

    def entries(self, org_id: str) -> list[RegistryEntry]:
        return [RegistryEntry(t.kind, t.value, t.label) for t in self.trusted(org_id)]

    def add(self, org_id: str, value: str, label: str = "") -> TrustedIssuer:
        """Add a DID or domain (idempotent: an existing entry is returned as it is)."""
        kind, parsed = parse_registry_value(value)
        label = (label or "").strip()[:200]
        try:
            with self._db.write() as session:
                row = TrustedIssuerRow(org_id=org_id, kind=kind, value=parsed, label=label, added_at=self._clock())
                session.add(row)
                session.flush()
                add_audit(
                    session,
                    "issuer.trusted",
                    parsed,
                    at=row.added_at,
                    org_id=org_id,
                    detail={"kind": kind, "label": label},
                )
                return _record(row)
        except IntegrityError:
            existing = [t for t in self.trusted(org_id) if (t.kind, t.value) == (kind, parsed)]
            if existing:
                return existing[0]
            raise

    def remove(self, org_id: str, entry_id: int) -> None:
        with self._db.write() as session:
            row = session.get(TrustedIssuerRow, entry_id)
            if row is None or row.org_id != org_id:
                raise NotFoundError(f"no trusted-issuer entry {entry_id}")
            add_audit(
                session, "issuer.distrusted", row.value, at=self._clock(), org_id=org_id, detail={"kind": row.kind}
            )
            session.delete(row)


class TrustService:
    """The trust breakdown of a credential for one organisation."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        verifier: VerificationService,
        registry: RegistryService,
        clock: Callable[[], datetime],
        peer: Callable[[str], Any],
    ) -> None:
        self._db = db
        self._settings = settings
        self._verifier = verifier
        self._registry = registry
        self._clock = clock
        self._peer = peer

    def breakdown(self, org_id: str, credential: Mapping[str, Any] | None, *, verified: bool) -> TrustBreakdown:
        document: Mapping[str, Any] = credential if isinstance(credential, Mapping) else {}
        skills = skill_uris(document)
        return assess(
            document,
            verified=verified and bool(document),
            now=self._clock(),
            registry=self._registry.entries(org_id),
            endorsements=self.endorsements(document),
            market=self._market(skills, _alignment_labels(document)),
            half_lives=self._half_lives(skills),
            default_half_life=self._settings.skill_half_life_knowledge,
        )

    # -- endorsements: embedded ones and the ones this server signed, each verified --------------------------------
    def endorsements(self, credential: Mapping[str, Any]) -> list[EndorsementInfo]:
        subjects = {
            issuer_id(credential): "the issuer",
            str(achievement_of(credential).get("id", "")): "the achievement",
            str(credential.get("id", "")): "the credential",
        }
        subjects.pop("", None)
        found: list[tuple[Any, str]] = []
        nodes: list[tuple[Any, str]] = [
            (credential, "the credential"),
            (credential.get("issuer"), "the issuer"),
            (achievement_of(credential), "the achievement"),
        ]
        for node, what in nodes:
            if isinstance(node, Mapping):
                for item in [*as_list(node.get("endorsement")), *as_list(node.get("endorsementJwt"))]:
                    found.append((item, what))
        if subjects:
            with self._db.read() as session:
                rows = session.scalars(
                    sa.select(EndorsementRow).where(EndorsementRow.subject_id.in_(list(subjects))).limit(50)
                ).all()
                found += [(dict(r.document), subjects.get(r.subject_id, r.subject_id)) for r in rows]
        seen: set[str] = set()
        out = []
        for item, what in found:
            info = self._endorsement_info(item, what)
            key = f"{info.endorser}|{info.subject}|{info.comment}"
            if key not in seen:
                seen.add(key)
                out.append(info)
        return out

    def _endorsement_info(self, item: Any, what: str) -> EndorsementInfo:
        report = self._verifier.verify(item if isinstance(item, dict | str) else str(item))
        document = report.credential if isinstance(report.credential, dict) else {}
        issuer = document.get("issuer")
        name = issuer.get("name") if isinstance(issuer, Mapping) else None
        subject = document.get("credentialSubject")
        comment = subject.get("endorsementComment") if isinstance(subject, Mapping) else None
        reason = "; ".join(f"{c.name}: {c.reason}" for c in report.failures)
        return EndorsementInfo(
            issuer_id(document),
            name if isinstance(name, str) else "",
            what,
            report.verified,
            comment if isinstance(comment, str) else "",
            reason,
        )

    # -- optional peers ------------------------------------------------------------------------------------------------
    def _market(self, skills: Sequence[str], labels: Mapping[str, str]) -> MarketInfo | None:
        outlook = self._peer("outlook")
        if outlook is None or not skills or not hasattr(outlook, "market_value"):
            return None
        try:
            value = outlook.market_value(list(skills))
        except Exception:  # market data is a signal, never a reason for the page to fail
            return None
        if value is None or getattr(value, "rated", 1) == 0:  # none of the skills has market data
            return None
        top = tuple(
            str(getattr(t, "label", "") or labels.get(str(getattr(t, "uri", "")), "") or getattr(t, "uri", t))
            for t in getattr(value, "top_skills", ()) or ()
        )
        basis = str(getattr(value, "basis", ""))
        rated, total = getattr(value, "rated", None), getattr(value, "total", None)
        if rated is not None and total:
            basis = f"{basis} ({rated} of {total} skills have market data)".strip()
        return MarketInfo(float(getattr(value, "score", 0.0)), top, basis)

    def _half_lives(self, skills: Sequence[str]) -> dict[str, float]:
        planner = self._peer("planner")
        kinds_of = getattr(getattr(planner, "data", None), "skill_kinds", None)
        if kinds_of is None or not skills:
            return {}
        try:
            kinds = kinds_of(list(skills))
        except Exception:  # the taxonomy may not be loaded: fall back to the default half-life
            return {}
        return {uri: float(getattr(self._settings, f"skill_half_life_{kind}", 5.0)) for uri, kind in kinds.items()}


def _alignment_labels(credential: Mapping[str, Any]) -> dict[str, str]:
    """Skill URI -> the name the credential's achievement gives it (alignment targetName)."""
    out: dict[str, str] = {}
    for alignment in as_list(achievement_of(credential).get("alignment")):
        if isinstance(alignment, Mapping) and isinstance(alignment.get("targetUrl"), str):
            out[alignment["targetUrl"]] = str(alignment.get("targetName") or "")
    return out
