"""JSON API of pathways (stacks; docs/stacking.md): ``GET /api/pathways``, ``GET /api/pathways/{id}``,
``GET /api/pathways/{id}/progress?learner=`` (private: a token bound to that learner with the ``wallet`` scope, or a
platform ``admin`` token; others get 403) and ``GET /api/awards`` (every award, with learners' identifiers: needs a
token with the ``status`` scope). The pathway definitions are public."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from credstack.api.body import JsonRoute
from credstack.api.deps import CredstackDep, StatusToken
from credstack.api.principal import MaybePrincipalDep

__all__ = ["router"]

router = APIRouter(prefix="/api", route_class=JsonRoute, tags=["Pathways"])

Learner = Annotated[str, Query(min_length=1, max_length=500, description="The learner: e-mail address or DID.")]


@router.get("/pathways", summary="Every pathway (stack): id, name, credits, issuer and its requirement tree")
def list_pathways(cs: CredstackDep) -> dict[str, Any]:
    pathways = cs.pathways.list()
    return {"total": len(pathways), "pathways": [p.to_json() for p in pathways]}


@router.get(
    "/pathways/{pathway_id}",
    summary="One pathway: its requirement tree, the same in words (requirements, articulations, prerequisites), awards",
)
def get_pathway(pathway_id: str, cs: CredstackDep) -> dict[str, Any]:
    pathway = cs.pathways.get(pathway_id)
    awards = cs.pathways.awards.list(pathway_id=pathway.id)
    words = cs.pathways.words().describe(pathway.qualification)  # the requirements in words, ids kept
    return (
        pathway.to_json()
        | words
        | {
            "awards": {
                "total": len(awards),
                "review": sum(1 for a in awards if a.status == "review"),
                "revoked": sum(1 for a in awards if a.status == "revoked"),
            }
        }
    )


@router.get(
    "/pathways/{pathway_id}/progress",
    summary="A learner's progress: only credentials that verify now count; the cheapest remaining set",
)
def pathway_progress(
    pathway_id: str,
    cs: CredstackDep,
    learner: Learner,
    who: MaybePrincipalDep,
    by: Annotated[str, Query(pattern="^(price|hours)$", description="Cheapest by price or by hours.")] = "price",
) -> dict[str, Any]:
    cs.accounts.require_learner_access(who, learner)
    return cs.pathways.progress(learner, pathway_id, by=by).to_json()


@router.get("/awards", summary="Awards of pathways (an expired component shown at once); ?status=review: flagged ones")
def list_awards(
    cs: CredstackDep,
    _token: StatusToken,
    status: Annotated[str | None, Query(pattern="^(awarded|review|revoked)$")] = None,
    pathway: Annotated[str | None, Query(max_length=200)] = None,
    learner: Annotated[str | None, Query(max_length=500)] = None,
) -> dict[str, Any]:
    awards = cs.pathways.awards.list(status=status, pathway_id=pathway, learner=learner)
    base = cs.settings.base_url.rstrip("/")
    return {"total": len(awards), "awards": [a.to_json(base) for a in awards]}
