"""Progress values: what the evaluator returns for one learner and one qualification."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from credstack.stacking.facts import CredentialFact

if TYPE_CHECKING:
    from credstack.stacking.evaluate import Evaluator

__all__ = ["Component", "IgnoredCredential", "NodeProgress", "Progress", "Run"]


@dataclass(frozen=True, slots=True)
class NodeProgress:
    """One node of the tree for one learner: met or not, how far, with which credentials, and why."""

    path: str
    kind: str
    title: str
    depth: int
    satisfied: bool
    fraction: float
    credentials: tuple[str, ...]
    reason: str
    credits_earned: float | None = None
    credits_needed: float | None = None
    #: what the node refers to: the achievement id, the alignment URI, the nested qualification id, or the node's
    #: own ``id`` (all-of, n-of, credits), for renderers that show names instead of ids
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Component:
    """A credential that counts toward the qualification, with the credits it brings."""

    credential_id: str
    achievement_id: str
    issuer_id: str
    credits: float


@dataclass(frozen=True, slots=True)
class IgnoredCredential:
    """A credential that did not count at all, and why (revoked, suspended, expired, ...)."""

    credential_id: str
    reason: str


@dataclass(frozen=True)
class Progress:
    """A learner's progress toward one qualification at time ``at``."""

    qualification_id: str
    at: datetime
    satisfied: bool
    fraction: float
    credits_earned: float
    credits_needed: float | None
    components: tuple[Component, ...]
    ignored: tuple[IgnoredCredential, ...]
    facts: tuple[CredentialFact, ...] = field(repr=False, compare=False)
    evaluator: Evaluator = field(repr=False, compare=False)
    run: Run = field(repr=False, compare=False)

    @cached_property
    def nodes(self) -> tuple[NodeProgress, ...]:
        """Every node of the tree (nested qualifications inlined), root first, with credentials and reasons."""
        from credstack.stacking._explain import explain

        return explain(self.evaluator, self.run)

    @property
    def percent(self) -> float:
        """Progress in percent, one decimal."""
        return round(100.0 * self.fraction, 1)

    @property
    def missing(self) -> tuple[NodeProgress, ...]:
        """The concrete things still to do: unmet achievement, alignment and credits nodes under no met ancestor
        (an unmet option of an n-of that is already met is not missing)."""
        out = []
        ancestors: list[bool] = []
        for node in self.nodes:
            del ancestors[node.depth :]
            if not node.satisfied and not any(ancestors) and node.kind in ("credits", "achievement", "alignment"):
                out.append(node)
            ancestors.append(node.satisfied)
        return tuple(out)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (for the API twin of a progress page): totals, components, ignored, every node."""
        return {
            "qualificationId": self.qualification_id,
            "at": self.at.isoformat(),
            "satisfied": self.satisfied,
            "percent": self.percent,
            "creditsEarned": self.credits_earned,
            "creditsNeeded": self.credits_needed,
            "components": [
                {"credentialId": c.credential_id, "achievementId": c.achievement_id, "credits": c.credits}
                for c in self.components
            ],
            "ignored": [{"credentialId": i.credential_id, "reason": i.reason} for i in self.ignored],
            "nodes": [
                {
                    "path": n.path,
                    "kind": n.kind,
                    "satisfied": n.satisfied,
                    "percent": round(100 * n.fraction, 1),
                    "credentials": list(n.credentials),
                    "reason": n.reason,
                }
                | ({"ref": n.ref} if n.ref is not None else {})
                | (
                    {"creditsEarned": n.credits_earned, "creditsNeeded": n.credits_needed}
                    if n.kind == "credits"
                    else {}
                )
                for n in self.nodes
            ],
        }

    def satisfied_by(self) -> dict[str, tuple[str, ...]]:
        """Credential id -> paths of the achievement, alignment and credits nodes it counts toward."""
        out: dict[str, list[str]] = {}
        for node in self.nodes:
            if node.kind in ("credits", "achievement", "alignment", "qualification"):
                for credential_id in node.credentials:
                    out.setdefault(credential_id, []).append(node.path)
        return {key: tuple(paths) for key, paths in out.items()}


class Run:
    """The evaluator's per-node arrays for one learner (indexed like the compiled nodes). Internal."""

    __slots__ = ("counted", "cutoffs", "earned", "first", "frac", "pick", "prune", "sat", "unusable", "usable")

    def __init__(
        self,
        size: int,
        usable: list[CredentialFact],
        unusable: list[tuple[CredentialFact, str]],
        first: dict[str, datetime],
        cutoffs: dict[float, datetime],
    ) -> None:
        self.sat = [False] * size
        self.frac = [0.0] * size
        self.pick: list[CredentialFact | None] = [None] * size
        self.counted: list[list[tuple[float, CredentialFact]] | None] = [None] * size
        self.earned = [0.0] * size
        self.usable = usable
        self.unusable = unusable
        self.first = first
        self.cutoffs = cutoffs
        self.prune = False
