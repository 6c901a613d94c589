"""How a person wants to see a credential: issuer, achievement, recipient, dates, status; derived from the
credential JSON and its verification checks. Pure functions of values (no services, no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["CredentialView", "Skill", "credential_view", "display_date", "overall_status"]


@dataclass(frozen=True)
class Skill:
    name: str
    url: str | None
    framework: str | None


@dataclass(frozen=True)
class CredentialView:
    title: str
    credential_id: str | None
    types: list[str]
    issuer_name: str | None
    issuer_id: str | None
    issuer_url: str | None
    achievement_name: str | None
    achievement_description: str | None
    achievement_type: str | None
    criteria: str | None
    skills: list[Skill] = field(default_factory=list)
    recipient: str | None = None
    recipient_kind: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    awarded: str | None = None
    image: str | None = None


def _text(value: Any) -> str | None:
    """A plain string from a JSON-LD value (a string, a language map entry or a value object)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        inner = value.get("@value", value.get("value"))
        return inner if isinstance(inner, str) else None
    if isinstance(value, list) and value:
        return _text(value[0])
    return None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def display_date(value: Any) -> str | None:
    """``2025-05-01T10:00:00Z`` -> ``1 May 2025, 10:00 UTC``; anything unparsable is shown as given."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    offset = moment.utcoffset()
    zone = "UTC" if offset is not None and offset.total_seconds() == 0 else moment.strftime("%z")
    return f"{moment.day} {moment.strftime('%B %Y, %H:%M')} {zone}".strip()


def _recipient(subject: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The recipient as a person reads it, and a label saying what kind of identifier it is."""
    for identity in _list(subject.get("identifier")):
        if not isinstance(identity, Mapping):
            continue
        kind = str(identity.get("identityType", "identifier"))
        label = {"emailAddress": "e-mail address", "url": "URL", "phoneNumber": "phone number"}.get(kind, kind)
        value = str(identity.get("identityHash", ""))
        if identity.get("hashed") is True or value.startswith(("sha256$", "md5$")):
            return value, f"Hashed {label}"
        return value, label[0].upper() + label[1:]
    subject_id = subject.get("id")
    if isinstance(subject_id, str):
        return subject_id, "DID" if subject_id.startswith("did:") else "Identifier"
    return None, None


def _skills(achievement: Mapping[str, Any]) -> list[Skill]:
    skills: list[Skill] = []
    for alignment in _list(achievement.get("alignment")):
        if isinstance(alignment, Mapping):
            name = _text(alignment.get("targetName")) or str(alignment.get("targetUrl", "skill"))
            url = alignment.get("targetUrl")
            framework = _text(alignment.get("targetFramework"))
            skills.append(Skill(name, url if isinstance(url, str) else None, framework))
    return skills


def credential_view(credential: Mapping[str, Any]) -> CredentialView:
    """What the verify page and the credential page show about a credential (VCDM 2.0 or 1.1, OB 3.0)."""
    issuer = credential.get("issuer")
    issuer_obj: Mapping[str, Any] = issuer if isinstance(issuer, Mapping) else {"id": issuer}
    subjects = [s for s in _list(credential.get("credentialSubject")) if isinstance(s, Mapping)]
    subject: Mapping[str, Any] = subjects[0] if subjects else {}
    achievement = subject.get("achievement")
    ach: Mapping[str, Any] = achievement if isinstance(achievement, Mapping) else {}
    criteria = ach.get("criteria")
    criteria_text = _text(criteria.get("narrative")) if isinstance(criteria, Mapping) else None
    if criteria_text is None and isinstance(criteria, Mapping) and isinstance(criteria.get("id"), str):
        criteria_text = str(criteria["id"])
    recipient, kind = _recipient(subject)
    image = ach.get("image") or credential.get("image")
    image_url = image.get("id") if isinstance(image, Mapping) else image
    types = [str(t) for t in _list(credential.get("type"))]
    achievement_name = _text(ach.get("name"))
    return CredentialView(
        title=achievement_name or _text(credential.get("name")) or "Credential",
        credential_id=credential.get("id") if isinstance(credential.get("id"), str) else None,
        types=types,
        issuer_name=_text(issuer_obj.get("name")),
        issuer_id=issuer_obj.get("id") if isinstance(issuer_obj.get("id"), str) else None,
        issuer_url=issuer_obj.get("url") if isinstance(issuer_obj.get("url"), str) else None,
        achievement_name=achievement_name,
        achievement_description=_text(ach.get("description")),
        achievement_type=_text(ach.get("achievementType")),
        criteria=criteria_text,
        skills=_skills(ach),
        recipient=recipient,
        recipient_kind=kind,
        valid_from=display_date(credential.get("validFrom") or credential.get("issuanceDate")),
        valid_until=display_date(credential.get("validUntil") or credential.get("expirationDate")),
        awarded=display_date(credential.get("awardedDate")),
        image=image_url if isinstance(image_url, str) and image_url.startswith(("https://", "data:image/")) else None,
    )


def overall_status(checks: Iterable[Any], verified: bool) -> str:
    """``revoked``, ``suspended``, ``expired``, ``not-yet-valid``, ``invalid``, ``unknown`` or ``active``, from the
    report's ``status`` and ``validity`` checks (the reasons start with the state: ``"revoked: bit 12 of ..."``)."""
    checks = list(checks)
    states: set[str] = set()
    for check in checks:
        if check.status != "fail":
            continue
        findings = str(check.reason).lower().split("; ")  # a merged check joins its findings with "; "
        if check.name == "status":
            states.update(s for s in ("revoked", "suspended") for f in findings if f.startswith(s))
        elif check.name == "validity":
            states.update(s for s in ("expired", "not yet valid") for f in findings if f.startswith(s))
    for state in ("revoked", "suspended", "expired", "not yet valid"):
        if state in states:
            return state.replace(" ", "-")
    if not verified:
        return "invalid"
    if any(c.name == "status" and c.status == "warning" for c in checks):
        return "unknown"  # verified, but the status list could not be read: do not claim "active"
    return "active"
