"""Shared helper for the pathway web, API and browser tests: a database with the catalog and the demo stacks seeded
(``credstack demo seed`` minus the semantic index), for a given base URL. Seeded once per test process and base URL;
each caller gets its own copy of the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from catalog_support import seeded_database
from credstack.app import Credstack
from credstack.catalog.model import CatalogEntry, SkillAlignment
from credstack.cli._demo import seed_demo
from credstack.cli._demo_stacks import StackSeed, seed_stacks
from credstack.settings import Settings

__all__ = ["demo_stacks_database"]

_SEEDED: dict[str, tuple[Path, StackSeed]] = {}


def demo_stacks_database(factory: pytest.TempPathFactory, base_url: str) -> tuple[str, StackSeed]:
    """A fresh copy of a SQLite database seeded like ``credstack demo seed`` with ``base_url``; and the seed report."""
    if base_url not in _SEEDED:
        source, _ = seeded_database(factory)
        path = factory.mktemp("pathways") / "seeded.db"
        shutil.copyfile(source.removeprefix("sqlite:///"), path)
        with Credstack.from_settings(Settings(database_url=f"sqlite:///{path}", base_url=base_url)) as cs:
            seed_demo(cs)
            _SEEDED[base_url] = (path, seed_stacks(cs))
    path, report = _SEEDED[base_url]
    copy = factory.mktemp("pathways-copy") / "credstack.db"
    shutil.copyfile(path, copy)
    return f"sqlite:///{copy}", report


def publish_units(cs: Credstack, count: int) -> dict[str, str]:
    """``count`` published catalog units ``u1``.. (5 ECTS each, EQF 5, 40 hours, priced 100 EUR per number, each
    teaching one skill); returns entry id -> achievement id."""
    entries = [
        CatalogEntry(
            id=f"u{i}",
            source="local",
            name=f"Unit {i}",
            description=f"Unit {i} of the test certificate.",
            provider="Test Polytechnic",
            skills=(SkillAlignment(f"http://data.europa.eu/esco/skill/s{i}", f"skill {i}", 2),),
            eqf_level=5,
            ects=5,
            effort_hours=40,
            price=100.0 * i,
            currency="EUR",
        )
        for i in range(1, count + 1)
    ]
    cs.catalog.replace_source("local", entries)
    return {e.id: cs.catalog.publish(e.id).id for e in entries}
