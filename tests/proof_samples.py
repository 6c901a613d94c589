"""Plain factory functions for the proof tests: Open Badges 3.0 credentials issued by a did:key."""

from __future__ import annotations

from typing import Any

from credstack.proofs.keys import Ed25519Key

__all__ = ["OB_CONTEXT", "VC_V2", "ob_credential"]

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def ob_credential(
    key: Ed25519Key,
    *,
    number: int = 1,
    issuer_name: str = "Example University",
    achievement_name: str = "Teamwork",
    subject_id: str = "did:example:ebfeb1f712ebc6f1c276e12ec21",
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential whose issuer id is the key's did:key (the VM controller)."""
    return {
        "@context": [VC_V2, OB_CONTEXT],
        "id": f"urn:uuid:00000000-0000-4000-8000-{number:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": key.did, "type": ["Profile"], "name": issuer_name},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": f"{achievement_name} badge",
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"https://example.edu/achievements/{number}",
                "type": ["Achievement"],
                "criteria": {"narrative": "Complete the course and the capstone project."},
                "description": f"Awarded for {achievement_name}.",
                "name": achievement_name,
            },
        },
    }
