"""Tables for the planner (issue 5): learners' self-declared and assessed skills, and organisations' role profiles.

Defined on the shared :class:`~credstack.storage.models.Base`; the migration 0006_planner creates them.

- ``planner_skill_claims``: a skill a learner says they have (``source="self"``, weighted lower and always shown as
  self-declared) or an assessment result (``source="assessment"``), with the level (1-4) and when it was claimed.
  Verified credentials are not copied here: the planner reads them from the learner's wallet each time.
- ``planner_role_profiles`` and ``planner_role_profile_skills``: a role as an organisation defines it (``org_id`` is
  a plain string, so the employer tools can use their own organisation ids), with skills at a level and a weight.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from credstack.storage.models import Base

__all__ = ["RoleProfileRow", "RoleProfileSkillRow", "SkillClaimRow"]


class SkillClaimRow(Base):
    """One skill a learner claims (self-declared) or was assessed on; one row per learner, skill and source."""

    __tablename__ = "planner_skill_claims"

    learner: Mapped[str] = mapped_column(sa.String(500), primary_key=True)
    skill_uri: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    source: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    level: Mapped[float]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    claimed_at: Mapped[datetime]


class RoleProfileRow(Base):
    """A role profile of an organisation (``org_id`` is the organisation's own identifier, not a foreign key)."""

    __tablename__ = "planner_role_profiles"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(sa.String(200), index=True)
    name: Mapped[str] = mapped_column(sa.Text)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RoleProfileSkillRow(Base):
    """A skill a role profile needs: ESCO URI, level (1-4), weight (> 0), order given."""

    __tablename__ = "planner_role_profile_skills"

    profile_id: Mapped[str] = mapped_column(
        sa.ForeignKey("planner_role_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    skill_uri: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    level: Mapped[float]
    weight: Mapped[float]
    position: Mapped[int]
