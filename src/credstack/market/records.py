"""The values that cross the market package's boundary: postings in, demand figures out.

Plain frozen dataclasses with ``to_json()``; months are ``"YYYY-MM"`` strings, dates ISO ``"YYYY-MM-DD"``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "Cooccurring",
    "Coverage",
    "Emerging",
    "EmergingReport",
    "Growth",
    "IngestReport",
    "MonthPoint",
    "OccupationSkill",
    "OccupationSkills",
    "Posting",
    "Rejection",
    "SkillDemand",
    "SourceCoverage",
]


def _json(value: Any) -> dict[str, Any]:
    return {k: v for k, v in asdict(value).items()}


@dataclass(frozen=True, slots=True)
class Posting:
    """One job posting after field mapping: what every source is reduced to.

    ``occupation_series`` carries codes a source already knows (USAJOBS OPM series such as ``2210``);
    ``line`` is where the row came from (1-based record number in its file, for rejects and provenance).
    """

    source: str
    source_id: str
    title: str
    text: str
    date: str
    location: str = ""
    employer: str = ""
    occupation_series: tuple[str, ...] = ()
    series_label: str = ""
    line: int = 0

    @property
    def month(self) -> str:
        return self.date[:7]

    @property
    def has_text(self) -> bool:
        return bool(self.text.strip())


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row that could not become a posting: its line, why, and the raw row as read."""

    line: int
    reason: str
    raw: str

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason, "raw": self.raw}


@dataclass(frozen=True)
class IngestReport:
    """The accounting of one ingestion: ``accepted + duplicates + rejected == rows_read``, always.

    ``duplicates`` counts exact duplicates (same normalised text) and near duplicates (``near_duplicates`` of them:
    reposts whose word shingles overlap by at least the threshold) together.
    """

    source: str
    file_name: str
    rows_read: int
    accepted: int
    duplicates: int
    near_duplicates: int
    rejected: int
    titles_mapped: int
    with_skills: int
    skill_mentions: int
    months: tuple[str, ...]
    seconds: float
    rejections: tuple[Rejection, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def exact_duplicates(self) -> int:
        return self.duplicates - self.near_duplicates

    @property
    def balanced(self) -> bool:
        return self.accepted + self.duplicates + self.rejected == self.rows_read

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "file": self.file_name,
            "rowsRead": self.rows_read,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "exactDuplicates": self.exact_duplicates,
            "nearDuplicates": self.near_duplicates,
            "rejected": self.rejected,
            "titlesMapped": self.titles_mapped,
            "withSkills": self.with_skills,
            "skillMentions": self.skill_mentions,
            "months": list(self.months),
            "seconds": round(self.seconds, 3),
            "rejections": [r.to_json() for r in self.rejections[:100]],
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class SkillDemand:
    """A skill and the postings asking for it; ``share`` = postings / postings with text in the same selection."""

    uri: str
    label: str
    postings: int
    share: float

    def to_json(self) -> dict[str, Any]:
        return {**_json(self), "share": round(self.share, 6)}


@dataclass(frozen=True, slots=True)
class MonthPoint:
    """One month of a series: ``postings`` matching, ``total`` postings (with text for skills), ``share``."""

    month: str
    postings: int
    total: int
    share: float

    def to_json(self) -> dict[str, Any]:
        return {**_json(self), "share": round(self.share, 6)}


@dataclass(frozen=True)
class Growth:
    """Change of a skill's share of postings: quarter on quarter and year on year, relative (0.25 = +25 %).

    ``ci_low``/``ci_high``: 95 % interval of the quarter-on-quarter change (Katz log ratio of two proportions);
    ``yoy_ci_low``/``yoy_ci_high`` the same for year on year. ``None`` when the data cannot say (no postings with
    text in the comparison quarter); ``note`` says why. ``n``: postings asking for the skill in the latest quarter.
    """

    qoq: float | None
    yoy: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    quarter: str = ""
    yoy_ci_low: float | None = None
    yoy_ci_high: float | None = None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in _json(self).items()}


@dataclass(frozen=True, slots=True)
class Emerging:
    """A skill whose share rose: recent vs earlier window, with the lower bound of the ratio's 95 % interval."""

    uri: str
    label: str
    recent_postings: int
    recent_share: float
    earlier_postings: int
    earlier_share: float
    ratio: float
    ratio_low: float

    def to_json(self) -> dict[str, Any]:
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in _json(self).items()}


@dataclass(frozen=True, slots=True)
class EmergingReport:
    """Emerging skills with what the comparison stands on: the recent and earlier months (first, last), the sources
    compared, their postings with text, how many skills had ``min_support`` recent postings to be tested, a last
    month left out as incomplete (empty if none) and ``note``, the same in words."""

    skills: tuple[Emerging, ...]
    recent_months: tuple[str, ...]
    earlier_months: tuple[str, ...]
    sources: tuple[str, ...]
    recent_postings: int
    earlier_postings: int
    tested: int
    min_support: int
    incomplete_month: str = ""
    incomplete_postings: int = 0
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "emerging": [e.to_json() for e in self.skills],
            "recentMonths": list(self.recent_months),
            "earlierMonths": list(self.earlier_months),
            "sources": list(self.sources),
            "recentPostings": self.recent_postings,
            "earlierPostings": self.earlier_postings,
            "tested": self.tested,
            "minSupport": self.min_support,
            "incompleteMonth": self.incomplete_month,
            "incompletePostings": self.incomplete_postings,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class Cooccurring:
    """A skill asked for together with another: ``postings`` in common, ``share`` of the given skill's postings."""

    uri: str
    label: str
    postings: int
    share: float

    def to_json(self) -> dict[str, Any]:
        return {**_json(self), "share": round(self.share, 6)}


@dataclass(frozen=True, slots=True)
class OccupationSkill:
    """A skill of an occupation: postings asking for it (``share`` of the occupation's postings with text) and
    whether ESCO lists it as essential or optional for the occupation (``relation``, "" when not listed)."""

    uri: str
    label: str
    postings: int
    share: float
    relation: str

    def to_json(self) -> dict[str, Any]:
        return {**_json(self), "share": round(self.share, 6)}


@dataclass(frozen=True)
class OccupationSkills:
    """What postings mapped to an ESCO occupation ask for, next to ESCO's essential skills for it."""

    occupation_uri: str
    label: str
    postings: int
    asked: tuple[OccupationSkill, ...]
    essential: tuple[OccupationSkill, ...]
    note: str = ""

    @property
    def essential_asked(self) -> int:
        return sum(1 for s in self.essential if s.postings)

    def to_json(self) -> dict[str, Any]:
        return {
            "occupation": self.occupation_uri,
            "label": self.label,
            "postings": self.postings,
            "asked": [s.to_json() for s in self.asked],
            "essential": [s.to_json() for s in self.essential],
            "essentialAsked": self.essential_asked,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class SourceCoverage:
    """One source's months: all postings, and those with text (skills come only from text)."""

    source: str
    month_from: str
    month_to: str
    postings: int
    with_text: int
    months_with_text: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {**_json(self), "months_with_text": list(self.months_with_text)}


@dataclass(frozen=True)
class Coverage:
    """Which months and sources the analytics stand on, and warnings where the data is thin."""

    sources: tuple[SourceCoverage, ...]
    months_with_text: tuple[str, ...]
    months_counted: tuple[str, ...]
    postings: int
    with_text: int
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "sources": [s.to_json() for s in self.sources],
            "monthsWithText": list(self.months_with_text),
            "monthsCounted": list(self.months_counted),
            "postings": self.postings,
            "withText": self.with_text,
            "notes": list(self.notes),
        }
