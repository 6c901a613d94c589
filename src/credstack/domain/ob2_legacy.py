"""Open Badges 2.0 *hosted* assertions, read as legacy credentials (a wallet import, never issued).

An OB 2.0 hosted assertion carries no signature: it is trusted because the same JSON is served at its own ``id``
URL on the issuer's host (OB 2.0 §"Hosted verification": ``verification.type`` ``hosted``; the assertion's ``id``
must be an HTTP(S) URL and dereferencing it must return the same assertion). :func:`check_ob2_assertion` runs the
checks on the file and on the hosted copy the caller fetched (``hosted``; None when it could not be fetched, which
fails the ``hosted`` check). Signed OB 2.0 assertions (JWS) are not accepted here.
Spec: https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#HostedBadge
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from credstack.domain._checks import FAIL, PASS, Check

__all__ = ["OB2_CONTEXT", "check_ob2_assertion", "is_ob2_assertion", "ob2_title"]

OB2_CONTEXT = "https://w3id.org/openbadges/v2"


def _types(value: Any) -> list[str]:
    return (
        [value]
        if isinstance(value, str)
        else [t for t in value if isinstance(t, str)]
        if isinstance(value, list)
        else []
    )


def is_ob2_assertion(doc: Any) -> bool:
    """An OB 2.0 Assertion (by its context or its type)."""
    if not isinstance(doc, Mapping):
        return False
    contexts = doc.get("@context")
    contexts = [contexts] if isinstance(contexts, str) else contexts if isinstance(contexts, list) else []
    return OB2_CONTEXT in contexts or "Assertion" in _types(doc.get("type"))


def ob2_title(doc: Mapping[str, Any]) -> tuple[str, str | None]:
    """The badge's name and the issuer's name, when embedded (else the badge URL)."""
    badge = doc.get("badge")
    if isinstance(badge, Mapping):
        issuer = badge.get("issuer")
        issuer_name = issuer.get("name") if isinstance(issuer, Mapping) else issuer
        return str(badge.get("name") or badge.get("id") or "Open Badge 2.0"), issuer_name if isinstance(
            issuer_name, str
        ) else None
    return str(badge or "Open Badge 2.0"), None


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def check_ob2_assertion(doc: Mapping[str, Any], hosted: Mapping[str, Any] | None, now: datetime) -> list[Check]:
    """The checks of a hosted OB 2.0 assertion: shape, hosted copy, validity and revocation."""
    problems = []
    if "Assertion" not in _types(doc.get("type")):
        problems.append("type is not Assertion")
    for member in ("id", "recipient", "badge", "verification", "issuedOn"):
        if member not in doc:
            problems.append(f"{member} is missing")
    verification = doc.get("verification")
    kind = verification.get("type") if isinstance(verification, Mapping) else None
    if kind not in ("hosted", "HostedBadge"):
        problems.append(f"verification type {kind!r} is not hosted (signed OB 2.0 badges are not read)")
    assertion_id = doc.get("id")
    if not (isinstance(assertion_id, str) and assertion_id.startswith(("https://", "http://"))):
        problems.append("the id of a hosted assertion must be an HTTP(S) URL")
    checks = [
        Check("shape", FAIL, "; ".join(problems))
        if problems
        else Check("shape", PASS, "an Open Badges 2.0 hosted Assertion (legacy: no signature)")
    ]
    if hosted is None:
        checks.append(Check("hosted", FAIL, f"the hosted copy at {assertion_id} could not be read"))
    elif dict(hosted) != dict(doc):
        checks.append(Check("hosted", FAIL, f"the copy hosted at {assertion_id} differs from this file"))
    else:
        checks.append(Check("hosted", PASS, f"the issuer's host serves this assertion at {assertion_id}"))
    issued, expires = _when(doc.get("issuedOn")), _when(doc.get("expires"))
    if issued is None:
        checks.append(Check("validity", FAIL, "issuedOn is not a date-time with a time zone"))
    elif issued > now:
        checks.append(Check("validity", FAIL, f"issued in the future ({doc.get('issuedOn')})"))
    elif expires is not None and expires <= now:
        checks.append(Check("validity", FAIL, f"expired on {doc.get('expires')}"))
    else:
        checks.append(Check("validity", PASS, "within its validity period"))
    source = hosted if hosted is not None else doc
    if source.get("revoked") is True:
        reason = source.get("revocationReason")
        checks.append(Check("status", FAIL, "revoked" + (f": {reason}" if isinstance(reason, str) else "")))
    else:
        checks.append(Check("status", PASS, "not revoked (according to the hosted copy)"))
    return checks
