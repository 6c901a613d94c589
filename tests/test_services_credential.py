"""The pure credential builder behind issuing (domain/credential.py): OB 3.0 Achievement and AchievementCredential."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from credstack.domain.credential import build_achievement, build_achievement_credential, recipient_subject
from credstack.domain.identity import matches_identity
from credstack.domain.shape import check_shape
from credstack.errors import InvalidCredentialError, InvalidInputError
from credstack.proofs.canonical import to_canonical_nquads

ACHIEVEMENT_URL = "https://badges.example.edu/achievements/42"
NOW = datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)


def _achievement() -> dict:
    return build_achievement(
        ACHIEVEMENT_URL,
        name="Safe Lifting",
        description="Lifts loads safely.",
        criteria_narrative="Observed lifting three loads.",
        criteria_url="https://badges.example.edu/criteria/42",
        image="https://badges.example.edu/img/42.png",
        image_caption="A crate",
        achievement_type="MicroCredential",
        credits_available=0.5,
        alignments=[
            {
                "targetName": "Manual handling",
                "targetUrl": "http://data.europa.eu/esco/skill/0d8ab2c8-1ae5-4b21-a5a4-7ecbc5d9e8b1",
                "targetFramework": "ESCO",
                "targetType": "ext:EscoSkill",
            }
        ],
        result_descriptions=[
            {"name": "Outcome", "resultType": "Status"},
            {"id": "urn:uuid:6d2f4e6c-0c7a-4a4d-9d1e-7c0b3c1f2a11", "name": "Score", "resultType": "Percent"},
        ],
        tags=["safety"],
        human_code="SL-42",
        field_of_study="Logistics",
    )


def test_achievement_definition() -> None:
    achievement = _achievement()
    assert achievement["type"] == ["Achievement"]
    assert achievement["criteria"] == {
        "id": "https://badges.example.edu/criteria/42",
        "narrative": "Observed lifting three loads.",
    }
    assert achievement["image"] == {
        "id": "https://badges.example.edu/img/42.png",
        "type": "Image",
        "caption": "A crate",
    }
    assert achievement["resultDescription"][0]["id"] == f"{ACHIEVEMENT_URL}#result-0"
    assert achievement["alignment"][0]["type"] == ["Alignment"]
    assert (achievement["tag"], achievement["humanCode"], achievement["fieldOfStudy"]) == (
        ["safety"],
        "SL-42",
        "Logistics",
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": ""}, "needs a name"),
        ({"description": " "}, "needs a description"),
        ({"criteria_narrative": None, "criteria_url": None}, "needs criteria"),
        ({"criteria_url": "not a url"}, "not a URL"),
        ({"achievement_type": "Diplomma"}, "not in the enumeration"),
        ({"credits_available": -1}, "negative"),
        ({"result_descriptions": [{"name": "X", "resultType": "Vibes"}]}, "resultType"),
        (
            {"alignments": [{"targetName": "X", "targetUrl": "https://x.example", "colour": "red"}]},
            "unknown properties",
        ),
        ({"image": "picture.png"}, "image must be a URL"),
    ],
)
def test_achievement_refusals(kwargs: dict, message: str) -> None:
    base = {"name": "N", "description": "D", "criteria_narrative": "C"}
    with pytest.raises(InvalidInputError, match=message):
        build_achievement(ACHIEVEMENT_URL, **(base | kwargs))


def test_recipients() -> None:
    email = recipient_subject(" Jo@Example.ORG ", salt="pepper")
    assert "id" not in email
    assert matches_identity("jo@example.org", email["identifier"][0]) and email["identifier"][0]["salt"] == "pepper"
    assert recipient_subject("https://people.example/jo", salt="s")["id"] == "https://people.example/jo"
    assert recipient_subject("did:web:jo.example", salt="s", name="Jo")["identifier"] == [
        {"type": "IdentityObject", "hashed": False, "identityHash": "Jo", "identityType": "name"}
    ]
    with pytest.raises(InvalidInputError, match="neither"):
        recipient_subject("jo at example", salt="s")


def test_credential_conforms_once_issuer_is_added() -> None:
    credential = build_achievement_credential(
        credential_id="https://badges.example.edu/credentials/1",
        achievement=_achievement(),
        recipient="jo@example.org",
        salt="abc",
        valid_from=NOW,
        valid_until=NOW + timedelta(days=30),
        recipient_name="Jo",
        results=[
            {"status": "Completed", "resultDescription": f"{ACHIEVEMENT_URL}#result-0"},
            {"value": "93", "resultDescription": "urn:uuid:6d2f4e6c-0c7a-4a4d-9d1e-7c0b3c1f2a11"},
        ],
        evidence=[{"id": "https://work.example/jo", "name": "Video", "narrative": "Lifting video"}],
        credits_earned=0.5,
        narrative="Did well.",
    )
    assert credential["validUntil"] == "2026-03-05T04:05:06Z"
    assert credential["image"]["id"] == "https://badges.example.edu/img/42.png"
    subject = credential["credentialSubject"]
    assert subject["result"][0] == {
        "type": ["Result"],
        "resultDescription": f"{ACHIEVEMENT_URL}#result-0",
        "status": "Completed",
    }
    assert subject["creditsEarned"] == 0.5 and subject["narrative"] == "Did well."
    credential["issuer"] = {"id": "did:example:issuer", "type": ["Profile"], "name": "Example"}
    checks = check_shape(credential, secured=True)
    assert [c.status for c in checks if c.status == "fail"] == [], checks
    assert "Completed" in to_canonical_nquads(credential)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"valid_until": NOW}, InvalidCredentialError, "validUntil must be later"),
        ({"results": [{"status": "Finished"}]}, InvalidInputError, "status must be one of"),
        ({"results": [{"value": "1", "resultDescription": "urn:x:nope"}]}, InvalidInputError, "not in the achievement"),
        ({"evidence": ["not a url"]}, InvalidInputError, "must be a URL"),
        ({"evidence": [{}]}, InvalidInputError, "is empty"),
        ({"valid_from": datetime(2026, 1, 1)}, InvalidInputError, "timezone-aware"),
    ],
)
def test_credential_refusals(kwargs: dict, error: type[Exception], message: str) -> None:
    args = {
        "credential_id": "https://badges.example.edu/credentials/1",
        "achievement": _achievement(),
        "recipient": "did:example:jo",
        "salt": "s",
        "valid_from": NOW,
    }
    with pytest.raises(error, match=message):
        build_achievement_credential(**(args | kwargs))
