"""Turn the evaluator's per-node arrays into :class:`NodeProgress` values with a reason a learner can read."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from credstack.stacking._compile import ACH, ALIGN, ALL, CRED, NOF, CNode
from credstack.stacking.facts import CredentialFact
from credstack.stacking.progress import NodeProgress

__all__ = ["explain"]

_KINDS = ("all-of", "n-of", "credits", "achievement", "alignment", "qualification")


def _ids(facts: Sequence[CredentialFact]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for fact in facts:
        seen.setdefault(fact.credential_id, None)
    return tuple(seen)


def _reason(
    node: CNode,
    i: int,
    nodes: Sequence[CNode],
    sat: Sequence[bool],
    frac: Sequence[float],
    used: Sequence[Sequence[CredentialFact]],
    earned: Sequence[float],
    misses: Sequence[str],
) -> str:
    kind = node.kind
    if kind in (ALL, NOF):
        met = sum(1 for c in node.children if sat[c])
        total = len(node.children)
        if kind == ALL:
            if sat[i]:
                return f"all {total} requirements met"
            missing = ", ".join(nodes[c].title for c in node.children if not sat[c])
            return f"{met} of {total} requirements met; still needed: {missing}"
        if sat[i]:
            return f"{met} of {total} met (needs {node.n})"
        return f"{met} of {total} met, needs {node.n}"
    if kind == CRED:
        verdict = "met" if sat[i] else f"{max(0.0, node.needed - earned[i]):g} more needed"
        return f"{earned[i]:g} of {node.needed:g} credits: {verdict}"
    if sat[i]:
        fact = used[i][0] if used[i] else None
        if kind != ACH and kind != ALIGN and fact is None:
            return "its requirements are met"
        if fact is not None and kind not in (ACH, ALIGN) and fact.achievement_id != node.award:
            return "its requirements are met"
        return f"met by credential {fact.credential_id}" if fact else "met"
    if kind == ACH:
        what = "; ".join(f"{node.names.get(aid, aid)} ({aid})" for aid in list(node.accept)[:1])
        base = f"needs a credential for {what}"
    elif kind == ALIGN:
        base = f"needs a credential aligned to {next(iter(node.accept))}"
    else:
        return f"{round(100 * frac[i], 1):g}% of its requirements met, and its award is not held"
    if misses:
        return f"{base}; not counted: {'; '.join(misses)}"
    return base


def explain(
    nodes: Sequence[CNode],
    sat: Sequence[bool],
    frac: Sequence[float],
    used: Sequence[Sequence[CredentialFact]],
    earned: Sequence[float],
    misses: Sequence[Sequence[str]],
) -> Iterator[NodeProgress]:
    """One NodeProgress per compiled node, root first."""
    for i, node in enumerate(nodes):
        node_misses = misses[i] if i < len(misses) else ()
        is_credits = node.kind == CRED
        yield NodeProgress(
            path=node.path,
            kind=_KINDS[node.kind],
            title=node.title,
            depth=node.depth,
            satisfied=sat[i],
            fraction=frac[i],
            credentials=_ids(used[i]),
            reason=_reason(node, i, nodes, sat, frac, used, earned, node_misses),
            credits_earned=earned[i] if is_credits else None,
            credits_needed=node.needed if is_credits else None,
        )
