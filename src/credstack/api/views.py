"""Service results -> JSON bodies. Pure functions of records and reports; no service calls except the status
change dispatcher, which maps one VC-API status entry onto one :class:`StatusService` method."""

from __future__ import annotations

import dataclasses
from typing import Any

from credstack.app import Credstack
from credstack.domain.verification import VerificationReport
from credstack.errors import ConflictError
from credstack.services.issuing import IssuedCredential

__all__ = ["apply_status_change", "credential_document", "record_json", "verification_result"]


def credential_document(record: IssuedCredential) -> dict[str, Any]:
    """The signed credential JSON of an issued-credential record."""
    document: dict[str, Any] = record.credential
    return document


def record_json(record: Any) -> dict[str, Any]:
    """A service record (a frozen dataclass) as JSON-ready data; datetimes become RFC 3339 strings."""

    def convert(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: convert(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, dict):
            return {str(k): convert(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [convert(v) for v in value]
        if hasattr(value, "isoformat"):
            return value.isoformat().replace("+00:00", "Z")
        return value

    result: dict[str, Any] = convert(record)
    return result


def verification_result(report: VerificationReport) -> dict[str, Any]:
    """VC-API ``VerificationResult``: ``verified``, passed ``checks``, ``warnings`` and ``errors`` as problem
    details, and the whole report (every check with its reason)."""
    warnings: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    passed: list[str] = []
    for check in report.checks:
        if check.status == "pass":
            passed.append(check.name)
            continue
        problem = {"type": f"urn:credstack:check:{check.name}", "title": check.name, "detail": check.reason}
        (errors if check.status == "fail" else warnings).append(problem)
    return {
        "verified": bool(report.verified),
        "checks": passed,
        "warnings": warnings,
        "errors": errors,
        "report": report.to_json(),
    }


def apply_status_change(
    cs: Credstack, credential_id: str, *, purpose: str, status: bool, actor: str = "system"
) -> None:
    """One VC-API ``credentialStatus`` entry: revocation true -> revoke; suspension true/false -> (un)suspend."""
    if purpose == "revocation":
        if not status:
            raise ConflictError("revocation is permanent: a revoked credential cannot be reinstated")
        cs.status.revoke(credential_id, actor=actor)
    elif status:
        cs.status.suspend(credential_id, actor=actor)
    else:
        cs.status.unsuspend(credential_id, actor=actor)
