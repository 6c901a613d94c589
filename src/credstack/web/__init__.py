"""Server-rendered web pages (Jinja2 templates and vendored static files; no client framework, no CDN).

:func:`install_web` mounts the pages, ``/static`` and the HTML error page on an app built by
:func:`credstack.api.create_app`. The web layer calls services, never the HTTP API.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from credstack.errors import CredstackError
from credstack.web.accounts import router as accounts_router
from credstack.web.catalog import router as catalog_router
from credstack.web.deps import STATIC_DIR, templates
from credstack.web.employer import router as employer_router
from credstack.web.issuer import router as issuer_router
from credstack.web.market import router as market_router
from credstack.web.pathways import router as pathways_router
from credstack.web.planner import router as planner_router
from credstack.web.routes import router
from credstack.web.taxonomy import router as taxonomy_router
from credstack.web.wallet import router as wallet_router

__all__ = ["install_web", "render_error_page"]


def render_error_page(request: Request, exc: CredstackError, problem: dict[str, Any]) -> Response:
    """The HTML form of a problem+json error, for browsers."""
    return templates.TemplateResponse(
        request, "error.html", {"problem": problem, "nav": None}, status_code=exc.http_status
    )


def install_web(app: FastAPI) -> None:
    app.include_router(router)
    app.include_router(taxonomy_router)
    app.include_router(catalog_router)
    app.include_router(pathways_router)
    app.include_router(accounts_router)
    app.include_router(wallet_router)
    app.include_router(planner_router)
    app.include_router(employer_router)
    app.include_router(market_router)
    app.include_router(issuer_router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.state.html_error_renderer = render_error_page
