"""Building unsigned Open Badges 3.0 ``AchievementCredential``s (``OpenBadgeCredential``) on VCDM 2.0.

Open Badges 3.0 (https://www.imsglobal.org/spec/ob/v3p0/), data model from ``common_credentials.lines``:
AchievementCredential (§B.1.1), AchievementSubject, Achievement, Alignment, Criteria, Image, IdentityObject,
ResultDescription, Result, Evidence, Profile. Contexts: VCDM 2.0 then OB ``context-3.0.3.json``.

Pure: ids, salts and times are passed in. The issuer, ``credentialStatus`` and the proof are added by the
issuing service.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from credstack.domain.identity import identity_object
from credstack.errors import InvalidCredentialError, InvalidInputError

__all__ = [
    "ACHIEVEMENT_TYPES",
    "OB_CONTEXT",
    "RESULT_TYPES",
    "VC_CONTEXT",
    "build_achievement",
    "build_achievement_credential",
    "is_email",
    "recipient_subject",
    "xsd_datetime",
]

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

#: AchievementType enumeration (extensible with ``ext:`` names).
ACHIEVEMENT_TYPES = frozenset(
    [
        "Achievement",
        "ApprenticeshipCertificate",
        "Assessment",
        "Assignment",
        "AssociateDegree",
        "Award",
        "Badge",
        "BachelorDegree",
        "Certificate",
        "CertificateOfCompletion",
        "Certification",
        "CommunityService",
        "Competency",
        "Course",
        "CoCurricular",
        "Degree",
        "Diploma",
        "DoctoralDegree",
        "Fieldwork",
        "GeneralEducationDevelopment",
        "JourneymanCertificate",
        "LearningProgram",
        "License",
        "Membership",
        "ProfessionalDoctorate",
        "QualityAssuranceCredential",
        "MasterCertificate",
        "MasterDegree",
        "MicroCredential",
        "ResearchDoctorate",
        "SecondarySchoolDiploma",
    ]
)
#: ResultType enumeration (extensible with ``ext:`` names).
RESULT_TYPES = frozenset(
    [
        "GradePointAverage",
        "LetterGrade",
        "Percent",
        "PerformanceLevel",
        "PredictedScore",
        "RawScore",
        "Result",
        "RubricCriterion",
        "RubricCriterionLevel",
        "RubricScore",
        "ScaledScore",
        "Status",
    ]
)
_ALIGNMENT_TARGET_TYPES = frozenset(
    {"ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric", "CFRubricCriterion", "CFRubricCriterionLevel"}
    | {"CTDL"}
)
_RESULT_STATUSES = frozenset({"Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"})
_EMAIL = re.compile(r"[^@\s:/]+@[^@\s:/]+\.[^@\s:/]+")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")


def xsd_datetime(moment: datetime) -> str:
    """An aware datetime as a DateTimeZ (``2026-01-02T03:04:05Z``), to the second."""
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise InvalidInputError("dates must be timezone-aware datetimes")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_email(value: str) -> bool:
    return bool(_EMAIL.fullmatch(value))


def _is_uri(value: Any) -> bool:
    return isinstance(value, str) and bool(_URI.fullmatch(value))


def _ext_or(value: Any, allowed: frozenset[str], what: str) -> str:
    if isinstance(value, str) and (value in allowed or (value.startswith("ext:") and len(value) > 4)):
        return value
    raise InvalidInputError(f"{what} {value!r} is not in the enumeration (use an 'ext:' name for an extension)")


def _alignment(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Alignment: ``targetName`` and ``targetUrl`` required; optional code, description, framework, type."""
    if not isinstance(raw, Mapping):
        raise InvalidInputError(f"{where} must be an object")
    name, url = raw.get("targetName"), raw.get("targetUrl")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(f"{where}.targetName is required")
    if not _is_uri(url):
        raise InvalidInputError(f"{where}.targetUrl must be a URL, got {url!r}")
    out: dict[str, Any] = {"type": ["Alignment"], "targetName": name, "targetUrl": url}
    for key in ("targetCode", "targetDescription", "targetFramework"):
        if raw.get(key) is not None:
            out[key] = str(raw[key])
    if raw.get("targetType") is not None:
        out["targetType"] = _ext_or(raw["targetType"], _ALIGNMENT_TARGET_TYPES, f"{where}.targetType")
    unknown = set(raw) - {"type", "targetName", "targetUrl", "targetCode", "targetDescription", "targetFramework"}
    unknown.discard("targetType")
    if unknown:
        raise InvalidInputError(f"{where} has unknown properties: {sorted(unknown)}")
    return out


def _result_description(raw: Mapping[str, Any], default_id: str, where: str) -> dict[str, Any]:
    """ResultDescription: ``id``, ``name``, ``resultType`` required; values, levels and alignments optional."""
    if not isinstance(raw, Mapping):
        raise InvalidInputError(f"{where} must be an object")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError(f"{where}.name is required")
    out: dict[str, Any] = {
        "id": raw.get("id") or default_id,
        "type": ["ResultDescription"],
        "name": name,
        "resultType": _ext_or(raw.get("resultType"), RESULT_TYPES, f"{where}.resultType"),
    }
    if not _is_uri(out["id"]):
        raise InvalidInputError(f"{where}.id must be a URI")
    for key in ("allowedValue", "requiredLevel", "requiredValue", "valueMin", "valueMax", "rubricCriterionLevel"):
        if raw.get(key) is not None:
            out[key] = raw[key]
    if raw.get("alignment"):
        out["alignment"] = [_alignment(a, f"{where}.alignment[{i}]") for i, a in enumerate(raw["alignment"])]
    return out


def build_achievement(
    achievement_url: str,
    *,
    name: str,
    description: str,
    criteria_narrative: str | None = None,
    criteria_url: str | None = None,
    image: str | None = None,
    image_caption: str | None = None,
    achievement_type: str | None = None,
    alignments: Sequence[Mapping[str, Any]] = (),
    credits_available: float | None = None,
    result_descriptions: Sequence[Mapping[str, Any]] = (),
    tags: Sequence[str] = (),
    human_code: str | None = None,
    field_of_study: str | None = None,
    creator: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """OB 3.0 ``Achievement``: ``id``, ``type``, ``name``, ``description`` and ``criteria`` (narrative and/or URL)."""
    if not _is_uri(achievement_url):
        raise InvalidInputError(f"an achievement id must be a URI, got {achievement_url!r}")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInputError("an achievement needs a name")
    if not isinstance(description, str) or not description.strip():
        raise InvalidInputError("an achievement needs a description")
    if not criteria_narrative and not criteria_url:
        raise InvalidInputError("an achievement needs criteria: a narrative, a URL, or both")
    criteria: dict[str, Any] = {}
    if criteria_url:
        if not _is_uri(criteria_url):
            raise InvalidInputError(f"criteria URL {criteria_url!r} is not a URL")
        criteria["id"] = criteria_url
    if criteria_narrative:
        criteria["narrative"] = criteria_narrative
    achievement: dict[str, Any] = {
        "id": achievement_url,
        "type": ["Achievement"],
        "name": name,
        "description": description,
        "criteria": criteria,
    }
    if achievement_type is not None:
        achievement["achievementType"] = _ext_or(achievement_type, ACHIEVEMENT_TYPES, "achievementType")
    if image is not None:
        if not _is_uri(image):
            raise InvalidInputError(f"image must be a URL or a data: URI, got {image[:40]!r}")
        achievement["image"] = {"id": image, "type": "Image"} | ({"caption": image_caption} if image_caption else {})
    if credits_available is not None:
        if isinstance(credits_available, bool) or not isinstance(credits_available, (int, float)):
            raise InvalidInputError("creditsAvailable must be a number")
        if credits_available < 0:
            raise InvalidInputError("creditsAvailable must not be negative")
        achievement["creditsAvailable"] = float(credits_available)
    if alignments:
        achievement["alignment"] = [_alignment(a, f"alignment[{i}]") for i, a in enumerate(alignments)]
    if result_descriptions:
        achievement["resultDescription"] = [
            _result_description(r, f"{achievement_url}#result-{i}", f"resultDescription[{i}]")
            for i, r in enumerate(result_descriptions)
        ]
    if tags:
        achievement["tag"] = [str(t) for t in tags]
    if human_code:
        achievement["humanCode"] = human_code
    if field_of_study:
        achievement["fieldOfStudy"] = field_of_study
    if creator is not None:
        achievement["creator"] = dict(creator)
    return achievement


def recipient_subject(recipient: str, *, salt: str, name: str | None = None) -> dict[str, Any]:
    """An ``AchievementSubject`` for a recipient: a DID/URL becomes ``id``; an e-mail address becomes a hashed
    ``IdentityObject`` (``identityType: emailAddress``, salted; the address is lower-cased before hashing). A name is
    added as an unhashed ``name`` identifier.
    """
    if not isinstance(recipient, str) or not recipient.strip():
        raise InvalidInputError("a recipient (e-mail address, DID or URL) is required")
    recipient = recipient.strip()
    subject: dict[str, Any] = {"type": ["AchievementSubject"]}
    identifiers: list[dict[str, Any]] = []
    if is_email(recipient):
        if not salt:
            raise InvalidInputError("hashing an e-mail address needs a salt")
        identifiers.append(identity_object(recipient.lower(), identity_type="emailAddress", salt=salt))
    elif _is_uri(recipient):
        subject["id"] = recipient
    else:
        raise InvalidInputError(f"recipient {recipient!r} is neither an e-mail address nor a DID/URL")
    if name:
        identifiers.append(identity_object(name, identity_type="name", hashed=False))
    if identifiers:
        subject["identifier"] = identifiers
    return subject


def _result(raw: Any, achievement: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A ``Result``: a plain value, or an object with value/status/achievedLevel/resultDescription."""
    descriptions = achievement.get("resultDescription") or []
    result: dict[str, Any] = {"type": ["Result"]}
    if isinstance(raw, Mapping):
        for key in ("value", "achievedLevel", "resultDescription"):
            if raw.get(key) is not None:
                result[key] = str(raw[key])
        if raw.get("status") is not None:
            if raw["status"] not in _RESULT_STATUSES:
                raise InvalidInputError(f"{where}.status must be one of {sorted(_RESULT_STATUSES)}")
            result["status"] = raw["status"]
    elif isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
        result["value"] = str(raw)
    else:
        raise InvalidInputError(f"{where} must be a value or an object")
    if "resultDescription" not in result and len(descriptions) == 1:
        result["resultDescription"] = descriptions[0]["id"]
    known = {d.get("id") for d in descriptions}
    if "resultDescription" in result and result["resultDescription"] not in known:
        raise InvalidInputError(f"{where}.resultDescription {result['resultDescription']!r} is not in the achievement")
    return result


def _evidence(raw: Any, where: str) -> dict[str, Any]:
    if isinstance(raw, str):
        raw = {"id": raw}
    if not isinstance(raw, Mapping):
        raise InvalidInputError(f"{where} must be a URL or an object")
    out: dict[str, Any] = {"type": ["Evidence"]}
    if raw.get("id") is not None:
        if not _is_uri(raw["id"]):
            raise InvalidInputError(f"{where}.id must be a URL, got {raw['id']!r}")
        out["id"] = raw["id"]
    for key in ("name", "description", "narrative", "genre", "audience"):
        if raw.get(key) is not None:
            out[key] = str(raw[key])
    if len(out) == 1:
        raise InvalidInputError(f"{where} is empty")
    return out


def build_achievement_credential(
    *,
    credential_id: str,
    achievement: Mapping[str, Any],
    recipient: str,
    salt: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    recipient_name: str | None = None,
    results: Sequence[Any] = (),
    evidence: Sequence[Any] = (),
    credits_earned: float | None = None,
    narrative: str | None = None,
) -> dict[str, Any]:
    """An unsigned ``OpenBadgeCredential`` (AchievementCredential) without issuer, status or proof."""
    if valid_until is not None and valid_until <= valid_from:
        raise InvalidCredentialError("validUntil must be later than validFrom")
    subject = recipient_subject(recipient, salt=salt, name=recipient_name)
    subject["achievement"] = dict(achievement)
    if results:
        subject["result"] = [_result(r, achievement, f"result[{i}]") for i, r in enumerate(results)]
    if credits_earned is not None:
        subject["creditsEarned"] = float(credits_earned)
    if narrative:
        subject["narrative"] = narrative
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.get("name"),
        "validFrom": xsd_datetime(valid_from),
        "credentialSubject": subject,
    }
    if achievement.get("description"):
        credential["description"] = achievement["description"]
    if isinstance(achievement.get("image"), Mapping):
        credential["image"] = dict(achievement["image"])
    if valid_until is not None:
        credential["validUntil"] = xsd_datetime(valid_until)
    if evidence:
        credential["evidence"] = [_evidence(e, f"evidence[{i}]") for i, e in enumerate(evidence)]
    return credential
