"""Open Badges 3.0 shape rules (1EdTech OB 3.0 Final, data model in ``common_credentials.lines``).

- ``AchievementCredential`` / ``OpenBadgeCredential`` (OB 3.0 §B.1.1): ``@context[1]`` matches
  ``^https://purl\\.imsglobal\\.org/spec/ob/v3p0/context(-3\\.\\d\\.\\d)*\\.json$``; ``id`` (URI); ``type`` includes
  ``VerifiableCredential`` and one of the two names; ``issuer`` a URI or a ``Profile``; ``validFrom``
  (``issuanceDate`` on VCDM 1.1); ``credentialSubject`` an ``AchievementSubject``.
- ``AchievementSubject``: ``id`` or at least one ``identifier`` (``IdentityObject``), ``achievement``.
- ``Achievement``: ``id``, ``type`` includes ``Achievement``, ``criteria`` (``id`` and/or ``narrative``),
  ``description``, ``name``.
- ``IdentityObject``: ``type`` ``IdentityObject``, ``hashed`` boolean, ``identityHash``, ``identityType``,
  optional ``salt``; a hashed value is ``sha256$<64 hex>`` or ``md5$<32 hex>``.
- ``EndorsementCredential``: ``name`` and an ``EndorsementSubject``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from credstack.domain.shape import VC_V1, Findings, as_list, is_url, type_list

__all__ = ["OB_CONTEXT_PATTERN", "OB_CREDENTIAL_TYPES", "check_ob_shape", "is_open_badge"]

OB_CONTEXT_PATTERN = re.compile(r"https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json")
OB_CREDENTIAL_TYPES = frozenset({"AchievementCredential", "OpenBadgeCredential", "EndorsementCredential"})
_HASH = re.compile(r"sha256\$[0-9a-fA-F]{64}|md5\$[0-9a-fA-F]{32}")


def is_open_badge(doc: Mapping[str, Any]) -> bool:
    """True when ``type`` names an OB 3.0 credential class (Achievement-, OpenBadge- or EndorsementCredential)."""
    return any(t in OB_CREDENTIAL_TYPES for t in type_list(doc.get("type")))


def _has_type(node: Any, name: str) -> bool:
    return isinstance(node, dict) and name in type_list(node.get("type"))


def _nonempty_string(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def check_identity_object(obj: Any, out: Findings, *, where: str) -> None:
    """OB 3.0 §B.1.12 IdentityObject."""
    if not isinstance(obj, dict):
        out.fail(f"{where} must be an IdentityObject")
        return
    if obj.get("type") != "IdentityObject" and "IdentityObject" not in type_list(obj.get("type")):
        out.fail(f"{where}.type must be 'IdentityObject'")
    if not isinstance(obj.get("hashed"), bool):
        out.fail(f"{where}.hashed must be true or false")
    if not _nonempty_string(obj.get("identityHash")):
        out.fail(f"{where}.identityHash is required")
    elif obj.get("hashed") is True and not _HASH.fullmatch(obj["identityHash"]):
        out.fail(f"{where}.identityHash must be 'sha256$' + 64 hex digits (or 'md5$' + 32) when hashed")
    if not _nonempty_string(obj.get("identityType")):
        out.fail(f"{where}.identityType is required (e.g. 'emailAddress')")
    if "salt" in obj and not isinstance(obj["salt"], str):
        out.fail(f"{where}.salt must be a string")


def _check_achievement(achievement: Any, out: Findings, *, where: str) -> None:
    if not isinstance(achievement, dict):
        out.fail(f"{where} is required and must be an Achievement object")
        return
    if not is_url(achievement.get("id")):
        out.fail(f"{where}.id is required (a URI)")
    if not _has_type(achievement, "Achievement"):
        out.fail(f"{where}.type must include 'Achievement'")
    criteria = achievement.get("criteria")
    if not isinstance(criteria, dict) or not (
        is_url(criteria.get("id")) or _nonempty_string(criteria.get("narrative"))
    ):
        out.fail(f"{where}.criteria is required, with an id (URL) and/or a narrative")
    for prop in ("name", "description"):
        if not _nonempty_string(achievement.get(prop)) and not isinstance(achievement.get(prop), dict | list):
            out.fail(f"{where}.{prop} is required")
    for index, alignment in enumerate(as_list(achievement.get("alignment"))):
        label = f"{where}.alignment[{index}]"
        if not _has_type(alignment, "Alignment"):
            out.fail(f"{label}.type must include 'Alignment'")
        elif not _nonempty_string(alignment.get("targetName")) or not is_url(alignment.get("targetUrl")):
            out.fail(f"{label} needs targetName and a targetUrl URL")


def _check_achievement_subject(subject: Any, out: Findings, *, where: str) -> None:
    if not isinstance(subject, dict):
        return  # reported by the VCDM rules
    if not _has_type(subject, "AchievementSubject"):
        out.fail(f"{where}.type must include 'AchievementSubject'")
    identifiers = as_list(subject.get("identifier"))
    if "id" not in subject and not identifiers:
        out.fail(f"{where} must have an id or at least one identifier (IdentityObject)")
    for index, identifier in enumerate(identifiers):
        check_identity_object(identifier, out, where=f"{where}.identifier[{index}]")
    _check_achievement(subject.get("achievement"), out, where=f"{where}.achievement")
    for index, result in enumerate(as_list(subject.get("result"))):
        if not _has_type(result, "Result"):
            out.fail(f"{where}.result[{index}].type must include 'Result'")


def _check_issuer_profile(doc: Mapping[str, Any], out: Findings, *, where: str) -> None:
    issuer = doc.get("issuer")
    if issuer is None:
        out.fail(f"{where}issuer is required (a URI or a Profile)")
    elif isinstance(issuer, dict):
        if not is_url(issuer.get("id")):
            out.fail(f"{where}issuer.id is required (a URI)")
        if not _has_type(issuer, "Profile"):
            out.fail(f"{where}issuer.type must include 'Profile'")


def check_ob_shape(doc: Mapping[str, Any], out: Findings, *, where: str = "") -> bool:
    """Apply the OB 3.0 rules when ``doc`` is an OB credential; returns whether it is one."""
    if not is_open_badge(doc):
        return False
    contexts = as_list(doc.get("@context"))
    if len(contexts) < 2 or not isinstance(contexts[1], str) or not OB_CONTEXT_PATTERN.fullmatch(contexts[1]):
        second = contexts[1] if len(contexts) > 1 else None
        out.fail(f"{where}@context[1] must be the Open Badges 3.0 context (context-3.0.3.json), got {second!r}")
    if not is_url(doc.get("id")):
        out.fail(f"{where}id is required by Open Badges 3.0 (a URI)")
    _check_issuer_profile(doc, out, where=where)
    legacy = contexts[:1] == [VC_V1]
    start = "issuanceDate" if legacy else "validFrom"
    if start not in doc:
        out.fail(f"{where}{start} is required by Open Badges 3.0")
    kinds = type_list(doc.get("type"))
    subjects = as_list(doc.get("credentialSubject"))
    if "EndorsementCredential" in kinds and not ({"AchievementCredential", "OpenBadgeCredential"} & set(kinds)):
        if not _nonempty_string(doc.get("name")):
            out.fail(f"{where}name is required on an EndorsementCredential")
        for index, subject in enumerate(subjects):
            if not _has_type(subject, "EndorsementSubject") or not is_url(subject.get("id")):
                out.fail(f"{where}credentialSubject[{index}] must be an EndorsementSubject with an id")
        return True
    if len(subjects) != 1:
        out.fail(f"{where}credentialSubject must be exactly one AchievementSubject")
    for subject in subjects:
        _check_achievement_subject(subject, out, where=f"{where}credentialSubject")
    return True
