"""An organisation's learning budget across its people (pure).

Each member comes with an ordered list of steps (the achievements of their plan toward their role, prerequisites
first), each with a cost and the share of the member's role weight it closes. A member's allocation is a prefix of
their steps (so prerequisites come first). The value of an allocation is the total share of role weight closed,
summed over members.

- **exact** when the number of prefix combinations is at most :data:`EXACT_LIMIT`: every combination within the
  budget is tried, the highest value wins (ties: less spent);
- **greedy** otherwise: repeatedly fund the next step (or run of steps up to the best ratio) with the highest gain
  per unit of cost that fits.

Free steps are always funded.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from credstack.errors import InvalidInputError

__all__ = ["EXACT_LIMIT", "Allocation", "MemberOptions", "MemberShare", "OptionStep", "allocate"]

EXACT_LIMIT = 50_000


@dataclass(frozen=True)
class OptionStep:
    achievement_id: str
    cost: float
    gain: float


@dataclass(frozen=True)
class MemberOptions:
    member: str
    role: str
    steps: tuple[OptionStep, ...]
    note: str = ""


@dataclass(frozen=True)
class MemberShare:
    member: str
    role: str
    funded: tuple[str, ...]
    cost: float
    gain: float
    unfunded: tuple[str, ...]
    note: str

    def to_json(self) -> dict[str, Any]:
        return {
            "member": self.member,
            "role": self.role,
            "funded": list(self.funded),
            "cost": round(self.cost, 2),
            "gapClosed": round(self.gain, 4),
            "unfunded": list(self.unfunded),
            "note": self.note,
        }


@dataclass(frozen=True)
class Allocation:
    budget: float
    spent: float
    gain: float
    method: str
    members: tuple[MemberShare, ...]
    explanation: str

    def to_json(self) -> dict[str, Any]:
        return {
            "budget": self.budget,
            "spent": round(self.spent, 2),
            "gapClosed": round(self.gain, 4),
            "method": self.method,
            "members": [m.to_json() for m in self.members],
            "explanation": self.explanation,
        }


def _prefix(steps: Sequence[OptionStep]) -> list[tuple[float, float]]:
    out = [(0.0, 0.0)]
    for s in steps:
        cost, gain = out[-1]
        out.append((cost + s.cost, gain + s.gain))
    return out


def allocate(members: Sequence[MemberOptions], budget: float) -> Allocation:
    """Fund prefixes of the members' steps within ``budget`` (module docstring)."""
    if isinstance(budget, bool) or not isinstance(budget, int | float) or not math.isfinite(budget) or budget < 0:
        raise InvalidInputError(f"the budget must be a number >= 0, got {budget!r}")
    prefixes = [_prefix(m.steps) for m in members]
    combinations = math.prod(len(p) for p in prefixes) if prefixes else 1
    if combinations <= EXACT_LIMIT:
        method = "exact"
        best: tuple[float, float] = (-1.0, 0.0)
        choice: tuple[int, ...] = tuple(0 for _ in members)
        for combo in itertools.product(*(range(len(p)) for p in prefixes)):
            cost = sum(prefixes[k][n][0] for k, n in enumerate(combo))
            if cost > budget + 1e-9:
                continue
            gain = sum(prefixes[k][n][1] for k, n in enumerate(combo))
            if gain > best[0] + 1e-12 or (abs(gain - best[0]) <= 1e-12 and cost < best[1]):
                best, choice = (gain, cost), combo
        taken = list(choice)
    else:
        method = "greedy"
        taken = [0] * len(members)
        spent = 0.0
        while True:
            pick = None
            for k, p in enumerate(prefixes):
                n = taken[k]
                for m in range(n + 1, len(p)):  # the best run of next steps by gain per cost
                    cost, gain = p[m][0] - p[n][0], p[m][1] - p[n][1]
                    if spent + cost > budget + 1e-9:
                        break
                    ratio = math.inf if cost <= 0 else gain / cost
                    if pick is None or ratio > pick[0]:
                        pick = (ratio, k, m, cost)
            if pick is None or pick[0] <= 0:
                break
            _, k, m, cost = pick
            taken[k] = m
            spent += cost
    shares = []
    for member, p, n in zip(members, prefixes, taken, strict=True):
        shares.append(
            MemberShare(
                member=member.member,
                role=member.role,
                funded=tuple(s.achievement_id for s in member.steps[:n]),
                cost=p[n][0],
                gain=p[n][1],
                unfunded=tuple(s.achievement_id for s in member.steps[n:]),
                note=member.note,
            )
        )
    spent_total = sum(s.cost for s in shares)
    gain_total = sum(s.gain for s in shares)
    funded = sum(1 for s in shares if s.funded)
    explanation = (
        f"{'Exact search over' if method == 'exact' else 'Greedy by gap closed per unit of cost over'} "
        f"{len(members)} member(s): {funded} funded, {spent_total:,.2f} of {budget:,.2f} spent, closing "
        f"{gain_total:.2f} role-weight shares in total (1.00 = one person's whole gap to their role)."
    )
    return Allocation(float(budget), spent_total, gain_total, method, tuple(shares), explanation)
