"""Web pages of pathways (stacks): ``/pathways`` (every pathway; with ``?learner=`` the learner's standing on each)
and ``/pathways/{id}`` (the requirement tree drawn as nested boxes, every node in words: "All of:", "Any 1 of:",
achievement names, issuer names instead of DIDs; with ``?learner=`` satisfied and missing nodes, the credits bar, the
cheapest remaining set and the award). JSON twins: ``/pathways.json`` and ``/pathways/{id}.json`` (the same data as
``/api/pathways...``, plus the tree in words next to the ids). Handlers call one service method and render.

Without ``?learner=`` the pages are public (the definitions); with it they are private: only the signed-in learner
(one of their recipient identifiers) or a platform admin sees them, anyone else gets the 403 page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from credstack.services.pathway_words import short_did
from credstack.services.pathways import LearnerProgress
from credstack.stacking import NodeProgress
from credstack.web.deps import CredstackDep, templates
from credstack.web.session import current_session, require_learner

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Learner = Annotated[str, Query(max_length=500)]
By = Annotated[str, Query(pattern="^(price|hours)$")]


@dataclass
class TreeNode:
    """One node of the drawn tree: the engine's NodeProgress, its label in words, its link, its reason in words and
    its children."""

    node: NodeProgress
    label: str
    link: str | None
    reason: str
    children: list[TreeNode] = field(default_factory=list)


def _tree(result: LearnerProgress) -> TreeNode:
    """The flat pre-order node list (with depths) as a tree, each node in words."""
    root: TreeNode | None = None
    stack: list[TreeNode] = []
    words = result.words.tree(result.pathway.qualification) if result.words is not None else []
    labels, reasons = result.labels(), result.reasons()
    for i, node in enumerate(result.progress.nodes):
        link = words[i].link if i < len(words) and words[i].kind == node.kind else None
        item = TreeNode(node, labels[i], link, reasons[i])
        del stack[node.depth :]
        if stack:
            stack[-1].children.append(item)
        else:
            root = item
        stack.append(item)
    if root is None:  # pragma: no cover - a tree always has a root
        raise ValueError("empty tree")
    return root


def _page(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"nav": "pathways", **context})


@router.get("/pathways.json")
def pathways_json(request: Request, cs: CredstackDep, learner: Learner = "") -> JSONResponse:
    base = cs.settings.base_url.rstrip("/")
    if learner.strip():
        require_learner(request, cs, learner)
        standing = cs.pathways.overview(learner)
        return JSONResponse({"learner": learner.strip(), "pathways": [s.to_json(base) for s in standing]})
    return JSONResponse({"pathways": [p.to_json() for p in cs.pathways.list()]})


@router.get("/pathways", response_class=HTMLResponse)
def pathways_page(request: Request, cs: CredstackDep, learner: Learner = "") -> HTMLResponse:
    learner = learner.strip()
    if learner:
        require_learner(request, cs, learner)
    standing = cs.pathways.overview(learner) if learner else None
    web = current_session(request, cs)
    me = web.person.email if web else ""
    page = {"pathways": cs.pathways.list(), "standing": standing, "learner": learner, "me": me}
    return _page(request, "pathways.html", page)


@router.get("/pathways/{pathway_id}.json")
def pathway_json(
    request: Request, pathway_id: str, cs: CredstackDep, learner: Learner = "", by: By = "price"
) -> JSONResponse:
    if learner.strip():
        require_learner(request, cs, learner)
        return JSONResponse(cs.pathways.progress(learner, pathway_id, by=by).to_json())
    pathway = cs.pathways.get(pathway_id)
    return JSONResponse({**pathway.to_json(), **cs.pathways.words().describe(pathway.qualification)})


@router.get("/pathways/{pathway_id}", response_class=HTMLResponse)
def pathway_page(
    request: Request, pathway_id: str, cs: CredstackDep, learner: Learner = "", by: By = "price"
) -> HTMLResponse:
    learner = learner.strip()
    if learner:
        require_learner(request, cs, learner)
    pathway = cs.pathways.get(pathway_id)
    # without a learner the tree is drawn from an empty holding, and the page shows no marks
    result = cs.pathways.progress(learner or "did:example:no-learner", pathway.id, by=by, plan=bool(learner))
    awards = cs.pathways.awards.list(pathway_id=pathway.id)
    page = {
        "pathway": pathway,
        "learner": learner,
        "result": result if learner else None,
        "tree": _tree(result),
        "words": result.words or cs.pathways.words(),
        "issuer_did": short_did(pathway.issuer.did),
        "by": by,
        "awarded": sum(1 for a in awards if a.status != "revoked"),
        "review": sum(1 for a in awards if a.status == "review"),
        "revoked": sum(1 for a in awards if a.status == "revoked"),
        "base": cs.settings.base_url.rstrip("/"),
    }
    return _page(request, "pathway.html", page)
