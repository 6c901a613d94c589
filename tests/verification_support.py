"""Helpers for the verifier tests: an OB 3.0 credential factory, did:key signing, signed status lists, options.

Everything is real: keys are Ed25519, proofs are eddsa-rdfc-2022 / eddsa-jcs-2022 made by credstack.proofs.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from credstack.domain.status_list import encode_list, new_bitstring, set_bit, status_entry, status_list_credential
from credstack.domain.verification import VerificationReport, VerifyOptions
from credstack.proofs import data_integrity
from credstack.proofs.keys import Ed25519Key

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
KEY = Ed25519Key.from_seed(bytes(range(32)))
OTHER_KEY = Ed25519Key.from_seed(b"\x07" * 32)
NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
LIST_URL = "https://issuer.example/status/1"


def ob_credential(key: Ed25519Key = KEY, **overrides: Any) -> dict[str, Any]:
    """An unsigned OB 3.0 AchievementCredential issued by ``key``'s did:key."""
    credential: dict[str, Any] = {
        "@context": [VC_V2, OB_V3],
        "id": "urn:uuid:3f1c1c52-64a4-4d1b-9a43-5d8f0a3a2f10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": key.did, "type": ["Profile"], "name": "Example Training Provider"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Welding Basics",
        "credentialSubject": {
            "id": "did:example:learner-1",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://issuer.example/achievements/welding-basics",
                "type": ["Achievement"],
                "name": "Welding Basics",
                "description": "Safe MIG welding of mild steel plates.",
                "criteria": {"narrative": "Pass the practical assessment with a score of at least 80%."},
                "tag": ["welding", "safety", "mig"],
            },
        },
    }
    credential.update(copy.deepcopy(overrides))
    return credential


def sign(document: dict[str, Any], key: Ed25519Key = KEY, **kwargs: Any) -> dict[str, Any]:
    """Sign with ``key``'s did:key verification method (eddsa-rdfc-2022 unless ``cryptosuite`` says otherwise)."""
    return data_integrity.sign(document, key=key, verification_method=key.verification_method, **kwargs)


def signed_credential(key: Ed25519Key = KEY, **overrides: Any) -> dict[str, Any]:
    return sign(ob_credential(key, **overrides), key)


def options(**kwargs: Any) -> VerifyOptions:
    kwargs.setdefault("now", NOW)
    return VerifyOptions(**kwargs)


def status_list(
    set_bits: tuple[int, ...] = (),
    *,
    purpose: str = "revocation",
    key: Ed25519Key = KEY,
    url: str = LIST_URL,
    size: int = 131_072,
) -> dict[str, Any]:
    """A signed BitstringStatusListCredential with the given bits set."""
    bits = new_bitstring(size, allow_small=size < 131_072)
    for index in set_bits:
        bits = set_bit(bits, index, 1)
    unsigned = status_list_credential(url, key.did, purpose, encode_list(bits), datetime(2025, 1, 1, tzinfo=UTC))
    return sign(unsigned, key)


def with_status(
    index: int, *, purpose: str = "revocation", url: str = LIST_URL, key: Ed25519Key = KEY
) -> dict[str, Any]:
    """A signed credential whose credentialStatus points at ``url`` / ``index``."""
    return signed_credential(key, credentialStatus=status_entry(url, index, purpose))


def check(report: VerificationReport, name: str) -> tuple[str, str]:
    """(status, reason) of the merged check ``name``; fails the test when the report lacks it."""
    found = [c for c in report.checks if c.name == name]
    assert found, f"no {name!r} check in {[c.name for c in report.checks]}"
    statuses = {c.status for c in found}
    status = "fail" if "fail" in statuses else "warning" if "warning" in statuses else "pass"
    return status, " | ".join(c.reason for c in found)


def failed_names(report: VerificationReport) -> list[str]:
    return [c.name for c in report.checks if c.status == "fail"]
