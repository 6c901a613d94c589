"""The results of the planning service (``cs.planner``), each with its JSON form: a learner's profile, a plan
report (with costs per currency: no exchange rates), a target suggestion and the quarterly audit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from credstack.planner import PlanResult
from credstack.planner.gap import GapReport, TargetSpec
from credstack.planner.milestones import Milestone, StackInReach, weekly
from credstack.planner.profile import SkillProfile

__all__ = [
    "AuditReport",
    "LearnerProfile",
    "PlanReport",
    "Suggestion",
    "cost_text",
    "costs_by_currency",
    "with_cost_text",
]


@dataclass(frozen=True)
class LearnerProfile:
    learner: str
    profile: SkillProfile
    labels: Mapping[str, str]
    held: frozenset[str]
    credentials: tuple[Mapping[str, Any], ...]
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        data = self.profile.to_json()
        for skill in data["skills"]:
            skill["label"] = self.labels.get(skill["uri"], skill["uri"])
        return {
            "learner": self.learner,
            **data,
            "heldCatalogEntries": sorted(self.held),
            "credentials": list(self.credentials),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class PlanReport:
    """Everything ``credstack plan`` and the planner page show."""

    learner: str
    target: TargetSpec
    gap: GapReport
    result: PlanResult
    options: Mapping[str, Any]
    explanations: tuple[Mapping[str, Any], ...] = ()
    milestones: tuple[Milestone, ...] = ()
    alternative: Mapping[str, Any] | None = None
    what_ifs: tuple[Mapping[str, Any], ...] = ()
    notes: tuple[str, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    in_reach: tuple[StackInReach, ...] = ()
    #: catalog entry -> (price, currency): totals are given per currency, never added across currencies
    prices: Mapping[str, tuple[float, str]] = field(default_factory=dict)

    def costs(self, achievements: Sequence[str]) -> dict[str, float]:
        """The price of ``achievements`` per currency."""
        return costs_by_currency(achievements, self.prices)

    def to_json(self) -> dict[str, Any]:
        plan = self.result.plan
        out: dict[str, Any] = {
            "learner": self.learner,
            "target": self.target.to_json(),
            "gap": self.gap.to_json(),
            "options": dict(self.options),
            "feasible": plan is not None,
            "notes": list(self.notes),
        }
        if plan is None:
            reason = self.result.infeasible
            out["constraint"] = reason.constraint if reason else "unknown"
            out["message"] = reason.message if reason else "no plan"
        else:
            costs = self.costs(plan.achievements)
            out["plan"] = {
                **plan.to_json(),
                "costs": costs,
                "costText": cost_text(costs),
                "solver": plan.solver,
                "weeks": plan.weeks,
                "steps": [
                    {
                        "achievement": s.achievement_id,
                        "name": self.names.get(s.achievement_id, s.achievement_id),
                        "hours": s.hours,
                        "cost": s.cost,
                        "currency": self.prices.get(s.achievement_id, (0.0, ""))[1] or None,
                        "costText": cost_text(self.costs([s.achievement_id])),
                        "covers": list(s.covers),
                        "startWeek": s.start_week,
                        "endWeek": s.end_week,
                    }
                    for s in plan.steps
                ],
                "milestones": [m.to_json() for m in self.milestones],
                "stacksInReach": [
                    {
                        **r.to_json(),
                        "missingNames": [self.names.get(m, m) for m in r.missing],
                        "costText": cost_text(self.costs(r.missing)),
                    }
                    for r in self.in_reach
                ],
                "schedule": weekly(plan.steps, self.options["hoursPerWeek"])
                if self.options.get("hoursPerWeek")
                else [],
                "explanations": list(self.explanations),
            }
            out["alternative"] = with_cost_text(self.alternative, self.prices)
            out["whatIfs"] = [with_cost_text(w, self.prices) for w in self.what_ifs]
        return out


def costs_by_currency(achievements: Sequence[str], prices: Mapping[str, tuple[float, str]]) -> dict[str, float]:
    """Currency -> the summed price of ``achievements`` in it (``""``: no currency given); prices in different
    currencies are never added (the catalog carries no exchange rates)."""
    out: dict[str, float] = {}
    for a in achievements:
        price, currency = prices.get(a, (0.0, ""))
        out[currency] = round(out.get(currency, 0.0) + price, 2)
    return dict(sorted(out.items()))


def cost_text(costs: Mapping[str, float]) -> str:
    """``"4,000.00 EUR + 2,395.00 USD"``; a currency whose items are all free is left out unless all are."""
    shown = {c: v for c, v in costs.items() if v} or dict(costs) or {"": 0.0}
    return " + ".join(f"{v:,.2f} {c}".rstrip() for c, v in sorted(shown.items()))


def with_cost_text(item: Mapping[str, Any] | None, prices: Mapping[str, tuple[float, str]]) -> dict[str, Any] | None:
    """A what-if or the alternative with its cost per currency (from its achievements, when it lists them)."""
    if item is None:
        return None
    out = dict(item)
    ids = item.get("achievements")
    if isinstance(ids, list):
        out["costs"] = costs_by_currency(ids, prices)
        out["costText"] = cost_text(out["costs"])
    return out


@dataclass(frozen=True)
class Suggestion:
    occupation: str
    label: str
    closeness: float
    gap: float
    score: float
    outlook: Mapping[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {
            "occupation": self.occupation,
            "label": self.label,
            "closeness": round(self.closeness, 4),
            "gap": round(self.gap, 4),
            "score": round(self.score, 4),
            "outlook": dict(self.outlook) if self.outlook else None,
        }


@dataclass(frozen=True)
class AuditReport:
    learner: str
    at: datetime
    target: TargetSpec | None
    decaying: tuple[Mapping[str, Any], ...]
    expiring: tuple[Mapping[str, Any], ...]
    in_demand: tuple[Mapping[str, Any], ...]
    refreshers: tuple[Mapping[str, Any], ...]
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "learner": self.learner,
            "at": self.at.isoformat(),
            "target": self.target.to_json() if self.target else None,
            "decaying": list(self.decaying),
            "expiring": list(self.expiring),
            "inDemand": list(self.in_demand),
            "refreshers": list(self.refreshers),
            "notes": list(self.notes),
        }
