"""A qualification's requirement tree written out as Markdown (the award Achievement's ``criteria.narrative``)."""

from __future__ import annotations

from collections.abc import Mapping

from credstack.stacking.model import (
    AllOf,
    CreditFilter,
    MinCredits,
    NOf,
    Qualification,
    RequireAchievement,
    RequireAlignment,
    Requirement,
)

__all__ = ["describe_requirements"]


def _years(within: float | None) -> str:
    return f", earned within the last {within:g} years" if within is not None else ""


def _filter(flt: CreditFilter, names: Mapping[str, str]) -> str:
    parts = []
    if flt.achievement_ids:
        parts.append("from " + ", ".join(names.get(a, a) for a in sorted(flt.achievement_ids)))
    if flt.min_level is not None and flt.max_level is not None:
        parts.append(f"at level {flt.min_level} to {flt.max_level}")
    elif flt.min_level is not None:
        parts.append(f"at level {flt.min_level} or above")
    elif flt.max_level is not None:
        parts.append(f"at level {flt.max_level} or below")
    for label, values in (
        ("in skills", flt.skills),
        ("in skill areas", flt.skill_areas),
        ("from providers", flt.providers),
        ("tagged", flt.tags),
    ):
        if values:
            parts.append(f"{label} " + ", ".join(sorted(values)))
    return (" " + "; ".join(parts)) if parts else ""


def _line(node: Requirement, names: Mapping[str, str]) -> str:
    if isinstance(node, AllOf):
        return "All of:"
    if isinstance(node, NOf):
        return f"At least {node.n} of:"
    if isinstance(node, MinCredits):
        return f"At least {node.credits:g} credits{_filter(node.filter, names)}{_years(node.within_years)}"
    if isinstance(node, RequireAchievement):
        text = names.get(node.achievement_id, node.achievement_id)
        if node.threshold is not None:
            wanted = node.threshold.min_value
            shown = f"{wanted:g}" if isinstance(wanted, float) else wanted
            text += f" with {node.threshold.result} of at least {shown}"
        if node.issuers:
            text += " (also accepted from " + ", ".join(sorted(node.issuers)) + ")"
        return text + _years(node.within_years)
    if isinstance(node, RequireAlignment):
        return f"A credential aligned to {names.get(node.target_url, node.target_url)}{_years(node.within_years)}"
    return f"The qualification {names.get(node.qualification_id, node.qualification_id)}"


def describe_requirements(qualification: Qualification, names: Mapping[str, str] | None = None) -> str:
    """Markdown bullets for the tree, then prerequisites and articulation rules. ``names`` maps ids to names."""
    names = names or {}
    lines: list[str] = []

    def walk(node: Requirement, depth: int) -> None:
        label = f" ({node.label})" if node.label else ""
        lines.append(f"{'  ' * depth}- {_line(node, names)}{label}")
        if isinstance(node, (AllOf, NOf)):
            for child in node.children:
                walk(child, depth + 1)

    walk(qualification.requirement, 0)
    for rule in qualification.prerequisites:
        lines.append(
            f"- {names.get(rule.before, rule.before)} must be earned before {names.get(rule.after, rule.after)}"
        )
    for art in qualification.articulations:
        grants = []
        if art.equivalent_to is not None:
            grants.append(f"counts as {names.get(art.equivalent_to, art.equivalent_to)}")
        if art.credits is not None:
            grants.append(f"counts for {art.credits:g} credits" + (f" toward {art.toward}" if art.toward else ""))
        source = names.get(art.achievement_id, art.achievement_id)
        lines.append(f"- {source} from {art.issuer_id} " + " and ".join(grants))
    return "\n".join(lines)
