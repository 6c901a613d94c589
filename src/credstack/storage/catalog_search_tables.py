"""Tables: Catalog search extras: sentence-embedding index of catalog descriptions (issue 3).

Defined on the shared :class:`~credstack.storage.models.Base`; the migration 0009_catalog_search creates them.
"""

from __future__ import annotations

from credstack.storage.models import Base  # noqa: F401
