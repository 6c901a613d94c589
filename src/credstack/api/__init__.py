"""The HTTP API (FastAPI): VC-API endpoints, public documents and REST resources, with problem+json errors.

Use :func:`create_app` with a :class:`~credstack.app.Credstack`; it also mounts the web pages.
"""

from __future__ import annotations

from credstack.api.app import create_app

__all__ = ["create_app"]
