"""A catalog indexed once for many plans: achievements by id, by the skills they teach, in prerequisite order.

:func:`credstack.planner.plan` accepts a plain list too (it indexes it on every call); a service planning for many
learners over the same catalog builds a :class:`Catalog` once, so each plan only touches the achievements that
teach a skill in the learner's gap (and their prerequisites), not the whole catalog.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from credstack.errors import InvalidInputError
from credstack.planner.model import Achievement, Filters

__all__ = ["Catalog", "prerequisite_cycle"]


class _Cycle(Exception):
    def __init__(self, path: list[str]) -> None:
        super().__init__(" -> ".join(path))
        self.path = path


def _topological(by_id: Mapping[str, Achievement]) -> list[str]:
    """Every id, prerequisites first (depth-first in catalog order); raises _Cycle on a prerequisite cycle.
    Prerequisites outside the catalog are not followed."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    order: list[str] = []
    for root in by_id.values():
        if root.id in state:
            continue
        stack: list[tuple[Achievement, int]] = [(root, 0)]
        state[root.id] = 1
        while stack:
            node, k = stack[-1]
            if k < len(node.prerequisites):
                stack[-1] = (node, k + 1)
                child = by_id.get(node.prerequisites[k])
                if child is None:
                    continue
                seen = state.get(child.id)
                if seen == 1:
                    path = [n.id for n, _ in stack]
                    raise _Cycle([*path[path.index(child.id) :], child.id])
                if seen is None:
                    state[child.id] = 1
                    stack.append((child, 0))
                continue
            stack.pop()
            state[node.id] = 2
            order.append(node.id)
    return order


def prerequisite_cycle(achievements: Sequence[Achievement]) -> list[str] | None:
    """A prerequisite cycle among the achievements (``[a, b, a]``), or None."""
    try:
        _topological({a.id: a for a in achievements})
    except _Cycle as cycle:
        return cycle.path
    return None


@dataclass(frozen=True, eq=False)
class Catalog:
    """Achievements indexed for planning. Build with :meth:`of`, which refuses duplicate ids and prerequisite
    cycles (InvalidInputError)."""

    achievements: tuple[Achievement, ...]
    by_id: Mapping[str, Achievement]
    rank: Mapping[str, int]
    teaching: Mapping[str, tuple[tuple[str, float], ...]]

    @classmethod
    def of(cls, achievements: Iterable[Achievement]) -> Catalog:
        items = tuple(achievements)
        by_id: dict[str, Achievement] = {}
        for achievement in items:
            if achievement.id in by_id:
                raise InvalidInputError(f"the catalog lists achievement {achievement.id} twice")
            by_id[achievement.id] = achievement
        try:
            order = _topological(by_id)
        except _Cycle as cycle:
            raise InvalidInputError(f"prerequisite cycle in the catalog: {cycle}") from None
        teaching: dict[str, list[tuple[str, float]]] = {}
        for achievement in items:
            for uri, level in achievement.skills.items():
                teaching.setdefault(uri, []).append((achievement.id, level))
        return cls(
            achievements=items,
            by_id=MappingProxyType(by_id),
            rank=MappingProxyType({achievement_id: n for n, achievement_id in enumerate(order)}),
            teaching=MappingProxyType({uri: tuple(v) for uri, v in teaching.items()}),
        )

    def __len__(self) -> int:
        return len(self.achievements)

    def availability(self, held: frozenset[str], filters: Filters) -> _Availability:
        return _Availability(self, held, filters)


class _Availability:
    """Memoised: is an achievement available (not held, accepted by the filters, every prerequisite held or
    available)? Only the achievements asked about, and their prerequisites, are visited."""

    def __init__(self, catalog: Catalog, held: frozenset[str], filters: Filters) -> None:
        self.by_id, self.held = catalog.by_id, held
        self.accepts = filters.accepts if filters.active else None
        self.known: dict[str, bool] = {}

    def __call__(self, achievement_id: str) -> bool:
        known = self.known
        if achievement_id in known:
            return known[achievement_id]
        stack = [achievement_id]
        while stack:
            node = stack[-1]
            if node in known:
                stack.pop()
                continue
            achievement = self.by_id.get(node)
            if achievement is None or node in self.held or (self.accepts is not None and not self.accepts(achievement)):
                known[node] = False
                stack.pop()
                continue
            pending = [p for p in achievement.prerequisites if p not in self.held and p not in known]
            if pending:
                stack.extend(pending)
                continue
            known[node] = all(p in self.held or known[p] for p in achievement.prerequisites)
            stack.pop()
        return known[achievement_id]
