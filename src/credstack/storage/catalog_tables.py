"""Tables of the achievement catalog, on the shared :class:`~credstack.storage.models.Base`.

``catalog_entries`` holds what OB 3.0 has no term for (effort, price, delivery format, assessment method,
validity, prerequisites, outcomes) next to the fields it does; ``catalog_entry_skills`` the ESCO skill alignments
with their target proficiency (no foreign key to the taxonomy: a catalog may align to a skill before the taxonomy
is loaded). ``catalog_sources`` records which generator version or shipped file each source was seeded from, which
makes a second ``credstack catalog seed`` a no-op.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from credstack.storage.models import Base

__all__ = ["CatalogEntryRow", "CatalogEntrySkill", "CatalogSource"]


class CatalogEntryRow(Base):
    """An achievement definition in the catalog (``source``: ``demo``, ``nj-etpl`` or ``local``)."""

    __tablename__ = "catalog_entries"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(16), index=True)
    name: Mapped[str] = mapped_column(sa.Text)
    description: Mapped[str] = mapped_column(sa.Text)
    provider: Mapped[str] = mapped_column(sa.String(200), index=True)
    achievement_type: Mapped[str] = mapped_column(sa.String(40))
    criteria: Mapped[str] = mapped_column(sa.Text, default="")
    eqf_level: Mapped[int | None]
    ects: Mapped[float | None]
    us_credits: Mapped[float | None]
    effort_hours: Mapped[float | None]
    price: Mapped[float | None]
    currency: Mapped[str] = mapped_column(sa.String(3))
    delivery_format: Mapped[str] = mapped_column(sa.String(16))
    language: Mapped[str] = mapped_column(sa.String(8))
    assessment_method: Mapped[str] = mapped_column(sa.String(40))
    validity_months: Mapped[int | None]
    prerequisites: Mapped[list[Any]] = mapped_column(default=list)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    occupations: Mapped[list[Any]] = mapped_column(default=list)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(index=True)


class CatalogEntrySkill(Base):
    """A skill an entry teaches: ESCO URI, label as aligned, target proficiency 1-4, order of alignment."""

    __tablename__ = "catalog_entry_skills"

    entry_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    skill_uri: Mapped[str] = mapped_column(sa.String(200), primary_key=True, index=True)
    label: Mapped[str] = mapped_column(sa.Text)
    level: Mapped[int]
    position: Mapped[int]


class CatalogSource(Base):
    """Which version (generator version and seed, or a shipped file's SHA-256) a source was seeded from."""

    __tablename__ = "catalog_sources"

    name: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    version: Mapped[str] = mapped_column(sa.String(80))
    rows: Mapped[int]
    loaded_at: Mapped[datetime]
