"""The issuer console, under ``/issuer``: an organisation's achievements, stacks, recent credentials and bulk jobs;
define a micro-credential (ESCO skills picked from search, its market value shown), group achievements into a stack,
issue to a CSV roster (a job with a progress bar and a report), and suspend, unsuspend or revoke a credential from
its page.

Every page needs a signed-in ``issuer_admin`` of the organisation (platform admins pass); others get 403. Forms
carry the session's CSRF token. The skill search works without JavaScript (the form posts to itself);
``/static/issuer.js`` only polls a job's JSON twin (``/issuer/jobs/{id}.json``) to move its progress bar.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from credstack.app import Credstack
from credstack.catalog.model import ASSESSMENT_METHODS, CatalogEntry, SkillAlignment
from credstack.errors import CredstackError, ForbiddenError, InvalidInputError, NotFoundError
from credstack.services.accounts import Org, WebSession
from credstack.services.bulk import BulkReport
from credstack.services.pathway_edit import EditableGroup, editable_groups
from credstack.web.badge_image import qr_data_uri
from credstack.web.deps import CredstackDep, templates
from credstack.web.session import check_csrf, current_session, sign_in_redirect

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

ROLE = "issuer_admin"
ACHIEVEMENT_TYPES = ("MicroCredential", "Badge", "Certificate", "Course", "Competency", "Assessment", "Award")
RULES = ("all-of", "n-of", "credits")
_SLUG = re.compile(r"[^a-z0-9]+")
#: The pages' policy (``credstack.api.headers.PAGE_POLICY``) plus this server's scripts and fetches: the job page
#: alone runs a script (``/static/issuer.js``).
JOB_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


# -- who may use the console -------------------------------------------------------------------------------------


def _issuer_orgs(cs: Credstack, web: WebSession) -> list[str]:
    person = web.person
    if person.is_platform_admin:
        return [o.id for o in cs.accounts.list_orgs() if o.issuer_id is not None]
    return [org for org in person.orgs if ROLE in person.roles.get(org, frozenset())]


def _console(request: Request, cs: Credstack, org_id: str | None = None) -> tuple[WebSession, Org] | Response:
    """The session and organisation of a console page: a redirect to sign in, or ForbiddenError (403 page)."""
    web = current_session(request, cs)
    if web is None:
        return sign_in_redirect(request)
    orgs = _issuer_orgs(cs, web)
    chosen = org_id or (orgs[0] if orgs else None)
    if chosen is None:
        raise ForbiddenError("the issuer console is for issuer admins of an organisation")
    cs.accounts.require_role(web.person, chosen, ROLE)
    org = cs.accounts.get_org(chosen)
    if org.issuer_id is None:
        raise ForbiddenError(f"organisation {org.id!r} has no issuer profile to sign with")
    return web, org


def _post(request: Request, cs: Credstack, csrf_token: str | None, org_id: str | None) -> tuple[WebSession, Org]:
    web = current_session(request, cs)
    if web is None:
        raise ForbiddenError("sign in as an issuer admin first")
    check_csrf(web, csrf_token)
    found = _console(request, cs, org_id)
    if isinstance(found, Response):  # pragma: no cover - the session was checked above
        raise ForbiddenError("sign in as an issuer admin first")
    return found


def _page(request: Request, name: str, web: WebSession, org: Org, context: dict[str, Any], status: int = 200) -> Any:
    base = {"nav": "issuer", "csrf": web.csrf_token, "org": org, "person": web.person}
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def _job_allowed(cs: Credstack, org: Org, job_id: str) -> BulkReport:
    report = cs.bulk.report(job_id)
    if cs.achievements.get(report.achievement_id).issuer_id != org.issuer_id:
        raise NotFoundError(f"no bulk job {job_id!r}")
    return report


# -- template helpers (the nav link and the credential page's status forms) ---------------------------------------


def issuer_nav(request: Request) -> bool:
    """True when the signed-in person may use the issuer console (the "Issue" link in the main navigation)."""
    cs: Credstack | None = getattr(request.app.state, "credstack", None)
    if cs is None:
        return False
    try:
        web = current_session(request, cs)
    except CredstackError:  # pragma: no cover - a broken session never breaks a page
        return False
    return web is not None and bool(_issuer_orgs(cs, web))


def issuer_controls(request: Request, credential_id: str) -> dict[str, Any] | None:
    """The status forms of a credential page: shown to admins of the organisation that issued it."""
    cs: Credstack | None = getattr(request.app.state, "credstack", None)
    web = current_session(request, cs) if cs is not None else None
    if cs is None or web is None:
        return None
    try:
        record = cs.issuing.get(credential_id)
        org_id = cs.accounts.org_of_issuer(record.issuer_id)
        if org_id is None:
            return None
        cs.accounts.require_role(web.person, org_id, ROLE)
    except CredstackError:
        return None
    claim_url = cs.wallet.claim_link(record.id)
    preview = cs.wallet.claim_preview(claim_url.rsplit("/", 1)[1])
    return {
        "csrf": web.csrf_token,
        "state": cs.status.status_of(record.id).state,
        "id": record.id,
        "org": org_id,
        "claim_url": claim_url,
        "claim_qr": qr_data_uri(claim_url),
        "claimed": preview.claimed,
    }


templates.env.globals["issuer_nav"] = issuer_nav
templates.env.globals["issuer_controls"] = issuer_controls


# -- the console home ---------------------------------------------------------------------------------------------


def _achievement_rows(cs: Credstack, org: Org) -> list[dict[str, Any]]:
    context = cs.pathways.contexts.context()
    rows = []
    for a in cs.achievements.list(issuer_ref=org.issuer_id):
        skills = [x for x in a.definition.get("alignment", ()) if "esco" in str(x.get("targetUrl", ""))]
        rows.append(
            {
                "record": a,
                "key": context.key(a.url),
                "credits": a.definition.get("creditsAvailable"),
                "skills": [str(s.get("targetName", "")) for s in skills],
            }
        )
    return rows


def _stacks(cs: Credstack, org: Org) -> list[Any]:
    return [p for p in cs.pathways.list() if p.issuer.id == org.issuer_id]


@router.get("/issuer", response_class=HTMLResponse)
def console(request: Request, cs: CredstackDep, org: Annotated[str | None, Query()] = None) -> Any:
    found = _console(request, cs, org)
    if isinstance(found, Response):
        return found
    web, chosen = found
    rows = _achievement_rows(cs, chosen)
    created = request.query_params.get("created")
    context = {
        "achievements": rows,
        # a micro-credential just defined: each stack's Edit link offers to add it
        "created": next((r for r in rows if created and r["record"].id == created), None),
        "stacks": _stacks(cs, chosen),
        "issued": cs.issuing.list(issuer_ref=chosen.issuer_id, limit=20),
        "jobs": cs.bulk.recent(chosen.issuer_id or 0, limit=10),
        "orgs": _issuer_orgs(cs, web),
    }
    return _page(request, "issuer_home.html", web, chosen, context)


@router.get("/issuer.json")
def console_json(request: Request, cs: CredstackDep, org: Annotated[str | None, Query()] = None) -> Any:
    """The console's JSON twin: the organisation, its achievements, stacks, roster jobs and latest credentials."""
    found = _console(request, cs, org)
    if isinstance(found, Response):
        return found
    chosen = found[1]
    body = {
        "org": {"id": chosen.id, "name": chosen.name, "issuerId": chosen.issuer_id},
        "achievements": [
            {
                "id": a["record"].id,
                "url": a["record"].url,
                "key": a["key"],
                "name": a["record"].name,
                "achievementType": a["record"].achievement_type,
                "credits": a["credits"],
                "skills": a["skills"],
            }
            for a in _achievement_rows(cs, chosen)
        ],
        "stacks": [{"id": p.id, "name": p.name, "credits": p.credits} for p in _stacks(cs, chosen)],
        "jobs": [_job_json(j) for j in cs.bulk.recent(chosen.issuer_id or 0, limit=10)],
        "issued": [
            {"id": c.id, "achievementId": c.achievement_id, "state": c.state, "issuedAt": c.issued_at.isoformat()}
            for c in cs.issuing.list(issuer_ref=chosen.issuer_id, limit=20)
        ],
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


# -- define a micro-credential ------------------------------------------------------------------------------------


def _form_values(form: Any) -> dict[str, Any]:
    fields = (
        "name",
        "description",
        "criteria",
        "achievement_type",
        "eqf_level",
        "ects",
        "effort_hours",
        "price",
        "currency",
        "assessment_method",
        "validity_months",
        "q",
    )
    values: dict[str, Any] = {f: str(form.get(f) or "").strip() for f in fields}
    skills: list[tuple[str, str]] = []
    for raw in form.getlist("skill"):
        uri, _, label = str(raw).partition("|")
        if uri.startswith(("http://", "https://")) and uri not in [s[0] for s in skills]:
            skills.append((uri, label or uri))
    values["skills"] = skills
    return values


def _number(values: dict[str, Any], errors: dict[str, str], key: str, label: str, *, whole: bool = False) -> Any:
    text = values.get(key, "")
    if not text:
        return None
    try:
        number = int(text) if whole else float(text)
    except ValueError:
        errors[key] = f"{label} must be a {'whole ' if whole else ''}number"
        return None
    if number < 0:
        errors[key] = f"{label} must not be negative"
        return None
    return number


def _entry(values: dict[str, Any], org: Org, errors: dict[str, str]) -> CatalogEntry | None:
    for key, label in (("name", "a name"), ("description", "a description")):
        if not values[key]:
            errors[key] = f"give {label}"
    level = _number(values, errors, "eqf_level", "EQF level", whole=True)
    if level is not None and not 1 <= level <= 8:
        errors["eqf_level"] = "EQF level is 1 to 8"
    ects = _number(values, errors, "ects", "ECTS credits")
    hours = _number(values, errors, "effort_hours", "Effort")
    price = _number(values, errors, "price", "Price")
    months = _number(values, errors, "validity_months", "Validity", whole=True)
    if values["achievement_type"] not in ACHIEVEMENT_TYPES:
        errors["achievement_type"] = f"choose one of {', '.join(ACHIEVEMENT_TYPES)}"
    if values["assessment_method"] not in ASSESSMENT_METHODS:
        errors["assessment_method"] = f"choose one of {', '.join(ASSESSMENT_METHODS)}"
    if not values["skills"]:
        errors["skills"] = "add at least one ESCO skill: search for it and press Add"
    if errors:
        return None
    source = ("o-" + _SLUG.sub("-", org.id.lower()))[:16].rstrip("-")
    try:
        return CatalogEntry(
            id=f"{org.id[:40]}-{uuid.uuid4().hex[:8]}",
            source=source,
            name=values["name"],
            description=values["description"],
            provider=org.name,
            skills=tuple(SkillAlignment(uri, label) for uri, label in values["skills"]),
            achievement_type=values["achievement_type"],
            criteria=values["criteria"],
            eqf_level=level,
            ects=ects,
            effort_hours=hours,
            price=price,
            currency=(values["currency"] or "EUR").upper(),
            assessment_method=values["assessment_method"],
            validity_months=months,
        )
    except InvalidInputError as exc:
        errors["form"] = str(exc)
        return None


def _define_page(
    request: Request, cs: Credstack, web: WebSession, org: Org, values: dict[str, Any], **extra: Any
) -> Any:
    skills = values.get("skills", [])
    value = cs.outlook.market_value([u for u, _ in skills]) if skills else None
    hits = []
    if values.get("q"):
        chosen = {u for u, _ in skills}
        hits = [h for h in cs.taxonomy.search(values["q"], kind="skill", limit=10) if h.uri and h.uri not in chosen]
    context = {
        "values": values,
        "hits": hits,
        "value": value,
        "types": ACHIEVEMENT_TYPES,
        "methods": ASSESSMENT_METHODS,
        "errors": extra.pop("errors", {}),
        **extra,
    }
    status = 400 if context["errors"] else 200
    return _page(request, "issuer_define.html", web, org, context, status)


_DEFAULTS = {"achievement_type": "MicroCredential", "assessment_method": "practical project with rubric", "skills": []}


@router.get("/issuer/achievements/new", response_class=HTMLResponse)
def define_page(request: Request, cs: CredstackDep, org: Annotated[str | None, Query()] = None) -> Any:
    found = _console(request, cs, org)
    if isinstance(found, Response):
        return found
    web, chosen = found
    return _define_page(request, cs, web, chosen, {**_DEFAULTS, "currency": "EUR"})


@router.post("/issuer/achievements/new", response_class=HTMLResponse)
async def define_submit(request: Request, cs: CredstackDep) -> Any:
    form = await request.form()
    web, org = _post(request, cs, str(form.get("csrf_token") or ""), str(form.get("org") or "") or None)
    values = _form_values(form)
    op = str(form.get("op") or "search")
    if op.startswith("add:"):
        uri, _, label = op[4:].partition("|")
        if uri not in [u for u, _ in values["skills"]]:
            values["skills"].append((uri, label or uri))
    elif op.startswith("remove:"):
        values["skills"] = [s for s in values["skills"] if s[0] != op[7:]]
    elif op == "create":
        errors: dict[str, str] = {}
        entry = _entry(values, org, errors)
        if entry is None:
            return _define_page(request, cs, web, org, values, errors=errors)
        record = await run_in_threadpool(cs.catalog.define, entry, org.issuer_id)
        return RedirectResponse(f"/issuer?org={org.id}&created={record.id}#achievements", status_code=303)
    return _define_page(request, cs, web, org, values)


@router.get("/issuer/market-value.json")
def market_value_json(request: Request, cs: CredstackDep, skill: Annotated[list[str] | None, Query()] = None) -> Any:
    """The JSON twin of the market value shown while defining a micro-credential."""
    found = _console(request, cs)
    if isinstance(found, Response):
        return found
    return JSONResponse(cs.outlook.market_value(skill or []).to_json())


# -- stacks -------------------------------------------------------------------------------------------------------


def _stack_definition(org: Org, values: dict[str, Any]) -> dict[str, Any]:
    picked = [{"type": "achievement", "achievementId": key} for key in values["achievements"]]
    rule = values["rule"]
    if rule == "n-of":
        try:
            n = int(values["n"] or 0)
        except ValueError:
            raise InvalidInputError("n must be a whole number") from None
        requirement: dict[str, Any] = {"type": "n-of", "n": n, "requirements": picked}
    elif rule == "credits":
        try:
            credits = float(values["min_credits"] or 0)
        except ValueError:
            raise InvalidInputError("the credits needed must be a number") from None
        requirement = {"type": "credits", "credits": credits, "filter": {"achievementIds": values["achievements"]}}
    else:
        requirement = {"type": "all-of", "requirements": picked}
    if values["nested"]:
        nested = {"type": "qualification", "qualificationId": values["nested"]}
        if requirement["type"] == "all-of":
            requirement["requirements"] = [*picked, nested]
        else:
            requirement = {"type": "all-of", "requirements": [requirement, nested]}
    slug = _SLUG.sub("-", values["name"].lower()).strip("-")[:60] or "stack"
    definition: dict[str, Any] = {
        "type": "Qualification",
        "id": f"{org.id}-{slug}"[:120],
        "name": values["name"] or "",
        "requirement": requirement,
    }
    if values["description"]:
        definition["description"] = values["description"]
    if values["credits"]:
        try:
            definition["credits"] = float(values["credits"])
        except ValueError:
            raise InvalidInputError("the stack's credit value must be a number") from None
    return definition


def _stack_page(
    request: Request, cs: Credstack, web: WebSession, org: Org, values: dict[str, Any], **extra: Any
) -> Any:
    context = {
        "values": values,
        "achievements": _achievement_rows(cs, org),
        "pathways": cs.pathways.list(),
        "rules": RULES,
        "problem": extra.get("problem"),
    }
    return _page(request, "issuer_stack.html", web, org, context, 400 if extra.get("problem") else 200)


_STACK_DEFAULTS = {
    "name": "",
    "description": "",
    "rule": "all-of",
    "n": "",
    "min_credits": "",
    "credits": "",
    "nested": "",
    "achievements": [],
}


@router.get("/issuer/stacks/new", response_class=HTMLResponse)
def stack_page(request: Request, cs: CredstackDep, org: Annotated[str | None, Query()] = None) -> Any:
    found = _console(request, cs, org)
    if isinstance(found, Response):
        return found
    web, chosen = found
    return _stack_page(request, cs, web, chosen, dict(_STACK_DEFAULTS))


@router.post("/issuer/stacks/new", response_class=HTMLResponse)
async def stack_submit(request: Request, cs: CredstackDep) -> Any:
    form = await request.form()
    web, org = _post(request, cs, str(form.get("csrf_token") or ""), str(form.get("org") or "") or None)
    values: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in _STACK_DEFAULTS if k != "achievements"}
    values["achievements"] = [str(a) for a in form.getlist("achievement") if str(a).strip()]
    try:
        if not values["name"]:
            raise InvalidInputError("give the stack a name")
        if values["rule"] not in RULES:
            raise InvalidInputError(f"choose a rule: {', '.join(RULES)}")
        if len(values["achievements"]) < 1:
            raise InvalidInputError("pick the achievements the stack groups")
        definition = _stack_definition(org, values)
        record = await run_in_threadpool(cs.pathways.create, definition, issuer_ref=org.issuer_id)
    except CredstackError as exc:
        if exc.http_status >= 500:
            raise
        head, _, rest = str(exc).partition(": ")
        items = rest.split("; ") if exc.code == "invalid_qualification" and rest else [str(exc)]
        problem = {"code": exc.code, "detail": head if len(items) > 1 else str(exc), "items": items}
        return _stack_page(request, cs, web, org, values, problem=problem)
    return RedirectResponse(f"/issuer?org={org.id}&stack={record.id}#stacks", status_code=303)


def _own_stack(cs: Credstack, org: Org, pathway_id: str) -> Any:
    """A stack this organisation's issuer awards (NotFoundError for any other: another's is not editable here)."""
    record = cs.pathways.get(pathway_id)
    if record.issuer.id != org.issuer_id:
        raise NotFoundError(f"no stack {pathway_id!r} of {org.name}")
    return record


def _group_title(group: EditableGroup) -> str:
    label = f" ({group.label})" if group.label else ""
    if group.kind == "n-of":
        return f"Any {group.n} of{label}:"
    if group.kind == "credits":
        return f"At least {group.credits or 0:g} credits from{label}:"
    return f"All of{label}:"


def _edit_page(
    request: Request,
    cs: Credstack,
    web: WebSession,
    org: Org,
    record: Any,
    *,
    picked: str = "",
    problem: dict[str, Any] | None = None,
    status: int = 200,
) -> Any:
    words = cs.pathways.words()
    groups = editable_groups(record.definition)
    own = _achievement_rows(cs, org)
    context = {
        "stack": record,
        "groups": [
            {
                "group": g,
                "title": _group_title(g),
                "members": [{"key": k, "name": words.achievement(k)} for k in g.achievements],
            }
            for g in groups
        ],
        "achievements": own,
        "picked": picked,
        "problem": problem,
        "words": words,
    }
    return _page(request, "issuer_stack_edit.html", web, org, context, status)


@router.get("/issuer/stacks/{pathway_id}/edit", response_class=HTMLResponse)
def stack_edit_page(
    request: Request,
    pathway_id: str,
    cs: CredstackDep,
    org: Annotated[str | None, Query()] = None,
    achievement: Annotated[str, Query(max_length=500)] = "",
) -> Any:
    found = _console(request, cs, org)
    if isinstance(found, Response):
        return found
    web, chosen = found
    return _edit_page(request, cs, web, chosen, _own_stack(cs, chosen, pathway_id), picked=achievement)


@router.post("/issuer/stacks/{pathway_id}/edit", response_class=HTMLResponse)
async def stack_edit_submit(request: Request, pathway_id: str, cs: CredstackDep) -> Any:
    """Add (``achievement`` + ``group``) or remove (``remove`` + ``group``) one achievement; ``version`` is the
    version the page showed. Errors come back on the page, at the group they concern."""
    form = await request.form()
    web, org = _post(request, cs, str(form.get("csrf_token") or ""), str(form.get("org") or "") or None)
    record = _own_stack(cs, org, pathway_id)
    add = str(form.get("achievement") or "").strip() or None
    remove = str(form.get("remove") or "").strip() or None
    group_text = str(form.get("group") or "")
    try:
        group = int(group_text)
    except ValueError:
        group = -1
    try:
        if remove is None and add is None:
            raise InvalidInputError("choose the achievement to add")
        version = int(str(form.get("version") or record.version))
        changed = await run_in_threadpool(
            cs.pathways.edit_group,
            record.id,
            group,
            add=None if remove else add,
            remove=remove,
            version=version,
            issuer_id=org.issuer_id,
        )
    except (CredstackError, ValueError) as exc:
        if isinstance(exc, CredstackError) and exc.http_status >= 500:
            raise
        code = exc.code if isinstance(exc, CredstackError) else "invalid_input"
        head, _, rest = str(exc).partition(": ")
        items = rest.split("; ") if code == "invalid_qualification" and rest else [str(exc)]
        problem = {"code": code, "group": group, "detail": head if len(items) > 1 else str(exc), "items": items}
        status = 409 if code == "conflict" else 400
        return _edit_page(request, cs, web, org, cs.pathways.get(record.id), problem=problem, status=status)
    done = "removed" if remove else "added"
    return RedirectResponse(f"/issuer/stacks/{changed.id}/edit?org={org.id}&{done}=1#group-{group}", status_code=303)


# -- issue to a roster --------------------------------------------------------------------------------------------


@router.get("/issuer/issue", response_class=HTMLResponse)
def issue_page(
    request: Request,
    cs: CredstackDep,
    org: Annotated[str | None, Query()] = None,
    achievement: Annotated[str | None, Query()] = None,
) -> Any:
    found = _console(request, cs, org)
    if isinstance(found, Response):
        return found
    web, chosen = found
    context = {"achievements": _achievement_rows(cs, chosen), "selected": achievement, "problem": None}
    return _page(request, "issuer_issue.html", web, chosen, context)


@router.post("/issuer/issue", response_class=HTMLResponse)
async def issue_submit(
    request: Request,
    cs: CredstackDep,
    achievement: Annotated[str, Form()] = "",
    roster: Annotated[UploadFile | None, File()] = None,
    csrf_token: Annotated[str | None, Form()] = None,
    org: Annotated[str | None, Form()] = None,
) -> Any:
    web, chosen = _post(request, cs, csrf_token, org)
    data = await roster.read() if roster is not None else b""
    try:
        if not achievement:
            raise InvalidInputError("choose the achievement to issue")
        if cs.achievements.get(achievement).issuer_id != chosen.issuer_id:
            raise NotFoundError(f"no achievement {achievement!r} of {chosen.name}")
        if not data:
            raise InvalidInputError("choose a CSV roster to upload (a header row with a 'recipient' column)")
        job_id = await run_in_threadpool(cs.bulk.start, achievement, data)
    except CredstackError as exc:
        if exc.http_status >= 500:
            raise
        problem = {"code": exc.code, "detail": str(exc), "where": getattr(exc, "where", None)}
        context = {"achievements": _achievement_rows(cs, chosen), "selected": achievement, "problem": problem}
        return _page(request, "issuer_issue.html", web, chosen, context, 400)
    cs.bulk.run_in_background(job_id)
    return RedirectResponse(f"/issuer/jobs/{job_id}?org={chosen.id}", status_code=303)


def _job_json(report: BulkReport) -> dict[str, Any]:
    done = report.issued + report.skipped + report.rejected
    return {
        "id": report.job_id,
        "achievementId": report.achievement_id,
        "state": report.state,
        "rows": report.rows_read,
        "done": done,
        "percent": round(100 * done / report.rows_read) if report.rows_read else 100,
        "issued": report.issued,
        "skipped": report.skipped,
        "rejected": report.rejected,
        "pending": report.pending,
        "rejections": [{"line": r.line, "reason": r.reason} for r in report.rejections],
        "credentialIds": list(report.credential_ids),
    }


@router.get("/issuer/jobs/{job_id}.json")
def job_json(request: Request, job_id: str, cs: CredstackDep, org: Annotated[str | None, Query()] = None) -> Any:
    found = _console(request, cs, org)
    if isinstance(found, Response):
        return found
    return JSONResponse(_job_json(_job_allowed(cs, found[1], job_id)), headers={"Cache-Control": "no-store"})


@router.get("/issuer/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str, cs: CredstackDep, org: Annotated[str | None, Query()] = None) -> Any:
    found = _console(request, cs, org)
    if isinstance(found, Response):
        return found
    web, chosen = found
    report = _job_allowed(cs, chosen, job_id)
    issued = [cs.issuing.get(i) for i in report.credential_ids[:200]]
    context = {
        "job": _job_json(report),
        "achievement": cs.achievements.get(report.achievement_id),
        "issued": issued,
        "claim_urls": {c.id: cs.wallet.claim_url(c.id) for c in issued},
        "running": report.state != "done",
    }
    response = _page(request, "issuer_job.html", web, chosen, context)
    # this page alone runs a script: this server's /static/issuer.js, which may fetch the job's JSON twin
    response.headers["Content-Security-Policy"] = JOB_PAGE_POLICY
    return response


@router.get("/issuer/jobs/{job_id}/report.csv")
def job_csv(request: Request, job_id: str, cs: CredstackDep, org: Annotated[str | None, Query()] = None) -> Any:
    found = _console(request, cs, org)
    if isinstance(found, Response):
        return found
    _job_allowed(cs, found[1], job_id)
    # the claim links are for the issuer's own staff to send: this download is behind the console's sign-in
    headers = {"Content-Disposition": f'attachment; filename="issuance-{job_id}.csv"', "Cache-Control": "no-store"}
    text = cs.bulk.report_csv(job_id, claim_url=cs.wallet.claim_url)
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)


# -- credential status --------------------------------------------------------------------------------------------


@router.post("/issuer/credentials/{credential_id}/{action}")
def change_status(
    request: Request,
    credential_id: str,
    action: str,
    cs: CredstackDep,
    csrf_token: Annotated[str | None, Form()] = None,
    confirm: Annotated[str | None, Form()] = None,
) -> RedirectResponse:
    web = current_session(request, cs)
    if web is None:
        raise ForbiddenError("sign in as an issuer admin of the organisation that issued this credential")
    check_csrf(web, csrf_token)
    if action not in ("suspend", "unsuspend", "revoke"):
        raise NotFoundError(f"no status action {action!r}: suspend, unsuspend or revoke")
    record = cs.issuing.get(credential_id)
    org_id = cs.accounts.org_of_issuer(record.issuer_id)
    if org_id is None:
        raise ForbiddenError("this credential was issued by a platform issuer; use `credstack status` instead")
    cs.accounts.require_role(web.person, org_id, ROLE)
    if action == "revoke" and confirm != "yes":
        raise InvalidInputError("revocation is permanent: tick the confirmation box to revoke")
    getattr(cs.status, action)(record.id, actor=web.person.email)
    return RedirectResponse(f"/credentials/{record.id}", status_code=303)
