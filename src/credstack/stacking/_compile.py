"""Compile a validated qualification into a flat list of nodes (pre-order, root first) that the evaluator walks
without touching the dataclass tree again. Nested qualifications are inlined under their reference node, each
subtree keeping its own prerequisites and articulation rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from credstack.stacking.facts import Catalog
from credstack.stacking.model import (
    AllOf,
    MinCredits,
    NOf,
    Qualification,
    RequireAchievement,
    RequireAlignment,
    Requirement,
    node_kind,
    node_title,
)
from credstack.stacking.validate import catalog_issuers

__all__ = ["ACH", "ALIGN", "ALL", "CRED", "NOF", "QREF", "CNode", "compile_tree", "years_before"]

ALL, NOF, CRED, ACH, ALIGN, QREF = range(6)


class CNode:
    """One compiled node. Fields unused by a kind stay at their defaults."""

    __slots__ = (
        "accept",
        "articulated",
        "award",
        "children",
        "depth",
        "f_areas",
        "f_ids",
        "f_max",
        "f_min",
        "f_providers",
        "f_skills",
        "f_tags",
        "kind",
        "n",
        "names",
        "needed",
        "node_id",
        "path",
        "prereqs",
        "qualification",
        "threshold",
        "title",
        "within",
    )

    def __init__(self, kind: int, path: str, title: str, depth: int, node_id: str | None) -> None:
        self.kind = kind
        self.path = path
        self.title = title
        self.depth = depth
        self.node_id = node_id
        self.children: tuple[int, ...] = ()
        self.n = 0
        self.needed = 0.0
        self.within: float | None = None
        # achievement id (or alignment URI) -> accepted issuer ids (None = any issuer)
        self.accept: dict[str, frozenset[str] | None] = {}
        # (result ref, numeric minimum or None, allowed values, index of the string minimum)
        self.threshold: tuple[frozenset[str], float | None, tuple[str, ...], int] | None = None
        self.prereqs: dict[str, tuple[str, ...]] = {}
        self.articulated: dict[tuple[str, str], float] = {}
        self.f_ids: frozenset[str] | None = None
        self.f_skills: frozenset[str] | None = None
        self.f_areas: frozenset[str] | None = None
        self.f_providers: frozenset[str] | None = None
        self.f_tags: frozenset[str] | None = None
        self.f_min: int | None = None
        self.f_max: int | None = None
        self.award = ""
        self.names: dict[str, str] = {}
        self.qualification = ""


def years_before(moment: datetime, years: float) -> datetime:
    """``moment`` minus ``years``: calendar years when whole (29 February becomes 28), else 365.25-day years."""
    if years == int(years):
        year = moment.year - int(years)
        if year < 1:
            return datetime.min.replace(tzinfo=UTC)
        try:
            return moment.replace(year=year)
        except ValueError:
            return moment.replace(year=year, day=28)
    try:
        return moment - timedelta(days=365.25 * years)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)


def _issuers_for(achievement_id: str, extra: frozenset[str], catalog: Catalog) -> frozenset[str] | None:
    info = catalog.achievements.get(achievement_id)
    if info is None or info.issuer_id is None:
        return None
    return frozenset(extra | {info.issuer_id})


def _none_if_empty(values: frozenset[str]) -> frozenset[str] | None:
    return values or None


class _Compiler:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.nodes: list[CNode] = []
        self.catalog_issuers = _none_if_empty(catalog_issuers(catalog))

    def qualification(self, qualification: Qualification, prefix: str, depth: int) -> int:
        prereqs: dict[str, list[str]] = {}
        for rule in qualification.prerequisites:
            prereqs.setdefault(rule.after, []).append(rule.before)
        context = (qualification, {after: tuple(befores) for after, befores in prereqs.items()})
        return self.node(qualification.requirement, f"{prefix}qualification {qualification.id}", depth, context)

    def node(
        self,
        node: Requirement,
        parent_path: str,
        depth: int,
        context: tuple[Qualification, dict[str, tuple[str, ...]]],
    ) -> int:
        qualification, prereqs = context
        title = node_title(node)
        path = f"{parent_path} > {title}"
        kind = {"all-of": ALL, "n-of": NOF, "credits": CRED, "achievement": ACH, "alignment": ALIGN}.get(
            node_kind(node), QREF
        )
        cnode = CNode(kind, path, title, depth, node.id)
        cnode.prereqs = prereqs
        cnode.qualification = qualification.id
        index = len(self.nodes)
        self.nodes.append(cnode)
        if isinstance(node, (AllOf, NOf)):
            cnode.children = tuple(
                self.node(child, f"{parent_path} > {node_kind(node)}[{i}]", depth + 1, context)
                for i, child in enumerate(node.children)
            )
            cnode.n = node.n if isinstance(node, NOf) else len(node.children)
        elif isinstance(node, MinCredits):
            self.credits(cnode, node, qualification)
        elif isinstance(node, RequireAchievement):
            self.achievement(cnode, node, qualification)
        elif isinstance(node, RequireAlignment):
            cnode.within = node.within_years
            cnode.accept = {node.target_url: _none_if_empty(node.issuers)}
        else:
            target = self.catalog.qualifications[node.qualification_id]
            cnode.award = target.award_achievement_id
            cnode.accept = {cnode.award: _issuers_for(cnode.award, frozenset(), self.catalog)}
            cnode.names = {cnode.award: target.name}
            cnode.children = (self.qualification(target, f"{path} > ", depth + 1),)
        return index

    def credits(self, cnode: CNode, node: MinCredits, qualification: Qualification) -> None:
        flt = node.filter
        cnode.needed = node.credits
        cnode.within = node.within_years
        cnode.f_ids = _none_if_empty(flt.achievement_ids)
        cnode.f_skills = _none_if_empty(flt.skills)
        cnode.f_areas = _none_if_empty(flt.skill_areas)
        # Without a provider filter, credits come from issuers of catalog achievements only: a stranger's
        # self-issued credential earns nothing except through an articulation rule.
        cnode.f_providers = _none_if_empty(flt.providers) or self.catalog_issuers
        cnode.f_tags = _none_if_empty(flt.tags)
        cnode.f_min = flt.min_level
        cnode.f_max = flt.max_level
        for rule in qualification.articulations:
            if rule.credits is not None and (rule.toward is None or rule.toward == node.id):
                key = (rule.achievement_id, rule.issuer_id)
                cnode.articulated[key] = max(cnode.articulated.get(key, 0.0), rule.credits)

    def achievement(self, cnode: CNode, node: RequireAchievement, qualification: Qualification) -> None:
        cnode.within = node.within_years
        cnode.accept = {node.achievement_id: _issuers_for(node.achievement_id, node.issuers, self.catalog)}
        info = self.catalog.achievements.get(node.achievement_id)
        cnode.names = {node.achievement_id: (info.name if info and info.name else node.achievement_id)}
        for rule in qualification.articulations:
            if rule.equivalent_to == node.achievement_id:
                known = cnode.accept.get(rule.achievement_id, frozenset())
                if known is not None:
                    cnode.accept[rule.achievement_id] = frozenset(known | {rule.issuer_id})
        if node.threshold is not None and info is not None:
            spec = info.result(node.threshold.result)
            refs = {node.threshold.result} | ({spec.id, spec.name} if spec else set())
            wanted = node.threshold.min_value
            allowed = spec.allowed_values if spec else ()
            if isinstance(wanted, str):
                cnode.threshold = (frozenset(refs), None, allowed, allowed.index(wanted))
            else:
                cnode.threshold = (frozenset(refs), wanted, allowed, -1)


def compile_tree(qualification: Qualification, catalog: Catalog) -> list[CNode]:
    """The compiled nodes of a (validated) qualification, root at index 0, children after their parent."""
    compiler = _Compiler(catalog)
    compiler.qualification(qualification, "", 0)
    return compiler.nodes
