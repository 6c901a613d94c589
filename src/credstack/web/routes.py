"""Server-rendered pages: home, the public verification page, and a page per issued credential with downloads.

Every page has a JSON twin in the API: ``/verify`` -> ``POST /api/verify`` (one file), ``POST /api/verify/batch``
(several) and ``GET /api/verify?credential=``;
``/credentials/{id}`` -> the same URL with ``Accept: application/json`` (or ``.json``) and ``/api/credentials/{id}``.
Handlers parse input, call one service and render; presentation helpers live in :mod:`credstack.web.present`.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from credstack.app import Credstack
from credstack.domain.baking import bake_png, bake_svg
from credstack.domain.credential import OB_CONTEXT
from credstack.domain.shape import VC_V2
from credstack.domain.verification import VerificationReport
from credstack.errors import InvalidInputError, NotFoundError
from credstack.services.issuing import IssuedCredential
from credstack.web.badge_image import badge_png, badge_svg, qr_data_uri
from credstack.web.deps import CredstackDep, templates
from credstack.web.present import credential_view, overall_status

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

JSON_TYPES = ("application/json", "application/vc+ld+json", "application/ld+json", "application/vc")
#: Most files one batch on the verify page may hold (the request size limit applies to the whole batch too).
MAX_BATCH = 50
#: Credentials are public documents: let verifiers running in browsers on other origins read them.
PUBLIC = {"Access-Control-Allow-Origin": "*"}


def _wants_json(request: Request) -> bool:
    first = request.headers.get("accept", "").split(",")[0].strip().lower()
    return first.split(";")[0] in JSON_TYPES


def _page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _report_context(report: VerificationReport) -> dict[str, Any]:
    """What the templates show of a report; a presentation also lists each credential in it with its own checks."""
    credential = report.credential if isinstance(report.credential, dict) else None
    holder = report.presentation.get("holder") if isinstance(report.presentation, dict) else None
    return {
        "report": report,
        "view": credential_view(credential) if credential else None,
        "status": overall_status(report.checks, report.verified),
        "failed": [c for c in report.checks if c.status == "fail"],
        "holder": holder.get("id") if isinstance(holder, dict) else holder,
        "embedded": [_report_context(inner) for inner in report.credentials],
    }


@router.get("/", response_class=HTMLResponse)
def home(request: Request, cs: CredstackDep) -> HTMLResponse:
    context = {
        "nav": "home",
        "issuers": cs.issuers.list(),
        "achievement_count": len(cs.achievements.list()),
        "catalog_count": cs.catalog.count(),
        "pathway_count": len(cs.pathways.list()),
    }
    return _page(request, "home.html", context)


@router.get("/verify", response_class=HTMLResponse)
def verify_page(
    request: Request,
    cs: CredstackDep,
    credential: Annotated[str | None, Query(description="URL of a credential on this server")] = None,
) -> HTMLResponse:
    context: dict[str, Any] = {"nav": "verify", "source": None}
    if credential:
        record = _issued_here(cs, credential)
        report = cs.verifier.verify(record.credential)
        cs.audit.credential_viewed(record.id, record.issuer_id, actor=_viewer(request, cs), where="verification page")
        context.update(_report_context(report), source=credential, trust=_trust(request, cs, report))
    return _page(request, "verify.html", context)


@router.post("/verify", response_class=HTMLResponse)
async def verify_submit(
    request: Request,
    cs: CredstackDep,
    credential: Annotated[str | None, Form()] = None,
    file: Annotated[list[UploadFile] | None, File()] = None,
) -> HTMLResponse:
    uploads = [(upload.filename, await upload.read()) for upload in file or [] if upload.filename]
    if len(uploads) > MAX_BATCH:
        raise InvalidInputError(f"{len(uploads)} files: a batch can have at most {MAX_BATCH}")
    if not uploads and credential and credential.strip():
        uploads = [("pasted text", credential.strip().encode("utf-8"))]
    if not uploads:
        raise InvalidInputError("paste a credential, or choose a file to upload")
    results = [await _verified(cs, source, data) for source, data in uploads]
    if len(results) == 1:
        trust = _trust(request, cs, results[0]["report"])
        return _page(request, "verify.html", {"nav": "verify", **results[0], "trust": trust})
    return _page(request, "verify.html", {"nav": "verify", "batch": results})


async def _verified(cs: Credstack, source: str, data: bytes) -> dict[str, Any]:
    report = await run_in_threadpool(cs.verifier.verify, data)  # CPU-bound: keep the event loop free
    return {"source": source, "badge_url": _baked_image(report.format, data), **_report_context(report)}


def _viewer(request: Request, cs: Credstack) -> str:
    """Who is looking, for the audit log: the signed-in person's address, else ``anonymous``."""
    from credstack.web.session import current_session

    web = current_session(request, cs)
    return web.person.email if web is not None else "anonymous"


def _trust(request: Request, cs: Credstack, report: VerificationReport) -> Any:
    """The trust breakdown of a credential for the visitor's organisation (docs/employer.md); None for a
    presentation."""
    if not isinstance(report.credential, dict):
        return None
    from credstack.web.employer import web_org

    return cs.employer.trust_for(web_org(request, cs), report.credential, verified=report.verified)


def _baked_image(report_format: str, data: bytes) -> str | None:
    """A baked badge that was uploaded is shown as it is (a data: URI; an SVG in <img> runs no script)."""
    kind = report_format.split("+", 1)[0]
    if kind not in {"png", "svg"}:
        return None
    media = "image/png" if kind == "png" else "image/svg+xml"
    return f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"


def _issued_here(cs: Credstack, url: str) -> IssuedCredential:
    """A credential this server issued, by its URL; others cannot be opened by link (no fetching)."""
    try:
        return cs.issuing.get(url)
    except NotFoundError as exc:
        raise NotFoundError(
            f"{url} is not a credential issued by this server; only those can be opened by link. "
            "Paste or upload any other credential to verify it."
        ) from exc


def _credential(cs: Credstack, credential_uuid: str) -> IssuedCredential:
    return cs.issuing.get(credential_uuid)


@router.get("/credentials/{credential_uuid}.json")
def credential_json(credential_uuid: str, cs: CredstackDep) -> JSONResponse:
    record = _credential(cs, credential_uuid)
    return JSONResponse(record.credential, media_type="application/vc+ld+json", headers=PUBLIC)


@router.get("/credentials/{credential_uuid}.png")
def credential_png(credential_uuid: str, cs: CredstackDep) -> Response:
    record = _credential(cs, credential_uuid)
    view = credential_view(record.credential)
    image = bake_png(badge_png(view.title), record.credential)
    return Response(image, media_type="image/png")


@router.get("/credentials/{credential_uuid}.svg")
def credential_svg(credential_uuid: str, cs: CredstackDep) -> Response:
    record = _credential(cs, credential_uuid)
    view = credential_view(record.credential)
    image = bake_svg(badge_svg(view.title, view.issuer_name), record.credential)
    return Response(image, media_type="image/svg+xml")


@router.get("/achievements/{achievement_id}", response_model=None)
def achievement_document(achievement_id: str, request: Request, cs: CredstackDep) -> Response:
    """The ``id`` of the achievement inside issued credentials dereferences: the OB 3.0 Achievement as JSON-LD, or
    for a browser the catalog page of the entry it was published from (when there is one)."""
    record = cs.achievements.get(achievement_id)  # NotFoundError -> 404
    code = record.definition.get("humanCode")
    if not _wants_json(request) and isinstance(code, str):
        try:
            cs.catalog.get(code)
        except NotFoundError:
            pass
        else:
            return RedirectResponse(f"/catalog/{quote(code, safe='')}", status_code=303)
    document = {"@context": [VC_V2, OB_CONTEXT], **record.definition}
    return JSONResponse(document, media_type="application/ld+json", headers=PUBLIC)


@router.get("/credentials/{credential_uuid}", response_model=None)
def credential_page(credential_uuid: str, request: Request, cs: CredstackDep) -> Response:
    record = _credential(cs, credential_uuid)
    if _wants_json(request):
        return JSONResponse(record.credential, media_type="application/vc+ld+json", headers=PUBLIC)
    report = cs.verifier.verify(record.credential)
    cs.audit.credential_viewed(record.id, record.issuer_id, actor=_viewer(request, cs), where="credential page")
    verify_url = f"{cs.settings.base_url.rstrip('/')}/verify?{urlencode({'credential': record.credential['id']})}"
    context = {
        "record": record,
        "uuid": credential_uuid,
        "verify_url": verify_url,
        "qr": qr_data_uri(verify_url),
        **_report_context(report),
    }
    return _page(request, "credential.html", context)
