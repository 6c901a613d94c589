"""The ASGI application: ``create_app(credstack)`` mounts the HTTP API and the web pages on one FastAPI app.

Nothing is created at import time; the caller (``credstack serve``, tests) builds the
:class:`~credstack.app.Credstack` from settings and passes it in.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI
from fastapi.responses import Response
from fastapi_offline import FastAPIOffline
from starlette.requests import Request
from starlette.types import Scope

from credstack.api import (
    accounts,
    catalog,
    catalog_routes,
    credentials,
    market,
    outlook,
    pathways,
    planner,
    public,
    taxonomy,
    vcapi,
    verification,
    wallet,
)
from credstack.api.body import BodyLimitMiddleware
from credstack.api.employer import BULK_UPLOAD_PATHS
from credstack.api.employer import public_router as presentation_api
from credstack.api.employer import router as employer_api
from credstack.api.headers import SecurityHeadersMiddleware
from credstack.api.problems import error_response, install_error_handlers
from credstack.app import Credstack
from credstack.errors import CredstackError
from credstack.web import install_web

__all__ = ["create_app", "credstack_version"]

DESCRIPTION = """
Issue, verify, suspend and revoke **Open Badges 3.0** credentials on **W3C Verifiable Credentials 2.0**, signed with
Data Integrity proofs (`eddsa-rdfc-2022`, `eddsa-jcs-2022`), with Bitstring Status Lists.

* **VC-API**: `POST /credentials/issue` (bearer token, scope `issue`), `POST /credentials/verify`,
  `POST /presentations/verify` (public), `POST /credentials/status` (scope `status`).
* **REST** resources under `/api/`: issuers, achievements, credentials, bulk jobs.
* **Errors** are RFC 9457 `application/problem+json` with a stable `code` (see docs/errors.md).
* Request bodies are limited to `CREDSTACK_MAX_DOCUMENT_BYTES` (413 `document_too_large`), JSON must be UTF-8 and
  nested at most 64 levels.

Create a token with `credstack token create --scopes issue,status` and send it as `Authorization: Bearer <token>`.
"""


def credstack_version() -> str:
    try:
        return version("credstack")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
        return "0+unknown"


def create_app(credstack: Credstack) -> FastAPI:
    """One app: VC-API, public documents, REST resources, web pages and static files."""
    # FastAPIOffline: /docs and /redoc load Swagger UI and ReDoc from files shipped in a package, never a CDN
    app = FastAPIOffline(
        title="credstack",
        version=credstack_version(),
        description=DESCRIPTION,
        openapi_tags=[
            {"name": "VC-API", "description": "W3C VC-API shapes: issue, verify, status."},
            {"name": "Public documents", "description": "Status lists and DID documents."},
            {"name": "Verification", "description": "Verify any format (JSON, JWT, PNG, SVG): the verify page's twin."},
        ],
    )
    app.state.credstack = credstack
    app.state.max_body_bytes = credstack.settings.max_document_bytes
    install_error_handlers(app)
    for router in (vcapi.router, verification.router, public.router, catalog.router, credentials.router):
        app.include_router(router)
    app.include_router(taxonomy.router)
    app.include_router(catalog_routes.router)
    app.include_router(pathways.router)
    app.include_router(planner.router)
    app.include_router(employer_api)
    app.include_router(presentation_api)
    app.include_router(market.router)
    app.include_router(outlook.router)
    app.include_router(accounts.router)
    app.include_router(wallet.router)
    app.include_router(wallet.form_router)
    install_web(app)

    async def render(scope: Scope, error: CredstackError) -> Response:
        return error_response(Request(scope), error)

    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=credstack.settings.max_document_bytes,
        render=render,
        upload_paths=BULK_UPLOAD_PATHS,
        upload_max_bytes=credstack.settings.bulk_max_bytes,
    )
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: refusals by the body limit get the headers too
    return app
