"""JSON API of the achievement catalog (public, read-only): ``GET /api/catalog`` searches with filters,
``GET /api/catalog/{id}`` gives one entry with its OB 3.0 Achievement (``?format=ob|ctdl``, or ``{id}.ob.json`` /
``{id}.ctdl.json``: the OB 3.0 or CTDL export alone), ``GET /api/catalog/export?format=ob|ctdl[&source=]`` the whole
catalog. The ``/catalog`` web pages are the twins.

(``credstack.api.catalog`` is the older REST module for issuers and achievements; this one is the catalog of issue 3.)
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from credstack.api.body import JsonRoute
from credstack.api.deps import CredstackDep

__all__ = ["router"]

router = APIRouter(prefix="/api/catalog", route_class=JsonRoute, tags=["Catalog"])


@router.get("", summary="Search the catalog (text, skills, occupation, level, effort, price, credits, provider)")
def search_catalog(
    cs: CredstackDep,
    q: Annotated[str, Query(max_length=500, description="Words in names, descriptions, skills, tags.")] = "",
    skill: Annotated[
        list[str] | None, Query(description="ESCO skill URI or id; repeat for several (404 for an unknown one).")
    ] = None,
    occupation: Annotated[str | None, Query(max_length=300, description="ESCO/O*NET occupation id or code.")] = None,
    level: Annotated[int | None, Query(ge=1, le=8, description="EQF level.")] = None,
    max_hours: Annotated[float | None, Query(ge=0, description="At most this many hours of effort.")] = None,
    max_price: Annotated[float | None, Query(ge=0, description="At most this price, in the entry's currency.")] = None,
    credit_bearing: Annotated[bool, Query(description="Only entries with ECTS or US credits.")] = False,
    provider: Annotated[str | None, Query(max_length=200, description="Provider name contains this.")] = None,
    format: Annotated[str | None, Query(pattern="^(online|in-person|hybrid|self-paced)$")] = None,
    source: Annotated[str | None, Query(pattern="^[a-z-]{1,16}$", description="demo, nj-etpl, ...")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    mode: Annotated[
        str | None,
        Query(
            pattern="^(lexical|semantic|hybrid)$",
            description="Match words, meaning (sentence embeddings) or both; default hybrid when indexed.",
        ),
    ] = None,
    sort: Annotated[
        str,
        Query(
            pattern="^(relevance|market_value)$",
            description="relevance (best score first) or market_value (highest market value first, unrated last).",
        ),
    ] = "relevance",
    min_market_value: Annotated[
        float | None, Query(ge=0, le=1, description="Only entries whose market value (0-1) is at least this.")
    ] = None,
) -> dict[str, Any]:
    page = cs.catalog.search(
        q,
        skills=skill or (),
        occupation=occupation,
        level=level,
        max_hours=max_hours,
        max_price=max_price,
        credit_bearing=credit_bearing,
        provider=provider,
        delivery_format=format,
        source=source,
        limit=limit,
        offset=offset,
        mode=mode,
        sort=sort,
        min_market_value=min_market_value,
    )
    values = cs.outlook.market_values({h.entry.id: [s.uri for s in h.entry.skills] for h in page.hits})
    return {
        "query": q,
        "mode": page.mode,
        "sort": sort,
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "results": [
            {
                "score": h.score,
                "textScore": h.text_score,
                "skillScore": h.skill_score,
                "semanticScore": h.semantic_score,
                "matchedSkills": list(h.matched_skills),
                **h.entry.to_json(),
                "marketValue": values[h.entry.id].to_json(),
            }
            for h in page.hits
        ],
    }


_TWINS = {".ob.json": "ob", ".ctdl.json": "ctdl"}
_FORMAT = Query(pattern="^(ob|ctdl)$", description="ob: OB 3.0 Achievement JSON; ctdl: CTDL JSON-LD.")


@router.get("/export", summary="The whole catalog (or one source) as OB 3.0 Achievements or one CTDL JSON-LD graph")
def export_catalog(
    cs: CredstackDep,
    format: Annotated[str, _FORMAT],
    source: Annotated[str | None, Query(pattern="^[a-z][a-z0-9-]{0,15}$")] = None,
    pathways: Annotated[bool, Query(description="CTDL only: add every stored pathway as a ceterms:Pathway.")] = False,
) -> Any:
    qualifications = [record.definition for record in cs.pathways.list()] if pathways else []
    return cs.catalog.export(format, source=source, pathways=qualifications)


@router.get("/{entry_id}", summary="One catalog entry, with the OB 3.0 Achievement issuing would use")
def get_catalog_entry(entry_id: str, cs: CredstackDep, format: Annotated[str | None, _FORMAT] = None) -> dict[str, Any]:
    """``format=ob|ctdl`` (or the ``{id}.ob.json`` / ``{id}.ctdl.json`` twins): the entry in that format only."""
    for suffix, twin in _TWINS.items():
        if entry_id.endswith(suffix):
            entry_id, format = entry_id.removesuffix(suffix), format or twin
    if format:
        return cs.catalog.export_entry(entry_id, format)
    return {
        **cs.catalog.get(entry_id).to_json(),
        "achievement": cs.catalog.achievement(entry_id),
        "marketValue": cs.outlook.entry_value(entry_id).to_json(),
    }
