"""Market value of a credential: the demand-weighted share of in-demand skills it teaches. Pure.

Each skill ``s`` the credential teaches gets a demand ``d(s)`` in 0..1:

- **postings** (when ingested postings with text ask for ``s`` at least ``min_postings`` times): the percentile rank
  of ``share(s)`` (postings asking for ``s`` / postings with text) among all skills the postings ask for
  (:func:`~credstack.market.outlook.percentile_ranks`, mid-rank): the most asked-for skills approach 1.
- **outlook** (postings do not cover ``s``): the mean, over the ESCO occupations for which ``s`` is essential and
  that map to a SOC code, of the occupation's percentile rank of ``blended_outlook`` among all SOC codes (0..1).
- neither: ``s`` is unrated and left out.

Both bases are percentile ranks, so they share a scale: 0.5 is a typical skill (or a typical occupation's outlook),
0.9 one in the top tenth. They are not the same measurement, and ``basis`` (per skill and overall) says which was
used.

``score = sum(d(s)) / (number of rated skills)``: with 0/1 demands this is exactly the share of the credential's
skills that are in demand; ``coverage`` says how many skills were rated. ``basis`` is ``postings``, ``outlook``,
``mixed`` or ``none``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["MIN_POSTINGS", "MarketValue", "SkillValue", "market_value"]

MIN_POSTINGS = 3


@dataclass(frozen=True, slots=True)
class SkillValue:
    """One skill's demand in 0..1 and what it rests on (``postings``/``outlook``; ``none``: unrated)."""

    uri: str
    label: str
    demand: float | None
    basis: str
    postings: int = 0
    share: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "label": self.label,
            "demand": None if self.demand is None else round(self.demand, 4),
            "basis": self.basis,
            "postings": self.postings,
            "share": round(self.share, 6),
        }


@dataclass(frozen=True)
class MarketValue:
    """A credential's market value: ``score`` in 0..1, its most in-demand skills first, and the basis."""

    score: float
    top_skills: tuple[SkillValue, ...]
    basis: str
    rated: int
    total: int
    note: str = ""

    @property
    def coverage(self) -> float:
        return self.rated / self.total if self.total else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "basis": self.basis,
            "rated": self.rated,
            "total": self.total,
            "topSkills": [s.to_json() for s in self.top_skills],
            "note": self.note,
        }


def market_value(
    skill_uris: Sequence[str],
    *,
    postings: Mapping[str, tuple[int, float]],
    posting_rank: Mapping[str, float],
    outlook: Mapping[str, float],
    labels: Mapping[str, str] | None = None,
    min_postings: int = MIN_POSTINGS,
    top: int = 5,
) -> MarketValue:
    """The module docstring's formula. ``postings``: uri -> (postings asking for it, share); ``posting_rank``: uri ->
    percentile rank of its share among the skills in postings; ``outlook``: uri -> the skill's occupation-outlook
    percentile (0..1), for the fallback; ``labels`` names the skills in the result."""
    labels = labels or {}
    seen: set[str] = set()
    values: list[SkillValue] = []
    for uri in skill_uris:
        if uri in seen:
            continue
        seen.add(uri)
        label = labels.get(uri, uri.rsplit("/", 1)[-1])
        count, share = postings.get(uri, (0, 0.0))
        if count >= min_postings and uri in posting_rank:
            values.append(SkillValue(uri, label, posting_rank[uri], "postings", count, share))
        elif uri in outlook:
            values.append(SkillValue(uri, label, max(0.0, min(1.0, outlook[uri])), "outlook", count, share))
        else:
            values.append(SkillValue(uri, label, None, "none", count, share))
    rated = [v for v in values if v.demand is not None]
    bases = {v.basis for v in rated}
    basis = "none" if not bases else bases.pop() if len(bases) == 1 else "mixed"
    score = sum(v.demand or 0.0 for v in rated) / len(rated) if rated else 0.0
    note = ""
    if not values:
        note = "the credential names no skills"
    elif not rated:
        note = "no posting or occupation outlook covers these skills"
    elif len(rated) < len(values):
        note = f"{len(values) - len(rated)} of {len(values)} skills have neither postings nor an outlook"
    ranked = sorted(rated, key=lambda v: (-(v.demand or 0.0), v.label))
    return MarketValue(score, tuple(ranked[:top]), basis, len(rated), len(values), note)
