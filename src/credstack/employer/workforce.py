"""The workforce skills audit (pure): a team skills matrix, coverage by role, expiring skills and gaps against market
demand, from plain values; time enters only as the skills' ages and the audit horizon.

- ``members``: :class:`Member` (id, name, role profile id, and current skills: URI -> :class:`MemberSkill` with the
  decayed ``level``, the ``shown`` level of the evidence, its ``age`` in years and ``half_life``).
- ``roles``: :class:`Role` (id, name, required skills: URI -> (level, weight)).
- Coverage of a role: over its assigned members, the weighted share of (member, skill) pairs where the member's
  credited level reaches the required level (the planner's rule, :mod:`credstack.planner.profile`: evidence counts
  at its full level until it is aged, so a two-month-old level-2 credential meets a level-2 requirement although
  its decayed level is 1.98; ``credited`` defaults to the decayed level). A role nobody is assigned to has no
  coverage (``None``).
- Expiring: a skill whose level, decayed over the audit horizon (a quarter by default), falls below three quarters of
  what its evidence showed, or below a role's required level, at the end of the horizon.
- Market gaps: in-demand skills (``demand``: URI -> (label, share of postings)) that no member holds at level >= 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Audit", "Member", "MemberSkill", "Role", "audit", "matrix"]

QUARTER_YEARS = 0.25
AGED_BELOW = 0.75


@dataclass(frozen=True)
class MemberSkill:
    level: float
    shown: float
    age: float
    half_life: float
    credited: float | None = None  # the level a requirement is checked against (None: ``level``)

    @property
    def meets(self) -> float:
        return self.level if self.credited is None else max(self.level, self.credited)


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    role_id: str | None
    skills: Mapping[str, MemberSkill] = field(default_factory=dict)


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    skills: Mapping[str, tuple[float, float]]  # URI -> (required level, weight)


@dataclass(frozen=True)
class Audit:
    coverage: list[dict[str, Any]]
    expiring: list[dict[str, Any]]
    market_gaps: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {"coverage": self.coverage, "expiring": self.expiring, "market_gaps": self.market_gaps}


def matrix(members: Sequence[Member], columns: Sequence[str]) -> list[list[float]]:
    """Members x skills: the current level (0 when the member has no evidence), rounded to one decimal."""
    return [[round(m.skills[u].level, 1) if u in m.skills else 0.0 for u in columns] for m in members]


def _later(skill: MemberSkill, years: float) -> float:
    return skill.level * 0.5 ** (years / skill.half_life)


def audit(
    members: Sequence[Member],
    roles: Sequence[Role],
    labels: Mapping[str, str],
    demand: Mapping[str, tuple[str, float]] | None = None,
    *,
    horizon_years: float = QUARTER_YEARS,
    market_top: int = 15,
) -> Audit:
    """Coverage by role, skills expiring within the horizon, and market gaps (see the module docstring)."""
    by_role = {r.id: r for r in roles}
    coverage = []
    for role in roles:
        assigned = [m for m in members if m.role_id == role.id]
        total = met = 0.0
        short: dict[str, int] = {}
        for member in assigned:
            for uri, (level, weight) in role.skills.items():
                total += weight
                have = member.skills.get(uri)
                if have is not None and have.meets >= level - 1e-9:
                    met += weight
                else:
                    short[uri] = short.get(uri, 0) + 1
        gaps = sorted(short.items(), key=lambda kv: -kv[1])
        coverage.append(
            {
                "role": role.id,
                "name": role.name,
                "members": len(assigned),
                "coverage": round(met / total, 4) if total else None,
                "short": [{"uri": u, "label": labels.get(u, u), "members_short": n} for u, n in gaps],
            }
        )
    expiring = []
    for member in members:
        assigned_role = by_role.get(member.role_id or "")
        for uri, skill in member.skills.items():
            later = _later(skill, horizon_years)
            needed = assigned_role.skills[uri][0] if assigned_role and uri in assigned_role.skills else None
            if later < AGED_BELOW * skill.shown or (needed is not None and skill.level >= needed > later):
                expiring.append(
                    {
                        "member": member.id,
                        "name": member.name,
                        "uri": uri,
                        "label": labels.get(uri, uri),
                        "level_now": round(skill.level, 2),
                        "level_at_horizon": round(later, 2),
                        "required": needed,
                        "age_years": round(skill.age, 2),
                    }
                )
    held = {u for m in members for u, s in m.skills.items() if s.level >= 1}
    ranked = sorted((demand or {}).items(), key=lambda kv: -kv[1][1])
    market = [{"uri": u, "label": label, "share": round(share, 6)} for u, (label, share) in ranked if u not in held]
    return Audit(coverage, expiring, market[:market_top])
