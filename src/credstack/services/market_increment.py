"""Adding a batch of new postings to the demand tables without recomputing them (the HTTP batch path).

Counts in the demand tables are counts of distinct postings per group, and a batch holds only postings the dataset
did not have, so they add up: each group's count grows by the batch's count (update, or insert when new). The
co-occurrence lists are recomputed exactly for the skills the batch touched (a skill the batch does not mention has
the same partners as before). The caller checks first that the tables agree with the dataset
(:func:`in_sync`); otherwise it recomputes everything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from credstack.market.pipeline import Outcome
from credstack.services.market_store import PostingStore
from credstack.storage.market_tables import (
    MarketCooccurrence,
    MarketDemand,
    MarketOccupation,
    MarketSkill,
    MarketTotal,
)

__all__ = ["add_outcomes", "in_sync"]


def in_sync(session: Session, stored_before: int) -> bool:
    """Whether the totals table counts exactly the ``stored_before`` postings the dataset had before the batch."""
    counted = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(MarketTotal.postings), 0)))
    return int(counted or 0) == stored_before


def _add(session: Session, table: Any, keys: dict[str, Any], values: dict[str, int], extra: dict[str, Any]) -> None:
    where = [getattr(table, k) == v for k, v in keys.items()]
    changed = session.execute(
        sa.update(table).where(*where).values({k: getattr(table, k) + v for k, v in values.items()})
    )
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(sa.insert(table).values({**keys, **values, **extra}))


def add_outcomes(session: Session, store: PostingStore, outcomes: Sequence[Outcome], *, top_n: int = 20) -> None:
    """Add the new postings ``outcomes`` (already in ``store``) to the demand tables, in ``session``."""
    totals: Counter[tuple[str, ...]] = Counter()
    with_text: Counter[tuple[str, ...]] = Counter()
    demand: Counter[tuple[str, ...]] = Counter()
    skills: Counter[str] = Counter()
    labels: dict[str, tuple[str, str]] = {}
    occupations: Counter[tuple[str, str]] = Counter()
    names: dict[tuple[str, str], str] = {}
    for o in outcomes:
        p, t = o.posting, o.title
        soc, esco = (t.soc_code, t.esco_uri) if t else ("", "")
        opm = p.occupation_series[0] if p.occupation_series else ""
        key = (p.month, p.source, soc, esco, opm, o.region)
        totals[key] += 1
        with_text[key] += int(p.has_text)
        for s in o.skills:
            demand[(p.month, p.source, s.uri, soc, esco, o.region)] += 1
            skills[s.uri] += 1
            labels.setdefault(s.uri, (s.label, s.scheme))
        for code, scheme, label in (
            (soc, "onet", t.soc_title if t else ""),
            (esco, "esco", t.esco_label if t else ""),
            (opm, "opm", p.series_label),
        ):
            if code:
                occupations[(code, scheme)] += 1
                names.setdefault((code, scheme), label)
    for (month, source, soc, esco, opm, region), n in totals.items():
        keys = {"month": month, "source": source, "soc_code": soc, "esco_occupation": esco, "opm_series": opm}
        key = (month, source, soc, esco, opm, region)
        _add(session, MarketTotal, {**keys, "region": region}, {"postings": n, "with_text": with_text[key]}, {})
    for (month, source, uri, soc, esco, region), n in demand.items():
        keys = {"month": month, "source": source, "skill_uri": uri, "soc_code": soc, "esco_occupation": esco}
        _add(session, MarketDemand, {**keys, "region": region}, {"postings": n}, {})
    for uri, n in skills.items():
        label, scheme = labels[uri]
        _add(session, MarketSkill, {"uri": uri}, {"postings": n}, {"label": label, "scheme": scheme})
    for (code, scheme), n in occupations.items():
        _add(
            session,
            MarketOccupation,
            {"code": code},
            {"postings": n},
            {"scheme": scheme, "label": names[(code, scheme)]},
        )
    touched = sorted(skills)
    if touched:
        rows = store.cooccurrence(touched, top_n=top_n)
        session.execute(sa.delete(MarketCooccurrence).where(MarketCooccurrence.skill_uri.in_(touched)))
        if rows:
            session.execute(sa.insert(MarketCooccurrence), rows)
