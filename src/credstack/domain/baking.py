"""Baked badges: a credential carried inside a PNG or SVG image (Open Badges 3.0 §5.3 "Baking", ``docformat.md``).

- **PNG**: one ``iTXt`` chunk with keyword ``openbadgecredential``, no compression, text = the credential JSON or
  its Compact JWS. It MUST NOT appear twice: :func:`bake_png` refuses an image that already has one, and
  :func:`extract_png` reads the first one (PNG 1.2 §4.2.3.3 for the ``iTXt`` layout; CRCs with ``zlib.crc32``).
- **SVG**: ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`` on ``<svg>`` and an
  ``<openbadges:credential>`` element right after it: the JSON as CDATA content, or a ``verify="<JWS>"`` attribute.

Pure bytes in, bytes out; no imaging library.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Iterator, Mapping
from typing import Any
from xml.etree import ElementTree

from credstack.errors import InvalidInputError, UnsupportedFormatError

__all__ = [
    "OB_SVG_NAMESPACE",
    "PNG_KEYWORD",
    "PNG_SIGNATURE",
    "bake_png",
    "bake_svg",
    "extract_png",
    "extract_svg",
    "is_png",
    "is_svg",
]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
OB_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
_MAX_INFLATED = 16 * 1024 * 1024
_SVG_OPEN = re.compile(r"<svg\b[^>]*?(/?)>", re.DOTALL)


def _payload_text(credential: str | bytes | Mapping[str, Any]) -> str:
    if isinstance(credential, Mapping):
        return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
    if isinstance(credential, bytes):
        try:
            return credential.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInputError("a credential to bake must be UTF-8 text") from exc
    if isinstance(credential, str):
        return credential
    raise InvalidInputError("a credential to bake must be a JSON object, JSON text or a compact JWS")


def is_png(data: bytes) -> bool:
    return data[:8] == PNG_SIGNATURE


def _chunks(data: bytes) -> Iterator[tuple[int, bytes, bytes]]:
    """(offset, type, data) of each PNG chunk, validating lengths (PNG 1.2 §3.2)."""
    if not is_png(data):
        raise UnsupportedFormatError("not a PNG image (bad signature)")
    offset = 8
    while offset < len(data):
        if offset + 12 > len(data):
            raise InvalidInputError("the PNG is truncated inside a chunk header")
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        end = offset + 12 + length
        if end > len(data):
            raise InvalidInputError(f"the PNG chunk {kind!r} runs past the end of the file")
        yield offset, kind, data[offset + 8 : offset + 8 + length]
        if kind == b"IEND":
            return
        offset = end
    raise InvalidInputError("the PNG has no IEND chunk")


def _itxt(keyword: bytes, text: str) -> bytes:
    body = keyword + b"\x00" + b"\x00\x00" + b"\x00" + b"\x00" + text.encode("utf-8")
    kind = b"iTXt"
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _parse_itxt(offset: int, data: bytes, body: bytes) -> tuple[bytes, str] | None:
    keyword, sep, rest = body.partition(b"\x00")
    if not sep or len(rest) < 2:
        return None
    if keyword != PNG_KEYWORD:
        return keyword, ""
    (crc,) = struct.unpack(">I", data[offset + 8 + len(body) : offset + 12 + len(body)])
    if zlib.crc32(b"iTXt" + body) & 0xFFFFFFFF != crc:
        raise InvalidInputError("the openbadgecredential iTXt chunk fails its CRC check (the image was altered)")
    compressed, method, rest = rest[0], rest[1], rest[2:]
    _language, sep1, rest = rest.partition(b"\x00")
    _translated, sep2, text = rest.partition(b"\x00")
    if not sep1 or not sep2:
        raise InvalidInputError("the openbadgecredential iTXt chunk is malformed")
    if compressed:
        if method != 0:
            raise InvalidInputError("the openbadgecredential iTXt chunk uses an unknown compression method")
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, _MAX_INFLATED + 1)
        except zlib.error as exc:
            raise InvalidInputError(f"the openbadgecredential iTXt chunk is not valid zlib data: {exc}") from exc
        if len(text) > _MAX_INFLATED:
            raise InvalidInputError("the openbadgecredential iTXt chunk inflates beyond 16 MiB; refused")
    try:
        return keyword, text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError("the baked credential is not UTF-8 text") from exc


def extract_png(data: bytes) -> str:
    """The credential text (JSON or Compact JWS) of the first ``openbadgecredential`` iTXt chunk."""
    for offset, kind, body in _chunks(data):
        if kind == b"iTXt":
            parsed = _parse_itxt(offset, data, body)
            if parsed is not None and parsed[0] == PNG_KEYWORD:
                return parsed[1]
    raise InvalidInputError("the PNG carries no openbadgecredential iTXt chunk (not a baked badge)")


def bake_png(data: bytes, credential: str | bytes | Mapping[str, Any]) -> bytes:
    """A copy of the PNG with one uncompressed ``openbadgecredential`` iTXt chunk inserted before ``IEND``.

    Refuses an image that already carries a credential (the chunk MUST NOT appear twice).
    """
    text = _payload_text(credential)
    iend = None
    for offset, kind, body in _chunks(data):
        if kind == b"iTXt" and body.split(b"\x00", 1)[0] == PNG_KEYWORD:
            raise InvalidInputError("the PNG already carries an openbadgecredential chunk; refusing to add a second")
        if kind == b"IEND":
            iend = offset
    if iend is None:  # pragma: no cover - _chunks raises first
        raise InvalidInputError("the PNG has no IEND chunk")
    return data[:iend] + _itxt(PNG_KEYWORD, text) + data[iend:]


def is_svg(text: str) -> bool:
    head = text.lstrip()[:4096]
    return head.startswith("<") and "<svg" in head


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def bake_svg(svg: str | bytes, credential: str | bytes | Mapping[str, Any]) -> bytes:
    """The SVG with ``xmlns:openbadges`` and an ``<openbadges:credential>`` right after the ``<svg>`` tag.

    A Compact JWS goes in the ``verify`` attribute; JSON goes in the element as CDATA.
    """
    source = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    text = _payload_text(credential)
    if "openbadges:credential" in source or (f'"{OB_SVG_NAMESPACE}"' in source and ":credential" in source):
        raise InvalidInputError("the SVG already carries a credential; refusing to add a second")
    match = _SVG_OPEN.search(source)
    if match is None:
        raise UnsupportedFormatError("not an SVG image (no <svg> element)")
    tag = match.group(0)
    if match.group(1):
        raise InvalidInputError("the <svg> element is empty; nothing to bake into")
    if "xmlns:openbadges" not in tag:
        tag = tag[:-1] + f' xmlns:openbadges="{OB_SVG_NAMESPACE}">'
    is_json = text.lstrip().startswith("{")
    element = (
        f"<openbadges:credential>{_cdata(text)}</openbadges:credential>"
        if is_json
        else f'<openbadges:credential verify="{_attribute(text.strip())}"></openbadges:credential>'
    )
    return (source[: match.start()] + tag + element + source[match.end() :]).encode("utf-8")


def extract_svg(svg: str | bytes) -> str:
    """The credential text of the first ``<openbadges:credential>``: its ``verify`` attribute or its content.

    Documents with a DTD are refused (no entity expansion, ever).
    """
    source = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    if "<!DOCTYPE" in source or "<!ENTITY" in source:
        raise InvalidInputError("SVG documents with a DTD or entities are refused")
    try:
        root = ElementTree.fromstring(source)  # noqa: S314 - no DTD (refused above), so no entity expansion
    except ElementTree.ParseError as exc:
        raise InvalidInputError(f"the SVG is not well-formed XML: {exc}") from exc
    element = root.find(f".//{{{OB_SVG_NAMESPACE}}}credential")
    if element is None:
        raise InvalidInputError("the SVG carries no openbadges:credential element (not a baked badge)")
    verify = element.get("verify")
    if verify:
        return verify.strip()
    if element.text and element.text.strip():
        return element.text.strip()
    raise InvalidInputError("the openbadges:credential element is empty")
