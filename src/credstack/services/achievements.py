"""Achievements (OB 3.0 "badge classes"): stored as their JSON definition plus the queried columns.

The definition is built by :func:`credstack.domain.credential.build_achievement` and embedded unchanged in every
credential that awards it. Its ``id`` is ``{base_url}/achievements/{id}``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from credstack.domain.credential import build_achievement
from credstack.errors import NotFoundError
from credstack.services.issuers import IssuerService
from credstack.settings import Settings
from credstack.storage.engine import Database
from credstack.storage.models import Achievement

__all__ = ["AchievementRecord", "AchievementService"]


@dataclass(frozen=True)
class AchievementRecord:
    """An achievement: ``definition`` is the OB 3.0 ``Achievement`` object as it appears in credentials."""

    id: str
    issuer_id: int
    name: str
    achievement_type: str | None
    definition: dict[str, Any]
    created_at: datetime

    @property
    def url(self) -> str:
        return str(self.definition["id"])


def _record(row: Achievement) -> AchievementRecord:
    return AchievementRecord(
        row.id, row.issuer_id, row.name, row.achievement_type, dict(row.definition), row.created_at
    )


class AchievementService:
    """Create, list and fetch achievements."""

    def __init__(self, db: Database, settings: Settings, issuers: IssuerService, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._settings = settings
        self._issuers = issuers
        self._clock = clock

    def create(
        self,
        issuer_ref: str | int | None,
        *,
        name: str,
        description: str,
        criteria_narrative: str | None = None,
        criteria_url: str | None = None,
        image: str | None = None,
        image_caption: str | None = None,
        achievement_type: str | None = None,
        alignments: Sequence[Mapping[str, Any]] = (),
        credits_available: float | None = None,
        result_descriptions: Sequence[Mapping[str, Any]] = (),
        tags: Sequence[str] = (),
        human_code: str | None = None,
        field_of_study: str | None = None,
    ) -> AchievementRecord:
        """A new achievement of ``issuer_ref`` (None: the default issuer). Invalid fields raise InvalidInputError."""
        issuer = self._issuers.default() if issuer_ref is None else self._issuers.get(issuer_ref)
        achievement_id = uuid.uuid4().hex
        base = self._settings.base_url.rstrip("/")
        definition = build_achievement(
            f"{base}/achievements/{achievement_id}",
            name=name,
            description=description,
            criteria_narrative=criteria_narrative,
            criteria_url=criteria_url,
            image=image,
            image_caption=image_caption,
            achievement_type=achievement_type,
            alignments=alignments,
            credits_available=credits_available,
            result_descriptions=result_descriptions,
            tags=tags,
            human_code=human_code,
            field_of_study=field_of_study,
        )
        with self._db.write() as session:
            row = Achievement(
                id=achievement_id,
                issuer_id=issuer.id,
                name=definition["name"],
                achievement_type=definition.get("achievementType"),
                definition=definition,
                created_at=self._clock(),
            )
            session.add(row)
            session.flush()
            return _record(row)

    def list(self, *, issuer_ref: str | int | None = None) -> list[AchievementRecord]:
        query = sa.select(Achievement).order_by(Achievement.created_at, Achievement.id)
        if issuer_ref is not None:
            query = query.where(Achievement.issuer_id == self._issuers.get(issuer_ref).id)
        with self._db.read() as session:
            return [_record(r) for r in session.scalars(query)]

    def get(self, achievement_id: str) -> AchievementRecord:
        """An achievement by id (or by its full URL); NotFoundError otherwise."""
        key = str(achievement_id).rstrip("/").rsplit("/", 1)[-1]
        with self._db.read() as session:
            row = session.get(Achievement, key)
            if row is None:
                raise NotFoundError(f"no achievement {achievement_id!r} (see `credstack achievement list`)")
            return _record(row)
