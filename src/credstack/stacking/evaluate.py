"""Learner progress toward a qualification, from verified credential facts.

``Evaluator(qualification, catalog)`` validates and compiles the tree once; ``evaluator.progress(facts, at=...)``
then costs a few tens of microseconds per learner. Rules, in the order they apply:

1. Only facts in state ``verified``, not past ``valid_until`` and earned no later than ``at`` count; the others are
   listed in ``Progress.ignored`` with the reason.
2. A credential for B counts only when a credential for each of B's prerequisites was earned on or before it.
3. An achievement node takes a credential for its achievement from the achievement's own issuer (or one the node
   or an articulation rule names), earned within ``within_years`` of ``at``, meeting the result threshold.
4. A credits node sums, per achievement (a retake is not counted twice), the largest credit of the credentials
   that pass its filter, or the credits an articulation rule grants.
5. A credential may count toward several nodes (a total-credits node usually includes the core units).

The fraction of a node is 1/0 for a leaf, ``min(1, earned/needed)`` for credits, the mean of the children for
all-of and the mean of the best ``n`` children for n-of; every rule is monotone, so adding a verified credential
never lowers progress.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime

from credstack.errors import InvalidInputError
from credstack.stacking._compile import ACH, ALIGN, ALL, CRED, NOF, QREF, CNode, compile_tree, years_before
from credstack.stacking.facts import Catalog, CredentialFact
from credstack.stacking.model import Qualification
from credstack.stacking.progress import Component, IgnoredCredential, Progress, Run
from credstack.stacking.validate import ensure_valid

__all__ = ["Evaluator"]


def _meets(fact: CredentialFact, threshold: tuple[frozenset[str], float | None, tuple[str, ...], int]) -> bool:
    refs, minimum, allowed, index = threshold
    for result in fact.results:
        if result.result_description not in refs and result.name not in refs:
            continue
        value = result.value
        if minimum is not None:
            try:
                number = float(value) if value is not None else math.nan
            except ValueError:
                continue
            if math.isfinite(number) and number >= minimum:
                return True
        elif isinstance(value, str) and value in allowed and allowed.index(value) >= index:
            return True
    return False


def accepts(
    node: CNode,
    fact: CredentialFact,
    issuers: frozenset[str] | None,
    cutoffs: dict[float, datetime],
    first: dict[str, datetime],
    misses: list[str] | None,
    *,
    prerequisites: bool = True,
) -> bool:
    """Whether ``fact`` meets leaf ``node`` (issuer, recency, threshold and, unless ``prerequisites`` is False,
    prerequisites); why not into ``misses``."""
    if issuers is not None and fact.issuer_id not in issuers:
        if misses is not None:
            misses.append(f"{fact.credential_id} is from {fact.issuer_id}, not an accepted issuer")
        return False
    if node.within is not None and fact.earned < cutoffs[node.within]:
        if misses is not None:
            misses.append(f"{fact.credential_id} was earned before {cutoffs[node.within].date()} (too long ago)")
        return False
    if node.threshold is not None and not _meets(fact, node.threshold):
        if misses is not None:
            misses.append(f"{fact.credential_id} has no result meeting the threshold")
        return False
    return not prerequisites or prerequisites_met(node, fact, first, misses)


def prerequisites_met(node: CNode, fact: CredentialFact, first: dict[str, datetime], misses: list[str] | None) -> bool:
    """A credential counts only if every prerequisite of its achievement was earned on or before it."""
    befores = node.prereqs.get(fact.achievement_id) if node.prereqs else None
    if not befores:
        return True
    for before in befores:
        earned = first.get(before)
        if earned is None or earned > fact.earned:
            if misses is not None:
                misses.append(f"{fact.credential_id} was earned before its prerequisite {before}")
            return False
    return True


class Evaluator:
    """A qualification compiled against a catalog; evaluate as many learners as you like with it."""

    def __init__(self, qualification: Qualification, catalog: Catalog) -> None:
        ensure_valid(qualification, catalog)
        self.qualification = qualification
        self.catalog = catalog
        self.nodes: list[CNode] = compile_tree(qualification, catalog)
        nodes = self.nodes
        self._aid_leaves: dict[str, list[tuple[int, frozenset[str] | None]]] = {}
        self._uri_leaves: dict[str, list[tuple[int, frozenset[str] | None]]] = {}
        for i, node in enumerate(nodes):
            if node.kind in (ACH, QREF):
                for key, issuers in node.accept.items():
                    self._aid_leaves.setdefault(key, []).append((i, issuers))
            elif node.kind == ALIGN:
                for key, issuers in node.accept.items():
                    self._uri_leaves.setdefault(key, []).append((i, issuers))
        self._credit_nodes = tuple(i for i, n in enumerate(nodes) if n.kind == CRED)
        self._composites = tuple(i for i in range(len(nodes) - 1, -1, -1) if nodes[i].kind in (ALL, NOF, QREF))
        self._befores = frozenset(b for n in nodes for befores in n.prereqs.values() for b in befores)
        needs = [n.needed for n in nodes if n.kind == CRED]
        self.credits_needed = qualification.credits if qualification.credits is not None else max(needs, default=None)
        self._cutoff_cache: tuple[datetime, dict[float, datetime]] | None = None

    # ------------------------------------------------------------------ public
    def progress(self, facts: Iterable[CredentialFact], *, at: datetime) -> Progress:
        """The learner's progress at ``at`` (timezone-aware). ``Progress.nodes`` (every node with its reason) is
        worked out when first read."""
        facts = tuple(facts)
        run = self._run(facts, at)
        components = self.components(run, 0)
        return Progress(
            qualification_id=self.qualification.id,
            at=at,
            satisfied=run.sat[0],
            fraction=run.frac[0],
            credits_earned=sum(c.credits for c in components),
            credits_needed=self.credits_needed,
            components=components,
            ignored=tuple(IgnoredCredential(fact.credential_id, reason) for fact, reason in run.unusable),
            facts=facts,
            evaluator=self,
            run=run,
        )

    def status(self, facts: Sequence[CredentialFact], *, at: datetime) -> tuple[bool, float]:
        """Just (satisfied, fraction): the fast path for search and bulk summaries."""
        run = self._run(facts, at)
        return run.sat[0], run.frac[0]

    def node_states(self, facts: Sequence[CredentialFact], *, at: datetime) -> tuple[tuple[bool, float], ...]:
        """(satisfied, fraction) of every compiled node, root first."""
        run = self._run(facts, at)
        return tuple(zip(run.sat, run.frac, strict=True))

    def arrays(self, facts: Sequence[CredentialFact], *, at: datetime) -> Run:
        """The per-node arrays behind a progress (internal representation, used by the remaining-set search)."""
        return self._run(facts, at)

    # ------------------------------------------------------------------ core
    def cutoffs(self, at: datetime) -> dict[float, datetime]:
        """Earliest accepted earned date for each ``within_years`` in the tree, at ``at``."""
        cache = self._cutoff_cache
        if cache is not None and cache[0] == at:
            return cache[1]
        years = {n.within for n in self.nodes if n.within is not None}
        cutoffs = {y: years_before(at, y) for y in years}
        self._cutoff_cache = (at, cutoffs)
        return cutoffs

    def _run(self, facts: Sequence[CredentialFact], at: datetime) -> Run:
        if not isinstance(at, datetime) or at.tzinfo is None:
            raise InvalidInputError("the evaluation time 'at' must be a timezone-aware datetime")
        nodes = self.nodes
        size = len(nodes)
        usable: list[CredentialFact] = []
        unusable: list[tuple[CredentialFact, str]] = []
        for fact in facts:
            if fact.state != "verified":
                unusable.append((fact, f"is {fact.state}: it never counts"))
            elif fact.valid_until is not None and fact.valid_until <= at:
                unusable.append((fact, "is expired (past its validUntil)"))
            elif fact.earned > at:
                unusable.append((fact, "was earned after the evaluation time"))
            else:
                usable.append(fact)
        first: dict[str, datetime] = {}
        befores = self._befores
        if befores:
            for fact in usable:
                if fact.achievement_id in befores:
                    known = first.get(fact.achievement_id)
                    if known is None or fact.earned < known:
                        first[fact.achievement_id] = fact.earned
        cutoffs = self.cutoffs(at)
        run = Run(size, usable, unusable, first, cutoffs)
        sat, frac, pick = run.sat, run.frac, run.pick
        aid_leaves, uri_leaves = self._aid_leaves, self._uri_leaves
        for fact in usable:
            hits = aid_leaves.get(fact.achievement_id)
            if hits is not None:
                for i, issuers in hits:
                    if accepts(nodes[i], fact, issuers, cutoffs, first, None):
                        current = pick[i]
                        if current is None or fact.earned > current.earned:
                            pick[i] = fact
                            sat[i] = True
                            frac[i] = 1.0
            if uri_leaves:
                for uri in fact.alignments:
                    hits = uri_leaves.get(uri)
                    if hits is not None:
                        for i, issuers in hits:
                            if accepts(nodes[i], fact, issuers, cutoffs, first, None):
                                current = pick[i]
                                if current is None or fact.earned > current.earned:
                                    pick[i] = fact
                                    sat[i] = True
                                    frac[i] = 1.0
        for i in self._credit_nodes:
            self._credits(nodes[i], i, run)
        for i in self._composites:
            node = nodes[i]
            kind = node.kind
            children = node.children
            if kind == QREF:
                if sat[i]:
                    run.prune = True  # the award is held: its subtree's credentials are not components
                else:
                    sat[i] = sat[children[0]]
                    frac[i] = frac[children[0]]
            elif not children:
                sat[i] = True
                frac[i] = 1.0
            elif kind == ALL:
                met = True
                total = 0.0
                for c in children:
                    met = met and sat[c]
                    total += frac[c]
                sat[i] = met
                frac[i] = total / len(children)
            else:
                n = node.n
                met_children = sum(1 for c in children if sat[c])
                sat[i] = met_children >= n
                if met_children >= n and not met_children == n == len(children):
                    run.prune = True  # only the first n met children are components
                frac[i] = min(1.0, sum(sorted((frac[c] for c in children), reverse=True)[:n]) / n)
        return run

    def _credits(self, node: CNode, i: int, run: Run) -> None:
        cutoff = run.cutoffs[node.within] if node.within is not None else None
        articulated = node.articulated
        first = run.first
        f_ids, f_providers, f_skills, f_areas, f_tags = (
            node.f_ids,
            node.f_providers,
            node.f_skills,
            node.f_areas,
            node.f_tags,
        )
        f_min, f_max = node.f_min, node.f_max
        best: dict[str, tuple[float, CredentialFact]] = {}
        for fact in run.usable:
            amount = articulated.get((fact.achievement_id, fact.issuer_id)) if articulated else None
            if amount is None:
                if f_ids is not None and fact.achievement_id not in f_ids:
                    continue
                if f_providers is not None and fact.issuer_id not in f_providers:
                    continue
                if f_skills is not None and f_skills.isdisjoint(fact.alignments):
                    continue
                if f_areas is not None and f_areas.isdisjoint(fact.skill_areas):
                    continue
                if f_tags is not None and f_tags.isdisjoint(fact.tags):
                    continue
                if f_min is not None or f_max is not None:
                    level = fact.level
                    if level is None or (f_min is not None and level < f_min) or (f_max is not None and level > f_max):
                        continue
                amount = fact.credits
            if cutoff is not None and fact.earned < cutoff:
                continue
            if node.prereqs and not prerequisites_met(node, fact, first, None):
                continue
            held = best.get(fact.achievement_id)
            if held is None or amount > held[0]:
                best[fact.achievement_id] = (amount, fact)
        counted = [entry for entry in best.values() if entry[0] > 0]
        total = sum(amount for amount, _ in counted)
        run.counted[i] = counted
        run.earned[i] = total
        run.sat[i] = total >= node.needed - 1e-9
        run.frac[i] = min(1.0, total / node.needed) if node.needed > 0 else 1.0

    def used(self, run: Run, start: int) -> list[CredentialFact]:
        """The credentials node ``start`` rests on: the chosen n children of a met n-of, all children otherwise."""
        nodes, sat, pick = self.nodes, run.sat, run.pick
        out: list[CredentialFact] = []
        stack = [start]
        while stack:
            i = stack.pop()
            node = nodes[i]
            kind = node.kind
            if kind == CRED:
                out.extend(fact for _, fact in run.counted[i] or ())
            elif kind in (ACH, ALIGN):
                fact = pick[i]
                if fact is not None:
                    out.append(fact)
            elif kind == QREF and pick[i] is not None:
                out.append(pick[i])  # type: ignore[arg-type]
            elif kind == NOF and sat[i]:
                stack.extend(reversed([c for c in node.children if sat[c]][: node.n]))
            else:
                stack.extend(reversed(node.children))
        return out

    def components(self, run: Run, start: int) -> tuple[Component, ...]:
        """Distinct credentials under node ``start`` with their credits, once per achievement (the largest)."""
        credited: dict[str, float] = {}
        for i in self._credit_nodes:
            for amount, fact in run.counted[i] or ():
                if amount > credited.get(fact.credential_id, -1.0):
                    credited[fact.credential_id] = amount
        seen: dict[str, CredentialFact] = {}
        if start == 0 and not run.prune:  # nothing to leave out: every picked or counted credential is used
            for picked in run.pick:
                if picked is not None:
                    seen.setdefault(picked.credential_id, picked)
            for i in self._credit_nodes:
                for _, fact in run.counted[i] or ():
                    seen.setdefault(fact.credential_id, fact)
        else:
            for fact in self.used(run, start):
                seen.setdefault(fact.credential_id, fact)
        per_achievement: dict[str, float] = {}
        out = []
        for fact in sorted(seen.values(), key=lambda f: (f.achievement_id, f.credential_id)):
            amount = credited.get(fact.credential_id, fact.credits)
            already = per_achievement.get(fact.achievement_id, 0.0)
            per_achievement[fact.achievement_id] = max(already, amount)
            out.append(Component(fact.credential_id, fact.achievement_id, fact.issuer_id, max(0.0, amount - already)))
        return tuple(out)
