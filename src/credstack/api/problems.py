"""RFC 9457 problem details: the one place where errors become HTTP responses.

Every :class:`~credstack.errors.CredstackError` is rendered by :func:`error_response` with the status its class
declares (``http_status``) and its stable ``code``. Request validation errors, unknown routes and wrong methods
are turned into credstack errors first, so API clients see a single shape everywhere:
``{"type", "title", "status", "detail", "code", "instance"}`` plus, for validation errors, ``errors`` (one entry
per bad field, each with a JSON ``pointer``). Browsers asking for HTML get the same error as a page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from credstack.errors import (
    AuthError,
    CredstackError,
    InvalidInputError,
    MalformedJsonError,
    MethodNotAllowedError,
    NotFoundError,
    TooManySignInsError,
    UnsupportedFormatError,
)

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "error_response",
    "install_error_handlers",
    "json_pointer",
    "problem_body",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:credstack:error:"

log = logging.getLogger("credstack.api")

#: Renders an error as an HTML page for browsers; installed by the web layer (``None``: always JSON).
HtmlRenderer = Callable[[Request, CredstackError, dict[str, Any]], Response]


def _http_only(err: CredstackError, status: int, title: str) -> CredstackError:
    """An HTTP-level refusal (405, ...) that has no class of its own: keep the code, change status and title."""
    err.http_status = status
    err.title = title
    return err


def json_pointer(location: Sequence[int | str]) -> str:
    """RFC 6901 pointer for a location in a JSON document: ``("credential", "type", 0)`` -> ``/credential/type/0``."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in location]
    return "".join("/" + p for p in parts)


def problem_body(request: Request, exc: CredstackError, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The problem+json document for ``exc``: RFC 9457 members plus ``code`` and, when known, ``pointer`` (a JSON
    pointer into the request body) or ``where`` (another location, such as a CSV line)."""
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + exc.code,
        "title": exc.title,
        "status": exc.http_status,
        "detail": str(exc),
        "code": exc.code,
        "instance": request.url.path,
    }
    if exc.where:
        # a JSON pointer into the request body, or a service's own location ("line 3", "@context")
        body["pointer" if exc.where.startswith("/") else "where"] = exc.where
    if extra:
        body.update(extra)
    return body


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "json" not in accept.split(",")[0]


def error_response(request: Request, exc: CredstackError, extra: dict[str, Any] | None = None) -> Response:
    """The single mapping from a credstack error to an HTTP response (``extra``: more problem members)."""
    body = problem_body(request, exc, extra)
    headers = {"WWW-Authenticate": 'Bearer realm="credstack"'} if isinstance(exc, AuthError) else None
    if isinstance(exc, TooManySignInsError):
        headers = {"Retry-After": str(exc.retry_after)}
    renderer: HtmlRenderer | None = getattr(request.app.state, "html_error_renderer", None)
    if renderer is not None and _wants_html(request):
        response = renderer(request, exc, body)
        if headers:
            response.headers.update(headers)
        return response
    return JSONResponse(body, status_code=exc.http_status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _validation_error(exc: RequestValidationError) -> tuple[CredstackError, dict[str, Any] | None]:
    """The credstack error for a failed request validation, and the ``errors`` member listing each bad field."""
    field_errors: list[dict[str, str]] = []
    for error in exc.errors():
        loc = list(error.get("loc", ()))
        if error.get("type") == "json_invalid":
            return MalformedJsonError(f"the request body is not valid JSON: {error.get('msg', '')}"), None
        source = loc.pop(0) if loc else "body"
        if source == "body":
            where = json_pointer(loc)
            field_errors.append({"pointer": where, "detail": str(error.get("msg", "invalid value"))})
        else:
            where = f"{source} parameter {'.'.join(str(p) for p in loc)}"
            field_errors.append({"parameter": where, "detail": str(error.get("msg", "invalid value"))})
    first = field_errors[0] if field_errors else {"pointer": "", "detail": "invalid request"}
    where = first.get("pointer", first.get("parameter", ""))
    err = InvalidInputError(f"{where or 'request body'}: {first['detail']}", where=where or None)
    return err, {"errors": field_errors} if field_errors else None


def install_error_handlers(app: FastAPI) -> None:
    """Route every failure through :func:`error_response`."""

    async def on_credstack_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, CredstackError):  # pragma: no cover - registered for CredstackError only
            raise exc
        if exc.http_status >= 500:
            log.error("%s: %s", exc.code, exc)
        return error_response(request, exc)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, RequestValidationError):  # pragma: no cover
            raise exc
        err, extra = _validation_error(exc)
        return error_response(request, err, extra)

    async def on_http_exception(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, StarletteHTTPException):  # pragma: no cover
            raise exc
        err: CredstackError
        if exc.status_code == 404:
            err = NotFoundError(f"nothing at {request.url.path}")
        elif exc.status_code == 405:
            err = MethodNotAllowedError(f"{request.method} is not allowed on {request.url.path}")
        elif exc.status_code == 415:
            err = UnsupportedFormatError(str(exc.detail))
        elif exc.status_code == 401:
            err = AuthError(str(exc.detail))
        else:
            err = _http_only(InvalidInputError(str(exc.detail)), exc.status_code, "Request refused")
        response = error_response(request, err)
        if exc.status_code == 405 and exc.headers:
            response.headers.update(exc.headers)
        return response

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(request, CredstackError("an unexpected error occurred; it has been logged"))

    app.add_exception_handler(CredstackError, on_credstack_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_exception)
    app.add_exception_handler(Exception, on_unexpected)
