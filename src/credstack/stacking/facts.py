"""The values stacking reads: what a learner holds (credential facts) and what the catalog offers.

A :class:`CredentialFact` is what the service layer extracts from one of the learner's credentials after running
the real verifier: ids, issuer, alignments, credits, level, results, earned date and the verification ``state``.
Only a fact in state ``verified`` ever counts; revoked, suspended, expired, tampered or unverified ones are
reported as ignored, with the reason.

A :class:`Catalog` holds the achievements (with their issuer, credits, level, alignments, price and hours) and the
qualifications a tree may refer to.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING

from credstack.errors import InvalidInputError

if TYPE_CHECKING:
    from credstack.stacking.model import Qualification

__all__ = [
    "CREDENTIAL_STATES",
    "AchievementInfo",
    "Catalog",
    "CredentialFact",
    "ResultFact",
    "ResultSpec",
]

#: Verification states of a credential fact; only ``verified`` counts.
CREDENTIAL_STATES = frozenset({"verified", "revoked", "suspended", "expired", "tampered", "unverified"})


@dataclass(frozen=True, slots=True)
class ResultFact:
    """One ``Result`` of a credential: the ResultDescription it answers (id and, when known, name) and its value."""

    result_description: str | None
    value: str | float | None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class CredentialFact:
    """A learner's credential as stacking sees it.

    ``earned`` is when it was awarded (``awardedDate``, else ``validFrom``), timezone-aware. ``credits`` is the
    credential's ``creditsEarned`` (else the achievement's ``creditsAvailable``). ``alignments`` are the
    ``targetUrl``s the achievement aligns to; ``skill_areas`` are broader taxonomy concepts the service derived
    from them. ``state`` comes from the verifier; ``valid_until`` (when given) is also checked against the
    evaluation time.
    """

    credential_id: str
    achievement_id: str
    issuer_id: str
    earned: datetime
    credits: float = 0.0
    level: int | None = None
    alignments: frozenset[str] = frozenset()
    skill_areas: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    results: tuple[ResultFact, ...] = ()
    state: str = "verified"
    valid_until: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.credential_id, str) or not self.credential_id:
            raise InvalidInputError("a credential fact needs a credential id")
        if not isinstance(self.achievement_id, str) or not self.achievement_id:
            raise InvalidInputError(f"credential {self.credential_id}: an achievement id is required")
        if not isinstance(self.earned, datetime) or self.earned.tzinfo is None:
            raise InvalidInputError(f"credential {self.credential_id}: 'earned' must be a timezone-aware datetime")
        if self.valid_until is not None and (
            not isinstance(self.valid_until, datetime) or self.valid_until.tzinfo is None
        ):
            raise InvalidInputError(f"credential {self.credential_id}: 'valid_until' must be timezone-aware")
        if self.state not in CREDENTIAL_STATES:
            raise InvalidInputError(
                f"credential {self.credential_id}: state {self.state!r} is not one of {sorted(CREDENTIAL_STATES)}"
            )
        credits = self.credits
        if isinstance(credits, bool) or not isinstance(credits, (int, float)) or not 0 <= credits < math.inf:
            raise InvalidInputError(f"credential {self.credential_id}: credits must be a number >= 0")

    @property
    def verified(self) -> bool:
        return self.state == "verified"


@dataclass(frozen=True)
class ResultSpec:
    """A ResultDescription of a catalog achievement: numeric bounds and/or ordered allowed values (lowest first)."""

    id: str
    name: str
    value_min: float | None = None
    value_max: float | None = None
    allowed_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class AchievementInfo:
    """A catalog achievement: who issues it, what it is worth, what it costs (``price``) and takes (``hours``)."""

    id: str
    name: str = ""
    issuer_id: str | None = None
    credits: float = 0.0
    level: int | None = None
    alignments: frozenset[str] = frozenset()
    skill_areas: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    price: float | None = None
    hours: float | None = None
    results: tuple[ResultSpec, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise InvalidInputError("a catalog achievement needs an id")
        for name in ("price", "hours"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < math.inf
            ):
                raise InvalidInputError(f"achievement {self.id}: {name} must be a number >= 0")

    def result(self, ref: str) -> ResultSpec | None:
        """The ResultDescription whose id or name is ``ref``."""
        for spec in self.results:
            if ref in (spec.id, spec.name):
                return spec
        return None


@dataclass(frozen=True)
class Catalog:
    """Achievements and qualifications by id (read-only mappings). Build with :meth:`of`."""

    achievements: Mapping[str, AchievementInfo] = field(default_factory=lambda: MappingProxyType({}))
    qualifications: Mapping[str, Qualification] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def of(cls, achievements: Iterable[AchievementInfo] = (), qualifications: Iterable[Qualification] = ()) -> Catalog:
        """A catalog from lists; raises InvalidInputError on a duplicate id."""
        by_id: dict[str, AchievementInfo] = {}
        for info in achievements:
            if info.id in by_id:
                raise InvalidInputError(f"achievement {info.id} appears twice in the catalog")
            by_id[info.id] = info
        quals: dict[str, Qualification] = {}
        for qualification in qualifications:
            if qualification.id in quals:
                raise InvalidInputError(f"qualification {qualification.id} appears twice in the catalog")
            quals[qualification.id] = qualification
        return cls(MappingProxyType(by_id), MappingProxyType(quals))

    def with_qualification(self, qualification: Qualification) -> Catalog:
        """This catalog plus (or with a new version of) ``qualification``."""
        quals = dict(self.qualifications)
        quals[qualification.id] = qualification
        return Catalog(self.achievements, MappingProxyType(quals))
