"""Request and response bodies of the HTTP API (Pydantic models: they are the OpenAPI schema at ``/docs``).

VC-API member names (``verifiableCredential``, ``credentialStatus``...) are kept as the W3C test suites send them.
Documents (credentials, presentations) stay plain JSON objects: their shape is checked by the domain, with
reasons, not by these models.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AchievementCreate",
    "IssueOptions",
    "IssueRequest",
    "IssuerCreate",
    "PresentationVerifyOptions",
    "PresentationVerifyRequest",
    "StatusEntryUpdate",
    "StatusReason",
    "StatusUpdateRequest",
    "VerificationResult",
    "VerifyOptions",
    "VerifyRequest",
]

Cryptosuite = Literal["eddsa-rdfc-2022", "eddsa-jcs-2022"]
Documents = dict[str, dict[str, Any]]


class _Open(BaseModel):
    """Unknown members are ignored (VC-API clients send options we need not act on)."""

    model_config = ConfigDict(extra="ignore")


class IssueOptions(_Open):
    cryptosuite: Cryptosuite = Field(default="eddsa-rdfc-2022", description="Data Integrity cryptosuite of the proof.")


class IssueRequest(_Open):
    credential: dict[str, Any] = Field(
        description="An unsigned credential; `issuer` may be omitted (the default issuer)."
    )
    options: IssueOptions = Field(default_factory=lambda: IssueOptions())


class VerifyOptions(_Open):
    challenge: str | None = None
    domain: str | None = None
    at: str | None = Field(default=None, description="Verify as of this date-time (RFC 3339) instead of now.")


class VerifyRequest(_Open):
    verifiableCredential: dict[str, Any] | str = Field(
        description="A credential with an embedded proof, or a VC-JWT (compact JWS) string."
    )
    options: VerifyOptions = Field(default_factory=lambda: VerifyOptions())
    documents: Documents | None = Field(
        default=None, description="URL -> document (status lists, DID documents) so verification needs no network."
    )


class PresentationVerifyOptions(VerifyOptions):
    pass


class PresentationVerifyRequest(_Open):
    verifiablePresentation: dict[str, Any] | str
    options: PresentationVerifyOptions = Field(default_factory=lambda: PresentationVerifyOptions())
    documents: Documents | None = None


class StatusEntryUpdate(_Open):
    type: Literal["BitstringStatusListEntry"] = "BitstringStatusListEntry"
    status: bool
    statusPurpose: Literal["revocation", "suspension"]


class StatusUpdateRequest(_Open):
    credentialId: str
    credentialStatus: list[StatusEntryUpdate] = Field(min_length=1)


class StatusReason(_Open):
    reason: str | None = Field(default=None, max_length=500, description="Why (kept in the credential's history).")


class VerificationResult(BaseModel):
    verified: bool
    checks: list[str] = Field(description="Names of the checks that passed.")
    warnings: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    report: dict[str, Any] = Field(description="The full verification report: every check with its reason.")


class IssuerCreate(_Open):
    name: str = Field(min_length=1, max_length=200)
    url: str | None = None
    method: Literal["key", "web"] = "key"


class AchievementCreate(_Open):
    issuer: str | None = Field(default=None, description="Issuer slug or DID; the default issuer when omitted.")
    name: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1, max_length=5000)
    criteria_narrative: str | None = Field(default=None, max_length=5000)
    criteria_url: str | None = None
    image: str | None = None
    achievement_type: str | None = Field(default=None, description="OB 3.0 achievementType, e.g. `MicroCredential`.")
    alignments: list[dict[str, Any]] = Field(
        default_factory=list, description="OB 3.0 Alignment objects: `{targetName, targetUrl, targetFramework...}`."
    )
    credits_available: float | None = Field(default=None, ge=0)
    tags: list[str] = Field(default_factory=list)
