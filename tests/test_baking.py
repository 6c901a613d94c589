"""Baked badges (OB 3.0 §5.3): PNG iTXt ``openbadgecredential`` and SVG ``openbadges:credential``: bake, extract,
verify; exactly one chunk; images baked by another tool (Pillow) are read."""

from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from credstack.domain.baking import bake_png, bake_svg, extract_png, extract_svg
from credstack.domain.verification import verify_bytes
from credstack.errors import InvalidInputError, UnsupportedFormatError
from credstack.proofs.jose import sign_vc_jwt
from verification_support import KEY, failed_names, ob_credential, options, signed_credential

SVG = (
    '<?xml version="1.0"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _jwt() -> str:
    return sign_vc_jwt(ob_credential(), KEY, "EdDSA", kid=KEY.verification_method, embed_jwk=False)


def _chunk_types(png: bytes) -> list[bytes]:
    types, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        types.append(png[offset + 4 : offset + 8])
        offset += 12 + length
    return types


def test_png_round_trip_json() -> None:
    credential = signed_credential()
    baked = bake_png(_png(), credential)
    assert json.loads(extract_png(baked)) == credential
    assert _chunk_types(baked)[-2:] == [b"iTXt", b"IEND"]
    Image.open(io.BytesIO(baked)).load()  # still a valid image for an independent decoder
    report = verify_bytes(baked, options())
    assert report.verified and report.format == "png+json"


def test_png_round_trip_jwt() -> None:
    report = verify_bytes(bake_png(_png(), _jwt()), options())
    assert report.verified and report.format == "png+vc-jwt"


def test_png_chunk_is_uncompressed_and_read_by_pillow() -> None:
    baked = bake_png(_png(), signed_credential())
    image = Image.open(io.BytesIO(baked))
    assert json.loads(image.text["openbadgecredential"])["issuer"]["id"] == KEY.did
    body = baked[baked.index(b"iTXtopenbadgecredential") + 4 :]
    assert body[len(b"openbadgecredential") + 1] == 0, "compression flag must be 0"


def test_png_refuses_a_second_credential() -> None:
    baked = bake_png(_png(), signed_credential())
    with pytest.raises(InvalidInputError, match="already carries"):
        bake_png(baked, signed_credential())


def test_png_extract_reads_the_first_chunk() -> None:
    first = signed_credential()
    second = signed_credential(name="Second")
    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadgecredential", json.dumps(first))
    info.add_itxt("openbadgecredential", json.dumps(second))
    out = io.BytesIO()
    Image.new("RGB", (2, 2)).save(out, format="PNG", pnginfo=info)
    assert json.loads(extract_png(out.getvalue())) == first


def test_png_baked_by_pillow_with_compression_is_read() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadgecredential", json.dumps(signed_credential()), zip=True)
    out = io.BytesIO()
    Image.new("RGB", (2, 2)).save(out, format="PNG", pnginfo=info)
    assert verify_bytes(out.getvalue(), options()).verified


def test_png_tampered_credential_and_corrupt_chunks() -> None:
    baked = bake_png(_png(), signed_credential())
    tampered = baked.replace(b"Welding Basics", b"Welding Master")
    assert b"Welding Master" in tampered
    report = verify_bytes(tampered, options())
    assert failed_names(report) == ["parse"] and "CRC" in report.checks[0].reason
    with pytest.raises(InvalidInputError, match="no openbadgecredential"):
        extract_png(_png())
    with pytest.raises(InvalidInputError, match="past the end"):
        extract_png(baked[:-30])
    with pytest.raises(UnsupportedFormatError):
        bake_png(b"GIF89a...", signed_credential())


def test_png_with_a_valid_crc_but_altered_json_fails_the_proof() -> None:
    credential = signed_credential()
    credential["name"] = "Altered"
    report = verify_bytes(bake_png(_png(), credential), options())
    assert failed_names(report) == ["proof"]


def test_svg_round_trip_json() -> None:
    credential = signed_credential()
    baked = bake_svg(SVG, credential)
    text = baked.decode()
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in text and "<![CDATA[" in text
    assert text.index("<openbadges:credential>") > text.index("<svg")
    assert json.loads(extract_svg(baked)) == credential
    report = verify_bytes(baked, options())
    assert report.verified and report.format == "svg+json"


def test_svg_round_trip_jwt_in_the_verify_attribute() -> None:
    token = _jwt()
    baked = bake_svg(SVG, token)
    assert f'verify="{token}"' in baked.decode()
    assert extract_svg(baked) == token
    report = verify_bytes(baked, options())
    assert report.verified and report.format == "svg+vc-jwt"


def test_svg_cdata_terminator_inside_the_json_survives() -> None:
    credential = signed_credential(name="odd ]]> name")
    assert json.loads(extract_svg(bake_svg(SVG, credential))) == credential


def test_svg_refusals() -> None:
    baked = bake_svg(SVG, signed_credential())
    with pytest.raises(InvalidInputError, match="already carries"):
        bake_svg(baked, signed_credential())
    with pytest.raises(InvalidInputError, match="no openbadges:credential"):
        extract_svg(SVG)
    bomb = '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
    with pytest.raises(InvalidInputError, match="DTD"):
        extract_svg(bomb)
    report = verify_bytes(bomb.encode(), options())
    assert failed_names(report) == ["parse"]


def test_png_itxt_layout_by_hand() -> None:
    baked = bake_png(_png(), "{}")
    start = baked.index(b"iTXt") - 4
    (length,) = struct.unpack(">I", baked[start : start + 4])
    body = baked[start + 8 : start + 8 + length]
    assert body == b"openbadgecredential\x00\x00\x00\x00\x00{}"
    (crc,) = struct.unpack(">I", baked[start + 8 + length : start + 12 + length])
    assert crc == zlib.crc32(b"iTXt" + body)


def test_an_svg_baked_elsewhere_with_another_prefix_is_read() -> None:
    token = _jwt()
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0" width="4" height="4">'
        f'\n  <ob:credential verify="{token}"/>\n  <circle r="2"/>\n</svg>'
    )
    assert extract_svg(svg) == token
    assert verify_bytes(svg.encode(), options()).verified
