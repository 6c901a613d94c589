"""Input formats the verifier reads, and how they are told apart (OB 3.0 §5 "Document formats").

- JSON (``{`` after optional whitespace / BOM): a credential (VCDM 2.0 or 1.1) or a presentation. Parsed strictly:
  UTF-8, at most :data:`MAX_DEPTH` levels of nesting (the C parser bounds its own recursion; the parsed value is then
  walked without recursion, only when it has more brackets than the limit), no duplicate member
  names (RFC 8259 §4 / I-JSON RFC 7493 §2.3), no ``NaN``/``Infinity``, the root an object.
- Compact JWS (RFC 7515 §7.1): three base64url segments, the VC-JWT format of OB 3.0 §8.2.
- Baked PNG / SVG (:mod:`credstack.domain.baking`): extracted, then read as JSON or JWS.

Every failure raises a :class:`credstack.errors.InvalidInputError` subclass; the verifier turns it into a failed
``parse`` check.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from credstack.domain.baking import extract_png, extract_svg, is_png, is_svg
from credstack.errors import (
    DocumentTooDeepError,
    DocumentTooLargeError,
    MalformedJsonError,
    NotUtf8Error,
    UnsupportedFormatError,
)

__all__ = ["MAX_DEPTH", "ParsedInput", "parse_input", "parse_json_object"]

#: Deepest JSON nesting accepted (objects and arrays); no credential needs more.
MAX_DEPTH = 64
_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


@dataclass(frozen=True)
class ParsedInput:
    """What was read: ``format`` (``json``, ``vc-jwt``, ``png+json``, ``svg+vc-jwt``...), and the document or token."""

    format: str
    document: dict[str, Any] | None
    token: str | None
    size: int


def _check_depth(value: Any) -> None:
    """Refuse nesting beyond MAX_DEPTH, walking the parsed value without recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise DocumentTooDeepError(f"JSON nested more than {MAX_DEPTH} levels deep; refused")
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise MalformedJsonError(f"duplicate member name {key!r} in a JSON object (ambiguous; refused)")
            seen.add(key)
    return result


def _no_constants(name: str) -> Any:
    raise MalformedJsonError(f"{name} is not a JSON value")


def parse_json_object(text: str) -> dict[str, Any]:
    """Strictly parse JSON text whose root must be an object (see the module docstring for the rules)."""
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise MalformedJsonError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:  # the C parser guards its own recursion: very deep input stops here
        raise DocumentTooDeepError(f"JSON nested more than {MAX_DEPTH} levels deep; refused") from exc
    if text.count("{") + text.count("[") > MAX_DEPTH:  # fewer brackets than the limit cannot nest too deep
        _check_depth(value)
    if not isinstance(value, dict):
        raise MalformedJsonError(f"expected a JSON object (a credential or presentation), got {type(value).__name__}")
    return value


def _decode(data: bytes, what: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotUtf8Error(f"{what} is not UTF-8 (invalid byte at offset {exc.start})") from exc
    return text[1:] if text.startswith("\ufeff") else text


def _read_text(text: str, container: str | None, size: int) -> ParsedInput:
    stripped = text.strip()
    prefix = f"{container}+" if container else ""
    if stripped.startswith(("{", "[")):
        return ParsedInput(prefix + "json", parse_json_object(stripped), None, size)
    if _JWS.fullmatch(stripped):
        return ParsedInput(prefix + "vc-jwt", None, stripped, size)
    if container is None and is_svg(stripped):
        return _read_text(extract_svg(stripped), "svg", size)
    what = f"the credential baked into the {container.upper()}" if container else "the input"
    raise UnsupportedFormatError(
        f"{what} is none of: a JSON credential or presentation, a compact JWS (VC-JWT), a baked PNG or SVG"
    )


def parse_input(data: bytes, *, max_bytes: int) -> ParsedInput:
    """Detect the format of ``data`` and parse it; raises an InvalidInputError subclass saying what is wrong."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse_input takes bytes")
    data = bytes(data)
    if len(data) > max_bytes:
        raise DocumentTooLargeError(f"the input is {len(data):,} bytes; the limit is {max_bytes:,}")
    if not data.strip():
        raise MalformedJsonError("the input is empty")
    if is_png(data):
        return _read_text(extract_png(data), "png", len(data))
    return _read_text(_decode(data, "the input"), None, len(data))
