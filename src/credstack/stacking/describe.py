"""A qualification's requirement tree in words: one describer for the award Achievement's ``criteria.narrative``
and for the pathway pages, their JSON twins, the API and the CLI (pure: no I/O).

Every requirement node gets a label ("All of:", "Any 1 of:", "At least 3 credits tagged database administrator",
the achievement's name, "The stack Data analyst foundations"), every articulation rule a sentence ("Applied SQL from
Riverside University counts as Database querying and for 1.5 credits"), every prerequisite a sentence.

Where the names come from is the caller's business: :class:`Names` holds one lookup per kind of id (achievement id
-> name, issuer id -> name, skill URI -> label, qualification id -> name, and qualification id -> its tree, to
inline a nested stack). A lookup that has no answer returns ``None`` (or ``""``); then ``Names.unknown`` says what
is shown instead: the id as it is (:func:`as_is`, the default: a signed narrative keeps every id whole) or a short
form (:func:`shorten`: ``did:key:z6MkwT…x7Qa``, ``achievement 1a8b2c3d… at other.example``) for pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from credstack.stacking.model import (
    AllOf,
    Articulation,
    CreditFilter,
    MinCredits,
    NOf,
    Prerequisite,
    Qualification,
    RequireAchievement,
    RequireAlignment,
    Requirement,
    RequireQualification,
)

__all__ = [
    "Names",
    "RequirementWords",
    "as_is",
    "describe_requirements",
    "short_did",
    "short_ref",
    "shorten",
    "walk_requirements",
]

Lookup = Callable[[str], str | None]


def short_did(did: str) -> str:
    """A DID shortened for display: ``did:key:z6MkwTq…x7Qa`` (short DIDs as they are)."""
    if len(did) <= 28:
        return did
    head = did[: did.index(":", 4) + 1] if did.count(":") >= 2 else ""
    rest = did[len(head) :]
    return f"{head}{rest[:6]}…{rest[-4:]}"


def short_ref(ref: str, noun: str = "achievement") -> str:
    """A reference without its raw URL: ``achievement 1a8b2c3d… at host`` (``noun`` names what it is)."""
    if ref.startswith("did:"):
        return short_did(ref)
    parts = urlsplit(ref)
    if parts.scheme in ("http", "https") and parts.netloc:
        tail = parts.path.rstrip("/").rsplit("/", 1)[-1] or parts.netloc
        tail = tail if len(tail) <= 24 else tail[:8] + "…"
        return f"{noun} {tail} at {parts.netloc}"
    if ref.startswith("urn:"):
        return f"{noun} {ref.rsplit(':', 1)[-1][:8]}…"
    return ref


def as_is(ref: str, noun: str) -> str:
    """Show an id no lookup names as it is (the default: nothing is lost)."""
    return ref


def shorten(ref: str, noun: str) -> str:
    """Show an id no lookup names shortened, never as a raw URL or DID: issuers by :func:`short_did`, achievements
    and skills by :func:`short_ref`; a stack by its id (the slug in its page's address)."""
    if noun == "issuer":
        return short_did(ref)
    if noun == "stack":
        return ref
    return short_ref(ref, noun)


def _no_answer(key: str) -> None:
    return None


@dataclass(frozen=True)
class Names:
    """Where the describer gets its names: one lookup per kind of id, each returning ``None`` when it has no answer,
    and ``unknown(id, noun)`` for what is shown then (``noun`` is ``achievement``, ``issuer``, ``skill`` or
    ``stack``). ``nested`` gives a nested stack's qualification to inline it under its reference."""

    achievement: Lookup = _no_answer
    issuer: Lookup = _no_answer
    skill: Lookup = _no_answer
    stack: Lookup = _no_answer
    nested: Callable[[str], Qualification | None] = _no_answer
    unknown: Callable[[str, str], str] = as_is

    @classmethod
    def from_mapping(cls, names: Mapping[str, str]) -> Names:
        """One mapping of ids to names for every kind of id; unknown ids as they are; nested stacks not inlined."""
        return cls(achievement=names.get, issuer=names.get, skill=names.get, stack=names.get)


def walk_requirements(
    qualification: Qualification, nested: Callable[[str], Qualification | None] = _no_answer
) -> Iterator[tuple[Requirement, int]]:
    """Every node with its depth, root first (pre-order), as the engine lists them (``Progress.nodes``). A nested
    stack that ``nested`` knows is inlined under its reference, once per path (a cycle is not followed)."""

    def visit(node: Requirement, depth: int, trail: tuple[str, ...]) -> Iterator[tuple[Requirement, int]]:
        yield node, depth
        if isinstance(node, (AllOf, NOf)):
            for child in node.children:
                yield from visit(child, depth + 1, trail)
        elif isinstance(node, RequireQualification):
            inner = nested(node.qualification_id)
            if inner is not None and inner.id not in trail:
                yield from visit(inner.requirement, depth + 1, (*trail, inner.id))

    yield from visit(qualification.requirement, 0, (qualification.id,))


def _years(within: float | None) -> str:
    return f", earned within the last {within:g} years" if within is not None else ""


def _or(items: Iterable[str]) -> str:
    values = list(items)
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + " or " + values[-1]


@dataclass(frozen=True)
class RequirementWords:
    """The sentences for a qualification's nodes and rules, with names from ``names``."""

    names: Names = Names()

    # -- names -------------------------------------------------------------------------------------------------
    def achievement(self, key: str) -> str:
        return self.names.achievement(key) or self.names.unknown(key, "achievement")

    def issuer(self, did: str) -> str:
        return self.names.issuer(did) or self.names.unknown(did, "issuer")

    def skill(self, uri: str) -> str:
        return self.names.skill(uri) or self.names.unknown(uri, "skill")

    def stack(self, qualification_id: str) -> str:
        return self.names.stack(qualification_id) or self.names.unknown(qualification_id, "stack")

    # -- sentences ---------------------------------------------------------------------------------------------
    def credit_filter(self, flt: CreditFilter) -> str:
        """`` tagged data analyst, at EQF level 6 or above, issued by …`` (every part must hold; within a part, any
        listed value will do); empty for an empty filter."""
        parts = []
        if flt.achievement_ids:
            parts.append("from " + _or(self.achievement(a) for a in sorted(flt.achievement_ids)))
        if flt.tags:
            parts.append("tagged " + _or(sorted(flt.tags)))
        if flt.skills:
            parts.append("in " + _or(sorted(self.skill(s) for s in flt.skills)))
        if flt.skill_areas:
            parts.append("in the skill area " + _or(sorted(self.skill(s) for s in flt.skill_areas)))
        if flt.min_level is not None and flt.max_level is not None:
            parts.append(f"at EQF level {flt.min_level} to {flt.max_level}")
        elif flt.min_level is not None:
            parts.append(f"at EQF level {flt.min_level} or above")
        elif flt.max_level is not None:
            parts.append(f"at EQF level {flt.max_level} or below")
        if flt.providers:
            parts.append("issued by " + _or(sorted(self.issuer(p) for p in flt.providers)))
        return (" " + ", ".join(parts)) if parts else ""

    def node(self, node: Requirement) -> str:
        """The label of one requirement node, its own label (if any) in brackets."""
        label = f" ({node.label})" if node.label else ""
        if isinstance(node, AllOf):
            return f"All of{label}:"
        if isinstance(node, NOf):
            return f"Any {node.n} of{label}:"
        if isinstance(node, MinCredits):
            return (
                f"At least {node.credits:g} credits{self.credit_filter(node.filter)}{_years(node.within_years)}{label}"
            )
        if isinstance(node, RequireAchievement):
            text = self.achievement(node.achievement_id)
            if node.threshold is not None:
                wanted = node.threshold.min_value
                shown = f"{wanted:g}" if isinstance(wanted, float) else wanted
                text += f", with {node.threshold.result} of at least {shown}"
            if node.issuers:
                text += " (also accepted from " + _or(sorted(self.issuer(i) for i in node.issuers)) + ")"
            return text + _years(node.within_years) + label
        if isinstance(node, RequireAlignment):
            text = f"Any credential in {self.skill(node.target_url)}"
            if node.issuers:
                text += " issued by " + _or(sorted(self.issuer(i) for i in node.issuers))
            return text + _years(node.within_years) + label
        return f"The stack {self.stack(node.qualification_id)}{label}"

    def _toward(self, qualification: Qualification | None, node_id: str) -> str:
        found = None
        if qualification is not None:
            found = next((n for n, _ in walk_requirements(qualification) if n.id == node_id), None)
        if isinstance(found, MinCredits):
            return found.label or f"the {found.credits:g} credits{self.credit_filter(found.filter)}"
        return "the credits requirement"

    def articulation(self, rule: Articulation, qualification: Qualification | None = None) -> str:
        """``Applied SQL from Riverside University counts as Database querying and for 1.5 credits`` (the credits
        node it counts toward is found in ``qualification``)."""
        grants = []
        if rule.equivalent_to is not None:
            grants.append(f"counts as {self.achievement(rule.equivalent_to)}")
        if rule.credits is not None:
            toward = f" toward {self._toward(qualification, rule.toward)}" if rule.toward else ""
            grants.append(("" if grants else "counts ") + f"for {rule.credits:g} credits{toward}")
        return f"{self.achievement(rule.achievement_id)} from {self.issuer(rule.issuer_id)} " + " and ".join(grants)

    def prerequisite(self, rule: Prerequisite) -> str:
        return f"{self.achievement(rule.before)} must be earned before {self.achievement(rule.after)}"

    # -- whole trees -------------------------------------------------------------------------------------------
    def walk(self, qualification: Qualification) -> Iterator[tuple[Requirement, int]]:
        """:func:`walk_requirements`, nested stacks inlined when ``names.nested`` knows them."""
        return walk_requirements(qualification, self.names.nested)

    def markdown(self, qualification: Qualification) -> str:
        """Markdown bullets for the tree (indented by depth), then one bullet per prerequisite and articulation."""
        lines = [f"{'  ' * depth}- {self.node(node)}" for node, depth in self.walk(qualification)]
        lines += [f"- {self.prerequisite(rule)}" for rule in qualification.prerequisites]
        lines += [f"- {self.articulation(rule, qualification)}" for rule in qualification.articulations]
        return "\n".join(lines)


def describe_requirements(qualification: Qualification, names: Mapping[str, str] | Names | None = None) -> str:
    """The award Achievement's ``criteria.narrative``: :meth:`RequirementWords.markdown`. ``names`` is one mapping
    of ids to names (ids it does not name are shown whole) or a :class:`Names`."""
    if not isinstance(names, Names):
        names = Names.from_mapping(names or {})
    return RequirementWords(names).markdown(qualification)
