"""Turn the evaluator's per-node arrays into :class:`NodeProgress` values with a reason a learner can read.

Worked out only when ``Progress.nodes`` is read: bulk summaries never pay for the sentences."""

from __future__ import annotations

from typing import TYPE_CHECKING

from credstack.stacking._compile import ACH, ALIGN, ALL, CRED, NOF, QREF, CNode
from credstack.stacking.facts import CredentialFact
from credstack.stacking.progress import NodeProgress, Run

if TYPE_CHECKING:
    from credstack.stacking.evaluate import Evaluator

__all__ = ["explain"]

_KINDS = ("all-of", "n-of", "credits", "achievement", "alignment", "qualification")


def _misses(evaluator: Evaluator, node: CNode, run: Run) -> list[str]:
    """Why each credential that could have met an unmet leaf did not."""
    from credstack.stacking.evaluate import accepts

    misses: list[str] = []
    for fact in run.usable:
        if node.kind == ALIGN:
            keys = [uri for uri in node.accept if uri in fact.alignments]
        else:
            keys = [fact.achievement_id] if fact.achievement_id in node.accept else []
        for key in keys:
            accepts(node, fact, node.accept[key], run.cutoffs, run.first, misses)
    for fact, reason in run.unusable:
        if fact.achievement_id in node.accept or any(uri in node.accept for uri in fact.alignments):
            misses.append(f"{fact.credential_id} {reason}")
    return misses


def _reason(evaluator: Evaluator, i: int, run: Run) -> str:
    nodes = evaluator.nodes
    node = nodes[i]
    sat = run.sat
    kind = node.kind
    if kind in (ALL, NOF):
        met = sum(1 for c in node.children if sat[c])
        total = len(node.children)
        if kind == ALL:
            if sat[i]:
                return f"all {total} requirements met"
            missing = ", ".join(nodes[c].title for c in node.children if not sat[c])
            return f"{met} of {total} requirements met; still needed: {missing}"
        return f"{met} of {total} met (needs {node.n})" if sat[i] else f"{met} of {total} met, needs {node.n}"
    if kind == CRED:
        verdict = "met" if sat[i] else f"{max(0.0, node.needed - run.earned[i]):g} more needed"
        return f"{run.earned[i]:g} of {node.needed:g} credits: {verdict}"
    picked = run.pick[i]
    if sat[i]:
        if picked is not None:
            return f"met by credential {picked.credential_id}"
        return "its requirements are met"
    if kind == ACH:
        aid = next(iter(node.accept))
        base = f"needs a credential for {node.names.get(aid, aid)} ({aid})"
    elif kind == ALIGN:
        base = f"needs a credential aligned to {next(iter(node.accept))}"
    else:
        return f"{round(100 * run.frac[i], 1):g}% of its requirements met, and its award is not held"
    misses = _misses(evaluator, node, run)
    return f"{base}; not counted: {'; '.join(misses)}" if misses else base


def _used_by_node(evaluator: Evaluator, run: Run) -> list[list[CredentialFact]]:
    """Per node, the credentials it rests on (same rule as ``Evaluator.used``), bottom-up in one pass."""
    nodes, sat, pick = evaluator.nodes, run.sat, run.pick
    used: list[list[CredentialFact]] = [[] for _ in nodes]
    for i in range(len(nodes) - 1, -1, -1):
        node = nodes[i]
        if node.kind == CRED:
            used[i] = [fact for _, fact in run.counted[i] or ()]
        elif node.kind in (ACH, ALIGN) or (node.kind == QREF and pick[i] is not None):
            picked = pick[i]
            used[i] = [picked] if picked is not None else []
        else:
            children = node.children
            if node.kind == NOF and sat[i]:
                children = tuple(c for c in children if sat[c])[: node.n]
            used[i] = [fact for c in children for fact in used[c]]
    return used


def _ref(evaluator: Evaluator, node: CNode) -> str | None:
    if node.kind in (ACH, ALIGN):
        return next(iter(node.accept), None)
    if node.kind == QREF and node.children:
        return evaluator.nodes[node.children[0]].qualification
    return node.node_id


def explain(evaluator: Evaluator, run: Run) -> tuple[NodeProgress, ...]:
    """One NodeProgress per compiled node, root first."""
    out = []
    used = _used_by_node(evaluator, run)
    for i, node in enumerate(evaluator.nodes):
        is_credits = node.kind == CRED
        out.append(
            NodeProgress(
                path=node.path,
                kind=_KINDS[node.kind],
                title=node.title,
                depth=node.depth,
                satisfied=run.sat[i],
                fraction=run.frac[i],
                credentials=tuple(dict.fromkeys(fact.credential_id for fact in used[i])),
                reason=_reason(evaluator, i, run),
                credits_earned=run.earned[i] if is_credits else None,
                credits_needed=node.needed if is_credits else None,
                ref=_ref(evaluator, node),
            )
        )
    return tuple(out)
