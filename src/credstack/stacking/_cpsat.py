"""The cheapest remaining set as a CP-SAT model, for trees too large for the branch and bound.

The model mirrors the evaluator's rules, each node as a boolean that may only be true when its rule holds
(one-directional implications: the evaluator's rules are monotone, so the cheapest set that makes the root's
boolean true is the cheapest set that meets the tree):

- a leaf is met by a held credential that already passes it, or by a planned candidate that passes its static checks
  (issuer, recency, threshold) and whose prerequisites are held or planned;
- a credits node: per achievement at most one option (a held or a planned credential) is counted, and the counted
  credits reach the need (credits are scaled to integers, 1/1000 of a credit);
- all-of implies every child, n-of implies n children, a nested reference implies its subtree (its award is not a
  candidate).

Costs are scaled to integers (1/100), so "optimal" is to the cent (or 1/100 hour). The answer is always re-checked
with the evaluator by the caller. OR-Tools is imported only when this runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from credstack.stacking._compile import ACH, ALIGN, ALL, CRED, NOF, QREF, CNode
from credstack.stacking.evaluate import Evaluator, accepts
from credstack.stacking.facts import CredentialFact

__all__ = ["solve_cpsat"]

_CREDIT_SCALE = 1000
_COST_SCALE = 100


def solve_cpsat(
    evaluator: Evaluator,
    held: Sequence[CredentialFact],
    planned: dict[str, CredentialFact],
    costs: dict[str, float],
    at: datetime,
    time_limit: float,
) -> tuple[list[str], bool] | None:
    """(chosen achievement ids, proven optimal) or None when the model finds nothing in time."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    nodes: list[CNode] = evaluator.nodes
    run = evaluator.arrays(held, at=at)  # the held credentials, filtered and indexed
    usable, first, cutoffs = run.usable, run.first, run.cutoffs
    x = {aid: model.new_bool_var(f"x[{aid}]") for aid in costs}
    true = model.new_constant(1)

    def prereq_literal(node: CNode, fact: CredentialFact) -> Any | None:
        """A literal that is true when the prerequisites of ``fact`` are met, or None if they never can be."""
        needs = []
        for before in node.prereqs.get(fact.achievement_id, ()):
            earned = first.get(before)
            if earned is not None and earned <= fact.earned:
                continue
            if before in x and at <= fact.earned:
                needs.append(x[before])
            else:
                return None
        if not needs:
            return true
        both = model.new_bool_var("")
        for need in needs:
            model.add_implication(both, need)
        return both

    def options(node: CNode, fact: CredentialFact, issuers: frozenset[str] | None, planned_aid: str | None) -> Any:
        if not accepts(node, fact, issuers, cutoffs, first, None, prerequisites=False):
            return None
        condition = prereq_literal(node, fact)
        if condition is None or planned_aid is None:
            return condition
        chosen = model.new_bool_var("")
        model.add_implication(chosen, x[planned_aid])
        model.add_implication(chosen, condition)
        return chosen

    met = [model.new_bool_var(f"met[{i}]") for i in range(len(nodes))]
    for i, node in enumerate(nodes):
        if node.kind in (ACH, ALIGN, QREF):
            literals = []
            for key, issuers in node.accept.items():
                pool = [(f, None) for f in usable] + [(p, aid) for aid, p in planned.items() if aid in x]
                for fact, aid in pool:
                    matches = key in fact.alignments if node.kind == ALIGN else fact.achievement_id == key
                    if matches:
                        literal = options(node, fact, issuers, aid)
                        if literal is not None:
                            literals.append(literal)
            if node.kind == QREF:
                literals.append(met[node.children[0]])
            model.add_bool_or([*literals, met[i].negated()])
        elif node.kind == CRED:
            _credits(model, node, met[i], usable, planned, x, first, cutoffs, prereq_literal)
        elif node.kind == ALL:
            for child in node.children:
                model.add_implication(met[i], met[child])
        elif node.kind == NOF:
            model.add(sum(met[c] for c in node.children) >= node.n).only_enforce_if(met[i])
    model.add(met[0] == 1)
    model.minimize(sum(round(costs[aid] * _COST_SCALE) * var for aid, var in x.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    chosen = sorted(aid for aid, var in x.items() if solver.boolean_value(var))
    return chosen, status == cp_model.OPTIMAL


def _credits(
    model: Any,
    node: CNode,
    met: Any,
    usable: list[CredentialFact],
    planned: dict[str, CredentialFact],
    x: dict[str, Any],
    first: dict[str, datetime],
    cutoffs: dict[float, datetime],
    prereq_literal: Any,
) -> None:
    """Per achievement at most one counted option; the counted credits reach the need when ``met``."""
    cutoff = cutoffs[node.within] if node.within is not None else None
    by_achievement: dict[str, list[tuple[int, Any]]] = {}
    facts = [(f, None) for f in usable] + [(p, aid) for aid, p in planned.items() if aid in x]
    for fact, aid in facts:
        amount = node.articulated.get((fact.achievement_id, fact.issuer_id)) if node.articulated else None
        if amount is None:
            if not _passes_filter(node, fact):
                continue
            amount = fact.credits
        if amount <= 0 or (cutoff is not None and fact.earned < cutoff):
            continue
        condition = prereq_literal(node, fact)
        if condition is None:
            continue
        counted = model.new_bool_var("")
        model.add_implication(counted, condition)
        if aid is not None:
            model.add_implication(counted, x[aid])
        by_achievement.setdefault(fact.achievement_id, []).append((round(amount * _CREDIT_SCALE), counted))
    terms: list[Any] = []
    for group in by_achievement.values():
        model.add_at_most_one([counted for _, counted in group])
        terms.extend(amount * counted for amount, counted in group)
    needed = round(node.needed * _CREDIT_SCALE)
    model.add(sum(terms) >= needed).only_enforce_if(met)


def _passes_filter(node: CNode, fact: CredentialFact) -> bool:
    if node.f_ids is not None and fact.achievement_id not in node.f_ids:
        return False
    if node.f_providers is not None and fact.issuer_id not in node.f_providers:
        return False
    if node.f_skills is not None and node.f_skills.isdisjoint(fact.alignments):
        return False
    if node.f_areas is not None and node.f_areas.isdisjoint(fact.skill_areas):
        return False
    if node.f_tags is not None and node.f_tags.isdisjoint(fact.tags):
        return False
    level = fact.level
    if node.f_min is not None and (level is None or level < node.f_min):
        return False
    return not (node.f_max is not None and (level is None or level > node.f_max))
