"""Validation of a qualification against a catalog: every problem, each with the path where it is.

Paths read like ``qualification data-analyst > all-of[2] > n-of(2)``: the qualification, then each parent with the
index of the child taken, then the node itself. Problem codes:

- ``dangling_reference`` — an achievement, qualification, result description or node id the catalog (or the tree)
  does not have;
- ``cycle`` — nested qualifications that contain each other, or prerequisites that loop (including through the
  qualification's own award: a part cannot require the whole first);
- ``unsatisfiable`` — n-of-m with n > m, fewer than n options that can be met, more credits than every matching
  option gives, a result threshold above the result's maximum, a level range that is empty;
- ``invalid`` — a value out of range (n < 1, credits <= 0, within_years <= 0, an empty all-of, a duplicate node id).

Credits reachable through a credits node are counted from the catalog's achievements plus articulation rules;
credentials from issuers outside the catalog cannot be foreseen, so a node that only they could fill is reported.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from credstack.errors import InvalidQualificationError
from credstack.stacking.facts import AchievementInfo, Catalog
from credstack.stacking.model import (
    AllOf,
    CreditFilter,
    MinCredits,
    NOf,
    Qualification,
    RequireAchievement,
    RequireAlignment,
    Requirement,
    RequireQualification,
    node_kind,
    node_title,
)

__all__ = ["Problem", "catalog_issuers", "ensure_valid", "info_matches_filter", "validate"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a qualification: where, a stable code, and a sentence."""

    path: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def catalog_issuers(catalog: Catalog) -> frozenset[str]:
    """The issuers of the catalog's achievements: whom a credits node without a providers filter accepts."""
    return frozenset(info.issuer_id for info in catalog.achievements.values() if info.issuer_id)


def info_matches_filter(
    info: AchievementInfo, flt: CreditFilter, default_providers: frozenset[str] = frozenset()
) -> bool:
    """Whether a catalog achievement passes a credits filter (same rules as for credentials; without a providers
    filter, ``default_providers``, when not empty, applies)."""
    if flt.achievement_ids and info.id not in flt.achievement_ids:
        return False
    providers = flt.providers or default_providers
    if providers and info.issuer_id not in providers:
        return False
    if flt.skills and not (flt.skills & info.alignments):
        return False
    if flt.skill_areas and not (flt.skill_areas & info.skill_areas):
        return False
    if flt.tags and not (flt.tags & info.tags):
        return False
    if flt.min_level is not None and (info.level is None or info.level < flt.min_level):
        return False
    return not (flt.max_level is not None and (info.level is None or info.level > flt.max_level))


class _Validator:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.problems: list[Problem] = []
        # "X must be earned before Y" edges over achievement ids; prerequisite edges are flagged True.
        self.edges: dict[str, dict[str, tuple[bool, str]]] = {}
        self.visited: set[str] = set()

    def add(self, path: str, code: str, message: str) -> None:
        self.problems.append(Problem(path, code, message))

    def edge(self, before: str, after: str, prerequisite: bool, path: str) -> None:
        targets = self.edges.setdefault(before, {})
        if prerequisite or after not in targets:
            targets[after] = (prerequisite, path)

    # ----------------------------------------------------------- a qualification
    def qualification(self, qualification: Qualification, prefix: str, stack: tuple[str, ...]) -> bool:
        base = f"{prefix}qualification {qualification.id}"
        self.visited.add(qualification.id)
        ids: dict[str, Requirement] = {}
        award = qualification.award_achievement_id
        ok = self.node(qualification.requirement, base, qualification, ids, (*stack, qualification.id), award)
        for i, rule in enumerate(qualification.articulations):
            where = f"{base} > articulations[{i}]"
            if rule.credits is not None and rule.credits <= 0:
                self.add(where, "invalid", f"an articulation must grant more than 0 credits, not {rule.credits:g}")
            if rule.toward is not None and not isinstance(ids.get(rule.toward), MinCredits):
                self.add(where, "dangling_reference", f"'toward' names {rule.toward!r}, not a credits node here")
            if rule.equivalent_to is not None and rule.equivalent_to not in self.catalog.achievements:
                self.add(
                    where, "dangling_reference", f"equivalent achievement {rule.equivalent_to} is not in the catalog"
                )
        for i, prereq in enumerate(qualification.prerequisites):
            where = f"{base} > prerequisites[{i}]"
            for end in (prereq.before, prereq.after):
                if end not in self.catalog.achievements:
                    self.add(where, "dangling_reference", f"achievement {end} is not in the catalog")
            if prereq.before == prereq.after:
                self.add(where, "cycle", f"achievement {prereq.before} cannot be its own prerequisite")
            else:
                self.edge(prereq.before, prereq.after, True, where)
        return ok

    # ----------------------------------------------------------- nodes
    def node(
        self,
        node: Requirement,
        path: str,
        qualification: Qualification,
        ids: dict[str, Requirement],
        stack: tuple[str, ...],
        award: str,
    ) -> bool:
        """Check ``node``; return whether it can be met at all (as far as the catalog tells)."""
        here = f"{path} > {node_title(node)}"
        if node.id is not None:
            if node.id in ids:
                self.add(here, "invalid", f"node id {node.id!r} is used twice in this qualification")
            ids[node.id] = node
        within = getattr(node, "within_years", None)
        if within is not None and within <= 0:
            self.add(here, "invalid", f"within_years must be more than 0, not {within:g}")
        if isinstance(node, (AllOf, NOf)):
            oks = [
                self.node(child, f"{path} > {node_kind(node)}[{i}]", qualification, ids, stack, award)
                for i, child in enumerate(node.children)
            ]
            if isinstance(node, AllOf):
                if not node.children:
                    self.add(here, "invalid", "an all-of with no requirements is always met")
                return all(oks)
            m = len(node.children)
            if node.n < 1:
                self.add(here, "invalid", f"n-of needs n >= 1, not {node.n}")
                return True
            if node.n > m:
                self.add(here, "unsatisfiable", f"needs {node.n} of {m} requirements: n is larger than m")
                return False
            if sum(oks) < node.n:
                self.add(here, "unsatisfiable", f"needs {node.n} of {m}, but only {sum(oks)} can be met")
                return False
            return True
        if isinstance(node, MinCredits):
            return self.credits(node, here, qualification)
        if isinstance(node, RequireAchievement):
            return self.achievement(node, here, award)
        if isinstance(node, RequireAlignment):
            return True
        return self.nested(node, here, stack, award)

    def credits(self, node: MinCredits, here: str, qualification: Qualification) -> bool:
        flt = node.filter
        if node.credits <= 0:
            self.add(here, "invalid", f"a credits requirement needs more than 0 credits, not {node.credits:g}")
            return True
        for achievement_id in sorted(flt.achievement_ids - set(self.catalog.achievements)):
            self.add(here, "dangling_reference", f"filter names achievement {achievement_id}, not in the catalog")
        if flt.min_level is not None and flt.max_level is not None and flt.min_level > flt.max_level:
            self.add(here, "unsatisfiable", f"level range {flt.min_level}..{flt.max_level} is empty")
            return False
        issuers = catalog_issuers(self.catalog)
        available = sum(
            info.credits for info in self.catalog.achievements.values() if info_matches_filter(info, flt, issuers)
        )
        available += sum(
            rule.credits or 0.0
            for rule in qualification.articulations
            if rule.toward is None or (node.id is not None and rule.toward == node.id)
        )
        if node.credits > available + 1e-9:
            self.add(
                here,
                "unsatisfiable",
                f"needs {node.credits:g} credits, but every matching option together gives {available:g}",
            )
            return False
        return True

    def achievement(self, node: RequireAchievement, here: str, award: str) -> bool:
        info = self.catalog.achievements.get(node.achievement_id)
        self.edge(node.achievement_id, award, False, here)
        if info is None:
            self.add(here, "dangling_reference", f"achievement {node.achievement_id} is not in the catalog")
            return False
        threshold = node.threshold
        if threshold is None:
            return True
        spec = info.result(threshold.result)
        if spec is None:
            self.add(here, "dangling_reference", f"{info.id} has no result description {threshold.result!r}")
            return False
        wanted = threshold.min_value
        if isinstance(wanted, str):
            if wanted not in spec.allowed_values:
                allowed = ", ".join(spec.allowed_values) or "none"
                self.add(here, "unsatisfiable", f"{wanted!r} is not an allowed value of {spec.name!r} ({allowed})")
                return False
            return True
        if spec.value_max is not None and wanted > spec.value_max:
            self.add(
                here, "unsatisfiable", f"threshold {wanted:g} is above the maximum {spec.value_max:g} of {spec.name!r}"
            )
            return False
        return True

    def nested(self, node: RequireQualification, here: str, stack: tuple[str, ...], award: str) -> bool:
        target = self.catalog.qualifications.get(node.qualification_id)
        if target is None:
            self.add(here, "dangling_reference", f"qualification {node.qualification_id} is not in the catalog")
            return False
        self.edge(target.award_achievement_id, award, False, here)
        if node.qualification_id in stack:
            loop = " -> ".join((*stack[stack.index(node.qualification_id) :], node.qualification_id))
            self.add(here, "cycle", f"nested qualifications contain each other: {loop}")
            return False
        if node.qualification_id in self.visited:
            return True
        return self.qualification(target, f"{here} > ", stack)

    # ----------------------------------------------------------- prerequisite cycles
    def prerequisite_cycles(self) -> None:
        state: dict[str, int] = {}
        reported: set[frozenset[str]] = set()

        def visit(node: str, trail: list[str]) -> None:
            state[node] = 1
            trail.append(node)
            for target, (_, _) in self.edges.get(node, {}).items():
                if state.get(target) == 1:
                    loop = [*trail[trail.index(target) :], target]
                    kinds = [self.edges[a][b] for a, b in itertools.pairwise(loop)]
                    members = frozenset(loop)
                    if any(is_prereq for is_prereq, _ in kinds) and members not in reported:
                        reported.add(members)
                        where = next(path for is_prereq, path in kinds if is_prereq)
                        self.add(where, "cycle", "prerequisites form a loop: " + " -> ".join(loop))
                elif target not in state:
                    visit(target, trail)
            trail.pop()
            state[node] = 2

        for start in sorted(self.edges):
            if start not in state:
                visit(start, [])


def validate(qualification: Qualification, catalog: Catalog) -> tuple[Problem, ...]:
    """Every problem with ``qualification`` (and the qualifications it nests) against ``catalog``; () when none."""
    validator = _Validator(catalog)
    validator.qualification(qualification, "", ())
    validator.prerequisite_cycles()
    return tuple(validator.problems)


def ensure_valid(qualification: Qualification, catalog: Catalog) -> None:
    """Raise InvalidQualificationError listing every problem (``.problems``), or return None."""
    problems = validate(qualification, catalog)
    if problems:
        listing = "; ".join(str(p) for p in problems)
        raise InvalidQualificationError(
            f"qualification {qualification.id} has {len(problems)} problem(s): {listing}",
            where=problems[0].path,
            problems=problems,
        )
