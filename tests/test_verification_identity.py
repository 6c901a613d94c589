"""IdentityHash (OB 3.0 §B.2.4) against the spec's vector, and IdentityObject matching for the recipient check."""

from __future__ import annotations

import pytest

from credstack.domain.identity import identity_object, make_identity_hash, matches_identity, matches_identity_hash
from credstack.errors import InvalidInputError

SPEC_HASH = "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"


def test_the_spec_vector() -> None:
    assert make_identity_hash("a@example.com", "Kosher") == SPEC_HASH
    assert matches_identity_hash("a@example.com", SPEC_HASH, "Kosher")
    assert matches_identity_hash("a@example.com", SPEC_HASH.upper().replace("SHA256$", "sha256$"), "Kosher")


@pytest.mark.parametrize(
    ("identifier", "salt", "hashed"),
    [
        ("b@example.com", "Kosher", SPEC_HASH),
        ("a@example.com", "kosher", SPEC_HASH),
        ("a@example.com", "", SPEC_HASH),
        ("a@example.com", "Kosher", "sha256$b5809d8a"),
        ("a@example.com", "Kosher", "sha512$" + "0" * 128),
        ("a@example.com", "Kosher", "b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"),
    ],
)
def test_anything_else_does_not_match(identifier: str, salt: str, hashed: str) -> None:
    assert not matches_identity_hash(identifier, hashed, salt)


def test_md5_is_read_for_legacy_issuers() -> None:
    value = make_identity_hash("a@example.com", "Kosher", algorithm="md5")
    assert value == "md5$ddd142639a792e74751ee7e129237efa"
    assert matches_identity_hash("a@example.com", value, "Kosher")
    assert not matches_identity_hash("a@example.com", value, "other")
    with pytest.raises(InvalidInputError):
        make_identity_hash("a@example.com", algorithm="sha1")


def test_identity_objects_round_trip() -> None:
    hashed = identity_object("ada@example.com")
    assert hashed["hashed"] is True and hashed["identityHash"].startswith("sha256$") and hashed["salt"]
    assert matches_identity("ada@example.com", hashed)
    assert not matches_identity("grace@example.com", hashed)
    assert identity_object("ada@example.com")["salt"] != hashed["salt"], "salts are random"
    plain = identity_object("ada@example.com", hashed=False)
    assert plain == {"type": "IdentityObject", "hashed": False, "identityHash": "ada@example.com",
                     "identityType": "emailAddress"}  # fmt: skip
    assert matches_identity("ada@example.com", plain) and not matches_identity("ada@example.org", plain)
    assert not matches_identity("ada@example.com", {"hashed": True})


def test_the_email_recipients_of_ob3_and_ob2_credentials_are_found_and_matched() -> None:
    from credstack.domain.identity import email_identities

    ob3 = {"credentialSubject": {"identifier": [identity_object("ada@example.org", salt="s1")], "id": "did:example:1"}}
    ob2 = {
        "type": "Assertion",
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": "pepper",
            "identity": make_identity_hash("ada@example.org", "pepper"),
        },
    }
    by_did = {"credentialSubject": {"id": "did:example:ada"}}
    for document in (ob3, ob2):
        (identity,) = email_identities(document)
        assert matches_identity("ada@example.org", identity)
        assert not matches_identity("grace@example.org", identity)
    assert email_identities(by_did) == []
