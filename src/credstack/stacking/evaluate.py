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

from collections.abc import Iterable, Sequence
from datetime import datetime

from credstack.errors import InvalidInputError
from credstack.stacking._compile import ACH, ALIGN, ALL, CRED, NOF, QREF, CNode, compile_tree, years_before
from credstack.stacking._explain import explain
from credstack.stacking.facts import Catalog, CredentialFact
from credstack.stacking.model import Qualification
from credstack.stacking.progress import Component, IgnoredCredential, Progress
from credstack.stacking.validate import ensure_valid

__all__ = ["Evaluator"]


class _State:
    """Per-evaluation arrays, indexed like the compiled nodes."""

    __slots__ = ("credited", "earned", "frac", "misses", "sat", "used")

    def __init__(self, size: int) -> None:
        self.sat = [False] * size
        self.frac = [0.0] * size
        self.used: list[list[CredentialFact]] = [[] for _ in range(size)]
        self.earned = [0.0] * size
        self.credited: dict[str, float] = {}
        self.misses: list[list[str]] | None = None


def _meets(fact: CredentialFact, threshold: tuple[frozenset[str], float | None, tuple[str, ...], int]) -> bool:
    refs, minimum, allowed, index = threshold
    for result in fact.results:
        if result.result_description not in refs and result.name not in refs:
            continue
        value = result.value
        if minimum is not None:
            try:
                if value is not None and float(value) >= minimum:
                    return True
            except ValueError:
                continue
        elif isinstance(value, str) and value in allowed and allowed.index(value) >= index:
            return True
    return False


class Evaluator:
    """A qualification compiled against a catalog; evaluate as many learners as you like with it."""

    def __init__(self, qualification: Qualification, catalog: Catalog) -> None:
        ensure_valid(qualification, catalog)
        self.qualification = qualification
        self.catalog = catalog
        self.nodes: list[CNode] = compile_tree(qualification, catalog)
        self._order = tuple(range(len(self.nodes) - 1, -1, -1))
        self._leaves = tuple(i for i, n in enumerate(self.nodes) if n.kind in (ACH, ALIGN, QREF))
        self._credit_nodes = tuple(i for i, n in enumerate(self.nodes) if n.kind == CRED)
        self._has_prereqs = any(n.prereqs for n in self.nodes)
        needs = [n.needed for n in self.nodes if n.kind == CRED]
        self.credits_needed = qualification.credits if qualification.credits is not None else max(needs, default=None)
        self._cutoff_cache: tuple[datetime, dict[float, datetime]] | None = None

    # ------------------------------------------------------------------ public
    def progress(self, facts: Iterable[CredentialFact], *, at: datetime) -> Progress:
        """The learner's full progress (every node, with reasons) at ``at`` (timezone-aware)."""
        facts = tuple(facts)
        state, ignored = self._run(facts, at, detail=True)
        components = self._components(state)
        return Progress(
            qualification_id=self.qualification.id,
            at=at,
            satisfied=state.sat[0],
            fraction=state.frac[0],
            credits_earned=sum(c.credits for c in components),
            credits_needed=self.credits_needed,
            nodes=tuple(explain(self.nodes, state.sat, state.frac, state.used, state.earned, state.misses or [])),
            components=components,
            ignored=tuple(ignored),
            facts=facts,
            evaluator=self,
        )

    def status(self, facts: Sequence[CredentialFact], *, at: datetime) -> tuple[bool, float]:
        """Just (satisfied, fraction): the fast path for search and bulk summaries."""
        state, _ = self._run(facts, at, detail=False)
        return state.sat[0], state.frac[0]

    def node_states(self, facts: Sequence[CredentialFact], *, at: datetime) -> tuple[tuple[bool, float], ...]:
        """(satisfied, fraction) of every compiled node, root first."""
        state, _ = self._run(facts, at, detail=False)
        return tuple(zip(state.sat, state.frac, strict=True))

    # ------------------------------------------------------------------ core
    def _cutoffs(self, at: datetime) -> dict[float, datetime]:
        cache = self._cutoff_cache
        if cache is not None and cache[0] == at:
            return cache[1]
        years = {n.within for n in self.nodes if n.within is not None}
        cutoffs = {y: years_before(at, y) for y in years}
        self._cutoff_cache = (at, cutoffs)
        return cutoffs

    def _run(
        self, facts: Sequence[CredentialFact], at: datetime, *, detail: bool
    ) -> tuple[_State, list[IgnoredCredential]]:
        if not isinstance(at, datetime) or at.tzinfo is None:
            raise InvalidInputError("the evaluation time 'at' must be a timezone-aware datetime")
        nodes = self.nodes
        state = _State(len(nodes))
        ignored: list[IgnoredCredential] = []
        by_aid: dict[str, list[CredentialFact]] = {}
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
                by_aid.setdefault(fact.achievement_id, []).append(fact)
        if unusable and detail:
            ignored = [IgnoredCredential(fact.credential_id, reason) for fact, reason in unusable]
        first: dict[str, datetime] = {}
        if self._has_prereqs:
            for aid, group in by_aid.items():
                first[aid] = min(f.earned for f in group)
        cutoffs = self._cutoffs(at)
        if detail:
            state.misses = [[] for _ in nodes]
            for i in self._leaves:
                accept = nodes[i].accept
                for fact, reason in unusable:
                    if fact.achievement_id in accept:
                        state.misses[i].append(f"{fact.credential_id} {reason}")
        by_align: dict[str, list[CredentialFact]] | None = None
        for i in self._leaves:
            node = nodes[i]
            cutoff = cutoffs[node.within] if node.within is not None else None
            if node.kind == ALIGN:
                if by_align is None:
                    by_align = {}
                    for fact in usable:
                        for uri in fact.alignments:
                            by_align.setdefault(uri, []).append(fact)
                pools = [(by_align.get(uri, ()), issuers) for uri, issuers in node.accept.items()]
            else:
                pools = [(by_aid.get(aid, ()), issuers) for aid, issuers in node.accept.items()]
            best: CredentialFact | None = None
            misses = state.misses[i] if state.misses is not None else None
            for pool, issuers in pools:
                for fact in pool:
                    if issuers is not None and fact.issuer_id not in issuers:
                        if misses is not None:
                            misses.append(f"{fact.credential_id} is from {fact.issuer_id}, not an accepted issuer")
                        continue
                    if cutoff is not None and fact.earned < cutoff:
                        if misses is not None:
                            misses.append(f"{fact.credential_id} was earned before {cutoff.date()} (too old)")
                        continue
                    if node.threshold is not None and not _meets(fact, node.threshold):
                        if misses is not None:
                            misses.append(f"{fact.credential_id} has no result meeting the threshold")
                        continue
                    if first and not self._prereqs_met(node, fact, first, misses):
                        continue
                    if best is None or fact.earned > best.earned:
                        best = fact
            if best is not None:
                state.sat[i] = True
                state.frac[i] = 1.0
                state.used[i] = [best]
        for i in self._credit_nodes:
            self._credits(nodes[i], i, usable, first, cutoffs, state)
        for i in self._order:
            node = nodes[i]
            kind = node.kind
            if kind in (ALL, NOF):
                children = node.children
                if not children:
                    state.sat[i] = True
                    state.frac[i] = 1.0
                    continue
                fracs = sorted((state.frac[c] for c in children), reverse=True)
                count = sum(1 for c in children if state.sat[c])
                n = node.n
                state.sat[i] = count >= n
                state.frac[i] = min(1.0, sum(fracs[:n]) / n)
                chosen = [c for c in children if state.sat[c]][:n] if count >= n else children
                used = state.used[i]
                for c in chosen:
                    used.extend(state.used[c])
            elif kind == QREF and not state.sat[i]:
                child = node.children[0]
                state.sat[i] = state.sat[child]
                state.frac[i] = state.frac[child]
                state.used[i] = list(state.used[child])
        return state, ignored

    @staticmethod
    def _prereqs_met(node: CNode, fact: CredentialFact, first: dict[str, datetime], misses: list[str] | None) -> bool:
        befores = node.prereqs.get(fact.achievement_id)
        if not befores:
            return True
        for before in befores:
            earned = first.get(before)
            if earned is None or earned > fact.earned:
                if misses is not None:
                    misses.append(f"{fact.credential_id} was earned before its prerequisite {before}")
                return False
        return True

    def _credits(
        self,
        node: CNode,
        i: int,
        usable: list[CredentialFact],
        first: dict[str, datetime],
        cutoffs: dict[float, datetime],
        state: _State,
    ) -> None:
        cutoff = cutoffs[node.within] if node.within is not None else None
        articulated = node.articulated
        best: dict[str, tuple[float, CredentialFact]] = {}
        for fact in usable:
            amount = articulated.get((fact.achievement_id, fact.issuer_id)) if articulated else None
            if amount is None:
                if node.f_ids is not None and fact.achievement_id not in node.f_ids:
                    continue
                if node.f_providers is not None and fact.issuer_id not in node.f_providers:
                    continue
                if node.f_skills is not None and node.f_skills.isdisjoint(fact.alignments):
                    continue
                if node.f_areas is not None and node.f_areas.isdisjoint(fact.skill_areas):
                    continue
                if node.f_tags is not None and node.f_tags.isdisjoint(fact.tags):
                    continue
                level = fact.level
                if node.f_min is not None and (level is None or level < node.f_min):
                    continue
                if node.f_max is not None and (level is None or level > node.f_max):
                    continue
                amount = fact.credits
            if cutoff is not None and fact.earned < cutoff:
                continue
            if first and not self._prereqs_met(node, fact, first, None):
                continue
            held = best.get(fact.achievement_id)
            if held is None or amount > held[0]:
                best[fact.achievement_id] = (amount, fact)
        total = 0.0
        used = state.used[i]
        credited = state.credited
        for amount, fact in best.values():
            total += amount
            if amount > 0:
                used.append(fact)
                if amount > credited.get(fact.credential_id, -1.0):
                    credited[fact.credential_id] = amount
        state.earned[i] = total
        state.sat[i] = total >= node.needed - 1e-9
        state.frac[i] = min(1.0, total / node.needed) if node.needed > 0 else 1.0

    def _components(self, state: _State) -> tuple[Component, ...]:
        """The credentials the root's decision rests on; credits counted once per achievement (the largest)."""
        seen: dict[str, CredentialFact] = {}
        for fact in state.used[0]:
            seen.setdefault(fact.credential_id, fact)
        per_achievement: dict[str, float] = {}
        out = []
        for fact in sorted(seen.values(), key=lambda f: (f.achievement_id, f.credential_id)):
            amount = state.credited.get(fact.credential_id, fact.credits)
            already = per_achievement.get(fact.achievement_id, 0.0)
            counted = max(0.0, amount - already)
            per_achievement[fact.achievement_id] = max(already, amount)
            out.append(Component(fact.credential_id, fact.achievement_id, fact.issuer_id, counted))
        return tuple(out)
