"""What the pages show, without a browser: the credential as a person reads it, the overall status, the dates,
and the badge images (valid PNG, well-formed SVG with the name escaped)."""

from __future__ import annotations

import struct
import zlib
from xml.etree import ElementTree

import pytest

from credstack.domain.verification import Check
from credstack.web.badge_image import PNG_SIZE, badge_colour, badge_png, badge_svg
from credstack.web.present import credential_view, display_date, overall_status

LEGACY = {
    "@context": ["https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context.json"],
    "id": "urn:uuid:1",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": "https://school.example/issuer",
    "issuanceDate": "2023-03-04T05:06:07Z",
    "expirationDate": "2024-03-04T05:06:07Z",
    "credentialSubject": {
        "type": "AchievementSubject",
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": False,
                "identityHash": "ada@example.org",
            }
        ],
        "achievement": {
            "id": "https://school.example/a/1",
            "type": "Achievement",
            "name": {"@value": "Welding I", "@language": "en"},
            "criteria": {"id": "https://school.example/a/1/criteria"},
            "alignment": [{"targetName": "weld metal", "targetUrl": "http://data.europa.eu/esco/skill/x"}],
        },
    },
}


def test_a_legacy_credential_is_read_with_its_v1_dates_and_plain_recipient() -> None:
    view = credential_view(LEGACY)
    assert view.title == "Welding I"
    assert view.issuer_id == "https://school.example/issuer"
    assert view.issuer_name is None
    assert view.valid_from == "4 March 2023, 05:06 UTC"
    assert view.valid_until == "4 March 2024, 05:06 UTC"
    assert (view.recipient, view.recipient_kind) == ("ada@example.org", "E-mail address")
    assert view.criteria == "https://school.example/a/1/criteria"
    assert [(s.name, s.url) for s in view.skills] == [("weld metal", "http://data.europa.eu/esco/skill/x")]


def test_a_hashed_recipient_is_shown_as_a_hash() -> None:
    credential = {
        "credentialSubject": {
            "identifier": {"identityType": "emailAddress", "hashed": True, "identityHash": "sha256$abc", "salt": "s"}
        }
    }
    view = credential_view(credential)
    assert (view.recipient, view.recipient_kind) == ("sha256$abc", "Hashed e-mail address")
    assert view.title == "Credential"


def test_garbage_fields_do_not_break_the_view() -> None:
    view = credential_view({"issuer": 3, "credentialSubject": ["x", 4], "type": "VerifiableCredential", "validFrom": 7})
    assert view.issuer_id is None and view.recipient is None and view.valid_from is None
    assert view.types == ["VerifiableCredential"]


@pytest.mark.parametrize(
    ("checks", "verified", "expected"),
    [
        ([Check("proof", "pass", "ok")], True, "active"),
        ([Check("status", "warning", "status not checked: unavailable")], True, "unknown"),
        ([Check("issuer_key", "warning", "unbound key"), Check("status", "pass", "not set")], True, "active"),
        ([Check("proof", "fail", "signature does not match")], False, "invalid"),
        ([Check("validity", "fail", "expired: validUntil was 2024")], False, "expired"),
        ([Check("validity", "fail", "not yet valid: validFrom is 2099")], False, "not-yet-valid"),
        ([Check("status", "fail", "suspended: bit 3 is set")], False, "suspended"),
        ([Check("status", "fail", "suspended: bit 3 is set; revoked: bit 9 is set")], False, "revoked"),
        (
            [Check("validity", "fail", "expired: x"), Check("status", "fail", "revoked: bit 1; suspended: bit 2")],
            False,
            "revoked",
        ),
        ([Check("shape", "fail", "revoked: is not a status check")], False, "invalid"),
    ],
)
def test_the_overall_status_comes_from_the_status_and_validity_checks(
    checks: list[Check], verified: bool, expected: str
) -> None:
    assert overall_status(checks, verified) == expected
    assert overall_status(iter(checks), verified) == expected


def test_dates_are_shown_for_people() -> None:
    assert display_date("2026-01-02T03:04:05Z") == "2 January 2026, 03:04 UTC"
    assert display_date("2026-01-02T03:04:05+02:00") == "2 January 2026, 03:04 +0200"
    assert display_date("soon") == "soon"
    assert display_date(None) is None


def _png_chunks(data: bytes) -> dict[bytes, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = {}, 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + body)
        chunks[kind] = body
        offset += 12 + length
    return chunks


def test_the_png_badge_is_a_valid_rgba_image_in_the_achievement_colour() -> None:
    chunks = _png_chunks(badge_png("Data Analysis with Python"))
    width, height, depth, colour_type = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (width, height, depth, colour_type) == (PNG_SIZE, PNG_SIZE, 8, 6)
    raw = zlib.decompress(chunks[b"IDAT"])
    assert len(raw) == PNG_SIZE * (PNG_SIZE * 4 + 1)
    row = PNG_SIZE // 2
    start = row * (PNG_SIZE * 4 + 1) + 1 + 40 * 4  # a pixel inside the rosette, left of the check mark
    assert tuple(raw[start : start + 3]) == badge_colour("Data Analysis with Python")
    assert raw[1:5] == b"\x00\x00\x00\x00"  # the corner is transparent


def test_the_svg_badge_escapes_the_name() -> None:
    svg = badge_svg('<script>alert("x")</script> & Co', "Issuer <b>")
    root = ElementTree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert not root.findall(".//{http://www.w3.org/2000/svg}script")
    texts = "".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "<script>" in texts and "Issuer <b>" in texts
