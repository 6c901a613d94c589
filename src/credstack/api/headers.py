"""Security headers on every response (a pure ASGI middleware, so streaming and background tasks are untouched).

All responses: ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``. Pages and images that
credstack renders get a Content-Security-Policy: the web pages load only this server's CSS and images and run no
script; SVG badges may run nothing at all. The OpenAPI pages (``/docs``, ``/redoc``) keep the inline script they
need.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["PAGE_POLICY", "SVG_POLICY", "SecurityHeadersMiddleware"]

PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
_DOC_PATHS = ("/docs", "/redoc")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_doc_page = str(scope.get("path", "")).startswith(_DOC_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                media = headers.get("content-type", "")
                if media.startswith("image/svg+xml"):
                    headers.setdefault("Content-Security-Policy", SVG_POLICY)
                elif media.startswith("text/html") and not is_doc_page:
                    headers.setdefault("Content-Security-Policy", PAGE_POLICY)
            await send(message)

        await self.app(scope, receive, send_with_headers)
