"""Unsigned credentials for an awarded qualification, ready for the issuing service to add issuer, status and proof.

- :func:`build_qualification_achievement` — the OB 3.0 ``Achievement`` of a qualification (criteria written out
  from its requirement tree, ``creditsAvailable`` from the qualification).
- :func:`build_award_credential` — an OB 3.0 ``AchievementCredential`` for the award: ``creditsEarned`` is the
  credits summed by the award decision, and every component credential is linked as ``evidence`` (its id, name,
  and what it counted for).
- :func:`build_clr_credential` — a CLR 2.0 ``ClrCredential`` whose ``ClrSubject`` carries the signed component
  credentials unchanged (``verifiableCredential``), the achievements, and ``association`` edges: each component
  achievement ``isPartOf`` the qualification, and ``precedes`` for each prerequisite rule between two of them.

Spec: https://www.imsglobal.org/spec/clr/v2p0/ (ClrCredential, ClrSubject, Association); OB 3.0 §B.1.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from credstack.domain.credential import (
    OB_CONTEXT,
    VC_CONTEXT,
    build_achievement,
    build_achievement_credential,
    recipient_subject,
    xsd_datetime,
)
from credstack.errors import InvalidInputError
from credstack.stacking.award import AwardDecision
from credstack.stacking.describe import Names, describe_requirements
from credstack.stacking.model import Qualification

__all__ = [
    "CLR_CONTEXT",
    "CLR_SCHEMA",
    "OB_EXTENSIONS_CONTEXT",
    "build_award_credential",
    "build_clr_credential",
    "build_qualification_achievement",
]

CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR_SCHEMA = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"


def build_qualification_achievement(
    qualification: Qualification,
    *,
    names: Mapping[str, str] | Names | None = None,
    achievement_type: str = "Certificate",
    criteria_url: str | None = None,
    image: str | None = None,
    alignments: Sequence[Mapping[str, Any]] = (),
    creator: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The OB 3.0 Achievement awarded for ``qualification``; its id is the qualification's award achievement id.
    Its criteria narrative is :func:`describe_requirements` with ``names`` (ids it does not name are shown whole)."""
    return build_achievement(
        qualification.award_achievement_id,
        name=qualification.name,
        description=qualification.description or f"Awarded for completing {qualification.name}.",
        criteria_narrative=describe_requirements(qualification, names),
        criteria_url=criteria_url,
        image=image,
        achievement_type=achievement_type,
        alignments=alignments,
        credits_available=qualification.credits,
        creator=creator,
    )


def _components_in_order(award: AwardDecision, components: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The signed component credentials, in the award's order; every component present, nothing else."""
    if not award.satisfied:
        raise InvalidInputError(f"qualification {award.qualification_id} is not met: nothing to award")
    by_id: dict[str, Mapping[str, Any]] = {}
    for i, credential in enumerate(components):
        if not isinstance(credential, Mapping) or not isinstance(credential.get("id"), str):
            raise InvalidInputError(f"component credential [{i}] must be a credential object with an id")
        by_id[credential["id"]] = credential
    wanted = award.component_ids
    missing = [cid for cid in wanted if cid not in by_id]
    if missing:
        raise InvalidInputError(f"component credential(s) not supplied: {', '.join(missing)}")
    extra = sorted(set(by_id) - set(wanted))
    if extra:
        raise InvalidInputError(f"credential(s) that are not components of the award: {', '.join(extra)}")
    return [copy.deepcopy(dict(by_id[cid])) for cid in wanted]


def _achievement_of(credential: Mapping[str, Any]) -> dict[str, Any] | None:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    return dict(achievement) if isinstance(achievement, Mapping) else None


def build_award_credential(
    award: AwardDecision,
    *,
    credential_id: str,
    achievement: Mapping[str, Any],
    recipient: str,
    salt: str,
    components: Sequence[Mapping[str, Any]],
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    recipient_name: str | None = None,
    issuer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An unsigned AchievementCredential for a met qualification, components linked as evidence."""
    credentials = _components_in_order(award, components)
    credits = {c.credential_id: c.credits for c in award.components}
    evidence = []
    for credential in credentials:
        part = _achievement_of(credential) or {}
        name = credential.get("name") or part.get("name") or credential["id"]
        evidence.append(
            {
                "id": credential["id"],
                "name": str(name),
                "genre": "Credential",
                "description": f"Component of {achievement.get('name', award.qualification_id)}: "
                f"{part.get('id', 'achievement')} ({credits[credential['id']]:g} credits)",
            }
        )
    credential = build_achievement_credential(
        credential_id=credential_id,
        achievement=achievement,
        recipient=recipient,
        salt=salt,
        valid_from=valid_from or award.at,
        valid_until=valid_until,
        recipient_name=recipient_name,
        evidence=evidence,
        credits_earned=award.credits_earned,
    )
    credential["type"] = ["VerifiableCredential", "AchievementCredential"]
    credential["awardedDate"] = xsd_datetime(award.at)
    if issuer is not None:
        credential["issuer"] = dict(issuer)
    return credential


def build_clr_credential(
    award: AwardDecision,
    *,
    credential_id: str,
    achievement: Mapping[str, Any],
    recipient: str,
    salt: str,
    components: Sequence[Mapping[str, Any]],
    award_credential: Mapping[str, Any] | None = None,
    name: str | None = None,
    valid_from: datetime | None = None,
    issuer: Mapping[str, Any] | None = None,
    partial: bool = False,
) -> dict[str, Any]:
    """An unsigned CLR 2.0 ClrCredential bundling the (signed) components and, if given, the signed award."""
    credentials = _components_in_order(award, components)
    if award_credential is not None:
        credentials.insert(0, copy.deepcopy(dict(award_credential)))
    if achievement.get("id") != award.award_achievement_id:
        raise InvalidInputError(f"the achievement id must be the award's, {award.award_achievement_id}")
    achievements: dict[str, dict[str, Any]] = {award.award_achievement_id: dict(achievement)}
    for credential in credentials:
        part = _achievement_of(credential)
        if part is not None and isinstance(part.get("id"), str):
            achievements.setdefault(part["id"], part)
    associations = [
        {"type": "Association", "associationType": "isPartOf", "sourceId": aid, "targetId": award.award_achievement_id}
        for aid in achievements
        if aid != award.award_achievement_id
    ]
    for rule in award.progress.evaluator.qualification.prerequisites:
        if rule.before in achievements and rule.after in achievements:
            associations.append(
                {"type": "Association", "associationType": "precedes", "sourceId": rule.before, "targetId": rule.after}
            )
    subject = recipient_subject(recipient, salt=salt)
    subject["type"] = ["ClrSubject"]
    subject["verifiableCredential"] = credentials
    subject["achievement"] = list(achievements.values())
    if associations:
        subject["association"] = associations
    clr: dict[str, Any] = {
        "@context": [VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": name or f"{achievement.get('name', award.qualification_id)}: comprehensive learner record",
        "validFrom": xsd_datetime(valid_from or award.at),
        "credentialSubject": subject,
        "credentialSchema": [{"id": CLR_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if partial:
        clr["partial"] = True
    if issuer is not None:
        clr["issuer"] = dict(issuer)
    return clr
