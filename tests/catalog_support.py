"""Shared helpers for the catalog tests: one SQLite database with a taxonomy slice and the seeded catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from credstack.app import Credstack
from credstack.services.catalog import SeedReport
from credstack.settings import Settings

#: What seeding needs from the taxonomy: skills, occupations, their relations, O*NET titles (for CIP-SOC-ESCO).
CATALOG_SLICE = ("skills", "occupations", "occupation_skills", "onet_occupations", "onet_alternate_titles")

_SEEDED: dict[str, tuple[str, SeedReport]] = {}


def seeded_database(factory: pytest.TempPathFactory) -> tuple[str, SeedReport]:
    """The URL of a SQLite database with the taxonomy slice and the seeded catalog, and the first seed's report.
    Built once per test process."""
    if "db" not in _SEEDED:
        path: Path = factory.mktemp("catalog") / "credstack.db"
        url = f"sqlite:///{path}"
        with Credstack.from_settings(Settings(database_url=url)) as app:
            app.init_db()
            app.taxonomy.load(only=CATALOG_SLICE)
            _SEEDED["db"] = (url, app.catalog.seed())
    return _SEEDED["db"]


def open_app(url: str) -> Credstack:
    return Credstack.from_settings(Settings(database_url=url))
