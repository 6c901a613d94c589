"""A learner's skill profile from dated evidence, decayed with a half-life by skill kind (pure: time is passed in).

Evidence comes from three sources, each with a trust factor: a verified ``credential`` (1.0), an ``assessment``
result (0.9) and a ``self``-declared skill (0.5, always marked as such). Its level is the proficiency (1-4) the
evidence shows; it decays as ``level * 0.5 ** (age_years / half_life)``, the half-life depending on the skill's
kind (``technology``, ``knowledge`` or ``transversal``; defaults 2.5, 5 and 10 years). A skill's current level is
the best decayed, trusted level among its evidence. A skill is *aged* when decay has taken at least a quarter of
the level its best evidence showed (at 0.415 half-lives).

Decay lowers confidence over years; it does not turn a recent credential into a gap. So besides the decayed level a
skill has a ``credited`` level, the one a requirement is checked against: each piece of evidence counts at its full
(trusted) level while it is not aged, and at its decayed level once it is; the skill's credited level is the best
of these. A two-month-old certificate at level 3 meets a level-3 requirement (its decayed level, 2.93, is still
shown); after 0.415 half-lives it counts at its decayed level, below 3 * 0.75.

Proficiency from a credential: the level the achievement aligns the skill at (a catalog entry's 1-4), else from
the achievement's EQF level (``ceil(eqf / 2)``, 1-4), else 2; a numeric result (a share 0..1 or a percentage)
scales it by ``0.5 + score`` within 0.75..1.25, capped at 4.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from credstack.errors import InvalidInputError

__all__ = [
    "AGED_BELOW",
    "KINDS",
    "SOURCES",
    "Evidence",
    "HalfLives",
    "ProfileSkill",
    "SkillProfile",
    "build_profile",
    "credential_level",
    "credential_skill_levels",
    "credited_level",
    "decay_factor",
    "result_score",
]

KINDS = ("technology", "knowledge", "transversal")
#: Trust in each source of evidence: a multiplier on its level.
SOURCES: Mapping[str, float] = {"credential": 1.0, "assessment": 0.9, "self": 0.5}
AGED_BELOW = 0.75
MAX_LEVEL = 4.0
_YEAR_SECONDS = 365.25 * 24 * 3600


@dataclass(frozen=True)
class HalfLives:
    """Years after which evidence for a skill of each kind counts for half."""

    technology: float = 2.5
    knowledge: float = 5.0
    transversal: float = 10.0

    def __post_init__(self) -> None:
        for kind in KINDS:
            value = getattr(self, kind)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1000:
                raise InvalidInputError(f"the {kind} half-life must be a number of years in (0, 1000), got {value!r}")

    def of(self, kind: str) -> float:
        return float(getattr(self, kind if kind in KINDS else "knowledge"))


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence that a learner has ``skill_uri`` at ``level`` (1-4), as of ``observed_at``."""

    skill_uri: str
    level: float
    observed_at: datetime
    source: str
    reference: str = ""
    title: str = ""
    expires_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise InvalidInputError(f"evidence source must be one of {', '.join(SOURCES)}, got {self.source!r}")
        if not isinstance(self.level, int | float) or not 0 < self.level <= MAX_LEVEL:
            raise InvalidInputError(f"a skill level is a number in (0, 4], got {self.level!r}")
        if self.observed_at.tzinfo is None:
            raise InvalidInputError("evidence times must be timezone-aware")


@dataclass(frozen=True)
class ProfileSkill:
    """A skill in the profile: the current (decayed, trusted) ``level``, the ``shown`` level of the evidence that
    gives it, its age in years, whether it is ``aged`` or only ``self_declared``, all its evidence, and the
    ``credited`` level a requirement is checked against (module docstring; 0 means: use ``level``)."""

    uri: str
    kind: str
    level: float
    shown: float
    age_years: float
    aged: bool
    self_declared: bool
    source: str
    evidence: tuple[Evidence, ...] = field(default=())
    credited: float = 0.0

    @property
    def meets_level(self) -> float:
        """The level compared with a requirement: ``credited`` (at least the decayed ``level``)."""
        return max(self.level, self.credited)

    def to_json(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "kind": self.kind,
            "level": round(self.level, 3),
            "credited": round(self.meets_level, 3),
            "shown": round(self.shown, 3),
            "ageYears": round(self.age_years, 2),
            "aged": self.aged,
            "selfDeclared": self.self_declared,
            "source": self.source,
            "evidence": [
                {
                    "source": e.source,
                    "level": e.level,
                    "observedAt": e.observed_at.isoformat(),
                    "reference": e.reference,
                    "title": e.title,
                }
                for e in self.evidence
            ],
        }


@dataclass(frozen=True)
class SkillProfile:
    """Skills by URI, as of ``at``."""

    at: datetime
    skills: Mapping[str, ProfileSkill]

    def levels(self) -> dict[str, float]:
        """URI -> current (decayed) level."""
        return {uri: s.level for uri, s in self.skills.items()}

    def credited_levels(self) -> dict[str, float]:
        """URI -> credited level (what the optimiser treats as the learner's level; module docstring)."""
        return {uri: s.meets_level for uri, s in self.skills.items()}

    def to_json(self) -> dict[str, Any]:
        ordered = sorted(self.skills.values(), key=lambda s: (-s.level, s.uri))
        return {"at": self.at.isoformat(), "skills": [s.to_json() for s in ordered]}


def decay_factor(age_years: float, half_life: float) -> float:
    """``0.5 ** (age / half_life)``; evidence from the future (clock skew) does not grow."""
    return 0.5 ** (max(0.0, age_years) / half_life)


def _age(observed: datetime, at: datetime) -> float:
    return (at - observed).total_seconds() / _YEAR_SECONDS


def credited_level(evidence: Iterable[Evidence], half_life: float, at: datetime) -> float:
    """The level a requirement is checked against at ``at``: each piece of evidence at its trusted level while its
    decay factor is at least :data:`AGED_BELOW`, at its decayed level after; the best of them (0 without any)."""
    best = 0.0
    for e in evidence:
        factor = decay_factor(_age(e.observed_at, at), half_life)
        trusted = e.level * SOURCES[e.source]
        best = max(best, trusted if factor >= AGED_BELOW else trusted * factor)
    return best


def build_profile(
    evidence: Iterable[Evidence], kinds: Mapping[str, str], half_lives: HalfLives, at: datetime
) -> SkillProfile:
    """The profile as of ``at``; ``kinds`` maps a skill URI to its kind (missing: ``knowledge``)."""
    if at.tzinfo is None:
        raise InvalidInputError("the profile time must be timezone-aware")
    grouped: dict[str, list[Evidence]] = {}
    for item in evidence:
        grouped.setdefault(item.skill_uri, []).append(item)
    skills: dict[str, ProfileSkill] = {}
    for uri, items in grouped.items():
        kind = kinds.get(uri, "knowledge")
        half_life = half_lives.of(kind)

        def value(e: Evidence, half_life: float = half_life) -> float:
            return e.level * SOURCES[e.source] * decay_factor(_age(e.observed_at, at), half_life)

        items.sort(key=lambda e: (-value(e), e.observed_at))
        best = items[0]
        age = max(0.0, _age(best.observed_at, at))
        level = value(best)
        shown = best.level * SOURCES[best.source]
        skills[uri] = ProfileSkill(
            uri=uri,
            kind=kind,
            level=level,
            shown=shown,
            age_years=age,
            aged=decay_factor(age, half_life) < AGED_BELOW,
            self_declared=all(e.source == "self" for e in items),
            source=best.source,
            evidence=tuple(items),
            credited=credited_level(items, half_life, at),
        )
    return SkillProfile(at, skills)


def result_score(results: Sequence[Mapping[str, Any]]) -> float | None:
    """The best numeric result as a share 0..1: a value in 0..1 as is, in 1..100 as a percentage; else None."""
    best = None
    for result in results or ():
        raw = result.get("value") if isinstance(result, Mapping) else None
        try:
            number = float(str(raw).strip().rstrip("%"))
        except (TypeError, ValueError):
            continue
        if not math.isfinite(number) or number < 0:
            continue
        share = number if number <= 1 else number / 100 if number <= 100 else None
        if share is not None and (best is None or share > best):
            best = share
    return best


def credential_level(aligned: float | None, eqf: int | None, results: Sequence[Mapping[str, Any]]) -> float:
    """The proficiency (1-4) a credential shows in one skill (module docstring)."""
    if aligned is not None and aligned > 0:
        base = float(aligned)
    elif eqf is not None and 1 <= eqf <= 8:
        base = float(math.ceil(eqf / 2))
    else:
        base = 2.0
    score = result_score(results)
    if score is not None:
        base *= min(1.25, max(0.75, 0.5 + score))
    return min(MAX_LEVEL, max(0.1, base))


def credential_skill_levels(
    achievement: Mapping[str, Any], results: Sequence[Mapping[str, Any]], level_names: Mapping[str, int]
) -> dict[str, float]:
    """Skill URI -> the proficiency (1-4) an OB 3.0 credential shows, from its achievement and results.

    Each ESCO alignment is a skill. Its level: a result whose ``resultDescription`` is aligned to the skill and whose
    value names a level (``level_names``, e.g. ``advanced`` -> 3), else the result description's ``requiredValue``
    (the achievement's target proficiency), else the achievement's EQF level; a numeric result scales it
    (:func:`credential_level`)."""
    eqf = None
    skills: list[str] = []
    for alignment in achievement.get("alignment") or ():
        if not isinstance(alignment, Mapping):
            continue
        url = str(alignment.get("targetUrl") or "")
        if "/esco/skill/" in url:
            skills.append(url)
        elif alignment.get("targetFramework") == "European Qualifications Framework":
            try:
                eqf = int(str(alignment.get("targetCode")))
            except ValueError:
                eqf = None
    required: dict[str, float] = {}
    description_skill: dict[str, str] = {}
    for description in achievement.get("resultDescription") or ():
        if not isinstance(description, Mapping):
            continue
        for alignment in description.get("alignment") or ():
            url = str(alignment.get("targetUrl") or "") if isinstance(alignment, Mapping) else ""
            if url in skills:
                description_skill[str(description.get("id"))] = url
                level = level_names.get(str(description.get("requiredValue") or "").lower())
                if level:
                    required[url] = float(level)
    achieved: dict[str, float] = {}
    numeric: list[Mapping[str, Any]] = []
    for result in results or ():
        if not isinstance(result, Mapping):
            continue
        uri = description_skill.get(str(result.get("resultDescription")))
        named = level_names.get(str(result.get("value") or "").lower())
        if uri and named:
            achieved[uri] = max(achieved.get(uri, 0.0), float(named))
        elif not named:
            numeric.append(result)
    out = {}
    for uri in skills:
        if uri in achieved:
            out[uri] = min(MAX_LEVEL, achieved[uri])
        else:
            out[uri] = credential_level(required.get(uri), eqf, numeric)
    return out
