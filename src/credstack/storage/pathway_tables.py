"""Tables for: Pathways (qualifications), learners' progress snapshots and awards (issue 3).

Defined on the shared :class:`~credstack.storage.models.Base`; the migration 0004_pathways creates them.
"""

from __future__ import annotations

from credstack.storage.models import Base  # noqa: F401
