"""Tables of the skills taxonomy (ESCO v1.1.1 and O*NET 29.2), on the shared :class:`~credstack.storage.models.Base`.

Relation tables carry no foreign keys on purpose: the ESCO release itself has 67 occupation-skill relations and 8
broader relations whose concept is not in the released English files, and credstack keeps the release as
published (``credstack taxonomy load`` reports them). Multi-valued labels are stored one per line, as ESCO
ships them. ``taxonomy_datasets`` records which shipped file (by SHA-256) each table was loaded from, which is
what makes a second load a no-op.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from credstack.storage.models import Base

__all__ = [
    "TaxonomyDataset",
    "TaxonomyOccupation",
    "TaxonomyOccupationBroader",
    "TaxonomyOccupationSkill",
    "TaxonomyOnetAlternateTitle",
    "TaxonomyOnetOccupation",
    "TaxonomyOnetTask",
    "TaxonomyOnetTechnologySkill",
    "TaxonomySkill",
    "TaxonomySkillBroader",
    "TaxonomySkillRelation",
]


class TaxonomySkill(Base):
    """An ESCO skill/competence or knowledge concept (``kind="skill"``) or skill group (``kind="group"``)."""

    __tablename__ = "taxonomy_skills"

    uri: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(8))
    code: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    preferred_label: Mapped[str] = mapped_column(sa.Text)
    alt_labels: Mapped[str] = mapped_column(sa.Text, default="")
    hidden_labels: Mapped[str] = mapped_column(sa.Text, default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    scope_note: Mapped[str] = mapped_column(sa.Text, default="")
    skill_type: Mapped[str | None] = mapped_column(sa.String(20))
    reuse_level: Mapped[str | None] = mapped_column(sa.String(24))


class TaxonomySkillBroader(Base):
    """``uri`` sits under ``broader_uri`` in the ESCO skills pillar."""

    __tablename__ = "taxonomy_skill_broader"

    uri: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    broader_uri: Mapped[str] = mapped_column(sa.String(200), primary_key=True, index=True)


class TaxonomySkillRelation(Base):
    """``related_uri`` is essential or optional to ``skill_uri`` (ESCO skill-skill relations)."""

    __tablename__ = "taxonomy_skill_relations"

    skill_uri: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    related_uri: Mapped[str] = mapped_column(sa.String(200), primary_key=True, index=True)
    relation_type: Mapped[str] = mapped_column(sa.String(12))


class TaxonomyOccupation(Base):
    """An ESCO occupation (``kind="occupation"``) or ISCO-08 group (``kind="isco"``)."""

    __tablename__ = "taxonomy_occupations"

    uri: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(12))
    code: Mapped[str] = mapped_column(sa.String(32), index=True)
    isco_group: Mapped[str | None] = mapped_column(sa.String(8), index=True)
    preferred_label: Mapped[str] = mapped_column(sa.Text)
    alt_labels: Mapped[str] = mapped_column(sa.Text, default="")
    hidden_labels: Mapped[str] = mapped_column(sa.Text, default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")


class TaxonomyOccupationBroader(Base):
    """``uri`` sits under ``broader_uri`` in the ESCO occupations pillar (an occupation or ISCO group)."""

    __tablename__ = "taxonomy_occupation_broader"

    uri: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    broader_uri: Mapped[str] = mapped_column(sa.String(200), primary_key=True, index=True)


class TaxonomyOccupationSkill(Base):
    """An ESCO occupation needs a skill, ``essential`` or ``optional``."""

    __tablename__ = "taxonomy_occupation_skills"

    occupation_uri: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    skill_uri: Mapped[str] = mapped_column(sa.String(200), primary_key=True, index=True)
    relation_type: Mapped[str] = mapped_column(sa.String(12))


class TaxonomyOnetOccupation(Base):
    """An O*NET-SOC occupation; ``title_norm`` is the normalised title, for matching ESCO labels."""

    __tablename__ = "taxonomy_onet_occupations"

    code: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    title: Mapped[str] = mapped_column(sa.Text)
    title_norm: Mapped[str] = mapped_column(sa.String(200), index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")


class TaxonomyOnetTechnologySkill(Base):
    """A technology an O*NET occupation uses, with the Hot Technology and In Demand flags."""

    __tablename__ = "taxonomy_onet_technology_skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), index=True)
    example: Mapped[str] = mapped_column(sa.Text)
    commodity_code: Mapped[str] = mapped_column(sa.String(10))
    commodity_title: Mapped[str] = mapped_column(sa.Text)
    hot: Mapped[bool]
    in_demand: Mapped[bool]


class TaxonomyOnetAlternateTitle(Base):
    """Another title of an O*NET occupation; ``title_norm`` is the normalised title."""

    __tablename__ = "taxonomy_onet_alternate_titles"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), index=True)
    title: Mapped[str] = mapped_column(sa.Text)
    title_norm: Mapped[str] = mapped_column(sa.String(200), index=True)
    short_title: Mapped[str | None] = mapped_column(sa.Text)


class TaxonomyOnetTask(Base):
    """A task statement of an O*NET occupation (Core, Supplemental or untyped)."""

    __tablename__ = "taxonomy_onet_tasks"

    task_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(sa.String(10), index=True)
    task: Mapped[str] = mapped_column(sa.Text)
    task_type: Mapped[str | None] = mapped_column(sa.String(16))


class TaxonomyDataset(Base):
    """Which shipped file (SHA-256) a taxonomy table was loaded from, how many rows, and when."""

    __tablename__ = "taxonomy_datasets"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    rows: Mapped[int]
    loaded_at: Mapped[datetime]
