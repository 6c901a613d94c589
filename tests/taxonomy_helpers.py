"""Shared helpers for the taxonomy tests: one database with the whole taxonomy loaded per test process."""

from __future__ import annotations

from pathlib import Path

import pytest

from credstack.app import Credstack
from credstack.services.taxonomy_records import LoadReport
from credstack.settings import Settings

#: A slice of the datasets that loads quickly on PostgreSQL too (skills with their hierarchy, O*NET occupations).
PG_SLICE = ("skill_groups", "skills", "skill_broader", "onet_occupations", "onet_tasks")

_LOADED: dict[str, tuple[str, LoadReport]] = {}


def make_app(url: str) -> Credstack:
    """A Credstack on ``url`` with the schema migrated (no issuer: the taxonomy needs none)."""
    app = Credstack.from_settings(Settings(database_url=url))
    app.init_db()
    return app


def loaded_database(factory: pytest.TempPathFactory) -> tuple[str, LoadReport]:
    """The URL of a SQLite database holding the whole taxonomy, and the report of its first load. Loaded once per
    test process, so every taxonomy test module shares it."""
    if "full" not in _LOADED:
        path: Path = factory.mktemp("taxonomy") / "credstack.db"
        url = f"sqlite:///{path}"
        with make_app(url) as app:
            _LOADED["full"] = (url, app.taxonomy.load())
    return _LOADED["full"]
