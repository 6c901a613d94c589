"""Request bodies: a size limit for every request, and strict JSON parsing before FastAPI sees the body.

The size limit is an ASGI middleware (it must run before anything buffers the body): a ``Content-Length`` over
the limit is refused at once, and a streamed body is refused as soon as it grows past the limit. JSON routes use
:class:`JsonRoute`, which refuses bytes that are not UTF-8, malformed JSON (with line and column), ``NaN`` and
friends, and nesting deeper than :data:`MAX_JSON_DEPTH`, each with its own stable error code.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from credstack.errors import (
    CredstackError,
    DocumentTooDeepError,
    DocumentTooLargeError,
    MalformedJsonError,
    NotUtf8Error,
    UnsupportedFormatError,
)

__all__ = ["MAX_JSON_DEPTH", "MULTIPART_SLACK", "BodyLimitMiddleware", "JsonRoute", "json_depth", "parse_json_bytes"]

#: Deepest JSON nesting accepted (documented in docs/errors.md, ``document_too_deep``).
MAX_JSON_DEPTH = 64
#: Extra bytes allowed for multipart form encoding around an uploaded document.
MULTIPART_SLACK = 64 * 1024


def json_depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value (scalars are 0, ``[]`` and ``{}`` are 1), computed without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
            deepest = max(deepest, depth + 1)
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
            deepest = max(deepest, depth + 1)
    return deepest


def _refuse_constant(name: str) -> Any:
    raise MalformedJsonError(f"{name} is not valid JSON")


def parse_json_bytes(raw: bytes, *, max_bytes: int, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse a JSON document strictly: size, UTF-8, syntax and depth, each refused with its own error."""
    if len(raw) > max_bytes:
        raise DocumentTooLargeError(f"the document is {len(raw)} bytes; the limit is {max_bytes} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotUtf8Error(f"the body is not UTF-8: invalid byte at offset {exc.start}") from exc
    text = text.removeprefix("\ufeff")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise MalformedJsonError(f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise DocumentTooDeepError(f"JSON nested more than {max_depth} levels deep") from exc
    if json_depth(value) > max_depth:
        raise DocumentTooDeepError(f"JSON nested more than {max_depth} levels deep")
    return value


def _is_json_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in {"", "application/json", "text/json"} or media.endswith("+json")


class JsonRoute(APIRoute):
    """An API route whose JSON body is checked strictly before FastAPI validates it against the schema."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def checked(request: Request) -> Response:
            raw = await request.body()
            if not raw:  # no body: FastAPI reports a missing required body, or uses the default
                return await handler(request)
            content_type = request.headers.get("content-type", "")
            if not _is_json_type(content_type):
                raise UnsupportedFormatError(f"expected a JSON body (application/json), got {content_type!r}")
            limit = request.app.state.max_body_bytes
            parse_json_bytes(raw, max_bytes=limit)
            return await handler(request)

        return checked


class BodyLimitMiddleware:
    """Refuse request bodies larger than ``max_bytes`` (``multipart/form-data`` gets :data:`MULTIPART_SLACK` more).

    The refusal is rendered by ``render(scope, error)`` so it has the same problem+json shape as every other error.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        render: Callable[[Scope, CredstackError], Awaitable[Response]],
        upload_paths: tuple[str, ...] = (),
        upload_max_bytes: int = 0,
    ) -> None:
        """``upload_paths`` (exact paths) accept bodies up to ``upload_max_bytes`` (bulk-verification uploads)."""
        self.app = app
        self.max_bytes = max_bytes
        self.render = render
        self.upload_paths = frozenset(upload_paths)
        self.upload_max_bytes = upload_max_bytes

    def _limit(self, scope: Scope) -> int:
        if scope.get("path") in self.upload_paths:
            return max(self.upload_max_bytes, self.max_bytes) + MULTIPART_SLACK
        for name, value in scope.get("headers", ()):
            if name == b"content-type" and value.lower().startswith(b"multipart/form-data"):
                return self.max_bytes + MULTIPART_SLACK
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in {"GET", "HEAD", "OPTIONS"}:
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await self._refuse(scope, receive, send, int(value), limit)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(scope, receive, send, size, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, size: int, limit: int) -> None:
        error = DocumentTooLargeError(f"the request body ({size}+ bytes) is over the limit of {limit} bytes")
        response = await self.render(scope, error)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
