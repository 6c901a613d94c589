"""Tables: employer side: trusted issuers, verification batches, presentation requests, endorsements, jobs (issue 6).

Defined on the shared :class:`~credstack.storage.models.Base`; the migration 0008_employer creates them.
"""

from __future__ import annotations

from credstack.storage.models import Base  # noqa: F401
