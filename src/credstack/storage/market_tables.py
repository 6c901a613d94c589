"""Tables for: Job-market tables: ingestion runs and aggregated skill/occupation demand (issue 4).

Defined on the shared :class:`~credstack.storage.models.Base`; the migration 0005_market creates them.
"""

from __future__ import annotations

from credstack.storage.models import Base  # noqa: F401
