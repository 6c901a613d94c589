"""The ``status`` check: Bitstring Status List (known bits set, purposes, a tampered or foreign list, a short
list, index range, an unavailable list) and the 1EdTech Revocation List."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from credstack.domain.status_list import encode_list, new_bitstring, set_bit
from credstack.domain.verification import verify_document
from credstack.errors import FetchError
from verification_support import (
    KEY,
    LIST_URL,
    OTHER_KEY,
    check,
    failed_names,
    options,
    sign,
    signed_credential,
    status_list,
    with_status,
)

REVOKED = (3, 94_567, 131_071)


@pytest.fixture(scope="module")
def revocation_list() -> dict[str, Any]:
    return status_list(REVOKED)


@pytest.mark.parametrize("index", [0, 4, 94_566, 94_568, 131_070])
def test_a_clear_bit_passes(revocation_list: dict[str, Any], index: int) -> None:
    report = verify_document(with_status(index), options(documents={LIST_URL: revocation_list}))
    assert report.verified, report.failures
    assert check(report, "status") == ("pass", f"revocation: bit {index} of {LIST_URL} is 0 (not set)")


@pytest.mark.parametrize("index", REVOKED)
def test_a_set_bit_means_revoked(revocation_list: dict[str, Any], index: int) -> None:
    report = verify_document(with_status(index), options(documents={LIST_URL: revocation_list}))
    assert failed_names(report) == ["status"]
    assert check(report, "status")[1].startswith(f"revoked: bit {index} of the revocation list")


def test_suspension() -> None:
    suspended = status_list((42,), purpose="suspension")
    report = verify_document(with_status(42, purpose="suspension"), options(documents={LIST_URL: suspended}))
    assert failed_names(report) == ["status"] and "suspended" in check(report, "status")[1]
    assert verify_document(with_status(41, purpose="suspension"), options(documents={LIST_URL: suspended})).verified


def test_the_list_may_be_fetched_and_is_verified_once_per_batch(revocation_list: dict[str, Any]) -> None:
    calls: list[str] = []

    def fetch(url: str) -> dict[str, Any]:
        calls.append(url)
        return copy.deepcopy(revocation_list)

    opts = options(fetch=fetch)
    assert verify_document(with_status(1), opts).verified
    assert not verify_document(with_status(3), opts).verified
    assert calls == [LIST_URL]


def test_a_tampered_list_fails(revocation_list: dict[str, Any]) -> None:
    tampered = copy.deepcopy(revocation_list)
    tampered["credentialSubject"]["encodedList"] = encode_list(new_bitstring())  # "un-revoke" everything
    report = verify_document(with_status(3), options(documents={LIST_URL: tampered}))
    assert failed_names(report) == ["status"]
    assert "cannot be trusted" in check(report, "status")[1]
    unsigned = {k: v for k, v in revocation_list.items() if k != "proof"}
    report = verify_document(with_status(4), options(documents={LIST_URL: unsigned}))
    assert "it has no proof" in check(report, "status")[1]


def test_a_list_from_another_issuer_fails() -> None:
    foreign = status_list((), key=OTHER_KEY)
    report = verify_document(with_status(5), options(documents={LIST_URL: foreign}))
    assert failed_names(report) == ["status"]
    assert f"issued by '{OTHER_KEY.did}'" in check(report, "status")[1]


def test_the_purpose_must_match() -> None:
    suspension_list = status_list((), purpose="suspension")
    report = verify_document(with_status(5, purpose="revocation"), options(documents={LIST_URL: suspension_list}))
    assert failed_names(report) == ["status"]
    assert "STATUS_VERIFICATION_ERROR" in check(report, "status")[1]


def test_a_short_list_fails() -> None:
    short = status_list((), size=8 * 1024)
    report = verify_document(with_status(5), options(documents={LIST_URL: short}))
    assert failed_names(report) == ["status"]
    assert "STATUS_LIST_LENGTH_ERROR" in check(report, "status")[1]


def test_an_index_beyond_the_list_fails(revocation_list: dict[str, Any]) -> None:
    report = verify_document(with_status(131_072), options(documents={LIST_URL: revocation_list}))
    assert "RANGE_ERROR" in check(report, "status")[1]


def test_an_unavailable_list_is_a_warning_that_says_so() -> None:
    report = verify_document(with_status(1), options())
    assert report.verified
    status, reason = check(report, "status")
    assert status == "warning" and "unavailable" in reason and f"--document {LIST_URL}=FILE" in reason

    def refuse(url: str) -> dict[str, Any]:
        raise FetchError("offline mode")

    report = verify_document(with_status(1), options(fetch=refuse))
    assert check(report, "status")[0] == "warning" and "offline mode" in check(report, "status")[1]


def test_an_integer_index_is_read_leniently(revocation_list: dict[str, Any]) -> None:
    doc = signed_credential(
        credentialStatus={
            "id": f"{LIST_URL}#3",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": 3,
            "statusListCredential": LIST_URL,
        }
    )
    report = verify_document(doc, options(documents={LIST_URL: revocation_list}))
    assert failed_names(report) == ["status"]


def test_revocation_and_suspension_entries_together() -> None:
    revocations, suspensions = status_list(()), status_list((9,), purpose="suspension", url=LIST_URL + "s")
    entries = [
        {"id": f"{LIST_URL}#9", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
         "statusListIndex": "9", "statusListCredential": LIST_URL},
        {"id": f"{LIST_URL}s#9", "type": "BitstringStatusListEntry", "statusPurpose": "suspension",
         "statusListIndex": "9", "statusListCredential": LIST_URL + "s"},
    ]  # fmt: skip
    report = verify_document(
        signed_credential(credentialStatus=entries),
        options(documents={LIST_URL: revocations, LIST_URL + "s": suspensions}),
    )
    assert failed_names(report) == ["status"] and "suspended" in check(report, "status")[1]


# --- 1EdTech Revocation List -----------------------------------------------------------------------------------

REVOCATION_LIST_URL = "https://issuer.example/revocations/1"
ONE_EDTECH_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
]


def _one_edtech_credential(credential_id: str) -> dict[str, Any]:
    return signed_credential(
        id=credential_id,
        **{"@context": ONE_EDTECH_CONTEXTS},
        credentialStatus={"id": REVOCATION_LIST_URL, "type": "1EdTechRevocationList"},
    )


@pytest.mark.parametrize("field", ["revokedCredential", "revokedCredentials"])
def test_1edtech_revocation_list(field: str) -> None:
    revocations = {
        "id": REVOCATION_LIST_URL,
        field: [
            {"id": "urn:uuid:revoked-1", "revocationReason": "issued in error"},
            {"id": "urn:uuid:reinstated", "revoked": False},
        ],
    }
    opts = options(documents={REVOCATION_LIST_URL: revocations})
    revoked = verify_document(_one_edtech_credential("urn:uuid:revoked-1"), opts)
    assert failed_names(revoked) == ["status"]
    assert "issued in error" in check(revoked, "status")[1]
    fine = verify_document(_one_edtech_credential("urn:uuid:still-good"), opts)
    assert fine.verified, fine.failures
    assert "not listed as revoked" in check(fine, "status")[1]
    assert verify_document(_one_edtech_credential("urn:uuid:reinstated"), opts).verified


def test_1edtech_list_unavailable_is_a_warning() -> None:
    report = verify_document(_one_edtech_credential("urn:uuid:x"), options())
    assert report.verified and check(report, "status")[0] == "warning"


def test_a_signed_1edtech_list_must_verify() -> None:
    revocations = sign(
        {
            "@context": ONE_EDTECH_CONTEXTS,
            "id": REVOCATION_LIST_URL,
            "type": ["VerifiableCredential"],
            "issuer": KEY.did,
            "validFrom": "2025-01-01T00:00:00Z",
            "credentialSubject": {"id": REVOCATION_LIST_URL + "#list", "name": "revocations"},
        }
    )
    revocations["revokedCredential"] = []
    revocations["validFrom"] = "2024-01-01T00:00:00Z"  # altered after signing: the list is not to be trusted
    report = verify_document(
        _one_edtech_credential("urn:uuid:ok"), options(documents={REVOCATION_LIST_URL: revocations})
    )
    assert failed_names(report) == ["status"] and "cannot be trusted" in check(report, "status")[1]


def test_unsupported_status_types_warn() -> None:
    doc = signed_credential(
        **{
            "@context": [
                *signed_credential()["@context"],
                {"StatusList2021Entry": "https://w3id.org/vc/status-list#StatusList2021Entry"},
            ]
        },
        credentialStatus={"id": "https://issuer.example/sl#1", "type": "StatusList2021Entry"},
    )
    report = verify_document(doc, options())
    assert report.verified and check(report, "status")[0] == "warning"
    assert "not supported" in check(report, "status")[1]


def test_set_bit_helper_matches_the_list(revocation_list: dict[str, Any]) -> None:
    bits = new_bitstring()
    for index in REVOKED:
        bits = set_bit(bits, index, 1)
    assert revocation_list["credentialSubject"]["encodedList"] == encode_list(bits)


# --- the OB displayer certification triad: valid, expired, revoked; on VCDM 2.0 and legacy 1.1 -------------------


def _triad_credential(legacy: bool, credential_id: str, end: str) -> dict[str, Any]:
    doc = signed_credential()
    doc = {k: v for k, v in doc.items() if k != "proof"}
    doc["id"] = credential_id
    doc["credentialStatus"] = {"id": REVOCATION_LIST_URL, "type": "1EdTechRevocationList"}
    if legacy:
        doc["@context"] = [
            "https://www.w3.org/2018/credentials/v1",
            "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
            "https://w3id.org/security/suites/ed25519-2020/v1",
        ]
        doc["issuanceDate"] = doc.pop("validFrom")
        doc["expirationDate"] = end
        return sign(doc, cryptosuite="Ed25519Signature2020")
    doc["@context"] = ONE_EDTECH_CONTEXTS
    doc["validUntil"] = end
    return sign(doc)


@pytest.mark.parametrize("legacy", [False, True], ids=["vcdm-2.0", "vcdm-1.1"])
def test_valid_expired_and_revoked_badges(legacy: bool) -> None:
    revocations = {"id": REVOCATION_LIST_URL, "revokedCredential": [{"id": "urn:uuid:revoked"}]}
    opts = options(documents={REVOCATION_LIST_URL: revocations})
    valid = verify_document(_triad_credential(legacy, "urn:uuid:valid", "2030-01-01T00:00:00Z"), opts)
    expired = verify_document(_triad_credential(legacy, "urn:uuid:expired", "2025-02-01T00:00:00Z"), opts)
    revoked = verify_document(_triad_credential(legacy, "urn:uuid:revoked", "2030-01-01T00:00:00Z"), opts)
    assert valid.verified, valid.failures
    assert failed_names(expired) == ["validity"] and "expired" in check(expired, "validity")[1]
    assert failed_names(revoked) == ["status"] and "revoked" in check(revoked, "status")[1]
    assert (check(valid, "shape")[0] == "warning") is legacy
