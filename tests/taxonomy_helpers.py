"""Shared helpers for the taxonomy tests: a database with the whole taxonomy loaded, once per test session."""

from __future__ import annotations

from credstack.app import Credstack
from credstack.settings import Settings

#: A slice of the datasets that loads quickly on PostgreSQL too (skills with their hierarchy, O*NET occupations).
PG_SLICE = ("skill_groups", "skills", "skill_broader", "onet_occupations", "onet_tasks")


def make_app(url: str) -> Credstack:
    """A Credstack on ``url`` with the schema migrated (no issuer: the taxonomy needs none)."""
    app = Credstack.from_settings(Settings(database_url=url))
    app.init_db()
    return app
